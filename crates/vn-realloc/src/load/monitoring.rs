//! The monitoring inputs (DOMAIN.md §3, version 2): `treasury.csv`, `schedule.csv` and
//! `conclusions.csv`, read with the same CSV reader, header matching (English names or Vietnamese
//! headers), number parsing (`amount_format`) and diagnostics (file, line, column) as the projects.
//! Last year's scenario (`previous_year`) is a scenario folder and is loaded by `load/mod.rs`.
//!
//! What is bad input and what is a finding:
//! - `treasury.csv`: a malformed field or a duplicate id + source is bad input; a row the Treasury
//!   lists that the projects lack, or a difference with the reported disbursement, is a
//!   reconciliation finding (`monitor::Reconciliation`), never refused.
//! - `schedule.csv`: a row naming a project and source not in the projects file, a month outside
//!   January of the plan year to January of the next, a month listed twice, or a cumulative amount
//!   lower than an earlier month's is bad input; a schedule above the row's plan is a warning.
//! - `conclusions.csv`: malformed dates or status are bad input; a conclusion about a project no
//!   longer in the plan is a warning (the register keeps it).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::numbers::NumberFormat;
use super::projects::{ProjectsTable, map_header};
use super::records::{self, Records};
use super::text::{self, Fields};
use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::Source;
use crate::money::{AmountFormat, Money};
use crate::msg;
use crate::scenario::{Conclusion, Register, ScenarioMeta, Schedule, TaskStatus, TreasuryRow};

/// Columns of `treasury.csv` and the Vietnamese headers accepted; the last (`advance_since`) is
/// optional.
pub const TREASURY_ALIASES: [(&str, &[&str]); 5] = [
    ("id", &["Mã dự án", "Mã DA"]),
    ("source", &["Nguồn vốn", "Mã nguồn vốn"]),
    ("paid", &["Đã thanh toán", "Thanh toán", "Giải ngân thanh toán"]),
    ("advance_outstanding", &["Tạm ứng chưa thu hồi", "Dư tạm ứng", "Số dư tạm ứng"]),
    ("advance_since", &["Tạm ứng từ tháng", "Tháng tạm ứng"]),
];

/// Columns of `schedule.csv` and the Vietnamese headers accepted.
pub const SCHEDULE_ALIASES: [(&str, &[&str]); 4] = [
    ("id", &["Mã dự án", "Mã DA"]),
    ("source", &["Nguồn vốn", "Mã nguồn vốn"]),
    ("month", &["Tháng"]),
    ("cumulative", &["Lũy kế kế hoạch", "Kế hoạch giải ngân lũy kế", "Lũy kế đăng ký"]),
];

/// Columns of `conclusions.csv` and the Vietnamese headers accepted.
pub const CONCLUSION_ALIASES: [(&str, &[&str]); 7] = [
    ("meeting", &["Cuộc họp", "Ngày họp", "Phiên giao ban"]),
    ("id", &["Mã dự án", "Mã DA"]),
    ("source", &["Nguồn vốn", "Mã nguồn vốn"]),
    ("task", &["Nhiệm vụ", "Nội dung kết luận"]),
    ("owner", &["Đơn vị thực hiện", "Người thực hiện", "Chủ trì"]),
    ("deadline", &["Thời hạn", "Hạn hoàn thành"]),
    ("status", &["Tình trạng", "Trạng thái"]),
];

/// Reads the records of a CSV monitoring file after its header; calls `row` for each with its line.
/// Returns `None` when the file cannot be read at all (reported).
fn read_table<const N: usize>(
    bytes: &[u8],
    file: &str,
    what: (&str, &str),
    table: &[(&str, &[&str]); N],
    required: usize,
    diags: &mut Diagnostics,
    mut row: impl FnMut(&[usize; N], &Vec<Cow<'_, str>>, usize, &mut Diagnostics),
) -> Option<Vec<String>> {
    if super::xlsx::is_workbook(file) {
        diags.error(
            file,
            Location::File,
            msg!(
                "E650",
                en("expected a CSV file ({}); save the sheet as CSV UTF-8", what.0),
                vi("cần một tệp CSV ({}); hãy lưu trang tính dạng CSV UTF-8", what.1)
            ),
        );
        return None;
    }
    let commas = records::semicolon_to_comma(bytes, file, table, diags);
    let bytes = commas.as_deref().unwrap_or(bytes);
    let src = text::decode(bytes, file, what, diags)?;
    let mut records = Records::new(src);
    let mut fields = Vec::with_capacity(N);
    let header_line = records.header(&mut fields, file, diags)?;
    let header: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let pos = map_header(&fields, table, required, header_line, file, diags)?;
    let width = fields.len();
    while let Some(rec) = records.next_record(&mut fields) {
        match rec {
            Ok(line) if fields.len() != width => diags.error(
                file,
                Location::Line { line },
                msg!(
                    "E651",
                    "expected {} fields as in the header, found {}",
                    "cần {} trường như dòng tiêu đề, nhưng có {}",
                    width,
                    fields.len()
                ),
            ),
            Ok(line) => {
                let mut bad = false;
                for (c, &p) in pos.iter().enumerate().filter(|(_, p)| **p != usize::MAX) {
                    if let Some(msg) = fields.invalid(p) {
                        bad = true;
                        diags.error(file, Location::Field { line, column: table[c].0.to_owned() }, msg);
                    }
                }
                if !bad {
                    row(&pos, &fields, line, diags);
                }
            }
            Err(e) => {
                diags.error(file, Location::Line { line: e.line }, e.message);
                break;
            }
        }
        if diags.is_full() {
            break;
        }
    }
    Some(header)
}

/// Reads the monitoring files `meta.monitoring` names, but last year's scenario, adding their
/// digests to `inputs` and their problems to `diags`.
pub(super) fn read_monitoring(
    source: &super::Files<'_>,
    meta: &ScenarioMeta,
    table: &ProjectsTable,
    diags: &mut Diagnostics,
    inputs: &mut Vec<crate::scenario::InputDigest>,
) -> crate::scenario::Monitoring {
    let mut out = crate::scenario::Monitoring::default();
    let files = &meta.monitoring;
    let mut read = |name: &Option<String>, key: &str, diags: &mut Diagnostics| {
        let name = name.as_ref()?;
        let shown = source.shown(name);
        let bytes = source
            .inside(name, key, diags)
            .then(|| source.read(name, key, super::MAX_FILE_BYTES, diags))
            .flatten()?;
        inputs.push(super::digest(name, &bytes));
        Some((shown, bytes))
    };
    if let Some((shown, bytes)) = read(&files.treasury, "treasury", diags) {
        let (rows, d) = parse_treasury(&bytes, &shown, meta.amount_format);
        diags.extend(d);
        out.treasury = Some(rows);
    }
    // When the projects could not all be read, a schedule row of a project that failed is not
    // reported again as "not in projects.csv": one root cause, one message (the history does the same).
    let projects_complete = !diags.has_errors();
    if let Some((shown, bytes)) = read(&files.schedule, "schedule", diags) {
        let (s, mut d) = parse_schedule(&bytes, &shown, meta, table);
        if !projects_complete {
            d.retain(|x| x.code != NOT_IN_PROJECTS);
        }
        diags.extend(d);
        out.schedule = Some(s);
    }
    if let Some((shown, bytes)) = read(&files.conclusions, "conclusions", diags) {
        let (r, d) = parse_conclusions(&bytes, &shown, table);
        diags.extend(d);
        out.conclusions = Some(r);
    }
    out
}

/// Reads last year's scenario, the folder `previous_year` in the `scenario.toml` of `dir` names
/// (inside `dir` unless [`super::LoadOptions::allow_outside`]), into
/// `scenario.monitoring.previous_year`, and returns its warnings; nothing when the key is absent.
/// Only the commands that compare with last year (`report`, `rank`) read it, so a proposal does not
/// pay for loading a second year. Its own monitoring inputs are dropped.
pub fn load_previous_year(
    dir: &std::path::Path,
    scenario: &mut crate::scenario::Scenario,
    options: &super::LoadOptions,
) -> Result<Diagnostics, super::LoadError> {
    let Some(name) = scenario.meta.monitoring.previous_year.clone() else {
        return Ok(Diagnostics::new());
    };
    // A workbook scenario names last year's folder relative to the workbook's folder.
    let dir = super::scenario_folder(dir);
    let mut diags = Diagnostics::new();
    if !super::inside(dir, &name, "previous_year", options, &mut diags) {
        return Err(super::LoadError { diagnostics: diags });
    }
    let mut loaded = super::load_scenario_with(&dir.join(&name), options)?;
    loaded.scenario.monitoring = Default::default();
    scenario.monitoring.previous_year = Some(Box::new(loaded.scenario));
    Ok(loaded.warnings)
}

/// The code of a schedule row whose project is not in the projects file.
const NOT_IN_PROJECTS: &str = "E656";

/// `YYYY-MM` as `(year, month)`.
pub(crate) fn parse_month(s: &str) -> Result<(i32, u32), Msg> {
    let b = s.as_bytes();
    let ok = b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit());
    let parsed = ok.then(|| (s[..4].parse::<i32>().ok(), s[5..].parse::<u32>().ok()));
    match parsed {
        Some((Some(y), Some(m))) if (1..=12).contains(&m) => Ok((y, m)),
        _ => Err(msg!(
            "E652",
            "expected a month as YYYY-MM (2025-03), found `{}`",
            "cần một tháng dạng YYYY-MM (2025-03), nhưng gặp `{}`",
            text::quote(s)
        )),
    }
}

/// `YYYY-MM-DD` as a date.
fn parse_date(s: &str) -> Result<NaiveDate, Msg> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape.then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).flatten().ok_or_else(|| {
        msg!(
            "E653",
            "expected a date as YYYY-MM-DD (2025-09-30), found `{}`",
            "cần một ngày dạng YYYY-MM-DD (2025-09-30), nhưng gặp `{}`",
            text::quote(s)
        )
    })
}

/// An empty project code.
fn empty_id() -> Msg {
    msg!("E663", "expected a project code, found an empty field", "cần mã dự án, nhưng ô để trống")
}

fn field<'f>(fields: &'f Vec<Cow<'_, str>>, p: usize) -> &'f str {
    if p == usize::MAX { "" } else { text::trim(fields.field(p)) }
}

/// Parses `treasury.csv`. Rows are kept in file order whether or not the projects hold them.
pub fn parse_treasury(
    bytes: &[u8],
    file: &str,
    format: Option<AmountFormat>,
) -> (Vec<TreasuryRow>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let nf = NumberFormat(format);
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Source), usize> = HashMap::new();
    read_table(
        bytes,
        file,
        (
            "a header line naming the columns id, source, paid, advance_outstanding (and advance_since), then one row per project and source",
            "một dòng tiêu đề ghi tên các cột id, source, paid, advance_outstanding (và advance_since), rồi mỗi dòng một dự án và một nguồn vốn",
        ),
        &TREASURY_ALIASES,
        4,
        &mut diags,
        |pos, f, line, diags| {
            let at = |c: usize| Location::Field { line, column: TREASURY_ALIASES[c].0.to_owned() };
            let id = text::key(field(f, pos[0])).into_owned();
            let mut ok = true;
            if id.is_empty() {
                ok = false;
                diags.error(file, at(0), empty_id());
            }
            let source = text::code(field(f, pos[1]), Source::ALL, Source::code)
                .map_err(|m| diags.error(file, at(1), m))
                .ok();
            let paid = nf.amount(field(f, pos[2]), false).map_err(|m| diags.error(file, at(2), m)).ok();
            let adv = nf.amount(field(f, pos[3]), false).map_err(|m| diags.error(file, at(3), m)).ok();
            let since = match field(f, pos[4]) {
                "" => Some(None),
                s => parse_month(s).map(Some).map_err(|m| diags.error(file, at(4), m)).ok(),
            };
            let (Some(source), Some(paid), Some(adv), Some(since), true) = (source, paid, adv, since, ok)
            else {
                return;
            };
            if let Some(first) = seen.get(&(id.clone(), source)) {
                diags.error(
                    file,
                    Location::Line { line },
                    msg!(
                        "E654",
                        "duplicate row `{}` with source {}: already on line {}",
                        "dòng `{}` nguồn {} bị trùng: đã có ở dòng {}",
                        text::quote(&id),
                        source,
                        first
                    ),
                );
                return;
            }
            if since.is_some() && adv.is_zero() {
                diags.warning(
                    file,
                    at(4),
                    msg!(
                        "W655",
                        "`advance_since` is given but no advance is outstanding; it is ignored",
                        "có `advance_since` nhưng không còn dư tạm ứng nên được bỏ qua"
                    ),
                );
            }
            seen.insert((id.clone(), source), line);
            rows.push(TreasuryRow {
                id,
                source,
                paid,
                advance_outstanding: adv,
                advance_since: since.filter(|_| !adv.is_zero()),
                line,
            });
        },
    );
    (rows, diags)
}

/// Parses `schedule.csv` against the projects: one entry per portfolio row.
pub fn parse_schedule(
    bytes: &[u8],
    file: &str,
    meta: &ScenarioMeta,
    table: &ProjectsTable,
) -> (Schedule, Diagnostics) {
    let mut diags = Diagnostics::new();
    let nf = NumberFormat(meta.amount_format);
    let fy = meta.fiscal_year;
    let mut rows: Vec<Option<[Option<Money>; 13]>> = vec![None; table.portfolio.len()];
    let mut lines: HashMap<(usize, usize), usize> = HashMap::new();
    read_table(
        bytes,
        file,
        (
            "a header line naming the columns id, source, month, cumulative, then one row per project, source and month",
            "một dòng tiêu đề ghi tên các cột id, source, month, cumulative, rồi mỗi dòng một dự án, một nguồn vốn và một tháng",
        ),
        &SCHEDULE_ALIASES,
        4,
        &mut diags,
        |pos, f, line, diags| {
            let at = |c: usize| Location::Field { line, column: SCHEDULE_ALIASES[c].0.to_owned() };
            let id = text::key(field(f, pos[0])).into_owned();
            let source = text::code(field(f, pos[1]), Source::ALL, Source::code)
                .map_err(|m| diags.error(file, at(1), m))
                .ok();
            let month = parse_month(field(f, pos[2])).map_err(|m| diags.error(file, at(2), m)).ok();
            let amount = nf.amount(field(f, pos[3]), false).map_err(|m| diags.error(file, at(3), m)).ok();
            let (Some(source), Some((y, m)), Some(amount)) = (source, month, amount) else {
                return;
            };
            let index = (y - fy) * 12 + m as i32 - 1;
            if !(0..13).contains(&index) {
                diags.error(
                    file,
                    at(2),
                    msg!(
                        "E657",
                        "expected a month from {}-01 to {}-01 (the plan year and its January extension), found `{}-{:02}`",
                        "cần một tháng từ {}-01 đến {}-01 (năm kế hoạch và tháng 1 kéo dài), nhưng gặp `{}-{:02}`",
                        fy,
                        fy + 1,
                        y,
                        m
                    ),
                );
                return;
            }
            let Some(row) = table.portfolio.position(&id, source) else {
                diags.error(
                    file,
                    at(0),
                    msg!(
                        "E656",
                        "project `{}` with source {} is not in {}",
                        "dự án `{}` nguồn {} không có trong {}",
                        text::quote(&id),
                        source,
                        table.file
                    ),
                );
                return;
            };
            let months = rows[row].get_or_insert([None; 13]);
            let k = index as usize;
            if let Some(first) = lines.get(&(row, k)) {
                diags.error(
                    file,
                    Location::Line { line },
                    msg!(
                        "E658",
                        "project `{}` with source {}: month {}-{:02} already on line {}",
                        "dự án `{}` nguồn {}: tháng {}-{:02} đã có ở dòng {}",
                        text::quote(&id),
                        source,
                        y,
                        m,
                        first
                    ),
                );
                return;
            }
            lines.insert((row, k), line);
            months[k] = Some(amount);
        },
    );
    // Cumulative amounts never fall from one month to a later one.
    for (row, months) in rows.iter().enumerate() {
        let Some(months) = months else { continue };
        let mut last: Option<(usize, Money)> = None;
        for (k, m) in months.iter().enumerate() {
            let Some(m) = *m else { continue };
            if let Some((lk, lm)) = last
                && m < lm
            {
                let line = lines.get(&(row, k)).copied().unwrap_or(0);
                let first = lines.get(&(row, lk)).copied().unwrap_or(0);
                diags.error(
                    file,
                    Location::Field { line, column: "cumulative".to_owned() },
                    msg!(
                        "E659",
                        "a cumulative amount cannot fall: {} is below {} on line {}",
                        "số lũy kế không thể giảm: {} nhỏ hơn {} ở dòng {}",
                        m.to_million_string(),
                        lm.to_million_string(),
                        first
                    ),
                );
            }
            last = Some((k, m));
        }
        if let (Some(p), Some((k, m))) = (table.portfolio.rows().get(row), last)
            && m > p.plan
        {
            let line = lines.get(&(row, k)).copied().unwrap_or(0);
            diags.warning(
                file,
                Location::Field { line, column: "cumulative".to_owned() },
                msg!(
                    "W660",
                    "project `{}` ({}): the schedule reaches {} million VND, above its plan of {}",
                    "dự án `{}` ({}): tiến độ đăng ký đạt {} triệu đồng, vượt kế hoạch {}",
                    text::quote(&p.id),
                    p.source,
                    m.to_million_string(),
                    p.plan.to_million_string()
                ),
            );
        }
    }
    (Schedule { rows }, diags)
}

/// Parses `conclusions.csv` into the register, every record kept as written.
pub fn parse_conclusions(bytes: &[u8], file: &str, table: &ProjectsTable) -> (Register, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut records = Vec::new();
    let mut conclusions = Vec::new();
    let mut positions = [usize::MAX; 7];
    let header = read_table(
        bytes,
        file,
        (
            "a header line naming the columns meeting, id, source, task, owner, deadline, status, then one row per conclusion",
            "một dòng tiêu đề ghi tên các cột meeting, id, source, task, owner, deadline, status, rồi mỗi dòng một kết luận",
        ),
        &CONCLUSION_ALIASES,
        7,
        &mut diags,
        |pos, f, line, diags| {
            positions = *pos;
            let at = |c: usize| Location::Field { line, column: CONCLUSION_ALIASES[c].0.to_owned() };
            let meeting = parse_date(field(f, pos[0])).map_err(|m| diags.error(file, at(0), m)).ok();
            let id = text::key(field(f, pos[1])).into_owned();
            let source = text::code(field(f, pos[2]), Source::ALL, Source::code)
                .map_err(|m| diags.error(file, at(2), m))
                .ok();
            let deadline = parse_date(field(f, pos[5])).map_err(|m| diags.error(file, at(5), m)).ok();
            let status = match text::key(field(f, pos[6])).to_lowercase().as_str() {
                "open" | "mở" | "chưa hoàn thành" | "đang thực hiện" => Some(TaskStatus::Open),
                "done" | "xong" | "đã hoàn thành" | "hoàn thành" => Some(TaskStatus::Done),
                other => {
                    diags.error(
                        file,
                        at(6),
                        msg!(
                            "E661",
                            "expected `open` or `done` (Đang thực hiện / Đã hoàn thành), found `{}`",
                            "cần `Đang thực hiện` hoặc `Đã hoàn thành` (open / done), nhưng gặp `{}`",
                            text::quote(other)
                        ),
                    );
                    None
                }
            };
            if id.is_empty() {
                diags.error(file, at(1), empty_id());
                return;
            }
            let (Some(meeting), Some(source), Some(deadline), Some(status)) =
                (meeting, source, deadline, status)
            else {
                return;
            };
            if table.portfolio.position(&id, source).is_none() {
                diags.warning(
                    file,
                    at(1),
                    msg!(
                        "W662",
                        "project `{}` with source {} is not in {}: the conclusion is kept in the register",
                        "dự án `{}` nguồn {} không có trong {}: kết luận vẫn được giữ trong sổ theo dõi",
                        text::quote(&id),
                        source,
                        table.file
                    ),
                );
            }
            records.push(f.iter().map(|x| x.to_string()).collect());
            conclusions.push(Conclusion {
                meeting,
                id,
                source,
                task: field(f, pos[3]).to_owned(),
                owner: field(f, pos[4]).to_owned(),
                deadline,
                status,
                line,
            });
        },
    );
    // A column the tool does not read is still part of the register, and written back.
    diags.rewrite(|d| {
        if d.code == "W404"
            && let Location::Field { column, .. } = &d.location
        {
            let m = msg!(
                "W664",
                "unknown column `{}` kept in the register as written (the tool does not read it)",
                "cột `{}` được giữ nguyên trong sổ theo dõi (chương trình không đọc cột này)",
                column
            );
            (d.message, d.message_vi, d.code) = (m.en, m.vi, m.code);
        }
    });
    let register = Register { header: header.unwrap_or_default(), positions, records, conclusions };
    (register, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_projects_table;

    const PROJECTS: &str = "id,name,investor,locality,sector,source,group,status,key_project,total_investment,allocated_before,plan,disbursed,unpaid_volume,site_clearance_pct,physical_progress_pct,start_year,end_year,obstacles,locked\nP01,Đường,Ban A,Toàn tỉnh,giao thông,NSTW,B,ongoing,false,1000,100,200,50,0,,10,2024,2026,,false\n";

    fn table() -> ProjectsTable {
        parse_projects_table(PROJECTS.as_bytes(), "projects.csv", Some(AmountFormat::Dot)).0
    }

    #[test]
    fn treasury_rows_and_their_errors() {
        let (rows, d) = parse_treasury(
            "id,source,paid,advance_outstanding,advance_since\nP01,NSTW,40,10,2025-03\nX9,NSDP,5,0,\nP01,NSTW,1,1,\nP02,NSTX,1e3,1.234,2025-13\n".as_bytes(),
            "treasury.csv",
            None,
        );
        assert_eq!(rows.len(), 2, "{d}");
        assert_eq!(rows[0].advance_since, Some((2025, 3)));
        let shown = d.to_string();
        for want in [
            "treasury.csv:4: duplicate row `P01` with source NSTW: already on line 2",
            "treasury.csv:5: column `source`:",
            "treasury.csv:5: column `paid`: scientific notation",
            "treasury.csv:5: column `advance_outstanding`: `1.234` could be",
            "treasury.csv:5: column `advance_since`: expected a month as YYYY-MM",
        ] {
            assert!(shown.contains(want), "{want}\n{shown}");
        }
    }

    #[test]
    fn schedule_is_checked_against_the_projects() {
        let meta = crate::load::parse_scenario_toml(
            b"name='t'\nprovince='p'\nfiscal_year=2025\nas_of='2025-09-30'\ndeadline='2026-01-31'\nprojects='projects.csv'\namount_format='dot'\n",
            "scenario.toml",
        )
        .0
        .unwrap_or_else(|| panic!("meta"));
        let (s, d) = parse_schedule(
            b"id,source,month,cumulative\nP01,NSTW,2025-06,80\nP01,NSTW,2025-09,70\nP01,NSTW,2025-06,1\nP02,NSTW,2025-06,1\nP01,NSTW,2024-12,1\nP01,NSTW,2026-01,250\n",
            "schedule.csv",
            &meta,
            &table(),
        );
        let shown = d.to_string();
        for want in [
            "schedule.csv:3: column `cumulative`: a cumulative amount cannot fall: 70 is below 80 on line 2",
            "schedule.csv:4: project `P01` with source NSTW: month 2025-06 already on line 2",
            "schedule.csv:5: column `id`: project `P02` with source NSTW is not in projects.csv",
            "schedule.csv:6: column `month`: expected a month from 2025-01 to 2026-01",
            "schedule.csv:7: column `cumulative`: project `P01` (NSTW): the schedule reaches 250 million VND, above its plan of 200",
        ] {
            assert!(shown.contains(want), "{want}\n{shown}");
        }
        assert!(s.has(0));
    }

    fn mm(x: i64) -> Money {
        Money::from_dong(x * crate::money::DONG_PER_MILLION)
    }

    #[test]
    fn schedule_target_interpolates_within_a_month() {
        let mut months = [None; 13];
        months[2] = Some(mm(30));
        months[5] = Some(mm(90));
        let s = Schedule { rows: vec![Some(months)] };
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(s.target(0, 2025, d(2025, 3, 31)), Some(mm(30)));
        assert_eq!(s.target(0, 2025, d(2025, 5, 31)), Some(mm(30)));
        assert_eq!(s.target(0, 2025, d(2025, 6, 15)), Some(mm(60)));
        assert_eq!(s.target(0, 2025, d(2025, 2, 28)), Some(Money::ZERO));
        assert_eq!(s.year_end(0), Some(mm(90)));
    }

    #[test]
    fn conclusions_keep_every_record() {
        let (r, d) = parse_conclusions(
            "meeting,id,source,task,owner,deadline,status,note\n2025-06-30,P01,NSTW,\"Hoàn thành GPMB, bàn giao\",Ban A,2025-08-15,open,x\n2025-06-30,Q1,NSDP,t,o,2025-07-15,done,\n2025-06-31,P01,NSTW,t,o,2025-07-15,maybe,\n"
                .as_bytes(),
            "conclusions.csv",
            &table(),
        );
        assert_eq!(r.records.len(), 2);
        assert_eq!(r.conclusions[0].task, "Hoàn thành GPMB, bàn giao");
        assert_eq!(r.records[0][7], "x");
        let shown = d.to_string();
        assert!(
            shown.contains("conclusions.csv:3: column `id`: project `Q1` with source NSDP is not in"),
            "{shown}"
        );
        assert!(shown.contains("conclusions.csv:4: column `meeting`: expected a date"), "{shown}");
        assert!(shown.contains("conclusions.csv:4: column `status`: expected `open` or `done`"), "{shown}");
    }
}
