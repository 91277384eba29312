//! `realloc serve`: the planning session as a local web application and an HTTP JSON API.
//!
//! One session a server: a scenario (a folder or workbook named on the command line, or a workbook
//! uploaded), the changes the meeting makes (lock, unlock, force or cap a row's change, rules
//! parameters), each re-proposed through the library's pipeline with the overrides they amount to,
//! written to the overrides file so that `realloc propose SCENARIO --overrides FILE` reproduces the
//! result byte for byte, and announced to every screen watching (Server-Sent Events).
//!
//! - `session.rs`: the session without HTTP (changes, their fold into overrides, the proposal, what
//!   moved, the overrides file).
//! - `http.rs`: the routes (axum), the checks every request passes, the error body.
//! - `assets/`: the page (HTML, JavaScript, CSS), embedded in the binary; nothing is loaded from
//!   elsewhere.
//!
//! **Security:** loopback by default, where the Host header must name this computer; any other bind
//! address makes a random token that every request must carry. A request whose `Origin` is not this
//! server is refused, and a POST must say `Content-Type: application/json` (a workbook's type for an
//! upload), which a cross-site form cannot. Bodies are limited (1 MiB of JSON, the loader's limit for
//! a workbook). The session reads and writes only inside the scenario folder, but for the overrides
//! file the command line names.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use realloc::load::LoadOptions;
use realloc::report::Lang;
use tokio::sync::watch;

mod http;
mod session;

pub use http::{MAX_JSON_BYTES, MAX_UPLOAD_BYTES, XLSX_TYPE};

/// How a server is started.
#[derive(Clone, Debug)]
pub struct Config {
    /// The scenario folder or workbook; `None` to start empty and take an upload.
    pub scenario: Option<PathBuf>,
    /// The address to listen on (`127.0.0.1` by default).
    pub bind: IpAddr,
    /// The port; 0 for any free one.
    pub port: u16,
    /// The overrides file; `overrides.toml` in the scenario folder by default.
    pub overrides: Option<PathBuf>,
    /// The `--rules` file.
    pub rules: Option<PathBuf>,
    /// The language of messages and documents when a request does not say (`?lang=`).
    pub lang: Lang,
    /// How the scenario named on the command line is read (`--allow-outside`).
    pub load: LoadOptions,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            scenario: None,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            overrides: None,
            rules: None,
            lang: Lang::Vi,
            load: LoadOptions::default(),
        }
    }
}

/// A running server.
#[derive(Debug)]
pub struct Handle {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The token every request must carry (bound beyond loopback), else `None`.
    pub token: Option<String>,
    stop: watch::Sender<bool>,
    runtime: Option<tokio::runtime::Runtime>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Handle {
    /// The address to open in a browser (with the token when there is one).
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() => "localhost".to_owned(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let token = self.token.as_ref().map(|t| format!("?token={t}")).unwrap_or_default();
        format!("http://{host}:{}/{token}", self.addr.port())
    }

    /// Waits for Ctrl+C, then stops.
    pub fn wait_for_ctrl_c(mut self) -> std::io::Result<()> {
        let result = match &self.runtime {
            Some(rt) => rt.block_on(tokio::signal::ctrl_c()),
            None => Ok(()),
        };
        self.stop();
        result
    }

    /// Stops: no new connection, the event streams end, requests under way finish (for at most five
    /// seconds).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.stop.send(true);
        if let (Some(rt), Some(server)) = (self.runtime.take(), self.server.take()) {
            let _ =
                rt.block_on(async { tokio::time::timeout(std::time::Duration::from_secs(5), server).await });
            rt.shutdown_background();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A random token of 32 bytes, in hex.
fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot make a random token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Opens the session (the scenario proposed, its overrides file read back) and starts serving it on
/// a runtime of its own; returns once it listens. A scenario or overrides file that cannot be used is
/// bad input (the command line's exit status 2), with the problems in `config.lang`.
pub fn start(config: Config) -> anyhow::Result<Handle> {
    let lang = config.lang;
    let session = match &config.scenario {
        Some(path) => {
            let base =
                session::Base::new(path, config.overrides.clone(), config.rules.clone(), config.load, lang);
            session::Session::open(base)
                .map_err(|f| crate::output::bad_diagnostics(f.message, f.diagnostics))?
        }
        None => session::Session::empty(),
    };
    let upload_dir = match &config.scenario {
        Some(p) => realloc::load::scenario_folder(p).to_path_buf(),
        None => std::env::current_dir()?,
    };
    let loopback = config.bind.is_loopback();
    let token = if loopback { None } else { Some(new_token()?) };
    let listener = std::net::TcpListener::bind((config.bind, config.port)).map_err(|e| {
        crate::output::bad_input(format!("cannot listen on {}:{}: {e}", config.bind, config.port))
    })?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_name("realloc-serve").build()?;
    let (stop, stopping) = watch::channel(false);
    let app = Arc::new(http::App::new(
        session,
        stopping.clone(),
        token.clone(),
        loopback,
        lang,
        config.rules,
        upload_dir,
    ));
    let server = runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let mut stopping = stopping;
        axum::serve(listener, http::router(app))
            .with_graceful_shutdown(async move {
                let _ = stopping.wait_for(|s| *s).await;
            })
            .await
    });
    Ok(Handle { addr, token, stop, runtime: Some(runtime), server: Some(server) })
}

/// `realloc serve`: starts, says where to open it on `err`, serves until Ctrl+C.
pub fn run(config: Config, err: &mut dyn Write) -> anyhow::Result<()> {
    let lang = config.lang;
    let handle = start(config)?;
    let url = handle.url();
    let _ = match lang {
        Lang::En => writeln!(err, "realloc serve: open {url} in a browser\nCtrl+C to stop"),
        Lang::Vi => writeln!(err, "realloc serve: mở {url} trong trình duyệt\nCtrl+C để dừng"),
    };
    if handle.token.is_some() {
        let _ = match lang {
            Lang::En => writeln!(
                err,
                "listening beyond this computer: every request must carry the token above (from another computer, use this computer's address)"
            ),
            Lang::Vi => writeln!(
                err,
                "đang nghe cả ngoài máy này: mọi yêu cầu phải kèm mã truy cập trên (từ máy khác, dùng địa chỉ của máy này)"
            ),
        };
    }
    handle.wait_for_ctrl_c()?;
    Ok(())
}
