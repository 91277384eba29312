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
//! **A stronger bound: the Lagrangian of the balance row.** For any price `λ`,
//! `L(λ) = max Σ (w_j − λ)·a_j + Σ (λ − c_d)·r_d` over the semi-continuous moves and the caps, without the
//! balance, is an upper bound (on balanced moves it equals the objective). It separates: a recipient
//! alone takes all its room when `w_j > λ` (or `m` when fixed to `≥ m` and not worth it); the donors fall
//! into groups tied by caps, and each group is a small semi-continuous knapsack, solved exactly by
//! trying every set of its profitable donors (at most [`GROUP`], forced ones always in), each set at
//! `m` per donor then filled by the laminar greedy. The LP bound loses nothing where a cap cuts its last
//! donor below `m`; `L` charges every such cap its own loss at once, which is what closes a pool with
//! many independent small decisions. `λ` is the breakpoint (a row's value) minimising `L` at the root
//! (`L` is convex in `λ`, bisected); each node's bound is the smaller of its LP optimum and `L(λ)` under
//! its fixes. It applies to pools whose caps are laminar and have no pool cap (the other pools keep the
//! LP bound alone).
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
//! Cost: one exact LP solve of the pool and one evaluation of `L` per node (`O(n log n)` for laminar
//! caps, plus `2^k` sets per group of `k ≤` [`GROUP`] profitable donors), so the budget is a number of
//! row-solves, shared out by the pool's size.

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
    let lagrange = Lagrange::new(p);
    let lagrange_bound = |decisions: &[Decision]| {
        lagrange.as_ref().map_or(f64::INFINITY, |l| {
            let (fix_d, fix_r) = fixes(p, decisions);
            l.bound(p, &fix_d, &fix_r)
        })
    };
    let root_bound = value(p, &root).min(lagrange_bound(&[]));
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
            let bound = value(p, &relaxed).min(lagrange_bound(&decisions));
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

/// The fix of every donor and recipient under `decisions`.
fn fixes(p: &PoolProblem, decisions: &[Decision]) -> (Vec<Option<Fix>>, Vec<Option<Fix>>) {
    let mut fix_d: Vec<Option<Fix>> = vec![None; p.donors.len()];
    let mut fix_r: Vec<Option<Fix>> = vec![None; p.recipients.len()];
    for &(is_donor, k, fix) in decisions {
        if is_donor {
            fix_d[k] = Some(fix);
        } else {
            fix_r[k] = Some(fix);
        }
    }
    (fix_d, fix_r)
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
    let (fix_d, fix_r) = fixes(p, decisions);
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

/// Donors tied by caps, searched exhaustively in the Lagrangian bound up to this many.
const GROUP: usize = 8;

/// The Lagrangian relaxation of the balance row (see the module docs): the pool's donors in groups
/// tied by caps, and the multiplier `λ` at which the bound is taken.
struct Lagrange {
    /// Donor indices of each group (connected through caps), ascending.
    groups: Vec<Vec<usize>>,
    /// The multiplier.
    lambda: f64,
}

impl Lagrange {
    /// The relaxation of pool `p`, or `None` when it does not apply (a pool cap ties every donor, or
    /// the caps are not laminar); `λ` minimises the root's bound over the rows' values.
    fn new(p: &PoolProblem) -> Option<Lagrange> {
        if p.caps.iter().any(|c| c.kind == CapKind::Pool) || !p.caps_laminar(|_| true) {
            return None;
        }
        // Groups: union of donors through caps.
        let mut parent: Vec<usize> = (0..p.donors.len()).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for cap in &p.caps {
            for w in cap.members.windows(2) {
                let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut index = vec![usize::MAX; p.donors.len()];
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for d in 0..p.donors.len() {
            let root = find(&mut parent, d);
            if index[root] == usize::MAX {
                index[root] = groups.len();
                groups.push(Vec::new());
            }
            groups[index[root]].push(d);
        }
        let mut l = Lagrange { groups, lambda: 0.0 };
        // L(λ) is convex and piecewise linear with breakpoints at the rows' values: bisect on them.
        let mut values: Vec<f64> =
            p.donors.iter().map(|d| d.value).chain(p.recipients.iter().map(|x| x.value)).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let (none_d, none_r) = (vec![None; p.donors.len()], vec![None; p.recipients.len()]);
        let at = |l: &mut Lagrange, v: f64| {
            l.lambda = v;
            l.bound(p, &none_d, &none_r)
        };
        // The first breakpoint from which L stops falling is a minimum.
        let (mut lo, mut hi) = (0usize, values.len().checked_sub(1)?);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if at(&mut l, values[mid]) <= at(&mut l, values[mid + 1]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        l.lambda = values[lo];
        Some(l)
    }

    /// `L(λ)`: an upper bound on the pool's semi-continuous optimum under the fixes, in value × units.
    fn bound(&self, p: &PoolProblem, fix_d: &[Option<Fix>], fix_r: &[Option<Fix>]) -> f64 {
        let (m, lambda) = (p.min_units, self.lambda);
        let mut total = 0.0;
        for (x, fix) in p.recipients.iter().zip(fix_r) {
            let gain = x.value - lambda;
            total += match fix {
                Some(Fix::Zero) => 0.0,
                Some(Fix::Min) if gain <= 0.0 => gain * m as f64,
                _ => gain.max(0.0) * x.cap as f64,
            };
        }
        for g in &self.groups {
            total += self.group(p, g, fix_d);
        }
        total
    }

    /// The best `Σ (λ − value_out)·r` of one group of donors under its caps, each release 0 or at least
    /// `m`: every set of profitable donors is tried (forced ones always in), each filled by the greedy
    /// over the caps' room left; a group with more than [`GROUP`] candidates takes the same greedy
    /// without the semi-continuity (a weaker, still valid, bound).
    fn group(&self, p: &PoolProblem, g: &[usize], fix_d: &[Option<Fix>]) -> f64 {
        let profit = |d: usize| self.lambda - p.donors[d].value;
        let forced: Vec<usize> = g.iter().copied().filter(|&d| fix_d[d] == Some(Fix::Min)).collect();
        let mut free: Vec<usize> =
            g.iter().copied().filter(|&d| fix_d[d].is_none() && profit(d) > 0.0).collect();
        free.sort_by(|&x, &y| profit(y).total_cmp(&profit(x)).then(x.cmp(&y)));
        if free.len() > GROUP {
            return self.fill(p, &forced, &free, false).unwrap_or(0.0);
        }
        let mut best = f64::NEG_INFINITY;
        for mask in 0u32..(1 << free.len()) {
            let chosen: Vec<usize> =
                (0..free.len()).filter(|&k| mask & (1 << k) != 0).map(|k| free[k]).collect();
            if let Some(v) = self.fill(p, &forced, &chosen, true) {
                best = best.max(v);
            }
        }
        // No set at all is feasible only if the forced ones break a cap: the node is then infeasible.
        if best == f64::NEG_INFINITY { f64::NEG_INFINITY } else { best }
    }

    /// `forced` at `m` each (and more where profitable), `chosen` at `m` each when `at_least` (else
    /// from 0), then filled by decreasing profit under the caps; `None` when the minimums break a cap.
    fn fill(&self, p: &PoolProblem, forced: &[usize], chosen: &[usize], at_least: bool) -> Option<f64> {
        let m = p.min_units;
        let profit = |d: usize| self.lambda - p.donors[d].value;
        let mut room: Vec<(usize, i64)> = Vec::new();
        let use_cap = |c: usize, x: i64, room: &mut Vec<(usize, i64)>| -> bool {
            match room.iter_mut().find(|e| e.0 == c) {
                Some(e) => {
                    e.1 -= x;
                    e.1 >= 0
                }
                None => {
                    room.push((c, p.caps[c].limit - x));
                    p.caps[c].limit - x >= 0
                }
            }
        };
        let mut value = 0.0;
        let base = |d: usize| if at_least || forced.contains(&d) { m } else { 0 };
        for &d in forced.iter().chain(chosen) {
            let x = base(d);
            value += profit(d) * x as f64;
            for &c in &p.donors[d].caps {
                if !use_cap(c, x, &mut room) {
                    return None;
                }
            }
        }
        let mut order: Vec<usize> =
            forced.iter().chain(chosen).copied().filter(|&d| profit(d) > 0.0).collect();
        order.sort_by(|&x, &y| profit(y).total_cmp(&profit(x)).then(x.cmp(&y)));
        for d in order {
            let donor = &p.donors[d];
            let mut x = donor.cap - base(d);
            for &c in &donor.caps {
                let left = room.iter().find(|e| e.0 == c).map_or(p.caps[c].limit, |e| e.1);
                x = x.min(left);
            }
            let x = x.max(0);
            value += profit(d) * x as f64;
            for &c in &donor.caps {
                use_cap(c, x, &mut room);
            }
        }
        Some(value)
    }
}
