//! The proposal as one self-contained HTML file: inline CSS and SVG charts, no script, no network,
//! A4 print layout.

use super::ProposalDocument;
use super::Submission;
use super::layout::{Block, Chart, Table, layout_with};
use super::svg::{self, xml};
use super::text::{Lang, labels};

pub(crate) const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 13pt;
  color: #111; background: #fff; margin: 0 auto; max-width: 1280px; padding: 24px 32px 48px; line-height: 1.4; }
header.doc { text-align: center; margin-bottom: 18px; }
header.doc .kind { font-size: 20pt; font-weight: bold; letter-spacing: 1px; margin: 0; }
header.doc .subject { font-weight: bold; font-style: italic; margin: 4px 0 14px; }
p.to { text-align: center; margin: 6px 0 16px; }
h2 { font-size: 13.5pt; margin: 26px 0 10px; border-bottom: 1px solid #999; padding-bottom: 3px; }
ul.facts { list-style: none; padding: 0; margin: 6px 0 10px; }
ul.facts li { margin: 3px 0; }
ul.facts li span.k { display: inline-block; min-width: 22em; }
p.note { font-style: italic; font-size: 11pt; color: #333; margin: 4px 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 10.5pt;
  font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
th, td { border: 1px solid #8a8a8a; padding: 4px 6px; vertical-align: top; }
th { background: #e8edf3; text-align: center; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: bold; background: #f4f6f8; }
tbody tr:nth-child(even) td { background: #fafbfc; }
figure { margin: 12px 0 18px; page-break-inside: avoid; break-inside: avoid; }
figure svg { display: block; max-width: 860px; margin: 0 auto; }
figcaption { font-size: 11pt; font-weight: bold; text-align: center; margin-bottom: 4px;
  font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
p.closing { margin-top: 28px; font-style: italic; }
td.wide { min-width: 14em; }
td ul.cell { margin: 0; padding-left: 1.1em; }
td ul.cell li { margin: 0 0 3px; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; word-break: break-all; }
tr.sub td { font-weight: bold; background: #eef2f6; }
table.head, table.sign { border: none; width: 100%; margin: 0 0 14px; font-family: inherit; font-size: 12.5pt; }
table.head td, table.sign td { border: none; background: none; text-align: center; vertical-align: top; padding: 2px 6px; }
table.sign td.left { text-align: left; font-size: 11pt; }
table.head .place { font-style: italic; }
div.page-break { page-break-before: always; break-before: page; border-top: 1px dashed #bbb; margin-top: 28px; }
@page { size: A4 landscape; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr, figure { page-break-inside: avoid; break-inside: avoid; }
  figure svg { max-width: 620px; }
  h2 { page-break-after: avoid; break-after: avoid; }
}
"#;

pub(crate) fn table(out: &mut String, t: &Table, hash_cols: bool) {
    table_with(out, t, hash_cols, &[]);
}

/// A table whose body rows at `strong` (ascending) are group headings with subtotals, in bold.
pub(crate) fn table_with(out: &mut String, t: &Table, hash_cols: bool, strong: &[usize]) {
    let wide = &t.wide;
    let cell = |out: &mut String, tag: &str, i: usize, c: &str, numeric: &[bool]| {
        let class = if numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else if hash_cols && i == 1 {
            " class=\"hash\""
        } else if wide.contains(&i) {
            " class=\"wide\""
        } else {
            ""
        };
        let items: Vec<&str> = c.lines().filter(|l| !l.trim().is_empty()).collect();
        if tag == "td" && t.lists.contains(&i) && items.len() > 1 {
            let list: String = items.iter().map(|l| format!("<li>{}</li>", xml(l))).collect();
            out.push_str(&format!("<{tag}{class}><ul class=\"cell\">{list}</ul></{tag}>"));
        } else {
            out.push_str(&format!("<{tag}{class}>{}</{tag}>", xml(c)));
        }
    };
    out.push_str("<table>\n<thead><tr>");
    for (i, h) in t.head.iter().enumerate() {
        cell(out, "th", i, h, &[]);
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, r) in t.rows.iter().enumerate() {
        out.push_str(if strong.binary_search(&i).is_ok() { "<tr class=\"sub\">" } else { "<tr>" });
        for (i, c) in r.iter().enumerate() {
            cell(out, "td", i, c, &t.numeric);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n");
    if let Some(f) = &t.foot {
        out.push_str("<tfoot><tr>");
        for (i, c) in f.iter().enumerate() {
            cell(out, "td", i, c, &t.numeric);
        }
        out.push_str("</tr></tfoot>\n");
    }
    out.push_str("</table>\n");
}

/// Renders the document.
pub fn render(doc: &ProposalDocument, lang: Lang, sub: &Submission) -> String {
    let l = labels(lang);
    let mut body = String::new();
    let mut title = String::new();
    let mut in_manifest = false;
    for block in layout_with(doc, lang, sub) {
        match block {
            Block::Title { kind, subject } => {
                if title.is_empty() {
                    title = format!("{kind} – {subject}");
                }
                body.push_str(&format!(
                    "<header class=\"doc\"><p class=\"kind\">{}</p><p class=\"subject\">{}</p></header>\n",
                    xml(&kind),
                    xml(&subject)
                ));
            }
            Block::Heading(h) => {
                in_manifest = h.ends_with(l.sec_manifest.split_once(". ").map_or(l.sec_manifest, |x| x.1));
                body.push_str(&format!("<h2>{}</h2>\n", xml(&h)));
            }
            Block::Para(p) if p == l.closing => {
                body.push_str(&format!("<p class=\"closing\">{}</p>\n", xml(&p)));
            }
            Block::Para(p) if p.starts_with(l.to) && body.ends_with("</header>\n") => {
                body.push_str(&format!("<p class=\"to\"><b>{}</b></p>\n", xml(&p)));
            }
            Block::Para(p) => body.push_str(&format!("<p>{}</p>\n", xml(&p))),
            Block::Note(n) => body.push_str(&format!("<p class=\"note\">{}</p>\n", xml(&n))),
            Block::Facts(facts) => {
                body.push_str("<ul class=\"facts\">\n");
                for (k, v) in facts {
                    body.push_str(&format!(
                        "<li><span class=\"k\">{}:</span> <b>{}</b></li>\n",
                        xml(&k),
                        xml(&v)
                    ));
                }
                body.push_str("</ul>\n");
            }
            Block::Table(t) => table(&mut body, &t, in_manifest),
            Block::Grouped(t, strong) => table_with(&mut body, &t, false, &strong),
            Block::Letterhead(h) => {
                body.push_str(&format!(
                    "<table class=\"head\"><tr><td>{}<br><b>{}</b></td><td><b>{}</b><br><b><u>{}</u></b></td></tr>\n\
                     <tr><td>{}</td><td class=\"place\">{}</td></tr></table>\n",
                    xml(&h.parent),
                    xml(&h.agency),
                    xml(&h.national),
                    xml(&h.motto),
                    xml(&h.number),
                    xml(&h.place_date)
                ));
            }
            Block::Signature { label, recipients, title, name } => {
                let list: String = recipients.iter().map(|r| format!("- {}<br>", xml(r))).collect();
                let title: Vec<String> = title.lines().map(xml).collect();
                body.push_str(&format!(
                    "<table class=\"sign\"><tr><td class=\"left\"><b><i>{}</i></b><br>{list}</td>\
                     <td><b>{}</b><br><br><br><br><b>{}</b></td></tr></table>\n",
                    xml(&label),
                    title.join("<br>"),
                    xml(&name)
                ));
            }
            Block::PageBreak => body.push_str("<div class=\"page-break\"></div>\n"),
            Block::Chart(c) => {
                let (caption, svg) = match c {
                    Chart::Rates => (l.chart_rates, svg::rates(doc, lang)),
                    Chart::Groups => (l.chart_groups, svg::groups(doc, lang)),
                    Chart::Localities => (l.chart_localities, svg::localities(doc, lang)),
                };
                body.push_str(&format!(
                    "<figure>\n<figcaption>{}</figcaption>\n{svg}</figure>\n",
                    xml(caption)
                ));
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        xml(&title)
    )
}
