//! One module per command; `dispatch` runs the parsed command line.

use std::io::Write;

use crate::cli::{Cli, Command};

mod backtest;
mod check;
mod classify;
mod common;
mod compare;
mod explain;
mod generate;
mod monitor;
mod propose;
mod risk;
mod rules_input;
mod sweep;
mod template;
pub(crate) mod validate;

/// Runs a parsed command line.
pub fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let options = realloc::load::LoadOptions { allow_outside: cli.allow_outside };
    common::with_load_options(options, || run_command(cli.command, out, err))
}

/// Runs one command.
fn run_command(command: Command, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        Command::Validate(args) => validate::run(&args, out, err),
        Command::Propose(args) => propose::run(&args, out, err),
        Command::Generate(args) => generate::run(&args, out, err),
        Command::Compare(args) => compare::run(&args, out, err),
        Command::Classify(args) => classify::run(&args, out, err),
        Command::Explain(args) => explain::run(&args, out, err),
        Command::Backtest(args) => backtest::run(&args, out, err),
        Command::Check(args) => check::run(&args, out, err),
        Command::Template(args) => template::run(&args, out, err),
        Command::Report(args) => monitor::report(&args, out, err),
        Command::Rank(args) => monitor::rank(&args, out, err),
        Command::Risk(args) => risk::run(&args, out, err),
        Command::Sweep(args) => sweep::run(&args, out, err),
    }
}
