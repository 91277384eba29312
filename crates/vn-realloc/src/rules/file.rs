//! The TOML schema of a rules file, as read by serde with spans; `super::load` checks and compiles it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A whole rules file.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRules {
    #[schemars(with = "String")]
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[schemars(with = "RawSettings")]
    pub(crate) settings: Spanned<RawSettings>,
    #[schemars(with = "RawCurve")]
    pub(crate) curve: Spanned<RawCurve>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RawParam>")]
    pub(crate) params: BTreeMap<String, Spanned<RawParam>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawMetric>")]
    pub(crate) metrics: Vec<Spanned<RawMetric>>,
    #[schemars(with = "Vec<RawGroup>")]
    pub(crate) groups: Vec<Spanned<RawGroup>>,
    #[schemars(with = "Vec<RawPace>")]
    pub(crate) pace: Vec<Spanned<RawPace>>,
    #[schemars(with = "Vec<RawTier>")]
    pub(crate) tiers: Vec<Spanned<RawTier>>,
    #[schemars(with = "RawModel")]
    pub(crate) model: Spanned<RawModel>,
    #[serde(default)]
    #[schemars(with = "Vec<RawConstraint>")]
    pub(crate) constraints: Vec<Spanned<RawConstraint>>,
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
    #[serde(default)]
    pub(crate) label_en: String,
    pub(crate) cite: String,
}

/// `[[pools]]`: the sources whose pool is split, and by what.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoolRule {
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    pub(crate) sources: Spanned<Vec<String>>,
    /// `agreement` or `locality`.
    #[schemars(with = "String")]
    pub(crate) split: Spanned<String>,
    #[serde(default)]
    pub(crate) label: String,
    pub(crate) cite: String,
}

/// `[[authority]]`: the body that decides transfers of some sources.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAuthority {
    #[schemars(with = "String")]
    pub(crate) code: Spanned<String>,
    pub(crate) label: String,
    #[serde(default)]
    pub(crate) label_en: String,
    #[schemars(with = "Vec<String>")]
    pub(crate) sources: Spanned<Vec<String>>,
    /// The code that decides instead when the scenario says `local_budget_delegated = true`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) delegated: Option<Spanned<String>>,
    pub(crate) cite: String,
}

/// `[risk]`: the spread of each row's year-end disbursement for `realloc risk`, as a standard
/// deviation in shares of the row's undisbursed plan, by pace class and by obstacle group.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRisk {
    pub(crate) method: String,
    pub(crate) cite: String,
    /// Correlation of every row with the common provincial shock, 0 to below 1.
    #[schemars(with = "f64")]
    pub(crate) correlation: Spanned<f64>,
    /// Spread of a pace class not listed in `pace`.
    #[schemars(with = "f64")]
    pub(crate) default: Spanned<f64>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub(crate) pace: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub(crate) groups: BTreeMap<String, Spanned<f64>>,
}

/// `[settings]`: granularity of moves, in million VND.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSettings {
    #[schemars(with = "f64")]
    pub(crate) min_unit: Spanned<f64>,
    #[schemars(with = "f64")]
    pub(crate) min_transfer: Spanned<f64>,
    /// Version 2: worth of one million VND added to a ready pipeline project (below every
    /// annual-plan recipient); 10 when absent.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub(crate) pipeline_value_in: Option<Spanned<f64>>,
    #[serde(default)]
    pub(crate) cite: Option<String>,
}

/// `[curve]`: expected cumulative disbursement share at the end of each month.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCurve {
    #[schemars(with = "Vec<f64>")]
    pub(crate) monthly: Spanned<Vec<f64>>,
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
    pub(crate) value: RawParamValue,
    pub(crate) cite: String,
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
    pub(crate) from: String,
    pub(crate) value: f64,
}

/// `[[metrics]]`: a derived value.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMetric {
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    #[schemars(with = "String")]
    pub(crate) expr: Spanned<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
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
            #[schemars(with = "String")]
            pub(crate) id: Spanned<String>,
            pub(crate) label: String,
            #[schemars(with = "String")]
            pub(crate) when: Spanned<String>,
            #[serde(default)]
            #[schemars(with = "Option<String>")]
            pub(crate) reason: Option<Spanned<String>>,
            pub(crate) cite: String,
            $($(#[$attr])* pub(crate) $field: $ty,)*
        }
    };
}

raw_rule! {
    /// `[[groups]]`: an obstacle (difficulty) group; every group that matches applies.
    RawGroup {
        #[serde(default)]
        label_en: String,
        remedy: String,
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
        #[schemars(with = "i64")]
        tier: Spanned<i64>,
    }
}

/// `[model]`: the forecast and the bounds, in million VND.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawModel {
    pub(crate) method: String,
    pub(crate) cite: String,
    #[schemars(with = "String")]
    pub(crate) forecast: Spanned<String>,
    #[schemars(with = "String")]
    pub(crate) releasable: Spanned<String>,
    #[schemars(with = "String")]
    pub(crate) absorbable: Spanned<String>,
    #[schemars(with = "String")]
    pub(crate) value_in: Spanned<String>,
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
    pub(crate) name: String,
    #[schemars(with = "String")]
    pub(crate) kind: Spanned<String>,
    #[serde(default)]
    pub(crate) max_share: Option<f64>,
    #[serde(default)]
    pub(crate) source: Option<String>,
    /// Million VND.
    #[serde(default)]
    pub(crate) max: Option<f64>,
    pub(crate) cite: String,
}
