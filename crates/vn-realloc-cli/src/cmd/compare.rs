//! `realloc compare A B`: two proposals side by side, each side a scenario folder or a JSON proposal.

use std::io::Write;
use std::path::{Path, PathBuf};

use realloc::report::ProposalDocument;
use realloc::report::compare::Comparison;

use super::{Ctx, display_name};
use crate::cli::{CompareArgs, Format};
use crate::cmd::common;
use crate::output::{bad_input, choose_format};

/// Runs `realloc compare`: each side is named by its file or folder name (the scenario's name when
/// both are the same).
pub fn run(args: &CompareArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = choose_format("compare", args.format, args.output.path())?;
    let (a, mut inputs) = side(&args.a, err)?;
    let (b, more) = side(&args.b, err)?;
    inputs.extend(more);
    ctx.stage("load, rules, optimise");
    let mut names = [display_name(&args.a), display_name(&args.b)];
    if names[0] == names[1] {
        names = [a.scenario.clone(), b.scenario.clone()];
    }
    if names[0] == names[1] {
        names = [format!("{} (1)", names[0]), format!("{} (2)", names[1])];
    }
    let comparison = Comparison::new(&a, &b).with_names(&names[0], &names[1]);
    let lang = ctx.lang;
    let doc = || crate::docs::compare(&comparison, [&names[0], &names[1]], lang);
    ctx.emit("compare", &args.output, args.format, format, &inputs, out, doc, |f| {
        Ok(match f {
            Format::Json => comparison.to_json().into_bytes(),
            Format::Html => doc().to_html(lang).into_bytes(),
            Format::Xlsx => doc().to_xlsx(lang)?,
            _ => comparison.to_markdown(lang).into_bytes(),
        })
    })
}

/// One side: a scenario folder run through the pipeline, or a JSON proposal read back.
fn side(path: &Path, err: &mut dyn Write) -> anyhow::Result<(ProposalDocument, Vec<PathBuf>)> {
    if path.is_dir() || realloc::load::xlsx::is_workbook(&path.to_string_lossy()) {
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
