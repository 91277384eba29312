//! `disbursements.csv`: the monthly history `id,source,month,amount`, checked against the projects
//! and the date of the figures, and summed into a [`History`].

use std::borrow::Cow;

use chrono::Datelike;

use super::projects::{ProjectsTable, map_header};
use super::records::Records;
use super::text::{self, Fields};
use crate::diag::{Diagnostics, Location};
use crate::domain::Source;
use crate::money::Money;
use crate::scenario::{History, ScenarioMeta};

/// The columns of `disbursements.csv`.
pub const HISTORY_COLUMNS: [&str; 4] = ["id", "source", "month", "amount"];

/// Checks and sums history rows one at a time against a projects table. The CSV parser drives it;
/// an Excel import can drive it with the cells of a sheet.
#[derive(Debug)]
pub struct HistoryBuilder<'p> {
    file: String,
    projects: &'p ProjectsTable,
    fiscal_year: i32,
    /// Months 1..=last_month of the plan year are counted.
    last_month: u32,
    header: HistoryHeader,
    months: Vec<[Money; 12]>,
    /// `first_line[row][m]`: the line of the first history row for that row and month, 0 for none.
    first_line: Vec<[u32; 12]>,
    /// Rows with a history row that failed a check: their sum is not compared with `disbursed`.
    tainted: Vec<bool>,
    /// The last key looked up and its row: history files list a project's months together.
    last: Option<(String, Source, usize)>,
    outside: usize,
    first_outside: Option<(usize, String)>,
}

impl<'p> HistoryBuilder<'p> {
    /// Starts from the header row found at `line` of `file`; `None` (with the errors) when a column
    /// is missing or repeated.
    pub fn new(
        header: &dyn Fields,
        line: usize,
        file: &str,
        projects: &'p ProjectsTable,
        meta: &ScenarioMeta,
        diags: &mut Diagnostics,
    ) -> Option<HistoryBuilder<'p>> {
        let pos = map_header(header, &super::headers::HISTORY_ALIASES, line, file, diags)?;
        Some(Self::with_header(HistoryHeader { pos, width: header.count() }, file, projects, meta))
    }

    fn with_header(
        header: HistoryHeader,
        file: &str,
        projects: &'p ProjectsTable,
        meta: &ScenarioMeta,
    ) -> Self {
        let n = projects.portfolio.len();
        let last_month = if meta.as_of.year() > meta.fiscal_year {
            12
        } else if meta.as_of.year() < meta.fiscal_year {
            0
        } else {
            meta.as_of.month()
        };
        HistoryBuilder {
            file: file.to_owned(),
            projects,
            fiscal_year: meta.fiscal_year,
            last_month,
            header,
            months: vec![[Money::ZERO; 12]; n],
            first_line: vec![[0; 12]; n],
            tainted: vec![false; n],
            last: None,
            outside: 0,
            first_outside: None,
        }
    }

    /// Checks one history row starting at `line`.
    pub fn push(&mut self, rec: &dyn Fields, line: usize, diags: &mut Diagnostics) {
        let pos = self.header.pos;
        let get = |c: usize| Cow::Borrowed(text::trim(rec.field(pos[c])));
        let invalid = |c: usize| rec.invalid(pos[c]).map(str::to_owned);
        let raw = scan_row(&self.header, rec.count(), get, invalid, line, &self.file, diags);
        self.apply(&raw, diags);
    }

    /// Matches a scanned row with the projects and counts it.
    fn apply(&mut self, raw: &RawRow<'_>, diags: &mut Diagnostics) {
        let projects = self.projects;
        let line = raw.line;
        let id: &str = &raw.id;
        let Some(source) = raw.source else {
            taint_id(&mut self.tainted, projects, id);
            return;
        };
        if id.is_empty() {
            return;
        }
        let Some(row) = lookup(&mut self.last, projects, id, source) else {
            if !projects.rejected_ids.contains(id) {
                diags.error(
                    &self.file,
                    Location::Field { line, column: HISTORY_COLUMNS[0].to_owned() },
                    format!("no project `{}` with source {source} in {}", text::quote(id), projects.file),
                );
            }
            return;
        };
        let (Some((year, m)), Some(amount)) = (raw.month, raw.amount) else {
            self.tainted[row] = true;
            return;
        };
        if year == self.fiscal_year {
            let mi = (m - 1) as usize;
            let first = self.first_line[row][mi];
            if first != 0 {
                diags.error(
                    &self.file,
                    Location::Line { line },
                    format!(
                        "duplicate month {year}-{m:02} for `{}` ({source}): already on line {first}",
                        text::quote(id)
                    ),
                );
                self.tainted[row] = true;
                return;
            }
            self.first_line[row][mi] = u32::try_from(line).unwrap_or(u32::MAX);
            if m <= self.last_month {
                self.months[row][mi] += amount;
                return;
            }
        }
        self.outside += 1;
        if self.first_outside.is_none() {
            self.first_outside = Some((line, format!("{year}-{m:02}")));
        }
    }

    /// The summed history; errors for every row whose counted months do not add up to `disbursed`.
    pub fn finish(self, diags: &mut Diagnostics) -> History {
        if let Some((line, month)) = &self.first_outside {
            diags.warning(
                &self.file,
                Location::Line { line: *line },
                format!(
                    "{} row(s) name months outside {} and were not counted (the first, month {month}, is on this line)",
                    self.outside,
                    self.window()
                ),
            );
        }
        for (row, p) in self.projects.portfolio.rows().iter().enumerate() {
            if self.tainted[row] {
                continue;
            }
            let sum: Money = self.months[row].iter().sum();
            if sum != p.disbursed {
                let has_rows = self.first_line[row].iter().any(|&l| l != 0);
                let what = if has_rows {
                    format!("the months of {} in {} add up to {sum} million VND", self.window(), self.file)
                } else {
                    format!("{} has no row for it (sum 0)", self.file)
                };
                diags.error(
                    &self.projects.file,
                    Location::Field {
                        line: self.projects.lines.get(row).copied().unwrap_or(0),
                        column: "disbursed".into(),
                    },
                    format!(
                        "`{}` ({}): disbursed is {} million VND but {what}",
                        text::quote(&p.id),
                        p.source,
                        p.disbursed
                    ),
                );
            }
        }
        History { months: self.months }
    }

    /// The counted months, in words.
    fn window(&self) -> String {
        match self.last_month {
            0 => format!("the plan year {} up to as_of", self.fiscal_year),
            1 => format!("January {}", self.fiscal_year),
            m => format!("January–{} {}", crate::report::fmt::MONTHS_EN[(m - 1) as usize], self.fiscal_year),
        }
    }
}

/// The row of `id` + `source`, remembering the last key looked up.
fn lookup(
    last: &mut Option<(String, Source, usize)>,
    projects: &ProjectsTable,
    id: &str,
    source: Source,
) -> Option<usize> {
    if let Some((last_id, last_source, row)) = last {
        if *last_source == source && last_id == id {
            return Some(*row);
        }
    }
    let row = projects.portfolio.position(id, source)?;
    match last {
        Some((last_id, last_source, last_row)) => {
            last_id.clear();
            last_id.push_str(id);
            *last_source = source;
            *last_row = row;
        }
        None => *last = Some((id.to_owned(), source, row)),
    }
    Some(row)
}

/// Marks every row of `id` as having a bad history row.
fn taint_id(tainted: &mut [bool], projects: &ProjectsTable, id: &str) {
    for s in Source::ALL {
        if let Some(r) = projects.portfolio.position(id, *s) {
            tainted[r] = true;
        }
    }
}

/// Parses exactly `YYYY-MM`.
fn parse_month(s: &str) -> Result<(i32, u32), String> {
    let b = s.as_bytes();
    let bad = || {
        if s.is_empty() {
            "expected a month YYYY-MM such as 2025-03, found an empty field".to_owned()
        } else {
            format!("expected a month YYYY-MM such as 2025-03, found `{}`", text::quote(s))
        }
    };
    if b.len() != 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let year = i32::from(b[0] - b'0') * 1000
        + i32::from(b[1] - b'0') * 100
        + i32::from(b[2] - b'0') * 10
        + i32::from(b[3] - b'0');
    let month = u32::from(b[5] - b'0') * 10 + u32::from(b[6] - b'0');
    if (1..=12).contains(&month) { Ok((year, month)) } else { Err(bad()) }
}

/// Where the columns of a history table are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HistoryHeader {
    pos: [usize; 4],
    width: usize,
}

/// One history row with its fields checked, not yet matched with the projects.
#[derive(Debug)]
pub(crate) struct RawRow<'a> {
    line: usize,
    id: Cow<'a, str>,
    /// `None` when the row is unusable as a whole (wrong width, bad source): its project is not
    /// summed.
    source: Option<Source>,
    month: Option<(i32, u32)>,
    amount: Option<Money>,
}

/// Checks the fields of one row; `get(c)` is the trimmed text of column `c` of [`HISTORY_COLUMNS`].
fn scan_row<'a>(
    header: &HistoryHeader,
    width: usize,
    get: impl Fn(usize) -> Cow<'a, str>,
    invalid: impl Fn(usize) -> Option<String>,
    line: usize,
    file: &str,
    diags: &mut Diagnostics,
) -> RawRow<'a> {
    let at = |c: usize| Location::Field { line, column: HISTORY_COLUMNS[c].to_owned() };
    let id = get(0);
    if width != header.width {
        diags.error(
            file,
            Location::Line { line },
            format!("expected {} fields as in the header, found {width}", header.width),
        );
        return RawRow { line, id, source: None, month: None, amount: None };
    }
    // Cells that cannot be read at all (spreadsheet error cells) are reported once, not parsed.
    let unreadable: [bool; 4] = std::array::from_fn(|c| match invalid(c) {
        Some(msg) => {
            diags.error(file, at(c), msg);
            true
        }
        None => false,
    });
    if unreadable[0] {
        return RawRow { line, id, source: None, month: None, amount: None };
    }
    if id.is_empty() {
        diags.error(file, at(0), "expected a project code, found an empty field");
    }
    let source = if unreadable[1] {
        None
    } else {
        text::code(&get(1), Source::ALL, Source::code).map_err(|msg| diags.error(file, at(1), msg)).ok()
    };
    let month = if unreadable[2] {
        None
    } else {
        parse_month(&get(2)).map_err(|msg| diags.error(file, at(2), msg)).ok()
    };
    let amount = if unreadable[3] {
        None
    } else {
        text::amount(&get(3)).map_err(|msg| diags.error(file, at(3), msg)).ok()
    };
    RawRow { line, id, source, month, amount }
}

/// A history file split and field-checked, before the projects are known.
#[derive(Debug)]
pub(crate) struct Scanned<'a> {
    header: Option<HistoryHeader>,
    rows: Vec<RawRow<'a>>,
    diags: Diagnostics,
}

/// First pass over `disbursements.csv`: needs no projects, so it runs beside the projects parser.
pub(crate) fn scan_disbursements<'a>(text: &'a str, file: &str) -> Scanned<'a> {
    let mut diags = Diagnostics::new();
    let mut records = Records::new(text);
    let mut fields = Vec::with_capacity(HISTORY_COLUMNS.len());
    let mut header = None;
    let mut rows = Vec::new();
    while let Some(rec) = records.next_record(&mut fields) {
        let line = match rec {
            Ok(line) => line,
            Err(e) => {
                diags.error(file, Location::Line { line: e.line }, e.message);
                return Scanned { header: None, rows, diags };
            }
        };
        match &header {
            None => {
                let Some(pos) = map_header(&fields, &super::headers::HISTORY_ALIASES, line, file, &mut diags)
                else {
                    return Scanned { header: None, rows, diags };
                };
                header = Some(HistoryHeader { pos, width: fields.len() });
                rows.reserve(text.len() / 24);
            }
            Some(h) => {
                let get = |c: usize| match fields.get(h.pos[c]) {
                    Some(Cow::Borrowed(s)) => Cow::Borrowed(text::trim(s)),
                    Some(Cow::Owned(s)) => Cow::Owned(text::trim(s).to_owned()),
                    None => Cow::Borrowed(""),
                };
                rows.push(scan_row(h, fields.len(), get, |_| None, line, file, &mut diags));
            }
        }
    }
    if header.is_some() && rows.is_empty() {
        diags.error(file, Location::Line { line: 1 }, "the file has only a header line and no history rows");
        header = None;
    }
    Scanned { header, rows, diags }
}

/// Second pass: matches the scanned rows with the projects and sums them.
pub(crate) fn finish_disbursements(
    scanned: Scanned<'_>,
    file: &str,
    projects: &ProjectsTable,
    meta: &ScenarioMeta,
) -> (Option<History>, Diagnostics) {
    let Scanned { header, rows, mut diags } = scanned;
    let Some(header) = header else { return (None, diags) };
    let mut builder = HistoryBuilder::with_header(header, file, projects, meta);
    for raw in &rows {
        builder.apply(raw, &mut diags);
    }
    let history = builder.finish(&mut diags);
    (Some(history), diags)
}

/// Parses `disbursements.csv` from its bytes against the projects already read; `file` is the name
/// shown in messages. Errors about a row's sum name the projects file and line.
pub fn parse_disbursements(
    bytes: &[u8],
    file: &str,
    projects: &ProjectsTable,
    meta: &ScenarioMeta,
) -> (Option<History>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(text) = decode_history(bytes, file, &mut diags) else {
        return (None, diags);
    };
    let (h, d) = finish_disbursements(scan_disbursements(text, file), file, projects, meta);
    diags.extend(d);
    (h, diags)
}

/// The text of a history file, checked for UTF-8 and emptiness.
pub(crate) fn decode_history<'b>(bytes: &'b [u8], file: &str, diags: &mut Diagnostics) -> Option<&'b str> {
    text::decode(
        bytes,
        file,
        "the header id,source,month,amount then one row per project, source and month",
        diags,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_strict() {
        assert_eq!(parse_month("2025-03"), Ok((2025, 3)));
        for bad in ["2025-3", "2025-13", "2025-00", "03/2025", "2025-03-01", "", "２０２５-03"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
