//! `realloc risk`: the Monte Carlo of the year-end disbursement before and after the proposal, with a
//! progress bar on a terminal (none when standard error is piped).

use std::io::Write;

use realloc::risk::RiskOptions;

use crate::cli::{RiskArgs, RiskFormat, RiskOptionsArgs};
use crate::cmd::common;
use crate::output::bad_input;

/// Runs `realloc risk`.
pub fn run(args: &RiskArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    check_options(&args.risk)?;
    let mut proposed =
        common::propose_scenario(&args.scenario, args.rules.file.as_deref(), false, Some(&args.risk), err)?;
    // The pipeline was asked for the risk annex: it is there.
    let Some(report) = proposed.document.risk.take() else {
        anyhow::bail!("the pipeline returned no risk report for `{}`", args.scenario.display())
    };
    let bytes = match args.format {
        RiskFormat::Md => report.to_markdown(&proposed.scenario.meta.name, args.lang.into()),
        RiskFormat::Json => report.to_json(),
    };
    args.output.write(bytes.as_bytes(), &proposed.files_read, out)
}

/// Refuses options that cannot be simulated before any work is done (exit 2).
fn check_options(o: &RiskOptionsArgs) -> anyhow::Result<()> {
    RiskOptions::new(o.draws, o.seed, o.target).check().map_err(|e| bad_input(e.to_string()))
}
