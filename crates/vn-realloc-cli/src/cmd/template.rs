//! `realloc template`: the Excel input workbook, empty or filled with a scenario's rows.

use std::io::Write;

use super::Ctx;
use crate::cli::TemplateArgs;
use crate::output::{choose_format, write_atomic};

/// Runs `realloc template`.
pub fn run(args: &TemplateArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let _ = out;
    choose_format("template", None, Some(&args.output))?;
    let (scenario, mut inputs) = match &args.from {
        Some(dir) => {
            let mut s = super::common::load(dir, err)?.scenario;
            let inputs = realloc::load::scenario_files(dir, &s.meta);
            beside_workbook(&mut s.meta, dir, &args.output, err);
            (Some(s), inputs)
        }
        None => (None, Vec::new()),
    };
    inputs.dedup();
    ctx.stage("load");
    let bytes = realloc::template::workbook(ctx.lang, scenario.as_ref())?;
    ctx.stage("document");
    write_atomic(&args.output, &bytes, &inputs)?;
    ctx.stage("write");
    Ok(())
}

/// The files a scenario names besides its tables (rules, Treasury figures, schedule, conclusions,
/// last year's folder) stay files: the settings sheet names them relative to the workbook's folder,
/// where the workbook scenario looks for them. A file outside that folder keeps its name, and a warning
/// says to copy it beside the workbook.
fn beside_workbook(
    meta: &mut realloc::scenario::ScenarioMeta,
    scenario: &std::path::Path,
    workbook: &std::path::Path,
    err: &mut dyn Write,
) {
    let from = realloc::load::scenario_folder(scenario);
    let to = workbook.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let (Ok(from), Ok(to)) = (from.canonicalize(), to.canonicalize()) else { return };
    let m = &mut meta.monitoring;
    for name in [&mut meta.rules, &mut m.treasury, &mut m.schedule, &mut m.conclusions, &mut m.previous_year]
        .into_iter()
        .flatten()
    {
        let Ok(file) = from.join(&*name).canonicalize() else { continue };
        match file.strip_prefix(&to) {
            Ok(rel) => *name = rel.to_string_lossy().replace('\\', "/"),
            Err(_) => crate::output::warn_text(
                err,
                &match crate::output::lang() {
                    realloc::report::Lang::Vi => format!(
                        "`{}` nằm ngoài thư mục của sổ Excel: hãy chép tệp này vào cạnh sổ để dùng sổ như một kịch bản",
                        file.display()
                    ),
                    realloc::report::Lang::En => format!(
                        "`{}` lies outside the workbook's folder: copy it beside the workbook to use the workbook as a scenario",
                        file.display()
                    ),
                },
            ),
        }
    }
}
