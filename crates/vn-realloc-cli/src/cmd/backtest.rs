//! `realloc backtest`: replay the forecast from an earlier date and report its error by pace class.

use std::fmt::Write as _;
use std::io::Write;

use chrono::NaiveDate;
use realloc::report::{Lang, fmt};
use realloc::rules::{Backtest, Rules};

use super::Ctx;
use super::rules_input::load_with_rules;
use crate::cli::{BacktestArgs, SummaryFormat};
use crate::output::bad_input;

/// Runs `realloc backtest`.
pub fn run(args: &BacktestArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let at = args
        .at
        .as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| bad_input(format!("--at: expected a date YYYY-MM-DD, found `{s}`")))
        })
        .transpose()?;
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    let at = at.unwrap_or_else(|| Rules::default_backtest_date(scenario.meta.as_of));
    let b = rules.backtest(&scenario, at).map_err(|e| {
        let m = e.message();
        bad_input(format!(
            "{}: {} [{}]",
            args.scenario.display(),
            m.text(super::common::message_lang()),
            m.code
        ))
    })?;
    let text = match args.format {
        SummaryFormat::Json => realloc::contract::to_json_pretty(&b),
        SummaryFormat::Text => text(&b, ctx.lang),
    };
    ctx.stage("backtest");
    out.write_all(text.as_bytes())?;
    Ok(())
}

fn text(b: &Backtest, lang: Lang) -> String {
    let mut s = String::new();
    let head = match lang {
        Lang::Vi => format!(
            "dự báo chạy lại từ ngày {} đến ngày {} (đơn vị: triệu đồng)\n",
            fmt::date(b.at, lang),
            fmt::date(b.as_of, lang)
        ),
        Lang::En => format!(
            "forecast replayed from {} for {} (amounts in million VND)\n",
            fmt::date(b.at, lang),
            fmt::date(b.as_of, lang)
        ),
    };
    let _ = writeln!(s, "{head}");
    let f = |v: f64| fmt::float(v, 3, lang);
    let cols = match lang {
        Lang::Vi => ["tiến độ", "số dòng", "kế hoạch", "dự báo", "thực tế", "sai số TB", "độ lệch", "wape"],
        Lang::En => ["pace", "rows", "plan", "forecast", "actual", "mae", "bias", "wape"],
    };
    let _ = writeln!(
        s,
        "{:<10} {:>7} {:>15} {:>15} {:>15} {:>13} {:>13} {:>8}",
        cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7]
    );
    for l in &b.lines {
        let _ = writeln!(
            s,
            "{:<10} {:>7} {:>15} {:>15} {:>15} {:>13} {:>13} {:>8}",
            l.pace,
            l.rows,
            f(l.plan),
            f(l.forecast),
            f(l.actual),
            f(l.mae),
            f(l.bias),
            fmt::percent(l.wape, lang)
        );
    }
    s.push('\n');
    for n in &b.notes {
        // Wrapped to 100 columns, continued under the text.
        let mut line = String::from("note:");
        for word in n.split(' ') {
            if line.chars().count() + 1 + word.chars().count() > 100 {
                let _ = writeln!(s, "{line}");
                line = String::from("     ");
            }
            line.push(' ');
            line.push_str(word);
        }
        let _ = writeln!(s, "{line}");
    }
    s
}
