//! The monitoring inputs of a generated scenario (DOMAIN.md §3, version 2): the Treasury's figures,
//! the investors' registered schedules, a review-meeting register and last year's scenario.
//!
//! Drawn from a random stream of its own (seed mixed with [`STREAM`]), so the projects, the history
//! and the pipeline of a seed are what they were before. What a reader should find:
//! - `treasury.csv`: most rows agree (paid + advances = disbursed), about 4% differ (the investor
//!   counts volume the Treasury has not paid yet, or a payment it has not reported), about 2% of the
//!   rows with a disbursement are missing, two rows the Treasury lists are not in the projects file;
//!   advances on about a third of the rows, some over 6 and 12 months old;
//! - `schedule.csv`: about a third of the new and ongoing rows registered a quarterly cumulative plan
//!   to January of the next year; some are more ambitious than the provincial curve (the row may be
//!   on the curve and behind its own schedule) and about one in six plans less than the whole plan;
//! - `conclusions.csv`: two earlier monthly meetings' conclusions on projects with obstacles, some
//!   done, some open and overdue, some not yet due;
//! - `previous_year`: last year's scenario (`YYYY/`, the year before), generated like this one with
//!   the history of all twelve months and no monitoring inputs of its own.

use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::math::{national_curve, round_thousand};
use crate::money::Money;
use crate::scenario::{Conclusion, Scenario, TaskStatus, TreasuryRow, days_in_month};

/// Mixed into the seed for the monitoring stream.
const STREAM: u64 = 0x6d6f_6e69_746f_7232;

/// The file names written.
pub(super) const TREASURY: &str = "treasury.csv";
/// See [`TREASURY`].
pub(super) const SCHEDULE: &str = "schedule.csv";
/// See [`TREASURY`].
pub(super) const CONCLUSIONS: &str = "conclusions.csv";

/// Tasks a review meeting gives, by the first obstacle of the row.
const TASKS: [(&str, &str); 6] = [
    ("land", "Hoàn thành bồi thường, bàn giao phần mặt bằng còn lại cho nhà thầu"),
    ("procedure", "Hoàn thiện hồ sơ điều chỉnh dự án, trình thẩm định trong tháng"),
    (
        "contractor",
        "Yêu cầu nhà thầu bổ sung nhân lực, máy móc; xem xét chấm dứt hợp đồng nếu không cải thiện",
    ),
    ("materials", "Làm việc với đơn vị cung cấp vật liệu, điều chỉnh giá hợp đồng theo quy định"),
    ("settlement", "Hoàn thiện hồ sơ quyết toán, gửi cơ quan thẩm tra"),
    ("oda_agreement", "Phối hợp Bộ Tài chính hoàn thiện thủ tục hiệp định vay"),
];

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn mm(m: Money) -> String {
    m.to_million_string()
}

/// The monitoring stream of a seed.
pub(super) fn stream(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ STREAM)
}

/// Fills `s.monitoring` (but the previous year) and the file names in `s.meta.monitoring`.
pub(super) fn fill(rng: &mut ChaCha8Rng, s: &mut Scenario) {
    s.meta.monitoring.treasury = Some(TREASURY.into());
    s.meta.monitoring.schedule = Some(SCHEDULE.into());
    s.meta.monitoring.conclusions = Some(CONCLUSIONS.into());
    s.monitoring.treasury = Some(treasury(rng, s));
    s.monitoring.schedule = Some(schedule(rng, s));
    s.monitoring.conclusions = Some(conclusions(rng, s));
}

fn treasury(rng: &mut ChaCha8Rng, s: &Scenario) -> Vec<TreasuryRow> {
    let as_of = s.meta.as_of;
    let now = as_of.year() * 12 + as_of.month0() as i32;
    let mut out = Vec::new();
    for p in s.portfolio.rows() {
        let d = p.disbursed;
        let roll: f64 = rng.random();
        if d.is_zero() || roll < 0.02 {
            continue;
        }
        let mut reported_by_treasury = d;
        if roll < 0.06 {
            // The investor counts volume not paid yet (more often), or missed a payment.
            let share = 0.02 + 0.10 * rng.random::<f64>();
            let delta = round_thousand(d.million_f64() * share);
            reported_by_treasury = if rng.random::<f64>() < 0.7 { d - delta.min(d) } else { d + delta };
        }
        let (adv, since) = if rng.random::<f64>() < 0.35 {
            let adv = round_thousand(reported_by_treasury.million_f64() * (0.05 + 0.3 * rng.random::<f64>()));
            let age = match rng.random::<f64>() {
                x if x < 0.55 => rng.random_range(0..=3),
                x if x < 0.8 => rng.random_range(4..=6),
                x if x < 0.93 => rng.random_range(7..=12),
                _ => rng.random_range(13..=20),
            };
            let m = now - age;
            (adv, Some((m.div_euclid(12), m.rem_euclid(12) as u32 + 1)))
        } else {
            (Money::ZERO, None)
        };
        out.push(TreasuryRow {
            id: p.id.to_string(),
            source: p.source,
            paid: reported_by_treasury - adv,
            advance_outstanding: adv,
            advance_since: since,
            line: 0,
        });
    }
    // Two rows the projects file lacks (a code mistyped, a project moved to next year's plan).
    for (k, source) in [crate::domain::Source::Nstw, crate::domain::Source::Nsdp].into_iter().enumerate() {
        let paid = round_thousand(500.0 + 4000.0 * rng.random::<f64>());
        out.push(TreasuryRow {
            id: format!("7999{:03}", 901 + k),
            source,
            paid,
            advance_outstanding: Money::ZERO,
            advance_since: None,
            line: 0,
        });
    }
    out
}

fn schedule(rng: &mut ChaCha8Rng, s: &Scenario) -> crate::scenario::Schedule {
    use crate::domain::Status;
    let rows = s
        .portfolio
        .rows()
        .iter()
        .map(|p| {
            let eligible = matches!(p.status, Status::New | Status::Ongoing) && !p.plan.is_zero();
            if !eligible || rng.random::<f64>() >= 0.33 {
                return None;
            }
            // Ambition relative to the national curve, and the share of the plan registered in all.
            let ambition = 0.8 + 0.6 * rng.random::<f64>();
            let total = if rng.random::<f64>() < 0.17 { 0.8 + 0.15 * rng.random::<f64>() } else { 1.0 };
            let plan = p.plan.million_f64() * total;
            let mut months = [None; 13];
            let mut last = Money::ZERO;
            for k in [3usize, 6, 9, 12, 13] {
                let share = if k == 13 { 1.0 } else { (national_curve(k as f64) * ambition).min(1.0) };
                let v = round_thousand(plan * share).max(last).min(p.plan);
                months[k - 1] = Some(v);
                last = v;
            }
            Some(months)
        })
        .collect();
    crate::scenario::Schedule { rows }
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, days_in_month(y, m)).unwrap_or_default()
}

fn conclusions(rng: &mut ChaCha8Rng, s: &Scenario) -> crate::scenario::Register {
    let as_of = s.meta.as_of;
    let m = as_of.year() * 12 + as_of.month0() as i32;
    let meetings: Vec<NaiveDate> = [2, 1]
        .iter()
        .map(|back| {
            let k = m - back;
            month_end(k.div_euclid(12), k.rem_euclid(12) as u32 + 1)
        })
        .filter(|d| d.year() == s.meta.fiscal_year)
        .collect();
    let mut conclusions = Vec::new();
    for (i, meeting) in meetings.iter().enumerate() {
        let candidates: Vec<&crate::domain::Project> =
            s.portfolio.rows().iter().filter(|p| !p.obstacles.is_empty() && !p.plan.is_zero()).collect();
        let n = candidates.len();
        for j in 0..n.min(6) {
            let p = candidates[(j * 7 + i * 3 + rng.random_range(0..3)) % n];
            let code = p.obstacles.iter().next().map_or("procedure", |o| o.code());
            let task = TASKS.iter().find(|(c, _)| *c == code).map_or(TASKS[1].1, |(_, t)| t);
            let deadline = *meeting + Duration::days(if i == 0 { 30 } else { 20 + 10 * (j as i64 % 3) });
            let status = if rng.random::<f64>() < 0.3 { TaskStatus::Done } else { TaskStatus::Open };
            conclusions.push(Conclusion {
                meeting: *meeting,
                id: p.id.to_string(),
                source: p.source,
                task: task.to_owned(),
                owner: p.investor.to_string(),
                deadline,
                status,
                line: 0,
            });
        }
    }
    let header: Vec<String> = crate::monitor::conclusions::REGISTER_COLUMNS.map(String::from).to_vec();
    let records = conclusions
        .iter()
        .map(|c| {
            vec![
                c.meeting.to_string(),
                c.id.clone(),
                c.source.code().to_owned(),
                c.task.clone(),
                c.owner.clone(),
                c.deadline.to_string(),
                match c.status {
                    TaskStatus::Open => "open".to_owned(),
                    TaskStatus::Done => "done".to_owned(),
                },
            ]
        })
        .collect();
    for (k, c) in conclusions.iter_mut().enumerate() {
        c.line = k + 2;
    }
    crate::scenario::Register { header, positions: [0, 1, 2, 3, 4, 5, 6], records, conclusions }
}

/// `treasury.csv`.
pub(super) fn treasury_csv(rows: &[TreasuryRow]) -> String {
    let mut out = String::from("id,source,paid,advance_outstanding,advance_since\n");
    for r in rows {
        let since = r.advance_since.map_or(String::new(), |(y, m)| format!("{y:04}-{m:02}"));
        let _ = writeln!(
            out,
            "{},{},{},{},{since}",
            quote(&r.id),
            r.source.code(),
            mm(r.paid),
            mm(r.advance_outstanding)
        );
    }
    out
}

/// `schedule.csv`.
pub(super) fn schedule_csv(s: &Scenario) -> String {
    let mut out = String::from("id,source,month,cumulative\n");
    let Some(schedule) = &s.monitoring.schedule else { return out };
    let fy = s.meta.fiscal_year;
    for (p, months) in s.portfolio.rows().iter().zip(&schedule.rows) {
        let Some(months) = months else { continue };
        for (k, m) in months.iter().enumerate() {
            if let Some(m) = m {
                let (y, mo) = (fy + k as i32 / 12, k as u32 % 12 + 1);
                let _ = writeln!(out, "{},{},{y:04}-{mo:02},{}", quote(&p.id), p.source.code(), mm(*m));
            }
        }
    }
    out
}

/// `conclusions.csv`.
pub(super) fn conclusions_csv(s: &Scenario) -> String {
    let mut out = String::new();
    let Some(r) = &s.monitoring.conclusions else { return out };
    let line = |fields: &[String]| fields.iter().map(|f| quote(f)).collect::<Vec<_>>().join(",");
    let _ = writeln!(out, "{}", line(&r.header));
    for rec in &r.records {
        let _ = writeln!(out, "{}", line(rec));
    }
    out
}
