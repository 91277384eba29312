//! The Python module `realloc` (the `vn-realloc` wheel): validate a scenario, propose, render the
//! documents, from Python.
//!
//! Each function runs the command line's own front end ([`realloc_cli::run`]) in the process, on
//! the arguments a user would type, and captures what it writes: the bytes a function returns are the
//! bytes `realloc` writes for the same scenario, rules and language, and the JSON it returns as Python
//! objects is the contract of `schema/` (`json.loads` of those bytes). Diagnostics come back through
//! `--message-format json`: a bad input raises [`BadInput`] with the message, file, line and column of
//! its first error (and every diagnostic); a warning becomes a Python `UserWarning`.
//!
//! ```python
//! import realloc
//! proposal = realloc.propose("scenarios/lang-son-2025-q3", lang="en")
//! print(proposal["summary"]["moved_vnd"])
//! open("to-trinh.docx", "wb").write(realloc.document("scenarios/lang-son-2025-q3", "docx"))
//! ```

use std::ffi::{CString, OsString};
use std::path::PathBuf;
use std::sync::Mutex;

use pyo3::exceptions::{PyException, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

pyo3::create_exception!(
    realloc,
    ReallocError,
    PyException,
    "A run of realloc failed. Attributes: `message`, `file`, `line`, `column` (of the first error, \
     `None` when unknown), `diagnostics` (every error and warning, as dicts) and `exit_status` (as the \
     command line's: 2 bad input, 1 any other failure)."
);
pyo3::create_exception!(
    realloc,
    BadInput,
    ReallocError,
    "The scenario, the rules or an argument is at fault (the command line's exit status 2); nothing \
     was produced."
);

/// The command line keeps its options (language, message format) in process-wide state for the
/// length of a run: one run at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The document formats of `realloc propose --format`.
const FORMATS: [&str; 6] = ["json", "md", "html", "docx", "xlsx", "csv"];

/// What a run wrote, and its exit status.
struct Ran {
    status: i32,
    out: Vec<u8>,
    err: Vec<u8>,
}

/// Runs `realloc --lang LANG --message-format json ARGS…` without the GIL.
fn run(py: Python<'_>, lang: &str, args: Vec<OsString>) -> PyResult<Ran> {
    if !matches!(lang, "vi" | "en") {
        return Err(PyValueError::new_err(format!("lang must be \"vi\" or \"en\", not {lang:?}")));
    }
    let mut argv: Vec<OsString> = ["realloc", "--lang", lang, "--message-format", "json", "--quiet"]
        .iter()
        .map(OsString::from)
        .collect();
    argv.extend(args);
    Ok(py.detach(|| {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = realloc_cli::run(argv, &mut out, &mut err);
        Ran { status, out, err }
    }))
}

/// The diagnostics written on standard error (one JSON object a line); a line that is not JSON (a
/// usage error) becomes an error with that text.
fn diagnostics(err: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(err);
    let mut all = Vec::new();
    let mut plain = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<serde_json::Value>(line) {
            // The same diagnostic may be reported twice (by the loader and by the error): once here.
            Ok(v) if v.is_object() => {
                if !all.contains(&v) {
                    all.push(v);
                }
            }
            _ => {
                plain.push_str(line);
                plain.push('\n');
            }
        }
    }
    if !plain.is_empty() {
        all.push(serde_json::json!({
            "file": null, "line": null, "column": null, "severity": "error",
            "message": plain.trim_end(),
        }));
    }
    all
}

/// A diagnostic of the validate report (`location: {kind, line, column}`, both languages) in the
/// shape of `--message-format json` (`file`, `line`, `column`, `message`, `severity`, `text`).
fn flat(d: &serde_json::Value, lang: &str) -> serde_json::Value {
    let at = &d["location"];
    let message = match lang {
        "vi" => d["message_vi"].as_str().or(d["message"].as_str()),
        _ => d["message"].as_str(),
    }
    .unwrap_or_default();
    let mut text = d["file"].as_str().unwrap_or_default().to_owned();
    for part in [&at["line"], &at["column"]] {
        if !part.is_null() {
            text.push_str(&format!(":{}", part.as_str().map_or_else(|| part.to_string(), str::to_owned)));
        }
    }
    if let Some(code) = d["code"].as_str() {
        text = format!("{text}: {message} [{code}]");
    } else {
        text = format!("{text}: {message}");
    }
    serde_json::json!({
        "file": d["file"], "line": at["line"], "column": at["column"], "message": message,
        "severity": d["severity"], "text": text,
    })
}

/// Converts a JSON value to Python objects (`json.loads` of its text).
fn to_python<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (value.to_string(),))
}

/// Hands the warnings to Python's `warnings` module.
fn warn(py: Python<'_>, diagnostics: &[serde_json::Value]) -> PyResult<()> {
    for d in diagnostics.iter().filter(|d| d["severity"] == "warning") {
        let text = d["text"].as_str().or(d["message"].as_str()).unwrap_or_default();
        let text = CString::new(text.replace('\0', " ")).unwrap_or_default();
        PyErr::warn(py, &py.get_type::<PyUserWarning>(), &text, 2)?;
    }
    Ok(())
}

/// The exception of a failed run: [`BadInput`] for exit status 2, else [`ReallocError`].
fn failure(py: Python<'_>, ran: &Ran, diagnostics: &[serde_json::Value]) -> PyErr {
    let errors: Vec<&serde_json::Value> = diagnostics.iter().filter(|d| d["severity"] != "warning").collect();
    let text = if errors.is_empty() {
        format!("realloc ended with exit status {}", ran.status)
    } else {
        errors
            .iter()
            .map(|d| d["text"].as_str().or(d["message"].as_str()).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let err = if ran.status == realloc_cli::EXIT_BAD_INPUT {
        BadInput::new_err(text.clone())
    } else {
        ReallocError::new_err(text.clone())
    };
    let first = errors.first().copied().cloned().unwrap_or(serde_json::Value::Null);
    // The first error's own words; `str(e)` has every error with its position.
    let message = first["message"].as_str().map_or(text, str::to_owned);
    let attributes = || -> PyResult<()> {
        let value = err.value(py);
        value.setattr("message", message.as_str())?;
        value.setattr("file", to_python(py, &first["file"])?)?;
        value.setattr("line", to_python(py, &first["line"])?)?;
        value.setattr("column", to_python(py, &first["column"])?)?;
        let all = PyList::empty(py);
        for d in diagnostics {
            all.append(to_python(py, d)?)?;
        }
        value.setattr("diagnostics", all)?;
        value.setattr("exit_status", ran.status)?;
        Ok(())
    };
    match attributes() {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The arguments of `propose`: the scenario, the format, the rules and the solver.
fn propose_args(
    path: PathBuf,
    format: &str,
    rules: Option<PathBuf>,
    solver: &str,
) -> PyResult<Vec<OsString>> {
    if !FORMATS.contains(&format) {
        return Err(PyValueError::new_err(format!(
            "format must be one of {}, not {format:?}",
            FORMATS.join(", ")
        )));
    }
    if !matches!(solver, "builtin" | "highs") {
        return Err(PyValueError::new_err(format!(
            "solver must be \"builtin\" or \"highs\", not {solver:?}"
        )));
    }
    let mut args: Vec<OsString> = vec![
        "propose".into(),
        path.into(),
        "--format".into(),
        format.into(),
        "--solver".into(),
        solver.into(),
    ];
    if let Some(rules) = rules {
        args.extend(["--rules".into(), rules.into()]);
    }
    Ok(args)
}

/// Loads and checks a scenario folder (or workbook) as `realloc validate --format json` does, and
/// returns that report: `ok`, the `summary` (rows, pools, plan and disbursed per source, the files'
/// SHA-256) and the `diagnostics`. Raises `BadInput` when the scenario cannot be used.
#[pyfunction]
#[pyo3(signature = (path, lang = "vi"))]
fn load<'py>(py: Python<'py>, path: PathBuf, lang: &str) -> PyResult<Bound<'py, PyAny>> {
    let ran = run(py, lang, vec!["validate".into(), path.into(), "--format".into(), "json".into()])?;
    let mut found = diagnostics(&ran.err);
    if ran.status != realloc_cli::EXIT_OK {
        // validate lists its diagnostics in the report it prints; standard error may repeat them.
        let on_stderr = found.iter().any(|d| d["severity"] != "warning");
        if let (false, Ok(report)) = (on_stderr, serde_json::from_slice::<serde_json::Value>(&ran.out)) {
            let listed = report["diagnostics"].as_array().cloned().unwrap_or_default();
            found.extend(listed.iter().map(|d| flat(d, lang)));
        }
        return Err(failure(py, &ran, &found));
    }
    warn(py, &found)?;
    py.import("json")?.call_method1("loads", (PyBytes::new(py, &ran.out),))
}

/// Proposes the moves for a scenario and returns the proposal as Python objects: exactly the JSON
/// `realloc propose PATH --format json` writes (the contract of `schema/proposal.schema.json`).
/// `rules`: a rules file (else the scenario's own, else the built-in rules); `lang`: `"vi"` or
/// `"en"`; `solver`: `"builtin"` or `"highs"` (a build with HiGHS only).
#[pyfunction]
#[pyo3(signature = (path, rules = None, lang = "vi", solver = "builtin"))]
fn propose<'py>(
    py: Python<'py>,
    path: PathBuf,
    rules: Option<PathBuf>,
    lang: &str,
    solver: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let bytes = render(py, path, "json", lang, rules, solver)?;
    py.import("json")?.call_method1("loads", (PyBytes::new(py, &bytes),))
}

/// The proposal as a document, the bytes `realloc propose PATH --format FORMAT` writes: `format` is
/// one of `json`, `md`, `html`, `docx` (the submission), `xlsx`, `csv`.
#[pyfunction]
#[pyo3(signature = (path, format, lang = "vi", rules = None, solver = "builtin"))]
fn document<'py>(
    py: Python<'py>,
    path: PathBuf,
    format: &str,
    lang: &str,
    rules: Option<PathBuf>,
    solver: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = render(py, path, format, lang, rules, solver)?;
    Ok(PyBytes::new(py, &bytes))
}

/// Runs `propose` and returns the document: what it wrote on standard output, or for the Word and
/// Excel formats (which the command line writes only to a file) what it wrote to `-o` in a private
/// temporary folder, removed afterwards.
fn render(
    py: Python<'_>,
    path: PathBuf,
    format: &str,
    lang: &str,
    rules: Option<PathBuf>,
    solver: &str,
) -> PyResult<Vec<u8>> {
    let mut args = propose_args(path, format, rules, solver)?;
    let folder = matches!(format, "docx" | "xlsx").then(private_folder).transpose()?;
    let file = folder.as_ref().map(|f| f.0.join(format!("proposal.{format}")));
    if let Some(file) = &file {
        args.extend(["-o".into(), file.into()]);
    }
    let ran = run(py, lang, args)?;
    let found = diagnostics(&ran.err);
    if ran.status != realloc_cli::EXIT_OK {
        return Err(failure(py, &ran, &found));
    }
    warn(py, &found)?;
    match file {
        Some(file) => std::fs::read(&file).map_err(|e| {
            ReallocError::new_err(format!("cannot read the document back from {}: {e}", file.display()))
        }),
        None => Ok(ran.out),
    }
}

/// A new folder of this process in the temporary folder, removed when dropped.
struct PrivateFolder(PathBuf);

impl Drop for PrivateFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Creates a [`PrivateFolder`] (`create_dir` refuses a name that exists, so no other process's).
fn private_folder() -> PyResult<PrivateFolder> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut last = None;
    for _ in 0..100 {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("realloc-py-{}-{n}-{nanos}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(PrivateFolder(dir)),
            Err(e) => last = Some(e),
        }
    }
    Err(ReallocError::new_err(format!(
        "cannot create a temporary folder: {}",
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}

/// The Python module.
#[pymodule]
#[pyo3(name = "realloc")]
fn realloc_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(propose, m)?)?;
    m.add_function(wrap_pyfunction!(document, m)?)?;
    m.add("ReallocError", py.get_type::<ReallocError>())?;
    m.add("BadInput", py.get_type::<BadInput>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FORMATS", FORMATS.to_vec())?;
    Ok(())
}
