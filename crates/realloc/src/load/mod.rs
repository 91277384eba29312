//! Loading a scenario folder (DOMAIN.md section 3) with strict validation (section 6).
//!
//! [`load_scenario`] reads `scenario.toml`, the projects file, the optional monthly history and
//! pipeline, and
//! either returns a validated [`Scenario`] with its warnings or every problem found, each naming the
//! file, the line and the column and saying what was expected. The byte-level parsers
//! ([`parse_scenario_toml`], [`parse_projects`], [`parse_disbursements`]) and the row-level builders
//! ([`ProjectsBuilder`], [`HistoryBuilder`]) need no file system, so that other front ends (an Excel
//! import) reuse the same checks.
//!
//! **Invariant:** no input, however malformed, makes these functions panic.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostics, Location};
use crate::scenario::{InputDigest, Scenario};

pub mod headers;
mod history;
mod numbers;
mod pipeline;
mod projects;
mod records;
mod scenario_toml;
mod text;
pub mod xlsx;

pub use history::{HISTORY_COLUMNS, HistoryBuilder, parse_disbursements};
pub use pipeline::{PIPELINE_COLUMNS, PIPELINE_SHEETS, parse_pipeline};
pub use projects::{
    PROJECT_COLUMNS, PROJECT_OPTIONAL_COLUMNS, ProjectsBuilder, ProjectsTable, parse_projects,
    parse_projects_table,
};
pub use scenario_toml::parse_scenario_toml;
pub use text::Fields;

/// A scenario that loaded, with the warnings found on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Problems that did not stop the load.
    pub warnings: Diagnostics,
}

/// The scenario could not be used: every problem found, with file, line and column.
#[derive(Debug, thiserror::Error)]
#[error("the scenario has {} problem(s)", diagnostics.error_count())]
pub struct LoadError {
    /// Errors (and warnings) found.
    pub diagnostics: Diagnostics,
}

/// The name of the scenario description inside a scenario folder.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// Reads and validates the scenario folder `dir`: `scenario.toml`, the projects file and the
/// optional monthly history.
///
/// File names in the diagnostics are `dir` joined with the file name, as the user would type them.
/// A file named by `rules` is checked to exist but not read: the rules module reads it.
pub fn load_scenario(dir: &Path) -> Result<Loaded, LoadError> {
    let mut diags = Diagnostics::new();
    let mut inputs = Vec::new();

    let toml_path = dir.join(SCENARIO_FILE);
    let toml_shown = toml_path.display().to_string();
    let Some(toml_bytes) = read_input(&toml_path, &toml_shown, "", &mut diags) else {
        return Err(LoadError { diagnostics: diags });
    };
    inputs.push(digest(SCENARIO_FILE, &toml_bytes));
    let (meta, d) = parse_scenario_toml(&toml_bytes, &toml_shown);
    diags.extend(d);
    let Some(meta) = meta else {
        return Err(LoadError { diagnostics: diags });
    };

    // The two files are read at the same time: reading 25 MB of a national scenario from the page
    // cache takes a sizeable share of the load.
    let projects_path = dir.join(&meta.projects);
    let projects_shown = projects_path.display().to_string();
    let hist_path = meta.disbursements.as_ref().map(|name| {
        let path = dir.join(name);
        (name.clone(), path.display().to_string(), path)
    });
    let (projects_read, hist_read) = rayon::join(
        || {
            let mut d = Diagnostics::new();
            (read_input(&projects_path, &projects_shown, "projects", &mut d), d)
        },
        || {
            hist_path.map(|(name, shown, path)| {
                let mut d = Diagnostics::new();
                let bytes = read_input(&path, &shown, "disbursements", &mut d);
                (bytes.map(|b| (name, shown, b)), d)
            })
        },
    );
    let (projects_bytes, d) = projects_read;
    diags.extend(d);
    let Some(projects_bytes) = projects_bytes else {
        return Err(LoadError { diagnostics: diags });
    };
    let hist_bytes = hist_read.and_then(|(bytes, d)| {
        diags.extend(d);
        bytes
    });
    if let Some(rules) = &meta.rules {
        let path = dir.join(rules);
        if !path.is_file() {
            diags.error(
                &path.display().to_string(),
                Location::File,
                format!("file not found; {SCENARIO_FILE} names it as `rules`"),
            );
        }
    }

    let projects_xlsx = xlsx::is_workbook(&meta.projects);
    let history_xlsx = meta.disbursements.as_deref().is_some_and(xlsx::is_workbook);
    // Workbooks are read in turn. CSV files are read in parallel: the projects in parts, the history
    // split and field-checked beside them, each file hashed on its own; only matching the history
    // with the projects waits for both.
    let (table, history, digests) = if projects_xlsx || history_xlsx {
        let (table, d) = if projects_xlsx {
            xlsx::projects_table_marked(&projects_bytes, &projects_shown, meta.amount_format)
        } else {
            parse_projects_table(&projects_bytes, &projects_shown, meta.amount_format)
        };
        diags.extend(d);
        let mut digests = vec![digest(&meta.projects, &projects_bytes)];
        let mut history = None;
        let mut names = vec![table.file.clone()];
        if let Some((name, shown, bytes)) = &hist_bytes {
            let (h, d) = if history_xlsx {
                let (h, d, marked) = xlsx::history_marked(bytes, shown, &table, &meta);
                names.extend(marked);
                (h, d)
            } else {
                parse_disbursements(bytes, shown, &table, &meta)
            };
            diags.extend(d);
            digests.push(digest(name, bytes));
            history = h;
        }
        xlsx::relocate(&mut diags, &names);
        (table, history, digests)
    } else {
        let meta = &meta;
        let ((projects, projects_digest), history) = rayon::join(
            || {
                rayon::join(
                    || parse_projects_table(&projects_bytes, &projects_shown, meta.amount_format),
                    || digest(&meta.projects, &projects_bytes),
                )
            },
            || {
                hist_bytes.as_ref().map(|(name, shown, bytes)| {
                    rayon::join(
                        || {
                            let mut d = Diagnostics::new();
                            let scanned = history::decode_history(bytes, shown, &mut d)
                                .map(|text| history::scan_disbursements(text, shown, meta));
                            (scanned, d)
                        },
                        || digest(name, bytes),
                    )
                })
            },
        );
        let (table, d) = projects;
        diags.extend(d);
        let mut digests = vec![projects_digest];
        let mut matched = None;
        if let (Some(((scanned, d), history_digest)), Some((_, shown, _))) = (history, &hist_bytes) {
            diags.extend(d);
            digests.push(history_digest);
            if let Some(scanned) = scanned {
                let (h, d) = history::finish_disbursements(scanned, shown, &table, meta);
                diags.extend(d);
                matched = h;
            }
        }
        (table, matched, digests)
    };
    inputs.extend(digests);

    let mut pipeline = Vec::new();
    if let Some(name) = &meta.pipeline {
        let path = dir.join(name);
        let shown = path.display().to_string();
        if let Some(bytes) = read_input(&path, &shown, "pipeline", &mut diags) {
            let (rows, d) = pipeline::read_pipeline(&bytes, &shown, meta.amount_format, &table);
            diags.extend(d);
            inputs.push(digest(name, &bytes));
            pipeline = rows;
        }
    }

    if diags.has_errors() {
        return Err(LoadError { diagnostics: diags });
    }
    let scenario = Scenario { meta, portfolio: table.portfolio, history, inputs, pipeline };
    Ok(Loaded { scenario, warnings: diags })
}

/// Reads a file named in the scenario, recording an error when it cannot be read.
/// `key` is the `scenario.toml` key that names it, empty for `scenario.toml` itself.
fn read_input(path: &Path, shown: &str, key: &str, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    let named = if key.is_empty() {
        "expected a scenario folder holding scenario.toml".to_owned()
    } else {
        format!("{SCENARIO_FILE} names it as `{key}`")
    };
    if path.is_dir() {
        diags.error(shown, Location::File, format!("is a folder, not a file; {named}"));
        return None;
    }
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.error(shown, Location::File, format!("file not found; {named}"));
            None
        }
        Err(e) => {
            diags.error(
                shown,
                Location::File,
                format!("cannot read the file: {}", text::lowercase_first(&e.to_string())),
            );
            None
        }
    }
}

/// The SHA-256 digest of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in hash.iter() {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn digest(file: &str, bytes: &[u8]) -> InputDigest {
    InputDigest { file: file.to_owned(), sha256: sha256_hex(bytes) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_standard_one() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
