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
    let bytes =
        std::fs::read(path).map_err(|e| bad_input(format!("{name}: cannot read the rules file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        bad_input(format!(
            "{name}: the rules file is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Rules::parse(&text, &name).map_err(|e| bad_input(e.to_string()))
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
        (None, Some(rel)) => read_rules(&dir.join(rel))?,
        (None, None) => Rules::builtin(),
    };
    Ok((scenario, rules))
}
