//! The exact answer when `min_transfer` binds: a branch and bound over the semi-continuous model of one
//! pool, with the exact LP methods ([`super::fast`], [`super::flow`], [`super::lp`]) as its relaxation.
//!
//! **The model.** With `m = min_units > 1`, every move is semi-continuous: `r_d ∈ {0} ∪ [m, r̄_d]`,
//! `a_j ∈ {0} ∪ [m, ā_j]`, with the pool's caps and its balance `Σ a = Σ r`. Dropping the
//! semi-continuity leaves the LP the exact methods solve; its optimum is an upper bound.
//!
//! **A node** fixes some rows to `0` (the row is left out) or to `≥ m`. A row fixed to `≥ m` is
//! *pre-moved*: it releases (or absorbs) `m` at once, its bound falls by `m`, every cap it belongs to
//! loses `m` of room (a cap left below zero makes the node infeasible), and the balance becomes
//! `Σ a' − Σ r' = F` with `F = m·(#donors fixed − #recipients fixed)`. The shift `F` is carried by one
//! artificial row that the LP must use in full: for `F > 0` a donor of `F` units worth `−M`, member of
//! the pool caps (their limits raised by `F`, so that real releases keep the old limit); for `F < 0` a
//! recipient of `−F` units worth `M`; with `M = 1 + 2·max |value|`, one more unit through the artificial
//! row always gains, so an LP optimum uses it in full whenever the node is feasible, and a node whose
//! optimum does not is infeasible. The node's problem is again a pool problem of the same structure
//! (the artificial donor sits only in the pool caps, so laminar caps stay laminar and the flow's pool
//! cap still covers every donor), and the exact methods give its LP optimum: the node's bound.
//!
//! **Branching.** A node whose LP optimum has every move `0` or `≥ m` is solved. Otherwise the row whose
//! move lies in `(0, m)` and is nearest `m/2` (donors before recipients, then by index) is branched into
//! `0` and `≥ m`; the two children partition the node's semi-continuous solutions, so the best of all
//! leaves is the optimum. Nodes are explored best bound first (ties by creation), and a node whose bound
//! is not above the incumbent is closed.
//!
//! **Incumbents** come from the repair of [`super::round::min_transfer`] (drop each small move and take
//! as much back from the other side), applied to the caller's heuristic and to every node's LP optimum.
//!
//! **Guarantee.** When the search closes every node, the incumbent is optimal. The search counts
//! nodes (LP solves), never time, so the answer is the same on every run and machine; when the count
//! reaches the pool's budget it stops, and `best open bound − incumbent` is a proven bound on what the
//! proposal may lack ([`Search::gap`]).
//!
//! Cost: one exact LP solve of the pool per node (`O(n log n)` for laminar caps), so the budget is a
//! number of row-solves, shared out by the pool's size.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::OptimizeError;
use super::problem::{CapKind, Donor, PoolProblem, PoolSolution, Recipient};
use super::round;

/// Row-solves (rows in the pool × nodes) one pool's search may spend.
const WORK: usize = 600_000;
/// Nodes a pool may always explore, however large.
const MIN_NODES: usize = 24;
/// Nodes no pool explores beyond.
const MAX_NODES: usize = 20_000;

/// What the search found.
#[derive(Clone, Debug)]
pub(crate) struct Search {
    /// The best solution found (feasible: every move 0 or at least `min_units`).
    pub solution: PoolSolution,
    /// Proven bound on how far below the optimum it may be, in value × units; 0 when proven optimal.
    pub gap: f64,
    /// Nodes explored (LP solves after the root).
    pub nodes: usize,
}

/// A row fixed by a branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fix {
    /// The row does not move.
    Zero,
    /// The row moves at least `min_units`.
    Min,
}

/// A branching decision: donor (`true`) or recipient, its index in the pool, and how it is fixed.
type Decision = (bool, usize, Fix);

/// A node waiting in the queue: its LP bound, creation number, decisions and LP optimum.
struct Node {
    bound: f64,
    seq: u64,
    decisions: Vec<Decision>,
    relaxed: PoolSolution,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Node {}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Node {
    /// Highest bound first, then the oldest node.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bound.total_cmp(&other.bound).then(Reverse(self.seq).cmp(&Reverse(other.seq)))
    }
}

/// The pool's objective in value × units.
pub(crate) fn value(p: &PoolProblem, s: &PoolSolution) -> f64 {
    let gain: f64 = p.recipients.iter().zip(&s.a).map(|(x, &a)| x.value * a as f64).sum();
    let cost: f64 = p.donors.iter().zip(&s.r).map(|(d, &r)| d.value * r as f64).sum();
    gain - cost
}

/// True when some move lies strictly between 0 and `min_units`.
pub(crate) fn has_small(p: &PoolProblem, s: &PoolSolution) -> bool {
    s.r.iter().chain(&s.a).any(|&x| x > 0 && x < p.min_units)
}

/// The node budget of a pool: [`WORK`] row-solves, within [`MIN_NODES`] and [`MAX_NODES`].
fn budget(p: &PoolProblem) -> usize {
    let rows = (p.donors.len() + p.recipients.len()).max(1);
    (WORK / rows).clamp(MIN_NODES, MAX_NODES)
}

/// Searches pool `p` whose LP optimum is `root`, starting from the feasible `incumbent`; `relax`
/// solves a pool problem's LP exactly.
pub(crate) fn solve(
    p: &PoolProblem,
    root: PoolSolution,
    incumbent: PoolSolution,
    mut relax: impl FnMut(&PoolProblem) -> Result<PoolSolution, OptimizeError>,
) -> Result<Search, OptimizeError> {
    debug_assert!(p.is_feasible(&incumbent), "the starting incumbent must be feasible");
    let big = 1.0
        + 2.0
            * p.donors
                .iter()
                .map(|d| d.value.abs())
                .chain(p.recipients.iter().map(|x| x.value.abs()))
                .fold(0.0f64, f64::max);
    let mut best = Best { value: value(p, &incumbent), solution: incumbent };
    let mut heap = BinaryHeap::new();
    let root_bound = value(p, &root);
    best.offer_repaired(p, &root);
    let mut seq = 0u64;
    heap.push(Node { bound: root_bound, seq, decisions: Vec::new(), relaxed: root });
    let limit = budget(p);
    let mut nodes = 0usize;
    while let Some(node) = heap.pop() {
        if node.bound <= best.value + tolerance(best.value) {
            heap.clear();
            break;
        }
        if nodes + 2 > limit {
            heap.push(node);
            break;
        }
        let Some((is_donor, k)) = branch_row(p, &node.relaxed) else {
            // Cannot happen: a node without small moves is never queued. Close it as a leaf.
            best.offer(p, &node.relaxed);
            continue;
        };
        for fix in [Fix::Zero, Fix::Min] {
            let mut decisions = node.decisions.clone();
            decisions.push((is_donor, k, fix));
            nodes += 1;
            let Some(relaxed) = relax_node(p, &decisions, big, &mut relax)? else { continue };
            let bound = value(p, &relaxed);
            if !has_small(p, &relaxed) {
                best.offer(p, &relaxed);
                continue;
            }
            best.offer_repaired(p, &relaxed);
            if bound > best.value + tolerance(best.value) {
                seq += 1;
                heap.push(Node { bound, seq, decisions, relaxed });
            }
        }
    }
    let gap = heap.peek().map_or(0.0, |n| (n.bound - best.value).max(0.0));
    Ok(Search { solution: best.solution, gap, nodes })
}

/// The incumbent.
struct Best {
    value: f64,
    solution: PoolSolution,
}

impl Best {
    /// Keeps `s` (feasible) if it is strictly better.
    fn offer(&mut self, p: &PoolProblem, s: &PoolSolution) {
        let v = value(p, s);
        if v > self.value {
            self.value = v;
            self.solution = s.clone();
        }
    }

    /// Repairs a relaxed solution (see [`round::min_transfer`]) and offers it.
    fn offer_repaired(&mut self, p: &PoolProblem, relaxed: &PoolSolution) {
        let mut s = relaxed.clone();
        round::min_transfer(p, &mut s);
        self.offer(p, &s);
    }
}

/// Slack under which a bound does not count as above the incumbent (float noise of the sums).
fn tolerance(v: f64) -> f64 {
    1e-9 * (1.0 + v.abs())
}

/// The row to branch on: the move in `(0, min_units)` nearest `min_units / 2`, donors first, then by
/// index.
fn branch_row(p: &PoolProblem, s: &PoolSolution) -> Option<(bool, usize)> {
    let m = p.min_units;
    let distance = |x: i64| (2 * x - m).abs();
    let donors = s.r.iter().enumerate().map(|(k, &x)| (true, k, x));
    let recipients = s.a.iter().enumerate().map(|(k, &x)| (false, k, x));
    donors
        .chain(recipients)
        .filter(|&(_, _, x)| x > 0 && x < m)
        .min_by_key(|&(is_donor, k, x)| (distance(x), !is_donor, k))
        .map(|(is_donor, k, _)| (is_donor, k))
}

/// The LP optimum of the node given by `decisions`, in `p`'s indices, or `None` when the node is
/// infeasible (see the module docs for the construction).
fn relax_node(
    p: &PoolProblem,
    decisions: &[Decision],
    big: f64,
    relax: &mut impl FnMut(&PoolProblem) -> Result<PoolSolution, OptimizeError>,
) -> Result<Option<PoolSolution>, OptimizeError> {
    let m = p.min_units;
    let mut fix_d: Vec<Option<Fix>> = vec![None; p.donors.len()];
    let mut fix_r: Vec<Option<Fix>> = vec![None; p.recipients.len()];
    for &(is_donor, k, fix) in decisions {
        if is_donor {
            fix_d[k] = Some(fix);
        } else {
            fix_r[k] = Some(fix);
        }
    }
    // Pre-moved amounts, and the rows the node problem keeps (a row fixed to `≥ m` whose bound is
    // exactly `m` has nothing left to choose).
    let base = |fix: Option<Fix>| if fix == Some(Fix::Min) { m } else { 0 };
    let keeps = |fix: Option<Fix>, cap: i64| match fix {
        None => true,
        Some(Fix::Zero) => false,
        Some(Fix::Min) => cap > m,
    };
    let mut q = p.clone_header();
    let mut new_index = vec![usize::MAX; p.donors.len()];
    let mut dmap = Vec::with_capacity(p.donors.len());
    for (d, donor) in p.donors.iter().enumerate() {
        if keeps(fix_d[d], donor.cap) {
            new_index[d] = dmap.len();
            dmap.push(d);
            q.donors.push(Donor { cap: donor.cap - base(fix_d[d]), ..donor.clone() });
        }
    }
    let mut rmap = Vec::with_capacity(p.recipients.len());
    for (j, x) in p.recipients.iter().enumerate() {
        if keeps(fix_r[j], x.cap) {
            rmap.push(j);
            q.recipients.push(Recipient { cap: x.cap - base(fix_r[j]), ..x.clone() });
        }
    }
    for cap in &p.caps {
        let forced: i64 = cap.members.iter().map(|&d| base(fix_d[d])).sum();
        let limit = cap.limit - forced;
        if limit < 0 {
            return Ok(None);
        }
        let members = cap.members.iter().map(|&d| new_index[d]).filter(|&k| k != usize::MAX).collect();
        q.caps.push(super::problem::Cap { limit, members, ..cap.clone() });
    }
    let shift = decisions.iter().filter(|d| d.2 == Fix::Min).map(|d| if d.0 { m } else { -m }).sum::<i64>();
    if shift > 0 {
        // Forced releases exceed forced additions: an artificial donor feeds the recipients `shift`.
        let k = q.donors.len();
        let mut caps = Vec::new();
        for (c, cap) in q.caps.iter_mut().enumerate() {
            if cap.kind == CapKind::Pool {
                cap.members.push(k);
                cap.limit += shift;
                caps.push(c);
            }
        }
        q.donors.push(Donor { row: usize::MAX, cap: shift, value: -big, caps });
    } else if shift < 0 {
        // Forced additions exceed forced releases: an artificial recipient must take `-shift`.
        q.recipients.push(Recipient { row: usize::MAX, cap: -shift, value: big });
    }
    let t = relax(&q)?;
    let used = if shift > 0 {
        t.r.last().copied() == Some(shift)
    } else if shift < 0 {
        t.a.last().copied() == Some(-shift)
    } else {
        true
    };
    if !used {
        return Ok(None);
    }
    let mut s = PoolSolution {
        r: fix_d.iter().map(|&f| base(f)).collect(),
        a: fix_r.iter().map(|&f| base(f)).collect(),
    };
    for (k, &d) in dmap.iter().enumerate() {
        s.r[d] += t.r[k];
    }
    for (k, &j) in rmap.iter().enumerate() {
        s.a[j] += t.a[k];
    }
    Ok(Some(s))
}
