//! Serialising a scenario back to the files of a scenario folder (DOMAIN.md section 3): `projects.csv`,
//! `disbursements.csv`, `pipeline.csv` and `scenario.toml`, byte for byte deterministic.
//!
//! Columns follow the order of DOMAIN.md; the optional (version 2) columns of `projects.csv` are
//! written when some row has a value in one of them; fields are quoted as RFC 4180 asks (only when
//! they hold a comma, a quote, a line break or surrounding spaces); amounts are exact million VND from
//! [`Money::to_million_string`](crate::money::Money::to_million_string), so `scenario.toml` always
//! says `amount_format = "dot"`; booleans are `true`/`false`; obstacles are joined with ';'; lines
//! end with `\n`. Months with no disbursement are not written to `disbursements.csv`.

use std::fmt::Write as _;

use crate::domain::{PipelineProject, Portfolio, Project};
use crate::money::Money;
use crate::scenario::{History, ScenarioMeta};

/// The header of `projects.csv`, in the order of DOMAIN.md section 3: the loader's column list.
pub const PROJECTS_HEADER: [&str; 20] = crate::load::PROJECT_COLUMNS;

/// The optional columns of `projects.csv` (version 2), written after [`PROJECTS_HEADER`].
pub const PROJECTS_OPTIONAL_HEADER: [&str; 7] = crate::load::PROJECT_OPTIONAL_COLUMNS;

/// The header of `pipeline.csv`.
pub const PIPELINE_HEADER: [&str; 12] = crate::load::PIPELINE_COLUMNS;

/// The header of `disbursements.csv`.
pub const DISBURSEMENTS_HEADER: [&str; 4] = crate::load::HISTORY_COLUMNS;

/// `projects.csv` for a portfolio: the header, then one line per row in portfolio order. The optional
/// columns are written, all of them, when some row has a value in one of them.
pub fn projects_csv(portfolio: &Portfolio) -> String {
    let optional = portfolio.rows().iter().any(|p| p.extra != crate::domain::ProjectExtra::default());
    let mut out = String::with_capacity(64 + portfolio.len() * if optional { 400 } else { 320 });
    out.push_str(&PROJECTS_HEADER.join(","));
    if optional {
        out.push(',');
        out.push_str(&PROJECTS_OPTIONAL_HEADER.join(","));
    }
    out.push('\n');
    for p in portfolio.rows() {
        push_project(&mut out, p);
        if optional {
            out.pop();
            push_extra(&mut out, p);
            out.push('\n');
        }
    }
    out
}

/// Appends the optional columns of a row, each after a ','.
fn push_extra(out: &mut String, p: &Project) {
    let e = &p.extra;
    out.push(',');
    if let Some(c) = e.category {
        out.push_str(c.code());
    }
    out.push(',');
    push_money(out, e.medium_term_room);
    out.push(',');
    push_money(out, e.requested_change);
    out.push(',');
    push_field(out, e.agreement.as_deref().unwrap_or(""));
    out.push(',');
    if let Some(y) = e.extended_to {
        let _ = write!(out, "{y}");
    }
    out.push(',');
    push_field(out, e.decision.as_deref().unwrap_or(""));
    out.push(',');
    push_field(out, e.lock_reason.as_deref().unwrap_or(""));
}

/// Appends an optional amount; nothing for `None`.
fn push_money(out: &mut String, m: Option<Money>) {
    if let Some(m) = m {
        out.push_str(&m.to_million_string());
    }
}

/// `pipeline.csv`: the header, then one line per pipeline project in order.
pub fn pipeline_csv(pipeline: &[PipelineProject]) -> String {
    let mut out = String::with_capacity(64 + pipeline.len() * 200);
    out.push_str(&PIPELINE_HEADER.join(","));
    out.push('\n');
    for p in pipeline {
        let texts: [&str; 5] = [&p.id, &p.name, &p.investor, &p.locality, &p.sector];
        for f in texts {
            push_field(&mut out, f);
            out.push(',');
        }
        let _ = write!(
            out,
            "{},{},{},{},{},",
            p.source.code(),
            p.group.code(),
            p.total_investment.to_million_string(),
            p.medium_term_room.to_million_string(),
            p.ready_amount.to_million_string()
        );
        push_field(&mut out, p.decision.as_deref().unwrap_or(""));
        out.push(',');
        push_field(&mut out, p.agreement.as_deref().unwrap_or(""));
        out.push('\n');
    }
    out
}

/// Appends one row of `projects.csv`.
fn push_project(out: &mut String, p: &Project) {
    let fields: [&str; 5] = [&p.id, &p.name, &p.investor, &p.locality, &p.sector];
    for f in fields {
        push_field(out, f);
        out.push(',');
    }
    let _ = write!(
        out,
        "{},{},{},{},{},{},{},{},{},",
        p.source.code(),
        p.group.code(),
        p.status.code(),
        p.key_project,
        p.total_investment.to_million_string(),
        p.allocated_before.to_million_string(),
        p.plan.to_million_string(),
        p.disbursed.to_million_string(),
        p.unpaid_volume.to_million_string(),
    );
    if let Some(pct) = p.site_clearance_pct {
        out.push_str(&percent(pct));
    }
    let _ = write!(out, ",{},{},{},", percent(p.physical_progress_pct), p.start_year, p.end_year);
    out.push_str(&p.obstacles.to_codes());
    let _ = writeln!(out, ",{}", p.locked);
}

/// `disbursements.csv`: for each portfolio row in order, its months of the plan year with a non-zero
/// amount, January first. Rows beyond the history, and zero months, are not written.
pub fn disbursements_csv(portfolio: &Portfolio, history: &History, fiscal_year: i32) -> String {
    let mut out = String::with_capacity(32 + portfolio.len() * 9 * 28);
    out.push_str(&DISBURSEMENTS_HEADER.join(","));
    out.push('\n');
    for (p, months) in portfolio.rows().iter().zip(&history.months) {
        for (m, amount) in months.iter().enumerate() {
            if amount.is_zero() {
                continue;
            }
            push_field(&mut out, &p.id);
            let _ = writeln!(
                out,
                ",{},{fiscal_year:04}-{:02},{}",
                p.source.code(),
                m + 1,
                amount.to_million_string()
            );
        }
    }
    out
}

/// `scenario.toml` for a scenario description, in the order of DOMAIN.md section 3; the optional keys
/// are written only when set, but for `amount_format = "dot"`, always written since the writers of
/// this module write amounts that way.
pub fn scenario_toml(meta: &ScenarioMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "name = {}", toml_string(&meta.name));
    let _ = writeln!(out, "province = {}", toml_string(&meta.province));
    let _ = writeln!(out, "fiscal_year = {}", meta.fiscal_year);
    let _ = writeln!(out, "as_of = \"{}\"", meta.as_of.format("%Y-%m-%d"));
    let _ = writeln!(out, "deadline = \"{}\"", meta.deadline.format("%Y-%m-%d"));
    let _ = writeln!(out, "projects = {}", toml_string(&meta.projects));
    if let Some(d) = &meta.disbursements {
        let _ = writeln!(out, "disbursements = {}", toml_string(d));
    }
    if let Some(r) = &meta.rules {
        let _ = writeln!(out, "rules = {}", toml_string(r));
    }
    out.push_str("amount_format = \"dot\"\n");
    let m = &meta.monitoring;
    let files = [
        ("pipeline", &meta.pipeline),
        ("treasury", &m.treasury),
        ("schedule", &m.schedule),
        ("previous_year", &m.previous_year),
        ("conclusions", &m.conclusions),
    ];
    for (key, value) in files {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", toml_string(v));
        }
    }
    if meta.local_budget_delegated {
        out.push_str("local_budget_delegated = true\n");
    }
    let d = &meta.document;
    if *d != crate::scenario::DocumentMeta::default() {
        out.push_str("\n[document]\n");
        let texts =
            [("agency", &d.agency), ("parent", &d.parent), ("number", &d.number), ("place", &d.place)];
        for (key, value) in texts {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {}", toml_string(v));
            }
        }
        if let Some(date) = d.date {
            let _ = writeln!(out, "date = \"{}\"", date.format("%Y-%m-%d"));
        }
        for (key, value) in [("signer", &d.signer), ("signer_title", &d.signer_title)] {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {}", toml_string(v));
            }
        }
        for (key, list) in [("recipients", &d.recipients), ("bases", &d.bases)] {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(|s| toml_string(s)).collect();
                let _ = writeln!(out, "{key} = [{}]", items.join(", "));
            }
        }
    }
    out
}

/// Appends a CSV field, quoted when RFC 4180 requires it (or when it has surrounding spaces, which
/// readers might trim).
fn push_field(out: &mut String, field: &str) {
    let needs_quotes = field.contains([',', '"', '\n', '\r'])
        || field.starts_with([' ', '\t'])
        || field.ends_with([' ', '\t']);
    if needs_quotes {
        out.push('"');
        for c in field.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// A percentage as the shortest text that reads back as the same `f64` (`45.5`, `100`).
fn percent(pct: f64) -> String {
    // `Display` of f64 is the shortest round-tripping decimal, never in scientific notation.
    format!("{pct}")
}

/// A TOML basic string with the escapes TOML requires (one writer for every TOML the library makes).
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut s = String::new();
        push_field(&mut s, "Trường THCS Đồng Đăng");
        s.push('|');
        push_field(&mut s, "Cải tạo, nâng cấp \"Nhà văn hóa\"");
        s.push('|');
        push_field(&mut s, " lề");
        assert_eq!(s, "Trường THCS Đồng Đăng|\"Cải tạo, nâng cấp \"\"Nhà văn hóa\"\"\"|\" lề\"");
    }

    #[test]
    fn percentages_read_back_exactly() {
        for tenths in [0_i32, 5, 455, 999, 1000] {
            let v = f64::from(tenths) / 10.0;
            assert_eq!(percent(v).parse::<f64>(), Ok(v));
            assert!(!percent(v).contains('e'));
        }
        assert_eq!(percent(100.0), "100");
        assert_eq!(percent(45.5), "45.5");
    }

    #[test]
    fn toml_strings_escape_quotes_and_backslashes() {
        assert_eq!(toml_string("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
    }
}
