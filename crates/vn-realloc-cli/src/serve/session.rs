//! The planning session, without HTTP: the scenario, the changes made in the meeting in order, the
//! proposal they give (through the library's pipeline with the overrides) and the one before the last
//! change, for what moved. Every change re-proposes, then writes the overrides file atomically; a
//! change the pipeline refuses leaves the session as it was.
//!
//! The changes fold into one [`Overrides`], one adjustment a row as the file wants it: a row's last
//! lock or set wins; an unlock lifts the session's own lock of the row, and is kept only for a row the
//! input locks (where a set may come with it); parameter values merge, the last value of a name
//! winning. The file holds that fold, so `realloc
//! propose SCENARIO --overrides FILE` reproduces the session; at start an existing file is read back
//! as the session's changes (the meeting resumes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use realloc::diag::Diagnostic;
use realloc::domain::Source;
use realloc::load::LoadOptions;
use realloc::money::Money;
use realloc::overrides::{Lock, Overrides, SetChange, Unlock};
use realloc::pipeline::{Pipeline, PipelineError, RulesSource, Run};
use realloc::report::{DocumentFormat, Lang, ProposalDocument, Submission};
use realloc::rules::Rules;
use realloc::scenario::Scenario;
use serde::Serialize;

/// What went wrong with a request, as the HTTP layer answers it.
#[derive(Debug)]
pub struct Failure {
    /// The HTTP status: 400, 403, 404, 413, 415 or 422.
    pub status: u16,
    /// A stable code (`E…`).
    pub code: String,
    /// The message for people.
    pub message: String,
    /// The problems found in a file, each with its place.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// A failure without diagnostics.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Failure {
        Failure { status, code: code.to_owned(), message: message.into(), diagnostics: Vec::new() }
    }

    /// Well-formed but bad input (422).
    pub fn unprocessable(code: &str, message: impl Into<String>) -> Failure {
        Failure::new(422, code, message)
    }

    /// A pipeline error in `lang`: the scenario's or the overrides' problems with their places, the
    /// rules' or the parameters' message; 422 in every case (a failure of the optimiser on the model
    /// the adjustments made is reported too, not hidden behind a 500).
    pub fn pipeline(e: PipelineError, lang: Lang) -> Failure {
        match e {
            PipelineError::Scenario { folder, diagnostics } => {
                let head = crate::cmd::common::scenario_head(&folder, diagnostics.error_count(), lang);
                let code = diagnostics.iter().find(|d| !d.code.is_empty()).map_or("E000", |d| d.code);
                Failure {
                    status: 422,
                    code: code.to_owned(),
                    message: format!("{head}:\n{}", diagnostics.render(lang)),
                    diagnostics: diagnostics.iter().cloned().collect(),
                }
            }
            PipelineError::Overrides { file, diagnostics } => {
                let head = crate::cmd::common::overrides_head(&file, diagnostics.error_count(), lang);
                let code = diagnostics.iter().find(|d| !d.code.is_empty()).map_or("E900", |d| d.code);
                Failure {
                    status: 422,
                    code: code.to_owned(),
                    message: format!("{head}:\n{}", diagnostics.render(lang)),
                    diagnostics: diagnostics.iter().cloned().collect(),
                }
            }
            e => {
                let code = if e.is_bad_input() { "E_INPUT" } else { "E_PROPOSE" };
                Failure::unprocessable(code, format!("{:#}", anyhow::Error::new(e)))
            }
        }
    }
}

/// One of the two languages, for a message the command line words in both.
pub fn say(lang: Lang, en: String, vi: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Vi => vi,
    }
}

/// What a change does.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeKind {
    /// Keep a row's plan as it is.
    Lock {
        /// Project id.
        id: String,
        /// Capital source.
        source: Source,
    },
    /// Lift a lock of the input or the rules (or cancel the session's own lock).
    Unlock {
        /// Project id.
        id: String,
        /// Capital source.
        source: Source,
    },
    /// Force a row's change, or cap it.
    Set {
        /// Project id.
        id: String,
        /// Capital source.
        source: Source,
        /// The change forced.
        change: Option<Money>,
        /// The cap of the change's size.
        max_change: Option<Money>,
    },
    /// Rules parameters set.
    Params(BTreeMap<String, f64>),
}

/// A change made in the meeting: what, when and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// What it does.
    pub kind: ChangeKind,
    /// Why (required of every change made in the session).
    pub reason: String,
    /// When, RFC 3339 (absent for parameters read back from a file, which keeps no time for them).
    pub at: Option<String>,
}

/// A change as `GET /api/session` lists it.
#[derive(Debug, Serialize)]
struct ChangeJson<'a> {
    n: usize,
    at: Option<&'a str>,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change_vnd: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_change_vnd: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a BTreeMap<String, f64>>,
    reason: &'a str,
}

impl Change {
    fn json(&self, n: usize) -> ChangeJson<'_> {
        let (kind, id, source, change, max_change, params) = match &self.kind {
            ChangeKind::Lock { id, source } => ("lock", Some(id.as_str()), Some(*source), None, None, None),
            ChangeKind::Unlock { id, source } => {
                ("unlock", Some(id.as_str()), Some(*source), None, None, None)
            }
            ChangeKind::Set { id, source, change, max_change } => {
                ("set", Some(id.as_str()), Some(*source), *change, *max_change, None)
            }
            ChangeKind::Params(p) => ("params", None, None, None, None, Some(p)),
        };
        ChangeJson {
            n,
            at: self.at.as_deref(),
            kind,
            id,
            source: source.map(Source::code),
            change_vnd: change.map(Money::dong),
            max_change_vnd: max_change.map(Money::dong),
            params,
            reason: &self.reason,
        }
    }
}

/// A row whose change differs from the proposal before the last change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// Project id.
    pub id: String,
    /// Capital source.
    pub source: Source,
    /// Project name.
    pub name: String,
    /// Its change before.
    pub change_before_vnd: i64,
    /// Its change now.
    pub change_after_vnd: i64,
}

/// The rows whose change differs between `before` and `after` (same scenario), in portfolio order.
pub fn moved(before: &ProposalDocument, after: &ProposalDocument) -> Vec<Moved> {
    let index = before.project_index();
    after
        .projects
        .iter()
        .filter_map(|p| {
            let was = index.get(&(&*p.id, p.source)).map_or(0, |b| b.change_vnd);
            (was != p.change_vnd).then(|| Moved {
                id: p.id.to_string(),
                source: p.source,
                name: p.name.to_string(),
                change_before_vnd: was,
                change_after_vnd: p.change_vnd,
            })
        })
        .collect()
}

/// The scenario a session works on, and how it is proposed.
#[derive(Debug)]
pub struct Base {
    /// The scenario folder or workbook, as given.
    pub path: PathBuf,
    /// The folder the session may write into: the scenario folder, or the workbook's.
    pub folder: PathBuf,
    /// Where the overrides are kept.
    pub overrides_file: PathBuf,
    /// The `--rules` file, if any.
    pub rules_file: Option<PathBuf>,
    /// How the scenario is read.
    pub load: LoadOptions,
    /// The language of the pipeline's warnings.
    pub lang: Lang,
    /// The rows the input locks.
    locked: std::collections::HashSet<(String, Source)>,
    /// The rules without the overrides' parameters (their values are the defaults the page shows).
    pub plain_rules: Option<Rules>,
}

/// A proposal of the session: the pipeline's run with the overrides, and what is served of it.
#[derive(Debug)]
pub struct Current {
    /// The proposal document.
    pub document: ProposalDocument,
    /// Its JSON (the contract), computed once.
    pub json: Vec<u8>,
    /// The submission parts of the documents.
    pub submission: Submission,
    /// The scenario as loaded.
    pub scenario: Scenario,
    /// The rules applied, with the parameters of the overrides.
    pub rules: Rules,
    /// The overrides applied.
    pub overrides: Overrides,
    /// The text of the overrides file they were read from, when the session's file applies.
    pub overrides_text: Option<String>,
    /// The pipeline's warnings, in the session's language.
    pub warnings: Vec<String>,
}

impl Current {
    /// The document in `format` and `lang`: the bytes `realloc propose -o proposal.EXT` writes.
    pub fn render(&self, format: DocumentFormat, lang: Lang) -> Result<Vec<u8>, Failure> {
        if format == DocumentFormat::Json {
            return Ok(self.json.clone());
        }
        self.document
            .render_submission(format, lang, &self.submission)
            .map_err(|e| Failure::unprocessable("E_RENDER", format!("cannot render the proposal: {e}")))
    }

    /// The row of `id` in `source`, or a 422 naming the projects file.
    pub fn row(&self, id: &str, source: &str, lang: Lang) -> Result<(usize, Source), Failure> {
        let source = parse_source(source, lang)?;
        let projects = &self.scenario.meta.projects;
        self.scenario.portfolio.position(id, source).map(|row| (row, source)).ok_or_else(|| {
            Failure::unprocessable(
                "E_UNKNOWN_ROW",
                say(
                    lang,
                    format!("no project `{id}` with source {source} in {projects}"),
                    format!("không có dự án `{id}` thuộc nguồn {source} trong {projects}"),
                ),
            )
        })
    }
}

/// A capital source code, or a 422 listing the codes.
pub fn parse_source(source: &str, lang: Lang) -> Result<Source, Failure> {
    source.parse::<Source>().map_err(|_| {
        Failure::unprocessable(
            "E_UNKNOWN_SOURCE",
            say(
                lang,
                format!("unknown capital source `{source}`; expected one of: {}", Source::expected()),
                format!("không có nguồn vốn `{source}`; cần một trong: {}", Source::expected()),
            ),
        )
    })
}

impl Base {
    /// The base of the scenario at `path`: the default overrides file is `overrides.toml` in a
    /// scenario folder, `NAME.overrides.toml` beside a workbook `NAME.xlsx`.
    pub fn new(
        path: &Path,
        overrides_file: Option<PathBuf>,
        rules_file: Option<PathBuf>,
        load: LoadOptions,
        lang: Lang,
    ) -> Base {
        let folder = realloc::load::scenario_folder(path).to_path_buf();
        let overrides_file = overrides_file.unwrap_or_else(|| {
            if path.is_file() {
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                folder.join(format!("{stem}.overrides.toml"))
            } else {
                folder.join("overrides.toml")
            }
        });
        Base {
            path: path.to_path_buf(),
            folder,
            overrides_file,
            rules_file,
            load,
            lang,
            locked: Default::default(),
            plain_rules: None,
        }
    }

    /// Runs the pipeline of `realloc propose PATH [--rules FILE]` with `overrides`: those of the
    /// session's file (`--overrides FILE`, the file read as the command line reads it, so that its
    /// digest and its lines are the same), or others held in memory (the stateless API), or none.
    pub fn propose(&self, overrides: With<'_>) -> Result<Current, Failure> {
        let source = self.rules_file.clone().map_or(RulesSource::Scenario, RulesSource::File);
        let mut warnings = Vec::new();
        let mut warn = |w: &str| warnings.push(w.to_owned());
        let pipeline = Pipeline::new()
            .rules(source)
            .load_options(self.load)
            .message_lang(self.lang)
            .on_warning(&mut warn);
        let (mut pipeline, kept, text) = match overrides {
            With::Nothing => (pipeline, Overrides::default(), None),
            With::Memory(o) => (pipeline.overrides(Some(o.clone())), o.clone(), None),
            With::File(o, text) => {
                let p = pipeline
                    .overrides_file(&self.overrides_file)
                    .map_err(|e| Failure::pipeline(e, self.lang))?;
                (p, o.clone(), Some(text.to_owned()))
            }
        };
        let run = pipeline.run_dir(&self.path).map_err(|e| Failure::pipeline(e, self.lang))?;
        let Run { document, scenario, rules, .. } = run;
        let submission = Submission::new(scenario.meta.document.clone(), rules.citations(), &document);
        let json = document.to_json_bytes();
        Ok(Current {
            document,
            json,
            submission,
            scenario,
            rules,
            overrides: kept,
            overrides_text: text,
            warnings,
        })
    }
}

/// The overrides a proposal is made with.
#[derive(Clone, Copy, Debug)]
pub enum With<'a> {
    /// None: the scenario and its rules as they are.
    Nothing,
    /// These, held in memory (nothing is written).
    Memory(&'a Overrides),
    /// The session's file, just written with these overrides as this text.
    File(&'a Overrides, &'a str),
}

/// The session: its scenario, its changes, the proposal they give and what the last one moved.
#[derive(Debug)]
pub struct Session {
    /// Bumped by every change, undo and upload.
    pub version: u64,
    /// The scenario, once there is one.
    pub base: Option<Arc<Base>>,
    /// The changes, in order.
    pub changes: Vec<Change>,
    /// The proposal with every change, once there is a scenario.
    pub current: Option<Arc<Current>>,
    /// The rows whose change differs from the proposal before the last change.
    pub moved: Vec<Moved>,
}

impl Session {
    /// A session without a scenario (one is to be uploaded).
    pub fn empty() -> Session {
        Session { version: 0, base: None, changes: Vec::new(), current: None, moved: Vec::new() }
    }

    /// Opens the scenario of `base`: the rows the input locks first, then the overrides file read
    /// back, if there is one (the meeting resumes), and the proposal with it.
    pub fn open(mut base: Base) -> Result<Session, Failure> {
        let file = read_overrides(&base.overrides_file, base.lang)?;
        let plain = base.propose(With::Nothing)?;
        base.locked = plain
            .scenario
            .portfolio
            .rows()
            .iter()
            .filter(|p| p.locked)
            .map(|p| (p.id.to_string(), p.source))
            .collect();
        base.plain_rules = Some(plain.rules.clone());
        let (changes, current) = match file {
            Some((o, text)) if !o.is_empty() => {
                (changes_of(&o, base.lang)?, base.propose(With::File(&o, &text))?)
            }
            _ => (Vec::new(), plain),
        };
        Ok(Session {
            version: 1,
            base: Some(Arc::new(base)),
            changes,
            current: Some(Arc::new(current)),
            moved: Vec::new(),
        })
    }

    /// The session with `changes` instead of its own: the overrides file written and the scenario
    /// re-proposed with it; on a failure the file is put back as it was and the session is unchanged.
    pub fn with_changes(&self, changes: Vec<Change>) -> Result<Session, Failure> {
        let (Some(base), Some(before)) = (&self.base, &self.current) else {
            return Err(no_scenario(Lang::Vi));
        };
        let overrides = fold(&changes, &base.locked);
        let text = overrides.to_toml();
        let existed = base.overrides_file.exists();
        write_overrides(base, &text)?;
        let current = match base.propose(With::File(&overrides, &text)) {
            Ok(c) => c,
            Err(f) => {
                match (&before.overrides_text, existed) {
                    (Some(old), _) => {
                        let _ = write_overrides(base, old);
                    }
                    // The file was written empty or not at all before: as it was.
                    (None, true) => {
                        let _ = write_overrides(base, &Overrides::default().to_toml());
                    }
                    (None, false) => {
                        let _ = std::fs::remove_file(&base.overrides_file);
                    }
                }
                return Err(f);
            }
        };
        Ok(Session {
            version: self.version + 1,
            base: Some(base.clone()),
            moved: moved(&before.document, &current.document),
            changes,
            current: Some(Arc::new(current)),
        })
    }

    /// The JSON of `GET /api/session`: version, overrides file, changes, the rows moved, the proposal.
    pub fn json(&self) -> Vec<u8> {
        let changes: Vec<ChangeJson<'_>> =
            self.changes.iter().enumerate().map(|(i, c)| c.json(i + 1)).collect();
        let file = self.base.as_ref().map(|b| b.overrides_file.display().to_string());
        let mut out = Vec::new();
        out.extend_from_slice(format!("{{\"version\":{},\"overrides_file\":", self.version).as_bytes());
        let _ = serde_json::to_writer(&mut out, &file);
        out.extend_from_slice(b",\"changes\":");
        let _ = serde_json::to_writer(&mut out, &changes);
        out.extend_from_slice(b",\"moved\":");
        let _ = serde_json::to_writer(&mut out, &self.moved);
        out.extend_from_slice(b",\"proposal\":");
        match &self.current {
            Some(c) => out.extend_from_slice(c.json.trim_ascii_end()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b"}\n");
        out
    }
}

/// The 404 of a session that has no scenario yet.
pub fn no_scenario(lang: Lang) -> Failure {
    Failure::new(
        404,
        "E_NO_SCENARIO",
        say(
            lang,
            "the session has no scenario yet: upload a workbook (POST /api/upload)".to_owned(),
            "phiên họp chưa có kịch bản: hãy tải lên một sổ Excel (POST /api/upload)".to_owned(),
        ),
    )
}

/// A row's unlock and its lock or set, by index into the changes.
type RowChanges = (Option<usize>, Option<usize>);

/// The changes folded into the overrides they amount to; see the [module](self) documentation.
/// `locked` holds the rows the input locks.
pub fn fold(changes: &[Change], locked: &std::collections::HashSet<(String, Source)>) -> Overrides {
    // Per row: its unlock and its lock or set, by index into `changes`.
    let mut rows: BTreeMap<(&str, Source), RowChanges> = BTreeMap::new();
    let mut params = BTreeMap::new();
    for (i, c) in changes.iter().enumerate() {
        match &c.kind {
            ChangeKind::Params(p) => params.extend(p.iter().map(|(k, v)| (k.clone(), *v))),
            ChangeKind::Lock { id, source } => {
                let e = rows.entry((id, *source)).or_default();
                // A lock keeps the row as it is: an unlock before it has nothing left to do.
                *e = (None, Some(i));
            }
            ChangeKind::Set { id, source, .. } => rows.entry((id, *source)).or_default().1 = Some(i),
            ChangeKind::Unlock { id, source } => {
                let e = rows.entry((id, *source)).or_default();
                if e.1.is_some_and(|j| matches!(changes[j].kind, ChangeKind::Lock { .. })) {
                    e.1 = None;
                }
                if locked.contains(&(id.clone(), *source)) {
                    e.0 = Some(i);
                }
            }
        }
    }
    let mut kept: Vec<usize> = rows.into_values().flat_map(|(u, a)| u.into_iter().chain(a)).collect();
    kept.sort_unstable();
    let mut o = Overrides { params, ..Overrides::default() };
    for i in kept {
        let c = &changes[i];
        let reason = c.reason.clone();
        let at = c.at.clone();
        match &c.kind {
            ChangeKind::Lock { id, source } => {
                o.lock.push(Lock { id: id.clone(), source: source.code().to_owned(), reason, at });
            }
            ChangeKind::Unlock { id, source } => {
                o.unlock.push(Unlock { id: id.clone(), source: source.code().to_owned(), reason, at });
            }
            ChangeKind::Set { id, source, change, max_change } => o.set.push(SetChange {
                id: id.clone(),
                source: source.code().to_owned(),
                change: *change,
                max_change: *max_change,
                reason,
                at,
            }),
            ChangeKind::Params(_) => {}
        }
    }
    o
}

/// The changes an overrides file read back stands for: its parameters first, then its locks, unlocks
/// and sets in the order of their times (those without a time in the file's order).
pub fn changes_of(o: &Overrides, lang: Lang) -> Result<Vec<Change>, Failure> {
    let mut changes = Vec::new();
    if !o.params.is_empty() {
        changes.push(Change { kind: ChangeKind::Params(o.params.clone()), reason: String::new(), at: None });
    }
    let mut rows = Vec::new();
    for l in &o.lock {
        let source = parse_source(&l.source, lang)?;
        rows.push(Change {
            kind: ChangeKind::Lock { id: l.id.clone(), source },
            reason: l.reason.clone(),
            at: l.at.clone(),
        });
    }
    for l in &o.unlock {
        let source = parse_source(&l.source, lang)?;
        rows.push(Change {
            kind: ChangeKind::Unlock { id: l.id.clone(), source },
            reason: l.reason.clone(),
            at: l.at.clone(),
        });
    }
    for s in &o.set {
        let source = parse_source(&s.source, lang)?;
        rows.push(Change {
            kind: ChangeKind::Set { id: s.id.clone(), source, change: s.change, max_change: s.max_change },
            reason: s.reason.clone(),
            at: s.at.clone(),
        });
    }
    // A stable sort: changes without a time keep their place among those before them.
    rows.sort_by(|a, b| match (&a.at, &b.at) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    changes.extend(rows);
    Ok(changes)
}

/// The overrides file at `path` and its text, if it exists; a file that does not parse is a 422
/// naming its line and column.
pub fn read_overrides(path: &Path, lang: Lang) -> Result<Option<(Overrides, String)>, Failure> {
    if !path.exists() {
        return Ok(None);
    }
    let bytes = realloc::pipeline::read_bounded(path, realloc::overrides::MAX_BYTES, "overrides file")
        .map_err(|e| Failure::pipeline(e, lang))?;
    let shown = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        Failure::unprocessable(
            "E_INPUT",
            format!(
                "{shown}: the overrides file is not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let o = Overrides::from_toml(&text, &shown).map_err(|diagnostics| {
        Failure::pipeline(PipelineError::Overrides { file: shown, diagnostics }, lang)
    })?;
    Ok(Some((o, text)))
}

/// Writes the overrides file of `base` atomically (never over one of the scenario's inputs).
fn write_overrides(base: &Base, text: &str) -> Result<(), Failure> {
    let inputs = vec![base.path.clone()];
    let result = crate::output::write_atomic(&base.overrides_file, text.as_bytes(), &inputs);
    // The command line's record of files written is not the server's.
    crate::output::take_written();
    result.map_err(|e| Failure::unprocessable("E_WRITE", format!("{e:#}")))
}

/// Now, RFC 3339 in UTC to the second.
pub fn now() -> String {
    let t: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
