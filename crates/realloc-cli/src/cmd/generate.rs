//! `realloc generate`.

use std::io::Write;

use crate::cli::GenerateArgs;

/// Runs `realloc generate`.
pub fn run(args: &GenerateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let _ = (args, out, err);
    Err(crate::output::bad_input("not implemented yet"))
}
