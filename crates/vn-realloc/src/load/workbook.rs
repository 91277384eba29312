//! A scenario in one workbook: the `.xlsx` that `realloc template` writes, with a settings sheet
//! (`Thiết lập` or `settings`) holding what `scenario.toml` holds, one key a row.
//!
//! The settings sheet has three columns: a label (Vietnamese or English, for the reader), the value,
//! and the `scenario.toml` key the row sets (`fiscal_year`, `document.agency`...). A row is known by
//! its key, or by its label when the key cell is empty. The rows are turned into the text of a
//! `scenario.toml`, one line a row, and read by the same parser ([`parse_scenario_toml`]), so every
//! check is the same as for a folder; its messages are moved back to the sheet's row and value column.
//! The projects, the history and the pipeline are the workbook's own sheets: the history and the
//! pipeline are read when their sheet has a row below the header. A rules file, or a monitoring file,
//! named by the settings lies next to the workbook.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Reader, Xlsx};

use super::headers::{self, HISTORY_ALIASES, PIPELINE_ALIASES};
use super::scenario_toml::parse_scenario_toml;
use super::xlsx::{self, Cell, HISTORY_SHEETS, Value};
use super::{PIPELINE_SHEETS, text};
use crate::diag::{Diagnostics, Location, Msg};
use crate::msg;
use crate::scenario::ScenarioMeta;

/// Names accepted for the settings sheet, the first written by the Vietnamese template.
pub const SETTINGS_SHEETS: [&str; 2] = ["Thiết lập", "settings"];

/// How a setting's value is written in `scenario.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// A string.
    Text,
    /// A whole number (the plan year).
    Year,
    /// A date `YYYY-MM-DD` (a date cell or text).
    Date,
    /// `true` or `false` (also `Có`, `Không`).
    Bool,
    /// A list of strings, one a line of the cell.
    List,
}

/// One row of the settings sheet: the `scenario.toml` key, its Vietnamese and English labels, and
/// how its value is read.
pub type Setting = (&'static str, &'static str, &'static str, SettingKind);

/// The rows of the settings sheet, in the order the template writes them. The files of a folder
/// scenario (`projects`, `disbursements`, `pipeline`) are not settings: they are the workbook's sheets.
pub const SETTINGS: [Setting; 21] = [
    ("name", "Tên kịch bản", "Scenario name", SettingKind::Text),
    ("province", "Tỉnh", "Province", SettingKind::Text),
    ("fiscal_year", "Năm kế hoạch", "Plan year", SettingKind::Year),
    ("as_of", "Số liệu đến ngày (YYYY-MM-DD)", "Figures as of (YYYY-MM-DD)", SettingKind::Date),
    ("deadline", "Hạn giải ngân (YYYY-MM-DD)", "Disbursement deadline (YYYY-MM-DD)", SettingKind::Date),
    (
        "amount_format",
        "Cách viết số tiền trong ô văn bản (dot: 1234567.8; vi: 1.234.567,8)",
        "How text cells write amounts (dot: 1234567.8; vi: 1.234.567,8)",
        SettingKind::Text,
    ),
    (
        "local_budget_delegated",
        "HĐND tỉnh đã giao UBND tỉnh điều chỉnh vốn ngân sách địa phương (Có/Không)",
        "Local-budget adjustments delegated to the People's Committee (true/false)",
        SettingKind::Bool,
    ),
    (
        "rules",
        "Tệp quy tắc, cùng thư mục với sổ này (để trống: quy tắc có sẵn)",
        "Rules file next to this workbook (empty: the built-in rules)",
        SettingKind::Text,
    ),
    (
        "treasury",
        "Tệp số liệu Kho bạc (không bắt buộc)",
        "Treasury figures file (optional)",
        SettingKind::Text,
    ),
    (
        "schedule",
        "Tệp kế hoạch giải ngân đã đăng ký (không bắt buộc)",
        "Registered disbursement schedules file (optional)",
        SettingKind::Text,
    ),
    (
        "previous_year",
        "Thư mục kịch bản năm trước (không bắt buộc)",
        "Last year's scenario folder (optional)",
        SettingKind::Text,
    ),
    (
        "conclusions",
        "Tệp kết luận giao ban (không bắt buộc)",
        "Review-meeting conclusions file (optional)",
        SettingKind::Text,
    ),
    ("document.agency", "Cơ quan ban hành", "Issuing body", SettingKind::Text),
    ("document.parent", "Cơ quan cấp trên", "Superior body", SettingKind::Text),
    ("document.number", "Số, ký hiệu văn bản", "Document number", SettingKind::Text),
    ("document.place", "Địa danh", "Place of issue", SettingKind::Text),
    ("document.date", "Ngày văn bản (YYYY-MM-DD)", "Date of issue (YYYY-MM-DD)", SettingKind::Date),
    ("document.signer", "Người ký", "Signer", SettingKind::Text),
    ("document.signer_title", "Chức vụ người ký", "Signer's title", SettingKind::Text),
    ("document.recipients", "Nơi nhận (mỗi nơi một dòng)", "Recipients (one a line)", SettingKind::List),
    (
        "document.bases",
        "Căn cứ bổ sung (mỗi căn cứ một dòng)",
        "Extra legal bases (one a line)",
        SettingKind::List,
    ),
];

/// The keys of a folder scenario that a workbook takes from its own sheets.
const FILE_KEYS: [&str; 3] = ["projects", "disbursements", "pipeline"];

/// The value of setting `key` in `meta`, as the template writes it in the value column (`None`
/// when not set).
pub fn setting_value(meta: &ScenarioMeta, key: &str) -> Option<String> {
    let d = &meta.document;
    let text = |s: &Option<String>| s.clone();
    let date = |x: Option<chrono::NaiveDate>| x.map(|x| x.format("%Y-%m-%d").to_string());
    let list = |l: &[String]| (!l.is_empty()).then(|| l.join("\n"));
    match key {
        "name" => Some(meta.name.clone()),
        "province" => Some(meta.province.clone()),
        "fiscal_year" => Some(meta.fiscal_year.to_string()),
        "as_of" => date(Some(meta.as_of)),
        "deadline" => date(Some(meta.deadline)),
        // The workbook's amounts are number cells; text cells follow the convention the tool writes.
        "amount_format" => {
            Some(meta.amount_format.unwrap_or(crate::money::AmountFormat::Dot).code().to_owned())
        }
        "local_budget_delegated" => meta.local_budget_delegated.then(|| "true".to_owned()),
        "rules" => text(&meta.rules),
        "treasury" => text(&meta.monitoring.treasury),
        "schedule" => text(&meta.monitoring.schedule),
        "previous_year" => text(&meta.monitoring.previous_year),
        "conclusions" => text(&meta.monitoring.conclusions),
        "document.agency" => text(&d.agency),
        "document.parent" => text(&d.parent),
        "document.number" => text(&d.number),
        "document.place" => text(&d.place),
        "document.date" => date(d.date),
        "document.signer" => text(&d.signer),
        "document.signer_title" => text(&d.signer_title),
        "document.recipients" => list(&d.recipients),
        "document.bases" => list(&d.bases),
        _ => None,
    }
}

/// A sheet's non-empty rows: `(sheet row, cells)`.
type Rows = Vec<(usize, Vec<Cell>)>;

/// What the workbook holds besides its settings.
struct Sheets {
    /// The settings sheet's name and rows, or `None` when the workbook has none.
    settings: Option<(String, Rows)>,
    /// The history sheet has a row below its header.
    history: bool,
    /// The pipeline sheet has a row below its header.
    pipeline: bool,
    /// The sheets of the workbook, for the message when the settings are missing.
    names: Vec<String>,
}

/// Reads the settings sheet of the workbook `bytes` (shown as `file`, its file name `file_name`) into
/// the scenario's description, with the workbook as its projects (and its history and pipeline when
/// their sheets have rows). Every problem names the sheet, the row and the column.
pub(crate) fn read_settings(
    bytes: &[u8],
    file: &str,
    file_name: &str,
) -> (Option<ScenarioMeta>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let opened = catch_unwind(AssertUnwindSafe(|| open(bytes)));
    let sheets = match opened {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            diags.error(
                file,
                Location::File,
                msg!(
                    "E150",
                    en(
                        "cannot read the workbook: {}; expected an Excel .xlsx file",
                        text::lowercase_first(&e.en)
                    ),
                    vi("không đọc được sổ Excel: {}; cần một tệp Excel .xlsx", text::lowercase_first(&e.vi))
                ),
            );
            return (None, diags);
        }
        Err(_) => {
            diags.error(
                file,
                Location::File,
                msg!(
                    "E151",
                    "cannot read the workbook: the file is damaged",
                    "không đọc được sổ Excel: tệp bị hỏng"
                ),
            );
            return (None, diags);
        }
    };
    let Some((sheet, rows)) = sheets.settings else {
        let have = sheets.names.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        diags.error(
            file,
            Location::File,
            msg!(
                "E152",
                "the workbook has no settings sheet (it has {have}), so it is not a scenario by itself; either add the sheet `{}` from a workbook written by `realloc template` and fill in its values (plan year, as-of date, province...), or make a folder holding this workbook and a scenario.toml with `projects = \"{file_name}\"`",
                "sổ Excel không có trang tính thiết lập (sổ có {have}) nên chưa dùng được như một kịch bản; hãy chép trang tính `{}` từ sổ do `realloc template` tạo và điền các giá trị (năm kế hoạch, ngày số liệu, tỉnh...), hoặc tạo một thư mục chứa sổ này và tệp scenario.toml có dòng `projects = \"{file_name}\"`",
                SETTINGS_SHEETS[0]
            ),
        );
        return (None, diags);
    };
    let (toml, lines, value_column) = to_toml(&rows, file, &sheet, &mut diags);
    let mut toml = toml;
    let mut extra = vec![format!("projects = {}", crate::write::toml_string(file_name))];
    if sheets.history {
        extra.push(format!("disbursements = {}", crate::write::toml_string(file_name)));
    }
    if sheets.pipeline {
        extra.push(format!("pipeline = {}", crate::write::toml_string(file_name)));
    }
    // The file keys go first, before any `[document]` table; they stand for no row.
    let shift = extra.len();
    toml = format!("{}\n{toml}", extra.join("\n"));
    let marked = xlsx::marked(file, &sheet);
    let (meta, mut d) = parse_scenario_toml(toml.as_bytes(), &marked);
    d.rewrite(|diag| {
        if diag.file != marked {
            return;
        }
        diag.file = file.to_owned();
        diag.location = match diag.location {
            Location::Position { line, .. } => match line.checked_sub(shift + 1).and_then(|i| lines.get(i)) {
                Some(Some(row)) => {
                    // The value column is always the second (see `to_toml`).
                    let letter = "B".to_owned();
                    Location::Cell { sheet: sheet.clone(), row: *row, column: value_column.clone(), letter }
                }
                _ => Location::Sheet { sheet: sheet.clone() },
            },
            _ => Location::Sheet { sheet: sheet.clone() },
        };
    });
    diags.extend(d);
    if diags.has_errors() {
        return (None, diags);
    }
    (meta, diags)
}

/// Opens the workbook: its settings rows and whether the history and pipeline sheets have data.
fn open(bytes: &[u8]) -> Result<Sheets, Msg> {
    xlsx::check_zip(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let names = book.sheet_names();
    let find = |wanted: &[&str]| {
        wanted
            .iter()
            .find_map(|n| names.iter().find(|s| headers::normalize(s) == headers::normalize(n)).cloned())
    };
    let settings_name = find(&SETTINGS_SHEETS);
    let history_name = find(&HISTORY_SHEETS);
    let pipeline_name = find(&PIPELINE_SHEETS);
    let settings = match settings_name {
        Some(n) => {
            let rows = xlsx::read_cells(&mut book, &n)?;
            Some((n, rows))
        }
        None => None,
    };
    let history = match history_name {
        Some(n) => has_data(&xlsx::read_cells(&mut book, &n)?, &HISTORY_ALIASES),
        None => false,
    };
    let pipeline = match pipeline_name {
        Some(n) => has_data(&xlsx::read_cells(&mut book, &n)?, &PIPELINE_ALIASES),
        None => false,
    };
    Ok(Sheets { settings, history, pipeline, names })
}

/// True when a data sheet has a row below its header (the first row naming two of its columns, as
/// the readers find it): an empty sheet of the template is no input.
fn has_data(rows: &[(usize, Vec<Cell>)], table: &[(&str, &[&str])]) -> bool {
    let named = |cells: &[Cell]| {
        cells
            .iter()
            .filter(|c| matches!(&c.value, Value::Data(Data::String(s), _) if headers::column_of(table, s).is_some()))
            .count()
    };
    let at = rows.iter().take(xlsx::HEADER_SEARCH).position(|(_, cells)| named(cells) >= 2).unwrap_or(0);
    rows.len() > at + 1
}

/// The setting a row sets: its key cell, else its label in either language.
fn setting_of(cells: &[Cell]) -> Option<&'static Setting> {
    let text_at = |i: usize| match xlsx::cell_at(cells, i).map(|c| &c.value) {
        Some(Value::Data(Data::String(s), _)) => s.trim().to_owned(),
        _ => String::new(),
    };
    let key = text_at(2);
    if !key.is_empty() {
        return SETTINGS.iter().find(|s| s.0 == key);
    }
    let label = headers::normalize(&text_at(0));
    SETTINGS.iter().find(|s| headers::normalize(s.1) == label || headers::normalize(s.2) == label)
}

/// The settings rows as `scenario.toml` text (top-level keys, then `[document]`), the sheet row of
/// each of its lines (`None` for the table line) and the value column's name for messages.
fn to_toml(
    rows: &[(usize, Vec<Cell>)],
    file: &str,
    sheet: &str,
    diags: &mut Diagnostics,
) -> (String, Vec<Option<usize>>, String) {
    let mut value_column = "B".to_owned();
    let mut top: Vec<(String, usize)> = Vec::new();
    let mut document: Vec<(String, usize)> = Vec::new();
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (row, cells) in rows {
        let key_text = match xlsx::cell_at(cells, 2).map(|c| &c.value) {
            Some(Value::Data(Data::String(s), _)) => s.trim().to_owned(),
            _ => String::new(),
        };
        let Some(setting) = setting_of(cells) else {
            if FILE_KEYS.contains(&key_text.as_str()) {
                diags.warning(
                    file,
                    Location::SheetRow { sheet: sheet.to_owned(), row: *row },
                    msg!(
                        "W153",
                        "`{key_text}` is not a setting of a workbook scenario and is ignored: the workbook's own sheets are read",
                        "`{key_text}` không phải là thiết lập của kịch bản dạng sổ Excel nên được bỏ qua: chương trình đọc các trang tính của chính sổ này"
                    ),
                );
            } else if !key_text.is_empty() && *row > 1 {
                diags.warning(
                    file,
                    Location::SheetRow { sheet: sheet.to_owned(), row: *row },
                    msg!(
                        "W154",
                        "unknown setting `{}` ignored; the keys are {}",
                        "thiết lập `{}` không có trong danh sách nên được bỏ qua; các khóa hợp lệ: {}",
                        text::quote(&key_text),
                        SETTINGS.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
                    ),
                );
            } else if *row <= xlsx::HEADER_SEARCH
                && let Some(Value::Data(Data::String(h), _)) = xlsx::cell_at(cells, 1).map(|c| &c.value)
            {
                // The header row names the value column.
                value_column = h.trim().to_owned();
            }
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == setting.0) {
            diags.error(
                file,
                Location::SheetRow { sheet: sheet.to_owned(), row: *row },
                msg!(
                    "E155",
                    "the setting `{}` is given twice (rows {first} and {row}); keep one",
                    "thiết lập `{}` được khai hai lần (dòng {first} và dòng {row}); chỉ giữ một dòng",
                    setting.0
                ),
            );
            continue;
        }
        seen.push((setting.0, *row));
        let Some(value) = value_toml(xlsx::cell_at(cells, 1), setting.3) else {
            continue;
        };
        match setting.0.strip_prefix("document.") {
            Some(k) => document.push((format!("{k} = {value}"), *row)),
            None => top.push((format!("{} = {value}", setting.0), *row)),
        }
    }
    let mut text = String::new();
    let mut lines = Vec::new();
    for (line, row) in top {
        text.push_str(&line);
        text.push('\n');
        lines.push(Some(row));
    }
    if !document.is_empty() {
        text.push_str("[document]\n");
        lines.push(None);
        for (line, row) in document {
            text.push_str(&line);
            text.push('\n');
            lines.push(Some(row));
        }
    }
    (text, lines, value_column)
}

/// A value cell as a TOML value of its setting's kind; `None` for an empty cell (the key is not
/// set). A value of the wrong kind is written as a string, which the parser refuses with what it
/// expected and what it found.
fn value_toml(cell: Option<&Cell>, kind: SettingKind) -> Option<String> {
    let data = match cell.map(|c| &c.value) {
        None => return None,
        Some(Value::Uncalculated) => return Some(crate::write::toml_string("=?")),
        Some(Value::Data(d, _)) => d,
    };
    if let Data::String(s) = data
        && s.trim().is_empty()
    {
        return None;
    }
    let as_text = || match data {
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        other => xlsx::cell_text(other, false).unwrap_or_else(|e| e.en),
    };
    Some(match kind {
        SettingKind::Text | SettingKind::Date => crate::write::toml_string(as_text().trim()),
        SettingKind::Year => {
            let t = as_text();
            let t = t.trim();
            if !t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b.is_ascii_digit()) {
                t.to_owned()
            } else {
                crate::write::toml_string(t)
            }
        }
        SettingKind::Bool => match data {
            Data::Bool(b) => b.to_string(),
            _ => {
                let t = as_text();
                match crate::domain::fold_label(t.trim()).as_str() {
                    "true" | "co" => "true".to_owned(),
                    "false" | "khong" => "false".to_owned(),
                    _ => crate::write::toml_string(t.trim()),
                }
            }
        },
        SettingKind::List => {
            let t = as_text();
            let items: Vec<String> =
                t.lines().map(str::trim).filter(|l| !l.is_empty()).map(crate::write::toml_string).collect();
            format!("[{}]", items.join(", "))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_for_toml() {
        assert_eq!(crate::write::toml_string("a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\n\"");
    }

    #[test]
    fn every_setting_is_a_key_of_scenario_toml() {
        // Each key, with a value of its kind, reads back without a warning.
        let mut top = String::from(
            "projects = \"p.xlsx\"\nname = \"n\"\nprovince = \"p\"\nfiscal_year = 2025\nas_of = \"2025-09-30\"\ndeadline = \"2026-01-31\"\n",
        );
        let mut doc = String::from("[document]\n");
        for (key, ..) in SETTINGS.iter().skip(5) {
            let value = match *key {
                "amount_format" => "\"dot\"",
                "local_budget_delegated" => "true",
                "document.date" => "\"2025-10-01\"",
                "document.recipients" | "document.bases" => "[\"a\"]",
                _ => "\"x\"",
            };
            match key.strip_prefix("document.") {
                Some(k) => doc.push_str(&format!("{k} = {value}\n")),
                None => top.push_str(&format!("{key} = {value}\n")),
            }
        }
        let (meta, d) = parse_scenario_toml(format!("{top}{doc}").as_bytes(), "s.toml");
        assert!(d.is_empty(), "{d}");
        let meta = meta.unwrap();
        for (key, ..) in SETTINGS {
            assert!(setting_value(&meta, key).is_some(), "{key}");
        }
    }
}
