//! The Benchling API emulator (`liminal emulator`): the subset of Benchling's public API that
//! liminal-orm 5.x and our HTTP backend use (benchling-api.md §5.1), over one [`TenantState`],
//! on 127.0.0.1. Faithful enough that the unmodified Python client runs `init`, `revision`,
//! `upgrade`, `current`, `diff` and `downgrade` against it (`tests/python/`).
//!
//! Layout: [`dispatch`] (every request: faults, auth, routes, log, rate headers), [`auth`]
//! (token endpoint, Bearer/Basic), [`schemas`] and [`fields`] (v3 entity schemas, field
//! definitions, tasks), [`dropdowns`] (v2 and v3), [`reference`] (registries, units),
//! [`update`] (what a PATCH does), [`admin`] (`/__emulator/`), [`faults`], [`paging`], [`store`] (state, state file), [`http`]
//! (request/reply/error envelopes). JSON shapes all come from [`crate::wire`].
//!
//! URIs inside responses (`fieldDefinitions`, `pollingUri`, …) use [`BASE_URL`], a
//! `*.benchling.com` host: liminal keeps only what follows `.benchling.com/` of a `pollingUri`,
//! and clients must join such paths to their own base URL.

mod admin;
mod auth;
mod dispatch;
mod dropdowns;
mod faults;
mod fields;
mod http;
mod paging;
mod reference;
mod schemas;
mod store;
pub(crate) mod update;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Faults;

use crate::state::TenantState;
use http::{ApiError, Req};
use store::Store;

/// The host of every URI the emulator puts in a response body.
pub const BASE_URL: &str = "https://emulator.benchling.com";

/// How to run the emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Where the state lives across restarts: read at start (absent file ⇒ an empty tenant),
    /// written atomically after every change. `None` keeps it in memory only.
    pub state_file: Option<PathBuf>,
    /// OAuth2 client credentials accepted by the token endpoint. The secret is also the API key.
    pub client_id: String,
    pub client_secret: String,
    /// `expires_in` of issued tokens; a token used after that is a 401.
    pub token_ttl_secs: u64,
    /// Turn on the tenant setting `custom_warehouse_names` (Benchling's
    /// `SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME`) in the state; `false` keeps what the state says.
    pub custom_warehouse_names: bool,
}

impl Default for EmulatorConfig {
    /// Any free port, no state file, credentials `liminal` / `liminal`, tokens for 900 s (the
    /// value in Benchling's spec example).
    fn default() -> Self {
        EmulatorConfig {
            port: 0,
            state_file: None,
            client_id: "liminal".into(),
            client_secret: "liminal".into(),
            token_ttl_secs: 900,
            custom_warehouse_names: false,
        }
    }
}

/// The emulator could not start or stopped abnormally.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EmulatorError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    #[diagnostic(help("pick another port with --port, or 0 for any free port"))]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot load the emulator state: {0}")]
    #[diagnostic(help("fix or remove the file given with --state"))]
    State(String),
    #[error("the emulator stopped with an error: {0}")]
    #[diagnostic(help("run it again; if it persists, report it with the output above"))]
    Serve(String),
}

/// Shared by every request.
pub(crate) struct App {
    pub config: EmulatorConfig,
    pub store: Store,
}

/// A 404 naming the request, for paths outside the emulated API.
pub(crate) fn no_route(req: &Req) -> ApiError {
    ApiError::not_found(format!("the emulator does not serve {} {}", req.method, req.path))
}

/// A running emulator; dropping it stops the server too.
pub struct RunningEmulator {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningEmulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the base URL clients use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting requests, finish the ones in flight, and wait for the server to end.
    pub async fn stop(mut self) -> Result<(), EmulatorError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => match task.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(EmulatorError::Serve(e.to_string())),
                Err(e) => Err(EmulatorError::Serve(e.to_string())),
            },
            None => Ok(()),
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Start the emulator on 127.0.0.1 in the current tokio runtime and return once it listens.
pub async fn spawn(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
    let mut state = match &config.state_file {
        Some(path) => store::load_state(path).map_err(EmulatorError::State)?,
        None => TenantState::new(),
    };
    state.settings.custom_warehouse_names |= config.custom_warehouse_names;
    let port = config.port;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| EmulatorError::Bind { port, source })?;
    let addr = listener.local_addr().map_err(|source| EmulatorError::Bind { port, source })?;
    let app = Arc::new(App { store: Store::new(state, config.state_file.clone()), config });
    let router = Router::new().fallback(dispatch::handle).with_state(app);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningEmulator { addr, shutdown: Some(tx), task: Some(task) })
}

/// Serve until Ctrl-C (or SIGTERM). Prints exactly `listening on http://127.0.0.1:P` on stdout
/// once ready.
pub async fn run(config: EmulatorConfig) -> Result<(), EmulatorError> {
    let running = spawn(config).await?;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {}", running.url());
    let _ = out.flush();
    shutdown_signal().await;
    running.stop().await
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
