//! `realloc classify`: the grouping report for a review meeting, in Markdown, HTML, Excel, JSON or
//! CSV, or as a terminal summary.

use std::fmt::Write as _;
use std::io::Write;

use realloc::money::Money;
use realloc::rules::{GroupLine, GroupingReport};

use super::Ctx;
use super::rules_input::load_with_rules;
use crate::cli::{ClassifyArgs, Format};
use crate::output::{bad_input, choose_format};

/// Runs `realloc classify`.
pub fn run(args: &ClassifyArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = choose_format("classify", args.format, args.output.path())?;
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    ctx.stage("load, rules");
    let assessment = rules.assess_checked(&scenario).map_err(|e| bad_input(e.to_string()))?;
    let report = GroupingReport::build(&scenario, &rules, &assessment);
    ctx.stage("classify");
    let locked: Vec<_> = scenario
        .portfolio
        .rows()
        .iter()
        .filter(|p| p.locked)
        .map(|p| (p.id.clone(), p.name.clone(), p.source, p.plan.dong(), p.extra.lock_reason.clone()))
        .collect();
    let lang = ctx.lang;
    let doc = || crate::docs::classify(&report, &locked, lang);
    let inputs = super::common::inputs(&args.scenario, &scenario, args.rules.file.as_deref());
    ctx.emit("classify", &args.output, args.format, format, &inputs, out, doc, |f| {
        Ok(match f {
            Format::Json => realloc::contract::to_json_pretty(&report).into_bytes(),
            Format::Csv => csv(&report).into_bytes(),
            Format::Html => doc().to_html(lang).into_bytes(),
            Format::Xlsx => doc().to_xlsx(lang)?,
            _ => doc().to_markdown(lang).into_bytes(),
        })
    })
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn csv(r: &GroupingReport) -> String {
    let mut s = String::from(
        "section,id,label,count,plan,disbursed,rate,releasable,absorbable,above_average,remedy\n",
    );
    let m = |v: i64| Money::from_dong(v).to_million_string();
    let mut group = |section: &str, g: &GroupLine| {
        let _ = writeln!(
            s,
            "{section},{},{},{},{},{},{},{},,,{}",
            field(&g.id),
            field(&g.label),
            g.count,
            m(g.plan_vnd),
            m(g.disbursed_vnd),
            g.rate,
            m(g.releasable_vnd),
            field(&g.remedy)
        );
    };
    group("total", &r.total);
    for g in &r.groups {
        group("group", g);
    }
    for g in &r.pace {
        group("pace", g);
    }
    for (section, units) in [("investor", &r.investors), ("locality", &r.localities)] {
        for u in units.iter() {
            let _ = writeln!(
                s,
                "{section},,{},{},{},{},{},{},{},{},",
                field(&u.name),
                u.count,
                m(u.plan_vnd),
                m(u.disbursed_vnd),
                u.rate,
                m(u.releasable_vnd),
                m(u.absorbable_vnd),
                u.above_average
            );
        }
    }
    s
}
