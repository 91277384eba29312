//! A monitoring document (progress report or ranking) as typed tables, rendered to Markdown, HTML,
//! an Excel workbook or CSV with the number formatting of the proposal documents
//! ([`report::fmt`](crate::report::fmt)).

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::money::DONG_PER_MILLION;
use crate::report::layout::Table;
use crate::report::svg::xml;
use crate::report::{Lang, RenderError, fmt, html, markdown};

/// One cell of a monitoring table.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// An amount in đồng, shown in million VND.
    Money(i64),
    /// A fraction shown as a percentage.
    Rate(f64),
    /// A difference of two fractions, shown in percentage points with a sign.
    Points(f64),
    /// A whole number.
    Int(i64),
    /// Nothing (no figure for this period, no previous rank).
    Empty,
}

impl Value {
    fn numeric(&self) -> bool {
        !matches!(self, Value::Text(_))
    }

    fn shown(&self, lang: Lang) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Money(d) => fmt::million(*d, lang),
            Value::Rate(r) => fmt::percent(*r, lang),
            Value::Points(p) => fmt::points(0.0, *p, lang),
            Value::Int(i) => i.to_string(),
            Value::Empty => "–".to_owned(),
        }
    }

    /// Language-independent text for CSV: exact million VND, fractions with 6 decimals.
    fn raw(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Money(d) => crate::money::Money::from_dong(*d).to_million_string(),
            Value::Rate(r) | Value::Points(r) => format!("{r:.6}"),
            Value::Int(i) => i.to_string(),
            Value::Empty => String::new(),
        }
    }
}

/// A titled table of a monitoring document.
#[derive(Clone, Debug, Default)]
pub struct Section {
    /// Sheet name in the workbook (short, fixed, English).
    pub key: &'static str,
    /// Heading.
    pub title: String,
    /// Paragraph under the heading.
    pub note: Option<String>,
    /// Column names.
    pub head: Vec<String>,
    /// Column names for CSV (language-independent).
    pub csv_head: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<Value>>,
    /// Total row.
    pub foot: Option<Vec<Value>>,
}

impl Section {
    fn table(&self, lang: Lang) -> Table {
        let numeric = (0..self.head.len())
            .map(|i| {
                self.rows.first().or(self.foot.as_ref()).and_then(|r| r.get(i)).is_some_and(Value::numeric)
            })
            .collect();
        Table {
            head: self.head.clone(),
            rows: self.rows.iter().map(|r| r.iter().map(|v| v.shown(lang)).collect()).collect(),
            foot: self.foot.as_ref().map(|r| r.iter().map(|v| v.shown(lang)).collect()),
            numeric,
            wide: vec![],
            lists: vec![],
        }
    }
}

/// A monitoring document: title, key figures, sections; the first section is the main table (CSV).
#[derive(Clone, Debug, Default)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// Label–value pairs under the title.
    pub facts: Vec<(String, String)>,
    /// Tables.
    pub sections: Vec<Section>,
}

impl Doc {
    /// Markdown.
    pub fn to_markdown(&self, lang: Lang) -> String {
        let mut out = format!("# {}\n\n", markdown::escape(&self.title));
        for (k, v) in &self.facts {
            out.push_str(&format!("- {}: **{}**\n", markdown::escape(k), markdown::escape(v)));
        }
        out.push('\n');
        for s in &self.sections {
            out.push_str(&format!("## {}\n\n", markdown::escape(&s.title)));
            if let Some(n) = &s.note {
                out.push_str(&format!("{}\n\n", markdown::escape(n)));
            }
            if !s.rows.is_empty() || s.foot.is_some() {
                markdown::table(&mut out, &s.table(lang));
            }
        }
        out
    }

    /// One self-contained HTML file in the style of the proposal documents.
    pub fn to_html(&self, lang: Lang) -> String {
        let mut body = format!(
            "<header class=\"doc\"><p class=\"kind\">{}</p></header>\n<ul class=\"facts\">\n",
            xml(&self.title)
        );
        for (k, v) in &self.facts {
            body.push_str(&format!("<li><span class=\"k\">{}:</span> <b>{}</b></li>\n", xml(k), xml(v)));
        }
        body.push_str("</ul>\n");
        for s in &self.sections {
            body.push_str(&format!("<h2>{}</h2>\n", xml(&s.title)));
            if let Some(n) = &s.note {
                body.push_str(&format!("<p class=\"note\">{}</p>\n", xml(n)));
            }
            if !s.rows.is_empty() || s.foot.is_some() {
                html::table(&mut body, &s.table(lang), false);
            }
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
            lang.code(),
            xml(&self.title),
            html::STYLE
        )
    }

    /// The main table as CSV with language-independent headers and exact amounts in million VND.
    pub fn to_csv(&self) -> Result<Vec<u8>, RenderError> {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        if let Some(s) = self.sections.first() {
            w.write_record(&s.csv_head)?;
            for r in s.rows.iter().chain(s.foot.iter()) {
                w.write_record(r.iter().map(Value::raw))?;
            }
        }
        w.into_inner().map_err(|e| RenderError::Csv(e.into_error().into()))
    }

    /// An Excel workbook: a `Summary` sheet with the title and key figures, then one sheet per table,
    /// amounts in million VND as numbers (`#,##0.000`), rates as percentages.
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, RenderError> {
        Ok(self.workbook(lang)?)
    }

    fn workbook(&self, lang: Lang) -> Result<Vec<u8>, XlsxError> {
        let cell = Format::new().set_border(FormatBorder::Thin).set_font_size(10);
        let head = cell
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0xE8EDF3));
        let text = cell.clone().set_text_wrap();
        let amount = cell.clone().set_num_format("#,##0.000");
        let rate = cell.clone().set_num_format("0.0%");
        let points = cell.clone().set_num_format("+0.0;-0.0;0.0");
        let int = cell.clone().set_num_format("0");
        let bold = Format::new().set_bold().set_font_size(13);
        let mut wb = Workbook::new();
        let mut summary = Worksheet::new();
        summary.set_name("Summary")?;
        summary.write_string_with_format(0, 0, self.title.as_str(), &bold)?;
        summary.set_column_width(0, 44)?;
        summary.set_column_width(1, 40)?;
        for (i, (k, v)) in self.facts.iter().enumerate() {
            summary.write_string(i as u32 + 2, 0, k.as_str())?;
            summary.write_string(i as u32 + 2, 1, v.as_str())?;
        }
        wb.push_worksheet(summary);
        for s in &self.sections {
            let mut ws = Worksheet::new();
            ws.set_name(s.key)?;
            ws.write_string_with_format(0, 0, s.title.as_str(), &bold)?;
            let mut top = 1;
            if let Some(n) = &s.note {
                ws.write_string(1, 0, n.as_str())?;
                top = 2;
            }
            for (c, h) in s.head.iter().enumerate() {
                ws.write_string_with_format(top, c as u16, h.as_str(), &head)?;
                ws.set_column_width(c as u16, if c == 0 || c == 1 { 28 } else { 14 })?;
            }
            ws.set_row_height(top, 32)?;
            ws.set_freeze_panes(top + 1, 0)?;
            for (i, r) in s.rows.iter().chain(s.foot.iter()).enumerate() {
                let row = top + 1 + i as u32;
                for (c, v) in r.iter().enumerate() {
                    let c = c as u16;
                    match v {
                        Value::Text(t) => ws.write_string_with_format(row, c, t.as_str(), &text)?,
                        Value::Money(d) => {
                            ws.write_number_with_format(row, c, *d as f64 / DONG_PER_MILLION as f64, &amount)?
                        }
                        Value::Rate(x) => ws.write_number_with_format(row, c, *x, &rate)?,
                        Value::Points(x) => ws.write_number_with_format(row, c, *x * 100.0, &points)?,
                        Value::Int(x) => ws.write_number_with_format(row, c, *x as f64, &int)?,
                        Value::Empty => ws.write_blank(row, c, &cell)?,
                    };
                }
            }
            let _ = lang;
            wb.push_worksheet(ws);
        }
        wb.save_to_buffer()
    }
}
