//! `realloc sweep`: the proposal re-run over values of one rules parameter, as a frontier table
//! (Markdown, JSON, CSV, an Excel workbook) or an HTML page with an SVG chart.

use std::io::Write;

use realloc::sweep::{SweepError, sweep};

use super::Ctx;
use crate::cli::{Format, SweepArgs};
use crate::cmd::common;
use crate::cmd::rules_input::load_with_rules;
use crate::output::{bad_input, choose_format};

/// Runs `realloc sweep`.
pub fn run(args: &SweepArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = choose_format("sweep", args.format, args.output.path())?;
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    ctx.stage("load, rules");
    let result = sweep(&scenario, &rules, &args.param, &args.values).map_err(|e| match e {
        SweepError::Param(_) | SweepError::NoValues { .. } => bad_input(e.to_string()),
        other => {
            anyhow::Error::new(other).context(format!("cannot sweep scenario `{}`", args.scenario.display()))
        }
    })?;
    ctx.stage("optimise");
    let lang = ctx.lang;
    let inputs = common::inputs(&args.scenario, &scenario, args.rules.file.as_deref());
    let doc = || crate::docs::sweep(&result, lang);
    ctx.emit("sweep", &args.output, args.format, format, &inputs, out, doc, |f| {
        Ok(match f {
            Format::Json => result.to_json().into_bytes(),
            Format::Csv => result.to_csv().into_bytes(),
            Format::Html => result.to_html(lang).into_bytes(),
            Format::Xlsx => doc().to_xlsx(lang)?,
            _ => result.to_markdown(lang).into_bytes(),
        })
    })
}
