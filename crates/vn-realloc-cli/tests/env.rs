//! `REALLOC_LANG` and `REALLOC_RULES` give the defaults of `--lang` and `--rules`, and a terminal is
//! told from a pipe: run on the real binary, whose environment and standard output are its own.

use std::path::PathBuf;
use std::process::Command;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/lang-son-2025-q3")
}

fn realloc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_realloc"));
    c.env_remove("REALLOC_LANG").env_remove("REALLOC_RULES");
    c
}

#[test]
fn environment_variables_give_the_language_and_the_rules() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let rules = tmp.path().join("r.toml");
    std::fs::write(&rules, realloc::rules::DEFAULT_RULES).expect("write");
    let out = realloc().arg("validate").arg(sample()).env("REALLOC_LANG", "en").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("6,300,000.005"), "REALLOC_LANG=en: {text}");
    let out = realloc()
        .arg("validate")
        .arg(sample())
        .env("REALLOC_LANG", "en")
        .args(["--lang", "vi"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("6.300.000,005"), "the option wins");
    let out = realloc()
        .arg("explain")
        .arg(sample())
        .args(["7000537", "--source", "NSTW"])
        .env("REALLOC_RULES", &rules)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("r.toml"), "REALLOC_RULES names the rules");
    let out = realloc().arg("validate").arg(sample()).env("REALLOC_LANG", "fr").output().expect("run");
    assert_eq!(out.status.code(), Some(2), "a bad REALLOC_LANG is bad usage");
}

#[test]
fn a_pipe_gets_the_whole_document() {
    // Standard output here is a pipe: the JSON proposal, not the terminal summary.
    let out = realloc().arg("propose").arg(sample()).output().expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on a pipe");
    assert_eq!(v["projects"].as_array().map(Vec::len), Some(400));
}
