//! The TOML schema of a rules file, as read by serde with spans; `super::load` checks and compiles it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A whole rules file.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRules {
    /// The rule set's name, shown in documents and the manifest.
    #[schemars(with = "String")]
    pub(crate) name: Spanned<String>,
    /// What the rule set is for.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Granularity of moves, in million VND.
    #[schemars(with = "RawSettings")]
    pub(crate) settings: Spanned<RawSettings>,
    /// The expected cumulative disbursement share at the end of each month.
    #[schemars(with = "RawCurve")]
    pub(crate) curve: Spanned<RawCurve>,
    /// Named values the expressions may read: a number, or a table with `value` (maybe dated) and `cite`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawParam>")]
    pub(crate) params: BTreeMap<String, Spanned<RawParam>>,
    /// Derived values, each an expression the later rules may read by its id.
    #[serde(default)]
    #[schemars(with = "Vec<RawMetric>")]
    pub(crate) metrics: Vec<Spanned<RawMetric>>,
    /// Obstacle (difficulty) groups: every group that matches applies.
    #[schemars(with = "Vec<RawGroup>")]
    pub(crate) groups: Vec<Spanned<RawGroup>>,
    /// Pace classes: the first that matches applies.
    #[schemars(with = "Vec<RawPace>")]
    pub(crate) pace: Vec<Spanned<RawPace>>,
    /// Priority tiers (Law 58/2024 Art. 54(4)): the first rule that matches applies.
    #[schemars(with = "Vec<RawTier>")]
    pub(crate) tiers: Vec<Spanned<RawTier>>,
    /// The forecast and the bounds of the optimiser, as expressions in million VND.
    #[schemars(with = "RawModel")]
    pub(crate) model: Spanned<RawModel>,
    /// Side constraints of the optimiser.
    #[serde(default)]
    #[schemars(with = "Vec<RawConstraint>")]
    pub(crate) constraints: Vec<Spanned<RawConstraint>>,
    /// The spread of the year-end disbursement for `realloc risk`.
    #[serde(default)]
    #[schemars(with = "Option<RawRisk>")]
    pub(crate) risk: Option<Spanned<RawRisk>>,
    /// Version 2: who may give and who may receive; absent in a version-1 file (the built-in list).
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawEligibility>>")]
    pub(crate) eligibility: Option<Vec<Spanned<RawEligibility>>>,
    /// Version 2: how sources split into pools; absent in a version-1 file (the built-in table).
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawPoolRule>>")]
    pub(crate) pools: Option<Vec<Spanned<RawPoolRule>>>,
    /// Version 2: who decides a transfer, by source; absent in a version-1 file (the built-in table).
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawAuthority>>")]
    pub(crate) authority: Option<Vec<Spanned<RawAuthority>>>,
}

/// `[[eligibility]]`: a rule that closes a side of a row (`when`) or caps it (`limit`).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEligibility {
    /// Rule id: lowercase letters, digits and `_`.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// `give`, `receive` or `both`.
    #[schemars(with = "String")]
    pub(crate) side: Spanned<String>,
    /// When it holds, the side is closed.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) when: Option<Spanned<String>>,
    /// An upper bound (million VND) on what the side may move.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) limit: Option<Spanned<String>>,
    /// What the rule says, in Vietnamese (shown by `explain` and in reasons).
    pub(crate) label: String,
    /// The same in English.
    #[serde(default)]
    pub(crate) label_en: String,
    /// The legal source or practice the rule follows.
    pub(crate) cite: String,
}

/// `[[pools]]`: the sources whose pool is split, and by what.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoolRule {
    /// Rule id: lowercase letters, digits and `_`.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// The capital source codes whose pool is split (`NSTW_ODA`, ...).
    #[schemars(with = "Vec<String>")]
    pub(crate) sources: Spanned<Vec<String>>,
    /// `agreement` or `locality`.
    #[schemars(with = "String")]
    pub(crate) split: Spanned<String>,
    /// What the rule says, in Vietnamese.
    #[serde(default)]
    pub(crate) label: String,
    /// The legal source or practice the rule follows.
    pub(crate) cite: String,
}

/// `[[authority]]`: the body that decides transfers of some sources.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAuthority {
    /// The authority's code (`ubnd_tinh`, `hdnd_tinh`, `trung_uong`).
    #[schemars(with = "String")]
    pub(crate) code: Spanned<String>,
    /// Its name in Vietnamese.
    pub(crate) label: String,
    /// Its name in English.
    #[serde(default)]
    pub(crate) label_en: String,
    /// The capital source codes whose transfers it decides.
    #[schemars(with = "Vec<String>")]
    pub(crate) sources: Spanned<Vec<String>>,
    /// The code that decides instead when the scenario says `local_budget_delegated = true`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) delegated: Option<Spanned<String>>,
    /// The legal source.
    pub(crate) cite: String,
}

/// `[risk]`: the spread of each row's year-end disbursement for `realloc risk`, as a standard
/// deviation in shares of the row's undisbursed plan, by pace class and by obstacle group.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRisk {
    /// How the spreads were chosen.
    pub(crate) method: String,
    /// The source of the spreads.
    pub(crate) cite: String,
    /// Correlation of every row with the common provincial shock, 0 to below 1.
    #[schemars(with = "f64")]
    pub(crate) correlation: Spanned<f64>,
    /// Spread of a pace class not listed in `pace`.
    #[schemars(with = "f64")]
    pub(crate) default: Spanned<f64>,
    /// Spread by pace class id.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub(crate) pace: BTreeMap<String, Spanned<f64>>,
    /// Spread by obstacle group id, when larger than the pace's.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub(crate) groups: BTreeMap<String, Spanned<f64>>,
}

/// `[settings]`: granularity of moves, in million VND.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSettings {
    /// Moves are whole multiples of this amount (million VND, above 0).
    #[schemars(with = "f64")]
    pub(crate) min_unit: Spanned<f64>,
    /// The smallest non-zero move (million VND, at least `min_unit`).
    #[schemars(with = "f64")]
    pub(crate) min_transfer: Spanned<f64>,
    /// Version 2: worth of one million VND added to a ready pipeline project (below every
    /// annual-plan recipient); 10 when absent.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub(crate) pipeline_value_in: Option<Spanned<f64>>,
    /// The source of the settings.
    #[serde(default)]
    pub(crate) cite: Option<String>,
}

/// `[curve]`: expected cumulative disbursement share at the end of each month.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCurve {
    /// 13 shares from 0 to 1, rising: the end of January to December, then the January after.
    #[schemars(with = "Vec<f64>")]
    pub(crate) monthly: Spanned<Vec<f64>>,
    /// The source of the curve.
    pub(crate) cite: String,
}

/// A parameter: a number, or a table with a value (maybe dated) and its source.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "expected a number (such as 0.3, without quotes), or a table with `value` and `cite`"
)]
pub(crate) enum RawParam {
    Number(f64),
    Table(RawParamTable),
}

/// `[params.NAME]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParamTable {
    /// A number, or a list of `{ from = "YYYY-MM-DD", value = NUMBER }`: the value in force on `as_of` applies.
    pub(crate) value: RawParamValue,
    /// The legal source or practice of the value.
    pub(crate) cite: String,
    /// What the parameter means.
    #[serde(default)]
    pub(crate) description: Option<String>,
}

/// A parameter value: one number, or values with the date each takes effect.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    untagged,
    expecting = "expected a number (such as 0.3, without quotes), or a list of `{ from = \"YYYY-MM-DD\", value = NUMBER }`"
)]
pub(crate) enum RawParamValue {
    Number(f64),
    Dated(Vec<RawDated>),
}

/// `{ from = "2025-07-01", value = 0.3 }`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDated {
    /// The date the value takes effect, `YYYY-MM-DD`.
    pub(crate) from: String,
    /// The value from that date.
    pub(crate) value: f64,
}

/// `[[metrics]]`: a derived value.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMetric {
    /// The name later expressions read: lowercase letters, digits and `_`.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// A number or a condition over the row's fields, the scenario's values, params and earlier metrics.
    #[schemars(with = "String")]
    pub(crate) expr: Spanned<String>,
    /// What the metric means.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Its source.
    #[serde(default)]
    pub(crate) cite: Option<String>,
}

/// Declares the raw struct of one kind of classification rule (`[[groups]]`, `[[pace]]`, `[[tiers]]`):
/// the fields every rule has (`id`, `label`, `when`, `reason`, `cite`), then the kind's own.
///
/// A macro rather than a common struct under `#[serde(flatten)]`: serde reads a flattened table
/// through its own buffer, where toml's `Spanned` cannot get its span (every rule would fail with
/// "expected a spanned value"), and reports an unknown field at the table's first line instead of
/// the field's own.
macro_rules! raw_rule {
    ($(#[$doc:meta])* $name:ident { $($(#[$attr:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct $name {
            /// Rule id: lowercase letters, digits and `_`.
            #[schemars(with = "String")]
            pub(crate) id: Spanned<String>,
            /// What the rule says, in Vietnamese.
            pub(crate) label: String,
            /// The condition: an expression that is true or false.
            #[schemars(with = "String")]
            pub(crate) when: Spanned<String>,
            /// The reason shown for a row, each `{name}` replaced by its value.
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub(crate) reason: Option<Spanned<String>>,
            /// The legal source or practice the rule follows.
            pub(crate) cite: String,
            $($(#[$attr])* pub(crate) $field: $ty,)*
        }
    };
}

raw_rule! {
    /// `[[groups]]`: an obstacle (difficulty) group; every group that matches applies.
    RawGroup {
        /// The group's name in English.
        #[serde(default)]
        label_en: String,
        /// What the province can do about it, in Vietnamese.
        remedy: String,
        /// The same in English.
        #[serde(default)]
        remedy_en: String,
    }
}

raw_rule! {
    /// `[[pace]]`: a pace class; the first that matches applies.
    RawPace {}
}

raw_rule! {
    /// `[[tiers]]`: a priority tier rule; the first that matches applies.
    RawTier {
        /// The priority tier, 1 (highest) to 13.
        #[schemars(with = "i64")]
        tier: Spanned<i64>,
    }
}

/// `[model]`: the forecast and the bounds, in million VND.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawModel {
    /// The name of the method.
    pub(crate) method: String,
    /// Its source.
    pub(crate) cite: String,
    /// The row's disbursement forecast by the deadline (million VND; clamped to [disbursed, plan]).
    #[schemars(with = "String")]
    pub(crate) forecast: Spanned<String>,
    /// What the row may give (million VND; clamped to plan − disbursed).
    #[schemars(with = "String")]
    pub(crate) releasable: Spanned<String>,
    /// What the row may receive (million VND; clamped to its headroom).
    #[schemars(with = "String")]
    pub(crate) absorbable: Spanned<String>,
    /// Worth of one million VND added to the row.
    #[schemars(with = "String")]
    pub(crate) value_in: Spanned<String>,
    /// Cost of one million VND taken from the row.
    #[schemars(with = "String")]
    pub(crate) value_out: Spanned<String>,
    /// Version 2: share of an addition the row is expected to spend (0–1); "1" when absent.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) absorption: Option<Spanned<String>>,
}

/// `[[constraints]]`: a side constraint of the optimiser.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConstraint {
    /// The constraint's name in documents.
    pub(crate) name: String,
    /// `locality_loss_share`, `investor_loss_share` or `pool_move_cap`.
    #[schemars(with = "String")]
    pub(crate) kind: Spanned<String>,
    /// For the loss shares: the largest share of a unit's plan it may lose, above 0 and at most 1.
    #[serde(default)]
    pub(crate) max_share: Option<f64>,
    /// For `pool_move_cap`: the capital source code it caps (every pool when absent).
    #[serde(default)]
    pub(crate) source: Option<String>,
    /// Million VND.
    #[serde(default)]
    pub(crate) max: Option<f64>,
    /// Its source.
    pub(crate) cite: String,
}
