//! `realloc backtest`: replay the forecast from an earlier date and report its error by pace class.

use std::fmt::Write as _;
use std::io::Write;

use chrono::NaiveDate;
use realloc::rules::{Backtest, Rules};

use super::rules_input::load_with_rules;
use crate::cli::{BacktestArgs, SummaryFormat};
use crate::output::bad_input;

/// Runs `realloc backtest`.
pub fn run(args: &BacktestArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
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
    let b =
        rules.backtest(&scenario, at).map_err(|e| bad_input(format!("{}: {e}", args.scenario.display())))?;
    let text = match args.format {
        SummaryFormat::Json => realloc::contract::to_json_pretty(&b),
        SummaryFormat::Text => text(&b),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

fn text(b: &Backtest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "forecast replayed from {} for {} (amounts in million VND)\n", b.at, b.as_of);
    let _ = writeln!(
        s,
        "{:<10} {:>7} {:>14} {:>14} {:>14} {:>12} {:>12} {:>8}",
        "pace", "rows", "plan", "forecast", "actual", "mae", "bias", "wape"
    );
    for l in &b.lines {
        let _ = writeln!(
            s,
            "{:<10} {:>7} {:>14.3} {:>14.3} {:>14.3} {:>12.3} {:>12.3} {:>7.2}%",
            l.pace,
            l.rows,
            l.plan,
            l.forecast,
            l.actual,
            l.mae,
            l.bias,
            l.wape * 100.0
        );
    }
    s.push('\n');
    for n in &b.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}
