//! Criterion benchmarks of the optimiser: province (400 rows) and national (50,000 rows) random models,
//! with investors nested in localities (greedy) or crossing them (min-cost flow), the general LP on the
//! province model for comparison, the LP export, and the library pipeline end to end when the loader,
//! the rules and the generator are available.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use realloc::generate::{GenerateOptions, generate_files};
use realloc::optimize::random::{RandomOptions, instance};
use realloc::optimize::{Method, export_lp, propose, propose_with};

fn models(c: &mut Criterion) {
    let mut group = c.benchmark_group("optimize");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    for (name, rows, nested) in [
        ("province_400", 400, true),
        ("province_400_crossing", 400, false),
        ("national_50000", 50_000, true),
        ("national_50000_crossing", 50_000, false),
    ] {
        let mut opts = RandomOptions::new(rows, 1);
        opts.nested_investors = nested;
        let (portfolio, model) = instance(&opts);
        group.bench_function(format!("propose/{name}"), |b| {
            b.iter(|| black_box(propose(&portfolio, &model).expect("valid model")))
        });
        if rows <= 400 {
            group.bench_function(format!("general_lp/{name}"), |b| {
                b.iter(|| {
                    black_box(propose_with(&portfolio, &model, Method::GeneralLp).expect("valid model"))
                })
            });
        }
        if rows == 50_000 && nested {
            group.bench_function(format!("export_lp/{name}"), |b| {
                b.iter(|| black_box(export_lp(&portfolio, &model).expect("valid model")))
            });
        }
    }
    group.finish();
}

/// Generate a scenario folder, then time load → assess → propose → JSON. Skipped (with a message)
/// while the generator, loader or rules are not wired up.
/// The whole `realloc propose SCENARIO --format json -o FILE` command, in-process: load, classify,
/// optimise, price the binding constraints, build the document and write the JSON file.
fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for rows in [400usize, 50_000] {
        let Ok(dir) = tempfile::tempdir() else { return };
        let files = generate_files(&GenerateOptions::new(rows, 1));
        let written = std::fs::write(dir.path().join("scenario.toml"), &files.scenario_toml)
            .and_then(|()| std::fs::write(dir.path().join("projects.csv"), &files.projects_csv))
            .and_then(|()| std::fs::write(dir.path().join("disbursements.csv"), &files.disbursements_csv));
        let out = dir.path().join("proposal.json");
        let args: Vec<std::ffi::OsString> = vec![
            "realloc".into(),
            "propose".into(),
            dir.path().into(),
            "--format".into(),
            "json".into(),
            "-o".into(),
            out.clone().into(),
        ];
        let run = || {
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            let code = realloc_cli::run(args.clone(), &mut stdout, &mut stderr);
            (code, stderr)
        };
        match written.map(|()| run()) {
            Ok((0, _)) => {}
            Ok((code, stderr)) => {
                eprintln!(
                    "end_to_end/{rows}: skipped, propose exited {code}: {}",
                    String::from_utf8_lossy(&stderr)
                );
                continue;
            }
            Err(e) => {
                eprintln!("end_to_end/{rows}: skipped, cannot write the scenario: {e}");
                continue;
            }
        }
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        eprintln!("end_to_end/{rows}: proposal.json is {size} bytes");
        group.bench_function(format!("propose_json/{rows}"), |b| b.iter(|| black_box(run())));
    }
    group.finish();
}

criterion_group!(benches, models, end_to_end);
criterion_main!(benches);
