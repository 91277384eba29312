//! The Python wheel (`crates/vn-realloc-py`), end to end: a fresh virtual environment gets maturin
//! from PyPI and builds the wheel in release (into the target folder); a second fresh environment
//! installs only the wheel and runs `crates/vn-realloc-py/examples/propose.py` on the sample. Its JSON
//! must be byte for byte what `realloc propose` of this commit writes; every other document format
//! must be too; a broken scenario must raise `realloc.BadInput` naming the file, line and column.
//!
//! Python 3 with `venv` is installed with apt-get when missing (`realloc_tests::system_tool`); the
//! test fails, not skips, when it cannot be. The build is cached in `<target>/py` (pip's cache in
//! `<target>/tmp/python-wheel/pip-cache`): a second run rebuilds only what changed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use realloc_tests::{sample_dir, workspace_root};

/// Runs `cmd`, panicking with its output when it fails.
fn ok(cmd: &mut Command, what: &str) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{cmd:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Python 3 able to make a virtual environment: installed with apt-get when missing.
fn python() -> String {
    let python = realloc_tests::system_tool(&["python3"], "python3").unwrap_or_else(|| {
        panic!("Python 3 is needed to test the wheel and could not be found or installed; `apt-get install -y python3 python3-venv`")
    });
    let probe = std::env::temp_dir().join(format!("realloc-venv-probe-{}", std::process::id()));
    let venv_works = |p: &Path| {
        let works =
            Command::new(&python).args(["-m", "venv"]).arg(p).output().is_ok_and(|o| o.status.success());
        let _ = std::fs::remove_dir_all(p);
        works
    };
    if !venv_works(&probe) {
        // Debian ships `venv` (with pip) apart from python3.
        let apt = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !apt(&["install", "-y", "-qq", "python3-venv"]) {
            let _ = apt(&["update", "-qq"]);
            let _ = apt(&["install", "-y", "-qq", "python3-venv"]);
        }
        assert!(
            venv_works(&probe),
            "`{python} -m venv` does not work and python3-venv could not be installed; `apt-get install -y python3-venv`"
        );
    }
    python
}

/// A fresh virtual environment at `dir` (an old one is removed first); returns its interpreter.
fn fresh_venv(python: &str, dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    ok(Command::new(python).args(["-m", "venv"]).arg(dir), "creating a virtual environment");
    dir.join("bin/python")
}

/// What `realloc` of this build writes on standard output for `args`; panics on a non-zero status.
fn realloc(args: &[&str]) -> Vec<u8> {
    let argv = std::iter::once("realloc").chain(args.iter().copied()).map(Into::into);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = realloc_cli::run(argv, &mut out, &mut err);
    assert_eq!(code, 0, "realloc {args:?}: {}", String::from_utf8_lossy(&err));
    out
}

/// Where two byte strings first differ, with some context, for a readable failure.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let show =
        |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(80)..(at + 80).min(s.len())]).into_owned();
    format!(
        "first difference at byte {at} (lengths {} and {}):\n{}\n---\n{}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

#[test]
fn wheel_installs_in_a_fresh_venv_and_proposes_byte_identical_to_the_cli() {
    let started = std::time::Instant::now();
    let root = workspace_root();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("python-wheel");
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(root.join("target"));
    std::fs::create_dir_all(&tmp).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    let python = python();

    // Build: maturin from PyPI in its own environment; pip's cache stays under the target folder.
    let build = fresh_venv(&python, &tmp.join("build-venv"));
    let pip_cache = tmp.join("pip-cache");
    ok(
        Command::new(&build)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q", "maturin>=1.9,<2"])
            .env("PIP_CACHE_DIR", &pip_cache),
        "pip install maturin",
    );
    let wheels = tmp.join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    let maturin = build.with_file_name("maturin");
    ok(
        Command::new(&maturin)
            .current_dir(&root)
            .args(["build", "--release", "--locked", "-m", "crates/vn-realloc-py/Cargo.toml", "--out"])
            .arg(&wheels)
            .arg("--interpreter")
            .arg(&build)
            .env("CARGO_TARGET_DIR", target.join("py")),
        "maturin build",
    );
    let built = started.elapsed();
    let wheel: Vec<PathBuf> = std::fs::read_dir(&wheels)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "whl"))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(wheel.len(), 1, "one wheel expected in {}: {wheel:?}", wheels.display());
    let name = wheel[0].file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    assert!(
        name.starts_with("vn_realloc-") && name.contains("-abi3-"),
        "an abi3 wheel named vn_realloc: {name}"
    );

    // Install the wheel alone (no index) into a second fresh environment.
    let py = fresh_venv(&python, &tmp.join("run-venv"));
    ok(
        Command::new(&py)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-index"])
            .arg(&wheel[0]),
        "pip install the wheel",
    );

    // The example, run outside the source tree, on the sample: byte for byte the CLI's JSON.
    let sample = sample_dir();
    let work = tmp.join("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("{}: {e}", work.display()));
    let example = root.join("crates/vn-realloc-py/examples/propose.py");
    for lang in ["vi", "en"] {
        let out = ok(
            Command::new(&py).current_dir(&work).arg(&example).args([sample.as_str(), lang]),
            "the example",
        );
        let expected = realloc(&["--lang", lang, "propose", &sample, "--format", "json"]);
        assert!(
            out.stdout == expected,
            "example ({lang}) vs realloc propose: {}",
            first_difference(&out.stdout, &expected)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(json["manifest"]["tool_commit"], realloc::COMMIT);
        assert_eq!(json["manifest"]["tool_version"], realloc::VERSION);
    }

    // Every document format, and the validate report, as the CLI writes them.
    let script = r#"
import json, sys, realloc
sample, out = sys.argv[1], sys.argv[2]
for fmt in ["md", "html", "csv", "docx", "xlsx"]:
    open(f"{out}/proposal.{fmt}", "wb").write(realloc.document(sample, fmt, lang="en"))
json.dump(realloc.load(sample, lang="en"), open(f"{out}/validate.json", "w"))
assert realloc.__version__ and realloc.FORMATS
try:
    realloc.document(sample, "pdf")
    raise SystemExit("format pdf was accepted")
except ValueError:
    pass
"#;
    ok(
        Command::new(&py).current_dir(&work).args(["-c", script, sample.as_str()]).arg(&work),
        "documents from Python",
    );
    for format in ["md", "html", "csv", "docx", "xlsx"] {
        let got = std::fs::read(work.join(format!("proposal.{format}"))).unwrap_or_default();
        // The command line writes Word and Excel only to a file.
        let expected = if matches!(format, "docx" | "xlsx") {
            let file = work.join(format!("cli.{format}"));
            realloc(&["--lang", "en", "propose", &sample, "-o", &file.to_string_lossy()]);
            std::fs::read(&file).unwrap_or_default()
        } else {
            realloc(&["--lang", "en", "propose", &sample, "--format", format])
        };
        assert!(got == expected, "document {format}: {}", first_difference(&got, &expected));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.join("validate.json")).unwrap_or_default())
            .unwrap_or_default();
    let expected: serde_json::Value =
        serde_json::from_slice(&realloc(&["--lang", "en", "validate", &sample, "--format", "json"]))
            .unwrap_or_default();
    assert_eq!(report, expected, "load() is the validate report");
    assert_eq!(report["ok"], true);

    // A broken scenario: BadInput with the first error's file, line and column, from both functions.
    let bad = work.join("bad");
    std::fs::create_dir_all(&bad).unwrap_or_else(|e| panic!("{}: {e}", bad.display()));
    for entry in std::fs::read_dir(&sample).into_iter().flatten().flatten() {
        if entry.path().is_file() {
            let _ = std::fs::copy(entry.path(), bad.join(entry.file_name()));
        }
    }
    let projects = std::fs::read_to_string(bad.join("projects.csv")).unwrap_or_default();
    let mut lines: Vec<String> = projects.lines().map(str::to_owned).collect();
    lines[2].push_str(",extra");
    std::fs::write(bad.join("projects.csv"), lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    let script = r#"
import sys, realloc
for call in (lambda: realloc.load(sys.argv[1], lang="en"), lambda: realloc.propose(sys.argv[1], lang="en")):
    try:
        call()
        raise SystemExit("a broken scenario was accepted")
    except realloc.BadInput as e:
        assert isinstance(e, realloc.ReallocError) and e.exit_status == 2, e
        assert e.file.endswith("projects.csv") and e.line == 3, (e.file, e.line, e.column)
        assert "fields" in e.message and e.diagnostics, e.message
        print(e.file, e.line, e.column, e.message)
"#;
    let out = ok(Command::new(&py).current_dir(&work).args(["-c", script]).arg(&bad), "BadInput from Python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    eprintln!("python wheel: built in {:.0?}, whole test {:.0?}", built, started.elapsed());
}
