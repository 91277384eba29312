//! `realloc conclusions`: the review-meeting conclusions register with this meeting's conclusions
//! added, written to a new file (never over the register read).

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;
use realloc::monitor::conclusions::{conclusion_days, new_conclusions};
use realloc::scenario::Register;

use super::Ctx;
use super::common::inputs;
use super::monitor::monitoring_inputs;
use super::rules_input::load_with_rules;
use crate::output::{bad_input, check_outputs, write_atomic};

/// Arguments of `conclusions`.
#[derive(Debug, Args)]
pub struct ConclusionsArgs {
    /// Scenario folder (holding `scenario.toml`; its `conclusions` register, if any, is carried over).
    pub scenario: PathBuf,
    /// The register to write (CSV): every line of the register read, then this meeting's.
    #[arg(short, long, value_name = "FILE.csv")]
    pub output: PathBuf,
    /// Date of the meeting (YYYY-MM-DD); the scenario's `as_of` by default.
    #[arg(long, value_name = "DATE")]
    pub meeting: Option<String>,
    /// Deadline of the new conclusions (YYYY-MM-DD); by default the meeting date plus the rules
    /// parameter `conclusion_days` (30 days in the built-in rules).
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// Rules file (obstacle groups, remedies, `conclusion_days`); the scenario's `rules`, or the
    /// built-in rules, otherwise.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

fn date(flag: &str, s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| bad_input(format!("{flag}: expected a date as YYYY-MM-DD (2025-09-30), found `{s}`")))
}

/// Runs `realloc conclusions`.
pub fn run(
    args: &ConclusionsArgs,
    ctx: &Ctx,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    if !args.output.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return Err(bad_input(format!(
            "--output: the register is a CSV file, like conclusions.csv; name it FILE.csv, found `{}`",
            args.output.display()
        )));
    }
    let meeting = args.meeting.as_deref().map(|s| date("--meeting", s)).transpose()?;
    let due = args.due.as_deref().map(|s| date("--due", s)).transpose()?;
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.as_deref(), err)?;
    let mut inputs = inputs(&args.scenario, &scenario, args.rules.as_deref());
    monitoring_inputs(&args.scenario, &scenario, &mut inputs);
    check_outputs(&[("--output", args.output.as_path())], &inputs)?;
    let assessment = rules.assess_checked(&scenario).map_err(|e| bad_input(e.to_string()))?;
    let meeting = meeting.unwrap_or(scenario.meta.as_of);
    let deadline = due.unwrap_or_else(|| meeting + chrono::Duration::days(conclusion_days(&rules, meeting)));
    if deadline < meeting {
        return Err(bad_input(format!("--due: the deadline {deadline} is before the meeting {meeting}")));
    }
    let empty = Register::default();
    let register = scenario.monitoring.conclusions.as_ref().unwrap_or(&empty);
    let added =
        new_conclusions(&scenario, &assessment, meeting, deadline, scenario.monitoring.conclusions.as_ref());
    let bytes = register.to_csv(&added)?;
    write_atomic(&args.output, &bytes, &inputs)?;
    if !ctx.quiet {
        let _ = match ctx.lang {
            realloc::report::Lang::Vi => writeln!(
                err,
                "{}: giữ {} dòng của sổ, thêm {} kết luận của cuộc họp ngày {} (thời hạn {})",
                args.output.display(),
                register.records.len(),
                added.len(),
                meeting.format("%d/%m/%Y"),
                deadline.format("%d/%m/%Y")
            ),
            realloc::report::Lang::En => writeln!(
                err,
                "{}: {} line(s) carried over, {} conclusion(s) of the meeting on {meeting} added (deadline {deadline})",
                args.output.display(),
                register.records.len(),
                added.len()
            ),
        };
    }
    Ok(())
}
