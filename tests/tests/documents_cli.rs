//! `realloc compare` and the document options of `realloc propose`, run in-process.

use std::path::Path;

use realloc::report::ProposalDocument;
use realloc_tests::{fixture_document, run};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.to_string_lossy().into_owned()
}

/// Side B moves 5,000 million less in NSTW: DA-002 keeps it and DA-004 gets that much less.
fn side_b() -> ProposalDocument {
    let mut b = fixture_document();
    b.scenario = "Phương án B: giữ vốn Kè sông Kỳ Cùng".into();
    for p in &mut b.projects {
        if *p.id == *"DA-002" {
            p.change_vnd += 5_000_000_000;
        }
        if *p.id == *"DA-004" {
            p.change_vnd -= 5_000_000_000;
        }
    }
    b.summary.moved_vnd -= 5_000_000_000;
    b
}

#[test]
fn compare_two_json_proposals_lists_the_rows_whose_change_differs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = write(dir.path(), "a.json", &fixture_document().to_json());
    let b = write(dir.path(), "b.json", &side_b().to_json());
    let (code, out, err) = run(&["compare", &a, &b]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# SO SÁNH HAI PHƯƠNG ÁN"), "{out}");
    assert!(
        out.contains("| Tổng kế hoạch vốn đề nghị điều chuyển | 74.700,000 | 69.700,000 | -5.000,000 |"),
        "{out}"
    );
    assert!(out.contains("| DA-002 – Kè chống sạt lở bờ sông Kỳ Cùng (giai đoạn 2) | NSTW | -20.000,000 | -15.000,000 | +5.000,000 |"), "{out}");
    assert!(out.contains("DA-004"), "{out}");
    // Only the two rows differ.
    let section = out.split("## Các dự án có mức điều chỉnh khác nhau").nth(1).unwrap_or_default();
    assert_eq!(
        section
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Dự án") && !l.starts_with("| ---"))
            .count(),
        2,
        "{out}"
    );
}

#[test]
fn compare_in_english_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = write(dir.path(), "a.json", &fixture_document().to_json());
    let b = write(dir.path(), "b.json", &side_b().to_json());
    let (code, out, err) = run(&["compare", &a, &b, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("| Capital proposed for transfer | 74,700.000 | 69,700.000 | -5,000.000 |"),
        "{out}"
    );
    let (code, out, err) = run(&["compare", &a, &b, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json output");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["rows"][0]["id"], "DA-002");
}

#[test]
fn compare_identical_proposals_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = write(dir.path(), "a.json", &fixture_document().to_json());
    let (code, out, _) = run(&["compare", &a, &a]);
    assert_eq!(code, 0);
    assert!(out.contains("Hai phương án có cùng mức điều chỉnh cho mọi dự án."), "{out}");
}

#[test]
fn a_json_that_is_not_a_proposal_is_bad_input_with_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = write(dir.path(), "a.json", &fixture_document().to_json());
    let cases = [
        ("not-proposal.json", "{\n  \"name\": \"x\"\n}\n", ":3:1: not a proposal: missing field"),
        ("broken.json", "{\n  \"scenario\": \"x\",\n  \"as_of\": 2025-09-30\n}\n", ":3:15: not a proposal"),
        ("empty.json", "", ":1:0: not a proposal"),
    ];
    for (name, text, expected) in cases {
        let b = write(dir.path(), name, text);
        let (code, out, err) = run(&["compare", &a, &b]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(out.is_empty(), "{name}");
        assert!(err.contains(&format!("{name}{expected}")), "{name}: {err}");
    }
    let missing = dir.path().join("missing.json").to_string_lossy().into_owned();
    let (code, _, err) = run(&["compare", &a, &missing]);
    assert_eq!(code, 2);
    assert!(err.contains("không đọc được tệp JSON đề xuất") && err.contains("[E010]"), "{err}");
    let (_, _, err) = run(&["--lang", "en", "compare", &a, &missing]);
    assert!(err.contains("cannot read the JSON proposal"), "{err}");
}

#[test]
fn compare_writes_atomically_and_never_over_an_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = fixture_document().to_json();
    let a = write(dir.path(), "a.json", &json);
    let (code, _, err) = run(&["compare", &a, &a, "-o", &a]);
    assert_eq!(code, 2);
    assert!(err.contains("it is an input of this run"), "{err}");
    assert_eq!(std::fs::read_to_string(&a).expect("a.json"), json, "the input is untouched");
    let report = dir.path().join("so-sanh.md");
    let (code, out, err) = run(&["compare", &a, &a, "-o", &report.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(std::fs::read_to_string(&report).expect("report").starts_with("# SO SÁNH"));
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
}

#[test]
fn propose_refuses_a_workbook_on_standard_output_and_unknown_languages() {
    let (code, _, err) = run(&["propose", "some-folder", "--format", "xlsx"]);
    assert_eq!(code, 2);
    assert!(err.contains("an Excel workbook needs an output file"), "{err}");
    let (code, _, err) = run(&["propose", "some-folder", "--lang", "fr"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'fr'"), "{err}");
    let (code, _, err) = run(&["propose", "some-folder", "--format", "pdf"]);
    assert_eq!(code, 2);
    assert!(err.contains("[possible values: json, md, html, xlsx, csv, docx]"), "{err}");
    let (code, _, err) = run(&["propose", "some-folder", "--format", "docx"]);
    assert_eq!(code, 2);
    assert!(err.contains("a Word document needs an output file"), "{err}");
}

/// `propose -o FILE.docx` writes the whole submission; `--authority` keeps one part, and an unknown
/// authority is bad input.
#[test]
fn propose_writes_a_word_submission_and_one_authority_part() {
    let dir =
        realloc_tests::workspace_root().join("scenarios/lang-son-2025-q3").to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().expect("temp dir");
    let all = tmp.path().join("to-trinh.docx");
    let (code, _, err) = run(&["propose", &dir, "-o", &all.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&all).expect("written");
    assert_eq!(&bytes[..2], b"PK", "a zip package");
    let one = tmp.path().join("hdnd.docx");
    let (code, _, err) =
        run(&["propose", &dir, "-o", &one.to_string_lossy(), "--authority", "hdnd_tinh", "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::metadata(&one).expect("written").len() < bytes.len() as u64);
    let (code, _, err) = run(&["propose", &dir, "-o", &one.to_string_lossy(), "--authority", "quoc_hoi"]);
    assert_eq!(code, 2);
    assert!(err.contains("--authority `quoc_hoi`") && err.contains("ubnd_tinh"), "{err}");
}

/// The JSON written to a file (serialised straight into it, a wave of rows at a time) is byte for byte
/// the JSON printed on standard output.
#[test]
fn json_streamed_to_a_file_is_the_json_on_standard_output() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("p.json");
    let sample = realloc_tests::sample_dir();
    let (code, _, err) = realloc_tests::run(&["propose", &sample, "-o", &file.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) = realloc_tests::run(&["propose", &sample, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
    assert!(written.len() > 10_000);
    assert_eq!(written, stdout);
}
