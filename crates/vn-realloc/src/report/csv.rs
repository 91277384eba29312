//! Every row with its change as CSV, for other tools: column codes as headers, amounts in million VND
//! written exactly with a '.' decimal point (the convention of `projects.csv`, readable by
//! [`Money::parse_million`](crate::money::Money::parse_million) when non-negative).
//!
//! The file starts with a UTF-8 byte-order mark, so that Excel on Windows reads the diacritics; a text
//! cell that a spreadsheet would evaluate as a formula (first character `=`, `+`, `-`, `@`, a tab or a
//! carriage return) is written with a leading `'`; numbers are written as they are.

use crate::money::Money;

use super::{ProposalDocument, RenderError};

/// The header row.
pub const HEADER: [&str; 20] = [
    "id",
    "source",
    "name",
    "investor",
    "locality",
    "groups",
    "priority",
    "plan",
    "change",
    "new_plan",
    "disbursed",
    "forecast_before",
    "forecast_after",
    "releasable",
    "absorbable",
    "value_in",
    "value_out",
    "reason",
    "locked",
    "lock_reason",
];

/// The UTF-8 byte-order mark written first.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text cell made inert for spreadsheets: a leading `'` when it starts with a character that
/// would make a spreadsheet evaluate it as a formula.
pub fn text_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

/// Renders the rows.
pub fn render(doc: &ProposalDocument) -> Result<Vec<u8>, RenderError> {
    let mut buf = Vec::with_capacity(doc.projects.len() * 320 + 256);
    buf.extend_from_slice(BOM);
    let mut w = ::csv::Writer::from_writer(buf);
    let t = |s: &str| text_cell(s);
    w.write_record(HEADER)?;
    let m = |v: i64| Money::from_dong(v).to_million_string();
    for p in &doc.projects {
        w.write_record([
            t(&p.id),
            p.source.code().to_owned(),
            t(&p.name),
            t(&p.investor),
            t(&p.locality),
            p.groups.join(";"),
            p.priority.to_string(),
            m(p.plan_vnd),
            m(p.change_vnd),
            m(p.new_plan_vnd),
            m(p.disbursed_vnd),
            m(p.forecast_vnd),
            m(p.forecast_after_vnd),
            m(p.releasable_vnd),
            m(p.absorbable_vnd),
            format!("{}", p.value_in),
            format!("{}", p.value_out),
            t(&p.reason),
            p.locked.to_string(),
            t(p.lock_reason.as_deref().filter(|_| p.locked).unwrap_or("")),
        ])?;
    }
    w.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}
