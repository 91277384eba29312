//! `realloc risk`: the Monte Carlo of the year-end disbursement before and after the proposal, with a
//! progress bar on a terminal (none when standard error is piped).

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use realloc::risk::{self, RiskOptions, RiskReport};
use realloc::rules::Rules;

use super::Ctx;
use crate::cli::{Format, RiskArgs, RiskOptionsArgs};
use crate::cmd::common::{self, Proposed};
use crate::output::{bad_input, choose_format};

/// Runs `realloc risk`.
pub fn run(args: &RiskArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = choose_format("risk", args.format, args.output.path())?;
    check_options(&args.risk)?;
    let proposed = common::propose_scenario(&args.scenario, args.rules.file.as_deref(), false, err)?;
    ctx.stage("load, rules, optimise");
    let report = simulate(&proposed, &args.risk, err)?;
    ctx.stage("risk");
    let lang = ctx.lang;
    let name = &proposed.scenario.meta.name;
    let doc = || crate::docs::risk(&report, name, lang);
    ctx.emit("risk", &args.output, args.format, format, &proposed.inputs, out, doc, |f| {
        Ok(match f {
            Format::Json => report.to_json().into_bytes(),
            Format::Html => doc().to_html(lang).into_bytes(),
            Format::Xlsx => doc().to_xlsx(lang)?,
            _ => report.to_markdown(name, lang).into_bytes(),
        })
    })
}

/// Refuses options that cannot be simulated before any work is done (exit 2).
fn check_options(o: &RiskOptionsArgs) -> anyhow::Result<()> {
    RiskOptions::new(o.draws, o.seed, o.target).check().map_err(|e| bad_input(e.to_string()))
}

/// The Monte Carlo over a proposed scenario: the spread of the rules (the built-in one when the rules
/// file declares none, with a warning), calibrated on request, and a progress bar on a terminal.
pub fn simulate(p: &Proposed, o: &RiskOptionsArgs, err: &mut dyn Write) -> anyhow::Result<RiskReport> {
    check_options(o)?;
    let spread = match p.rules.risk_spread() {
        Some(s) => s.clone(),
        None => {
            crate::output::warn_text(
                err,
                &format!(
                    "the rules `{}` declare no [risk] section; using the spread of the built-in rules",
                    p.rules.name
                ),
            );
            Rules::builtin().risk_spread().cloned().unwrap_or_else(|| risk::Spread::uniform(0.2, 0.3))
        }
    };
    let spread = if o.calibrate {
        let at = Rules::default_backtest_date(p.scenario.meta.as_of);
        let bt = p.rules.backtest(&p.scenario, at).map_err(|e| bad_input(format!("--calibrate: {e}")))?;
        spread.calibrated(&bt, 5)
    } else {
        spread
    };
    let rows =
        risk::risk_rows(&p.scenario, &p.assessment, &p.proposal.changes, &p.proposal.pipeline, &spread);
    let opts =
        RiskOptions { draws: o.draws, seed: o.seed, target: o.target, correlation: spread.correlation };
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(u64::from(o.draws)), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} draws ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("risk");
        bar
    } else {
        ProgressBar::hidden()
    };
    let result = risk::simulate(&rows, &opts, &|n| bar.inc(n));
    bar.finish_and_clear();
    let mut report = result.map_err(|e| bad_input(e.to_string()))?;
    report.spread_source = spread.source;
    Ok(report)
}
