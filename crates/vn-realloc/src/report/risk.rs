//! The risk section of the proposal and the `realloc risk` report: the probability of reaching the
//! target rate before and after the proposal, overall and per capital source, and the central capital
//! at risk of recall, in Vietnamese or English. The Excel workbook's `Risk` sheet (`xlsx.rs`) uses the
//! same words.

use crate::risk::{RiskLine, RiskReport, SpreadSource};

use super::fmt;
use super::layout::{Block, Table};
use super::text::{self, Lang};

/// The words of the risk section.
pub(super) struct Words {
    heading: &'static str,
    pub(super) draws: &'static str,
    pub(super) seed: &'static str,
    pub(super) target: &'static str,
    pub(super) correlation: &'static str,
    pub(super) spread: &'static str,
    spread_rules: &'static str,
    spread_backtest: &'static str,
    spread_fixed: &'static str,
    /// The three figures given before and after the proposal; the document follows each label with
    /// `before_after` and the two values, the workbook puts them in its Before and After columns.
    pub(super) reach_overall: &'static str,
    pub(super) central_expected: &'static str,
    pub(super) central_p95: &'static str,
    before_after: &'static str,
    /// The standard error of the probability of reaching the target (workbook only: the document
    /// writes it after the probability, `62,0% ± 1,5`).
    pub(super) std_error: &'static str,
    pub(super) source: &'static str,
    all: &'static str,
    pub(super) point_before: &'static str,
    pub(super) prob_before: &'static str,
    pub(super) std_error_before: &'static str,
    pub(super) point_after: &'static str,
    pub(super) prob_after: &'static str,
    pub(super) std_error_after: &'static str,
    band_after: &'static str,
    /// The two ends of `band_after`, in columns of their own in the workbook.
    pub(super) p05_after: &'static str,
    pub(super) p95_after: &'static str,
    pub(super) note: &'static str,
}

const VI: Words = Words {
    heading: "PHỤ LỤC. ĐÁNH GIÁ RỦI RO KHÔNG ĐẠT MỤC TIÊU GIẢI NGÂN",
    draws: "Số lần mô phỏng",
    seed: "Hạt giống ngẫu nhiên",
    target: "Mục tiêu giải ngân đến hết thời hạn",
    correlation: "Hệ số tương quan chung toàn tỉnh",
    spread: "Độ phân tán dự báo",
    spread_rules: "theo bộ quy tắc",
    spread_backtest: "hiệu chỉnh theo kiểm định lại dự báo từ ngày",
    spread_fixed: "do người dùng đặt",
    reach_overall: "Xác suất đạt mục tiêu toàn tỉnh",
    central_expected: "Vốn NSTW có nguy cơ bị thu hồi, bình quân mô phỏng Monte Carlo",
    central_p95: "Vốn NSTW có nguy cơ bị thu hồi, kịch bản xấu 95%",
    before_after: "trước → sau",
    std_error: "Sai số chuẩn của xác suất đạt mục tiêu",
    source: "Nguồn vốn",
    all: "Toàn tỉnh",
    point_before: "Dự báo trước",
    prob_before: "Xác suất đạt trước",
    std_error_before: "Sai số chuẩn trước",
    point_after: "Dự báo sau",
    prob_after: "Xác suất đạt sau",
    std_error_after: "Sai số chuẩn sau",
    band_after: "Khoảng 5%–95% sau",
    p05_after: "Mức 5% sau",
    p95_after: "Mức 95% sau",
    note: "Mô phỏng Monte Carlo: giải ngân đến hết thời hạn của từng dự án dao động quanh dự báo với độ lệch chuẩn theo nhóm tiến độ và nhóm vướng mắc (tỷ lệ trên kế hoạch chưa giải ngân), các dự án chịu chung một yếu tố toàn tỉnh; mỗi lần mô phỏng nằm trong khoảng [đã giải ngân, kế hoạch]. Cùng hạt giống cho cùng kết quả.",
};

const EN: Words = Words {
    heading: "ANNEX. RISK OF MISSING THE DISBURSEMENT TARGET",
    draws: "Draws",
    seed: "Random seed",
    target: "Target rate by the deadline",
    correlation: "Common provincial correlation",
    spread: "Forecast spread",
    spread_rules: "from the rules",
    spread_backtest: "calibrated by a backtest from",
    spread_fixed: "set by the user",
    reach_overall: "Probability of reaching the target, province",
    central_expected: "Central capital at risk of recall, Monte Carlo mean",
    central_p95: "Central capital at risk of recall, bad year 95%",
    before_after: "before → after",
    std_error: "Standard error of the probability of reaching the target",
    source: "Capital source",
    all: "Province",
    point_before: "Forecast before",
    prob_before: "P(target) before",
    std_error_before: "Std. error before",
    point_after: "Forecast after",
    prob_after: "P(target) after",
    std_error_after: "Std. error after",
    band_after: "5%–95% after",
    p05_after: "5th percentile after",
    p95_after: "95th percentile after",
    note: "Monte Carlo: each project's disbursement by the deadline varies around its forecast with a standard deviation set by its pace class and obstacle groups (a share of its undisbursed plan), all projects sharing one provincial factor; every draw stays within [disbursed, plan]. The same seed gives the same numbers.",
};

pub(super) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// A probability with its standard error: `62,0% ± 1,5`.
fn prob(p: f64, se: f64, lang: Lang) -> String {
    if se > 0.0 {
        format!("{} ± {}", fmt::percent(p, lang), fmt::float(se * 100.0, 1, lang))
    } else {
        fmt::percent(p, lang)
    }
}

/// The name of a line: the capital source's name and code, or the province for all rows.
pub(super) fn line_name(l: &RiskLine, lang: Lang) -> String {
    match l.source {
        Some(s) => format!("{} – {}", text::source(s, lang), s.code()),
        None => words(lang).all.to_owned(),
    }
}

/// Where the spreads come from, as a phrase.
pub(super) fn spread_text(r: &RiskReport, lang: Lang) -> String {
    let w = words(lang);
    match &r.spread_source {
        SpreadSource::Rules => w.spread_rules.to_owned(),
        SpreadSource::Backtest { at } => format!("{} {}", w.spread_backtest, fmt::date(*at, lang)),
        SpreadSource::Fixed => w.spread_fixed.to_owned(),
    }
}

fn row(l: &RiskLine, lang: Lang) -> Vec<String> {
    vec![
        line_name(l, lang),
        fmt::million(l.plan_vnd, lang),
        fmt::percent(l.point_rate_before, lang),
        prob(l.probability_before, l.std_error_before, lang),
        fmt::percent(l.point_rate_after, lang),
        prob(l.probability_after, l.std_error_after, lang),
        format!("{} – {}", fmt::percent(l.p05_rate_after, lang), fmt::percent(l.p95_rate_after, lang)),
    ]
}

/// The risk section as document blocks (heading, key figures, table by source, method note).
pub(crate) fn blocks(r: &RiskReport, lang: Lang) -> Vec<Block> {
    let w = words(lang);
    let m = |v: i64| fmt::million(v, lang);
    let c = &r.central;
    let both = |label: &str| format!("{label} ({})", w.before_after);
    let mut b = vec![
        Block::Heading(w.heading.to_owned()),
        Block::Facts(vec![
            (w.target.to_owned(), fmt::percent(r.target, lang)),
            (
                both(w.reach_overall),
                format!(
                    "{} → {}",
                    prob(r.overall.probability_before, r.overall.std_error_before, lang),
                    prob(r.overall.probability_after, r.overall.std_error_after, lang)
                ),
            ),
            (both(w.central_expected), format!("{} → {}", m(c.expected_before_vnd), m(c.expected_after_vnd))),
            (both(w.central_p95), format!("{} → {}", m(c.p95_before_vnd), m(c.p95_after_vnd))),
            (w.draws.to_owned(), r.draws.to_string()),
            (w.seed.to_owned(), r.seed.to_string()),
            (w.correlation.to_owned(), fmt::float(r.correlation, 2, lang)),
            (w.spread.to_owned(), spread_text(r, lang)),
        ]),
    ];
    let l = text::labels(lang);
    let mut t = Table {
        head: [w.source, l.plan, w.point_before, w.prob_before, w.point_after, w.prob_after, w.band_after]
            .map(str::to_owned)
            .to_vec(),
        numeric: vec![false, true, true, true, true, true, true],
        ..Table::default()
    };
    for s in &r.sources {
        t.rows.push(row(s, lang));
    }
    t.foot = Some(row(&r.overall, lang));
    b.push(Block::Table(t));
    b.push(Block::Note(w.note.to_owned()));
    b
}

impl RiskReport {
    /// The report as Markdown, in `lang`, under a title naming the scenario.
    pub fn to_markdown(&self, scenario: &str, lang: Lang) -> String {
        let mut out = format!("# {}\n\n", super::markdown::escape(scenario));
        let mut b = blocks(self, lang);
        // Standalone, the section is the report, not an annex: drop the `PHỤ LỤC.` / `ANNEX.` prefix.
        if let Some(Block::Heading(h)) = b.first_mut()
            && let Some((_, rest)) = h.split_once(". ")
        {
            *h = rest.to_owned();
        }
        out.push_str(&super::markdown::render_blocks(b));
        out.push('\n');
        out
    }

    /// The report as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        crate::contract::to_json_pretty(self)
    }
}
