//! One output rule for every command (issue 13, "Outputs"; issue 15, CLI conventions): the output
//! file's extension chooses the format or the command refuses; the same formats and languages where
//! they make sense; a readable summary on a terminal; one line per file written; one number
//! formatter; sides and locked rows named; the built-in rules exported; completions, man page,
//! `-v`/`-q`, `--message-format json`.

use std::path::{Path, PathBuf};

use realloc::report::{Lang, fmt};
use realloc_tests::{json, run, run_terminal, sample_dir, workspace_root};

/// A small generated scenario (60 rows) in a temporary folder.
fn generated(rows: &str, seed: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("s");
    let d = dir.to_string_lossy().into_owned();
    let (code, _, err) = run(&["generate", "--rows", rows, "--seed", seed, "-o", &d]);
    assert_eq!(code, 0, "{err}");
    (tmp, d)
}

/// The arguments of each command that writes a document, before `-o`.
fn document_commands(scenario: &str, proposal_json: &str) -> Vec<(&'static str, Vec<String>)> {
    let s = scenario.to_owned();
    vec![
        ("propose", vec!["propose".into(), s.clone()]),
        ("report", vec!["report".into(), s.clone()]),
        ("rank", vec!["rank".into(), s.clone()]),
        ("classify", vec!["classify".into(), s.clone()]),
        (
            "sweep",
            vec![
                "sweep".into(),
                s.clone(),
                "--param".into(),
                "min_transfer".into(),
                "--values".into(),
                "100,500".into(),
            ],
        ),
        ("risk", vec!["risk".into(), s.clone(), "--draws".into(), "20".into()]),
        ("compare", vec!["compare".into(), proposal_json.to_owned(), s.clone()]),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// What a file of each format starts with.
fn looks_like(ext: &str, bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    match ext {
        "xlsx" | "docx" => bytes.starts_with(b"PK"),
        "json" => serde_json::from_slice::<serde_json::Value>(bytes).is_ok(),
        "html" => text.starts_with("<!DOCTYPE html>"),
        "md" => text.starts_with("# ") || text.starts_with("| **"),
        "csv" => text.lines().next().is_some_and(|l| l.contains(',')) && !text.starts_with('{'),
        _ => false,
    }
}

/// Item 1: every command follows the extension of `-o` for each format it writes, and refuses an
/// extension it does not write, a file without an extension, and a `--format` that disagrees with
/// the extension, with exit 2, the list of what it writes, and no file.
#[test]
fn every_command_follows_the_extension_or_refuses_with_its_formats() {
    let (_keep, generated) = generated("60", "3");
    let tmp = tempfile::tempdir().expect("temp dir");
    let proposal = tmp.path().join("p.json").to_string_lossy().into_owned();
    let (code, _, err) = run(&["propose", &generated, "-o", &proposal]);
    assert_eq!(code, 0, "{err}");
    for scenario in [sample_dir(), generated.clone()] {
        for (command, args) in document_commands(&scenario, &proposal) {
            let formats: &[&str] = match command {
                "propose" => &["json", "md", "html", "xlsx", "csv", "docx"],
                "risk" | "compare" => &["md", "html", "xlsx", "json"],
                _ => &["md", "html", "xlsx", "json", "csv"],
            };
            if scenario == sample_dir() {
                // The sample runs each format once; the generated scenario the refusals too.
                for ext in formats {
                    let out = tmp.path().join(format!("{command}.{ext}"));
                    let mut a = strs(&args);
                    let o = out.to_string_lossy().into_owned();
                    a.extend(["-o", &o]);
                    let (code, stdout, err) = run(&a);
                    assert_eq!(code, 0, "{command} -o .{ext}: {err}");
                    assert!(stdout.is_empty(), "{command} -o .{ext} printed {stdout}");
                    let bytes = std::fs::read(&out).expect("written");
                    assert!(looks_like(ext, &bytes), "{command} -o .{ext} wrote something else");
                }
                continue;
            }
            for bad in ["x.pdf", "x.docx", "x"] {
                if formats.contains(&bad.trim_start_matches("x.")) {
                    continue;
                }
                let out = tmp.path().join(bad);
                let o = out.to_string_lossy().into_owned();
                let mut a = strs(&args);
                a.extend(["-o", &o]);
                let (code, _, err) = run(&a);
                assert_eq!(code, 2, "{command} -o {bad}: {err}");
                assert!(err.contains(&format!("`realloc {command}` writes .")), "{command} -o {bad}: {err}");
                assert!(!out.exists(), "{command} -o {bad} wrote a file");
            }
            let out = tmp.path().join("y.json");
            let o = out.to_string_lossy().into_owned();
            let mut a = strs(&args);
            a.extend(["-o", &o, "--format", "md"]);
            let (code, _, err) = run(&a);
            assert_eq!(code, 2, "{command}: {err}");
            assert!(err.contains("--format md does not agree with the extension"), "{command}: {err}");
            assert!(!out.exists());
        }
    }
    // The template and the rules follow the same rule.
    let (code, _, err) = run(&["template", "-o", &tmp.path().join("mau.csv").to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains("`realloc template` writes .xlsx"), "{err}");
    let (code, _, err) = run(&["rules", "export", "-o", &tmp.path().join("r.json").to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(err.contains("`realloc rules export` writes .toml"), "{err}");
}

/// Item 2: `classify` takes `--lang`, html and xlsx; `risk`, `compare` and `sweep` write Excel
/// workbooks whose figures are numbers; `validate`, `explain` and `backtest` print numbers in the
/// language's format.
#[test]
fn formats_and_languages_are_the_same_across_commands() {
    let s = sample_dir();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, vi, err) = run(&["classify", &s]);
    assert_eq!(code, 0, "{err}");
    let (code, en, err) = run(&["classify", &s, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(vi.contains("## Theo chủ đầu tư"), "{vi}");
    assert!(en.contains("## By investor"), "{en}");
    assert!(en.contains("6,300,000.005") && vi.contains("6.300.000,005"));
    let html = tmp.path().join("cl.html");
    let (code, _, err) = run(&["classify", &s, "--lang", "en", "-o", &html.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.contains("<html lang=\"en\">") && page.contains("By obstacle group"), "{page}");
    for (command, extra) in [
        ("classify", vec![]),
        ("risk", vec!["--draws", "20"]),
        ("sweep", vec!["--param", "min_transfer", "--values", "100,500"]),
    ] {
        let book = tmp.path().join(format!("{command}.xlsx"));
        let b = book.to_string_lossy().into_owned();
        let mut a = vec![command, s.as_str()];
        a.extend(extra);
        a.extend(["-o", &b]);
        let (code, _, err) = run(&a);
        assert_eq!(code, 0, "{command}: {err}");
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("a workbook");
        let sheets = wb.sheet_names();
        assert!(sheets.len() >= 2, "{command}: {sheets:?}");
        let range = wb.worksheet_range(&sheets[1]).expect("a sheet");
        let numbers = range.rows().flatten().filter(|c| matches!(c, calamine::Data::Float(_))).count();
        assert!(numbers > 0, "{command}: the figures are numbers in the workbook");
    }
    let (code, out, err) = run(&["explain", &s, "7000537", "--source", "NSTW"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("plan") || out.contains("dự báo"), "{out}");
    let forecast = out.lines().find(|l| l.trim_start().starts_with("dự báo")).expect("a forecast line");
    assert!(forecast.contains(',') && forecast.contains("triệu đồng"), "{forecast}");
    assert!(
        !forecast.trim_end_matches(" triệu đồng").split_whitespace().last().unwrap_or("").contains('.')
            || forecast.contains(','),
        "{forecast}"
    );
    let (code, out, err) = run(&["validate", &s]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3.433.500,003"), "{out}");
    assert!(!out.contains("3433500.003"), "{out}");
}

/// Item 3: on a terminal a document without `-o` prints a readable summary fitting 100 columns,
/// Vietnamese numbers, no Markdown escapes, and how to get the whole document; to a pipe the whole
/// document as before.
#[test]
fn on_a_terminal_documents_print_a_summary_that_fits_100_columns() {
    let s = sample_dir();
    let tmp = tempfile::tempdir().expect("temp dir");
    let proposal = tmp.path().join("p.json").to_string_lossy().into_owned();
    let (code, _, err) = run(&["propose", &s, "-o", &proposal]);
    assert_eq!(code, 0, "{err}");
    for (command, args) in document_commands(&s, &proposal) {
        let (code, out, err) = run_terminal(&strs(&args));
        assert_eq!(code, 0, "{command}: {err}");
        for line in out.lines() {
            assert!(
                line.chars().count() <= 100,
                "{command}: a line of {} columns: {line}",
                line.chars().count()
            );
        }
        assert!(!out.contains("\\_") && !out.contains("| ---"), "{command}: Markdown on a terminal:\n{out}");
        assert!(out.contains("-o TỆP"), "{command}: no hint at the whole document:\n{out}");
        assert!(!out.trim_start().starts_with('{'), "{command}: JSON on a terminal");
    }
    let (_, out, _) = run_terminal(&["propose", &s]);
    assert!(out.contains("6.300.000,005"), "{out}");
    assert!(out.len() < 20_000, "a summary, not the document: {} bytes", out.len());
    // To a pipe, and with an explicit --format, the whole document.
    let (_, piped, _) = run(&["propose", &s]);
    assert!(json(&piped)["projects"].as_array().is_some_and(|p| p.len() == 400));
    let (_, md, _) = run_terminal(&["report", &s, "--format", "md"]);
    assert!(md.starts_with("# "), "{md}");
    let (_, forced, _) = run(&["rank", &s, "--summary", "always"]);
    assert!(forced.contains("-o TỆP"), "{forced}");
}

/// Item 4: one line on standard error per file written, in the language, for every command;
/// none with `-q`.
#[test]
fn one_line_per_file_written_unless_quiet() {
    let s = sample_dir();
    let tmp = tempfile::tempdir().expect("temp dir");
    let docx = tmp.path().join("to-trinh.docx").to_string_lossy().into_owned();
    let lp = tmp.path().join("model.lp").to_string_lossy().into_owned();
    let (code, out, err) = run(&["propose", &s, "-o", &docx, "--export-lp", &lp]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let wrote: Vec<&str> = err.lines().filter(|l| l.starts_with("đã ghi ")).collect();
    assert_eq!(wrote.len(), 2, "{err}");
    assert!(wrote.iter().any(|l| l.contains("to-trinh.docx (") && l.ends_with(" KB)")), "{err}");
    let (code, _, err) =
        run(&["classify", &s, "-o", &tmp.path().join("c.md").to_string_lossy(), "--lang", "en"]);
    assert_eq!(code, 0);
    assert!(err.lines().any(|l| l.starts_with("wrote ") && l.contains("c.md (")), "{err}");
    let (code, _, err) = run(&["rank", &s, "-o", &tmp.path().join("r.xlsx").to_string_lossy(), "-q"]);
    assert_eq!(code, 0);
    assert!(err.is_empty(), "-q: {err}");
    let (code, _, err) = run(&["template", "-o", &tmp.path().join("mau.xlsx").to_string_lossy()]);
    assert_eq!(code, 0);
    assert_eq!(err.lines().filter(|l| l.starts_with("đã ghi ")).count(), 1, "{err}");
}

/// Item 5: the same rate is written the same way by `classify` and `rank` (one formatter).
#[test]
fn the_same_rate_rounds_the_same_in_classify_and_rank() {
    let (_keep, dir) = generated("120", "17");
    let (code, cl, err) = run(&["classify", &dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let (code, cl_md, _) = run(&["classify", &dir]);
    assert_eq!(code, 0);
    let (code, rank_md, err) = run(&["rank", &dir, "--commend", "0", "--review", "0"]);
    assert_eq!(code, 0, "{err}");
    let investors = json(&cl)["investors"].as_array().cloned().unwrap_or_default();
    assert!(investors.len() > 3);
    for u in &investors {
        let name = u["name"].as_str().unwrap_or_default();
        // From the amounts: the JSON's `rate` is rounded to four decimals.
        let (d, p) = (u["disbursed_vnd"].as_i64().unwrap_or(0), u["plan_vnd"].as_i64().unwrap_or(1));
        let rate = fmt::percent(d as f64 / p as f64, Lang::Vi);
        for (what, doc) in [("classify", &cl_md), ("rank", &rank_md)] {
            let row = doc
                .lines()
                .find(|l| l.contains(&format!("| {name} |")))
                .unwrap_or_else(|| panic!("{what}: no row for {name}"));
            assert!(row.contains(&format!("| {rate} |")), "{what}: {name} should show {rate}: {row}");
        }
    }
}

/// Item 6: `compare` names its sides by their file or folder names.
#[test]
fn compare_names_its_sides_by_their_files() {
    let (_a, a) = generated("50", "1");
    let (_b, b) = generated("50", "2");
    let tmp = tempfile::tempdir().expect("temp dir");
    let pa = tmp.path().join("phuong-an-1.json").to_string_lossy().into_owned();
    let pb = tmp.path().join("phuong-an-2.json").to_string_lossy().into_owned();
    assert_eq!(run(&["propose", &a, "-o", &pa]).0, 0);
    assert_eq!(run(&["propose", &b, "-o", &pb]).0, 0);
    let (code, md, err) = run(&["compare", &pa, &pb]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("| Chỉ tiêu | phuong-an-1.json | phuong-an-2.json | Chênh lệch (phuong-an-2.json − phuong-an-1.json) |"), "{md}");
    assert!(!md.contains("– A |") && !md.contains("– B |"), "{md}");
    let (_, summary, _) = run_terminal(&["compare", &pa, &pb]);
    assert!(summary.contains("phuong-an-1.json") && summary.contains("phuong-an-2.json"), "{summary}");
}

/// Item 6: a constraint's text is written from its value, not the percentage the rules' name says.
#[test]
fn a_constraints_text_says_the_share_it_holds() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let rules = tmp.path().join("r.toml");
    let edited = realloc::rules::DEFAULT_RULES.replacen(
        "kind = \"locality_loss_share\"\nmax_share = 0.30",
        "kind = \"locality_loss_share\"\nmax_share = 0.2",
        1,
    );
    assert_ne!(edited, realloc::rules::DEFAULT_RULES, "the built-in rules cap localities at 30%");
    std::fs::write(&rules, edited).expect("write");
    let (code, out, err) = run(&["propose", &sample_dir(), "--rules", &rules.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let names: Vec<&str> = doc["constraints"]
        .as_array()
        .expect("constraints")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&"Mỗi xã, phường giảm tối đa 20% kế hoạch vốn của nguồn"), "{names:?}");
    assert!(names.contains(&"Mỗi chủ đầu tư giảm tối đa 30% kế hoạch vốn của nguồn"), "{names:?}");
}

/// Item 7: a locked row's reason (`lock_reason`) is kept and shown wherever the row appears.
#[test]
fn a_locked_rows_reason_is_shown_in_every_output() {
    let s = sample_dir();
    let reason = "giữ nguyên theo chỉ đạo của Chủ tịch UBND tỉnh";
    let (code, out, _) = run(&["propose", &s]);
    assert_eq!(code, 0);
    let doc = json(&out);
    let row = doc["projects"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["id"] == "7000234").cloned())
        .expect("the row");
    assert_eq!(row["locked"], true);
    assert_eq!(row["lock_reason"], reason);
    assert_eq!(row["change_vnd"], 0);
    let (_, summary, _) = run_terminal(&["propose", &s]);
    let flat = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains(reason), "{summary}");
    let (_, md, _) = run(&["classify", &s]);
    assert!(md.contains(reason), "classify: {md}");
    let (_, text, _) = run(&["explain", &s, "7000234"]);
    assert!(text.contains(&format!("giữ nguyên: {reason}")), "{text}");
    let (_, csv, _) = run(&["propose", &s, "--format", "csv"]);
    let line = csv.lines().find(|l| l.starts_with("7000234,")).expect("the row in the CSV");
    assert!(line.ends_with(&format!(",true,{reason}")), "{line}");
    let tmp = tempfile::tempdir().expect("temp dir");
    let book = tmp.path().join("cl.xlsx");
    assert_eq!(run(&["classify", &s, "-o", &book.to_string_lossy()]).0, 0);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("a workbook");
    let locked = wb.worksheet_range("Locked").expect("a Locked sheet");
    assert!(
        locked.rows().flatten().any(|c| matches!(c, calamine::Data::String(t) if t == reason)),
        "the workbook names the reason"
    );
}

/// Item 8: `rules export` writes the built-in rules, which read back; `explain` says when the
/// built-in rules were used.
#[test]
fn the_built_in_rules_export_and_explain_names_them() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("quy-tac.toml");
    let (code, _, err) = run(&["rules", "export", "-o", &path.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&path).expect("rules"), realloc::rules::DEFAULT_RULES);
    let (code, out, err) = run(&["check", &path.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("dùng được"), "{out}");
    let (_, stdout, _) = run(&["rules", "export"]);
    assert_eq!(stdout, realloc::rules::DEFAULT_RULES);
    let s = sample_dir();
    let (_, text, _) = run(&["explain", &s, "7000537", "--source", "NSTW", "--lang", "en"]);
    assert!(text.contains("rules: built-in rules (`realloc rules export` to edit)"), "{text}");
    assert!(!text.contains("rules/default.toml"), "{text}");
    let (_, text, _) =
        run(&["explain", &s, "7000537", "--source", "NSTW", "--rules", &path.to_string_lossy()]);
    assert!(text.contains("quy-tac.toml"), "{text}");
}

/// Item 9: the help of every command and the rules file stand alone (no reference to DOMAIN.md).
#[test]
fn help_and_rules_stand_alone() {
    let commands = [
        "validate",
        "propose",
        "generate",
        "compare",
        "classify",
        "explain",
        "backtest",
        "check",
        "template",
        "report",
        "rank",
        "risk",
        "sweep",
        "rules",
        "completions",
        "man",
    ];
    let (_, top, _) = run(&["--help"]);
    assert!(!top.contains("DOMAIN"), "{top}");
    for c in commands {
        let (code, help, err) = run(&[c, "--help"]);
        assert_eq!(code, 0, "{c}: {err}");
        assert!(!help.contains("DOMAIN"), "{c} --help: {help}");
    }
    assert!(!realloc::rules::DEFAULT_RULES.contains("DOMAIN"));
    let shipped = std::fs::read_to_string(workspace_root().join("rules/default.toml")).unwrap_or_default();
    assert!(!shipped.contains("DOMAIN"));
}

/// Issue 15, item 6: completions, man page, `-v` stage timings, environment variables in
/// `--help`, and `--message-format json` on every command.
#[test]
fn cli_conventions_completions_man_verbose_and_json_messages() {
    let (code, bash, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(bash.contains("realloc") && bash.contains("propose"), "{bash}");
    let (code, zsh, _) = run(&["completions", "zsh"]);
    assert_eq!(code, 0);
    assert!(zsh.starts_with("#compdef realloc"), "{zsh}");
    let (code, man, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH realloc") && man.contains("propose"), "{man}");
    let (_, help, _) = run(&["propose", "--help"]);
    assert!(help.contains("[env: REALLOC_LANG=") && help.contains("[env: REALLOC_RULES="), "{help}");

    let s = sample_dir();
    let tmp = tempfile::tempdir().expect("temp dir");
    let (code, _, err) = run(&["propose", &s, "-v", "-o", &tmp.path().join("p.md").to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    for stage in
        ["load", "rules", "assess", "optimise", "price constraints", "build document", "document", "write"]
    {
        assert!(err.lines().any(|l| l.starts_with(stage) && l.ends_with(" ms")), "-v: no `{stage}`: {err}");
    }

    // A scenario with a bad amount: one JSON object a line with file, line, column, severity.
    let bad = tmp.path().join("bad");
    std::fs::create_dir(&bad).expect("mkdir");
    realloc_tests::copy_dir(Path::new(&s), &bad).expect("copy");
    let projects = bad.join("projects.csv");
    let mut reader = csv::Reader::from_path(&projects).expect("projects");
    let header = reader.headers().expect("header").clone();
    let group = header.iter().position(|h| h == "group").expect("a group column");
    let mut writer = csv::Writer::from_path(bad.join("p2.csv")).expect("write");
    writer.write_record(&header).expect("write");
    for (i, r) in reader.records().enumerate() {
        let r = r.expect("record");
        let mut fields: Vec<String> = r.iter().map(str::to_owned).collect();
        if i == 2 {
            fields[group] = "Z".into();
        }
        writer.write_record(&fields).expect("write");
    }
    writer.flush().expect("flush");
    drop(writer);
    std::fs::rename(bad.join("p2.csv"), &projects).expect("rename");
    let b = bad.to_string_lossy().into_owned();
    for command in [
        vec!["validate", b.as_str()],
        vec!["propose", b.as_str()],
        vec!["classify", b.as_str()],
        vec!["report", b.as_str()],
    ] {
        let mut a = command.clone();
        a.extend(["--message-format", "json"]);
        let (code, _, err) = run(&a);
        assert_eq!(code, 2, "{command:?}: {err}");
        let objects: Vec<serde_json::Value> = err
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{command:?}: not JSON ({e}): {l}")))
            .collect();
        let first =
            objects.iter().find(|o| o["severity"] == "error").unwrap_or_else(|| panic!("{command:?}: {err}"));
        assert!(first["file"].as_str().is_some_and(|f| f.ends_with("projects.csv")), "{command:?}: {err}");
        assert_eq!(first["line"], 4, "{command:?}: {err}");
        assert_eq!(first["column"], "group", "{command:?}: {err}");
    }
    // An error with no position is one object too.
    let (code, _, err) = run(&["rank", &s, "--min-plan", "abc", "--message-format", "json"]);
    assert_eq!(code, 2);
    let v = json(err.trim());
    assert_eq!(v["severity"], "error");
    assert!(v["file"].is_null() && v["message"].as_str().is_some_and(|m| m.contains("--min-plan")), "{v}");
}

/// The outputs of one run are written all or none (`generate` included) into a folder that stays
/// as it was on refusal.
#[test]
fn generate_writes_every_file_or_none() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir: PathBuf = tmp.path().join("g");
    let d = dir.to_string_lossy().into_owned();
    let (code, out, err) = run(&["generate", "--rows", "20", "-o", &d, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("generated 20 rows"), "{err}");
    assert!(err.lines().filter(|l| l.starts_with("wrote ")).count() >= 3, "{err}");
}
