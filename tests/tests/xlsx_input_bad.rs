//! The bad-Excel suite: every case under `tests/data/xlsx/bad/*.toml` writes the small valid scenario
//! as a workbook `data.xlsx` (Vietnamese headers on sheet `Dự án` under a title row, so data start
//! on sheet row 3; history on sheet `disbursements`, data from row 2), changes cells as the case says,
//! runs `realloc validate` in-process and checks exit status 2 and the messages, then checks that
//! `realloc propose -o OUT` exits 2 and writes nothing. Each case is its own test.
//!
//! A case holds `expect` (substrings of the error output), optionally `projects_sheet` /
//! `history_sheet` (sheet names instead of the defaults), `raw` (the whole file instead of a
//! workbook), and `[[edit]]` entries: `sheet` (`projects` or `history`), `row` (sheet row, 1-based),
//! `column` (the English column name, or `col`, 0-based) and one of `text`, `number`, `bool`, `error` (a formula with
//! that cached error), `date` (YYYY-MM-DD, a date cell) or `empty = true`.

use std::path::Path;

use realloc::load::{HISTORY_COLUMNS, load_scenario};
use realloc_tests::book::{Cell, Edit, Layout, Which, project_col, retarget_toml, scenario_book};
use realloc_tests::cases::{Case, Failed, run_case_files};
use realloc_tests::valid_small;

fn main() {
    run_case_files(&realloc_tests::data_dir().join("xlsx").join("bad"), 10, check)
}

fn edit_of(t: &toml::Table) -> Result<Edit, String> {
    let sheet = match t.get("sheet").and_then(|v| v.as_str()) {
        Some("projects") => Which::Projects,
        Some("history") => Which::History,
        other => return Err(format!("edit.sheet must be projects or history, found {other:?}")),
    };
    let row = t.get("row").and_then(|v| v.as_integer()).ok_or("edit.row is an integer")? as u32;
    let column = t.get("column").and_then(|v| v.as_str()).unwrap_or("");
    let col = match sheet {
        _ if t.get("col").is_some() => {
            t.get("col").and_then(|v| v.as_integer()).ok_or("edit.col is an integer")? as u16
        }
        Which::Projects => project_col(column),
        Which::History => {
            HISTORY_COLUMNS.iter().position(|c| *c == column).ok_or(format!("no history column {column}"))?
                as u16
        }
    };
    let cell = if let Some(v) = t.get("text") {
        Cell::Text(v.as_str().ok_or("text is a string")?.to_owned())
    } else if let Some(v) = t.get("number") {
        Cell::Number(v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).ok_or("number is a number")?)
    } else if let Some(v) = t.get("bool") {
        Cell::Bool(v.as_bool().ok_or("bool is a boolean")?)
    } else if let Some(v) = t.get("error") {
        Cell::Error(v.as_str().ok_or("error is a string")?.to_owned())
    } else if let Some(v) = t.get("date") {
        Cell::Date(v.as_str().ok_or("date is a string")?.to_owned())
    } else if t.get("empty").is_some() {
        Cell::Empty
    } else {
        return Err("an edit needs text, number, bool, error, date or empty".into());
    };
    Ok(Edit { sheet, row, col, cell })
}

fn check(path: &Path) -> Result<(), Failed> {
    let case = Case::read(path)?;
    let scen = &case.scenario;
    std::fs::write(scen.join("scenario.toml"), retarget_toml(&valid_small(), "data.xlsx", "data.xlsx"))
        .map_err(|e| e.to_string())?;
    let bytes = match case.table.get("raw").and_then(|v| v.as_str()) {
        Some(raw) => raw.as_bytes().to_vec(),
        None => {
            let small = load_scenario(&valid_small()).map_err(|e| e.to_string())?.scenario;
            let mut layout = Layout::default();
            if let Some(n) = case.table.get("projects_sheet").and_then(|v| v.as_str()) {
                layout.projects_sheet = n.to_owned();
            }
            if let Some(n) = case.table.get("history_sheet").and_then(|v| v.as_str()) {
                layout.history_sheet = Some(n.to_owned());
            }
            let edits = case
                .table
                .get("edit")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().map(|e| edit_of(e.as_table().ok_or("edit is a table")?)).collect())
                .unwrap_or(Ok(Vec::new()))?;
            scenario_book(&small, &layout, &edits)
        }
    };
    std::fs::write(scen.join("data.xlsx"), bytes).map_err(|e| e.to_string())?;
    case.check_validate(2)
}
