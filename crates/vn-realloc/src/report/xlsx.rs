//! The proposal as an Excel workbook: sheets Summary, Groups, one appendix per deciding authority,
//! Donors, Recipients, Transfers and the technical annex (and Risk when the document has a risk
//! annex), with amounts in million VND as numbers (format `#,##0` for whole millions, `#,##0.000`
//! otherwise, shown in the reader's locale), a separate project code column, frozen header rows,
//! filters and native Excel charts. Headers and sheet names follow the document language
//! ([`sheet_names`]).

use rust_xlsxwriter::{
    Chart, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Color, DocProperties, ExcelDateTime,
    Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::layout::{fmt_rate, pool_notes};
use super::submission::{self, AppendixLine, LineKind, Submission};
use super::text::{self, Labels, Lang, labels};
use super::{ProposalDocument, RenderError, fmt, risk};
use crate::risk::RiskReport;

/// Width of the pool notes column of the Summary sheet, in characters.
const NOTES_WIDTH: f64 = 90.0;

/// The sheet names in English, in workbook order (the appendices come after Groups).
pub const SHEETS: [&str; 5] = ["Summary", "Groups", "Donors", "Recipients", "Transfers"];

/// The same in Vietnamese.
pub const SHEETS_VI: [&str; 5] =
    ["Tổng hợp", "Nhóm khó khăn", "Điều chỉnh giảm", "Điều chỉnh tăng", "Điều chuyển"];

/// What the sheet of the risk annex is named after its number (`Appendix V. Risk`), after the
/// others when the document has one (`propose --risk`).
pub const RISK_SHEET: &str = "Risk";

/// The sheet names of `lang`: the five of [`SHEETS`], then what the technical annex and the risk
/// annex are named after their appendix number ([`annex_sheet`]).
pub fn sheet_names(lang: Lang) -> ([&'static str; 5], &'static str, &'static str) {
    match lang {
        Lang::Vi => (SHEETS_VI, "Kỹ thuật", "Rủi ro"),
        Lang::En => (SHEETS, "Technical", RISK_SHEET),
    }
}

/// The name of an appendix sheet: `Phụ lục IV. Kỹ thuật`, numbered as in the other formats (the
/// authorities' parts, then the technical annex, then the risk annex); `name` empty for a part.
pub fn annex_sheet(lang: Lang, i: usize, name: &str) -> String {
    let word = match lang {
        Lang::Vi => "Phụ lục",
        Lang::En => "Appendix",
    };
    if name.is_empty() {
        format!("{word} {}", submission::roman(i))
    } else {
        format!("{word} {}. {name}", submission::roman(i))
    }
}

/// Writes an amount of đồng as million VND: `#,##0` when whole, `#,##0.000` otherwise (the
/// documents' [`fmt::amount`]).
fn amount(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    dong: i64,
    whole: &Format,
    frac: &Format,
) -> Result<(), XlsxError> {
    let fmt = if dong % crate::money::DONG_PER_MILLION == 0 { whole } else { frac };
    ws.write_number_with_format(r, c, fmt::million_f64(dong), fmt)?;
    Ok(())
}

struct Formats {
    title: Format,
    head: Format,
    text: Format,
    amount: Format,
    rate: Format,
    int: Format,
    value: Format,
    share: Format,
    bold: Format,
    bold_amount: Format,
    bold_rate: Format,
    /// The column formats of the long sheets (appendices, donors, recipients, transfers): a cell
    /// written without a format takes its column's, which spares `rust_xlsxwriter` a look-up of the
    /// format per cell. No border (a column format reaches every row of the sheet); those sheets
    /// print their gridlines instead.
    col: ColumnFormats,
}

struct ColumnFormats {
    text: Format,
    whole: Format,
    amount: Format,
    rate: Format,
    bold: Format,
    bold_whole: Format,
    bold_amount: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new().set_border(FormatBorder::Thin).set_font_size(10);
        Formats {
            title: Format::new().set_bold().set_font_size(13),
            head: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xE8EDF3)),
            text: cell.clone().set_text_wrap().set_align(FormatAlign::Top),
            amount: cell.clone().set_num_format("#,##0.000").set_align(FormatAlign::Top),
            rate: cell.clone().set_num_format("0.0%").set_align(FormatAlign::Top),
            int: cell.clone().set_num_format("0").set_align(FormatAlign::Top),
            value: cell.clone().set_num_format("#,##0.000").set_align(FormatAlign::Top),
            share: cell.clone().set_num_format("0.00").set_align(FormatAlign::Top),
            bold: cell.clone().set_bold(),
            bold_amount: cell.clone().set_bold().set_num_format("#,##0.000"),
            bold_rate: cell.set_bold().set_num_format("0.0%"),
            col: ColumnFormats::new(),
        }
    }
}

impl ColumnFormats {
    fn new() -> ColumnFormats {
        let cell = Format::new().set_font_size(10).set_align(FormatAlign::Top);
        ColumnFormats {
            text: cell.clone().set_text_wrap(),
            whole: cell.clone().set_num_format("#,##0"),
            amount: cell.clone().set_num_format("#,##0.000"),
            rate: cell.clone().set_num_format("0.0%"),
            bold: cell.clone().set_text_wrap().set_bold(),
            bold_whole: cell.clone().set_bold().set_num_format("#,##0"),
            bold_amount: cell.set_bold().set_num_format("#,##0.000"),
        }
    }
}

/// The kind of a column of a long sheet, which gives its column format.
#[derive(Clone, Copy)]
enum Col {
    Text,
    /// Amounts: `#,##0` for the column, `#,##0.000` written on the cells that are not whole
    /// millions.
    Amount,
    Rate,
}

/// Sets the column formats of a long sheet, and prints its gridlines.
fn column_formats(ws: &mut Worksheet, kinds: &[Col], f: &Formats) -> Result<(), XlsxError> {
    for (c, kind) in kinds.iter().enumerate() {
        let format = match kind {
            Col::Text => &f.col.text,
            Col::Amount => &f.col.whole,
            Col::Rate => &f.col.rate,
        };
        ws.set_column_format(c as u16, format)?;
    }
    ws.set_print_gridlines(true);
    Ok(())
}

/// Writes an amount of đồng as million VND in an amount column of a long sheet: without a format
/// when whole (the column's `#,##0` applies), with `#,##0.000` otherwise.
fn col_amount(ws: &mut Worksheet, r: u32, c: u16, dong: i64, f: &Formats) -> Result<(), XlsxError> {
    if dong % crate::money::DONG_PER_MILLION == 0 {
        ws.write_number(r, c, fmt::million_f64(dong))?;
    } else {
        ws.write_number_with_format(r, c, fmt::million_f64(dong), &f.col.amount)?;
    }
    Ok(())
}

fn header(ws: &mut Worksheet, row: u32, cols: &[(&str, f64)], f: &Formats) -> Result<(), XlsxError> {
    for (c, (name, width)) in cols.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(row, c, *name, &f.head)?;
        ws.set_column_width(c, *width)?;
    }
    ws.set_row_height(row, 32)?;
    Ok(())
}

/// A data sheet: header row frozen, autofilter over the data; with `kinds`, the column formats of
/// a long sheet ([`column_formats`]).
fn data_sheet(
    name: &str,
    cols: &[(&str, f64)],
    kinds: Option<&[Col]>,
    rows: usize,
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape();
    if let Some(kinds) = kinds {
        column_formats(&mut ws, kinds, f)?;
    }
    header(&mut ws, 0, cols, f)?;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows as u32, (cols.len() - 1) as u16)?;
    Ok(ws)
}

/// Sets the height of data row `row` so that its wrapped texts show whole (spreadsheet programs do
/// not always fit rows written by a library): about one line per column width of characters.
fn fit_row(
    ws: &mut Worksheet,
    row: u32,
    cols: &[(&str, f64)],
    texts: &[(usize, &str)],
) -> Result<(), XlsxError> {
    let lines = texts
        .iter()
        .map(|(c, t)| {
            let width = cols.get(*c).map_or(10.0, |(_, w)| *w).max(1.0);
            (t.chars().count() as f64 / (width * 1.1)).ceil().max(1.0)
        })
        .fold(1.0, f64::max);
    ws.set_row_height(row, 14.0 * lines + 2.0)?;
    Ok(())
}

fn fill(colour: u32) -> ChartFormat {
    ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(colour))).clone()
}

/// Renders the workbook.
pub fn render(doc: &ProposalDocument, lang: Lang, sub: &Submission) -> Result<Vec<u8>, RenderError> {
    let l = labels(lang);
    let f = Formats::new();
    let (names, technical_name, risk_name) = sheet_names(lang);
    let mut wb = Workbook::new();
    // Level 3, as Excel writes: about a third faster to save than the default 6, for a package a
    // few per cent larger.
    wb.set_zip_compression_level(3);
    // Created on the proposal's date, not when it is written: the same proposal gives the same bytes
    // (a planning session's download is `realloc propose`'s, byte for byte).
    use chrono::Datelike;
    let (y, m, d) = (doc.as_of.year(), doc.as_of.month(), doc.as_of.day());
    if let Ok(date) = ExcelDateTime::from_ymd(u16::try_from(y).unwrap_or(1900), m as u8, d as u8) {
        wb.set_properties(&DocProperties::new().set_creation_datetime(&date));
    }
    wb.push_worksheet(summary(doc, lang, l, &f, names[0])?);
    wb.push_worksheet(groups(doc, lang, l, &f, names[1])?);
    let w = submission::words(lang);
    let parts = submission::parts(doc, sub);
    for (i, code) in parts.iter().enumerate() {
        let name = annex_sheet(lang, i, "");
        let lines = submission::appendix_lines(doc, code, lang);
        let title = format!(
            "{} {}: {}",
            w.appendix,
            submission::roman(i),
            submission::authority_label(doc, code, lang)
        );
        wb.push_worksheet(appendix(&lines, lang, &f, &name, &title)?);
    }
    wb.push_worksheet(donors(doc, lang, l, &f, names[2])?);
    wb.push_worksheet(recipients(doc, lang, l, &f, names[3])?);
    wb.push_worksheet(transfers(doc, lang, l, &f, names[4])?);
    wb.push_worksheet(technical(doc, lang, l, &f, &annex_sheet(lang, parts.len(), technical_name))?);
    if let Some(r) = &doc.risk {
        wb.push_worksheet(risk_sheet(r, lang, l, &f, &annex_sheet(lang, parts.len() + 1, risk_name))?);
    }
    if !doc.overrides.is_empty() {
        wb.push_worksheet(adjustments(doc, lang, &f)?);
    }
    Ok(wb.save_to_buffer()?)
}

/// The adjustments made in the planning session (`propose --overrides`), amounts as numbers.
fn adjustments(doc: &ProposalDocument, lang: Lang, f: &Formats) -> Result<Worksheet, XlsxError> {
    let t = super::layout::adjustments_table(&doc.overrides, lang);
    let widths = [6.0, 24.0, 12.0, 12.0, 46.0, 16.0, 46.0, 26.0];
    let cols: Vec<(&str, f64)> = t.head.iter().map(String::as_str).zip(widths).collect();
    let name = match lang {
        Lang::Vi => "Điều chỉnh tại phiên họp",
        Lang::En => "Session adjustments",
    };
    let mut ws = data_sheet(name, &cols, None, t.rows.len(), f)?;
    for (i, (cells, line)) in t.rows.iter().zip(&doc.overrides).enumerate() {
        let r = (i + 1) as u32;
        ws.write_number(r, 0, (i + 1) as f64)?;
        for (c, text) in cells.iter().enumerate().skip(1) {
            match (c, line.change_vnd.or(line.max_change_vnd.map(i64::abs))) {
                (5, Some(dong)) => amount(&mut ws, r, 5, dong, &f.col.whole, &f.col.amount)?,
                (5, None) => {}
                _ => {
                    ws.write_string_with_format(r, c as u16, text, &f.text)?;
                }
            }
        }
        fit_row(&mut ws, r, &cols, &[(4, &cells[4]), (6, &cells[6])])?;
    }
    Ok(ws)
}

/// An appendix: the title, then the lines grouped source → sector → status, headings and totals in
/// bold, amounts as numbers.
fn appendix(
    lines: &[AppendixLine],
    lang: Lang,
    f: &Formats,
    name: &str,
    title: &str,
) -> Result<Worksheet, XlsxError> {
    let w = submission::words(lang);
    let cols = [
        (w.col_no, 6.0),
        (w.col_id, 12.0),
        (w.col_name, 44.0),
        (w.col_investor, 24.0),
        (w.col_decision, 22.0),
        (w.col_plan, 15.0),
        (w.col_cut, 15.0),
        (w.col_add, 15.0),
        (w.col_after, 15.0),
        (w.col_reason, 50.0),
    ];
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape();
    use Col::{Amount, Text};
    column_formats(&mut ws, &[Text, Text, Text, Text, Text, Amount, Amount, Amount, Amount, Text], f)?;
    ws.write_string_with_format(0, 0, title, &f.title)?;
    ws.write_string(1, 0, labels(lang).unit)?;
    header(&mut ws, 2, &cols, f)?;
    ws.set_freeze_panes(3, 0)?;
    for (i, x) in lines.iter().enumerate() {
        let r = i as u32 + 3;
        let amounts = [x.plan_vnd, x.cut_vnd, x.add_vnd, x.after_vnd];
        if x.kind == LineKind::Project {
            // The column formats apply.
            for (c, t) in [&x.no, &x.id, &x.name, &x.investor, &x.decision].into_iter().enumerate() {
                ws.write_string(r, c as u16, t.as_str())?;
            }
            for (c, dong) in amounts.into_iter().enumerate() {
                col_amount(&mut ws, r, c as u16 + 5, dong, f)?;
            }
            ws.write_string(r, 9, x.reason.as_str())?;
        } else {
            let c = &f.col;
            for (i, t) in [&x.no, &x.id, &x.name, &x.investor, &x.decision].into_iter().enumerate() {
                ws.write_string_with_format(r, i as u16, t.as_str(), &c.bold)?;
            }
            for (i, dong) in amounts.into_iter().enumerate() {
                amount(&mut ws, r, i as u16 + 5, dong, &c.bold_whole, &c.bold_amount)?;
            }
            ws.write_string_with_format(r, 9, x.reason.as_str(), &c.bold)?;
        }
    }
    Ok(ws)
}

fn summary(
    doc: &ProposalDocument,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let s = &doc.summary;
    let m = fmt::million_f64;
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape();
    header(&mut ws, 0, &[(l.item, 46.0), (l.before, 18.0), (l.after, 18.0)], f)?;
    ws.set_freeze_panes(1, 0)?;
    let mut r = 1;
    let mut text_row = |ws: &mut Worksheet, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, k, &f.text)?;
        ws.merge_range(r, 1, r, 2, v, &f.text)?;
        r += 1;
        Ok(())
    };
    text_row(&mut ws, l.scenario, &doc.scenario)?;
    text_row(&mut ws, l.province, &doc.province)?;
    text_row(&mut ws, l.as_of, &fmt::date(doc.as_of, lang))?;
    text_row(&mut ws, l.deadline, &fmt::date(doc.deadline, lang))?;
    text_row(&mut ws, l.unit, "")?;
    ws.write_string_with_format(r, 0, l.plan, &f.text)?;
    ws.write_number_with_format(r, 1, m(s.plan_vnd), &f.amount)?;
    ws.write_number_with_format(r, 2, m(s.plan_vnd), &f.amount)?;
    r += 1;
    ws.write_string_with_format(r, 0, l.moved, &f.bold)?;
    ws.write_string_with_format(r, 1, "", &f.text)?;
    ws.write_number_with_format(r, 2, m(s.moved_vnd), &f.bold_amount)?;
    r += 1;
    ws.write_string_with_format(r, 0, l.rate_overall, &f.text)?;
    ws.write_number_with_format(r, 1, s.forecast_rate_before, &f.rate)?;
    ws.write_number_with_format(r, 2, s.forecast_rate_after, &f.rate)?;
    r += 1;
    ws.write_string_with_format(r, 0, l.central_at_risk, &f.text)?;
    ws.write_number_with_format(r, 1, m(s.central_at_risk_vnd_before), &f.amount)?;
    ws.write_number_with_format(r, 2, m(s.central_at_risk_vnd_after), &f.amount)?;
    r += 1;
    // Projects, not project × source rows: a project funded from two sources counts once.
    let donors = submission::distinct_projects(doc.donors().map(|p| &*p.id));
    let recipients = submission::distinct_projects(
        doc.recipients().map(|p| &*p.id).chain(doc.pipeline.iter().map(|x| x.id.as_str())),
    );
    for (k, v) in [(l.donors_n, donors), (l.recipients_n, recipients), (l.transfers_n, s.transfers)] {
        ws.write_string_with_format(r, 0, format!("{}: {k}", l.counts), &f.text)?;
        ws.write_string_with_format(r, 1, "", &f.text)?;
        ws.write_number_with_format(r, 2, v as f64, &f.int)?;
        r += 1;
    }
    r += 1;

    // Pools, with sensitivity.
    ws.write_string_with_format(r, 0, l.by_source, &f.title)?;
    r += 1;
    let pool_head = r;
    let cols = [l.source, l.rows, l.plan, l.disbursed, l.moved_short, l.forecast_before, l.forecast_after];
    for (c, name) in cols.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *name, &f.head)?;
    }
    for c in 3..7u16 {
        ws.set_column_width(c, 18)?;
    }
    ws.set_row_height(r, 45)?;
    for p in &doc.pools {
        r += 1;
        let label = match (&p.agreement, &p.locality) {
            (Some(x), _) | (None, Some(x)) => format!("{}: {x}", p.source.code()),
            (None, None) => p.source.code().to_owned(),
        };
        ws.write_string_with_format(r, 0, &label, &f.text)?;
        ws.write_number_with_format(r, 1, p.rows as f64, &f.int)?;
        ws.write_number_with_format(r, 2, m(p.plan_vnd), &f.amount)?;
        ws.write_number_with_format(r, 3, m(p.disbursed_vnd), &f.amount)?;
        ws.write_number_with_format(r, 4, m(p.moved_vnd), &f.amount)?;
        ws.write_number_with_format(r, 5, p.forecast_rate_before, &f.rate)?;
        ws.write_number_with_format(r, 6, p.forecast_rate_after, &f.rate)?;
    }
    let pool_last = r;
    if pool_last > pool_head {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name(l.chart_rates);
        for (col, series, colour) in [(5u16, l.before, 0x9AA5B1), (6u16, l.after, 0x1F5FA8)] {
            chart
                .add_series()
                .set_name(series)
                .set_categories((name, pool_head + 1, 0, pool_last, 0))
                .set_values((name, pool_head + 1, col, pool_last, col))
                .set_format(&mut fill(colour));
        }
        chart.y_axis().set_num_format("0%").set_min(0).set_max(1);
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(640).set_height(320);
        ws.insert_chart(r + 2, 0, &chart)?;
    }
    Ok(ws)
}

/// The technical annex: objective, shadow prices and notes by pool, side constraints with their
/// cost, the manifest.
fn technical(
    doc: &ProposalDocument,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let m = fmt::million_f64;
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape();
    ws.set_column_width(0, 46)?;
    for c in 1..4u16 {
        ws.set_column_width(c, 20)?;
    }
    ws.set_column_width(4, NOTES_WIDTH)?;
    let mut r = 0;
    ws.write_string_with_format(r, 0, l.objective, &f.text)?;
    ws.write_number_with_format(r, 1, doc.summary.objective, &f.value)?;
    r += 2;
    ws.write_string_with_format(r, 0, l.sec_sensitivity, &f.title)?;
    r += 1;
    for (c, h) in [l.source, l.shadow_price, l.best_unfunded, submission::words(lang).col_name, l.notes]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(r, c as u16, *h, &f.head)?;
    }
    let index = doc.project_index();
    for p in &doc.pools {
        r += 1;
        let label = match (&p.agreement, &p.locality) {
            (Some(x), _) | (None, Some(x)) => format!("{}: {x}", p.source.code()),
            (None, None) => p.source.code().to_owned(),
        };
        ws.write_string_with_format(r, 0, &label, &f.text)?;
        ws.write_number_with_format(r, 1, p.shadow_price, &f.value)?;
        let best = p.best_unfunded.as_deref().unwrap_or("");
        ws.write_string_with_format(r, 2, best, &f.text)?;
        let best_name = index.get(&(best, p.source)).map_or("", |x| &*x.name);
        ws.write_string_with_format(r, 3, best_name, &f.text)?;
        // The notes, one a line in the cell; the row made tall enough to show them wrapped.
        let notes = pool_notes(p, lang, &index);
        let lines: f64 =
            notes.iter().map(|n| (n.chars().count() as f64 / (NOTES_WIDTH * 1.1)).ceil().max(1.0)).sum();
        ws.write_string_with_format(r, 4, notes.join("\n"), &f.text)?;
        ws.set_row_height(r, 14.0 * lines.max(1.0) + 2.0)?;
    }

    // Constraints.
    r += 2;
    ws.write_string_with_format(r, 0, l.sec_constraints, &f.title)?;
    r += 1;
    for (c, name) in [l.constraint, l.kind, l.binding, l.objective_loss, l.moved_forgone].iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *name, &f.head)?;
    }
    ws.set_row_height(r, 45)?;
    for c in &doc.constraints {
        r += 1;
        ws.set_row_height(r, 30)?;
        ws.write_string_with_format(r, 0, &c.name, &f.text)?;
        ws.write_string_with_format(r, 1, text::constraint_kind(&c.kind, lang), &f.text)?;
        ws.write_string_with_format(r, 2, if c.binding { l.binding_yes } else { l.binding_no }, &f.text)?;
        match (&c.cost, c.binding) {
            (Some(cost), _) => {
                ws.write_number_with_format(r, 3, cost.objective_loss, &f.value)?;
                ws.write_number_with_format(r, 4, m(cost.moved_forgone_vnd), &f.amount)?;
            }
            (None, false) => {
                ws.write_number_with_format(r, 3, 0.0, &f.value)?;
                ws.write_number_with_format(r, 4, 0.0, &f.amount)?;
            }
            (None, true) => {
                ws.write_string_with_format(r, 3, l.not_priced, &f.text)?;
                ws.write_string_with_format(r, 4, l.not_priced, &f.text)?;
            }
        }
    }

    // Manifest.
    r += 2;
    ws.write_string_with_format(r, 0, l.sec_manifest, &f.title)?;
    let mf = &doc.manifest;
    for (k, v) in [
        (l.tool_version, &mf.tool_version),
        (l.rules, &mf.rules),
        (l.rules_sha256, &mf.rules_sha256),
        (l.solver, &mf.solver),
    ] {
        r += 1;
        ws.write_string_with_format(r, 0, k, &f.text)?;
        ws.write_string(r, 1, v)?;
    }
    for (file, hash) in &mf.inputs_sha256 {
        r += 1;
        ws.write_string_with_format(r, 0, format!("{}: {file}", l.input_file), &f.text)?;
        ws.write_string(r, 1, hash)?;
    }

    Ok(ws)
}

fn groups(
    doc: &ProposalDocument,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let m = fmt::million_f64;
    let list: Vec<_> = doc.groups.iter().filter(|g| g.rows > 0).collect();
    let cols = [
        (l.group, 34.0),
        (l.rows, 10.0),
        (l.plan, 16.0),
        (l.disbursed, 16.0),
        (l.rate, 12.0),
        (l.releasable, 16.0),
        (l.released, 16.0),
        (l.remedy, 60.0),
    ];
    let mut ws = data_sheet(name, &cols, None, list.len(), f)?;
    for (i, g) in list.iter().enumerate() {
        let r = i as u32 + 1;
        let (label, remedy) =
            if lang == Lang::Vi { (&g.label_vi, &g.remedy_vi) } else { (&g.label_en, &g.remedy_en) };
        ws.write_string_with_format(r, 0, label, &f.text)?;
        ws.write_number_with_format(r, 1, g.rows as f64, &f.int)?;
        ws.write_number_with_format(r, 2, m(g.plan_vnd), &f.amount)?;
        ws.write_number_with_format(r, 3, m(g.disbursed_vnd), &f.amount)?;
        ws.write_number_with_format(r, 4, g.rate, &f.rate)?;
        ws.write_number_with_format(r, 5, m(g.releasable_vnd), &f.amount)?;
        ws.write_number_with_format(r, 6, m(g.released_vnd), &f.amount)?;
        ws.write_string_with_format(r, 7, remedy, &f.text)?;
        fit_row(&mut ws, r, &cols, &[(0, label), (7, remedy)])?;
    }
    if !list.is_empty() {
        let last = list.len() as u32;
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name(l.chart_groups);
        for (col, series, colour) in [
            (2u16, l.legend_plan, 0xC9D6E3),
            (3, l.legend_disbursed, 0x4A7FB5),
            (6, l.legend_released, 0xC0392B),
        ] {
            chart
                .add_series()
                .set_name(series)
                .set_categories((name, 1, 0, last, 0))
                .set_values((name, 1, col, last, col))
                .set_format(&mut fill(colour));
        }
        // In a bar chart the vertical axis holds the categories: list the groups top-down.
        chart.y_axis().set_reverse();
        chart.x_axis().set_num_format("#,##0");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(720).set_height(80 + 60 * last.min(12));
        ws.insert_chart(last + 3, 0, &chart)?;
    }
    Ok(ws)
}

fn donors(
    doc: &ProposalDocument,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let list: Vec<_> = doc.donors().collect();
    let w = submission::words(lang);
    let cols = [
        (w.col_id, 12.0),
        (w.col_name, 44.0),
        (l.investor, 26.0),
        (l.locality, 16.0),
        (l.source, 12.0),
        (l.plan, 15.0),
        (l.disbursed, 15.0),
        (l.rate, 10.0),
        (l.groups, 24.0),
        (w.col_cut, 15.0),
        (w.col_after, 15.0),
        (l.reason, 50.0),
    ];
    use Col::{Amount, Rate, Text};
    let kinds = [Text, Text, Text, Text, Text, Amount, Amount, Rate, Text, Amount, Amount, Text];
    let mut ws = data_sheet(name, &cols, Some(&kinds), list.len(), f)?;
    for (i, p) in list.iter().enumerate() {
        let r = i as u32 + 1;
        let groups = p
            .groups
            .iter()
            .map(|id| match doc.groups.iter().find(|g| *g.id == **id) {
                Some(g) if lang == Lang::Vi => g.label_vi.clone(),
                Some(g) => g.label_en.clone(),
                None => id.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        // The column formats apply.
        ws.write_string(r, 0, &*p.id)?;
        ws.write_string(r, 1, &*p.name)?;
        ws.write_string(r, 2, &*p.investor)?;
        ws.write_string(r, 3, &*p.locality)?;
        ws.write_string(r, 4, p.source.code())?;
        col_amount(&mut ws, r, 5, p.plan_vnd, f)?;
        col_amount(&mut ws, r, 6, p.disbursed_vnd, f)?;
        ws.write_number(r, 7, fmt_rate(p.disbursed_vnd, p.plan_vnd))?;
        ws.write_string(r, 8, &groups)?;
        col_amount(&mut ws, r, 9, p.change_vnd.saturating_neg(), f)?;
        col_amount(&mut ws, r, 10, p.new_plan_vnd, f)?;
        ws.write_string(r, 11, &*p.reason)?;
        fit_row(
            &mut ws,
            r,
            &cols,
            &[(1, &p.name), (2, &p.investor), (3, &p.locality), (8, &groups), (11, &p.reason)],
        )?;
    }
    Ok(ws)
}

fn recipients(
    doc: &ProposalDocument,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let list: Vec<_> = doc.recipients().collect();
    let w = submission::words(lang);
    let cols = [
        (w.col_id, 12.0),
        (w.col_name, 44.0),
        (l.investor, 26.0),
        (l.locality, 16.0),
        (l.source, 12.0),
        (l.priority, 34.0),
        (l.plan, 15.0),
        (w.col_add, 15.0),
        (w.col_after, 15.0),
        (l.reason, 50.0),
    ];
    use Col::{Amount, Text};
    let kinds = [Text, Text, Text, Text, Text, Text, Amount, Amount, Amount, Text];
    let mut ws = data_sheet(name, &cols, Some(&kinds), list.len(), f)?;
    for (i, p) in list.iter().enumerate() {
        let r = i as u32 + 1;
        // The column formats apply.
        ws.write_string(r, 0, &*p.id)?;
        ws.write_string(r, 1, &*p.name)?;
        ws.write_string(r, 2, &*p.investor)?;
        ws.write_string(r, 3, &*p.locality)?;
        ws.write_string(r, 4, p.source.code())?;
        ws.write_string(r, 5, text::priority(p.priority, lang))?;
        col_amount(&mut ws, r, 6, p.plan_vnd, f)?;
        col_amount(&mut ws, r, 7, p.change_vnd, f)?;
        col_amount(&mut ws, r, 8, p.new_plan_vnd, f)?;
        ws.write_string(r, 9, &*p.reason)?;
        let tier = text::priority(p.priority, lang);
        fit_row(
            &mut ws,
            r,
            &cols,
            &[(1, &p.name), (2, &p.investor), (3, &p.locality), (5, &tier), (9, &p.reason)],
        )?;
    }
    Ok(ws)
}

fn transfers(
    doc: &ProposalDocument,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let w = submission::words(lang);
    let cols = [
        (l.source, 12.0),
        (l.from, 14.0),
        (w.col_name, 44.0),
        (l.to_project, 14.0),
        (w.col_name, 44.0),
        (l.amount, 16.0),
        (l.authority, 20.0),
    ];
    use Col::{Amount, Text};
    let kinds = [Text, Text, Text, Text, Text, Amount, Text];
    let mut ws = data_sheet(name, &cols, Some(&kinds), doc.transfers.len(), f)?;
    let index = doc.project_index();
    let project_name = |id: &str, src| index.get(&(id, src)).map_or("", |p| &*p.name);
    for (i, t) in doc.transfers.iter().enumerate() {
        let r = i as u32 + 1;
        // The column formats apply.
        ws.write_string(r, 0, t.source.code())?;
        let (from, to) = (project_name(&t.from, t.source), project_name(&t.to, t.source));
        ws.write_string(r, 1, &*t.from)?;
        ws.write_string(r, 2, from)?;
        ws.write_string(r, 3, &*t.to)?;
        ws.write_string(r, 4, to)?;
        fit_row(&mut ws, r, &cols, &[(2, from), (4, to)])?;
        col_amount(&mut ws, r, 5, t.amount_vnd, f)?;
        ws.write_string(r, 6, t.authority.as_str())?;
    }
    Ok(ws)
}

/// A key figure of the risk sheet: a value before and one after the proposal, or one for the run
/// (a number or a text) across both columns.
enum Figure<'a> {
    Pair(f64, f64, &'a Format),
    One(f64, &'a Format),
    Text(String),
}

/// The risk annex: its key figures before and after the proposal under a frozen header, then the
/// table by capital source with the province's line in bold, then the method. Probabilities, their
/// standard errors and rates are fractions (format `0.0%`); amounts are in million VND.
fn risk_sheet(
    r: &RiskReport,
    lang: Lang,
    l: &Labels,
    f: &Formats,
    name: &str,
) -> Result<Worksheet, XlsxError> {
    let w = risk::words(lang);
    let m = fmt::million_f64;
    let cols = [
        (w.source, 50.0),
        (l.plan, 18.0),
        (w.point_before, 18.0),
        (w.prob_before, 14.0),
        (w.std_error_before, 14.0),
        (w.point_after, 14.0),
        (w.prob_after, 14.0),
        (w.std_error_after, 14.0),
        (w.p05_after, 14.0),
        (w.p95_after, 14.0),
    ];
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_landscape();
    for (c, (_, width)) in cols.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
    }
    header(&mut ws, 0, &[(l.item, cols[0].1), (l.before, cols[1].1), (l.after, cols[2].1)], f)?;
    ws.set_freeze_panes(1, 0)?;

    let (c, o) = (&r.central, &r.overall);
    let figures = [
        (w.target, Figure::One(r.target, &f.rate)),
        (w.reach_overall, Figure::Pair(o.probability_before, o.probability_after, &f.rate)),
        (w.std_error, Figure::Pair(o.std_error_before, o.std_error_after, &f.rate)),
        (w.central_expected, Figure::Pair(m(c.expected_before_vnd), m(c.expected_after_vnd), &f.amount)),
        (w.central_p95, Figure::Pair(m(c.p95_before_vnd), m(c.p95_after_vnd), &f.amount)),
        (w.draws, Figure::One(f64::from(r.draws), &f.int)),
        // Text, so that any u64 shows exactly.
        (w.seed, Figure::Text(r.seed.to_string())),
        (w.correlation, Figure::One(r.correlation, &f.share)),
        (w.spread, Figure::Text(risk::spread_text(r, lang))),
        (l.unit, Figure::Text(String::new())),
    ];
    let mut row = 0;
    for (label, figure) in &figures {
        row += 1;
        ws.write_string_with_format(row, 0, *label, &f.text)?;
        match figure {
            Figure::Pair(before, after, format) => {
                ws.write_number_with_format(row, 1, *before, format)?;
                ws.write_number_with_format(row, 2, *after, format)?;
            }
            Figure::One(v, format) => {
                ws.merge_range(row, 1, row, 2, "", format)?;
                ws.write_number_with_format(row, 1, *v, format)?;
            }
            Figure::Text(t) => {
                ws.merge_range(row, 1, row, 2, t, &f.text)?;
            }
        }
        fit_row(&mut ws, row, &cols, &[(0, label)])?;
    }

    // By capital source, the province last.
    row += 2;
    ws.write_string_with_format(row, 0, l.by_source, &f.title)?;
    row += 1;
    for (c, (name, _)) in cols.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *name, &f.head)?;
    }
    ws.set_row_height(row, 32)?;
    for line in r.sources.iter().chain([&r.overall]) {
        row += 1;
        let (text, amount, rate) = if line.source.is_none() {
            (&f.bold, &f.bold_amount, &f.bold_rate)
        } else {
            (&f.text, &f.amount, &f.rate)
        };
        let name = risk::line_name(line, lang);
        ws.write_string_with_format(row, 0, &name, text)?;
        ws.write_number_with_format(row, 1, m(line.plan_vnd), amount)?;
        let rates = [
            line.point_rate_before,
            line.probability_before,
            line.std_error_before,
            line.point_rate_after,
            line.probability_after,
            line.std_error_after,
            line.p05_rate_after,
            line.p95_rate_after,
        ];
        for (c, v) in rates.into_iter().enumerate() {
            ws.write_number_with_format(row, c as u16 + 2, v, rate)?;
        }
        fit_row(&mut ws, row, &cols, &[(0, &name)])?;
    }

    // The method, across the table.
    row += 2;
    ws.merge_range(row, 0, row, (cols.len() - 1) as u16, w.note, &f.text)?;
    let width: f64 = cols.iter().map(|(_, w)| w).sum();
    fit_row(&mut ws, row, &[("", width)], &[(0, w.note)])?;
    Ok(ws)
}
