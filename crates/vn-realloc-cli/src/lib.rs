//! The command-line front end of realloc: clap definitions, reading and writing files, choosing a
//! renderer, exit codes. Everything real lives in the `realloc` library.
//!
//! **Invariant:** only this crate touches the process exit code; it writes output files atomically
//! and never over an input.

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

mod cli;
mod cmd;
mod docs;
mod output;
pub mod serve;
mod term;

pub use cli::Cli;
pub use output::{BadDiagnostics, BadInput};

/// Runs `f` with the bad-input messages of every command it runs on this thread in `lang`
/// (Vietnamese by default). The front end for tests and embedders until the command line's global
/// `--lang` sets it.
pub fn with_message_lang<T>(lang: realloc::report::Lang, f: impl FnOnce() -> T) -> T {
    cmd::with_message_lang(lang, f)
}

/// Exit status of a successful run.
pub const EXIT_OK: i32 = 0;
/// Exit status of any failure other than bad input or usage.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status of bad input or bad usage.
pub const EXIT_BAD_INPUT: i32 = 2;

/// The JSON Schema of every JSON output of the command line, by file name stem (`schema/NAME.schema.json`):
/// the library's ([`realloc::contract::schemas`]) and the command line's own (`validate`).
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    let mut all = realloc::contract::schemas();
    all.push((
        "validate",
        realloc::contract::schema_of::<cmd::validate::ValidateReport>(
            "realloc validate",
            "realloc validate --format json",
        ),
    ));
    all.sort_by_key(|(name, _)| *name);
    all
}

/// True when the raw command line asks for `--message-format json` (read before clap, so that a usage
/// error can be written in JSON too).
fn asks_json_messages(args: &[OsString]) -> bool {
    let args: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).take_while(|a| *a != "--").collect();
    args.contains(&"--message-format=json")
        || args.windows(2).any(|w| w[0] == "--message-format" && w[1] == "json")
}

/// A usage error of clap as the JSON object of `--message-format json`: `code` (`usage`), `kind`
/// (clap's kind of error, `unknown_argument`), `message` (its first line), `text` (all of it) and
/// `severity`, with `file`, `line` and `column` null like every message without a position.
fn usage_json(e: &clap::Error, text: &str) -> String {
    let message = text.lines().next().unwrap_or_default();
    let message = message.strip_prefix("error: ").unwrap_or(message);
    let mut kind = String::new();
    for (i, c) in format!("{:?}", e.kind()).chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            kind.push('_');
        }
        kind.push(c.to_ascii_lowercase());
    }
    serde_json::json!({
        "file": null,
        "line": null,
        "column": null,
        "code": "usage",
        "kind": kind,
        "message": message,
        "severity": "error",
        "text": text.trim_end(),
    })
    .to_string()
}

/// The line saying standard output could not be written, in the language of the last command run on
/// this thread.
pub fn closed_stdout_line() -> String {
    match cmd::common::message_lang() {
        realloc::report::Lang::Vi => "lỗi: không ghi được ra đầu ra chuẩn (đầu ra đã bị đóng?)".to_owned(),
        realloc::report::Lang::En => "error: cannot write to standard output (is it closed?)".to_owned(),
    }
}

/// Runs the command line `args` (program name first), writing reports to `out` and messages to `err`;
/// returns the exit status. Never panics on any input. Standard output is taken for a pipe (the
/// whole document, never the terminal summary); see [`run_on`].
pub fn run(args: impl IntoIterator<Item = OsString>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    run_on(args, false, out, err)
}

/// [`run`], saying whether `out` is a terminal: a document without `-o` then prints as a readable
/// summary (the hidden `--summary always|never` overrides this).
pub fn run_on(
    args: impl IntoIterator<Item = OsString>,
    stdout_is_terminal: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK };
            let text = e.render().to_string();
            if e.use_stderr() && asks_json_messages(&args) {
                let _ = writeln!(err, "{}", usage_json(&e, &text));
                return code;
            }
            let sink: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = sink.write_all(text.as_bytes());
            return code;
        }
    };
    let json = cli.global.message_format == cli::MessageFormat::Json;
    match cmd::dispatch(cli, stdout_is_terminal, out, err) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            let diagnostics = e.downcast_ref::<BadDiagnostics>();
            let bad = e.downcast_ref::<BadInput>().is_some() || diagnostics.is_some();
            let code = if bad { EXIT_BAD_INPUT } else { EXIT_FAILURE };
            if json {
                match diagnostics {
                    Some(d) => {
                        for d in &d.diagnostics {
                            let _ = writeln!(err, "{}", output::diagnostic_json(d));
                        }
                    }
                    None => {
                        let _ = writeln!(err, "{}", output::message_json(&format!("{e:#}"), "error"));
                    }
                }
                return code;
            }
            let _ = write!(err, "{}: {e:#}", cmd::common::error_word(cmd::common::message_lang()));
            if !format!("{e:#}").ends_with('\n') {
                let _ = writeln!(err);
            }
            code
        }
    }
}
