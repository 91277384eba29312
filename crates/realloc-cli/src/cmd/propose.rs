//! `realloc propose`: load, classify, optimise, write the proposal (and the LP model on request).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use realloc::optimize;
use realloc::report::{ProposalDocument, RulesIdentity};

use crate::cli::{ProposeArgs, ProposeFormat};
use crate::cmd::rules_input::load_with_rules;
use crate::output::write_atomic;

/// Runs `realloc propose`.
pub fn run(args: &ProposeArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.as_ref(), err)?;
    let scenario = &scenario;
    let identity = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
    let assessment = rules.assess(scenario);
    let proposal = optimize::propose(&scenario.portfolio, &assessment.model)
        .with_context(|| format!("cannot optimise scenario `{}`", args.scenario.display()))?;
    let document = ProposalDocument::build(scenario, &identity, &assessment, &proposal);
    let bytes = match args.format {
        ProposeFormat::Json => document.to_json().into_bytes(),
    };
    let inputs = input_paths(args, scenario);
    match &args.output {
        Some(path) => write_atomic(path, &bytes, &inputs)?,
        None => out.write_all(&bytes).context("cannot write to standard output")?,
    }
    Ok(())
}

/// Every file this run read, so that no output lands on one of them.
fn input_paths(args: &ProposeArgs, scenario: &realloc::scenario::Scenario) -> Vec<PathBuf> {
    let dir = &args.scenario;
    let mut paths = vec![dir.join("scenario.toml"), dir.join(&scenario.meta.projects)];
    paths.extend(scenario.meta.disbursements.iter().map(|d| dir.join(d)));
    paths.extend(args.rules.iter().cloned());
    paths.extend(scenario.meta.rules.iter().map(|r| dir.join(r)));
    paths
}
