//! `scenario.toml`: the scenario's name, province, plan year, dates and file names, with every key
//! checked at its line and character column.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use toml::de::{DeTable, DeValue};

use super::text::{self, line_column};
use crate::diag::{Diagnostics, Location};
use crate::money::AmountFormat;
use crate::msg;
use crate::scenario::{DocumentMeta, MonitoringFiles, ScenarioMeta};

/// The keys `scenario.toml` must have.
const REQUIRED: [&str; 6] = ["name", "province", "fiscal_year", "as_of", "deadline", "projects"];
/// The keys it may have (`[document]` is a table).
const OPTIONAL: [&str; 10] = [
    "disbursements",
    "rules",
    "amount_format",
    "pipeline",
    "local_budget_delegated",
    "treasury",
    "schedule",
    "previous_year",
    "conclusions",
    "[document]",
];
/// The keys of `[document]`.
const DOCUMENT_KEYS: [&str; 9] =
    ["agency", "parent", "number", "place", "date", "signer", "signer_title", "recipients", "bases"];

/// Parses `scenario.toml` from its bytes; `file` is the name shown in messages.
///
/// Dates are `YYYY-MM-DD`, as strings or TOML dates; `as_of` lies between 1 January of the plan year
/// and the deadline. Unknown keys are warnings. Returns `None` when any error was found.
pub fn parse_scenario_toml(bytes: &[u8], file: &str) -> (Option<ScenarioMeta>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(src) = text::decode(
        bytes,
        file,
        (
            "the scenario description (name, province, fiscal_year, as_of, deadline, projects)",
            "phần mô tả kịch bản (name, province, fiscal_year, as_of, deadline, projects)",
        ),
        &mut diags,
    ) else {
        return (None, diags);
    };
    let at = |span: Range<usize>| {
        let (line, column) = line_column(src, span.start);
        Location::Position { line, column }
    };
    let (table, errors) = DeTable::parse_recoverable(src);
    for e in &errors {
        let loc = e.span().map_or(Location::File, &at);
        let msg = text::lowercase_first(e.message().trim());
        diags.error(
            file,
            loc,
            msg!(
                "E201",
                "not valid TOML: {}",
                "không đúng cú pháp TOML: {} (chú ý dấu ngoặc kép quanh văn bản và dấu = giữa khóa và giá trị)",
                msg.trim_end_matches('.')
            ),
        );
    }
    if !errors.is_empty() {
        // What the parser recovered after a syntax error is a guess: its keys would add false
        // messages (a `fiscal_year` of 0 at 1:1).
        return (None, diags);
    }
    let table = table.into_inner();

    let mut p = MetaParts::default();
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let span = value.span();
        let v = value.get_ref();
        match name {
            "name" | "province" | "projects" | "disbursements" | "rules" | "pipeline" | "treasury"
            | "schedule" | "previous_year" | "conclusions" => match string(v) {
                Some(s) if !s.trim().is_empty() => {
                    let s = s.to_owned();
                    match name {
                        "name" => p.name = Some(s),
                        "province" => p.province = Some(s),
                        "projects" => p.projects = Some(s),
                        "disbursements" => p.disbursements = Some(s),
                        "pipeline" => p.pipeline = Some(s),
                        "treasury" => p.monitoring.treasury = Some(s),
                        "schedule" => p.monitoring.schedule = Some(s),
                        "previous_year" => p.monitoring.previous_year = Some(s),
                        "conclusions" => p.monitoring.conclusions = Some(s),
                        _ => p.rules = Some(s),
                    }
                }
                Some(_) => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E202",
                        en("`{name}` is empty; expected {}", expected_text(name).0),
                        vi("`{name}` để trống; cần {}", expected_text(name).1)
                    ),
                ),
                None => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E203",
                        en("`{name}`: expected {}, found {}", expected_text(name).0, v.type_str()),
                        vi("`{name}`: cần {}, nhưng gặp {}", expected_text(name).1, type_vi(v))
                    ),
                ),
            },
            "fiscal_year" => match v {
                DeValue::Integer(i) if i.radix() == 10 => match i.as_str().replace('_', "").parse::<i32>() {
                    Ok(y) if text::YEARS.contains(&y) => p.fiscal_year = Some((y, span)),
                    _ => diags.error(
                        file,
                        at(span),
                        msg!(
                            "E204",
                            "`fiscal_year`: expected a year such as 2025, found `{}`",
                            "`fiscal_year`: cần một năm, ví dụ 2025, nhưng gặp `{}`",
                            i.as_str()
                        ),
                    ),
                },
                _ => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E205",
                        en(
                            "`fiscal_year`: expected a year such as 2025 (an integer, without quotes), found {}{}",
                            if matches!(v, DeValue::String(_)) { "the text " } else { "" },
                            found(v).0
                        ),
                        vi(
                            "`fiscal_year`: cần một năm, ví dụ 2025 (số nguyên, không đặt trong ngoặc kép), nhưng gặp {}{}",
                            if matches!(v, DeValue::String(_)) { "văn bản " } else { "" },
                            found(v).1
                        )
                    ),
                ),
            },
            "as_of" | "deadline" => match date(v) {
                Ok(d) => {
                    if name == "as_of" {
                        p.as_of = Some((d, span));
                    } else {
                        p.deadline = Some((d, span));
                    }
                }
                Err((en, vi)) => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E206",
                        en("`{name}`: expected a date YYYY-MM-DD such as 2025-09-30, found {en}"),
                        vi("`{name}`: cần một ngày dạng YYYY-MM-DD (năm-tháng-ngày), ví dụ 2025-09-30, nhưng gặp {vi}")
                    ),
                ),
            },
            "amount_format" => match string(v).and_then(AmountFormat::from_code) {
                Some(f) => p.amount_format = Some(f),
                None => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E207",
                        en("`amount_format`: expected \"dot\" (1234567.8) or \"vi\" (1.234.567,8), found {}", found(v).0),
                        vi("`amount_format`: cần \"dot\" (1234567.8) hoặc \"vi\" (1.234.567,8), nhưng gặp {}", found(v).1)
                    ),
                ),
            },
            "local_budget_delegated" => match v {
                DeValue::Boolean(b) => p.local_budget_delegated = *b,
                _ => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E208",
                        en("`local_budget_delegated`: expected true or false (without quotes), found {}", found(v).0),
                        vi("`local_budget_delegated`: cần true hoặc false (không đặt trong ngoặc kép), nhưng gặp {}", found(v).1)
                    ),
                ),
            },
            "document" => match v {
                DeValue::Table(t) => p.document = document(t, &at, file, &mut diags),
                _ => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E209",
                        en("`document`: expected a table `[document]` with the keys {}, found {}", DOCUMENT_KEYS.join(", "), found(v).0),
                        vi("`document`: cần một bảng `[document]` với các khóa {}, nhưng gặp {}", DOCUMENT_KEYS.join(", "), found(v).1)
                    ),
                ),
            },
            _ => diags.warning(
                file,
                at(key.span()),
                msg!(
                    "W210",
                    "unknown key `{}` ignored; the keys are {}, {}",
                    "khóa `{}` không có trong danh sách nên được bỏ qua; các khóa hợp lệ: {}, {}",
                    text::quote(name),
                    REQUIRED.join(", "),
                    OPTIONAL.join(", ")
                ),
            ),
        }
    }
    if errors.is_empty() {
        for key in REQUIRED {
            if !table.iter().any(|(k, _)| k.get_ref().as_ref() == key) {
                diags.error(
                    file,
                    Location::File,
                    msg!(
                        "E211",
                        en("missing key `{key}`: expected {}", expected_text(key).0),
                        vi("thiếu khóa `{key}`: cần {}", expected_text(key).1)
                    ),
                );
            }
        }
    }
    if let (Some((fy, _)), Some((as_of, span))) = (&p.fiscal_year, &p.as_of)
        && as_of.year() < *fy
    {
        diags.error(
            file,
            at(span.clone()),
            msg!(
                "E212",
                "`as_of` {as_of} is before 1 January of the plan year {fy}",
                "`as_of` {as_of} ở trước ngày 1 tháng 1 của năm kế hoạch {fy}"
            ),
        );
    }
    if let (Some((as_of, _)), Some((deadline, span))) = (&p.as_of, &p.deadline)
        && deadline < as_of
    {
        diags.error(
            file,
            at(span.clone()),
            msg!(
                "E213",
                "`deadline` {deadline} is before `as_of` {as_of}; the figures must describe a date within the plan year",
                "`deadline` {deadline} ở trước `as_of` {as_of}; số liệu phải là của một ngày trong năm kế hoạch"
            ),
        );
    }
    if diags.has_errors() {
        return (None, diags);
    }
    let meta = match p {
        MetaParts {
            name: Some(name),
            province: Some(province),
            fiscal_year: Some((fiscal_year, _)),
            as_of: Some((as_of, _)),
            deadline: Some((deadline, _)),
            projects: Some(projects),
            disbursements,
            rules,
            amount_format,
            pipeline,
            local_budget_delegated,
            document,
            monitoring,
        } => Some(ScenarioMeta {
            name,
            province,
            fiscal_year,
            as_of,
            deadline,
            projects,
            disbursements,
            rules,
            amount_format,
            pipeline,
            local_budget_delegated,
            document,
            monitoring,
        }),
        // Every required key was found or reported missing above, so this arm is not reached.
        _ => None,
    };
    (meta, diags)
}

/// The keys found so far, with the spans the cross-checks point at.
#[derive(Default)]
struct MetaParts {
    name: Option<String>,
    province: Option<String>,
    fiscal_year: Option<(i32, Range<usize>)>,
    as_of: Option<(NaiveDate, Range<usize>)>,
    deadline: Option<(NaiveDate, Range<usize>)>,
    projects: Option<String>,
    disbursements: Option<String>,
    rules: Option<String>,
    amount_format: Option<AmountFormat>,
    pipeline: Option<String>,
    local_budget_delegated: bool,
    document: DocumentMeta,
    monitoring: MonitoringFiles,
}

/// What a value is, for messages in English and Vietnamese: a string quoted, another value by its
/// type.
fn found(v: &DeValue<'_>) -> (String, String) {
    match v {
        DeValue::String(s) => (format!("`{}`", text::quote(s)), format!("`{}`", text::quote(s))),
        DeValue::Boolean(b) => (format!("`{b}`"), format!("`{b}`")),
        other => (other.type_str().to_owned(), type_vi(other).to_owned()),
    }
}

/// The Vietnamese name of a TOML value's type.
fn type_vi(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "một chuỗi văn bản",
        DeValue::Integer(_) => "một số nguyên",
        DeValue::Float(_) => "một số thập phân",
        DeValue::Boolean(_) => "một giá trị true/false",
        DeValue::Datetime(_) => "một ngày giờ",
        DeValue::Array(_) => "một danh sách",
        DeValue::Table(_) => "một bảng",
    }
}

/// The `[document]` table: each key checked at its position, unknown keys warned about.
fn document(
    t: &DeTable<'_>,
    at: &dyn Fn(Range<usize>) -> Location,
    file: &str,
    diags: &mut Diagnostics,
) -> DocumentMeta {
    let mut doc = DocumentMeta::default();
    for (key, value) in t.iter() {
        let name: &str = key.get_ref();
        let v = value.get_ref();
        let span = value.span();
        match name {
            "agency" | "parent" | "number" | "place" | "signer" | "signer_title" => match string(v) {
                Some(s) => {
                    let s = Some(s.to_owned());
                    match name {
                        "agency" => doc.agency = s,
                        "parent" => doc.parent = s,
                        "number" => doc.number = s,
                        "place" => doc.place = s,
                        "signer" => doc.signer = s,
                        _ => doc.signer_title = s,
                    }
                }
                None => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E214",
                        en("`document.{name}`: expected a string, found {}", found(v).0),
                        vi("`document.{name}`: cần một chuỗi văn bản, nhưng gặp {}", found(v).1)
                    ),
                ),
            },
            "date" => match date(v) {
                Ok(d) => doc.date = Some(d),
                Err((en, vi)) => diags.error(
                    file,
                    at(span),
                    msg!(
                        "E215",
                        en("`document.date`: expected a date YYYY-MM-DD such as 2025-09-30, found {en}"),
                        vi("`document.date`: cần một ngày dạng YYYY-MM-DD, ví dụ 2025-09-30, nhưng gặp {vi}")
                    ),
                ),
            },
            "recipients" | "bases" => {
                let list = match v {
                    DeValue::Array(items) => {
                        let mut list = Vec::with_capacity(items.len());
                        for item in items.iter() {
                            match string(item.get_ref()) {
                                Some(s) => list.push(s.to_owned()),
                                None => diags.error(
                                    file,
                                    at(item.span()),
                                    msg!(
                                        "E216",
                                        en("`document.{name}`: expected a list of strings, found {} in the list", found(item.get_ref()).0),
                                        vi("`document.{name}`: cần một danh sách các chuỗi văn bản, nhưng trong danh sách có {}", found(item.get_ref()).1)
                                    ),
                                ),
                            }
                        }
                        list
                    }
                    _ => {
                        diags.error(
                            file,
                            at(span),
                            msg!(
                                "E217",
                                en("`document.{name}`: expected a list of strings such as [\"UBND tỉnh\", \"Lưu: VT\"], found {}", found(v).0),
                                vi("`document.{name}`: cần một danh sách các chuỗi văn bản, ví dụ [\"UBND tỉnh\", \"Lưu: VT\"], nhưng gặp {}", found(v).1)
                            ),
                        );
                        Vec::new()
                    }
                };
                if name == "recipients" {
                    doc.recipients = list;
                } else {
                    doc.bases = list;
                }
            }
            _ => diags.warning(
                file,
                at(key.span()),
                msg!(
                    "W218",
                    "unknown key `document.{}` ignored; the keys of [document] are {}",
                    "khóa `document.{}` không có trong danh sách nên được bỏ qua; các khóa của [document]: {}",
                    text::quote(name),
                    DOCUMENT_KEYS.join(", ")
                ),
            ),
        }
    }
    doc
}

/// What a key should hold, for messages in English and Vietnamese.
fn expected_text(key: &str) -> (&'static str, &'static str) {
    match key {
        "name" => ("the scenario name, a string", "tên kịch bản, một chuỗi văn bản"),
        "province" => ("the province, a string", "tên tỉnh, một chuỗi văn bản"),
        "fiscal_year" => ("the plan year, an integer such as 2025", "năm kế hoạch, một số nguyên như 2025"),
        "as_of" => ("the date the figures describe, \"YYYY-MM-DD\"", "ngày của số liệu, dạng \"YYYY-MM-DD\""),
        "deadline" => (
            "the last disbursement date, \"YYYY-MM-DD\" such as \"2026-01-31\"",
            "hạn cuối giải ngân, dạng \"YYYY-MM-DD\", ví dụ \"2026-01-31\"",
        ),
        "projects" => (
            "the projects file name, such as \"projects.csv\"",
            "tên tệp danh mục dự án, ví dụ \"projects.csv\"",
        ),
        "disbursements" => (
            "the monthly history file name, such as \"disbursements.csv\"",
            "tên tệp giải ngân theo tháng, ví dụ \"disbursements.csv\"",
        ),
        "pipeline" => (
            "the pipeline file name, such as \"pipeline.csv\"",
            "tên tệp danh mục dự án chuẩn bị, ví dụ \"pipeline.csv\"",
        ),
        "treasury" => (
            "the Treasury figures file name, such as \"treasury.csv\"",
            "tên tệp số liệu Kho bạc, ví dụ \"treasury.csv\"",
        ),
        "schedule" => (
            "the disbursement schedules file name, such as \"schedule.csv\"",
            "tên tệp kế hoạch giải ngân đăng ký, ví dụ \"schedule.csv\"",
        ),
        "previous_year" => {
            ("last year's scenario folder, such as \"2024\"", "thư mục kịch bản năm trước, ví dụ \"2024\"")
        }
        "conclusions" => (
            "the conclusions register file name, such as \"conclusions.csv\"",
            "tên tệp sổ theo dõi kết luận giao ban, ví dụ \"conclusions.csv\"",
        ),
        _ => ("a rules file name, such as \"rules.toml\"", "tên tệp quy tắc, ví dụ \"rules.toml\""),
    }
}

fn string<'a>(v: &'a DeValue<'_>) -> Option<&'a str> {
    match v {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// A date written as the string `"YYYY-MM-DD"` or as a TOML local date; the error is what was found,
/// in English and Vietnamese.
fn date(v: &DeValue<'_>) -> Result<NaiveDate, (String, String)> {
    let both = |s: String| (s.clone(), s);
    match v {
        DeValue::String(s) => parse_date(s).ok_or_else(|| both(format!("`{}`", text::quote(s)))),
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| both(format!("`{dt}`")))
            }
            _ => Err((format!("the date-time `{dt}`"), format!("ngày giờ `{dt}`"))),
        },
        other => Err(found(other)),
    }
}

/// Parses exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let y = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(y, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "name = \"Lạng Sơn 2025\"\nprovince = \"Lạng Sơn\"\nfiscal_year = 2025\nas_of = \"2025-09-30\"\ndeadline = 2026-01-31\nprojects = \"projects.csv\"\n";

    #[test]
    fn reads_a_good_file() {
        let (meta, d) = parse_scenario_toml(GOOD.as_bytes(), "s.toml");
        let meta = meta.unwrap();
        assert!(d.is_empty(), "{d}");
        assert_eq!(meta.fiscal_year, 2025);
        assert_eq!(meta.deadline, NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
        assert_eq!(meta.disbursements, None);
    }

    #[test]
    fn reports_every_problem_with_its_position() {
        let src = GOOD
            .replace("\"2025-09-30\"", "\"2025-9-30\"")
            .replace("projects = \"projects.csv\"\n", "colour = 1\n");
        let (meta, d) = parse_scenario_toml(src.as_bytes(), "s.toml");
        assert!(meta.is_none());
        let t = d.to_string();
        assert!(t.contains("s.toml:4:9: `as_of`: expected a date YYYY-MM-DD"), "{t}");
        assert!(t.contains("s.toml:6:1: unknown key `colour`"), "{t}");
        assert!(t.contains("s.toml: missing key `projects`"), "{t}");
    }

    #[test]
    fn dates_are_checked_against_each_other() {
        let src = GOOD.replace("\"2025-09-30\"", "\"2024-12-31\"").replace("2026-01-31", "2024-12-01");
        let (_, d) = parse_scenario_toml(src.as_bytes(), "s.toml");
        let t = d.to_string();
        assert!(t.contains("before 1 January of the plan year 2025"), "{t}");
        assert!(t.contains("`deadline` 2024-12-01 is before `as_of` 2024-12-31"), "{t}");
    }

    #[test]
    fn reads_the_version_2_keys() {
        let src = format!(
            "{GOOD}amount_format = \"vi\"\npipeline = \"pipeline.csv\"\nlocal_budget_delegated = true\ntreasury = \"treasury.csv\"\nschedule = \"schedule.csv\"\nprevious_year = \"2024\"\nconclusions = \"conclusions.csv\"\n\n[document]\nagency = \"SỞ TÀI CHÍNH\"\nparent = \"UBND TỈNH LẠNG SƠN\"\nnumber = \"…/TTr-STC\"\nplace = \"Lạng Sơn\"\ndate = 2025-10-05\nsigner = \"Nguyễn Văn A\"\nsigner_title = \"GIÁM ĐỐC\"\nrecipients = [\"UBND tỉnh\", \"Lưu: VT, KHTC\"]\nbases = []\n"
        );
        let (meta, d) = parse_scenario_toml(src.as_bytes(), "s.toml");
        assert!(d.is_empty(), "{d}");
        let meta = meta.unwrap();
        assert_eq!(meta.amount_format, Some(AmountFormat::Vi));
        assert_eq!(meta.pipeline.as_deref(), Some("pipeline.csv"));
        assert!(meta.local_budget_delegated);
        assert_eq!(meta.monitoring.treasury.as_deref(), Some("treasury.csv"));
        assert_eq!(meta.monitoring.schedule.as_deref(), Some("schedule.csv"));
        assert_eq!(meta.monitoring.previous_year.as_deref(), Some("2024"));
        assert_eq!(meta.monitoring.conclusions.as_deref(), Some("conclusions.csv"));
        assert_eq!(meta.document.agency.as_deref(), Some("SỞ TÀI CHÍNH"));
        assert_eq!(meta.document.date, NaiveDate::from_ymd_opt(2025, 10, 5));
        assert_eq!(meta.document.recipients, ["UBND tỉnh", "Lưu: VT, KHTC"]);
        assert!(meta.document.bases.is_empty());
        assert_eq!(meta.document.signer_title.as_deref(), Some("GIÁM ĐỐC"));
    }

    #[test]
    fn wrong_types_of_version_2_keys_are_located() {
        let src = format!(
            "{GOOD}amount_format = \"comma\"\nlocal_budget_delegated = \"yes\"\npipeline = 3\n[document]\ndate = \"5/10/2025\"\nrecipients = \"UBND tỉnh\"\nbases = [\"a\", 2]\nseal = true\nagency = 1\n"
        );
        let (meta, d) = parse_scenario_toml(src.as_bytes(), "s.toml");
        assert!(meta.is_none());
        let t = d.to_string();
        for want in [
            "s.toml:7:17: `amount_format`: expected \"dot\" (1234567.8) or \"vi\" (1.234.567,8), found `comma`",
            "s.toml:8:26: `local_budget_delegated`: expected true or false",
            "s.toml:9:12: `pipeline`: expected the pipeline file name",
            "s.toml:11:8: `document.date`: expected a date YYYY-MM-DD",
            "s.toml:12:14: `document.recipients`: expected a list of strings",
            "s.toml:13:15: `document.bases`: expected a list of strings, found integer in the list",
            "s.toml:14:1: unknown key `document.seal` ignored",
            "s.toml:15:10: `document.agency`: expected a string, found integer",
        ] {
            assert!(t.contains(want), "{want}\n{t}");
        }
    }

    #[test]
    fn invalid_toml_is_located() {
        let (meta, d) = parse_scenario_toml(b"name = \"x\"\nprovince = \n", "s.toml");
        assert!(meta.is_none());
        assert!(d.to_string().contains("s.toml:2:"), "{d}");
    }
}
