//! The real binary with its standard output closed (`realloc propose S >&-`) exits 1 with a message,
//! never 0 having written nothing (issue 14, item 9).

#[cfg(target_os = "linux")]
#[test]
fn closed_stdout_exits_1() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/lang-son-2025-q3");
    let bin = env!("CARGO_BIN_EXE_realloc");
    for command in ["propose", "validate"] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$1\" \"$2\" >&-")
            .args([bin, command, sample])
            .output()
            .expect("sh runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains("cannot write"), "{command}: {err}");
    }
    // Standard output sent to /dev/null on purpose is written, and the run succeeds.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" validate \"$1\" >/dev/null")
        .args([bin, sample])
        .output()
        .expect("sh runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
