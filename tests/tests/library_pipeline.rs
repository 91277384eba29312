//! The library's one pipeline (`realloc::pipeline`): the embedding example's code path gives the bytes
//! `realloc propose --format json` gives; a scenario in memory (CSV or a workbook) or already built
//! gives the proposal of the same files in a folder; errors in memory are the folder's errors, and
//! say whether the input is at fault.

use std::path::Path;

use realloc::generate::{GenerateOptions, files_of, generate_scenario};
use realloc::load::{InMemoryScenario, load_scenario};
use realloc::pipeline::{Pipeline, PipelineError, RiskRequest, RulesSource};
use realloc_tests::{copy_dir, run_cli, sample_dir, workspace_root};

#[path = "../../crates/vn-realloc/examples/embed.rs"]
mod embed;

/// `realloc propose DIR --format json` run in-process: its standard output.
#[track_caller]
fn cli_json(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["propose".as_ref(), dir.as_os_str(), "--format".as_ref(), "json".as_ref()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let run = run_cli(args);
    assert_eq!(run.code, 0, "propose failed: {}", run.stderr);
    run.stdout
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("the JSON is not UTF-8: {e}"))
}

#[test]
fn the_embed_example_gives_the_bytes_of_realloc_propose_on_the_sample() {
    let dir = sample_dir();
    let files = embed::read_folder(Path::new(&dir)).unwrap();
    let json = embed::proposal_json(&dir, &files).unwrap_or_else(|e| panic!("{e}"));
    let cli = cli_json(Path::new(&dir), &[]);
    assert!(cli.contains("\"constraints\""), "{cli}");
    assert_eq!(text(json), cli);
}

#[test]
fn a_generated_scenario_in_memory_gives_the_bytes_of_the_same_files_in_a_folder() {
    let generated = generate_scenario(&GenerateOptions::new(300, 23));
    let files = files_of(&generated);
    let tmp = tempfile::tempdir().unwrap();
    let all: Vec<_> = files.files();
    let mut memory = InMemoryScenario::new("uploaded", b"");
    for (name, content) in &all {
        std::fs::write(tmp.path().join(name), content).unwrap();
        if name == "scenario.toml" {
            memory.scenario_toml = content.as_bytes();
        } else {
            memory = memory.file(name, content.as_bytes());
        }
    }
    let run = Pipeline::new().run_in_memory(&memory).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(run.document.to_json_bytes()), cli_json(tmp.path(), &[]));
    // The files read are named as the caller named the scenario.
    let read: Vec<String> = run.files_read.iter().map(|p| p.display().to_string()).collect();
    assert!(read.contains(&"uploaded/projects.csv".to_owned()), "{read:?}");
    assert!(read.contains(&"uploaded/pipeline.csv".to_owned()), "{read:?}");
}

#[test]
fn a_workbook_in_memory_gives_the_proposal_of_its_folder() {
    let dir = sample_dir();
    let loaded = load_scenario(Path::new(&dir)).unwrap_or_else(|e| panic!("{}", e.diagnostics));
    let book = realloc::template::workbook(realloc::report::Lang::En, Some(&loaded.scenario)).unwrap();
    let toml = std::fs::read_to_string(Path::new(&dir).join("scenario.toml"))
        .unwrap()
        .replace("\"projects.csv\"", "\"book.xlsx\"")
        .replace("\"disbursements.csv\"", "\"book.xlsx\"")
        .replace("\"pipeline.csv\"", "\"book.xlsx\"");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("book.xlsx"), &book).unwrap();
    std::fs::write(tmp.path().join("scenario.toml"), &toml).unwrap();
    // The monitoring files stay CSV files (the schedule sets the pace of its rows).
    let monitoring: Vec<(&str, Vec<u8>)> = ["treasury.csv", "schedule.csv", "conclusions.csv"]
        .into_iter()
        .map(|n| (n, std::fs::read(Path::new(&dir).join(n)).unwrap()))
        .collect();
    for (name, bytes) in &monitoring {
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    let folder = tmp.path().display().to_string();
    let mut memory = InMemoryScenario::new(&folder, toml.as_bytes()).file("book.xlsx", &book);
    for (name, bytes) in &monitoring {
        memory = memory.file(name, bytes);
    }
    let run = Pipeline::new().run_in_memory(&memory).unwrap_or_else(|e| panic!("{e}"));
    assert!(!run.document.pipeline.is_empty());
    assert_eq!(text(run.document.to_json_bytes()), cli_json(tmp.path(), &[]));
}

#[test]
fn a_built_scenario_gives_the_proposal_of_its_folder_and_the_lp_and_risk_of_the_cli() {
    let dir = sample_dir();
    let loaded = load_scenario(Path::new(&dir)).unwrap_or_else(|e| panic!("{}", e.diagnostics));
    let risk = RiskRequest { draws: 40, seed: 7, target: 0.9, calibrate: false };
    let progress = std::sync::atomic::AtomicU64::new(0);
    let count = |n: u64| {
        progress.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    };
    let run = Pipeline::new()
        .export_lp(true)
        .risk(Some(risk))
        .risk_progress(&count)
        .run_scenario(loaded.scenario, &dir)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(progress.into_inner(), 40);
    let tmp = tempfile::tempdir().unwrap();
    let lp_path = tmp.path().join("model.lp");
    let lp_arg = lp_path.to_string_lossy().into_owned();
    let cli = cli_json(
        Path::new(&dir),
        &["--risk", "--draws", "40", "--seed", "7", "--target", "0.9", "--export-lp", &lp_arg],
    );
    assert!(run.document.risk.is_some());
    assert_eq!(text(run.document.to_json_bytes()), cli);
    assert_eq!(run.lp.as_deref(), Some(std::fs::read_to_string(&lp_path).unwrap().as_str()));
    // Without a folder nothing is read.
    assert!(run.files_read.is_empty(), "{:?}", run.files_read);
}

#[test]
fn a_broken_scenario_in_memory_gets_the_message_of_the_same_folder() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new(&sample_dir()), tmp.path()).unwrap();
    let projects = std::fs::read_to_string(tmp.path().join("projects.csv")).unwrap();
    let mut lines: Vec<String> = projects.lines().map(str::to_owned).collect();
    lines[3] = lines[3].replacen(",ongoing,", ",going,", 1);
    let broken = lines.join("\n") + "\n";
    std::fs::write(tmp.path().join("projects.csv"), &broken).unwrap();
    std::fs::remove_file(tmp.path().join("pipeline.csv")).unwrap();

    let from_folder = Pipeline::new().run_dir(tmp.path()).unwrap_err();
    let folder = tmp.path().display().to_string();
    let toml = std::fs::read(tmp.path().join("scenario.toml")).unwrap();
    let history = std::fs::read(tmp.path().join("disbursements.csv")).unwrap();
    let monitoring: Vec<(&str, Vec<u8>)> = ["treasury.csv", "schedule.csv", "conclusions.csv"]
        .into_iter()
        .map(|n| (n, std::fs::read(tmp.path().join(n)).unwrap()))
        .collect();
    let mut memory = InMemoryScenario::new(&folder, &toml)
        .file("projects.csv", broken.as_bytes())
        .file("disbursements.csv", &history);
    for (name, bytes) in &monitoring {
        memory = memory.file(name, bytes);
    }
    let in_memory = Pipeline::new().run_in_memory(&memory).unwrap_err();
    assert!(from_folder.is_bad_input() && in_memory.is_bad_input());
    let message = from_folder.to_string();
    assert!(message.contains("projects.csv:4:"), "{message}");
    assert!(message.contains("file not found; scenario.toml names it as `pipeline`"), "{message}");
    // The broken row's schedule is not reported again as a row missing from projects.csv.
    assert!(!message.contains("schedule.csv"), "{message}");
    assert_eq!(in_memory.to_string(), message);
    // And the command line says the same, with exit status 2.
    let run =
        run_cli([std::ffi::OsStr::new("propose"), tmp.path().as_os_str(), "--lang".as_ref(), "en".as_ref()]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, format!("error: {}\n", message.trim_end()));
}

#[test]
fn a_file_too_large_in_memory_is_refused_as_in_a_folder() {
    let toml = std::fs::read(Path::new(&sample_dir()).join("scenario.toml")).unwrap();
    let huge = vec![b'a'; (realloc::load::MAX_FILE_BYTES + 1) as usize];
    let memory = InMemoryScenario::new("", &toml).file("projects.csv", &huge);
    let e = Pipeline::new().run_in_memory(&memory).unwrap_err();
    let message = e.to_string();
    assert!(message.starts_with("the scenario cannot be used (1 problem):\n"), "{message}");
    assert!(message.contains("\nprojects.csv: the file is larger than 512 MiB"), "{message}");
}

#[test]
fn rules_errors_are_bad_input_naming_the_rules() {
    let dir = sample_dir();
    let bad = RulesSource::Text { name: "mine.toml".to_owned(), text: "name = 3\n".to_owned() };
    let e = Pipeline::new().rules(bad).run_dir(Path::new(&dir)).unwrap_err();
    assert!(matches!(e, PipelineError::Rules(_)), "{e:?}");
    assert!(e.is_bad_input() && e.to_string().starts_with("mine.toml"), "{e}");

    let missing = workspace_root().join("no-such-rules.toml");
    let e = Pipeline::new().rules(RulesSource::File(missing.clone())).run_dir(Path::new(&dir)).unwrap_err();
    assert!(matches!(e, PipelineError::File { .. }) && e.is_bad_input(), "{e:?}");
    assert!(e.to_string().starts_with(&format!("{}: cannot read the rules file", missing.display())), "{e}");

    let e = Pipeline::new()
        .risk(Some(RiskRequest { draws: 0, seed: 1, target: 0.9, calibrate: false }))
        .run_dir(Path::new(&dir))
        .unwrap_err();
    assert!(matches!(e, PipelineError::Risk(_)) && e.is_bad_input(), "{e:?}");
}

#[test]
fn a_built_scenario_naming_a_rules_file_asks_for_the_rules() {
    let dir = sample_dir();
    let mut loaded = load_scenario(Path::new(&dir)).unwrap_or_else(|e| panic!("{}", e.diagnostics));
    loaded.scenario.meta.rules = Some("rules.toml".to_owned());
    let e = Pipeline::new().run_scenario(loaded.scenario, "built").unwrap_err();
    assert!(matches!(e, PipelineError::RulesNotGiven { .. }) && e.is_bad_input(), "{e:?}");
}

#[test]
fn warnings_reach_the_callback_and_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(Path::new(&sample_dir()), tmp.path()).unwrap();
    let toml = std::fs::read_to_string(tmp.path().join("scenario.toml")).unwrap();
    std::fs::write(tmp.path().join("scenario.toml"), format!("surprise = 1\n{toml}")).unwrap();
    let mut seen = Vec::new();
    let mut warn = |w: &str| seen.push(w.to_owned());
    let run = Pipeline::new().on_warning(&mut warn).run_dir(tmp.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(run.warnings.iter().any(|w| w.contains("surprise")), "{:?}", run.warnings);
    assert_eq!(seen, run.warnings);
}
