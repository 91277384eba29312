//! `projects.csv`: one row per project and capital source, every field checked, every problem
//! located by line and column name.

use std::collections::HashSet;
use std::sync::Arc;

use rustc_hash::FxHashSet;

use super::headers;
use super::numbers::NumberFormat;
use super::records::{PART_BYTES, PartRead, Records, read_in_parts, read_part};
use super::text::{self, Fields};
use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::{
    Category, Obstacle, Obstacles, Portfolio, Project, ProjectExtra, ProjectGroup, Source, Status,
};
use crate::money::AmountFormat;
use crate::msg;

/// The columns of `projects.csv`, in the order of DOMAIN.md; any order is accepted in a file.
pub const PROJECT_COLUMNS: [&str; 20] = [
    "id",
    "name",
    "investor",
    "locality",
    "sector",
    "source",
    "group",
    "status",
    "key_project",
    "total_investment",
    "allocated_before",
    "plan",
    "disbursed",
    "unpaid_volume",
    "site_clearance_pct",
    "physical_progress_pct",
    "start_year",
    "end_year",
    "obstacles",
    "locked",
];

/// The optional columns of `projects.csv` (version 2), after [`PROJECT_COLUMNS`] in the header
/// table: a file without them is valid, and an empty cell means "not given".
pub const PROJECT_OPTIONAL_COLUMNS: [&str; 7] = [
    "category",
    "medium_term_room",
    "requested_change",
    "agreement",
    "extended_to",
    "decision",
    "lock_reason",
];

/// Every column a projects header may name: the required ones, then the optional ones.
const ALL_COLUMNS: usize = PROJECT_COLUMNS.len() + PROJECT_OPTIONAL_COLUMNS.len();

/// Column indexes into [`PROJECT_COLUMNS`].
mod col {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const INVESTOR: usize = 2;
    pub const LOCALITY: usize = 3;
    pub const SECTOR: usize = 4;
    pub const SOURCE: usize = 5;
    pub const GROUP: usize = 6;
    pub const STATUS: usize = 7;
    pub const KEY_PROJECT: usize = 8;
    pub const TOTAL_INVESTMENT: usize = 9;
    pub const ALLOCATED_BEFORE: usize = 10;
    pub const PLAN: usize = 11;
    pub const DISBURSED: usize = 12;
    pub const UNPAID_VOLUME: usize = 13;
    pub const SITE_CLEARANCE_PCT: usize = 14;
    pub const PHYSICAL_PROGRESS_PCT: usize = 15;
    pub const START_YEAR: usize = 16;
    pub const END_YEAR: usize = 17;
    pub const OBSTACLES: usize = 18;
    pub const LOCKED: usize = 19;
    pub const CATEGORY: usize = 20;
    pub const MEDIUM_TERM_ROOM: usize = 21;
    pub const REQUESTED_CHANGE: usize = 22;
    pub const AGREEMENT: usize = 23;
    pub const EXTENDED_TO: usize = 24;
    pub const DECISION: usize = 25;
    pub const LOCK_REASON: usize = 26;
}

/// A column absent from the header.
const ABSENT: usize = usize::MAX;

/// The projects read from a table, with where each row came from.
#[derive(Clone, Debug, Default)]
pub struct ProjectsTable {
    /// The file name shown in messages.
    pub file: String,
    /// The rows that passed every check, in file order.
    pub portfolio: Portfolio,
    /// `lines[i]`: the line (or sheet row) where portfolio row `i` starts, 1-based.
    pub lines: Vec<usize>,
    /// Ids of rows refused for a bad field: other files naming them are not blamed again.
    pub rejected_ids: HashSet<String>,
}

/// Maps a header to columns, then checks and collects rows one at a time. The CSV parser drives it;
/// an Excel import can drive it with the cells of a sheet.
#[derive(Debug)]
pub struct ProjectsBuilder {
    /// Position of each of [`PROJECT_COLUMNS`] then [`PROJECT_OPTIONAL_COLUMNS`] in the rows,
    /// [`ABSENT`] for an optional column the header lacks.
    pos: [usize; ALL_COLUMNS],
    /// The header names at least one optional column.
    any_optional: bool,
    /// How numeric text is written.
    format: NumberFormat,
    /// Number of fields in the header.
    width: usize,
    table: ProjectsTable,
    /// What rows pushed one at a time share.
    one: PartState,
}

/// What the rows of one part of a file share while they are checked.
#[derive(Debug, Default)]
struct PartState {
    /// Ids of rows refused for a bad field.
    rejected: HashSet<String>,
    strings: Strings,
}

/// One shared copy of each investor, locality and sector name.
#[derive(Debug, Default)]
struct Strings(FxHashSet<Arc<str>>);

impl Strings {
    /// The shared copy of `s`.
    fn share(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return Arc::clone(a);
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(Arc::clone(&a));
        a
    }
}

/// Maps header fields to the positions of the columns of `table` (each named by its English name or
/// a Vietnamese alias, see [`headers`](super::headers)); unknown names are warnings, repeated ones
/// errors, and so are missing ones among the first `required` columns (a missing optional column is
/// at `usize::MAX`). `None` when a column is missing or repeated.
pub(crate) fn map_header<const N: usize>(
    header: &dyn Fields,
    table: &[(&str, &[&str]); N],
    required: usize,
    line: usize,
    file: &str,
    diags: &mut Diagnostics,
) -> Option<[usize; N]> {
    let columns: [&str; N] = table.map(|(c, _)| c);
    let mut pos = [usize::MAX; N];
    let mut ok = true;
    let mut unknown = Vec::new();
    for i in 0..header.count() {
        let name = text::trim(header.field(i));
        match headers::column_of(table, name) {
            Some(c) if pos[c] != usize::MAX => {
                ok = false;
                diags.error(
                    file,
                    Location::Field { line, column: columns[c].to_owned() },
                    msg!(
                        "E401",
                        "column `{}` appears twice in the header (fields {} and {})",
                        "cột `{}` xuất hiện hai lần trong dòng tiêu đề (cột thứ {} và thứ {})",
                        columns[c],
                        pos[c] + 1,
                        i + 1
                    ),
                );
            }
            Some(c) => pos[c] = i,
            None => unknown.push(name),
        }
    }
    if pos.iter().all(|&p| p == usize::MAX) && header.count() > 0 {
        // Not a table of this kind (or another file altogether): one message, and nothing of the
        // file quoted back.
        diags.error(
            file,
            Location::Line { line },
            msg!(
                "E402",
                "the first line names none of the expected columns: this is not the table expected here; the header must name: {}",
                "dòng đầu không có tên cột nào cần có: đây không phải bảng cần đọc ở đây; dòng tiêu đề phải có các cột: {}",
                columns.join(", ")
            ),
        );
        return None;
    }
    // A missing column with a header close to its name is a typo: one message, with the spelling
    // in the header's own language. Every other missing column goes into one message.
    let mut missing: Vec<usize> = (0..required).filter(|&c| pos[c] == usize::MAX).collect();
    for name in unknown {
        match headers::suggest(table, name, &missing) {
            Some((c, spelling)) => {
                ok = false;
                missing.retain(|&m| m != c);
                diags.error(
                    file,
                    Location::Field { line, column: text::quote(name) },
                    msg!(
                        "E403",
                        "unknown column `{}`: did you mean `{spelling}`? (column `{}` is missing)",
                        "cột `{}` không có trong danh sách: có phải là `{spelling}`? (đang thiếu cột `{}`)",
                        text::quote(name),
                        columns[c]
                    ),
                );
            }
            None => diags.warning(
                file,
                Location::Field { line, column: text::quote(name) },
                msg!(
                    "W404",
                    "unknown column `{}` ignored",
                    "cột `{}` không có trong danh sách nên được bỏ qua",
                    text::quote(name)
                ),
            ),
        }
    }
    match missing[..] {
        [] => {}
        [c] => {
            ok = false;
            diags.error(
                file,
                Location::Field { line, column: columns[c].to_owned() },
                missing_column(columns[c], &columns[..required], table[c].1),
            );
        }
        _ => {
            ok = false;
            let list = |or: &str| -> String {
                missing
                    .iter()
                    .map(|&c| match table[c].1.first() {
                        Some(a) => format!("`{}` ({or} `{a}`)", columns[c]),
                        None => format!("`{}`", columns[c]),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            diags.error(
                file,
                Location::Line { line },
                msg!(
                    "E405",
                    en("missing columns {}; the header must name: {}", list("or"), columns.join(", ")),
                    vi(
                        "thiếu các cột {}; dòng tiêu đề phải có các cột: {}",
                        list("hoặc"),
                        columns.join(", ")
                    )
                ),
            );
        }
    }
    ok.then_some(pos)
}

/// The message for a missing column, naming its Vietnamese headers.
fn missing_column(column: &str, columns: &[&str], aliases: &[&str]) -> Msg {
    let or = |word: &str| match aliases.first() {
        Some(a) => format!(" ({word} `{a}`)"),
        None => String::new(),
    };
    msg!(
        "E406",
        en("missing column `{column}`{}; the header must name: {}", or("or"), columns.join(", ")),
        vi("thiếu cột `{column}`{}; dòng tiêu đề phải có các cột: {}", or("hoặc"), columns.join(", "))
    )
}

impl ProjectsBuilder {
    /// Starts a table from its header row, found at `line` of `file`, whose numeric text is written
    /// in `format` (`amount_format` of `scenario.toml`, `None` when it states none); `None` (with the
    /// errors) when a column is missing or repeated.
    pub fn new(
        header: &dyn Fields,
        line: usize,
        file: &str,
        format: Option<AmountFormat>,
        diags: &mut Diagnostics,
    ) -> Option<ProjectsBuilder> {
        let pos = map_header(header, &headers::PROJECT_ALIASES, PROJECT_COLUMNS.len(), line, file, diags)?;
        Some(ProjectsBuilder {
            pos,
            any_optional: pos[PROJECT_COLUMNS.len()..].iter().any(|&p| p != ABSENT),
            format: NumberFormat(format),
            width: header.count(),
            table: ProjectsTable { file: file.to_owned(), ..ProjectsTable::default() },
            one: PartState::default(),
        })
    }

    /// Checks one row starting at `line` and keeps it when every field and row check passes.
    pub fn push(&mut self, row: &dyn Fields, line: usize, diags: &mut Diagnostics) {
        let mut part = std::mem::take(&mut self.one);
        let checked = self.check(row, line, diags, &mut part);
        self.one = part;
        if let Some(project) = checked {
            self.keep(project, line, diags);
        }
    }

    /// Checks the fields of one row starting at `line`: the project when every check passes, else
    /// `None` with the errors, and the row's id added to the part's refused ids. Needs no other row,
    /// so that parts of a file are checked in parallel.
    fn check(
        &self,
        row: &dyn Fields,
        line: usize,
        diags: &mut Diagnostics,
        part: &mut PartState,
    ) -> Option<Project> {
        let file = self.table.file.as_str();
        if row.count() != self.width {
            diags.error(
                file,
                Location::Line { line },
                msg!(
                    "E407",
                    "expected {} fields as in the header, found {}",
                    "cần {} ô như dòng tiêu đề, nhưng dòng này có {}",
                    self.width,
                    row.count()
                ),
            );
            let id = text::key(row.field(self.pos[col::ID]));
            if !id.is_empty() {
                part.rejected.insert(id.into_owned());
            }
            return None;
        }
        let mut ok = true;
        let pos = self.pos;
        let get = |c: usize| text::trim(row.field(pos[c]));
        let mut fail = |c: usize, msg: Msg, diags: &mut Diagnostics| {
            ok = false;
            diags.error(
                file,
                Location::Field { line, column: headers::PROJECT_ALIASES[c].0.to_owned() },
                msg,
            );
        };
        let nf = self.format;
        let num = |c: usize| row.is_number(pos[c]);
        // Cells that cannot be read at all (spreadsheet error cells) are reported once, not parsed.
        let mut unreadable = [false; ALL_COLUMNS];
        let checked = if self.any_optional { ALL_COLUMNS } else { PROJECT_COLUMNS.len() };
        for (c, bad) in unreadable.iter_mut().enumerate().take(checked) {
            if pos[c] == ABSENT {
                continue;
            }
            if let Some(msg) = row.invalid_msg(pos[c]) {
                *bad = true;
                fail(c, msg, diags);
            }
        }
        macro_rules! field {
            ($c:expr, $parse:expr) => {
                match if unreadable[$c] { Err(Msg::from(String::new())) } else { $parse(get($c)) } {
                    Err(msg) if msg.en.is_empty() => None,
                    Ok(v) => Some(v),
                    Err(msg) => {
                        fail($c, msg, diags);
                        None
                    }
                }
            };
        }
        // Ids that differ only invisibly (NFC/NFD, zero-width characters) are one id.
        let id = text::key(get(col::ID));
        if id.is_empty() && !unreadable[col::ID] {
            fail(
                col::ID,
                msg!(
                    "E408",
                    "expected a project code, found an empty field",
                    "cần mã dự án, nhưng ô để trống"
                ),
                diags,
            );
        }
        let source = field!(col::SOURCE, |s| text::code(s, Source::ALL, Source::code));
        let group = field!(col::GROUP, |s| text::code(s, ProjectGroup::ALL, ProjectGroup::code));
        let status = field!(col::STATUS, |s| text::code(s, Status::ALL, Status::code));
        let key_project = field!(col::KEY_PROJECT, text::boolean);
        let amount = |c: usize| move |s: &str| nf.amount(s, num(c));
        let total_investment = field!(col::TOTAL_INVESTMENT, amount(col::TOTAL_INVESTMENT));
        let allocated_before = field!(col::ALLOCATED_BEFORE, amount(col::ALLOCATED_BEFORE));
        let plan = field!(col::PLAN, amount(col::PLAN));
        let disbursed = field!(col::DISBURSED, amount(col::DISBURSED));
        let unpaid_volume = field!(col::UNPAID_VOLUME, amount(col::UNPAID_VOLUME));
        let site_clearance_pct = field!(col::SITE_CLEARANCE_PCT, |s: &str| if s.is_empty() {
            Ok(None)
        } else {
            nf.percentage(s, num(col::SITE_CLEARANCE_PCT)).map(Some)
        });
        let physical_progress_pct =
            field!(col::PHYSICAL_PROGRESS_PCT, |s: &str| nf.percentage(s, num(col::PHYSICAL_PROGRESS_PCT)));
        let start_year = field!(col::START_YEAR, text::year);
        let end_year = field!(col::END_YEAR, text::year);
        let obstacles = field!(col::OBSTACLES, obstacle_codes);
        let locked = field!(col::LOCKED, text::boolean);

        // Optional columns: an absent column or an empty cell is `None`; nothing is read when the
        // header names none of them.
        let mut extra = ProjectExtra::default();
        if self.any_optional {
            macro_rules! optional {
                ($c:expr, $parse:expr) => {
                    if pos[$c] == ABSENT {
                        None
                    } else {
                        field!($c, |s: &str| if s.is_empty() { Ok(None) } else { $parse(s).map(Some) })
                            .flatten()
                    }
                };
            }
            extra.category = optional!(col::CATEGORY, category);
            extra.medium_term_room =
                optional!(col::MEDIUM_TERM_ROOM, |s: &str| nf.amount(s, num(col::MEDIUM_TERM_ROOM)));
            extra.requested_change =
                optional!(col::REQUESTED_CHANGE, |s: &str| nf.signed_amount(s, num(col::REQUESTED_CHANGE)));
            extra.agreement = optional!(col::AGREEMENT, |s: &str| Ok::<_, Msg>(part.strings.share(s)));
            extra.extended_to = optional!(col::EXTENDED_TO, text::year);
            extra.decision = optional!(col::DECISION, |s: &str| Ok::<_, Msg>(std::sync::Arc::<str>::from(s)));
            extra.lock_reason =
                optional!(col::LOCK_REASON, |s: &str| Ok::<_, Msg>(std::sync::Arc::<str>::from(s)));
            if extra.lock_reason.is_some() && locked == Some(false) {
                diags.warning(
                    file,
                    Location::Field { line, column: PROJECT_OPTIONAL_COLUMNS[6].to_owned() },
                    msg!(
                        "W409",
                        "a lock_reason on a row that is not locked: the row may change; set `locked` to true to keep its plan",
                        "dòng có lý do giữ nguyên nhưng không được đánh dấu giữ nguyên: kế hoạch của dòng vẫn có thể thay đổi; hãy đặt `locked` là Có để giữ nguyên"
                    ),
                );
            }
        }

        if let (Some(d), Some(p)) = (disbursed, plan)
            && d > p
        {
            fail(
                col::DISBURSED,
                msg!(
                    "E410",
                    "disbursed {d} million VND is above the plan {p} million VND: a project cannot disburse more than its capital for the year",
                    "số giải ngân {d} triệu đồng lớn hơn kế hoạch vốn năm {p} triệu đồng: dự án không thể giải ngân quá số vốn được giao trong năm"
                ),
                diags,
            );
        }
        if let (Some(t), Some(a), Some(p)) = (total_investment, allocated_before, plan)
            && a + p > t
        {
            fail(
                col::PLAN,
                msg!(
                    "E411",
                    "allocated_before {a} + plan {p} = {} million VND is above total_investment {t} million VND",
                    "lũy kế vốn đã bố trí {a} + kế hoạch vốn năm {p} = {} triệu đồng, lớn hơn tổng mức đầu tư {t} triệu đồng",
                    a + p
                ),
                diags,
            );
        }
        if let (Some(s), Some(e)) = (start_year, end_year)
            && s > e
        {
            fail(
                col::END_YEAR,
                msg!(
                    "E412",
                    "end_year {e} is before start_year {s}",
                    "năm hoàn thành {e} trước năm khởi công {s}"
                ),
                diags,
            );
        }
        let parsed = (
            source,
            group,
            status,
            key_project,
            (total_investment, allocated_before, plan, disbursed, unpaid_volume),
            (site_clearance_pct, physical_progress_pct, start_year, end_year, obstacles, locked),
        );
        let project = match parsed {
            (
                Some(source),
                Some(group),
                Some(status),
                Some(key_project),
                (
                    Some(total_investment),
                    Some(allocated_before),
                    Some(plan),
                    Some(disbursed),
                    Some(unpaid_volume),
                ),
                (
                    Some(site_clearance_pct),
                    Some(physical_progress_pct),
                    Some(start_year),
                    Some(end_year),
                    Some(obstacles),
                    Some(locked),
                ),
            ) if ok => Project {
                id: id.as_ref().into(),
                name: get(col::NAME).into(),
                investor: part.strings.share(get(col::INVESTOR)),
                locality: part.strings.share(get(col::LOCALITY)),
                sector: part.strings.share(get(col::SECTOR)),
                source,
                group,
                status,
                key_project,
                total_investment,
                allocated_before,
                plan,
                disbursed,
                unpaid_volume,
                site_clearance_pct,
                physical_progress_pct,
                start_year,
                end_year,
                obstacles,
                locked,
                extra,
            },
            _ => {
                if !id.is_empty() {
                    part.rejected.insert(id.into_owned());
                }
                return None;
            }
        };
        Some(project)
    }

    /// Adds a checked row starting at `line`, refusing a key already present.
    fn keep(&mut self, project: Project, line: usize, diags: &mut Diagnostics) {
        let hash = crate::domain::id_hash(&project.id);
        self.keep_hashed(project, hash, line, diags);
    }

    /// [`ProjectsBuilder::keep`] of a row whose id hashes to `hash`.
    fn keep_hashed(&mut self, project: Project, hash: u64, line: usize, diags: &mut Diagnostics) {
        let file = self.table.file.as_str();
        match self.table.portfolio.insert_hashed(project, hash) {
            Ok(_) => self.table.lines.push(line),
            Err(dup) => {
                let first = self.table.lines.get(dup.first_row).copied().unwrap_or(0);
                diags.error(
                    file,
                    Location::Line { line },
                    msg!(
                        "E413",
                        "duplicate project `{}` with source {}: already on line {first}",
                        "dự án `{}` với nguồn vốn {} bị trùng: đã có ở dòng {first}",
                        dup.key.id,
                        dup.key.source
                    ),
                );
            }
        }
    }

    /// Makes room for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        self.table.portfolio.reserve(rows);
        self.table.lines.reserve(rows);
    }

    /// The rows kept.
    pub fn finish(mut self) -> ProjectsTable {
        self.table.rejected_ids.extend(self.one.rejected);
        self.table
    }
}

/// A category code in any case, or its Vietnamese label as the template's list offers it (compared
/// as headers are: case, diacritics written precomposed or combining).
fn category(s: &str) -> Result<Category, Msg> {
    if let Some(c) = Category::ALL.iter().copied().find(|c| c.code().eq_ignore_ascii_case(s)) {
        return Ok(c);
    }
    let n = headers::normalize(s);
    if let Some(c) = Category::ALL.iter().copied().find(|c| headers::normalize(c.label_vi()) == n) {
        return Ok(c);
    }
    let labels = Category::ALL.iter().map(|c| c.label_vi()).collect::<Vec<_>>().join("; ");
    Err(msg!(
        "E414",
        "unknown category `{}`, expected one of: {} (or their Vietnamese labels: {})",
        "phân loại `{}` không có trong danh mục; cần một trong: {} (hoặc tên tiếng Việt: {})",
        text::quote(s),
        Category::expected(),
        labels
    ))
}

/// Obstacle codes separated by ';', trimmed, empty segments ignored.
fn obstacle_codes(s: &str) -> Result<Obstacles, Msg> {
    let mut set = Obstacles::NONE;
    for part in s.split(';') {
        let part = text::trim(part);
        if !part.is_empty() {
            set.insert(text::code(part, Obstacle::ALL, Obstacle::code)?);
        }
    }
    Ok(set)
}

/// Parses `projects.csv` from its bytes; `file` is the name shown in messages, `format` the
/// `amount_format` of `scenario.toml` (`None` when it states none). The portfolio holds the rows
/// that passed every check; any error in the diagnostics means the file must not be used.
pub fn parse_projects(bytes: &[u8], file: &str, format: Option<AmountFormat>) -> (Portfolio, Diagnostics) {
    let (table, diags) = parse_projects_table(bytes, file, format);
    (table.portfolio, diags)
}

/// As [`parse_projects`], keeping the line of each row (for messages about other files).
///
/// A large file is cut at line ends into parts checked in parallel, then joined in file order: the
/// rows, the lines and the messages are the same as a reading from start to end, whatever the
/// number of parts (see `records::read_in_parts` for why).
pub fn parse_projects_table(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
) -> (ProjectsTable, Diagnostics) {
    parse_projects_in_parts(bytes, file, format, PART_BYTES)
}

pub(crate) fn parse_projects_in_parts(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
    part_bytes: usize,
) -> (ProjectsTable, Diagnostics) {
    read_projects_in_parts(bytes, file, format, part_bytes).finish()
}

/// A projects file checked in parts, before its rows are joined into one table: the joining is
/// sequential, and the loader runs it beside other work (hashing the files).
#[derive(Debug)]
pub(crate) struct PendingProjects {
    /// `None` when no row could be read (no header, not text).
    builder: Option<ProjectsBuilder>,
    parts: Vec<(Part, usize)>,
    records: usize,
    diags: Diagnostics,
    file: String,
}

/// Checks the rows of `bytes` (see [`parse_projects_table`]) in parts of about `part_bytes`, in
/// parallel.
pub(crate) fn read_projects_in_parts(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
    part_bytes: usize,
) -> PendingProjects {
    let mut diags = Diagnostics::new();
    let empty = |diags| PendingProjects {
        builder: None,
        parts: Vec::new(),
        records: 0,
        diags,
        file: file.to_owned(),
    };
    let Some(text) = text::decode(
        bytes,
        file,
        (
            "a header line naming the columns, then one row per project and source",
            "một dòng tiêu đề ghi tên các cột, rồi mỗi dòng một dự án và một nguồn vốn",
        ),
        &mut diags,
    ) else {
        return empty(diags);
    };
    let mut records = Records::new(text);
    let mut fields = Vec::with_capacity(ALL_COLUMNS);
    let Some(header_line) = records.header(&mut fields, file, &mut diags) else {
        return empty(diags);
    };
    let Some(builder) = ProjectsBuilder::new(&fields, header_line, file, format, &mut diags) else {
        return empty(diags);
    };
    let (body, lines_before) = records.rest();
    let parts = read_in_parts(body, lines_before, part_bytes, &mut diags, |part| builder.check_part(part));
    PendingProjects {
        builder: Some(builder),
        parts: parts.parts,
        records: parts.records,
        diags,
        file: file.to_owned(),
    }
}

impl PendingProjects {
    /// Joins the parts into one table, in file order, refusing repeated keys.
    pub(crate) fn finish(self) -> (ProjectsTable, Diagnostics) {
        let PendingProjects { builder, parts, records, mut diags, file } = self;
        let Some(mut builder) = builder else {
            return (ProjectsTable { file, ..ProjectsTable::default() }, diags);
        };
        let mut by_source = [0usize; Source::ALL.len()];
        for (part, _) in &parts {
            for (total, n) in by_source.iter_mut().zip(part.by_source) {
                *total += n;
            }
        }
        builder.reserve(by_source.iter().sum());
        builder.table.portfolio.reserve_by_source(&by_source);
        for (part, offset) in parts {
            builder.table.rejected_ids.extend(part.state.rejected);
            for row in part.rows {
                builder.keep_hashed(row.project, row.hash, row.line + offset, &mut diags);
            }
        }
        if records == 0 {
            diags.error(
                &file,
                Location::Line { line: 1 },
                msg!(
                    "E415",
                    "the file has only a header line and no project rows",
                    "tệp chỉ có dòng tiêu đề, không có dòng dự án nào"
                ),
            );
        }
        (builder.finish(), diags)
    }
}

/// The rows of one part of a projects file, with lines counted from the part's start.
#[derive(Debug, Default)]
struct Part {
    rows: Vec<PartRow>,
    /// Rows of each source, in the order of [`Source::ALL`].
    by_source: [usize; Source::ALL.len()],
    state: PartState,
}

/// A checked row of a part, with the hash of its id ([`crate::domain::id_hash`], computed in
/// parallel) and its line counted from the part's start.
#[derive(Debug)]
struct PartRow {
    project: Project,
    hash: u64,
    line: usize,
}

impl ProjectsBuilder {
    /// Checks every record of `text`, a run of whole lines of the file after the header.
    fn check_part(&self, text: &str) -> (Part, PartRead) {
        let mut part = Part::default();
        // A project row is about 250 bytes.
        part.rows.reserve(text.len() / 200);
        let read = read_part(text, &self.table.file, self.width, |fields, line, diags| {
            if let Some(project) = self.check(fields, line, diags, &mut part.state) {
                part.by_source[project.source.index()] += 1;
                let hash = crate::domain::id_hash(&project.id);
                part.rows.push(PartRow { project, hash, line });
            }
        });
        (part, read)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::generate::{GenerateOptions, generate_files};

    /// What a reading gives, in a form that compares: rows with their lines, refused ids, messages.
    fn outcome(bytes: &[u8], part_bytes: usize) -> String {
        let (table, diags) =
            parse_projects_in_parts(bytes, "projects.csv", Some(AmountFormat::Dot), part_bytes);
        let mut rejected: Vec<_> = table.rejected_ids.iter().collect();
        rejected.sort();
        format!("{:?}\n{:?}\n{rejected:?}\n{diags}", table.portfolio.rows(), table.lines)
    }

    #[test]
    fn optional_columns_are_read_when_present_and_checked() {
        let head = "id,name,investor,locality,sector,source,group,status,key_project,total_investment,allocated_before,plan,disbursed,unpaid_volume,site_clearance_pct,physical_progress_pct,start_year,end_year,obstacles,locked";
        let row = "P1,x,y,z,w,NSTW,C,ongoing,false,100,10,50,20,0,,30,2024,2026,,false";
        let text = format!(
            "Lý do giữ nguyên,{head},Phân loại,requested_change,Gia hạn đến năm\ngiữ nguyên,{row},Vốn đối ứng dự án ODA,-12.5,2027\n,{}\n",
            row.replace("P1,", "P2,").replace(",false", ",true") + ",COUNTERPART,,"
        );
        let (p, d) = parse_projects(text.as_bytes(), "projects.csv", Some(AmountFormat::Dot));
        assert!(!d.has_errors(), "{d}");
        assert!(
            d.to_string()
                .contains("projects.csv:2: column `lock_reason`: a lock_reason on a row that is not locked"),
            "{d}"
        );
        let rows = p.rows();
        assert_eq!(rows[0].extra.category, Some(Category::Counterpart));
        assert_eq!(rows[0].extra.requested_change, Some(crate::money::Money::from_dong(-12_500_000)));
        assert_eq!(rows[0].extra.extended_to, Some(2027));
        assert_eq!(rows[0].extra.lock_reason.as_deref(), Some("giữ nguyên"));
        assert_eq!(rows[0].extra.medium_term_room, None);
        assert_eq!(rows[1].extra.category, Some(Category::Counterpart));
        assert_eq!(rows[1].extra.requested_change, None);
        let bad = text.replace("Vốn đối ứng dự án ODA", "đối ứng").replace(",2027", ",2027.0");
        let (_, d) = parse_projects(bad.as_bytes(), "projects.csv", Some(AmountFormat::Dot));
        let t = d.to_string();
        assert!(t.contains("projects.csv:2: column `category`: unknown category `đối ứng`"), "{t}");
        assert!(
            t.contains("projects.csv:2: column `extended_to`: expected a year such as 2025, found `2027.0`"),
            "{t}"
        );
    }

    proptest! {
        /// Cutting the file into parts, even at every line, gives what one reading gives: on valid
        /// files, and on files with stray quotes, line ends, commas and duplicate rows inserted.
        #[test]
        fn parts_read_like_one_reading(
            seed in 0u64..1000,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
                "\"", "\n", "\r\n", ",", "\"\"", "x", "\n\"a\nb\",", "\r"])), 0..4),
            duplicate in any::<Option<prop::sample::Index>>(),
            part_bytes in 1usize..400,
        ) {
            let mut text = generate_files(&GenerateOptions::new(12, seed)).projects_csv;
            if let Some(i) = duplicate {
                let lines: Vec<&str> = text.lines().skip(1).collect();
                let line = lines[i.index(lines.len())].to_owned();
                text.push_str(&line);
                text.push('\n');
            }
            for (at, piece) in edits {
                let mut i = at.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                text.insert_str(i, piece);
            }
            prop_assert_eq!(outcome(text.as_bytes(), part_bytes), outcome(text.as_bytes(), usize::MAX));
        }
    }
}
