//! `amount_format` and Excel: number cells are numbers and follow no convention; text cells follow
//! the scenario's `amount_format` like CSV fields, and without it `30.000` in a text cell is refused
//! with both readings, naming the workbook, the sheet, the row and the column.

use std::path::Path;

use realloc::load::load_scenario;
use realloc::scenario::Scenario;
use realloc_tests::book::{Cell, Edit, Layout, Which, project_col, retarget_toml, scenario_book};
use realloc_tests::{run_cli, valid_small};

fn small() -> Scenario {
    match load_scenario(&valid_small()) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.diagnostics),
    }
}

/// Writes `data.xlsx` (the small scenario with `edits`) and a `scenario.toml` naming it, whose
/// `amount_format` line is `format` (none when `None`).
fn write_case(dir: &Path, edits: &[Edit], format: Option<&str>) {
    std::fs::write(dir.join("data.xlsx"), scenario_book(&small(), &Layout::default(), edits)).unwrap();
    let toml = retarget_toml(&valid_small(), "data.xlsx", "data.xlsx").replace(
        "amount_format = \"dot\"\n",
        &format.map_or(String::new(), |f| format!("amount_format = \"{f}\"\n")),
    );
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
}

fn plan_cell(text: &str) -> Edit {
    Edit { sheet: Which::Projects, row: 3, col: project_col("plan"), cell: Cell::Text(text.into()) }
}

#[test]
fn excel_number_cells_need_no_amount_format() {
    let tmp = tempfile::tempdir().unwrap();
    // 5100.125 and 300.125 (history) are number cells: no ambiguity.
    write_case(tmp.path(), &[], None);
    let loaded = load_scenario(tmp.path()).unwrap_or_else(|e| panic!("{}", e.diagnostics)).scenario;
    let s = small();
    assert_eq!(loaded.portfolio.rows(), s.portfolio.rows());
    assert_eq!(loaded.history, s.history);
}

#[test]
fn thirty_thousand_in_an_excel_text_cell_without_amount_format_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write_case(tmp.path(), &[plan_cell("30.000")], None);
    let run = realloc_cli::with_message_lang(realloc::report::Lang::En, || {
        run_cli([std::ffi::OsStr::new("validate"), tmp.path().as_os_str()])
    });
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "data.xlsx: sheet `Dự án` row 3: column L (`plan`): `30.000` could be 30 or 30,000 million VND; add `amount_format = \"dot\"` or `amount_format = \"vi\"` to scenario.toml"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn excel_text_cells_follow_the_amount_format() {
    for (format, text) in [("dot", "30000.000"), ("vi", "30.000"), ("vi", "30.000,000")] {
        let tmp = tempfile::tempdir().unwrap();
        write_case(tmp.path(), &[plan_cell(text)], Some(format));
        let loaded =
            load_scenario(tmp.path()).unwrap_or_else(|e| panic!("{format} {text}: {}", e.diagnostics));
        assert_eq!(loaded.scenario.portfolio.rows(), small().portfolio.rows(), "{format} {text}");
    }
    // With "dot", 30.000 in a text cell is thirty million VND: below the disbursed 12000.5.
    let tmp = tempfile::tempdir().unwrap();
    write_case(tmp.path(), &[plan_cell("30.000")], Some("dot"));
    let e = load_scenario(tmp.path()).expect_err("disbursed above plan");
    assert!(e.diagnostics.to_string().contains("is above the plan 30 million VND"), "{}", e.diagnostics);
}
