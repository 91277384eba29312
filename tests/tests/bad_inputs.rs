//! The data-driven bad-input suite: every case under `tests/data/bad/*.toml` starts from the small
//! valid scenario, changes its files as the case says, runs `realloc validate` in-process and checks
//! the exit status and the messages; bad cases also check that `realloc propose -o OUT` exits 2 and
//! writes nothing. Each case is its own test, reported by name.
//!
//! A case file holds, all optional but `expect`:
//! `expect` (substrings of the output, file paths relative to the scenario folder), `exit` (2 by
//! default), `delete` (files to remove), `bom`/`crlf` (files to give a UTF-8 BOM / CRLF line ends),
//! `[files]` (whole contents; `\xNN` stands for a raw byte) and `[replace]` (file = list of
//! `[old, new]`, each `old` present exactly once).

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use realloc_tests::{copy_dir, run_cli, unescape_bytes, valid_small};

fn main() {
    let args = Arguments::from_args();
    let dir = realloc_tests::data_dir().join("bad");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/bad exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "expected the whole suite, found {} cases", cases.len());
    let trials = cases
        .into_iter()
        .map(|path| {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Trial::test(name, move || check(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn str_list(case: &toml::Table, key: &str) -> Vec<String> {
    case.get(key)
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn check(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the case: {e}"))?;
    let case: toml::Table = text.parse().map_err(|e| format!("the case is not TOML: {e}"))?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let scen = tmp.path().join("scenario");
    std::fs::create_dir(&scen).map_err(|e| e.to_string())?;
    copy_dir(&valid_small(), &scen).map_err(|e| e.to_string())?;

    if let Some(files) = case.get("files").and_then(|v| v.as_table()) {
        for (name, content) in files {
            let content = content.as_str().ok_or("[files] values are strings")?;
            std::fs::write(scen.join(name), unescape_bytes(content)).map_err(|e| e.to_string())?;
        }
    }
    if let Some(replace) = case.get("replace").and_then(|v| v.as_table()) {
        for (name, pairs) in replace {
            let file = scen.join(name);
            let mut body = std::fs::read(&file).map_err(|e| e.to_string())?;
            for pair in pairs.as_array().ok_or("[replace] values are lists")? {
                let pair = pair.as_array().ok_or("[replace] entries are [old, new]")?;
                let (Some(old), Some(new)) =
                    (pair.first().and_then(|v| v.as_str()), pair.get(1).and_then(|v| v.as_str()))
                else {
                    return Err("[replace] entries are [old, new]".into());
                };
                let (old, new) = (unescape_bytes(old), unescape_bytes(new));
                let hits: Vec<usize> = body
                    .windows(old.len())
                    .enumerate()
                    .filter(|(_, w)| *w == old.as_slice())
                    .map(|(i, _)| i)
                    .collect();
                if hits.len() != 1 {
                    return Err(format!(
                        "case setup: `{}` occurs {} times in {name}",
                        String::from_utf8_lossy(&old),
                        hits.len()
                    )
                    .into());
                }
                body.splice(hits[0]..hits[0] + old.len(), new);
            }
            std::fs::write(&file, body).map_err(|e| e.to_string())?;
        }
    }
    for name in str_list(&case, "crlf") {
        let file = scen.join(&name);
        let body = std::fs::read(&file).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for b in body {
            if b == b'\n' {
                out.push(b'\r');
            }
            out.push(b);
        }
        std::fs::write(&file, out).map_err(|e| e.to_string())?;
    }
    for name in str_list(&case, "bom") {
        let file = scen.join(&name);
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend(std::fs::read(&file).map_err(|e| e.to_string())?);
        std::fs::write(&file, body).map_err(|e| e.to_string())?;
    }
    for name in str_list(&case, "delete") {
        std::fs::remove_file(scen.join(&name))
            .map_err(|e| format!("case setup: cannot delete {name}: {e}"))?;
    }

    let exit = case.get("exit").and_then(|v| v.as_integer()).unwrap_or(2);
    let expect = str_list(&case, "expect");
    if expect.is_empty() {
        return Err("the case has no `expect`".into());
    }
    let run = run_cli([std::ffi::OsString::from("validate"), scen.clone().into_os_string()]);
    let prefix = format!("{}{}", scen.display(), std::path::MAIN_SEPARATOR);
    let shown = format!("{}{}", run.stdout, run.stderr).replace(&prefix, "");
    if i64::from(run.code) != exit {
        return Err(format!("exit status {} instead of {exit}; output:\n{shown}", run.code).into());
    }
    for e in &expect {
        if !shown.contains(e.as_str()) {
            return Err(format!("expected `{e}` in the output:\n{shown}").into());
        }
    }
    if exit == 2 {
        let out = tmp.path().join("proposal.json");
        let p = run_cli([
            std::ffi::OsString::from("propose"),
            scen.clone().into_os_string(),
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
