//! The Excel input template: a workbook with the sheets `projects`, `disbursements` and `pipeline`
//! that the loader reads, their headers (the optional version-2 columns of `projects` included), data
//! validation for the codes, amounts, percentages and years (the category as a list of its Vietnamese
//! labels in the Vietnamese template), a `notes` sheet explaining each column and a hidden `lists`
//! sheet holding the category labels, and a settings sheet (`Thiết lập`, or `settings` in English)
//! holding what `scenario.toml` holds, so that the workbook alone is a scenario. Given a scenario it
//! also holds that scenario's rows, pipeline and settings, which turns a CSV scenario into a workbook
//! the loader reads back to the đồng.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet, XlsxError,
};

use crate::domain::{Category, Obstacle};
use crate::load::headers::{HISTORY_ALIASES, PIPELINE_ALIASES, PROJECT_ALIASES};
use crate::load::xlsx::{HISTORY_SHEETS, PROJECTS_SHEETS};
use crate::load::{PIPELINE_SHEETS, PROJECT_COLUMNS, SETTINGS, SETTINGS_SHEETS, SettingKind, setting_value};
use crate::money::{DONG_PER_MILLION, Money};
use crate::report::{Lang, RenderError};
use crate::scenario::{Scenario, ScenarioMeta};

/// The notes sheet's name.
pub const NOTES_SHEET: &str = "notes";

/// The hidden sheet holding the lists the validation offers (the category labels).
pub const LISTS_SHEET: &str = "lists";

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
    /// Million VND, signed (the investor's request).
    Signed,
    /// A category: a code, or its Vietnamese label.
    Category,
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
const PROJECT_NOTES: [(Kind, &str, &str, &str); 27] = [
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
    (
        Kind::Category,
        "Không bắt buộc. Loại vốn khi không phải dự án thông thường (chọn trong danh sách); để trống nếu là dự án thông thường",
        "optional. The kind of capital use when the row is not an ordinary project (from the list); empty for an ordinary project",
        "Vốn đối ứng dự án ODA",
    ),
    (
        Kind::Amount,
        "Không bắt buộc. Kế hoạch đầu tư công trung hạn còn lại sau số vốn đã bố trí (kể cả kế hoạch năm nay), triệu đồng; số vốn bổ sung không vượt số này",
        "optional. What the approved medium-term plan still holds beyond the capital allocated so far (this year's plan included), million VND; an addition never exceeds it",
        "25000",
    ),
    (
        Kind::Signed,
        "Không bắt buộc. Văn bản đề nghị của chủ đầu tư, triệu đồng: số âm là đề nghị giảm (trả lại vốn), số dương là đề nghị bổ sung, 0 là đề nghị giữ nguyên",
        "optional. The investor's written request, million VND: negative offers capital back, positive asks for more, 0 asks to keep the plan",
        "-1500",
    ),
    (
        Kind::Text,
        "Không bắt buộc. Mã hiệp định vay của dự án ODA (dòng NSTW_ODA và dòng vốn đối ứng)",
        "optional. The loan agreement code of an ODA project (NSTW_ODA rows and their counterpart rows)",
        "WB 5749-VN",
    ),
    (
        Kind::Year,
        "Không bắt buộc. Năm cuối được bố trí vốn theo quyết định gia hạn thời gian bố trí vốn",
        "optional. The last year capital may be allocated, as extended by the competent authority",
        "2026",
    ),
    (
        Kind::Text,
        "Không bắt buộc. Quyết định đầu tư (số, ngày), in trong phụ lục",
        "optional. The investment decision (number, date), shown in the appendices",
        "2345/QĐ-UBND ngày 15/10/2021",
    ),
    (
        Kind::Text,
        "Không bắt buộc. Lý do giữ nguyên kế hoạch của dòng được khóa",
        "optional. Why a locked row must not change",
        "giữ nguyên theo chỉ đạo của Chủ tịch UBND tỉnh",
    ),
];

/// Each column of `pipeline`.
const PIPELINE_NOTES: [(Kind, &str, &str, &str); 12] = [
    (
        Kind::Text,
        "Mã dự án (chưa có trong sheet projects với cùng nguồn vốn)",
        "project code (not on the projects sheet with the same source)",
        "DA-101",
    ),
    (Kind::Text, "Tên dự án", "project name", "Trường Tiểu học Tân Đoàn"),
    (Kind::Text, "Chủ đầu tư", "investor (chủ đầu tư)", "Sở Giáo dục và Đào tạo"),
    (
        Kind::Text,
        "Xã, phường; \"Toàn tỉnh\" nếu toàn tỉnh",
        "commune or ward; \"Toàn tỉnh\" if province-wide",
        "Xã Tân Đoàn",
    ),
    (Kind::Text, "Lĩnh vực", "sector", "giáo dục"),
    (Kind::Code(&SOURCES), "Nguồn vốn dự kiến bố trí", "the capital source it may receive from", "NSTW"),
    (Kind::Code(&GROUPS), "Nhóm dự án A, B, C", "project group A, B or C", "C"),
    (Kind::Amount, "Tổng mức đầu tư, triệu đồng", "total investment, million VND", "15000"),
    (
        Kind::Amount,
        "Kế hoạch trung hạn còn lại, triệu đồng",
        "room left in the medium-term plan, million VND",
        "12000",
    ),
    (
        Kind::Amount,
        "Số vốn sẵn sàng giải ngân trong năm, triệu đồng",
        "what the project is ready to disburse this year, million VND",
        "4000",
    ),
    (
        Kind::Text,
        "Quyết định đầu tư (số, ngày)",
        "the investment decision (number, date)",
        "512/QĐ-UBND ngày 20/12/2024",
    ),
    (Kind::Text, "Mã hiệp định vay, cho nguồn NSTW_ODA", "the loan agreement, for NSTW_ODA", "WB 5749-VN"),
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
            Kind::Text | Kind::Code(_) | Kind::Category | Kind::Bool | Kind::Obstacles | Kind::Month => {
                &self.text
            }
            Kind::Amount | Kind::Signed => &self.amount,
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
        // The labels hold commas, which a typed list cannot: the list is a range of the lists sheet.
        Kind::Category if vi => DataValidation::new()
            .allow_list_formula(format!("={LISTS_SHEET}!$A$1:$A${}", Category::ALL.len()).as_str().into()),
        Kind::Category => DataValidation::new()
            .allow_list_formula(format!("={LISTS_SHEET}!$B$1:$B${}", Category::ALL.len()).as_str().into()),
        Kind::Signed => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(
                -Money::MAX_INPUT.million_f64(),
                Money::MAX_INPUT.million_f64(),
            ))
            .set_error_message(if vi {
                "Số tiền triệu đồng: âm là đề nghị giảm, dương là đề nghị bổ sung."
            } else {
                "An amount in million VND: negative offers capital back, positive asks for more."
            })?,
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
            Kind::Amount | Kind::Signed => 16.0,
            Kind::Category => 30.0,
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
            "Sheet `projects` (hoặc `Dự án`): mỗi dòng là một dự án và một nguồn vốn; 7 cột cuối (Phân loại … Lý do giữ nguyên) không bắt buộc. Sheet `disbursements` (hoặc `Giải ngân`, không bắt buộc): giải ngân từng tháng. Sheet `pipeline` (hoặc `Danh mục dự án chuẩn bị`, không bắt buộc, khai báo `pipeline` trong scenario.toml): dự án đủ thủ tục, chưa có kế hoạch năm.",
            "Sheet `Thiết lập`: các thông tin của scenario.toml (năm kế hoạch, ngày số liệu, tỉnh, thông tin văn bản...), mỗi dòng một khóa; khi điền đủ, chính sổ này là một kịch bản: `realloc validate mau.xlsx`, `realloc propose mau.xlsx -o de-xuat.docx`.",
            "Tiêu đề cột có thể viết bằng tiếng Việt hoặc tiếng Anh (cột B hoặc C dưới đây), có hoặc không dấu.",
            "Số tiền tính bằng triệu đồng, tối đa 3 chữ số thập phân (7209.438 là 7.209.438.000 đồng). Nên nhập ô số. Ô văn bản theo `amount_format` của scenario.toml: \"dot\" (dấu chấm thập phân, không phân cách hàng nghìn) hoặc \"vi\" (1.234.567,8); không khai báo thì số như 30.000 bị từ chối vì có thể hiểu hai cách.",
            "Tỷ lệ là số từ 0 đến 100 (nhập 62.5, không nhập 62,5% dạng phần trăm của Excel).",
            "Ô lỗi công thức (#VALUE!, #REF!...) và ô ngày tháng trong cột số tiền bị từ chối, báo rõ sheet, dòng và cột.",
        ]
    } else {
        &[
            "How to fill in the data for realloc",
            "Sheet `projects` (or `Dự án`): one row per project and capital source; the last 7 columns (category … lock_reason) are optional. Sheet `disbursements` (or `Giải ngân`, optional): the monthly disbursement. Sheet `pipeline` (or `Danh mục dự án chuẩn bị`, optional, named by `pipeline` in scenario.toml): ready projects with no plan yet.",
            "Sheet `settings`: what scenario.toml holds (plan year, as-of date, province, document fields...), one key a row; once filled in, the workbook itself is a scenario: `realloc validate book.xlsx`, `realloc propose book.xlsx -o proposal.docx`.",
            "Headers may be the Vietnamese or the English names (columns B or C below), with or without diacritics.",
            "Amounts are million VND with at most 3 decimals (7209.438 is 7,209,438,000 đồng), best as number cells. Text cells follow `amount_format` in scenario.toml: \"dot\" (a '.' decimal point, no grouping) or \"vi\" (1.234.567,8); without it, text such as 30.000 is refused as ambiguous.",
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
    let tables: [(&str, &[Alias], &[Note]); 3] = [
        (PROJECTS_SHEETS[0], &PROJECT_ALIASES, &PROJECT_NOTES),
        (HISTORY_SHEETS[0], &HISTORY_ALIASES, &HISTORY_NOTES),
        (PIPELINE_SHEETS[0], &PIPELINE_ALIASES, &PIPELINE_NOTES),
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
                Kind::Signed => (if vi {
                    "số âm, 0 hoặc dương, tối đa 3 chữ số thập phân"
                } else {
                    "a negative, zero or positive number, at most 3 decimals"
                })
                .to_owned(),
                Kind::Category => Category::ALL
                    .iter()
                    .map(|c| format!("{} ({})", c.label_vi(), c.code()))
                    .collect::<Vec<_>>()
                    .join("; "),
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
            write_extra(&mut projects, r, p, lang, &f)?;
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
                history.write_string(r, 0, &*p.id)?;
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
    if data.is_none_or(|s| s.meta.pipeline.is_some()) {
        wb.push_worksheet(pipeline_sheet(lang, data, &f)?);
    }
    wb.push_worksheet(settings_sheet(lang, data.map(|s| &s.meta), &f)?);
    wb.push_worksheet(notes_sheet(lang, &f)?);
    wb.push_worksheet(lists_sheet()?);
    wb.save_to_buffer()
}

/// The settings sheet (`Thiết lập`, or `settings` in English): what `scenario.toml` holds, one key a
/// row (label, value, key), so that the workbook alone is a scenario. Filled from `meta` when given;
/// else only `amount_format` is set (`dot`, as every file the tool writes).
fn settings_sheet(lang: Lang, meta: Option<&ScenarioMeta>, f: &Formats) -> Result<Worksheet, XlsxError> {
    let vi = lang == Lang::Vi;
    let mut ws = Worksheet::new();
    ws.set_name(if vi { SETTINGS_SHEETS[0] } else { SETTINGS_SHEETS[1] })?;
    let head: [&str; 3] = if vi {
        ["Thiết lập", "Giá trị", "Khóa (scenario.toml)"]
    } else {
        ["Setting", "Value", "Key (scenario.toml)"]
    };
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.head)?;
    }
    ws.set_column_width(0, 60)?;
    ws.set_column_width(1, 40)?;
    ws.set_column_width(2, 24)?;
    ws.set_column_format(1, &f.text)?;
    for (i, (key, label_vi, label_en, kind)) in SETTINGS.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, if vi { *label_vi } else { *label_en }, &f.wrap)?;
        ws.write_string(r, 2, *key)?;
        match kind {
            SettingKind::Year => {
                if let Some(m) = meta {
                    ws.write_number_with_format(r, 1, f64::from(m.fiscal_year), &f.number)?;
                }
                let v = DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(1900, 2200))
                    .set_error_message(if vi { "Năm, ví dụ 2025." } else { "A year such as 2025." })?;
                ws.add_data_validation(r, 1, r, 1, &v)?;
            }
            SettingKind::Bool => {
                let (yes, no) = if vi { ("Có", "Không") } else { ("true", "false") };
                if let Some(m) = meta {
                    ws.write_string(r, 1, if m.local_budget_delegated { yes } else { no })?;
                }
                ws.add_data_validation(r, 1, r, 1, &DataValidation::new().allow_list_strings(&[yes, no])?)?;
            }
            _ => {
                let value = match meta {
                    Some(m) => setting_value(m, key),
                    None if *key == "amount_format" => Some("dot".to_owned()),
                    None => None,
                };
                if let Some(v) = value {
                    let format = if *kind == SettingKind::List { &f.wrap } else { &f.text };
                    ws.write_string_with_format(r, 1, v, format)?;
                }
                if *key == "amount_format" {
                    ws.add_data_validation(
                        r,
                        1,
                        r,
                        1,
                        &DataValidation::new().allow_list_strings(&["dot", "vi"])?,
                    )?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// The optional columns of a project row, after the version-1 columns.
fn write_extra(
    ws: &mut Worksheet,
    r: u32,
    p: &crate::domain::Project,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let at = PROJECT_COLUMNS.len() as u16;
    let e = &p.extra;
    if let Some(c) = e.category {
        ws.write_string(r, at, if lang == Lang::Vi { c.label_vi() } else { c.code() })?;
    }
    for (c, m) in [(at + 1, e.medium_term_room), (at + 2, e.requested_change)] {
        if let Some(m) = m {
            ws.write_number_with_format(r, c, amount_cell(m), &f.amount)?;
        }
    }
    if let Some(a) = &e.agreement {
        ws.write_string(r, at + 3, &**a)?;
    }
    if let Some(y) = e.extended_to {
        ws.write_number(r, at + 4, f64::from(y))?;
    }
    for (c, t) in [(at + 5, &e.decision), (at + 6, &e.lock_reason)] {
        if let Some(t) = t {
            ws.write_string(r, c, &**t)?;
        }
    }
    Ok(())
}

/// The pipeline sheet: a scenario's pipeline projects, or empty with validation.
fn pipeline_sheet(lang: Lang, data: Option<&Scenario>, f: &Formats) -> Result<Worksheet, XlsxError> {
    let rows = data.map_or(0, |s| s.pipeline.len());
    let validated = if data.is_some() { (rows as u32).max(1) } else { VALIDATED_ROWS };
    let mut ws = data_sheet(PIPELINE_SHEETS[0], &PIPELINE_ALIASES, &PIPELINE_NOTES, validated, lang, f)?;
    for (i, q) in data.map_or(&[][..], |s| &s.pipeline[..]).iter().enumerate() {
        let r = i as u32 + 1;
        let texts: [(u16, &str); 5] =
            [(0, &q.id), (1, &q.name), (2, &q.investor), (3, &q.locality), (4, &q.sector)];
        for (c, t) in texts {
            ws.write_string(r, c, t)?;
        }
        ws.write_string(r, 5, q.source.code())?;
        ws.write_string(r, 6, q.group.code())?;
        for (c, m) in (7u16..).zip([q.total_investment, q.medium_term_room, q.ready_amount]) {
            ws.write_number_with_format(r, c, amount_cell(m), &f.amount)?;
        }
        if let Some(d) = &q.decision {
            ws.write_string(r, 10, d.as_str())?;
        }
        if let Some(a) = &q.agreement {
            ws.write_string(r, 11, &**a)?;
        }
    }
    Ok(ws)
}

/// The hidden sheet of lists: the category labels in column A, their codes in column B.
fn lists_sheet() -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(LISTS_SHEET)?;
    for (i, c) in Category::ALL.iter().enumerate() {
        ws.write_string(i as u32, 0, c.label_vi())?;
        ws.write_string(i as u32, 1, c.code())?;
    }
    ws.set_hidden(true);
    Ok(ws)
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
        let columns: Vec<&str> =
            PROJECT_COLUMNS.iter().chain(&crate::load::PROJECT_OPTIONAL_COLUMNS).copied().collect();
        assert_eq!(PROJECT_NOTES.len(), columns.len());
        for (i, (name, _)) in PROJECT_ALIASES.iter().enumerate() {
            assert_eq!(*name, columns[i]);
        }
        assert_eq!(PIPELINE_NOTES.len(), crate::load::PIPELINE_COLUMNS.len());
        for (i, (name, _)) in PIPELINE_ALIASES.iter().enumerate() {
            assert_eq!(*name, crate::load::PIPELINE_COLUMNS[i]);
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
