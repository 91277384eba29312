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
use std::time::{Duration, Instant};

use crate::diag::{Diagnostics, Msg};
use crate::load::{
    InMemoryScenario, LoadError, LoadOptions, Loaded, MAX_TOML_BYTES, load_scenario_in_memory,
    load_scenario_with,
};
use crate::model::Assessment;
use crate::optimize::{self, OptimizeError, Proposal};
use crate::overrides::{self, Overrides};
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
    #[error("{file}: {}", message.en)]
    File {
        /// The file as named by the caller.
        file: String,
        /// What is wrong with it, in both languages, with its code.
        message: Msg,
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
    /// The overrides (`--overrides FILE`, a session's adjustments) cannot apply: an unknown row or
    /// parameter, a change beyond the legal bounds, a forced change the pool cannot balance; each
    /// problem with the overrides file's line and column.
    #[error("{}", overrides_message(file, diagnostics))]
    Overrides {
        /// The overrides file as named in messages.
        file: String,
        /// The problems.
        diagnostics: Diagnostics,
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

/// "the adjustments in `FILE` cannot apply (N problems):" and the problems.
fn overrides_message(file: &str, diagnostics: &Diagnostics) -> String {
    let count = diagnostics.error_count();
    format!(
        "the adjustments in `{file}` cannot apply ({count} problem{}):\n{diagnostics}",
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
    /// How long each stage took, in order ([`Timings`]).
    pub timings: Timings,
}

/// How long each stage of a run took, in the order they ran: `load`, `rules` (reading and checking
/// the rules file), `assess`, `optimise`, `price constraints` and `build document` (which run at the
/// same time, so their times overlap), `export LP`, `risk`. A stage that did not run is absent.
pub type Timings = Vec<(&'static str, Duration)>;

/// Measures stages one after the other: each lap is the time since the previous one; a stage timed
/// twice (the rules read before and after the scenario) adds up.
struct Clock {
    last: Instant,
    laps: Timings,
}

/// `f()` and how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    (f(), start.elapsed())
}

impl Clock {
    fn new() -> Clock {
        Clock { last: Instant::now(), laps: Vec::new() }
    }

    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.add(stage, now - self.last);
        self.last = now;
    }

    fn add(&mut self, stage: &'static str, d: Duration) {
        match self.laps.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, total)) => *total += d,
            None => self.laps.push((stage, d)),
        }
    }
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
    /// How long each stage took, loading included when the run loaded the scenario.
    pub timings: Timings,
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
    overrides: Option<Overrides>,
    overrides_sha256: Option<(String, String)>,
    overrides_path: Option<PathBuf>,
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
            overrides: None,
            overrides_sha256: None,
            overrides_path: None,
            method: optimize::Method::Auto,
        }
    }

    /// Applies a session's adjustments between the rules' assessment and the optimiser (see
    /// [`crate::overrides`]); `None` or empty overrides change nothing. The proposal then lists them
    /// ([`ProposalDocument::overrides`]).
    #[must_use]
    pub fn overrides(mut self, overrides: Option<Overrides>) -> Pipeline<'a> {
        self.overrides = overrides.filter(|o| !o.is_empty());
        self.overrides_sha256 = None;
        self.overrides_path = None;
        self
    }

    /// Reads the overrides file `path` (a regular file of at most [`crate::overrides::MAX_BYTES`],
    /// UTF-8) and applies it as [`Pipeline::overrides`]; its SHA-256 joins the manifest's input digests
    /// under its file name (as the scenario's inputs are named relative to its folder), so that the
    /// same file read by another path gives the same document; messages name it as `path` shows.
    pub fn overrides_file(self, path: &Path) -> Result<Pipeline<'a>, PipelineError> {
        let bytes = read_bounded(path, crate::overrides::MAX_BYTES, "overrides file")?;
        let name = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|e| PipelineError::File {
            file: name.clone(),
            message: crate::msg!(
                "E015",
                "the overrides file is not UTF-8 (invalid byte at offset {})",
                "tệp điều chỉnh không phải UTF-8 (byte sai ở vị trí {})",
                e.valid_up_to()
            ),
        })?;
        let o = Overrides::from_toml(text, &name)
            .map_err(|diagnostics| PipelineError::Overrides { file: name.clone(), diagnostics })?;
        let sha = crate::load::sha256_hex(&bytes);
        let key = path.file_name().map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
        let mut p = self.overrides(Some(o));
        p.overrides_sha256 = Some((key, sha));
        p.overrides_path = Some(path.to_path_buf());
        Ok(p)
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
        let prepared = Prepared {
            scenario,
            rules,
            warnings: Vec::new(),
            files_read,
            name: name.to_owned(),
            timings: Vec::new(),
        };
        self.run_prepared(prepared)
    }

    /// Loads the scenario folder `dir` and the rules that apply to it (the first stage of a run).
    pub fn prepare_dir(&mut self, dir: &Path) -> Result<Prepared, PipelineError> {
        self.check_risk()?;
        let mut clock = Clock::new();
        let explicit = self.explicit_rules()?;
        if explicit.is_some() {
            clock.lap("rules");
        }
        let loaded = load_scenario_with(dir, &self.load).map_err(|e| PipelineError::scenario(dir, e))?;
        clock.lap("load");
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
        clock.lap("rules");
        let name = dir.display().to_string();
        Ok(Prepared { scenario, rules, warnings, files_read, name, timings: clock.laps })
    }

    /// Loads a scenario held in memory and the rules that apply to it. A rules file the scenario names
    /// is taken from its files.
    pub fn prepare_in_memory(&mut self, input: &InMemoryScenario<'_>) -> Result<Prepared, PipelineError> {
        self.check_risk()?;
        let mut clock = Clock::new();
        let explicit = self.explicit_rules()?;
        if explicit.is_some() {
            clock.lap("rules");
        }
        let loaded = load_scenario_in_memory(input).map_err(|e| PipelineError::Scenario {
            folder: input.folder.to_owned(),
            diagnostics: e.diagnostics,
        })?;
        clock.lap("load");
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
        clock.lap("rules");
        let name = input.folder.to_owned();
        Ok(Prepared { scenario, rules, warnings, files_read, name, timings: clock.laps })
    }

    /// Runs assess → optimise → price constraints → document (→ LP, → risk) on a prepared scenario.
    pub fn run_prepared(&mut self, prepared: Prepared) -> Result<Run, PipelineError> {
        self.check_risk()?;
        let Prepared { mut scenario, mut rules, mut warnings, mut files_read, name, timings } = prepared;
        let mut clock = Clock { last: Instant::now(), laps: timings };
        files_read.extend(self.overrides_path.clone());
        let identity = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
        let overrides = self.overrides.as_ref();
        let bad =
            |o: &Overrides, diagnostics| PipelineError::Overrides { file: o.file().to_owned(), diagnostics };
        let mut resolved = None;
        if let Some(o) = overrides {
            rules = overrides::apply_params(o, &rules).map_err(|d| bad(o, d))?;
            let (portfolio, r) = overrides::apply_locks(o, &scenario.portfolio).map_err(|d| bad(o, d))?;
            if let Some(portfolio) = portfolio {
                scenario.portfolio = portfolio;
            }
            resolved = Some(r);
        }
        let mut assessment = rules.assess_checked(&scenario)?;
        clock.lap("assess");
        if let (Some(o), Some(r)) = (overrides, &resolved) {
            overrides::apply_sets(o, r, &scenario.portfolio, &mut assessment).map_err(|d| bad(o, d))?;
        }
        let proposal = optimize::propose_with(&scenario.portfolio, &assessment.model, self.method).map_err(|source| {
            match (&source, overrides, &resolved) {
                (OptimizeError::Forced { row, pool, asked, placed, .. }, Some(o), Some(r)) => {
                    let k = r.set.iter().position(|x| x == row).unwrap_or(0);
                    let p = &scenario.portfolio.rows()[*row];
                    let mut d = Diagnostics::new();
                    d.push(overrides::error_at(
                        o,
                        overrides::Kind::Set,
                        k,
                        crate::msg!(
                            "E695",
                            "[[set]] `{}` {}: change = {} cannot be balanced within the pool {}: it can take only {} million VND of it (the room on the other side and the side constraints limit it)",
                            "[[set]] `{}` {}: change = {} không thể cân đối trong nhóm vốn {}: nhóm chỉ nhận được {} triệu đồng (giới hạn bởi dư địa của các dòng bên kia và các ràng buộc)",
                            p.id,
                            p.source.code(),
                            asked,
                            pool,
                            placed
                        ),
                    ));
                    bad(o, d)
                }
                _ => PipelineError::Optimize { scenario: name.clone(), source },
            }
        })?;
        clock.lap("optimise");
        // Pricing the binding constraints re-solves the model once per constraint; it runs beside the
        // document and the LP export, which do not depend on it.
        let export_lp = self.export_lp;
        let ((costs, t_costs), ((mut document, t_document), lp)) = rayon::join(
            || timed(|| constraint_costs(&scenario.portfolio, &assessment.model, &proposal)),
            || {
                let document =
                    timed(|| ProposalDocument::build(&scenario, &identity, &assessment, &proposal));
                let lp =
                    export_lp.then(|| timed(|| optimize::export_lp(&scenario.portfolio, &assessment.model)));
                (document, lp)
            },
        );
        clock.add("price constraints", t_costs);
        clock.add("build document", t_document);
        let lp = lp.map(|(lp, t)| {
            clock.add("export LP", t);
            lp
        });
        clock.last = Instant::now();
        let lp =
            lp.transpose().map_err(|source| PipelineError::ExportLp { scenario: name.clone(), source })?;
        for (line, cost) in document.constraints.iter_mut().zip(costs) {
            line.cost = cost;
        }
        if let Some(o) = overrides {
            document.overrides = crate::report::adjustment_lines(o, &scenario.portfolio);
            if let Some((key, sha)) = &self.overrides_sha256 {
                document.manifest.inputs_sha256.insert(key.clone(), sha.clone());
            }
        }
        if let Some(request) = self.risk {
            let report = self.simulate(&request, &scenario, &rules, &assessment, &proposal, &mut warnings)?;
            document.risk = Some(report);
            clock.lap("risk");
        }
        let timings = clock.laps;
        Ok(Run { document, lp, warnings, files_read, scenario, rules, assessment, proposal, timings })
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
                let m = crate::msg!(
                    "W015",
                    "the rules `{}` declare no [risk] section; using the spread of the built-in rules",
                    "bộ quy tắc `{}` không có mục [risk]; dùng độ phân tán của bộ quy tắc có sẵn",
                    rules.name
                );
                self.warn(m.text(self.lang).to_owned(), warnings);
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
        message: crate::msg!(
            "E014",
            "the rules file is not UTF-8 (invalid byte at offset {})",
            "tệp quy tắc không phải UTF-8 (byte sai ở vị trí {})",
            e.valid_up_to()
        ),
    })?;
    Ok(Rules::parse(text, name)?)
}

/// Reads a file the user named: only a regular file (not a pipe or a device such as `/dev/zero`, which
/// would never end) of at most `limit` bytes; else an error saying what it is (`what`: "rules file").
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, PipelineError> {
    use crate::msg;
    let fail = |message: Msg| PipelineError::File { file: path.display().to_string(), message };
    let what_vi = match what {
        "rules file" => "tệp quy tắc",
        "JSON proposal" => "tệp JSON đề xuất",
        "overrides file" => "tệp điều chỉnh",
        other => other,
    };
    let unreadable = |e: std::io::Error| {
        let e = crate::load::text::lowercase_first(&e.to_string());
        fail(msg!("E010", "cannot read the {what}: {e}", "không đọc được {what_vi}: {e}"))
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(fail(msg!("E011", "is a folder, not a {what}", "là một thư mục, không phải {what_vi}")));
    }
    if !meta.is_file() {
        return Err(fail(msg!(
            "E012",
            "is not a regular file (it is a pipe, a device or a socket) and is not read; expected a {what}",
            "không phải một tệp thông thường (là một đường ống, thiết bị hoặc socket) nên không được đọc; cần {what_vi}"
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes)).map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(fail(msg!(
            "E013",
            "the {what} is larger than {} MiB, the most it may be (README, \"Limits\")",
            "{what_vi} lớn hơn {} MiB, mức tối đa cho phép (README, \"Limits\")",
            limit >> 20
        )));
    }
    Ok(bytes)
}
