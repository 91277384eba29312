//! `realloc explain`: every rule that matched or did not for one row, with the values it saw.

use std::fmt::Write as _;
use std::io::Write;

use realloc::domain::Source;
use realloc::rules::{Explanation, Outcome, Stage, fmt_vi};

use super::rules_input::load_with_rules;
use crate::cli::{ExplainArgs, SummaryFormat};
use crate::output::bad_input;

/// Runs `realloc explain`.
pub fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let source = args
        .source
        .as_deref()
        .map(|s| s.parse::<Source>().map_err(|e| bad_input(format!("--source: {e}"))))
        .transpose()?;
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    let p = &scenario.portfolio;
    let row = match source {
        Some(s) => p.position(&args.id, s).ok_or_else(|| {
            bad_input(format!("no project `{}` with source {s} in {}", args.id, scenario.meta.projects))
        })?,
        None => {
            let rows: Vec<_> = p.rows_of(&args.id).collect();
            match rows.as_slice() {
                [] => {
                    return Err(bad_input(format!("no project `{}` in {}", args.id, scenario.meta.projects)));
                }
                [one] => p.position(&one.id, one.source).unwrap_or(0),
                many => {
                    let sources: Vec<&str> = many.iter().map(|r| r.source.code()).collect();
                    return Err(bad_input(format!(
                        "project `{}` has rows for several sources ({}): choose one with --source",
                        args.id,
                        sources.join(", ")
                    )));
                }
            }
        }
    };
    let Some(e) = rules.explain(&scenario, row) else {
        return Err(bad_input(format!("no row {row} in the portfolio")));
    };
    let text = match args.format {
        SummaryFormat::Json => realloc::contract::to_json_pretty(&e),
        SummaryFormat::Text => text(&e, rules.file()),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

fn text(e: &Explanation, file: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}): {}", e.id, e.source, e.name);
    let _ = writeln!(s, "rules: {file}\n\ninputs:");
    for i in &e.inputs {
        let _ = writeln!(s, "  {:<24} {}", i.name, i.value);
    }
    let mut stage = None;
    for st in &e.steps {
        if stage != Some(st.stage) {
            stage = Some(st.stage);
            let title = match st.stage {
                Stage::Metric => "metrics",
                Stage::Group => "obstacle groups (every match applies)",
                Stage::Pace => "pace classes (first match applies)",
                Stage::Tier => "priority tiers (first match applies)",
                Stage::Eligibility => {
                    "eligibility (every rule applies: a condition closes a side, a limit caps it)"
                }
                Stage::Model => "model",
            };
            let _ = writeln!(s, "\n{title}:");
        }
        let mark = match st.outcome {
            Outcome::Matched => "MATCH  ",
            Outcome::Shadowed => "shadow ",
            Outcome::NotMatched => "no     ",
            Outcome::Computed => "=      ",
        };
        let value = if st.outcome == Outcome::Computed { format!(" = {}", st.value) } else { String::new() };
        let _ = writeln!(s, "  {mark}{}{value}   [line {}] {}", st.id, st.line, st.expr);
        if !st.seen.is_empty() {
            let seen: Vec<String> = st.seen.iter().map(|x| format!("{}={}", x.name, x.value)).collect();
            let _ = writeln!(s, "           saw {}", seen.join(", "));
        }
    }
    let r = &e.result;
    let role = if r.bounds.releasable.dong() > 0 {
        "donor"
    } else if r.bounds.absorbable.dong() > 0 {
        "recipient"
    } else {
        "neither"
    };
    let _ = writeln!(s, "\nresult:");
    let _ = writeln!(
        s,
        "  groups      {}",
        if r.groups.is_empty() { "-".to_owned() } else { r.groups.join(", ") }
    );
    let _ = writeln!(s, "  pace        {}", r.pace);
    let _ = writeln!(s, "  priority    {}", r.priority);
    let _ = writeln!(s, "  forecast    {} million VND", r.forecast);
    let _ = writeln!(s, "  releasable  {} million VND", r.bounds.releasable);
    let _ = writeln!(s, "  absorbable  {} million VND", r.bounds.absorbable);
    let _ = writeln!(s, "  value_in    {}", fmt_vi(r.bounds.value_in));
    let _ = writeln!(s, "  value_out   {}", fmt_vi(r.bounds.value_out));
    let _ = writeln!(s, "  role        {role}");
    if !r.reason.is_empty() {
        let _ = writeln!(s, "  reason      {}", r.reason);
    }
    if role == "neither" {
        let _ = writeln!(s, "\nwhy it neither gives nor receives:");
        if e.kept_out.is_empty() {
            let _ = writeln!(
                s,
                "  no eligibility rule closed it: the releasable formula leaves nothing it is not expected to spend, and the absorbable formula finds nothing more it could spend by the deadline"
            );
        }
        for k in &e.kept_out {
            let _ = writeln!(s, "  {}: {} ({})", k.id, k.label_en, k.label_vi);
        }
    }
    s
}
