//! What several commands share: loading a scenario with its diagnostics mapped to exit status 2, and
//! choosing the rules.

use std::io::Write;
use std::path::Path;

use realloc::load::{Loaded, load_scenario};

use crate::output::bad_input;

/// Loads the scenario folder; every problem found becomes one bad-input error listing them all.
/// Warnings are written to `err`.
pub fn load(dir: &Path, err: &mut dyn Write) -> anyhow::Result<Loaded> {
    match load_scenario(dir) {
        Ok(loaded) => {
            for w in loaded.warnings.iter() {
                let _ = writeln!(err, "warning: {w}");
            }
            Ok(loaded)
        }
        Err(e) => {
            let count = e.diagnostics.error_count();
            Err(bad_input(format!(
                "the scenario `{}` cannot be used ({count} problem{}):\n{}",
                dir.display(),
                if count == 1 { "" } else { "s" },
                e.diagnostics
            )))
        }
    }
}
