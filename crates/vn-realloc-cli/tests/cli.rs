//! End-to-end tests of the real `realloc` binary: exit statuses and where messages go.

use std::path::{Path, PathBuf};
use std::process::Command;

fn realloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_realloc"))
}

fn small() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/valid/small")
}

#[test]
fn help_exits_0() {
    let out = realloc().arg("--help").output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("validate"));
}

#[test]
fn validate_on_the_valid_fixture_exits_0() {
    let out = realloc().arg("validate").arg(small()).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("TỔNG              12  265.000,000    82.900,875  31,3%"), "{stdout}");
}

#[test]
fn validate_on_a_bad_scenario_exits_2_with_file_and_line() {
    let tmp = tempfile::tempdir().expect("temp dir");
    for name in ["scenario.toml", "projects.csv", "disbursements.csv"] {
        std::fs::copy(small().join(name), tmp.path().join(name)).expect("copy");
    }
    let projects = tmp.path().join("projects.csv");
    let text =
        std::fs::read_to_string(&projects).expect("read").replace(",15000,13500,0,", ",15000,\"13,5\",0,");
    std::fs::write(&projects, text).expect("write");
    let out = realloc().arg("validate").arg(tmp.path()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // In Vietnamese, the default: file, line, column and the message's code.
    let expected = format!("{}, dòng 3, cột `disbursed`: không nhận dấu phẩy thập phân", projects.display());
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(stderr.contains("[E806]"), "{stderr}");
    assert!(stderr.contains("1 lỗi"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn validate_on_a_missing_folder_exits_2() {
    let out = realloc().args(["validate", "/nonexistent/scenario"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/scenario: không tìm thấy thư mục hay sổ Excel này"), "{stderr}");
    assert!(stderr.contains("[E009]"), "{stderr}");
}
