//! Splitting one pool's changes into transfers (from, to, amount) a decision can list.
//!
//! Three passes of the north-west corner rule: donors and recipients of the same investor first, then
//! of the same locality, then all that is left, each pass over rows in portfolio order. Every transfer
//! uses up its donor or its recipient (or both), and the last one uses up both because the pool
//! balances, so a pool with `D` donors and `R` recipients gets at most `D + R − 1` transfers. A pair
//! never meets twice: after a pass over a group one side of the group is used up.

use std::collections::BTreeMap;

use crate::domain::{Portfolio, Source};
use crate::money::Money;

use super::Transfer;

/// Splits the pool's releases and additions (portfolio row, amount in đồng; both sides sum to the
/// same total) into transfers, sorted by donor row then recipient row.
pub(crate) fn split(
    portfolio: &Portfolio,
    source: Source,
    donors: &[(usize, i64)],
    recipients: &[(usize, i64)],
) -> Vec<Transfer> {
    let rows = portfolio.rows();
    let mut give: Vec<(usize, i64)> = donors.iter().copied().filter(|d| d.1 > 0).collect();
    let mut take: Vec<(usize, i64)> = recipients.iter().copied().filter(|r| r.1 > 0).collect();
    let mut out = Vec::new();
    let passes: [Option<fn(&crate::domain::Project) -> &str>; 3] =
        [Some(|p| p.investor.as_str()), Some(|p| p.locality.as_str()), None];
    for key in passes {
        // Group donor and recipient positions by key (one group when `key` is None).
        let mut groups: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for (k, &(row, left)) in give.iter().enumerate() {
            if left > 0 {
                groups.entry(key.map_or("", |f| f(&rows[row]))).or_default().0.push(k);
            }
        }
        for (k, &(row, left)) in take.iter().enumerate() {
            if left > 0 {
                groups.entry(key.map_or("", |f| f(&rows[row]))).or_default().1.push(k);
            }
        }
        for (gd, gr) in groups.values() {
            let (mut i, mut j) = (0, 0);
            while i < gd.len() && j < gr.len() {
                let (d, r) = (&mut give[gd[i]], &mut take[gr[j]]);
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
    }
    out.sort_by_key(|t| (t.from, t.to));
    out
}
