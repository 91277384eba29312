//! Regression tests for hostile and broken inputs (issue 14, items 1, 6, 7, 8 and 11) and for inputs
//! the way a Vietnamese Excel user writes them (issue 13): each test is named after the bug it pins,
//! and its fixture is made the way the user's tool makes it (Excel's percentage format, a `;` CSV,
//! NFD text, a zip bomb written with the `zip` crate).

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use realloc::diag::Severity;
use realloc::load::{LoadError, LoadOptions, Loaded, load_scenario, load_scenario_with};
use realloc::scenario::Scenario;
use realloc_tests::book::{Cell, Edit, Layout, Which, retarget_toml, scenario_book};
use realloc_tests::{copy_dir, run_cli, valid_small};

/// A copy of the small valid scenario in a temporary folder.
fn small() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&valid_small(), tmp.path()).unwrap();
    tmp
}

fn ok(dir: &Path) -> Loaded {
    load_scenario(dir).unwrap_or_else(|e| panic!("{} does not load:\n{}", dir.display(), e.diagnostics))
}

fn refused(dir: &Path) -> LoadError {
    match load_scenario(dir) {
        Ok(_) => panic!("{} loads, expected a refusal", dir.display()),
        Err(e) => e,
    }
}

/// The text of the errors, one a line.
fn errors(e: &LoadError) -> String {
    e.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| format!("{d}\n")).collect()
}

fn warnings(l: &Loaded) -> String {
    l.warnings.iter().map(|d| format!("{d}\n")).collect()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// Replaces `old` (present exactly once) by `new` in file `name` of `dir`.
#[track_caller]
fn replace_once(dir: &Path, name: &str, old: &str, new: &str) {
    let text = read(dir, name);
    assert_eq!(text.matches(old).count(), 1, "`{old}` in {name}");
    write(dir, name, &text.replacen(old, new, 1));
}

/// Sets the `projects` key of `scenario.toml`.
fn set_projects(dir: &Path, value: &str) {
    let text: String =
        read(dir, "scenario.toml")
            .lines()
            .map(|l| {
                if l.starts_with("projects =") {
                    format!("projects = \"{value}\"\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
    write(dir, "scenario.toml", &text);
}

/// The small scenario as a workbook `book.xlsx` (projects and history), with `edits`.
fn small_as_workbook(edits: &[Edit]) -> tempfile::TempDir {
    let csv = ok(&valid_small()).scenario;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("book.xlsx"), scenario_book(&csv, &Layout::default(), edits)).unwrap();
    write(tmp.path(), "scenario.toml", &retarget_toml(&valid_small(), "book.xlsx", "book.xlsx"));
    tmp
}

/// Rewrites every part of a zip (an xlsx) with `f(name, bytes)`.
fn rezip(bytes: &[u8], mut f: impl FnMut(&str, Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..input.len() {
        let mut part = input.by_index(i).unwrap();
        let name = part.name().map(|n| n.into_owned()).unwrap();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&f(&name, data)).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn assert_same_rows(a: &Scenario, b: &Scenario) {
    assert_eq!(a.portfolio.len(), b.portfolio.len());
    for (x, y) in a.portfolio.rows().iter().zip(b.portfolio.rows()) {
        assert_eq!(x, y);
    }
}

// Item 1: sheets are read by their used cells, never by their declared dimension.

#[test]
fn xlsx_cell_at_xfd1048576_is_read_without_allocating_the_sheet() {
    for (sheet, col) in [(Which::Projects, 16383u16), (Which::Projects, 19), (Which::History, 16383)] {
        let edit = Edit { sheet, row: 1_048_576, col, cell: Cell::Text("x".into()) };
        let tmp = small_as_workbook(&[edit]);
        let start = Instant::now();
        let e = refused(tmp.path());
        assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
        let text = errors(&e);
        if col == 19 {
            // T1048576 lies inside the header's columns: a row with only `locked` filled.
            assert!(text.contains("row 1048576"), "{text}");
        } else {
            assert!(
                text.contains("row 1048576: a value in column XFD beyond the last header column"),
                "{text}"
            );
        }
    }
}

#[test]
fn xlsx_header_wider_than_the_column_bound_is_refused() {
    let tmp = small_as_workbook(&[Edit {
        sheet: Which::Projects,
        row: 2,
        col: 16383,
        cell: Cell::Text("x".into()),
    }]);
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("the header row reaches column XFD, more than the 1000 columns"), "{text}");
}

// Item 6: only regular files, within size bounds.

#[test]
fn projects_fifo_is_refused() {
    let tmp = small();
    let fifo = tmp.path().join("fifo.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    set_projects(tmp.path(), "fifo.csv");
    let start = Instant::now();
    let text = errors(&refused(tmp.path()));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(text.contains("fifo.csv: is not a regular file (it is a pipe, a device or a socket)"), "{text}");
}

#[test]
fn projects_dev_zero_is_refused() {
    let tmp = small();
    set_projects(tmp.path(), "/dev/zero");
    let e = load_scenario_with(tmp.path(), &LoadOptions { allow_outside: true }).unwrap_err();
    let text = errors(&e);
    assert!(text.contains("/dev/zero: is not a regular file"), "{text}");
    // And the rules key says what the file is, not "file not found".
    let tmp = small();
    let toml = read(tmp.path(), "scenario.toml") + "rules = \"/dev/zero\"\n";
    write(tmp.path(), "scenario.toml", &toml);
    let e = load_scenario_with(tmp.path(), &LoadOptions { allow_outside: true }).unwrap_err();
    let text = errors(&e);
    assert!(text.contains("/dev/zero: is not a regular file") && text.contains("`rules`"), "{text}");
    assert!(!text.contains("file not found"), "{text}");
}

#[test]
fn xlsx_zip_bomb_is_refused() {
    let csv = ok(&valid_small()).scenario;
    let book = scenario_book(&csv, &Layout::default(), &[]);
    // 300 MiB of zeros deflate to about 300 KB.
    let bomb = rezip(&book, |_, data| data);
    let mut with_bomb = zip::ZipWriter::new_append(std::io::Cursor::new(bomb)).unwrap();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    with_bomb.start_file("xl/media/padding.bin", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        with_bomb.write_all(&zeros).unwrap();
    }
    let bytes = with_bomb.finish().unwrap().into_inner();
    assert!(bytes.len() < 2 << 20, "the bomb is {} bytes", bytes.len());
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("book.xlsx"), bytes).unwrap();
    write(tmp.path(), "scenario.toml", &retarget_toml(&valid_small(), "book.xlsx", "book.xlsx"));
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("the workbook would inflate to more than 256 MiB"), "{text}");
    // One message, though the workbook holds both the projects and the history.
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn csv_with_a_million_columns_is_refused_quickly() {
    let tmp = small();
    let mut header = read(tmp.path(), "projects.csv").lines().next().unwrap().to_owned();
    header.push_str(&",x".repeat(1_000_000));
    let body: String = read(tmp.path(), "projects.csv").lines().skip(1).map(|l| format!("{l}\n")).collect();
    write(tmp.path(), "projects.csv", &format!("{header}\n{body}"));
    let start = Instant::now();
    let text = errors(&refused(tmp.path()));
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
    assert!(text.contains("the header has 1000020 fields, more than the 1000 columns"), "{text}");
}

// Item 7: inputs stay inside the scenario folder.

#[test]
fn path_outside_scenario_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let scen = root.path().join("scen");
    let other = root.path().join("other");
    std::fs::create_dir_all(&scen).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    copy_dir(&valid_small(), &scen).unwrap();
    std::fs::write(other.join("secret.csv"), "secret-first-line,with,content\n1,2,3\n").unwrap();
    for path in ["/etc/passwd", "../other/secret.csv"] {
        set_projects(&scen, path);
        let text = errors(&refused(&scen));
        assert!(text.contains("outside the scenario folder, so the file is not read"), "{text}");
        assert!(text.contains("--allow-outside"), "{text}");
        assert!(!text.contains("root:") && !text.contains("secret-first-line"), "{text}");
        let run = run_cli([std::ffi::OsStr::new("validate"), scen.as_os_str()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
    }
    // Allowed on the command line, the file is read (and here, a copy of the projects, loads).
    std::fs::copy(scen.join("projects.csv"), other.join("projects.csv")).unwrap();
    set_projects(&scen, "../other/projects.csv");
    assert!(load_scenario(&scen).is_err());
    assert!(load_scenario_with(&scen, &LoadOptions { allow_outside: true }).is_ok());
    let run = run_cli([std::ffi::OsStr::new("validate"), scen.as_os_str(), "--allow-outside".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // A file outside that is not a table is refused without quoting it, even when allowed.
    set_projects(&scen, "../other/secret.csv");
    let e = load_scenario_with(&scen, &LoadOptions { allow_outside: true }).unwrap_err();
    let all = e.diagnostics.to_string();
    assert!(!all.contains("secret-first-line"), "{all}");
}

#[cfg(unix)]
#[test]
fn symlink_out_of_scenario_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let scen = root.path().join("scen");
    std::fs::create_dir_all(&scen).unwrap();
    copy_dir(&valid_small(), &scen).unwrap();
    std::fs::copy(scen.join("projects.csv"), root.path().join("outside.csv")).unwrap();
    std::os::unix::fs::symlink(root.path().join("outside.csv"), scen.join("link.csv")).unwrap();
    set_projects(&scen, "link.csv");
    let text = errors(&refused(&scen));
    assert!(
        text.contains(
            "link.csv: `projects` in scenario.toml is a link to a file outside the scenario folder"
        ),
        "{text}"
    );
    // A link that stays inside the folder is fine.
    std::os::unix::fs::symlink(scen.join("projects.csv"), scen.join("inner.csv")).unwrap();
    set_projects(&scen, "inner.csv");
    ok(&scen);
}

// Item 8: invisible duplicates and control characters.

#[test]
fn nfd_and_nfc_ids_are_duplicates() {
    let tmp = small();
    let nfc = "\u{1ebe}01"; // "Ế01", precomposed
    let nfd = "E\u{302}\u{301}01"; // the same, decomposed
    let projects = read(tmp.path(), "projects.csv").replace("P01,", &format!("{nfc},"));
    let p01 = projects.lines().find(|l| l.starts_with(nfc)).unwrap().to_owned();
    write(tmp.path(), "projects.csv", &format!("{projects}{}\n", p01.replacen(nfc, nfd, 1)));
    // The history names the project in NFD: the same project.
    write(
        tmp.path(),
        "disbursements.csv",
        &read(tmp.path(), "disbursements.csv").replace("P01,", &format!("{nfd},")),
    );
    let text = errors(&refused(tmp.path()));
    assert!(
        text.contains(&format!("duplicate project `{nfc}` with source NSTW: already on line 2")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    // Without the duplicate row, the NFD history matches the NFC project.
    write(tmp.path(), "projects.csv", &projects);
    let l = ok(tmp.path());
    assert!(l.scenario.portfolio.get(nfc, realloc::domain::Source::Nstw).is_some());
}

#[test]
fn zero_width_space_id_is_duplicate() {
    let tmp = small();
    let projects = read(tmp.path(), "projects.csv");
    let p02 = projects.lines().find(|l| l.starts_with("P02,")).unwrap().to_owned();
    write(tmp.path(), "projects.csv", &format!("{projects}{}\n", p02.replacen("P02", "P\u{200b}02", 1)));
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("duplicate project `P02` with source NSTW: already on line 3"), "{text}");
}

#[test]
fn nul_in_name_is_refused() {
    let tmp = small();
    replace_once(tmp.path(), "projects.csv", "Đường tỉnh 241", "Đường tỉnh\u{0}241");
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("projects.csv:2: column `name`: the field holds a NUL character"), "{text}");
    // A tab inside an investor, and a control character in the history's id.
    let tmp = small();
    replace_once(tmp.path(), "projects.csv", "Ban QLDA Nông nghiệp", "Ban QLDA\tNông nghiệp");
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("column `investor`: the field holds a tab character"), "{text}");
    let tmp = small();
    replace_once(tmp.path(), "disbursements.csv", "P01,NSTW,2025-01", "P01\u{7},NSTW,2025-01");
    let text = errors(&refused(tmp.path()));
    assert!(
        text.contains("disbursements.csv:2: column `id`: the field holds an invisible control character"),
        "{text}"
    );
}

#[test]
fn names_differing_only_invisibly_are_one_name_with_a_warning() {
    let tmp = small();
    let projects = read(tmp.path(), "projects.csv");
    let history = read(tmp.path(), "disbursements.csv");
    let p01 = projects.lines().find(|l| l.starts_with("P01,")).unwrap().to_owned();
    let p99: String = history
        .lines()
        .filter(|l| l.starts_with("P01,"))
        .map(|l| l.replacen("P01", "P99", 1) + "\n")
        .collect();
    write(tmp.path(), "disbursements.csv", &format!("{history}{p99}"));
    // The investor with its letters decomposed (NFD) and a doubled space, on a new row P99.
    let nfd = "Ban QLDA  Giao tho\u{302}ng";
    let row = p01.replacen("P01,", "P99,", 1).replacen("Ban QLDA Giao thông", nfd, 1);
    write(tmp.path(), "projects.csv", &format!("{projects}{row}\n"));
    let loaded = ok(tmp.path());
    let p99_row = loaded.scenario.portfolio.rows().iter().find(|p| *p.id == *"P99").unwrap();
    assert_eq!(&*p99_row.investor, "Ban QLDA Giao thông");
    let w = warnings(&loaded);
    assert!(
        w.contains(&format!("projects.csv:14: investor `{nfd}` is written differently on line 2")),
        "{w}"
    );
    assert!(w.contains("both are read as the one investor `Ban QLDA Giao thông`"), "{w}");
    // Names that differ only in case are kept apart, with a warning.
    let row = p01.replacen("P01,", "P99,", 1).replacen("Ban QLDA Giao thông", "Ban QLDA giao thông", 1);
    write(tmp.path(), "projects.csv", &format!("{projects}{row}\n"));
    let loaded = ok(tmp.path());
    let w = warnings(&loaded);
    assert!(
        w.contains(
            "investor `Ban QLDA giao thông` and `Ban QLDA Giao thông` (line 2) differ only in letter case"
        ),
        "{w}"
    );
}

// Item 11: one message for one cause.

#[test]
fn toml_syntax_error_gives_no_false_key_messages() {
    let tmp = small();
    replace_once(tmp.path(), "scenario.toml", "fiscal_year = 2025", "fiscal_year = 2025 x");
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("not valid TOML"), "{text}");
    assert!(!text.contains("`fiscal_year`"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn missing_columns_are_one_message() {
    let tmp = small();
    let projects = read(tmp.path(), "projects.csv");
    let mut lines = projects.lines();
    let header = lines.next().unwrap().replace("plan,disbursed,", "").replace(",locked", "");
    let body: String = lines
        .map(|l| {
            let mut f: Vec<String> = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes())
                .records()
                .next()
                .unwrap()
                .unwrap()
                .iter()
                .map(|s| format!("\"{}\"", s.replace('"', "\"\"")))
                .collect();
            f.remove(19);
            f.remove(12);
            f.remove(11);
            f.join(",") + "\n"
        })
        .collect();
    write(tmp.path(), "projects.csv", &format!("{header}\n{body}"));
    let text = errors(&refused(tmp.path()));
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("missing columns `plan` (or `Kế hoạch vốn năm`), `disbursed` (or `Giải ngân`), `locked` (or `Giữ nguyên`)"), "{text}");
}

// Issue 13: inputs the way a Vietnamese Excel user writes them.

/// The small scenario's projects as a workbook written as Excel writes it: the percentage columns as
/// number cells with a percentage format (62.5% stored as 0.625), the rest as in the CSV.
fn percentage_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let text = std::fs::read_to_string(valid_small().join("projects.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("projects").unwrap();
    let pct = Format::new().set_num_format("0.0%");
    for (r, rec) in reader.records().enumerate() {
        let rec = rec.unwrap();
        for (c, field) in rec.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r > 0 && (c == 14 || c == 15) && !field.is_empty() {
                // What Excel stores for a typed "55%": the fraction, formatted as a percentage.
                let shown: f64 = field.parse().unwrap();
                ws.write_number_with_format(r, c, shown / 100.0, &pct).unwrap();
            } else {
                ws.write_string(r, c, field).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn excel_percentage_cell_is_the_percentage_shown() {
    let csv = ok(&valid_small()).scenario;
    let tmp = small();
    std::fs::write(tmp.path().join("p.xlsx"), percentage_workbook()).unwrap();
    set_projects(tmp.path(), "p.xlsx");
    let xlsx = ok(tmp.path()).scenario;
    assert_same_rows(&csv, &xlsx);
    assert!(xlsx.portfolio.rows().iter().any(|p| p.site_clearance_pct == Some(85.5)));
}

#[test]
fn semicolon_csv_is_read() {
    let csv = ok(&valid_small()).scenario;
    let tmp = small();
    for name in ["projects.csv", "disbursements.csv"] {
        let text = read(tmp.path(), name);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for rec in reader.records() {
            w.write_record(&rec.unwrap()).unwrap();
        }
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(w.into_inner().unwrap());
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    let loaded = ok(tmp.path());
    assert_same_rows(&csv, &loaded.scenario);
    assert_eq!(csv.history, loaded.scenario.history);
    let w = warnings(&loaded);
    assert!(w.contains("projects.csv:1: the fields are separated by ';'"), "{w}");
    // Lines keep their numbers: an error on a data row names its line.
    replace_once(tmp.path(), "projects.csv", "12000.5", "12000,5x");
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("projects.csv:2: column `disbursed`"), "{text}");
}

#[test]
fn header_typo_gets_one_message_with_suggestion() {
    let tmp = small();
    replace_once(tmp.path(), "projects.csv", ",disbursed,", ",disbursd,");
    let e = refused(tmp.path());
    let text = errors(&e);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("unknown column `disbursd`: did you mean `disbursed`?"), "{text}");
    // In a file with Vietnamese headers, the suggestion is the Vietnamese header.
    let tmp = small();
    let vi = realloc_tests::book::PROJECT_HEADER.join(",").replace("Giải ngân", "Giải ngnâ");
    let projects = read(tmp.path(), "projects.csv");
    let body = projects.split_once('\n').unwrap().1;
    write(tmp.path(), "projects.csv", &format!("{vi}\n{body}"));
    let text = errors(&refused(tmp.path()));
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("unknown column `Giải ngnâ`: did you mean `Giải ngân`?"), "{text}");
}

#[test]
fn vietnamese_labels_accepted_for_codes() {
    let csv = ok(&valid_small()).scenario;
    let tmp = small();
    replace_once(
        tmp.path(),
        "projects.csv",
        "NSTW,B,ongoing,true,120000,60000,30000,12000.5,2000,85.5,55,2023,2026,land;contractor,false",
        "NSTW,B,Chuyển tiếp,Có,120000,60000,30000,12000.5,2000,85.5,55,2023,2026,GPMB; Nhà thầu,không",
    );
    assert_same_rows(&csv, &ok(tmp.path()).scenario);
    // The template's lists offer them.
    let book = realloc::template::workbook(realloc::report::Lang::Vi, None).unwrap();
    let sheet = String::from_utf8_lossy(&unzip_part(&book, "xl/worksheets/sheet1.xml")).into_owned();
    assert!(sheet.contains("Chuyển tiếp") && sheet.contains("Có") && sheet.contains("Không"), "{sheet}");
}

fn unzip_part(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = z.by_name(name).unwrap();
    let mut out = Vec::new();
    part.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn uncalculated_formula_is_reported_as_such() {
    let csv = ok(&valid_small()).scenario;
    let plan = realloc_tests::book::project_col("plan");
    let book = scenario_book(
        &csv,
        &Layout::default(),
        &[Edit { sheet: Which::Projects, row: 3, col: plan, cell: Cell::Error("#N/A".into()) }],
    );
    // The formula's saved value removed, as a generator that never calculates writes it.
    let book = rezip(&book, |name, data| {
        if !name.starts_with("xl/worksheets/") {
            return data;
        }
        let xml = String::from_utf8(data).unwrap();
        let Some(start) = xml.find("<f>NA()</f>") else { return xml.into_bytes() };
        let end = start + xml[start..].find("</c>").unwrap();
        format!("{}<f>NA()</f>{}", &xml[..start].replace(" t=\"e\"", ""), &xml[end..]).into_bytes()
    });
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("book.xlsx"), book).unwrap();
    write(tmp.path(), "scenario.toml", &retarget_toml(&valid_small(), "book.xlsx", "book.xlsx"));
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("row 3: column L (`plan`): a formula Excel did not calculate"), "{text}");
    assert!(!text.contains("empty field"), "{text}");
}

#[test]
fn rules_parameter_given_as_a_string_says_what_was_expected() {
    let path = realloc_tests::workspace_root().join("rules/default.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let old = "value = [{ from = \"2020-01-01\", value = 6 }, { from = \"2025-01-01\", value = 6 }]";
    assert_eq!(text.matches(old).count(), 1);
    let text = text.replacen(old, "value = \"6\"", 1);
    let Err(e) = realloc::rules::Rules::parse(&text, "rules.toml") else {
        panic!("a string parameter accepted")
    };
    let e = e.to_string();
    assert!(!e.contains("untagged"), "{e}");
    assert!(e.contains("expected a number (such as 0.3, without quotes)"), "{e}");
}

#[test]
fn workbook_for_projects_and_history_reports_once() {
    let csv = ok(&valid_small()).scenario;
    let plan = realloc_tests::book::project_col("plan");
    let tmp = small_as_workbook(&[]);
    // A damaged workbook: reported once, though both keys name it.
    std::fs::write(tmp.path().join("book.xlsx"), b"PK\x03\x04 not a zip").unwrap();
    let text = errors(&refused(tmp.path()));
    assert_eq!(text.lines().count(), 1, "{text}");
    // A bad cell: reported once too.
    let book = scenario_book(
        &csv,
        &Layout::default(),
        &[Edit { sheet: Which::Projects, row: 3, col: plan, cell: Cell::Text("x".into()) }],
    );
    std::fs::write(tmp.path().join("book.xlsx"), book).unwrap();
    let text = errors(&refused(tmp.path()));
    assert_eq!(text.matches("column L (`plan`)").count(), 1, "{text}");
}

#[test]
fn xlsx_shared_formula_with_a_huge_index_is_read_without_allocating() {
    let csv = ok(&valid_small()).scenario;
    let book = scenario_book(&csv, &Layout::default(), &[]);
    // A shared formula whose index (`si`) is four billion: a reader that expands shared formulas
    // allocates a table that long.
    let book = rezip(&book, |name, data| {
        if name != "xl/worksheets/sheet1.xml" {
            return data;
        }
        let xml = String::from_utf8(data).unwrap();
        let hostile = "<row r=\"900\"><c r=\"A900\"><f t=\"shared\" si=\"4000000000\" ref=\"A900:A901\">NA()</f></c></row>";
        xml.replacen("</sheetData>", &format!("{hostile}</sheetData>"), 1).into_bytes()
    });
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("book.xlsx"), book).unwrap();
    write(tmp.path(), "scenario.toml", &retarget_toml(&valid_small(), "book.xlsx", "book.xlsx"));
    let text = errors(&refused(tmp.path()));
    assert!(text.contains("row 900: column A (`id`): a formula Excel did not calculate"), "{text}");
}
