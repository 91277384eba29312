//! The reallocation proposal: the model of DOMAIN.md section 4 solved per pool, exact to the đồng.
//!
//! Pools (capital sources) are independent: each has one balance row `Σ a = Σ r` and its own caps, so
//! each is solved alone, in units of `min_unit`:
//! - `problem` floors every bound to whole units and turns side constraints into caps on groups of
//!   donors;
//! - `fast` solves a pool exactly with a greedy when its caps are laminar (localities and the pool cap
//!   always are; investor caps when they nest with localities, or when they happen not to bind);
//! - `flow` solves the other pools exactly as min-cost flows, one per group of crossing caps;
//! - `lp` (good_lp with the pure-Rust `microlp` backend) is kept for checks and as a last resort;
//! - `round` turns the solver's floats into whole units that keep every bound, and repairs moves
//!   smaller than `min_transfer` (the starting points of the search);
//! - `exact` solves a pool exactly when `min_transfer` binds: a branch and bound over the
//!   semi-continuous model with the methods above as its relaxation, within a node budget (a pool that
//!   reaches it reports its proven gap);
//! - `transfers` splits the changes into transfers of at least `min_transfer` whenever it finds such a
//!   split (the others carry a [`BelowMinReason`]); `sensitivity` explains each pool;
//! - [`export_lp`] writes the model in CPLEX LP format for audit in any solver.
//! - `highs` (optional, the `highs` feature) hands each pool's whole model to HiGHS instead
//!   ([`Method::Highs`]), as an independent exact check.
//!
//! ```
//! use realloc::optimize::{export_lp, propose, random};
//!
//! let (portfolio, model) = random::instance(&random::RandomOptions::new(40, 7));
//! let proposal = propose(&portfolio, &model).unwrap();
//! let total: i64 = proposal.changes.iter().map(|c| c.dong()).sum();
//! assert_eq!(total, 0); // every pool balances, so the whole does too
//! assert!(proposal.transfers.iter().all(|t| t.amount.dong() > 0));
//! let lp = export_lp(&portfolio, &model).unwrap();
//! assert!(lp.starts_with("\\ realloc model") && lp.ends_with("End\n"));
//! ```

mod exact;
mod export;
mod fast;
mod flow;
mod highs;
mod lp;
mod problem;
pub mod random;
mod round;
mod sensitivity;
mod transfers;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use export::export_lp;
pub use sensitivity::{BindingCap, CapScope, PoolNote, StopReason};

use crate::domain::{Portfolio, Source};
use crate::model::{Model, PoolKey, SideConstraintKind};
use crate::money::{DONG_PER_MILLION, Money};

/// One move of capital between two rows of the same pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Transfer {
    /// Portfolio row index of the donor.
    pub from: usize,
    /// Portfolio row index of the recipient.
    pub to: usize,
    /// The pool.
    pub source: Source,
    /// Amount moved, a positive whole number of `min_unit`.
    pub amount: Money,
    /// Set only on a transfer below `min_transfer`: why the pool's changes were not split into
    /// transfers of at least `min_transfer` each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below_min_reason: Option<BelowMinReason>,
}

/// Why a transfer is below `min_transfer` (DOMAIN.md section 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BelowMinReason {
    /// No split of the pool's changes into transfers of at least `min_transfer` exists (proven by
    /// trying every set of donor–recipient pairs).
    NoSplitExists,
    /// The search for such a split ran out of its step budget; one may exist.
    SearchLimit,
}

/// What happened in one pool.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PoolOutcome {
    /// The pool's capital source.
    pub source: Source,
    /// The pool: its source, and the loan agreement or locality that splits it.
    pub key: PoolKey,
    /// Amount moved (Σ released = Σ added).
    pub moved: Money,
    /// The pool's share of the objective (million VND units).
    pub objective: f64,
    /// Value of one more million VND released into the pool (its shadow price): what the best
    /// recipient with room would add, or what the dearest donor used would keep, whichever is more;
    /// 0 when the pool has neither.
    pub shadow_price: f64,
    /// Portfolio row of the best recipient left (partly) unfunded, if any.
    pub best_unfunded: Option<usize>,
    /// How the pool was solved: `greedy` (exact, laminar caps), `greedy-relaxation` (exact: the greedy
    /// without some caps already kept them), `flow` (exact min-cost flow) or `lp` (general LP),
    /// followed by ` + branch and bound` when `min_transfer` made the pool a MIP (see [`PoolOutcome::gap`]).
    pub method: String,
    /// What moved, why the pool moved nothing or stopped where it did, and which caps bind; the
    /// documents put these in words (`report::text::pool_note`).
    pub notes: Vec<PoolNote>,
    /// Proven bound on how much objective (the units of [`PoolOutcome::objective`]) the pool's
    /// proposal may lack: 0 when it is proven optimal, positive only when the branch and bound for
    /// `min_transfer` stopped at its node budget (then a [`PoolNote::SearchLimit`] says so).
    pub gap: f64,
}

/// A side constraint after solving.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ConstraintOutcome {
    /// Name from the rules.
    pub name: String,
    /// Kind (`locality_loss_share`, `investor_loss_share`, `pool_move_cap`).
    pub kind: String,
    /// True when the constraint holds with equality somewhere and so limits the proposal.
    pub binding: bool,
    /// Where it binds: `POOL: locality or investor` (or the pool code for a pool cap), sorted.
    pub binding_at: Vec<String>,
}

/// The proposal: a change per row and the transfers that realise it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Proposal {
    /// Change of each portfolio row (added − released), in portfolio order.
    pub changes: Vec<Money>,
    /// What each pipeline project receives, aligned with [`Model::pipeline`]. Transfers name a
    /// pipeline project as row `portfolio.len() + k`.
    pub pipeline: Vec<Money>,
    /// Transfers, deterministic order (pool, donor row, recipient row).
    pub transfers: Vec<Transfer>,
    /// Σ value_in·a − Σ value_out·r with amounts in million VND.
    pub objective: f64,
    /// Total moved over all pools (Σ released).
    pub moved: Money,
    /// One outcome per pool present, in the order of [`Source::ALL`], then agreement or locality.
    pub pools: Vec<PoolOutcome>,
    /// Side constraints, in the order declared.
    pub constraints: Vec<ConstraintOutcome>,
    /// The solver that produced the proposal.
    pub solver: String,
}

/// How to solve the pools.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// The exact greedy where the structure allows, the general LP elsewhere.
    #[default]
    Auto,
    /// The min-cost flow for every pool (for checks).
    Flow,
    /// The general LP for every pool (slow; for checks).
    GeneralLp,
    /// Each pool's whole minimum-transfer model solved by HiGHS (`highs` feature; without it
    /// [`OptimizeError::NotBuilt`]): an independent exact check of the built-in solver.
    Highs,
}

impl Method {
    /// False only for [`Method::Highs`] in a build without the `highs` feature.
    pub fn is_available(self) -> bool {
        self != Method::Highs || highs::AVAILABLE
    }
}

/// Why no proposal could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OptimizeError {
    /// The model does not match the portfolio.
    #[error("the model has {model} rows but the portfolio has {portfolio}")]
    RowCount {
        /// Rows in the model.
        model: usize,
        /// Rows in the portfolio.
        portfolio: usize,
    },
    /// A row may both give and receive.
    #[error(
        "row {row} (project `{id}`, {pool}): both releasable ({releasable} million VND) and absorbable ({absorbable} million VND) are positive; a row gives or receives, never both"
    )]
    BothSides {
        /// Portfolio row.
        row: usize,
        /// Project id.
        id: String,
        /// Its pool.
        pool: Source,
        /// r̄.
        releasable: Money,
        /// ā.
        absorbable: Money,
    },
    /// A locked row has non-zero bounds.
    #[error(
        "row {row} (project `{id}`, {pool}) is locked but has releasable {releasable} and absorbable {absorbable} million VND; both must be 0"
    )]
    LockedWithBounds {
        /// Portfolio row.
        row: usize,
        /// Project id.
        id: String,
        /// Its pool.
        pool: Source,
        /// r̄.
        releasable: Money,
        /// ā.
        absorbable: Money,
    },
    /// A negative bound.
    #[error("row {row} (project `{id}`, {pool}): {field} is negative ({amount} million VND)")]
    NegativeBound {
        /// Portfolio row.
        row: usize,
        /// Project id.
        id: String,
        /// Its pool.
        pool: Source,
        /// `releasable` or `absorbable`.
        field: &'static str,
        /// The amount.
        amount: Money,
    },
    /// A value that is NaN or infinite.
    #[error("row {row} (project `{id}`, {pool}): {field} is not a finite number ({value})")]
    NotFinite {
        /// Portfolio row.
        row: usize,
        /// Project id.
        id: String,
        /// Its pool.
        pool: Source,
        /// `value_in` or `value_out`.
        field: &'static str,
        /// The value.
        value: f64,
    },
    /// `min_unit` is not positive.
    #[error("min_unit must be positive, found {min_unit} đồng")]
    MinUnit {
        /// The unit.
        min_unit: i64,
    },
    /// `min_transfer` is negative.
    #[error("min_transfer must not be negative, found {min_transfer} đồng")]
    MinTransfer {
        /// The amount.
        min_transfer: i64,
    },
    /// A share cap that is not a fraction ≥ 0.
    #[error("side constraint `{name}`: max_share must be a finite number ≥ 0, found {share}")]
    Share {
        /// Constraint name.
        name: String,
        /// The share.
        share: f64,
    },
    /// A negative pool move cap.
    #[error("side constraint `{name}`: max must not be negative, found {max} million VND")]
    NegativeCap {
        /// Constraint name.
        name: String,
        /// The cap.
        max: Money,
    },
    /// Amounts too large for exact integer arithmetic at this `min_unit`.
    #[error("pool {pool}: the bounds add up to more units of min_unit than exact arithmetic allows")]
    TooLarge {
        /// The pool.
        pool: Source,
    },
    /// A row whose change is forced ([`Model::forced`]) cannot be moved in full: its pool cannot
    /// balance it (not enough room on the other side, or a side constraint stops it).
    #[error(
        "row {row} (project `{id}`, {pool}): its change is forced to {asked} million VND, but the pool can balance only {placed} million VND of it (room on the other side, side constraints)"
    )]
    Forced {
        /// Portfolio row.
        row: usize,
        /// Project id.
        id: String,
        /// Its pool.
        pool: String,
        /// The forced change.
        asked: Money,
        /// What the pool could place (same sign).
        placed: Money,
    },
    /// The solver asked for is not in this build.
    #[error(
        "the solver `{solver}` is not in this build of realloc; build it with `cargo install vn-realloc-cli --features {solver}` (HiGHS needs cmake, a C++ compiler and libclang)"
    )]
    NotBuilt {
        /// The solver's name (`highs`).
        solver: &'static str,
    },
    /// The general LP solver failed.
    #[error("pool {pool}: the LP solver failed")]
    Solver {
        /// The pool.
        pool: Source,
        /// What the solver said.
        #[source]
        cause: good_lp::ResolutionError,
    },
}

/// The name of the per-pool exact solver, for the manifest.
const EXACT: &str = "realloc per-pool exact (greedy + min-cost flow)";
/// The same, when some pool needed the branch and bound for `min_transfer` and every search finished.
const EXACT_BNB: &str = "realloc per-pool exact (greedy + min-cost flow + branch and bound)";

/// Solves the model and splits the changes into transfers.
pub fn propose(portfolio: &Portfolio, model: &Model) -> Result<Proposal, OptimizeError> {
    propose_with(portfolio, model, Method::Auto)
}

/// One pool solved: its rows' changes, transfers, outcome and where its caps bind.
struct SolvedPool {
    changes: Vec<(usize, Money)>,
    transfers: Vec<Transfer>,
    binding: Vec<(usize, String)>,
    outcome: PoolOutcome,
}

/// Solves one pool exactly (with the branch and bound of `exact` when `min_transfer` binds), splits the
/// changes into transfers and analyses what limits the pool.
fn solve_whole_pool(
    model: &Model,
    groups: &problem::Groups,
    p: &problem::PoolProblem,
    method: Method,
) -> Result<SolvedPool, OptimizeError> {
    let unit = model.settings.min_unit.dong();
    let (root, how) = solve_pool(p, method)?;
    let (s, dropped, search) = semi_continuous(p, root, method)?;
    debug_assert!(p.is_feasible(&s), "pool {} solution breaks a bound, a cap or the balance", p.source);
    forced_check(model, p, &s)?;
    let p = &*p.with_own_values();
    let to_million = unit as f64 / DONG_PER_MILLION as f64;
    let gap = search.as_ref().map_or(0.0, |x| x.gap * to_million);
    let method = match &search {
        Some(_) => format!("{how} + branch and bound"),
        None => how.to_owned(),
    };
    let mut changes = Vec::with_capacity(p.donors.len() + p.recipients.len());
    let mut give = Vec::with_capacity(p.donors.len());
    let mut take = Vec::with_capacity(p.recipients.len());
    for (d, &r) in p.donors.iter().zip(&s.r) {
        changes.push((d.row, Money::from_dong(-r * unit)));
        give.push((d.row, r * unit));
    }
    for (x, &a) in p.recipients.iter().zip(&s.a) {
        changes.push((x.row, Money::from_dong(a * unit)));
        take.push((x.row, a * unit));
    }
    let transfers = transfers::split(groups, p.source, &give, &take, unit, p.min_units);
    let mut report = sensitivity::analyse(model, p, &s, dropped);
    if let Some(search) = search.as_ref().filter(|x| x.gap > 0.0) {
        report.notes.push(PoolNote::SearchLimit { nodes: search.nodes, gap });
    }
    Ok(SolvedPool {
        changes,
        transfers,
        binding: report.binding,
        outcome: PoolOutcome {
            source: p.source,
            key: p.key.clone(),
            moved: Money::from_dong(s.moved() * unit),
            objective: pool_objective(p, &s, unit),
            shadow_price: report.shadow_price,
            best_unfunded: report.best_unfunded,
            method,
            notes: report.notes,
            gap,
        },
    })
}

/// Refuses a solution that leaves a forced row short.
fn forced_check(
    model: &Model,
    p: &problem::PoolProblem,
    s: &problem::PoolSolution,
) -> Result<(), OptimizeError> {
    let unit = model.settings.min_unit.dong();
    let Some(&(row, asked, got)) = p.forced_short(s).first() else { return Ok(()) };
    let sign = if model.rows[row].releasable > Money::ZERO { -1 } else { 1 };
    Err(OptimizeError::Forced {
        row,
        id: String::new(),
        pool: p.key.label(),
        asked: Money::from_dong(sign * asked * unit),
        placed: Money::from_dong(sign * got * unit),
    })
}

/// The objective and the capital moved that [`propose`] would report for `model`, without splitting
/// the changes into transfers or analysing the pools: pricing a side constraint re-solves the whole
/// model once per constraint, and needs only these two figures.
pub fn propose_totals(portfolio: &Portfolio, model: &Model) -> Result<(f64, Money), OptimizeError> {
    validate(portfolio, model)?;
    let groups = problem::Groups::new(portfolio, &model.pipeline);
    let pools = problem::build(portfolio, model, &groups)?;
    let unit = model.settings.min_unit.dong();
    let solved: Vec<(Vec<(usize, Money)>, Money)> = pools
        .par_iter()
        .map(|p| {
            let (root, _) = solve_pool(p, Method::Auto)?;
            let (s, _, _) = semi_continuous(p, root, Method::Auto)?;
            let donors = p.donors.iter().zip(&s.r).map(|(d, &r)| (d.row, Money::from_dong(-r * unit)));
            let recipients = p.recipients.iter().zip(&s.a).map(|(x, &a)| (x.row, Money::from_dong(a * unit)));
            Ok((donors.chain(recipients).collect(), Money::from_dong(s.moved() * unit)))
        })
        .collect::<Result<_, OptimizeError>>()?;
    let mut changes = vec![Money::ZERO; portfolio.len()];
    let mut pipeline = vec![Money::ZERO; model.pipeline.len()];
    let mut moved = Money::ZERO;
    for (pool, pool_moved) in solved {
        place(&mut changes, &mut pipeline, pool);
        moved += pool_moved;
    }
    Ok((objective(model, &changes, &pipeline), moved))
}

/// Puts a pool's row changes in place: the optimiser numbers the pipeline projects after the
/// portfolio's rows.
fn place(changes: &mut [Money], pipeline: &mut [Money], pool: Vec<(usize, Money)>) {
    let n = changes.len();
    for (row, change) in pool {
        match row.checked_sub(n) {
            None => changes[row] = change,
            Some(k) => pipeline[k] = change,
        }
    }
}

/// [`propose`] with a choice of method.
pub fn propose_with(portfolio: &Portfolio, model: &Model, method: Method) -> Result<Proposal, OptimizeError> {
    validate(portfolio, model)?;
    if !method.is_available() {
        return Err(OptimizeError::NotBuilt { solver: "highs" });
    }
    let groups = problem::Groups::new(portfolio, &model.pipeline);
    let pools = problem::build(portfolio, model, &groups)?;
    // Pools share nothing: they are solved in parallel and merged in pool order, so the result does
    // not depend on the number of threads.
    let solved: Vec<SolvedPool> =
        pools.par_iter().map(|p| solve_whole_pool(model, &groups, p, method)).collect::<Result<_, _>>()?;
    let mut changes = vec![Money::ZERO; portfolio.len()];
    let mut pipeline = vec![Money::ZERO; model.pipeline.len()];
    let mut transfers = Vec::new();
    let mut outcomes = Vec::with_capacity(pools.len());
    let mut binding_at: Vec<Vec<String>> = vec![Vec::new(); model.constraints.len()];
    let mut used_lp = false;
    let mut used_fast = false;
    let mut used_bnb = false;
    for pool in solved {
        used_bnb |= pool.outcome.method.ends_with("branch and bound");
        if pool.outcome.method.starts_with("lp") {
            used_lp = true;
        } else {
            used_fast = true;
        }
        place(&mut changes, &mut pipeline, pool.changes);
        transfers.extend(pool.transfers);
        for (c, at) in pool.binding {
            binding_at[c].push(at);
        }
        outcomes.push(pool.outcome);
    }
    let constraints = model
        .constraints
        .iter()
        .zip(binding_at)
        .map(|(c, mut at)| {
            at.sort();
            ConstraintOutcome {
                name: c.name.clone(),
                kind: kind_code(&c.kind).to_owned(),
                binding: !at.is_empty(),
                binding_at: at,
            }
        })
        .collect();
    let exact = if used_bnb { EXACT_BNB } else { EXACT };
    let mut solver = match (used_fast, used_lp) {
        (_, false) => exact.to_owned(),
        (false, true) => lp::NAME.to_owned(),
        (true, true) => format!("{exact} + {}", lp::NAME),
    };
    if method == Method::Highs {
        solver = highs::NAME.to_owned();
    }
    // "Exact" only when every pool is proven: otherwise say which pools stopped and by how much.
    let open: Vec<&PoolOutcome> = outcomes.iter().filter(|o| o.gap > 0.0).collect();
    if !open.is_empty() {
        let gap: f64 = open.iter().map(|o| o.gap).sum();
        let pools: Vec<&str> = open.iter().map(|o| o.source.code()).collect();
        solver = format!(
            "{}; not proven optimal in {} (branch and bound stopped at its node budget, proven gap at most {gap:.6})",
            solver.replacen("exact ", "", 1),
            pools.join(", ")
        );
    }
    Ok(Proposal {
        objective: objective(model, &changes, &pipeline),
        moved: outcomes.iter().map(|o| o.moved).sum(),
        changes,
        pipeline,
        transfers,
        pools: outcomes,
        constraints,
        solver,
    })
}

/// Solves one pool exactly (greedy, or min-cost flow), or with the general LP when asked or when
/// the structure is beyond the exact paths; returns the solution and the method's name.
fn solve_pool(
    p: &problem::PoolProblem,
    method: Method,
) -> Result<(problem::PoolSolution, &'static str), OptimizeError> {
    let solved = match method {
        Method::Auto => match fast::solve(p) {
            Some((s, fast::FastOutcome::Laminar)) => Some((s, "greedy")),
            Some((s, fast::FastOutcome::Relaxation)) => Some((s, "greedy-relaxation")),
            None => flow::solve(p).map(|s| (s, "flow")),
        },
        Method::Flow => flow::solve(p).map(|s| (s, "flow")),
        Method::GeneralLp => None,
        Method::Highs => return Ok((highs::solve(p)?, "highs")),
    };
    match solved {
        Some(x) => Ok(x),
        None => Ok((lp::solve(p)?, "lp")),
    }
}

/// The best solution of pool `p` whose moves are all 0 or at least `min_transfer`, from its LP optimum
/// `root`: `root` itself when it already is, else the branch and bound of [`exact`] started from the
/// better of two repairs (of `root`, and of the pool solved again without its small rows). Returns the
/// solution, how many moves of `root` were below `min_transfer`, and the search when one ran.
fn semi_continuous(
    p: &problem::PoolProblem,
    root: problem::PoolSolution,
    method: Method,
) -> Result<(problem::PoolSolution, usize, Option<exact::Search>), OptimizeError> {
    if !exact::has_small(p, &root) {
        return Ok((root, 0, None));
    }
    let small = root.r.iter().chain(&root.a).filter(|&&x| x > 0 && x < p.min_units).count();
    let mut plain = root.clone();
    round::min_transfer(p, &mut plain);
    let (mut other, _) = resolve_without_small(p, root.clone(), method)?;
    round::min_transfer(p, &mut other);
    let incumbent = if exact::value(p, &other) > exact::value(p, &plain) { other } else { plain };
    let search = exact::solve(p, root, incumbent, |q| solve_pool(q, method).map(|x| x.0))?;
    Ok((search.solution.clone(), small, Some(search)))
}

/// Solves the pool again and again, each time without the rows whose move came out below
/// `min_transfer` (at most a few rounds); returns the last solution in the pool's own indices and how
/// many rows were left out.
fn resolve_without_small(
    p: &problem::PoolProblem,
    first: problem::PoolSolution,
    method: Method,
) -> Result<(problem::PoolSolution, usize), OptimizeError> {
    const ROUNDS: usize = 4;
    let small = |x: i64| x > 0 && x < p.min_units;
    let mut out_d = vec![false; p.donors.len()];
    let mut out_r = vec![false; p.recipients.len()];
    let mut s = first;
    for _ in 0..ROUNDS {
        let mut any = false;
        for (k, &x) in s.r.iter().enumerate() {
            if small(x) {
                out_d[k] = true;
                any = true;
            }
        }
        for (k, &x) in s.a.iter().enumerate() {
            if small(x) {
                out_r[k] = true;
                any = true;
            }
        }
        if !any {
            break;
        }
        let (q, dmap, rmap) = p.without(&out_d, &out_r);
        let (t, _) = solve_pool(&q, method)?;
        s = problem::PoolSolution::zero(p);
        for (k, &x) in t.r.iter().enumerate() {
            s.r[dmap[k]] = x;
        }
        for (k, &x) in t.a.iter().enumerate() {
            s.a[rmap[k]] = x;
        }
    }
    let excluded = out_d.iter().chain(&out_r).filter(|&&x| x).count();
    Ok((s, excluded))
}

/// Σ value_in·a − Σ value_out·r over all rows, then Σ value_in·a over the pipeline projects, amounts
/// in million VND, summed in row order.
pub fn objective(model: &Model, changes: &[Money], pipeline: &[Money]) -> f64 {
    let mil = |c: &Money| c.dong() as f64 / DONG_PER_MILLION as f64;
    let rows: f64 = model
        .rows
        .iter()
        .zip(changes)
        .map(|(b, c)| {
            let m = mil(c);
            if m > 0.0 { b.value_in * m } else { b.value_out * m }
        })
        .sum();
    rows + model.pipeline.iter().zip(pipeline).map(|(x, c)| x.value_in * mil(c)).sum::<f64>()
}

/// The pool's share of the objective.
fn pool_objective(p: &problem::PoolProblem, s: &problem::PoolSolution, unit: i64) -> f64 {
    let mil = |u: i64| (u * unit) as f64 / DONG_PER_MILLION as f64;
    let gain: f64 = p.recipients.iter().zip(&s.a).map(|(x, &a)| x.value * mil(a)).sum();
    let cost: f64 = p.donors.iter().zip(&s.r).map(|(d, &r)| d.value * mil(r)).sum();
    gain - cost
}

/// The JSON code of a side constraint kind.
pub fn kind_code(kind: &SideConstraintKind) -> &'static str {
    match kind {
        SideConstraintKind::LocalityLossShare { .. } => "locality_loss_share",
        SideConstraintKind::InvestorLossShare { .. } => "investor_loss_share",
        SideConstraintKind::PoolMoveCap { .. } => "pool_move_cap",
    }
}

/// Refuses a model the optimiser cannot trust (see [`OptimizeError`]).
fn validate(portfolio: &Portfolio, model: &Model) -> Result<(), OptimizeError> {
    if model.rows.len() != portfolio.len() {
        return Err(OptimizeError::RowCount { model: model.rows.len(), portfolio: portfolio.len() });
    }
    let s = &model.settings;
    if s.min_unit.dong() <= 0 {
        return Err(OptimizeError::MinUnit { min_unit: s.min_unit.dong() });
    }
    if s.min_transfer.dong() < 0 {
        return Err(OptimizeError::MinTransfer { min_transfer: s.min_transfer.dong() });
    }
    for (row, (p, b)) in portfolio.rows().iter().zip(&model.rows).enumerate() {
        let pool = p.source;
        let id = || p.id.clone();
        for (field, amount) in [("releasable", b.releasable), ("absorbable", b.absorbable)] {
            if amount < Money::ZERO {
                return Err(OptimizeError::NegativeBound { row, id: id().to_string(), pool, field, amount });
            }
        }
        for (field, value) in [("value_in", b.value_in), ("value_out", b.value_out)] {
            if !value.is_finite() {
                return Err(OptimizeError::NotFinite { row, id: id().to_string(), pool, field, value });
            }
        }
        let (releasable, absorbable) = (b.releasable, b.absorbable);
        if p.locked && (releasable > Money::ZERO || absorbable > Money::ZERO) {
            return Err(OptimizeError::LockedWithBounds {
                row,
                id: id().to_string(),
                pool,
                releasable,
                absorbable,
            });
        }
        if releasable > Money::ZERO && absorbable > Money::ZERO {
            return Err(OptimizeError::BothSides { row, id: id().to_string(), pool, releasable, absorbable });
        }
    }
    for c in &model.constraints {
        match c.kind {
            SideConstraintKind::LocalityLossShare { max_share }
            | SideConstraintKind::InvestorLossShare { max_share } => {
                if !max_share.is_finite() || max_share < 0.0 {
                    return Err(OptimizeError::Share { name: c.name.clone(), share: max_share });
                }
            }
            SideConstraintKind::PoolMoveCap { max, .. } => {
                if max < Money::ZERO {
                    return Err(OptimizeError::NegativeCap { name: c.name.clone(), max });
                }
            }
        }
    }
    Ok(())
}
