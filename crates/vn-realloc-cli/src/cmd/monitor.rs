//! `realloc report` and `realloc rank`: the monthly progress report and the emulation ranking.

use std::io::Write;
use std::path::{Path, PathBuf};

use realloc::money::Money;
use realloc::monitor::{Dimension, Doc, Period, ProgressReport, RankBy, RankOptions, Ranking, ReportOptions};

use super::Ctx;
use super::common::inputs;
use super::rules_input::load_with_rules;
use crate::cli::{Format, MonitorOutputArgs, PeriodArg, RankArgs, RankByArg, ReportArgs, ReportBy};
use crate::output::{bad_input, choose_format};

fn period(p: PeriodArg) -> Period {
    match p {
        PeriodArg::Month => Period::Month,
        PeriodArg::Quarter => Period::Quarter,
        PeriodArg::Year => Period::Year,
    }
}

impl MonitorOutputArgs {
    /// Renders a document (or its JSON) and writes it to the output file or standard output (the
    /// terminal summary there on a terminal).
    pub(super) fn emit(
        &self,
        command: &str,
        ctx: &Ctx,
        doc: &Doc,
        json: impl FnOnce() -> String,
        inputs: &[PathBuf],
        out: &mut dyn Write,
    ) -> anyhow::Result<()> {
        let format = choose_format(command, self.format, self.output.path())?;
        let lang = ctx.lang;
        ctx.emit(
            command,
            &self.output,
            self.format,
            format,
            inputs,
            out,
            || doc.clone(),
            |f| {
                Ok(match f {
                    Format::Html => doc.to_html(lang).into_bytes(),
                    Format::Xlsx => doc.to_xlsx(lang)?,
                    Format::Json => json().into_bytes(),
                    Format::Csv => doc.to_csv()?,
                    _ => doc.to_markdown(lang).into_bytes(),
                })
            },
        )
    }
}

/// Runs `realloc report`.
pub fn report(args: &ReportArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    choose_format("report", args.out.format, args.out.output.path())?;
    if !args.lag_margin.is_finite() || !(0.0..=100.0).contains(&args.lag_margin) {
        return Err(bad_input(format!(
            "--lag-margin: expected percentage points from 0 to 100, found {}",
            args.lag_margin
        )));
    }
    let (mut scenario, rules) = load_with_rules(&args.scenario, args.rules.as_deref(), err)?;
    let mut inputs = inputs(&args.scenario, &scenario, args.rules.as_deref());
    previous_year(&mut scenario, &args.scenario, args.previous_year.as_deref(), &mut inputs, err)?;
    let assessment = rules.assess_checked(&scenario).map_err(|e| bad_input(e.to_string()))?;
    let by = match args.by {
        ReportBy::Source => Dimension::Source,
        ReportBy::Investor => Dimension::Investor,
        ReportBy::Locality => Dimension::Locality,
        ReportBy::Sector => Dimension::Sector,
    };
    let options = ReportOptions { period: period(args.period), by, lag_margin: args.lag_margin / 100.0 };
    let r = ProgressReport::build(&scenario, &rules, &assessment, options);
    monitoring_inputs(&args.scenario, &scenario, &mut inputs);
    ctx.stage("load, rules");
    args.out.emit("report", ctx, &r.document(ctx.lang), || r.to_json(), &inputs, out)
}

/// Runs `realloc rank`.
pub fn rank(args: &RankArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    choose_format("rank", args.out.format, args.out.output.path())?;
    let min_plan = match &args.min_plan {
        Some(m) => Money::parse_million(m).map_err(|e| bad_input(format!("--min-plan: {e}, found `{m}`")))?,
        None => Money::ZERO,
    };
    let mut scenario = super::common::load(&args.scenario, err)?.scenario;
    let mut inputs = inputs(&args.scenario, &scenario, None);
    previous_year(&mut scenario, &args.scenario, args.previous_year.as_deref(), &mut inputs, err)?;
    let options = RankOptions {
        by: match args.by {
            RankByArg::Investor => RankBy::Investor,
            RankByArg::Locality => RankBy::Locality,
        },
        period: period(args.period),
        commend: args.commend,
        review: args.review,
        min_plan,
        median_min_plan: args.min_plan.is_none(),
    };
    let r = Ranking::build(&scenario, options);
    monitoring_inputs(&args.scenario, &scenario, &mut inputs);
    ctx.stage("load");
    args.out.emit("rank", ctx, &r.document(ctx.lang), || r.to_json(), &inputs, out)
}

/// Loads last year's scenario: the folder `--previous-year` names, else the scenario's own
/// `previous_year` (each loaded like any scenario, without its own monitoring inputs), adding the
/// files of the first to `inputs`.
pub(super) fn previous_year(
    scenario: &mut realloc::scenario::Scenario,
    scenario_dir: &Path,
    dir: Option<&Path>,
    inputs: &mut Vec<PathBuf>,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let Some(dir) = dir else {
        return scenario_previous_year(scenario, scenario_dir, err);
    };
    let mut prev = super::common::load(dir, err)?.scenario;
    inputs.extend(super::common::inputs(dir, &prev, None));
    prev.monitoring = Default::default();
    scenario.monitoring.previous_year = Some(Box::new(prev));
    Ok(())
}

/// Adds the monitoring files of the scenario in `dir` (and of last year's folder it names) to
/// `inputs`, so that no output lands on one.
pub(super) fn monitoring_inputs(
    dir: &Path,
    scenario: &realloc::scenario::Scenario,
    inputs: &mut Vec<PathBuf>,
) {
    let m = &scenario.meta.monitoring;
    let folder = realloc::load::scenario_folder(dir);
    inputs.extend([&m.treasury, &m.schedule, &m.conclusions].into_iter().flatten().map(|f| folder.join(f)));
    if let Some(prev) = &m.previous_year {
        let pdir = realloc::load::scenario_folder(dir).join(prev);
        if let Some(p) = &scenario.monitoring.previous_year {
            inputs.extend(super::common::inputs(&pdir, p, None));
        }
    }
}

/// Loads the `previous_year` folder that the scenario in `dir` names, if any.
fn scenario_previous_year(
    scenario: &mut realloc::scenario::Scenario,
    dir: &Path,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    match realloc::load::load_previous_year(dir, scenario, &super::common::load_options()) {
        Ok(warnings) => {
            for w in warnings.iter() {
                crate::output::warn(err, w);
            }
            Ok(())
        }
        Err(e) => Err(bad_input(format!(
            "last year's scenario of `{}` cannot be used ({} problem(s)):\n{}",
            dir.display(),
            e.diagnostics.error_count(),
            e.diagnostics
        ))),
    }
}
