//! The small hand-written valid scenario loads, and its totals match those computed by hand.

use realloc::domain::Source;
use realloc::load::load_scenario;
use realloc::money::Money;
use realloc_tests::{run_cli, valid_small};

fn m(text: &str) -> Money {
    Money::parse_million(text).expect("a valid amount in the test")
}

#[test]
fn small_scenario_totals_match_the_hand_computation() {
    let loaded = load_scenario(&valid_small()).expect("the small scenario is valid");
    assert!(loaded.warnings.is_empty(), "{}", loaded.warnings);
    let s = loaded.scenario;
    assert_eq!(s.meta.fiscal_year, 2025);
    assert_eq!(s.portfolio.len(), 12);
    assert_eq!(s.portfolio.sources().len(), 7);
    // By hand: NSTW P01 30000/12000.5, P02 15000/13500, P03 500/0, P05 20000/9000.25.
    let by = |src: Source| {
        let rows: Vec<_> = s.portfolio.rows().iter().filter(|p| p.source == src).collect();
        (
            rows.len(),
            rows.iter().map(|p| p.plan).sum::<Money>(),
            rows.iter().map(|p| p.disbursed).sum::<Money>(),
        )
    };
    assert_eq!(by(Source::Nstw), (4, m("65500"), m("34500.75")));
    assert_eq!(by(Source::NstwOda), (1, m("150000"), m("30000")));
    assert_eq!(by(Source::CtmtqgNtm), (2, m("8000"), m("3200")));
    assert_eq!(by(Source::CtmtqgGnbv), (1, m("1500"), m("600")));
    assert_eq!(by(Source::CtmtqgDtts), (0, Money::ZERO, Money::ZERO));
    assert_eq!(by(Source::Nsdp), (2, m("11000"), m("9100.125")));
    assert_eq!(by(Source::NsdpTsdd), (1, m("25000"), m("2500")));
    assert_eq!(by(Source::Xskt), (1, m("4000"), m("3000")));
    let plan: Money = s.portfolio.rows().iter().map(|p| p.plan).sum();
    let disbursed: Money = s.portfolio.rows().iter().map(|p| p.disbursed).sum();
    assert_eq!((plan, disbursed), (m("265000"), m("82900.875")));

    // The multi-source project, the locked row, a quoted name with a comma and one with quotes.
    assert_eq!(s.portfolio.rows_of("P05").count(), 2);
    assert!(s.portfolio.get("P04", Source::NstwOda).is_some_and(|p| p.locked));
    assert_eq!(s.portfolio.rows().iter().filter(|p| p.locked).count(), 1);
    assert_eq!(&*s.portfolio.rows()[0].name, "Đường tỉnh 241, đoạn Km0-Km12");
    assert_eq!(&*s.portfolio.rows()[1].name, "Kè chống sạt lở \"bờ sông Kỳ Cùng\"");
    assert_eq!(s.portfolio.rows()[1].site_clearance_pct, None);
    assert_eq!(s.portfolio.rows()[3].obstacles.to_codes(), "oda_agreement;counterpart");

    // The history: P01 disbursed 1200.5 in April, cumulative 12000.5 by September.
    let h = s.history.expect("the scenario has a history");
    let p01 = s.portfolio.position("P01", Source::Nstw).expect("P01 is there");
    assert_eq!(h.months[p01][3], m("1200.5"));
    assert_eq!(h.cumulative(p01, 9), m("12000.5"));
    assert_eq!(h.cumulative(p01, 3), m("1500"));

    // One digest per file read, in order.
    let files: Vec<_> = s.inputs.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["scenario.toml", "projects.csv", "disbursements.csv"]);
    assert!(s.inputs.iter().all(|d| d.sha256.len() == 64));
}

#[test]
fn validate_prints_the_summary_table() {
    let run = run_cli([std::ffi::OsString::from("validate"), valid_small().into_os_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "số dòng        12",
        "số nguồn       7",
        "NSTW               4   65.500,000    34.500,750  52,7%",
        "NSDP               2   11.000,000     9.100,125  82,7%",
        "TỔNG              12  265.000,000    82.900,875  31,3%",
    ] {
        assert!(run.stdout.contains(line), "`{line}` not in:\n{}", run.stdout);
    }
    let run = run_cli(["validate".into(), valid_small().into_os_string(), "--lang".into(), "en".into()]);
    for line in [
        "rows       12",
        "pools      7",
        "NSTW            4   65,500.000  34,500.750  52.7%",
        "TOTAL          12  265,000.000  82,900.875  31.3%",
    ] {
        assert!(run.stdout.contains(line), "`{line}` not in:\n{}", run.stdout);
    }
}

#[test]
fn validate_json_reports_exact_dong() {
    let run = run_cli(["validate".into(), valid_small().into_os_string(), "--format".into(), "json".into()]
        as [std::ffi::OsString; 4]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(v["ok"], true);
    assert_eq!(v["summary"]["total"]["plan_vnd"], 265_000_000_000_i64);
    assert_eq!(v["summary"]["total"]["disbursed_vnd"], 82_900_875_000_i64);
    assert_eq!(v["summary"]["pools"], 7);
}
