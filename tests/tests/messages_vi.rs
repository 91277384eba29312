//! Messages and terminal output the way a Vietnamese analyst reads them (issue 13): the rules file's
//! errors with their line and column in the language of `--lang` (Vietnamese by default), `explain`'s
//! labels, the `lỗi:` / `cảnh báo:` prefixes, `-v`'s stages, clap's usage errors under
//! `--message-format json`, and `check` writing each warning once.

use std::path::Path;

use realloc_tests::{run, sample_dir};

/// The built-in rules with one metric appended whose expression misspells `plan`; the metric's
/// line in the file and the column of `plann` on it.
fn rules_with_a_typo() -> (String, usize, usize) {
    let mut text = realloc::rules::DEFAULT_RULES.to_owned();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("\n[[metrics]]\nid = \"typo_metric\"\nexpr = \"plann * 2\"\n");
    let line = text.lines().count();
    let column = "expr = \"".chars().count() + 1;
    (text, line, column)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a file");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_rules_error_is_in_vietnamese_by_default_and_in_english_on_request_with_line_and_column() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (text, line, column) = rules_with_a_typo();
    let file = write(tmp.path(), "quy-tac.toml", &text);

    let (code, _, err) = run(&["check", &file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with(&format!("lỗi: {file}: bộ quy tắc có 1 lỗi:")), "{err}");
    let vi = format!(
        "{file}, dòng {line}, ký tự thứ {column}: quy tắc `typo_metric`: không có tên `plann` (không phải trường của dòng, tham số hay chỉ số tính trước quy tắc này) [E953]"
    );
    assert!(err.contains(&vi), "{err}");
    assert!(!err.contains("unknown name"), "{err}");

    let (code, _, err) = run(&["--lang", "en", "check", &file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with(&format!("error: {file}: 1 problem(s) in the rules:")), "{err}");
    let en = format!(
        "{file}:{line}:{column}: rule `typo_metric`: unknown name `plann` (not a row field, parameter or metric computed before this rule) [E953]"
    );
    assert!(err.contains(&en), "{err}");

    // The same message when the rules come to a proposal: the pipeline's errors follow --lang too.
    let (code, _, err) = run(&["propose", &sample_dir(), "--rules", &file]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&vi), "{err}");
    assert!(err.starts_with("lỗi: "), "{err}");
}

#[test]
fn toml_shape_and_reading_errors_of_a_rules_file_follow_the_language() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = write(tmp.path(), "r.toml", "name = \"x\"\nbogus = 1\n");
    let (code, _, err) = run(&["check", &file]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{file}, dòng 2, ký tự thứ 1: khóa `bogus` không có trong tệp quy tắc")),
        "{err}"
    );
    assert!(err.contains("[E940]"), "{err}");
    let (_, _, err) = run(&["--lang", "en", "check", &file]);
    assert!(err.contains(&format!("{file}:2:1: unknown key `bogus`; the keys here are `name`")), "{err}");

    let broken = write(tmp.path(), "s.toml", "name = \"x\"\n[settings\n");
    let (code, _, err) = run(&["check", &broken]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{broken}, dòng 2, ký tự thứ ")), "{err}");
    assert!(err.contains("tệp không đúng cú pháp TOML: ") && err.contains("[E907]"), "{err}");

    // A folder named as the rules file (pipeline::read_bounded).
    let folder = tmp.path().to_string_lossy().into_owned();
    let (code, _, err) = run(&["check", &folder]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("lỗi: {folder}: là một thư mục, không phải tệp quy tắc [E011]")), "{err}");
    let (_, _, err) = run(&["--lang", "en", "check", &folder]);
    assert!(err.contains(&format!("error: {folder}: is a folder, not a rules file [E011]")), "{err}");
}

#[test]
fn explain_labels_follow_the_language_and_numbers_its_format() {
    let s = sample_dir();
    let (code, vi, err) = run(&["explain", &s, "7000537", "--source", "NSTW"]);
    assert_eq!(code, 0, "{err}");
    for label in ["bộ quy tắc: ", "\nsố liệu đầu vào:\n", "\nkết quả:\n", "  dự báo ", "  vai trò ", "[dòng "]
    {
        assert!(vi.contains(label), "`{label}` missing:\n{vi}");
    }
    let forecast = vi.lines().find(|l| l.trim_start().starts_with("dự báo")).expect("a forecast line");
    assert!(forecast.ends_with(" triệu đồng") && forecast.contains(','), "{forecast}");
    for english in ["million VND", "\nresult:", "MATCH  ", "[line ", "\ninputs:"] {
        assert!(!vi.contains(english), "`{english}` in the Vietnamese text:\n{vi}");
    }

    let (code, en, err) = run(&["--lang", "en", "explain", &s, "7000537", "--source", "NSTW"]);
    assert_eq!(code, 0, "{err}");
    for label in ["rules: ", "\ninputs:\n", "\nresult:\n", "  forecast    ", "  role        ", "[line "] {
        assert!(en.contains(label), "`{label}` missing:\n{en}");
    }
    let forecast = en.lines().find(|l| l.trim_start().starts_with("forecast")).expect("a forecast line");
    assert!(forecast.ends_with(" million VND") && forecast.contains('.'), "{forecast}");
    // The same rows and the same steps in both languages: only the words differ.
    assert_eq!(vi.lines().count(), en.lines().count());

    let (code, _, err) = run(&["explain", &s, "NOPE"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("lỗi: không có dự án `NOPE`"), "{err}");
}

#[test]
fn verbose_lists_each_stage_of_the_pipeline() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("p.json");
    let (code, _, err) = run(&["-v", "propose", &sample_dir(), "-o", &out.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    // `STAGE   12.3 ms`, a stage a line.
    let stages: Vec<&str> =
        err.lines().filter_map(|l| l.strip_suffix(" ms")?.rsplit_once(' ').map(|(s, _)| s.trim())).collect();
    assert_eq!(
        stages,
        ["load", "rules", "assess", "optimise", "price constraints", "build document", "write"],
        "{err}"
    );
}

#[test]
fn a_usage_error_is_json_under_message_format_json() {
    for args in
        [&["check", "--bogus", "--message-format", "json"][..], &["--message-format=json", "propose"][..]]
    {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{out}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one JSON object: {err}");
        let v: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["code"], "usage");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty() && !m.starts_with("error:")), "{v}");
        assert!(v["kind"].as_str().is_some_and(|k| !k.is_empty()), "{v}");
    }
    let (_, _, err) = run(&["check", "--bogus", "--message-format", "json"]);
    assert!(err.contains("\"kind\":\"unknown_argument\"") && err.contains("--bogus"), "{err}");
    // Without the option, clap's text as before.
    let (code, _, err) = run(&["check", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: unexpected argument '--bogus'"), "{err}");
}

/// The built-in rules without `[[eligibility]]` and with the pace class `fast` renamed: the
/// built-in eligibility rules that name `fast` do not fit and are left out with a warning.
fn rules_without_eligibility() -> String {
    let mut out = String::new();
    let mut skip = false;
    for line in realloc::rules::DEFAULT_RULES.lines() {
        if line.starts_with('[') {
            skip = line.trim() == "[[eligibility]]";
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.replace("id = \"fast\"", "id = \"quick\"")
        .replace("pace == \\\"fast\\\"", "pace == \\\"quick\\\"")
        .replace(" fast = ", " quick = ")
}

#[test]
fn check_writes_each_warning_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let text = rules_without_eligibility();
    assert!(!text.lines().any(|l| l.trim() == "[[eligibility]]"));
    let ok = write(tmp.path(), "ok.toml", &text);
    let (code, out, err) = run(&["check", &ok]);
    assert_eq!(code, 0, "{out}{err}");
    let all = format!("{out}{err}");
    let fitting = all.matches("[W901]").count();
    assert!(fitting >= 1, "{all}");
    assert_eq!(all.matches("cảnh báo: ").count(), all.lines().filter(|l| l.contains("[W9")).count(), "{all}");
    // Each warning once, with an error beside it, as text and as JSON.
    let broken =
        write(tmp.path(), "bad.toml", &format!("{text}\n[[metrics]]\nid = \"m\"\nexpr = \"plann\"\n"));
    for json in [false, true] {
        let mut args = vec!["check", broken.as_str()];
        if json {
            args.extend(["--message-format", "json"]);
        }
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{out}{err}");
        let all = format!("{out}{err}");
        let lines = |code: &str| all.lines().filter(|l| l.contains(code)).count();
        assert_eq!(lines("W901"), fitting, "json {json}: {all}");
        assert_eq!(lines("E953"), 1, "json {json}: {all}");
    }
}
