//! The whole path in one call: load a scenario → choose the rules → assess → optimise → price the
//! binding side constraints → build the [`ProposalDocument`] (with the LP model and the risk annex
//! when asked). The command line, the benchmarks and any embedder call this one entry point, so none
//! of them holds a second copy of the pipeline.
//!
//! A scenario comes from a folder ([`Pipeline::run_dir`]), from bytes already in memory
//! ([`Pipeline::run_in_memory`], see [`InMemoryScenario`]) or as a built [`Scenario`]
//! ([`Pipeline::run_scenario`]). Every path runs the same checks as the folder path, with the same
//! messages. Errors are a [`PipelineError`], which says whether the input was at fault
//! ([`PipelineError::is_bad_input`]) or the tool.
//!
//! ```
//! use realloc::pipeline::{Pipeline, RulesSource};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/lang-son-2025-q3");
//! let run = Pipeline::new().rules(RulesSource::BuiltIn).run_dir(dir.as_ref())?;
//! assert_eq!(run.document.manifest.rules, "default");
//! // Every pool balances to the đồng.
//! let moved: i64 = run.document.projects.iter().map(|p| p.change_vnd).sum::<i64>()
//!     + run.document.pipeline.iter().map(|p| p.amount_vnd).sum::<i64>();
//! assert_eq!(moved, 0);
//! let json: serde_json::Value = serde_json::from_str(&run.document.to_json()).unwrap_or_default();
//! assert_eq!(json["schema_version"], realloc::contract::SCHEMA_VERSION);
//! # Ok::<(), realloc::pipeline::PipelineError>(())
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::load::{
    InMemoryScenario, LoadError, LoadOptions, Loaded, MAX_TOML_BYTES, load_scenario_in_memory,
    load_scenario_with,
};
use crate::model::Assessment;
use crate::optimize::{self, OptimizeError, Proposal};
use crate::report::{ProposalDocument, RulesIdentity, constraint_costs};
use crate::risk::{self, RiskError, RiskOptions, RiskReport, Spread};
use crate::rules::{BacktestError, Rules, RulesError};
use crate::scenario::Scenario;

/// Which rules apply to the scenario.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum RulesSource {
    /// The file the scenario's `rules` key names (relative to its folder), else the built-in rules:
    /// what `realloc propose` does without `--rules`.
    #[default]
    Scenario,
    /// The built-in rules, whatever the scenario says.
    BuiltIn,
    /// A rules file, read before the scenario (so a broken rules file is refused first).
    File(PathBuf),
    /// Rules text already in memory, named `name` in messages and in the manifest's file.
    Text {
        /// How the rules are named in messages.
        name: String,
        /// The TOML text.
        text: String,
    },
}

/// The Monte Carlo asked for the risk annex (`realloc propose --risk`, `realloc risk`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskRequest {
    /// Number of draws.
    pub draws: u32,
    /// Seed of the random streams.
    pub seed: u64,
    /// Target rate of disbursement, a fraction.
    pub target: f64,
    /// Calibrate the rules' spread on a backtest from three months before `as_of`.
    pub calibrate: bool,
}

impl RiskRequest {
    /// Refuses a request that cannot be simulated.
    pub fn check(&self) -> Result<(), RiskError> {
        RiskOptions::new(self.draws, self.seed, self.target).check()
    }
}

/// The whole pipeline failed: bad input (exit status 2 on the command line) or a failure of the tool.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The scenario could not be loaded: every problem found, each with file, line and column.
    #[error("{}", scenario_message(folder, diagnostics))]
    Scenario {
        /// The folder (or the name the caller gave a scenario in memory).
        folder: String,
        /// The problems (and the warnings).
        diagnostics: Diagnostics,
    },
    /// A file the caller named (a rules file) could not be read: missing, not a regular file, too
    /// large, not UTF-8.
    #[error("{file}: {message}")]
    File {
        /// The file as named by the caller.
        file: String,
        /// What is wrong with it.
        message: String,
    },
    /// A scenario given as a built [`Scenario`] names a rules file, which cannot be found without a
    /// folder.
    #[error(
        "the scenario names the rules file `{file}`, which cannot be read without its folder; give the rules with RulesSource::File or RulesSource::Text"
    )]
    RulesNotGiven {
        /// The file named by the scenario.
        file: String,
    },
    /// The rules are not a valid rule set, or the scenario breaks them (every problem found).
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The risk options cannot be simulated, or the simulation refused the scenario.
    #[error(transparent)]
    Risk(#[from] RiskError),
    /// The spread could not be calibrated (no monthly history, for one).
    #[error("calibrating the risk spread: {0}")]
    Calibrate(#[source] BacktestError),
    /// The optimiser failed on a model the rules built: a failure of the tool, not of the input.
    #[error("cannot optimise scenario `{scenario}`")]
    Optimize {
        /// The scenario's folder or name.
        scenario: String,
        /// What the optimiser said.
        #[source]
        source: OptimizeError,
    },
    /// The model could not be written in LP format: a failure of the tool.
    #[error("cannot export the model of scenario `{scenario}`")]
    ExportLp {
        /// The scenario's folder or name.
        scenario: String,
        /// What the exporter said.
        #[source]
        source: OptimizeError,
    },
}

/// "the scenario `FOLDER` cannot be used (N problems):" and the problems; without the folder's name
/// when a scenario in memory was given none.
fn scenario_message(folder: &str, diagnostics: &Diagnostics) -> String {
    let count = diagnostics.error_count();
    let named = if folder.is_empty() { String::new() } else { format!(" `{folder}`") };
    format!(
        "the scenario{named} cannot be used ({count} problem{}):\n{diagnostics}",
        if count == 1 { "" } else { "s" }
    )
}

impl PipelineError {
    /// True when the input is at fault (the scenario, the rules, the options); false for a failure
    /// of the tool itself.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, PipelineError::Optimize { .. } | PipelineError::ExportLp { .. })
    }

    /// The error of a scenario that did not load from `folder`.
    pub fn scenario(folder: &Path, error: LoadError) -> PipelineError {
        PipelineError::Scenario { folder: folder.display().to_string(), diagnostics: error.diagnostics }
    }
}

/// A scenario loaded with the rules that apply to it: the first stage of a run, and all that the
/// commands which only classify need.
#[derive(Debug)]
pub struct Prepared {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The rules that apply.
    pub rules: Rules,
    /// Warnings met on the way, one line each (also given to [`Pipeline::on_warning`]).
    pub warnings: Vec<String>,
    /// Every file read: the scenario's inputs and the rules file, as named in messages.
    pub files_read: Vec<PathBuf>,
    /// How the scenario is named in messages (its folder).
    pub name: String,
}

/// A scenario run through the whole pipeline.
#[derive(Debug)]
pub struct Run {
    /// The proposal document: rules identity and constraint costs included, and the risk annex when
    /// asked for ([`Pipeline::risk`]).
    pub document: ProposalDocument,
    /// The optimised model in CPLEX LP format, when asked for ([`Pipeline::export_lp`]).
    pub lp: Option<String>,
    /// Warnings met on the way, one line each (also given to [`Pipeline::on_warning`]).
    pub warnings: Vec<String>,
    /// Every file read: the scenario's inputs and the rules file, as named in messages.
    pub files_read: Vec<PathBuf>,
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The rules applied.
    pub rules: Rules,
    /// The rules' assessment of every row.
    pub assessment: Assessment,
    /// The optimiser's proposal.
    pub proposal: Proposal,
}

/// The pipeline, configured with a builder; see the [module](self) documentation.
pub struct Pipeline<'a> {
    rules: RulesSource,
    export_lp: bool,
    risk: Option<RiskRequest>,
    load: LoadOptions,
    on_warning: Option<&'a mut dyn FnMut(&str)>,
    progress: Option<&'a (dyn Fn(u64) + Sync)>,
    lang: crate::report::Lang,
    method: optimize::Method,
}

impl std::fmt::Debug for Pipeline<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("rules", &self.rules)
            .field("export_lp", &self.export_lp)
            .field("risk", &self.risk)
            .field("load", &self.load)
            .finish_non_exhaustive()
    }
}

impl Default for Pipeline<'_> {
    fn default() -> Self {
        Pipeline::new()
    }
}

impl<'a> Pipeline<'a> {
    /// The pipeline of `realloc propose` without options: the scenario's rules, no LP export, no risk.
    pub fn new() -> Pipeline<'a> {
        Pipeline {
            rules: RulesSource::Scenario,
            export_lp: false,
            risk: None,
            load: LoadOptions::default(),
            on_warning: None,
            progress: None,
            lang: crate::report::Lang::En,
            method: optimize::Method::Auto,
        }
    }

    /// The language of the scenario's warnings handed to [`Pipeline::on_warning`] and kept in
    /// [`Run::warnings`] (default English); errors carry both languages
    /// ([`crate::diag::Diagnostic::render`]).
    #[must_use]
    pub fn message_lang(mut self, lang: crate::report::Lang) -> Pipeline<'a> {
        self.lang = lang;
        self
    }

    /// Which rules apply (default: [`RulesSource::Scenario`]).
    #[must_use]
    pub fn rules(mut self, rules: RulesSource) -> Pipeline<'a> {
        self.rules = rules;
        self
    }

    /// Also write the optimised model in CPLEX LP format ([`Run::lp`]).
    #[must_use]
    pub fn export_lp(mut self, yes: bool) -> Pipeline<'a> {
        self.export_lp = yes;
        self
    }

    /// How the proposal is solved (default [`optimize::Method::Auto`], the built-in exact solver);
    /// [`optimize::Method::Highs`] needs the `highs` feature. The binding constraints are priced with
    /// the built-in solver whatever the choice.
    #[must_use]
    pub fn solver(mut self, method: optimize::Method) -> Pipeline<'a> {
        self.method = method;
        self
    }

    /// Run the Monte Carlo of the year-end disbursement and attach it as the document's risk annex.
    #[must_use]
    pub fn risk(mut self, risk: Option<RiskRequest>) -> Pipeline<'a> {
        self.risk = risk;
        self
    }

    /// How a scenario folder is read (files outside the folder).
    #[must_use]
    pub fn load_options(mut self, options: LoadOptions) -> Pipeline<'a> {
        self.load = options;
        self
    }

    /// Hands each warning to `f` as it is met (they are also collected in [`Run::warnings`]).
    #[must_use]
    pub fn on_warning(mut self, f: &'a mut dyn FnMut(&str)) -> Pipeline<'a> {
        self.on_warning = Some(f);
        self
    }

    /// Reports the risk simulation's progress: `f(n)` after every `n` draws.
    #[must_use]
    pub fn risk_progress(mut self, f: &'a (dyn Fn(u64) + Sync)) -> Pipeline<'a> {
        self.progress = Some(f);
        self
    }

    /// Runs the whole pipeline on the scenario folder `dir`.
    pub fn run_dir(&mut self, dir: &Path) -> Result<Run, PipelineError> {
        let prepared = self.prepare_dir(dir)?;
        self.run_prepared(prepared)
    }

    /// Runs the whole pipeline on a scenario whose files are in memory.
    pub fn run_in_memory(&mut self, scenario: &InMemoryScenario<'_>) -> Result<Run, PipelineError> {
        let prepared = self.prepare_in_memory(scenario)?;
        self.run_prepared(prepared)
    }

    /// Runs the whole pipeline on a scenario already built (from rows of another system, say), named
    /// `name` in messages. [`RulesSource::Scenario`] takes the built-in rules unless the scenario names
    /// a rules file, which cannot be read without a folder ([`PipelineError::RulesNotGiven`]).
    pub fn run_scenario(&mut self, scenario: Scenario, name: &str) -> Result<Run, PipelineError> {
        let (rules, files_read) = match &self.rules {
            RulesSource::Scenario => match &scenario.meta.rules {
                Some(file) => return Err(PipelineError::RulesNotGiven { file: file.clone() }),
                None => (Rules::builtin(), Vec::new()),
            },
            _ => match self.explicit_rules()? {
                Some((rules, file)) => (rules, file.into_iter().collect()),
                None => (Rules::builtin(), Vec::new()),
            },
        };
        let prepared = Prepared { scenario, rules, warnings: Vec::new(), files_read, name: name.to_owned() };
        self.run_prepared(prepared)
    }

    /// Loads the scenario folder `dir` and the rules that apply to it (the first stage of a run).
    pub fn prepare_dir(&mut self, dir: &Path) -> Result<Prepared, PipelineError> {
        self.check_risk()?;
        let explicit = self.explicit_rules()?;
        let loaded = load_scenario_with(dir, &self.load).map_err(|e| PipelineError::scenario(dir, e))?;
        let mut warnings = Vec::new();
        self.warn_all(&loaded, &mut warnings);
        let scenario = loaded.scenario;
        // The scenario's files (a workbook scenario: the workbook, and the files beside it it names),
        // the rules file it names included.
        let mut files_read = crate::load::scenario_files(dir, &scenario.meta);
        let folder = crate::load::scenario_folder(dir);
        let rules = match (explicit, &scenario.meta.rules) {
            (Some((rules, file)), _) => {
                files_read.extend(file);
                rules
            }
            (None, Some(rel)) => read_rules_file(&folder.join(rel))?,
            (None, None) => Rules::builtin(),
        };
        Ok(Prepared { scenario, rules, warnings, files_read, name: dir.display().to_string() })
    }

    /// Loads a scenario held in memory and the rules that apply to it. A rules file the scenario names
    /// is taken from its files.
    pub fn prepare_in_memory(&mut self, input: &InMemoryScenario<'_>) -> Result<Prepared, PipelineError> {
        self.check_risk()?;
        let explicit = self.explicit_rules()?;
        let loaded = load_scenario_in_memory(input).map_err(|e| PipelineError::Scenario {
            folder: input.folder.to_owned(),
            diagnostics: e.diagnostics,
        })?;
        let mut warnings = Vec::new();
        self.warn_all(&loaded, &mut warnings);
        let scenario = loaded.scenario;
        let meta = &scenario.meta;
        let mut files_read: Vec<PathBuf> = [Some(crate::load::SCENARIO_FILE), Some(meta.projects.as_str())]
            .into_iter()
            .chain([meta.disbursements.as_deref(), meta.pipeline.as_deref()])
            .flatten()
            .map(|name| PathBuf::from(input.shown(name)))
            .collect();
        let rules = match (explicit, &meta.rules) {
            (Some((rules, file)), _) => {
                files_read.extend(file);
                rules
            }
            (None, Some(rel)) => {
                let shown = input.shown(rel);
                // The loader has checked that the file is given and not too large.
                let bytes = input.get(rel).unwrap_or_default();
                let rules = parse_rules(bytes, &shown)?;
                files_read.push(PathBuf::from(shown));
                rules
            }
            (None, None) => Rules::builtin(),
        };
        Ok(Prepared { scenario, rules, warnings, files_read, name: input.folder.to_owned() })
    }

    /// Runs assess → optimise → price constraints → document (→ LP, → risk) on a prepared scenario.
    pub fn run_prepared(&mut self, prepared: Prepared) -> Result<Run, PipelineError> {
        self.check_risk()?;
        let Prepared { scenario, rules, mut warnings, files_read, name } = prepared;
        let identity = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
        let assessment = rules.assess_checked(&scenario)?;
        let proposal = optimize::propose_with(&scenario.portfolio, &assessment.model, self.method)
            .map_err(|source| PipelineError::Optimize { scenario: name.clone(), source })?;
        // Pricing the binding constraints re-solves the model once per constraint; it runs beside the
        // document and the LP export, which do not depend on it.
        let export_lp = self.export_lp;
        let (costs, (mut document, lp)) = rayon::join(
            || constraint_costs(&scenario.portfolio, &assessment.model, &proposal),
            || {
                let lp = export_lp.then(|| optimize::export_lp(&scenario.portfolio, &assessment.model));
                (ProposalDocument::build(&scenario, &identity, &assessment, &proposal), lp)
            },
        );
        let lp =
            lp.transpose().map_err(|source| PipelineError::ExportLp { scenario: name.clone(), source })?;
        for (line, cost) in document.constraints.iter_mut().zip(costs) {
            line.cost = cost;
        }
        if let Some(request) = self.risk {
            let report = self.simulate(&request, &scenario, &rules, &assessment, &proposal, &mut warnings)?;
            document.risk = Some(report);
        }
        Ok(Run { document, lp, warnings, files_read, scenario, rules, assessment, proposal })
    }

    /// The Monte Carlo over a proposed scenario: the rules' spread (the built-in one when the rules
    /// declare none, with a warning), calibrated on request.
    fn simulate(
        &mut self,
        request: &RiskRequest,
        scenario: &Scenario,
        rules: &Rules,
        assessment: &Assessment,
        proposal: &Proposal,
        warnings: &mut Vec<String>,
    ) -> Result<RiskReport, PipelineError> {
        let spread = match rules.risk_spread() {
            Some(s) => s.clone(),
            None => {
                self.warn(
                    format!(
                        "the rules `{}` declare no [risk] section; using the spread of the built-in rules",
                        rules.name
                    ),
                    warnings,
                );
                Rules::builtin().risk_spread().cloned().unwrap_or_else(|| Spread::uniform(0.2, 0.3))
            }
        };
        let spread = if request.calibrate {
            let at = Rules::default_backtest_date(scenario.meta.as_of);
            let bt = rules.backtest(scenario, at).map_err(PipelineError::Calibrate)?;
            spread.calibrated(&bt, 5)
        } else {
            spread
        };
        let rows = risk::risk_rows(scenario, assessment, &proposal.changes, &proposal.pipeline, &spread);
        let opts = RiskOptions {
            draws: request.draws,
            seed: request.seed,
            target: request.target,
            correlation: spread.correlation,
        };
        let mut report = risk::simulate(&rows, &opts, self.progress.unwrap_or(&|_| {}))?;
        report.spread_source = spread.source;
        Ok(report)
    }

    /// Refuses risk options that cannot be simulated, before any work.
    fn check_risk(&self) -> Result<(), PipelineError> {
        self.risk.as_ref().map(RiskRequest::check).transpose()?;
        Ok(())
    }

    /// The rules given explicitly (a file or a text) with the file read, if any; `None` when they
    /// depend on the scenario.
    fn explicit_rules(&self) -> Result<Option<(Rules, Option<PathBuf>)>, PipelineError> {
        match &self.rules {
            RulesSource::Scenario => Ok(None),
            RulesSource::BuiltIn => Ok(Some((Rules::builtin(), None))),
            RulesSource::File(path) => Ok(Some((read_rules_file(path)?, Some(path.clone())))),
            RulesSource::Text { name, text } => Ok(Some((Rules::parse(text, name)?, None))),
        }
    }

    fn warn_all(&mut self, loaded: &Loaded, warnings: &mut Vec<String>) {
        for w in loaded.warnings.iter() {
            self.warn(w.render(self.lang), warnings);
        }
    }

    fn warn(&mut self, line: String, warnings: &mut Vec<String>) {
        if let Some(f) = self.on_warning.as_mut() {
            f(&line);
        }
        warnings.push(line);
    }
}

/// Reads and checks a rules file; a missing, non-UTF-8 or invalid file is bad input naming the file
/// and the line.
pub fn read_rules_file(path: &Path) -> Result<Rules, PipelineError> {
    let bytes = read_bounded(path, MAX_TOML_BYTES, "rules file")?;
    parse_rules(&bytes, &path.display().to_string())
}

/// Rules from the bytes of a file named `name`.
fn parse_rules(bytes: &[u8], name: &str) -> Result<Rules, PipelineError> {
    let text = std::str::from_utf8(bytes).map_err(|e| PipelineError::File {
        file: name.to_owned(),
        message: format!("the rules file is not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
    })?;
    Ok(Rules::parse(text, name)?)
}

/// Reads a file the user named: only a regular file (not a pipe or a device such as `/dev/zero`, which
/// would never end) of at most `limit` bytes; else an error saying what it is (`what`: "rules file").
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, PipelineError> {
    let fail = |message: String| PipelineError::File { file: path.display().to_string(), message };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read the {what}: {e}")))?;
    if meta.is_dir() {
        return Err(fail(format!("is a folder, not a {what}")));
    }
    if !meta.is_file() {
        return Err(fail(format!(
            "is not a regular file (it is a pipe, a device or a socket) and is not read; expected a {what}"
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| fail(format!("cannot read the {what}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(fail(format!(
            "the {what} is larger than {} MiB, the most it may be (README, \"Limits\")",
            limit >> 20
        )));
    }
    Ok(bytes)
}
