//! `--solver` in every build: `builtin` is the default and changes nothing; `highs` without the
//! `highs` feature is refused before any work with a message saying how to build it (exit status 2,
//! nothing written). With the feature, `tests/highs.rs` checks the solver itself.

use realloc::optimize::{Method, OptimizeError, propose_with, random};

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let argv = std::iter::once("realloc").chain(args.iter().copied()).map(Into::into);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = realloc_cli::run(argv, &mut out, &mut err);
    (code, out, String::from_utf8_lossy(&err).into_owned())
}

#[test]
fn solver_builtin_is_the_default() {
    let sample = realloc_tests::sample_dir();
    let plain = run(&["propose", &sample, "--format", "json"]);
    let builtin = run(&["propose", &sample, "--format", "json", "--solver", "builtin"]);
    assert_eq!(plain.0, 0, "{}", plain.2);
    assert!(plain.1 == builtin.1, "--solver builtin changed the proposal");
    let (code, _, err) = run(&["propose", &sample, "--solver", "cplex"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn solver_highs_without_the_feature_says_how_to_build_it() {
    if Method::Highs.is_available() {
        return; // built with the `highs` feature: tests/highs.rs runs it
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("p.json");
    let sample = realloc_tests::sample_dir();
    let (code, stdout, err) =
        run(&["--lang", "en", "propose", &sample, "--solver", "highs", "-o", &out.to_string_lossy()]);
    assert_eq!(code, 2, "{err}");
    assert!(stdout.is_empty() && !out.exists(), "nothing may be written");
    assert!(
        err.contains("--features highs") && err.contains("cmake") && err.contains("libclang"),
        "the message must say how to build with HiGHS: {err}"
    );
    // The library refuses too, with the same advice.
    let (portfolio, model) = random::instance(&random::RandomOptions::new(30, 1));
    match propose_with(&portfolio, &model, Method::Highs) {
        Err(e @ OptimizeError::NotBuilt { .. }) => assert!(e.to_string().contains("--features highs"), "{e}"),
        other => panic!("expected NotBuilt, got {other:?}"),
    }
}
