//! A scenario: the description in `scenario.toml`, the portfolio and the optional monthly history.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::Portfolio;
use crate::money::Money;

/// What `scenario.toml` says.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScenarioMeta {
    /// Scenario name, shown on every document.
    pub name: String,
    /// Province.
    pub province: String,
    /// Plan year.
    pub fiscal_year: i32,
    /// The date the figures describe.
    pub as_of: NaiveDate,
    /// Last disbursement date for this plan year (31 January of the next year by Decree 254/2025).
    pub deadline: NaiveDate,
    /// Projects file, relative to the scenario folder.
    pub projects: String,
    /// Monthly history file, relative to the scenario folder, when there is one.
    pub disbursements: Option<String>,
    /// Rules file, relative to the scenario folder, when the scenario names one.
    pub rules: Option<String>,
    /// How numeric text is written (`amount_format`); `None` when the key is absent (amounts are read
    /// as `dot`, refusing the ones a Vietnamese reader would take for whole thousands).
    pub amount_format: Option<crate::money::AmountFormat>,
    /// Pipeline projects file (`pipeline`), relative to the scenario folder.
    pub pipeline: Option<String>,
    /// The People's Council delegated adjustments of local-budget capital to the People's Committee.
    pub local_budget_delegated: bool,
    /// What the administrative form of the submission needs (`[document]`).
    pub document: DocumentMeta,
    /// Monitoring inputs (version 2): the Treasury's figures, registered schedules, last year's
    /// scenario folder and the conclusions register, each relative to the scenario folder.
    pub monitoring: MonitoringFiles,
}

/// `[document]` of `scenario.toml`: each field optional, shown as a visible placeholder when absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DocumentMeta {
    /// Issuing body ("SỞ TÀI CHÍNH").
    pub agency: Option<String>,
    /// Its superior ("UBND TỈNH LẠNG SƠN").
    pub parent: Option<String>,
    /// Number and symbol ("…/TTr-STC").
    pub number: Option<String>,
    /// Place of issue.
    pub place: Option<String>,
    /// Date of issue.
    pub date: Option<NaiveDate>,
    /// Name of the signer.
    pub signer: Option<String>,
    /// Title of the signer.
    pub signer_title: Option<String>,
    /// Recipients (nơi nhận).
    pub recipients: Vec<String>,
    /// Extra legal bases (căn cứ), after the ones the rules cite.
    pub bases: Vec<String>,
}

/// The optional monitoring inputs named in `scenario.toml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonitoringFiles {
    /// `treasury`: what the State Treasury confirms.
    pub treasury: Option<String>,
    /// `schedule`: each investor's registered disbursement plan.
    pub schedule: Option<String>,
    /// `previous_year`: last year's scenario folder.
    pub previous_year: Option<String>,
    /// `conclusions`: the register of review-meeting conclusions.
    pub conclusions: Option<String>,
}

impl ScenarioMeta {
    /// Months of the plan year elapsed at `as_of`, 0–12, counting a partial month by its days
    /// (30 September gives 9, 15 September 8.5).
    pub fn months_elapsed(&self) -> f64 {
        (month_index(self.as_of) - f64::from(self.fiscal_year) * 12.0).clamp(0.0, 12.0)
    }

    /// Months from `as_of` to the deadline, 0 or more (30 September to 31 January gives 4).
    pub fn months_left(&self) -> f64 {
        (month_index(self.deadline) - month_index(self.as_of)).max(0.0)
    }
}

/// Months since year 0 at the end of day `d`, a partial month counted by its share of days.
fn month_index(d: NaiveDate) -> f64 {
    f64::from(d.year()) * 12.0
        + f64::from(d.month0())
        + f64::from(d.day()) / f64::from(days_in_month(d.year(), d.month()))
}

/// Number of days in a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    match (NaiveDate::from_ymd_opt(ny, nm, 1), NaiveDate::from_ymd_opt(year, month, 1)) {
        (Some(next), Some(this)) => (next - this).num_days() as u32,
        _ => 30,
    }
}

/// Monthly disbursement of each row over the plan year, January to December.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// `months[row][m]`: what row `row` of the portfolio disbursed in month `m + 1` of the plan year.
    pub months: Vec<[Money; 12]>,
}

impl History {
    /// Cumulative disbursement of a row at the end of month `month` (1–12).
    pub fn cumulative(&self, row: usize, month: u32) -> Money {
        self.months.get(row).map_or(Money::ZERO, |m| m.iter().take(month as usize).sum())
    }
}

/// The SHA-256 digest of one input file, for the run manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct InputDigest {
    /// File name as named in `scenario.toml`.
    pub file: String,
    /// Lowercase hex SHA-256 of the bytes read.
    pub sha256: String,
}

/// A loaded and validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// What `scenario.toml` says.
    pub meta: ScenarioMeta,
    /// The projects.
    pub portfolio: Portfolio,
    /// Monthly history, when `disbursements.csv` was given.
    pub history: Option<History>,
    /// Digests of the files read, in the order read.
    pub inputs: Vec<InputDigest>,
    /// Pipeline projects (`pipeline.csv`), in file order; empty when the scenario names none.
    pub pipeline: Vec<crate::domain::PipelineProject>,
    /// The monitoring inputs read (version 2): Treasury figures, schedules, last year, conclusions.
    pub monitoring: Monitoring,
}

/// The monitoring inputs (DOMAIN.md §3, version 2) as read; each `None` when `scenario.toml` names
/// none.
#[derive(Clone, Debug, Default)]
pub struct Monitoring {
    /// `treasury.csv`: what the State Treasury confirms, in file order.
    pub treasury: Option<Vec<TreasuryRow>>,
    /// `schedule.csv`: each investor's registered disbursement plan, by portfolio row.
    pub schedule: Option<Schedule>,
    /// `previous_year`: last year's scenario (its own monitoring inputs are not read).
    pub previous_year: Option<Box<Scenario>>,
    /// `conclusions.csv`: the register of review-meeting conclusions.
    pub conclusions: Option<Register>,
}

/// One line of `treasury.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TreasuryRow {
    /// Project code (in the projects' normal form).
    pub id: String,
    /// Capital source.
    pub source: crate::domain::Source,
    /// Payments made (thanh toán).
    pub paid: Money,
    /// Advances (tạm ứng) not yet recovered.
    pub advance_outstanding: Money,
    /// Month of the oldest advance not yet recovered, `(year, month)`.
    pub advance_since: Option<(i32, u32)>,
    /// Line in the file.
    pub line: usize,
}

/// The registered schedules: for each portfolio row, the cumulative amount by the end of each month
/// from January of the plan year (index 0) to January of the next (index 12), `None` where not given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schedule {
    /// `rows[row]`: the row's schedule, `None` when it registered none.
    pub rows: Vec<Option<[Option<Money>; 13]>>,
}

impl Schedule {
    /// True when row `row` has a schedule.
    pub fn has(&self, row: usize) -> bool {
        self.rows.get(row).is_some_and(Option::is_some)
    }

    /// The cumulative amount the schedule of `row` asks by the end of day `date`: the last amount
    /// listed at or before each month end (0 before the first), linear within a month by its days.
    pub fn target(&self, row: usize, fiscal_year: i32, date: NaiveDate) -> Option<Money> {
        let months = self.rows.get(row)?.as_ref()?;
        let at = |k: usize| -> i64 {
            // Cumulative at the end of month k (1-based from January of the plan year; 0 = start).
            months[..k.min(13)].iter().rev().find_map(|m| *m).map_or(0, Money::dong)
        };
        let t = (f64::from(date.year() - fiscal_year) * 12.0
            + f64::from(date.month0())
            + f64::from(date.day()) / f64::from(days_in_month(date.year(), date.month())))
        .clamp(0.0, 13.0);
        let k = t.floor() as usize;
        let (lo, hi) = (at(k), at(k + 1));
        let frac = t - k as f64;
        Some(Money::from_dong(lo + ((hi - lo) as f64 * frac).round() as i64))
    }

    /// The last cumulative amount the schedule of `row` lists: what the investor plans to disburse
    /// in all.
    pub fn year_end(&self, row: usize) -> Option<Money> {
        let months = self.rows.get(row)?.as_ref()?;
        Some(months.iter().rev().find_map(|m| *m).unwrap_or(Money::ZERO))
    }
}

/// Whether a conclusion's task is still to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// Still to do.
    Open,
    /// Done.
    Done,
}

/// One conclusion of a review meeting (kết luận giao ban).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Conclusion {
    /// Date of the meeting.
    pub meeting: NaiveDate,
    /// Project code.
    pub id: String,
    /// Capital source.
    pub source: crate::domain::Source,
    /// The task.
    pub task: String,
    /// Who must do it.
    pub owner: String,
    /// By when.
    pub deadline: NaiveDate,
    /// Open or done.
    pub status: TaskStatus,
    /// Line in the file (0 for a conclusion added by the tool).
    pub line: usize,
}

/// The conclusions register as read: the header and every record's fields as written, so that the
/// register can be written again without losing a line or a column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Register {
    /// The header's fields as written.
    pub header: Vec<String>,
    /// Position in the header of `meeting, id, source, task, owner, deadline, status`.
    pub positions: [usize; 7],
    /// Every record's fields as written, in file order.
    pub records: Vec<Vec<String>>,
    /// The conclusions read, one per record, in file order.
    pub conclusions: Vec<Conclusion>,
}
