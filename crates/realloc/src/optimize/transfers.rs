//! Splitting one pool's changes into transfers (from, to, amount) a decision can list.
//!
//! Three passes of the north-west corner rule: donors and recipients of the same investor first, then
//! of the same locality, then all that is left, each pass over rows in portfolio order. Every transfer
//! uses up its donor or its recipient (or both), and the last one uses up both because the pool
//! balances, so a pool with `D` donors and `R` recipients gets at most `D + R − 1` transfers. A pair
//! never meets twice: after a pass over a group one side of the group is used up.

use crate::domain::Source;
use crate::money::Money;

use super::Transfer;
use super::problem::Groups;

/// Splits the pool's releases and additions (portfolio row, amount in đồng; both sides sum to the
/// same total) into transfers, sorted by donor row then recipient row.
pub(crate) fn split(
    groups: &Groups,
    source: Source,
    donors: &[(usize, i64)],
    recipients: &[(usize, i64)],
) -> Vec<Transfer> {
    let mut give: Vec<(usize, i64)> = donors.iter().copied().filter(|d| d.1 > 0).collect();
    let mut take: Vec<(usize, i64)> = recipients.iter().copied().filter(|r| r.1 > 0).collect();
    let mut out = Vec::new();
    let passes: [Option<&[u32]>; 3] = [Some(&groups.investor), Some(&groups.locality), None];
    for key in passes {
        // Positions of donors and recipients with something left, ordered by group then row.
        let group = |row: usize| key.map_or(0, |ids| ids[row]);
        let mut gd: Vec<(u32, usize)> =
            give.iter().enumerate().filter(|(_, d)| d.1 > 0).map(|(k, d)| (group(d.0), k)).collect();
        let mut gr: Vec<(u32, usize)> =
            take.iter().enumerate().filter(|(_, r)| r.1 > 0).map(|(k, r)| (group(r.0), k)).collect();
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
            let (d, r) = (&mut give[gd[i].1], &mut take[gr[j].1]);
            let x = d.1.min(r.1);
            out.push(Transfer { from: d.0, to: r.0, source, amount: Money::from_dong(x) });
            d.1 -= x;
            r.1 -= x;
            if d.1 == 0 {
                i += 1;
            }
            if r.1 == 0 {
                j += 1;
            }
        }
    }
    out.sort_by_key(|t| (t.from, t.to));
    out
}
