//! Building one integer problem per pool from the portfolio and the model: bounds floored to whole
//! `min_unit`s, side constraints turned into caps on groups of donors.
//!
//! Everything here counts *units* of `min_unit` in `i64`; đồng only come back in [`super::propose`].

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::domain::{Portfolio, Source};
use crate::model::{Model, PipelineRow, PoolKey, SideConstraintKind, pools_of};
use crate::money::Money;

use super::OptimizeError;

/// A row that may release capital.
#[derive(Clone, Debug)]
pub(crate) struct Donor {
    /// Portfolio row.
    pub row: usize,
    /// Most units it may release (r̄ floored to units).
    pub cap: i64,
    /// Worth of one million VND taken from it.
    pub value: f64,
    /// Indices into [`PoolProblem::caps`] of the caps it belongs to.
    pub caps: Vec<usize>,
}

/// A row that may absorb capital.
#[derive(Clone, Debug)]
pub(crate) struct Recipient {
    /// Portfolio row.
    pub row: usize,
    /// Most units it may absorb (ā floored to units).
    pub cap: i64,
    /// Worth of one million VND added to it.
    pub value: f64,
}

/// What a cap limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CapKind {
    /// Loss share of one locality within the pool.
    Locality,
    /// Loss share of one investor within the pool.
    Investor,
    /// What the whole pool may move.
    Pool,
}

/// `Σ r over members ≤ limit`, from one declared side constraint.
#[derive(Clone, Debug)]
pub(crate) struct Cap {
    /// Index of the side constraint in [`Model::constraints`].
    pub constraint: usize,
    /// What it limits.
    pub kind: CapKind,
    /// The locality or investor name, or the pool code.
    pub label: String,
    /// Most units the members may release together.
    pub limit: i64,
    /// Donor indices (into [`PoolProblem::donors`]), ascending.
    pub members: Vec<usize>,
}

/// The problem of one pool, in units of `min_unit`.
#[derive(Clone, Debug)]
pub(crate) struct PoolProblem {
    /// The pool's capital source.
    pub source: Source,
    /// The pool: its source, and the agreement or locality that splits it.
    pub key: PoolKey,
    /// The pool's name in the LP export (`NSTW`, `NSTW_ODA_2`).
    pub name: String,
    /// Possible donors, by row index.
    pub donors: Vec<Donor>,
    /// Possible recipients, by row index.
    pub recipients: Vec<Recipient>,
    /// Caps that can bind (redundant ones are left out), in declaration order then label order.
    pub caps: Vec<Cap>,
    /// Smallest non-zero move of a row, in units (at least 1).
    pub min_units: i64,
    /// Rows of the pool.
    pub rows: usize,
    /// Locked rows of the pool.
    pub locked: usize,
    /// Rows with some releasable capital, but less than one `min_transfer`.
    pub small_donors: usize,
    /// Rows with some absorbable room, but less than one `min_transfer`.
    pub small_recipients: usize,
    /// Rows whose change is forced ([`Model::forced`]): each must move its whole `cap`. They carry a
    /// value of `∓M` (donor `−M`, recipient `+M`) that makes any exact solver use them in full
    /// whenever the pool can; their own values are kept here for the pool's objective and notes.
    pub forced: Vec<Forced>,
}

/// A forced row of a pool.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Forced {
    /// True for a donor (a forced release), false for a recipient.
    pub donor: bool,
    /// Index into [`PoolProblem::donors`] or [`PoolProblem::recipients`].
    pub index: usize,
    /// The row's own value (`value_out` or `value_in`).
    pub value: f64,
}

/// A solution of a [`PoolProblem`]: units released per donor and absorbed per recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PoolSolution {
    /// Units released, aligned with [`PoolProblem::donors`].
    pub r: Vec<i64>,
    /// Units absorbed, aligned with [`PoolProblem::recipients`].
    pub a: Vec<i64>,
}

impl PoolSolution {
    /// Nothing moves.
    pub fn zero(p: &PoolProblem) -> PoolSolution {
        PoolSolution { r: vec![0; p.donors.len()], a: vec![0; p.recipients.len()] }
    }

    /// Units moved (Σ r).
    pub fn moved(&self) -> i64 {
        self.r.iter().sum()
    }
}

impl PoolProblem {
    /// Gives the forced rows their value `∓M`, `M = (1 + 2·max |value|)·(rows + 2)`: one more unit
    /// of a forced row gains more than any chain of exchanges among the other rows can lose, so an
    /// exact solver uses every forced row in full whenever the pool allows it.
    fn weigh_forced(&mut self) {
        if self.forced.is_empty() {
            return;
        }
        let max = self
            .donors
            .iter()
            .map(|d| d.value.abs())
            .chain(self.recipients.iter().map(|x| x.value.abs()))
            .fold(0.0f64, f64::max);
        let big = (1.0 + 2.0 * max) * (self.donors.len() + self.recipients.len() + 2) as f64;
        for f in &self.forced {
            if f.donor {
                self.donors[f.index].value = -big;
            } else {
                self.recipients[f.index].value = big;
            }
        }
    }

    /// The pool with the forced rows' own values back (for its objective and its notes).
    pub fn with_own_values(&self) -> std::borrow::Cow<'_, PoolProblem> {
        if self.forced.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut q = self.clone();
        for f in &self.forced {
            if f.donor {
                q.donors[f.index].value = f.value;
            } else {
                q.recipients[f.index].value = f.value;
            }
        }
        std::borrow::Cow::Owned(q)
    }

    /// The forced rows not moved in full under `s`: (portfolio row, units asked, units moved).
    pub fn forced_short(&self, s: &PoolSolution) -> Vec<(usize, i64, i64)> {
        self.forced
            .iter()
            .filter_map(|f| {
                let (row, cap, got) = if f.donor {
                    (self.donors[f.index].row, self.donors[f.index].cap, s.r[f.index])
                } else {
                    (self.recipients[f.index].row, self.recipients[f.index].cap, s.a[f.index])
                };
                (got != cap).then_some((row, cap, got))
            })
            .collect()
    }

    /// Units released by the members of cap `c`.
    pub fn cap_use(&self, c: usize, r: &[i64]) -> i64 {
        self.caps[c].members.iter().map(|&d| r[d]).sum()
    }

    /// True when every bound, cap and the balance row hold, and every non-zero move is at least
    /// `min_units`.
    pub fn is_feasible(&self, s: &PoolSolution) -> bool {
        let bounds = self.donors.iter().zip(&s.r).all(|(d, &r)| r >= 0 && r <= d.cap)
            && self.recipients.iter().zip(&s.a).all(|(x, &a)| a >= 0 && a <= x.cap);
        let caps = (0..self.caps.len()).all(|c| self.cap_use(c, &s.r) <= self.caps[c].limit);
        let small = s.r.iter().chain(&s.a).all(|&x| x == 0 || x >= self.min_units);
        bounds && caps && small && s.r.iter().sum::<i64>() == s.a.iter().sum::<i64>()
    }

    /// The same pool without the donors and recipients marked, with maps from the new indices back to
    /// the old ones.
    pub fn without(
        &self,
        drop_donors: &[bool],
        drop_recipients: &[bool],
    ) -> (PoolProblem, Vec<usize>, Vec<usize>) {
        let dmap: Vec<usize> = (0..self.donors.len()).filter(|&d| !drop_donors[d]).collect();
        let rmap: Vec<usize> = (0..self.recipients.len()).filter(|&r| !drop_recipients[r]).collect();
        let mut new_index = vec![usize::MAX; self.donors.len()];
        for (k, &d) in dmap.iter().enumerate() {
            new_index[d] = k;
        }
        let mut q = PoolProblem {
            donors: dmap.iter().map(|&d| Donor { caps: Vec::new(), ..self.donors[d].clone() }).collect(),
            recipients: rmap.iter().map(|&r| self.recipients[r].clone()).collect(),
            caps: Vec::new(),
            ..self.clone_header()
        };
        for cap in &self.caps {
            let members: Vec<usize> =
                cap.members.iter().map(|&d| new_index[d]).filter(|&k| k != usize::MAX).collect();
            let c = q.caps.len();
            for &k in &members {
                q.donors[k].caps.push(c);
            }
            q.caps.push(Cap { members, ..cap.clone() });
        }
        (q, dmap, rmap)
    }

    /// The pool's scalar fields, with no rows or caps.
    pub fn clone_header(&self) -> PoolProblem {
        PoolProblem {
            donors: Vec::new(),
            recipients: Vec::new(),
            caps: Vec::new(),
            forced: Vec::new(),
            key: self.key.clone(),
            name: self.name.clone(),
            ..*self
        }
    }

    /// True when the caps form a laminar family (any two that share a donor are nested), the case
    /// where the greedy of [`super::fast`] is exact.
    pub fn caps_laminar(&self, keep: impl Fn(&Cap) -> bool) -> bool {
        let kept: Vec<bool> = self.caps.iter().map(keep).collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for d in &self.donors {
            for (i, &x) in d.caps.iter().enumerate() {
                for &y in &d.caps[i + 1..] {
                    if kept[x] && kept[y] {
                        pairs.push((x.min(y), x.max(y)));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.chunk_by(|p, q| p == q).all(|run| {
            let (x, y) = run[0];
            run.len() == self.caps[x].members.len().min(self.caps[y].members.len())
        })
    }
}

/// Units in `amount`, rounded down.
fn units(amount: Money, unit: i64) -> i64 {
    amount.dong().div_euclid(unit)
}

/// `share × plan` in whole units, always rounded down, computed exactly in integers (no float
/// tolerance can make a cap more generous than its share).
///
/// A share written with at most nine decimals (0.3, 0.125) is taken as that decimal: `0.3` in `f64`
/// is a hair below 3/10, and 30% of 1,000 units must be 300, not 299. Any other share is taken as the
/// exact binary fraction the `f64` holds. Either way `⌊share × plan_dong / unit⌋` is computed in
/// `i128` on đồng, so a plan at the top of the range (999,999,999.999 million VND) gets exactly its
/// share, never a few hundred đồng more.
pub(crate) fn share_cap_units(share: f64, plan_dong: i128, unit: i64) -> i64 {
    /// Caps beyond this are as good as none (and keep the solvers' sums far from overflow).
    const NONE: i64 = i64::MAX / 4;
    if !share.is_finite() || share <= 0.0 || plan_dong <= 0 || unit <= 0 {
        return 0;
    }
    let unit = i128::from(unit);
    let scaled = share * 1e9;
    let decimal = scaled.round();
    let units = if (scaled - decimal).abs() < 1e-6 && decimal < 1e18 {
        // At most nine decimals: share = decimal / 10⁹ exactly.
        (decimal as i128).checked_mul(plan_dong).map(|x| x / (1_000_000_000 * unit))
    } else {
        // The f64 exactly: mantissa × 2^exponent.
        let bits = share.to_bits();
        let raw_exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = (bits & ((1u64 << 52) - 1)) as i128;
        let (mantissa, exponent) =
            if raw_exp == 0 { (frac, -1074) } else { (frac | (1i128 << 52), raw_exp - 1075) };
        mantissa.checked_mul(plan_dong).and_then(|x| {
            if exponent >= 0 {
                x.checked_mul(1i128.checked_shl(exponent as u32)?).map(|y| y / unit)
            } else if exponent <= -127 {
                Some(0)
            } else {
                Some((x >> (-exponent) as u32) / unit)
            }
        })
    };
    units.map_or(NONE, |u| u.clamp(0, i128::from(NONE)) as i64)
}

/// Localities and investors of the portfolio as dense ids, numbered in name order.
#[derive(Clone, Debug)]
pub(crate) struct Groups {
    /// Locality id of each row.
    pub locality: Vec<u32>,
    /// Investor id of each row.
    pub investor: Vec<u32>,
    /// Locality names by id (sorted).
    pub locality_names: Vec<String>,
    /// Investor names by id (sorted).
    pub investor_names: Vec<String>,
    /// Plan of each row in đồng (read once, so that building caps does not walk the rows again).
    pub plan: Vec<i64>,
    /// What the row's investor offered back in writing (`requested_change < 0`), in đồng, 0 for none:
    /// an offer does not count against a locality's or an investor's loss-share cap.
    pub offer: Vec<i64>,
}

impl Groups {
    /// Numbers the localities and investors of `portfolio`, then of the pipeline projects (rows
    /// `portfolio.len()..`, plan 0).
    pub fn new(portfolio: &Portfolio, pipeline: &[PipelineRow]) -> Groups {
        let rows = portfolio.rows();
        let (locality, locality_names) =
            intern(rows.iter().map(|p| &*p.locality).chain(pipeline.iter().map(|x| &*x.locality)));
        let (investor, investor_names) =
            intern(rows.iter().map(|p| &*p.investor).chain(pipeline.iter().map(|x| &*x.investor)));
        let plan = rows.iter().map(|p| p.plan.dong()).chain(pipeline.iter().map(|_| 0)).collect();
        let offer = rows
            .iter()
            .map(|p| p.extra.requested_change.map_or(0, |c| (-c).max_zero().dong()))
            .chain(pipeline.iter().map(|_| 0))
            .collect();
        Groups { locality, investor, locality_names, investor_names, plan, offer }
    }
}

/// Dense ids for strings, numbered in sorted order so that no hash order leaks out.
fn intern<'a>(names: impl Iterator<Item = &'a str>) -> (Vec<u32>, Vec<String>) {
    // The ids are renumbered in name order afterwards, so the hash order never shows.
    let mut first: FxHashMap<&str, u32> = FxHashMap::default();
    let mut unique: Vec<&str> = Vec::new();
    let ids: Vec<u32> = names
        .map(|name| {
            *first.entry(name).or_insert_with(|| {
                unique.push(name);
                (unique.len() - 1) as u32
            })
        })
        .collect();
    let mut order: Vec<u32> = (0..unique.len() as u32).collect();
    order.sort_unstable_by_key(|&k| unique[k as usize]);
    let mut rank = vec![0u32; unique.len()];
    for (r, &k) in order.iter().enumerate() {
        rank[k as usize] = r as u32;
    }
    let names = order.iter().map(|&k| unique[k as usize].to_owned()).collect();
    (ids.into_iter().map(|k| rank[k as usize]).collect(), names)
}

/// Builds the problem of every pool present, in the order of [`Source::ALL`]. The model has been
/// checked by [`super::validate`].
pub(crate) fn build(
    portfolio: &Portfolio,
    model: &Model,
    groups: &Groups,
) -> Result<Vec<PoolProblem>, OptimizeError> {
    let unit = model.settings.min_unit.dong();
    let min_units = model.settings.min_transfer.dong().div_euclid(unit)
        + i64::from(model.settings.min_transfer.dong().rem_euclid(unit) != 0);
    let min_units = min_units.max(1);
    let (keys, index) = pools_of(portfolio, model);
    let mut pool_rows: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    for (row, k) in index.iter().enumerate() {
        if let Some(k) = *k {
            pool_rows[k].push(row);
        }
    }
    // A pool's name in the LP export: the source code, with a number when the source is split.
    let mut seen_of_source = [0usize; Source::ALL.len()];
    let named: Vec<(PoolKey, String, &Vec<usize>)> = keys
        .into_iter()
        .zip(&pool_rows)
        .map(|(key, rows)| {
            let name = if key.agreement.is_none() && key.locality.is_none() {
                key.source.code().to_owned()
            } else {
                seen_of_source[key.source.index()] += 1;
                format!("{}_{}", key.source.code(), seen_of_source[key.source.index()])
            };
            (key, name, rows)
        })
        .collect();
    // Pools share no row: they are built in parallel, in pool order (the first pool that fails, in
    // that order, is the one reported).
    let built: Vec<Result<PoolProblem, OptimizeError>> = named
        .into_par_iter()
        .map(|(key, name, all_rows)| pool_problem(portfolio, model, groups, key, name, all_rows, min_units))
        .collect();
    built.into_iter().collect()
}

/// The problem of one pool, whose rows are `all_rows` (ascending; pipeline rows from
/// `portfolio.len()` on).
fn pool_problem(
    portfolio: &Portfolio,
    model: &Model,
    groups: &Groups,
    key: PoolKey,
    name: String,
    all_rows: &[usize],
    min_units: i64,
) -> Result<PoolProblem, OptimizeError> {
    let unit = model.settings.min_unit.dong();
    let n = portfolio.len();
    let source = key.source;
    let split = all_rows.partition_point(|&r| r < n);
    let (rows, pipeline_rows) = all_rows.split_at(split);
    let mut p = PoolProblem {
        source,
        key,
        name,
        donors: Vec::new(),
        recipients: Vec::new(),
        caps: Vec::new(),
        min_units,
        rows: rows.len(),
        locked: 0,
        small_donors: 0,
        small_recipients: 0,
        forced: Vec::new(),
    };
    // The donor index of each of `rows`, `usize::MAX` for a row that gives nothing.
    let mut donor_of = vec![usize::MAX; rows.len()];
    let mut total: [i128; 2] = [0, 0];
    for (at, &row) in rows.iter().enumerate() {
        let (project, b) = (&portfolio.rows()[row], &model.rows[row]);
        p.locked += usize::from(project.locked);
        let r = units(b.releasable, unit);
        let a = units(b.absorbable, unit);
        let forced = model.forced.binary_search(&row).is_ok();
        if forced && r > 0 {
            p.forced.push(Forced { donor: true, index: p.donors.len(), value: b.value_out });
        } else if forced && a > 0 {
            p.forced.push(Forced { donor: false, index: p.recipients.len(), value: b.value_in });
        }
        if r >= min_units || (forced && r > 0) {
            donor_of[at] = p.donors.len();
            p.donors.push(Donor { row, cap: r, value: b.value_out, caps: Vec::new() });
            total[0] += i128::from(r);
        } else if b.releasable > Money::ZERO {
            p.small_donors += 1;
        }
        if a >= min_units || (forced && a > 0) {
            p.recipients.push(Recipient { row, cap: a, value: b.value_in });
            total[1] += i128::from(a);
        } else if b.absorbable > Money::ZERO {
            p.small_recipients += 1;
        }
    }
    // Pipeline projects: recipients after the portfolio's rows.
    for &row in pipeline_rows {
        let x = &model.pipeline[row - n];
        let a = units(x.absorbable, unit);
        if a >= min_units {
            p.recipients.push(Recipient { row, cap: a, value: x.value_in });
            total[1] += i128::from(a);
        }
    }
    // Sums of units must stay far from overflow in the solvers' running totals.
    if total.iter().any(|&t| t > i128::from(i64::MAX / 4)) {
        return Err(OptimizeError::TooLarge { pool: source });
    }
    add_caps(model, groups, rows, &donor_of, &mut p, unit);
    p.weigh_forced();
    Ok(p)
}

/// Adds the caps of the side constraints to a pool's problem; `donor_of[i]` is the donor index of
/// `rows[i]` (`usize::MAX`: not a donor).
fn add_caps(
    model: &Model,
    groups: &Groups,
    rows: &[usize],
    donor_of: &[usize],
    p: &mut PoolProblem,
    unit: i64,
) {
    for (ci, sc) in model.constraints.iter().enumerate() {
        let (kind, share) = match sc.kind {
            SideConstraintKind::LocalityLossShare { max_share } => (CapKind::Locality, max_share),
            SideConstraintKind::InvestorLossShare { max_share } => (CapKind::Investor, max_share),
            SideConstraintKind::PoolMoveCap { source, max } => {
                if source.is_some_and(|s| s != p.source) {
                    continue;
                }
                let limit = units(max, unit);
                let members: Vec<usize> = (0..p.donors.len()).collect();
                push_cap(
                    p,
                    Cap { constraint: ci, kind: CapKind::Pool, label: p.key.label(), limit, members },
                );
                continue;
            }
        };
        // Group the pool's rows by locality or investor: plan over every row, donors among them.
        let (ids, names) = match kind {
            CapKind::Locality => (&groups.locality, &groups.locality_names),
            _ => (&groups.investor, &groups.investor_names),
        };
        // (group id, position in `rows`)
        let mut keyed: Vec<(u32, usize)> = rows.iter().enumerate().map(|(at, &row)| (ids[row], at)).collect();
        keyed.sort_unstable();
        for group in keyed.chunk_by(|x, y| x.0 == y.0) {
            let members: Vec<usize> =
                group.iter().map(|&(_, at)| donor_of[at]).filter(|&d| d != usize::MAX).collect();
            if members.is_empty() {
                continue;
            }
            let plan: i128 = group.iter().map(|&(_, at)| i128::from(groups.plan[rows[at]])).sum();
            // The members' own offers come on top of the share: a loss-share cap protects a locality
            // or an investor from cuts it did not ask for, not from capital its investors offered back.
            let offered: i64 = group
                .iter()
                .filter(|&&(_, at)| donor_of[at] != usize::MAX)
                .map(|&(_, at)| {
                    units(Money::from_dong(groups.offer[rows[at]]), unit).min(p.donors[donor_of[at]].cap)
                })
                .sum();
            let limit = share_cap_units(share, plan, unit).saturating_add(offered);
            let label = names[group[0].0 as usize].clone();
            push_cap(p, Cap { constraint: ci, kind, label, limit, members });
        }
    }
}
/// Adds a cap unless its members could never reach it.
fn push_cap(p: &mut PoolProblem, cap: Cap) {
    let reach: i64 = cap.members.iter().map(|&d| p.donors[d].cap).sum();
    if cap.limit >= reach {
        return;
    }
    let c = p.caps.len();
    for &d in &cap.members {
        p.donors[d].caps.push(c);
    }
    p.caps.push(cap);
}
