//! `realloc compare A B`: two proposals side by side, each side a scenario folder or a JSON proposal.

use std::io::Write;
use std::path::{Path, PathBuf};

use realloc::report::ProposalDocument;
use realloc::report::compare::Comparison;

use crate::cli::{CompareArgs, CompareFormat};
use crate::cmd::common;
use crate::output::bad_input;

/// Runs `realloc compare`.
pub fn run(args: &CompareArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let (a, mut inputs) = side(&args.a, err)?;
    let (b, more) = side(&args.b, err)?;
    inputs.extend(more);
    let comparison = Comparison::new(&a, &b);
    let text = match args.format {
        CompareFormat::Md => comparison.to_markdown(args.lang.into()),
        CompareFormat::Json => comparison.to_json(),
    };
    args.output.write(text.as_bytes(), &inputs, out)
}

/// One side: a scenario folder run through the pipeline, or a JSON proposal read back.
fn side(path: &Path, err: &mut dyn Write) -> anyhow::Result<(ProposalDocument, Vec<PathBuf>)> {
    if path.is_dir() {
        let proposed = common::propose_scenario(path, None, false, None, err)?;
        return Ok((proposed.document, proposed.files_read));
    }
    let bytes = super::rules_input::read_bounded(path, realloc::load::MAX_FILE_BYTES, "JSON proposal")?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        bad_input(format!(
            "{}: not UTF-8 text (byte {}): expected a JSON proposal",
            path.display(),
            e.valid_up_to()
        ))
    })?;
    let document = read_proposal(text).map_err(|e| {
        bad_input(format!("{}:{}:{}: not a proposal: {e}", path.display(), e.line(), e.column()))
    })?;
    Ok((document, vec![path.to_path_buf()]))
}

/// Reads a JSON proposal, refusing trailing data.
fn read_proposal(text: &str) -> Result<ProposalDocument, serde_json::Error> {
    serde_json::from_str(text)
}
