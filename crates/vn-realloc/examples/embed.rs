//! Embedding realloc: a scenario whose files are already in memory (an upload, a database record)
//! run through the library's one pipeline, the proposal written as the JSON contract, the same bytes
//! `realloc propose DIR --format json` writes. Usage:
//! `cargo run -p vn-realloc --example embed -- scenarios/lang-son-2025-q3 > proposal.json`.

use std::path::Path;

use realloc::load::InMemoryScenario;
use realloc::pipeline::{Pipeline, PipelineError, RulesSource};

/// The proposal of the scenario whose files are `files` (name as `scenario.toml` names it, bytes),
/// `scenario.toml` among them; `folder` names the scenario in messages. Warnings go to standard
/// error.
pub fn proposal_json(folder: &str, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, PipelineError> {
    let toml = files.iter().find(|(name, _)| name == "scenario.toml").map_or(&[][..], |(_, b)| b);
    let mut scenario = InMemoryScenario::new(folder, toml);
    for (name, bytes) in files {
        scenario = scenario.file(name, bytes);
    }
    let mut warn = |w: &str| eprintln!("warning: {w}");
    let run = Pipeline::new().rules(RulesSource::Scenario).on_warning(&mut warn).run_in_memory(&scenario)?;
    Ok(run.document.to_json_bytes())
}

/// Every file of the folder `dir` (not its sub-folders), by name: here the bytes come from disk, in an
/// embedding from wherever the host keeps them.
pub fn read_folder(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            files.push((entry.file_name().to_string_lossy().into_owned(), std::fs::read(entry.path())?));
        }
    }
    files.sort();
    Ok(files)
}

#[allow(dead_code)] // the test that runs this example's code path uses only the functions above
fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: embed SCENARIO_DIR");
        std::process::exit(2);
    };
    let files = match read_folder(Path::new(&dir)) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: cannot read `{dir}`: {e}");
            std::process::exit(2);
        }
    };
    match proposal_json(&dir, &files) {
        Ok(json) => {
            use std::io::Write;
            if std::io::stdout().write_all(&json).is_err() {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(if e.is_bad_input() { 2 } else { 1 });
        }
    }
}
