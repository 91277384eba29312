//! Explaining a solved pool: its shadow price, the best recipient left unfunded, the caps that bind and
//! why it moved nothing or stopped where it did, as structured notes the documents put in words.

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::money::Money;

use super::fast::{donor_order, recipient_order};
use super::problem::{CapKind, PoolProblem, PoolSolution};

/// One thing the optimiser says about a pool; the documents put it in words in the reader's language.
///
/// `R` names a row: a portfolio row index in a [`PoolOutcome`](super::PoolOutcome), a project id in a
/// proposal document (see [`PoolNote::map_rows`]). Amounts are exact [`Money`], serialised in whole đồng
/// under `_vnd` names as everywhere in the JSON contract.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PoolNote<R = usize> {
    /// The pool moved `amount` from `donors` rows to `recipients` rows.
    Moved {
        /// Amount moved (Σ released = Σ added).
        #[serde(rename = "amount_vnd")]
        amount: Money,
        /// Rows that give.
        donors: usize,
        /// Rows that receive.
        recipients: usize,
    },
    /// No row of the pool can release capital.
    NoDonors {
        /// Rows in the pool.
        rows: usize,
        /// Of them, rows locked by the input.
        locked: usize,
        /// Rows that could release something, but less than one `min_transfer`.
        small: usize,
    },
    /// No row of the pool can absorb more capital.
    NoRecipients {
        /// Rows in the pool.
        rows: usize,
        /// Rows that could absorb something, but less than one `min_transfer`.
        small: usize,
    },
    /// The pool has donors and recipients, yet nothing moves.
    NothingMoves {
        /// Why.
        reason: StopReason<R>,
    },
    /// The pool moved capital and stopped there.
    Stops {
        /// Why.
        reason: StopReason<R>,
    },
    /// A side constraint limits the pool.
    Binds {
        /// The constraint's name in the rules.
        constraint: String,
        /// The first binding caps (at most three), in the order of the caps.
        caps: Vec<BindingCap>,
        /// How many more caps of this constraint bind in the pool.
        more: usize,
    },
    /// Partial moves smaller than `min_transfer` were dropped after solving.
    Dropped {
        /// How many moves.
        moves: usize,
        /// The `min_transfer` setting.
        #[serde(rename = "min_transfer_vnd")]
        min_transfer: Money,
    },
    /// The exact search for `min_transfer` stopped at its node budget before proving the proposal
    /// optimal; it may lack at most `gap` of objective.
    SearchLimit {
        /// Nodes explored.
        nodes: usize,
        /// Proven bound on the objective the pool may lack (value-weighted million VND).
        gap: f64,
    },
}

/// Why a pool moved nothing or stopped where it did.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopReason<R = usize> {
    /// Every recipient is funded up to what it can absorb.
    RecipientsFull,
    /// Every donor has released all its bounds allow.
    DonorsExhausted,
    /// Every donor has released all its bounds and the side constraints allow (some cap binds).
    DonorsExhaustedByCaps,
    /// The best recipient left is worth no more than the cheapest donor left.
    NotWorthMore {
        /// The best recipient with room left.
        recipient: R,
        /// Its `value_in`.
        value_in: f64,
        /// The cheapest donor that could still give.
        donor: R,
        /// Its `value_out`.
        value_out: f64,
    },
    /// The next move would be smaller than `min_transfer`.
    BelowMinTransfer {
        /// The donor of that move.
        from: R,
        /// The recipient of that move.
        to: R,
        /// The `min_transfer` setting.
        #[serde(rename = "min_transfer_vnd")]
        min_transfer: Money,
    },
}

/// One cap of a side constraint that binds: its members release exactly `limit` and one could give more.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct BindingCap {
    /// What the cap limits.
    pub scope: CapScope,
    /// The locality or investor name, or the pool code.
    pub name: String,
    /// Most the members may release together.
    #[serde(rename = "limit_vnd")]
    pub limit: Money,
}

/// What a binding cap limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CapScope {
    /// The amount moved in the whole pool.
    Pool,
    /// What one locality (commune or ward) loses in the pool.
    Locality,
    /// What one investor loses in the pool.
    Investor,
}

impl<R> StopReason<R> {
    /// The same reason with each row mapped by `f`.
    pub fn map_rows<S>(&self, mut f: impl FnMut(&R) -> S) -> StopReason<S> {
        match self {
            StopReason::RecipientsFull => StopReason::RecipientsFull,
            StopReason::DonorsExhausted => StopReason::DonorsExhausted,
            StopReason::DonorsExhaustedByCaps => StopReason::DonorsExhaustedByCaps,
            StopReason::NotWorthMore { recipient, value_in, donor, value_out } => StopReason::NotWorthMore {
                recipient: f(recipient),
                value_in: *value_in,
                donor: f(donor),
                value_out: *value_out,
            },
            StopReason::BelowMinTransfer { from, to, min_transfer } => {
                StopReason::BelowMinTransfer { from: f(from), to: f(to), min_transfer: *min_transfer }
            }
        }
    }
}

impl<R> PoolNote<R> {
    /// The same note with each row mapped by `f`: from portfolio indices to project ids, say.
    ///
    /// ```
    /// use realloc::money::Money;
    /// use realloc::optimize::{PoolNote, StopReason};
    ///
    /// let ids = ["D1", "R1"];
    /// let note: PoolNote = PoolNote::Stops {
    ///     reason: StopReason::BelowMinTransfer { from: 0, to: 1, min_transfer: Money::from_dong(50_000_000) },
    /// };
    /// let named: PoolNote<String> = note.map_rows(|&i| ids[i].to_owned());
    /// assert!(matches!(named, PoolNote::Stops { reason: StopReason::BelowMinTransfer { ref from, .. } } if from == "D1"));
    /// ```
    pub fn map_rows<S>(&self, f: impl FnMut(&R) -> S) -> PoolNote<S> {
        match self {
            PoolNote::Moved { amount, donors, recipients } => {
                PoolNote::Moved { amount: *amount, donors: *donors, recipients: *recipients }
            }
            PoolNote::NoDonors { rows, locked, small } => {
                PoolNote::NoDonors { rows: *rows, locked: *locked, small: *small }
            }
            PoolNote::NoRecipients { rows, small } => PoolNote::NoRecipients { rows: *rows, small: *small },
            PoolNote::NothingMoves { reason } => PoolNote::NothingMoves { reason: reason.map_rows(f) },
            PoolNote::Stops { reason } => PoolNote::Stops { reason: reason.map_rows(f) },
            PoolNote::Binds { constraint, caps, more } => {
                PoolNote::Binds { constraint: constraint.clone(), caps: caps.clone(), more: *more }
            }
            PoolNote::Dropped { moves, min_transfer } => {
                PoolNote::Dropped { moves: *moves, min_transfer: *min_transfer }
            }
            PoolNote::SearchLimit { nodes, gap } => PoolNote::SearchLimit { nodes: *nodes, gap: *gap },
        }
    }
}

/// What [`analyse`] found about one pool.
pub(crate) struct PoolReport {
    /// Value of one more million VND in the pool.
    pub shadow_price: f64,
    /// Best recipient with room left.
    pub best_unfunded: Option<usize>,
    /// Binding caps: (side constraint index, where).
    pub binding: Vec<(usize, String)>,
    /// What to say about the pool.
    pub notes: Vec<PoolNote>,
}

/// Caps named one by one in a note; beyond that, a count.
const NAMED: usize = 3;

/// Explains the solution `s` of pool `p`; `dropped` moves were removed for being below `min_transfer`.
pub(crate) fn analyse(model: &Model, p: &PoolProblem, s: &PoolSolution, dropped: usize) -> PoolReport {
    let pool = p.key.label();
    let unit = model.settings.min_unit.dong();
    let money = |units: i64| Money::from_dong(units.saturating_mul(unit));
    let mut notes = Vec::new();

    // Caps: how much room each has left, and which bind (full, with a member that could give more).
    let used: Vec<i64> = (0..p.caps.len()).map(|c| p.cap_use(c, &s.r)).collect();
    let mut binding = Vec::new();
    let mut binding_caps: Vec<Vec<usize>> = vec![Vec::new(); model.constraints.len()];
    for (c, cap) in p.caps.iter().enumerate() {
        let blocked = cap.members.iter().any(|&d| s.r[d] < p.donors[d].cap);
        if used[c] >= cap.limit && blocked {
            let at = match cap.kind {
                CapKind::Pool => pool.clone(),
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
        notes.push(PoolNote::NoDonors { rows: p.rows, locked: p.locked, small: p.small_donors });
    }
    if p.recipients.is_empty() {
        notes.push(PoolNote::NoRecipients { rows: p.rows, small: p.small_recipients });
    }
    if !p.donors.is_empty() && !p.recipients.is_empty() {
        if moved > 0 {
            notes.push(PoolNote::Moved {
                amount: money(moved),
                donors: s.r.iter().filter(|&&x| x > 0).count(),
                recipients: s.a.iter().filter(|&&x| x > 0).count(),
            });
        }
        let reason = match (best, next_donor) {
            (None, _) => StopReason::RecipientsFull,
            (Some(_), None) if binding.is_empty() => StopReason::DonorsExhausted,
            (Some(_), None) => StopReason::DonorsExhaustedByCaps,
            (Some(j), Some(d)) => {
                let (r, g) = (&p.recipients[j], &p.donors[d]);
                if r.value <= g.value {
                    StopReason::NotWorthMore {
                        recipient: r.row,
                        value_in: r.value,
                        donor: g.row,
                        value_out: g.value,
                    }
                } else {
                    StopReason::BelowMinTransfer {
                        from: g.row,
                        to: r.row,
                        min_transfer: model.settings.min_transfer,
                    }
                }
            }
        };
        notes.push(if moved == 0 { PoolNote::NothingMoves { reason } } else { PoolNote::Stops { reason } });
    }
    for (ci, caps) in binding_caps.iter().enumerate() {
        if caps.is_empty() {
            continue;
        }
        let named = caps
            .iter()
            .take(NAMED)
            .map(|&c| {
                let cap = &p.caps[c];
                let scope = match cap.kind {
                    CapKind::Pool => CapScope::Pool,
                    CapKind::Locality => CapScope::Locality,
                    CapKind::Investor => CapScope::Investor,
                };
                BindingCap { scope, name: cap.label.clone(), limit: money(cap.limit) }
            })
            .collect();
        notes.push(PoolNote::Binds {
            constraint: model.constraints[ci].name.clone(),
            caps: named,
            more: caps.len().saturating_sub(NAMED),
        });
    }
    if dropped > 0 {
        notes.push(PoolNote::Dropped { moves: dropped, min_transfer: model.settings.min_transfer });
    }
    PoolReport {
        shadow_price: shadow_price.unwrap_or(0.0),
        best_unfunded: best.map(|j| p.recipients[j].row),
        binding,
        notes,
    }
}
