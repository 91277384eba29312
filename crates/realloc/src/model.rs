//! The optimisation model of DOMAIN.md section 4, as the rules hand it to the optimiser.
//!
//! **Boundary:** [`crate::rules`] produces an [`Assessment`]; [`crate::optimize`] reads its [`Model`]
//! together with the [`Portfolio`](crate::domain::Portfolio) (for pools, localities and investors).
//! Neither side knows how the other is written.

use serde::Serialize;

use crate::domain::Source;
use crate::money::Money;

/// Bounds and values of one portfolio row.
///
/// **Invariant:** a row is a possible donor (`releasable > 0`) or a possible recipient
/// (`absorbable > 0`), never both; a locked row has both at zero;
/// `releasable <= plan - disbursed`; `absorbable <= total_investment - allocated_before - plan`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RowBounds {
    /// The most that may be taken from the row (r̄).
    pub releasable: Money,
    /// The most that may be added to the row (ā).
    pub absorbable: Money,
    /// Worth of one million VND added to the row.
    pub value_in: f64,
    /// Worth of one million VND taken from the row.
    pub value_out: f64,
}

/// Granularity of moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Moves are whole multiples of this amount (default 1 million VND).
    pub min_unit: Money,
    /// Each non-zero change of a row is at least this amount (default one `min_unit`).
    pub min_transfer: Money,
}

impl Default for Settings {
    fn default() -> Settings {
        let million = Money::from_dong(crate::money::DONG_PER_MILLION);
        Settings { min_unit: million, min_transfer: million }
    }
}

/// A side constraint declared in the rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideConstraint {
    /// Name shown in the JSON `constraints` list and in the documents.
    pub name: String,
    /// What it limits.
    pub kind: SideConstraintKind,
}

/// What a side constraint limits. Shares are fractions (0.3 is 30%).
///
/// Loss caps apply within each capital source (pool): "a locality loses at most 30% of its NSTW plan",
/// so that pools stay independent of each other.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SideConstraintKind {
    /// In every pool, what the rows of one locality release is at most `max_share` of their plan.
    LocalityLossShare {
        /// Largest share of the locality's plan in the pool that may be taken away.
        max_share: f64,
    },
    /// In every pool, what the rows of one investor release is at most `max_share` of their plan.
    InvestorLossShare {
        /// Largest share of the investor's plan in the pool that may be taken away.
        max_share: f64,
    },
    /// The amount moved within a pool (Σ released) is at most `max`.
    PoolMoveCap {
        /// The pool capped, or every pool when `None`.
        source: Option<Source>,
        /// Largest amount moved.
        max: Money,
    },
}

/// The model the optimiser solves: one [`RowBounds`] per portfolio row, in portfolio order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Model {
    /// Bounds and values, aligned with [`Portfolio::rows`](crate::domain::Portfolio::rows).
    pub rows: Vec<RowBounds>,
    /// Granularity of moves.
    pub settings: Settings,
    /// Side constraints, in the order declared.
    pub constraints: Vec<SideConstraint>,
}

/// What the rules concluded about one row, with the model's bounds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowAssessment {
    /// Difficulty (obstacle) groups the row falls in, by rule id; several may match.
    pub groups: Vec<String>,
    /// Pace class id (for example `fast`, `on_track`, `slow`, `stalled`).
    pub pace: String,
    /// Priority tier of Law 58/2024 Art. 54(4), 1 highest to 13.
    pub priority: u8,
    /// Forecast disbursement by the deadline.
    pub forecast: Money,
    /// Bounds and values for the optimiser.
    pub bounds: RowBounds,
    /// Why the row may give or receive capital, in the analyst's words (empty for neither).
    pub reason: String,
}

/// A difficulty (obstacle) group as the rules define it, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupInfo {
    /// Rule id, as found in [`RowAssessment::groups`].
    pub id: String,
    /// Vietnamese name of the group.
    pub label_vi: String,
    /// English name of the group.
    pub label_en: String,
    /// The remedy a review meeting (giao ban) records for the group, in Vietnamese.
    pub remedy_vi: String,
    /// The remedy in English.
    pub remedy_en: String,
}

/// The rules' verdict on a whole portfolio.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Assessment {
    /// One assessment per portfolio row, in portfolio order.
    pub rows: Vec<RowAssessment>,
    /// The difficulty groups the rules define, in their order.
    pub groups: Vec<GroupInfo>,
    /// The model to optimise (its rows are the `bounds` of `rows`).
    pub model: Model,
}
