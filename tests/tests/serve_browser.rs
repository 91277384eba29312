//! `realloc serve`'s page driven from headless Chromium through the Chrome DevTools Protocol, as a
//! meeting uses it: the server runs in-process on a free port over a copy of the sample scenario;
//! the test opens the page, picks a donor row, locks it with a reason, waits until the row's change
//! reads zero and the page's totals still balance (read from the DOM), and downloads the workbook,
//! which must be `realloc propose --overrides`'s byte for byte. Any console error, uncaught exception
//! or content-security-policy violation on the page fails the test. The last screenshot is kept under
//! the target folder (`serve_browser/page.png`) for a person to look at.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use realloc_cli::serve::{Config, Handle};
use realloc_tests::{copy_dir, run, sample_dir};
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// Headless Chromium, installed with apt-get when it is missing (see `realloc_tests::system_tool`).
fn chromium() -> String {
    realloc_tests::system_tool(&["chromium", "chromium-browser", "google-chrome"], "chromium").unwrap_or_else(
        || {
            panic!(
                "headless Chromium is needed to test the page of `realloc serve` and could not be found or \
                 installed; install it with `apt-get install -y chromium`"
            )
        },
    )
}

/// A Chromium process, killed when dropped.
struct Browser {
    child: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts headless Chromium with a DevTools port of its choosing; returns the process and the
/// browser's WebSocket address, read from `DevToolsActivePort` in the profile folder.
fn launch(profile: &Path) -> (Browser, String) {
    let browser = chromium();
    let child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--remote-debugging-port=0",
            "--window-size=1600,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {browser}: {e}"));
    let browser = Browser { child };
    let file = profile.join("DevToolsActivePort");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return (browser, format!("ws://127.0.0.1:{}{}", port.trim(), path.trim()));
            }
        }
        assert!(Instant::now() < deadline, "Chromium wrote no {} within a minute", file.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A small client of the DevTools Protocol: one WebSocket to the browser, commands to one page's
/// session (flat mode), events kept for later look-up.
struct Cdp {
    ws: WebSocket<TcpStream>,
    next: u64,
    session: Option<String>,
    events: Vec<Value>,
}

impl Cdp {
    fn connect(url: &str) -> Cdp {
        let authority = url.trim_start_matches("ws://").split('/').next().unwrap_or_default().to_owned();
        let stream = TcpStream::connect(&authority).unwrap_or_else(|e| panic!("connect to {authority}: {e}"));
        stream.set_read_timeout(Some(Duration::from_secs(60))).expect("read timeout");
        let (ws, _) = tungstenite::client(url, stream).unwrap_or_else(|e| panic!("DevTools handshake: {e}"));
        Cdp { ws, next: 0, session: None, events: Vec::new() }
    }

    /// Sends a command (to the page's session unless `browser`) and waits for its answer.
    fn send(&mut self, method: &str, params: Value, browser: bool) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let (false, Some(s)) = (browser, &self.session) {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap_or_else(|e| panic!("send {method}: {e}"));
        loop {
            let v = self.read();
            if v["id"].as_u64() == Some(id) {
                assert!(v.get("error").is_none(), "{method} failed: {}", v["error"]);
                return v["result"].clone();
            }
            self.events.push(v);
        }
    }

    fn read(&mut self) -> Value {
        loop {
            match self
                .ws
                .read()
                .unwrap_or_else(|e| panic!("DevTools connection (no answer within a minute?): {e}"))
            {
                Message::Text(t) => {
                    return serde_json::from_str(t.as_str()).unwrap_or_else(|e| panic!("DevTools JSON: {e}"));
                }
                Message::Close(_) => panic!("Chromium closed the DevTools connection"),
                _ => {}
            }
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, false)
    }

    /// The value of a JavaScript expression in the page (promises awaited).
    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "`{expression}` threw: {}", r["exceptionDetails"]);
        r["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy in the page; its value.
    #[track_caller]
    fn wait_for(&mut self, what: &str, expression: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self.eval(expression);
            let truthy = !matches!(&v, Value::Null | Value::Bool(false))
                && v.as_str() != Some("")
                && v.as_f64() != Some(0.0);
            if truthy {
                return v;
            }
            assert!(Instant::now() < deadline, "the page never showed {what} (`{expression}` is {v})");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Problems the page reported: console errors and warnings, uncaught exceptions, refused loads.
    fn problems(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str() {
                Some("Runtime.exceptionThrown") => Some(e["params"]["exceptionDetails"].to_string()),
                Some("Runtime.consoleAPICalled")
                    if matches!(e["params"]["type"].as_str(), Some("error" | "warning" | "assert")) =>
                {
                    Some(e["params"]["args"].to_string())
                }
                // The refusal the test provokes is logged by Chromium as a failed load.
                Some("Log.entryAdded")
                    if matches!(e["params"]["entry"]["level"].as_str(), Some("error" | "warning"))
                        && !e["params"]["entry"]["text"].as_str().unwrap_or("").contains("status of 422") =>
                {
                    Some(e["params"]["entry"]["text"].to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// Makes the page of `session` the current one, in front (input goes to the page in front).
    fn switch_to(&mut self, session: &str) {
        self.session = Some(session.to_owned());
        self.call("Page.bringToFront", json!({}));
    }

    /// Reads the events that arrived meanwhile (a no-op command flushes them).
    fn pump(&mut self) {
        let _ = self.eval("1");
    }
}

/// Opens `url` in a new page, attached in flat mode, with its console and log reported; the page's
/// session id, which becomes the client's current one.
fn open_page(cdp: &mut Cdp, url: &str) -> String {
    let target = cdp.send("Target.createTarget", json!({"url": "about:blank"}), true);
    let target_id = target["targetId"].as_str().expect("a target id").to_owned();
    let attached = cdp.send("Target.attachToTarget", json!({"targetId": target_id, "flatten": true}), true);
    let session = attached["sessionId"].as_str().expect("a session id").to_owned();
    cdp.session = Some(session.clone());
    for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
        cdp.call(domain, json!({}));
    }
    cdp.call("Page.navigate", json!({"url": url}));
    session
}

/// The scenario copied into a temp folder, and the server started on it on a free port.
fn serve_copy(bind: &str) -> (tempfile::TempDir, PathBuf, Handle) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("scenario");
    std::fs::create_dir(&dir).expect("scenario folder");
    copy_dir(Path::new(&sample_dir()), &dir).expect("copy the sample scenario");
    let bind = bind.parse().expect("an address");
    let handle =
        realloc_cli::serve::start(Config { scenario: Some(dir.clone()), port: 0, bind, ..Config::default() })
            .unwrap_or_else(|e| panic!("the server did not start: {e:#}"));
    (tmp, dir, handle)
}

/// What `realloc propose DIR --overrides FILE -o OUT` writes.
fn propose_file(dir: &Path, overrides: &Path, ext: &str) -> Vec<u8> {
    let out = dir.parent().unwrap_or(dir).join(format!("cli-proposal.{ext}"));
    let (code, _, err) = run(&[
        "propose",
        dir.to_str().unwrap_or_default(),
        "--overrides",
        overrides.to_str().unwrap_or_default(),
        "-o",
        out.to_str().unwrap_or_default(),
        "--lang",
        "vi",
    ]);
    assert_eq!(code, 0, "{err}");
    std::fs::read(&out).expect("the CLI's output")
}

/// The page's balance check: (says it balances, released, absorbed), from the DOM.
fn totals(cdp: &mut Cdp) -> (bool, i64, i64, String, String) {
    let v = cdp.eval(
        "(() => { const b = document.querySelector('[data-testid=balance]');
           return [b.dataset.ok, b.dataset.releasedVnd, b.dataset.absorbedVnd,
                   document.querySelector('[data-testid=total-released]').textContent,
                   document.querySelector('[data-testid=total-absorbed]').textContent]; })()",
    );
    let s = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
    let n = |i: usize| s(i).parse::<i64>().unwrap_or_else(|_| panic!("not a number in the totals: {v}"));
    (s(0) == "true", n(1), n(2), s(3), s(4))
}

fn screenshot(cdp: &mut Cdp, name: &str) -> PathBuf {
    // The viewport at four fifths: small enough for the README (`docs/serve.png` is `locked.png`).
    let size = cdp.eval("[window.innerWidth, window.innerHeight]");
    let clip = json!({"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 0.8});
    let shot = cdp.call("Page.captureScreenshot", json!({"format": "png", "clip": clip}));
    let png = decode_base64(shot["data"].as_str().unwrap_or_default());
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve_browser");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("keep the screenshot");
    path
}

/// Standard base64 (the screenshot's encoding).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for v in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn a_meeting_locks_a_donor_and_takes_the_workbook_away() {
    let (tmp, dir, server) = serve_copy("127.0.0.1");
    let (_browser, ws_url) = launch(&tmp.path().join("profile"));
    let mut cdp = Cdp::connect(&ws_url);

    // The meeting room's screen; downloads go to a folder of the test.
    let room = open_page(&mut cdp, &server.url());
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir(&downloads).expect("downloads folder");
    cdp.send(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.to_str(), "eventsEnabled": true}),
        true,
    );

    // The page shows the proposal, and it balances.
    let rows =
        cdp.wait_for("the donors and recipients", "document.querySelectorAll('[data-testid=row]').length");
    assert!(rows.as_u64().unwrap_or(0) > 10, "too few rows shown: {rows}");
    let (ok, released, absorbed, released_text, absorbed_text) = totals(&mut cdp);
    assert!(
        ok && released == absorbed && released > 0,
        "the first proposal does not balance: {released} ≠ {absorbed}"
    );
    assert_eq!(released_text, absorbed_text);
    cdp.wait_for(
        "a live connection",
        "document.querySelector('[data-testid=live]').classList.contains('on')",
    );

    // A second screen (a laptop) on the same session.
    let laptop = open_page(&mut cdp, &server.url());
    cdp.wait_for("the second screen", "document.querySelectorAll('[data-testid=row]').length");
    cdp.wait_for(
        "the second screen live",
        "document.querySelector('[data-testid=live]').classList.contains('on')",
    );
    cdp.switch_to(&room);

    // A donor that is not locked; its row is clicked, the reason typed, the lock pressed.
    let donor = cdp.eval(
        "(() => { const r = [...document.querySelectorAll('[data-testid=row]')]
             .find(r => Number(r.dataset.changeVnd) < 0 && r.dataset.locked === 'false');
           return r ? [r.dataset.id, r.dataset.source, r.dataset.changeVnd] : null; })()",
    );
    let id = donor[0].as_str().expect("a donor row").to_owned();
    let source = donor[1].as_str().expect("its source").to_owned();
    let row =
        format!("document.querySelector('[data-testid=row][data-id=\"{id}\"][data-source=\"{source}\"]')");
    cdp.eval(&format!("{row}.click()"));
    cdp.wait_for("the row's panel", "document.querySelector('[data-testid=lock-form]') !== null");
    // A lock without a reason is refused beside the form, and nothing changes.
    cdp.eval("document.querySelector('[data-testid=lock]').click()");
    cdp.wait_for("the missing reason", "document.querySelector('[data-testid=panel-error]') !== null");
    assert_eq!(cdp.eval("document.querySelectorAll('[data-testid=moved-item]').length"), json!(0));
    cdp.eval("document.querySelector('[data-testid=lock-reason]').focus()");
    cdp.call("Input.insertText", json!({"text": "Giữ nguyên theo chỉ đạo của Chủ tịch UBND tỉnh"}));
    cdp.eval("document.querySelector('[data-testid=lock]').click()");

    // Its change goes to zero, it reads as locked, it is among the rows that moved; the totals balance.
    cdp.wait_for(
        "the donor locked at zero",
        &format!("{row} && {row}.dataset.changeVnd === '0' && {row}.dataset.locked === 'true'"),
    );
    assert_eq!(
        cdp.eval("document.querySelector('[data-testid=panel-change]').dataset.changeVnd"),
        json!("0"),
        "the side panel shows the new change"
    );
    let moved =
        cdp.eval("[...document.querySelectorAll('[data-testid=moved-item]')].map(a => a.textContent)");
    assert!(
        moved.as_array().is_some_and(|m| m.iter().any(|t| t.as_str().unwrap_or("").starts_with(&id))),
        "{id} is not among the rows that moved: {moved}"
    );
    let (ok, released2, absorbed2, released_text, absorbed_text) = totals(&mut cdp);
    assert!(ok, "the page says the totals do not balance after the lock");
    assert_eq!(released2, absorbed2, "released and absorbed after the lock");
    assert_eq!(released_text, absorbed_text);
    let page_released: i64 = cdp
        .eval(
            "[...document.querySelectorAll('[data-testid=row]')]
               .map(r => Number(r.dataset.changeVnd)).filter(c => c < 0).reduce((a, c) => a - c, 0)",
        )
        .as_i64()
        .expect("a sum");
    assert!(
        page_released <= released2,
        "the rows shown release more than the total: {page_released} > {released2}"
    );
    let overrides = dir.join("overrides.toml");
    let file = std::fs::read_to_string(&overrides).expect("the session's overrides file");
    assert!(
        file.contains("[[lock]]") && file.contains(&id),
        "the lock is not in the overrides file:\n{file}"
    );
    cdp.eval("document.activeElement.blur(); window.scrollTo(0, 0)");
    screenshot(&mut cdp, "locked.png");

    // A laptop that opened the session before the lock follows it.
    cdp.switch_to(&laptop);
    cdp.wait_for(
        "the lock on the second screen",
        &format!("{row} && {row}.dataset.changeVnd === '0' && {row}.dataset.locked === 'true'"),
    );
    let (ok, released_laptop, _, _, _) = totals(&mut cdp);
    assert!(ok && released_laptop == released2, "the second screen's totals differ from the first's");
    cdp.switch_to(&room);

    // A change the server refuses (a forced cut beyond what the row holds) is shown beside the form,
    // in the page's language, and changes nothing.
    cdp.eval(&format!("{row}.click()"));
    cdp.wait_for("the row's panel again", "document.querySelector('[data-testid=set-form]') !== null");
    cdp.eval("document.querySelector('[data-testid=set-amount]').focus()");
    cdp.call("Input.insertText", json!({"text": "-99999999"}));
    cdp.eval("document.querySelector('[data-testid=set-reason]').focus()");
    cdp.call("Input.insertText", json!({"text": "Thử cắt giảm quá mức"}));
    cdp.eval("document.querySelector('[data-testid=set]').click()");
    let refused = cdp.wait_for(
        "the server's refusal beside the form",
        "(document.querySelector('[data-testid=panel-error]') || {}).textContent",
    );
    assert!(refused.as_str().is_some_and(|t| t.chars().count() > 10), "no message in the refusal: {refused}");
    assert_eq!(
        cdp.eval("document.querySelector('[data-testid=set-reason]').value"),
        json!("Thử cắt giảm quá mức"),
        "the typed reason is kept for a correction"
    );
    let (ok, released3, absorbed3, _, _) = totals(&mut cdp);
    assert!(ok && (released3, absorbed3) == (released2, absorbed2), "a refused change moved the totals");

    // The session's list of changes, then the workbook.
    cdp.eval("document.querySelector('[data-testid=tab-session]').click()");
    cdp.wait_for(
        "the change in the session's list",
        "document.querySelectorAll('[data-testid=change]').length === 1",
    );
    let listed = cdp.eval("document.querySelector('[data-testid=change]').textContent");
    assert!(listed.as_str().is_some_and(|t| t.contains(&id) && t.contains("Chủ tịch UBND")), "{listed}");
    cdp.eval("document.querySelector('[data-testid=download-xlsx]').click()");
    let path = downloads.join("proposal.xlsx");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        cdp.pump();
        let done = cdp
            .events
            .iter()
            .any(|e| e["method"] == "Browser.downloadProgress" && e["params"]["state"] == "completed");
        if done && path.exists() {
            break;
        }
        assert!(
            !cdp.events
                .iter()
                .any(|e| e["method"] == "Browser.downloadProgress" && e["params"]["state"] == "canceled"),
            "the download was canceled"
        );
        assert!(Instant::now() < deadline, "no proposal.xlsx in {} within a minute", downloads.display());
        std::thread::sleep(Duration::from_millis(100));
    }
    let bytes = std::fs::read(&path).expect("the downloaded workbook");
    assert!(bytes.starts_with(b"PK\x03\x04"), "the download is not a zip (xlsx)");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a valid zip");
    assert!(zip.by_name("xl/workbook.xml").is_ok(), "the zip is not a workbook");
    assert!(
        bytes == propose_file(&dir, &overrides, "xlsx"),
        "the download is `propose --overrides`'s workbook byte for byte"
    );

    // An unfilled workbook from `realloc template` is refused with its problems listed by sheet, and
    // the session keeps its scenario.
    let template = tmp.path().join("empty.xlsx");
    let (code, _, err) = run(&["template", "-o", template.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{err}");
    cdp.eval("document.querySelector('[data-testid=tab-upload]').click()");
    cdp.wait_for("the upload view", "document.querySelector('[data-testid=upload-file]') !== null");
    let root = cdp.call("DOM.getDocument", json!({}));
    let input = cdp.call(
        "DOM.querySelector",
        json!({"nodeId": root["root"]["nodeId"], "selector": "[data-testid=upload-file]"}),
    );
    cdp.call("DOM.setFileInputFiles", json!({"nodeId": input["nodeId"], "files": [template.to_str()]}));
    let listed = cdp.wait_for(
        "the workbook's problems",
        "document.querySelectorAll('[data-testid=upload-error] [data-testid=diagnostics] tbody tr').length",
    );
    assert!(listed.as_u64().unwrap_or(0) >= 1, "{listed}");
    let text = cdp.eval("document.querySelector('[data-testid=upload-error]').textContent");
    assert!(text.as_str().is_some_and(|t| t.contains("Thiết lập")), "the sheet is not named: {text}");
    let (ok, released4, _, _, _) = totals(&mut cdp);
    assert!(ok && released4 == released2, "a refused workbook changed the session");
    screenshot(&mut cdp, "upload-refused.png");

    // Every view in both languages, for a person to look at.
    for lang in ["vi", "en"] {
        for tab in ["summary", "groups", "transfers", "constraints", "session", "upload", "projects"] {
            cdp.eval(&format!("document.querySelector('[data-testid=tab-{tab}]').click()"));
            cdp.wait_for(
                tab,
                &format!("document.querySelector('[data-testid=tab-{tab}]').classList.contains('active')"),
            );
            screenshot(&mut cdp, &format!("{tab}-{lang}.png"));
        }
        cdp.eval("document.querySelector('[data-testid=lang]').click()");
        cdp.wait_for("the other language", &format!("document.documentElement.lang !== '{lang}'"));
    }

    let problems = {
        cdp.pump();
        cdp.problems()
    };
    assert!(problems.is_empty(), "the page reported problems:\n{}", problems.join("\n"));
    drop(cdp);
    server.shutdown();
}

/// Bound beyond this computer, the session needs its token: the page opened at the printed address
/// (`?token=`) loads, sends the token with every request, follows the events, and offers downloads
/// that carry it.
#[test]
fn the_page_works_with_the_token_it_was_opened_with() {
    let (tmp, _dir, server) = serve_copy("0.0.0.0");
    let token = server.token.clone().expect("a token beyond loopback");
    let (_browser, ws_url) = launch(&tmp.path().join("profile"));
    let mut cdp = Cdp::connect(&ws_url);
    open_page(&mut cdp, &server.url().replace("localhost", "127.0.0.1"));
    let rows = cdp.wait_for("the proposal", "document.querySelectorAll('[data-testid=row]').length");
    assert!(rows.as_u64().unwrap_or(0) > 10, "{rows}");
    cdp.wait_for(
        "a live connection",
        "document.querySelector('[data-testid=live]').classList.contains('on')",
    );
    cdp.eval("document.querySelector('[data-testid=tab-session]').click()");
    let href =
        cdp.wait_for("the downloads", "(document.querySelector('[data-testid=download-xlsx]') || {}).href");
    assert!(href.as_str().is_some_and(|h| h.contains(&format!("token={token}"))), "{href}");
    // The same page without the token is refused by the server, and says so.
    open_page(&mut cdp, &format!("http://127.0.0.1:{}/assets/app.js", server.addr.port()));
    cdp.wait_for("the script served", "document.body && document.body.textContent.includes('realloc serve')");
    cdp.pump();
    let problems = cdp.problems();
    assert!(problems.is_empty(), "the page reported problems:\n{}", problems.join("\n"));
    drop(cdp);
    server.shutdown();
}
