//! The `realloc` binary: parses the command line, runs the command, maps the outcome to an exit code.

use std::io::{IsTerminal, Write};

/// The allocator of the binary (the library leaves the choice to its embedder): at national scale a
/// proposal makes millions of small allocations, which mimalloc serves faster than the system's, with
/// fewer page faults. Built without transparent huge pages (`no_thp`): on a virtual machine each 2 MB
/// page is zeroed when first touched, and at 500,000 rows that took 1.5 s of system time more than
/// small pages (`benches/README.md`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Standard output, remembering whether a write failed: Rust's standard output reports success when
/// the descriptor is closed (`realloc propose S >&-`), and a command may ignore a failed write; the
/// run must then end with status 1, not 0 having written nothing.
struct Stdout {
    /// `None` when the descriptor is closed.
    inner: Option<std::io::StdoutLock<'static>>,
    failed: bool,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = match &mut self.inner {
            Some(out) => out.write(buf),
            None => Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "standard output is closed")),
        };
        self.failed |= result.is_err();
        result
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = match &mut self.inner {
            Some(out) => out.flush(),
            None => Ok(()),
        };
        self.failed |= result.is_err();
        result
    }
}

/// False when standard output was closed when the process started. Rust's runtime reopens a closed
/// descriptor 1 on `/dev/null`, read-write, before `main`; a shell's `>/dev/null` opens it write-only.
/// So on Linux a descriptor 1 that is `/dev/null` opened read-write was closed.
#[cfg(target_os = "linux")]
fn stdout_is_open() -> bool {
    let null = std::fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == std::path::Path::new("/dev/null"));
    if !null {
        return true;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else { return true };
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
    // O_ACCMODE is 3, O_RDWR 2.
    flags.is_none_or(|f| f & 3 != 2)
}

/// Elsewhere a closed standard output is only seen when a write fails.
#[cfg(not(target_os = "linux"))]
fn stdout_is_open() -> bool {
    true
}

fn main() {
    let terminal = std::io::stdout().is_terminal();
    let mut out = Stdout { inner: stdout_is_open().then(|| std::io::stdout().lock()), failed: false };
    // Not locked for the whole run: the risk progress bar draws on standard error from the worker
    // threads, which would wait for ever on a lock this thread holds.
    let mut err = std::io::stderr();
    let mut code = realloc_cli::run_on(std::env::args_os(), terminal, &mut out, &mut err);
    if (out.flush().is_err() || out.failed) && code == realloc_cli::EXIT_OK {
        let _ = writeln!(err, "{}", realloc_cli::closed_stdout_line());
        code = realloc_cli::EXIT_FAILURE;
    }
    std::process::exit(code);
}
