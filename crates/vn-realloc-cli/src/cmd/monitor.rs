//! `realloc report` and `realloc rank`: the monthly progress report and the emulation ranking.

use std::io::Write;
use std::path::PathBuf;

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
    fn emit(
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
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.as_deref(), err)?;
    let assessment = rules.assess_checked(&scenario).map_err(|e| bad_input(e.to_string()))?;
    let by = match args.by {
        ReportBy::Source => Dimension::Source,
        ReportBy::Investor => Dimension::Investor,
        ReportBy::Locality => Dimension::Locality,
        ReportBy::Sector => Dimension::Sector,
    };
    let options = ReportOptions { period: period(args.period), by, lag_margin: args.lag_margin / 100.0 };
    let r = ProgressReport::build(&scenario, &rules, &assessment, options);
    let inputs = inputs(&args.scenario, &scenario, args.rules.as_deref());
    ctx.stage("load, rules");
    args.out.emit("report", ctx, &r.document(ctx.lang), || r.to_json(), &inputs, out)
}

/// Runs `realloc rank`.
pub fn rank(args: &RankArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    choose_format("rank", args.out.format, args.out.output.path())?;
    let min_plan = Money::parse_million(&args.min_plan)
        .map_err(|e| bad_input(format!("--min-plan: {e}, found `{}`", args.min_plan)))?;
    let scenario = super::common::load(&args.scenario, err)?.scenario;
    let options = RankOptions {
        by: match args.by {
            RankByArg::Investor => RankBy::Investor,
            RankByArg::Locality => RankBy::Locality,
        },
        period: period(args.period),
        commend: args.commend,
        review: args.review,
        min_plan,
    };
    let r = Ranking::build(&scenario, options);
    let inputs = inputs(&args.scenario, &scenario, None);
    ctx.stage("load");
    args.out.emit("rank", ctx, &r.document(ctx.lang), || r.to_json(), &inputs, out)
}
