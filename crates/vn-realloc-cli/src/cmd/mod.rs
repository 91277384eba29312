//! One module per command; `dispatch` runs the parsed command line with its [`Ctx`].

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use realloc::monitor::Doc;
use realloc::report::Lang;

use crate::cli::{Cli, Command, Format, MessageFormat, OutputArg, When};
use crate::output;

mod backtest;
mod check;
mod classify;
pub(crate) mod common;
mod compare;
pub mod conclusions;
mod explain;
mod generate;
mod monitor;
mod propose;
pub mod reconcile;
mod risk;
mod rules;
mod rules_input;
mod sweep;
mod template;
pub(crate) mod validate;

/// What every command is given besides its arguments: the global options, resolved.
#[derive(Debug)]
pub struct Ctx {
    /// Language of documents, summaries and numbers (`--lang`, `REALLOC_LANG`).
    pub lang: Lang,
    /// `-v`: the time of each stage on standard error.
    pub verbose: bool,
    /// `-q`: no "wrote FILE" lines.
    pub quiet: bool,
    /// Print the terminal summary instead of the whole document on standard output.
    pub summary: bool,
    /// Width of the terminal summary.
    pub width: usize,
    /// The stages timed so far, and when the last one ended.
    clock: RefCell<(Instant, Vec<(&'static str, Duration)>)>,
}

impl Ctx {
    /// The context of the global options, standard output being a terminal or not.
    pub fn new(cli: &Cli, stdout_is_terminal: bool) -> Ctx {
        let summary = match cli.global.summary {
            When::Always => true,
            When::Never => false,
            When::Auto => stdout_is_terminal,
        };
        Ctx {
            lang: cli.global.lang.into(),
            verbose: cli.global.verbose,
            quiet: cli.global.quiet,
            summary,
            width: if stdout_is_terminal { crate::term::width() } else { 100 },
            clock: RefCell::new((Instant::now(), Vec::new())),
        }
    }

    /// Marks the end of the stage `name` (load, rules, optimise, document, write). When the library's
    /// pipeline ran in it, its own stages (load, rules, assess, optimise, …) are listed instead.
    pub fn stage(&self, name: &'static str) {
        let mut c = self.clock.borrow_mut();
        let now = Instant::now();
        let d = now - c.0;
        c.0 = now;
        let inner = common::take_stages();
        if inner.is_empty() {
            c.1.push((name, d));
        } else {
            c.1.extend(inner);
        }
    }

    /// The stages timed, in order.
    pub fn timings(&self) -> Vec<(&'static str, Duration)> {
        self.clock.borrow().1.clone()
    }

    /// True when a document with no `-o` and no `--format` goes to standard output as the terminal
    /// summary.
    pub fn summarise(&self, output: &OutputArg, format: Option<Format>) -> bool {
        self.summary && output.path().is_none() && format.is_none()
    }

    /// Writes a document of `command`: to the output file, or to standard output, in `format`
    /// (`render`), or as the terminal summary of `doc` when [`Ctx::summarise`] says so.
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &self,
        command: &str,
        output: &OutputArg,
        flag: Option<Format>,
        format: Format,
        inputs: &[PathBuf],
        out: &mut dyn Write,
        doc: impl FnOnce() -> Doc,
        render: impl FnOnce(Format) -> anyhow::Result<Vec<u8>>,
    ) -> anyhow::Result<()> {
        if self.summarise(output, flag) {
            let text = crate::term::summary(&doc(), self.lang, self.width, output::formats_of(command));
            self.stage("document");
            return output::write_stdout(out, text.as_bytes());
        }
        let bytes = render(format)?;
        self.stage("document");
        output.write(&bytes, inputs, out)
    }
}

pub use common::with_message_lang;

/// Runs a parsed command line.
pub fn dispatch(
    cli: Cli,
    stdout_is_terminal: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let options = realloc::load::LoadOptions { allow_outside: cli.allow_outside };
    let ctx = Ctx::new(&cli, stdout_is_terminal);
    output::set_message_format(cli.global.message_format);
    output::set_lang(ctx.lang);
    output::take_written();
    let result = common::with_load_options(options, || run_command(cli.command, &ctx, out, err));
    if !ctx.quiet && cli.global.message_format == MessageFormat::Human {
        for (path, size) in output::take_written() {
            let _ = writeln!(err, "{}", output::wrote_line(&path, size, ctx.lang));
        }
    }
    if ctx.verbose {
        for (stage, d) in ctx.timings() {
            let _ = writeln!(err, "{stage:<18} {:>9.1} ms", d.as_secs_f64() * 1e3);
        }
    }
    result
}

/// Runs one command.
fn run_command(command: Command, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        Command::Validate(args) => validate::run(&args, ctx, out, err),
        Command::Propose(args) => propose::run(&args, ctx, out, err),
        Command::Generate(args) => generate::run(&args, ctx, out, err),
        Command::Compare(args) => compare::run(&args, ctx, out, err),
        Command::Classify(args) => classify::run(&args, ctx, out, err),
        Command::Explain(args) => explain::run(&args, ctx, out, err),
        Command::Backtest(args) => backtest::run(&args, ctx, out, err),
        Command::Check(args) => check::run(&args, ctx, out, err),
        Command::Template(args) => template::run(&args, ctx, out, err),
        Command::Report(args) => monitor::report(&args, ctx, out, err),
        Command::Rank(args) => monitor::rank(&args, ctx, out, err),
        Command::Reconcile(args) => reconcile::run(&args, ctx, out, err),
        Command::Conclusions(args) => conclusions::run(&args, ctx, out, err),
        Command::Risk(args) => risk::run(&args, ctx, out, err),
        Command::Sweep(args) => sweep::run(&args, ctx, out, err),
        Command::Rules(args) => rules::run(&args, ctx, out, err),
        Command::Serve(args) => crate::serve::run(
            crate::serve::Config {
                scenario: args.scenario,
                bind: args.bind,
                port: args.port,
                overrides: args.overrides,
                rules: args.rules.file,
                lang: ctx.lang,
                load: common::load_options(),
            },
            err,
        ),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "realloc", out);
            Ok(())
        }
        Command::Man(args) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            match &args.output {
                Some(path) => output::write_atomic(path, &page, &[]),
                None => output::write_stdout(out, &page),
            }
        }
    }
}

/// The name a side or a scenario is known by: its file or folder name.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
