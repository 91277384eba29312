//! Writing output files atomically (a temporary file renamed into place), never over an input, all the
//! outputs of a command or none ([`OutputSet`]), and the error type that maps to exit status 2.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::OutputArg;

/// An error caused by the user's input or command line: exit status 2.
#[derive(Debug)]
pub struct BadInput(pub String);

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
            if let Some((out, bytes)) = stdout {
                write_stdout(out, bytes)?;
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
            }
            if result.is_err() {
                let _ = std::fs::remove_file(tmp);
            }
        }
        result
    }
}

/// The temporary file beside `path` that becomes it.
fn temp_path(path: &Path) -> PathBuf {
    let file_name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    parent_dir(path).join(format!(".{file_name}.{}.tmp", std::process::id()))
}

/// Creates `tmp` with `content`, synced to disk.
fn write_temp(tmp: &Path, content: Content<'_>) -> anyhow::Result<()> {
    let f = std::fs::File::create(tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    match content {
        Content::Bytes(bytes) => w.write_all(&bytes),
        Content::Stream(write) => write(&mut w),
    }
    .with_context(|| format!("cannot write `{}`", tmp.display()))?;
    let f = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write `{}`", tmp.display()))?;
    f.sync_all().with_context(|| format!("cannot write `{}`", tmp.display()))?;
    Ok(())
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
