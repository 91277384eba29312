//! `realloc propose`: load, classify, optimise, write the proposal in the format and language asked
//! (and the LP model on request).

use std::io::Write;

use anyhow::Context;
use realloc::report::{DocumentFormat, Submission};

use crate::cli::{ProposeArgs, ProposeFormat};
use crate::cmd::common;
use crate::output::{OutputSet, bad_input, check_outputs};

/// Runs `realloc propose`.
pub fn run(args: &ProposeArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = args
        .format
        .or_else(|| args.output.path().and_then(ProposeFormat::from_extension))
        .unwrap_or(ProposeFormat::Json);
    if format == ProposeFormat::Xlsx && args.output.path().is_none() {
        return Err(bad_input("an Excel workbook needs an output file: add `-o FILE.xlsx`"));
    }
    if format == ProposeFormat::Docx && args.output.path().is_none() {
        return Err(bad_input("a Word document needs an output file: add `-o FILE.docx`"));
    }
    // Refused before any work: an output that is a folder, or one file given twice.
    let outputs: Vec<(&str, &std::path::Path)> =
        [("-o", args.output.path()), ("--export-lp", args.export_lp.as_deref())]
            .into_iter()
            .filter_map(|(o, p)| p.map(|p| (o, p)))
            .collect();
    check_outputs(&outputs, &[])?;
    let proposed = common::propose_scenario(
        &args.scenario,
        args.rules.file.as_deref(),
        args.export_lp.is_some(),
        args.risk.then_some(&args.risk_options),
        err,
    )?;
    let format = match format {
        ProposeFormat::Json => DocumentFormat::Json,
        ProposeFormat::Md => DocumentFormat::Markdown,
        ProposeFormat::Html => DocumentFormat::Html,
        ProposeFormat::Xlsx => DocumentFormat::Xlsx,
        ProposeFormat::Csv => DocumentFormat::Csv,
        ProposeFormat::Docx => DocumentFormat::Docx,
    };
    let mut submission = Submission::new(
        proposed.scenario.meta.document.clone(),
        proposed.rules.citations(),
        &proposed.document,
    );
    if let Some(code) = &args.authority {
        let known: Vec<&str> = proposed.document.authorities.iter().map(|a| a.code.as_str()).collect();
        if !known.contains(&code.as_str()) {
            return Err(bad_input(format!(
                "--authority `{code}` is not in the rules' authority table; expected one of: {}",
                known.join(", ")
            )));
        }
        submission.authority = Some(code.clone());
    }
    // From here only the document is needed: the scenario, the assessment and the proposal are freed
    // on a background thread while the document renders (at national scale they are hundreds of
    // megabytes, and freeing millions of small allocations takes time nobody needs to wait for; the
    // process may exit before it finishes).
    let common::Proposed { document, files_read: inputs, lp, scenario, rules, assessment, proposal, .. } =
        proposed;
    std::thread::spawn(move || drop((scenario, rules, assessment, proposal)));
    let render = || {
        document
            .render_submission(format, args.lang.into(), &submission)
            .with_context(|| format!("cannot render the proposal of `{}`", args.scenario.display()))
    };
    // All or nothing: the LP export and the document are written together, or neither.
    let mut set = OutputSet::new();
    if let (Some(path), Some(lp)) = (&args.export_lp, lp) {
        set.add("--export-lp", path, lp.into_bytes());
    }
    match (args.output.path(), format) {
        // The JSON of a national proposal is hundreds of megabytes: written as it is serialised.
        (Some(path), DocumentFormat::Json) => {
            set.add_stream("-o", path, |w| document.write_json(w));
            set.commit(&inputs, None)?;
        }
        (Some(path), _) => {
            set.add("-o", path, render()?);
            set.commit(&inputs, None)?;
        }
        (None, _) => set.commit(&inputs, Some((out, &render()?)))?,
    }
    std::thread::spawn(move || drop(document));
    Ok(())
}
