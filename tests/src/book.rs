//! An Excel writer for the tests, independent of the library's template: writes a scenario as a
//! workbook the way a user's spreadsheet might look (Vietnamese headers under a title row, amounts as
//! number cells or numeric text, booleans as boolean cells, months as text or date cells), then
//! applies edits to single cells to make bad inputs.

use chrono::Datelike;
use realloc::money::Money;
use realloc::scenario::Scenario;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

/// A cell value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// A text cell.
    Text(String),
    /// A number cell.
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A formula whose cached result is this error (`#VALUE!`, `#REF!`, `#DIV/0!`...).
    Error(String),
    /// A date cell (YYYY-MM-DD) with a date format.
    Date(String),
    /// An empty cell.
    Empty,
}

/// Which data sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The projects sheet.
    Projects,
    /// The history sheet.
    History,
}

/// One cell to overwrite, by sheet row (1-based, as Excel shows it) and 0-based column.
#[derive(Clone, Debug)]
pub struct Edit {
    /// The sheet.
    pub sheet: Which,
    /// Sheet row, 1-based.
    pub row: u32,
    /// Column, 0-based.
    pub col: u16,
    /// The new value.
    pub cell: Cell,
}

/// How the workbook looks.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Name of the projects sheet.
    pub projects_sheet: String,
    /// Name of the history sheet; `None` leaves it out.
    pub history_sheet: Option<String>,
    /// A settings sheet (`Thiết lập`) with these rows of label, value and `scenario.toml` key under a
    /// header row; `None` leaves it out.
    pub settings: Option<Vec<(String, Cell, String)>>,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            projects_sheet: "Dự án".into(), history_sheet: Some("disbursements".into()), settings: None
        }
    }
}

/// The projects header (Vietnamese, with units as users write them), on sheet row 2 under a title.
pub const PROJECT_HEADER: [&str; 20] = [
    "Mã dự án",
    "Tên dự án",
    "Chủ đầu tư",
    "Địa bàn",
    "Lĩnh vực",
    "Nguồn vốn",
    "Nhóm",
    "Tình trạng",
    "Trọng điểm",
    "Tổng mức đầu tư (triệu đồng)",
    "Luỹ kế vốn đã bố trí",
    "Kế hoạch vốn năm",
    "Giải ngân",
    "Khối lượng chưa thanh toán",
    "GPMB (%)",
    "Tiến độ thực hiện (%)",
    "Năm khởi công",
    "Năm hoàn thành",
    "Vướng mắc",
    "Giữ nguyên",
];

/// The sheet row of the projects header; data start on the next row.
pub const PROJECT_HEADER_ROW: u32 = 2;

/// The column of a projects column name (English), for edits.
pub fn project_col(name: &str) -> u16 {
    realloc::load::PROJECT_COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no column {name}")) as u16
}

fn million_text(m: Money) -> String {
    m.to_million_string()
}

fn million_number(m: Money) -> f64 {
    // Display of the parsed text gives the nearest double, as a user typing the figure would.
    million_text(m).parse().unwrap_or(f64::NAN)
}

fn write(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell) {
    let r = match cell {
        Cell::Text(t) => ws.write_string(row, col, t.as_str()).map(|_| ()),
        Cell::Number(n) => ws.write_number(row, col, *n).map(|_| ()),
        Cell::Bool(b) => ws.write_boolean(row, col, *b).map(|_| ()),
        Cell::Error(e) => {
            ws.write_formula(row, col, Formula::new("=NA()").set_result(e.as_str())).map(|_| ())
        }
        Cell::Date(d) => {
            let date = crate::date(d);
            let dt = ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
                .unwrap_or_else(|e| panic!("{e}"));
            let f = Format::new().set_num_format("yyyy-mm-dd");
            ws.write_datetime_with_format(row, col, &dt, &f).map(|_| ())
        }
        Cell::Empty => ws.write_blank(row, col, &Format::new()).map(|_| ()),
    };
    r.unwrap_or_else(|e| panic!("cannot write a cell: {e}"));
}

/// Writes the scenario's projects and history as a workbook, then applies `edits`.
pub fn scenario_book(s: &Scenario, layout: &Layout, edits: &[Edit]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let mut p = Worksheet::new();
    p.set_name(&layout.projects_sheet).unwrap_or_else(|e| panic!("{e}"));
    write(&mut p, 0, 0, &Cell::Text("DANH MỤC DỰ ÁN ĐIỀU CHỈNH KẾ HOẠCH VỐN".into()));
    for (c, h) in PROJECT_HEADER.iter().enumerate() {
        write(&mut p, PROJECT_HEADER_ROW - 1, c as u16, &Cell::Text((*h).into()));
    }
    for (i, pr) in s.portfolio.rows().iter().enumerate() {
        let r = PROJECT_HEADER_ROW + i as u32;
        let text = |t: &str| Cell::Text(t.to_owned());
        let cells = [
            text(&pr.id),
            text(&pr.name),
            text(&pr.investor),
            text(&pr.locality),
            text(&pr.sector),
            text(pr.source.code()),
            text(pr.group.code()),
            text(pr.status.code()),
            Cell::Bool(pr.key_project),
            Cell::Number(million_number(pr.total_investment)),
            // Numeric text, as a cell formatted as Text holds it.
            Cell::Text(million_text(pr.allocated_before)),
            Cell::Number(million_number(pr.plan)),
            Cell::Number(million_number(pr.disbursed)),
            Cell::Number(million_number(pr.unpaid_volume)),
            pr.site_clearance_pct.map_or(Cell::Empty, Cell::Number),
            Cell::Number(pr.physical_progress_pct),
            Cell::Number(f64::from(pr.start_year)),
            Cell::Number(f64::from(pr.end_year)),
            text(&pr.obstacles.to_codes()),
            // Upper-case text, as Excel shows booleans typed as text.
            text(if pr.locked { "TRUE" } else { "FALSE" }),
        ];
        for (c, cell) in cells.iter().enumerate() {
            write(&mut p, r, c as u16, cell);
        }
    }
    let mut h = Worksheet::new();
    if let (Some(name), Some(hist)) = (&layout.history_sheet, &s.history) {
        h.set_name(name).unwrap_or_else(|e| panic!("{e}"));
        for (c, t) in ["id", "source", "month", "amount"].iter().enumerate() {
            write(&mut h, 0, c as u16, &Cell::Text((*t).into()));
        }
        let last = if s.meta.as_of.year() > s.meta.fiscal_year { 12 } else { s.meta.as_of.month() };
        let mut r = 1;
        for (row, pr) in s.portfolio.rows().iter().enumerate() {
            for m in 1..=last {
                let amount = hist.months[row][(m - 1) as usize];
                write(&mut h, r, 0, &Cell::Text(pr.id.to_string()));
                write(&mut h, r, 1, &Cell::Text(pr.source.code().into()));
                // Odd rows as typed text, even rows as the date cells Excel makes of "2025-03".
                let month = if r % 2 == 1 {
                    Cell::Text(format!("{}-{m:02}", s.meta.fiscal_year))
                } else {
                    Cell::Date(format!("{}-{m:02}-01", s.meta.fiscal_year))
                };
                write(&mut h, r, 2, &month);
                write(&mut h, r, 3, &Cell::Number(million_number(amount)));
                r += 1;
            }
        }
    }
    for e in edits {
        let ws = match e.sheet {
            Which::Projects => &mut p,
            Which::History => &mut h,
        };
        write(ws, e.row - 1, e.col, &e.cell);
    }
    wb.push_worksheet(p);
    if layout.history_sheet.is_some() && s.history.is_some() {
        wb.push_worksheet(h);
    }
    if let Some(rows) = &layout.settings {
        let mut t = Worksheet::new();
        t.set_name("Thiết lập").unwrap_or_else(|e| panic!("{e}"));
        for (c, head) in ["Thiết lập", "Giá trị", "Khóa"].iter().enumerate() {
            write(&mut t, 0, c as u16, &Cell::Text((*head).into()));
        }
        for (i, (label, value, key)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            write(&mut t, r, 0, &Cell::Text(label.clone()));
            write(&mut t, r, 1, value);
            write(&mut t, r, 2, &Cell::Text(key.clone()));
        }
        wb.push_worksheet(t);
    }
    wb.save_to_buffer().unwrap_or_else(|e| panic!("cannot save the workbook: {e}"))
}

/// `scenario.toml` of `dir` with its projects and disbursements files renamed.
pub fn retarget_toml(dir: &std::path::Path, projects: &str, disbursements: &str) -> String {
    let text = std::fs::read_to_string(dir.join("scenario.toml")).unwrap_or_else(|e| panic!("{e}"));
    text.lines()
        .map(|l| {
            if l.starts_with("projects =") {
                format!("projects = \"{projects}\"")
            } else if l.starts_with("disbursements =") {
                format!("disbursements = \"{disbursements}\"")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
