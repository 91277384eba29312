//! Helpers shared by the criterion benchmarks: generated scenarios written to temporary folders, and
//! the peak memory of a process.

use chrono::NaiveDate;
use realloc::domain::{Obstacle, Portfolio, Project, ProjectGroup, Source, Status};
use realloc::money::Money;
use realloc::scenario::{Scenario, ScenarioMeta};

/// A deterministic synthetic scenario of `rows` rows as of 30 September 2025, independent of the
/// scenario generator: a simple linear congruential sequence drives every field, within the loader's
/// row invariants (disbursed ≤ plan, allocated_before + plan ≤ total_investment).
pub fn synthetic_scenario(rows: usize, seed: u64) -> Scenario {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |n: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % n.max(1)
    };
    let mut portfolio = Portfolio::with_capacity(rows);
    for i in 0..rows {
        let plan = next(20_000) as i64 * 1_000_000 + next(1000) as i64 * 1000;
        let disbursed = plan / 100 * next(101) as i64;
        let before = next(50_000) as i64 * 1_000_000;
        let extra = next(30_000) as i64 * 1_000_000;
        let mut obstacles = realloc::domain::Obstacles::NONE;
        for o in Obstacle::ALL {
            if next(10) == 0 {
                obstacles.insert(*o);
            }
        }
        let start = 2019 + next(7) as i32;
        let p = Project {
            id: format!("DA{i:06}").into(),
            name: format!("Dự án số {i}").into(),
            investor: format!("Chủ đầu tư {}", next(300)).into(),
            locality: format!("Xã {}", next(3000)).into(),
            sector: "Giao thông".into(),
            source: Source::ALL[next(Source::ALL.len() as u64) as usize],
            group: ProjectGroup::ALL[next(3) as usize],
            status: Status::ALL[next(4) as usize],
            key_project: next(10) == 0,
            total_investment: Money::from_dong(before + plan + extra),
            allocated_before: Money::from_dong(before),
            plan: Money::from_dong(plan),
            disbursed: Money::from_dong(disbursed),
            unpaid_volume: Money::from_dong(next(2_000) as i64 * 1_000_000),
            site_clearance_pct: if next(3) == 0 { None } else { Some(next(101) as f64) },
            physical_progress_pct: next(101) as f64,
            start_year: start,
            end_year: start + next(5) as i32,
            obstacles,
            locked: next(50) == 0,
            extra: Default::default(),
        };
        // Ids are unique by construction, so insertion cannot fail; skip rather than panic regardless.
        let _ = portfolio.insert(p);
    }
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    Scenario {
        meta: ScenarioMeta {
            name: format!("synthetic {rows}"),
            province: "Lạng Sơn".into(),
            fiscal_year: 2025,
            as_of: date(2025, 9, 30),
            deadline: date(2026, 1, 31),
            projects: "projects.csv".into(),
            disbursements: None,
            rules: None,
            amount_format: None,
            pipeline: None,
            local_budget_delegated: false,
            document: Default::default(),
            monitoring: Default::default(),
        },
        portfolio,
        history: None,
        inputs: Vec::new(),
        pipeline: Vec::new(),
        monitoring: Default::default(),
    }
}

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
