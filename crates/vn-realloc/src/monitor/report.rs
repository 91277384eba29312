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
}

impl Figures {
    fn new(n_periods: usize) -> Figures {
        Figures { periods: vec![PeriodFigures::default(); n_periods], ..Figures::default() }
    }

    fn add(&mut self, plan: i64, disbursed: i64, per_period: &[i64]) {
        self.rows += 1;
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
    /// Rows below the expected curve, the largest shortfall first.
    pub lagging: Vec<LaggingRow>,
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
        for (row, p) in scenario.portfolio.rows().iter().enumerate() {
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
            total.add(plan, disbursed, &per_period);
            let entry = by_source.entry(p.source).or_insert_with(|| (Figures::new(n), BTreeMap::new()));
            entry.0.add(plan, disbursed, &per_period);
            if options.by != Dimension::Source {
                entry.1.entry(unit_of(p, options.by).to_owned()).or_insert_with(|| Figures::new(n)).add(
                    plan,
                    disbursed,
                    &per_period,
                );
            }
        }
        total.finish();
        let sources = by_source
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
        let expected_rate = rules.expected_rate(meta.fiscal_year, meta.as_of);
        let expected_rates = cols.iter().map(|c| rules.expected_rate(meta.fiscal_year, c.end)).collect();
        let mut lagging: Vec<LaggingRow> = scenario
            .portfolio
            .rows()
            .iter()
            .enumerate()
            .filter(|(_, p)| p.plan.dong() > 0)
            .filter_map(|(row, p)| {
                let r = rate(p.disbursed.dong(), p.plan.dong());
                if r >= expected_rate - options.lag_margin {
                    return None;
                }
                let expected_vnd = (p.plan.dong() as f64 * expected_rate).round() as i64;
                Some(LaggingRow {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    source: p.source,
                    investor: p.investor.to_string(),
                    locality: p.locality.to_string(),
                    plan_vnd: p.plan.dong(),
                    disbursed_vnd: p.disbursed.dong(),
                    rate: r,
                    expected_vnd,
                    shortfall_vnd: expected_vnd - p.disbursed.dong(),
                    pace: assessment.rows.get(row).map(|a| a.pace.clone()).unwrap_or_default(),
                })
            })
            .collect();
        lagging.sort_by(|a, b| {
            b.shortfall_vnd.cmp(&a.shortfall_vnd).then_with(|| a.id.cmp(&b.id)).then(a.source.cmp(&b.source))
        });
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
        }
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
        head.extend([
            tr(lang, "Số dự án", "Rows"),
            tr(lang, "Kế hoạch (tr.đ)", "Plan (m VND)"),
            tr(lang, "Đã giải ngân (tr.đ)", "Disbursed (m VND)"),
            tr(lang, "Chưa giải ngân (tr.đ)", "Undisbursed (m VND)"),
            tr(lang, "Tỷ lệ", "Rate"),
            tr(lang, "So với tiến độ", "Vs curve"),
        ]);
        csv_head.extend(
            ["rows", "plan_million", "disbursed_million", "undisbursed_million", "rate", "gap_to_curve"]
                .map(String::from),
        );
        for c in &self.periods {
            head.push(format!(
                "{} {}{}",
                tr(lang, "Lũy kế", "Cum."),
                c.label,
                if c.partial { "*" } else { "" }
            ));
            csv_head.push(format!("rate_{}", c.label));
        }
        let line = |first: Vec<Value>, f: &Figures| {
            let mut r = first;
            r.extend([
                Value::Int(f.rows as i64),
                Value::Money(f.plan_vnd),
                Value::Money(f.disbursed_vnd),
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
                        Value::Text(format!("{}{}", c.label, if c.partial { "*" } else { "" })),
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
                    Value::Money(l.shortfall_vnd),
                    Value::Text(l.pace.clone()),
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
                tr(lang, "Sắp xếp theo số vốn còn thiếu so với tiến độ.", "Largest shortfall first.")
            )),
            head: vec![
                tr(lang, "Dự án", "Project"),
                tr(lang, "Nguồn vốn", "Source"),
                tr(lang, "Chủ đầu tư", "Investor"),
                tr(lang, "Kế hoạch (tr.đ)", "Plan (m VND)"),
                tr(lang, "Đã giải ngân (tr.đ)", "Disbursed (m VND)"),
                tr(lang, "Tỷ lệ", "Rate"),
                tr(lang, "Thiếu so với tiến độ (tr.đ)", "Shortfall (m VND)"),
                tr(lang, "Nhịp độ", "Pace"),
            ],
            csv_head: [
                "project",
                "source",
                "investor",
                "plan_million",
                "disbursed_million",
                "rate",
                "shortfall_million",
                "pace",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            foot: None,
        });
        Doc {
            title: format!(
                "{} {}",
                tr(
                    lang,
                    "Báo cáo tình hình giải ngân kế hoạch vốn đầu tư công năm",
                    "Public investment disbursement report, plan year"
                ),
                self.fiscal_year
            ),
            facts,
            sections,
        }
    }
}
