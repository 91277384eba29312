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

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostics, Location};
use crate::domain::Project;
use crate::msg;
use crate::scenario::{InputDigest, Scenario};

pub mod headers;
mod history;
mod monitoring;
mod numbers;
mod pipeline;
mod projects;
mod records;
mod scenario_toml;
pub(crate) mod text;
mod workbook;
pub mod xlsx;

pub use history::{HISTORY_COLUMNS, HistoryBuilder, parse_disbursements};
pub use monitoring::{
    CONCLUSION_ALIASES, SCHEDULE_ALIASES, TREASURY_ALIASES, load_previous_year, parse_conclusions,
    parse_schedule, parse_treasury,
};
pub use pipeline::{PIPELINE_COLUMNS, PIPELINE_SHEETS, parse_pipeline};
pub use projects::{
    PROJECT_COLUMNS, PROJECT_OPTIONAL_COLUMNS, ProjectsBuilder, ProjectsTable, parse_projects,
    parse_projects_table,
};
pub use scenario_toml::parse_scenario_toml;
pub use text::Fields;
pub use workbook::{SETTINGS, SETTINGS_SHEETS, Setting, SettingKind, setting_value};

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

/// The largest input file read (a projects or history CSV, a workbook): 512 MiB, twice a scenario of
/// 500,000 rows (about 250 MB of CSV). A larger file, or one that is not a regular file (a pipe, a device such
/// as `/dev/zero`), is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 512 << 20;
/// The largest `scenario.toml` or rules file read: 16 MiB.
pub const MAX_TOML_BYTES: u64 = 16 << 20;
/// The most columns a header may name: 1,000.
pub const MAX_COLUMNS: usize = 1000;

/// How a scenario is loaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Read files that `scenario.toml` names outside the scenario folder (an absolute path, `..`, or
    /// a symlink pointing out). Without it such a file is refused and never opened.
    pub allow_outside: bool,
}

/// Reads and validates the scenario folder `dir`: `scenario.toml`, the projects file and the
/// optional monthly history.
///
/// File names in the diagnostics are `dir` joined with the file name, as the user would type them.
/// A file named by `rules` is checked to exist but not read: the rules module reads it.
pub fn load_scenario(dir: &Path) -> Result<Loaded, LoadError> {
    load_scenario_with(dir, &LoadOptions::default())
}

/// As [`load_scenario`], with options: every file `scenario.toml` names must lie inside `dir` (after
/// following symlinks) unless [`LoadOptions::allow_outside`], be a regular file, and be at most
/// [`MAX_FILE_BYTES`] long ([`MAX_TOML_BYTES`] for TOML).
///
/// `dir` may also be a workbook (`.xlsx`, `.xlsm`) holding the whole scenario: its settings sheet
/// says what `scenario.toml` says, its sheets hold the projects, the history and the pipeline, and
/// files its settings name (rules, monitoring) lie in the workbook's folder.
pub fn load_scenario_with(dir: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut diags = Diagnostics::new();
    if !dir.exists() {
        diags.error(
            &dir.display().to_string(),
            Location::File,
            msg!(
                "E009",
                "no such folder or workbook; expected a scenario folder holding scenario.toml, or an Excel workbook (.xlsx) with a settings sheet",
                "không tìm thấy thư mục hay sổ Excel này; cần một thư mục kịch bản có tệp scenario.toml, hoặc một sổ Excel (.xlsx) có trang tính thiết lập"
            ),
        );
        return Err(LoadError { diagnostics: diags });
    }
    if dir.is_file() {
        return load_workbook_scenario(dir, options, diags);
    }
    load_from(&Files::Folder { dir, options })
}

/// A workbook holding the whole scenario: its settings sheet stands for `scenario.toml`; the files
/// the settings name lie in the workbook's folder.
fn load_workbook_scenario(
    path: &Path,
    options: &LoadOptions,
    mut diags: Diagnostics,
) -> Result<Loaded, LoadError> {
    let shown = path.display().to_string();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !xlsx::is_workbook(&name) {
        diags.error(
            &shown,
            Location::File,
            msg!(
                "E001",
                "is a file, not a scenario: expected a scenario folder holding scenario.toml, or an Excel workbook (.xlsx) with a settings sheet, as `realloc template` writes",
                "là một tệp, không phải một kịch bản: cần một thư mục kịch bản có tệp scenario.toml, hoặc một sổ Excel (.xlsx) có trang tính thiết lập như sổ do `realloc template` tạo"
            ),
        );
        return Err(LoadError { diagnostics: diags });
    }
    let Some(bytes) = read_input(path, &shown, "", MAX_FILE_BYTES, &mut diags) else {
        return Err(LoadError { diagnostics: diags });
    };
    let (meta, d) = workbook::read_settings(&bytes, &shown, &name);
    diags.extend(d);
    let Some(meta) = meta else {
        return Err(LoadError { diagnostics: diags });
    };
    let folder = path.parent().unwrap_or(Path::new(""));
    // The files are named by the settings sheet, not by a scenario.toml.
    let settings = |d: &mut crate::diag::Diagnostic| {
        if matches!(d.code, "E002" | "E004" | "E005" | "E006") {
            d.message = d.message.replace(SCENARIO_FILE, "the settings sheet");
            d.message_vi = d.message_vi.replace(SCENARIO_FILE, "trang tính thiết lập");
        }
    };
    match load_files(&Files::Folder { dir: folder, options }, meta, Vec::new(), diags) {
        Ok(mut loaded) => {
            loaded.warnings.rewrite(settings);
            Ok(loaded)
        }
        Err(mut e) => {
            e.diagnostics.rewrite(settings);
            Err(e)
        }
    }
}

/// The files of a scenario already in memory: the text of `scenario.toml` and the bytes of each file it
/// names (projects CSV or workbook, history, pipeline, rules), under the names it gives them.
///
/// [`load_scenario_in_memory`] checks them exactly as [`load_scenario_with`] checks a folder's files,
/// with the same messages; a file is named in them as `folder` joined with its name (`folder` may be
/// empty), so a caller can say where the bytes came from (an upload, a database record).
#[derive(Clone, Debug, Default)]
pub struct InMemoryScenario<'a> {
    /// How the scenario is named in messages, in place of a folder (may be empty).
    pub folder: &'a str,
    /// The text of `scenario.toml`.
    pub scenario_toml: &'a [u8],
    /// Each file `scenario.toml` names, by that name, with its bytes.
    pub files: Vec<(&'a str, &'a [u8])>,
}

impl<'a> InMemoryScenario<'a> {
    /// A scenario of the `scenario.toml` text `scenario_toml` and no files yet.
    pub fn new(folder: &'a str, scenario_toml: &'a [u8]) -> InMemoryScenario<'a> {
        InMemoryScenario { folder, scenario_toml, files: Vec::new() }
    }

    /// Adds the bytes of the file that `scenario.toml` names `name`.
    #[must_use]
    pub fn file(mut self, name: &'a str, bytes: &'a [u8]) -> InMemoryScenario<'a> {
        self.files.push((name, bytes));
        self
    }

    /// The bytes of the file named `name`, if given (the last given wins).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.files.iter().rev().find(|(n, _)| *n == name).map(|(_, b)| *b)
    }

    /// How the file `name` is shown in messages: `folder` joined with it.
    pub fn shown(&self, name: &str) -> String {
        if self.folder.is_empty() {
            name.to_owned()
        } else {
            Path::new(self.folder).join(name).display().to_string()
        }
    }
}

/// Reads and validates a scenario held in memory (see [`InMemoryScenario`]): the same checks, the
/// same messages and the same digests as [`load_scenario_with`] on a folder holding those files. No
/// file system is touched.
pub fn load_scenario_in_memory(scenario: &InMemoryScenario<'_>) -> Result<Loaded, LoadError> {
    load_from(&Files::Memory(scenario))
}

/// Where the files of a scenario come from.
pub(crate) enum Files<'a> {
    /// A folder on disk, read with these options.
    Folder { dir: &'a Path, options: &'a LoadOptions },
    /// Bytes given by the caller.
    Memory(&'a InMemoryScenario<'a>),
}

impl<'a> Files<'a> {
    /// How the file `name` is shown in messages.
    pub(crate) fn shown(&self, name: &str) -> String {
        match self {
            Files::Folder { dir, .. } => dir.join(name).display().to_string(),
            Files::Memory(m) => m.shown(name),
        }
    }

    /// True when the file may be read (see [`inside`]); always for bytes in memory.
    pub(crate) fn inside(&self, name: &str, key: &str, diags: &mut Diagnostics) -> bool {
        match self {
            Files::Folder { dir, options } => inside(dir, name, key, options, diags),
            Files::Memory(_) => true,
        }
    }

    /// The bytes of the file `name` (`scenario.toml` itself when `key` is empty), or an error recorded
    /// as [`read_input`] records it.
    pub(crate) fn read(
        &self,
        name: &str,
        key: &str,
        limit: u64,
        diags: &mut Diagnostics,
    ) -> Option<Cow<'a, [u8]>> {
        let shown = self.shown(name);
        match self {
            Files::Folder { dir, .. } => {
                read_input(&dir.join(name), &shown, key, limit, diags).map(Cow::Owned)
            }
            Files::Memory(m) => {
                let bytes = if key.is_empty() { Some(m.scenario_toml) } else { m.get(name) };
                match bytes {
                    None => {
                        diags.error(&shown, Location::File, not_found(key));
                        None
                    }
                    Some(b) if b.len() as u64 > limit => {
                        diags.error(&shown, Location::File, too_large(b.len() as u64, limit));
                        None
                    }
                    Some(b) => Some(Cow::Borrowed(b)),
                }
            }
        }
    }

    /// Checks the file `name` that another module reads (the rules), as [`check_file`] does.
    fn check(&self, name: &str, key: &str, limit: u64, diags: &mut Diagnostics) {
        match self {
            Files::Folder { dir, .. } => {
                check_file(&dir.join(name), &self.shown(name), key, limit, diags);
            }
            Files::Memory(_) => {
                self.read(name, key, limit, diags);
            }
        }
    }
}

/// Reads and validates a scenario from `files`: `scenario.toml`, then the projects and the history at
/// the same time, then the pipeline.
fn load_from(files: &Files<'_>) -> Result<Loaded, LoadError> {
    let mut diags = Diagnostics::new();
    let mut inputs = Vec::new();

    let toml_shown = files.shown(SCENARIO_FILE);
    let Some(toml_bytes) = files.read(SCENARIO_FILE, "", MAX_TOML_BYTES, &mut diags) else {
        return Err(LoadError { diagnostics: diags });
    };
    inputs.push(digest(SCENARIO_FILE, &toml_bytes));
    let (meta, d) = parse_scenario_toml(&toml_bytes, &toml_shown);
    diags.extend(d);
    let Some(meta) = meta else {
        return Err(LoadError { diagnostics: diags });
    };
    load_files(files, meta, inputs, diags)
}

/// Reads the files `meta` names from `files`, after the scenario's description was read (`inputs`
/// holds its digest, `diags` its warnings).
fn load_files(
    files: &Files<'_>,
    meta: crate::scenario::ScenarioMeta,
    mut inputs: Vec<InputDigest>,
    mut diags: Diagnostics,
) -> Result<Loaded, LoadError> {
    // The two files are read at the same time: reading 25 MB of a national scenario from the page
    // cache takes a sizeable share of the load.
    let projects_shown = files.shown(&meta.projects);
    let projects_inside = files.inside(&meta.projects, "projects", &mut diags);
    let hist_path = meta.disbursements.as_ref().and_then(|name| {
        files.inside(name, "disbursements", &mut diags).then(|| (name.clone(), files.shown(name)))
    });
    if let Some(rules) = &meta.rules {
        // Read by the rules module: checked here, not read.
        if files.inside(rules, "rules", &mut diags) {
            files.check(rules, "rules", MAX_TOML_BYTES, &mut diags);
        }
    }
    if !projects_inside {
        return Err(LoadError { diagnostics: diags });
    }
    let (projects_read, hist_read) = rayon::join(
        || {
            let mut d = Diagnostics::new();
            (files.read(&meta.projects, "projects", MAX_FILE_BYTES, &mut d), d)
        },
        || {
            hist_path.map(|(name, shown)| {
                let mut d = Diagnostics::new();
                let bytes = files.read(&name, "disbursements", MAX_FILE_BYTES, &mut d);
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

    let projects_xlsx = xlsx::is_workbook(&meta.projects);
    let history_xlsx = meta.disbursements.as_deref().is_some_and(xlsx::is_workbook);
    // A CSV saved by Excel with a Vietnamese locale separates fields with ';': read it as meant. The
    // digests below are of the files as they are.
    let projects_commas = if projects_xlsx {
        None
    } else {
        records::semicolon_to_comma(&projects_bytes, &projects_shown, &headers::PROJECT_ALIASES, &mut diags)
    };
    let hist_commas = match (&hist_bytes, history_xlsx) {
        (Some((_, shown, bytes)), false) => {
            records::semicolon_to_comma(bytes, shown, &headers::HISTORY_ALIASES, &mut diags)
        }
        _ => None,
    };
    let projects_text: &[u8] = projects_commas.as_deref().unwrap_or(&projects_bytes);
    let same_workbook = projects_xlsx && history_xlsx && meta.disbursements.as_ref() == Some(&meta.projects);
    // Workbooks are read in turn. CSV files are read in parallel: the projects in parts, the history
    // split and field-checked beside them, each file hashed on its own; only matching the history
    // with the projects waits for both.
    let (table, history, digests) = if projects_xlsx || history_xlsx {
        let (mut table, d) = if projects_xlsx {
            xlsx::projects_table_marked(&projects_bytes, &projects_shown, meta.amount_format)
        } else {
            parse_projects_table(projects_text, &projects_shown, meta.amount_format)
        };
        let projects_failed = table.portfolio.is_empty() && d.has_errors();
        diags.extend(d);
        merge_names(&mut table, &mut diags);
        let mut digests = vec![digest(&meta.projects, &projects_bytes)];
        let mut history = None;
        let mut names = vec![table.file.clone()];
        if let Some((name, shown, bytes)) = &hist_bytes {
            // History rows are not matched against projects that could not be read (one root cause,
            // reported once), and a workbook holding both is not reported twice.
            if !projects_failed {
                let (h, d) = if history_xlsx {
                    let (h, d, marked) = xlsx::history_marked(bytes, shown, &table, &meta);
                    names.extend(marked);
                    (h, d)
                } else {
                    parse_disbursements(hist_commas.as_deref().unwrap_or(bytes), shown, &table, &meta)
                };
                diags.extend(d);
                history = h;
            }
            digests.push(digest(name, bytes));
        }
        xlsx::relocate(&mut diags, &names);
        if same_workbook {
            diags.dedup();
        }
        (table, history, digests)
    } else {
        let meta = &meta;
        // First the two files' rows, checked in parts on every thread; then the sequential joining
        // of the parts and the matching of the history with the projects, while the files are
        // hashed beside it.
        let (pending, scanned) = rayon::join(
            || {
                projects::read_projects_in_parts(
                    projects_text,
                    &projects_shown,
                    meta.amount_format,
                    records::PART_BYTES,
                )
            },
            || {
                hist_bytes.as_ref().map(|(_, shown, bytes)| {
                    let mut d = Diagnostics::new();
                    let bytes = hist_commas.as_deref().unwrap_or(bytes);
                    let scanned = history::decode_history(bytes, shown, &mut d)
                        .map(|text| history::scan_disbursements(text, shown, meta));
                    (scanned, d)
                })
            },
        );
        let ((table, matched), digests) = rayon::join(
            || {
                let (mut table, d) = pending.finish();
                // Projects that could not be read at all (a bad header) leave every history row
                // without its project: one root cause, reported once.
                let projects_failed = table.portfolio.is_empty() && d.has_errors();
                diags.extend(d);
                merge_names(&mut table, &mut diags);
                let mut matched = None;
                if let (Some((scanned, d)), Some((_, shown, _))) = (scanned, &hist_bytes) {
                    diags.extend(d);
                    if let Some(scanned) = scanned.filter(|_| !projects_failed) {
                        let (h, d) = history::finish_disbursements(scanned, shown, &table, meta);
                        diags.extend(d);
                        matched = h;
                    }
                }
                (table, matched)
            },
            || {
                let (p, h) = rayon::join(
                    || digest(&meta.projects, &projects_bytes),
                    || hist_bytes.as_ref().map(|(name, _, bytes)| digest(name, bytes)),
                );
                std::iter::once(p).chain(h).collect::<Vec<_>>()
            },
        );
        (table, matched, digests)
    };
    inputs.extend(digests);

    let mut pipeline = Vec::new();
    if let Some(name) = &meta.pipeline {
        let shown = files.shown(name);
        let read = files
            .inside(name, "pipeline", &mut diags)
            .then(|| files.read(name, "pipeline", MAX_FILE_BYTES, &mut diags))
            .flatten();
        if let Some(bytes) = read {
            let (rows, d) = pipeline::read_pipeline(&bytes, &shown, meta.amount_format, &table);
            diags.extend(d);
            inputs.push(digest(name, &bytes));
            pipeline = rows;
        }
    }

    // Last year's scenario (`previous_year`) is not read here: `load_previous_year` reads it for the
    // commands that compare with it.
    let monitoring = monitoring::read_monitoring(files, &meta, &table, &mut diags, &mut inputs);

    if diags.has_errors() {
        return Err(LoadError { diagnostics: diags });
    }
    let scenario = Scenario { meta, portfolio: table.portfolio, history, inputs, pipeline, monitoring };
    Ok(Loaded { scenario, warnings: diags })
}

/// The folder the files of the scenario at `path` are named relative to: the folder itself, or the
/// folder holding a workbook scenario.
pub fn scenario_folder(path: &Path) -> &Path {
    if path.is_file() { path.parent().unwrap_or(Path::new("")) } else { path }
}

/// Every file a scenario at `path` (a folder or a workbook) was read from: `scenario.toml` (or the
/// workbook), the projects, the history, the pipeline and the rules file it names, so that no output
/// is written over one of them.
pub fn scenario_files(path: &Path, meta: &crate::scenario::ScenarioMeta) -> Vec<std::path::PathBuf> {
    let dir = scenario_folder(path);
    let mut v = if path.is_file() { vec![path.to_path_buf()] } else { vec![path.join(SCENARIO_FILE)] };
    let m = &meta.monitoring;
    let named = [
        Some(&meta.projects),
        meta.disbursements.as_ref(),
        meta.pipeline.as_ref(),
        meta.rules.as_ref(),
        m.treasury.as_ref(),
        m.schedule.as_ref(),
        m.conclusions.as_ref(),
    ];
    for name in named.into_iter().flatten() {
        let p = dir.join(name);
        if !v.contains(&p) {
            v.push(p);
        }
    }
    v
}

/// True when the file `name` (as `scenario.toml` writes it under `key`) lies inside the scenario
/// folder `dir` once symlinks are followed, or when the options allow any place; else records an
/// error that names the path, never its content. A file that does not exist is left to the reading,
/// which says so.
fn inside(dir: &Path, name: &str, key: &str, options: &LoadOptions, diags: &mut Diagnostics) -> bool {
    if options.allow_outside {
        return true;
    }
    let path = dir.join(name);
    // A workbook given by its bare name lies in the current folder.
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let (Ok(folder), Ok(file)) = (dir.canonicalize(), path.canonicalize()) else {
        return true;
    };
    if file.starts_with(&folder) {
        return true;
    }
    let (how, how_vi) = if Path::new(name).is_absolute() {
        ("an absolute path", "một đường dẫn tuyệt đối")
    } else if Path::new(name).components().any(|c| c == std::path::Component::ParentDir) {
        ("a path with `..`", "một đường dẫn có `..`")
    } else {
        ("a link to a file", "một liên kết tới tệp")
    };
    diags.error(
        &path.display().to_string(),
        Location::File,
        msg!(
            "E002",
            en("`{key}` in {SCENARIO_FILE} is {how} outside the scenario folder, so the file is not read; copy it into the folder, or allow files outside it with `--allow-outside`"),
            vi("`{key}` trong {SCENARIO_FILE} là {how_vi} ra ngoài thư mục kịch bản nên tệp không được đọc; hãy chép tệp vào thư mục, hoặc cho phép đọc tệp bên ngoài bằng `--allow-outside`")
        ),
    );
    false
}

/// What `scenario.toml` says of a file named under `key` (empty for `scenario.toml` itself), in
/// English and Vietnamese.
fn named_as(key: &str) -> (String, String) {
    if key.is_empty() {
        (
            "expected a scenario folder holding scenario.toml, or a workbook with a settings sheet"
                .to_owned(),
            "cần một thư mục kịch bản có tệp scenario.toml, hoặc một sổ Excel có trang tính thiết lập"
                .to_owned(),
        )
    } else {
        (
            format!("{SCENARIO_FILE} names it as `{key}`"),
            format!("tệp được {SCENARIO_FILE} khai ở khóa `{key}`"),
        )
    }
}

/// The message for a file that cannot be read: the system's reason, in English in both languages.
fn cannot_read(e: &std::io::Error) -> crate::diag::Msg {
    let reason = text::lowercase_first(&e.to_string());
    msg!("E003", "cannot read the file: {reason}", "không đọc được tệp: {reason}")
}

/// Checks that `path` is a regular file of at most `limit` bytes (following symlinks), recording an
/// error otherwise; its length when it is.
fn check_file(path: &Path, shown: &str, key: &str, limit: u64, diags: &mut Diagnostics) -> Option<u64> {
    let (named, named_vi) = named_as(key);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.error(shown, Location::File, not_found(key));
            return None;
        }
        Err(e) => {
            diags.error(shown, Location::File, cannot_read(&e));
            return None;
        }
    };
    if meta.is_dir() {
        diags.error(
            shown,
            Location::File,
            msg!(
                "E005",
                "is a folder, not a file; {named}",
                "là một thư mục, không phải một tệp; {named_vi}"
            ),
        );
        return None;
    }
    if !meta.is_file() {
        diags.error(
            shown,
            Location::File,
            msg!(
                "E006",
                "is not a regular file (it is a pipe, a device or a socket) and is not read; {named}",
                "không phải một tệp thông thường (là một đường ống, thiết bị hoặc socket) nên không được đọc; {named_vi}"
            ),
        );
        return None;
    }
    if meta.len() > limit {
        diags.error(shown, Location::File, too_large(meta.len(), limit));
        return None;
    }
    Some(meta.len())
}

/// The message for a file that does not exist.
fn not_found(key: &str) -> crate::diag::Msg {
    let (named, named_vi) = named_as(key);
    msg!("E004", "file not found; {named}", "không tìm thấy tệp; {named_vi}")
}

/// The message for a file above its size bound.
fn too_large(len: u64, limit: u64) -> crate::diag::Msg {
    msg!(
        "E007",
        "the file is larger than {} MiB ({len} bytes read), the most an input may be (README, \"Limits\"); split it or remove what is not input",
        "tệp lớn hơn {} MiB (đã đọc {len} byte), mức tối đa của một tệp đầu vào (README, \"Limits\"); hãy tách tệp hoặc bỏ phần không phải số liệu đầu vào",
        limit >> 20
    )
}

/// Reads a file named in the scenario, recording an error when it cannot be read: only a regular file
/// of at most `limit` bytes is read. `key` is the `scenario.toml` key that names it, empty for
/// `scenario.toml` itself.
fn read_input(path: &Path, shown: &str, key: &str, limit: u64, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    let len = check_file(path, shown, key, limit, diags)?;
    let read = std::fs::File::open(path).and_then(|f| {
        // The length may change after the check (or be 0 for a file that is not what it says):
        // never read more than the bound.
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        f.take(limit + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    match read {
        Ok(bytes) if bytes.len() as u64 > limit => {
            diags.error(shown, Location::File, too_large(bytes.len() as u64, limit));
            None
        }
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.error(shown, Location::File, not_found(key));
            None
        }
        Err(e) => {
            diags.error(shown, Location::File, cannot_read(&e));
            None
        }
    }
}

/// Makes investor, locality and sector names that differ only invisibly one name (NFC, blanks trimmed
/// and collapsed, see `text::name`), with a warning for each name written more than one way, and warns
/// about names that differ only in letter case (kept apart: they may be two units).
fn merge_names(table: &mut ProjectsTable, diags: &mut Diagnostics) {
    const KINDS: [&str; 3] = ["investor", "locality", "sector"];
    const KINDS_VI: [&str; 3] = ["chủ đầu tư", "địa bàn", "lĩnh vực"];
    // Per kind: normal form -> the written forms, each with the first line using it.
    let mut forms: [BTreeMap<Arc<str>, Written>; 3] = Default::default();
    // Names are shared per part of the file: each shared copy is normalised, and its first row
    // recorded, once (rows come in file order, so the first row seen is the first that uses it).
    // Blocks of rows list their first uses in parallel; the lists are then read in order.
    let rows = table.portfolio.rows();
    let names = |p: &Project| [Arc::clone(&p.investor), Arc::clone(&p.locality), Arc::clone(&p.sector)];
    let addr = |a: &Arc<str>| a.as_ptr() as usize;
    const BLOCK: usize = 4096;
    let firsts: Vec<Vec<(usize, usize)>> = rows
        .par_chunks(BLOCK)
        .enumerate()
        .map(|(b, block)| {
            let mut seen: [FxHashSet<usize>; 3] = Default::default();
            let mut last = [0usize; 3];
            let mut out = Vec::new();
            for (j, p) in block.iter().enumerate() {
                for (k, at) in [addr(&p.investor), addr(&p.locality), addr(&p.sector)].into_iter().enumerate()
                {
                    if last[k] != at && seen[k].insert(at) {
                        out.push((k, b * BLOCK + j));
                    }
                    last[k] = at;
                }
            }
            out
        })
        .collect();
    let mut normal: FxHashMap<usize, Arc<str>> = FxHashMap::default();
    let mut seen: [FxHashSet<usize>; 3] = Default::default();
    let lines = &table.lines;
    for (k, row) in firsts.into_iter().flatten() {
        let Some(p) = rows.get(row) else { continue };
        let Some(name) = names(p).into_iter().nth(k) else { continue };
        if !seen[k].insert(addr(&name)) {
            continue;
        }
        let n = normal
            .entry(addr(&name))
            .or_insert_with(|| match text::name(&name) {
                std::borrow::Cow::Borrowed(b) if b.len() == name.len() => Arc::clone(&name),
                other => Arc::from(other.as_ref()),
            })
            .clone();
        let written = forms[k].entry(n).or_default();
        if !written.iter().any(|(w, _)| *w == name) {
            written.push((name, lines.get(row).copied().unwrap_or(0)));
        }
    }
    let file = table.file.clone();
    let mut merged = false;
    for (k, by_form) in forms.iter().enumerate() {
        for (n, written) in by_form {
            if written.len() > 1 {
                merged = true;
                let (first, line) = (&written[0].0, written[0].1);
                let (other, other_line) = (&written[1].0, written[1].1);
                diags.warning(
                    &file,
                    Location::Line { line: other_line },
                    msg!(
                        "W008",
                        en(
                            "{kind} `{}` is written differently on line {line} (`{}`: {}); both are read as the one {kind} `{}`",
                            text::quote(&other.escape_debug().to_string()),
                            text::quote(&first.escape_debug().to_string()),
                            how_different(first, other).0,
                            text::quote(n),
                            kind = KINDS[k],
                        ),
                        vi(
                            "{kind} `{}` được viết khác với dòng {line} (`{}`: {}); cả hai được đọc là một {kind} `{}`",
                            text::quote(&other.escape_debug().to_string()),
                            text::quote(&first.escape_debug().to_string()),
                            how_different(first, other).1,
                            text::quote(n),
                            kind = KINDS_VI[k],
                        )
                    ),
                );
            }
        }
        let mut by_case: BTreeMap<String, Vec<(&Arc<str>, usize)>> = BTreeMap::new();
        for (n, written) in by_form {
            by_case.entry(n.to_lowercase()).or_default().push((n, written[0].1));
        }
        for names in by_case.values_mut().filter(|v| v.len() > 1) {
            names.sort_by_key(|(_, line)| *line);
            let (a, line_a) = names[0];
            let (b, line_b) = names[1];
            diags.warning(
                &file,
                Location::Line { line: line_b },
                msg!(
                    "W009",
                    en(
                        "{} `{}` and `{}` (line {line_a}) differ only in letter case: they are kept as two; write them alike if they are one",
                        KINDS[k],
                        text::quote(b),
                        text::quote(a),
                    ),
                    vi(
                        "{} `{}` và `{}` (dòng {line_a}) chỉ khác nhau chữ hoa, chữ thường: được giữ là hai; nếu là một thì hãy viết giống nhau",
                        KINDS_VI[k],
                        text::quote(b),
                        text::quote(a),
                    )
                ),
            );
        }
    }
    if merged || normal.iter().any(|(p, n)| *p != addr(n)) {
        table
            .portfolio
            .map_names(|name| normal.get(&addr(name)).cloned().unwrap_or_else(|| Arc::clone(name)));
    }
}

/// The written forms of one name, each with the first line using it.
type Written = Vec<(Arc<str>, usize)>;

/// Says how two written forms of one name differ, for the warning, in English and Vietnamese.
fn how_different(a: &str, b: &str) -> (&'static str, &'static str) {
    let trimmed = |s: &str| s.trim() != s;
    if trimmed(a) || trimmed(b) {
        ("blanks at an end", "khoảng trắng ở đầu hoặc cuối")
    } else if a.split_whitespace().eq(b.split_whitespace()) {
        ("blanks inside", "khoảng trắng thừa ở giữa")
    } else {
        (
            "the same letters encoded differently (Unicode NFC and NFD) or invisible characters",
            "cùng chữ nhưng mã hóa khác nhau (Unicode dựng sẵn và tổ hợp) hoặc có ký tự ẩn",
        )
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
