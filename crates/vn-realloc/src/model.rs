//! The optimisation model of DOMAIN.md section 4, as the rules hand it to the optimiser.
//!
//! **Boundary:** [`crate::rules`] produces an [`Assessment`]; [`crate::optimize`] reads its [`Model`]
//! together with the [`Portfolio`] (for pools, localities and investors).
//! Neither side knows how the other is written.

use serde::Serialize;

use std::sync::Arc;

use crate::domain::{Portfolio, Project, Source};
use crate::money::Money;

/// Bounds and values of one portfolio row.
///
/// **Invariant:** a row is a possible donor (`releasable > 0`) or a possible recipient
/// (`absorbable > 0`), never both; a locked row has both at zero;
/// `releasable <= plan - disbursed`; `absorbable <= total_investment - allocated_before - plan`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
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

/// A side constraint's name with its percentage written from its value: a name from the rules
/// that says `30%` while the constraint's share is 0.2 (edited in the rules, or varied by `sweep`)
/// reads `20%`. Only the first percentage of a share constraint's name is rewritten; other names are
/// kept as written.
///
/// ```
/// use realloc::model::SideConstraintKind;
/// use realloc::model::constraint_name;
///
/// let kind = SideConstraintKind::LocalityLossShare { max_share: 0.2 };
/// let name = "Mỗi xã, phường giảm tối đa 30% kế hoạch vốn của nguồn";
/// assert_eq!(constraint_name(name, &kind), "Mỗi xã, phường giảm tối đa 20% kế hoạch vốn của nguồn");
/// let kind = SideConstraintKind::InvestorLossShare { max_share: 0.225 };
/// assert_eq!(constraint_name("tối đa 30 %", &kind), "tối đa 22,5%");
/// assert_eq!(constraint_name("Giới hạn riêng", &kind), "Giới hạn riêng");
/// ```
pub fn constraint_name(name: &str, kind: &SideConstraintKind) -> String {
    use SideConstraintKind as K;
    let share = match kind {
        K::LocalityLossShare { max_share } | K::InvestorLossShare { max_share } => *max_share,
        _ => return name.to_owned(),
    };
    let Some(pct_at) = name.find('%') else { return name.to_owned() };
    let before = name[..pct_at].trim_end();
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == ',' || *c == '.')
        .last()
        .map_or(before.len(), |(i, _)| i);
    if start == before.len() {
        return name.to_owned();
    }
    let pct = share * 100.0;
    // Written as the rules' names are, in Vietnamese: `20%`, `22,5%`.
    let shown = if (pct - pct.round()).abs() < 1e-9 {
        format!("{}", pct.round() as i64)
    } else {
        format!("{pct:.1}").replace('.', ",")
    };
    format!("{}{shown}%{}", &name[..start], &name[pct_at + 1..])
}

/// The model the optimiser solves: one [`RowBounds`] per portfolio row, in portfolio order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Model {
    /// Bounds and values, aligned with [`Portfolio::rows`](crate::domain::Portfolio::rows).
    pub rows: Vec<RowBounds>,
    /// Granularity of moves.
    pub settings: Settings,
    /// Side constraints, in the order declared.
    pub constraints: Vec<SideConstraint>,
    /// How capital sources are split into pools (none: one pool per source).
    pub pools: Vec<PoolRule>,
    /// Pipeline projects that may receive, after every annual-plan recipient of their pool.
    pub pipeline: Vec<PipelineRow>,
    /// Portfolio rows whose change is forced (an overrides file's `[[set]] change`), ascending: the
    /// optimiser moves the row's whole bound (`releasable` or `absorbable`), or refuses
    /// ([`crate::optimize::OptimizeError::Forced`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forced: Vec<usize>,
}

/// What splits the pool of a capital source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PoolSplit {
    /// One pool per loan agreement (`agreement`); a row without one neither gives nor receives.
    Agreement,
    /// One pool per commune or ward (`locality`).
    Locality,
}

impl PoolSplit {
    /// The code used in rules files and JSON.
    pub const fn code(self) -> &'static str {
        match self {
            PoolSplit::Agreement => "agreement",
            PoolSplit::Locality => "locality",
        }
    }
}

/// A named rule that splits the pools of some capital sources (`[[pools]]` of the rules).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PoolRule {
    /// Rule id.
    pub id: String,
    /// What it says, Vietnamese (shown for a row it keeps out).
    pub label: String,
    /// The sources it splits.
    pub sources: Vec<Source>,
    /// By what.
    pub split: PoolSplit,
}

/// One pool: a capital source, and the loan agreement or locality that splits it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
pub struct PoolKey {
    /// The capital source.
    pub source: Source,
    /// The loan agreement, when the source is split by agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Arc<str>>,
    /// The commune or ward, when the source is split by locality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locality: Option<Arc<str>>,
}

impl PoolKey {
    /// The pool of a whole source.
    pub fn source(source: Source) -> PoolKey {
        PoolKey { source, agreement: None, locality: None }
    }

    /// A short label: `NSTW`, `NSTW_ODA: ADB-3345`, `CTMTQG_NTM: Xã Tân Thành`.
    pub fn label(&self) -> String {
        match (&self.agreement, &self.locality) {
            (Some(a), _) => format!("{}: {a}", self.source),
            (None, Some(l)) => format!("{}: {l}", self.source),
            (None, None) => self.source.code().to_owned(),
        }
    }
}

impl std::fmt::Display for PoolKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// The split of a source under `rules`, or `None` when the source is one pool.
pub fn split_of(rules: &[PoolRule], source: Source) -> Option<PoolSplit> {
    rules.iter().find(|r| r.sources.contains(&source)).map(|r| r.split)
}

/// The pool of a row with this source, agreement and locality; `None` when the source is split by
/// agreement and the row has none (it neither gives nor receives).
pub fn pool_key(
    rules: &[PoolRule],
    source: Source,
    agreement: Option<&Arc<str>>,
    locality: &Arc<str>,
) -> Option<PoolKey> {
    match split_of(rules, source) {
        None => Some(PoolKey::source(source)),
        Some(PoolSplit::Agreement) => {
            agreement.map(|a| PoolKey { source, agreement: Some(a.clone()), locality: None })
        }
        Some(PoolSplit::Locality) => {
            Some(PoolKey { source, agreement: None, locality: Some(locality.clone()) })
        }
    }
}

/// The pools of a portfolio and its pipeline under `model.pools`, sorted (source order, then name),
/// and the pool index of every portfolio row then every pipeline row (`None`: in no pool).
pub fn pools_of(portfolio: &Portfolio, model: &Model) -> (Vec<PoolKey>, Vec<Option<usize>>) {
    let keys: Vec<Option<PoolKey>> = portfolio
        .rows()
        .iter()
        .map(|p| pool_key(&model.pools, p.source, p.extra.agreement.as_ref(), &p.locality))
        .chain(
            model
                .pipeline
                .iter()
                .map(|x| pool_key(&model.pools, x.source, x.agreement.as_ref(), &x.locality)),
        )
        .collect();
    // A province has a few hundred pools for up to hundreds of thousands of rows: the distinct keys are
    // found by hashing, and only they are sorted.
    let distinct: rustc_hash::FxHashSet<&PoolKey> = keys.iter().flatten().collect();
    let mut unique: Vec<&PoolKey> = distinct.into_iter().collect();
    unique.sort_unstable();
    let at: rustc_hash::FxHashMap<&PoolKey, usize> =
        unique.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let index = keys.iter().map(|k| k.as_ref().and_then(|k| at.get(k).copied())).collect();
    let pools: Vec<PoolKey> = unique.into_iter().cloned().collect();
    (pools, index)
}

/// A pipeline project as the optimiser sees it: a recipient after the portfolio's rows.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PipelineRow {
    /// Project id.
    pub id: String,
    /// Capital source.
    pub source: Source,
    /// Commune or ward.
    pub locality: Arc<str>,
    /// Investor.
    pub investor: Arc<str>,
    /// Loan agreement (ODA).
    pub agreement: Option<Arc<str>>,
    /// The most it may receive.
    pub absorbable: Money,
    /// Worth of one million VND added.
    pub value_in: f64,
}

/// What the rules concluded about one row, with the model's bounds.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RowAssessment {
    /// Difficulty (obstacle) groups the row falls in, by rule id; several may match.
    pub groups: Vec<Arc<str>>,
    /// Pace class id (for example `fast`, `on_track`, `slow`, `stalled`).
    pub pace: Arc<str>,
    /// Priority tier of Law 58/2024 Art. 54(4), 1 highest to 13.
    pub priority: u8,
    /// Forecast disbursement by the deadline.
    pub forecast: Money,
    /// Bounds and values for the optimiser.
    pub bounds: RowBounds,
    /// Why the row may give or receive capital, in the analyst's words; for a row that may do
    /// neither, the rules that kept it out.
    pub reason: Arc<str>,
    /// Share of capital added to the row that the rules expect it to spend by the deadline (0–1).
    pub absorption: f64,
    /// The eligibility rules that closed a side of the row (`[[eligibility]]` ids), in rules order.
    pub kept_out: Vec<Arc<str>>,
    /// Rules whose arithmetic broke for this row (a division by zero or an overflow): the row's
    /// figures mean nothing, and [`crate::rules::Rules::assess_checked`] refuses the assessment.
    pub arithmetic_errors: Vec<String>,
}

/// A difficulty (obstacle) group as the rules define it, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Assessment {
    /// One assessment per portfolio row, in portfolio order.
    pub rows: Vec<RowAssessment>,
    /// The difficulty groups the rules define, in their order.
    pub groups: Vec<GroupInfo>,
    /// The model to optimise (its rows are the `bounds` of `rows`).
    pub model: Model,
    /// Who decides a transfer, by capital source (the rules' `[[authority]]` table, delegation
    /// applied), in the order of [`Source::ALL`].
    pub authority: Vec<Authority>,
    /// The eligibility rules, for words.
    pub eligibility: Vec<EligibilityInfo>,
}

/// The body that decides transfers of a capital source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema, serde::Deserialize)]
pub struct Authority {
    /// Code (`ubnd_tinh`, `hdnd_tinh`, `trung_uong`).
    pub code: String,
    /// Vietnamese name.
    pub label_vi: String,
    /// English name.
    pub label_en: String,
    /// Legal or practical source.
    pub cite: String,
}

/// An eligibility rule as the documents name it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EligibilityInfo {
    /// Rule id.
    pub id: String,
    /// What it says, Vietnamese.
    pub label_vi: String,
    /// What it says, English.
    pub label_en: String,
}

impl RowAssessment {
    /// The row's forecast disbursement by the deadline after a change: capital taken beyond the
    /// part not expected to be spent lowers the forecast; of capital added, the share the rules
    /// expect the row to spend ([`RowAssessment::absorption`]) is added, rounded down to the đồng.
    pub fn forecast_after(&self, project: &Project, change: Money) -> Money {
        if change >= Money::ZERO {
            let spent = (change.dong() as f64 * self.absorption.clamp(0.0, 1.0)).floor() as i64;
            self.forecast + Money::from_dong(spent.clamp(0, change.dong()))
        } else {
            let released = -change;
            let idle = (project.plan - self.forecast).max_zero();
            self.forecast - (released - idle).max_zero()
        }
    }
}

impl Assessment {
    /// The authority that decides transfers of `source`.
    pub fn authority_of(&self, source: Source) -> Option<&Authority> {
        self.authority.get(source.index())
    }
}
