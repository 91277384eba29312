//! The versioned JSON contract: `schema/*.schema.json` are the schemas generated from the output
//! types (stale files fail; `UPDATE_SCHEMA=1 cargo test -p realloc-tests --test schemas` rewrites
//! them), and real outputs of the command line, on the sample and on a generated scenario, validate
//! against them with an independent validator (`jsonschema`), each starting with `schema_version`.

use std::path::{Path, PathBuf};

use realloc::generate::{GenerateOptions, files_of, generate_scenario};
use realloc_tests::{data_dir, run_cli, sample_dir, workspace_root};
use serde_json::Value;

fn schema_dir() -> PathBuf {
    workspace_root().join("schema")
}

/// The schema `schema/NAME.schema.json` as written in the repository.
#[track_caller]
fn schema(name: &str) -> Value {
    let path = schema_dir().join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fails (listing every error) unless `instance` is valid against `schema/NAME.schema.json`.
#[track_caller]
fn assert_valid(name: &str, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(&schema(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match schema/{name}.schema.json:\n{}", errors.join("\n"));
}

/// Runs `realloc ARGS` in-process and parses its JSON standard output, which must begin with the
/// contract's version.
#[track_caller]
fn output(args: &[&str]) -> Value {
    let run = run_cli(args);
    assert_eq!(run.code, 0, "realloc {args:?} failed: {}", run.stderr);
    assert!(
        run.stdout.trim_start().trim_start_matches('{').trim_start().starts_with("\"schema_version\": 2")
            || run.stdout.starts_with("{\"schema_version\":2"),
        "realloc {args:?} does not start with schema_version 2: {}",
        &run.stdout[..run.stdout.len().min(200)]
    );
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("realloc {args:?}: not JSON: {e}"))
}

#[test]
fn schema_files_are_current() {
    let update = std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1");
    let dir = schema_dir();
    let mut stale = Vec::new();
    let mut expected = Vec::new();
    for (name, schema) in realloc_cli::schemas() {
        let file = format!("{name}.schema.json");
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        let path = dir.join(&file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(file.clone());
            }
        }
        expected.push(file);
    }
    let mut extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    extra.retain(|f| f.ends_with(".schema.json") && !expected.contains(f));
    assert!(
        stale.is_empty() && extra.is_empty(),
        "schema/ is stale: {stale:?} differ from the types, {extra:?} belong to no output; run `UPDATE_SCHEMA=1 cargo test -p realloc-tests --test schemas` and review the diff"
    );
    for name in ["proposal", "validate", "classify", "risk", "sweep", "compare", "rules"] {
        assert!(expected.contains(&format!("{name}.schema.json")), "no schema for {name}");
    }
}

/// Every JSON output of the command line on the scenario folder `dir`, validated.
fn check_outputs(dir: &str, row: &str) {
    let proposal = output(&["propose", dir, "--format", "json", "--risk", "--draws", "20"]);
    assert_valid("proposal", &proposal, "propose --risk");
    assert_valid("proposal", &output(&["propose", dir, "--format", "json"]), "propose");
    assert_valid("validate", &output(&["validate", dir, "--format", "json"]), "validate");
    assert_valid("classify", &output(&["classify", dir, "--format", "json"]), "classify");
    assert_valid("risk", &output(&["risk", dir, "--format", "json", "--draws", "20"]), "risk");
    let sweep = output(&["sweep", dir, "--param", "min_transfer", "--values", "10,200", "--format", "json"]);
    assert_valid("sweep", &sweep, "sweep");
    assert_valid("compare", &output(&["compare", dir, dir, "--format", "json"]), "compare");
    assert_valid("explain", &output(&["explain", dir, row, "--format", "json"]), "explain");
    assert_valid("backtest", &output(&["backtest", dir, "--format", "json"]), "backtest");
    assert_valid("report", &output(&["report", dir, "--format", "json"]), "report");
    assert_valid("rank", &output(&["rank", dir, "--format", "json"]), "rank");
}

#[test]
fn outputs_on_the_sample_match_their_schemas() {
    check_outputs(&sample_dir(), "7000002");
    // The sample has the Treasury's figures.
    assert_valid("reconcile", &output(&["reconcile", &sample_dir(), "--format", "json"]), "reconcile");
}

#[test]
fn outputs_on_a_generated_scenario_match_their_schemas() {
    let generated = generate_scenario(&GenerateOptions::new(250, 5));
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files_of(&generated).files() {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let row = generated.portfolio.rows()[0].id.clone();
    check_outputs(&tmp.path().to_string_lossy(), &row);
}

#[test]
fn a_failing_validate_and_check_match_their_schemas() {
    let bad = data_dir().join("rules/bad/unknown_name.toml");
    let run = run_cli(["check".as_ref(), bad.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_valid("check", &serde_json::from_str(&run.stdout).unwrap(), "check of a bad file");
    let good = workspace_root().join("rules/default.toml");
    assert_valid("check", &output(&["check", &good.to_string_lossy(), "--format", "json"]), "check");

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("scenario.toml"), "name = 3\n").unwrap();
    let run = run_cli(["validate".as_ref(), tmp.path().as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(run.code, 2);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_valid("validate", &report, "validate of a bad scenario");
}

#[test]
fn the_schemas_refuse_what_the_contract_does_not_allow() {
    let proposal = output(&["propose", &sample_dir(), "--format", "json"]);
    let validator = jsonschema::validator_for(&schema("proposal")).unwrap();
    let mut missing = proposal.clone();
    missing.as_object_mut().unwrap().remove("transfers");
    assert!(!validator.is_valid(&missing), "a proposal without transfers passed");
    let mut wrong = proposal.clone();
    wrong["projects"][0]["change_vnd"] = Value::from("12");
    assert!(!validator.is_valid(&wrong), "an amount as text passed");
    let mut source = proposal;
    source["projects"][0]["source"] = Value::from("NSXX");
    assert!(!validator.is_valid(&source), "an unknown capital source passed");
}

/// A TOML file as the JSON value an editor's schema checker sees.
fn toml_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(value).unwrap()
}

#[test]
fn rules_files_match_the_rules_schema_and_a_typo_does_not() {
    let mut files = vec![workspace_root().join("rules/default.toml"), data_dir().join("rules/minimal.toml")];
    let lint = data_dir().join("rules/lint");
    let mut lints: Vec<PathBuf> = std::fs::read_dir(&lint).unwrap().map(|e| e.unwrap().path()).collect();
    lints.sort();
    files.extend(lints);
    for f in &files {
        assert_valid("rules", &toml_as_json(f), &f.display().to_string());
    }
    // The files the engine refuses for their shape, the schema refuses too.
    for bad in ["unknown_field.toml", "missing_cite.toml"] {
        let value = toml_as_json(&data_dir().join("rules/bad").join(bad));
        let validator = jsonschema::validator_for(&schema("rules")).unwrap();
        assert!(!validator.is_valid(&value), "{bad} passed the rules schema");
    }
}

#[test]
fn the_version_and_the_manifest_name_the_commit() {
    let commit = realloc::COMMIT;
    assert!(
        commit == "unknown" || (commit.len() == 7 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    let run = run_cli(["-V"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with(&format!("realloc {} ({commit}", realloc::VERSION)), "{}", run.stdout);
    let proposal = output(&["propose", &sample_dir(), "--format", "json"]);
    assert_eq!(proposal["manifest"]["tool_version"], realloc::VERSION);
    assert_eq!(proposal["manifest"]["tool_commit"], commit);
    // Built in a clone, the commit is the clone's HEAD (the build script reruns when HEAD moves).
    let head = std::process::Command::new("git")
        .args(["-C", &workspace_root().to_string_lossy(), "rev-parse", "--short=7", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if let (Some(head), None) = (head, std::env::var_os("REALLOC_COMMIT")) {
        assert_eq!(commit, head);
    }
}
