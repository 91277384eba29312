//! The one output rule of every command: which formats it writes and how the format is chosen
//! ([`formats_of`], [`choose_format`]); writing output files atomically (a temporary file renamed
//! into place), never over an input, all the outputs of a command or none ([`OutputSet`]), with one
//! line on standard error per file written; how diagnostics are written ([`MessageFormat`]); and the
//! error type that maps to exit status 2.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use realloc::diag::{Diagnostic, Severity};
use realloc::report::Lang;

use crate::cli::{Format, MessageFormat, OutputArg};

/// An error caused by the user's input or command line: exit status 2.
#[derive(Debug)]
pub struct BadInput(pub String);

/// A bad input found by a loader, with its diagnostics for `--message-format json`.
#[derive(Debug)]
pub struct BadDiagnostics {
    /// The message for people.
    pub text: String,
    /// Every problem found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for BadDiagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text.trim_end())
    }
}

impl std::error::Error for BadDiagnostics {}

/// Shorthand for a bad-input error carrying the loader's diagnostics.
pub fn bad_diagnostics(text: impl Into<String>, diagnostics: Vec<Diagnostic>) -> anyhow::Error {
    anyhow::Error::new(BadDiagnostics { text: text.into(), diagnostics })
}

impl Format {
    /// The file extension of the format, without the dot.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Md => "md",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Docx => "docx",
            Format::Toml => "toml",
        }
    }

    /// The format a file name's extension asks for (`.markdown` and `.htm` too), case ignored.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "json" => Format::Json,
            "md" | "markdown" => Format::Md,
            "html" | "htm" => Format::Html,
            "xlsx" => Format::Xlsx,
            "csv" => Format::Csv,
            "docx" => Format::Docx,
            "toml" => Format::Toml,
            _ => return None,
        })
    }

    /// True for the formats that cannot go to standard output (zip archives).
    pub const fn is_binary(self) -> bool {
        matches!(self, Format::Xlsx | Format::Docx)
    }
}

/// The formats `command` writes, its default (for standard output) first.
pub fn formats_of(command: &str) -> &'static [Format] {
    use Format as F;
    match command {
        "propose" => &[F::Json, F::Md, F::Html, F::Xlsx, F::Csv, F::Docx],
        "report" | "rank" | "classify" | "sweep" | "reconcile" => &[F::Md, F::Html, F::Xlsx, F::Json, F::Csv],
        "conclusions" => &[F::Csv],
        "risk" | "compare" => &[F::Md, F::Html, F::Xlsx, F::Json],
        "template" => &[F::Xlsx],
        "rules export" => &[F::Toml],
        _ => &[],
    }
}

/// `.json, .md or .html`.
fn extensions(formats: &[Format]) -> String {
    let names: Vec<String> = formats.iter().map(|f| format!(".{}", f.extension())).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The format of one run of `command`: the output file's extension, which `--format` (`flag`) must
/// agree with; `--format` alone for standard output or a file without an extension; else the
/// command's default. An extension or format the command does not write, or a workbook or Word
/// document asked for on standard output, is bad usage listing what the command writes.
pub fn choose_format(command: &str, flag: Option<Format>, path: Option<&Path>) -> anyhow::Result<Format> {
    let formats = formats_of(command);
    if let Some(p) = path.filter(|p| p.is_dir()) {
        return Err(bad_input(format!(
            "-o `{}` is a folder; give the name of the file to write",
            p.display()
        )));
    }
    let offered = || format!("`realloc {command}` writes {}", extensions(formats));
    let from_ext = path.and_then(Format::from_extension);
    let format = match (path, from_ext, flag) {
        (Some(p), None, _) if p.extension().is_some() => {
            return Err(bad_input(format!(
                "cannot write `{}`: {}; name the output file with one of these extensions",
                p.display(),
                offered()
            )));
        }
        (Some(p), None, None) => {
            return Err(bad_input(format!(
                "`{}` has no extension to choose the format by: {}; name the file with one of these extensions (or give --format)",
                p.display(),
                offered()
            )));
        }
        (Some(p), Some(ext), Some(f)) if ext != f => {
            return Err(bad_input(format!(
                "--format {} does not agree with the extension of `{}`: drop --format or name the file `.{}`",
                f.extension(),
                p.display(),
                f.extension()
            )));
        }
        (_, Some(ext), _) => ext,
        (_, None, Some(f)) => f,
        (None, None, None) => formats.first().copied().unwrap_or(Format::Md),
    };
    if !formats.contains(&format) {
        return Err(bad_input(match path.filter(|_| from_ext.is_some()) {
            Some(p) => format!("cannot write `{}`: {}", p.display(), offered()),
            None => format!("--format {}: {}", format.extension(), offered()),
        }));
    }
    if path.is_none() && format.is_binary() {
        return Err(bad_input(match format {
            Format::Docx => "a Word document needs an output file: add `-o FILE.docx`".to_owned(),
            _ => "an Excel workbook needs an output file: add `-o FILE.xlsx`".to_owned(),
        }));
    }
    Ok(format)
}

thread_local! {
    /// The files written by the command running on this thread, with their sizes.
    static WRITTEN: RefCell<Vec<(PathBuf, u64)>> = const { RefCell::new(Vec::new()) };
    /// How the command running on this thread writes diagnostics.
    static MESSAGES: Cell<MessageFormat> = const { Cell::new(MessageFormat::Human) };
    /// The language of the command running on this thread (`--lang`, `REALLOC_LANG`).
    static LANG: Cell<Lang> = const { Cell::new(Lang::Vi) };
}

/// Sets the language of messages on this thread.
pub fn set_lang(lang: Lang) {
    LANG.set(lang);
}

/// The language of the command running on this thread, for messages written far from its [`Ctx`]
/// (the loader's diagnostics, say).
///
/// [`Ctx`]: crate::cmd::Ctx
pub fn lang() -> Lang {
    LANG.get()
}

/// Records a file written, for the line on standard error.
pub fn record_written(path: &Path) {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    WRITTEN.with(|w| w.borrow_mut().push((path.to_path_buf(), size)));
}

/// The files written since the last call, with their sizes.
pub fn take_written() -> Vec<(PathBuf, u64)> {
    WRITTEN.with(|w| std::mem::take(&mut *w.borrow_mut()))
}

/// The line saying a file was written: `wrote to-trinh.docx (123 KB)`, `đã ghi …`.
pub fn wrote_line(path: &Path, size: u64, lang: Lang) -> String {
    let size = if size >= 10 << 20 {
        format!("{} MB", size >> 20)
    } else if size >= 1024 {
        format!("{} KB", size.div_ceil(1024))
    } else {
        format!("{size} B")
    };
    match lang {
        Lang::Vi => format!("đã ghi {} ({size})", path.display()),
        Lang::En => format!("wrote {} ({size})", path.display()),
    }
}

/// Sets how diagnostics are written on this thread.
pub fn set_message_format(f: MessageFormat) {
    MESSAGES.set(f);
}

/// How diagnostics are written on this thread.
pub fn message_format() -> MessageFormat {
    MESSAGES.get()
}

/// One diagnostic as the JSON object of `--message-format json`: file, line, column (null when
/// unknown), message and severity.
pub fn diagnostic_json(d: &Diagnostic) -> String {
    let column = match &d.location {
        realloc::diag::Location::Position { column, .. } => Some(serde_json::json!(column)),
        realloc::diag::Location::Field { column, .. } => Some(serde_json::json!(column)),
        realloc::diag::Location::Cell { column, .. } => Some(serde_json::json!(column)),
        _ => None,
    };
    let severity = if d.severity == Severity::Warning { "warning" } else { "error" };
    serde_json::json!({
        "file": d.file,
        "line": d.line(),
        "column": column,
        "message": d.message,
        "message_vi": d.message_vi,
        "code": (!d.code.is_empty()).then_some(d.code),
        "severity": severity,
        "text": d.to_string(),
    })
    .to_string()
}

/// A message that is not tied to a file position as the JSON object of `--message-format json`.
pub fn message_json(message: &str, severity: &str) -> String {
    serde_json::json!({
        "file": null,
        "line": null,
        "column": null,
        "message": message,
        "severity": severity,
    })
    .to_string()
}

/// Writes a loader's warning on standard error, as text or JSON.
pub fn warn(err: &mut dyn Write, d: &Diagnostic) {
    let lang = crate::cmd::common::message_lang();
    let _ = match message_format() {
        MessageFormat::Human => {
            writeln!(err, "{}: {}", crate::cmd::common::warning_word(lang), d.render(lang))
        }
        MessageFormat::Json => writeln!(err, "{}", diagnostic_json(d)),
    };
}

/// Writes a warning that has no file position on standard error, as text or JSON.
pub fn warn_text(err: &mut dyn Write, message: &str) {
    let word = crate::cmd::common::warning_word(crate::cmd::common::message_lang());
    let _ = match message_format() {
        MessageFormat::Human => writeln!(err, "{word}: {message}"),
        MessageFormat::Json => writeln!(err, "{}", message_json(message, "warning")),
    };
}

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.trim_end())
    }
}

impl std::error::Error for BadInput {}

/// Shorthand for a bad-input error.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(message.into()))
}

impl OutputArg {
    /// The output file, if one was given.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Writes `bytes` to the output file with [`write_atomic`] (never over one of `inputs`), or to
    /// `out` when no file was given.
    pub fn write(&self, bytes: &[u8], inputs: &[PathBuf], out: &mut dyn Write) -> anyhow::Result<()> {
        match &self.file {
            Some(path) => write_atomic(path, bytes, inputs),
            None => write_stdout(out, bytes),
        }
    }
}

/// Writes `bytes` to standard output and flushes it; a failure (a closed or broken output) is an
/// error (exit status 1), never a silent success.
pub fn write_stdout(out: &mut dyn Write, bytes: &[u8]) -> anyhow::Result<()> {
    out.write_all(bytes).and_then(|()| out.flush()).context("cannot write to standard output")
}

/// Checks the output files of one run before anything is computed or written: none is a folder, none
/// is one of `inputs`, no two are the same file. Each is named with the option that gives it.
pub fn check_outputs(outputs: &[(&str, &Path)], inputs: &[PathBuf]) -> anyhow::Result<()> {
    for (i, (option, path)) in outputs.iter().enumerate() {
        check_output(option, path, inputs)?;
        let target = absolute(path);
        if let Some((other, _)) = outputs[..i].iter().find(|(_, p)| absolute(p) == target) {
            return Err(bad_input(format!(
                "`{}` is given to both {other} and {option}: one would overwrite the other; give each its own file",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Refuses an output path that is a folder, whose folder does not exist, or that is an input.
fn check_output(option: &str, path: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    if path.is_dir() {
        return Err(bad_input(format!(
            "{option} `{}` is a folder; give the name of the file to write",
            path.display()
        )));
    }
    let target = absolute(path);
    for input in inputs {
        if absolute(input) == target {
            return Err(bad_input(format!(
                "refusing to write `{}`: it is an input of this run",
                path.display()
            )));
        }
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(bad_input(format!(
            "cannot write `{}`: folder `{}` does not exist",
            path.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// The folder an output lands in.
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The outputs of one run, written all or none: each to a temporary file beside its target, then,
/// once every one is written (and standard output too), all renamed into place.
#[derive(Default)]
pub struct OutputSet<'a> {
    files: Vec<(String, PathBuf, Content<'a>)>,
}

impl std::fmt::Debug for OutputSet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.files.iter().map(|(o, p, _)| (o, p))).finish()
    }
}

/// Writes an output's content as it is made.
type Writer<'a> = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a>;

/// What goes into one output file.
enum Content<'a> {
    /// The bytes, ready.
    Bytes(Vec<u8>),
    /// Written as they are made (a national JSON proposal is hundreds of megabytes).
    Stream(Writer<'a>),
}

impl<'a> OutputSet<'a> {
    /// No outputs yet.
    pub fn new() -> OutputSet<'a> {
        OutputSet { files: Vec::new() }
    }

    /// Adds the file `path`, given by `option`, with its content.
    pub fn add(&mut self, option: &str, path: &Path, bytes: Vec<u8>) {
        self.files.push((option.to_owned(), path.to_path_buf(), Content::Bytes(bytes)));
    }

    /// Adds the file `path`, given by `option`, whose content `write` writes when the set is committed.
    pub fn add_stream(
        &mut self,
        option: &str,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + 'a,
    ) {
        self.files.push((option.to_owned(), path.to_path_buf(), Content::Stream(Box::new(write))));
    }

    /// Writes every file (checked again with [`check_outputs`]) and `stdout` (standard output's
    /// share, if any): the files go to temporary files first, standard output next, and only when
    /// all of that succeeded are the files renamed into place. On any failure no file is written.
    pub fn commit(self, inputs: &[PathBuf], stdout: Option<(&mut dyn Write, &[u8])>) -> anyhow::Result<()> {
        self.commit_with(
            inputs,
            stdout.map(|(out, bytes)| -> StdoutWrite<'_> { Box::new(move || write_stdout(out, bytes)) }),
        )
    }

    /// [`OutputSet::commit`] with standard output written by `write` as it is made (a national JSON
    /// proposal is hundreds of megabytes: it is never held whole).
    pub fn commit_streaming(
        self,
        inputs: &[PathBuf],
        out: &mut dyn Write,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> anyhow::Result<()> {
        self.commit_with(
            inputs,
            Some(Box::new(move || {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
                write(&mut w).and_then(|()| w.flush()).context("cannot write to standard output")
            })),
        )
    }

    /// Writes the files, then standard output (`stdout`), all or nothing as [`OutputSet::commit`] says.
    fn commit_with(self, inputs: &[PathBuf], stdout: Option<StdoutWrite<'_>>) -> anyhow::Result<()> {
        let named: Vec<(&str, &Path)> =
            self.files.iter().map(|(o, p, _)| (o.as_str(), p.as_path())).collect();
        check_outputs(&named, inputs)?;
        let mut temps: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(self.files.len());
        let mut files = Vec::with_capacity(self.files.len());
        for (_, path, content) in self.files {
            files.push((path, content));
        }
        let staged = (|| -> anyhow::Result<()> {
            for (path, content) in files.iter_mut() {
                let tmp = temp_path(path);
                // Recorded before it is created, so that a failure half-way removes it too.
                temps.push((tmp.clone(), path.clone()));
                let content = std::mem::replace(content, Content::Bytes(Vec::new()));
                write_temp(&tmp, content)?;
            }
            if let Some(write) = stdout {
                write()?;
            }
            Ok(())
        })();
        if let Err(e) = staged {
            for (tmp, _) in &temps {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(e);
        }
        let mut result = Ok(());
        for (tmp, path) in &temps {
            if result.is_ok() {
                result =
                    std::fs::rename(tmp, path).with_context(|| format!("cannot write `{}`", path.display()));
                if result.is_ok() {
                    record_written(path);
                }
            }
            if result.is_err() {
                let _ = std::fs::remove_file(tmp);
            }
        }
        result
    }
}

/// What writes standard output's share of an [`OutputSet`].
type StdoutWrite<'w> = Box<dyn FnOnce() -> anyhow::Result<()> + 'w>;

/// The temporary file beside `path` that becomes it.
fn temp_path(path: &Path) -> PathBuf {
    let file_name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    parent_dir(path).join(format!(".{file_name}.{}.tmp", std::process::id()))
}

/// Creates `tmp` with `content`, synced to disk.
fn write_temp(tmp: &Path, content: Content<'_>) -> anyhow::Result<()> {
    let cannot = || format!("cannot write `{}`", tmp.display());
    let f = std::fs::File::create(tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, Writeback::new(f));
    match content {
        Content::Bytes(bytes) => w.write_all(&bytes),
        Content::Stream(write) => write(&mut w),
    }
    .with_context(cannot)?;
    let f = w.into_inner().map_err(|e| e.into_error()).with_context(cannot)?.finish().with_context(cannot)?;
    f.sync_all().with_context(cannot)?;
    Ok(())
}

/// A file whose data is sent to the disk while it is still being written: after every
/// [`Writeback::STEP`] bytes a thread of its own asks for the data so far to be synced, so that the
/// final `sync_all` of a national proposal (hundreds of megabytes) waits for the last step only,
/// not for the whole file, and the disk works while the document is serialised.
struct Writeback {
    file: std::fs::File,
    since: u64,
    syncer: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<std::io::Result<()>>)>,
}

impl Writeback {
    const STEP: u64 = 32 << 20;

    fn new(file: std::fs::File) -> Writeback {
        Writeback { file, since: 0, syncer: None }
    }

    /// Starts a sync of what was written so far (without waiting for it), the syncing thread first.
    fn kick(&mut self) -> std::io::Result<()> {
        if self.syncer.is_none() {
            let clone = self.file.try_clone()?;
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let thread = std::thread::Builder::new().name("writeback".into()).spawn(move || {
                while rx.recv().is_ok() {
                    // Requests made while a sync ran are served by one more sync.
                    while rx.try_recv().is_ok() {}
                    clone.sync_data()?;
                }
                Ok(())
            })?;
            self.syncer = Some((tx, thread));
        }
        if let Some((tx, _)) = &self.syncer {
            // The thread ends only when the sender is dropped or a sync failed (reported by `finish`).
            let _ = tx.send(());
        }
        Ok(())
    }

    /// Waits for the syncing thread and gives the file back; a failed sync is an error.
    fn finish(mut self) -> std::io::Result<std::fs::File> {
        if let Some((tx, thread)) = self.syncer.take() {
            drop(tx);
            thread.join().map_err(|_| std::io::Error::other("the writeback thread panicked"))??;
        }
        Ok(self.file)
    }
}

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.since += n as u64;
        if self.since >= Writeback::STEP {
            self.since = 0;
            self.kick()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes `bytes` to `path` atomically: into a temporary file beside it, then renamed into place, so an
/// interrupted run never leaves half a document. Refuses to write over any of `inputs`.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> anyhow::Result<()> {
    let mut set = OutputSet::new();
    set.add("the output", path, bytes.to_vec());
    set.commit(inputs, None)
}

/// `path` made absolute and canonical where it exists, for comparing an output with the inputs.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
            parent.canonicalize().map(|p| p.join(name)).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_synced_while_written_holds_every_byte_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        // Three sync steps and a part: the syncing thread runs while the writes go on.
        let step = Writeback::STEP as usize;
        let bytes: Vec<u8> = (0..3 * step + 12_345).map(|i| (i % 251) as u8).collect();
        let data = bytes.clone();
        write_temp(&path, Content::Stream(Box::new(move |w| w.write_all(&data)))).unwrap();
        assert!(std::fs::read(&path).unwrap() == bytes);
    }
}
