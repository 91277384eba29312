//! The emulation ranking (phong trào thi đua): each investor's or locality's disbursement rate against
//! the provincial average, as the Ministry of Finance and Lạng Sơn report it, with its change since
//! the previous period; the units to commend and those to call to the next review meeting.
//!
//! Order: rate (highest first), then plan (largest first), then name; rates are compared exactly.
//! The provincial average is total disbursed / total plan over all rows. The previous period is the
//! same cut at the end of the previous month (or quarter) from the monthly history, over the current
//! plan. Commended: the first [`RankOptions::commend`] units above the average with a plan of at least
//! [`RankOptions::min_plan`]. Called to the review meeting: the [`RankOptions::review`] units below
//! the average with the largest undisbursed amounts.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::render::{Doc, Section, Value};
use super::{Dimension, Period, cmp_rates, last_month, rate, tr, unit_of};
use crate::money::Money;
use crate::report::{Lang, fmt};
use crate::scenario::Scenario;

/// What is ranked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    /// Investors (chủ đầu tư).
    #[default]
    Investor,
    /// Communes and wards.
    Locality,
}

/// Options of the ranking, with the defaults documented on each field.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RankOptions {
    /// Rank investors or localities.
    pub by: RankBy,
    /// The previous period is one month or one quarter earlier (a year has no previous cut).
    pub period: Period,
    /// How many units above the average to commend (default 3).
    pub commend: usize,
    /// How many units below the average to call to the review meeting (default 5).
    pub review: usize,
    /// Smallest plan for a unit to be commended (default 0): a tiny plan fully spent is no feat.
    pub min_plan: Money,
    /// When `min_plan` is zero, use the median plan of the units ranked instead (what the CLI does
    /// unless `--min-plan` is given; default false here).
    pub median_min_plan: bool,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            by: RankBy::Investor,
            period: Period::Month,
            commend: 3,
            review: 5,
            min_plan: Money::ZERO,
            median_min_plan: false,
        }
    }
}

/// Where a unit stands against the provincial average.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// Above the average.
    Above,
    /// Exactly at the average.
    Equal,
    /// Below the average.
    Below,
}

impl Standing {
    fn of(disbursed: i64, plan: i64, total_disbursed: i64, total_plan: i64) -> Standing {
        match cmp_rates(disbursed, plan, total_disbursed, total_plan) {
            Ordering::Greater => Standing::Above,
            Ordering::Equal => Standing::Equal,
            Ordering::Less => Standing::Below,
        }
    }

    fn label(self, lang: Lang) -> String {
        match self {
            Standing::Above => tr(lang, "Cao hơn bình quân", "Above average"),
            Standing::Equal => tr(lang, "Bằng bình quân", "At average"),
            Standing::Below => tr(lang, "Thấp hơn bình quân", "Below average"),
        }
    }
}

/// The previous cut of one unit.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PreviousLine {
    /// Disbursed at the previous cut.
    pub disbursed_vnd: i64,
    /// Its rate over the current plan.
    pub rate: f64,
    /// Its rank then (1 is best).
    pub rank: usize,
    /// Against the average then.
    pub standing: Standing,
}

/// One ranked unit.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RankLine {
    /// Rank, 1 is best.
    pub rank: usize,
    /// The unit's name as in the projects file.
    pub unit: String,
    /// Rows of the unit.
    pub rows: usize,
    /// Plan.
    pub plan_vnd: i64,
    /// Disbursed.
    pub disbursed_vnd: i64,
    /// Plan not disbursed.
    pub undisbursed_vnd: i64,
    /// `disbursed / plan`.
    pub rate: f64,
    /// Against the provincial average.
    pub standing: Standing,
    /// `rate − average`, as a fraction.
    pub gap: f64,
    /// At the previous cut, when there is a monthly history and a previous period.
    pub previous: Option<PreviousLine>,
    /// `rate − previous rate`.
    pub rate_change: Option<f64>,
    /// `previous rank − rank`: positive when the unit moved up.
    pub rank_change: Option<i64>,
    /// Among the units commended.
    pub commend: bool,
    /// Among the units called to the review meeting.
    pub review: bool,
    /// The form of commendation proposed (Law on Emulation and Commendation 2022), when commended.
    pub award: Option<Award>,
    /// Who answers for the unit at the review meeting (its head), when called.
    pub answerable: Option<String>,
    /// Disbursed over what the registered schedules of its rows ask by now (rows with a schedule
    /// only), when it has any.
    pub schedule_rate: Option<f64>,
    /// Its rate at the same month-end last year (over last year's plan), when known.
    pub last_year_rate: Option<f64>,
}

/// A form of commendation of the Law on Emulation and Commendation 2022 (Luật Thi đua, khen thưởng
/// số 06/2022/QH15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Award {
    /// Bằng khen of the Chairman of the Provincial People's Committee.
    BangKhenChuTichUbndTinh,
    /// Giấy khen of the head of the unit's managing body.
    GiayKhen,
}

impl Award {
    /// The proposal in `lang`.
    pub fn label(self, lang: Lang) -> String {
        match self {
            Award::BangKhenChuTichUbndTinh => tr(
                lang,
                "Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen",
                "Certificate of merit of the Chairman of the Provincial People's Committee (Bằng khen)",
            ),
            Award::GiayKhen => tr(
                lang,
                "Đề nghị thủ trưởng cơ quan quản lý trực tiếp tặng Giấy khen",
                "Certificate of commendation of the head of its managing body (Giấy khen)",
            ),
        }
    }
}

/// True when a row of `locality` is the commune's own responsibility: `locality` is a commune or
/// ward ("Xã …", "Phường …", "Thị trấn …") and the investor's name ends with the locality's name,
/// letter case aside ("UBND xã Tân Văn", "Ban Quản lý dự án xã Tân Văn" for "Xã Tân Văn"). A
/// provincial investor's project that lies in the commune, and anything "Toàn tỉnh", is not.
pub fn commune_own(investor: &str, locality: &str) -> bool {
    let loc = locality.trim().to_lowercase();
    let commune = ["xã ", "phường ", "thị trấn "].iter().any(|p| loc.starts_with(p) && loc.len() > p.len());
    commune && investor.trim().to_lowercase().ends_with(&loc)
}

/// The previous cut as a whole.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PreviousCut {
    /// The last month counted, 1–12.
    pub month: u32,
    /// Its date (end of that month).
    pub date: NaiveDate,
    /// Provincial average then.
    pub average_rate: f64,
}

/// The same month-end last year.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LastYearCut {
    /// Last year's plan year.
    pub fiscal_year: i32,
    /// The month-end.
    pub date: NaiveDate,
    /// The provincial average then (all rows of last year).
    pub average_rate: f64,
}

/// The ranking.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Ranking {
    /// Scenario name.
    pub scenario: String,
    /// Province.
    pub province: String,
    /// Date of the figures.
    pub as_of: NaiveDate,
    /// Options used.
    pub options: RankOptions,
    /// Total plan of all rows.
    pub plan_vnd: i64,
    /// Total disbursed.
    pub disbursed_vnd: i64,
    /// Provincial average rate.
    pub average_rate: f64,
    /// The previous cut, when there is one.
    pub previous: Option<PreviousCut>,
    /// Units in rank order (units without a plan are left out).
    pub units: Vec<RankLine>,
    /// Units without a plan this year, by name (not ranked).
    pub unranked: Vec<String>,
    /// The smallest plan for a commendation, as applied.
    pub min_plan_vnd: i64,
    /// Rows left out of a ranking by locality: not a commune's own responsibility (provincial
    /// investors, "Toàn tỉnh"), with their plan.
    pub excluded_rows: usize,
    /// Plan of the rows left out.
    pub excluded_plan_vnd: i64,
    /// Same month-end last year, when `previous_year` gives it.
    pub last_year: Option<LastYearCut>,
    /// Rows with a registered schedule.
    pub scheduled_rows: usize,
    /// Counts above, at and below the average.
    pub above: usize,
    /// Units exactly at the average.
    pub equal: usize,
    /// Units below the average.
    pub below: usize,
}

#[derive(Default)]
struct Acc {
    rows: usize,
    plan: i64,
    disbursed: i64,
    previous: i64,
    scheduled: i64,
    scheduled_disbursed: i64,
    has_schedule: bool,
}

/// Ranks `(name, disbursed, plan)` by rate, plan, name; returns the indexes in rank order.
fn order(units: &[(&str, i64, i64)]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..units.len()).collect();
    idx.sort_by(|&a, &b| {
        let (na, da, pa) = units[a];
        let (nb, db, pb) = units[b];
        cmp_rates(db, pb, da, pa).then(pb.cmp(&pa)).then_with(|| na.cmp(nb))
    });
    idx
}

impl Ranking {
    /// Builds the ranking.
    pub fn build(scenario: &Scenario, options: RankOptions) -> Ranking {
        let meta = &scenario.meta;
        let dim = match options.by {
            RankBy::Investor => Dimension::Investor,
            RankBy::Locality => Dimension::Locality,
        };
        let now = last_month(meta);
        let prev_month = match options.period {
            Period::Month => now.checked_sub(1),
            Period::Quarter => now.div_ceil(3).checked_sub(1).map(|q| q * 3),
            Period::Year => None,
        }
        .filter(|m| *m >= 1);
        let prev_month = scenario.history.as_ref().and(prev_month);
        let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
        let (mut plan, mut disbursed, mut prev_total) = (0i64, 0i64, 0i64);
        let (mut excluded_rows, mut excluded_plan) = (0usize, 0i64);
        let schedule = scenario.monitoring.schedule.as_ref();
        for (row, p) in scenario.portfolio.rows().iter().enumerate() {
            let prev = match (prev_month, &scenario.history) {
                (Some(m), Some(h)) => h.cumulative(row, m).dong(),
                _ => 0,
            };
            // The provincial average counts every row.
            plan += p.plan.dong();
            disbursed += p.disbursed.dong();
            prev_total += prev;
            if options.by == RankBy::Locality && !commune_own(&p.investor, &p.locality) {
                excluded_rows += 1;
                excluded_plan += p.plan.dong();
                continue;
            }
            let a = acc.entry(unit_of(p, dim)).or_default();
            a.rows += 1;
            a.plan += p.plan.dong();
            a.disbursed += p.disbursed.dong();
            a.previous += prev;
            if let Some(t) = schedule.and_then(|s| s.target(row, meta.fiscal_year, meta.as_of)) {
                a.has_schedule = true;
                a.scheduled += t.dong();
                a.scheduled_disbursed += p.disbursed.dong();
            }
        }
        // Same month-end last year, by unit name (a locality's own rows only, as this year).
        let last = super::last_year(scenario).map(|(ly, prev)| {
            let mut by: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
            let (mut tp, mut td) = (0i64, 0i64);
            for (p, c) in prev.portfolio.rows().iter().zip(&ly.cumulative) {
                tp += p.plan.dong();
                td += c;
                if options.by == RankBy::Locality && !commune_own(&p.investor, &p.locality) {
                    continue;
                }
                let e = by.entry(unit_of(p, dim)).or_default();
                e.0 += p.plan.dong();
                e.1 += c;
            }
            let by: BTreeMap<String, (i64, i64)> = by.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            (ly.fiscal_year, ly.date, rate(td, tp), by)
        });
        let unranked = acc.iter().filter(|(_, a)| a.plan <= 0).map(|(n, _)| (*n).to_owned()).collect();
        let ranked: Vec<(&str, &Acc)> =
            acc.iter().filter(|(_, a)| a.plan > 0).map(|(n, a)| (*n, a)).collect();
        let now_order = order(&ranked.iter().map(|(n, a)| (*n, a.disbursed, a.plan)).collect::<Vec<_>>());
        let mut prev_rank = vec![0usize; ranked.len()];
        if prev_month.is_some() {
            let prev_order = order(&ranked.iter().map(|(n, a)| (*n, a.previous, a.plan)).collect::<Vec<_>>());
            for (r, &i) in prev_order.iter().enumerate() {
                prev_rank[i] = r + 1;
            }
        }
        let average_rate = rate(disbursed, plan);
        let mut units: Vec<RankLine> = now_order
            .iter()
            .enumerate()
            .map(|(r, &i)| {
                let (name, a) = ranked[i];
                let unit_rate = rate(a.disbursed, a.plan);
                let previous = prev_month.map(|_| PreviousLine {
                    disbursed_vnd: a.previous,
                    rate: rate(a.previous, a.plan),
                    rank: prev_rank[i],
                    standing: Standing::of(a.previous, a.plan, prev_total, plan),
                });
                RankLine {
                    rank: r + 1,
                    unit: name.to_owned(),
                    rows: a.rows,
                    plan_vnd: a.plan,
                    disbursed_vnd: a.disbursed,
                    undisbursed_vnd: a.plan - a.disbursed,
                    rate: unit_rate,
                    standing: Standing::of(a.disbursed, a.plan, disbursed, plan),
                    gap: unit_rate - average_rate,
                    rate_change: previous.as_ref().map(|p| unit_rate - p.rate),
                    rank_change: previous.as_ref().map(|p| p.rank as i64 - (r as i64 + 1)),
                    previous,
                    commend: false,
                    review: false,
                    award: None,
                    answerable: None,
                    schedule_rate: a.has_schedule.then(|| rate(a.scheduled_disbursed, a.scheduled)),
                    last_year_rate: last
                        .as_ref()
                        .and_then(|(_, _, _, by)| by.get(name))
                        .filter(|(p, _)| *p > 0)
                        .map(|(p, d)| rate(*d, *p)),
                }
            })
            .collect();
        let min_plan = if options.median_min_plan && options.min_plan.is_zero() {
            let mut plans: Vec<i64> = units.iter().map(|u| u.plan_vnd).collect();
            plans.sort_unstable();
            plans.get(plans.len().saturating_sub(1) / 2).copied().unwrap_or(0)
        } else {
            options.min_plan.dong()
        };
        let mut commended = 0;
        for u in &mut units {
            if commended < 2 * options.commend && u.standing == Standing::Above && u.plan_vnd >= min_plan {
                u.award = Some(if commended < options.commend {
                    u.commend = true;
                    Award::BangKhenChuTichUbndTinh
                } else {
                    Award::GiayKhen
                });
                commended += 1;
            }
        }
        let mut below: Vec<usize> =
            (0..units.len()).filter(|&i| units[i].standing == Standing::Below).collect();
        below.sort_by(|&a, &b| {
            units[b]
                .undisbursed_vnd
                .cmp(&units[a].undisbursed_vnd)
                .then_with(|| units[a].unit.cmp(&units[b].unit))
        });
        for &i in below.iter().take(options.review) {
            units[i].review = true;
            units[i].answerable = Some(match options.by {
                RankBy::Investor => format!("Thủ trưởng {}", units[i].unit),
                RankBy::Locality => format!("Chủ tịch UBND {}", lower_first(&units[i].unit)),
            });
        }
        let count = |s: Standing| units.iter().filter(|u| u.standing == s).count();
        let (above, equal, below) = (count(Standing::Above), count(Standing::Equal), count(Standing::Below));
        let previous = prev_month.map(|m| PreviousCut {
            month: m,
            date: NaiveDate::from_ymd_opt(
                meta.fiscal_year,
                m,
                crate::scenario::days_in_month(meta.fiscal_year, m),
            )
            .unwrap_or(meta.as_of),
            average_rate: rate(prev_total, plan),
        });
        Ranking {
            scenario: meta.name.clone(),
            province: meta.province.clone(),
            as_of: meta.as_of,
            options,
            plan_vnd: plan,
            disbursed_vnd: disbursed,
            average_rate,
            previous,
            units,
            unranked,
            min_plan_vnd: min_plan,
            excluded_rows,
            excluded_plan_vnd: excluded_plan,
            last_year: last.map(|(fiscal_year, date, average_rate, _)| LastYearCut {
                fiscal_year,
                date,
                average_rate,
            }),
            scheduled_rows: schedule.map_or(0, |s| s.rows.iter().filter(|r| r.is_some()).count()),
            above,
            equal,
            below,
        }
    }

    /// JSON for tools (amounts in whole đồng, rates as fractions).
    pub fn to_json(&self) -> String {
        crate::contract::to_json_pretty(self)
    }

    /// The units commended, in rank order.
    pub fn commended(&self) -> impl Iterator<Item = &RankLine> {
        self.units.iter().filter(|u| u.commend)
    }

    /// The units called to the review meeting, the largest undisbursed amount first.
    pub fn to_review(&self) -> Vec<&RankLine> {
        let mut v: Vec<&RankLine> = self.units.iter().filter(|u| u.review).collect();
        v.sort_by(|a, b| b.undisbursed_vnd.cmp(&a.undisbursed_vnd).then_with(|| a.unit.cmp(&b.unit)));
        v
    }

    /// The ranking as a document in `lang`.
    pub fn document(&self, lang: Lang) -> Doc {
        let unit_word = match self.options.by {
            RankBy::Investor => tr(lang, "Chủ đầu tư", "Investor"),
            RankBy::Locality => tr(lang, "Xã, phường", "Locality"),
        };
        let mut facts = vec![
            (tr(lang, "Kịch bản", "Scenario"), self.scenario.clone()),
            (tr(lang, "Số liệu đến ngày", "Figures as of"), fmt::date(self.as_of, lang)),
            (
                tr(lang, "Tỷ lệ giải ngân bình quân toàn tỉnh", "Provincial average rate"),
                fmt::percent(self.average_rate, lang),
            ),
            (
                tr(
                    lang,
                    "Số đơn vị cao hơn / bằng / thấp hơn bình quân",
                    "Units above / at / below the average",
                ),
                format!("{} / {} / {}", self.above, self.equal, self.below),
            ),
        ];
        match &self.previous {
            Some(p) => facts.push((
                format!(
                    "{} {}",
                    tr(lang, "Bình quân kỳ trước, đến ngày", "Previous average, as of"),
                    fmt::date(p.date, lang)
                ),
                fmt::percent(p.average_rate, lang),
            )),
            None => facts.push((
                tr(lang, "Kỳ trước", "Previous period"),
                match (self.options.period, self.last_year.is_some()) {
                    (Period::Year, true) => tr(
                        lang,
                        "so với cùng kỳ năm trước (cột Tỷ lệ cùng kỳ năm trước)",
                        "compared with the same period last year (column Same period last year)",
                    ),
                    (Period::Year, false) => tr(
                        lang,
                        "không có: so sánh theo năm cần số liệu năm trước (khai báo previous_year trong scenario.toml hoặc --previous-year THƯ_MỤC)",
                        "none: a yearly comparison needs last year's scenario (previous_year in scenario.toml or --previous-year DIR)",
                    ),
                    _ => tr(
                        lang,
                        "không có (cần lịch sử giải ngân theo tháng, disbursements.csv, có tháng trước kỳ báo cáo)",
                        "none (needs a monthly history, disbursements.csv, with a month before the as-of period)",
                    ),
                },
            )),
        }
        if let Some(LastYearCut { fiscal_year: fy, date: d, average_rate: r }) = self.last_year {
            facts.push((
                format!(
                    "{} {} ({})",
                    tr(lang, "Bình quân cùng kỳ năm", "Average, same period"),
                    fy,
                    fmt::date(d, lang)
                ),
                fmt::percent(r, lang),
            ));
        }
        facts.push((
            tr(
                lang,
                "Kế hoạch vốn tối thiểu để được đề nghị khen thưởng",
                "Smallest plan for a commendation",
            ),
            format!(
                "{} {}{}",
                fmt::million(self.min_plan_vnd, lang),
                tr(lang, "triệu đồng", "million VND"),
                if self.options.median_min_plan && self.options.min_plan.is_zero() {
                    tr(
                        lang,
                        " (trung vị kế hoạch vốn của các đơn vị được xếp hạng; đổi bằng --min-plan)",
                        " (the median plan of the units ranked; set with --min-plan)",
                    )
                } else {
                    String::new()
                }
            ),
        ));
        if self.options.by == RankBy::Locality {
            facts.push((
                tr(lang, "Phạm vi xếp hạng xã, phường", "What a locality is ranked on"),
                format!(
                    "{} {} {} {} {}",
                    tr(
                        lang,
                        "chỉ dự án do UBND xã, phường hoặc đơn vị thuộc xã, phường làm chủ đầu tư (tên chủ đầu tư kết thúc bằng tên xã, phường); không tính dự án của chủ đầu tư cấp tỉnh và dự án toàn tỉnh:",
                        "only rows whose investor is the commune's or ward's People's Committee or one of its units (the investor's name ends with the locality's); provincial investors' rows and province-wide rows are left out:",
                    ),
                    self.excluded_rows,
                    tr(lang, "dự án, kế hoạch", "rows, plan"),
                    fmt::million(self.excluded_plan_vnd, lang),
                    tr(lang, "triệu đồng", "million VND"),
                ),
            ));
        }
        let has_prev = self.previous.is_some();
        let mut head = vec![
            tr(lang, "Hạng", "Rank"),
            unit_word.clone(),
            tr(lang, "Số dự án", "Rows"),
            tr(lang, "Kế hoạch (tr.đ)", "Plan (m VND)"),
            tr(lang, "Đã giải ngân (tr.đ)", "Disbursed (m VND)"),
            tr(lang, "Tỷ lệ", "Rate"),
            tr(lang, "So với bình quân", "Vs average"),
            tr(lang, "Đánh giá", "Standing"),
        ];
        let mut csv_head: Vec<String> = [
            "rank",
            "unit",
            "rows",
            "plan_million",
            "disbursed_million",
            "rate",
            "gap_to_average",
            "standing",
        ]
        .map(String::from)
        .to_vec();
        if has_prev {
            head.extend([
                tr(lang, "Tỷ lệ kỳ trước", "Previous rate"),
                tr(lang, "Tăng so với kỳ trước", "Change"),
                tr(lang, "Hạng kỳ trước", "Previous rank"),
            ]);
            csv_head.extend(["previous_rate", "rate_change", "previous_rank"].map(String::from));
        }
        let has_schedule = self.units.iter().any(|u| u.schedule_rate.is_some());
        if has_schedule {
            head.push(tr(lang, "Đạt so với kế hoạch giải ngân đăng ký", "Against the registered schedules"));
            csv_head.push("schedule_rate".into());
        }
        let has_last = self.last_year.is_some();
        if has_last {
            head.extend([
                tr(lang, "Tỷ lệ cùng kỳ năm trước", "Same period last year"),
                tr(lang, "Tăng so với cùng kỳ", "Change on last year"),
            ]);
            csv_head.extend(["last_year_rate", "change_on_last_year"].map(String::from));
        }
        head.push(tr(lang, "Đề xuất", "Proposed"));
        csv_head.push("action".into());
        let action = |u: &RankLine| {
            if let Some(a) = u.award {
                a.label(lang)
            } else if u.review {
                tr(lang, "Mời dự họp giao ban, giải trình", "Call to the review meeting to answer")
            } else {
                String::new()
            }
        };
        let rows = self
            .units
            .iter()
            .map(|u| {
                let mut r = vec![
                    Value::Int(u.rank as i64),
                    Value::Text(u.unit.clone()),
                    Value::Int(u.rows as i64),
                    Value::Money(u.plan_vnd),
                    Value::Money(u.disbursed_vnd),
                    Value::Rate(u.rate),
                    Value::Points(u.gap),
                    Value::Text(u.standing.label(lang)),
                ];
                if has_prev {
                    match &u.previous {
                        Some(p) => r.extend([
                            Value::Rate(p.rate),
                            Value::Points(u.rate_change.unwrap_or(0.0)),
                            Value::Int(p.rank as i64),
                        ]),
                        None => r.extend([Value::Empty, Value::Empty, Value::Empty]),
                    }
                }
                if has_schedule {
                    r.push(u.schedule_rate.map_or(Value::Empty, Value::Rate));
                }
                if has_last {
                    match u.last_year_rate {
                        Some(l) => r.extend([Value::Rate(l), Value::Points(u.rate - l)]),
                        None => r.extend([Value::Empty, Value::Empty]),
                    }
                }
                r.push(Value::Text(action(u)));
                r
            })
            .collect();
        let mut sections = vec![Section {
            key: "Ranking",
            title: format!(
                "{} {}",
                tr(lang, "Xếp hạng giải ngân theo", "Disbursement ranking by"),
                unit_word.to_lowercase()
            ),
            note: Some(tr(
                lang,
                "Xếp theo tỷ lệ giải ngân, rồi kế hoạch vốn lớn hơn, rồi tên. Bình quân toàn tỉnh = tổng giải ngân / tổng kế hoạch.",
                "Ordered by rate, then larger plan, then name. Provincial average = total disbursed / total plan.",
            )),
            head,
            csv_head,
            rows,
            foot: None,
        }];
        let figures = |u: &RankLine| {
            vec![
                Value::Int(u.rank as i64),
                Value::Text(u.unit.clone()),
                Value::Money(u.plan_vnd),
                Value::Money(u.disbursed_vnd),
                Value::Rate(u.rate),
                Value::Points(u.gap),
                u.rate_change.map_or(Value::Empty, Value::Points),
                u.last_year_rate.map_or(Value::Empty, |l| Value::Points(u.rate - l)),
            ]
        };
        let fig_head = vec![
            tr(lang, "Hạng", "Rank"),
            unit_word.clone(),
            tr(lang, "Kế hoạch (tr.đ)", "Plan (m VND)"),
            tr(lang, "Đã giải ngân (tr.đ)", "Disbursed (m VND)"),
            tr(lang, "Tỷ lệ", "Rate"),
            tr(lang, "So với bình quân", "Vs average"),
            tr(lang, "Tăng so với kỳ trước", "Change on previous period"),
            tr(lang, "Tăng so với cùng kỳ", "Change on last year"),
        ];
        let fig_csv: Vec<String> = [
            "rank",
            "unit",
            "plan_million",
            "disbursed_million",
            "rate",
            "gap_to_average",
            "rate_change",
            "change_on_last_year",
        ]
        .map(String::from)
        .to_vec();
        let criteria = format!(
            "{} {} {}.",
            tr(
                lang,
                "Đơn vị có tỷ lệ giải ngân cao hơn bình quân toàn tỉnh, kế hoạch vốn từ",
                "Units above the provincial average with a plan of at least"
            ),
            fmt::million(self.min_plan_vnd, lang),
            tr(lang, "triệu đồng, theo thứ hạng", "million VND, in rank order"),
        );
        for (key, award, vi, en) in [
            (
                "Commend",
                Award::BangKhenChuTichUbndTinh,
                "Đề nghị Chủ tịch UBND tỉnh tặng Bằng khen",
                "Proposed for the Chairman's certificate of merit (Bằng khen)",
            ),
            (
                "Commend2",
                Award::GiayKhen,
                "Đề nghị tặng Giấy khen",
                "Proposed for a certificate of commendation (Giấy khen)",
            ),
        ] {
            let rows: Vec<Vec<Value>> =
                self.units.iter().filter(|u| u.award == Some(award)).map(figures).collect();
            sections.push(Section {
                key,
                title: tr(lang, vi, en),
                note: Some(format!(
                    "{} {} {} {}",
                    tr(
                        lang,
                        "Hình thức khen thưởng theo Luật Thi đua, khen thưởng số 06/2022/QH15. Tối đa",
                        "A form of the Law on Emulation and Commendation 2022. Up to"
                    ),
                    self.options.commend,
                    tr(lang, "đơn vị.", "units."),
                    if rows.is_empty() {
                        tr(lang, "Không có đơn vị đạt tiêu chí.", "No unit meets the criteria.")
                    } else {
                        criteria.clone()
                    }
                )),
                head: fig_head.clone(),
                csv_head: fig_csv.clone(),
                rows,
                foot: None,
            });
        }
        let mut review_head = fig_head.clone();
        review_head.extend([
            tr(lang, "Chưa giải ngân (tr.đ)", "Undisbursed (m VND)"),
            tr(lang, "Người chịu trách nhiệm giải trình", "Answerable"),
        ]);
        let mut review_csv = fig_csv.clone();
        review_csv.extend(["undisbursed_million", "answerable"].map(String::from));
        sections.push(Section {
            key: "Review",
            title: tr(
                lang,
                "Đề nghị mời dự họp giao ban, người đứng đầu giải trình",
                "Units to call to the review meeting, their heads to answer"
            ),
            note: Some(format!(
                "{} {} {}",
                tr(lang, "Tối đa", "Up to"),
                self.options.review,
                tr(
                    lang,
                    "đơn vị thấp hơn bình quân có số vốn chưa giải ngân lớn nhất; người đứng đầu đơn vị giải trình nguyên nhân và cam kết tiến độ.",
                    "units below the average with the largest undisbursed amounts; the head of each answers for the causes and commits to a schedule."
                )
            )),
            head: review_head,
            csv_head: review_csv,
            rows: self
                .to_review()
                .into_iter()
                .map(|u| {
                    let mut r = figures(u);
                    let who = match (lang, self.options.by) {
                        (Lang::Vi, _) => u.answerable.clone().unwrap_or_default(),
                        (_, RankBy::Investor) => format!("Head of {}", u.unit),
                        (_, RankBy::Locality) => format!("Chairman of the People's Committee of {}", u.unit),
                    };
                    r.extend([Value::Money(u.undisbursed_vnd), Value::Text(who)]);
                    r
                })
                .collect(),
            foot: None,
        });
        if !self.unranked.is_empty() {
            facts.push((
                tr(lang, "Không xếp hạng (không có kế hoạch vốn)", "Not ranked (no plan)"),
                self.unranked.join("; "),
            ));
        }
        Doc {
            title: format!(
                "{} {}",
                tr(lang, "Xếp hạng thi đua giải ngân vốn đầu tư công –", "Disbursement emulation ranking –"),
                self.province
            ),
            facts,
            sections,
        }
    }
}

/// "Xã Tân Văn" → "xã Tân Văn".
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
}
