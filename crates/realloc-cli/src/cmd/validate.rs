//! `realloc validate`.

use std::io::Write;

use crate::cli::ValidateArgs;

/// Runs `realloc validate`.
pub fn run(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let _ = (args, out, err);
    Err(crate::output::bad_input("not implemented yet"))
}
