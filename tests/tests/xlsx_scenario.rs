//! A workbook as a scenario: the `.xlsx` of `realloc template --from` (with its settings sheet) is
//! accepted wherever a scenario folder is, and proposes what the folder proposes; a workbook without
//! settings, or with a bad settings cell, is refused naming the sheet, the row and the column.

use std::ffi::OsStr;
use std::path::Path;

use realloc::load::load_scenario;
use realloc_tests::book::{Cell, Layout, scenario_book};
use realloc_tests::{json, run_cli, sample_dir, valid_small};

/// `propose DIR --format json -o OUT` and the JSON it wrote.
fn propose_json(scenario: &Path, out: &Path) -> serde_json::Value {
    let run = run_cli([
        OsStr::new("propose"),
        scenario.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    json(&std::fs::read_to_string(out).unwrap())
}

#[test]
fn a_workbook_from_template_from_proposes_what_its_folder_proposes() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("mau.xlsx");
    let sample = Path::new(&sample_dir()).to_path_buf();
    let run = run_cli([
        OsStr::new("template"),
        "--from".as_ref(),
        sample.as_os_str(),
        "-o".as_ref(),
        book.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The monitoring files the settings name (the schedule sets the pace of its rows) stay CSV files
    // beside the workbook, as the settings sheet says.
    for name in ["treasury.csv", "schedule.csv", "conclusions.csv"] {
        std::fs::copy(sample.join(name), tmp.path().join(name)).unwrap();
    }
    // And last year's scenario, a folder beside it.
    std::fs::create_dir(tmp.path().join("2024")).unwrap();
    for entry in std::fs::read_dir(sample.join("2024")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), tmp.path().join("2024").join(entry.file_name())).unwrap();
    }

    let folder = propose_json(&sample, &tmp.path().join("folder.json"));
    let mut workbook = propose_json(&book, &tmp.path().join("book.json"));
    // The manifest names the workbook in place of the folder's CSV files (the monitoring files stay
    // files of their own, with the same digests).
    let inputs = workbook["manifest"]["inputs_sha256"].as_object().unwrap().clone();
    let monitoring = ["conclusions.csv", "schedule.csv", "treasury.csv"];
    assert_eq!(inputs.keys().filter(|k| !monitoring.contains(&k.as_str())).collect::<Vec<_>>(), ["mau.xlsx"]);
    for name in monitoring.iter().filter(|n| inputs.contains_key(**n)) {
        assert_eq!(inputs[*name], folder["manifest"]["inputs_sha256"][*name], "{name}");
    }
    assert_eq!(inputs["mau.xlsx"].as_str().unwrap().len(), 64);
    workbook["manifest"]["inputs_sha256"] = folder["manifest"]["inputs_sha256"].clone();
    assert!(workbook == folder, "the workbook's proposal differs from the folder's");

    // The settings came from the sheet: history and pipeline from their sheets, document fields too.
    let loaded = load_scenario(&book).unwrap().scenario;
    let from_folder = load_scenario(&sample).unwrap().scenario;
    assert_eq!(loaded.meta.document, from_folder.meta.document);
    assert_eq!(loaded.meta.amount_format, from_folder.meta.amount_format);
    assert!(loaded.history.is_some());
    assert_eq!(loaded.pipeline, from_folder.pipeline);
    assert_eq!(loaded.meta.projects, "mau.xlsx");

    // Other commands take the workbook too, and none writes over it.
    for cmd in ["validate", "classify", "rank"] {
        let run = run_cli([OsStr::new(cmd), book.as_os_str()]);
        assert_eq!(run.code, 0, "{cmd}: {}", run.stderr);
    }
    let before = std::fs::read(&book).unwrap();
    let run = run_cli([OsStr::new("propose"), book.as_os_str(), "-o".as_ref(), book.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read(&book).unwrap(), before, "the workbook was written over");
}

#[test]
fn an_empty_template_is_a_scenario_once_its_settings_and_rows_are_there() {
    // The empty template has the settings sheet with `amount_format` only: refused for the missing
    // keys, each naming the settings sheet.
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("mau.xlsx");
    let run = run_cli([OsStr::new("template"), "-o".as_ref(), book.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = run_cli([OsStr::new("validate"), book.as_os_str()]);
    assert_eq!(run.code, 2);
    for key in ["name", "province", "fiscal_year", "as_of", "deadline"] {
        assert!(
            run.stderr.contains(&format!("mau.xlsx, trang tính `Thiết lập`: thiếu khóa `{key}`")),
            "{key}: {}",
            run.stderr
        );
    }
}

/// The small valid scenario's settings as rows of a settings sheet.
fn settings_rows() -> Vec<(String, Cell, String)> {
    let text = |s: &str| Cell::Text(s.to_owned());
    vec![
        ("Tên kịch bản".into(), text("Thử"), "name".into()),
        ("Tỉnh".into(), text("Lạng Sơn"), "province".into()),
        ("Năm kế hoạch".into(), Cell::Number(2025.0), "fiscal_year".into()),
        // A date cell, as Excel makes of a typed date.
        ("Số liệu đến ngày".into(), Cell::Date("2025-09-30".into()), "as_of".into()),
        ("Hạn giải ngân".into(), text("2026-01-31"), "deadline".into()),
        ("Cách viết số tiền".into(), text("dot"), "amount_format".into()),
        // Known by its label alone, its key cell left empty.
        ("Nơi nhận (mỗi nơi một dòng)".into(), text("UBND tỉnh\nLưu: VT"), String::new()),
    ]
}

#[test]
fn a_user_workbook_with_a_settings_sheet_loads_and_matches_its_folder() {
    let folder = load_scenario(&valid_small()).unwrap().scenario;
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("so-lieu.xlsx");
    let layout = Layout { settings: Some(settings_rows()), ..Layout::default() };
    std::fs::write(&book, scenario_book(&folder, &layout, &[])).unwrap();
    let loaded = load_scenario(&book).unwrap_or_else(|e| panic!("{}", e.diagnostics)).scenario;
    assert_eq!(loaded.portfolio.rows(), folder.portfolio.rows());
    assert_eq!(loaded.history, folder.history);
    assert_eq!(loaded.meta.as_of, folder.meta.as_of);
    assert_eq!(loaded.meta.fiscal_year, 2025);
    assert_eq!(loaded.meta.document.recipients, ["UBND tỉnh", "Lưu: VT"]);

    // A rules file named by the settings is read from the workbook's folder.
    let rules = std::fs::read_to_string(realloc_tests::workspace_root().join("rules/default.toml")).unwrap();
    std::fs::write(
        tmp.path().join("quy-tac.toml"),
        rules.replacen("name = \"default\"", "name = \"quy tắc riêng\"", 1),
    )
    .unwrap();
    let mut rows = settings_rows();
    rows.push(("Tệp quy tắc".into(), Cell::Text("quy-tac.toml".into()), "rules".into()));
    let layout = Layout { settings: Some(rows), ..Layout::default() };
    std::fs::write(&book, scenario_book(&folder, &layout, &[])).unwrap();
    let proposal = propose_json(&book, &tmp.path().join("p.json"));
    assert_eq!(proposal["manifest"]["rules"], "quy tắc riêng");
    // Not one that leaves the folder, and the message says the settings sheet named it.
    let mut rows = settings_rows();
    rows.push(("Tệp quy tắc".into(), Cell::Text("../quy-tac.toml".into()), "rules".into()));
    let layout = Layout { settings: Some(rows), ..Layout::default() };
    std::fs::create_dir(tmp.path().join("inner")).unwrap();
    let inner = tmp.path().join("inner/so-lieu.xlsx");
    std::fs::write(&inner, scenario_book(&folder, &layout, &[])).unwrap();
    let run = run_cli([OsStr::new("validate"), inner.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("`rules` trong trang tính thiết lập là một đường dẫn có `..` ra ngoài"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("[E002]"), "{}", run.stderr);
}

#[test]
fn a_workbook_without_settings_says_how_to_make_it_a_scenario() {
    let folder = load_scenario(&valid_small()).unwrap().scenario;
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("mau.xlsx");
    std::fs::write(&book, scenario_book(&folder, &Layout::default(), &[])).unwrap();
    let run = run_cli([OsStr::new("validate"), book.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // The sheets it has, the sheet to add and where it comes from, and the folder alternative.
    for want in [
        "mau.xlsx: ",
        "[E152]",
        "`Dự án`",
        "`Thiết lập`",
        "`realloc template`",
        "scenario.toml",
        "projects = \"mau.xlsx\"",
    ] {
        assert!(run.stderr.contains(want), "{want}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("not a directory"), "{}", run.stderr);
    // In English too.
    let run = realloc_cli::with_message_lang(realloc::report::Lang::En, || {
        run_cli([
            OsStr::new("propose"),
            book.as_os_str(),
            "-o".as_ref(),
            tmp.path().join("p.json").as_os_str(),
        ])
    });
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("the workbook has no settings sheet"), "{}", run.stderr);
    assert!(!tmp.path().join("p.json").exists());

    // A file that is neither a folder nor a workbook.
    let run = run_cli([OsStr::new("validate"), valid_small().join("projects.csv").as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("[E001]"), "{}", run.stderr);
}

#[test]
fn a_bad_settings_cell_is_named_by_sheet_row_and_column() {
    let folder = load_scenario(&valid_small()).unwrap().scenario;
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("mau.xlsx");
    let mut rows = settings_rows();
    // Sheet row 4 (under the header): a plan year typed with a word.
    rows[2].1 = Cell::Text("năm 2025".into());
    // Sheet row 6: a deadline the Vietnamese way.
    rows[4].1 = Cell::Text("31/01/2026".into());
    let layout = Layout { settings: Some(rows), ..Layout::default() };
    std::fs::write(&book, scenario_book(&folder, &layout, &[])).unwrap();
    let run = run_cli([OsStr::new("validate"), book.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("mau.xlsx, trang tính `Thiết lập`, dòng 4, cột B (`Giá trị`): "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("mau.xlsx, trang tính `Thiết lập`, dòng 6, cột B (`Giá trị`): "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`31/01/2026`"), "{}", run.stderr);
    let en = realloc_cli::with_message_lang(realloc::report::Lang::En, || {
        run_cli([OsStr::new("validate"), book.as_os_str()])
    });
    assert!(
        en.stderr.contains(
            "mau.xlsx: sheet `Thiết lập` row 6: column B (`Giá trị`): `deadline`: expected a date YYYY-MM-DD"
        ),
        "{}",
        en.stderr
    );
}

/// `template --from` names the files the scenario keeps outside its tables (the schedule, the
/// Treasury's figures, the conclusions, last year's folder) relative to the workbook's folder, so a
/// workbook written beside the scenario folder proposes what the folder proposes with nothing copied.
#[test]
fn a_workbook_written_beside_its_scenario_finds_the_monitoring_files() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = Path::new(&sample_dir()).to_path_buf();
    let scenario = tmp.path().join("kich-ban");
    std::fs::create_dir_all(scenario.join("2024")).unwrap();
    realloc_tests::copy_dir(&sample, &scenario).unwrap();
    realloc_tests::copy_dir(&sample.join("2024"), &scenario.join("2024")).unwrap();
    let book = tmp.path().join("so-lieu.xlsx");
    let run = run_cli([
        OsStr::new("template"),
        "--from".as_ref(),
        scenario.as_os_str(),
        "-o".as_ref(),
        book.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("outside"), "{}", run.stderr);
    let loaded = load_scenario(&book).unwrap_or_else(|e| panic!("{}", e.diagnostics)).scenario;
    assert_eq!(loaded.meta.monitoring.schedule.as_deref(), Some("kich-ban/schedule.csv"));
    let folder = propose_json(&scenario, &tmp.path().join("folder.json"));
    let mut workbook = propose_json(&book, &tmp.path().join("book.json"));
    workbook["manifest"]["inputs_sha256"] = folder["manifest"]["inputs_sha256"].clone();
    assert!(workbook == folder, "the workbook's proposal differs from the folder's");
}
