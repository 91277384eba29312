//! Progress report and emulation ranking on `tests/data/monitor/hand`, whose figures are computed by
//! hand below (amounts in million VND), then the CLI formats end to end.
//!
//! Rows (plan / disbursed; months Jan–Jun):
//! A1 Ban A, Xã Một, NSTW 1000/600 (100 each month); A2 Ban A, Xã Hai, NSDP 1000/200 (Mar 200);
//! B1 Ban B, Xã Một, NSTW 2000/800 (Jun 800); C1 Ban C, Xã Hai, NSTW 500/250 (Jan–May 50);
//! D1 Ban D, Xã Ba, NSDP 500/100 (Jun 100); E1 Ban E, Xã Ba, NSDP 0/0; F1 Ban F, Toàn tỉnh, NSTW
//! 1000/400 (Jan–Apr 100). Total 6000/2350: average 39.1667%.

use std::path::PathBuf;

use realloc::load::load_scenario;
use realloc::money::Money;
use realloc::monitor::{
    Dimension, Period, ProgressReport, RankBy, RankOptions, Ranking, ReportOptions, Standing,
};
use realloc::report::Lang;
use realloc::rules::Rules;
use realloc::scenario::Scenario;
use realloc_tests::run_cli;

const M: i64 = 1_000_000;

fn hand_dir() -> PathBuf {
    realloc_tests::data_dir().join("monitor").join("hand")
}

fn hand() -> Scenario {
    match load_scenario(&hand_dir()) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.diagnostics),
    }
}

fn report(options: ReportOptions) -> ProgressReport {
    let s = hand();
    let rules = Rules::builtin();
    let a = rules.assess(&s);
    ProgressReport::build(&s, &rules, &a, options)
}

#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

#[test]
fn report_by_source_and_quarter() {
    let r = report(ReportOptions { period: Period::Quarter, ..ReportOptions::default() });
    assert_eq!(
        (r.total.plan_vnd, r.total.disbursed_vnd, r.total.undisbursed_vnd),
        (6000 * M, 2350 * M, 3650 * M)
    );
    close(r.total.rate, 2350.0 / 6000.0);
    close(r.expected_rate, 0.28);
    let labels: Vec<&str> = r.periods.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2025-Q1", "2025-Q2"]);
    assert!(r.periods.iter().all(|p| !p.partial));
    // Q1 = Jan 250 + Feb 250 + Mar 450; Q2 = Apr 250 + May 150 + Jun 1000.
    let q: Vec<(i64, i64)> = r.total.periods.iter().map(|p| (p.disbursed_vnd, p.cumulative_vnd)).collect();
    assert_eq!(q, [(950 * M, 950 * M), (1400 * M, 2350 * M)]);
    close(r.expected_rates[0], 0.10);
    close(r.expected_rates[1], 0.28);
    // By source: NSTW first (A1, B1, C1, F1), then NSDP (A2, D1, E1).
    let s: Vec<(&str, usize, i64, i64, i64, i64)> = r
        .sources
        .iter()
        .map(|b| {
            (
                b.source.code(),
                b.figures.rows,
                b.figures.plan_vnd,
                b.figures.disbursed_vnd,
                b.figures.periods[0].disbursed_vnd,
                b.figures.periods[1].disbursed_vnd,
            )
        })
        .collect();
    assert_eq!(
        s,
        [
            ("NSTW", 4, 4500 * M, 2050 * M, 750 * M, 1300 * M),
            ("NSDP", 3, 1500 * M, 300 * M, 200 * M, 100 * M)
        ]
    );
    assert!(r.sources.iter().all(|b| b.units.is_empty()));
    // Lagging the 28% curve: A2 (20%, short 280 − 200 = 80) and D1 (20%, short 140 − 100 = 40).
    let lag: Vec<(&str, i64, i64)> =
        r.lagging.iter().map(|l| (l.id.as_str(), l.expected_vnd, l.shortfall_vnd)).collect();
    assert_eq!(lag, [("A2", 280 * M, 80 * M), ("D1", 140 * M, 40 * M)]);
}

#[test]
fn report_by_investor_monthly_with_a_lag_margin() {
    let r = report(ReportOptions { period: Period::Month, by: Dimension::Investor, lag_margin: 0.10 });
    assert_eq!(r.periods.len(), 6);
    let monthly: Vec<i64> = r.total.periods.iter().map(|p| p.disbursed_vnd / M).collect();
    assert_eq!(monthly, [250, 250, 450, 250, 150, 1000]);
    let nstw = &r.sources[0];
    let units: Vec<(&str, i64, i64)> = nstw
        .units
        .iter()
        .map(|u| (u.unit.as_str(), u.figures.plan_vnd / M, u.figures.disbursed_vnd / M))
        .collect();
    assert_eq!(
        units,
        [("Ban A", 1000, 600), ("Ban B", 2000, 800), ("Ban C", 500, 250), ("Ban F", 1000, 400)]
    );
    // Ban B's cumulative rate: 0 through May, 40% in June.
    let b: Vec<f64> = nstw.units[1].figures.periods.iter().map(|p| p.rate).collect();
    assert_eq!(b, [0.0, 0.0, 0.0, 0.0, 0.0, 0.4]);
    // With a 10-point margin only rows below 18% lag: none (A2 and D1 are at 20%).
    assert!(r.lagging.is_empty());
}

#[test]
fn ranking_of_investors_with_ties_and_the_previous_month() {
    let r = Ranking::build(&hand(), RankOptions::default());
    close(r.average_rate, 2350.0 / 6000.0);
    // C 50%; A and B 40% with the same plan 2000 (name decides); F 40% with plan 1000; D 20%.
    let order: Vec<(&str, usize, Standing)> =
        r.units.iter().map(|u| (u.unit.as_str(), u.rank, u.standing)).collect();
    assert_eq!(
        order,
        [
            ("Ban C", 1, Standing::Above),
            ("Ban A", 2, Standing::Above),
            ("Ban B", 3, Standing::Above),
            ("Ban F", 4, Standing::Above),
            ("Ban D", 5, Standing::Below),
        ]
    );
    assert_eq!(r.unranked, ["Ban E"]);
    assert_eq!((r.above, r.equal, r.below), (4, 0, 1));
    // End of May: A 700/2000 = 35%, B 0, C 250/500 = 50%, D 0, F 400/1000 = 40%; average 1350/6000.
    let prev = r.previous.as_ref().unwrap();
    assert_eq!(prev.month, 5);
    close(prev.average_rate, 0.225);
    let p: Vec<(&str, usize, i64)> = r
        .units
        .iter()
        .map(|u| (u.unit.as_str(), u.previous.as_ref().unwrap().rank, u.rank_change.unwrap()))
        .collect();
    // Previous order: C, F, A, B (0%, plan 2000), D (0%, plan 500).
    assert_eq!(p, [("Ban C", 1, 0), ("Ban A", 3, 1), ("Ban B", 4, 1), ("Ban F", 2, -2), ("Ban D", 5, 0)]);
    close(r.units[1].rate_change.unwrap(), 0.40 - 0.35);
    close(r.units[2].rate_change.unwrap(), 0.40);
    assert_eq!(r.units[2].previous.as_ref().unwrap().standing, Standing::Below);
    // Commend the top 3 above average; call the one unit below average.
    let commended: Vec<&str> = r.commended().map(|u| u.unit.as_str()).collect();
    assert_eq!(commended, ["Ban C", "Ban A", "Ban B"]);
    let review: Vec<(&str, i64)> =
        r.to_review().iter().map(|u| (u.unit.as_str(), u.undisbursed_vnd / M)).collect();
    assert_eq!(review, [("Ban D", 400)]);
}

#[test]
fn ranking_options_min_plan_quarter_and_localities() {
    let s = hand();
    let opts = RankOptions {
        min_plan: Money::from_dong(1000 * M),
        period: Period::Quarter,
        ..RankOptions::default()
    };
    let r = Ranking::build(&s, opts);
    // Ban C (plan 500) is not commended: A, B and F are.
    let commended: Vec<&str> = r.commended().map(|u| u.unit.as_str()).collect();
    assert_eq!(commended, ["Ban A", "Ban B", "Ban F"]);
    // Previous quarter ends in March: A 500/2000, B 0, C 150/500, D 0, F 300/1000; average 950/6000.
    let prev = r.previous.as_ref().unwrap();
    assert_eq!(prev.month, 3);
    close(prev.average_rate, 950.0 / 6000.0);
    let p: Vec<usize> = r.units.iter().map(|u| u.previous.as_ref().unwrap().rank).collect();
    // Units in current order C, A, B, F, D. Previously C and F tie at 30% and the larger plan (F, 1000)
    // comes first: F 1, C 2, A 3 (25%), B 4 (0%, plan 2000), D 5 (0%, plan 500).
    assert_eq!(p, [2, 3, 4, 1, 5]);

    // A commune is ranked on its own rows only (investor "UBND xã …" or a unit of the commune): the
    // investors here (Ban A–F) are provincial, so no commune has rows of its own, and "Toàn tỉnh"
    // is never a unit (issue 17; `monitor_v2.rs` ranks communes that do).
    let loc = Ranking::build(&s, RankOptions { by: RankBy::Locality, review: 1, ..RankOptions::default() });
    assert!(loc.units.is_empty() && loc.to_review().is_empty(), "{:?}", loc.units);
    assert_eq!((loc.excluded_rows, loc.excluded_plan_vnd), (7, 6000 * M));
    // A year has no previous cut.
    let y = Ranking::build(&s, RankOptions { period: Period::Year, ..RankOptions::default() });
    assert!(y.previous.is_none() && y.units.iter().all(|u| u.rank_change.is_none()));
}

#[test]
fn ranking_is_invariant_under_row_order() {
    let s = hand();
    let mut reversed = s.clone();
    let rows: Vec<_> = s.portfolio.rows().iter().rev().cloned().collect();
    reversed.portfolio = realloc::domain::Portfolio::from_rows(rows).unwrap();
    if let Some(h) = &mut reversed.history {
        h.months.reverse();
    }
    let a = Ranking::build(&s, RankOptions::default());
    let b = Ranking::build(&reversed, RankOptions::default());
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn cli_report_and_rank_in_every_format() {
    let dir = hand_dir();
    let tmp = tempfile::tempdir().unwrap();
    let run = run_cli(["report".as_ref(), dir.as_os_str(), "--period".as_ref(), "quarter".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("| **TỔNG CỘNG** | **7** | **6.000,000** | **2.350,000** | **3.650,000** | **39,2%** | **+11,2 điểm phần trăm** | **15,8%** | **39,2%** |"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("| Quý I/2025 | 950,000 | 950,000 | 15,8% | 10,0% | +5,8 điểm phần trăm |"),
        "{}",
        run.stdout
    );
    let run = run_cli(["rank".as_ref(), dir.as_os_str(), "--lang".as_ref(), "en".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The default minimum plan is the median plan of the units ranked (500, 500, 1000, 2000, 2000):
    // 1,000, so Ban C (first, but a plan of 500) is not proposed; A, B and F are.
    assert!(run.stdout.contains("| 2 | Ban A | 2 | 2,000.000 | 800.000 | 40.0% | +0.8 pp | Above average | 35.0% | +5.0 pp | 3 | Certificate of merit of the Chairman of the Provincial People's Committee (Bằng khen) |"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "| 1 | Ban C | 1 | 500.000 | 250.000 | 50.0% | +10.8 pp | Above average | 50.0% | 0.0 pp | 1 |  |"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("| 5 | Ban D | 1 | 500.000 | 100.000 | 20.0% | -19.2 pp | Below average | 0.0% | +20.0 pp | 5 | Call to the review meeting to answer |"), "{}", run.stdout);
    assert!(run.stdout.contains("Smallest plan for a commendation: **1,000.000 million VND (the median plan of the units ranked; set with --min-plan)**"), "{}", run.stdout);
    // JSON and CSV.
    let run = run_cli(["rank".as_ref(), dir.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["units"][0]["unit"], "Ban C");
    assert_eq!(v["disbursed_vnd"], 2_350_000_000_i64);
    let run = run_cli([
        "report".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--by".as_ref(),
        "locality".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "source,locality,rows,plan_million,disbursed_million,undisbursed_million,rate,gap_to_curve,rate_2025-01,rate_2025-02,rate_2025-03,rate_2025-04,rate_2025-05,rate_2025-06"
    );
    assert!(run.stdout.contains("\nNSTW,Xã Một,2,3000,1400,1600,0.466667,"), "{}", run.stdout);
    // HTML and xlsx files.
    for (cmd, name) in [("report", "r.html"), ("rank", "k.html"), ("report", "r.xlsx"), ("rank", "k.xlsx")] {
        let out = tmp.path().join(name);
        let run = run_cli([cmd.as_ref(), dir.as_os_str(), "-o".as_ref(), out.as_os_str()]);
        assert_eq!(run.code, 0, "{cmd} {name}: {}", run.stderr);
        let bytes = std::fs::read(&out).unwrap();
        if name.ends_with(".html") {
            let html = String::from_utf8(bytes).unwrap();
            assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<table>"));
        } else {
            use calamine::Reader;
            let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
            let names = book.sheet_names();
            assert_eq!(names[0], "Summary");
            let main = book.worksheet_range(&names[1]).unwrap();
            // Amounts are numbers in million VND, exact.
            let want = if cmd == "report" { 2350.0 } else { 800.0 };
            let found = main.rows().any(|r| r.contains(&calamine::Data::Float(want)));
            assert!(found, "{cmd}: no {want} in {}", names[1]);
        }
    }
    // xlsx needs -o; a bad --min-plan is bad input; nothing is written over an input.
    assert_eq!(run_cli(["rank".as_ref(), dir.as_os_str(), "--format".as_ref(), "xlsx".as_ref()]).code, 2);
    assert_eq!(run_cli(["rank".as_ref(), dir.as_os_str(), "--min-plan".as_ref(), "1,5".as_ref()]).code, 2);
    let over = dir.join("projects.csv");
    let run = run_cli([
        "report".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "-o".as_ref(),
        over.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // Markdown in both languages renders without a history too.
    let tmp2 = tempfile::tempdir().unwrap();
    realloc_tests::copy_dir(&dir, tmp2.path()).unwrap();
    let toml = std::fs::read_to_string(tmp2.path().join("scenario.toml")).unwrap();
    std::fs::write(
        tmp2.path().join("scenario.toml"),
        toml.lines().filter(|l| !l.starts_with("disbursements")).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let run = run_cli(["report".as_ref(), tmp2.path().as_os_str(), "--lang".as_ref(), "en".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("none: figures at the as-of date only"));
    let run = run_cli(["rank".as_ref(), tmp2.path().as_os_str(), "--lang".as_ref(), "en".as_ref()]);
    assert!(run.stdout.contains("Previous period: **none"), "{}", run.stdout);
    let _ = Lang::Vi;
}
