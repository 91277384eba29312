//! The HTTP side of the session: the routes of the JSON API and the page, the checks every request
//! passes (host, token, origin, content type, size) and the error body. Proposals and documents are
//! made on blocking threads; one change at a time (a gate), while readers see the last session whole.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use realloc::load::LoadOptions;
use realloc::overrides::{Lock, Overrides, SetChange, Unlock};
use realloc::report::{DocumentFormat, Lang};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use super::session::{Base, Change, ChangeKind, Current, Failure, Session, With, no_scenario, now, say};

/// The largest JSON body taken: 1 MiB.
pub const MAX_JSON_BYTES: usize = 1 << 20;
/// The largest workbook uploaded: the loader's limit for an input file.
pub const MAX_UPLOAD_BYTES: usize = realloc::load::MAX_FILE_BYTES as usize;
/// The media type of an uploaded workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The page's files, inside the binary.
const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The page's policy: its own files only, nothing from elsewhere, never framed.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What every request is served from.
#[derive(Debug)]
pub struct App {
    /// The session as last changed; readers clone the `Arc`.
    session: RwLock<Arc<Session>>,
    /// One change (or undo, or upload) at a time.
    gate: tokio::sync::Mutex<()>,
    /// The session's version after each change, for the screens watching.
    events: broadcast::Sender<u64>,
    /// Fires when the server stops (ends the event streams).
    stopping: watch::Receiver<bool>,
    /// The token every request must carry, when bound beyond loopback.
    token: Option<String>,
    /// Bound to a loopback address: the Host header must then name one (no DNS rebinding).
    loopback: bool,
    /// The language of messages and documents when a request does not say.
    lang: Lang,
    /// The `--rules` file.
    rules_file: Option<PathBuf>,
    /// Where an uploaded workbook is kept when the session has no scenario folder.
    upload_dir: PathBuf,
}

impl App {
    /// The application over `session`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        session: Session,
        stopping: watch::Receiver<bool>,
        token: Option<String>,
        loopback: bool,
        lang: Lang,
        rules_file: Option<PathBuf>,
        upload_dir: PathBuf,
    ) -> App {
        App {
            session: RwLock::new(Arc::new(session)),
            gate: tokio::sync::Mutex::new(()),
            events: broadcast::channel(64).0,
            stopping,
            token,
            loopback,
            lang,
            rules_file,
            upload_dir,
        }
    }

    /// The session as it is now.
    fn snapshot(&self) -> Arc<Session> {
        match self.session.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts `session` in place and tells every screen.
    fn replace(&self, session: Session) -> Arc<Session> {
        let version = session.version;
        let session = Arc::new(session);
        let old = match self.session.write() {
            Ok(mut s) => std::mem::replace(&mut *s, session.clone()),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), session.clone()),
        };
        // No screen watching is no error.
        let _ = self.events.send(version);
        later(old);
        session
    }
}

/// Drops `value` on a thread of its own: a national proposal is millions of small allocations, whose
/// freeing nobody needs to wait for (as `propose` does).
fn later<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// The router of the API and the page.
pub fn router(app: Arc<App>) -> Router {
    let json_limit = DefaultBodyLimit::max(MAX_JSON_BYTES);
    Router::new()
        .route("/", get(page))
        .route("/index.html", get(page))
        .route("/assets/app.js", get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }))
        .route("/assets/app.css", get(|| async { asset(APP_CSS, "text/css; charset=utf-8") }))
        // A browser asks for an icon for any address without one (the page names its own): no content.
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route("/api/scenario", get(scenario))
        .route("/api/session", get(session))
        .route("/api/session/change", post(change).layer(json_limit))
        .route("/api/session/undo", post(undo).layer(json_limit))
        .route("/api/propose", post(propose).layer(json_limit))
        .route("/api/explain", get(explain))
        .route("/api/download/{file}", get(download))
        .route("/api/overrides.toml", get(overrides_file))
        .route("/api/upload", post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/api/events", get(events))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The error body: `{"error": {"code", "message", "diagnostics": [...]}}`.
fn failure(f: Failure, lang: Lang) -> Response {
    let diagnostics: Vec<serde_json::Value> = f
        .diagnostics
        .iter()
        .map(|d| {
            let column = match &d.location {
                realloc::diag::Location::Position { column, .. } => serde_json::json!(column),
                realloc::diag::Location::Field { column, .. } => serde_json::json!(column),
                realloc::diag::Location::Cell { column, .. } => serde_json::json!(column),
                _ => serde_json::Value::Null,
            };
            let sheet = match &d.location {
                realloc::diag::Location::Cell { sheet, .. } => serde_json::json!(sheet),
                _ => serde_json::Value::Null,
            };
            let message = if lang == Lang::Vi { &d.message_vi } else { &d.message };
            serde_json::json!({
                "file": d.file,
                "sheet": sheet,
                "line": d.line(),
                "column": column,
                "message": message,
                "code": (!d.code.is_empty()).then_some(d.code),
                "severity": if d.severity == realloc::diag::Severity::Warning { "warning" } else { "error" },
                "text": d.render(lang),
            })
        })
        .collect();
    let body = serde_json::json!({
        "error": { "code": f.code, "message": f.message, "diagnostics": diagnostics }
    });
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    json_response(status, serde_json::to_vec(&body).unwrap_or_default())
}

/// A JSON answer.
fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The query string as pairs; a query that does not parse is a 400.
type Pairs = Vec<(String, String)>;

/// Parameters every request may carry, and the language they choose.
fn lang_of(app: &App, query: &Pairs) -> Result<Lang, Failure> {
    match query.iter().rev().find(|(k, _)| k == "lang").map(|(_, v)| v.as_str()) {
        None => Ok(app.lang),
        Some("vi") => Ok(Lang::Vi),
        Some("en") => Ok(Lang::En),
        Some(other) => Err(Failure::new(
            400,
            "E_QUERY",
            format!("lang=`{other}`: expected `vi` or `en` (ngôn ngữ: `vi` hoặc `en`)"),
        )),
    }
}

/// Refuses query parameters a route does not take (`token` and `lang` are taken everywhere).
fn only(query: &Pairs, known: &[&str], lang: Lang) -> Result<(), Failure> {
    for (k, _) in query {
        if k != "token" && k != "lang" && !known.contains(&k.as_str()) {
            let expected: Vec<&str> = known.iter().copied().chain(["lang", "token"]).collect();
            return Err(Failure::new(
                400,
                "E_QUERY",
                say(
                    lang,
                    format!("unknown query parameter `{k}`; expected: {}", expected.join(", ")),
                    format!("tham số `{k}` không được nhận; cần: {}", expected.join(", ")),
                ),
            ));
        }
    }
    Ok(())
}

/// The query pairs of `uri`; a query that does not parse is a 400.
fn query_of(uri: &axum::http::Uri) -> Result<Pairs, Failure> {
    Query::<Pairs>::try_from_uri(uri)
        .map(|Query(p)| p)
        .map_err(|e| Failure::new(400, "E_QUERY", format!("the query string does not parse: {e}")))
}

/// A JSON body of type `T`; malformed JSON, a field not known or a value of the wrong type is a 400
/// saying where.
fn parse_json<T: for<'de> Deserialize<'de>>(
    body: Result<Bytes, BytesRejection>,
    lang: Lang,
) -> Result<T, Failure> {
    let bytes = body.map_err(|e| rejection(e, lang))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::new(
            400,
            "E_JSON",
            say(
                lang,
                format!("the request body is not the JSON expected: {e}"),
                format!("nội dung yêu cầu không phải JSON như cần: {e}"),
            ),
        )
    })
}

/// A body that could not be read: too large (413) or cut short (400).
fn rejection(e: BytesRejection, lang: Lang) -> Failure {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Failure::new(
            413,
            "E_TOO_LARGE",
            say(
                lang,
                format!(
                    "the request body is too large: at most {} MiB for JSON, {} MiB for a workbook",
                    MAX_JSON_BYTES >> 20,
                    MAX_UPLOAD_BYTES >> 20
                ),
                format!(
                    "nội dung yêu cầu quá lớn: tối đa {} MiB với JSON, {} MiB với sổ Excel",
                    MAX_JSON_BYTES >> 20,
                    MAX_UPLOAD_BYTES >> 20
                ),
            ),
        )
    } else {
        Failure::new(400, "E_BODY", format!("the request body cannot be read: {e}"))
    }
}

/// Runs `f` on a blocking thread (proposals and documents take milliseconds to a second).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(Failure::unprocessable("E_PROPOSE", format!("the proposal stopped: {e}"))))
}

/// Every request: the host (loopback), the token, the origin, a POST's content type; then the
/// headers of the answer (no caching of the API, the page's policy).
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let lang = query_of(request.uri()).ok().and_then(|q| lang_of(&app, &q).ok()).unwrap_or(app.lang);
    if let Err(f) = check(&app, request.method(), request.uri(), request.headers(), lang) {
        let mut r = failure(f, lang);
        no_store(&mut r);
        return r;
    }
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        response = failure(
            Failure::new(
                405,
                "E_METHOD",
                say(
                    lang,
                    format!("{path} does not take this method"),
                    format!("{path} không nhận phương thức này"),
                ),
            ),
            lang,
        );
    }
    let h = response.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if path.starts_with("/api/") {
        no_store(&mut response);
    } else {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    }
    response
}

fn no_store(r: &mut Response) {
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The checks of [`guard`].
fn check(
    app: &App,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<(), Failure> {
    let forbidden =
        |en: &str, vi: &str| Failure::new(403, "E_FORBIDDEN", say(lang, en.to_owned(), vi.to_owned()));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if app.loopback && !is_loopback_host(host) {
        return Err(forbidden(
            "refused: this session listens on this computer only and answers requests for localhost",
            "từ chối: phiên họp chỉ nghe trên máy này và chỉ trả lời yêu cầu gửi tới localhost",
        ));
    }
    // The page's script and style hold no data, and the page cannot add the token to their addresses
    // (its address carries it; its policy allows no inline script), so they are served without it;
    // so is the browser's own request for an icon, which is answered with nothing.
    let asset =
        method == Method::GET && matches!(uri.path(), "/assets/app.js" | "/assets/app.css" | "/favicon.ico");
    if let (Some(token), false) = (&app.token, asset) {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim);
        let query = query_of(uri).unwrap_or_default();
        let given =
            bearer.or_else(|| query.iter().rev().find(|(k, _)| k == "token").map(|(_, v)| v.as_str()));
        if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
            return Err(forbidden(
                "refused: a token is required (the one `realloc serve` printed): `Authorization: Bearer TOKEN` or `?token=TOKEN`",
                "từ chối: cần mã truy cập (mã `realloc serve` đã in ra): `Authorization: Bearer TOKEN` hoặc `?token=TOKEN`",
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
        if authority.is_none_or(|a| !a.eq_ignore_ascii_case(host)) {
            return Err(forbidden(
                "refused: a cross-site request (its Origin is not this server)",
                "từ chối: yêu cầu từ trang khác (Origin không phải máy chủ này)",
            ));
        }
    }
    if method == Method::POST {
        let wanted = if uri.path() == "/api/upload" { XLSX_TYPE } else { "application/json" };
        let given = headers.get(header::CONTENT_TYPE).and_then(|h| h.to_str().ok()).unwrap_or("");
        let essence = given.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case(wanted) {
            return Err(Failure::new(
                415,
                "E_CONTENT_TYPE",
                say(
                    lang,
                    format!("refused: this POST needs `Content-Type: {wanted}`, found `{given}`"),
                    format!("từ chối: yêu cầu POST này cần `Content-Type: {wanted}`, nhận được `{given}`"),
                ),
            ));
        }
    }
    Ok(())
}

/// True when `host` (a Host header: name and port) names this computer.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Compares two secrets in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A file of the page.
fn asset(text: &'static str, content_type: &'static str) -> Response {
    let mut r = text.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

async fn page() -> Response {
    asset(INDEX_HTML, "text/html; charset=utf-8")
}

async fn not_found(State(app): State<Arc<App>>, request: Request) -> Response {
    let lang = query_of(request.uri()).ok().and_then(|q| lang_of(&app, &q).ok()).unwrap_or(app.lang);
    let path = request.uri().path().to_owned();
    failure(
        Failure::new(
            404,
            "E_NOT_FOUND",
            say(lang, format!("no such address: {path}"), format!("không có địa chỉ này: {path}")),
        ),
        lang,
    )
}

/// The request's language and the session's current proposal, or the failure to answer.
fn current_of(
    app: &App,
    uri: &axum::http::Uri,
    known: &[&str],
) -> Result<(Lang, Pairs, Arc<Current>), (Failure, Lang)> {
    let (lang, query) = ask(app, uri, known)?;
    let session = app.snapshot();
    let current = session.current.clone().ok_or_else(|| (no_scenario(lang), lang))?;
    Ok((lang, query, current))
}

/// The request's query and language, the query holding only `known` parameters (and `lang`, `token`).
fn ask(app: &App, uri: &axum::http::Uri, known: &[&str]) -> Result<(Lang, Pairs), (Failure, Lang)> {
    let query = query_of(uri).map_err(|f| (f, app.lang))?;
    let lang = lang_of(app, &query).map_err(|f| (f, app.lang))?;
    only(&query, known, lang).map_err(|f| (f, lang))?;
    Ok((lang, query))
}

macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err((f, lang)) => return failure(f, lang),
        }
    };
}

/// A rules parameter as `GET /api/scenario` lists it.
#[derive(Debug, Serialize)]
struct ParamJson {
    name: String,
    value: Option<f64>,
    default: Option<f64>,
    label_vi: String,
    label_en: String,
}

/// The body of `GET /api/scenario`.
#[derive(Debug, Serialize)]
struct ScenarioJson<'a> {
    schema_version: u32,
    scenario: &'a str,
    province: &'a str,
    fiscal_year: i32,
    as_of: chrono::NaiveDate,
    deadline: chrono::NaiveDate,
    rows: usize,
    rules: &'a str,
    sources: &'a [realloc::report::SourceSummary],
    params: Vec<ParamJson>,
    warnings: &'a [String],
}

/// `GET /api/scenario`.
async fn scenario(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    let (lang, _) = attempt!(ask(&app, &uri, &[]));
    let session = app.snapshot();
    let Some(current) = &session.current else { return failure(no_scenario(lang), lang) };
    let doc = &current.document;
    let as_of = current.scenario.meta.as_of;
    let plain = session.base.as_ref().and_then(|b| b.plain_rules.as_ref()).unwrap_or(&current.rules);
    let params = plain
        .param_names()
        .into_iter()
        .map(|name| {
            let (label_vi, label_en) = param_label(&name);
            ParamJson {
                value: current.rules.param_value(&name, as_of),
                default: plain.param_value(&name, as_of),
                name,
                label_vi,
                label_en,
            }
        })
        .collect();
    let body = ScenarioJson {
        schema_version: realloc::contract::SCHEMA_VERSION,
        scenario: &doc.scenario,
        province: &doc.province,
        fiscal_year: doc.fiscal_year,
        as_of: doc.as_of,
        deadline: doc.deadline,
        rows: current.scenario.portfolio.len(),
        rules: &doc.manifest.rules,
        sources: &doc.sources,
        params,
        warnings: &current.warnings,
    };
    json_response(StatusCode::OK, serde_json::to_vec(&body).unwrap_or_default())
}

/// The words of a rules parameter; a `[params]` entry is shown by its name.
fn param_label(name: &str) -> (String, String) {
    let (vi, en) = match name {
        "min_transfer" => ("Mức điều chuyển tối thiểu (triệu đồng)", "Smallest transfer (million VND)"),
        "min_unit" => ("Đơn vị làm tròn (triệu đồng)", "Rounding unit (million VND)"),
        "locality_cap" => ("Tỷ lệ tối đa một xã, phường bị giảm", "Largest share a locality may lose"),
        "investor_cap" => ("Tỷ lệ tối đa một chủ đầu tư bị giảm", "Largest share an investor may lose"),
        "pool_move_cap" => {
            ("Mức điều chuyển tối đa mỗi nguồn (triệu đồng)", "Most moved per pool (million VND)")
        }
        other => (other, other),
    };
    (vi.to_owned(), en.to_owned())
}

/// `GET /api/session`.
async fn session(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    attempt!(ask(&app, &uri, &[]));
    let s = app.snapshot();
    json_response(StatusCode::OK, s.json())
}

/// A row named in a body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowBody {
    id: String,
    source: String,
    #[serde(default)]
    reason: String,
}

/// A forced or capped change named in a body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetBody {
    id: String,
    source: String,
    #[serde(default)]
    change_vnd: Option<i64>,
    #[serde(default)]
    max_change_vnd: Option<i64>,
    #[serde(default)]
    reason: String,
}

/// The body of `POST /api/session/change`: exactly one of the four.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    lock: Option<RowBody>,
    unlock: Option<RowBody>,
    set: Option<SetBody>,
    params: Option<BTreeMap<String, f64>>,
    reason: Option<String>,
}

/// The body of `POST /api/propose`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ProposeBody {
    lock: Vec<RowBody>,
    unlock: Vec<RowBody>,
    set: Vec<SetBody>,
    params: BTreeMap<String, f64>,
}

/// A 400 about the shape of a body.
fn shape(lang: Lang, en: &str, vi: &str) -> Failure {
    Failure::new(400, "E_JSON", say(lang, en.to_owned(), vi.to_owned()))
}

/// A reason, required of a change made in the session.
fn reason(text: &str, lang: Lang) -> Result<String, Failure> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Failure::unprocessable(
            "E_REASON",
            say(
                lang,
                "a reason is required: say why the meeting makes this change".to_owned(),
                "cần ghi lý do: vì sao phiên họp điều chỉnh như vậy".to_owned(),
            ),
        ));
    }
    Ok(t.to_owned())
}

/// The forced change or the cap of a set, exactly one.
fn set_amounts(
    s: &SetBody,
    lang: Lang,
) -> Result<(Option<realloc::money::Money>, Option<realloc::money::Money>), Failure> {
    match (s.change_vnd, s.max_change_vnd) {
        (Some(_), Some(_)) | (None, None) => Err(shape(
            lang,
            "`set` takes exactly one of `change_vnd` and `max_change_vnd` (whole đồng)",
            "`set` cần đúng một trong hai `change_vnd` và `max_change_vnd` (đồng)",
        )),
        (c, m) => Ok((c.map(realloc::money::Money::from_dong), m.map(realloc::money::Money::from_dong))),
    }
}

/// Checks the parameters against the rules (names they know, values they take).
fn check_params(current: &Current, params: &BTreeMap<String, f64>) -> Result<(), Failure> {
    for (name, value) in params {
        current
            .rules
            .with_param(name, *value)
            .map_err(|e| Failure::unprocessable("E_PARAM", e.to_string()))?;
    }
    Ok(())
}

impl ChangeBody {
    /// The change this body asks for, checked against the scenario and the rules.
    fn change(self, current: &Current, lang: Lang) -> Result<Change, Failure> {
        let given = [self.lock.is_some(), self.unlock.is_some(), self.set.is_some(), self.params.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(shape(
                lang,
                "the body takes exactly one of `lock`, `unlock`, `set` and `params`",
                "nội dung cần đúng một trong `lock`, `unlock`, `set` và `params`",
            ));
        }
        if self.reason.is_some() && self.params.is_none() {
            return Err(shape(
                lang,
                "`reason` stands beside `params` only; a lock, unlock or set carries its own",
                "`reason` chỉ đứng cạnh `params`; lock, unlock và set tự ghi lý do của mình",
            ));
        }
        let at = Some(now());
        if let Some(r) = self.lock.or(self.unlock.clone()) {
            let (row, source) = current.row(&r.id, &r.source, lang)?;
            let reason = reason(&r.reason, lang)?;
            let locked = current.document.projects.get(row).is_some_and(|p| p.locked);
            if self.unlock.is_some() && !locked {
                return Err(Failure::unprocessable(
                    "E_NOT_LOCKED",
                    say(
                        lang,
                        format!("`{}` {source} is not locked: there is nothing to unlock", r.id),
                        format!("`{}` {source} không bị khóa: không có gì để mở khóa", r.id),
                    ),
                ));
            }
            let kind = if self.unlock.is_some() {
                ChangeKind::Unlock { id: r.id, source }
            } else {
                ChangeKind::Lock { id: r.id, source }
            };
            return Ok(Change { kind, reason, at });
        }
        if let Some(s) = self.set {
            let (_, source) = current.row(&s.id, &s.source, lang)?;
            let (change, max_change) = set_amounts(&s, lang)?;
            let reason = reason(&s.reason, lang)?;
            return Ok(Change { kind: ChangeKind::Set { id: s.id, source, change, max_change }, reason, at });
        }
        let params = self.params.unwrap_or_default();
        if params.is_empty() {
            return Err(shape(lang, "`params` names no parameter", "`params` không nêu tham số nào"));
        }
        check_params(current, &params)?;
        let reason = reason(self.reason.as_deref().unwrap_or(""), lang)?;
        Ok(Change { kind: ChangeKind::Params(params), reason, at })
    }
}

impl Clone for RowBody {
    fn clone(&self) -> Self {
        RowBody { id: self.id.clone(), source: self.source.clone(), reason: self.reason.clone() }
    }
}

/// Applies `changes` to the session (re-proposes, writes the file, tells the screens) and answers
/// with the session.
async fn apply(app: &Arc<App>, session: Arc<Session>, changes: Vec<Change>) -> Result<Response, Failure> {
    let next = blocking(move || session.with_changes(changes)).await?;
    let s = app.replace(next);
    Ok(json_response(StatusCode::OK, s.json()))
}

/// `POST /api/session/change`.
async fn change(
    State(app): State<Arc<App>>,
    uri: axum::http::Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (lang, _) = attempt!(ask(&app, &uri, &[]));
    let result = async {
        let body: ChangeBody = parse_json(body, lang)?;
        let _gate = app.gate.lock().await;
        let session = app.snapshot();
        let current = session.current.clone().ok_or_else(|| no_scenario(lang))?;
        let change = body.change(&current, lang)?;
        let mut changes = session.changes.clone();
        changes.push(change);
        apply(&app, session, changes).await
    }
    .await;
    result.unwrap_or_else(|f| failure(f, lang))
}

/// `POST /api/session/undo`: the body is empty or `{}`.
async fn undo(
    State(app): State<Arc<App>>,
    uri: axum::http::Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (lang, _) = attempt!(ask(&app, &uri, &[]));
    let result = async {
        let bytes = body.map_err(|e| rejection(e, lang))?;
        if !bytes.trim_ascii().is_empty() {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Empty {}
            let _: Empty = parse_json(Ok(bytes), lang)?;
        }
        let _gate = app.gate.lock().await;
        let session = app.snapshot();
        if session.current.is_none() {
            return Err(no_scenario(lang));
        }
        let mut changes = session.changes.clone();
        if changes.pop().is_none() {
            return Err(Failure::unprocessable(
                "E_NOTHING_TO_UNDO",
                say(
                    lang,
                    "there is no change to undo".to_owned(),
                    "không có điều chỉnh nào để hoàn tác".to_owned(),
                ),
            ));
        }
        apply(&app, session, changes).await
    }
    .await;
    result.unwrap_or_else(|f| failure(f, lang))
}

/// `POST /api/propose`: the proposal with the overrides of the body; the session is not changed.
async fn propose(
    State(app): State<Arc<App>>,
    uri: axum::http::Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (lang, _) = attempt!(ask(&app, &uri, &[]));
    let result = async {
        let body: ProposeBody = parse_json(body, lang)?;
        let session = app.snapshot();
        let (Some(base), Some(current)) = (session.base.clone(), session.current.clone()) else {
            return Err(no_scenario(lang));
        };
        let mut o = Overrides { params: body.params, ..Overrides::default() };
        check_params(&current, &o.params)?;
        for r in body.lock {
            let (_, source) = current.row(&r.id, &r.source, lang)?;
            o.lock.push(Lock { id: r.id, source: source.code().to_owned(), reason: r.reason, at: None });
        }
        for r in body.unlock {
            let (_, source) = current.row(&r.id, &r.source, lang)?;
            o.unlock.push(Unlock { id: r.id, source: source.code().to_owned(), reason: r.reason, at: None });
        }
        for s in body.set {
            let (_, source) = current.row(&s.id, &s.source, lang)?;
            let (change, max_change) = set_amounts(&s, lang)?;
            o.set.push(SetChange {
                id: s.id,
                source: source.code().to_owned(),
                change,
                max_change,
                reason: s.reason,
                at: None,
            });
        }
        let json = blocking(move || {
            base.propose(With::Memory(&o)).map(|mut c| {
                let json = std::mem::take(&mut c.json);
                later(c);
                json
            })
        })
        .await?;
        Ok(json_response(StatusCode::OK, json))
    }
    .await;
    result.unwrap_or_else(|f| failure(f, lang))
}

/// `GET /api/explain?id=X&source=Y`: `realloc explain --format json` under the session's parameters.
async fn explain(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    let (lang, query, current) = attempt!(current_of(&app, &uri, &["id", "source"]));
    let get = |k: &str| query.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(id), Some(source)) = (get("id"), get("source")) else {
        return failure(
            shape(lang, "explain needs `?id=ID&source=SOURCE`", "explain cần `?id=ID&source=NGUỒN`"),
            lang,
        );
    };
    let result = blocking(move || {
        let (row, _) = current.row(&id, &source, lang)?;
        let e = current.rules.explain(&current.scenario, row).ok_or_else(|| {
            Failure::unprocessable("E_UNKNOWN_ROW", format!("no row {row} in the portfolio"))
        })?;
        Ok(realloc::contract::to_json_pretty(&e).into_bytes())
    })
    .await;
    match result {
        Ok(bytes) => json_response(StatusCode::OK, bytes),
        Err(f) => failure(f, lang),
    }
}

/// `GET /api/download/proposal.EXT`: the bytes of `realloc propose … -o proposal.EXT`.
async fn download(
    State(app): State<Arc<App>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let (lang, _, current) = attempt!(current_of(&app, &uri, &[]));
    let (format, content_type) = match file.as_str() {
        "proposal.json" => (DocumentFormat::Json, "application/json"),
        "proposal.md" => (DocumentFormat::Markdown, "text/markdown; charset=utf-8"),
        "proposal.html" => (DocumentFormat::Html, "text/html; charset=utf-8"),
        "proposal.xlsx" => (DocumentFormat::Xlsx, XLSX_TYPE),
        "proposal.docx" => {
            (DocumentFormat::Docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        _ => {
            return failure(
                Failure::new(
                    404,
                    "E_NOT_FOUND",
                    say(
                        lang,
                        format!("no download `{file}`; expected proposal.docx, .xlsx, .html, .json or .md"),
                        format!("không có tệp `{file}`; cần proposal.docx, .xlsx, .html, .json hoặc .md"),
                    ),
                ),
                lang,
            );
        }
    };
    match blocking(move || current.render(format, lang)).await {
        Ok(bytes) => {
            let mut r = (StatusCode::OK, bytes).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            // An HTML document opened from here runs nothing and loads nothing.
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                ),
            );
            r
        }
        Err(f) => failure(f, lang),
    }
}

/// `GET /api/overrides.toml`: the session's overrides, as written to its file.
async fn overrides_file(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    let (_, _, current) = attempt!(current_of(&app, &uri, &[]));
    let text = current.overrides_text.clone().unwrap_or_else(|| current.overrides.to_toml());
    let mut r = text.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/toml; charset=utf-8"));
    r
}

/// `POST /api/upload[?name=FILE.xlsx]`: the workbook becomes the session's scenario. It is kept in the
/// scenario folder (never over a file there: a name already taken gets `-2`, `-3`…), so that the
/// meeting's result can be re-run from it; a workbook that does not load is removed again and its
/// problems answered (422, by sheet, row and column).
async fn upload(
    State(app): State<Arc<App>>,
    uri: axum::http::Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (lang, query) = attempt!(ask(&app, &uri, &["name"]));
    let result = async {
        let bytes = body.map_err(|e| rejection(e, lang))?;
        if !bytes.starts_with(b"PK\x03\x04") {
            return Err(Failure::unprocessable(
                "E_NOT_WORKBOOK",
                say(
                    lang,
                    "the upload is not an Excel workbook (.xlsx): fill the one `realloc template` writes"
                        .to_owned(),
                    "tệp tải lên không phải sổ Excel (.xlsx): hãy điền sổ do `realloc template` tạo"
                        .to_owned(),
                ),
            ));
        }
        let name = upload_name(query.iter().rev().find(|(k, _)| k == "name").map(|(_, v)| v.as_str()), lang)?;
        let _gate = app.gate.lock().await;
        let before = app.snapshot();
        let folder = before.base.as_ref().map_or_else(|| app.upload_dir.clone(), |b| b.folder.clone());
        let rules_file = app.rules_file.clone();
        let next = blocking(move || {
            let (path, created) = keep_upload(&folder, &name, &bytes)?;
            // An uploaded workbook never reaches files outside its folder, whatever the command line said.
            let base = Base::new(&path, None, rules_file, LoadOptions::default(), lang);
            match Session::open(base) {
                Ok(mut s) => {
                    s.version = before.version + 1;
                    Ok(s)
                }
                Err(f) => {
                    if created {
                        let _ = std::fs::remove_file(&path);
                    }
                    Err(f)
                }
            }
        })
        .await?;
        let s = app.replace(next);
        Ok(json_response(StatusCode::OK, s.json()))
    }
    .await;
    result.unwrap_or_else(|f| failure(f, lang))
}

/// The file name an upload is kept under: `?name=` without any folder, ending in `.xlsx`.
fn upload_name(given: Option<&str>, lang: Lang) -> Result<String, Failure> {
    let name = given.unwrap_or("upload.xlsx");
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        && name.to_ascii_lowercase().ends_with(".xlsx")
        && name.len() <= 200;
    if plain {
        Ok(name.to_owned())
    } else {
        Err(Failure::new(
            400,
            "E_QUERY",
            say(
                lang,
                format!("name=`{name}`: expected a file name ending in .xlsx, without a folder"),
                format!("name=`{name}`: cần một tên tệp kết thúc bằng .xlsx, không có thư mục"),
            ),
        ))
    }
}

/// Writes the upload into `folder` under `name` (or `stem-N.xlsx` when a different file has that name;
/// the same bytes are taken as they are). Returns the path and whether it was created.
fn keep_upload(folder: &Path, name: &str, bytes: &[u8]) -> Result<(PathBuf, bool), Failure> {
    let stem = &name[..name.len() - ".xlsx".len()];
    for n in 1..=100 {
        let file = if n == 1 { name.to_owned() } else { format!("{stem}-{n}.xlsx") };
        let path = folder.join(file);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() && std::fs::read(&path).is_ok_and(|b| b == bytes) => {
                return Ok((path, false));
            }
            Ok(_) => continue,
            Err(_) => {
                crate::output::write_atomic(&path, bytes, &[])
                    .map_err(|e| Failure::unprocessable("E_WRITE", format!("{e:#}")))?;
                crate::output::take_written();
                return Ok((path, true));
            }
        }
    }
    Err(Failure::unprocessable("E_WRITE", format!("too many uploads named `{name}` in {}", folder.display())))
}

/// `GET /api/events`: `event: session` with `{"version": N}` now and after each change.
async fn events(
    State(app): State<Arc<App>>,
    uri: axum::http::Uri,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Response> {
    ask(&app, &uri, &[]).map_err(|(f, lang)| failure(f, lang))?;
    let rx = app.events.subscribe();
    let version = app.snapshot().version;
    let stopping = app.stopping.clone();
    let event = |v: u64| Ok(Event::default().event("session").data(format!("{{\"version\":{v}}}")));
    let first = futures_util::stream::once(async move { event(version) });
    let rest =
        futures_util::stream::unfold((rx, stopping, app), move |(mut rx, mut stopping, app)| async move {
            let next = tokio::select! {
                v = rx.recv() => Some(v),
                _ = stopping.wait_for(|s| *s) => None,
            };
            let v = match next? {
                Ok(v) => v,
                // A screen that fell behind gets the version now.
                Err(broadcast::error::RecvError::Lagged(_)) => app.snapshot().version,
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((event(v), (rx, stopping, app)))
        });
    use futures_util::StreamExt as _;
    Ok(Sse::new(first.chain(rest)).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in ["localhost:8080", "127.0.0.1:1", "[::1]:80", "LOCALHOST", "127.0.0.1"] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["evil.example:8080", "192.168.1.2:80", "", "[fe80::1]:80", "localhost.evil.example"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn upload_names() {
        assert_eq!(upload_name(Some("ke-hoach.xlsx"), Lang::En).ok().as_deref(), Some("ke-hoach.xlsx"));
        for bad in ["../x.xlsx", "a/b.xlsx", "x.csv", ".hidden.xlsx", "", "C:x.xlsx"] {
            assert_eq!(upload_name(Some(bad), Lang::En).map_err(|f| f.status).err(), Some(400), "{bad}");
        }
    }

    #[test]
    fn secrets_compare() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
