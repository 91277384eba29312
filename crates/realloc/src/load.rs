//! Loading a scenario folder (DOMAIN.md section 3) with strict validation (section 6).
//!
//! TODO(foundation helper): implement. The signatures below are the contract the CLI relies on.

use std::path::Path;

use crate::diag::Diagnostics;
use crate::scenario::Scenario;

/// A scenario that loaded, with the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Problems that did not stop the load.
    pub warnings: Diagnostics,
}

/// The scenario could not be used: every problem found, with file, line and column.
#[derive(Debug, thiserror::Error)]
#[error("the scenario has {} problem(s)", diagnostics.error_count())]
pub struct LoadError {
    /// Errors (and warnings) found.
    pub diagnostics: Diagnostics,
}

/// Reads and validates the scenario folder `dir`: `scenario.toml`, the projects file and the
/// optional monthly history.
pub fn load_scenario(dir: &Path) -> Result<Loaded, LoadError> {
    let _ = dir;
    Err(LoadError { diagnostics: Diagnostics::new() })
}
