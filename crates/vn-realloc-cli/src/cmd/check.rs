//! `realloc check`: load and lint a rules file.

use std::io::Write;

use realloc::diag::Severity;
use realloc::rules::Rules;

use super::Ctx;
use crate::cli::{CheckArgs, SummaryFormat};
use crate::output::{bad_diagnostics, bad_input};

/// Runs `realloc check`: prints every error and warning with `file:line`; exit 2 when there is an error.
pub fn run(args: &CheckArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let name = args.rules.display().to_string();
    let bytes = super::rules_input::read_bounded(&args.rules, realloc::load::MAX_TOML_BYTES, "rules file")?;
    let text = String::from_utf8(bytes).map_err(|e| {
        bad_input(format!(
            "{name}: the rules file is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let diags = Rules::check(&text, &name);
    let rules = Rules::parse(&text, &name).ok();
    ctx.stage("rules");
    match args.format {
        SummaryFormat::Json => {
            let doc = realloc::contract::RulesCheck {
                file: name.clone(),
                ok: !diags.has_errors(),
                name: rules.as_ref().map(|r| r.name.clone()),
                sha256: rules.as_ref().map(|r| r.sha256().to_owned()),
                rules: rules.as_ref().map(|r| r.rules()),
                diagnostics: diags.clone(),
            };
            write!(out, "{}", realloc::contract::to_json_pretty(&doc))?;
        }
        SummaryFormat::Text => {
            for d in diags.iter().filter(|d| d.severity == Severity::Warning) {
                match crate::output::message_format() {
                    crate::cli::MessageFormat::Json => crate::output::warn(err, d),
                    crate::cli::MessageFormat::Human => writeln!(out, "warning: {d}")?,
                }
            }
            if let Some(r) = &rules {
                let all = r.rules();
                let count = |k| all.iter().filter(|x| x.kind == k).count();
                use realloc::rules::RuleKind;
                writeln!(
                    out,
                    "{name}: rules `{}` ok: {} metrics, {} groups, {} pace classes, {} tier rules, {} constraints; {} warning(s)\nsha256 {}",
                    r.name,
                    count(RuleKind::Metric),
                    count(RuleKind::Group),
                    count(RuleKind::Pace),
                    count(RuleKind::Tier),
                    r.constraints().len(),
                    diags.iter().count(),
                    r.sha256()
                )?;
            }
        }
    }
    if diags.has_errors() {
        let listed: Vec<String> =
            diags.iter().filter(|d| d.severity == Severity::Error).map(ToString::to_string).collect();
        return Err(bad_diagnostics(
            format!("{name}: {} problem(s) in the rules\n{}", diags.error_count(), listed.join("\n")),
            diags.iter().cloned().collect(),
        ));
    }
    Ok(())
}
