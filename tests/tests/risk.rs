//! The Monte Carlo of `realloc::risk` on the 400-row sample: zero spread gives the point forecast's
//! verdict, more draws narrow the estimate, the same seed gives the same numbers on any thread count,
//! and the `[risk]` section of a rules file is checked with line numbers.

use realloc::load::load_scenario;
use realloc::money::Money;
use realloc::optimize;
use realloc::risk::{RiskOptions, RiskReport, RiskRow, Spread, SpreadSource, risk_rows, simulate};
use realloc::rules::{DEFAULT_RULES, Rules};
use realloc::scenario::Scenario;
use realloc_tests::workspace_root;

fn sample() -> Scenario {
    let dir = workspace_root().join("scenarios/lang-son-2025-q3");
    match load_scenario(&dir) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.diagnostics),
    }
}

/// The sample's rows before and after its proposal, with `spread`.
fn rows(spread: &Spread) -> Vec<RiskRow> {
    let scenario = sample();
    let rules = Rules::builtin();
    let assessment = rules.assess(&scenario);
    let proposal = optimize::propose(&scenario.portfolio, &assessment.model).unwrap();
    risk_rows(&scenario, &assessment, &proposal.changes, &proposal.pipeline, spread)
}

fn run(rows: &[RiskRow], draws: u32, seed: u64, target: f64, correlation: f64) -> RiskReport {
    let opts = RiskOptions { draws, seed, target, correlation };
    simulate(rows, &opts, &|_| {}).unwrap()
}

#[test]
fn zero_spread_gives_the_point_forecasts_verdict() {
    let rows = rows(&Spread::uniform(0.0, 0.3));
    let point = run(&rows, 1, 1, 0.5, 0.3).overall;
    assert!(point.point_rate_after > point.point_rate_before, "the sample's proposal raises the forecast");
    // Targets below, between and above the point rates before and after.
    let between = (point.point_rate_before + point.point_rate_after) / 2.0;
    for (target, before, after) in [
        (point.point_rate_before - 0.01, 1.0, 1.0),
        (between, 0.0, 1.0),
        (point.point_rate_after + 0.01, 0.0, 0.0),
    ] {
        let r = run(&rows, 200, 9, target, 0.3);
        assert_eq!(
            (r.overall.probability_before, r.overall.probability_after),
            (before, after),
            "target {target}"
        );
        assert_eq!(r.overall.std_error_before, 0.0);
        for s in &r.sources {
            let want = |rate: f64| if rate >= target - 1e-12 { 1.0 } else { 0.0 };
            // A pool's probability is 0 or 1 and agrees with its own point rate (up to the rate's rounding).
            assert!(s.probability_before == 0.0 || s.probability_before == 1.0);
            if (s.point_rate_before - target).abs() > 1e-9 {
                assert_eq!(s.probability_before, want(s.point_rate_before), "{:?}", s.source);
                assert_eq!(s.probability_after, want(s.point_rate_after), "{:?}", s.source);
            }
            assert_eq!(s.p05_rate_before, s.p95_rate_before);
        }
        assert_eq!(r.central.expected_before_vnd, r.central.point_before_vnd);
        assert_eq!(r.central.expected_after_vnd, r.central.point_after_vnd);
    }
}

#[test]
fn more_draws_narrow_the_estimate() {
    let rows = rows(&Spread::uniform(0.25, 0.3));
    // A target at the median forecast puts the probability near one half, where sampling error is largest.
    let median = run(&rows, 2_000, 1, 0.5, 0.3).overall.mean_rate_before;
    let spread_of = |draws: u32| -> (f64, f64) {
        let ps: Vec<f64> = (0..12)
            .map(|seed| run(&rows, draws, 100 + seed, median, 0.3).overall.probability_before)
            .collect();
        let m = ps.iter().sum::<f64>() / ps.len() as f64;
        let sd = (ps.iter().map(|p| (p - m) * (p - m)).sum::<f64>() / (ps.len() - 1) as f64).sqrt();
        (m, sd)
    };
    let (m_small, sd_small) = spread_of(50);
    let (m_large, sd_large) = spread_of(1_600);
    assert!(sd_large < sd_small / 2.0, "50 draws: sd {sd_small}, 1600 draws: sd {sd_large}");
    assert!((m_large - 0.5).abs() < 0.1, "mean estimate {m_large} (small: {m_small})");
    let se_small = run(&rows, 50, 1, median, 0.3).overall.std_error_before;
    let se_large = run(&rows, 1_600, 1, median, 0.3).overall.std_error_before;
    assert!(se_large < se_small / 3.0, "reported standard errors {se_small} → {se_large}");
}

#[test]
fn same_seed_same_numbers_on_any_thread_count() {
    let rows = rows(&Spread::uniform(0.2, 0.3));
    let on = |threads: usize, seed: u64| -> RiskReport {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run(&rows, 300, seed, 0.6, 0.3))
    };
    let a = on(1, 42);
    assert_eq!(a, on(4, 42));
    assert_eq!(a, on(2, 42));
    assert_ne!(a, on(2, 43), "another seed gives other numbers");
}

#[test]
fn spread_widens_the_rate_distribution_and_correlation_widens_it_more() {
    let rows = rows(&Spread::uniform(0.3, 0.0));
    let width = |r: &RiskReport| r.overall.p95_rate_before - r.overall.p05_rate_before;
    let independent = run(&rows, 400, 5, 0.6, 0.0);
    let correlated = run(&rows, 400, 5, 0.6, 0.5);
    assert!(width(&independent) > 0.0);
    assert!(
        width(&correlated) > 2.0 * width(&independent),
        "{} vs {}",
        width(&correlated),
        width(&independent)
    );
    // Draws stay within [disbursed, plan]: the rate never exceeds 100% nor falls below the disbursed rate.
    let plan: i64 = rows.iter().map(|r| r.plan.dong()).sum();
    let disbursed: i64 = rows.iter().map(|r| r.disbursed.dong()).sum();
    assert!(correlated.overall.p05_rate_before >= disbursed as f64 / plan as f64 - 1e-12);
    assert!(correlated.overall.p95_rate_before <= 1.0);
}

#[test]
fn the_proposal_lowers_expected_central_capital_at_risk() {
    let spread = Rules::builtin().risk_spread().cloned().unwrap();
    assert_eq!(spread.source, SpreadSource::Rules);
    let rows = rows(&spread);
    let r = run(&rows, 500, 7, 0.95, spread.correlation);
    assert!(r.central.expected_after_vnd < r.central.expected_before_vnd, "{:?}", r.central);
    assert!(r.overall.mean_rate_after > r.overall.mean_rate_before);
    // Money only moves within a pool: the plan of each pool is the same before and after.
    let plan: i64 = rows.iter().map(|r| r.plan.dong()).sum();
    let new_plan: i64 = rows.iter().map(|r| r.new_plan.dong()).sum();
    assert_eq!(plan, new_plan);
    assert_eq!(r.overall.plan_vnd, plan);
}

#[test]
fn calibration_replaces_pace_spreads_by_backtest_errors() {
    let scenario = sample();
    let rules = Rules::builtin();
    let at = Rules::default_backtest_date(scenario.meta.as_of);
    let bt = rules.backtest(&scenario, at).unwrap();
    let spread = rules.risk_spread().unwrap().calibrated(&bt, 5);
    assert_eq!(spread.source, SpreadSource::Backtest { at });
    for line in bt.lines.iter().filter(|l| l.pace != "all") {
        let (_, v) = spread.pace.iter().find(|(id, _)| *id == line.pace).unwrap();
        let want = (std::f64::consts::PI / 2.0).sqrt() * line.mae * line.rows as f64 / line.undisbursed;
        assert!((v - want.min(1.0)).abs() < 1e-9, "{}: {v} vs {want}", line.pace);
        assert!(*v > 0.0 && *v <= 1.0);
    }
}

#[test]
fn bad_options_are_refused_with_their_value() {
    let rows = [RiskRow {
        source: realloc::domain::Source::Nsdp,
        plan: Money::from_dong(10),
        disbursed: Money::ZERO,
        forecast_before: Money::from_dong(5),
        new_plan: Money::from_dong(10),
        forecast_after: Money::from_dong(5),
        share: f64::NAN,
    }];
    let err = |o: RiskOptions| simulate(&rows, &o, &|_| {}).unwrap_err().to_string();
    assert!(err(RiskOptions::new(0, 1, 0.9)).contains("found 0"));
    assert!(err(RiskOptions::new(10, 1, 1.5)).contains("found 1.5"));
    assert!(err(RiskOptions::new(10, 1, f64::NAN)).contains("found NaN"));
    assert!(err(RiskOptions { correlation: 1.0, ..RiskOptions::new(10, 1, 0.9) }).contains("correlation"));
    // A NaN spread is no spread: the draws equal the point forecast.
    let r = simulate(&rows, &RiskOptions::new(10, 1, 0.5), &|_| {}).unwrap();
    assert_eq!(r.overall.probability_before, 1.0);
}

#[test]
fn risk_section_of_a_rules_file_is_checked_with_line_numbers() {
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).map(|i| i + 1).unwrap();
    let cases = [
        ("slow = 0.25", "slowish = 0.25", "`risk.pace.slowish` names no pace class"),
        ("materials = 0.05", "materials = 1.5", "`risk.groups.materials` must be a share"),
        ("correlation = 0.3", "correlation = 1.0", "`risk.correlation` must be from 0 to below 1"),
        ("groups = { site_clearance = 0.1", "groups = { landslide = 0.1", "names no obstacle group"),
    ];
    for (from, to, message) in cases {
        assert!(DEFAULT_RULES.contains(from), "{from}");
        let text = DEFAULT_RULES.replacen(from, to, 1);
        let err = match Rules::parse(&text, "custom.toml") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("`{to}` was accepted"),
        };
        // Inline tables report the line of the table, which is the line of the changed value.
        let line = line_of(&text, to);
        assert!(err.contains(message), "`{to}`: {err}");
        assert!(err.contains(&format!("custom.toml:{line}")), "`{to}` at line {line}: {err}");
    }
    // A rules file without `[risk]` loads; it simply declares no spread.
    let start = DEFAULT_RULES.find("[risk]").unwrap();
    let without = &DEFAULT_RULES[..start];
    assert!(Rules::parse(without, "norisk.toml").unwrap().risk_spread().is_none());
}
