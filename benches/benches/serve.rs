//! Criterion benchmark of `realloc serve`: a re-proposal round trip over HTTP (`POST /api/propose`
//! with one locked row, on a socket to a server started in-process, until the whole JSON proposal has
//! been read) on the 400-row sample and on a generated national scenario of 50,000 rows. Targets:
//! 50 ms at 400 rows, 1 s at 50,000 rows. Also a change of the session (`POST /api/session/change`,
//! then the undo), which writes the overrides file and reads it back as `propose --overrides` does.

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use realloc_cli::serve::{Config, start};

/// One HTTP/1.1 request; returns the status and the body's length (the body is read whole).
fn round_trip(addr: SocketAddr, path: &str, body: &str) -> (u16, usize) {
    let Ok(mut s) = TcpStream::connect(addr) else { return (0, 0) };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    if s.write_all(head.as_bytes()).and_then(|()| s.write_all(body.as_bytes())).is_err() {
        return (0, 0);
    }
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let status =
        raw.get(9..12).and_then(|b| std::str::from_utf8(b).ok()).and_then(|t| t.parse().ok()).unwrap_or(0);
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n").map_or(raw.len(), |p| p + 4);
    (status, raw.len() - head_end)
}

/// The first row that gives capital in the session's proposal: (id, source).
fn a_donor(addr: SocketAddr) -> Option<(String, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.write_all(format!("GET /api/session HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let start = raw.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let v: serde_json::Value = serde_json::from_slice(&raw[start..]).ok()?;
    let p =
        v["proposal"]["projects"].as_array()?.iter().find(|p| p["change_vnd"].as_i64().unwrap_or(0) < 0)?;
    Some((p["id"].as_str()?.to_owned(), p["source"].as_str()?.to_owned()))
}

fn bench(c: &mut Criterion, name: &str, dir: &Path) {
    let handle = match start(Config { scenario: Some(dir.to_path_buf()), port: 0, ..Config::default() }) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("serve/{name}: skipped, the server did not start: {e:#}");
            return;
        }
    };
    let addr = handle.addr;
    let Some((id, source)) = a_donor(addr) else {
        eprintln!("serve/{name}: skipped, no donor in the proposal");
        return;
    };
    let propose = format!(r#"{{"lock": [{{"id": "{id}", "source": "{source}", "reason": "bench"}}]}}"#);
    let (status, size) = round_trip(addr, "/api/propose", &propose);
    eprintln!("serve/{name}: POST /api/propose answered {status} with {size} bytes of JSON");
    let change = format!(r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "bench"}}}}"#);
    let mut group = c.benchmark_group("serve");
    group.sample_size(10).measurement_time(Duration::from_secs(if name == "400" { 5 } else { 20 }));
    group.bench_function(format!("propose_round_trip/{name}"), |b| {
        b.iter(|| black_box(round_trip(addr, "/api/propose", &propose)))
    });
    group.bench_function(format!("change_and_undo/{name}"), |b| {
        b.iter(|| {
            black_box(round_trip(addr, "/api/session/change", &change));
            black_box(round_trip(addr, "/api/session/undo", "{}"))
        })
    });
    group.finish();
    handle.shutdown();
}

fn serve(c: &mut Criterion) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lang-son-2025-q3");
    // A copy: the session writes its overrides file into the scenario folder.
    if let Ok(tmp) = tempfile::tempdir() {
        let copied =
            std::fs::read_dir(&sample).into_iter().flatten().flatten().all(|e| {
                !e.path().is_file() || std::fs::copy(e.path(), tmp.path().join(e.file_name())).is_ok()
            });
        if copied {
            bench(c, "400", tmp.path());
        }
    }
    match realloc_benches::write_scenario(realloc_benches::NATIONAL_ROWS, 1) {
        Ok(dir) => bench(c, "50000", dir.path()),
        Err(e) => eprintln!("serve/50000: skipped, cannot write the scenario: {e}"),
    }
}

criterion_group!(benches, serve);
criterion_main!(benches);
