//! The fast path: an exact greedy for one pool whose caps form a laminar family.
//!
//! One pool is one balance row `Σ a = Σ r` over bound-only columns, plus caps `Σ r ≤ limit` over groups
//! of donors. When the groups are laminar (any two are disjoint or nested, as the localities of a pool
//! and the pool itself always are), the donors' feasible set is a polymatroid: releasing donors in
//! increasing `value_out`, each as far as its bound and its caps still allow, gives the cheapest way to
//! release *every* total at once (Edmonds' greedy). The recipients, without caps, are cheapest filled in
//! decreasing `value_in`. The value of moving `m` units is then a concave function of `m`, and merging
//! the two sorted lists while the next recipient is worth more than the next donor finds its maximum.
//! All quantities are integers, so the answer is integral: no rounding is needed.
//!
//! Cost: sorting, `O(n log n)` per pool.

use std::cmp::Ordering;

use super::problem::{Cap, PoolProblem, PoolSolution};

/// Donor indices by increasing `value_out`, ties by row.
pub(crate) fn donor_order(p: &PoolProblem) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.donors.len()).collect();
    order.sort_by(|&x, &y| {
        let (dx, dy) = (&p.donors[x], &p.donors[y]);
        dx.value.total_cmp(&dy.value).then(dx.row.cmp(&dy.row))
    });
    order
}

/// Recipient indices by decreasing `value_in`, ties by row.
pub(crate) fn recipient_order(p: &PoolProblem) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.recipients.len()).collect();
    order.sort_by(|&x, &y| {
        let (rx, ry) = (&p.recipients[x], &p.recipients[y]);
        match ry.value.total_cmp(&rx.value) {
            Ordering::Equal => rx.row.cmp(&ry.row),
            o => o,
        }
    });
    order
}

/// The greedy on the caps for which `keep` is true. Exact for the problem restricted to those caps
/// when they are laminar (see the module docs); the caller checks the others.
pub(crate) fn greedy(p: &PoolProblem, keep: impl Fn(&Cap) -> bool) -> PoolSolution {
    let mut s = PoolSolution::zero(p);
    let kept: Vec<bool> = p.caps.iter().map(&keep).collect();
    let mut room: Vec<i64> = p.caps.iter().map(|c| c.limit).collect();
    let donors = donor_order(p);
    let recipients = recipient_order(p);
    let (mut i, mut j) = (0, 0);
    let mut d_left = None::<i64>;
    let mut a_left = None::<i64>;
    while i < donors.len() && j < recipients.len() {
        let (d, r) = (donors[i], recipients[j]);
        // Move only what gains: ties and losses stay put.
        if p.recipients[r].value.total_cmp(&p.donors[d].value) != Ordering::Greater {
            break;
        }
        let dl = *d_left.get_or_insert_with(|| {
            let donor = &p.donors[d];
            donor.caps.iter().filter(|&&c| kept[c]).fold(donor.cap, |m, &c| m.min(room[c])).max(0)
        });
        let al = *a_left.get_or_insert(p.recipients[r].cap);
        if dl == 0 {
            i += 1;
            d_left = None;
            continue;
        }
        if al == 0 {
            j += 1;
            a_left = None;
            continue;
        }
        let x = dl.min(al);
        s.r[d] += x;
        s.a[r] += x;
        for &c in &p.donors[d].caps {
            room[c] -= x;
        }
        d_left = Some(dl - x);
        a_left = Some(al - x);
    }
    s
}

/// How the fast path solved a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FastOutcome {
    /// All caps laminar: the greedy is exact.
    Laminar,
    /// Caps not laminar, but the greedy on a laminar part of them happened to satisfy the rest, so it
    /// is optimal for the whole (an optimum of a relaxation that is feasible).
    Relaxation,
}

/// Solves the pool exactly when the structure allows, or returns `None` (the general LP must do it).
pub(crate) fn solve(p: &PoolProblem) -> Option<(PoolSolution, FastOutcome)> {
    if p.caps_laminar(|_| true) {
        return Some((greedy(p, |_| true), FastOutcome::Laminar));
    }
    use super::problem::CapKind::{Investor, Locality};
    for dropped in [Investor, Locality] {
        let keep = |c: &Cap| c.kind != dropped;
        if !p.caps_laminar(keep) {
            continue;
        }
        let s = greedy(p, keep);
        if (0..p.caps.len()).all(|c| p.cap_use(c, &s.r) <= p.caps[c].limit) {
            return Some((s, FastOutcome::Relaxation));
        }
    }
    None
}
