//! Writing output files atomically (a temporary file renamed into place), never over an input, and the
//! error type that maps to exit status 2.

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
            None => out.write_all(bytes).context("cannot write to standard output"),
        }
    }
}

/// Writes `bytes` to `path` atomically: into a temporary file beside it, then renamed into place, so an
/// interrupted run never leaves half a document. Refuses to write over any of `inputs`.
pub fn write_atomic(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> anyhow::Result<()> {
    let target = absolute(path);
    for input in inputs {
        if absolute(input) == target {
            return Err(bad_input(format!(
                "refusing to write `{}`: it is an input of this run",
                path.display()
            )));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(bad_input(format!(
            "cannot write `{}`: folder `{}` does not exist",
            path.display(),
            dir.display()
        )));
    }
    let file_name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("cannot create `{}`", tmp.display()))?;
        f.write_all(bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
        f.sync_all().with_context(|| format!("cannot write `{}`", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
