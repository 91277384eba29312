//! The risk section of the proposal and the `realloc risk` report: the probability of reaching the
//! target rate before and after the proposal, overall and per capital source, and the central capital
//! at risk of recall, in Vietnamese or English.

use crate::risk::{RiskLine, RiskReport, SpreadSource};

use super::fmt;
use super::layout::{Block, Table};
use super::text::{self, Lang};

/// The words of the risk section.
struct Words {
    heading: &'static str,
    draws: &'static str,
    seed: &'static str,
    target: &'static str,
    correlation: &'static str,
    spread: &'static str,
    spread_rules: &'static str,
    spread_backtest: &'static str,
    spread_fixed: &'static str,
    reach_overall: &'static str,
    central_expected: &'static str,
    central_p95: &'static str,
    source: &'static str,
    all: &'static str,
    point_before: &'static str,
    prob_before: &'static str,
    point_after: &'static str,
    prob_after: &'static str,
    band_after: &'static str,
    note: &'static str,
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
    reach_overall: "Xác suất đạt mục tiêu toàn tỉnh (trước → sau điều chỉnh)",
    central_expected: "Vốn NSTW dự kiến có nguy cơ bị thu hồi, kỳ vọng (trước → sau)",
    central_p95: "Vốn NSTW có nguy cơ bị thu hồi, kịch bản xấu 95% (trước → sau)",
    source: "Nguồn vốn",
    all: "Toàn tỉnh",
    point_before: "Dự báo trước",
    prob_before: "Xác suất đạt trước",
    point_after: "Dự báo sau",
    prob_after: "Xác suất đạt sau",
    band_after: "Khoảng 5%–95% sau",
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
    reach_overall: "Probability of reaching the target, province (before → after)",
    central_expected: "Central capital at risk of recall, expected (before → after)",
    central_p95: "Central capital at risk of recall, bad year 95% (before → after)",
    source: "Capital source",
    all: "Province",
    point_before: "Forecast before",
    prob_before: "P(target) before",
    point_after: "Forecast after",
    prob_after: "P(target) after",
    band_after: "5%–95% after",
    note: "Monte Carlo: each project's disbursement by the deadline varies around its forecast with a standard deviation set by its pace class and obstacle groups (a share of its undisbursed plan), all projects sharing one provincial factor; every draw stays within [disbursed, plan]. The same seed gives the same numbers.",
};

fn words(lang: Lang) -> &'static Words {
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

fn row(l: &RiskLine, w: &Words, lang: Lang) -> Vec<String> {
    let name = match l.source {
        Some(s) => format!("{} – {}", text::source(s, lang), s.code()),
        None => w.all.to_owned(),
    };
    vec![
        name,
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
    let spread = match &r.spread_source {
        SpreadSource::Rules => w.spread_rules.to_owned(),
        SpreadSource::Backtest { at } => format!("{} {}", w.spread_backtest, fmt::date(*at, lang)),
        SpreadSource::Fixed => w.spread_fixed.to_owned(),
    };
    let c = &r.central;
    let mut b = vec![
        Block::Heading(w.heading.to_owned()),
        Block::Facts(vec![
            (w.target.to_owned(), fmt::percent(r.target, lang)),
            (
                w.reach_overall.to_owned(),
                format!(
                    "{} → {}",
                    prob(r.overall.probability_before, r.overall.std_error_before, lang),
                    prob(r.overall.probability_after, r.overall.std_error_after, lang)
                ),
            ),
            (
                w.central_expected.to_owned(),
                format!("{} → {}", m(c.expected_before_vnd), m(c.expected_after_vnd)),
            ),
            (w.central_p95.to_owned(), format!("{} → {}", m(c.p95_before_vnd), m(c.p95_after_vnd))),
            (w.draws.to_owned(), r.draws.to_string()),
            (w.seed.to_owned(), r.seed.to_string()),
            (w.correlation.to_owned(), fmt::float(r.correlation, 2, lang)),
            (w.spread.to_owned(), spread),
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
        t.rows.push(row(s, w, lang));
    }
    t.foot = Some(row(&r.overall, w, lang));
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
        // Plain structs of strings, integers and floats: serialising cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
