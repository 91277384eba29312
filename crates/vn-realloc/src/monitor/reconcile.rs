//! Reconciliation with the State Treasury (đối chiếu số liệu với Kho bạc Nhà nước): what each investor
//! reports as disbursed (`projects.csv`) against what the Treasury confirms (`treasury.csv`): payments
//! plus advances not yet recovered. Row by row, with the differences, the rows only one side has,
//! the advances outstanding by age, and totals by capital source and by investor.
//!
//! Findings are facts to report, never bad input. A project row that the Treasury does not list
//! counts as 0 paid and 0 advanced there: a finding when the investor reports a disbursement, nothing
//! to say otherwise. The age of an advance is counted in whole months from `advance_since` to the
//! as-of month (an advance of September is 0 months old on 30 September).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::render::{Doc, Section, Value};
use super::tr;
use crate::domain::Source;
use crate::report::{Lang, fmt, text};
use crate::scenario::Scenario;

/// What one line of the reconciliation found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Both sides agree.
    Match,
    /// Both list the row, with different amounts.
    Difference,
    /// The investor reports a disbursement the Treasury does not list.
    OnlyProjects,
    /// The Treasury lists a row that the projects file lacks.
    OnlyTreasury,
}

impl Finding {
    /// The label in `lang`.
    pub fn label(self, lang: Lang) -> String {
        match self {
            Finding::Match => tr(lang, "Khớp", "Agrees"),
            Finding::Difference => tr(lang, "Chênh lệch", "Difference"),
            Finding::OnlyProjects => tr(lang, "Kho bạc không có số liệu", "Not in the Treasury's figures"),
            Finding::OnlyTreasury => tr(lang, "Không có trong danh mục dự án", "Not in the projects file"),
        }
    }
}

/// The age bands of advances outstanding.
pub const AGE_BANDS: [(&str, &str, &str); 5] = [
    ("0_3", "Đến 3 tháng", "Up to 3 months"),
    ("4_6", "Từ 4 đến 6 tháng", "4 to 6 months"),
    ("7_12", "Từ 7 đến 12 tháng", "7 to 12 months"),
    ("over_12", "Trên 12 tháng", "Over 12 months"),
    ("unknown", "Không rõ thời điểm tạm ứng", "Date not given"),
];

/// The band index of an advance `age` months old (`None`: date not given).
fn band(age: Option<i32>) -> usize {
    match age {
        Some(a) if a <= 3 => 0,
        Some(a) if a <= 6 => 1,
        Some(a) if a <= 12 => 2,
        Some(_) => 3,
        None => 4,
    }
}

/// One row of the reconciliation.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReconLine {
    /// Project code.
    pub id: String,
    /// Project name (empty for a row only the Treasury lists).
    pub name: String,
    /// Capital source.
    pub source: Source,
    /// Investor (empty for a row only the Treasury lists).
    pub investor: String,
    /// Disbursement the investor reports (`disbursed`); 0 for a row only the Treasury lists.
    pub reported_vnd: i64,
    /// Payments the Treasury confirms.
    pub paid_vnd: i64,
    /// Advances not yet recovered.
    pub advance_vnd: i64,
    /// `paid + advance`.
    pub treasury_vnd: i64,
    /// `reported − treasury`.
    pub difference_vnd: i64,
    /// What was found.
    pub finding: Finding,
    /// Month of the oldest advance outstanding (`YYYY-MM`).
    pub advance_since: Option<String>,
    /// Its age in whole months at `as_of`.
    pub advance_age_months: Option<i32>,
}

/// Totals of a set of lines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReconTotals {
    /// Lines counted.
    pub rows: usize,
    /// Reported by the investors.
    pub reported_vnd: i64,
    /// Paid.
    pub paid_vnd: i64,
    /// Advances outstanding.
    pub advance_vnd: i64,
    /// Paid + advances.
    pub treasury_vnd: i64,
    /// Reported − Treasury.
    pub difference_vnd: i64,
    /// Lines that do not agree.
    pub findings: usize,
}

impl ReconTotals {
    fn add(&mut self, l: &ReconLine) {
        self.rows += 1;
        self.reported_vnd += l.reported_vnd;
        self.paid_vnd += l.paid_vnd;
        self.advance_vnd += l.advance_vnd;
        self.treasury_vnd += l.treasury_vnd;
        self.difference_vnd += l.difference_vnd;
        self.findings += usize::from(l.finding != Finding::Match);
    }
}

/// Totals of one capital source or investor.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ReconGroup {
    /// Source code or investor name.
    pub key: String,
    /// Its totals.
    pub totals: ReconTotals,
}

/// Advances outstanding in one age band.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AgeBand {
    /// `0_3`, `4_6`, `7_12`, `over_12` or `unknown`.
    pub band: &'static str,
    /// Rows with an advance in the band.
    pub rows: usize,
    /// Advances outstanding.
    pub amount_vnd: i64,
}

/// The reconciliation.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Reconciliation {
    /// Version of this JSON.
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Province.
    pub province: String,
    /// Date of the figures.
    pub as_of: NaiveDate,
    /// All lines: the project rows in file order, then the rows only the Treasury lists.
    pub lines: Vec<ReconLine>,
    /// Totals of all lines.
    pub total: ReconTotals,
    /// By capital source, in the order of the source codes.
    pub by_source: Vec<ReconGroup>,
    /// By investor, by name (rows only the Treasury lists have no investor and are left out).
    pub by_investor: Vec<ReconGroup>,
    /// Advances outstanding by age.
    pub advance_ages: Vec<AgeBand>,
}

/// What the Treasury confirms for each portfolio row (paid + advances; 0 when not listed), when the
/// scenario has Treasury figures.
pub fn treasury_by_row(scenario: &Scenario) -> Option<Vec<i64>> {
    let t = scenario.monitoring.treasury.as_ref()?;
    let mut out = vec![0i64; scenario.portfolio.len()];
    for r in t {
        if let Some(row) = scenario.portfolio.position(&r.id, r.source) {
            out[row] = r.paid.dong() + r.advance_outstanding.dong();
        }
    }
    Some(out)
}

impl Reconciliation {
    /// Reconciles the scenario's projects with its Treasury figures; `None` without `treasury.csv`.
    pub fn build(scenario: &Scenario) -> Option<Reconciliation> {
        let treasury = scenario.monitoring.treasury.as_ref()?;
        let meta = &scenario.meta;
        let now = meta.as_of.year() * 12 + meta.as_of.month() as i32;
        let mut by_row: Vec<Option<&crate::scenario::TreasuryRow>> = vec![None; scenario.portfolio.len()];
        let mut only_treasury = Vec::new();
        for r in treasury {
            match scenario.portfolio.position(&r.id, r.source) {
                Some(row) => by_row[row] = Some(r),
                None => only_treasury.push(r),
            }
        }
        let line = |id: &str,
                    name: &str,
                    source,
                    investor: &str,
                    reported: i64,
                    t: Option<&crate::scenario::TreasuryRow>| {
            let (paid, adv) = t.map_or((0, 0), |t| (t.paid.dong(), t.advance_outstanding.dong()));
            let finding = match (t.is_some(), name.is_empty() && investor.is_empty() && reported == 0) {
                (true, true) => Finding::OnlyTreasury,
                (true, false) if reported != paid + adv => Finding::Difference,
                (false, _) if reported != 0 => Finding::OnlyProjects,
                _ => Finding::Match,
            };
            let since = t.and_then(|t| t.advance_since);
            ReconLine {
                id: id.to_owned(),
                name: name.to_owned(),
                source,
                investor: investor.to_owned(),
                reported_vnd: reported,
                paid_vnd: paid,
                advance_vnd: adv,
                treasury_vnd: paid + adv,
                difference_vnd: reported - paid - adv,
                finding,
                advance_since: since.map(|(y, m)| format!("{y}-{m:02}")),
                advance_age_months: since.map(|(y, m)| now - (y * 12 + m as i32)),
            }
        };
        let mut lines: Vec<ReconLine> = scenario
            .portfolio
            .rows()
            .iter()
            .zip(&by_row)
            .map(|(p, t)| line(&p.id, &p.name, p.source, &p.investor, p.disbursed.dong(), *t))
            .collect();
        lines.extend(only_treasury.into_iter().map(|t| line(&t.id, "", t.source, "", 0, Some(t))));
        let mut total = ReconTotals::default();
        let mut sources: BTreeMap<Source, ReconTotals> = BTreeMap::new();
        let mut investors: BTreeMap<&str, ReconTotals> = BTreeMap::new();
        let mut ages = [(0usize, 0i64); 5];
        for l in &lines {
            total.add(l);
            sources.entry(l.source).or_default().add(l);
            if !l.investor.is_empty() {
                investors.entry(&l.investor).or_default().add(l);
            }
            if l.advance_vnd > 0 {
                let b = band(l.advance_age_months);
                ages[b].0 += 1;
                ages[b].1 += l.advance_vnd;
            }
        }
        Some(Reconciliation {
            schema_version: crate::contract::SCHEMA_VERSION,
            scenario: meta.name.clone(),
            province: meta.province.clone(),
            as_of: meta.as_of,
            by_source: sources
                .into_iter()
                .map(|(s, totals)| ReconGroup { key: s.code().to_owned(), totals })
                .collect(),
            by_investor: investors
                .into_iter()
                .map(|(k, totals)| ReconGroup { key: k.to_owned(), totals })
                .collect(),
            advance_ages: AGE_BANDS
                .iter()
                .zip(ages)
                .map(|((band, _, _), (rows, amount_vnd))| AgeBand { band, rows, amount_vnd })
                .collect(),
            lines,
            total,
        })
    }

    /// JSON for tools (amounts in whole đồng).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).map(|s| s + "\n").unwrap_or_default()
    }

    /// The lines with a given finding.
    pub fn findings(&self, f: Finding) -> impl Iterator<Item = &ReconLine> {
        self.lines.iter().filter(move |l| l.finding == f)
    }

    /// The reconciliation as a document in `lang`.
    pub fn document(&self, lang: Lang) -> Doc {
        let count = |f| self.findings(f).count();
        let facts = vec![
            (tr(lang, "Kịch bản", "Scenario"), self.scenario.clone()),
            (tr(lang, "Số liệu đến ngày", "Figures as of"), fmt::date(self.as_of, lang)),
            (
                tr(
                    lang,
                    "Chủ đầu tư báo cáo giải ngân (triệu đồng)",
                    "Reported by the investors (million VND)",
                ),
                fmt::million(self.total.reported_vnd, lang),
            ),
            (
                tr(
                    lang,
                    "Kho bạc xác nhận: thanh toán + tạm ứng (triệu đồng)",
                    "Confirmed by the Treasury: paid + advances (million VND)",
                ),
                format!(
                    "{} = {} + {}",
                    fmt::million(self.total.treasury_vnd, lang),
                    fmt::million(self.total.paid_vnd, lang),
                    fmt::million(self.total.advance_vnd, lang)
                ),
            ),
            (
                tr(
                    lang,
                    "Chênh lệch (báo cáo − Kho bạc, triệu đồng)",
                    "Difference (reported − Treasury, million VND)",
                ),
                fmt::million_signed(self.total.difference_vnd, lang),
            ),
            (
                tr(
                    lang,
                    "Dự án chênh lệch / chỉ chủ đầu tư báo cáo / chỉ Kho bạc có",
                    "Rows differing / reported only / Treasury only",
                ),
                format!(
                    "{} / {} / {}",
                    count(Finding::Difference),
                    count(Finding::OnlyProjects),
                    count(Finding::OnlyTreasury)
                ),
            ),
        ];
        let head_totals = |first: String| {
            vec![
                first,
                tr(lang, "Số dự án", "Rows"),
                tr(lang, "Chủ đầu tư báo cáo (tr.đ)", "Reported (m VND)"),
                tr(lang, "Kho bạc: thanh toán (tr.đ)", "Treasury: paid (m VND)"),
                tr(lang, "Kho bạc: tạm ứng chưa thu hồi (tr.đ)", "Treasury: advances (m VND)"),
                tr(lang, "Kho bạc: cộng (tr.đ)", "Treasury: total (m VND)"),
                tr(lang, "Chênh lệch (tr.đ)", "Difference (m VND)"),
                tr(lang, "Số dòng không khớp", "Lines not agreeing"),
            ]
        };
        let csv_totals = |first: &str| {
            [
                first,
                "rows",
                "reported_million",
                "paid_million",
                "advance_million",
                "treasury_million",
                "difference_million",
                "findings",
            ]
            .map(String::from)
            .to_vec()
        };
        let tot = |name: String, t: &ReconTotals| {
            vec![
                Value::Text(name),
                Value::Int(t.rows as i64),
                Value::Money(t.reported_vnd),
                Value::Money(t.paid_vnd),
                Value::Money(t.advance_vnd),
                Value::Money(t.treasury_vnd),
                Value::Money(t.difference_vnd),
                Value::Int(t.findings as i64),
            ]
        };
        let mut sections = vec![Section {
            key: "Sources",
            title: tr(
                lang,
                "Đối chiếu số liệu giải ngân với Kho bạc Nhà nước theo nguồn vốn",
                "Disbursement reconciled with the State Treasury, by capital source",
            ),
            note: Some(tr(
                lang,
                "Đơn vị: triệu đồng. Số Kho bạc xác nhận = đã thanh toán + tạm ứng chưa thu hồi; chênh lệch = số chủ đầu tư báo cáo − số Kho bạc xác nhận.",
                "Amounts in million VND. Confirmed by the Treasury = paid + advances not yet recovered; difference = reported − confirmed.",
            )),
            head: head_totals(tr(lang, "Nguồn vốn", "Capital source")),
            csv_head: csv_totals("source"),
            rows: self
                .by_source
                .iter()
                .map(|g| {
                    let name = g
                        .key
                        .parse::<Source>()
                        .map_or(g.key.clone(), |s| format!("{} – {}", text::source(s, lang), s.code()));
                    tot(name, &g.totals)
                })
                .collect(),
            foot: Some(tot(tr(lang, "TỔNG CỘNG", "TOTAL"), &self.total)),
        }];
        sections.push(Section {
            key: "Investors",
            title: tr(lang, "Đối chiếu theo chủ đầu tư", "By investor"),
            note: None,
            head: head_totals(tr(lang, "Chủ đầu tư", "Investor")),
            csv_head: csv_totals("investor"),
            rows: self.by_investor.iter().map(|g| tot(g.key.clone(), &g.totals)).collect(),
            foot: None,
        });
        let project = |l: &ReconLine| {
            Value::Text(if l.name.is_empty() { l.id.clone() } else { format!("{} – {}", l.id, l.name) })
        };
        let detail = |f: Finding| -> Vec<Vec<Value>> {
            let mut v: Vec<&ReconLine> = self.findings(f).collect();
            v.sort_by(|a, b| {
                b.difference_vnd.abs().cmp(&a.difference_vnd.abs()).then_with(|| a.id.cmp(&b.id))
            });
            v.into_iter()
                .map(|l| {
                    vec![
                        project(l),
                        Value::Text(l.source.code().to_owned()),
                        Value::Text(l.investor.clone()),
                        Value::Money(l.reported_vnd),
                        Value::Money(l.paid_vnd),
                        Value::Money(l.advance_vnd),
                        Value::Money(l.difference_vnd),
                    ]
                })
                .collect()
        };
        let detail_head = vec![
            tr(lang, "Dự án", "Project"),
            tr(lang, "Nguồn vốn", "Source"),
            tr(lang, "Chủ đầu tư", "Investor"),
            tr(lang, "Chủ đầu tư báo cáo (tr.đ)", "Reported (m VND)"),
            tr(lang, "Kho bạc: thanh toán (tr.đ)", "Treasury: paid (m VND)"),
            tr(lang, "Kho bạc: tạm ứng (tr.đ)", "Treasury: advances (m VND)"),
            tr(lang, "Chênh lệch (tr.đ)", "Difference (m VND)"),
        ];
        let detail_csv: Vec<String> = [
            "project",
            "source",
            "investor",
            "reported_million",
            "paid_million",
            "advance_million",
            "difference_million",
        ]
        .map(String::from)
        .to_vec();
        for (key, f, vi, en, note_vi, note_en) in [
            (
                "Differences",
                Finding::Difference,
                "Dự án có chênh lệch giữa số chủ đầu tư báo cáo và số Kho bạc xác nhận",
                "Rows where the reported disbursement and the Treasury's figures differ",
                "Chủ đầu tư và Kho bạc rà soát, thống nhất số liệu trước khi tổng hợp báo cáo. Lớn nhất trước.",
                "The investor and the Treasury review and agree the figures before the report. Largest first.",
            ),
            (
                "OnlyReported",
                Finding::OnlyProjects,
                "Dự án chủ đầu tư báo cáo có giải ngân nhưng Kho bạc chưa có số liệu",
                "Rows with a reported disbursement the Treasury does not list",
                "Kho bạc không có dòng số liệu cho dự án và nguồn vốn này.",
                "The Treasury's file has no line for this project and source.",
            ),
            (
                "OnlyTreasury",
                Finding::OnlyTreasury,
                "Dự án Kho bạc có số liệu nhưng không có trong danh mục kế hoạch vốn",
                "Rows the Treasury lists that the projects file lacks",
                "Kiểm tra mã dự án, nguồn vốn hoặc bổ sung vào danh mục.",
                "Check the project code and source, or add the row to the projects file.",
            ),
        ] {
            let rows = detail(f);
            sections.push(Section {
                key,
                title: tr(lang, vi, en),
                note: Some(if rows.is_empty() {
                    tr(lang, "Không có.", "None.")
                } else {
                    tr(lang, note_vi, note_en)
                }),
                head: detail_head.clone(),
                csv_head: detail_csv.clone(),
                rows,
                foot: None,
            });
        }
        let advances: i64 = self.advance_ages.iter().map(|a| a.amount_vnd).sum();
        sections.push(Section {
            key: "Advances",
            title: tr(
                lang,
                "Tạm ứng chưa thu hồi theo thời gian tạm ứng",
                "Advances not yet recovered, by age",
            ),
            note: Some(format!(
                "{} {}.",
                tr(
                    lang,
                    "Tính từ tháng tạm ứng sớm nhất chưa thu hồi đến tháng báo cáo",
                    "Counted from the month of the oldest advance not recovered to the month of"
                ),
                fmt::date(self.as_of, lang)
            )),
            head: vec![
                tr(lang, "Thời gian tạm ứng", "Age"),
                tr(lang, "Số dự án", "Rows"),
                tr(lang, "Tạm ứng chưa thu hồi (tr.đ)", "Advances (m VND)"),
                tr(lang, "Tỷ trọng", "Share"),
            ],
            csv_head: ["band", "rows", "advance_million", "share"].map(String::from).to_vec(),
            rows: self
                .advance_ages
                .iter()
                .zip(AGE_BANDS)
                .map(|(a, (_, vi, en))| {
                    vec![
                        Value::Text(tr(lang, vi, en)),
                        Value::Int(a.rows as i64),
                        Value::Money(a.amount_vnd),
                        Value::Rate(super::rate(a.amount_vnd, advances)),
                    ]
                })
                .collect(),
            foot: Some(vec![
                Value::Text(tr(lang, "Cộng", "Total")),
                Value::Int(self.advance_ages.iter().map(|a| a.rows as i64).sum()),
                Value::Money(advances),
                Value::Rate(if advances > 0 { 1.0 } else { 0.0 }),
            ]),
        });
        let mut old: Vec<&ReconLine> = self
            .lines
            .iter()
            .filter(|l| l.advance_vnd > 0 && l.advance_age_months.is_some_and(|a| a > 6))
            .collect();
        old.sort_by(|a, b| {
            b.advance_age_months.cmp(&a.advance_age_months).then(b.advance_vnd.cmp(&a.advance_vnd))
        });
        sections.push(Section {
            key: "OldAdvances",
            title: tr(
                lang,
                "Dự án có tạm ứng quá 6 tháng chưa thu hồi",
                "Rows with advances older than 6 months",
            ),
            note: Some(if old.is_empty() {
                tr(lang, "Không có.", "None.")
            } else {
                tr(
                    lang,
                    "Đề nghị chủ đầu tư đôn đốc nhà thầu hoàn ứng; lâu nhất trước.",
                    "The investor should have the contractors repay; oldest first.",
                )
            }),
            head: vec![
                tr(lang, "Dự án", "Project"),
                tr(lang, "Nguồn vốn", "Source"),
                tr(lang, "Chủ đầu tư", "Investor"),
                tr(lang, "Tạm ứng chưa thu hồi (tr.đ)", "Advances (m VND)"),
                tr(lang, "Tạm ứng từ tháng", "Since"),
                tr(lang, "Số tháng", "Months"),
            ],
            csv_head: ["project", "source", "investor", "advance_million", "since", "months"]
                .map(String::from)
                .to_vec(),
            rows: old
                .into_iter()
                .map(|l| {
                    vec![
                        project(l),
                        Value::Text(l.source.code().to_owned()),
                        Value::Text(l.investor.clone()),
                        Value::Money(l.advance_vnd),
                        Value::Text(
                            l.advance_since.as_deref().map_or(String::new(), |s| month_label(s, lang)),
                        ),
                        Value::Int(i64::from(l.advance_age_months.unwrap_or(0))),
                    ]
                })
                .collect(),
            foot: None,
        });
        Doc {
            title: format!(
                "{} {}",
                tr(
                    lang,
                    "Đối chiếu số liệu giải ngân vốn đầu tư công với Kho bạc Nhà nước –",
                    "Public investment disbursement reconciled with the State Treasury –"
                ),
                self.province
            ),
            facts,
            sections,
        }
    }
}

/// `2025-03` as "Tháng 3/2025" (Vietnamese) or "3/2025".
fn month_label(s: &str, lang: Lang) -> String {
    match (s.get(..4).and_then(|y| y.parse::<i32>().ok()), s.get(5..).and_then(|m| m.parse::<u32>().ok())) {
        (Some(y), Some(m)) => super::month_name(y, m, lang),
        _ => s.to_owned(),
    }
}
