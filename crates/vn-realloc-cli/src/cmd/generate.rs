//! `realloc generate`.

use std::io::Write;

use anyhow::Context;
use chrono::NaiveDate;
use realloc::generate::{GenerateOptions, files_of, generate_scenario};
use realloc::money::Money;

use super::Ctx;
use crate::cli::GenerateArgs;
use crate::output::{OutputSet, bad_input};

/// Runs `realloc generate`: writes a synthetic scenario folder, never over an existing file, every
/// file or none; says what it made on standard error (unless `-q`).
pub fn run(args: &GenerateArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let _ = out;
    let opts = options(args)?;
    let dir = &args.output;
    if dir.exists() && !dir.is_dir() {
        return Err(bad_input(format!("`{}` exists and is not a folder", dir.display())));
    }
    let scenario = generate_scenario(&opts);
    let files = files_of(&scenario);
    ctx.stage("generate");
    // Refuse before writing anything: a folder that holds a scenario, or any file we would write.
    for (name, _) in files.files() {
        let path = dir.join(&name);
        if path.exists() {
            return Err(bad_input(format!(
                "refusing to overwrite `{}`: choose an empty or new folder",
                path.display()
            )));
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create folder `{}`", dir.display()))?;
    let mut set = OutputSet::new();
    for (name, text) in files.files() {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            // Last year's scenario is a sub-folder.
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
        }
        set.add("-o", &path, text.as_bytes().to_vec());
    }
    set.commit(&[], None)?;
    ctx.stage("write");
    if !ctx.quiet {
        let plan: Money = scenario.portfolio.rows().iter().map(|p| p.plan).sum();
        let plan = realloc::report::fmt::million_text(plan.dong(), ctx.lang);
        let _ = match ctx.lang {
            realloc::report::Lang::Vi => writeln!(
                err,
                "đã tạo {} dòng dự án, kế hoạch {plan} triệu đồng, hạt giống {} trong {}",
                opts.rows,
                opts.seed,
                dir.display()
            ),
            realloc::report::Lang::En => writeln!(
                err,
                "generated {} rows, plan {plan} million VND, seed {} in {}",
                opts.rows,
                opts.seed,
                dir.display()
            ),
        };
    }
    Ok(())
}

/// The options of the command line, checked so that the files written load back.
fn options(args: &GenerateArgs) -> anyhow::Result<GenerateOptions> {
    if args.rows == 0 {
        return Err(bad_input("--rows: expected at least 1 row, found 0"));
    }
    let mut opts = GenerateOptions::new(args.rows, args.seed).with_fiscal_year(args.fiscal_year);
    opts.monitoring = true;
    if let Some(text) = &args.as_of {
        opts.as_of = date(text, "--as-of")?;
    }
    if let Some(text) = &args.deadline {
        opts.deadline = date(text, "--deadline")?;
    }
    let year_start = NaiveDate::from_ymd_opt(args.fiscal_year, 1, 1)
        .ok_or_else(|| bad_input(format!("--fiscal-year: {} is out of range", args.fiscal_year)))?;
    if opts.as_of < year_start || opts.as_of > opts.deadline {
        return Err(bad_input(format!(
            "--as-of: expected a date between {year_start} and the deadline {}, found {}",
            opts.deadline, opts.as_of
        )));
    }
    if let Some(province) = &args.province {
        opts.province = province.clone();
        opts.name = opts.default_name();
    }
    if let Some(name) = &args.name {
        opts.name = name.clone();
    }
    if let Some(text) = &args.total_plan {
        let m = Money::parse_million(text).map_err(|e| bad_input(format!("--total-plan `{text}`: {e}")))?;
        opts.total_plan = Some(m);
    }
    Ok(opts)
}

/// A `YYYY-MM-DD` date of an option.
fn date(text: &str, option: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| bad_input(format!("{option}: expected a date YYYY-MM-DD, found `{text}`")))
}
