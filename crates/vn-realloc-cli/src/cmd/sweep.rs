//! `realloc sweep`: the proposal re-run over values of one rules parameter, as a frontier table
//! (Markdown, JSON, CSV) or an HTML page with an SVG chart.

use std::io::Write;

use realloc::sweep::{SweepError, sweep};

use crate::cli::{SweepArgs, SweepFormat};
use crate::cmd::common;
use crate::cmd::rules_input::load_with_rules;
use crate::output::bad_input;

/// Runs `realloc sweep`.
pub fn run(args: &SweepArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let format = args
        .format
        .or_else(|| {
            let ext = args.output.path()?.extension()?.to_str()?.to_ascii_lowercase();
            Some(match ext.as_str() {
                "json" => SweepFormat::Json,
                "csv" => SweepFormat::Csv,
                "html" | "htm" => SweepFormat::Html,
                _ => SweepFormat::Md,
            })
        })
        .unwrap_or(SweepFormat::Md);
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    let result = sweep(&scenario, &rules, &args.param, &args.values).map_err(|e| match e {
        SweepError::Param(_) | SweepError::NoValues { .. } => bad_input(e.to_string()),
        other => {
            anyhow::Error::new(other).context(format!("cannot sweep scenario `{}`", args.scenario.display()))
        }
    })?;
    let lang = args.lang.into();
    let text = match format {
        SweepFormat::Md => result.to_markdown(lang),
        SweepFormat::Json => result.to_json(),
        SweepFormat::Csv => result.to_csv(),
        SweepFormat::Html => result.to_html(lang),
    };
    let inputs = common::inputs(&args.scenario, &scenario, args.rules.file.as_deref());
    args.output.write(text.as_bytes(), &inputs, out)
}
