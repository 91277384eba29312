//! Excel input: the projects and the monthly history read from `.xlsx` workbooks (calamine), through
//! the same row builders, header aliases and field checks as the CSV files.
//!
//! The projects are on the sheet named `projects` (or `Dự án`), the history on `disbursements` (or
//! `Giải ngân`), any case; both may sit in one workbook. The header is the first row naming at least
//! two columns within the first [`HEADER_SEARCH`] rows (a title row above it is allowed), else the
//! first non-empty row. Cells are read as follows: text as in a CSV field (so numeric text follows
//! the CSV rules and `1.234,5` is refused); a number by its shortest round-trip decimal form, so a
//! cell holding 7209.438 is 7,209,438,000 đồng exactly and one holding 0.1 + 0.2 is refused for its
//! decimals; a boolean as `true`/`false`; a date only in the history's `month` column (as `YYYY-MM`);
//! a formula by its cached value, and a formula error (`#VALUE!`, `#REF!`, ...) is refused. Every
//! problem names the workbook, the sheet, the row and the column.
//!
//! **Invariant:** no workbook, however malformed, makes these functions panic; a panic inside the
//! workbook reader is caught and reported as an unreadable file.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Range, Reader, Xlsx};

use super::headers::{self, HISTORY_ALIASES, PROJECT_ALIASES};
use super::history::HistoryBuilder;
use super::projects::{ProjectsBuilder, ProjectsTable};
use super::text::{self, Fields};
use crate::diag::{Diagnostics, Location};
use crate::domain::Portfolio;
use crate::money::AmountFormat;
use crate::scenario::{History, ScenarioMeta};

/// Names accepted for the projects sheet, the first preferred.
pub const PROJECTS_SHEETS: [&str; 2] = ["projects", "Dự án"];
/// Names accepted for the history sheet, the first preferred.
pub const HISTORY_SHEETS: [&str; 2] = ["disbursements", "Giải ngân"];
/// How many rows from the top are searched for the header row.
pub const HEADER_SEARCH: usize = 20;

/// Separates the workbook and the sheet in the file names given to the row builders, so that their
/// diagnostics can be relocated to a sheet afterwards ([`relocate`]).
const MARK: char = '\u{1f}';

/// True when a file name asks for the Excel reader (`.xlsx` or `.xlsm`, any case).
pub fn is_workbook(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xlsx") || lower.ends_with(".xlsm")
}

/// The file name handed to the row builders for `sheet` of `file`.
pub(crate) fn marked(file: &str, sheet: &str) -> String {
    format!("{file}{MARK}{sheet}")
}

/// Rewrites diagnostics the row builders made with [`marked`] file names into workbook terms: file
/// and sheet, `row N` instead of a line, and the sheet named in messages that quote the file.
pub(crate) fn relocate(diags: &mut Diagnostics, names: &[String]) {
    diags.rewrite(|d| {
        if let Some((file, sheet)) = d.file.split_once(MARK) {
            let (file, sheet) = (file.to_owned(), sheet.to_owned());
            d.location = match std::mem::replace(&mut d.location, Location::File) {
                Location::Field { line, column } => {
                    Location::Cell { sheet: sheet.clone(), row: line, column }
                }
                Location::Line { line } | Location::Position { line, .. } => {
                    Location::SheetRow { sheet: sheet.clone(), row: line }
                }
                Location::File => Location::Sheet { sheet: sheet.clone() },
                other => other,
            };
            d.file = file;
            if d.message.contains("already on line") {
                d.message = d.message.replace("already on line", "already on row");
            }
        }
        if d.message.contains(MARK) {
            for name in names {
                if let Some((file, sheet)) = name.split_once(MARK) {
                    d.message = d.message.replace(name.as_str(), &format!("{file} sheet `{sheet}`"));
                }
            }
        }
    });
}

/// One data row of a sheet as the row builders read it.
#[derive(Debug, Default)]
pub(crate) struct CellRow {
    texts: Vec<String>,
    invalid: Vec<Option<String>>,
    /// The cell is a number (not text): it follows no `amount_format`.
    numbers: Vec<bool>,
}

impl Fields for CellRow {
    fn count(&self) -> usize {
        self.texts.len()
    }
    fn field(&self, i: usize) -> &str {
        self.texts.get(i).map_or("", String::as_str)
    }
    fn invalid(&self, i: usize) -> Option<&str> {
        self.invalid.get(i).and_then(|m| m.as_deref())
    }
    fn is_number(&self, i: usize) -> bool {
        self.numbers.get(i).copied().unwrap_or(false)
    }
}

/// A cell as text, or why it cannot be read. `month` says the column is the history's month, where a
/// date cell is read as `YYYY-MM`.
fn cell_text(cell: &Data, month: bool) -> Result<String, String> {
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.clone()),
        Data::Bool(b) => Ok(if *b { "true" } else { "false" }.to_owned()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(f) => Ok(number_text(*f)),
        Data::DateTime(d) if month && d.is_datetime() => {
            let (y, m, ..) = d.to_ymd_hms_milli();
            Ok(format!("{y:04}-{m:02}"))
        }
        Data::DateTimeIso(s) if month && s.len() >= 7 => Ok(s[..7].to_owned()),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            Err(format!(
                "the cell holds a date ({y:04}-{m:02}-{day:02}), not a value of this column; format the cell as Number or Text"
            ))
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Err(format!(
            "the cell holds a date or time ({}), not a value of this column; format the cell as Number or Text",
            text::quote(s)
        )),
        Data::Error(e) => {
            Err(format!("the cell holds the formula error {e}; correct the formula or type the value"))
        }
    }
}

/// A number cell as decimal text: the shortest representation that reads back as the same float
/// (Rust's `Display` for `f64`, which never uses an exponent), so 7209.438 gives `7209.438`.
fn number_text(f: f64) -> String {
    if f == 0.0 {
        // Also -0.0, which is not a negative amount.
        return "0".to_owned();
    }
    format!("{f}")
}

/// A sheet's cells as text rows: `(sheet row, cells)`, empty rows left out.
pub(crate) struct SheetRows {
    /// The sheet name as in the workbook.
    pub name: String,
    pub rows: Vec<(usize, Vec<Data>)>,
}

/// Opens the workbook and the first sheet whose name is one of `names` (any case).
pub(crate) fn open_sheet(
    bytes: &[u8],
    file: &str,
    names: &[&str],
    diags: &mut Diagnostics,
) -> Option<SheetRows> {
    if bytes.is_empty() {
        diags.error(file, Location::File, "the file is empty; expected an Excel .xlsx workbook");
        return None;
    }
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<Option<SheetRows>, String> {
        let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let sheets = book.sheet_names();
        let Some(name) = names
            .iter()
            .find_map(|n| sheets.iter().find(|s| headers::normalize(s) == headers::normalize(n)).cloned())
        else {
            let have = sheets.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
            diags.error(
                file,
                Location::Sheet { sheet: names[0].to_owned() },
                format!(
                    "no such sheet in the workbook (it has {}); name the sheet `{}`{}",
                    if have.is_empty() { "none".to_owned() } else { have },
                    names[0],
                    names.get(1).map(|n| format!(" or `{n}`")).unwrap_or_default()
                ),
            );
            return Ok(None);
        };
        let range: Range<Data> = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, r) in range.rows().enumerate() {
            if r.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            // Cells left of the used range are empty: keep column positions absolute.
            let mut cells = vec![Data::Empty; left as usize];
            cells.extend(r.iter().cloned());
            rows.push((top as usize + i + 1, cells));
        }
        Ok(Some(SheetRows { name, rows }))
    }));
    match result {
        Ok(Ok(sheet)) => sheet,
        Ok(Err(e)) => {
            diags.error(
                file,
                Location::File,
                format!(
                    "cannot read the workbook: {}; expected an Excel .xlsx file",
                    text::lowercase_first(&e)
                ),
            );
            None
        }
        Err(_) => {
            diags.error(file, Location::File, "cannot read the workbook: the file is damaged");
            None
        }
    }
}

/// The header row: the first of the first [`HEADER_SEARCH`] rows naming two columns of `table`,
/// else the first row. Returns its index in `rows` and its width (up to the last non-empty cell).
pub(crate) fn find_header(rows: &[(usize, Vec<Data>)], table: &[(&str, &[&str])]) -> (usize, usize) {
    let named = |cells: &[Data]| {
        cells
            .iter()
            .filter(|c| matches!(c, Data::String(s) if headers::column_of(table, s).is_some()))
            .count()
    };
    let at = rows.iter().take(HEADER_SEARCH).position(|(_, cells)| named(cells) >= 2).unwrap_or(0);
    let width = rows
        .get(at)
        .map_or(0, |(_, cells)| cells.iter().rposition(|c| !matches!(c, Data::Empty)).map_or(0, |p| p + 1));
    (at, width)
}

/// Converts a data row to the builders' fields, reporting non-empty cells beyond the header.
pub(crate) fn cell_row(
    cells: &[Data],
    width: usize,
    month_col: Option<usize>,
    (file, sheet, row): (&str, &str, usize),
    diags: &mut Diagnostics,
) -> CellRow {
    let mut out = CellRow::default();
    for i in 0..width {
        let cell = cells.get(i).unwrap_or(&Data::Empty);
        out.numbers.push(matches!(cell, Data::Float(_) | Data::Int(_)));
        match cell_text(cell, month_col == Some(i)) {
            Ok(t) => {
                out.texts.push(t);
                out.invalid.push(None);
            }
            Err(msg) => {
                out.texts.push(String::new());
                out.invalid.push(Some(msg));
            }
        }
    }
    if let Some(extra) = cells.iter().skip(width).position(|c| !matches!(c, Data::Empty)) {
        diags.error(
            file,
            Location::SheetRow { sheet: sheet.to_owned(), row },
            format!(
                "a value in column {} beyond the last header column; give the column a header or clear the cell",
                column_letters(width + extra)
            ),
        );
    }
    out
}

/// Spreadsheet column letters of a 0-based column index (0 is `A`, 26 is `AA`).
fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (i % 26) as u8));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.iter().rev().collect()
}

/// The header cells as text.
pub(crate) fn header_fields(cells: &[Data], width: usize) -> Vec<String> {
    (0..width).map(|i| cell_text(cells.get(i).unwrap_or(&Data::Empty), false).unwrap_or_default()).collect()
}

/// Reads the projects sheet of a workbook. The table's file name is marked with the sheet (see
/// [`relocate`]); the diagnostics are not yet relocated.
pub(crate) fn projects_table_marked(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
) -> (ProjectsTable, Diagnostics) {
    let mut diags = Diagnostics::new();
    let empty = |name: &str| ProjectsTable { file: name.to_owned(), ..ProjectsTable::default() };
    let Some(sheet) = open_sheet(bytes, file, &PROJECTS_SHEETS, &mut diags) else {
        return (empty(file), diags);
    };
    let name = marked(file, &sheet.name);
    if sheet.rows.is_empty() {
        diags.error(
            &name,
            Location::File,
            "the sheet is empty; expected a header row naming the columns, then one row per project and source",
        );
        return (empty(&name), diags);
    }
    let (at, width) = find_header(&sheet.rows, &PROJECT_ALIASES);
    let (header_row, header_cells) = &sheet.rows[at];
    let Some(mut builder) =
        ProjectsBuilder::new(&header_fields(header_cells, width), *header_row, &name, format, &mut diags)
    else {
        return (empty(&name), diags);
    };
    let mut count = 0usize;
    for (row, cells) in &sheet.rows[at + 1..] {
        count += 1;
        let fields = cell_row(cells, width, None, (file, &sheet.name, *row), &mut diags);
        builder.push(&fields, *row, &mut diags);
        if diags.is_full() {
            break;
        }
    }
    if count == 0 {
        diags.error(&name, Location::File, "the sheet has only a header row and no project rows");
    }
    (builder.finish(), diags)
}

/// Reads the history sheet of a workbook against the projects already read. Returns the history,
/// the diagnostics (not yet relocated) and the marked name of the sheet.
pub(crate) fn history_marked(
    bytes: &[u8],
    file: &str,
    projects: &ProjectsTable,
    meta: &ScenarioMeta,
) -> (Option<History>, Diagnostics, Option<String>) {
    let mut diags = Diagnostics::new();
    let Some(sheet) = open_sheet(bytes, file, &HISTORY_SHEETS, &mut diags) else {
        return (None, diags, None);
    };
    let name = marked(file, &sheet.name);
    if sheet.rows.is_empty() {
        diags.error(
            &name,
            Location::File,
            "the sheet is empty; expected the header id, source, month, amount then one row per project, source and month",
        );
        return (None, diags, Some(name));
    }
    let (at, width) = find_header(&sheet.rows, &HISTORY_ALIASES);
    let (header_row, header_cells) = &sheet.rows[at];
    let header = header_fields(header_cells, width);
    let month_col = (0..header.len()).find(|&i| headers::column_of(&HISTORY_ALIASES, &header[i]) == Some(2));
    let Some(mut builder) = HistoryBuilder::new(&header, *header_row, &name, projects, meta, &mut diags)
    else {
        return (None, diags, Some(name));
    };
    let mut count = 0usize;
    for (row, cells) in &sheet.rows[at + 1..] {
        count += 1;
        let fields = cell_row(cells, width, month_col, (file, &sheet.name, *row), &mut diags);
        builder.push(&fields, *row, &mut diags);
        if diags.is_full() {
            break;
        }
    }
    if count == 0 {
        diags.error(&name, Location::File, "the sheet has only a header row and no history rows");
        return (None, diags, Some(name));
    }
    let history = builder.finish(&mut diags);
    (Some(history), diags, Some(name))
}

/// Parses the projects sheet of an `.xlsx` workbook from its bytes; `file` is the name shown in
/// messages. As [`parse_projects`](super::parse_projects): any error means the rows must not be used.
pub fn parse_projects_xlsx(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
) -> (Portfolio, Diagnostics) {
    let (table, mut diags) = projects_table_marked(bytes, file, format);
    relocate(&mut diags, std::slice::from_ref(&table.file));
    (table.portfolio, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_their_shortest_decimal() {
        assert_eq!(number_text(7209.438), "7209.438");
        assert_eq!(number_text(2025.0), "2025");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number_text(1e21), "1000000000000000000000");
        assert_eq!(number_text(999_999_999.999), "999999999.999");
    }

    #[test]
    fn column_letters_are_as_excel_shows_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn error_and_date_cells_are_refused_outside_the_month_column() {
        let e = cell_text(&Data::Error(calamine::CellErrorType::Value), false).unwrap_err();
        assert!(e.contains("#VALUE!"), "{e}");
        let d = calamine::ExcelDateTime::new(45717.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d), true), Ok("2025-03".to_owned()));
        assert!(cell_text(&Data::DateTime(d), false).unwrap_err().contains("2025-03-01"));
    }
}
