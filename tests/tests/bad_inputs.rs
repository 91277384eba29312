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

use realloc_tests::cases::{Case, Failed, run_case_files};
use realloc_tests::{copy_dir, unescape_bytes, valid_small};

fn main() {
    run_case_files(&realloc_tests::data_dir().join("bad"), 40, check)
}

fn check(path: &Path) -> Result<(), Failed> {
    let case = Case::read(path)?;
    let scen = &case.scenario;
    copy_dir(&valid_small(), scen).map_err(|e| e.to_string())?;

    if let Some(files) = case.table.get("files").and_then(|v| v.as_table()) {
        for (name, content) in files {
            let content = content.as_str().ok_or("[files] values are strings")?;
            std::fs::write(scen.join(name), unescape_bytes(content)).map_err(|e| e.to_string())?;
        }
    }
    if let Some(replace) = case.table.get("replace").and_then(|v| v.as_table()) {
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
    for name in case.strings("crlf") {
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
    for name in case.strings("bom") {
        let file = scen.join(&name);
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend(std::fs::read(&file).map_err(|e| e.to_string())?);
        std::fs::write(&file, body).map_err(|e| e.to_string())?;
    }
    for name in case.strings("delete") {
        std::fs::remove_file(scen.join(&name))
            .map_err(|e| format!("case setup: cannot delete {name}: {e}"))?;
    }

    case.check_validate(case.table.get("exit").and_then(|v| v.as_integer()).unwrap_or(2))
}
