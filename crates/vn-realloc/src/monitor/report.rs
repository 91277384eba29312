//! The progress report: plan, disbursed and rate at `as_of` and period by period from the monthly
//! history, by capital source first and then by investor, locality or sector, with the rows lagging
//! the expected disbursement curve of the rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::render::{Doc, Section, Value};
use super::{Period, PeriodColumn, periods, rate, tr, unit_of};
use crate::domain::Source;
use crate::model::Assessment;
use crate::report::{Lang, fmt, text};
use crate::rules::Rules;
use crate::scenario::Scenario;

/// What the second level of the report groups by (the first is always the capital source).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// Capital source only.
    #[default]
    Source,
    /// Investor (chủ đầu tư).
    Investor,
    /// Commune or ward.
    Locality,
    /// Sector.
    Sector,
}

impl Dimension {
    fn label(self, lang: Lang) -> String {
        match self {
            Dimension::Source => tr(lang, "Nguồn vốn", "Capital source"),
            Dimension::Investor => tr(lang, "Chủ đầu tư", "Investor"),
            Dimension::Locality => tr(lang, "Xã, phường", "Locality"),
            Dimension::Sector => tr(lang, "Lĩnh vực", "Sector"),
        }
    }
}

/// Options of the report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReportOptions {
    /// Columns by month, quarter or year.
    pub period: Period,
    /// Second-level grouping.
    pub by: Dimension,
    /// A row lags when its rate is below the expected rate minus this many percentage points (as a
    /// fraction: 0.05 is 5 points). Default 0: any row below the curve.
    pub lag_margin: f64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { period: Period::Month, by: Dimension::Source, lag_margin: 0.0 }
    }
}

/// Cumulative figures at the end of one period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PeriodFigures {
    /// Disbursed within the period.
    pub disbursed_vnd: i64,
    /// Disbursed from 1 January to the end of the period.
    pub cumulative_vnd: i64,
    /// `cumulative / plan`.
    pub rate: f64,
}

/// Plan, disbursed and rate of a set of rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Figures {
    /// Rows counted.
    pub rows: usize,
    /// This year's plan.
    pub plan_vnd: i64,
    /// Disbursed to `as_of`.
    pub disbursed_vnd: i64,
    /// Plan not yet disbursed.
    pub undisbursed_vnd: i64,
    /// `disbursed / plan`, 0 without a plan.
    pub rate: f64,
    /// One entry per period column (empty without a monthly history).
    pub periods: Vec<PeriodFigures>,
    /// What the State Treasury confirms (paid + advances), when the scenario has `treasury.csv`.
    pub treasury_vnd: Option<i64>,
}

impl Figures {
    fn new(n_periods: usize) -> Figures {
        Figures { periods: vec![PeriodFigures::default(); n_periods], ..Figures::default() }
    }

    fn add(&mut self, plan: i64, disbursed: i64, per_period: &[i64], treasury: Option<i64>) {
        self.rows += 1;
        if let Some(t) = treasury {
            *self.treasury_vnd.get_or_insert(0) += t;
        }
        self.plan_vnd += plan;
        self.disbursed_vnd += disbursed;
        for (p, d) in self.periods.iter_mut().zip(per_period) {
            p.disbursed_vnd += d;
        }
    }

    fn finish(&mut self) {
        self.undisbursed_vnd = self.plan_vnd - self.disbursed_vnd;
        self.rate = rate(self.disbursed_vnd, self.plan_vnd);
        let mut cum = 0;
        for p in &mut self.periods {
            cum += p.disbursed_vnd;
            p.cumulative_vnd = cum;
            p.rate = rate(cum, self.plan_vnd);
        }
    }
}

/// A unit (investor, locality, sector) within a capital source.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct UnitLine {
    /// The unit's name as in the projects file.
    pub unit: String,
    /// Its figures within the source.
    pub figures: Figures,
}

/// A capital source with its units.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SourceBlock {
    /// The source.
    pub source: Source,
    /// Its figures.
    pub figures: Figures,
    /// Its units, by name (empty when the report is by source only).
    pub units: Vec<UnitLine>,
}

/// A row disbursing below the expected curve.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LaggingRow {
    /// Project id.
    pub id: String,
    /// Project name.
    pub name: String,
    /// Capital source.
    pub source: Source,
    /// Investor.
    pub investor: String,
    /// Locality.
    pub locality: String,
    /// Plan.
    pub plan_vnd: i64,
    /// Disbursed.
    pub disbursed_vnd: i64,
    /// `disbursed / plan`.
    pub rate: f64,
    /// What the expected curve asks by `as_of`, rounded to the đồng.
    pub expected_vnd: i64,
    /// `expected − disbursed`.
    pub shortfall_vnd: i64,
    /// Pace class from the rules.
    pub pace: String,
    /// True when `expected_vnd` is the investor's registered schedule (`schedule.csv`), false when
    /// it is the provincial curve.
    pub against_schedule: bool,
    /// What the registered schedule plans to disburse in all, when the row has one.
    pub schedule_total_vnd: Option<i64>,
    /// The schedule's own shortfall: `plan − schedule_total` (positive when the investor did not
    /// plan to disburse its whole plan).
    pub schedule_shortfall_vnd: Option<i64>,
}

/// Same period last year, by capital source (`previous_year`).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LastYearLine {
    /// The source; `None` for the total.
    pub source: Option<Source>,
    /// Last year's plan.
    pub plan_vnd: i64,
    /// Disbursed by the same month-end last year.
    pub disbursed_vnd: i64,
    /// Its rate.
    pub rate: f64,
    /// This year's rate at `as_of`.
    pub rate_now: f64,
    /// `rate_now − rate`.
    pub change: f64,
}

/// Same period last year.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LastYearBlock {
    /// Last year's plan year.
    pub fiscal_year: i32,
    /// The same month-end last year.
    pub date: NaiveDate,
    /// By source, then the total (last).
    pub lines: Vec<LastYearLine>,
}

/// The progress report.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProgressReport {
    /// Scenario name.
    pub scenario: String,
    /// Province.
    pub province: String,
    /// Plan year.
    pub fiscal_year: i32,
    /// Date of the figures.
    pub as_of: NaiveDate,
    /// The options used.
    pub options: ReportOptions,
    /// The expected cumulative rate at `as_of` by the rules' curve.
    pub expected_rate: f64,
    /// True when a monthly history gave the period columns.
    pub has_history: bool,
    /// The period columns.
    pub periods: Vec<PeriodColumn>,
    /// The expected rate at the end of each period.
    pub expected_rates: Vec<f64>,
    /// All rows.
    pub total: Figures,
    /// By capital source, in the order of [`Source::ALL`].
    pub sources: Vec<SourceBlock>,
    /// Rows below the expected curve (or their registered schedule), the largest shortfall first.
    pub lagging: Vec<LaggingRow>,
    /// Rows with a registered schedule (`schedule.csv`).
    pub scheduled_rows: usize,
    /// Same period last year, when `previous_year` gives it.
    pub last_year: Option<LastYearBlock>,
    /// Why there is no same-period comparison although `previous_year` is set.
    pub last_year_missing: Option<String>,
    /// Open review-meeting conclusions past their deadline (`conclusions.csv`).
    pub overdue: Vec<super::conclusions::OverdueTask>,
    /// Pace labels of the rules, Vietnamese and English, by pace code.
    #[serde(skip)]
    pace_labels: Vec<(String, String, String)>,
}

impl ProgressReport {
    /// Builds the report; `assessment` gives each row's pace class.
    pub fn build(
        scenario: &Scenario,
        rules: &Rules,
        assessment: &Assessment,
        options: ReportOptions,
    ) -> ProgressReport {
        let meta = &scenario.meta;
        let cols = if scenario.history.is_some() { periods(meta, options.period) } else { Vec::new() };
        let n = cols.len();
        let mut total = Figures::new(n);
        let mut by_source: BTreeMap<Source, (Figures, BTreeMap<String, Figures>)> = BTreeMap::new();
        let treasury = super::reconcile::treasury_by_row(scenario);
        for (row, p) in scenario.portfolio.rows().iter().enumerate() {
            let t = treasury.as_ref().map(|t| t[row]);
            let per_period: Vec<i64> = match &scenario.history {
                Some(h) => cols
                    .iter()
                    .map(|c| {
                        h.months.get(row).map_or(0, |m| {
                            m[(c.first_month - 1) as usize..c.last_month as usize]
                                .iter()
                                .map(|x| x.dong())
                                .sum()
                        })
                    })
                    .collect(),
                None => Vec::new(),
            };
            let (plan, disbursed) = (p.plan.dong(), p.disbursed.dong());
            total.add(plan, disbursed, &per_period, t);
            let entry = by_source.entry(p.source).or_insert_with(|| (Figures::new(n), BTreeMap::new()));
            entry.0.add(plan, disbursed, &per_period, t);
            if options.by != Dimension::Source {
                entry.1.entry(unit_of(p, options.by).to_owned()).or_insert_with(|| Figures::new(n)).add(
                    plan,
                    disbursed,
                    &per_period,
                    t,
                );
            }
        }
        total.finish();
        let sources: Vec<SourceBlock> = by_source
            .into_iter()
            .map(|(source, (mut figures, units))| {
                figures.finish();
                let units = units
                    .into_iter()
                    .map(|(unit, mut figures)| {
                        figures.finish();
                        UnitLine { unit, figures }
                    })
                    .collect();
                SourceBlock { source, figures, units }
            })
            .collect();
        let by_source_rates: Vec<(Source, f64)> =
            sources.iter().map(|b| (b.source, b.figures.rate)).collect();
        let expected_rate = rules.expected_rate(meta.fiscal_year, meta.as_of);
        let expected_rates = cols.iter().map(|c| rules.expected_rate(meta.fiscal_year, c.end)).collect();
        let schedule = scenario.monitoring.schedule.as_ref();
        let mut lagging: Vec<LaggingRow> = scenario
            .portfolio
            .rows()
            .iter()
            .enumerate()
            .filter(|(_, p)| p.plan.dong() > 0)
            .filter_map(|(row, p)| {
                let r = rate(p.disbursed.dong(), p.plan.dong());
                let target = schedule.and_then(|s| s.target(row, meta.fiscal_year, meta.as_of));
                let expected = match target {
                    Some(t) => rate(t.dong(), p.plan.dong()),
                    None => expected_rate,
                };
                if r >= expected - options.lag_margin {
                    return None;
                }
                let expected_vnd = match target {
                    Some(t) => t.dong(),
                    None => (p.plan.dong() as f64 * expected_rate).round() as i64,
                };
                let total = schedule.and_then(|s| s.year_end(row)).map(|m| m.dong());
                Some(LaggingRow {
                    id: p.id.to_string(),
                    name: p.name.to_string(),
                    source: p.source,
                    investor: p.investor.to_string(),
                    locality: p.locality.to_string(),
                    plan_vnd: p.plan.dong(),
                    disbursed_vnd: p.disbursed.dong(),
                    rate: r,
                    expected_vnd,
                    shortfall_vnd: expected_vnd - p.disbursed.dong(),
                    pace: assessment.rows.get(row).map(|a| a.pace.to_string()).unwrap_or_default(),
                    against_schedule: target.is_some(),
                    schedule_total_vnd: total,
                    schedule_shortfall_vnd: total.map(|t| p.plan.dong() - t),
                })
            })
            .collect();
        lagging.sort_by(|a, b| {
            b.shortfall_vnd.cmp(&a.shortfall_vnd).then_with(|| a.id.cmp(&b.id)).then(a.source.cmp(&b.source))
        });
        let (last_year, last_year_missing) = match super::last_year(scenario) {
            Some((ly, prev)) => {
                let mut acc: BTreeMap<Source, (i64, i64)> = BTreeMap::new();
                for (p, c) in prev.portfolio.rows().iter().zip(&ly.cumulative) {
                    let e = acc.entry(p.source).or_default();
                    e.0 += p.plan.dong();
                    e.1 += c;
                }
                let now = |src: Option<Source>| {
                    src.map_or(total.rate, |s| {
                        by_source_rates.iter().find(|(x, _)| *x == s).map_or(0.0, |(_, r)| *r)
                    })
                };
                let line = |source: Option<Source>, plan: i64, disbursed: i64| {
                    let r = rate(disbursed, plan);
                    LastYearLine {
                        source,
                        plan_vnd: plan,
                        disbursed_vnd: disbursed,
                        rate: r,
                        rate_now: now(source),
                        change: now(source) - r,
                    }
                };
                let mut lines: Vec<LastYearLine> =
                    acc.iter().map(|(s, (p, d))| line(Some(*s), *p, *d)).collect();
                let (tp, td) = acc.values().fold((0, 0), |(a, b), (p, d)| (a + p, b + d));
                lines.push(line(None, tp, td));
                (Some(LastYearBlock { fiscal_year: ly.fiscal_year, date: ly.date, lines }), None)
            }
            None => (
                None,
                scenario.monitoring.previous_year.as_ref().map(|_| {
                    "last year's scenario has no monthly history reaching the same month-end".to_owned()
                }),
            ),
        };
        let pace_labels = assessment_paces(rules);
        ProgressReport {
            scenario: meta.name.clone(),
            province: meta.province.clone(),
            fiscal_year: meta.fiscal_year,
            as_of: meta.as_of,
            options,
            expected_rate,
            has_history: scenario.history.is_some(),
            periods: cols,
            expected_rates,
            total,
            sources,
            lagging,
            scheduled_rows: schedule.map_or(0, |s| s.rows.iter().filter(|r| r.is_some()).count()),
            last_year,
            last_year_missing,
            overdue: super::conclusions::overdue(scenario),
            pace_labels,
        }
    }

    /// The label of a pace code in `lang` (the rules' label; the code itself when unknown).
    pub fn pace_label(&self, code: &str, lang: Lang) -> String {
        self.pace_labels.iter().find(|(c, _, _)| c == code).map_or_else(
            || builtin_pace(code, lang),
            |(_, vi, en)| if lang == Lang::Vi { vi.clone() } else { en.clone() },
        )
    }

    /// JSON for tools (amounts in whole đồng, rates as fractions).
    pub fn to_json(&self) -> String {
        crate::contract::to_json_pretty(self)
    }

    /// The report as a document in `lang`.
    pub fn document(&self, lang: Lang) -> Doc {
        let by = self.options.by;
        let mut facts = vec![
            (tr(lang, "Kịch bản", "Scenario"), self.scenario.clone()),
            (tr(lang, "Tỉnh", "Province"), self.province.clone()),
            (tr(lang, "Số liệu đến ngày", "Figures as of"), fmt::date(self.as_of, lang)),
            (
                tr(lang, "Kế hoạch vốn năm (triệu đồng)", "Plan (million VND)"),
                fmt::million(self.total.plan_vnd, lang),
            ),
            (
                tr(lang, "Đã giải ngân (triệu đồng)", "Disbursed (million VND)"),
                fmt::million(self.total.disbursed_vnd, lang),
            ),
            (tr(lang, "Tỷ lệ giải ngân", "Disbursement rate"), fmt::percent(self.total.rate, lang)),
            (
                tr(lang, "Tỷ lệ theo tiến độ dự kiến", "Expected rate (curve)"),
                fmt::percent(self.expected_rate, lang),
            ),
            (
                tr(lang, "Số dự án chậm so với tiến độ", "Rows lagging the curve"),
                self.lagging.len().to_string(),
            ),
        ];
        if let Some(t) = self.total.treasury_vnd {
            facts.insert(
                5,
                (
                    tr(
                        lang,
                        "Kho bạc Nhà nước xác nhận (triệu đồng)",
                        "Confirmed by the State Treasury (million VND)",
                    ),
                    format!(
                        "{} ({} {})",
                        fmt::million(t, lang),
                        tr(lang, "chênh lệch", "difference"),
                        fmt::million_signed(self.total.disbursed_vnd - t, lang)
                    ),
                ),
            );
        }
        if self.scheduled_rows > 0 {
            facts.push((
                tr(lang, "Số dự án có kế hoạch giải ngân đăng ký", "Rows with a registered schedule"),
                self.scheduled_rows.to_string(),
            ));
        }
        if let Some(ly) = &self.last_year
            && let Some(t) = ly.lines.last()
        {
            facts.push((
                format!(
                    "{} {} ({})",
                    tr(lang, "Cùng kỳ năm", "Same period"),
                    ly.fiscal_year,
                    fmt::date(ly.date, lang)
                ),
                format!(
                    "{} ({} {})",
                    fmt::percent(t.rate, lang),
                    tr(lang, "năm nay", "this year"),
                    fmt::points(0.0, t.change, lang)
                ),
            ));
        }
        if let Some(why) = &self.last_year_missing {
            facts.push((
                tr(lang, "Cùng kỳ năm trước", "Same period last year"),
                tr(
                    lang,
                    "không so sánh được: kịch bản năm trước không có lịch sử giải ngân đến cùng tháng",
                    why,
                ),
            ));
        }
        if !self.overdue.is_empty() {
            facts.push((
                tr(lang, "Kết luận giao ban quá hạn", "Conclusions overdue"),
                self.overdue.len().to_string(),
            ));
        }
        if !self.has_history {
            facts.push((
                tr(lang, "Lịch sử giải ngân theo tháng", "Monthly history"),
                tr(lang, "không có: chỉ số liệu đến ngày báo cáo", "none: figures at the as-of date only"),
            ));
        }
        let period_word = match self.options.period {
            Period::Month => tr(lang, "tháng", "month"),
            Period::Quarter => tr(lang, "quý", "quarter"),
            Period::Year => tr(lang, "năm", "year"),
        };

        // 1. By source (then unit): as-of figures and the cumulative rate at the end of each period.
        let mut head = vec![tr(lang, "Nguồn vốn", "Capital source")];
        let mut csv_head = vec!["source".to_owned()];
        if by != Dimension::Source {
            head.push(by.label(lang));
            csv_head.push(format!("{by:?}").to_lowercase());
        }
        let treasury = self.total.treasury_vnd.is_some();
        head.extend([
            tr(lang, "Số dự án", "Rows"),
            tr(lang, "Kế hoạch (tr.đ)", "Plan (m VND)"),
            tr(lang, "Chủ đầu tư báo cáo giải ngân (tr.đ)", "Disbursed, reported (m VND)"),
        ]);
        csv_head.extend(["rows", "plan_million", "disbursed_million"].map(String::from));
        if treasury {
            head.extend([
                tr(lang, "Kho bạc xác nhận (tr.đ)", "Treasury confirms (m VND)"),
                tr(lang, "Chênh lệch với Kho bạc (tr.đ)", "Difference with the Treasury (m VND)"),
            ]);
            csv_head.extend(["treasury_million", "difference_million"].map(String::from));
        }
        head.extend([
            tr(lang, "Chưa giải ngân (tr.đ)", "Undisbursed (m VND)"),
            tr(lang, "Tỷ lệ", "Rate"),
            tr(lang, "So với tiến độ", "Vs curve"),
        ]);
        csv_head.extend(["undisbursed_million", "rate", "gap_to_curve"].map(String::from));
        let fy = self.fiscal_year;
        let period = self.options.period;
        let short = |c: &PeriodColumn| {
            let mut c = c.clone();
            c.partial = false;
            c.display(period, fy, lang)
        };
        for c in &self.periods {
            head.push(format!(
                "{} {}{}",
                tr(lang, "Lũy kế", "Cum."),
                short(c),
                if c.partial { "*" } else { "" }
            ));
            csv_head.push(format!("rate_{}", c.label));
        }
        let line = |first: Vec<Value>, f: &Figures| {
            let mut r = first;
            r.extend([Value::Int(f.rows as i64), Value::Money(f.plan_vnd), Value::Money(f.disbursed_vnd)]);
            if treasury {
                let t = f.treasury_vnd.unwrap_or(0);
                r.extend([Value::Money(t), Value::Money(f.disbursed_vnd - t)]);
            }
            r.extend([
                Value::Money(f.undisbursed_vnd),
                Value::Rate(f.rate),
                Value::Points(f.rate - self.expected_rate),
            ]);
            r.extend(f.periods.iter().map(|p| Value::Rate(p.rate)));
            r
        };
        let mut rows = Vec::new();
        for b in &self.sources {
            let name = format!("{} – {}", text::source(b.source, lang), b.source.code());
            if by == Dimension::Source {
                rows.push(line(vec![Value::Text(name)], &b.figures));
            } else {
                rows.push(line(
                    vec![Value::Text(name), Value::Text(tr(lang, "Cộng nguồn", "Source total"))],
                    &b.figures,
                ));
                for u in &b.units {
                    rows.push(line(
                        vec![Value::Text(b.source.code().to_owned()), Value::Text(u.unit.clone())],
                        &u.figures,
                    ));
                }
            }
        }
        let mut first = vec![Value::Text(tr(lang, "TỔNG CỘNG", "TOTAL"))];
        if by != Dimension::Source {
            first.push(Value::Text(String::new()));
        }
        let foot = line(first, &self.total);
        let main = Section {
            key: "Progress",
            title: format!(
                "{} {}",
                tr(lang, "Tình hình giải ngân theo nguồn vốn", "Disbursement by capital source"),
                if by == Dimension::Source {
                    String::new()
                } else {
                    format!("{} {}", tr(lang, "và", "and"), by.label(lang).to_lowercase())
                }
            )
            .trim_end()
            .to_owned(),
            note: Some(if self.periods.is_empty() {
                tr(lang, "Đơn vị: triệu đồng.", "Amounts in million VND.")
            } else {
                format!(
                    "{} {period_word}{}",
                    tr(
                        lang,
                        "Đơn vị: triệu đồng. Các cột lũy kế: tỷ lệ giải ngân lũy kế đến cuối mỗi",
                        "Amounts in million VND. Cumulative columns: the rate disbursed to the end of each"
                    ),
                    tr(
                        lang,
                        " (* kỳ chưa kết thúc), trên kế hoạch hiện hành.",
                        " (* period not over), over the current plan."
                    )
                )
            }),
            head,
            csv_head,
            rows,
            foot: Some(foot),
        };

        // 2. Period by period, all rows.
        let mut sections = vec![main];
        if !self.periods.is_empty() {
            let rows = self
                .periods
                .iter()
                .zip(&self.total.periods)
                .zip(&self.expected_rates)
                .map(|((c, f), e)| {
                    vec![
                        Value::Text(c.display(period, fy, lang)),
                        Value::Money(f.disbursed_vnd),
                        Value::Money(f.cumulative_vnd),
                        Value::Rate(f.rate),
                        Value::Rate(*e),
                        Value::Points(f.rate - e),
                    ]
                })
                .collect();
            sections.push(Section {
                key: "Periods",
                title: format!("{} {period_word}", tr(lang, "Giải ngân theo từng", "Disbursement by")),
                note: None,
                head: vec![
                    tr(lang, "Kỳ", "Period"),
                    tr(lang, "Giải ngân trong kỳ (tr.đ)", "Disbursed in period (m VND)"),
                    tr(lang, "Lũy kế (tr.đ)", "Cumulative (m VND)"),
                    tr(lang, "Tỷ lệ lũy kế", "Cumulative rate"),
                    tr(lang, "Tiến độ dự kiến", "Expected rate"),
                    tr(lang, "Chênh lệch", "Gap"),
                ],
                csv_head: [
                    "period",
                    "disbursed_million",
                    "cumulative_million",
                    "rate",
                    "expected_rate",
                    "gap",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                foot: None,
            });
        }

        // 3. Rows lagging the curve.
        let rows = self
            .lagging
            .iter()
            .map(|l| {
                vec![
                    Value::Text(if l.name.is_empty() {
                        l.id.clone()
                    } else {
                        format!("{} – {}", l.id, l.name)
                    }),
                    Value::Text(l.source.code().to_owned()),
                    Value::Text(l.investor.clone()),
                    Value::Money(l.plan_vnd),
                    Value::Money(l.disbursed_vnd),
                    Value::Rate(l.rate),
                    Value::Money(l.expected_vnd),
                    Value::Money(l.shortfall_vnd),
                    Value::Text(if l.against_schedule {
                        tr(lang, "Kế hoạch đăng ký", "Registered schedule")
                    } else {
                        tr(lang, "Tiến độ chung", "Provincial curve")
                    }),
                    l.schedule_shortfall_vnd.map_or(Value::Empty, Value::Money),
                    Value::Text(self.pace_label(&l.pace, lang)),
                ]
            })
            .collect();
        sections.push(Section {
            key: "Lagging",
            title: tr(lang, "Dự án giải ngân chậm so với tiến độ dự kiến", "Rows lagging the expected curve"),
            note: Some(format!(
                "{} {} ({}). {}",
                tr(lang, "Tỷ lệ giải ngân thấp hơn tiến độ dự kiến", "Rate below the expected rate"),
                fmt::percent(self.expected_rate, lang),
                if self.options.lag_margin > 0.0 {
                    format!(
                        "{} {}",
                        tr(lang, "trừ", "minus"),
                        fmt::points(0.0, self.options.lag_margin, lang)
                    )
                } else {
                    tr(lang, "không có ngưỡng", "no margin")
                },
                tr(
                    lang,
                    "Dự án có kế hoạch giải ngân đăng ký được đánh giá theo kế hoạch đó, dự án khác theo tiến độ chung của tỉnh. Sắp xếp theo số vốn còn thiếu so với tiến độ.",
                    "A row with a registered schedule is judged against it, any other against the provincial curve. Largest shortfall first."
                )
            )),
            head: vec![
                tr(lang, "Dự án", "Project"),
                tr(lang, "Nguồn vốn", "Source"),
                tr(lang, "Chủ đầu tư", "Investor"),
                tr(lang, "Kế hoạch (tr.đ)", "Plan (m VND)"),
                tr(lang, "Đã giải ngân (tr.đ)", "Disbursed (m VND)"),
                tr(lang, "Tỷ lệ", "Rate"),
                tr(lang, "Phải đạt đến ngày báo cáo (tr.đ)", "Expected by now (m VND)"),
                tr(lang, "Thiếu so với tiến độ (tr.đ)", "Shortfall (m VND)"),
                tr(lang, "Căn cứ đánh giá", "Judged against"),
                tr(lang, "Kế hoạch đăng ký thấp hơn kế hoạch vốn (tr.đ)", "Schedule short of the plan (m VND)"),
                tr(lang, "Nhịp độ", "Pace"),
            ],
            csv_head: [
                "project",
                "source",
                "investor",
                "plan_million",
                "disbursed_million",
                "rate",
                "expected_million",
                "shortfall_million",
                "judged_against",
                "schedule_shortfall_million",
                "pace",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            foot: None,
        });
        // 4. Same period last year.
        if let Some(ly) = &self.last_year {
            let rows = ly
                .lines
                .iter()
                .map(|l| {
                    vec![
                        Value::Text(match l.source {
                            Some(s) => format!("{} – {}", text::source(s, lang), s.code()),
                            None => tr(lang, "TỔNG CỘNG", "TOTAL"),
                        }),
                        Value::Money(l.plan_vnd),
                        Value::Money(l.disbursed_vnd),
                        Value::Rate(l.rate),
                        Value::Rate(l.rate_now),
                        Value::Points(l.change),
                    ]
                })
                .collect();
            sections.push(Section {
                key: "LastYear",
                title: format!(
                    "{} {}",
                    tr(lang, "So sánh với cùng kỳ năm", "Compared with the same period of"),
                    ly.fiscal_year
                ),
                note: Some(format!(
                    "{} {}; {}",
                    tr(lang, "Cùng kỳ: lũy kế giải ngân đến ngày", "Same period: disbursed by"),
                    fmt::date(ly.date, lang),
                    tr(lang, "tỷ lệ trên kế hoạch vốn năm trước.", "rate over last year's plan.")
                )),
                head: vec![
                    tr(lang, "Nguồn vốn", "Capital source"),
                    format!("{} {} (tr.đ)", tr(lang, "Kế hoạch năm", "Plan"), ly.fiscal_year),
                    format!(
                        "{} {} (tr.đ)",
                        tr(lang, "Giải ngân cùng kỳ", "Disbursed, same period"),
                        ly.fiscal_year
                    ),
                    format!("{} {}", tr(lang, "Tỷ lệ cùng kỳ", "Rate"), ly.fiscal_year),
                    format!("{} {}", tr(lang, "Tỷ lệ năm", "Rate"), self.fiscal_year),
                    tr(lang, "Tăng (+) / giảm (−)", "Change"),
                ],
                csv_head: [
                    "source",
                    "plan_last_year_million",
                    "disbursed_last_year_million",
                    "rate_last_year",
                    "rate",
                    "change",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                foot: None,
            });
        }

        // 5. Conclusions of earlier meetings overdue.
        if !self.overdue.is_empty() {
            let rows = self
                .overdue
                .iter()
                .map(|o| {
                    let c = &o.conclusion;
                    vec![
                        Value::Text(if o.name.is_empty() {
                            c.id.clone()
                        } else {
                            format!("{} – {}", c.id, o.name)
                        }),
                        Value::Text(c.source.code().to_owned()),
                        Value::Text(fmt::date(c.meeting, lang)),
                        Value::Text(c.task.clone()),
                        Value::Text(c.owner.clone()),
                        Value::Text(fmt::date(c.deadline, lang)),
                        Value::Int(o.days_overdue),
                        o.disbursed_at_meeting_vnd.map_or(Value::Empty, Value::Money),
                        Value::Money(o.disbursed_vnd),
                        o.progress_since_vnd.map_or(Value::Empty, Value::Money),
                        Value::Rate(rate(o.disbursed_vnd, o.plan_vnd)),
                    ]
                })
                .collect();
            sections.push(Section {
                key: "Overdue",
                title: tr(lang, "Kết luận giao ban quá hạn chưa thực hiện", "Review-meeting conclusions overdue"),
                note: Some(tr(
                    lang,
                    "Nhiệm vụ còn mở đã quá thời hạn, lâu nhất trước; giải ngân tại cuộc họp: lũy kế đến hết tháng đã kết thúc vào ngày họp (theo lịch sử giải ngân hằng tháng).",
                    "Open tasks past their deadline, longest first; disbursed at the meeting: to the end of the last month ended by the meeting date (monthly history).",
                )),
                head: vec![
                    tr(lang, "Dự án", "Project"),
                    tr(lang, "Nguồn vốn", "Source"),
                    tr(lang, "Cuộc họp", "Meeting"),
                    tr(lang, "Nhiệm vụ", "Task"),
                    tr(lang, "Đơn vị thực hiện", "Owner"),
                    tr(lang, "Thời hạn", "Deadline"),
                    tr(lang, "Số ngày quá hạn", "Days overdue"),
                    tr(lang, "Giải ngân tại cuộc họp (tr.đ)", "Disbursed at the meeting (m VND)"),
                    tr(lang, "Giải ngân hiện nay (tr.đ)", "Disbursed now (m VND)"),
                    tr(lang, "Tăng thêm từ cuộc họp (tr.đ)", "Progress since (m VND)"),
                    tr(lang, "Tỷ lệ", "Rate"),
                ],
                csv_head: [
                    "project", "source", "meeting", "task", "owner", "deadline", "days_overdue",
                    "disbursed_at_meeting_million", "disbursed_million", "progress_million", "rate",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                foot: None,
            });
        }

        Doc {
            title: format!(
                "{} {} ({} {})",
                tr(
                    lang,
                    "Báo cáo tình hình giải ngân kế hoạch vốn đầu tư công năm",
                    "Public investment disbursement report, plan year"
                ),
                self.fiscal_year,
                tr(lang, "đến ngày", "as of"),
                fmt::date(self.as_of, lang)
            ),
            facts,
            sections,
        }
    }
}

/// (code, Vietnamese label, English label) of every pace class of the rules: the rules' label in
/// Vietnamese, the built-in words in English for the built-in codes.
fn assessment_paces(rules: &Rules) -> Vec<(String, String, String)> {
    rules
        .paces
        .iter()
        .map(|r| {
            let code = r.info.id.clone();
            let vi = Some(r.info.label.clone())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| builtin_pace(&code, Lang::Vi));
            let en = match builtin_pace(&code, Lang::En) {
                b if b != code => b,
                _ => Some(r.info.label_en.clone()).filter(|l| !l.is_empty()).unwrap_or_else(|| code.clone()),
            };
            (code, vi, en)
        })
        .collect()
}

/// Words for the built-in pace codes (the code itself for another).
pub(crate) fn builtin_pace(code: &str, lang: Lang) -> String {
    let (vi, en) = match code {
        "no_plan" => ("Không có kế hoạch vốn năm", "No plan this year"),
        "done" => ("Đã giải ngân hết kế hoạch", "Plan fully disbursed"),
        "fast" => ("Giải ngân nhanh", "Fast"),
        "on_track" => ("Giải ngân đúng tiến độ", "On track"),
        "slow" => ("Giải ngân chậm", "Slow"),
        "stalled" => ("Gần như chưa giải ngân", "Stalled"),
        other => (other, other),
    };
    tr(lang, vi, en)
}
