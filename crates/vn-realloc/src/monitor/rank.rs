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
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            by: RankBy::Investor,
            period: Period::Month,
            commend: 3,
            review: 5,
            min_plan: Money::ZERO,
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
        for (row, p) in scenario.portfolio.rows().iter().enumerate() {
            let prev = match (prev_month, &scenario.history) {
                (Some(m), Some(h)) => h.cumulative(row, m).dong(),
                _ => 0,
            };
            let a = acc.entry(unit_of(p, dim)).or_default();
            a.rows += 1;
            a.plan += p.plan.dong();
            a.disbursed += p.disbursed.dong();
            a.previous += prev;
            plan += p.plan.dong();
            disbursed += p.disbursed.dong();
            prev_total += prev;
        }
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
                }
            })
            .collect();
        let mut commended = 0;
        for u in &mut units {
            if commended < options.commend
                && u.standing == Standing::Above
                && u.plan_vnd >= options.min_plan.dong()
            {
                u.commend = true;
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
                tr(
                    lang,
                    "không có (cần lịch sử giải ngân theo tháng)",
                    "none (needs a monthly history and an earlier period)",
                ),
            )),
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
        head.push(tr(lang, "Đề xuất", "Proposed"));
        csv_head.push("action".into());
        let action = |u: &RankLine| {
            if u.commend {
                tr(lang, "Biểu dương", "Commend")
            } else if u.review {
                tr(lang, "Mời dự họp giao ban", "Call to review meeting")
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
        let list = |v: Vec<&RankLine>| -> Vec<Vec<Value>> {
            v.into_iter()
                .map(|u| {
                    vec![
                        Value::Int(u.rank as i64),
                        Value::Text(u.unit.clone()),
                        Value::Rate(u.rate),
                        Value::Points(u.gap),
                        Value::Money(u.undisbursed_vnd),
                    ]
                })
                .collect()
        };
        let short_head = vec![
            tr(lang, "Hạng", "Rank"),
            unit_word,
            tr(lang, "Tỷ lệ", "Rate"),
            tr(lang, "So với bình quân", "Vs average"),
            tr(lang, "Chưa giải ngân (tr.đ)", "Undisbursed (m VND)"),
        ];
        let short_csv: Vec<String> =
            ["rank", "unit", "rate", "gap_to_average", "undisbursed_million"].map(String::from).to_vec();
        sections.push(Section {
            key: "Commend",
            title: tr(lang, "Đề nghị biểu dương", "Units to commend"),
            note: Some(format!(
                "{} {} {}{}",
                tr(lang, "Tối đa", "Up to"),
                self.options.commend,
                tr(
                    lang,
                    "đơn vị đứng đầu, cao hơn bình quân toàn tỉnh",
                    "top units above the provincial average"
                ),
                if self.options.min_plan.is_zero() {
                    ".".to_owned()
                } else {
                    format!(
                        ", {} {} {}.",
                        tr(lang, "kế hoạch từ", "with a plan of at least"),
                        fmt::million(self.options.min_plan.dong(), lang),
                        tr(lang, "triệu đồng", "million VND")
                    )
                }
            )),
            head: short_head.clone(),
            csv_head: short_csv.clone(),
            rows: list(self.commended().collect()),
            foot: None,
        });
        sections.push(Section {
            key: "Review",
            title: tr(lang, "Đề nghị mời dự họp giao ban", "Units to call to the review meeting"),
            note: Some(format!(
                "{} {} {}",
                tr(lang, "Tối đa", "Up to"),
                self.options.review,
                tr(
                    lang,
                    "đơn vị thấp hơn bình quân có số vốn chưa giải ngân lớn nhất.",
                    "units below the average with the largest undisbursed amounts."
                )
            )),
            head: short_head,
            csv_head: short_csv,
            rows: list(self.to_review()),
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
