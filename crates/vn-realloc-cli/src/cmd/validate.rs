//! `realloc validate`: load a scenario with every check and print the summary a user wants first,
//! or every problem found (exit status 2).

use std::io::Write;

use anyhow::Context;
use realloc::diag::{Diagnostic, Diagnostics, Severity};
use realloc::domain::Source;
use realloc::load::{Loaded, load_scenario_with};
use realloc::money::Money;
use realloc::scenario::Scenario;
use serde::Serialize;

use crate::cli::{SummaryFormat, ValidateArgs};
use crate::output::bad_input;

/// What `realloc validate --format json` prints.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ValidateReport {
    /// The version of the JSON contract ([`realloc::contract::SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// True when the scenario can be used.
    pub ok: bool,
    /// The summary, when the scenario loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Errors found, counting those beyond the listing limit.
    pub error_count: usize,
    /// Warnings found, counting those beyond the listing limit.
    pub warning_count: usize,
}

/// The summary of a scenario that loaded.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Scenario name.
    pub name: String,
    /// Province.
    pub province: String,
    /// Plan year.
    pub fiscal_year: i32,
    /// Date the figures describe.
    pub as_of: String,
    /// Last disbursement date.
    pub deadline: String,
    /// Number of project rows.
    pub rows: usize,
    /// Number of capital-source pools.
    pub pools: usize,
    /// True when a monthly history was given.
    pub history: bool,
    /// One line per capital source present, in the order of the domain brief.
    pub sources: Vec<SourceLine>,
    /// All sources together.
    pub total: SourceLine,
    /// SHA-256 of each file read.
    pub inputs: Vec<realloc::scenario::InputDigest>,
}

/// Rows, plan, disbursed and rate of one capital source (or of all).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SourceLine {
    /// Source code, or `TOTAL`.
    pub source: String,
    /// Number of rows.
    pub rows: usize,
    /// Plan, whole đồng.
    pub plan_vnd: i64,
    /// Disbursed, whole đồng.
    pub disbursed_vnd: i64,
    /// Disbursed over plan, 0–1 (0 when the plan is zero).
    pub rate: f64,
}

/// Builds the summary of a loaded scenario.
pub fn summarise(s: &Scenario) -> Summary {
    let mut per = vec![(0usize, Money::ZERO, Money::ZERO); Source::ALL.len()];
    for p in s.portfolio.rows() {
        let e = &mut per[p.source.index()];
        e.0 += 1;
        e.1 += p.plan;
        e.2 += p.disbursed;
    }
    let line = |source: String, (rows, plan, disbursed): (usize, Money, Money)| SourceLine {
        source,
        rows,
        plan_vnd: plan.dong(),
        disbursed_vnd: disbursed.dong(),
        rate: disbursed.ratio(plan),
    };
    let sources: Vec<SourceLine> = Source::ALL
        .iter()
        .filter(|src| per[src.index()].0 > 0)
        .map(|src| line(src.code().into(), per[src.index()]))
        .collect();
    let total = per.iter().fold((0, Money::ZERO, Money::ZERO), |a, e| (a.0 + e.0, a.1 + e.1, a.2 + e.2));
    Summary {
        name: s.meta.name.clone(),
        province: s.meta.province.clone(),
        fiscal_year: s.meta.fiscal_year,
        as_of: s.meta.as_of.to_string(),
        deadline: s.meta.deadline.to_string(),
        rows: s.portfolio.len(),
        pools: sources.len(),
        history: s.history.is_some(),
        total: line("TOTAL".into(), total),
        sources,
        inputs: s.inputs.clone(),
    }
}

/// The text of a failed load: every diagnostic on its own line, warnings marked, then the counts.
pub fn failure_text(dir: &std::path::Path, diags: &Diagnostics) -> String {
    let mut text = format!("scenario `{}` cannot be used:\n", dir.display());
    for d in diags.iter() {
        if d.severity == Severity::Warning {
            text.push_str("warning: ");
        }
        text.push_str(&d.to_string());
        text.push('\n');
    }
    if diags.dropped() > 0 {
        text.push_str(&format!("... and {} more errors not shown\n", diags.dropped()));
    }
    text.push_str(&format!("{} error(s), {} warning(s)", diags.error_count(), diags.warning_count()));
    text
}

/// Runs `realloc validate`.
pub fn run(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    match load_scenario_with(&args.scenario, &super::common::load_options()) {
        Ok(Loaded { scenario, warnings }) => {
            let summary = summarise(&scenario);
            match args.format {
                SummaryFormat::Text => {
                    write_text(out, &summary).context("cannot write the summary")?;
                    for w in warnings.iter() {
                        writeln!(err, "warning: {w}").context("cannot write the warnings")?;
                    }
                }
                SummaryFormat::Json => {
                    let report = ValidateReport {
                        schema_version: realloc::contract::SCHEMA_VERSION,
                        ok: true,
                        summary: Some(summary),
                        error_count: 0,
                        warning_count: warnings.warning_count(),
                        diagnostics: warnings.iter().cloned().collect(),
                    };
                    write_json(out, &report)?;
                }
            }
            Ok(())
        }
        Err(e) => {
            if args.format == SummaryFormat::Json {
                let report = ValidateReport {
                    schema_version: realloc::contract::SCHEMA_VERSION,
                    ok: false,
                    summary: None,
                    error_count: e.diagnostics.error_count(),
                    warning_count: e.diagnostics.warning_count(),
                    diagnostics: e.diagnostics.iter().cloned().collect(),
                };
                write_json(out, &report)?;
            }
            Err(bad_input(failure_text(&args.scenario, &e.diagnostics)))
        }
    }
}

fn write_json(out: &mut dyn Write, report: &ValidateReport) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).context("cannot write the report")?;
    writeln!(out).context("cannot write the report")
}

/// Million VND with exactly three decimals, so that the column lines up.
fn million(dong: i64) -> String {
    let m = Money::from_dong(dong);
    let thousand = m.dong().div_euclid(1_000);
    format!("{}.{:03}", thousand / 1_000, thousand % 1_000)
}

fn write_text(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out, "scenario   {}", s.name)?;
    writeln!(out, "province   {}", s.province)?;
    writeln!(out, "plan year  {}", s.fiscal_year)?;
    writeln!(out, "as of      {}", s.as_of)?;
    writeln!(out, "deadline   {}", s.deadline)?;
    writeln!(out, "rows       {}", s.rows)?;
    writeln!(out, "pools      {}", s.pools)?;
    writeln!(out, "history    {}", if s.history { "monthly, given" } else { "none" })?;
    writeln!(out)?;
    writeln!(out, "amounts in million VND")?;
    let header = ("source", "rows", "plan", "disbursed", "rate");
    let lines: Vec<[String; 5]> = s
        .sources
        .iter()
        .chain(std::iter::once(&s.total))
        .map(|l| {
            [
                l.source.clone(),
                l.rows.to_string(),
                million(l.plan_vnd),
                million(l.disbursed_vnd),
                format!("{:.1}%", l.rate * 100.0),
            ]
        })
        .collect();
    let mut w = [header.0.len(), header.1.len(), header.2.len(), header.3.len(), header.4.len()];
    for l in &lines {
        for (i, cell) in l.iter().enumerate() {
            w[i] = w[i].max(cell.chars().count());
        }
    }
    writeln!(
        out,
        "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:>w4$}",
        header.0,
        header.1,
        header.2,
        header.3,
        header.4,
        w0 = w[0],
        w1 = w[1],
        w2 = w[2],
        w3 = w[3],
        w4 = w[4]
    )?;
    for (k, l) in lines.iter().enumerate() {
        if k + 1 == lines.len() {
            writeln!(out, "{}", "-".repeat(w.iter().sum::<usize>() + 8))?;
        }
        writeln!(
            out,
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:>w4$}",
            l[0],
            l[1],
            l[2],
            l[3],
            l[4],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4]
        )?;
    }
    Ok(())
}
