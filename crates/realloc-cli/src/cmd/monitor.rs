//! `realloc report` and `realloc rank`: the monthly progress report and the emulation ranking.

use std::io::Write;
use std::path::{Path, PathBuf};

use realloc::money::Money;
use realloc::monitor::{Dimension, Doc, Period, ProgressReport, RankBy, RankOptions, Ranking, ReportOptions};
use realloc::report::Lang;
use realloc::scenario::Scenario;

use super::rules_input::load_with_rules;
use crate::cli::{MonitorFormat, PeriodArg, RankArgs, RankByArg, ReportArgs, ReportBy};
use crate::output::{bad_input, write_atomic};

fn period(p: PeriodArg) -> Period {
    match p {
        PeriodArg::Month => Period::Month,
        PeriodArg::Quarter => Period::Quarter,
        PeriodArg::Year => Period::Year,
    }
}

/// The files a run read, so that no output lands on one.
fn inputs(dir: &Path, s: &Scenario, rules: Option<&PathBuf>) -> Vec<PathBuf> {
    let mut v = vec![dir.join("scenario.toml"), dir.join(&s.meta.projects)];
    v.extend(s.meta.disbursements.iter().map(|d| dir.join(d)));
    v.extend(rules.cloned());
    v.extend(s.meta.rules.iter().map(|r| dir.join(r)));
    v
}

/// The format asked for: `--format`, else the output's extension, else Markdown.
fn format_of(format: Option<MonitorFormat>, output: Option<&PathBuf>) -> anyhow::Result<MonitorFormat> {
    let f =
        format.or_else(|| output.and_then(|p| MonitorFormat::from_extension(p))).unwrap_or(MonitorFormat::Md);
    if f == MonitorFormat::Xlsx && output.is_none() {
        return Err(bad_input("the xlsx format needs an output file: add -o FILE.xlsx"));
    }
    Ok(f)
}

/// Renders and writes a document (or its JSON) to the output file or standard output.
fn emit(
    doc: &Doc,
    json: impl FnOnce() -> String,
    format: MonitorFormat,
    lang: Lang,
    output: Option<&PathBuf>,
    inputs: &[PathBuf],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let bytes = match format {
        MonitorFormat::Md => doc.to_markdown(lang).into_bytes(),
        MonitorFormat::Html => doc.to_html(lang).into_bytes(),
        MonitorFormat::Xlsx => doc.to_xlsx(lang)?,
        MonitorFormat::Json => json().into_bytes(),
        MonitorFormat::Csv => doc.to_csv()?,
    };
    match output {
        Some(path) => write_atomic(path, &bytes, inputs),
        None => Ok(out.write_all(&bytes)?),
    }
}

/// Runs `realloc report`.
pub fn report(args: &ReportArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = format_of(args.format, args.output.as_ref())?;
    if !args.lag_margin.is_finite() || !(0.0..=100.0).contains(&args.lag_margin) {
        return Err(bad_input(format!(
            "--lag-margin: expected percentage points from 0 to 100, found {}",
            args.lag_margin
        )));
    }
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.as_ref(), err)?;
    let assessment = rules.assess(&scenario);
    let by = match args.by {
        ReportBy::Source => Dimension::Source,
        ReportBy::Investor => Dimension::Investor,
        ReportBy::Locality => Dimension::Locality,
        ReportBy::Sector => Dimension::Sector,
    };
    let options = ReportOptions { period: period(args.period), by, lag_margin: args.lag_margin / 100.0 };
    let r = ProgressReport::build(&scenario, &rules, &assessment, options);
    let lang = args.lang.into();
    let inputs = inputs(&args.scenario, &scenario, args.rules.as_ref());
    emit(&r.document(lang), || r.to_json(), format, lang, args.output.as_ref(), &inputs, out)
}

/// Runs `realloc rank`.
pub fn rank(args: &RankArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = format_of(args.format, args.output.as_ref())?;
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
    let lang = args.lang.into();
    let inputs = inputs(&args.scenario, &scenario, None);
    emit(&r.document(lang), || r.to_json(), format, lang, args.output.as_ref(), &inputs, out)
}
