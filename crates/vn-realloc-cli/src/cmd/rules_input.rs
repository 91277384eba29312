//! Shared by the classifying commands: load the scenario and resolve the rules file
//! (`--rules FILE` > the scenario's `rules` key, relative to its folder > the built-in rules).

use std::io::Write;
use std::path::Path;

use realloc::rules::Rules;
use realloc::scenario::Scenario;

use crate::output::bad_input;

/// Reads and checks a rules file; a missing, non-UTF-8 or invalid file is bad input naming the file and
/// the line.
pub fn read_rules(path: &Path) -> anyhow::Result<Rules> {
    let name = path.display().to_string();
    let bytes = read_bounded(path, realloc::load::MAX_TOML_BYTES, "rules file")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        bad_input(format!(
            "{name}: the rules file is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Rules::parse(&text, &name).map_err(|e| bad_input(e.to_string()))
}

/// Reads a file the user named: only a regular file (not a pipe or a device such as `/dev/zero`,
/// which would never end) of at most `limit` bytes; else bad input saying what it is.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let name = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| bad_input(format!("{name}: cannot read the {what}: {e}")))?;
    if meta.is_dir() {
        return Err(bad_input(format!("{name}: is a folder, not a {what}")));
    }
    if !meta.is_file() {
        return Err(bad_input(format!(
            "{name}: is not a regular file (it is a pipe, a device or a socket) and is not read; expected a {what}"
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| bad_input(format!("{name}: cannot read the {what}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(bad_input(format!(
            "{name}: the {what} is larger than {} MiB, the most it may be (README, \"Limits\")",
            limit >> 20
        )));
    }
    Ok(bytes)
}

/// The scenario and the rules that apply to it. An explicit `--rules` file is read first, so a broken
/// rules file is refused before the scenario is read.
pub fn load_with_rules(
    dir: &Path,
    rules: Option<&Path>,
    err: &mut dyn Write,
) -> anyhow::Result<(Scenario, Rules)> {
    let explicit = rules.map(read_rules).transpose()?;
    let scenario = super::common::load(dir, err)?.scenario;
    let rules = match (explicit, &scenario.meta.rules) {
        (Some(r), _) => r,
        (None, Some(rel)) => read_rules(&realloc::load::scenario_folder(dir).join(rel))?,
        (None, None) => Rules::builtin(),
    };
    Ok((scenario, rules))
}
