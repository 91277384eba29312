//! Shared by the classifying commands: load the scenario and resolve the rules file
//! (`--rules FILE` > the scenario's `rules` key, relative to its folder > the built-in rules), through
//! the library's pipeline ([`realloc::pipeline::Pipeline::prepare_dir`]).

use std::io::Write;
use std::path::Path;

use realloc::pipeline;
use realloc::scenario::Scenario;

use crate::cmd::common::pipeline_error;

/// Reads a file the user named: only a regular file (not a pipe or a device such as `/dev/zero`,
/// which would never end) of at most `limit` bytes; else bad input saying what it is.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    pipeline::read_bounded(path, limit, what).map_err(pipeline_error)
}

/// The scenario and the rules that apply to it. An explicit `--rules` file is read first, so a broken
/// rules file is refused before the scenario is read.
pub fn load_with_rules(
    dir: &Path,
    rules: Option<&Path>,
    err: &mut dyn Write,
) -> anyhow::Result<(Scenario, realloc::rules::Rules)> {
    let mut warn = |w: &str| {
        crate::output::warn_text(err, w);
    };
    let prepared = super::common::pipeline(rules, &mut warn).prepare_dir(dir).map_err(pipeline_error)?;
    super::common::record_stages(&prepared.timings);
    Ok((prepared.scenario, prepared.rules))
}
