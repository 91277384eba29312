//! Every row with its change as CSV, for other tools: column codes as headers, amounts in million VND
//! written exactly with a '.' decimal point (the convention of `projects.csv`, readable by
//! [`Money::parse_million`](crate::money::Money::parse_million) when non-negative).

use crate::money::Money;

use super::{ProposalDocument, RenderError};

/// The header row.
pub const HEADER: [&str; 18] = [
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
];

/// Renders the rows.
pub fn render(doc: &ProposalDocument) -> Result<Vec<u8>, RenderError> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let m = |v: i64| Money::from_dong(v).to_million_string();
    for p in &doc.projects {
        w.write_record([
            p.id.clone(),
            p.source.code().to_owned(),
            p.name.clone(),
            p.investor.clone(),
            p.locality.clone(),
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
            p.reason.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
}
