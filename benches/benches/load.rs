//! Loading a national-scale scenario (50,000 rows with a monthly history): time with criterion, and
//! the peak memory of one load, measured in a child process so that nothing else inflates it.
//!
//! Run with `cargo bench -p realloc-benches --bench load`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::Criterion;
use realloc::load::load_scenario;
use realloc_benches::{NATIONAL_ROWS, PROVINCE_ROWS, proc_status_kb, write_scenario};

/// The child process reads the folder named by this variable, loads it once and reports its memory.
const CHILD_DIR: &str = "REALLOC_BENCH_PEAK_LOAD_DIR";

fn main() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        child(Path::new(&dir));
        return;
    }
    let province = write_scenario(PROVINCE_ROWS, 1).expect("write the province scenario");
    let national = write_scenario(NATIONAL_ROWS, 7).expect("write the national scenario");
    if let Err(e) = load_scenario(national.path()) {
        eprintln!("warning: the generated scenario does not load ({e}); timing the failure");
    }

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("province_400", |b| b.iter(|| black_box(load_scenario(province.path()))));
    group.bench_function("national_50000", |b| b.iter(|| black_box(load_scenario(national.path()))));
    group.finish();
    c.final_summary();

    peak_memory(national.path());
}

/// Runs this benchmark binary again as a child that loads `dir` once, and prints its peak memory.
fn peak_memory(dir: &Path) {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return eprintln!("peak memory: cannot find the benchmark binary: {e}"),
    };
    match Command::new(exe).env(CHILD_DIR, dir).output() {
        Ok(out) => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => eprintln!("peak memory: cannot run the child: {e}"),
    }
}

/// In the child: the resident memory before, and the peak after, one load of `dir`.
fn child(dir: &Path) {
    let before = proc_status_kb("VmHWM");
    let loaded = load_scenario(dir);
    let after = proc_status_kb("VmHWM");
    let rows = loaded.as_ref().map_or(0, |l| l.scenario.portfolio.len());
    let bytes: u64 = ["scenario.toml", "projects.csv", "disbursements.csv"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "load peak memory: {} MiB peak resident (process before the load: {} MiB) for {rows} rows, {} MB of files{}",
            a / 1024,
            b / 1024,
            bytes / 1_000_000,
            if loaded.is_ok() { "" } else { " (the load failed)" }
        ),
        _ => println!("load peak memory: /proc/self/status is not available"),
    }
}
