//! Excel input: a scenario written to a workbook and read back gives the same portfolio and history,
//! to the đồng, and the same proposal as its CSV files; Vietnamese headers are shared with CSV.

use std::path::Path;

use realloc::generate::{GenerateOptions, files_of, generate_scenario};
use realloc::load::load_scenario;
use realloc::report::Lang;
use realloc::scenario::Scenario;
use realloc_tests::book::{Layout, retarget_toml, scenario_book};
use realloc_tests::{copy_dir, run_cli, valid_small};

fn load(dir: &Path) -> Scenario {
    match load_scenario(dir) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{} does not load:\n{}", dir.display(), e.diagnostics),
    }
}

/// The JSON proposal of a scenario folder, without the input digests (file names and bytes differ).
fn proposal_json(dir: &Path) -> serde_json::Value {
    let run =
        run_cli([std::ffi::OsStr::new("propose"), dir.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(run.code, 0, "propose failed: {}", run.stderr);
    let mut v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}"));
    if let Some(m) = v.get_mut("manifest").and_then(|m| m.as_object_mut()) {
        m.remove("inputs_sha256");
    }
    v
}

#[track_caller]
fn assert_same(csv: &Scenario, xlsx: &Scenario) {
    assert_eq!(csv.portfolio.len(), xlsx.portfolio.len());
    for (a, b) in csv.portfolio.rows().iter().zip(xlsx.portfolio.rows()) {
        assert_eq!(a, b, "row {} differs", a.id);
    }
    assert_eq!(csv.history, xlsx.history);
    assert_eq!(csv.pipeline, xlsx.pipeline);
    assert_eq!(csv.meta.name, xlsx.meta.name);
}

#[test]
fn small_scenario_round_trips_through_a_user_style_workbook() {
    let csv = load(&valid_small());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let book = scenario_book(&csv, &Layout::default(), &[]);
    std::fs::write(dir.join("so-lieu.xlsx"), book).unwrap();
    std::fs::write(dir.join("scenario.toml"), retarget_toml(&valid_small(), "so-lieu.xlsx", "so-lieu.xlsx"))
        .unwrap();
    let xlsx = load(dir);
    assert_same(&csv, &xlsx);
    assert_eq!(
        xlsx.inputs.iter().map(|d| d.file.as_str()).collect::<Vec<_>>(),
        ["scenario.toml", "so-lieu.xlsx", "so-lieu.xlsx"]
    );
    assert_eq!(proposal_json(&valid_small()), proposal_json(dir));
}

#[test]
fn generated_scenario_round_trips_through_the_template_writer() {
    let mut generated = generate_scenario(&GenerateOptions::new(400, 11));
    // The template carries the projects, the history and the pipeline, not the monitoring inputs.
    generated.meta.monitoring = Default::default();
    generated.monitoring = Default::default();
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    let xlsx_dir = tmp.path().join("xlsx");
    std::fs::create_dir_all(&csv_dir).unwrap();
    std::fs::create_dir_all(&xlsx_dir).unwrap();
    for (name, text) in files_of(&generated).files() {
        std::fs::write(csv_dir.join(name), text).unwrap();
    }
    let csv = load(&csv_dir);
    let book = realloc::template::workbook(Lang::En, Some(&csv)).unwrap();
    std::fs::write(xlsx_dir.join("book.xlsx"), book).unwrap();
    let toml = retarget_toml(&csv_dir, "book.xlsx", "book.xlsx")
        .replace("pipeline = \"pipeline.csv\"", "pipeline = \"book.xlsx\"");
    std::fs::write(xlsx_dir.join("scenario.toml"), toml).unwrap();
    let xlsx = load(&xlsx_dir);
    assert_same(&csv, &xlsx);
    // The version-2 columns and the pipeline came through.
    assert!(!xlsx.pipeline.is_empty());
    assert!(xlsx.portfolio.rows().iter().any(|p| p.extra.requested_change.is_some_and(|r| r.dong() < 0)));
    assert!(xlsx.portfolio.rows().iter().any(|p| p.extra.category.is_some()));
    // Every amount exact to the đồng, including those with three decimals.
    assert!(csv.portfolio.rows().iter().any(|p| p.plan.dong() % 1_000_000 != 0));
    assert_eq!(proposal_json(&csv_dir), proposal_json(&xlsx_dir));
}

#[test]
fn the_vietnamese_template_reads_back_too() {
    let csv = load(&valid_small());
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("vi.xlsx"), realloc::template::workbook(Lang::Vi, Some(&csv)).unwrap())
        .unwrap();
    std::fs::write(tmp.path().join("scenario.toml"), retarget_toml(&valid_small(), "vi.xlsx", "vi.xlsx"))
        .unwrap();
    assert_same(&csv, &load(tmp.path()));
}

/// The Vietnamese template writes categories as their labels, and they read back as the codes.
#[test]
fn the_vietnamese_template_of_a_version_2_scenario_reads_back() {
    let mut generated = generate_scenario(&GenerateOptions::new(400, 2025));
    // The template carries the projects, the history and the pipeline, not the monitoring inputs.
    generated.meta.monitoring = Default::default();
    generated.monitoring = Default::default();
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    std::fs::create_dir_all(&csv_dir).unwrap();
    for (name, text) in files_of(&generated).files() {
        std::fs::write(csv_dir.join(name), text).unwrap();
    }
    let csv = load(&csv_dir);
    assert!(csv.portfolio.rows().iter().any(|p| p.extra.category.is_some()));
    let book = realloc::template::workbook(Lang::Vi, Some(&csv)).unwrap();
    std::fs::write(tmp.path().join("vi.xlsx"), book).unwrap();
    let toml = retarget_toml(&csv_dir, "vi.xlsx", "vi.xlsx").replace("\"pipeline.csv\"", "\"vi.xlsx\"");
    std::fs::write(tmp.path().join("scenario.toml"), toml).unwrap();
    let xlsx = load(tmp.path());
    assert_same(&csv, &xlsx);
    assert_eq!(xlsx.meta.document, csv.meta.document);
}

#[test]
fn csv_projects_with_an_excel_history_and_vietnamese_csv_headers() {
    let csv = load(&valid_small());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&valid_small(), dir).unwrap();
    // The CSV header in Vietnamese (as in the README), columns unchanged.
    let projects = std::fs::read_to_string(dir.join("projects.csv")).unwrap();
    let (_, body) = projects.split_once('\n').unwrap();
    let header = realloc_tests::book::PROJECT_HEADER.map(|h| format!("\"{h}\"")).join(",");
    std::fs::write(dir.join("projects.csv"), format!("{header}\n{body}")).unwrap();
    let layout = Layout { history_sheet: Some("Giải ngân".into()), ..Layout::default() };
    std::fs::write(dir.join("history.xlsx"), scenario_book(&csv, &layout, &[])).unwrap();
    std::fs::write(dir.join("scenario.toml"), retarget_toml(&valid_small(), "projects.csv", "history.xlsx"))
        .unwrap();
    assert_same(&csv, &load(dir));
}

#[test]
fn template_command_writes_an_empty_workbook_the_loader_reads_as_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mau.xlsx");
    let run = run_cli([std::ffi::OsStr::new("template"), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Sheets, headers and notes as documented.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    use calamine::Reader;
    assert_eq!(book.sheet_names(), ["projects", "disbursements", "pipeline", "Thiết lập", "notes", "lists"]);
    let range = book.worksheet_range("projects").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[0], "Mã dự án");
    assert_eq!(header[11], "Kế hoạch vốn năm");
    assert_eq!(header.len(), 27);
    assert_eq!(header[20], "Phân loại");
    assert_eq!(header[26], "Lý do giữ nguyên");
    let notes = book.worksheet_range("notes").unwrap();
    let text: String = notes.rows().flat_map(|r| r.iter().map(|c| c.to_string() + "\n")).collect();
    let all = realloc::load::PROJECT_COLUMNS.iter().chain(&realloc::load::PROJECT_OPTIONAL_COLUMNS);
    for column in all.chain(&realloc::load::PIPELINE_COLUMNS) {
        assert!(text.lines().any(|l| l == *column), "the notes do not explain `{column}`");
    }
    // Data validation for the codes is in the sheet XML.
    let sheet1 = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains("\"NSTW,NSTW_ODA,CTMTQG_NTM,CTMTQG_GNBV,CTMTQG_DTTS,NSDP,NSDP_TSDD,XSKT\""),
        "{sheet1}"
    );
    assert!(sheet1.contains("\"A,B,C\""));
    assert!(
        sheet1
            .contains("\"new,ongoing,completed,prep,Khởi công mới,Chuyển tiếp,Hoàn thành,Chuẩn bị đầu tư\"")
    );
    // The category list is a range of the hidden lists sheet (its labels hold commas).
    assert!(sheet1.contains("lists!$"), "{sheet1}");
    // An empty template is refused as a scenario with a clear message, exit 2.
    std::fs::write(tmp.path().join("scenario.toml"), retarget_toml(&valid_small(), "mau.xlsx", "mau.xlsx"))
        .unwrap();
    let run = en(|| run_cli([std::ffi::OsStr::new("validate"), tmp.path().as_os_str()]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("mau.xlsx: sheet `projects`: the sheet has only a header row and no project rows"),
        "{}",
        run.stderr
    );
}

/// Runs `f` with the messages in English, which these tests compare.
fn en<T>(f: impl FnOnce() -> T) -> T {
    realloc_cli::with_message_lang(realloc::report::Lang::En, f)
}

fn zip_entry(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The message after `column `name`: ` (a CSV file) or `column L (`name`): ` (a workbook) of the
/// first error naming that column.
fn message_for(stderr: &str, column: &str) -> String {
    let (key, cell) = (format!("column `{column}`: "), format!(" (`{column}`): "));
    stderr
        .lines()
        .find_map(|l| l.split_once(&key).or_else(|| l.split_once(&cell)).map(|(_, m)| m.to_owned()))
        .unwrap_or_else(|| panic!("no error for `{column}` in:\n{stderr}"))
}

#[test]
fn bad_cells_get_the_same_message_as_the_same_bad_csv_field() {
    let small = load(&valid_small());
    let cases = [
        ("plan", "12,5"),
        ("plan", "1.234,5"),
        ("plan", "1e6"),
        ("plan", "NaN"),
        ("plan", "-3"),
        ("plan", "1.2345"),
        ("plan", "abc"),
        ("plan", "99999999999"),
        ("source", "XYZ"),
        ("status", "done"),
        ("group", "D"),
        ("key_project", "yes"),
        ("site_clearance_pct", "120"),
        ("start_year", "20x5"),
        ("obstacles", "flood"),
        ("id", ""),
    ];
    for (column, value) in cases {
        let col = realloc_tests::book::project_col(column);
        // CSV: the field of P01 (line 2).
        let tmp = tempfile::tempdir().unwrap();
        let csv_dir = tmp.path().join("csv");
        std::fs::create_dir(&csv_dir).unwrap();
        copy_dir(&valid_small(), &csv_dir).unwrap();
        let mut reader = csv::Reader::from_path(csv_dir.join("projects.csv")).unwrap();
        let header = reader.headers().unwrap().clone();
        let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut fields: Vec<String> = rows[0].iter().map(str::to_owned).collect();
        fields[usize::from(col)] = value.to_owned();
        rows[0] = csv::StringRecord::from(fields);
        let mut w = csv::Writer::from_path(csv_dir.join("projects.csv")).unwrap();
        w.write_record(&header).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
        let csv_run = en(|| run_cli([std::ffi::OsStr::new("validate"), csv_dir.as_os_str()]));
        // Excel: the same text in the cell of P01 (sheet row 3).
        let xlsx_dir = tmp.path().join("xlsx");
        std::fs::create_dir(&xlsx_dir).unwrap();
        let edit = realloc_tests::book::Edit {
            sheet: realloc_tests::book::Which::Projects,
            row: 3,
            col,
            cell: if value.is_empty() {
                realloc_tests::book::Cell::Empty
            } else {
                realloc_tests::book::Cell::Text(value.to_owned())
            },
        };
        std::fs::write(xlsx_dir.join("data.xlsx"), scenario_book(&small, &Layout::default(), &[edit]))
            .unwrap();
        std::fs::write(
            xlsx_dir.join("scenario.toml"),
            retarget_toml(&valid_small(), "data.xlsx", "data.xlsx"),
        )
        .unwrap();
        let xlsx_run = en(|| run_cli([std::ffi::OsStr::new("validate"), xlsx_dir.as_os_str()]));
        assert_eq!((csv_run.code, xlsx_run.code), (2, 2), "{column}={value}");
        assert!(
            csv_run.stderr.contains(&format!("projects.csv:2: column `{column}`: ")),
            "{}",
            csv_run.stderr
        );
        // The workbook names the cell's column by its letter and its header.
        let letter = |l: &str| {
            let (_, rest) = l.split_once("data.xlsx: sheet `Dự án` row 3: column ")?;
            let (letter, _) = rest.split_once(&format!(" (`{column}`): "))?;
            Some(letter.to_owned())
        };
        let letter = xlsx_run.stderr.lines().find_map(letter);
        assert!(
            letter.is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_uppercase())),
            "{}",
            xlsx_run.stderr
        );
        assert_eq!(
            message_for(&csv_run.stderr, column),
            message_for(&xlsx_run.stderr, column),
            "{column}={value}"
        );
    }
}
