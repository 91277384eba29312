//! Hostile and broken rules files (issue 14, items 4, 5 and 11): arithmetic that is certainly wrong,
//! expressions too deep or too long, and more names than the slots can number are refused when the
//! rules load, with `file:line:column`, the rule and a clear message, never a stack overflow, a silent
//! 0 or a wrong message.

use std::time::{Duration, Instant};

use realloc::rules::Rules;
use realloc_tests::{run, workspace_root};

fn minimal() -> String {
    std::fs::read_to_string(workspace_root().join("tests/data/rules/minimal.toml"))
        .unwrap_or_else(|e| panic!("minimal.toml: {e}"))
}

/// The minimal rules with `[model] value_in` replaced by `expr`, and the line of `value_in`.
fn with_value_in(expr: &str) -> (String, usize) {
    let text = minimal();
    let old = "value_in = \"14 - tier\"";
    assert!(text.contains(old), "minimal.toml has no `{old}`");
    let line = text.lines().position(|l| l == old).map_or(0, |i| i + 1);
    (text.replace(old, &format!("value_in = \"{expr}\"")), line)
}

/// The message of the refusal of `text`, which must happen.
#[track_caller]
fn refused(text: &str) -> String {
    match Rules::parse(text, "hostile.toml") {
        Ok(_) => panic!("the rules loaded"),
        Err(e) => e.to_string(),
    }
}

/// Loads `value_in = expr` within `bound`, refused with `want` at `line:column`.
#[track_caller]
fn value_in_refused(expr: &str, column: usize, want: &str, bound: Duration) {
    let (text, line) = with_value_in(expr);
    let t = Instant::now();
    let shown = refused(&text);
    let took = t.elapsed();
    let at = format!("hostile.toml:{line}:{column}: rule `value_in`: ");
    assert!(shown.contains(&at) && shown.contains(want), "expected `{at}...{want}` in:\n{shown}");
    assert!(took < bound, "took {took:?}");
}

#[test]
fn rules_value_in_divides_by_zero_is_refused() {
    // `value_in = "` is 12 characters: the expression starts at column 13.
    value_in_refused("1/0", 14, "`1/0` divides by zero", Duration::from_secs(5));
    value_in_refused("0/0", 14, "`0/0` divides by zero", Duration::from_secs(5));
    value_in_refused(
        "14 - tier + plan % 0",
        30,
        "`plan % 0` (in `14 - tier + plan % 0`) divides by zero",
        Duration::from_secs(5),
    );
    value_in_refused("plan / (2 - 2)", 18, "`plan / (2 - 2)` divides by zero", Duration::from_secs(5));
}

#[test]
fn rules_value_in_overflows_is_refused() {
    value_in_refused("1e308*10", 18, "`1e308*10` overflows", Duration::from_secs(5));
    value_in_refused(
        "tier + 10 ^ 400",
        23,
        "`10 ^ 400` (in `tier + 10 ^ 400`) overflows",
        Duration::from_secs(5),
    );
    value_in_refused("1e999", 13, "`1e999` overflows", Duration::from_secs(5));
    value_in_refused("tier + (-8) ^ 0.5", 25, "is not a number (NaN)", Duration::from_secs(5));
    // A dead branch is no excuse: the constant is wrong whatever the row.
    value_in_refused("if(false, 1/0, tier)", 24, "divides by zero", Duration::from_secs(5));
    // `ratio` is defined as 0 when its divisor is 0: allowed.
    let (text, _) = with_value_in("14 - tier + ratio(1, 0)");
    assert!(Rules::parse(&text, "ok.toml").is_ok());
}

#[test]
fn rules_check_refuses_a_value_in_that_divides_by_zero() {
    let (text, line) = with_value_in("1/0");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let shown = path.to_string_lossy().into_owned();
    let (code, _, err) = run(&["--lang", "en", "check", &shown]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{shown}:{line}:14: rule `value_in`: `1/0` divides by zero")), "{err}");
    let (_, _, err) = run(&["check", &shown]);
    assert!(
        err.contains(&format!(
            "{shown}, dòng {line}, ký tự thứ 14: quy tắc `value_in`: `1/0` chia cho 0 [E955]"
        )),
        "{err}"
    );
}

#[test]
fn rules_deep_unary_minus_is_refused_quickly() {
    for n in [100, 8_000] {
        let expr = format!("{}tier", "-".repeat(n));
        value_in_refused(&expr, 13 + 64, "nested more than 64 levels", Duration::from_secs(2));
    }
    // Beyond the length limit the text is not even read: 100,000 signs are refused at once.
    let expr = format!("{}tier", "-".repeat(100_000));
    value_in_refused(&expr, 13, "longer than 10000 characters", Duration::from_secs(2));
    // 64 levels are allowed.
    let (text, _) = with_value_in(&format!("{}(14 - tier)", "-".repeat(62)));
    assert!(Rules::parse(&text, "ok.toml").is_ok());
}

#[test]
fn rules_long_sum_is_refused_not_aborted() {
    let sum = vec!["tier"; 10_000].join(" + ");
    value_in_refused(&sum, 13, "longer than 10000 characters", Duration::from_secs(2));
    // Short enough, but 1,000 chained `+` make a tree 999 levels deep.
    let sum = vec!["tier"; 1_000].join("+");
    value_in_refused(&sum, 13 + 5 * 65 - 1, "nested more than 64 levels", Duration::from_secs(2));
    let sum = vec!["tier"; 60].join(" + ");
    let (text, _) = with_value_in(&sum);
    assert!(Rules::parse(&text, "ok.toml").is_ok());
}

#[test]
fn rules_nested_if_is_refused() {
    for n in [70, 700] {
        let expr = format!("{}1{}", "if(true, ".repeat(n), ", 2)".repeat(n));
        value_in_refused(&expr, 13 + 9 * 64, "nested more than 64 levels", Duration::from_secs(2));
    }
    let n = 7_000;
    let expr = format!("{}1{}", "if(true, ".repeat(n), ", 2)".repeat(n));
    value_in_refused(&expr, 13, "longer than 10000 characters", Duration::from_secs(2));
    // Parentheses count as levels too: 5,000 of them are refused without recursing 5,000 times.
    let expr = format!("{}tier{}", "(".repeat(4_990), ")".repeat(4_990));
    value_in_refused(&expr, 13 + 64, "nested more than 64 levels", Duration::from_secs(2));
}

#[test]
fn rules_too_many_metrics_is_a_clear_error() {
    let mut text = minimal();
    for i in 0..70_000 {
        text.push_str(&format!("\n[[metrics]]\nid = \"m{i}\"\nexpr = \"plan\"\n"));
    }
    let shown = refused(&text);
    assert!(
        shown.contains("hostile.toml:1: too many names (at most 65,535"),
        "{}",
        &shown[..shown.len().min(2_000)]
    );
    assert!(shown.contains("this file defines 700"), "{}", &shown[..shown.len().min(2_000)]);
    assert!(!shown.contains("already"), "{}", &shown[..shown.len().min(2_000)]);
    assert!(shown.contains("1 problem(s)"), "{}", &shown[..shown.len().min(2_000)]);
}

#[test]
fn rules_expression_errors_point_at_the_column_through_escapes() {
    // `when = "has_obstacle(\"flood\")"`: the string starts at column 22, after the escaped quote's `\`.
    let text = minimal();
    let (old, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("when = \"has_obstacle(\\\"land\\\")"))
        .map(|(i, l)| (l.to_owned(), i + 1))
        .unwrap_or_else(|| panic!("no has_obstacle(\"land\") in minimal.toml"));
    let bad = old.replacen("\\\"land\\\"", "\\\"flood\\\"", 1);
    let shown = refused(&text.replacen(&old, &bad, 1));
    assert!(shown.contains(&format!("hostile.toml:{line}:22: rule ")), "{shown}");
    assert!(shown.contains("unknown obstacle code `flood`"), "{shown}");
    // A literal string keeps its columns; a multi-line one gives the string's start.
    let (text, line) = with_value_in("x");
    let literal = text.replace("value_in = \"x\"", "value_in = '14 - tierr'");
    assert!(
        refused(&literal).contains(&format!("hostile.toml:{line}:18: rule `value_in`: unknown name `tierr`"))
    );
    let multi = text.replace("value_in = \"x\"", "value_in = \"\"\"14 - tierr\"\"\"");
    assert!(
        refused(&multi).contains(&format!("hostile.toml:{line}:12: rule `value_in`: unknown name `tierr`"))
    );
}

#[test]
fn rules_metric_divided_by_a_zero_column_is_reported_with_the_rule_and_the_row() {
    // `disbursed / plan` cannot be refused when the rules load: it breaks only for a row with plan 0.
    let (text, line) = with_value_in("disbursed / plan");
    let rules = Rules::parse(&text, "hostile.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut zero = realloc_tests::project("NO-PLAN");
    zero.plan = realloc::money::Money::ZERO;
    let s = realloc_tests::scenario("2025-09-30", vec![realloc_tests::project("FINE"), zero]);
    assert_eq!(rules.assess(&s).rows[1].arithmetic_errors, ["value_in"]);
    let shown = match rules.assess_checked(&s) {
        Ok(_) => panic!("an assessment with a division by zero was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        shown.contains(&format!(
            "hostile.toml:{line}: rule `value_in` divides by zero or overflows for project `NO-PLAN` (NSTW)"
        )),
        "{shown}"
    );
    assert!(!shown.contains("FINE"), "{shown}");
    // A condition that hides the broken value (a comparison with infinity) is caught too.
    let (text, _) = with_value_in("if(disbursed / plan > 0.5, 1, 2)");
    let rules = Rules::parse(&text, "hostile.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.assess_checked(&s).is_err());
}

#[test]
fn propose_with_a_row_dividing_by_zero_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (text, _) = with_value_in("14 - tier + disbursed / (plan - plan)");
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, text).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("p.json");
    let (code, _, err) = run(&[
        "--lang",
        "en",
        "propose",
        &realloc_tests::sample_dir(),
        "--rules",
        &rules.to_string_lossy(),
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("divides by zero or overflows for project"), "{err}");
    assert!(!out.exists());
}
