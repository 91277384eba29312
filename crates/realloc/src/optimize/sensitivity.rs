//! Explaining a solved pool: its shadow price, the best recipient left unfunded, the caps that bind and
//! why it moved nothing or stopped where it did, in the analyst's words.

use crate::domain::Portfolio;
use crate::model::Model;
use crate::money::Money;

use super::fast::{donor_order, recipient_order};
use super::problem::{CapKind, PoolProblem, PoolSolution};

/// What [`analyse`] found about one pool.
pub(crate) struct PoolReport {
    /// Value of one more million VND in the pool.
    pub shadow_price: f64,
    /// Best recipient with room left.
    pub best_unfunded: Option<usize>,
    /// Binding caps: (side constraint index, where).
    pub binding: Vec<(usize, String)>,
    /// Notes in the analyst's words.
    pub notes: Vec<String>,
}

/// Caps named one by one in a note; beyond that, a count and the first few.
const NAMED: usize = 3;

/// Explains the solution `s` of pool `p`; `dropped` moves were removed for being below `min_transfer`.
pub(crate) fn analyse(
    portfolio: &Portfolio,
    model: &Model,
    p: &PoolProblem,
    s: &PoolSolution,
    dropped: usize,
) -> PoolReport {
    let rows = portfolio.rows();
    let pool = p.source.code();
    let unit = model.settings.min_unit.dong();
    let million = |units: i64| Money::from_dong(units * unit).to_million_string();
    let id = |row: usize| rows[row].id.as_str();
    let mut notes = Vec::new();

    // Caps: how much room each has left, and which bind (full, with a member that could give more).
    let used: Vec<i64> = (0..p.caps.len()).map(|c| p.cap_use(c, &s.r)).collect();
    let mut binding = Vec::new();
    let mut binding_caps: Vec<Vec<usize>> = vec![Vec::new(); model.constraints.len()];
    for (c, cap) in p.caps.iter().enumerate() {
        let blocked = cap.members.iter().any(|&d| s.r[d] < p.donors[d].cap);
        if used[c] >= cap.limit && blocked {
            let at = match cap.kind {
                CapKind::Pool => pool.to_owned(),
                _ => format!("{pool}: {}", cap.label),
            };
            binding.push((cap.constraint, at));
            binding_caps[cap.constraint].push(c);
        }
    }

    let recipients = recipient_order(p);
    let donors = donor_order(p);
    let best = recipients.iter().copied().find(|&j| s.a[j] < p.recipients[j].cap);
    let dearest_used = donors.iter().rev().copied().find(|&d| s.r[d] > 0);
    let candidates = [best.map(|j| p.recipients[j].value), dearest_used.map(|d| p.donors[d].value)];
    let shadow_price =
        candidates.into_iter().flatten().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    // The next donor that could still give: room under its bound and under every cap it is in.
    let room = |d: usize| {
        let donor = &p.donors[d];
        donor.caps.iter().fold(donor.cap - s.r[d], |m, &c| m.min(p.caps[c].limit - used[c]))
    };
    let next_donor = donors.iter().copied().find(|&d| room(d) > 0);

    let moved = s.moved();
    if p.donors.is_empty() {
        let mut n = format!(
            "{pool}: no row can release capital: every one of its {} rows is locked ({}), already disbursed or not slow enough to give",
            p.rows, p.locked
        );
        if p.small_donors > 0 {
            n.push_str(&format!("; {} rows could release less than one min_transfer", p.small_donors));
        }
        notes.push(n);
    }
    if p.recipients.is_empty() {
        let mut n = format!(
            "{pool}: no row can absorb more capital: every one of its {} rows is locked, fully funded up to its total investment or not eligible to receive",
            p.rows
        );
        if p.small_recipients > 0 {
            n.push_str(&format!("; {} rows could absorb less than one min_transfer", p.small_recipients));
        }
        notes.push(n);
    }
    if !p.donors.is_empty() && !p.recipients.is_empty() {
        let n_give = s.r.iter().filter(|&&x| x > 0).count();
        let n_take = s.a.iter().filter(|&&x| x > 0).count();
        if moved > 0 {
            notes.push(format!(
                "{pool}: moves {} million VND from {n_give} donor rows to {n_take} recipient rows",
                million(moved)
            ));
        }
        let why = match (best, next_donor) {
            (None, _) => "every recipient is funded up to what it can absorb".to_owned(),
            (Some(_), None) if binding.is_empty() => "every donor has released all it may".to_owned(),
            (Some(_), None) => {
                "every donor has released all its bounds and the side constraints allow".to_owned()
            }
            (Some(j), Some(d)) => {
                let (r, g) = (&p.recipients[j], &p.donors[d]);
                if r.value <= g.value {
                    format!(
                        "the best recipient left, `{}` (value_in {:.3}), is worth no more than the cheapest donor left, `{}` (value_out {:.3})",
                        id(r.row),
                        r.value,
                        id(g.row),
                        g.value
                    )
                } else {
                    format!(
                        "the next move, from `{}` to `{}`, would be smaller than min_transfer",
                        id(g.row),
                        id(r.row)
                    )
                }
            }
        };
        if moved == 0 {
            notes.push(format!("{pool}: nothing moves: {why}"));
        } else {
            notes.push(format!("{pool}: it stops there because {why}"));
        }
    }
    for (ci, caps) in binding_caps.iter().enumerate() {
        if caps.is_empty() {
            continue;
        }
        let name = &model.constraints[ci].name;
        let named: Vec<String> = caps
            .iter()
            .take(NAMED)
            .map(|&c| {
                let cap = &p.caps[c];
                match cap.kind {
                    CapKind::Pool => format!("the pool may move at most {} million VND", million(cap.limit)),
                    CapKind::Locality => {
                        format!("locality {} may lose at most {} million VND", cap.label, million(cap.limit))
                    }
                    CapKind::Investor => {
                        format!("investor {} may lose at most {} million VND", cap.label, million(cap.limit))
                    }
                }
            })
            .collect();
        let more =
            if caps.len() > NAMED { format!(" and {} more", caps.len() - NAMED) } else { String::new() };
        notes.push(format!("{pool}: side constraint `{name}` binds: {}{more}", named.join("; ")));
    }
    if dropped > 0 {
        notes.push(format!(
            "{pool}: {dropped} partial move(s) smaller than min_transfer ({} million VND) were dropped",
            model.settings.min_transfer.to_million_string()
        ));
    }
    PoolReport {
        shadow_price: shadow_price.unwrap_or(0.0),
        best_unfunded: best.map(|j| p.recipients[j].row),
        binding,
        notes,
    }
}
