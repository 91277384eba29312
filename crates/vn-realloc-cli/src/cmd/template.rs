//! `realloc template`: the Excel input workbook, empty or filled with a scenario's rows.

use std::io::Write;

use super::Ctx;
use crate::cli::TemplateArgs;
use crate::output::{choose_format, write_atomic};

/// Runs `realloc template`.
pub fn run(args: &TemplateArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let _ = out;
    choose_format("template", None, Some(&args.output))?;
    let (scenario, mut inputs) = match &args.from {
        Some(dir) => {
            let s = super::common::load(dir, err)?.scenario;
            let inputs = realloc::load::scenario_files(dir, &s.meta);
            (Some(s), inputs)
        }
        None => (None, Vec::new()),
    };
    inputs.dedup();
    ctx.stage("load");
    let bytes = realloc::template::workbook(ctx.lang, scenario.as_ref())?;
    ctx.stage("document");
    write_atomic(&args.output, &bytes, &inputs)?;
    ctx.stage("write");
    Ok(())
}
