//! Splitting one pool's changes into transfers (from, to, amount) a decision can list, each at least
//! `min_transfer` whenever such a split exists.
//!
//! **First, three passes of the north-west corner rule**: donors and recipients of the same investor
//! first, then of the same locality, then all that is left, each pass over rows in portfolio order.
//! Every transfer uses up its donor or its recipient (or both), so a pool with `D` donors and `R`
//! recipients gets at most `D + R − 1` transfers, and a pair never meets twice. Every row's change is
//! 0 or at least `m = min_transfer` (in units), and the walk keeps that true of what is left: a pair
//! whose transfer would leave its donor or its recipient with a rest in `(0, m)` is skipped (the rest
//! would have to travel as a transfer below `m`), so every transfer it makes is at least `m`. When no
//! pair is ever skipped, this is the plain north-west corner rule.
//!
//! **Then, what was skipped** is completed by a depth-first search over the rows left: the first
//! recipient with something left takes, from some donor (same investor, then same locality, then by
//! row), either all the pair can exchange, or all but `m` of the donor's rest, or all but `m` of its own,
//! whichever keeps both rests at 0 or at least `m`; it backtracks on a dead end, within a step budget.
//! If that fails, the same search runs over the whole pool when it is small.
//!
//! **When no split is found.** Some pools have none (donors 60 + 60, recipients 70 + 50, minimum 50:
//! the 70 needs one piece of exactly 70, or two of at least 50 each). For a pool with at most
//! [`PROOF_EDGES`] donor–recipient pairs, every set of pairs is tried, fewest first, as a flow with a
//! lower bound `m` on each pair used: the first feasible set gives the split, and none proves that no
//! split exists. Otherwise the plain north-west corner split is kept, and every transfer below
//! `min_transfer` carries its [`BelowMinReason`]: `no_split_exists` when proven, `search_limit` when
//! the searches ran out of budget. Everything is deterministic (fixed orders, counted steps).

use std::collections::BTreeSet;

use crate::domain::Source;
use crate::money::Money;

use super::problem::Groups;
use super::{BelowMinReason, Transfer};

/// Steps of the depth-first search, per attempt.
const STEPS: usize = 20_000;
/// Rows (donors + recipients) up to which the search is also tried over the whole pool.
const WHOLE_POOL_ROWS: usize = 64;
/// Donor–recipient pairs up to which every set of pairs is tried (2^this sets at most).
const PROOF_EDGES: usize = 12;

/// One transfer in the pool's own indices: donor position, recipient position, units.
type Piece = (usize, usize, i64);

/// Splits the pool's releases and additions (portfolio row, amount in đồng, a whole number of `unit`;
/// both sides sum to the same total) into transfers of at least `min_units` units where possible,
/// sorted by donor row then recipient row.
pub(crate) fn split(
    groups: &Groups,
    source: Source,
    donors: &[(usize, i64)],
    recipients: &[(usize, i64)],
    unit: i64,
    min_units: i64,
) -> Vec<Transfer> {
    let give: Vec<(usize, i64)> = donors.iter().map(|&(r, x)| (r, x / unit)).filter(|d| d.1 > 0).collect();
    let take: Vec<(usize, i64)> =
        recipients.iter().map(|&(r, x)| (r, x / unit)).filter(|r| r.1 > 0).collect();
    let m = min_units.max(1);
    let (pieces, reason) = pieces(groups, &give, &take, m);
    let mut out: Vec<Transfer> = pieces
        .into_iter()
        .map(|(d, r, x)| Transfer {
            from: give[d].0,
            to: take[r].0,
            source,
            amount: Money::from_dong(x * unit),
            below_min_reason: if x < m { reason } else { None },
        })
        .collect();
    out.sort_by_key(|t| (t.from, t.to));
    out
}

/// The pieces of a split, and the reason carried by those below `m` (`None` when there are none).
fn pieces(
    groups: &Groups,
    give: &[(usize, i64)],
    take: &[(usize, i64)],
    m: i64,
) -> (Vec<Piece>, Option<BelowMinReason>) {
    let mut rest_d: Vec<i64> = give.iter().map(|d| d.1).collect();
    let mut rest_r: Vec<i64> = take.iter().map(|r| r.1).collect();
    let mut out = north_west(groups, give, take, &mut rest_d, &mut rest_r, m);
    if rest_r.iter().all(|&x| x == 0) {
        return (out, None);
    }
    let prefer = |d: usize, r: usize| {
        let (a, b) = (give[d].0, take[r].0);
        if groups.investor[a] == groups.investor[b] {
            0u8
        } else if groups.locality[a] == groups.locality[b] {
            1
        } else {
            2
        }
    };
    let small = |d: &[i64], r: &[i64]| d.iter().chain(r).filter(|&&x| x > 0).count() <= WHOLE_POOL_ROWS;
    if small(&rest_d, &rest_r)
        && let Some(rest) = search(&mut rest_d, &mut rest_r, m, &prefer)
    {
        out.extend(rest);
        return (out, None);
    }
    if let Some(rest) = smallest_first(&rest_d, &rest_r, m, &prefer) {
        out.extend(rest);
        return (out, None);
    }
    let mut all_d: Vec<i64> = give.iter().map(|d| d.1).collect();
    let mut all_r: Vec<i64> = take.iter().map(|r| r.1).collect();
    if let Some(all) = smallest_first(&all_d, &all_r, m, &prefer) {
        return (all, None);
    }
    if small(&all_d, &all_r)
        && let Some(all) = search(&mut all_d, &mut all_r, m, &prefer)
    {
        return (all, None);
    }
    let reason = if give.len() * take.len() <= PROOF_EDGES {
        match every_pair_set(&all_d, &all_r, m) {
            Some(all) => return (all, None),
            None => BelowMinReason::NoSplitExists,
        }
    } else {
        BelowMinReason::SearchLimit
    };
    let mut rest_d: Vec<i64> = give.iter().map(|d| d.1).collect();
    let mut rest_r: Vec<i64> = take.iter().map(|r| r.1).collect();
    (north_west(groups, give, take, &mut rest_d, &mut rest_r, 1), Some(reason))
}

/// The three passes of the north-west corner rule (module docs), skipping pairs that would leave a
/// rest in `(0, m)`; lowers the rests by what it moves.
fn north_west(
    groups: &Groups,
    give: &[(usize, i64)],
    take: &[(usize, i64)],
    rest_d: &mut [i64],
    rest_r: &mut [i64],
    m: i64,
) -> Vec<Piece> {
    let mut out = Vec::new();
    let passes: [Option<&[u32]>; 3] = [Some(&groups.investor), Some(&groups.locality), None];
    for key in passes {
        // Positions of donors and recipients with something left, ordered by group then row.
        let group = |row: usize| key.map_or(0, |ids| ids[row]);
        let mut gd: Vec<(u32, usize)> =
            (0..give.len()).filter(|&k| rest_d[k] > 0).map(|k| (group(give[k].0), k)).collect();
        let mut gr: Vec<(u32, usize)> =
            (0..take.len()).filter(|&k| rest_r[k] > 0).map(|k| (group(take[k].0), k)).collect();
        gd.sort_unstable();
        gr.sort_unstable();
        // Walk both lists group by group (north-west corner within each group).
        let (mut i, mut j) = (0, 0);
        while i < gd.len() && j < gr.len() {
            let (g, h) = (gd[i].0, gr[j].0);
            if g < h {
                i += 1;
                continue;
            }
            if h < g {
                j += 1;
                continue;
            }
            let (d, r) = (gd[i].1, gr[j].1);
            let (x, y) = (rest_d[d], rest_r[r]);
            let z = x.min(y);
            let left = (x - z).max(y - z);
            if left > 0 && left < m {
                // The larger side would keep a rest below m: skip its partner for now.
                if x > y {
                    j += 1;
                } else {
                    i += 1;
                }
                continue;
            }
            out.push((d, r, z));
            rest_d[d] -= z;
            rest_r[r] -= z;
            if rest_d[d] == 0 {
                i += 1;
            }
            if rest_r[r] == 0 {
                j += 1;
            }
        }
    }
    out
}

/// Smallest first: the row (donor or recipient) with the smallest rest goes whole to a row of the other
/// side whose rest equals it (same investor, then same locality, first) or else to the largest rest of
/// the other side when that exceeds it by at least `m`. Every piece then uses up a row, so there are at most `D + R − 1`, and each
/// is a whole rest, at least `m`. When the smallest row finds no partner, the last pieces are undone
/// and [`search`] completes what is left ([`finish`]). `O(n log n)` with ordered sets.
fn smallest_first(
    rest_d: &[i64],
    rest_r: &[i64],
    m: i64,
    prefer: &impl Fn(usize, usize) -> u8,
) -> Option<Vec<Piece>> {
    let mut left: [Vec<i64>; 2] = [rest_d.to_vec(), rest_r.to_vec()];
    // Open rows of each side by (rest, index).
    let mut open: [BTreeSet<(i64, usize)>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for side in 0..2 {
        open[side] =
            (0..left[side].len()).filter(|&k| left[side][k] > 0).map(|k| (left[side][k], k)).collect();
    }
    let mut out = Vec::new();
    loop {
        // The smallest rest over both sides (donors first on ties, then by index).
        let (side, (a, k)) = match (open[0].first().copied(), open[1].first().copied()) {
            (None, None) => return Some(out),
            (Some(x), None) => (0, x),
            (None, Some(y)) => (1, y),
            (Some(x), Some(y)) => {
                if y.0 < x.0 {
                    (1, y)
                } else {
                    (0, x)
                }
            }
        };
        let other = 1 - side;
        let pref = |o: usize| if side == 0 { prefer(k, o) } else { prefer(o, k) };
        let exact =
            open[other].range((a, 0)..=(a, usize::MAX)).map(|&(_, o)| o).min_by_key(|&o| (pref(o), o));
        let partner = exact.or_else(|| open[other].last().filter(|&&(w, _)| w >= a + m).map(|&(_, o)| o));
        let Some(partner) = partner else {
            return finish(left, out, m, prefer);
        };
        open[side].remove(&(a, k));
        left[side][k] = 0;
        let w = left[other][partner];
        open[other].remove(&(w, partner));
        left[other][partner] = w - a;
        if w > a {
            open[other].insert((w - a, partner));
        }
        out.push(if side == 0 { (k, partner, a) } else { (partner, k, a) });
    }
}

/// Completes a greedy that got stuck with rests `left` after `pieces`: undoes its last pieces until at
/// least 16, 32, then 64 rows are open again, and lets [`search`] finish each time; `None` if none
/// does, or if more than 64 rows were open when it got stuck.
fn finish(
    mut left: [Vec<i64>; 2],
    mut pieces: Vec<Piece>,
    m: i64,
    prefer: &impl Fn(usize, usize) -> u8,
) -> Option<Vec<Piece>> {
    let open = |left: &[Vec<i64>; 2]| left.iter().flatten().filter(|&&x| x > 0).count();
    if open(&left) > WHOLE_POOL_ROWS {
        return None;
    }
    for rows in [16, 32, WHOLE_POOL_ROWS] {
        while open(&left) < rows {
            let Some((d, r, x)) = pieces.pop() else { break };
            left[0][d] += x;
            left[1][r] += x;
        }
        let [d, r] = &mut left;
        if let Some(rest) = search(d, r, m, prefer) {
            pieces.extend(rest);
            return Some(pieces);
        }
        if pieces.is_empty() {
            break;
        }
    }
    None
}

/// A choice point of [`search`]: the recipient served, its options (donor, units) and the next one to
/// try, and the option applied now.
struct Frame {
    recipient: usize,
    options: Vec<(usize, i64)>,
    next: usize,
    applied: Option<(usize, i64)>,
}

/// Depth-first search for pieces of at least `m` that use up every rest exactly (module docs);
/// `None` when it finds none within [`STEPS`] (the rests are then unchanged).
fn search(
    rest_d: &mut [i64],
    rest_r: &mut [i64],
    m: i64,
    prefer: &impl Fn(usize, usize) -> u8,
) -> Option<Vec<Piece>> {
    // Work on the open rows only, then map back.
    let dk: Vec<usize> = (0..rest_d.len()).filter(|&d| rest_d[d] > 0).collect();
    let rk: Vec<usize> = (0..rest_r.len()).filter(|&r| rest_r[r] > 0).collect();
    let mut d: Vec<i64> = dk.iter().map(|&k| rest_d[k]).collect();
    let mut r: Vec<i64> = rk.iter().map(|&k| rest_r[k]).collect();
    let pieces = search_open(&mut d, &mut r, m, &|a, b| prefer(dk[a], rk[b]))?;
    for &(a, b, x) in &pieces {
        rest_d[dk[a]] -= x;
        rest_r[rk[b]] -= x;
    }
    Some(pieces.into_iter().map(|(a, b, x)| (dk[a], rk[b], x)).collect())
}

/// [`search`] over rows that are all open.
fn search_open(
    rest_d: &mut [i64],
    rest_r: &mut [i64],
    m: i64,
    prefer: &impl Fn(usize, usize) -> u8,
) -> Option<Vec<Piece>> {
    let valid = |x: i64, a: i64, b: i64| {
        x >= m && x <= a.min(b) && !(a - x > 0 && a - x < m) && !(b - x > 0 && b - x < m)
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut steps = 0usize;
    let mut descend = true;
    loop {
        if descend {
            let Some(r) = rest_r.iter().position(|&x| x > 0) else {
                return Some(
                    stack.iter().filter_map(|f| f.applied.map(|(d, x)| (d, f.recipient, x))).collect(),
                );
            };
            let y = rest_r[r];
            let mut donors: Vec<usize> = (0..rest_d.len()).filter(|&d| rest_d[d] > 0).collect();
            donors.sort_by_key(|&d| (prefer(d, r), d));
            let mut options = Vec::new();
            for d in donors {
                let x = rest_d[d];
                let mut tried: [i64; 3] = [x.min(y), x - m, y - m];
                for k in 0..3 {
                    let z = tried[k];
                    if valid(z, x, y) && !tried[..k].contains(&z) {
                        options.push((d, z));
                    } else {
                        tried[k] = -1;
                    }
                }
            }
            stack.push(Frame { recipient: r, options, next: 0, applied: None });
        }
        // Advance the top frame: undo its option, apply the next, or backtrack.
        let top = stack.last_mut()?;
        if let Some((d, x)) = top.applied.take() {
            rest_d[d] += x;
            rest_r[top.recipient] += x;
        }
        if top.next < top.options.len() {
            steps += 1;
            if steps > STEPS {
                // Undo everything applied below, so the caller sees the rests as they were.
                for f in &stack {
                    if let Some((d, x)) = f.applied {
                        rest_d[d] += x;
                        rest_r[f.recipient] += x;
                    }
                }
                return None;
            }
            let (d, x) = top.options[top.next];
            top.next += 1;
            top.applied = Some((d, x));
            rest_d[d] -= x;
            rest_r[top.recipient] -= x;
            descend = true;
        } else {
            stack.pop();
            descend = false;
        }
    }
}

/// Every set of donor–recipient pairs, fewest pairs first (then by bit pattern), as a flow with at
/// least `m` on each pair used: the first feasible set's pieces, or `None` when no set is feasible,
/// which proves that no split exists. Only for pools with at most [`PROOF_EDGES`] pairs.
fn every_pair_set(give: &[i64], take: &[i64], m: i64) -> Option<Vec<Piece>> {
    let (nd, nr) = (give.len(), take.len());
    let edges = nd * nr;
    let mut masks: Vec<u32> = (1..(1u32 << edges)).collect();
    masks.sort_by_key(|&k| (k.count_ones(), k));
    for mask in masks {
        let used: Vec<(usize, usize)> =
            (0..edges).filter(|&e| mask & (1 << e) != 0).map(|e| (e / nr, e % nr)).collect();
        let mut rest_d = give.to_vec();
        let mut rest_r = take.to_vec();
        for &(d, r) in &used {
            rest_d[d] -= m;
            rest_r[r] -= m;
        }
        if rest_d.iter().chain(&rest_r).any(|&x| x < 0) {
            continue;
        }
        // Every donor and recipient with an amount needs a pair.
        if (0..nd).any(|d| give[d] > 0 && !used.iter().any(|e| e.0 == d))
            || (0..nr).any(|r| take[r] > 0 && !used.iter().any(|e| e.1 == r))
        {
            continue;
        }
        if let Some(extra) = transport(&rest_d, &rest_r, &used) {
            return Some(used.iter().zip(extra).map(|(&(d, r), x)| (d, r, m + x)).collect());
        }
    }
    None
}

/// Amounts on the pairs `used` that send every `supply` to every `demand` exactly (totals equal), by
/// augmenting paths; `None` when impossible. Tiny graphs only.
fn transport(supply: &[i64], demand: &[i64], used: &[(usize, usize)]) -> Option<Vec<i64>> {
    let mut flow = vec![0i64; used.len()];
    let mut s = supply.to_vec();
    let mut t = demand.to_vec();
    // Breadth-first augmenting paths from donors with supply left to recipients with demand left,
    // forward along any pair, backward along pairs with flow.
    loop {
        if t.iter().all(|&x| x == 0) {
            return s.iter().all(|&x| x == 0).then_some(flow);
        }
        // prev[node] for donors (0..nd) and recipients (nd..): (previous node, pair, forward?)
        let (nd, nr) = (s.len(), t.len());
        let mut prev: Vec<Option<(usize, usize, bool)>> = vec![None; nd + nr];
        let mut seen = vec![false; nd + nr];
        let mut queue: Vec<usize> = (0..nd).filter(|&d| s[d] > 0).collect();
        for &d in &queue {
            seen[d] = true;
        }
        let mut head = 0;
        let mut end = None;
        while head < queue.len() {
            let u = queue[head];
            head += 1;
            if u >= nd && t[u - nd] > 0 {
                end = Some(u);
                break;
            }
            for (e, &(d, r)) in used.iter().enumerate() {
                let (from, to, forward) = if u == d {
                    (d, nd + r, true)
                } else if u == nd + r && flow[e] > 0 {
                    (nd + r, d, false)
                } else {
                    continue;
                };
                if !seen[to] {
                    seen[to] = true;
                    prev[to] = Some((from, e, forward));
                    queue.push(to);
                }
            }
        }
        let end = end?;
        // Bottleneck along the path.
        let mut delta = t[end - nd];
        let mut v = end;
        while let Some((u, e, forward)) = prev[v] {
            if !forward {
                delta = delta.min(flow[e]);
            }
            v = u;
        }
        delta = delta.min(s[v]);
        let start = v;
        let mut v = end;
        while let Some((u, e, forward)) = prev[v] {
            flow[e] += if forward { delta } else { -delta };
            v = u;
        }
        s[start] -= delta;
        t[end - nd] -= delta;
    }
}
