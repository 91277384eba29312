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

use realloc::report::{Lang, fmt};

use super::Ctx;
use crate::cli::{SummaryFormat, ValidateArgs};
use crate::output::bad_diagnostics;

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

/// The text of a failed load: every diagnostic on its own line in the messages' language, warnings
/// marked, then the counts.
pub fn failure_text(dir: &std::path::Path, diags: &Diagnostics) -> String {
    let lang = super::common::message_lang();
    let vi = lang == realloc::report::Lang::Vi;
    let mut text = if vi {
        format!("không dùng được kịch bản `{}`:\n", dir.display())
    } else {
        format!("scenario `{}` cannot be used:\n", dir.display())
    };
    for d in diags.iter() {
        if d.severity == Severity::Warning {
            text.push_str(super::common::warning_word(lang));
            text.push_str(": ");
        }
        text.push_str(&d.render(lang));
        text.push('\n');
    }
    if diags.dropped() > 0 {
        if vi {
            text.push_str(&format!("... và {} lỗi khác không hiển thị\n", diags.dropped()));
        } else {
            text.push_str(&format!("... and {} more errors not shown\n", diags.dropped()));
        }
    }
    if vi {
        text.push_str(&format!("{} lỗi, {} cảnh báo", diags.error_count(), diags.warning_count()));
    } else {
        text.push_str(&format!("{} error(s), {} warning(s)", diags.error_count(), diags.warning_count()));
    }
    text
}

/// Runs `realloc validate`.
pub fn run(args: &ValidateArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let loaded = load_scenario_with(&args.scenario, &super::common::load_options());
    ctx.stage("load");
    match loaded {
        Ok(Loaded { scenario, warnings }) => {
            let summary = summarise(&scenario);
            match args.format {
                SummaryFormat::Text => {
                    write_text(out, &summary, ctx.lang).context("cannot write the summary")?;
                    for w in warnings.iter() {
                        crate::output::warn(err, w);
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
            Err(bad_diagnostics(
                failure_text(&args.scenario, &e.diagnostics),
                e.diagnostics.iter().cloned().collect(),
            ))
        }
    }
}

fn write_json(out: &mut dyn Write, report: &ValidateReport) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).context("cannot write the report")?;
    writeln!(out).context("cannot write the report")
}

/// Left-aligned labels of the summary.
fn words(lang: Lang) -> [&'static str; 14] {
    match lang {
        Lang::Vi => [
            "phương án",
            "tỉnh",
            "năm kế hoạch",
            "số liệu đến",
            "hạn giải ngân",
            "số dòng",
            "số nguồn",
            "lịch sử",
            "theo tháng, có",
            "không có",
            "đơn vị: triệu đồng",
            "nguồn",
            "số dòng",
            "kế hoạch",
        ],
        Lang::En => [
            "scenario",
            "province",
            "plan year",
            "as of",
            "deadline",
            "rows",
            "pools",
            "history",
            "monthly, given",
            "none",
            "amounts in million VND",
            "source",
            "rows",
            "plan",
        ],
    }
}

fn write_text(out: &mut dyn Write, s: &Summary, lang: Lang) -> std::io::Result<()> {
    let w = words(lang);
    let date = |d: &str| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_or_else(|_| d.to_owned(), |d| fmt::date(d, lang))
    };
    let facts = [
        (w[0], s.name.clone()),
        (w[1], s.province.clone()),
        (w[2], s.fiscal_year.to_string()),
        (w[3], date(&s.as_of)),
        (w[4], date(&s.deadline)),
        (w[5], s.rows.to_string()),
        (w[6], s.pools.to_string()),
        (w[7], (if s.history { w[8] } else { w[9] }).to_owned()),
    ];
    let key = facts.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in &facts {
        writeln!(out, "{k}{}  {v}", " ".repeat(key - k.chars().count()))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", w[10])?;
    let (disbursed, rate) = match lang {
        Lang::Vi => ("đã giải ngân", "tỷ lệ"),
        Lang::En => ("disbursed", "rate"),
    };
    let header = [w[11], w[12], w[13], disbursed, rate];
    let total_name = match lang {
        Lang::Vi => "TỔNG",
        Lang::En => "TOTAL",
    };
    let lines: Vec<[String; 5]> = s
        .sources
        .iter()
        .chain(std::iter::once(&s.total))
        .map(|l| {
            [
                if l.source == "TOTAL" { total_name.to_owned() } else { l.source.clone() },
                l.rows.to_string(),
                fmt::million(l.plan_vnd, lang),
                fmt::million(l.disbursed_vnd, lang),
                fmt::percent(l.rate, lang),
            ]
        })
        .collect();
    let mut w = header.map(|h| h.chars().count());
    for l in &lines {
        for (i, cell) in l.iter().enumerate() {
            w[i] = w[i].max(cell.chars().count());
        }
    }
    let row = |out: &mut dyn Write, c: [&str; 5]| {
        let pad = |s: &str, n: usize| " ".repeat(n.saturating_sub(s.chars().count()));
        writeln!(
            out,
            "{}{}  {}{}  {}{}  {}{}  {}{}",
            c[0],
            pad(c[0], w[0]),
            pad(c[1], w[1]),
            c[1],
            pad(c[2], w[2]),
            c[2],
            pad(c[3], w[3]),
            c[3],
            pad(c[4], w[4]),
            c[4]
        )
    };
    row(out, header)?;
    for (k, l) in lines.iter().enumerate() {
        if k + 1 == lines.len() {
            writeln!(out, "{}", "-".repeat(w.iter().sum::<usize>() + 8))?;
        }
        row(out, [&l[0], &l[1], &l[2], &l[3], &l[4]])?;
    }
    Ok(())
}
