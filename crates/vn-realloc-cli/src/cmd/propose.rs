//! `realloc propose`: load, classify, optimise, write the proposal in the format and language asked
//! (and the LP model on request).

use std::io::Write;

use anyhow::Context;
use realloc::report::{DocumentFormat, Submission};

use super::Ctx;
use crate::cli::{Format, ProposeArgs};
use crate::cmd::common;
use crate::output::{OutputSet, bad_input, check_outputs, choose_format};

/// Runs `realloc propose`.
pub fn run(args: &ProposeArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = choose_format("propose", args.format, args.output.path())?;
    let summary = ctx.summarise(&args.output, args.format);
    // Refused before any work: an output that is a folder, or one file given twice.
    let outputs: Vec<(&str, &std::path::Path)> =
        [("-o", args.output.path()), ("--export-lp", args.export_lp.as_deref())]
            .into_iter()
            .filter_map(|(o, p)| p.map(|p| (o, p)))
            .collect();
    check_outputs(&outputs, &[])?;
    let method = args.solver.solver.method()?;
    let proposed = common::with_solver(method, || {
        common::propose_scenario_with(
            &args.scenario,
            args.rules.file.as_deref(),
            args.overrides.as_deref(),
            args.export_lp.is_some(),
            args.risk.then_some(&args.risk_options),
            err,
        )
    })?;
    ctx.stage(if args.risk { "load, rules, optimise, risk" } else { "load, rules, optimise" });
    let format = match format {
        Format::Md => DocumentFormat::Markdown,
        Format::Html => DocumentFormat::Html,
        Format::Xlsx => DocumentFormat::Xlsx,
        Format::Csv => DocumentFormat::Csv,
        Format::Docx => DocumentFormat::Docx,
        Format::Json | Format::Toml => DocumentFormat::Json,
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
    let lang = ctx.lang;
    let render = || {
        document
            .render_submission(format, lang, &submission)
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
            ctx.stage("document");
            set.commit(&inputs, None)?;
        }
        (None, _) if summary => {
            let text = crate::term::summary(
                &crate::docs::proposal(&document, lang),
                lang,
                ctx.width,
                crate::output::formats_of("propose"),
            );
            ctx.stage("document");
            set.commit(&inputs, Some((out, text.as_bytes())))?;
        }
        // The same on standard output (`--format json > FILE`).
        (None, DocumentFormat::Json) => {
            set.commit_streaming(&inputs, out, |w| document.write_json(w))?;
        }
        (None, _) => {
            let bytes = render()?;
            ctx.stage("document");
            set.commit(&inputs, Some((out, &bytes)))?;
        }
    }
    ctx.stage("write");
    std::thread::spawn(move || drop(document));
    Ok(())
}
