//! Regression tests for the output set (issue 14, item 9): a run writes all its outputs or none,
//! refuses two outputs to one file and an output that is a folder (exit 2), and fails (exit 1) when
//! standard output cannot be written.

use std::ffi::OsStr;
use std::io::Write;

use realloc_tests::{run_cli, sample_dir};

#[test]
fn export_lp_not_written_when_output_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("proposal.json");
    let lp = tmp.path().join("model.lp");
    // The document's temporary file cannot be created (a folder holds its name): writing `-o` fails
    // after the run, as in a read-only folder. This test runs the command in this process, so the
    // temporary name is known.
    std::fs::create_dir(tmp.path().join(format!(".proposal.json.{}.tmp", std::process::id()))).unwrap();
    let run = run_cli([
        OsStr::new("propose"),
        OsStr::new(&sample_dir()),
        OsStr::new("-o"),
        out.as_os_str(),
        OsStr::new("--export-lp"),
        lp.as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("cannot create"), "{}", run.stderr);
    assert!(!lp.exists(), "the LP export was written though the proposal was not");
    assert!(!out.exists());
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn same_path_for_two_outputs_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let same = tmp.path().join("x.json");
    let other_spelling = tmp.path().join(".").join("x.json");
    let run = run_cli([
        OsStr::new("propose"),
        OsStr::new(&sample_dir()),
        OsStr::new("-o"),
        same.as_os_str(),
        OsStr::new("--export-lp"),
        other_spelling.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is given to both -o and --export-lp"), "{}", run.stderr);
    assert!(!same.exists());
}

#[test]
fn output_is_a_directory_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        vec![OsStr::new("propose"), OsStr::new(&sample_dir()), OsStr::new("-o"), tmp.path().as_os_str()],
        vec![OsStr::new("classify"), OsStr::new(&sample_dir()), OsStr::new("-o"), tmp.path().as_os_str()],
        vec![
            OsStr::new("propose"),
            OsStr::new(&sample_dir()),
            OsStr::new("--export-lp"),
            tmp.path().as_os_str(),
        ],
    ] {
        let run = run_cli(args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("is a folder; give the name of the file to write"), "{}", run.stderr);
    }
}

/// A standard output that cannot be written, as a closed or broken one.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "standard output is closed"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn closed_stdout_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let lp = tmp.path().join("model.lp");
    let argv = ["realloc", "propose", &sample_dir(), "--export-lp", &lp.to_string_lossy()];
    let mut err = Vec::new();
    let code = realloc_cli::run(argv.iter().map(Into::into), &mut Closed, &mut err);
    let err = String::from_utf8_lossy(&err);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    // All or nothing: the LP export is not written either.
    assert!(!lp.exists());
}
