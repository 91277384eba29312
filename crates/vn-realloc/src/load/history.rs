//! `disbursements.csv`: the monthly history `id,source,month,amount`, checked against the projects
//! and the date of the figures, and summed into a [`History`].

use std::borrow::Cow;

use chrono::Datelike;

use super::numbers::NumberFormat;
use super::projects::{ProjectsTable, map_header};

use super::records::{PART_BYTES, PartRead, Records, read_in_parts, read_part};
use super::text::{self, Fields};
use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::Source;
use crate::money::Money;
use crate::msg;
use crate::scenario::{History, ScenarioMeta};

/// The columns of `disbursements.csv`.
pub const HISTORY_COLUMNS: [&str; 4] = ["id", "source", "month", "amount"];

/// Checks and sums history rows one at a time against a projects table. The CSV parser drives it;
/// an Excel import can drive it with the cells of a sheet.
///
/// A row's fields are checked when it is pushed; matching it with the projects waits until its run
/// (the consecutive rows of one key) ends, so those messages (unknown project, duplicate month) come
/// when the next run starts or at [`finish`](HistoryBuilder::finish).
#[derive(Debug)]
pub struct HistoryBuilder<'p> {
    file: String,
    projects: &'p ProjectsTable,
    window: Window,
    header: HistoryHeader,
    /// Rows pushed and not yet matched: the current run of one key.
    groups: Groups<'static>,
    months: Vec<[Money; 12]>,
    /// `first_line[row][m]`: the line of the first history row for that row and month, 0 for none.
    first_line: Vec<[u32; 12]>,
    /// Rows with a history row that failed a check: their sum is not compared with `disbursed`.
    tainted: Vec<bool>,
    outside: usize,
    first_outside: Option<(usize, i32, u32)>,
    /// The row after the last one matched: files usually list projects in the same order.
    next_row: usize,
    sources: SourceCache,
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
        let pos =
            map_header(header, &super::headers::HISTORY_ALIASES, HISTORY_COLUMNS.len(), line, file, diags)?;
        let format = NumberFormat(meta.amount_format);
        Some(Self::with_header(HistoryHeader { pos, width: header.count(), format }, file, projects, meta))
    }

    fn with_header(
        header: HistoryHeader,
        file: &str,
        projects: &'p ProjectsTable,
        meta: &ScenarioMeta,
    ) -> Self {
        let n = projects.portfolio.len();
        let window = Window::of(meta);
        HistoryBuilder {
            file: file.to_owned(),
            projects,
            window,
            header,
            groups: Groups::new(window),
            months: vec![[Money::ZERO; 12]; n],
            first_line: vec![[0; 12]; n],
            tainted: vec![false; n],
            outside: 0,
            first_outside: None,
            next_row: 0,
            sources: SourceCache::default(),
        }
    }

    /// Checks one history row starting at `line`.
    pub fn push(&mut self, rec: &dyn Fields, line: usize, diags: &mut Diagnostics) {
        let pos = self.header.pos;
        let get = |c: usize| {
            if c == 0 { text::key(rec.field(pos[c])) } else { Cow::Borrowed(text::trim(rec.field(pos[c]))) }
        };
        let invalid = |c: usize| rec.invalid_msg(pos[c]);
        let number_cell = rec.is_number(pos[3]);
        let raw = scan_row(
            &self.header,
            (rec.count(), number_cell),
            get,
            invalid,
            line,
            &self.file,
            &mut self.sources,
            diags,
        );
        if let Some(done) = self.groups.push(raw, |id| Cow::Owned(id.into_owned())) {
            self.apply(done, diags);
        }
    }

    /// Matches a run of rows of one key with the projects and counts it.
    fn apply(&mut self, group: Group<'_>, diags: &mut Diagnostics) {
        let projects = self.projects;
        let id: &str = &group.id;
        let Some(source) = group.source else {
            taint_id(&mut self.tainted, projects, id);
            return;
        };
        let rows = projects.portfolio.rows();
        let guess =
            rows.get(self.next_row).filter(|p| p.source == source && *p.id == *id).map(|_| self.next_row);
        let Some(row) = guess.or_else(|| projects.portfolio.position(id, source)) else {
            if !projects.rejected_ids.contains(id) {
                let (more, more_vi) = match group.rows {
                    1 => (String::new(), String::new()),
                    n => (
                        format!(" ({n} rows, lines {}–{})", group.line, group.last_line),
                        format!(" ({n} dòng, từ dòng {} đến {})", group.line, group.last_line),
                    ),
                };
                diags.error(
                    &self.file,
                    Location::Field { line: group.line, column: HISTORY_COLUMNS[0].to_owned() },
                    msg!(
                        "E501",
                        en(
                            "no project `{}` with source {source} in {}{more}",
                            text::quote(id),
                            projects.file
                        ),
                        vi(
                            "không có dự án `{}` với nguồn vốn {source} trong {}{more_vi}",
                            text::quote(id),
                            projects.file
                        )
                    ),
                );
            }
            return;
        };
        self.next_row = row + 1;
        let merged = merge_months(&mut self.first_line[row], &mut self.months[row], &group, self.window);
        for &(line, m, first) in &merged.duplicates {
            diags.error(
                &self.file,
                Location::Line { line },
                msg!(
                    "E502",
                    "duplicate month {}-{:02} for `{}` ({source}): already on line {first}",
                    "tháng {}-{:02} của `{}` ({source}) bị trùng: đã có ở dòng {first}",
                    self.window.fiscal_year,
                    m + 1,
                    text::quote(id)
                ),
            );
        }
        self.tainted[row] |= group.tainted || !merged.duplicates.is_empty();
        self.outside += merged.outside;
        if self.first_outside.is_none() {
            self.first_outside = merged.first_outside;
        }
    }

    /// The summed history; errors for every row whose counted months do not add up to `disbursed`.
    pub fn finish(mut self, diags: &mut Diagnostics) -> History {
        if let Some(last) = self.groups.finish() {
            self.apply(last, diags);
        }
        if let Some((line, year, m)) = self.first_outside {
            diags.warning(
                &self.file,
                Location::Line { line },
                msg!(
                    "W503",
                    en(
                        "{} row(s) name months outside {} and were not counted (the first, month {year}-{m:02}, is on this line)",
                        self.outside,
                        self.window.describe().0
                    ),
                    vi(
                        "{} dòng ghi tháng ngoài {} nên không được tính (dòng đầu tiên, tháng {year}-{m:02}, là dòng này)",
                        self.outside,
                        self.window.describe().1
                    )
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
                let (what, what_vi) = if has_rows {
                    (
                        format!(
                            "the months of {} in {} add up to {sum} million VND",
                            self.window.describe().0,
                            self.file
                        ),
                        format!(
                            "tổng các tháng {} trong {} là {sum} triệu đồng",
                            self.window.describe().1,
                            self.file
                        ),
                    )
                } else {
                    (
                        format!("{} has no row for it (sum 0)", self.file),
                        format!("{} không có dòng nào của dự án này (tổng bằng 0)", self.file),
                    )
                };
                diags.error(
                    &self.projects.file,
                    Location::Field {
                        line: self.projects.lines.get(row).copied().unwrap_or(0),
                        column: "disbursed".into(),
                    },
                    msg!(
                        "E504",
                        en(
                            "`{}` ({}): disbursed is {} million VND but {what}",
                            text::quote(&p.id),
                            p.source,
                            p.disbursed
                        ),
                        vi(
                            "`{}` ({}): giải ngân lũy kế là {} triệu đồng nhưng {what_vi}",
                            text::quote(&p.id),
                            p.source,
                            p.disbursed
                        )
                    ),
                );
            }
        }
        History { months: self.months }
    }
}

/// The months of the plan year that count: 1..=`last_month` of `fiscal_year`.
#[derive(Clone, Copy, Debug)]
struct Window {
    fiscal_year: i32,
    last_month: u32,
}

impl Window {
    fn of(meta: &ScenarioMeta) -> Window {
        let last_month = if meta.as_of.year() > meta.fiscal_year {
            12
        } else if meta.as_of.year() < meta.fiscal_year {
            0
        } else {
            meta.as_of.month()
        };
        Window { fiscal_year: meta.fiscal_year, last_month }
    }

    /// The counted months, in words, in English and Vietnamese.
    fn describe(&self) -> (String, String) {
        let y = self.fiscal_year;
        match self.last_month {
            0 => (format!("the plan year {y} up to as_of"), format!("năm kế hoạch {y} đến ngày as_of")),
            1 => (format!("January {y}"), format!("tháng 1 năm {y}")),
            m => (
                format!("January–{} {y}", crate::report::fmt::MONTHS_EN[(m - 1) as usize]),
                format!("từ tháng 1 đến tháng {m} năm {y}"),
            ),
        }
    }
}

/// Consecutive history rows of one key (id + source), checked and summed before the projects are
/// known. History files list a project's months together, so a national file of 420,000 rows makes
/// about 50,000 runs, and only runs are matched with the projects.
#[derive(Debug)]
pub(crate) struct Group<'a> {
    id: Cow<'a, str>,
    /// `None` for an unusable row (wrong width, bad source, unreadable source), always a run of its own:
    /// every row of its id is then left out of the sum check.
    source: Option<Source>,
    /// The lines of the first and the last row.
    line: usize,
    last_line: usize,
    rows: usize,
    /// Amounts of the counted months.
    months: [Money; 12],
    /// The line of the row for each month of the plan year, 0 for none.
    first_line: [u32; 12],
    /// A row failed a field check (month or amount): the sum is not compared.
    tainted: bool,
    /// Rows repeating a month of an earlier row of the run: line, month index, earlier line.
    duplicates: Vec<(usize, usize, u32)>,
    /// Rows of other years than the plan year, and the first of them (line, year, month). Rows of
    /// the plan year after the counted months are known from `first_line`.
    other_years: usize,
    first_other_year: Option<(usize, i32, u32)>,
}

/// Cuts checked rows into runs of one key.
#[derive(Debug)]
struct Groups<'a> {
    window: Window,
    current: Option<Group<'a>>,
}

impl<'a> Groups<'a> {
    fn new(window: Window) -> Groups<'a> {
        Groups { window, current: None }
    }

    /// Adds a row; returns the run it ends, if any. `own` turns the row's id into the run's id when
    /// the row starts a run.
    fn push<'r>(
        &mut self,
        raw: RawRow<'r>,
        own: impl FnOnce(Cow<'r, str>) -> Cow<'a, str>,
    ) -> Option<Group<'a>> {
        if raw.id.is_empty() {
            // Reported by the field check; such a row names no project.
            return None;
        }
        let continues = raw.source.is_some()
            && self.current.as_ref().is_some_and(|g| g.source == raw.source && *g.id == *raw.id);
        let done = if continues {
            None
        } else {
            let fresh = Group {
                id: own(raw.id),
                source: raw.source,
                line: raw.line,
                last_line: raw.line,
                ..Group::empty()
            };
            self.current.replace(fresh)
        };
        if let Some(g) = self.current.as_mut() {
            g.add(raw.line, raw.month, raw.amount, self.window);
        }
        done
    }

    /// The last run.
    fn finish(&mut self) -> Option<Group<'a>> {
        self.current.take()
    }
}

impl Group<'_> {
    /// A run of no row, to stand in for one moved out.
    fn empty() -> Group<'static> {
        Group {
            id: Cow::Borrowed(""),
            source: None,
            line: 0,
            last_line: 0,
            rows: 0,
            months: [Money::ZERO; 12],
            first_line: [0; 12],
            tainted: false,
            duplicates: Vec::new(),
            other_years: 0,
            first_other_year: None,
        }
    }

    fn add(&mut self, line: usize, month: Option<(i32, u32)>, amount: Option<Money>, window: Window) {
        self.rows += 1;
        self.last_line = line;
        if self.source.is_none() {
            return;
        }
        let (Some((year, m)), Some(amount)) = (month, amount) else {
            self.tainted = true;
            return;
        };
        if year == window.fiscal_year {
            let mi = (m - 1) as usize;
            let first = self.first_line[mi];
            if first != 0 {
                self.duplicates.push((line, mi, first));
                return;
            }
            self.first_line[mi] = u32::try_from(line).unwrap_or(u32::MAX);
            if m <= window.last_month {
                self.months[mi] += amount;
            }
            return;
        }
        self.other_years += 1;
        if self.first_other_year.is_none() {
            self.first_other_year = Some((line, year, m));
        }
    }

    /// True when `later` continues this run: the same usable key.
    fn same_key(&self, later: &Group<'_>) -> bool {
        self.source.is_some() && self.source == later.source && self.id == later.id
    }

    /// Takes in `later`, the run that continues this one in the next part of the file, as reading
    /// its rows one by one after this run's would.
    fn absorb(&mut self, later: Group<'_>, window: Window) {
        let merged = merge_months(&mut self.first_line, &mut self.months, &later, window);
        self.rows += later.rows;
        self.last_line = later.last_line;
        self.tainted |= later.tainted;
        // Every line of `later` comes after every line of this run: the list stays in line order.
        self.duplicates.extend(merged.duplicates);
        self.other_years += later.other_years;
        if self.first_other_year.is_none() {
            self.first_other_year = later.first_other_year;
        }
    }

    /// Moves every line `by` lines down: a part of a file read on its own numbers its lines from 1.
    fn shift_lines(&mut self, by: usize) {
        let by32 = u32::try_from(by).unwrap_or(u32::MAX);
        self.line += by;
        self.last_line += by;
        for l in self.first_line.iter_mut().filter(|l| **l != 0) {
            *l = l.saturating_add(by32);
        }
        for (line, _, first) in &mut self.duplicates {
            *line += by;
            *first = first.saturating_add(by32);
        }
        if let Some((line, _, _)) = &mut self.first_other_year {
            *line += by;
        }
    }
}

/// What [`merge_months`] found.
#[derive(Debug, Default)]
struct Merged {
    /// Rows repeating a month already seen: line, month index, the line first seen; in line order.
    duplicates: Vec<(usize, usize, u32)>,
    /// Rows outside the counted months, and the first of them (line, year, month).
    outside: usize,
    first_outside: Option<(usize, i32, u32)>,
}

/// Merges the months of `later`, a run further down the file, into the months seen so far for its
/// key (`first_line`, `months`), as reading its rows one by one after them would: every row of a
/// month already seen is a duplicate of the row first seen, and adds nothing.
fn merge_months(
    first_line: &mut [u32; 12],
    months: &mut [Money; 12],
    later: &Group<'_>,
    window: Window,
) -> Merged {
    let before = *first_line;
    let mut merged = Merged { outside: later.other_years, ..Merged::default() };
    let mut first_outside = later.first_other_year;
    for mi in 0..12 {
        let line = later.first_line[mi];
        if line == 0 {
            continue;
        }
        if before[mi] != 0 {
            merged.duplicates.push((line as usize, mi, before[mi]));
            continue;
        }
        first_line[mi] = line;
        months[mi] += later.months[mi];
        let m = mi as u32 + 1;
        if m > window.last_month {
            merged.outside += 1;
            if first_outside.is_none_or(|(l, _, _)| (line as usize) < l) {
                first_outside = Some((line as usize, window.fiscal_year, m));
            }
        }
    }
    merged.first_outside = first_outside;
    for &(line, mi, first) in &later.duplicates {
        merged.duplicates.push((line, mi, if before[mi] != 0 { before[mi] } else { first }));
    }
    merged.duplicates.sort_unstable();
    merged
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
fn parse_month(s: &str) -> Result<(i32, u32), Msg> {
    let b = s.as_bytes();
    let bad = || {
        if s.is_empty() {
            msg!(
                "E505",
                "expected a month YYYY-MM such as 2025-03, found an empty field",
                "cần một tháng dạng YYYY-MM (năm-tháng), ví dụ 2025-03, nhưng ô để trống"
            )
        } else {
            msg!(
                "E506",
                "expected a month YYYY-MM such as 2025-03, found `{}`",
                "cần một tháng dạng YYYY-MM (năm-tháng), ví dụ 2025-03, nhưng gặp `{}`",
                text::quote(s)
            )
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
    /// How the amounts are written.
    format: NumberFormat,
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

/// Checks the fields of one row; `get(c)` is the trimmed text of column `c` of [`HISTORY_COLUMNS`],
/// `width` the number of fields and whether the amount is a spreadsheet number cell.
#[expect(
    clippy::too_many_arguments,
    reason = "called from two places (CSV parts and pushed rows) that hold these apart"
)]
fn scan_row<'a>(
    header: &HistoryHeader,
    (width, number_cell): (usize, bool),
    get: impl Fn(usize) -> Cow<'a, str>,
    invalid: impl Fn(usize) -> Option<Msg>,
    line: usize,
    file: &str,
    sources: &mut SourceCache,
    diags: &mut Diagnostics,
) -> RawRow<'a> {
    let at = |c: usize| Location::Field { line, column: HISTORY_COLUMNS[c].to_owned() };
    let id = get(0);
    if width != header.width {
        diags.error(
            file,
            Location::Line { line },
            msg!(
                "E507",
                "expected {} fields as in the header, found {width}",
                "cần {} ô như dòng tiêu đề, nhưng dòng này có {width}",
                header.width
            ),
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
        diags.error(
            file,
            at(0),
            msg!("E508", "expected a project code, found an empty field", "cần mã dự án, nhưng ô để trống"),
        );
    }
    let source = if unreadable[1] {
        None
    } else {
        sources.parse(&get(1)).map_err(|msg| diags.error(file, at(1), msg)).ok()
    };
    let month = if unreadable[2] {
        None
    } else {
        parse_month(&get(2)).map_err(|msg| diags.error(file, at(2), msg)).ok()
    };
    let amount = if unreadable[3] {
        None
    } else {
        header.format.amount(&get(3), number_cell).map_err(|msg| diags.error(file, at(3), msg)).ok()
    };
    RawRow { line, id, source, month, amount }
}

/// The capital source of the last row: consecutive history rows name the same one.
#[derive(Debug, Default)]
struct SourceCache {
    text: String,
    source: Option<Source>,
}

impl SourceCache {
    /// Parses a capital source code, as [`text::code`] does.
    fn parse(&mut self, s: &str) -> Result<Source, Msg> {
        if let Some(source) = self.source
            && self.text == s
        {
            return Ok(source);
        }
        let parsed = text::code(s, Source::ALL, Source::code);
        if let Ok(source) = parsed {
            self.text.clear();
            self.text.push_str(s);
            self.source = Some(source);
        }
        parsed
    }
}

/// A history file split, field-checked and cut into runs of one key, before the projects are known.
#[derive(Debug)]
pub(crate) struct Scanned<'a> {
    header: Option<HistoryHeader>,
    /// The runs of each part, in file order, and how many at the start of the part were joined to
    /// the last run of the part before (0 or 1): kept per part, not copied into one list.
    groups: Vec<(Vec<Group<'a>>, usize)>,
    diags: Diagnostics,
}

/// First pass over `disbursements.csv`: needs no projects, so it runs beside the projects parser.
/// A large file is read in parts in parallel, joined as one reading would (a run cut by a part
/// boundary is joined again).
pub(crate) fn scan_disbursements<'a>(text: &'a str, file: &str, meta: &ScenarioMeta) -> Scanned<'a> {
    scan_in_parts(text, file, meta, PART_BYTES)
}

pub(crate) fn scan_in_parts<'a>(
    text: &'a str,
    file: &str,
    meta: &ScenarioMeta,
    part_bytes: usize,
) -> Scanned<'a> {
    let mut diags = Diagnostics::new();
    let mut records = Records::new(text);
    let mut fields = Vec::with_capacity(HISTORY_COLUMNS.len());
    let none = |diags| Scanned { header: None, groups: Vec::new(), diags };
    let Some(header_line) = records.header(&mut fields, file, &mut diags) else {
        return none(diags);
    };
    let Some(pos) = map_header(
        &fields,
        &super::headers::HISTORY_ALIASES,
        HISTORY_COLUMNS.len(),
        header_line,
        file,
        &mut diags,
    ) else {
        return none(diags);
    };
    let header = HistoryHeader { pos, width: fields.len(), format: NumberFormat(meta.amount_format) };
    let window = Window::of(meta);
    let (body, lines_before) = records.rest();

    let scan = |part| {
        let mut groups = Vec::new();
        let read = scan_part(part, &header, window, file, &mut groups);
        (groups, read)
    };
    let parts = read_in_parts(body, lines_before, part_bytes, &mut diags, scan);
    let mut groups: Vec<(Vec<Group<'a>>, usize)> = Vec::with_capacity(parts.parts.len());
    for (mut part, offset) in parts.parts {
        part.iter_mut().for_each(|g| g.shift_lines(offset));
        let last = groups.iter_mut().rev().find_map(|(g, skip)| g.get_mut(*skip..).and_then(<[_]>::last_mut));
        let joined = match (last, part.first_mut()) {
            (Some(last), Some(first)) if last.same_key(first) => {
                last.absorb(std::mem::replace(first, Group::empty()), window);
                1
            }
            _ => 0,
        };
        groups.push((part, joined));
    }
    if parts.broken {
        // The file cannot be read to its end: its rows are not matched with the projects.
        return none(diags);
    }
    if parts.records == 0 {
        diags.error(
            file,
            Location::Line { line: 1 },
            msg!(
                "E509",
                "the file has only a header line and no history rows",
                "tệp chỉ có dòng tiêu đề, không có dòng giải ngân nào"
            ),
        );
        return none(diags);
    }
    Scanned { header: Some(header), groups, diags }
}

/// Checks every record of `text`, a run of whole lines of the file after the header, and cuts them
/// into runs of one key, added to `groups` with lines counted from the part's start.
fn scan_part<'a>(
    text: &'a str,
    header: &HistoryHeader,
    window: Window,
    file: &str,
    groups: &mut Vec<Group<'a>>,
) -> PartRead {
    let mut runs = Groups::new(window);
    let mut sources = SourceCache::default();
    // About eight months per project, of about 32 bytes each.
    groups.reserve(text.len() / 256);
    let read = read_part(text, file, header.width, |fields, line, diags| {
        // The id is compared in its normal form (see `text::key`).
        let get = |c: usize| match fields.get(header.pos[c]) {
            Some(Cow::Borrowed(s)) if c == 0 => text::key(s),
            Some(Cow::Borrowed(s)) => Cow::Borrowed(text::trim(s)),
            Some(Cow::Owned(s)) if c == 0 => Cow::Owned(text::key(s).into_owned()),
            Some(Cow::Owned(s)) => Cow::Owned(text::trim(s).to_owned()),
            None => Cow::Borrowed(""),
        };
        // A part without control characters needs no check per field (the common case, kept
        // free of calls).
        let raw = if fields.is_clean() {
            scan_row(header, (fields.len(), false), get, |_| None, line, file, &mut sources, diags)
        } else {
            let invalid = |c: usize| fields.invalid_msg(header.pos[c]);
            scan_row(header, (fields.len(), false), get, invalid, line, file, &mut sources, diags)
        };
        groups.extend(runs.push(raw, |id| id));
    });
    groups.extend(runs.finish());
    read
}

/// Second pass: matches the scanned rows with the projects and sums them.
pub(crate) fn finish_disbursements(
    scanned: Scanned<'_>,
    file: &str,
    projects: &ProjectsTable,
    meta: &ScenarioMeta,
) -> (Option<History>, Diagnostics) {
    let Scanned { header, groups, mut diags } = scanned;
    let Some(header) = header else { return (None, diags) };
    let mut builder = HistoryBuilder::with_header(header, file, projects, meta);
    for (part, joined) in groups {
        for group in part.into_iter().skip(joined) {
            builder.apply(group, &mut diags);
        }
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
    let (h, d) = finish_disbursements(scan_disbursements(text, file, meta), file, projects, meta);
    diags.extend(d);
    (h, diags)
}

/// The text of a history file, checked for UTF-8 and emptiness.
pub(crate) fn decode_history<'b>(bytes: &'b [u8], file: &str, diags: &mut Diagnostics) -> Option<&'b str> {
    text::decode(
        bytes,
        file,
        (
            "the header id,source,month,amount then one row per project, source and month",
            "dòng tiêu đề id,source,month,amount rồi mỗi dòng một dự án, nguồn vốn và tháng",
        ),
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

    use proptest::prelude::*;

    use crate::generate::{GenerateOptions, files_of, generate_scenario};
    use crate::load::parse_projects_table;

    proptest! {
        /// Reading the history in parts, even a line a part, gives what one reading gives: the same
        /// sums and the same messages, with runs cut by a part boundary joined again; on valid
        /// files and on files with lines repeated or moved (duplicate months, a project's months
        /// apart), months of other years, unknown projects and broken quotes.
        #[test]
        fn parts_read_like_one_reading(
            seed in 0u64..1000,
            copies in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..4),
            extra in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
                "P-NONE,NSTW,2025-01,1\nP-NONE,NSTW,2025-02,1\nP-NONE,NSTW,2025-03,1\n", "\"", "\n",
                "x,NSTW,2024-05,1\n", "x,NSTW,2025-13,1\n", ",NSTW,2025-01,1\n", "x,NSTX,2025-01,1\n",
                "x,NSTW\n", "x,NSTW,2025-02,abc\n", "x,NSTW,2025-11,1\n"])), 0..4),
            as_of_month in 1u32..=12,
            part_bytes in 1usize..300,
        ) {
            let mut scenario = generate_scenario(&GenerateOptions::new(8, seed));
            let files = files_of(&scenario);
            // An earlier as_of leaves generated months outside the counted window.
            scenario.meta.as_of = chrono::NaiveDate::from_ymd_opt(2025, as_of_month, 28).unwrap_or(scenario.meta.as_of);
            let (table, _) = parse_projects_table(files.projects_csv.as_bytes(), "projects.csv", scenario.meta.amount_format);
            let mut lines: Vec<String> = files.disbursements_csv.lines().map(|l| format!("{l}\n")).collect();
            for (from, to) in copies {
                let line = lines[1 + from.index(lines.len() - 1)].clone();
                lines.insert(1 + to.index(lines.len()), line);
            }
            for (at, piece) in extra {
                let at = 1 + at.index(lines.len());
                // Months of other years and unknown rows borrow a real id, so that they match a project.
                let id = table.portfolio.rows()[at % table.portfolio.len()].id.clone();
                let source = table.portfolio.rows()[at % table.portfolio.len()].source;
                lines.insert(at, piece.replace('x', &id).replace("NSTW", if piece.starts_with('x') { source.code() } else { "NSTW" }));
            }
            let text = lines.concat();
            let outcome = |part_bytes| {
                let scanned = scan_in_parts(&text, "disbursements.csv", &scenario.meta, part_bytes);
                let (history, diags) = finish_disbursements(scanned, "disbursements.csv", &table, &scenario.meta);
                format!("{:?}\n{diags}", history.map(|h| h.months))
            };
            prop_assert_eq!(outcome(part_bytes), outcome(usize::MAX));
        }
    }
}
