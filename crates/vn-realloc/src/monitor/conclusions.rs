//! The register of review-meeting conclusions (sổ theo dõi kết luận giao ban), carried from one
//! meeting to the next.
//!
//! [`overdue`] lists the open tasks past their deadline at `as_of`, each with the row's
//! disbursement at the meeting (from the monthly history: the last month ended by the meeting date)
//! and since. `Register::with_meeting` adds the current meeting's conclusions: one per row in
//! difficulty (a row in at least one obstacle group of the rules), its task the remedies of its
//! groups, its owner the investor, its deadline the meeting date plus the rules parameter
//! `conclusion_days` (30 in the built-in rules) unless a date is given. Every line of the register
//! read is written back as it was, the new lines after it; a row that already has a conclusion of the
//! same meeting date gets no second one, so running the command twice adds nothing.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::Source;
use crate::model::Assessment;
use crate::rules::Rules;
use crate::scenario::{Conclusion, Register, Scenario, TaskStatus, days_in_month};

/// The columns the tool writes in a new register.
pub const REGISTER_COLUMNS: [&str; 7] = ["meeting", "id", "source", "task", "owner", "deadline", "status"];

/// Days given to carry out a conclusion when the rules have no `conclusion_days`.
pub const DEFAULT_CONCLUSION_DAYS: i64 = 30;

/// An open task past its deadline.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OverdueTask {
    /// The conclusion.
    pub conclusion: Conclusion,
    /// Project name (empty when the project is no longer in the plan).
    pub name: String,
    /// Days past the deadline at `as_of`.
    pub days_overdue: i64,
    /// Plan of the row now (0 when the project is no longer in the plan).
    pub plan_vnd: i64,
    /// Disbursed now.
    pub disbursed_vnd: i64,
    /// Disbursed by the end of the last month ended by the meeting, when the monthly history says.
    pub disbursed_at_meeting_vnd: Option<i64>,
    /// `disbursed − disbursed at the meeting`.
    pub progress_since_vnd: Option<i64>,
}

/// The last month of the plan year ended on or before `date` (0 when none).
fn month_ended_by(fiscal_year: i32, date: NaiveDate) -> u32 {
    if date.year() > fiscal_year {
        return 12;
    }
    if date.year() < fiscal_year {
        return 0;
    }
    if date.day() == days_in_month(date.year(), date.month()) { date.month() } else { date.month() - 1 }
}

/// Open tasks of the register past their deadline at `as_of`, the longest overdue first.
pub fn overdue(scenario: &Scenario) -> Vec<OverdueTask> {
    let Some(register) = &scenario.monitoring.conclusions else {
        return Vec::new();
    };
    let meta = &scenario.meta;
    let mut out: Vec<OverdueTask> = register
        .conclusions
        .iter()
        .filter(|c| c.status == TaskStatus::Open && c.deadline < meta.as_of)
        .map(|c| {
            let row = scenario.portfolio.position(&c.id, c.source);
            let p = row.and_then(|r| scenario.portfolio.rows().get(r));
            let disbursed = p.map_or(0, |p| p.disbursed.dong());
            let at_meeting = match (row, &scenario.history) {
                (Some(r), Some(h)) => {
                    Some(h.cumulative(r, month_ended_by(meta.fiscal_year, c.meeting)).dong())
                }
                _ => None,
            };
            OverdueTask {
                conclusion: c.clone(),
                name: p.map_or(String::new(), |p| p.name.to_string()),
                days_overdue: (meta.as_of - c.deadline).num_days(),
                plan_vnd: p.map_or(0, |p| p.plan.dong()),
                disbursed_vnd: disbursed,
                disbursed_at_meeting_vnd: at_meeting,
                progress_since_vnd: at_meeting.map(|m| disbursed - m),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.conclusion.id.cmp(&b.conclusion.id))
            .then(a.conclusion.line.cmp(&b.conclusion.line))
    });
    out
}

/// The days the rules give to carry out a conclusion (`conclusion_days` in force at `date`).
pub fn conclusion_days(rules: &Rules, date: NaiveDate) -> i64 {
    rules
        .params
        .iter()
        .find(|p| p.name == "conclusion_days")
        .map(|p| p.at(date))
        .filter(|d| d.is_finite() && *d >= 0.0 && *d < 3650.0)
        .map_or(DEFAULT_CONCLUSION_DAYS, |d| d.round() as i64)
}

/// The conclusions of the meeting on `meeting`: one per row in at least one obstacle group, task =
/// its groups' remedies (Vietnamese), owner = its investor, deadline = `deadline`; rows in the order
/// of the portfolio. A row that already has a conclusion of this meeting in `register` is skipped.
pub fn new_conclusions(
    scenario: &Scenario,
    assessment: &Assessment,
    meeting: NaiveDate,
    deadline: NaiveDate,
    register: Option<&Register>,
) -> Vec<Conclusion> {
    let already = |id: &str, source: Source| {
        register.is_some_and(|r| {
            r.conclusions.iter().any(|c| c.meeting == meeting && c.id == id && c.source == source)
        })
    };
    scenario
        .portfolio
        .rows()
        .iter()
        .zip(&assessment.rows)
        .filter(|(p, a)| !a.groups.is_empty() && !already(&p.id, p.source))
        .map(|(p, a)| {
            let task = a
                .groups
                .iter()
                .filter_map(|g| assessment.groups.iter().find(|i| *i.id == **g))
                .map(|g| format!("{}: {}", g.label_vi, g.remedy_vi))
                .collect::<Vec<_>>()
                .join("; ");
            Conclusion {
                meeting,
                id: p.id.to_string(),
                source: p.source,
                task,
                owner: p.investor.to_string(),
                deadline,
                status: TaskStatus::Open,
                line: 0,
            }
        })
        .collect()
}

impl Register {
    /// The register as CSV (UTF-8 with a byte-order mark, as the tool's other CSV files): the header
    /// and every record read, as they were, then `added` in the header's columns (a column the tool
    /// does not know is left empty). An empty register gets the standard header.
    pub fn to_csv(&self, added: &[Conclusion]) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(b"\xEF\xBB\xBF".to_vec());
        let (header, positions): (Vec<String>, [usize; 7]) = if self.header.is_empty() {
            (REGISTER_COLUMNS.map(String::from).to_vec(), [0, 1, 2, 3, 4, 5, 6])
        } else {
            (self.header.clone(), self.positions)
        };
        w.write_record(&header)?;
        for r in &self.records {
            w.write_record(r)?;
        }
        for c in added {
            let mut r = vec![String::new(); header.len()];
            let values = [
                c.meeting.to_string(),
                c.id.clone(),
                c.source.code().to_owned(),
                c.task.clone(),
                c.owner.clone(),
                c.deadline.to_string(),
                "open".to_owned(),
            ];
            for (p, v) in positions.iter().zip(values) {
                if let Some(cell) = r.get_mut(*p) {
                    *cell = v;
                }
            }
            w.write_record(&r)?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}
