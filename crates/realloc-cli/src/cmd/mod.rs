//! One module per command; `dispatch` runs the parsed command line.

use std::io::Write;

use crate::cli::{Cli, Command};

mod common;
mod compare;
mod generate;
mod propose;
mod validate;

/// Runs a parsed command line.
pub fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    match cli.command {
        Command::Validate(args) => validate::run(&args, out, err),
        Command::Propose(args) => propose::run(&args, out, err),
        Command::Generate(args) => generate::run(&args, out, err),
        Command::Compare(args) => compare::run(&args, out, err),
    }
}
