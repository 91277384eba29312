//! The rules engine: difficulty groups, pace, priority, forecast and donor/recipient bounds.
//!
//! TODO(rules helper): implement; the signatures below are the contract others code against.

use crate::model::Assessment;
use crate::scenario::Scenario;

/// A loaded, checked rule set.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    /// Name of the rule set, shown in the manifest.
    pub name: String,
}

impl Rules {
    /// The built-in default rules (`rules/default.toml`).
    pub fn builtin() -> Rules {
        Rules { name: "default".into() }
    }

    /// Classifies every row of the scenario and derives the optimisation model.
    pub fn assess(&self, scenario: &Scenario) -> Assessment {
        let _ = scenario;
        Assessment::default()
    }
}
