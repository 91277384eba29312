//! The runner of the data-driven bad-input suites (`bad_inputs`, `xlsx_input_bad`): every case file is
//! its own test, reported by name; a case fills a fresh scenario folder, then `realloc validate` must
//! give the exit status and the messages expected, and `realloc propose -o OUT` must refuse to write.
//! `expect` holds English messages; `expect_vi` (optional) Vietnamese ones, the default language.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use libtest_mimic::Failed;
use libtest_mimic::{Arguments, Trial};

use crate::run_cli;

/// Runs `check` on every `*.toml` file of `dir` (in name order) as one test named after the file, and
/// exits with the outcome; fewer than `min` files means the suite is not all there.
pub fn run_case_files(dir: &Path, min: usize, check: fn(&Path) -> Result<(), Failed>) -> ! {
    let args = Arguments::from_args();
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= min, "expected the whole suite, found {} cases", cases.len());
    let trials = cases
        .into_iter()
        .map(|path| {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Trial::test(name, move || check(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit()
}

/// One case: its TOML, the messages it expects, and an empty scenario folder in a temporary folder.
#[derive(Debug)]
pub struct Case {
    /// The case file.
    pub table: toml::Table,
    /// Substrings of the output of `validate` (file paths relative to the scenario folder).
    pub expect: Vec<String>,
    /// The scenario folder to fill, `scenario/` in `tmp`.
    pub scenario: PathBuf,
    /// The temporary folder, removed when the case is dropped.
    pub tmp: tempfile::TempDir,
}

impl Case {
    /// Reads the case file at `path`, which must have a non-empty `expect`, and makes its folders.
    pub fn read(path: &Path) -> Result<Case, Failed> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the case: {e}"))?;
        let table: toml::Table = text.parse().map_err(|e| format!("the case is not TOML: {e}"))?;
        let expect = strings(&table, "expect");
        if expect.is_empty() {
            return Err("the case has no `expect`".into());
        }
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let scenario = tmp.path().join("scenario");
        std::fs::create_dir(&scenario).map_err(|e| e.to_string())?;
        Ok(Case { table, expect, scenario, tmp })
    }

    /// The strings of the list `key` of the case; none when it has no such list.
    pub fn strings(&self, key: &str) -> Vec<String> {
        strings(&self.table, key)
    }

    /// Runs `realloc validate` on the scenario folder and checks its exit status is `exit` and its
    /// output holds every expected message; when `exit` is 2 (bad input), checks too that
    /// `realloc propose -o OUT` exits 2 and writes nothing.
    pub fn check_validate(&self, exit: i64) -> Result<(), Failed> {
        // The expectations are the English messages; the Vietnamese ones (the default) must give
        // the same exit status and carry the same message codes.
        let validate = || run_cli([OsString::from("validate"), self.scenario.clone().into_os_string()]);
        let run = realloc_cli::with_message_lang(realloc::report::Lang::En, validate);
        let prefix = format!("{}{}", self.scenario.display(), std::path::MAIN_SEPARATOR);
        let shown = format!("{}{}", run.stdout, run.stderr).replace(&prefix, "");
        if i64::from(run.code) != exit {
            return Err(format!("exit status {} instead of {exit}; output:\n{shown}", run.code).into());
        }
        let vi = validate();
        let shown_vi = format!("{}{}", vi.stdout, vi.stderr).replace(&prefix, "");
        if vi.code != run.code {
            return Err(format!(
                "exit status {} in Vietnamese, {} in English:\n{shown_vi}",
                vi.code, run.code
            )
            .into());
        }
        for code in message_codes(&shown) {
            if !shown_vi.contains(&code) {
                return Err(format!(
                    "code {code} of the English messages is not in the Vietnamese ones:\n{shown}\n{shown_vi}"
                )
                .into());
            }
        }
        for e in strings(&self.table, "expect_vi") {
            if !shown_vi.contains(e.as_str()) {
                return Err(format!("expected `{e}` in the Vietnamese output:\n{shown_vi}").into());
            }
        }
        for e in &self.expect {
            if !shown.contains(e.as_str()) {
                return Err(format!("expected `{e}` in the output:\n{shown}").into());
            }
        }
        if exit == 2 {
            let out = self.tmp.path().join("proposal.json");
            let p = run_cli([
                OsString::from("propose"),
                self.scenario.clone().into_os_string(),
                "-o".into(),
                out.clone().into_os_string(),
            ]);
            if p.code != 2 {
                return Err(format!("propose exited {} instead of 2: {}", p.code, p.stderr).into());
            }
            if out.exists() {
                return Err("propose wrote its output file on bad input".into());
            }
        }
        Ok(())
    }
}

/// The message codes (`[E101]`) in a command's output.
pub fn message_codes(text: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        rest = &rest[i + 1..];
        let code: String = rest.chars().take_while(|c| *c != ']').collect();
        let b = code.as_bytes();
        if b.len() == 4 && (b[0] == b'E' || b[0] == b'W') && b[1..].iter().all(u8::is_ascii_digit) {
            codes.push(format!("[{code}]"));
        }
    }
    codes
}

fn strings(table: &toml::Table, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}
