//! What the optimiser's test files share: the model's definition of a share cap and its pool
//! constraints (balance and caps), written here independently of the library.

use std::collections::BTreeMap;

use good_lp::{Expression, SolverModel, Variable};
use realloc::domain::{Portfolio, Source};
use realloc::model::{Model, SideConstraintKind};

/// Adds, per capital source, the balance row `Σ a = Σ r` and the side constraints of `model` to `m`:
/// loss-share caps per locality or investor (over the plan of every row of the group in the pool)
/// and pool move caps. `r` and `a` are the release and addition columns of each row (units).
pub fn with_pool_constraints<M: SolverModel>(
    mut m: M,
    portfolio: &Portfolio,
    model: &Model,
    r: &[Option<Variable>],
    a: &[Option<Variable>],
    unit: i64,
) -> M {
    for &source in Source::ALL {
        let mut balance = Expression::default();
        let mut released = Expression::default();
        for (i, p) in portfolio.rows().iter().enumerate() {
            if p.source == source {
                if let Some(v) = a[i] {
                    balance.add_mul(1.0, v);
                }
                if let Some(v) = r[i] {
                    balance.add_mul(-1.0, v);
                    released.add_mul(1.0, v);
                }
            }
        }
        m = m.with(balance.eq(0.0));
        for c in &model.constraints {
            match &c.kind {
                SideConstraintKind::LocalityLossShare { max_share }
                | SideConstraintKind::InvestorLossShare { max_share } => {
                    let by_locality = matches!(c.kind, SideConstraintKind::LocalityLossShare { .. });
                    let mut groups: BTreeMap<&str, (i128, Expression, i64)> = BTreeMap::new();
                    for (i, p) in portfolio.rows().iter().enumerate() {
                        if p.source != source {
                            continue;
                        }
                        let key = if by_locality { &*p.locality } else { &*p.investor };
                        let g = groups.entry(key).or_default();
                        g.0 += i128::from(p.plan.dong());
                        if let Some(v) = r[i] {
                            g.1.add_mul(1.0, v);
                            // An investor's offer comes on top of the share, up to the row's bound.
                            let offer = p.extra.requested_change.map_or(0, |c| (-c.dong()).max(0)) / unit;
                            g.2 += offer.min(model.rows[i].releasable.dong() / unit);
                        }
                    }
                    for (_, (plan, e, offered)) in groups {
                        m = m.with(e.leq(share_cap(*max_share, plan, unit) + offered as f64));
                    }
                }
                SideConstraintKind::PoolMoveCap { source: s, max } => {
                    if s.is_none_or(|s| s == source) {
                        m = m.with(released.clone().leq((max.dong() / unit) as f64));
                    }
                }
                _ => unreachable!("no other kind is generated"),
            }
        }
    }
    m
}

/// `⌊share × plan / unit⌋` in whole units, as the model defines caps: a share with at most nine
/// decimals is that decimal (0.3 is 3/10, not the `f64` just below it), any other share is the exact
/// value of its `f64`. Computed with exact rationals in `i128` (no float rounding), always down.
pub fn share_cap(share: f64, plan_dong: i128, unit: i64) -> f64 {
    if share <= 0.0 || plan_dong <= 0 {
        return 0.0;
    }
    let unit = i128::from(unit);
    let nines = (share * 1e9).round();
    if ((share * 1e9) - nines).abs() < 1e-6 {
        return ((nines as i128 * plan_dong) / (1_000_000_000 * unit)) as f64;
    }
    // share = n / 2^k exactly, found by doubling until the value is whole (at most 1074 times).
    let (mut n, mut k) = (share, 0u32);
    while n.fract() != 0.0 {
        n *= 2.0;
        k += 1;
    }
    let scaled = n as i128 * plan_dong;
    let whole = if k >= 127 { 0 } else { scaled >> k };
    (whole / unit) as f64
}
