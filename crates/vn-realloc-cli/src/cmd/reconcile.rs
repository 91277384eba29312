//! `realloc reconcile`: the investors' reported disbursement against the State Treasury's figures.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use realloc::monitor::reconcile::Reconciliation;

use super::Ctx;
use super::common::inputs;
use super::monitor::monitoring_inputs;
use crate::cli::MonitorOutputArgs;
use crate::output::{bad_input, choose_format};

/// Arguments of `reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Scenario folder (holding `scenario.toml`, which names `treasury`).
    pub scenario: PathBuf,
    /// Format, language and output file.
    #[command(flatten)]
    pub out: MonitorOutputArgs,
}

/// Runs `realloc reconcile`.
pub fn run(args: &ReconcileArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    choose_format("reconcile", args.out.format, args.out.output.path())?;
    let scenario = super::common::load(&args.scenario, err)?.scenario;
    let Some(r) = Reconciliation::build(&scenario) else {
        return Err(bad_input(format!(
            "{}: no Treasury figures: add `treasury = \"treasury.csv\"` to scenario.toml (columns id, source, paid, advance_outstanding, advance_since)",
            args.scenario.join("scenario.toml").display()
        )));
    };
    let mut inputs = inputs(&args.scenario, &scenario, None);
    monitoring_inputs(&args.scenario, &scenario, &mut inputs);
    ctx.stage("load");
    args.out.emit("reconcile", ctx, &r.document(ctx.lang), || r.to_json(), &inputs, out)
}
