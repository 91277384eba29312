//! `realloc propose`.

use std::io::Write;

use crate::cli::ProposeArgs;

/// Runs `realloc propose`.
pub fn run(args: &ProposeArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let _ = (args, out, err);
    Err(crate::output::bad_input("not implemented yet"))
}
