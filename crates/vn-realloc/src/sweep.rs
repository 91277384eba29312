//! What-if over one rules parameter: the proposal re-run for each value of, say, `min_transfer` or a
//! locality cap, reporting the amount moved, the objective, the number of transfers and the forecast
//! rate — a frontier a committee can read (table in Markdown, JSON or CSV; HTML with an SVG chart).
//!
//! Each value is an independent run (assess with the overridden rules, optimise), run in parallel; the
//! points come back in the order of the values given.
//!
//! ```
//! use realloc::rules::Rules;
//! use realloc::sweep::sweep;
//! # let scenario = realloc::generate::generate_scenario(&realloc::generate::GenerateOptions::new(40, 1));
//! let s = sweep(&scenario, &Rules::builtin(), "min_transfer", &[10.0, 500.0]).unwrap();
//! assert_eq!(s.points.len(), 2);
//! assert!(s.points[0].transfers >= s.points[1].transfers);
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::optimize::{self, OptimizeError};
use crate::report::fmt;
use crate::report::layout::Table;
use crate::report::svg::{legend, open, xml};
use crate::report::text::Lang;
use crate::rules::{ParamError, Rules};
use crate::scenario::Scenario;

/// Why a sweep cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// No value to try.
    #[error("no value to try for parameter `{param}`")]
    NoValues {
        /// The parameter.
        param: String,
    },
    /// The parameter or one value does not apply.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The optimiser failed for one value.
    #[error("{param} = {value}: cannot optimise")]
    Optimize {
        /// The parameter.
        param: String,
        /// The value.
        value: f64,
        /// Why.
        #[source]
        source: OptimizeError,
    },
}

/// The proposal for one value of the parameter.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct SweepPoint {
    /// The value tried.
    pub value: f64,
    /// Capital moved, all pools.
    pub moved_vnd: i64,
    /// Σ value_in·a − Σ value_out·r, million VND.
    pub objective: f64,
    /// Number of transfers.
    pub transfers: usize,
    /// Rows that give.
    pub donors: usize,
    /// Rows that receive.
    pub recipients: usize,
    /// Forecast rate after the proposal (before it, the rate of [`SweepPoint::forecast_rate_before`]
    /// changes only with parameters of the forecast).
    pub forecast_rate_after: f64,
    /// Forecast rate before the proposal under this value.
    pub forecast_rate_before: f64,
    /// Central capital forecast undisbursed after the proposal.
    pub central_at_risk_vnd_after: i64,
    /// Side constraints that bind.
    pub binding: usize,
}

/// A sweep: one point per value, in the order given.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct Sweep {
    /// Scenario name.
    pub scenario: String,
    /// The parameter varied.
    pub param: String,
    /// Its value in the rules as loaded.
    pub current: Option<f64>,
    /// The points.
    pub points: Vec<SweepPoint>,
}

/// Runs the proposal for each value of `param` (see [`Rules::with_param`] for the names).
pub fn sweep(scenario: &Scenario, rules: &Rules, param: &str, values: &[f64]) -> Result<Sweep, SweepError> {
    if values.is_empty() {
        return Err(SweepError::NoValues { param: param.to_owned() });
    }
    // Every override is checked before any optimisation.
    let variants: Vec<(f64, Rules)> =
        values.iter().map(|&v| rules.with_param(param, v).map(|r| (v, r))).collect::<Result<_, _>>()?;
    let points = variants
        .par_iter()
        .map(|(value, r)| point(scenario, r, param, *value))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Sweep {
        scenario: scenario.meta.name.clone(),
        param: param.to_owned(),
        current: rules.param_value(param, scenario.meta.as_of),
        points,
    })
}

fn point(scenario: &Scenario, rules: &Rules, param: &str, value: f64) -> Result<SweepPoint, SweepError> {
    let assessment = rules.assess(scenario);
    let proposal = optimize::propose(&scenario.portfolio, &assessment.model)
        .map_err(|source| SweepError::Optimize { param: param.to_owned(), value, source })?;
    let rows = scenario.portfolio.rows();
    let (mut plan, mut before, mut after, mut central) = (0i128, 0i128, 0i128, 0i128);
    for ((p, a), &change) in rows.iter().zip(&assessment.rows).zip(&proposal.changes) {
        let f = a.forecast_after(p, change);
        plan += i128::from(p.plan.dong());
        before += i128::from(a.forecast.dong());
        after += i128::from(f.dong());
        if p.source.is_central() {
            central += i128::from((p.plan + change - f).max_zero().dong());
        }
    }
    let rate = |x: i128| if plan > 0 { x as f64 / plan as f64 } else { 0.0 };
    Ok(SweepPoint {
        value,
        moved_vnd: proposal.moved.dong(),
        objective: proposal.objective,
        transfers: proposal.transfers.len(),
        donors: proposal.changes.iter().filter(|c| **c < Money::ZERO).count(),
        recipients: proposal.changes.iter().filter(|c| **c > Money::ZERO).count(),
        forecast_rate_after: rate(after),
        forecast_rate_before: rate(before),
        central_at_risk_vnd_after: i64::try_from(central).unwrap_or(i64::MAX),
        binding: proposal.constraints.iter().filter(|c| c.binding).count(),
    })
}

/// Column names in `lang`.
fn head(lang: Lang, param: &str) -> Vec<String> {
    let h: [&str; 8] = match lang {
        Lang::Vi => [
            "Giá trị",
            "Vốn điều chuyển (triệu đồng)",
            "Hàm mục tiêu",
            "Số lượt điều chuyển",
            "Dự án giảm / tăng",
            "Tỷ lệ giải ngân dự báo trước → sau",
            "Vốn NSTW có nguy cơ thu hồi sau (triệu đồng)",
            "Ràng buộc chặt",
        ],
        Lang::En => [
            "Value",
            "Moved (million VND)",
            "Objective",
            "Transfers",
            "Donors / recipients",
            "Forecast rate before → after",
            "Central capital at risk after (million VND)",
            "Binding constraints",
        ],
    };
    let mut v: Vec<String> = h.iter().map(|s| (*s).to_owned()).collect();
    v[0] = param.to_owned();
    v
}

/// A parameter value: amounts and shares as given, in the separators of `lang`.
fn value(v: f64, lang: Lang) -> String {
    let d = (0..=6).find(|d| ((v * 10f64.powi(*d)).round() - v * 10f64.powi(*d)).abs() < 1e-9).unwrap_or(6);
    fmt::float(v, d as u32, lang)
}

impl Sweep {
    /// The frontier table in `lang`; the current value of the rules is marked with `*`.
    pub fn table(&self, lang: Lang) -> Table {
        let mut t = Table {
            head: head(lang, &self.param),
            numeric: vec![true, true, true, true, true, true, true, true],
            ..Table::default()
        };
        for p in &self.points {
            let mark = if self.current.is_some_and(|c| (c - p.value).abs() < 1e-12) { " *" } else { "" };
            t.rows.push(vec![
                format!("{}{mark}", value(p.value, lang)),
                fmt::million(p.moved_vnd, lang),
                fmt::float(p.objective, 3, lang),
                p.transfers.to_string(),
                format!("{} / {}", p.donors, p.recipients),
                format!(
                    "{} → {}",
                    fmt::percent(p.forecast_rate_before, lang),
                    fmt::percent(p.forecast_rate_after, lang)
                ),
                fmt::million(p.central_at_risk_vnd_after, lang),
                p.binding.to_string(),
            ]);
        }
        t
    }

    fn title(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => format!("Phân tích kịch bản theo tham số `{}`: {}", self.param, self.scenario),
            Lang::En => format!("What-if over parameter `{}`: {}", self.param, self.scenario),
        }
    }

    fn note(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => {
                "Mỗi dòng là một lần lập phương án với giá trị tham số tương ứng; * là giá trị trong bộ quy tắc."
            }
            Lang::En => {
                "Each line is one proposal made with that value of the parameter; * marks the value in the rules."
            }
        }
    }

    /// The frontier as Markdown.
    pub fn to_markdown(&self, lang: Lang) -> String {
        use crate::report::markdown::{escape, table};
        let mut out = format!("# {}\n\n", escape(&self.title(lang)));
        table(&mut out, &self.table(lang));
        out.push_str(&format!("*{}*\n", escape(self.note(lang))));
        out
    }

    /// The frontier as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        crate::contract::to_json_pretty(self)
    }

    /// The frontier as CSV: amounts in million VND with '.' decimals, exact; rates as fractions.
    pub fn to_csv(&self) -> String {
        let mut s = format!(
            "{},moved,objective,transfers,donors,recipients,forecast_rate_before,forecast_rate_after,central_at_risk_after,binding\n",
            csv_field(&self.param)
        );
        for p in &self.points {
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{}\n",
                p.value,
                Money::from_dong(p.moved_vnd).to_million_string(),
                p.objective,
                p.transfers,
                p.donors,
                p.recipients,
                p.forecast_rate_before,
                p.forecast_rate_after,
                Money::from_dong(p.central_at_risk_vnd_after).to_million_string(),
                p.binding
            ));
        }
        s
    }

    /// A self-contained HTML page: the frontier chart (forecast rate after against capital moved, each
    /// point labelled with its value) and the table.
    pub fn to_html(&self, lang: Lang) -> String {
        let title = self.title(lang);
        let mut body = format!("<header class=\"doc\"><p class=\"subject\">{}</p></header>\n", xml(&title));
        let caption = match lang {
            Lang::Vi => "Đường biên: tỷ lệ giải ngân dự báo sau điều chỉnh theo vốn điều chuyển",
            Lang::En => "Frontier: forecast rate after the proposal against capital moved",
        };
        body.push_str(&format!(
            "<figure>\n<figcaption>{}</figcaption>\n{}</figure>\n",
            xml(caption),
            self.chart(lang)
        ));
        crate::report::html::table(&mut body, &self.table(lang), false);
        body.push_str(&format!("<p class=\"note\">{}</p>\n", xml(self.note(lang))));
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
             <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
            lang.code(),
            xml(&title),
            crate::report::html::STYLE
        )
    }

    /// The SVG frontier chart: x = capital moved (million VND), y = forecast rate after.
    pub fn chart(&self, lang: Lang) -> String {
        const W: f64 = 760.0;
        let (top, bottom, left, right, h) = (40.0, 44.0, 64.0, 24.0, 240.0);
        let (xlabel, ylabel, series) = match lang {
            Lang::Vi => ("Vốn điều chuyển (triệu đồng)", "Tỷ lệ dự báo sau", "Phương án"),
            Lang::En => ("Moved (million VND)", "Forecast rate after", "Proposal"),
        };
        let mut s = open(top + h + bottom, &self.title(lang));
        s.push_str(&legend(left, 18.0, &[("#1f5fa8", series)]));
        let xs: Vec<f64> = self.points.iter().map(|p| p.moved_vnd as f64 / 1e6).collect();
        let ys: Vec<f64> = self.points.iter().map(|p| p.forecast_rate_after).collect();
        let finite = |v: &[f64]| v.iter().copied().filter(|x| x.is_finite()).collect::<Vec<_>>();
        let (fx, fy) = (finite(&xs), finite(&ys));
        let xmax = fx.iter().copied().fold(0.0, f64::max).max(1.0);
        let ymin = fy.iter().copied().fold(1.0, f64::min);
        let ymax = fy.iter().copied().fold(0.0, f64::max);
        // A little room above and below; at least one percentage point of span.
        let (ylo, yhi) = {
            let pad = ((ymax - ymin) * 0.15).max(0.005);
            ((ymin - pad).max(0.0), (ymax + pad).min(1.0).max(ymin + 0.01))
        };
        let px = |x: f64| left + (W - left - right) * if x.is_finite() { x / xmax } else { 0.0 };
        let py = |y: f64| top + h - h * if y.is_finite() { (y - ylo) / (yhi - ylo) } else { 0.0 };
        for i in 0..=4 {
            let y = ylo + (yhi - ylo) * f64::from(i) / 4.0;
            s.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#dde3ea\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">{}</text>\n",
                W - right,
                left - 6.0,
                py(y) + 4.0,
                xml(&fmt::percent(y, lang)),
                yy = py(y)
            ));
            let x = xmax * f64::from(i) / 4.0;
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">{}</text>\n",
                px(x),
                top + h + 16.0,
                xml(&fmt::float(x, 0, lang))
            ));
        }
        let mut order: Vec<usize> = (0..self.points.len()).collect();
        order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
        let path: Vec<String> = order.iter().map(|&i| format!("{:.1},{:.1}", px(xs[i]), py(ys[i]))).collect();
        if path.len() > 1 {
            s.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n",
                path.join(" ")
            ));
        }
        for (i, p) in self.points.iter().enumerate() {
            s.push_str(&format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#1f5fa8\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>\n",
                py(ys[i]) - 8.0,
                xml(&format!("{} = {}", self.param, value(p.value, lang))),
                x = px(xs[i]),
                y = py(ys[i])
            ));
        }
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{b:.1}\" x2=\"{:.1}\" y2=\"{b:.1}\" stroke=\"#333\"/>\
             <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{b:.1}\" stroke=\"#333\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n\
             <text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text>\n</svg>\n",
            W - right,
            left + (W - left - right) / 2.0,
            top + h + 36.0,
            xml(xlabel),
            top + h / 2.0,
            top + h / 2.0,
            xml(ylabel),
            b = top + h
        ));
        s
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}
