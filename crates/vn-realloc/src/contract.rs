//! The JSON contract: its version and its schemas.
//!
//! Every JSON the tool writes starts with `"schema_version"` ([`SCHEMA_VERSION`]); a reader checks it
//! before anything else. The proposal carries the key in its own type; the other outputs are written
//! through [`Versioned`], which puts it first. A new field is an addition within a version; a field
//! removed or changed in meaning would be a new version.
//!
//! [`schemas`] gives the JSON Schema (draft 2020-12) of each output, generated from the types that
//! serialise it; `schema/*.json` at the repository root holds them, and the test `schemas` fails when
//! they are stale (`UPDATE_SCHEMA=1 cargo test -p realloc-tests --test schemas` rewrites them) and
//! validates real outputs against them.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

pub use crate::report::SCHEMA_VERSION;

/// An output with `schema_version` as its first key, then the fields of `body`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Versioned<T> {
    /// The version of the JSON contract ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The output itself, its fields beside `schema_version`.
    #[serde(flatten)]
    pub body: T,
}

impl<T> Versioned<T> {
    /// `body` under the current version.
    pub fn new(body: T) -> Versioned<T> {
        Versioned { schema_version: SCHEMA_VERSION, body }
    }
}

/// `body` as pretty JSON with `schema_version` first, ending with a newline. Serialising the plain
/// structs of the outputs (strings, integers, floats, maps with string keys) cannot fail.
pub fn to_json_pretty<T: Serialize>(body: &T) -> String {
    let mut s = serde_json::to_string_pretty(&Versioned::new(body)).unwrap_or_default();
    s.push('\n');
    s
}

/// What `realloc check --format json` prints of a rules file (keys in alphabetical order, as the
/// command wrote them before this type existed).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RulesCheck {
    /// Errors and warnings found, in the order found.
    pub diagnostics: crate::diag::Diagnostics,
    /// The rules file as named by the user.
    pub file: String,
    /// The rule set's name, when it is valid.
    pub name: Option<String>,
    /// True when the file has no error.
    pub ok: bool,
    /// Every rule declared, when the file is valid.
    pub rules: Option<Vec<crate::rules::RuleInfo>>,
    /// SHA-256 of the rules text, when it is valid.
    pub sha256: Option<String>,
}

/// The schema of `T` titled `title`, with the 2020-12 meta-schema.
pub fn schema_of<T: JsonSchema>(title: &str, description: &str) -> Schema {
    let mut schema = SchemaGenerator::default().into_root_schema_for::<T>();
    schema.insert("title".to_owned(), title.into());
    schema.insert("description".to_owned(), description.into());
    schema
}

/// The JSON Schema of every JSON output of the library, by file name stem (`proposal` is
/// `schema/proposal.schema.json`). The command line adds the outputs it defines itself (`validate`).
pub fn schemas() -> Vec<(&'static str, Schema)> {
    use crate::monitor::{ProgressReport, Ranking};
    use crate::report::ProposalDocument;
    use crate::report::compare::ComparisonJson;
    use crate::risk::RiskReport;
    use crate::rules::{Backtest, Explanation, GroupingReport};
    use crate::sweep::Sweep;
    vec![
        (
            "proposal",
            schema_of::<ProposalDocument>(
                "realloc proposal",
                "realloc propose --format json: one row per project, amounts in whole đồng (DOMAIN.md section 5)",
            ),
        ),
        (
            "classify",
            schema_of::<Versioned<GroupingReport>>("realloc classify", "realloc classify --format json"),
        ),
        ("risk", schema_of::<Versioned<RiskReport>>("realloc risk", "realloc risk --format json")),
        ("sweep", schema_of::<Versioned<Sweep>>("realloc sweep", "realloc sweep --format json")),
        (
            "compare",
            schema_of::<Versioned<ComparisonJson>>("realloc compare", "realloc compare --format json"),
        ),
        ("explain", schema_of::<Versioned<Explanation>>("realloc explain", "realloc explain --format json")),
        ("backtest", schema_of::<Versioned<Backtest>>("realloc backtest", "realloc backtest --format json")),
        ("check", schema_of::<Versioned<RulesCheck>>("realloc check", "realloc check --format json")),
        ("report", schema_of::<Versioned<ProgressReport>>("realloc report", "realloc report --format json")),
        ("rank", schema_of::<Versioned<Ranking>>("realloc rank", "realloc rank --format json")),
        (
            "reconcile",
            schema_of::<crate::monitor::reconcile::Reconciliation>(
                "realloc reconcile",
                "realloc reconcile --format json: the investors' reported disbursement against the State Treasury's figures",
            ),
        ),
        ("rules", rules_schema()),
    ]
}

/// The schema of a rules file (`rules/default.toml`), read as TOML: for completion and checking in an
/// editor (README, "Rules"). It says what keys and types a file may have; `realloc check` checks
/// the rest (expressions, codes, dates).
pub fn rules_schema() -> Schema {
    schema_of::<crate::rules::file::RawRules>(
        "realloc rules file",
        "A rules file of realloc (TOML): settings, curve, params, metrics, groups, pace, tiers, model, constraints, risk, eligibility, pools, authority. `realloc check FILE` checks what a schema cannot: expressions, codes and dates.",
    )
}
