//! The HTML document rendered in headless Chromium (Debian's `chromium`): the test fails on a blank
//! page, a page without its text, or any console message. The screenshots are kept under the target
//! folder for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use realloc::report::Lang;
use realloc_tests::fixture_document_with_authorities;

/// What Chromium made of a page.
struct Rendered {
    dom: String,
    png: Vec<u8>,
    stderr: String,
}

/// Headless Chromium, installed with apt-get when it is missing (see `realloc_tests::system_tool`).
fn chromium() -> String {
    realloc_tests::system_tool(&["chromium", "chromium-browser", "google-chrome"], "chromium").unwrap_or_else(
        || {
            panic!(
                "headless Chromium is needed to test the HTML document and could not be found or installed; \
                 install it with `apt-get install -y chromium`"
            )
        },
    )
}

fn run(browser: &str, profile: &Path, extra: &[String], url: &str) -> (Vec<u8>, String) {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd.args(extra);
    cmd.arg(url);
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {browser}: {e}"));
    assert!(out.status.success(), "{browser} failed: {}", String::from_utf8_lossy(&out.stderr));
    (out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Renders `html` to a screenshot (kept at `shot`) and a DOM dump.
fn render(html: &str, shot: &Path) -> Rendered {
    let browser = &chromium();
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("page.html");
    std::fs::write(&page, html).expect("write page");
    let url = format!("file://{}", page.display());
    let (_, shot_log) = run(
        browser,
        &dir.path().join("profile-shot"),
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,2400".to_owned()],
        &url,
    );
    let (dom, dom_log) = run(browser, &dir.path().join("profile-dom"), &["--dump-dom".to_owned()], &url);
    let png = std::fs::read(shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    Rendered { dom: String::from_utf8_lossy(&dom).into_owned(), png, stderr: shot_log + &dom_log }
}

/// Lines of Chromium's log that report a console message or an error loading the page.
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught") || l.contains("net::ERR_"))
        .collect()
}

/// Share of sampled pixels that are not (near) white, from the decoded screenshot.
fn ink(png: &[u8]) -> f64 {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let (mut inked, mut total) = (0usize, 0usize);
    for px in pixels.chunks(channels).step_by(7) {
        total += 1;
        if px.iter().take(3).any(|&c| c < 200) {
            inked += 1;
        }
    }
    inked as f64 / total.max(1) as f64
}

fn shot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("documents_html");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir.join(name)
}

#[track_caller]
fn check(lang: Lang, expected: &[&str]) {
    let html = fixture_document_with_authorities().to_html(lang);
    let shot = shot_path(&format!("proposal-{}.png", lang.code()));
    // The page itself is kept beside its screenshot for a person to open.
    std::fs::write(shot.with_extension("html"), &html).expect("keep the page");
    let r = render(&html, &shot);
    let console = console_messages(&r.stderr);
    assert!(console.is_empty(), "console messages for {lang:?}:\n{}", console.join("\n"));
    for text in expected {
        assert!(r.dom.contains(text), "`{text}` not in the rendered {lang:?} page");
    }
    assert_eq!(r.dom.matches("<svg").count(), 3, "three charts in the rendered page");
    let ink = ink(&r.png);
    assert!(ink > 0.03, "the {lang:?} page looks blank ({:.2}% ink), see {}", ink * 100.0, shot.display());
}

#[test]
fn vietnamese_page_renders_with_text_and_charts() {
    check(
        Lang::Vi,
        &[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "TỜ TRÌNH",
            "Kính gửi",
            "74.700",
            "30/09/2025",
            "Xã Đồng Đăng",
            "PHỤ LỤC I",
            "Kế hoạch sau điều chỉnh",
            "Nơi nhận",
        ],
    );
}

#[test]
fn english_page_renders_with_text_and_charts() {
    check(Lang::En, &["PROPOSAL", "74,700", "30 September 2025", "Capital cut and added", "APPENDIX I"]);
}

/// The checks above can fail: a blank page and a page that logs to the console are caught.
#[test]
fn the_checks_catch_a_blank_page_and_a_console_error() {
    let blank = render("<!DOCTYPE html><html><body></body></html>", &shot_path("blank.png"));
    assert!(ink(&blank.png) < 0.001, "a blank page has no ink");
    let noisy = render(
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('broken chart')</script></body></html>",
        &shot_path("noisy.png"),
    );
    assert!(
        console_messages(&noisy.stderr).iter().any(|l| l.contains("broken chart")),
        "a console error is seen:\n{}",
        noisy.stderr
    );
}
