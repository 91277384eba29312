//! Rules files: every bad file under `tests/data/rules/bad/` is refused with the `file:line[:column]` and
//! message its first line expects (`# expect: LINE[:COLUMN]: text`; expression errors have a column);
//! every file under `tests/data/rules/lint/` loads and lints with the warning its first line expects
//! (`# warn: text`); `realloc check` and `--rules` exit 2 on a broken file, naming the file and the line.

use std::path::{Path, PathBuf};

use realloc::rules::{DEFAULT_RULES, Rules};
use realloc_tests::{run, workspace_root};

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(workspace_root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

fn header(text: &str, tag: &str) -> String {
    text.lines().next().and_then(|l| l.strip_prefix(tag)).map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What is wrong with one bad file's handling, if anything.
fn check_bad(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let want = header(&text, "# expect:");
    let file = name(path);
    if want.is_empty() {
        return Some(format!("{file}: no `# expect:` line"));
    }
    match Rules::parse(&text, &file) {
        Ok(_) => Some(format!("{file}: loaded, expected `{want}`")),
        Err(e) => {
            let shown = e.to_string();
            let want = format!("{file}:{want}");
            (!shown.contains(&want)).then(|| format!("{file}: expected `{want}` in:\n{shown}"))
        }
    }
}

#[test]
fn bad_rules_files_are_refused_with_file_line_and_rule() {
    let bad = files("tests/data/rules/bad");
    assert!(bad.len() >= 12, "only {} bad files", bad.len());
    let failures: Vec<String> = bad.iter().filter_map(|p| check_bad(p)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn lint_finds_what_each_case_expects() {
    let cases = files("tests/data/rules/lint");
    assert!(cases.len() >= 6);
    let mut failures = Vec::new();
    for p in &cases {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let want = header(&text, "# warn:");
        let file = name(p);
        let d = Rules::check(&text, &file);
        let shown = d.to_string();
        if d.has_errors() || want.is_empty() || !shown.contains(&want) {
            failures.push(format!("{file}: expected warning `{want}` in:\n{shown}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_minimal_and_the_default_rules_lint_clean() {
    let text =
        std::fs::read_to_string(workspace_root().join("tests/data/rules/minimal.toml")).unwrap_or_default();
    let d = Rules::check(&text, "minimal.toml");
    assert_eq!(d.iter().count(), 0, "{d}");
    // Every tier is reachable since version 2 (`category`), so the default rules lint clean.
    let d = Rules::check(DEFAULT_RULES, "default.toml");
    assert_eq!(d.iter().count(), 0, "{d}");
}

#[test]
fn version_1_rules_without_eligibility_take_the_built_in_rules_that_fit_with_warnings() {
    let text =
        std::fs::read_to_string(workspace_root().join("tests/data/rules/minimal.toml")).unwrap_or_default();
    let v1 = text.replace("\neligibility = []\n", "\n");
    assert_ne!(v1, text);
    let d = Rules::check(&v1, "v1.toml");
    assert!(!d.has_errors(), "{d}");
    let warnings: Vec<String> = d.iter().map(|x| x.message.clone()).collect();
    // The minimal file's pace classes are `slow` and `ok`: the built-in rules naming `fast` or
    // `stalled` are left out, the others apply.
    assert!(!warnings.is_empty() && warnings.iter().all(|w| w.contains("is left out")), "{d}");
    let rules = Rules::parse(&v1, "v1.toml").unwrap_or_else(|e| panic!("{e}"));
    // `land_not_handed_over` reads only row fields, so it applies: a row the file's model would let
    // receive gets nothing while its site is not handed over.
    let mut p = realloc_tests::project("L");
    p.disbursed = realloc_tests::million("900");
    p.obstacles = [realloc::domain::Obstacle::Land].into_iter().collect();
    p.site_clearance_pct = Some(60.0);
    let s = realloc_tests::scenario("2025-09-30", vec![p.clone()]);
    let a = rules.assess(&s);
    assert_eq!(a.rows[0].bounds.absorbable, realloc::money::Money::ZERO);
    assert!(a.rows[0].kept_out.iter().any(|k| &**k == "land_not_handed_over"), "{:?}", a.rows[0].kept_out);
    p.site_clearance_pct = Some(100.0);
    let a = rules.assess(&realloc_tests::scenario("2025-09-30", vec![p]));
    assert!(a.rows[0].bounds.absorbable > realloc::money::Money::ZERO);
}

#[test]
fn the_shipped_rules_file_is_the_built_in_one() {
    let text = std::fs::read_to_string(workspace_root().join("rules/default.toml")).unwrap_or_default();
    assert_eq!(text, DEFAULT_RULES);
    assert_eq!(Rules::builtin().sha256().len(), 64);
    assert_ne!(
        Rules::builtin().sha256(),
        Rules::parse(&format!("{text}\n"), "x").map(|r| r.sha256().to_owned()).unwrap_or_default()
    );
}

#[test]
fn check_command_accepts_the_default_rules_clean() {
    let path = workspace_root().join("rules/default.toml");
    let (code, out, err) = run(&["--lang", "en", "check", &path.to_string_lossy()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("rules `default` ok"), "{out}");
    assert!(out.contains("0 warning(s)"), "{out}");
    let (code, out, _) = run(&["check", &path.to_string_lossy(), "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    assert_eq!(v["ok"], true);
    assert_eq!(v["name"], "default");
}

#[test]
fn check_command_exits_2_naming_file_and_line() {
    let path = workspace_root().join("tests/data/rules/bad/unknown_name.toml");
    let shown = path.to_string_lossy().into_owned();
    let (code, _, err) = run(&["--lang", "en", "check", &shown]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{shown}:23:9: rule `slow`: unknown name `disbursed_rate`")), "{err}");
    let (code, _, err) = run(&["--lang", "en", "check", "/nonexistent/rules.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/rules.toml: cannot read the rules file"), "{err}");
}

#[test]
fn a_broken_rules_file_is_refused_by_every_classifying_command() {
    let path = workspace_root().join("tests/data/rules/bad/type_error.toml");
    let shown = path.to_string_lossy().into_owned();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let scenario = dir.path().to_string_lossy().into_owned();
    for cmd in [
        vec!["--lang", "en", "classify", &scenario, "--rules", &shown],
        vec!["--lang", "en", "explain", &scenario, "P1", "--rules", &shown],
        vec!["--lang", "en", "backtest", &scenario, "--rules", &shown],
    ] {
        let (code, out, err) = run(&cmd);
        assert_eq!(code, 2, "{cmd:?}: {err}");
        assert!(out.is_empty(), "{cmd:?} wrote {out}");
        assert!(err.contains(&format!("{shown}:117:18: rule `value_in`")), "{cmd:?}: {err}");
    }
}
