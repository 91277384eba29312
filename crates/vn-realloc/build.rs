//! Embeds the commit the library is built from, for `manifest.tool_commit` and `realloc -V`.
//!
//! In order: the environment variable `REALLOC_COMMIT` (a packager's choice, with
//! `REALLOC_COMMIT_DATE`), the `.cargo_vcs_info.json` that `cargo package` writes into a packaged
//! crate, then `git` in a clone; else "unknown". Only the files that name the commit (`HEAD`, the
//! branch's ref and `packed-refs`) are watched, so a build is redone when the commit changes and at
//! no other time.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=REALLOC_COMMIT");
    println!("cargo:rerun-if-env-changed=REALLOC_COMMIT_DATE");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let vcs_info = dir.join(".cargo_vcs_info.json");
    let (commit, date) = if let Ok(commit) = std::env::var("REALLOC_COMMIT") {
        (commit, std::env::var("REALLOC_COMMIT_DATE").unwrap_or_default())
    } else if let Ok(text) = std::fs::read_to_string(&vcs_info) {
        println!("cargo:rerun-if-changed={}", vcs_info.display());
        (packaged_commit(&text).unwrap_or_else(|| "unknown".to_owned()), String::new())
    } else if let Some(commit) = git(&dir, &["rev-parse", "--short=7", "HEAD"]) {
        watch_git(&dir);
        (commit, git(&dir, &["log", "-1", "--format=%cs"]).unwrap_or_default())
    } else {
        ("unknown".to_owned(), String::new())
    };
    println!("cargo:rustc-env=REALLOC_COMMIT={commit}");
    println!("cargo:rustc-env=REALLOC_COMMIT_DATE={date}");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let long = if date.is_empty() {
        format!("{version} ({commit})")
    } else {
        format!("{version} ({commit} {date})")
    };
    println!("cargo:rustc-env=REALLOC_LONG_VERSION={long}");
}

/// The first seven digits of `"sha1": "…"` in `.cargo_vcs_info.json`.
fn packaged_commit(text: &str) -> Option<String> {
    let rest = &text[text.find("\"sha1\"")? + 6..];
    let start = rest.find('"')? + 1;
    let sha: String = rest[start..].chars().take_while(char::is_ascii_hexdigit).take(7).collect();
    (sha.len() == 7).then_some(sha)
}

/// The trimmed output of `git ARGS` run in `dir`, when git is there and succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Asks cargo to rerun this script when HEAD moves: `HEAD` itself, the branch's ref and `packed-refs`,
/// each only if it exists (a missing file would make every build rerun it).
fn watch_git(dir: &Path) {
    let mut paths = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(branch);
    }
    for p in paths {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &p]) {
            let path = if Path::new(&path).is_absolute() { PathBuf::from(path) } else { dir.join(path) };
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}
