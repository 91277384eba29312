//! `realloc check`: load and lint a rules file.

use std::io::Write;

use realloc::diag::Severity;
use realloc::report::Lang;
use realloc::rules::Rules;

use super::Ctx;
use crate::cli::{CheckArgs, SummaryFormat};
use crate::output::{bad_diagnostics, bad_input};

/// Runs `realloc check`: prints every error and warning with `file:line`; exit 2 when there is an error.
pub fn run(args: &CheckArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let name = args.rules.display().to_string();
    let bytes = super::rules_input::read_bounded(&args.rules, realloc::load::MAX_TOML_BYTES, "rules file")?;
    let lang = super::common::message_lang();
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        bad_input(match lang {
            Lang::En => format!("{name}: the rules file is not UTF-8 (invalid byte at offset {at}) [E014]"),
            Lang::Vi => format!("{name}: tệp quy tắc không phải UTF-8 (byte sai ở vị trí {at}) [E014]"),
        })
    })?;
    let rules = Rules::parse(&text, &name);
    let diags = match &rules {
        Ok(r) => r.lint(),
        Err(e) => e.diagnostics().clone(),
    };
    let rules = rules.ok();
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
                    crate::cli::MessageFormat::Human => {
                        writeln!(out, "{}: {}", super::common::warning_word(lang), d.render(lang))?;
                    }
                }
            }
            if let Some(r) = &rules {
                let all = r.rules();
                let count = |k| all.iter().filter(|x| x.kind == k).count();
                use realloc::rules::RuleKind;
                let (metrics, groups, paces, tiers, constraints, warnings) = (
                    count(RuleKind::Metric),
                    count(RuleKind::Group),
                    count(RuleKind::Pace),
                    count(RuleKind::Tier),
                    r.constraints().len(),
                    diags.warning_count(),
                );
                let rules_name = &r.name;
                match lang {
                    Lang::En => writeln!(
                        out,
                        "{name}: rules `{rules_name}` ok: {metrics} metrics, {groups} groups, {paces} pace classes, {tiers} tier rules, {constraints} constraints; {warnings} warning(s)"
                    )?,
                    Lang::Vi => writeln!(
                        out,
                        "{name}: bộ quy tắc `{rules_name}` dùng được: {metrics} chỉ số, {groups} nhóm vướng mắc, {paces} nhóm tiến độ, {tiers} quy tắc ưu tiên, {constraints} ràng buộc; {warnings} cảnh báo"
                    )?,
                }
                writeln!(out, "sha256 {}", r.sha256())?;
            }
        }
    }
    if diags.has_errors() {
        // The warnings were written above: the error lists only the errors, in the text and in JSON.
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        let listed: Vec<String> = errors.iter().map(|d| d.render(lang)).collect();
        let head = super::common::rules_head(&name, diags.error_count(), lang);
        return Err(bad_diagnostics(format!("{head}\n{}", listed.join("\n")), errors));
    }
    Ok(())
}
