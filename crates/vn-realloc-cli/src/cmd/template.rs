//! `realloc template`: the Excel input workbook, empty or filled with a scenario's rows.

use std::io::Write;

use crate::cli::TemplateArgs;
use crate::output::{bad_input, write_atomic};

/// Runs `realloc template`.
pub fn run(args: &TemplateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let is_xlsx =
        args.output.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_xlsx {
        return Err(bad_input(format!(
            "the template is an Excel workbook: name the output file `.xlsx`, not `{}`",
            args.output.display()
        )));
    }
    let (scenario, mut inputs) = match &args.from {
        Some(dir) => {
            let s = super::common::load(dir, err)?.scenario;
            let inputs = realloc::load::scenario_files(dir, &s.meta);
            (Some(s), inputs)
        }
        None => (None, Vec::new()),
    };
    inputs.dedup();
    let bytes = realloc::template::workbook(args.lang.into(), scenario.as_ref())?;
    write_atomic(&args.output, &bytes, &inputs)?;
    let rows = scenario.as_ref().map_or(0, |s| s.portfolio.len());
    if rows > 0 {
        writeln!(out, "wrote {} ({rows} project rows)", args.output.display())?;
    } else {
        writeln!(out, "wrote {}", args.output.display())?;
    }
    Ok(())
}
