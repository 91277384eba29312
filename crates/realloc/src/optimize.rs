//! The reallocation proposal: the model of DOMAIN.md section 4 solved per pool, exact to the đồng.
//!
//! TODO(optimiser helper): implement; the signatures below are the contract others code against.

use serde::Serialize;

use crate::domain::{Portfolio, Source};
use crate::model::Model;
use crate::money::Money;

/// One move of capital between two rows of the same pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// Portfolio row index of the donor.
    pub from: usize,
    /// Portfolio row index of the recipient.
    pub to: usize,
    /// The pool.
    pub source: Source,
    /// Amount moved, a positive whole number of `min_unit`.
    pub amount: Money,
}

/// What happened in one pool.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PoolOutcome {
    /// The pool.
    pub source: Source,
    /// Amount moved (Σ released = Σ added).
    pub moved: Money,
    /// Value of one more million VND released into the pool (its shadow price).
    pub shadow_price: f64,
    /// Portfolio row of the best recipient left (partly) unfunded, if any.
    pub best_unfunded: Option<usize>,
    /// Why the pool moved nothing or stopped where it did, in the analyst's words.
    pub notes: Vec<String>,
}

/// A side constraint after solving.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConstraintOutcome {
    /// Name from the rules.
    pub name: String,
    /// Kind (`locality_loss_share`, `investor_loss_share`, `pool_move_cap`).
    pub kind: String,
    /// True when the constraint holds with equality somewhere and so limits the proposal.
    pub binding: bool,
}

/// The proposal: a change per row and the transfers that realise it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proposal {
    /// Change of each portfolio row (added − released), in portfolio order.
    pub changes: Vec<Money>,
    /// Transfers, deterministic order.
    pub transfers: Vec<Transfer>,
    /// Σ value_in·a − Σ value_out·r with amounts in million VND.
    pub objective: f64,
    /// One outcome per pool present, in the order of [`Source::ALL`].
    pub pools: Vec<PoolOutcome>,
    /// Side constraints, in the order declared.
    pub constraints: Vec<ConstraintOutcome>,
    /// The solver that produced the proposal.
    pub solver: String,
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
}

/// Solves the model and splits the changes into transfers.
pub fn propose(portfolio: &Portfolio, model: &Model) -> Result<Proposal, OptimizeError> {
    if model.rows.len() != portfolio.len() {
        return Err(OptimizeError::RowCount { model: model.rows.len(), portfolio: portfolio.len() });
    }
    Ok(Proposal {
        changes: vec![Money::ZERO; portfolio.len()],
        transfers: Vec::new(),
        objective: 0.0,
        pools: Vec::new(),
        constraints: Vec::new(),
        solver: String::new(),
    })
}
