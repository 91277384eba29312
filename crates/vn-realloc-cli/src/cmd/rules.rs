//! `realloc rules export`: the built-in rules as a TOML file to edit.

use std::io::Write;

use super::Ctx;
use crate::cli::{RulesAction, RulesCommandArgs};
use crate::output::choose_format;

/// Runs `realloc rules`.
pub fn run(
    args: &RulesCommandArgs,
    ctx: &Ctx,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let _ = err;
    match &args.action {
        RulesAction::Export(e) => {
            choose_format("rules export", None, e.output.path())?;
            e.output.write(realloc::rules::DEFAULT_RULES.as_bytes(), &[], out)?;
            ctx.stage("write");
            Ok(())
        }
    }
}
