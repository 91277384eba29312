//! Inline SVG charts for the HTML document: forecast rate before/after by source, amounts by
//! difficulty group, moves by locality. Plain SVG text, no script, no external resource.

use super::ProposalDocument;
use super::fmt;
use super::text::{Lang, labels};

/// Colours, chosen to stay distinct in greyscale print.
const BEFORE: &str = "#9aa5b1";
const AFTER: &str = "#1f5fa8";
const PLAN: &str = "#c9d6e3";
const DISBURSED: &str = "#4a7fb5";
const CUT: &str = "#c0392b";
const ADDED: &str = "#2e8b57";
const WIDTH: f64 = 760.0;

/// Escapes text for SVG/XML.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// At most `n` characters of `s`, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { s.chars().take(n - 1).collect::<String>() + "…" }
}

pub(crate) fn open(height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         role=\"img\" aria-label=\"{t}\" font-family=\"'DejaVu Sans', 'Liberation Sans', Arial, sans-serif\" \
         font-size=\"12\">\n<title>{t}</title>\n",
        t = xml(title)
    )
}

pub(crate) fn legend(x: f64, y: f64, items: &[(&str, &str)]) -> String {
    let mut s = String::new();
    let mut x = x;
    for (colour, name) in items {
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>\n",
            y - 10.0,
            x + 16.0,
            y,
            xml(name)
        ));
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
    s
}

/// Forecast disbursement rate before and after, by capital source (vertical grouped bars, 0–100%).
pub fn rates(doc: &ProposalDocument, lang: Lang) -> String {
    let l = labels(lang);
    let (top, bottom, left, right) = (40.0, 48.0, 48.0, 12.0);
    let plot_h = 200.0;
    let height = top + plot_h + bottom;
    let mut s = open(height, l.chart_rates);
    s.push_str(&legend(left, 18.0, &[(BEFORE, l.before), (AFTER, l.after)]));
    for i in 0..=4 {
        let v = f64::from(i) * 25.0;
        let y = top + plot_h - plot_h * v / 100.0;
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#dde3ea\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#555\">{}%</text>\n",
            WIDTH - right,
            left - 6.0,
            y + 4.0,
            v
        ));
    }
    let n = doc.sources.len().max(1) as f64;
    let slot = (WIDTH - left - right) / n;
    let bar = (slot * 0.32).min(48.0);
    for (i, p) in doc.sources.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        for (k, (rate, colour)) in
            [(p.forecast_rate_before, BEFORE), (p.forecast_rate_after, AFTER)].into_iter().enumerate()
        {
            let r = if rate.is_finite() { rate.clamp(0.0, 1.0) } else { 0.0 };
            let h = plot_h * r;
            let x = if k == 0 { cx - bar - 2.0 } else { cx + 2.0 };
            let y = top + plot_h - h;
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>\n",
                x + bar / 2.0,
                y - 4.0,
                xml(&fmt::percent(rate, lang))
            ));
        }
        // Codes such as CTMTQG_GNBV are wider than a slot: one line per part, so they never overlap.
        let lines: String = p
            .source
            .code()
            .split('_')
            .enumerate()
            .map(|(k, part)| {
                format!("<tspan x=\"{cx:.1}\" dy=\"{}\">{}</tspan>", if k == 0 { 0 } else { 13 }, xml(part))
            })
            .collect();
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{lines}</text>\n",
            top + plot_h + 18.0,
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#333\"/>\n</svg>\n",
        WIDTH - right,
        y = top + plot_h
    ));
    s
}

/// Plan, disbursed and proposed cut by difficulty group (horizontal bars, million VND).
pub fn groups(doc: &ProposalDocument, lang: Lang) -> String {
    let l = labels(lang);
    let groups: Vec<_> = doc.groups.iter().filter(|g| g.rows > 0).collect();
    let (top, left, right) = (34.0, 250.0, 90.0);
    let row_h = 44.0;
    let height = top + row_h * groups.len().max(1) as f64 + 10.0;
    let mut s = open(height, l.chart_groups);
    s.push_str(&legend(
        left,
        18.0,
        &[(PLAN, l.legend_plan), (DISBURSED, l.legend_disbursed), (CUT, l.legend_released)],
    ));
    let max = groups.iter().map(|g| g.plan_vnd.max(g.released_vnd)).max().unwrap_or(0).max(1) as f64;
    let span = WIDTH - left - right;
    for (i, g) in groups.iter().enumerate() {
        let y0 = top + row_h * i as f64;
        let label = if lang == Lang::Vi { &g.label_vi } else { &g.label_en };
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            left - 8.0,
            y0 + 22.0,
            xml(&clip(label, 32))
        ));
        for (k, (v, colour)) in
            [(g.plan_vnd, PLAN), (g.disbursed_vnd, DISBURSED), (g.released_vnd, CUT)].into_iter().enumerate()
        {
            let w = span * (v.max(0) as f64) / max;
            let y = y0 + 4.0 + 12.0 * k as f64;
            s.push_str(&format!(
                "<rect x=\"{left}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"11\" fill=\"{colour}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{}</text>\n",
                left + w + 4.0,
                y + 9.5,
                xml(&fmt::million_whole(v, lang))
            ));
        }
    }
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{:.1}\" stroke=\"#333\"/>\n</svg>\n",
        height - 10.0
    ));
    s
}

/// Capital cut (left) and added (right) by locality, the largest movers first (at most 15).
pub fn localities(doc: &ProposalDocument, lang: Lang) -> String {
    let l = labels(lang);
    let lines: Vec<_> = doc.localities.iter().take(15).collect();
    let (top, label_w, margin) = (34.0, 170.0, 70.0);
    let row_h = 22.0;
    let height = top + row_h * lines.len().max(1) as f64 + 10.0;
    let mut s = open(height, l.chart_localities);
    let mid = label_w + (WIDTH - label_w) / 2.0;
    s.push_str(&legend(label_w, 18.0, &[(CUT, l.legend_released), (ADDED, l.legend_added)]));
    let max = lines.iter().map(|x| x.released_vnd.max(x.added_vnd)).max().unwrap_or(0).max(1) as f64;
    let half = (WIDTH - label_w) / 2.0 - margin;
    for (i, x) in lines.iter().enumerate() {
        let y = top + row_h * i as f64;
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            label_w - 8.0,
            y + 15.0,
            xml(&clip(&x.locality, 24))
        ));
        if x.released_vnd > 0 {
            let w = half * x.released_vnd as f64 / max;
            s.push_str(&format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" fill=\"{CUT}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\">−{}</text>\n",
                mid - w,
                y + 3.0,
                mid - w - 4.0,
                y + 15.0,
                xml(&fmt::million_whole(x.released_vnd, lang))
            ));
        }
        if x.added_vnd > 0 {
            let w = half * x.added_vnd as f64 / max;
            s.push_str(&format!(
                "<rect x=\"{mid:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" fill=\"{ADDED}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">+{}</text>\n",
                y + 3.0,
                mid + w + 4.0,
                y + 15.0,
                xml(&fmt::million_whole(x.added_vnd, lang))
            ));
        }
    }
    if lines.is_empty() {
        s.push_str(&format!(
            "<text x=\"{mid:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            top + 15.0,
            xml(l.no_moves)
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{mid:.1}\" y1=\"{top}\" x2=\"{mid:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\n</svg>\n",
        height - 10.0
    ));
    s
}
