//! Deterministic synthetic scenarios at province or national scale, for demos, tests and benchmarks.
//!
//! TODO(generator helper): implement; the signatures below are the contract others code against.

use chrono::NaiveDate;

use crate::domain::Portfolio;
use crate::scenario::{Scenario, ScenarioMeta};

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateOptions {
    /// Number of rows of `projects.csv`.
    pub rows: usize,
    /// Seed: the same options give the same bytes.
    pub seed: u64,
    /// Plan year.
    pub fiscal_year: i32,
    /// Date the figures describe.
    pub as_of: NaiveDate,
}

impl GenerateOptions {
    /// `rows` rows from `seed`, plan year 2025, figures as of 30 September 2025.
    pub fn new(rows: usize, seed: u64) -> GenerateOptions {
        GenerateOptions {
            rows,
            seed,
            fiscal_year: 2025,
            as_of: NaiveDate::from_ymd_opt(2025, 9, 30).unwrap_or_default(),
        }
    }
}

/// The text of a generated scenario folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFiles {
    /// `scenario.toml`.
    pub scenario_toml: String,
    /// `projects.csv`.
    pub projects_csv: String,
    /// `disbursements.csv`.
    pub disbursements_csv: String,
}

/// Generates the files of a scenario folder.
pub fn generate_files(opts: &GenerateOptions) -> GeneratedFiles {
    let _ = opts;
    GeneratedFiles {
        scenario_toml: String::new(),
        projects_csv: String::new(),
        disbursements_csv: String::new(),
    }
}

/// Generates the scenario in memory: the same content as loading [`generate_files`]' output.
pub fn generate_scenario(opts: &GenerateOptions) -> Scenario {
    Scenario {
        meta: ScenarioMeta {
            name: String::new(),
            province: String::new(),
            fiscal_year: opts.fiscal_year,
            as_of: opts.as_of,
            deadline: opts.as_of,
            projects: "projects.csv".into(),
            disbursements: None,
            rules: None,
        },
        portfolio: Portfolio::new(),
        history: None,
        inputs: Vec::new(),
    }
}
