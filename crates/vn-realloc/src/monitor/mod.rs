//! Progress monitoring (Plan 325 and Circular 37/2025 style reports) and the emulation ranking.
//!
//! [`ProgressReport`] gives plan, disbursed and rate at the as-of date and period by period from the
//! monthly history, by capital source first, with the rows lagging the expected curve of the rules.
//! [`Ranking`] compares each investor's or locality's rate with the provincial average, with its
//! change since the previous period, and names the units to commend and those to call to the next
//! review meeting. Both render through [`Doc`] to Markdown, HTML, Excel and CSV, and serialise to JSON.
//!
//! Amounts are exact đồng; rates are compared exactly (cross-multiplied in `i128`), never as floats.

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::Project;
use crate::report::Lang;
use crate::scenario::{Scenario, ScenarioMeta, days_in_month};

pub mod conclusions;
mod rank;
pub mod reconcile;
mod render;
mod report;

pub use rank::{Award, LastYearCut, RankBy, RankLine, RankOptions, Ranking, Standing, commune_own};
pub use render::{Doc, Section, Value};
pub use report::{
    Dimension, Figures, LaggingRow, LastYearBlock, LastYearLine, PeriodFigures, ProgressReport,
    ReportOptions, SourceBlock, UnitLine,
};

/// The period of the columns of a report, and of the "previous period" of a ranking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar months.
    #[default]
    Month,
    /// Quarters.
    Quarter,
    /// The plan year.
    Year,
}

impl Period {
    /// Months in one period.
    pub const fn months(self) -> u32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }
}

/// One period of the plan year: months `first..=last` (1–12).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PeriodColumn {
    /// `2025-03`, `2025-Q1` or `2025`.
    pub label: String,
    /// First month, 1–12.
    pub first_month: u32,
    /// Last month counted (the as-of month for the current period).
    pub last_month: u32,
    /// The date the cumulative figures describe: the period's last day, or `as_of` if earlier.
    pub end: NaiveDate,
    /// True when the period is not over at `as_of`.
    pub partial: bool,
}

impl PeriodColumn {
    /// The period as a reader writes it: "Tháng 9/2025", "Quý III/2025", "Năm 2025" in Vietnamese;
    /// "9/2025", "Q3 2025", "2025" in English; a period not over is marked "(đến ngày …)".
    pub fn display(&self, period: Period, year: i32, lang: Lang) -> String {
        let base = match period {
            Period::Month => month_name(year, self.first_month, lang),
            Period::Quarter => {
                let q = (self.first_month - 1) / 3;
                match lang {
                    Lang::Vi => format!("Quý {}/{year}", ["I", "II", "III", "IV"][q as usize % 4]),
                    _ => format!("Q{} {year}", q + 1),
                }
            }
            Period::Year => format!("{}{year}", tr(lang, "Năm ", "")),
        };
        if self.partial {
            format!("{base} ({} {})", tr(lang, "đến ngày", "to"), crate::report::fmt::date(self.end, lang))
        } else {
            base
        }
    }
}

/// A month as "Tháng 9/2025" (Vietnamese) or "9/2025" (English).
pub fn month_name(year: i32, month: u32, lang: Lang) -> String {
    format!("{}{month}/{year}", tr(lang, "Tháng ", ""))
}

/// The last month of the plan year the monthly history counts at `as_of` (as the loader counts it).
pub fn last_month(meta: &ScenarioMeta) -> u32 {
    if meta.as_of.year() > meta.fiscal_year {
        12
    } else if meta.as_of.year() < meta.fiscal_year {
        0
    } else {
        meta.as_of.month()
    }
}

/// The periods of the plan year up to `as_of`.
pub fn periods(meta: &ScenarioMeta, period: Period) -> Vec<PeriodColumn> {
    let last = last_month(meta);
    let step = period.months();
    let mut out = Vec::new();
    let mut first = 1;
    while first <= last {
        let full_last = first + step - 1;
        let end_month = full_last.min(12);
        let month_end =
            NaiveDate::from_ymd_opt(meta.fiscal_year, end_month, days_in_month(meta.fiscal_year, end_month))
                .unwrap_or(meta.as_of);
        let partial = month_end > meta.as_of;
        let label = match period {
            Period::Month => format!("{}-{first:02}", meta.fiscal_year),
            Period::Quarter => format!("{}-Q{}", meta.fiscal_year, (first - 1) / 3 + 1),
            Period::Year => meta.fiscal_year.to_string(),
        };
        out.push(PeriodColumn {
            label,
            first_month: first,
            last_month: end_month.min(last),
            end: month_end.min(meta.as_of),
            partial,
        });
        first += step;
    }
    out
}

/// Last year's figures at the same month-end (DOMAIN.md §3 `previous_year`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LastYear {
    /// Last year's plan year.
    pub fiscal_year: i32,
    /// The same month-end last year.
    pub date: NaiveDate,
    /// Disbursed by that date, per row of last year's portfolio.
    #[serde(skip)]
    pub cumulative: Vec<i64>,
}

/// Last year's cumulative disbursement at the month-end matching `as_of` (`None` without a previous
/// year, or when neither its monthly history nor its as-of date gives that month-end).
pub fn last_year(scenario: &Scenario) -> Option<(LastYear, &Scenario)> {
    let prev = scenario.monitoring.previous_year.as_deref()?;
    let month = last_month(&scenario.meta);
    if month == 0 {
        return None;
    }
    let fy = prev.meta.fiscal_year;
    let date = NaiveDate::from_ymd_opt(fy, month, days_in_month(fy, month))?;
    let cumulative = match &prev.history {
        Some(h) if last_month(&prev.meta) >= month => {
            (0..prev.portfolio.len()).map(|r| h.cumulative(r, month).dong()).collect()
        }
        _ if prev.meta.as_of == date => prev.portfolio.rows().iter().map(|p| p.disbursed.dong()).collect(),
        _ => return None,
    };
    Some((LastYear { fiscal_year: fy, date, cumulative }, prev))
}

/// `a_num / a_den` compared with `b_num / b_den` exactly; a zero denominator counts as rate 0.
pub(crate) fn cmp_rates(a_num: i64, a_den: i64, b_num: i64, b_den: i64) -> Ordering {
    match (a_den > 0, b_den > 0) {
        (true, true) => (i128::from(a_num) * i128::from(b_den)).cmp(&(i128::from(b_num) * i128::from(a_den))),
        (true, false) => i128::from(a_num).cmp(&0),
        (false, true) => 0.cmp(&i128::from(b_num)),
        (false, false) => Ordering::Equal,
    }
}

/// `num / den` as a float, 0 when `den` is not positive.
pub(crate) fn rate(num: i64, den: i64) -> f64 {
    if den > 0 { num as f64 / den as f64 } else { 0.0 }
}

/// The text of a unit of `p` for a grouping ("(trống)" / "(blank)" is left to the caller).
pub(crate) fn unit_of(p: &Project, by: Dimension) -> &str {
    match by {
        Dimension::Source => p.source.code(),
        Dimension::Investor => &p.investor,
        Dimension::Locality => &p.locality,
        Dimension::Sector => &p.sector,
    }
}

/// A label in the document language.
pub(crate) use crate::report::text::tr;

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(as_of: &str) -> ScenarioMeta {
        ScenarioMeta {
            name: "t".into(),
            province: "p".into(),
            fiscal_year: 2025,
            as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap_or_default(),
            deadline: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default(),
            projects: "projects.csv".into(),
            disbursements: None,
            rules: None,
            amount_format: None,
            pipeline: None,
            local_budget_delegated: false,
            document: Default::default(),
            monitoring: Default::default(),
        }
    }

    #[test]
    fn periods_up_to_as_of() {
        let q = periods(&meta("2025-08-15"), Period::Quarter);
        assert_eq!(q.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(), ["2025-Q1", "2025-Q2", "2025-Q3"]);
        assert_eq!((q[2].first_month, q[2].last_month, q[2].partial), (7, 8, true));
        assert!(!q[1].partial);
        let m = periods(&meta("2025-09-30"), Period::Month);
        assert_eq!(m.len(), 9);
        assert!(!m[8].partial);
        let y = periods(&meta("2026-01-31"), Period::Year);
        assert_eq!((y.len(), y[0].last_month, y[0].partial), (1, 12, false));
    }

    #[test]
    fn rates_compare_exactly() {
        assert_eq!(cmp_rates(1, 3, 333_333_333, 1_000_000_000), Ordering::Greater);
        assert_eq!(cmp_rates(2, 6, 1, 3), Ordering::Equal);
        assert_eq!(cmp_rates(0, 0, 0, 5), Ordering::Equal);
    }
}
