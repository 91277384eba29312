//! HiGHS as an independent exact check of the built-in solver (issue 15 item 8; only with
//! `cargo test -p realloc-tests --features highs --test highs`, which builds HiGHS).
//!
//! On random instances where `min_transfer` binds (the built-in solver needs its branch and bound),
//! every pool's objective from the built-in solver equals HiGHS's within 1e-6 (relative), or within
//! the gap the built-in solver reports when its search stopped at the node budget. HiGHS's proposal is
//! checked on its own as well: every pool balances and every row moves 0 or at least `min_transfer`.
//! The instances are larger than those of `optimize_exact.rs`, whose MIP runs in pure-Rust microlp.

use realloc::money::Money;
use realloc::optimize::random::{RandomOptions, instance};
use realloc::optimize::{Method, Proposal, propose_with};

/// Relative tolerance between two exact objectives in floating point.
const TOLERANCE: f64 = 1e-6;

/// The random instances: 60 to 400 rows, crossing and nested investor caps, pool caps, ties, and a
/// `min_transfer` from 20 to 500 million VND.
fn instances() -> impl Iterator<Item = RandomOptions> {
    (0u64..48).map(|seed| {
        let mut o = RandomOptions::new(60 + (seed as usize * 37) % 340, 1000 + seed);
        o.pools = 1 + (seed as usize % 4);
        o.localities = 2 + (seed as usize % 5);
        o.investors = 3 + (seed as usize % 7);
        o.nested_investors = seed % 3 != 0;
        o.locked_share = 0.05;
        o.locality_share = [Some(0.3), Some(0.1), None][(seed % 3) as usize];
        o.investor_share = [Some(0.4), None, Some(0.15), Some(0.6)][(seed % 4) as usize];
        o.pool_cap_million = (seed % 5 == 0).then_some(8_000);
        o.value_levels = [0, 3, 5][(seed % 3) as usize];
        o.min_transfer_million = [20, 50, 200, 500][(seed % 4) as usize];
        o
    })
}

/// Every pool balances (Σ changes of its rows and pipeline projects = 0) and every row moves 0 or at
/// least `min_transfer`.
fn check_feasible(p: &Proposal, portfolio: &realloc::domain::Portfolio, min_transfer: Money, what: &str) {
    for (row, change) in p.changes.iter().enumerate() {
        assert!(
            *change == Money::ZERO || change.dong().abs() >= min_transfer.dong(),
            "{what}: row {row} moves {change}, below min_transfer {min_transfer}"
        );
    }
    let mut by_source = std::collections::BTreeMap::<String, i64>::new();
    for (row, change) in p.changes.iter().enumerate() {
        *by_source.entry(portfolio.rows()[row].source.code().to_owned()).or_default() += change.dong();
    }
    let total: i64 = p.changes.iter().chain(&p.pipeline).map(|c| c.dong()).sum();
    assert_eq!(total, 0, "{what}: the proposal does not balance ({by_source:?})");
}

#[test]
fn builtin_objective_equals_highs_where_min_transfer_binds() {
    let mut searched = 0;
    let mut pools = 0;
    for opts in instances() {
        let (portfolio, model) = instance(&opts);
        let what =
            format!("seed {} ({} rows, min_transfer {})", opts.seed, opts.rows, opts.min_transfer_million);
        let ours = propose_with(&portfolio, &model, Method::Auto)
            .unwrap_or_else(|e| panic!("{what}: built-in: {e}"));
        let highs =
            propose_with(&portfolio, &model, Method::Highs).unwrap_or_else(|e| panic!("{what}: HiGHS: {e}"));
        assert!(highs.solver.starts_with("HiGHS"), "{what}: {}", highs.solver);
        check_feasible(&highs, &portfolio, model.settings.min_transfer, &format!("{what}, HiGHS"));
        check_feasible(&ours, &portfolio, model.settings.min_transfer, &format!("{what}, built-in"));
        assert_eq!(ours.pools.len(), highs.pools.len(), "{what}");
        for (a, b) in ours.pools.iter().zip(&highs.pools) {
            assert_eq!(a.key, b.key, "{what}");
            let tolerance = TOLERANCE * a.objective.abs().max(b.objective.abs()).max(1.0);
            // HiGHS proves its optimum: the built-in solver cannot beat it, and may lack at most the
            // gap it reports.
            assert!(
                a.objective <= b.objective + tolerance,
                "{what}, pool {}: built-in {} above HiGHS's optimum {}",
                a.source,
                a.objective,
                b.objective
            );
            assert!(
                b.objective <= a.objective + a.gap + tolerance,
                "{what}, pool {}: HiGHS {} beats the built-in {} by more than its reported gap {}",
                a.source,
                b.objective,
                a.objective,
                a.gap
            );
            pools += 1;
            searched += usize::from(a.method.ends_with("branch and bound"));
        }
        let tolerance = TOLERANCE * ours.objective.abs().max(1.0);
        let gap: f64 = ours.pools.iter().map(|p| p.gap).sum();
        assert!(
            ours.objective <= highs.objective + tolerance,
            "{what}: {} vs {}",
            ours.objective,
            highs.objective
        );
        assert!(
            highs.objective <= ours.objective + gap + tolerance,
            "{what}: {} vs {}",
            ours.objective,
            highs.objective
        );
    }
    // The check means something only where min_transfer made the pools MIPs: at least one such pool
    // per two instances (31 of the 120 pools when written).
    let instances = instances().count();
    assert!(searched * 2 >= instances, "min_transfer bound in only {searched} of {pools} pools");
    eprintln!(
        "{instances} instances, {pools} pools, {searched} solved by branch and bound: all agree with HiGHS"
    );
}

/// `realloc propose --solver highs` on the sample: the manifest names HiGHS and the objective is the
/// built-in solver's.
#[test]
fn cli_solver_highs_on_the_sample() {
    let sample = realloc_tests::sample_dir();
    let run = |solver: &str| -> serde_json::Value {
        let args = ["realloc", "propose", sample.as_str(), "--format", "json", "--solver", solver];
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = realloc_cli::run(args.iter().map(Into::into), &mut out, &mut err);
        assert_eq!(code, 0, "--solver {solver}: {}", String::from_utf8_lossy(&err));
        serde_json::from_slice(&out).unwrap_or_default()
    };
    let (ours, highs) = (run("builtin"), run("highs"));
    let solver = highs["manifest"]["solver"].as_str().unwrap_or_default();
    assert!(solver.starts_with("HiGHS"), "{solver}");
    let (a, b) = (ours["summary"]["objective"].as_f64(), highs["summary"]["objective"].as_f64());
    let (Some(a), Some(b)) = (a, b) else { panic!("no objective: {a:?} {b:?}") };
    assert!((a - b).abs() <= TOLERANCE * a.abs().max(1.0), "built-in {a} vs HiGHS {b}");
}
