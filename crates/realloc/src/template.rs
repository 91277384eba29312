//! The Excel input template: a workbook with the sheets `projects` and `disbursements` that the loader
//! reads, their headers, data validation for the codes, amounts, percentages and years, and a
//! `notes` sheet explaining each column. Given a scenario it also holds that scenario's rows, which
//! turns a CSV scenario into a workbook the loader reads back to the đồng.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet, XlsxError,
};

use crate::domain::Obstacle;
use crate::load::headers::{HISTORY_ALIASES, PROJECT_ALIASES};
use crate::load::xlsx::{HISTORY_SHEETS, PROJECTS_SHEETS};
use crate::money::{DONG_PER_MILLION, Money};
use crate::report::{Lang, RenderError};
use crate::scenario::Scenario;

/// The notes sheet's name.
pub const NOTES_SHEET: &str = "notes";

/// Data rows given validation in an empty template (a province has a few hundred rows).
pub const VALIDATED_ROWS: u32 = 5000;

/// A column name and its Vietnamese headers.
type Alias = (&'static str, &'static [&'static str]);
/// A column's kind, meaning in Vietnamese and English, and an example.
type Note = (Kind, &'static str, &'static str, &'static str);

/// What a column holds, for its validation, cell format and note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Free text (kept as text: a code `001` stays `001`).
    Text,
    /// One code of a list.
    Code(&'static [&'static str]),
    /// `true` or `false`.
    Bool,
    /// Million VND, at most 3 decimals.
    Amount,
    /// A percentage 0–100.
    Pct,
    /// A year.
    Year,
    /// Obstacle codes separated by `;`.
    Obstacles,
    /// A month `YYYY-MM`, kept as text.
    Month,
}

const SOURCES: [&str; 8] =
    ["NSTW", "NSTW_ODA", "CTMTQG_NTM", "CTMTQG_GNBV", "CTMTQG_DTTS", "NSDP", "NSDP_TSDD", "XSKT"];
const GROUPS: [&str; 3] = ["A", "B", "C"];
const STATUSES: [&str; 8] =
    ["new", "ongoing", "completed", "prep", "Khởi công mới", "Chuyển tiếp", "Hoàn thành", "Chuẩn bị đầu tư"];

/// Each column of `projects`: kind, meaning in Vietnamese and English, an example.
const PROJECT_NOTES: [(Kind, &str, &str, &str); 20] = [
    (Kind::Text, "Mã dự án (khóa cùng nguồn vốn)", "project code (key together with source)", "DA-001"),
    (Kind::Text, "Tên dự án", "project name", "Đường tỉnh 241, đoạn Km0-Km12"),
    (Kind::Text, "Chủ đầu tư", "investor (chủ đầu tư)", "Ban QLDA Giao thông"),
    (
        Kind::Text,
        "Xã, phường; \"Toàn tỉnh\" nếu toàn tỉnh",
        "commune or ward; \"Toàn tỉnh\" if province-wide",
        "Phường Kỳ Lừa",
    ),
    (Kind::Text, "Lĩnh vực", "sector", "giao thông"),
    (
        Kind::Code(&SOURCES),
        "Mã nguồn vốn; vốn chỉ điều chuyển trong cùng nguồn",
        "capital source code; capital moves only within a source",
        "NSTW",
    ),
    (Kind::Code(&GROUPS), "Nhóm dự án A, B, C", "project group A, B or C", "B"),
    (
        Kind::Code(&STATUSES),
        "new: khởi công mới; ongoing: chuyển tiếp; completed: đã hoàn thành, bàn giao chưa bố trí đủ vốn; prep: chuẩn bị đầu tư",
        "new, ongoing, completed (handed over, not fully funded) or prep (preparation)",
        "ongoing",
    ),
    (Kind::Bool, "Dự án trọng điểm: true/false", "key project: true/false", "false"),
    (Kind::Amount, "Tổng mức đầu tư, triệu đồng", "total investment, million VND", "120000"),
    (
        Kind::Amount,
        "Lũy kế vốn đã bố trí các năm trước, triệu đồng",
        "capital allocated in earlier years, million VND",
        "60000",
    ),
    (
        Kind::Amount,
        "Kế hoạch vốn năm của nguồn này, triệu đồng",
        "this year's plan for this source, million VND",
        "30000",
    ),
    (
        Kind::Amount,
        "Giải ngân lũy kế đến ngày số liệu, triệu đồng; không vượt kế hoạch",
        "disbursed to date, million VND; not above the plan",
        "12000.5",
    ),
    (
        Kind::Amount,
        "Khối lượng hoàn thành chưa thanh toán, triệu đồng",
        "completed work not yet paid, million VND",
        "2000",
    ),
    (
        Kind::Pct,
        "Tỷ lệ mặt bằng đã bàn giao, 0–100; để trống nếu không có GPMB",
        "share of the site handed over, 0–100; empty if not applicable",
        "85.5",
    ),
    (Kind::Pct, "Tiến độ thực hiện, 0–100", "physical progress, 0–100", "55"),
    (Kind::Year, "Năm khởi công", "start year", "2023"),
    (Kind::Year, "Năm hoàn thành", "end year", "2026"),
    (
        Kind::Obstacles,
        "Mã vướng mắc, cách nhau bởi dấu ;",
        "obstacle codes separated by ';'",
        "land;contractor",
    ),
    (
        Kind::Bool,
        "Giữ nguyên kế hoạch (không điều chuyển): true/false",
        "allocation must not change: true/false",
        "false",
    ),
];

/// Each column of `disbursements`.
const HISTORY_NOTES: [(Kind, &str, &str, &str); 4] = [
    (Kind::Text, "Mã dự án, như ở sheet projects", "project code, as on the projects sheet", "DA-001"),
    (
        Kind::Code(&SOURCES),
        "Mã nguồn vốn, như ở sheet projects",
        "capital source code, as on the projects sheet",
        "NSTW",
    ),
    (
        Kind::Month,
        "Tháng YYYY-MM (nhập dạng văn bản hoặc ngày)",
        "month YYYY-MM (as text or a date)",
        "2025-03",
    ),
    (Kind::Amount, "Giải ngân trong tháng, triệu đồng", "disbursed in the month, million VND", "1200.5"),
];

struct Formats {
    head: Format,
    text: Format,
    amount: Format,
    number: Format,
    wrap: Format,
    title: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            head: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xE8EDF3)),
            text: Format::new().set_num_format("@"),
            amount: Format::new().set_num_format("#,##0.000"),
            number: Format::new(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            title: Format::new().set_bold().set_font_size(13),
        }
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Text | Kind::Code(_) | Kind::Bool | Kind::Obstacles | Kind::Month => &self.text,
            Kind::Amount => &self.amount,
            Kind::Pct | Kind::Year => &self.number,
        }
    }
}

/// The header of a column in `lang`: the first Vietnamese alias, or the English name.
fn header(aliases: &[(&'static str, &'static [&'static str])], i: usize, lang: Lang) -> &'static str {
    let (name, vi) = aliases[i];
    match (lang, vi.first()) {
        (Lang::Vi, Some(v)) => v,
        _ => name,
    }
}

fn validation(kind: Kind, lang: Lang) -> Result<Option<DataValidation>, XlsxError> {
    let vi = lang == Lang::Vi;
    let v = match kind {
        Kind::Text | Kind::Month => return Ok(None),
        Kind::Code(list) => DataValidation::new().allow_list_strings(list)?,
        Kind::Bool => DataValidation::new().allow_list_strings(&["true", "false", "Có", "Không"])?,
        Kind::Amount => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, Money::MAX_INPUT.million_f64()))
            .set_error_title(if vi { "Số tiền" } else { "Amount" })?
            .set_error_message(if vi {
                "Số tiền triệu đồng, không âm, tối đa 3 chữ số thập phân."
            } else {
                "An amount in million VND, zero or more, at most 3 decimals."
            })?,
        Kind::Pct => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
            .set_error_message(if vi {
                "Tỷ lệ từ 0 đến 100."
            } else {
                "A percentage from 0 to 100."
            })?,
        Kind::Year => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(1900, 2200))
            .set_error_message(if vi { "Năm, ví dụ 2025." } else { "A year such as 2025." })?,
        Kind::Obstacles => DataValidation::new()
            .allow_any_value()
            .set_input_title(if vi { "Vướng mắc" } else { "Obstacles" })?
            .set_input_message(format!(
                "{}: {}",
                if vi { "Mã, cách nhau bởi ;" } else { "Codes separated by ;" },
                Obstacle::ALL
                    .iter()
                    .map(|o| {
                        match crate::domain::INPUT_LABELS
                            .iter()
                            .find(|(w, c, _)| *w == "obstacle code" && *c == o.code())
                        {
                            Some((_, _, label)) => format!("{} ({label})", o.code()),
                            None => o.code().to_owned(),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            ))?,
    };
    Ok(Some(v.set_error_style(DataValidationErrorStyle::Stop)))
}

/// A data sheet with its header, column formats and validation over `rows` data rows.
fn data_sheet(
    name: &str,
    aliases: &[(&'static str, &'static [&'static str])],
    notes: &[(Kind, &str, &str, &str)],
    rows: u32,
    lang: Lang,
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    for (c, (kind, ..)) in notes.iter().enumerate() {
        let col = c as u16;
        let head = header(aliases, c, lang);
        ws.write_string_with_format(0, col, head, &f.head)?;
        let width = match kind {
            Kind::Text if c == 1 => 40.0,
            Kind::Text => 22.0,
            Kind::Amount => 16.0,
            Kind::Obstacles => 20.0,
            _ => 12.0,
        };
        ws.set_column_width(col, width)?;
        ws.set_column_format(col, f.of(*kind))?;
        if let Some(v) = validation(*kind, lang)? {
            ws.add_data_validation(1, col, rows.max(1), col, &v)?;
        }
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// An amount as the number of million VND a cell holds (exact to the thousand đồng, the input
/// precision: the shortest decimal of the float is the amount's text).
fn amount_cell(m: Money) -> f64 {
    m.dong() as f64 / DONG_PER_MILLION as f64
}

fn notes_sheet(lang: Lang, f: &Formats) -> Result<Worksheet, XlsxError> {
    let vi = lang == Lang::Vi;
    let mut ws = Worksheet::new();
    ws.set_name(NOTES_SHEET)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 24)?;
    ws.set_column_width(2, 24)?;
    ws.set_column_width(3, 60)?;
    ws.set_column_width(4, 34)?;
    ws.set_column_width(5, 20)?;
    let general: &[&str] = if vi {
        &[
            "Hướng dẫn nhập số liệu cho realloc",
            "Sheet `projects` (hoặc `Dự án`): mỗi dòng là một dự án và một nguồn vốn. Sheet `disbursements` (hoặc `Giải ngân`, không bắt buộc): giải ngân từng tháng.",
            "Tiêu đề cột có thể viết bằng tiếng Việt hoặc tiếng Anh (cột B hoặc C dưới đây), có hoặc không dấu.",
            "Số tiền tính bằng triệu đồng, tối đa 3 chữ số thập phân (7209.438 là 7.209.438.000 đồng). Ô số hoặc ô văn bản đều được; văn bản dùng dấu chấm thập phân, không dùng dấu phân cách hàng nghìn.",
            "Tỷ lệ là số từ 0 đến 100 (nhập 62.5, không nhập 62,5% dạng phần trăm của Excel).",
            "Ô lỗi công thức (#VALUE!, #REF!...) và ô ngày tháng trong cột số tiền bị từ chối, báo rõ sheet, dòng và cột.",
        ]
    } else {
        &[
            "How to fill in the data for realloc",
            "Sheet `projects` (or `Dự án`): one row per project and capital source. Sheet `disbursements` (or `Giải ngân`, optional): the monthly disbursement.",
            "Headers may be the Vietnamese or the English names (columns B or C below), with or without diacritics.",
            "Amounts are million VND with at most 3 decimals (7209.438 is 7,209,438,000 đồng), as number cells or as text with a '.' decimal point and no thousands separator.",
            "Percentages are numbers from 0 to 100 (type 62.5, not an Excel percent cell 62.5%).",
            "Formula error cells (#VALUE!, #REF!...) and date cells in amount columns are refused, naming the sheet, row and column.",
        ]
    };
    let mut row = 0u32;
    for (i, line) in general.iter().enumerate() {
        ws.write_string_with_format(row, 0, *line, if i == 0 { &f.title } else { &f.number })?;
        row += 1;
    }
    row += 1;
    let head: [&str; 6] = if vi {
        ["Sheet", "Tiêu đề (tiếng Việt)", "Tiêu đề (tiếng Anh)", "Ý nghĩa", "Giá trị hợp lệ", "Ví dụ"]
    } else {
        ["Sheet", "Vietnamese header", "English header", "Meaning", "Accepted values", "Example"]
    };
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.head)?;
    }
    row += 1;
    let tables: [(&str, &[Alias], &[Note]); 2] = [
        (PROJECTS_SHEETS[0], &PROJECT_ALIASES, &PROJECT_NOTES),
        (HISTORY_SHEETS[0], &HISTORY_ALIASES, &HISTORY_NOTES),
    ];
    for (sheet, aliases, notes) in tables {
        for (c, (kind, mean_vi, mean_en, example)) in notes.iter().enumerate() {
            let (name, vis) = aliases[c];
            let accepted = match kind {
                Kind::Text => (if vi { "văn bản" } else { "text" }).to_owned(),
                Kind::Code(list) => list.join(", "),
                Kind::Bool => "true, false".to_owned(),
                Kind::Amount => (if vi {
                    "số ≥ 0, tối đa 3 chữ số thập phân"
                } else {
                    "number ≥ 0, at most 3 decimals"
                })
                .to_owned(),
                Kind::Pct => "0–100".to_owned(),
                Kind::Year => "1900–2200".to_owned(),
                Kind::Obstacles => Obstacle::ALL.iter().map(|o| o.code()).collect::<Vec<_>>().join("; "),
                Kind::Month => "YYYY-MM".to_owned(),
            };
            ws.write_string_with_format(row, 0, sheet, &f.wrap)?;
            ws.write_string_with_format(row, 1, vis.join(" / "), &f.wrap)?;
            ws.write_string_with_format(row, 2, name, &f.wrap)?;
            ws.write_string_with_format(row, 3, if vi { *mean_vi } else { *mean_en }, &f.wrap)?;
            ws.write_string_with_format(row, 4, accepted, &f.wrap)?;
            ws.write_string_with_format(row, 5, *example, &f.wrap)?;
            row += 1;
        }
    }
    Ok(ws)
}

/// The input workbook: sheets `projects`, `disbursements` and `notes`, headers in `lang`. With a
/// scenario, its rows (and monthly history, months up to `as_of`) fill the data sheets; without, the
/// data sheets are empty with validation over [`VALIDATED_ROWS`] rows.
pub fn workbook(lang: Lang, data: Option<&Scenario>) -> Result<Vec<u8>, RenderError> {
    Ok(build(lang, data)?)
}

fn build(lang: Lang, data: Option<&Scenario>) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let rows = data.map_or(VALIDATED_ROWS, |s| (s.portfolio.len() as u32).max(VALIDATED_ROWS));
    let mut projects = data_sheet(PROJECTS_SHEETS[0], &PROJECT_ALIASES, &PROJECT_NOTES, rows, lang, &f)?;
    let mut history_rows = 0u32;
    let mut history = Worksheet::new();
    if let Some(s) = data {
        for (i, p) in s.portfolio.rows().iter().enumerate() {
            let r = i as u32 + 1;
            let texts: [(u16, &str); 5] =
                [(0, &p.id), (1, &p.name), (2, &p.investor), (3, &p.locality), (4, &p.sector)];
            for (c, t) in texts {
                projects.write_string(r, c, t)?;
            }
            projects.write_string(r, 5, p.source.code())?;
            projects.write_string(r, 6, p.group.code())?;
            projects.write_string(r, 7, p.status.code())?;
            projects.write_boolean(r, 8, p.key_project)?;
            let amounts = [p.total_investment, p.allocated_before, p.plan, p.disbursed, p.unpaid_volume];
            for (c, m) in (9u16..).zip(amounts) {
                projects.write_number_with_format(r, c, amount_cell(m), &f.amount)?;
            }
            if let Some(pct) = p.site_clearance_pct {
                projects.write_number(r, 14, pct)?;
            }
            projects.write_number(r, 15, p.physical_progress_pct)?;
            projects.write_number(r, 16, f64::from(p.start_year))?;
            projects.write_number(r, 17, f64::from(p.end_year))?;
            projects.write_string(r, 18, p.obstacles.to_codes())?;
            projects.write_boolean(r, 19, p.locked)?;
        }
        if let Some(h) = &s.history {
            let last = last_month(s);
            let mut lines = Vec::new();
            for (row, p) in s.portfolio.rows().iter().enumerate() {
                for m in 1..=last {
                    let amount = h.months.get(row).map_or(Money::ZERO, |ms| ms[(m - 1) as usize]);
                    lines.push((p, m, amount));
                }
            }
            history_rows = lines.len() as u32;
            history =
                data_sheet(HISTORY_SHEETS[0], &HISTORY_ALIASES, &HISTORY_NOTES, history_rows, lang, &f)?;
            for (i, (p, m, amount)) in lines.into_iter().enumerate() {
                let r = i as u32 + 1;
                history.write_string(r, 0, p.id.as_str())?;
                history.write_string(r, 1, p.source.code())?;
                history.write_string(r, 2, format!("{}-{m:02}", s.meta.fiscal_year))?;
                history.write_number_with_format(r, 3, amount_cell(amount), &f.amount)?;
            }
        }
    }
    if history_rows == 0 {
        history =
            data_sheet(HISTORY_SHEETS[0], &HISTORY_ALIASES, &HISTORY_NOTES, VALIDATED_ROWS * 12, lang, &f)?;
    }
    let mut wb = Workbook::new();
    wb.push_worksheet(projects);
    if data.is_none_or(|s| s.history.is_some()) {
        wb.push_worksheet(history);
    }
    wb.push_worksheet(notes_sheet(lang, &f)?);
    wb.save_to_buffer()
}

/// The last month of the plan year the history counts (as the loader does).
fn last_month(s: &Scenario) -> u32 {
    use chrono::Datelike;
    if s.meta.as_of.year() > s.meta.fiscal_year {
        12
    } else if s.meta.as_of.year() < s.meta.fiscal_year {
        0
    } else {
        s.meta.as_of.month()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ProjectGroup, Source, Status};

    #[test]
    fn the_notes_cover_every_column_in_order() {
        assert_eq!(PROJECT_NOTES.len(), crate::load::PROJECT_COLUMNS.len());
        for (i, (name, _)) in PROJECT_ALIASES.iter().enumerate() {
            assert_eq!(*name, crate::load::PROJECT_COLUMNS[i]);
        }
        assert_eq!(SOURCES.len(), Source::ALL.len());
        for (a, b) in SOURCES.iter().zip(Source::ALL) {
            assert_eq!(*a, b.code());
        }
        assert_eq!(GROUPS.to_vec(), ProjectGroup::ALL.iter().map(|g| g.code()).collect::<Vec<_>>());
        // The codes, then the Vietnamese labels the list offers, each read back as its status.
        assert_eq!(STATUSES[..4].to_vec(), Status::ALL.iter().map(|s| s.code()).collect::<Vec<_>>());
        for (label, status) in STATUSES[4..].iter().zip(Status::ALL) {
            assert_eq!(label.parse::<Status>().ok(), Some(*status), "{label}");
        }
    }

    #[test]
    fn amounts_are_the_nearest_float_of_their_text() {
        let m = Money::parse_million("7209.438").unwrap_or(Money::ZERO);
        assert_eq!(format!("{}", amount_cell(m)), "7209.438");
        let big = Money::parse_million("999999999.999").unwrap_or(Money::ZERO);
        assert_eq!(format!("{}", amount_cell(big)), "999999999.999");
    }
}
