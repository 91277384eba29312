//! End-to-end tests of `realloc risk` and `propose --risk` on the 400-row sample, in-process through
//! `realloc_cli::run` (standard error is not a terminal here, so no progress bar may appear).

use realloc_tests::{json, run, sample_dir, workspace_root};

#[test]
fn risk_json_is_deterministic_for_a_seed_and_shows_the_proposal_helps() {
    let dir = sample_dir();
    let args = ["risk", &dir, "--draws", "300", "--seed", "11", "--target", "0.75", "--format", "json"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "no progress bar or warning when piped: {err}");
    let (_, again, _) = run(&args);
    assert_eq!(out, again, "same seed, same bytes");
    let v = json(&out);
    assert_eq!(v["draws"], 300);
    assert_eq!(v["spread_source"]["kind"], "rules");
    let o = &v["overall"];
    let p = |k: &str| o[k].as_f64().unwrap();
    // The sample forecasts 71.2% before and 79.5% after: a 75% target is out of reach before, likely after.
    assert!(p("probability_after") > p("probability_before") + 0.3, "{o}");
    assert!(v["central"]["expected_after_vnd"].as_i64() < v["central"]["expected_before_vnd"].as_i64());
    assert_eq!(v["sources"].as_array().map(Vec::len), Some(8));
    let (_, other, _) =
        run(&["risk", &dir, "--draws", "300", "--seed", "12", "--target", "0.75", "--format", "json"]);
    assert_ne!(out, other);
}

#[test]
fn risk_markdown_in_both_languages_and_calibrated() {
    let dir = sample_dir();
    let (code, vi, err) = run(&["risk", &dir, "--draws", "50"]);
    assert_eq!(code, 0, "{err}");
    assert!(vi.contains("## ĐÁNH GIÁ RỦI RO KHÔNG ĐẠT MỤC TIÊU GIẢI NGÂN"), "{vi}");
    assert!(vi.contains("| **Toàn tỉnh** |"), "{vi}");
    let (code, en, err) = run(&["risk", &dir, "--draws", "50", "--lang", "en", "--calibrate"]);
    assert_eq!(code, 0, "{err}");
    assert!(en.contains("calibrated by a backtest from 30 June 2025"), "{en}");
}

#[test]
fn risk_refuses_bad_options_with_exit_2() {
    let dir = sample_dir();
    for (args, message) in [
        (vec!["--draws", "0"], "draws must be from 1"),
        (vec!["--target", "95"], "found 95"),
        (vec!["--target", "0"], "found 0"),
    ] {
        let mut a = vec!["risk", dir.as_str()];
        a.extend(args.iter().copied());
        let (code, out, err) = run(&a);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(out.is_empty());
    }
    // --calibrate needs a monthly history: the sample without its disbursements.csv.
    let tmp = tempfile::tempdir().unwrap();
    let src = workspace_root().join("scenarios/lang-son-2025-q3");
    for f in ["projects.csv", "pipeline.csv"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    let toml = std::fs::read_to_string(src.join("scenario.toml")).unwrap();
    let toml: String =
        // The monitoring files are not copied either.
        toml.lines()
            .filter(|l| {
                !["disbursements", "treasury", "schedule", "previous_year", "conclusions"].iter().any(|k| l.starts_with(k))
            })
            .map(|l| format!("{l}\n"))
            .collect();
    std::fs::write(tmp.path().join("scenario.toml"), toml).unwrap();
    let (code, _, err) = run(&["risk", &tmp.path().to_string_lossy(), "--calibrate", "--draws", "10"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--calibrate") && err.contains("không có lịch sử giải ngân theo tháng"), "{err}");
    assert!(err.contains("[E945]"), "{err}");
    let (_, _, err) =
        run(&["--lang", "en", "risk", &tmp.path().to_string_lossy(), "--calibrate", "--draws", "10"]);
    assert!(err.contains("--calibrate") && err.contains("no monthly history"), "{err}");
}

#[test]
fn propose_with_risk_adds_the_annex_and_the_json_field_only_when_asked() {
    let dir = sample_dir();
    let (code, plain, err) = run(&["propose", &dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(json(&plain).get("risk").is_none(), "no risk field unless asked for");
    let (code, with, err) =
        run(&["propose", &dir, "--format", "json", "--risk", "--draws", "100", "--target", "0.8"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&with);
    assert_eq!(v["risk"]["draws"], 100);
    assert_eq!(v["risk"]["target"], 0.8);
    // The rest of the contract is unchanged.
    let mut w = v.clone();
    if let Some(o) = w.as_object_mut() {
        o.remove("risk");
    }
    assert_eq!(w, json(&plain));
    let (code, md, err) = run(&["propose", &dir, "--format", "md", "--risk", "--draws", "50"]);
    assert_eq!(code, 0, "{err}");
    // The risk annex is numbered as the appendix after the technical annex (issue 12).
    let roman = ["I", "II", "III", "IV", "V", "VI", "VII"];
    let technical = roman
        .iter()
        .position(|r| md.contains(&format!("# PHỤ LỤC {r}\n\n**THÔNG TIN KỸ THUẬT CỦA PHƯƠNG ÁN**")))
        .expect("the technical annex, numbered");
    let title =
        format!("# PHỤ LỤC {}\n\n**ĐÁNH GIÁ RỦI RO KHÔNG ĐẠT MỤC TIÊU GIẢI NGÂN**", roman[technical + 1]);
    let annex = md.find(&title).expect("annex title");
    let manifest = md.find("## 3. THÔNG TIN TÍNH TOÁN").expect("manifest heading (technical annex)");
    assert!(annex > manifest, "the annex follows the body");
    let (code, html, err) =
        run(&["propose", &dir, "--format", "html", "--risk", "--draws", "50", "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(html.contains("<p class=\"subject\">RISK OF MISSING THE DISBURSEMENT TARGET</p>"), "{html}");
    assert!(!html.contains("ANNEX. RISK"), "numbered as an appendix, not a bare annex");
    let (_, md_plain, _) = run(&["propose", &dir, "--format", "md"]);
    assert!(!md_plain.contains("ĐÁNH GIÁ RỦI RO"));
}
