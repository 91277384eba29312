//! `realloc risk`: the Monte Carlo of the year-end disbursement before and after the proposal, with a
//! progress bar on a terminal (none when standard error is piped).

use std::io::Write;

use realloc::risk::RiskOptions;

use super::Ctx;
use crate::cli::{Format, RiskArgs, RiskOptionsArgs};
use crate::cmd::common;
use crate::output::{bad_input, choose_format};

/// Runs `realloc risk`.
pub fn run(args: &RiskArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = choose_format("risk", args.format, args.output.path())?;
    check_options(&args.risk)?;
    let mut proposed =
        common::propose_scenario(&args.scenario, args.rules.file.as_deref(), false, Some(&args.risk), err)?;
    ctx.stage("load, rules, optimise, risk");
    // The pipeline was asked for the risk annex: it is there.
    let Some(report) = proposed.document.risk.take() else {
        anyhow::bail!("the pipeline returned no risk report for `{}`", args.scenario.display())
    };
    let lang = ctx.lang;
    let name = &proposed.scenario.meta.name;
    let doc = || crate::docs::risk(&report, name, lang);
    ctx.emit("risk", &args.output, args.format, format, &proposed.files_read, out, doc, |f| {
        Ok(match f {
            Format::Json => report.to_json().into_bytes(),
            Format::Html => doc().to_html(lang).into_bytes(),
            Format::Xlsx => doc().to_xlsx(lang)?,
            _ => report.to_markdown(name, lang).into_bytes(),
        })
    })
}

/// Refuses options that cannot be simulated before any work is done (exit 2).
fn check_options(o: &RiskOptionsArgs) -> anyhow::Result<()> {
    RiskOptions::new(o.draws, o.seed, o.target).check().map_err(|e| bad_input(e.to_string()))
}
