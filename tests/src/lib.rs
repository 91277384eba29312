//! Helpers shared by the data-driven and end-to-end tests.

use chrono::NaiveDate;
use realloc::domain::{Obstacles, Portfolio, Project, ProjectGroup, Source, Status};
use realloc::money::Money;
use realloc::scenario::{Scenario, ScenarioMeta};

/// The workspace root, for reading `rules/` and `tests/data/`.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(|p| p.to_path_buf()).unwrap_or_default()
}

/// A date from `YYYY-MM-DD`; panics on a malformed literal (tests only).
pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date `{s}`: {e}"))
}

/// Million VND from text; panics on a malformed literal (tests only).
pub fn million(s: &str) -> Money {
    Money::parse_million(s).unwrap_or_else(|e| panic!("bad amount `{s}`: {e}"))
}

/// An ongoing group-B NSTW project with a plan of 1000 million VND, nothing disbursed, plenty of
/// headroom and no obstacle: tests change what they need.
pub fn project(id: &str) -> Project {
    Project {
        id: id.into(),
        name: format!("Dự án {id}").into(),
        investor: "Ban QLDA tỉnh".into(),
        locality: "Phường Lương Văn Tri".into(),
        sector: "Giao thông".into(),
        source: Source::Nstw,
        group: ProjectGroup::B,
        status: Status::Ongoing,
        key_project: false,
        total_investment: million("20000"),
        allocated_before: million("5000"),
        plan: million("1000"),
        disbursed: Money::ZERO,
        unpaid_volume: Money::ZERO,
        site_clearance_pct: None,
        physical_progress_pct: 30.0,
        start_year: 2024,
        end_year: 2027,
        obstacles: Obstacles::NONE,
        locked: false,
        extra: Default::default(),
    }
}

/// A scenario of plan year `as_of.year()` with deadline 31 January of the next year.
pub fn scenario(as_of: &str, rows: Vec<Project>) -> Scenario {
    let as_of = date(as_of);
    let fy = chrono::Datelike::year(&as_of);
    Scenario {
        meta: ScenarioMeta {
            name: "test".to_owned(),
            province: "Lạng Sơn".to_owned(),
            fiscal_year: fy,
            as_of,
            deadline: date(&format!("{}-01-31", fy + 1)),
            projects: "projects.csv".to_owned(),
            disbursements: None,
            rules: None,
            amount_format: None,
            pipeline: None,
            local_budget_delegated: false,
            document: Default::default(),
            monitoring: Default::default(),
        },
        portfolio: Portfolio::from_rows(rows).unwrap_or_else(|e| panic!("{e}")),
        history: None,
        inputs: Vec::new(),
        pipeline: Vec::new(),
        monitoring: Default::default(),
    }
}

/// One case of `tests/data/rules/cases.csv`: a row, the date, and what the rules must conclude.
#[derive(Clone, Debug)]
pub struct RuleCase {
    /// Case name.
    pub name: String,
    /// Line in the file.
    pub line: usize,
    /// Date of the figures.
    pub as_of: String,
    /// The row.
    pub project: Project,
    /// Expected obstacle groups, in rules order.
    pub groups: Vec<String>,
    /// Expected pace class.
    pub pace: String,
    /// Expected priority tier.
    pub tier: u8,
    /// Expected role: donor, recipient or none.
    pub role: String,
}

/// Reads the rule cases: one case a row.
pub fn read_rule_cases(path: &std::path::Path) -> Vec<RuleCase> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap_or_else(|e| panic!("{e}")).clone();
    let mut cases = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let get = |col: &str| -> String {
            let idx = headers.iter().position(|h| h == col).unwrap_or_else(|| panic!("no column `{col}`"));
            rec.get(idx).unwrap_or("").trim().to_owned()
        };
        let name = get("case");
        let ctx = |what: &str| format!("case `{name}` (line {}): bad {what}", i + 2);
        let mut p = project(&name);
        p.source = get("source").parse().unwrap_or_else(|_| panic!("{}", ctx("source")));
        p.group = get("group").parse().unwrap_or_else(|_| panic!("{}", ctx("group")));
        p.status = get("status").parse().unwrap_or_else(|_| panic!("{}", ctx("status")));
        p.key_project = get("key_project") == "true";
        p.locked = get("locked") == "true";
        p.total_investment = million(&get("total_investment"));
        p.allocated_before = million(&get("allocated_before"));
        p.plan = million(&get("plan"));
        p.disbursed = million(&get("disbursed"));
        p.unpaid_volume = million(&get("unpaid_volume"));
        let site = get("site_clearance_pct");
        p.site_clearance_pct = if site.is_empty() { None } else { Some(site.parse().unwrap_or(-1.0)) };
        p.physical_progress_pct = get("physical_progress_pct").parse().unwrap_or(-1.0);
        p.start_year = get("start_year").parse().unwrap_or(0);
        p.end_year = get("end_year").parse().unwrap_or(0);
        p.obstacles = get("obstacles")
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap_or_else(|_| panic!("{}", ctx("obstacle"))))
            .collect();
        // Version-2 columns, optional.
        let opt = |col: &str| -> Option<String> {
            headers
                .iter()
                .position(|h| h == col)
                .and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        p.extra.category =
            opt("category").map(|c| c.parse().unwrap_or_else(|_| panic!("{}", ctx("category"))));
        p.extra.requested_change = opt("requested_change")
            .map(|c| if let Some(x) = c.strip_prefix('-') { -million(x) } else { million(&c) });
        p.extra.medium_term_room = opt("medium_term_room").map(|c| million(&c));
        p.extra.agreement = opt("agreement").map(Into::into);
        p.extra.extended_to =
            opt("extended_to").map(|c| c.parse().unwrap_or_else(|_| panic!("{}", ctx("extended_to"))));
        let groups = get("expect_groups").split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        cases.push(RuleCase {
            line: i + 2,
            as_of: get("as_of"),
            groups,
            pace: get("expect_pace"),
            tier: get("expect_tier").parse().unwrap_or(0),
            role: get("expect_role"),
            project: p,
            name,
        });
    }
    cases
}

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The `tests/data` folder.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The small hand-written valid scenario.
pub fn valid_small() -> PathBuf {
    data_dir().join("valid").join("small")
}

/// Copies the files of folder `from` into `to` (not recursive).
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// What an in-process run of the CLI gave.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `realloc ARGS...` in-process.
pub fn run_cli<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv: Vec<OsString> =
        std::iter::once(OsString::from("realloc")).chain(args.into_iter().map(Into::into)).collect();
    let code = realloc_cli::run(argv, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// Runs `realloc ARGS...` in-process with standard output taken for a terminal (the summary, not
/// the whole document): (exit status, standard output, standard error).
pub fn run_terminal(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv: Vec<OsString> =
        std::iter::once("realloc").chain(args.iter().copied()).map(OsString::from).collect();
    let code = realloc_cli::run_on(argv, true, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

/// Runs `realloc ARGS...` in-process: (exit status, standard output, standard error).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let r = run_cli(args);
    (r.code, r.stdout, r.stderr)
}

/// Parses a command's JSON output, showing the text when it is not JSON.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The shipped 400-row sample scenario folder, as an argument.
pub fn sample_dir() -> String {
    workspace_root().join("scenarios/lang-son-2025-q3").to_string_lossy().into_owned()
}

/// Decodes `\xNN` escapes in test data into raw bytes (for files that must not be UTF-8).
pub fn unescape_bytes(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            s.get(i + 2..i + 4).and_then(|h| u8::from_str_radix(h, 16).ok())
        } else {
            None
        };
        if let Some(v) = escaped {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub mod book;
pub mod cases;
mod fixture;

pub use fixture::{fixture_document, fixture_parts, mil};

/// The first of `binaries` that runs (`BINARY --version` succeeds). When none does and the machine has
/// `apt-get` (Debian, as the README's test command assumes), installs `package` first, once for all the
/// test processes (a lock file in the temp folder keeps two installs from running at once), so that
/// `cargo test --workspace` does its own set-up on a fresh machine. `None` when it cannot.
pub fn system_tool(binaries: &[&str], package: &str) -> Option<String> {
    let find = || {
        binaries.iter().find(|b| {
            std::process::Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success())
        })
    };
    if let Some(b) = find() {
        return Some((*b).to_owned());
    }
    let lock_path = std::env::temp_dir().join(format!("realloc-tests-install-{package}.lock"));
    let lock = std::fs::File::create(&lock_path).ok()?;
    lock.lock().ok()?;
    if let Some(b) = find() {
        return Some((*b).to_owned());
    }
    let apt = |args: &[&str]| {
        std::process::Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !apt(&["install", "-y", "-qq", package]) {
        // The package lists may be missing on a fresh machine.
        let _ = apt(&["update", "-qq"]);
        let _ = apt(&["install", "-y", "-qq", package]);
    }
    find().map(|b| (*b).to_owned())
}

/// The fixture document with the deciding authorities of the default rules: central-budget
/// transfers decided by the People's Committee, local-budget ones by the People's Council (the
/// hand-made assessment of the fixture names none), so that the documents show one part each.
pub fn fixture_document_with_authorities() -> realloc::report::ProposalDocument {
    use realloc::domain::Source;
    let mut doc = fixture_document();
    let code = |s: Source| if s.is_central() { "ubnd_tinh" } else { "hdnd_tinh" };
    for t in &mut doc.transfers {
        t.authority = code(t.source).to_owned();
    }
    for p in &mut doc.pools {
        p.authority = code(p.source).to_owned();
    }
    doc.authorities = vec![
        realloc::model::Authority {
            code: "ubnd_tinh".into(),
            label_vi: "Ủy ban nhân dân tỉnh quyết định".into(),
            label_en: "Decided by the Provincial People's Committee".into(),
            cite: "Law 58/2024 Art. 67".into(),
        },
        realloc::model::Authority {
            code: "hdnd_tinh".into(),
            label_vi: "Trình Hội đồng nhân dân tỉnh quyết định".into(),
            label_en: "Submitted to the Provincial People's Council".into(),
            cite: "Law 58/2024 Art. 67".into(),
        },
    ];
    doc
}
