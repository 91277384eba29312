//! Helpers shared by the data-driven and end-to-end tests.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The `tests/data` folder.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The small hand-written valid scenario.
pub fn valid_small() -> PathBuf {
    data_dir().join("valid").join("small")
}

/// Copies the files of folder `from` into `to` (not recursive).
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// What an in-process run of the CLI gave.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `realloc ARGS...` in-process.
pub fn run_cli<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv: Vec<OsString> =
        std::iter::once(OsString::from("realloc")).chain(args.into_iter().map(Into::into)).collect();
    let code = realloc_cli::run(argv, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// Decodes `\xNN` escapes in test data into raw bytes (for files that must not be UTF-8).
pub fn unescape_bytes(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            s.get(i + 2..i + 4).and_then(|h| u8::from_str_radix(h, 16).ok())
        } else {
            None
        };
        if let Some(v) = escaped {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

mod fixture;

pub use fixture::{fixture_document, fixture_parts, mil};
