//! The exact path for pools whose locality and investor caps cross: a min-cost flow per connected
//! group of caps, merged with the recipients by marginal value.
//!
//! Releasing capital in one pool is a flow: source → locality (capacity: its cap) → donor (capacity r̄,
//! cost `value_out`) → investor (capacity: its cap) → pool. Caps connect donors into components
//! (a donor joins its locality and its investor); different components share only the pool's balance
//! row and its move cap. For each component the least cost of releasing `m` units is convex in `m`,
//! and successive shortest paths (Dijkstra with potentials over localities and investors, parallel
//! donors between the same locality and investor kept as one arc that fills its cheapest donor first)
//! give it segment by segment. Laminar components (one locality or one investor) take the greedy of
//! [`super::fast`] instead. Merging every component's segments by cost, against the recipients by
//! decreasing `value_in` and under the pool cap, finds how much each component releases; each then
//! replays its flow up to that amount. Integral capacities make every augmentation integral.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::fast::recipient_order;
use super::problem::{CapKind, PoolProblem, PoolSolution};

/// A cost segment of a component's release curve: `amount` units at `cost` each.
#[derive(Clone, Copy, Debug)]
struct Segment {
    cost: f64,
    amount: i64,
    /// End of this augmentation's entries in the component's log.
    log_end: usize,
}

/// A component's release curve and the augmentations behind it: each log entry is a donor
/// (component-local) whose release rises (+1) or falls (−1) by its segment's amount.
struct Curve {
    segments: Vec<Segment>,
    log: Vec<(usize, i64)>,
}

/// The value of the recipient that would absorb the unit after the first `t`, recipients filled
/// best first: an upper bound on what any unit released beyond `t` by one component can earn.
struct Marginal {
    /// Cumulative capacity of the recipients, best first.
    ends: Vec<i64>,
    /// Their values.
    values: Vec<f64>,
}

impl Marginal {
    fn new(p: &PoolProblem) -> Marginal {
        let mut ends = Vec::with_capacity(p.recipients.len());
        let mut values = Vec::with_capacity(p.recipients.len());
        let mut total = 0i64;
        for j in recipient_order(p) {
            total += p.recipients[j].cap;
            ends.push(total);
            values.push(p.recipients[j].value);
        }
        Marginal { ends, values }
    }

    fn at(&self, t: i64) -> f64 {
        let k = self.ends.partition_point(|&e| e <= t);
        self.values.get(k).copied().unwrap_or(f64::NEG_INFINITY)
    }
}

/// A group of donors tied by caps, with its nodes: 0 = source, 1 = pool, then localities, investors.
struct Component {
    /// Donor indices (into the pool's donors).
    donors: Vec<usize>,
    /// Locality node of each donor (0 = none: straight from the source).
    tail: Vec<usize>,
    /// Investor node of each donor (1 = none: straight to the pool).
    head: Vec<usize>,
    /// Cap index behind each node (none for 0 and 1).
    node_cap: Vec<Option<usize>>,
}

/// Solves the pool, or `None` when a donor sits in caps this model does not describe (the general
/// LP then does it).
pub(crate) fn solve(p: &PoolProblem) -> Option<PoolSolution> {
    // Each donor's tightest locality cap and tightest investor cap; caps of one kind from several
    // constraints have the same members (one partition), so the tightest dominates.
    let mut pool_limit = i64::MAX;
    for c in &p.caps {
        if c.kind == CapKind::Pool {
            if c.members.len() != p.donors.len() {
                return None;
            }
            pool_limit = pool_limit.min(c.limit);
        }
    }
    let tightest = |d: usize, kind: CapKind| {
        p.donors[d]
            .caps
            .iter()
            .copied()
            .filter(|&c| p.caps[c].kind == kind)
            .min_by_key(|&c| (p.caps[c].limit, c))
    };
    let loc: Vec<Option<usize>> = (0..p.donors.len()).map(|d| tightest(d, CapKind::Locality)).collect();
    let inv: Vec<Option<usize>> = (0..p.donors.len()).map(|d| tightest(d, CapKind::Investor)).collect();
    // Same-kind caps must really share members for the dominance argument.
    for (d, donor) in p.donors.iter().enumerate() {
        for &c in &donor.caps {
            let cap = &p.caps[c];
            let own = match cap.kind {
                CapKind::Locality => loc[d],
                CapKind::Investor => inv[d],
                CapKind::Pool => continue,
            };
            if own.is_some_and(|o| p.caps[o].members != cap.members) {
                return None;
            }
        }
    }
    let components = components(p, &loc, &inv);
    let marginal = Marginal::new(p);
    let need = p.recipients.iter().map(|r| r.cap).sum::<i64>().min(pool_limit);
    let mut curves: Vec<Curve> = Vec::with_capacity(components.len());
    for comp in &components {
        curves.push(release(p, comp, need, &marginal)?);
    }
    // Merge the segments by cost (component order, then curve order, on ties) against recipients.
    let mut segs: Vec<(f64, usize, usize)> = Vec::new();
    for (k, curve) in curves.iter().enumerate() {
        segs.extend(curve.segments.iter().enumerate().map(|(i, s)| (s.cost, k, i)));
    }
    segs.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let recipients = recipient_order(p);
    let mut s = PoolSolution::zero(p);
    let mut allot = vec![0i64; components.len()];
    let (mut i, mut j) = (0, 0);
    let mut seg_left = segs.first().map_or(0, |&(_, k, n)| curves[k].segments[n].amount);
    let mut moved = 0i64;
    while i < segs.len() && j < recipients.len() && moved < pool_limit {
        let (cost, k, _) = segs[i];
        let r = recipients[j];
        if p.recipients[r].value.total_cmp(&cost) != std::cmp::Ordering::Greater {
            break;
        }
        let room = p.recipients[r].cap - s.a[r];
        let x = seg_left.min(room).min(pool_limit - moved);
        s.a[r] += x;
        allot[k] += x;
        moved += x;
        seg_left -= x;
        if s.a[r] == p.recipients[r].cap {
            j += 1;
        }
        if seg_left == 0 {
            i += 1;
            seg_left = segs.get(i).map_or(0, |&(_, k, n)| curves[k].segments[n].amount);
        }
    }
    // Replay each component's augmentations up to its allotment (the last one in part).
    for ((comp, curve), &target) in components.iter().zip(&curves).zip(&allot) {
        let (mut done, mut start) = (0i64, 0usize);
        for seg in &curve.segments {
            if done >= target {
                break;
            }
            let x = seg.amount.min(target - done);
            for &(k, sign) in &curve.log[start..seg.log_end] {
                s.r[comp.donors[k]] += sign * x;
            }
            done += x;
            start = seg.log_end;
        }
    }
    Some(s)
}

/// Splits the donors into components tied by their caps; donors without caps are one component each.
fn components(p: &PoolProblem, loc: &[Option<usize>], inv: &[Option<usize>]) -> Vec<Component> {
    // Union-find over caps.
    let mut parent: Vec<usize> = (0..p.caps.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for d in 0..p.donors.len() {
        if let (Some(a), Some(b)) = (loc[d], inv[d]) {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut by_root: Vec<Option<usize>> = vec![None; p.caps.len()];
    let mut out: Vec<Component> = Vec::new();
    for d in 0..p.donors.len() {
        let root = loc[d].or(inv[d]).map(|c| find(&mut parent, c));
        let mut open = || {
            out.push(Component {
                donors: Vec::new(),
                tail: Vec::new(),
                head: Vec::new(),
                node_cap: vec![None, None],
            });
            out.len() - 1
        };
        let k = match root {
            Some(r) => *by_root[r].get_or_insert_with(open),
            None => open(),
        };
        out[k].donors.push(d);
    }
    // Number the nodes of each component: localities then investors, in cap order.
    let mut node_of: Vec<usize> = vec![usize::MAX; p.caps.len()];
    for comp in &mut out {
        let mut caps: Vec<usize> =
            comp.donors.iter().flat_map(|&d| loc[d].into_iter().chain(inv[d])).collect();
        caps.sort_unstable();
        caps.dedup();
        for &c in &caps {
            node_of[c] = comp.node_cap.len();
            comp.node_cap.push(Some(c));
        }
        comp.tail = comp.donors.iter().map(|&d| loc[d].map_or(0, |c| node_of[c])).collect();
        comp.head = comp.donors.iter().map(|&d| inv[d].map_or(1, |c| node_of[c])).collect();
    }
    out
}

/// Parallel donors between the same two nodes, cheapest first; flows fill them in that order.
struct Arc {
    tail: usize,
    head: usize,
    /// Component-local donor positions, by increasing cost then row.
    donors: Vec<usize>,
    /// First donor not full.
    next: usize,
}

/// The component's release curve by successive shortest paths, up to `need` units and stopping before
/// a path that costs at least what the next unit could earn (`marginal`). `None` if the iteration
/// guard trips.
fn release(p: &PoolProblem, comp: &Component, need: i64, marginal: &Marginal) -> Option<Curve> {
    let n = comp.node_cap.len();
    let cost = |k: usize| p.donors[comp.donors[k]].value;
    let cap = |k: usize| p.donors[comp.donors[k]].cap;
    // Arcs: donors grouped by (tail, head).
    let mut order: Vec<usize> = (0..comp.donors.len()).collect();
    order.sort_by(|&x, &y| {
        (comp.tail[x], comp.head[x])
            .cmp(&(comp.tail[y], comp.head[y]))
            .then(cost(x).total_cmp(&cost(y)))
            .then(p.donors[comp.donors[x]].row.cmp(&p.donors[comp.donors[y]].row))
    });
    let mut arcs: Vec<Arc> = Vec::new();
    for run in order.chunk_by(|&x, &y| (comp.tail[x], comp.head[x]) == (comp.tail[y], comp.head[y])) {
        arcs.push(Arc { tail: comp.tail[run[0]], head: comp.head[run[0]], donors: run.to_vec(), next: 0 });
    }
    let mut out_arcs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut in_arcs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, arc) in arcs.iter().enumerate() {
        out_arcs[arc.tail].push(a);
        in_arcs[arc.head].push(a);
    }
    let mut flow = vec![0i64; comp.donors.len()];
    let mut room: Vec<i64> = comp.node_cap.iter().map(|c| c.map_or(i64::MAX, |c| p.caps[c].limit)).collect();
    let is_locality = |v: usize| comp.node_cap[v].is_some_and(|c| p.caps[c].kind == CapKind::Locality);
    // Potentials: shortest distances in the initial DAG source → locality → investor → pool.
    let mut pi = vec![0.0f64; n];
    let fwd_cost = |arc: &Arc| cost(arc.donors[arc.next]);
    for v in 2..n {
        if !is_locality(v) {
            pi[v] = in_arcs[v]
                .iter()
                .map(|&a| pi[arcs[a].tail] + fwd_cost(&arcs[a]))
                .fold(f64::INFINITY, f64::min);
        }
    }
    pi[1] = (2..n)
        .filter(|&v| !is_locality(v))
        .map(|v| pi[v])
        .chain(in_arcs[1].iter().map(|&a| pi[arcs[a].tail] + fwd_cost(&arcs[a])))
        .fold(f64::INFINITY, f64::min);
    let mut curve = Curve { segments: Vec::new(), log: Vec::new() };
    if !pi[1].is_finite() {
        return Some(curve);
    }
    let mut total = 0i64;
    let guard = 20 * (comp.donors.len() + n) + 1000;
    // Edge kinds on a path: Source→locality, forward arc, backward arc, investor→pool.
    #[derive(Clone, Copy)]
    enum Step {
        Open(usize),
        Fwd(usize),
        Back(usize),
        Close(usize),
    }
    let mut dist = vec![f64::INFINITY; n];
    let mut prev: Vec<Option<(usize, Step)>> = vec![None; n];
    let mut done = vec![false; n];
    for _ in 0..guard {
        if total >= need {
            return Some(curve);
        }
        dist.fill(f64::INFINITY);
        prev.fill(None);
        done.fill(false);
        dist[0] = 0.0;
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((Ordf(0.0), 0usize)));
        while let Some(Reverse((Ordf(d), u))) = heap.pop() {
            if done[u] {
                continue;
            }
            done[u] = true;
            if u == 1 {
                break;
            }
            let mut relax =
                |v: usize, c: f64, step: Step, dist: &mut [f64], prev: &mut [Option<(usize, Step)>]| {
                    let nd = d + (c + pi[u] - pi[v]).max(0.0);
                    if nd < dist[v] {
                        dist[v] = nd;
                        prev[v] = Some((u, step));
                        heap.push(Reverse((Ordf(nd), v)));
                    }
                };
            if u == 0 {
                for (v, &left) in room.iter().enumerate().skip(2) {
                    if is_locality(v) && left > 0 {
                        relax(v, 0.0, Step::Open(v), &mut dist, &mut prev);
                    }
                }
            } else if !is_locality(u) && room[u] > 0 {
                relax(1, 0.0, Step::Close(u), &mut dist, &mut prev);
            }
            for &a in &out_arcs[u] {
                let arc = &arcs[a];
                if arc.next < arc.donors.len() {
                    relax(arc.head, cost(arc.donors[arc.next]), Step::Fwd(a), &mut dist, &mut prev);
                }
            }
            for &a in &in_arcs[u] {
                let arc = &arcs[a];
                if arc.tail == 0 {
                    continue;
                }
                if let Some(k) = last_used(arc, &flow) {
                    relax(arc.tail, -cost(k), Step::Back(a), &mut dist, &mut prev);
                }
            }
        }
        if !done[1] {
            return Some(curve);
        }
        let dt = dist[1];
        for v in 0..n {
            pi[v] += dist[v].min(dt);
        }
        // Walk the path back: its true cost and bottleneck.
        let mut path = Vec::new();
        let mut v = 1;
        while let Some((u, step)) = prev[v] {
            path.push(step);
            v = u;
        }
        let mut c = 0.0;
        let mut delta = need - total;
        for &step in &path {
            match step {
                Step::Open(v) | Step::Close(v) => delta = delta.min(room[v]),
                Step::Fwd(a) => {
                    let k = arcs[a].donors[arcs[a].next];
                    c += cost(k);
                    delta = delta.min(cap(k) - flow[k]);
                }
                Step::Back(a) => {
                    let k = last_used(&arcs[a], &flow)?;
                    c -= cost(k);
                    delta = delta.min(flow[k]);
                }
            }
        }
        if c >= marginal.at(total) || delta <= 0 {
            return Some(curve);
        }
        for &step in &path {
            match step {
                Step::Open(v) | Step::Close(v) => room[v] -= delta,
                Step::Fwd(a) => {
                    let arc = &mut arcs[a];
                    let k = arc.donors[arc.next];
                    flow[k] += delta;
                    curve.log.push((k, 1));
                    if flow[k] == cap(k) {
                        arc.next += 1;
                    }
                }
                Step::Back(a) => {
                    let arc = &mut arcs[a];
                    let at = last_used_pos(arc, &flow)?;
                    let k = arc.donors[at];
                    flow[k] -= delta;
                    curve.log.push((k, -1));
                    arc.next = arc.next.min(at);
                }
            }
        }
        // Reverse steps give room back to the caps they pass through in reverse: none here, since a
        // path enters a locality only from the source and leaves an investor only to the pool.
        curve.segments.push(Segment { cost: c, amount: delta, log_end: curve.log.len() });
        total += delta;
    }
    None
}

/// Position in `arc.donors` of the dearest donor with flow.
fn last_used_pos(arc: &Arc, flow: &[i64]) -> Option<usize> {
    let k = if arc.next < arc.donors.len() && flow[arc.donors[arc.next]] > 0 {
        arc.next
    } else {
        arc.next.checked_sub(1)?
    };
    (flow[arc.donors[k]] > 0).then_some(k)
}

/// The dearest donor with flow on the arc (a component-local position).
fn last_used(arc: &Arc, flow: &[i64]) -> Option<usize> {
    last_used_pos(arc, flow).map(|k| arc.donors[k])
}

/// An `f64` ordered by `total_cmp`, for the heap.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ordf(f64);

impl Eq for Ordf {}

impl PartialOrd for Ordf {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordf {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}
