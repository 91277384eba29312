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
//! a formula by its cached value (one without a value, never calculated, is refused as such), and a
//! formula error (`#VALUE!`, `#REF!`, ...) is refused; a number cell formatted as a percentage in a
//! percentage column is the percentage it shows (60% stored as 0.6 is 60). Every problem names the
//! workbook, the sheet, the row and the column.
//!
//! Resources are bounded whatever the workbook declares: the zip's parts may inflate to at most
//! [`MAX_INFLATED_BYTES`] together (declared sizes checked first, then what actually inflates), a
//! sheet is read cell by cell and kept sparse (one cell at XFD1048576 costs one cell, not the
//! rectangle up to it), at most [`MAX_CELLS`] cells a sheet.
//!
//! **Invariant:** no workbook, however malformed, makes these functions panic; a panic inside the
//! workbook reader is caught and reported as an unreadable file.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, DataRef, Reader, Xlsx};

use super::headers::{self, HISTORY_ALIASES, PROJECT_ALIASES};
use super::history::HistoryBuilder;
use super::projects::{ProjectsBuilder, ProjectsTable};
use super::text::{self, Fields};
use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::Portfolio;
use crate::money::AmountFormat;
use crate::msg;
use crate::scenario::{History, ScenarioMeta};

/// Names accepted for the projects sheet, the first preferred.
pub const PROJECTS_SHEETS: [&str; 2] = ["projects", "Dự án"];
/// Names accepted for the history sheet, the first preferred.
pub const HISTORY_SHEETS: [&str; 2] = ["disbursements", "Giải ngân"];
/// How many rows from the top are searched for the header row.
pub const HEADER_SEARCH: usize = 20;
/// The most bytes the parts of a workbook may inflate to, together: 256 MiB (a 50,000-row workbook
/// written by `realloc template --from` is 15 MB and inflates to about 120 MiB).
pub const MAX_INFLATED_BYTES: u64 = 256 << 20;
/// The most non-empty cells read from one sheet: 5,000,000 (200,000 rows of 25 columns).
pub const MAX_CELLS: usize = 5_000_000;

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
                    Location::Cell { sheet: sheet.clone(), row: line, column, letter: String::new() }
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
        if d.message.contains(MARK) || d.message_vi.contains(MARK) {
            for name in names {
                if let Some((file, sheet)) = name.split_once(MARK) {
                    d.message = d.message.replace(name.as_str(), &format!("{file} sheet `{sheet}`"));
                    d.message_vi =
                        d.message_vi.replace(name.as_str(), &format!("{file} trang tính `{sheet}`"));
                }
            }
        }
    });
}

/// Gives the diagnostics about a column of the sheet `name` (a [`marked`] name) their cell: the
/// sheet, the row and the column's letter, found in the header (`header[i]` is column `i`) by its
/// name as written or as the alias table `aliases` names it.
pub(crate) fn locate_columns(
    diags: &mut Diagnostics,
    name: &str,
    sheet: &str,
    header: &[String],
    aliases: &[(&str, &[&str])],
) {
    let index = |column: &str| {
        header.iter().position(|h| h.trim() == column).or_else(|| {
            let want = aliases.iter().position(|(c, _)| *c == column)?;
            header.iter().position(|h| headers::column_of(aliases, h) == Some(want))
        })
    };
    diags.rewrite(|d| {
        if d.file != name {
            return;
        }
        if let Location::Field { line, column } = &d.location
            && let Some(i) = index(column)
        {
            let (row, column) = (*line, column.clone());
            d.location = Location::Cell { sheet: sheet.to_owned(), row, column, letter: column_letters(i) };
        }
    });
}

/// One data row of a sheet as the row builders read it.
#[derive(Debug, Default)]
pub(crate) struct CellRow {
    texts: Vec<String>,
    invalid: Vec<Option<Msg>>,
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
        match self.invalid.get(i).and_then(|m| m.as_ref()) {
            Some(m) => Some(&m.en),
            None => text::control(self.field(i)),
        }
    }
    fn invalid_msg(&self, i: usize) -> Option<Msg> {
        match self.invalid.get(i).and_then(|m| m.as_ref()) {
            Some(m) => Some(m.clone()),
            None => text::control(self.field(i)).map(text::control_msg),
        }
    }
    fn is_number(&self, i: usize) -> bool {
        self.numbers.get(i).copied().unwrap_or(false)
    }
}

/// A non-empty cell of a sheet.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cell {
    /// Column, 0-based.
    pub(crate) col: usize,
    pub(crate) value: Value,
}

/// What a cell holds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// A value, and whether its number format shows it as a percentage.
    Data(Data, bool),
    /// A formula Excel never calculated: it has no saved value.
    Uncalculated,
}

/// How a column's cells are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Plain,
    /// The history's month: a date cell is read as `YYYY-MM`.
    Month,
    /// A percentage column: a cell formatted as a percentage is read as the percentage shown.
    Percent,
}

/// The cell at column `i` of a row (sorted by column).
pub(crate) fn cell_at(cells: &[Cell], i: usize) -> Option<&Cell> {
    cells.binary_search_by_key(&i, |c| c.col).ok().and_then(|k| cells.get(k))
}

/// A cell as text, or why it cannot be read.
fn read_cell(cell: Option<&Cell>, column: Column) -> Result<String, Msg> {
    match cell.map(|c| &c.value) {
        None => Ok(String::new()),
        Some(Value::Uncalculated) => Err(msg!(
            "E701",
            "a formula Excel did not calculate: the cell has no saved value (open and save the workbook in Excel)",
            "ô chứa công thức Excel chưa tính: ô không có giá trị đã lưu (hãy mở sổ bằng Excel rồi lưu lại)"
        )),
        Some(Value::Data(d, true)) if column == Column::Percent => match d {
            Data::Float(f) => Ok(percent_text(&number_text(*f))),
            Data::Int(i) => Ok(percent_text(&i.to_string())),
            other => cell_text(other, false),
        },
        Some(Value::Data(d, _)) => cell_text(d, column == Column::Month),
    }
}

/// A number's decimal text multiplied by 100 by moving its decimal point, so that 0.07 shown as 7%
/// is exactly `7` (the float product would be 7.000000000000001).
fn percent_text(t: &str) -> String {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut frac = frac.to_owned();
    while frac.len() < 2 {
        frac.push('0');
    }
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(int);
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    out
}

/// True when a number format shows a number as a percentage: a `%` outside quoted text, escapes
/// and bracketed sections (`0%`, `0.00%`, `#,##0.0%`).
fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            '\\' if !quoted => escaped = true,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            ';' if !quoted && !bracket => return false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// A cell as text, or why it cannot be read. `month` says the column is the history's month, where a
/// date cell is read as `YYYY-MM`.
pub(crate) fn cell_text(cell: &Data, month: bool) -> Result<String, Msg> {
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
            Err(msg!(
                "E702",
                "the cell holds a date ({y:04}-{m:02}-{day:02}), not a value of this column; format the cell as Number or Text",
                "ô chứa một ngày ({y:04}-{m:02}-{day:02}), không phải giá trị của cột này; hãy định dạng ô là Number hoặc Text"
            ))
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Err(msg!(
            "E703",
            "the cell holds a date or time ({}), not a value of this column; format the cell as Number or Text",
            "ô chứa ngày hoặc giờ ({}), không phải giá trị của cột này; hãy định dạng ô là Number hoặc Text",
            text::quote(s)
        )),
        Data::Error(e) => Err(msg!(
            "E704",
            "the cell holds the formula error {e}; correct the formula or type the value",
            "ô chứa lỗi công thức {e}; hãy sửa công thức hoặc nhập trực tiếp giá trị"
        )),
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

/// A sheet's non-empty rows: `(sheet row, cells sorted by column)`, empty rows left out.
pub(crate) struct SheetRows {
    /// The sheet name as in the workbook.
    pub name: String,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// Checks that the workbook's zip inflates to at most [`MAX_INFLATED_BYTES`]: first the sizes its
/// directory declares, then the bytes each part actually inflates to (a part may lie about its size),
/// without keeping them.
pub(crate) fn check_zip(bytes: &[u8]) -> Result<(), Msg> {
    let too_large = |n: u64| {
        msg!(
            "E715",
            "the workbook would inflate to more than {} MiB ({n} bytes or more), the most an input workbook may hold (README, \"Limits\"); save it again from Excel, without what is not input",
            "sổ Excel khi giải nén sẽ lớn hơn {} MiB ({n} byte trở lên), mức tối đa của một sổ đầu vào (README, \"Limits\"); hãy lưu lại từ Excel, bỏ phần không phải số liệu đầu vào",
            MAX_INFLATED_BYTES >> 20
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| e.to_string())?;
        declared = declared.saturating_add(part.size());
    }
    if declared > MAX_INFLATED_BYTES {
        return Err(too_large(declared));
    }
    let mut inflated: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| e.to_string())?;
        let room = MAX_INFLATED_BYTES - inflated;
        let n = std::io::copy(&mut part.take(room + 1), &mut std::io::sink()).map_err(|e| e.to_string())?;
        inflated += n;
        if inflated > MAX_INFLATED_BYTES {
            return Err(too_large(inflated));
        }
    }
    Ok(())
}

/// The message for a sheet above [`MAX_CELLS`].
fn too_many_cells() -> Msg {
    msg!(
        "E716",
        "the sheet holds more than {MAX_CELLS} cells, the most an input sheet may hold (README, \"Limits\")",
        "trang tính có hơn {MAX_CELLS} ô, mức tối đa của một trang tính đầu vào (README, \"Limits\")"
    )
}

/// Reads the cells of sheet `name`: sparse, each with its percentage flag; formulas without a saved
/// value marked as such.
pub(crate) fn read_cells(book: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Vec<(usize, Vec<Cell>)>, Msg> {
    let mut rows: std::collections::BTreeMap<u32, Vec<Cell>> = std::collections::BTreeMap::new();
    let mut count = 0usize;
    // Cells present in the sheet but empty: a formula without its value reads so.
    let mut blanks = false;
    {
        let mut reader = book.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
        let percent: Vec<bool> = reader
            .styles()
            .iter()
            .map(|s| s.number_format.as_ref().is_some_and(|f| is_percent_format(&f.format_code)))
            .collect();
        while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(|e| e.to_string())? {
            let (row, col) = cell.get_position();
            let value = cell.get_value();
            if matches!(value, DataRef::Empty) {
                blanks = true;
                continue;
            }
            count += 1;
            if count > MAX_CELLS {
                return Err(too_many_cells());
            }
            let pct = percent.get(style).copied().unwrap_or(false);
            rows.entry(row)
                .or_default()
                .push(Cell { col: col as usize, value: Value::Data(Data::from(value.clone()), pct) });
        }
    }
    if blanks {
        // The metadata reading keeps a shared formula's index without expanding it: a reading that
        // expands them allocates a table as long as the largest index the file declares.
        let mut reader = book.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
        while let Some(record) = reader.next_cell_with_formula_metadata().map_err(|e| e.to_string())? {
            if !matches!(record.value, DataRef::Empty) || record.formula.is_none() {
                continue;
            }
            let (row, col) = record.pos;
            let cells = rows.entry(row).or_default();
            if !cells.iter().any(|c| c.col == col as usize) {
                cells.push(Cell { col: col as usize, value: Value::Uncalculated });
                count += 1;
                if count > MAX_CELLS {
                    return Err(too_many_cells());
                }
            }
        }
    }
    Ok(rows
        .into_iter()
        .filter_map(|(row, mut cells)| {
            cells.sort_by_key(|c| c.col);
            cells.dedup_by_key(|c| c.col);
            (!cells.is_empty()).then_some((row as usize + 1, cells))
        })
        .collect())
}

/// Opens the workbook and the first sheet whose name is one of `names` (any case).
pub(crate) fn open_sheet(
    bytes: &[u8],
    file: &str,
    names: &[&str],
    diags: &mut Diagnostics,
) -> Option<SheetRows> {
    if bytes.is_empty() {
        diags.error(
            file,
            Location::File,
            msg!(
                "E708",
                "the file is empty; expected an Excel .xlsx workbook",
                "tệp trống; cần một sổ Excel .xlsx"
            ),
        );
        return None;
    }
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<Option<SheetRows>, Msg> {
        check_zip(bytes)?;
        let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let sheets = book.sheet_names();
        let Some(name) = names
            .iter()
            .find_map(|n| sheets.iter().find(|s| headers::normalize(s) == headers::normalize(n)).cloned())
        else {
            let have = sheets.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
            let or = |word: &str| names.get(1).map(|n| format!(" {word} `{n}`")).unwrap_or_default();
            diags.error(
                file,
                Location::Sheet { sheet: names[0].to_owned() },
                msg!(
                    "E705",
                    en(
                        "no such sheet in the workbook (it has {}); name the sheet `{}`{}",
                        if have.is_empty() { "none" } else { &have },
                        names[0],
                        or("or")
                    ),
                    vi(
                        "sổ Excel không có trang tính này (sổ có {}); hãy đặt tên trang tính là `{}`{}",
                        if have.is_empty() { "không có trang nào" } else { &have },
                        names[0],
                        or("hoặc")
                    )
                ),
            );
            return Ok(None);
        };
        let rows = read_cells(&mut book, &name)?;
        Ok(Some(SheetRows { name, rows }))
    }));
    match result {
        Ok(Ok(sheet)) => sheet,
        Ok(Err(e)) => {
            diags.error(
                file,
                Location::File,
                msg!(
                    "E706",
                    en(
                        "cannot read the workbook: {}; expected an Excel .xlsx file",
                        text::lowercase_first(&e.en)
                    ),
                    vi("không đọc được sổ Excel: {}; cần một tệp Excel .xlsx", text::lowercase_first(&e.vi))
                ),
            );
            None
        }
        Err(_) => {
            diags.error(
                file,
                Location::File,
                msg!(
                    "E707",
                    "cannot read the workbook: the file is damaged",
                    "không đọc được sổ Excel: tệp bị hỏng"
                ),
            );
            None
        }
    }
}

/// The header row: the first of the first [`HEADER_SEARCH`] rows naming two columns of `table`,
/// else the first row. Returns its index in `rows` and its width (up to the last non-empty cell);
/// `None`, with the error, when it is wider than [`MAX_COLUMNS`](super::MAX_COLUMNS).
pub(crate) fn find_header(
    rows: &[(usize, Vec<Cell>)],
    table: &[(&str, &[&str])],
    file: &str,
    diags: &mut Diagnostics,
) -> Option<(usize, usize)> {
    let named = |cells: &[Cell]| {
        cells
            .iter()
            .filter(|c| matches!(&c.value, Value::Data(Data::String(s), _) if headers::column_of(table, s).is_some()))
            .count()
    };
    let at = rows.iter().take(HEADER_SEARCH).position(|(_, cells)| named(cells) >= 2).unwrap_or(0);
    let (row, cells) = rows.get(at)?;
    let width = cells.last().map_or(0, |c| c.col + 1);
    if width > super::MAX_COLUMNS {
        diags.error(
            file,
            Location::Line { line: *row },
            msg!(
                "E709",
                "the header row reaches column {}, more than the {} columns an input may have (README, \"Limits\"); clear the cells right of the header",
                "dòng tiêu đề kéo dài tới cột {}, nhiều hơn mức tối đa {} cột của một tệp đầu vào (README, \"Limits\"); hãy xóa các ô bên phải dòng tiêu đề",
                column_letters(width - 1),
                super::MAX_COLUMNS
            ),
        );
        return None;
    }
    Some((at, width))
}

/// Converts a data row to the builders' fields (`kinds` says how each column of the header is read),
/// reporting non-empty cells beyond the header.
pub(crate) fn cell_row(
    cells: &[Cell],
    kinds: &[Column],
    (file, sheet, row): (&str, &str, usize),
    diags: &mut Diagnostics,
) -> CellRow {
    let mut out = CellRow::default();
    for (i, kind) in kinds.iter().enumerate() {
        let cell = cell_at(cells, i);
        out.numbers
            .push(matches!(cell.map(|c| &c.value), Some(Value::Data(Data::Float(_) | Data::Int(_), _))));
        match read_cell(cell, *kind) {
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
    if let Some(extra) = cells.iter().find(|c| c.col >= kinds.len()) {
        diags.error(
            file,
            Location::SheetRow { sheet: sheet.to_owned(), row },
            msg!(
                "E710",
                "a value in column {} beyond the last header column; give the column a header or clear the cell",
                "có giá trị ở cột {} nằm ngoài cột tiêu đề cuối cùng; hãy đặt tiêu đề cho cột hoặc xóa ô",
                column_letters(extra.col)
            ),
        );
    }
    out
}

/// Spreadsheet column letters of a 0-based column index (0 is `A`, 26 is `AA`).
pub(crate) fn column_letters(mut i: usize) -> String {
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
pub(crate) fn header_fields(cells: &[Cell], width: usize) -> Vec<String> {
    (0..width).map(|i| read_cell(cell_at(cells, i), Column::Plain).unwrap_or_default()).collect()
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
            msg!(
                "E711",
                "the sheet is empty; expected a header row naming the columns, then one row per project and source",
                "trang tính trống; cần một dòng tiêu đề ghi tên các cột, rồi mỗi dòng một dự án và một nguồn vốn"
            ),
        );
        return (empty(&name), diags);
    }
    let Some((at, width)) = find_header(&sheet.rows, &PROJECT_ALIASES, &name, &mut diags) else {
        return (empty(&name), diags);
    };
    let (header_row, header_cells) = &sheet.rows[at];
    let header = header_fields(header_cells, width);
    let Some(mut builder) = ProjectsBuilder::new(&header, *header_row, &name, format, &mut diags) else {
        return (empty(&name), diags);
    };
    let kinds: Vec<Column> = header
        .iter()
        .map(|h| match headers::column_of(&PROJECT_ALIASES, h).map(|c| PROJECT_ALIASES[c].0) {
            Some("site_clearance_pct" | "physical_progress_pct") => Column::Percent,
            _ => Column::Plain,
        })
        .collect();
    let mut count = 0usize;
    for (row, cells) in &sheet.rows[at + 1..] {
        count += 1;
        let fields = cell_row(cells, &kinds, (file, &sheet.name, *row), &mut diags);
        builder.push(&fields, *row, &mut diags);
        if diags.is_full() {
            break;
        }
    }
    let table = builder.finish();
    locate_columns(&mut diags, &name, &sheet.name, &header, &PROJECT_ALIASES);
    if count == 0 {
        diags.error(
            &name,
            Location::File,
            msg!(
                "E712",
                "the sheet has only a header row and no project rows",
                "trang tính chỉ có dòng tiêu đề, không có dòng dự án nào"
            ),
        );
    }
    (table, diags)
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
            msg!(
                "E713",
                "the sheet is empty; expected the header id, source, month, amount then one row per project, source and month",
                "trang tính trống; cần dòng tiêu đề id, source, month, amount rồi mỗi dòng một dự án, nguồn vốn và tháng"
            ),
        );
        return (None, diags, Some(name));
    }
    let Some((at, width)) = find_header(&sheet.rows, &HISTORY_ALIASES, &name, &mut diags) else {
        return (None, diags, Some(name));
    };
    let (header_row, header_cells) = &sheet.rows[at];
    let header = header_fields(header_cells, width);
    let kinds: Vec<Column> =
        header
            .iter()
            .map(|h| {
                if headers::column_of(&HISTORY_ALIASES, h) == Some(2) { Column::Month } else { Column::Plain }
            })
            .collect();
    let Some(mut builder) = HistoryBuilder::new(&header, *header_row, &name, projects, meta, &mut diags)
    else {
        return (None, diags, Some(name));
    };
    let mut count = 0usize;
    for (row, cells) in &sheet.rows[at + 1..] {
        count += 1;
        let fields = cell_row(cells, &kinds, (file, &sheet.name, *row), &mut diags);
        builder.push(&fields, *row, &mut diags);
        if diags.is_full() {
            break;
        }
    }
    if count == 0 {
        diags.error(
            &name,
            Location::File,
            msg!(
                "E714",
                "the sheet has only a header row and no history rows",
                "trang tính chỉ có dòng tiêu đề, không có dòng giải ngân nào"
            ),
        );
        return (None, diags, Some(name));
    }
    let history = builder.finish(&mut diags);
    locate_columns(&mut diags, &name, &sheet.name, &header, &HISTORY_ALIASES);
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
        assert!(e.en.contains("#VALUE!") && e.vi.contains("#VALUE!"), "{e:?}");
        let d = calamine::ExcelDateTime::new(45717.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d), true), Ok("2025-03".to_owned()));
        assert!(cell_text(&Data::DateTime(d), false).unwrap_err().en.contains("2025-03-01"));
    }

    #[test]
    fn percentage_cells_are_the_percentage_shown() {
        assert_eq!(percent_text("0.6"), "60");
        assert_eq!(percent_text("0.07"), "7");
        assert_eq!(percent_text("0.625"), "62.5");
        assert_eq!(percent_text("1"), "100");
        assert_eq!(percent_text("0"), "0");
        assert_eq!(percent_text("-0.5"), "-50");
        assert!(is_percent_format("0%"));
        assert!(is_percent_format("0.00%"));
        assert!(!is_percent_format("General"));
        assert!(!is_percent_format("0.0\"%\""));
        assert!(!is_percent_format("0\\%"));
    }
}
