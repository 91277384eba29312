//! `realloc serve`: the HTTP API driven over real sockets against a server started in-process on a
//! free port (every endpoint, bad bodies, the checks every request passes, events reaching a second
//! screen, downloads and the overrides file reproduced by `realloc propose --overrides`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use realloc_cli::serve::{Config, Handle};
use realloc_tests::{copy_dir, json, run, sample_dir};
use serde_json::Value;

/// An answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error code of an error answer, checking its shape.
    #[track_caller]
    fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        let v = self.json();
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "no message: {v}");
        assert!(v["error"]["diagnostics"].is_array(), "{v}");
        v["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

/// One HTTP/1.1 request (`Connection: close`), with `Host` set to the address unless given.
fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).expect("timeout");
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).expect("write");
    // The server may answer (413) before it has read the whole body.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    Reply { status, headers, body }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, &[], b"")
}

fn post(addr: SocketAddr, path: &str, body: &str) -> Reply {
    request(addr, "POST", path, &[("Content-Type", "application/json")], body.as_bytes())
}

/// A copy of the sample scenario in a temporary folder (the session writes into its folder).
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("lang-son");
    std::fs::create_dir(&dir).expect("mkdir");
    copy_dir(Path::new(&sample_dir()), &dir).expect("copy");
    (tmp, dir)
}

fn start(dir: &Path) -> Handle {
    start_with(Config { scenario: Some(dir.to_path_buf()), port: 0, ..Config::default() })
}

fn start_with(config: Config) -> Handle {
    realloc_cli::serve::start(config).unwrap_or_else(|e| panic!("the server did not start: {e:#}"))
}

/// A donor of the proposal: (id, source, change in đồng).
fn first_donor(proposal: &Value) -> (String, String, i64) {
    let p = proposal["projects"]
        .as_array()
        .and_then(|ps| {
            ps.iter().find(|p| {
                p["change_vnd"].as_i64().unwrap_or(0) < 0 && !p["locked"].as_bool().unwrap_or(false)
            })
        })
        .expect("a donor");
    (
        p["id"].as_str().unwrap_or_default().to_owned(),
        p["source"].as_str().unwrap_or_default().to_owned(),
        p["change_vnd"].as_i64().unwrap_or(0),
    )
}

fn row<'a>(proposal: &'a Value, id: &str, source: &str) -> &'a Value {
    proposal["projects"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == id && p["source"] == source))
        .unwrap_or_else(|| panic!("no row {id} {source}"))
}

/// Every pool balances: the changes and the pipeline's placements add up to zero.
#[track_caller]
fn balanced(proposal: &Value) {
    let changes: i64 = proposal["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["change_vnd"].as_i64().unwrap_or(0))
        .sum();
    let pipeline: i64 = proposal["pipeline"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["amount_vnd"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(changes + pipeline, 0);
}

#[test]
fn page_and_assets_are_served_with_their_policy() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let page = get(h.addr, "/");
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap_or_default().starts_with("text/html"));
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("http"), "no external source: {csp}");
    for (path, kind) in [("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css")] {
        let r = get(h.addr, path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("content-type").unwrap_or_default().starts_with(kind), "{path}");
    }
    assert_eq!(get(h.addr, "/nothing-here").error(404), "E_NOT_FOUND");
    assert_eq!(get(h.addr, "/api/nothing").error(404), "E_NOT_FOUND");
}

#[test]
fn scenario_summarises_the_validated_scenario() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let r = get(h.addr, "/api/scenario");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    let (code, out, _) = run(&["validate", dir.to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(code, 0);
    let validated = json(&out);
    assert_eq!(v["schema_version"], realloc::contract::SCHEMA_VERSION);
    assert_eq!(v["rows"], validated["summary"]["rows"], "{validated}");
    assert_eq!(v["as_of"], "2025-09-30");
    assert!(v["scenario"].as_str().is_some_and(|s| !s.is_empty()));
    let sources: Vec<&str> =
        v["sources"].as_array().into_iter().flatten().filter_map(|s| s["source"].as_str()).collect();
    assert!(sources.contains(&"NSTW"), "{sources:?}");
    let params = v["params"].as_array().expect("params");
    let min_transfer = params.iter().find(|p| p["name"] == "min_transfer").expect("min_transfer");
    assert_eq!(min_transfer["value"], min_transfer["default"]);
    assert!(min_transfer["label_vi"].as_str().is_some() && min_transfer["label_en"].as_str().is_some());
    assert!(v["warnings"].is_array());
}

#[test]
fn session_starts_with_the_plain_proposal_of_propose() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let s = get(h.addr, "/api/session").json();
    assert_eq!(s["version"], 1);
    assert_eq!(s["changes"], Value::Array(vec![]));
    assert_eq!(s["moved"], Value::Array(vec![]));
    assert_eq!(s["overrides_file"], dir.join("overrides.toml").display().to_string());
    let (code, out, err) = run(&["propose", dir.to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s["proposal"], json(&out));
    let download = get(h.addr, "/api/download/proposal.json");
    assert_eq!(download.status, 200);
    assert_eq!(download.text(), out, "the download is propose's JSON byte for byte");
    assert!(!dir.join("overrides.toml").exists(), "nothing written before a change");
}

/// Two screens watch the events; a change made from a third reaches both.
#[test]
fn a_change_reproposes_writes_the_file_and_reaches_every_screen() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let before = get(h.addr, "/api/session").json();
    let (id, source, change) = first_donor(&before["proposal"]);
    let screens = [events(h.addr), events(h.addr)];
    let body =
        format!(r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "Giữ nguyên theo chỉ đạo"}}}}"#);
    let r = post(h.addr, "/api/session/change", &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.json();
    assert_eq!(s["version"], 2);
    let c = &s["changes"][0];
    assert_eq!(
        (c["n"].as_i64(), c["kind"].as_str(), c["id"].as_str()),
        (Some(1), Some("lock"), Some(id.as_str()))
    );
    assert_eq!(c["reason"], "Giữ nguyên theo chỉ đạo");
    assert!(c["at"].as_str().is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()), "{c}");
    // The donor keeps its plan; the totals still balance; the row is listed as moved.
    assert_eq!(row(&s["proposal"], &id, &source)["change_vnd"], 0);
    balanced(&s["proposal"]);
    let moved = s["moved"].as_array().expect("moved");
    let m = moved
        .iter()
        .find(|m| m["id"] == id.as_str() && m["source"] == source.as_str())
        .expect("the row moved");
    assert_eq!((m["change_before_vnd"].as_i64(), m["change_after_vnd"].as_i64()), (Some(change), Some(0)));
    for screen in screens {
        assert_eq!(
            screen.join().expect("screen"),
            vec![1, 2],
            "each screen sees the version now, then the change"
        );
    }
    // The file written is the session's overrides, served as they are.
    let file = std::fs::read_to_string(dir.join("overrides.toml")).expect("the overrides file");
    assert_eq!(get(h.addr, "/api/overrides.toml").text(), file);
    assert!(file.contains(&id) && file.contains("Giữ nguyên theo chỉ đạo"), "{file}");
    // GET /api/session answers the same.
    assert_eq!(get(h.addr, "/api/session").json(), s);
}

/// Opens `/api/events` and collects the versions announced until version 2 (or a timeout).
fn events(addr: SocketAddr) -> std::thread::JoinHandle<Vec<u64>> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let head = format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    s.write_all(head.as_bytes()).expect("write");
    let mut reader = BufReader::new(s);
    // Subscribed once the head has come back.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            if let Some(data) = line.trim().strip_prefix("data:") {
                let v: Value = serde_json::from_str(data.trim()).unwrap_or_default();
                if let Some(n) = v["version"].as_u64() {
                    seen.push(n);
                    if n >= 2 {
                        break;
                    }
                }
            }
            line.clear();
        }
        seen
    })
}

#[test]
fn undo_removes_the_last_change_and_refuses_when_none_is_left() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let body = format!(
        r#"{{"set": {{"id": "{id}", "source": "{source}", "change_vnd": 0, "reason": "không giảm"}}}}"#
    );
    let after = post(h.addr, "/api/session/change", &body);
    assert_eq!(after.status, 200, "{}", after.text());
    let undone = post(h.addr, "/api/session/undo", "");
    assert_eq!(undone.status, 200, "{}", undone.text());
    let u = undone.json();
    assert_eq!(u["version"], 3);
    assert_eq!(u["changes"], Value::Array(vec![]));
    assert_eq!(u["proposal"], plain["proposal"], "back to the plain proposal");
    assert_eq!(post(h.addr, "/api/session/undo", "{}").error(422), "E_NOTHING_TO_UNDO");
    assert_eq!(post(h.addr, "/api/session/undo", r#"{"x": 1}"#).error(400), "E_JSON");
}

#[test]
fn bad_bodies_are_refused_with_the_status_and_a_message() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let change = |body: &str| post(h.addr, "/api/session/change?lang=en", body);
    assert_eq!(change("{\"lock\": ").error(400), "E_JSON");
    assert_eq!(change("[]").error(400), "E_JSON");
    assert_eq!(change(r#"{"lokc": {"id": "x", "source": "NSTW", "reason": "r"}}"#).error(400), "E_JSON");
    assert_eq!(change("{}").error(400), "E_JSON", "none of the four");
    let two = format!(
        r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "r"}}, "params": {{"min_transfer": 100}}}}"#
    );
    assert_eq!(change(&two).error(400), "E_JSON");
    let both = format!(
        r#"{{"set": {{"id": "{id}", "source": "{source}", "change_vnd": 0, "max_change_vnd": 1, "reason": "r"}}}}"#
    );
    assert_eq!(change(&both).error(400), "E_JSON");
    let unknown = change(r#"{"lock": {"id": "KHÔNG-CÓ", "source": "NSTW", "reason": "r"}}"#);
    assert_eq!(unknown.error(422), "E_UNKNOWN_ROW");
    assert!(unknown.json()["error"]["message"].as_str().unwrap_or_default().contains("KHÔNG-CÓ"));
    let bad_source = format!(r#"{{"lock": {{"id": "{id}", "source": "NSXX", "reason": "r"}}}}"#);
    assert_eq!(change(&bad_source).error(422), "E_UNKNOWN_SOURCE");
    let no_reason = format!(r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "  "}}}}"#);
    assert_eq!(change(&no_reason).error(422), "E_REASON");
    let param = change(r#"{"params": {"no_such_param": 1}, "reason": "r"}"#);
    assert_eq!(param.error(422), "E_PARAM");
    assert!(
        param.json()["error"]["message"].as_str().unwrap_or_default().contains("min_transfer"),
        "names the known ones"
    );
    assert_eq!(change(r#"{"params": {"min_transfer": -5}, "reason": "r"}"#).error(422), "E_PARAM");
    // Too large: more than 1 MiB of JSON.
    let big = format!(r#"{{"params": {{}}, "reason": "{}"}}"#, "x".repeat(1 << 20));
    assert_eq!(change(&big).error(413), "E_TOO_LARGE");
    // Not JSON's content type (a cross-site form could send that).
    let r = request(h.addr, "POST", "/api/session/change", &[("Content-Type", "text/plain")], b"{}");
    assert_eq!(r.error(415), "E_CONTENT_TYPE");
    let r = request(h.addr, "POST", "/api/session/undo", &[], b"");
    assert_eq!(r.error(415), "E_CONTENT_TYPE");
    // A wrong method, a wrong query.
    assert_eq!(get(h.addr, "/api/session/change").error(405), "E_METHOD");
    assert_eq!(get(h.addr, "/api/session?lang=fr").error(400), "E_QUERY");
    assert_eq!(get(h.addr, "/api/session?verbose=1").error(400), "E_QUERY");
    // Messages in Vietnamese by default.
    let vi = post(
        h.addr,
        "/api/session/change",
        r#"{"lock": {"id": "KHÔNG-CÓ", "source": "NSTW", "reason": "r"}}"#,
    );
    assert!(
        vi.json()["error"]["message"].as_str().unwrap_or_default().starts_with("không có dự án"),
        "{}",
        vi.text()
    );
    // Nothing of it changed the session or wrote a file.
    assert_eq!(get(h.addr, "/api/session").json()["version"], 1);
    assert!(!dir.join("overrides.toml").exists());
}

#[test]
fn cross_site_and_foreign_hosts_are_refused() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let own = format!("http://{}", h.addr);
    let ok = request(h.addr, "GET", "/api/session", &[("Origin", &own)], b"");
    assert_eq!(ok.status, 200, "{}", ok.text());
    let r = request(h.addr, "GET", "/api/session", &[("Origin", "http://evil.example")], b"");
    assert_eq!(r.error(403), "E_FORBIDDEN");
    let r = request(
        h.addr,
        "POST",
        "/api/session/undo",
        &[("Origin", "http://evil.example"), ("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(r.error(403), "E_FORBIDDEN");
    // DNS rebinding: a page of another name that resolves to this computer.
    let r = request(h.addr, "GET", "/api/session", &[("Host", "evil.example:8080")], b"");
    assert_eq!(r.error(403), "E_FORBIDDEN");
    let r = request(h.addr, "GET", "/api/session", &[("Host", &format!("localhost:{}", h.addr.port()))], b"");
    assert_eq!(r.status, 200);
}

#[test]
fn beyond_loopback_every_request_needs_the_token() {
    let (_tmp, dir) = sample_copy();
    let h = start_with(Config {
        scenario: Some(dir.clone()),
        port: 0,
        bind: "0.0.0.0".parse().expect("address"),
        ..Config::default()
    });
    let token = h.token.clone().expect("a token beyond loopback");
    assert!(token.len() >= 32, "{token}");
    assert!(h.url().ends_with(&format!("/?token={token}")), "{}", h.url());
    let addr = SocketAddr::from(([127, 0, 0, 1], h.addr.port()));
    for path in ["/", "/api/session", "/api/scenario", "/api/events"] {
        assert_eq!(get(addr, path).error(403), "E_FORBIDDEN", "{path}");
    }
    assert_eq!(get(addr, "/api/session?token=wrong").error(403), "E_FORBIDDEN");
    assert_eq!(
        request(addr, "GET", "/api/session", &[("Authorization", "Bearer nope")], b"").error(403),
        "E_FORBIDDEN"
    );
    assert_eq!(get(addr, &format!("/api/session?token={token}")).status, 200);
    let bearer = format!("Bearer {token}");
    assert_eq!(request(addr, "GET", "/api/session", &[("Authorization", &bearer)], b"").status, 200);
    let r = request(addr, "POST", "/api/session/undo", &[("Content-Type", "application/json")], b"{}");
    assert_eq!(r.error(403), "E_FORBIDDEN");
    // Loopback needs none.
    let (_tmp2, dir2) = sample_copy();
    assert_eq!(start(&dir2).token, None);
}

#[test]
fn stateless_propose_applies_the_body_and_leaves_the_session() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let r = post(
        h.addr,
        "/api/propose",
        &format!(r#"{{"lock": [{{"id": "{id}", "source": "{source}", "reason": "r"}}]}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_eq!(p["schema_version"], realloc::contract::SCHEMA_VERSION);
    assert_eq!(row(&p, &id, &source)["change_vnd"], 0);
    balanced(&p);
    // No overrides: the plain proposal.
    assert_eq!(post(h.addr, "/api/propose", "{}").json(), plain["proposal"]);
    let r = post(h.addr, "/api/propose", r#"{"params": {"min_transfer": 100000}}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["manifest"]["min_transfer_vnd"], 100_000_000_000_i64);
    assert_eq!(
        post(h.addr, "/api/propose", r#"{"lock": [{"id": "X", "source": "NSTW"}]}"#).error(422),
        "E_UNKNOWN_ROW"
    );
    assert_eq!(post(h.addr, "/api/propose", r#"{"params": {"nope": 1}}"#).error(422), "E_PARAM");
    assert_eq!(post(h.addr, "/api/propose", r#"{"lock": {}}"#).error(400), "E_JSON");
    assert_eq!(get(h.addr, "/api/session").json()["version"], 1, "the session is not changed");
    assert!(!dir.join("overrides.toml").exists());
}

#[test]
fn explain_answers_the_rules_of_one_row() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let r = get(h.addr, &format!("/api/explain?id={id}&source={source}"));
    assert_eq!(r.status, 200, "{}", r.text());
    let (code, out, err) =
        run(&["explain", dir.to_str().unwrap_or_default(), &id, "--source", &source, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r.json(), json(&out), "the JSON of `realloc explain`");
    assert_eq!(get(h.addr, "/api/explain?id=NONE&source=NSTW").error(422), "E_UNKNOWN_ROW");
    assert_eq!(get(h.addr, &format!("/api/explain?id={id}")).error(400), "E_JSON");
}

/// What `realloc propose DIR --overrides FILE -o OUT` writes.
fn propose_file(dir: &Path, overrides: &Path, ext: &str, lang: &str) -> Vec<u8> {
    let out = dir.parent().unwrap_or(dir).join(format!("cli-proposal.{ext}"));
    let (code, _, err) = run(&[
        "propose",
        dir.to_str().unwrap_or_default(),
        "--overrides",
        overrides.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
        "--lang",
        lang,
    ]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&out).expect("the CLI's output");
    let _ = std::fs::remove_file(&out);
    bytes
}

#[test]
fn downloads_are_the_bytes_of_propose_with_the_sessions_overrides() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    for body in [
        format!(r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "Giữ nguyên"}}}}"#),
        r#"{"params": {"min_transfer": 100}, "reason": "Mức tối thiểu 100 triệu"}"#.to_owned(),
    ] {
        let r = post(h.addr, "/api/session/change", &body);
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let overrides = dir.join("overrides.toml");
    let json_download = get(h.addr, "/api/download/proposal.json");
    assert_eq!(json_download.status, 200);
    assert_eq!(json_download.header("content-disposition"), Some("attachment; filename=\"proposal.json\""));
    assert_eq!(json_download.text(), String::from_utf8_lossy(&propose_file(&dir, &overrides, "json", "vi")));
    let xlsx = get(h.addr, "/api/download/proposal.xlsx?lang=en");
    assert_eq!(xlsx.status, 200);
    assert_eq!(xlsx.header("content-type"), Some(realloc_cli::serve::XLSX_TYPE));
    assert!(
        xlsx.body == propose_file(&dir, &overrides, "xlsx", "en"),
        "the workbook is propose's byte for byte"
    );
    for ext in ["docx", "html", "md"] {
        let r = get(h.addr, &format!("/api/download/proposal.{ext}"));
        assert_eq!(r.status, 200, "{ext}");
        assert!(!r.body.is_empty());
        assert_eq!(
            r.header("content-disposition"),
            Some(format!("attachment; filename=\"proposal.{ext}\"").as_str())
        );
    }
    assert_eq!(
        get(h.addr, "/api/download/proposal.md").text(),
        String::from_utf8_lossy(&propose_file(&dir, &overrides, "md", "vi"))
    );
    assert_eq!(get(h.addr, "/api/download/secrets.txt").error(404), "E_NOT_FOUND");
    assert_eq!(get(h.addr, "/api/download/..%2Fscenario.toml").error(404), "E_NOT_FOUND");
}

#[test]
fn a_restarted_session_resumes_from_its_overrides_file() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let body = format!(r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "Giữ nguyên"}}}}"#);
    let during = post(h.addr, "/api/session/change", &body).json();
    h.shutdown();
    let again = start(&dir);
    let s = get(again.addr, "/api/session").json();
    assert_eq!(s["changes"].as_array().map(Vec::len), Some(1), "{}", s["changes"]);
    assert_eq!(s["changes"][0]["kind"], "lock");
    assert_eq!(s["changes"][0]["reason"], "Giữ nguyên");
    assert_eq!(s["proposal"], during["proposal"]);
}

#[test]
fn an_overrides_file_named_on_the_command_line_is_the_one_kept() {
    let (tmp, dir) = sample_copy();
    let file = tmp.path().join("phien-hop.toml");
    let h = start_with(Config {
        scenario: Some(dir.clone()),
        port: 0,
        overrides: Some(file.clone()),
        ..Config::default()
    });
    let r = post(h.addr, "/api/session/change", r#"{"params": {"min_transfer": 100}, "reason": "r"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["overrides_file"], file.display().to_string());
    assert!(file.exists());
    assert!(!dir.join("overrides.toml").exists());
}

#[test]
fn an_uploaded_workbook_becomes_the_scenario() {
    let (tmp, dir) = sample_copy();
    let h = start(&dir);
    // Written inside the folder, so that the files it names beside it are the folder's.
    let workbook = dir.join("from-sample.xlsx");
    let (code, _, err) = run(&[
        "template",
        "--from",
        dir.to_str().unwrap_or_default(),
        "-o",
        workbook.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&workbook).expect("workbook");
    let xlsx = [("Content-Type", realloc_cli::serve::XLSX_TYPE)];
    let r = request(h.addr, "POST", "/api/upload?name=ke-hoach.xlsx", &xlsx, &bytes);
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.json();
    assert_eq!(s["version"], 2);
    assert_eq!(s["overrides_file"], dir.join("ke-hoach.overrides.toml").display().to_string());
    assert_eq!(
        std::fs::read(dir.join("ke-hoach.xlsx")).ok(),
        Some(bytes.clone()),
        "kept in the scenario folder"
    );
    let (code, out, err) =
        run(&["propose", dir.join("ke-hoach.xlsx").to_str().unwrap_or_default(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s["proposal"], json(&out));
    // The same name again with other bytes does not overwrite it.
    let (code, _, err) = run(&["template", "-o", workbook.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    let empty = std::fs::read(&workbook).expect("workbook");
    let bad = request(h.addr, "POST", "/api/upload?name=ke-hoach.xlsx&lang=en", &xlsx, &empty);
    assert_eq!(bad.status, 422, "{}", bad.text());
    let diagnostics = bad.json()["error"]["diagnostics"].as_array().cloned().unwrap_or_default();
    assert!(!diagnostics.is_empty(), "{}", bad.text());
    assert!(
        diagnostics.iter().all(|d| d["file"].as_str().is_some() && d["message"].as_str().is_some()),
        "{diagnostics:?}"
    );
    assert!(!dir.join("ke-hoach-2.xlsx").exists(), "a workbook that does not load is not kept");
    assert_eq!(std::fs::read(dir.join("ke-hoach.xlsx")).ok(), Some(bytes), "never overwritten");
    assert_eq!(get(h.addr, "/api/session").json()["version"], 2, "the session is as it was");
    // Not a workbook; a name with a folder; the wrong type.
    assert_eq!(request(h.addr, "POST", "/api/upload", &xlsx, b"id,name\n1,2\n").error(422), "E_NOT_WORKBOOK");
    assert_eq!(request(h.addr, "POST", "/api/upload?name=../x.xlsx", &xlsx, &empty).error(400), "E_QUERY");
    let json_type = [("Content-Type", "application/json")];
    assert_eq!(request(h.addr, "POST", "/api/upload", &json_type, &empty).error(415), "E_CONTENT_TYPE");
    // Nothing was written outside the scenario folder.
    let mut outside: Vec<String> = std::fs::read_dir(tmp.path())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    outside.sort();
    assert_eq!(outside, ["lang-son"]);
}

#[test]
fn without_a_scenario_the_session_waits_for_an_upload() {
    let h = start_with(Config { port: 0, ..Config::default() });
    let s = get(h.addr, "/api/session").json();
    assert_eq!(s["version"], 0);
    assert_eq!(s["proposal"], Value::Null);
    assert_eq!(get(h.addr, "/api/scenario").error(404), "E_NO_SCENARIO");
    assert_eq!(post(h.addr, "/api/session/undo", "{}").error(404), "E_NO_SCENARIO");
    assert_eq!(get(h.addr, "/api/download/proposal.json").error(404), "E_NO_SCENARIO");
}

#[test]
fn a_scenario_that_does_not_load_stops_the_command_with_status_2() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (code, _, err) =
        run(&["serve", tmp.path().join("missing").to_str().unwrap_or_default(), "--port", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing"), "{err}");
}

/// The first row the input locks: (id, source).
fn input_locked(proposal: &Value) -> (String, String) {
    let p = proposal["projects"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["locked"].as_bool().unwrap_or(false)))
        .expect("the sample locks a row");
    (p["id"].as_str().unwrap_or_default().to_owned(), p["source"].as_str().unwrap_or_default().to_owned())
}

#[test]
fn unlocks_lift_the_sessions_own_lock_or_the_inputs() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let row_body = |kind: &str, id: &str, source: &str| {
        format!(r#"{{"{kind}": {{"id": "{id}", "source": "{source}", "reason": "lý do {kind}"}}}}"#)
    };
    // Nothing to unlock on a row nobody locked.
    assert_eq!(
        post(h.addr, "/api/session/change", &row_body("unlock", &id, &source)).error(422),
        "E_NOT_LOCKED"
    );
    // Lock, then unlock: the session's lock is lifted and the file keeps no entry for the row.
    assert_eq!(post(h.addr, "/api/session/change", &row_body("lock", &id, &source)).status, 200);
    let r = post(h.addr, "/api/session/change", &row_body("unlock", &id, &source));
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.json();
    assert_eq!(s["changes"].as_array().map(Vec::len), Some(2), "the history keeps both");
    assert_eq!(s["proposal"], plain["proposal"], "back to the plain proposal");
    let file = std::fs::read_to_string(dir.join("overrides.toml")).expect("file");
    assert!(!file.contains(&id), "{file}");
    // A row the input locks: unlocked, then its change forced to what the rules would give it.
    let (lid, lsource) = input_locked(&plain["proposal"]);
    let r = post(h.addr, "/api/session/change", &row_body("unlock", &lid, &lsource));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(row(&r.json()["proposal"], &lid, &lsource)["locked"], false);
    let file = std::fs::read_to_string(dir.join("overrides.toml")).expect("file");
    assert!(file.contains("[[unlock]]") && file.contains(&lid), "{file}");
    let (code, _, err) = run(&[
        "propose",
        dir.to_str().unwrap_or_default(),
        "--overrides",
        dir.join("overrides.toml").to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "the file the session wrote is one propose takes: {err}");
}

#[test]
fn a_change_the_pipeline_refuses_leaves_the_session_and_its_file() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let plain = get(h.addr, "/api/session").json();
    let (id, source, _) = first_donor(&plain["proposal"]);
    let lock = format!(r#"{{"lock": {{"id": "{id}", "source": "{source}", "reason": "giữ"}}}}"#);
    let kept = post(h.addr, "/api/session/change", &lock).json();
    let file = std::fs::read(dir.join("overrides.toml")).expect("file");
    // A row the input locks cannot be forced without an unlock; another cannot give more than its plan
    // less what it disbursed.
    let (lid, lsource) = input_locked(&plain["proposal"]);
    let p = row(&plain["proposal"], &lid, &lsource);
    let bodies = [
        format!(
            r#"{{"set": {{"id": "{lid}", "source": "{lsource}", "change_vnd": -1000000000, "reason": "r"}}}}"#
        ),
        format!(
            r#"{{"set": {{"id": "{id}", "source": "{source}", "change_vnd": {}, "reason": "r"}}}}"#,
            -(p["plan_vnd"].as_i64().unwrap_or(0) * 1000)
        ),
        r#"{"params": {"min_transfer": 0.5, "min_unit": 1}, "reason": "r"}"#.to_owned(),
    ];
    for body in bodies {
        let r = post(h.addr, "/api/session/change?lang=en", &body);
        assert_eq!(r.status, 422, "{body}: {}", r.text());
        let v = r.json();
        assert!(v["error"]["code"].as_str().is_some_and(|c| c.starts_with('E')), "{v}");
        assert_eq!(get(h.addr, "/api/session").json(), kept, "unchanged after {body}");
        assert_eq!(
            std::fs::read(dir.join("overrides.toml")).ok(),
            Some(file.clone()),
            "file unchanged after {body}"
        );
    }
    // The refusal names the row, with the overrides file's line in its diagnostics.
    let r = post(
        h.addr,
        "/api/session/change?lang=en",
        &format!(
            r#"{{"set": {{"id": "{lid}", "source": "{lsource}", "change_vnd": -1000000000, "reason": "r"}}}}"#
        ),
    );
    let v = r.json();
    let d = &v["error"]["diagnostics"][0];
    assert_eq!(d["file"], dir.join("overrides.toml").display().to_string(), "{v}");
    assert!(d["line"].as_u64().is_some(), "{v}");
    assert!(d["message"].as_str().unwrap_or_default().contains(&lid), "{v}");
}

#[test]
fn shutdown_ends_the_event_streams_and_stops_listening() {
    let (_tmp, dir) = sample_copy();
    let h = start(&dir);
    let addr = h.addr;
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    s.write_all(format!("GET /api/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes()).expect("write");
    let mut first = [0u8; 12];
    s.read_exact(&mut first).expect("the stream's head");
    assert_eq!(&first, b"HTTP/1.1 200");
    let started = std::time::Instant::now();
    h.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "a watching screen does not hold the server: {:?}",
        started.elapsed()
    );
    let mut rest = Vec::new();
    assert!(s.read_to_end(&mut rest).is_ok(), "the stream ends");
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
}
