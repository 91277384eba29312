//! What several commands share: loading a scenario with its diagnostics mapped to exit status 2,
//! choosing the rules, and the whole pipeline from a scenario folder to a proposal document.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use realloc::load::{LoadOptions, Loaded, load_scenario_with};
use realloc::optimize;
use realloc::report::{Lang, ProposalDocument, RulesIdentity, constraint_costs};
use realloc::scenario::Scenario;

use crate::cmd::rules_input::load_with_rules;
use crate::output::bad_input;

thread_local! {
    /// How the command running on this thread loads scenarios (the global `--allow-outside`).
    static LOAD_OPTIONS: Cell<LoadOptions> = Cell::new(LoadOptions::default());
    /// The language of the bad-input messages of the command running on this thread, when a caller
    /// set it ([`with_message_lang`]); otherwise the command line's `--lang` ([`crate::output::lang`]).
    static MESSAGE_LANG: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Runs `f` with bad-input messages in `lang` on this thread.
pub fn with_message_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let before = MESSAGE_LANG.replace(Some(lang));
    let result = f();
    MESSAGE_LANG.set(before);
    result
}

/// The language of the bad-input messages: the one [`with_message_lang`] set, else `--lang`
/// (Vietnamese by default).
pub fn message_lang() -> Lang {
    MESSAGE_LANG.get().unwrap_or_else(crate::output::lang)
}

/// The word before a warning in `lang`.
pub fn warning_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "cảnh báo",
        Lang::En => "warning",
    }
}

/// Runs `f` with `options` for every scenario it loads on this thread.
pub fn with_load_options<T>(options: LoadOptions, f: impl FnOnce() -> T) -> T {
    let before = LOAD_OPTIONS.replace(options);
    let result = f();
    LOAD_OPTIONS.set(before);
    result
}

/// The options of the command line for loading a scenario.
pub fn load_options() -> LoadOptions {
    LOAD_OPTIONS.get()
}

/// Loads the scenario folder; every problem found becomes one bad-input error listing them all.
/// Warnings are written to `err`.
pub fn load(dir: &Path, err: &mut dyn Write) -> anyhow::Result<Loaded> {
    let lang = message_lang();
    match load_scenario_with(dir, &load_options()) {
        Ok(loaded) => {
            for w in loaded.warnings.iter() {
                crate::output::warn(err, w);
            }
            Ok(loaded)
        }
        Err(e) => {
            let count = e.diagnostics.error_count();
            let head = match lang {
                Lang::En => format!(
                    "the scenario `{}` cannot be used ({count} problem{})",
                    dir.display(),
                    if count == 1 { "" } else { "s" }
                ),
                Lang::Vi => format!("không dùng được kịch bản `{}` ({count} lỗi)", dir.display()),
            };
            Err(crate::output::bad_diagnostics(
                format!("{head}:\n{}", e.diagnostics.render(lang)),
                e.diagnostics.iter().cloned().collect(),
            ))
        }
    }
}

/// The files a run over the scenario folder `dir` read: `scenario.toml`, the projects, the history
/// and the rules (the `--rules` file and the scenario's own), so that no output lands on one.
/// `dir` may be a workbook scenario: the workbook is then the input.
pub fn inputs(dir: &Path, scenario: &Scenario, rules: Option<&Path>) -> Vec<PathBuf> {
    let mut v = realloc::load::scenario_files(dir, &scenario.meta);
    v.extend(rules.map(Path::to_path_buf));
    v
}

/// A scenario run through the whole pipeline, with the files it read.
pub struct Proposed {
    /// The proposal document.
    pub document: ProposalDocument,
    /// Every file read (the scenario's inputs and the rules file), so that no output lands on one.
    pub inputs: Vec<PathBuf>,
    /// The optimised model in CPLEX LP format, when asked for.
    pub lp: Option<String>,
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The rules applied.
    pub rules: realloc::rules::Rules,
    /// The rules' assessment.
    pub assessment: realloc::model::Assessment,
    /// The optimiser's proposal.
    pub proposal: optimize::Proposal,
}

/// The pipeline shared by `propose` and `compare`: load → rules → assess → optimise → price the
/// binding side constraints → build the document.
pub fn propose_scenario(
    dir: &Path,
    rules_file: Option<&Path>,
    export_lp: bool,
    err: &mut dyn Write,
) -> anyhow::Result<Proposed> {
    let (scenario_owned, rules) = load_with_rules(dir, rules_file, err)?;
    let scenario = &scenario_owned;
    let identity = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
    let assessment = rules.assess_checked(scenario).map_err(|e| bad_input(e.to_string()))?;
    let proposal = optimize::propose(&scenario.portfolio, &assessment.model)
        .with_context(|| format!("cannot optimise scenario `{}`", dir.display()))?;
    // Pricing the binding constraints re-solves the model once per constraint; it runs beside the
    // document and the LP export, which do not depend on it.
    let (costs, (mut document, lp)) = rayon::join(
        || constraint_costs(&scenario.portfolio, &assessment.model, &proposal),
        || {
            let lp = export_lp.then(|| optimize::export_lp(&scenario.portfolio, &assessment.model));
            (ProposalDocument::build(scenario, &identity, &assessment, &proposal), lp)
        },
    );
    let lp =
        lp.transpose().with_context(|| format!("cannot export the model of scenario `{}`", dir.display()))?;
    for (line, cost) in document.constraints.iter_mut().zip(costs) {
        line.cost = cost;
    }
    let inputs = inputs(dir, scenario, rules_file);
    Ok(Proposed { document, inputs, lp, scenario: scenario_owned, rules, assessment, proposal })
}
