//! `realloc explain`: every rule that matched or did not for one row, with the values it saw.

use std::fmt::Write as _;
use std::io::Write;

use realloc::domain::Source;
use realloc::report::{Lang, fmt};
use realloc::rules::{Explanation, Outcome, Stage};

use super::Ctx;
use super::rules_input::load_with_rules;
use crate::cli::{ExplainArgs, SummaryFormat};
use crate::output::bad_input;

/// Runs `realloc explain`.
pub fn run(args: &ExplainArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let source = args
        .source
        .as_deref()
        .map(|s| s.parse::<Source>().map_err(|e| bad_input(format!("--source: {e}"))))
        .transpose()?;
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    ctx.stage("load, rules");
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
    let builtin = args.rules.file.is_none() && scenario.meta.rules.is_none();
    let rules_name = if builtin {
        match ctx.lang {
            Lang::Vi => "bộ quy tắc có sẵn (`realloc rules export` để sửa)".to_owned(),
            Lang::En => "built-in rules (`realloc rules export` to edit)".to_owned(),
        }
    } else {
        rules.file().to_owned()
    };
    let locked = p.rows().get(row).filter(|r| r.locked).map(|r| r.extra.lock_reason.clone());
    let text = match args.format {
        SummaryFormat::Json => realloc::contract::to_json_pretty(&e),
        SummaryFormat::Text => text(&e, &rules_name, locked, ctx.lang),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The width the text fits.
const WIDTH: usize = 100;

/// A value the rules saw, a number with decimals written in the language's format (`24.343,455`);
/// whole numbers (years, counts, codes) and text as they are.
fn number(v: &str, lang: Lang) -> String {
    let Some((int, frac)) = v.split_once('.') else { return v.to_owned() };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (neg, int) = match int.strip_prefix('-') {
        Some(i) => (true, i),
        None => (false, int),
    };
    if !digits(int) || !digits(frac) || frac.len() > 12 {
        return v.to_owned();
    }
    let Ok(scaled) = format!("{int}{frac}").parse::<i128>() else { return v.to_owned() };
    let scale = frac.len() as u32;
    fmt::fixed(if neg { -scaled } else { scaled }, scale, scale, lang)
}

/// `s` wrapped at blanks into lines of at most `w` characters (a longer word stays whole).
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn text(e: &Explanation, rules: &str, locked: Option<Option<std::sync::Arc<str>>>, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}): {}", e.id, e.source, e.name);
    let _ = writeln!(s, "rules: {rules}");
    if let Some(reason) = locked {
        let _ = writeln!(s, "locked: {}", crate::docs::lock_text(reason.as_deref(), lang));
    }
    let _ = writeln!(s, "\ninputs:");
    for i in &e.inputs {
        let _ = writeln!(s, "  {:<24} {}", i.name, number(&i.value, lang));
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
        let value = if st.outcome == Outcome::Computed {
            format!(" = {}", number(&st.value, lang))
        } else {
            String::new()
        };
        let _ = writeln!(s, "  {mark}{}{value}   [line {}]", st.id, st.line);
        for l in wrap(&st.expr, WIDTH - 11) {
            let _ = writeln!(s, "           {l}");
        }
        if !st.seen.is_empty() {
            let seen: Vec<String> =
                st.seen.iter().map(|x| format!("{}={}", x.name, number(&x.value, lang))).collect();
            for (k, l) in wrap(&seen.join(", "), WIDTH - 15).into_iter().enumerate() {
                let _ = writeln!(s, "           {}{l}", if k == 0 { "saw " } else { "    " });
            }
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
    let m = |v: realloc::money::Money| fmt::million(v.dong(), lang);
    let _ = writeln!(s, "  forecast    {} million VND", m(r.forecast));
    let _ = writeln!(s, "  releasable  {} million VND", m(r.bounds.releasable));
    let _ = writeln!(s, "  absorbable  {} million VND", m(r.bounds.absorbable));
    let _ = writeln!(s, "  value_in    {}", fmt::float(r.bounds.value_in, 3, lang));
    let _ = writeln!(s, "  value_out   {}", fmt::float(r.bounds.value_out, 3, lang));
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
