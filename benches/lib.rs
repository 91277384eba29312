//! Helpers shared by the criterion benchmarks: generated scenarios written to temporary folders, and
//! the peak memory of a process.

use std::path::Path;

use realloc::generate::{GenerateOptions, generate_files};

/// Rows of a province-scale scenario (Lạng Sơn).
pub const PROVINCE_ROWS: usize = 400;
/// Rows of a national-scale scenario.
pub const NATIONAL_ROWS: usize = 50_000;

/// Writes the generated scenario of `rows` rows and `seed` into a new temporary folder, which is
/// deleted when the returned value is dropped.
pub fn write_scenario(rows: usize, seed: u64) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix("realloc-bench-").tempdir()?;
    write_scenario_into(dir.path(), rows, seed)?;
    Ok(dir)
}

/// Writes the generated scenario of `rows` rows and `seed` into `dir`; returns the bytes written.
pub fn write_scenario_into(dir: &Path, rows: usize, seed: u64) -> std::io::Result<usize> {
    let files = generate_files(&GenerateOptions::new(rows, seed));
    let mut bytes = 0;
    for (name, text) in files.files() {
        std::fs::write(dir.join(name), text)?;
        bytes += text.len();
    }
    Ok(bytes)
}

/// A field of `/proc/self/status` in kB (`VmHWM` is the peak resident set, `VmRSS` the current one);
/// `None` where there is no procfs.
pub fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
