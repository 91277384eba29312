//! From the solver's floating-point answer to whole units that keep every bound, every cap and the
//! balance row exactly, and from there to moves of at least `min_transfer`.
//!
//! **Why rounding is almost always a no-op.** Bounds and caps are whole units (floored from đồng), and
//! the constraint matrix of one pool is a network matrix (source → locality → donor → investor → pool
//! → recipient), so the simplex optimum is at an integral vertex. Floats may still carry noise, so the
//! answer is rounded to the nearest unit, clamped to the bounds, cut back where a cap is exceeded (the
//! dearest donors first) and balanced by trimming the larger side (dearest donors, or cheapest
//! recipients, first). Every step only lowers amounts, so none can break a bound or a cap fixed before.
//!
//! **min_transfer.** A greedy or simplex answer can leave a few rows with a move smaller than
//! `min_transfer` (the marginal donor and recipient, donors cut by a cap). [`min_transfer`] drops such a
//! move and takes the same amount back from the other side, dearest first; it repeats until no small
//! move is left. The total moved falls at every step, so it ends, and the result is feasible: the
//! branch and bound of [`super::exact`] uses it as its first incumbent and repairs every node's LP
//! optimum with it.

use super::fast::{donor_order, recipient_order};
use super::problem::{PoolProblem, PoolSolution};

/// Rounds a solver answer (units, as floats, aligned with donors and recipients) to a feasible
/// integer solution (before the `min_transfer` repair).
pub(crate) fn round(p: &PoolProblem, r: &[f64], a: &[f64]) -> PoolSolution {
    let to_unit = |x: f64, cap: i64| -> i64 {
        if x.is_finite() { (x.round().max(0.0).min(cap as f64)) as i64 } else { 0 }
    };
    let mut s = PoolSolution {
        r: p.donors.iter().zip(r).map(|(d, &x)| to_unit(x, d.cap)).collect(),
        a: p.recipients.iter().zip(a).map(|(x, &v)| to_unit(v, x.cap)).collect(),
    };
    let donors = donor_order(p);
    // Caps: release less from the dearest members of any cap exceeded.
    for c in 0..p.caps.len() {
        let mut excess = p.cap_use(c, &s.r) - p.caps[c].limit;
        for &d in donors.iter().rev() {
            if excess <= 0 {
                break;
            }
            if p.caps[c].members.binary_search(&d).is_ok() {
                let x = s.r[d].min(excess);
                s.r[d] -= x;
                excess -= x;
            }
        }
    }
    balance(&donors, &recipient_order(p), &mut s);
    s
}

/// Trims the larger side until Σ r = Σ a: dearest donors or cheapest recipients first.
fn balance(donors: &[usize], recipients: &[usize], s: &mut PoolSolution) {
    let diff = s.r.iter().sum::<i64>() - s.a.iter().sum::<i64>();
    if diff > 0 {
        take_back(donors, &mut s.r, diff);
    } else if diff < 0 {
        take_back(recipients, &mut s.a, -diff);
    }
}

/// Lowers `amounts` by `amount` in total, from the end of `order` (the dearest donors, or the least
/// valuable recipients) backwards.
fn take_back(order: &[usize], amounts: &mut [i64], mut amount: i64) {
    for &k in order.iter().rev() {
        if amount == 0 {
            break;
        }
        let x = amounts[k].min(amount);
        amounts[k] -= x;
        amount -= x;
    }
}

/// Drops every move below `min_units` (see the module docs); returns how many moves were dropped.
pub(crate) fn min_transfer(p: &PoolProblem, s: &mut PoolSolution) -> usize {
    let mut dropped = 0;
    if p.min_units <= 1 {
        return 0;
    }
    let (donors, recipients) = (donor_order(p), recipient_order(p));
    loop {
        let small = |x: i64| x > 0 && x < p.min_units;
        if let Some(d) = s.r.iter().position(|&x| small(x)) {
            let x = s.r[d];
            s.r[d] = 0;
            take_back(&recipients, &mut s.a, x);
        } else if let Some(j) = s.a.iter().position(|&x| small(x)) {
            let x = s.a[j];
            s.a[j] = 0;
            take_back(&donors, &mut s.r, x);
        } else {
            return dropped;
        }
        dropped += 1;
    }
}
