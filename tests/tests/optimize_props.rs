//! Property tests of the optimiser on random instances: conservation per pool, bounds, locked rows,
//! side constraints, transfers, determinism, and optimality against an independent LP of the same model.

use std::collections::BTreeMap;

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};
use proptest::prelude::*;
use realloc::domain::{Portfolio, Source};
use realloc::model::{Model, SideConstraintKind};
use realloc::money::DONG_PER_MILLION;
use realloc::optimize::random::{RandomOptions, instance};
use realloc::optimize::{Method, Proposal, propose, propose_with};

/// Small random instances: few pools, localities and investors so that caps bite.
fn options() -> impl Strategy<Value = RandomOptions> {
    (
        (1usize..40, any::<u64>(), 1usize..4, 1usize..5, 1usize..7, any::<bool>()),
        (
            prop::option::of(0.0f64..0.8),
            prop::option::of(0.0f64..0.8),
            prop::option::of(0i64..3000),
            prop::sample::select(vec![0u32, 3, 5]),
        ),
    )
        .prop_map(|((rows, seed, pools, localities, investors, nested), (loc, inv, cap, levels))| {
            let mut o = RandomOptions::new(rows, seed);
            o.pools = pools;
            o.localities = localities;
            o.investors = investors;
            o.nested_investors = nested;
            o.locked_share = 0.15;
            o.locality_share = loc;
            o.investor_share = inv;
            o.pool_cap_million = cap;
            o.value_levels = levels;
            o
        })
}

/// One pool, few localities and investors crossing each other, tight caps: the min-cost flow's case.
fn crossing_caps() -> impl Strategy<Value = RandomOptions> {
    (
        10usize..60,
        any::<u64>(),
        2usize..5,
        2usize..5,
        0.02f64..0.4,
        0.02f64..0.4,
        prop::option::of(0i64..20000),
    )
        .prop_map(|(rows, seed, localities, investors, loc, inv, cap)| {
            let mut o = RandomOptions::new(rows, seed);
            o.pools = 1;
            o.localities = localities;
            o.investors = investors;
            o.nested_investors = false;
            o.locality_share = Some(loc);
            o.investor_share = Some(inv);
            o.pool_cap_million = cap;
            o
        })
}

mod optimize_common;
use optimize_common::with_pool_constraints;

/// The optimum of the model as an LP, built here from the portfolio and the model alone.
fn independent_optimum(portfolio: &Portfolio, model: &Model) -> f64 {
    let unit = model.settings.min_unit.dong();
    let to_million = unit as f64 / DONG_PER_MILLION as f64;
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut r: Vec<Option<Variable>> = Vec::new();
    let mut a: Vec<Option<Variable>> = Vec::new();
    for b in &model.rows {
        let rb = (b.releasable.dong() / unit) as f64;
        let ab = (b.absorbable.dong() / unit) as f64;
        let rv = (rb > 0.0).then(|| vars.add(variable().min(0).max(rb)));
        let av = (ab > 0.0).then(|| vars.add(variable().min(0).max(ab)));
        if let Some(v) = rv {
            objective.add_mul(-b.value_out * to_million, v);
        }
        if let Some(v) = av {
            objective.add_mul(b.value_in * to_million, v);
        }
        r.push(rv);
        a.push(av);
    }
    let mut lp = vars.maximise(objective).using(microlp);
    lp = with_pool_constraints(lp, portfolio, model, &r, &a, unit);
    let solution = lp.solve().expect("the model is always feasible: nothing moving is a solution");
    let value = |v: &Option<Variable>| v.map_or(0.0, |v| solution.value(v));
    model
        .rows
        .iter()
        .enumerate()
        .map(|(i, b)| (b.value_in * value(&a[i]) - b.value_out * value(&r[i])) * to_million)
        .sum()
}

/// Every invariant of DOMAIN.md section 4 that a proposal must keep.
fn check_invariants(portfolio: &Portfolio, model: &Model, p: &Proposal) -> Result<(), TestCaseError> {
    let unit = model.settings.min_unit.dong();
    let rows = portfolio.rows();
    prop_assert_eq!(p.changes.len(), rows.len());
    let mut per_pool = BTreeMap::new();
    for (i, (row, b)) in rows.iter().zip(&model.rows).enumerate() {
        let c = p.changes[i].dong();
        *per_pool.entry(row.source).or_insert(0i64) += c;
        prop_assert_eq!(c % unit, 0, "row {} change {} not whole units", i, c);
        prop_assert!(
            c >= -b.releasable.dong() && c <= b.absorbable.dong(),
            "row {} change {} out of bounds",
            i,
            c
        );
        prop_assert!(c == 0 || c.abs() >= model.settings.min_transfer.dong(), "row {} below min_transfer", i);
        if row.locked {
            prop_assert_eq!(c, 0, "locked row {} changed", i);
        }
    }
    for (source, sum) in &per_pool {
        prop_assert_eq!(*sum, 0, "pool {} does not balance", source);
    }
    for c in &model.constraints {
        let mut groups: BTreeMap<(Source, String), (i128, i128)> = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            let key = match c.kind {
                SideConstraintKind::LocalityLossShare { .. } => row.locality.to_string(),
                SideConstraintKind::InvestorLossShare { .. } => row.investor.to_string(),
                _ => String::new(),
            };
            let g = groups.entry((row.source, key)).or_default();
            g.0 += i128::from(row.plan.dong());
            g.1 += i128::from((-p.changes[i].dong()).max(0));
        }
        for ((source, key), (plan, released)) in groups {
            match c.kind {
                SideConstraintKind::LocalityLossShare { max_share }
                | SideConstraintKind::InvestorLossShare { max_share } => {
                    prop_assert!(
                        released as f64 <= max_share * plan as f64 * (1.0 + 1e-12) + 1e-6,
                        "{} breaks {} in {}: {} of {}",
                        key,
                        c.name,
                        source,
                        released,
                        plan
                    );
                }
                SideConstraintKind::PoolMoveCap { source: s, max } if s.is_none_or(|s| s == source) => {
                    prop_assert!(released <= i128::from(max.dong()), "{} moves more than its cap", source);
                }
                _ => {}
            }
        }
    }
    // Transfers realise the changes exactly, within pools, few of them.
    let mut net = vec![0i64; rows.len()];
    let mut count = BTreeMap::new();
    for t in &p.transfers {
        prop_assert!(t.amount.dong() > 0);
        prop_assert_eq!(rows[t.from].source, t.source);
        prop_assert_eq!(rows[t.to].source, t.source);
        net[t.from] -= t.amount.dong();
        net[t.to] += t.amount.dong();
        *count.entry(t.source).or_insert(0usize) += 1;
    }
    for (i, c) in p.changes.iter().enumerate() {
        prop_assert_eq!(net[i], c.dong(), "transfers do not add up to the change of row {}", i);
    }
    // Every transfer is at least min_transfer, or says why not; a pair of rows meets at most once.
    let min_transfer = model.settings.min_transfer;
    for t in &p.transfers {
        prop_assert_eq!(
            t.amount < min_transfer,
            t.below_min_reason.is_some(),
            "transfer {} → {} of {} against min_transfer {}: reason {:?}",
            t.from,
            t.to,
            t.amount,
            min_transfer,
            t.below_min_reason
        );
    }
    let mut pairs: Vec<(usize, usize)> = p.transfers.iter().map(|t| (t.from, t.to)).collect();
    pairs.sort_unstable();
    let before = pairs.len();
    pairs.dedup();
    prop_assert_eq!(before, pairs.len(), "a pair of rows meets twice");
    // Few transfers: the north-west corner makes at most one fewer than the rows that change; a split
    // that keeps every transfer at least min_transfer may need a cycle, so then only D·R bounds it.
    let unit = model.settings.min_unit;
    for (source, n) in count {
        let ends = rows.iter().zip(&p.changes).filter(|(r, c)| r.source == source && !c.is_zero()).count();
        if min_transfer <= unit {
            prop_assert!(n < ends, "pool {}: {} transfers for {} rows", source, n, ends);
        } else {
            prop_assert!(n <= ends * ends / 4 + 1, "pool {}: {} transfers for {} rows", source, n, ends);
        }
    }
    let objective = realloc::optimize::objective(model, &p.changes, &p.pipeline);
    prop_assert_eq!(objective, p.objective);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn proposals_keep_every_invariant_and_reach_the_lp_optimum(opts in options()) {
        let (portfolio, model) = instance(&opts);
        let p = propose(&portfolio, &model).expect("a random model is valid");
        check_invariants(&portfolio, &model, &p)?;
        let lp = independent_optimum(&portfolio, &model);
        let tol = 1e-6 * (1.0 + lp.abs());
        prop_assert!((p.objective - lp).abs() <= tol, "objective {} vs independent LP {}", p.objective, lp);
        // The same input gives the same proposal, to the byte.
        let again = propose(&portfolio, &model).expect("valid");
        prop_assert_eq!(serde_json::to_string(&p).unwrap(), serde_json::to_string(&again).unwrap());
    }

    #[test]
    fn fast_path_equals_the_general_lp(opts in prop_oneof![options(), crossing_caps()]) {
        let (portfolio, model) = instance(&opts);
        let fast = propose_with(&portfolio, &model, Method::Auto).expect("valid");
        let general = propose_with(&portfolio, &model, Method::GeneralLp).expect("valid");
        check_invariants(&portfolio, &model, &general)?;
        let tol = 1e-6 * (1.0 + general.objective.abs());
        prop_assert!((fast.objective - general.objective).abs() <= tol, "fast {} vs general {}", fast.objective, general.objective);
    }

    #[test]
    fn min_cost_flow_equals_the_general_lp(opts in prop_oneof![options(), crossing_caps()]) {
        let (portfolio, model) = instance(&opts);
        let flow = propose_with(&portfolio, &model, Method::Flow).expect("valid");
        check_invariants(&portfolio, &model, &flow)?;
        prop_assert!(flow.pools.iter().all(|p| p.method == "flow"), "the flow refused a pool");
        let lp = independent_optimum(&portfolio, &model);
        let tol = 1e-6 * (1.0 + lp.abs());
        prop_assert!((flow.objective - lp).abs() <= tol, "flow {} vs independent LP {}", flow.objective, lp);
    }

    #[test]
    fn min_transfer_keeps_invariants_and_never_beats_the_lp(opts in options(), min_transfer in 2i64..60) {
        let mut opts = opts;
        opts.min_transfer_million = min_transfer;
        let (portfolio, model) = instance(&opts);
        let p = propose(&portfolio, &model).expect("valid");
        check_invariants(&portfolio, &model, &p)?;
        let lp = independent_optimum(&portfolio, &model);
        prop_assert!(p.objective <= lp + 1e-6 * (1.0 + lp.abs()), "objective {} above the LP bound {}", p.objective, lp);
    }
}
