//! End-to-end tests of `classify`, `explain` and `backtest` on the scenario folder
//! `tests/data/rules/scenario` (four rows, monthly history), run in-process through `realloc_cli::run`.
//! They need the scenario loader (`realloc::load::load_scenario`).

use std::path::PathBuf;

use realloc_tests::{json, run, workspace_root};

fn scenario_dir() -> PathBuf {
    workspace_root().join("tests/data/rules/scenario")
}

#[test]
fn classify_groups_rows_with_remedies_in_every_format() {
    let dir = scenario_dir().to_string_lossy().into_owned();
    let (code, out, err) = run(&["classify", &dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["rules"], "default");
    assert_eq!(v["total"]["count"], 4);
    assert_eq!(v["total"]["plan_vnd"], 14_000_000_000_i64);
    let group = |id: &str| v["groups"].as_array().and_then(|g| g.iter().find(|x| x["id"] == id)).cloned();
    let site = group("site_clearance").unwrap_or_default();
    assert_eq!(site["count"], 1);
    assert_eq!(site["disbursed_vnd"], 1_000_000_000_i64);
    assert!(site["remedy"].as_str().unwrap_or("").contains("bàn giao mặt bằng"));
    assert_eq!(group("procedure").unwrap_or_default()["count"], 1);
    assert_eq!(group("none").unwrap_or_default()["count"], 2);
    assert_eq!(v["investors"].as_array().map(Vec::len), Some(4));
    assert_eq!(v["localities"].as_array().map(Vec::len), Some(3));

    let (code, md, err) = run(&["classify", &dir]);
    assert_eq!(code, 0, "{err}");
    assert!(
        md.contains(
            "| Vướng mắc giải phóng mặt bằng, bồi thường, tái định cư | 1 | 10.000,000 | 1.000,000 | 10,0% |"
        ),
        "{md}"
    );
    assert!(md.contains("## Theo chủ đầu tư"), "{md}");

    let (code, csv, err) = run(&["classify", &dir, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(csv.starts_with(
        "section,id,label,count,plan,disbursed,rate,releasable,absorbable,above_average,remedy\n"
    ));
    assert!(csv.contains("\ngroup,site_clearance,"), "{csv}");
    assert!(csv.contains("\nlocality,,Xã Hữu Lũng,2,11000,1600,"), "{csv}");
}

#[test]
fn classify_writes_a_file_with_output_and_refuses_to_overwrite_an_input() {
    let dir = scenario_dir();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let target = tmp.path().join("nhom.md");
    let (code, out, err) = run(&["classify", &dir.to_string_lossy(), "-o", &target.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(std::fs::read_to_string(&target).unwrap_or_default().starts_with("# Phân nhóm"));
    let input = dir.join("projects.csv");
    let before = std::fs::read(&input).unwrap_or_default();
    let (code, _, err) = run(&["classify", &dir.to_string_lossy(), "-o", &input.to_string_lossy()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&input).unwrap_or_default(), before);
}

#[test]
fn explain_shows_every_rule_and_the_values_it_saw() {
    let dir = scenario_dir().to_string_lossy().into_owned();
    let (code, out, err) = run(&["--lang", "en", "explain", &dir, "GT-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("MATCH  site_clearance"), "{out}");
    assert!(out.contains("no     procedure"), "{out}");
    assert!(out.contains("saw obstacles=land"), "{out}");
    assert!(out.contains("MATCH  stalled"), "{out}");
    assert!(out.contains("shadow new_project"), "{out}");
    assert!(
        out.contains(
            "reason      Vướng GPMB, mới bàn giao 30% mặt bằng: dự kiến không giải ngân hết 7.863 triệu đồng"
        ),
        "{out}"
    );
    let (code, out, err) = run(&["explain", &dir, "HT-02", "--source", "NSTW", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["result"]["priority"], 4);
    assert!(
        v["steps"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["id"] == "completed_unfunded" && x["outcome"] == "matched"))
    );

    let (code, _, err) = run(&["--lang", "en", "explain", &dir, "NOPE"]);
    assert_eq!(code, 2);
    assert!(err.contains("no project `NOPE`"), "{err}");
    let (code, _, err) = run(&["--lang", "en", "explain", &dir, "GT-01", "--source", "NSDP"]);
    assert_eq!(code, 2);
    assert!(err.contains("no project `GT-01` with source NSDP"), "{err}");
    let (code, _, err) = run(&["explain", &dir, "GT-01", "--source", "NSXX"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown capital source `NSXX`"), "{err}");
}

#[test]
fn backtest_reports_error_by_pace_class() {
    let dir = scenario_dir().to_string_lossy().into_owned();
    let (code, out, err) = run(&["backtest", &dir, "--at", "2025-06-30", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let lines = v["lines"].as_array().cloned().unwrap_or_default();
    let line = |p: &str| lines.iter().find(|l| l["pace"] == p).cloned().unwrap_or_default();
    assert_eq!(line("all")["rows"], 4);
    // HT-02 at 30 June: 900 of 1000 disbursed, 800 unpaid: forecast 1000 for 30 September, actual 900.
    let fast = line("fast");
    assert_eq!(fast["rows"], 1);
    assert_eq!(fast["forecast"], 1000.0);
    assert_eq!(fast["actual"], 900.0);
    assert_eq!(fast["mae"], 100.0);
    assert_eq!(fast["bias"], 100.0);
    assert_eq!(line("stalled")["rows"], 3);

    let (code, text, err) = run(&["backtest", &dir]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("dự báo chạy lại từ ngày 30/06/2025 đến ngày 30/09/2025"), "{text}");
    assert!(text.contains("stalled          3      13.000,000       1.040,000"), "{text}");
    let (code, text, err) = run(&["backtest", &dir, "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("forecast replayed from 30 June 2025 for 30 September 2025"), "{text}");
    assert!(text.contains("stalled          3      13,000.000       1,040.000"), "{text}");

    let (code, _, err) = run(&["--lang", "en", "backtest", &dir, "--at", "2025-10-31"]);
    assert_eq!(code, 2);
    assert!(err.contains("before the scenario's as_of 2025-09-30 [E946]"), "{err}");
    let (code, _, err) = run(&["backtest", &dir, "--at", "2025-10-31"]);
    assert_eq!(code, 2);
    assert!(err.contains("trước ngày số liệu as_of 2025-09-30 của kịch bản [E946]"), "{err}");
    let (code, _, err) = run(&["backtest", &dir, "--at", "30/06/2025"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected a date YYYY-MM-DD"), "{err}");
}

#[test]
fn the_scenario_rules_key_is_used_unless_rules_is_given() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for f in ["projects.csv", "disbursements.csv"] {
        std::fs::copy(scenario_dir().join(f), tmp.path().join(f)).unwrap_or_else(|e| panic!("{e}"));
    }
    let toml = std::fs::read_to_string(scenario_dir().join("scenario.toml")).unwrap_or_default();
    std::fs::write(tmp.path().join("scenario.toml"), format!("{toml}rules = \"minimal.toml\"\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(workspace_root().join("tests/data/rules/minimal.toml"), tmp.path().join("minimal.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().to_string_lossy().into_owned();
    let (code, out, err) = run(&["classify", &dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["rules"], "minimal");
    let default = workspace_root().join("rules/default.toml");
    let (code, out, err) =
        run(&["classify", &dir, "--format", "json", "--rules", &default.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["rules"], "default");

    std::fs::write(tmp.path().join("minimal.toml"), "name = \"broken\"\n[settings]\nmin_unit = 1\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = run(&["classify", &dir]);
    assert_eq!(code, 2);
    assert!(err.contains("minimal.toml:"), "{err}");
}

#[test]
fn propose_json_carries_each_rows_classification_and_the_rules_identity() {
    let dir = scenario_dir().to_string_lossy().into_owned();
    let (code, out, err) = run(&["propose", &dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["manifest"]["rules"], "default");
    assert_eq!(v["manifest"]["rules_sha256"], realloc::rules::Rules::builtin().sha256());
    let projects = v["projects"].as_array().cloned().unwrap_or_default();
    let gt = projects.iter().find(|p| p["id"] == "GT-01").cloned().unwrap_or_default();
    assert_eq!(gt["groups"], serde_json::json!(["site_clearance"]));
    assert_eq!(gt["priority"], 8);
    assert_eq!(gt["forecast_vnd"], 1_687_500_000_i64);
    assert_eq!(gt["releasable_vnd"], 7_862_500_000_i64);
    assert_eq!(gt["absorbable_vnd"], 0);
    assert!(gt["value_in"].as_f64().is_some_and(|x| x > 0.0) && gt["value_out"].as_f64().is_some());
    let ht = projects.iter().find(|p| p["id"] == "HT-02").cloned().unwrap_or_default();
    assert_eq!(ht["priority"], 4);
    assert!(ht["absorbable_vnd"].as_i64().is_some_and(|x| x > 0), "{ht}");

    let minimal = workspace_root().join("tests/data/rules/minimal.toml");
    let (code, out, err) = run(&["propose", &dir, "--rules", &minimal.to_string_lossy()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["manifest"]["rules"], "minimal");
}

/// Regression: `classify -o` used to leave the scenario's own `rules` file out of the inputs it must
/// never write over.
#[test]
fn classify_never_writes_over_the_scenarios_rules_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    realloc_tests::copy_dir(&scenario_dir(), tmp.path()).expect("copy the scenario");
    let rules = std::fs::read_to_string(workspace_root().join("rules/default.toml")).expect("default rules");
    std::fs::write(tmp.path().join("my-rules.toml"), &rules).expect("write the rules");
    let toml = std::fs::read_to_string(tmp.path().join("scenario.toml")).expect("scenario.toml");
    std::fs::write(tmp.path().join("scenario.toml"), format!("{toml}rules = \"my-rules.toml\"\n"))
        .expect("write scenario.toml");
    let dir = tmp.path().to_string_lossy().into_owned();
    let target = tmp.path().join("my-rules.toml").to_string_lossy().into_owned();
    // Refused before anything is read: classify writes no `.toml`.
    let (code, _, err) = run(&["classify", &dir, "-o", &target]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write") && err.contains("my-rules.toml"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).expect("rules"), rules, "the rules file is untouched");
}
