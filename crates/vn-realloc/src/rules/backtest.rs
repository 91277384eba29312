//! Backtesting the forecast: replay it from an earlier date with the monthly history and compare what
//! it predicted for the scenario's `as_of` with what was actually disbursed by then.
//!
//! At the replay date `at`, each row's disbursement is its history up to `at` (a partial month counted
//! by its days), and the forecast horizon is the real `as_of` (the curve at `as_of` replaces the curve at
//! the deadline). Everything else of the row is as loaded: in particular `unpaid_volume` is the value at
//! `as_of`, which the replay could not have known; the report says so.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::money::Money;
use crate::scenario::{Scenario, days_in_month};

use super::Rules;

/// Why a backtest cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BacktestError {
    /// The scenario has no `disbursements.csv`.
    #[error("the scenario has no monthly history (`disbursements` in scenario.toml): nothing to replay")]
    NoHistory,
    /// The replay date is not inside the plan year before `as_of`.
    #[error("the replay date {at} must be after {start} and before the scenario's as_of {as_of}")]
    OutOfRange {
        /// The date asked for.
        at: NaiveDate,
        /// First day of the plan year.
        start: NaiveDate,
        /// The scenario's date.
        as_of: NaiveDate,
    },
}

impl BacktestError {
    /// The error in both languages, with its code, for a front end writing in the user's language.
    pub fn message(&self) -> crate::diag::Msg {
        match self {
            BacktestError::NoHistory => crate::msg!(
                "E945",
                "the scenario has no monthly history (`disbursements` in scenario.toml): nothing to replay",
                "kịch bản không có lịch sử giải ngân theo tháng (`disbursements` trong scenario.toml): không có gì để chạy lại"
            ),
            BacktestError::OutOfRange { at, start, as_of } => crate::msg!(
                "E946",
                "the replay date {} must be after {} and before the scenario's as_of {}",
                "ngày chạy lại {} phải sau {} và trước ngày số liệu as_of {} của kịch bản",
                at,
                start,
                as_of
            ),
        }
    }
}

/// Forecast error over a set of rows.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BacktestLine {
    /// Pace class id at the replay date, or `all`.
    pub pace: String,
    /// Pace label.
    pub label: String,
    /// Rows.
    pub rows: usize,
    /// Plan of these rows, million VND.
    pub plan: f64,
    /// Forecast of disbursement by `as_of`, made at the replay date, million VND.
    pub forecast: f64,
    /// Actual disbursement by `as_of`, million VND.
    pub actual: f64,
    /// Mean absolute error per row, million VND.
    pub mae: f64,
    /// Mean error per row (forecast − actual), million VND: positive means the forecast was optimistic.
    pub bias: f64,
    /// Σ|error| over Σ plan: the error as a share of the plan.
    pub wape: f64,
    /// Plan not yet disbursed at the replay date, million VND: what the forecast had to predict
    /// (`realloc risk --calibrate` reads the error as a share of it).
    pub undisbursed: f64,
}

/// The result of a backtest.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Backtest {
    /// The replay date.
    pub at: NaiveDate,
    /// The date forecast (the scenario's `as_of`).
    pub as_of: NaiveDate,
    /// Per pace class at the replay date, in the order of the rules, then `all`.
    pub lines: Vec<BacktestLine>,
    /// Caveats, in the analyst's words.
    pub notes: Vec<String>,
}

impl Rules {
    /// The default replay date: the end of the month three months before `as_of`.
    pub fn default_backtest_date(as_of: NaiveDate) -> NaiveDate {
        let months = as_of.year() * 12 + as_of.month0() as i32 - 3;
        let (y, m) = (months.div_euclid(12), months.rem_euclid(12) as u32 + 1);
        NaiveDate::from_ymd_opt(y, m, days_in_month(y, m)).unwrap_or(as_of)
    }

    /// Replays the forecast from `at` and measures its error at the scenario's `as_of`, by pace class.
    pub fn backtest(&self, scenario: &Scenario, at: NaiveDate) -> Result<Backtest, BacktestError> {
        let history = scenario.history.as_ref().ok_or(BacktestError::NoHistory)?;
        let meta = &scenario.meta;
        let start = NaiveDate::from_ymd_opt(meta.fiscal_year, 1, 1).unwrap_or(meta.as_of);
        if at < start || at >= meta.as_of {
            return Err(BacktestError::OutOfRange { at, start, as_of: meta.as_of });
        }
        let mut replay_meta = meta.clone();
        replay_meta.as_of = at;
        replay_meta.deadline = meta.as_of;
        let mut slots = self.prepare(&replay_meta);

        // Months of the plan year fully elapsed at `at`, and the share of the next one.
        let full = if at.year() > meta.fiscal_year { 12 } else { at.month0() as usize };
        let part = if at.year() > meta.fiscal_year {
            0.0
        } else {
            f64::from(at.day()) / f64::from(days_in_month(at.year(), at.month()))
        };

        let n = self.paces.len();
        let mut acc = vec![Acc::default(); n + 1];
        let ids = self.row_ids();
        for (i, p) in scenario.portfolio.rows().iter().enumerate() {
            let months = history.months.get(i);
            let mut before = months.map_or(Money::ZERO, |m| m.iter().take(full).sum());
            if full < 12
                && let Some(mm) = months
            {
                before += Money::from_dong((mm[full].dong() as f64 * part).floor() as i64);
            }
            let mut row = p.clone();
            row.disbursed = before.min(row.plan);
            let target = super::engine::schedule_target(scenario, &replay_meta, i);
            let a = self.run_row(&row, meta.fiscal_year, &ids, target, &mut slots, None);
            let pace = self.paces.iter().position(|r| *r.info.id == *a.pace).unwrap_or(n.saturating_sub(1));
            let err = a.forecast.million_f64() - p.disbursed.million_f64();
            let open = (row.plan - row.disbursed).million_f64();
            for k in [pace, n] {
                acc[k].add(p.plan.million_f64(), a.forecast.million_f64(), p.disbursed.million_f64(), err);
                acc[k].undisbursed += open;
            }
        }
        let mut lines: Vec<BacktestLine> = self
            .paces
            .iter()
            .zip(&acc)
            .filter(|(_, a)| a.rows > 0)
            .map(|(r, a)| a.line(&r.info.id, &r.info.label))
            .collect();
        lines.push(acc[n].line("all", "Tất cả"));
        let notes = vec![
            format!(
                "forecast made at {at} for {} from the monthly history; unpaid volume is the value at {}, which the replay could not have known",
                meta.as_of, meta.as_of
            ),
            "positive bias: the forecast expected more disbursement than happened".to_owned(),
        ];
        Ok(Backtest { at, as_of: meta.as_of, lines, notes })
    }
}

#[derive(Clone, Debug, Default)]
struct Acc {
    rows: usize,
    plan: f64,
    forecast: f64,
    actual: f64,
    abs: f64,
    err: f64,
    undisbursed: f64,
}

impl Acc {
    fn add(&mut self, plan: f64, forecast: f64, actual: f64, err: f64) {
        self.rows += 1;
        self.plan += plan;
        self.forecast += forecast;
        self.actual += actual;
        self.abs += err.abs();
        self.err += err;
    }

    fn line(&self, pace: &str, label: &str) -> BacktestLine {
        let n = self.rows.max(1) as f64;
        BacktestLine {
            pace: pace.to_owned(),
            label: label.to_owned(),
            rows: self.rows,
            plan: round3(self.plan),
            forecast: round3(self.forecast),
            actual: round3(self.actual),
            mae: round3(self.abs / n),
            bias: round3(self.err / n),
            wape: if self.plan > 0.0 { round4(self.abs / self.plan) } else { 0.0 },
            undisbursed: round3(self.undisbursed),
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}
