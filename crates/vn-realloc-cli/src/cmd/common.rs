//! What several commands share: loading a scenario with its diagnostics mapped to exit status 2, and
//! the library's pipeline ([`realloc::pipeline`]) called with the command line's options, its errors
//! mapped to exit codes.

use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use realloc::load::{LoadOptions, Loaded, load_scenario_with};
use realloc::optimize::Method;
use realloc::pipeline::{Pipeline, PipelineError, RiskRequest, RulesSource, Run};
use realloc::report::Lang;
use realloc::scenario::Scenario;

use crate::cli::RiskOptionsArgs;
use crate::output::bad_input;

thread_local! {
    /// How the command running on this thread loads scenarios (the global `--allow-outside`).
    static LOAD_OPTIONS: Cell<LoadOptions> = Cell::new(LoadOptions::default());
    /// The language of the bad-input messages of the command running on this thread, when a caller
    /// set it ([`with_message_lang`]); otherwise the command line's `--lang` ([`crate::output::lang`]).
    static MESSAGE_LANG: Cell<Option<Lang>> = const { Cell::new(None) };
    /// The stages the library's pipeline timed since the command's last `Ctx::stage`.
    static STAGES: std::cell::RefCell<realloc::pipeline::Timings> = const { std::cell::RefCell::new(Vec::new()) };
    /// The solver of the command running on this thread (`propose --solver`).
    static SOLVER: Cell<Method> = const { Cell::new(Method::Auto) };
}

/// Keeps the stages a pipeline run timed, for `-v` (see [`take_stages`]).
pub fn record_stages(timings: &realloc::pipeline::Timings) {
    STAGES.with(|s| s.borrow_mut().extend(timings.iter().copied()));
}

/// The stages recorded since the last call: `Ctx::stage` lists them instead of the one stage it
/// was told, which covered them.
pub fn take_stages() -> realloc::pipeline::Timings {
    STAGES.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

/// The word before an error in `lang`.
pub fn error_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "lỗi",
        Lang::En => "error",
    }
}

/// Runs `f` with `method` solving every proposal it makes on this thread.
pub fn with_solver<T>(method: Method, f: impl FnOnce() -> T) -> T {
    let before = SOLVER.replace(method);
    let result = f();
    SOLVER.set(before);
    result
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
    match load_scenario_with(dir, &load_options()) {
        Ok(loaded) => {
            for w in loaded.warnings.iter() {
                crate::output::warn(err, w);
            }
            Ok(loaded)
        }
        Err(e) => Err(pipeline_error(PipelineError::scenario(dir, e))),
    }
}

/// A library pipeline error as the command line reports it: bad input (exit status 2) or a failure.
pub fn pipeline_error(e: PipelineError) -> anyhow::Error {
    match e {
        // The scenario's problems in the user's language, each with its file, line and column (and
        // one JSON object each under `--message-format json`).
        PipelineError::Scenario { folder, diagnostics } => {
            let lang = message_lang();
            let head = scenario_head(&folder, diagnostics.error_count(), lang);
            crate::output::bad_diagnostics(
                format!("{head}:\n{}", diagnostics.render(lang)),
                diagnostics.iter().cloned().collect(),
            )
        }
        // The rules' problems, the same way: each with its file, line and column.
        PipelineError::Rules(e) => {
            let lang = message_lang();
            let diagnostics = e.diagnostics();
            let file = match &e {
                realloc::rules::RulesError::Invalid { file, .. } => file.as_str(),
                _ => "",
            };
            crate::output::bad_diagnostics(
                format!(
                    "{}\n{}",
                    rules_head(file, diagnostics.error_count(), lang),
                    diagnostics.render(lang)
                ),
                diagnostics.iter().cloned().collect(),
            )
        }
        PipelineError::File { file, message } => {
            bad_input(format!("{file}: {}{}", message.text(message_lang()), code_suffix(message.code)))
        }
        PipelineError::Calibrate(e) => {
            let m = e.message();
            bad_input(format!("--calibrate: {}{}", m.text(message_lang()), code_suffix(m.code)))
        }
        PipelineError::Overrides { file, diagnostics } => {
            let lang = message_lang();
            let head = overrides_head(&file, diagnostics.error_count(), lang);
            crate::output::bad_diagnostics(
                format!("{head}:\n{}", diagnostics.render(lang)),
                diagnostics.iter().cloned().collect(),
            )
        }
        e if e.is_bad_input() => bad_input(e.to_string()),
        e => anyhow::Error::new(e),
    }
}

/// "the scenario `FOLDER` cannot be used (N problems)" in `lang` (the command line and the server).
pub fn scenario_head(folder: &str, count: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("the scenario `{folder}` cannot be used ({count} problem{})", plural(count)),
        Lang::Vi => format!("không dùng được kịch bản `{folder}` ({count} lỗi)"),
    }
}

/// "the adjustments in `FILE` cannot apply (N problems)" in `lang` (the command line and the server).
pub fn overrides_head(file: &str, count: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("the adjustments in `{file}` cannot apply ({count} problem{})", plural(count)),
        Lang::Vi => format!("không áp dụng được các điều chỉnh trong `{file}` ({count} lỗi)"),
    }
}

/// The English plural ending for `count` things.
fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// "FILE: N problem(s) in the rules:" in `lang`.
pub fn rules_head(file: &str, count: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{file}: {count} problem(s) in the rules:"),
        Lang::Vi => format!("{file}: bộ quy tắc có {count} lỗi:"),
    }
}

/// ` [E010]`, or nothing for a message without a code.
fn code_suffix(code: &str) -> String {
    if code.is_empty() { String::new() } else { format!(" [{code}]") }
}

/// The pipeline of the command line: the `--rules` file (else the scenario's own, else the built-in
/// rules), the global load options, and each warning handed to `warn` as it is met (the commands
/// write it to standard error as `warning: …`).
pub fn pipeline<'a>(rules: Option<&Path>, warn: &'a mut dyn FnMut(&str)) -> Pipeline<'a> {
    let source = rules.map_or(RulesSource::Scenario, |p| RulesSource::File(p.to_path_buf()));
    Pipeline::new()
        .rules(source)
        .load_options(load_options())
        .message_lang(message_lang())
        .solver(SOLVER.get())
        .on_warning(warn)
}

/// The files a run over the scenario folder `dir` read: `scenario.toml`, the projects, the history
/// and the rules (the `--rules` file and the scenario's own), so that no output lands on one.
/// `dir` may be a workbook scenario: the workbook is then the input.
pub fn inputs(dir: &Path, scenario: &Scenario, rules: Option<&Path>) -> Vec<PathBuf> {
    let mut v = realloc::load::scenario_files(dir, &scenario.meta);
    v.extend(rules.map(Path::to_path_buf));
    v
}

/// A scenario run through the whole pipeline (the library's [`realloc::pipeline::Run`]).
pub type Proposed = Run;

/// The pipeline shared by `propose`, `compare` and `risk` (the library's [`Pipeline`]): load → rules →
/// assess → optimise → price the binding side constraints → build the document (→ LP, → risk, with a
/// progress bar on a terminal).
pub fn propose_scenario(
    dir: &Path,
    rules_file: Option<&Path>,
    export_lp: bool,
    risk: Option<&RiskOptionsArgs>,
    err: &mut dyn Write,
) -> anyhow::Result<Proposed> {
    propose_scenario_with(dir, rules_file, None, export_lp, risk, err)
}

/// [`propose_scenario`] with a session's adjustments (`propose --overrides FILE`).
pub fn propose_scenario_with(
    dir: &Path,
    rules_file: Option<&Path>,
    overrides: Option<&Path>,
    export_lp: bool,
    risk: Option<&RiskOptionsArgs>,
    err: &mut dyn Write,
) -> anyhow::Result<Proposed> {
    let request =
        risk.map(|o| RiskRequest { draws: o.draws, seed: o.seed, target: o.target, calibrate: o.calibrate });
    // The bar appears with the first draws, not while the scenario loads.
    let bar = std::sync::OnceLock::new();
    let progress = |n: u64| bar.get_or_init(|| progress_bar(request.map_or(0, |r| r.draws))).inc(n);
    let mut warn = |w: &str| {
        crate::output::warn_text(err, w);
    };
    let mut pipe = pipeline(rules_file, &mut warn);
    if let Some(path) = overrides {
        pipe = pipe.overrides_file(path).map_err(pipeline_error)?;
    }
    let run =
        pipe.export_lp(export_lp).risk(request).risk_progress(&progress).run_dir(dir).map_err(pipeline_error);
    if let Ok(run) = &run {
        record_stages(&run.timings);
    }
    if let Some(bar) = bar.get() {
        bar.finish_and_clear();
    }
    run
}

/// A progress bar of `draws` draws on standard error when it is a terminal, else a hidden one.
fn progress_bar(draws: u32) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(u64::from(draws)), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} draws ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("risk");
    bar
}
