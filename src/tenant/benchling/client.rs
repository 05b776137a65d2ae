//! Sending requests to Benchling: authentication, retries with backoff, paging, and a log of
//! every exchange (for `-v`, for `requests()` and for per-run timing).
//!
//! Requests are the budget (Benchling allows about 60 requests per 30 s per tenant), so this layer
//! never sends anything the caller did not ask for, except the token exchange and retries of
//! requests that the server did not process:
//! - reads are retried on 429, 502, 503, 504 and transport errors;
//! - writes only on 429 and 503 (the server did not process them) and connection failures (the
//!   request never left); on a timeout, a 500, 502 or 504 the outcome of a write is unknown and
//!   the error says so ([`HttpError::outcome_unknown`]), so that a create can be reconciled by
//!   re-reading instead of being sent twice.
//!
//! When and how long to wait is [`super::retry`]'s business.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::AUTHORIZATION;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::auth::{Credentials, Token};
use super::events::{Event, ObserverHandle, RetryReason};
use super::http_error::{HttpError, describe_transport};
use super::request::{Payload, Reply, Request, RequestRecord, query_text};
pub(super) use super::retry::Kind;
use super::retry::RetryPolicy;
use super::retry::{retry_hint, retryable};
use crate::tenant::TenantError;
use crate::wire;

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub(super) struct ClientConfig {
    pub base_url: String,
    pub credentials: Credentials,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub verbose: bool,
    /// Requests in flight at once (reads fan out; Benchling counts requests, not connections,
    /// but a bounded fan-out is kinder to it and to the emulator).
    pub concurrency: usize,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
    token: tokio::sync::Mutex<Option<Token>>,
    retry: RetryPolicy,
    verbose: bool,
    created: Instant,
    log: Mutex<Vec<RequestRecord>>,
    permits: tokio::sync::Semaphore,
    observer: std::sync::OnceLock<ObserverHandle>,
    /// `host[:port]`, for messages about reaching it.
    host: String,
}

/// A cheap handle (clone it into concurrent tasks) on one tenant's connection.
#[derive(Clone)]
pub(super) struct Client(Arc<Inner>);

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("base", &self.0.base).field("credentials", &self.0.credentials).finish()
    }
}

/// The token endpoint, relative to the tenant's base URL.
pub(super) const TOKEN_PATH: &str = "/api/v2/token";

/// An unreachable host is given up on quickly, whatever the retry policy says for a server that
/// answers: each attempt waits at most [`CONNECT_TIMEOUT`] for the connection, and a request is
/// tried at most `1 + CONNECT_RETRIES` times with at most [`CONNECT_WAIT`] between attempts, so
/// the command fails within 10 s naming the host.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
pub(super) const CONNECT_RETRIES: u32 = 2;
pub(super) const CONNECT_WAIT: Duration = Duration::from_millis(500);

impl Client {
    pub(super) fn new(config: ClientConfig) -> Result<Client, TenantError> {
        let base = config.base_url.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base).map_err(|e| TenantError::Connect {
            message: format!("the tenant url `{base}` is not a valid URL: {e}"),
            source: Some(Box::new(e)),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            let message = format!("the tenant url `{base}` must start with https:// (or http://)");
            return Err(TenantError::Connect { message, source: None });
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(CONNECT_TIMEOUT))
            .user_agent(concat!("liminal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TenantError::Connect {
                message: format!("cannot start the HTTP client: {e}"),
                source: Some(Box::new(e)),
            })?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => base.clone(),
        };
        Ok(Client(Arc::new(Inner {
            http,
            host,
            observer: std::sync::OnceLock::new(),
            base,
            credentials: config.credentials,
            token: tokio::sync::Mutex::new(None),
            retry: config.retry,
            verbose: config.verbose,
            created: Instant::now(),
            log: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(config.concurrency.max(1)),
        })))
    }

    /// Report every exchange and every wait to `observer` (progress output). Set once.
    pub(super) fn set_observer(&self, observer: ObserverHandle) {
        let _ = self.0.observer.set(observer);
    }

    fn tell(&self, event: Event) {
        if let Some(o) = self.0.observer.get() {
            o.0.event(&event);
        }
    }

    pub(super) fn retry_policy(&self) -> RetryPolicy {
        self.0.retry.clone()
    }

    /// Every exchange so far, oldest first.
    pub(super) fn records(&self) -> Vec<RequestRecord> {
        self.0.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// How many HTTP exchanges were made (token requests and retries included).
    pub(super) fn count(&self) -> u64 {
        self.0.log.lock().map(|l| l.len() as u64).unwrap_or(0)
    }

    /// `path` joined to the tenant's base URL.
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.0.base, path)
    }

    /// Send `req` (with retries) and return its answer, or the error with the server's message.
    pub(super) async fn send(&self, req: &Request) -> Result<Reply, HttpError> {
        let mut refreshed = false;
        loop {
            let auth = self.authorization(req).await?;
            match self.with_retries(req, &auth).await {
                // A token can be revoked or expire early: get a new one, once.
                Err(e) if e.status == Some(401) && !refreshed && self.uses_token() => {
                    refreshed = true;
                    self.forget_token(&auth).await;
                }
                other => return other,
            }
        }
    }

    /// Send a GET for every page of a list (`pageSize=100`, following `nextToken` until it is
    /// empty, null or absent) and return all items under `key`.
    pub(super) async fn get_all(&self, req: Request, key: &str) -> Result<Vec<Value>, HttpError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut next: Option<String> = None;
        loop {
            let mut page = req.clone().query("pageSize", "100");
            if let Some(t) = &next {
                page = page.query("nextToken", t.clone());
            }
            let reply = self.send(&page).await?;
            let items =
                wire::list_items(&reply.body, key).map_err(|e| HttpError::wire(req.method.clone(), &req.path, e))?;
            out.extend(items.iter().cloned());
            match wire::next_token(&reply.body) {
                Some(t) => {
                    if !seen.insert(t.clone()) {
                        return Err(HttpError::decode(
                            req.method.clone(),
                            &req.path,
                            "the server returned the same nextToken twice; stopping rather than looping",
                        ));
                    }
                    next = Some(t);
                }
                None => return Ok(out),
            }
        }
    }

    fn uses_token(&self) -> bool {
        matches!(self.0.credentials, Credentials::ClientCredentials { .. })
    }

    /// The `Authorization` value for `req`: Basic for the token exchange and API keys, else the
    /// cached bearer token (fetched or refreshed first if it is missing or about to expire).
    async fn authorization(&self, req: &Request) -> Result<String, HttpError> {
        if req.path == TOKEN_PATH || !self.uses_token() {
            return Ok(self.0.credentials.basic());
        }
        let mut token = self.0.token.lock().await;
        if let Some(t) = token.as_ref()
            && t.is_fresh(Instant::now())
        {
            return Ok(format!("Bearer {}", t.value));
        }
        let fresh = self.fetch_token().await?;
        let header = format!("Bearer {}", fresh.value);
        *token = Some(fresh);
        Ok(header)
    }

    async fn forget_token(&self, used: &str) {
        let mut token = self.0.token.lock().await;
        if token.as_ref().is_some_and(|t| format!("Bearer {}", t.value) == used) {
            *token = None;
        }
    }

    /// `POST /api/v2/token` with the client id and secret as Basic, as Benchling's SDK does.
    async fn fetch_token(&self) -> Result<Token, HttpError> {
        let req = Request {
            method: Method::POST,
            path: TOKEN_PATH.into(),
            query: vec![],
            body: Payload::Form(vec![("grant_type".into(), "client_credentials".into())]),
            kind: Kind::Read,
        };
        let sent_at = Instant::now();
        let reply = self.with_retries(&req, &self.0.credentials.basic()).await.map_err(|mut e| {
            if matches!(e.status, Some(400 | 401 | 403)) {
                e.status = Some(401);
                e.message = format!("the tenant rejected the client credentials: {}", e.message);
            }
            e
        })?;
        let (value, expires_in) = wire::parse_token_response(&reply.body)
            .map_err(|e| HttpError::decode(Method::POST, TOKEN_PATH, format!("unexpected token response: {e}")))?;
        Ok(Token::new(value, Duration::from_secs(expires_in), sent_at))
    }

    async fn with_retries(&self, req: &Request, auth: &str) -> Result<Reply, HttpError> {
        let mut attempt = 0;
        loop {
            let (error, hint, again, reason) = match self.exchange(req, auth).await {
                Ok(Ok(reply)) => return Ok(reply),
                Ok(Err((status, hint, body))) => {
                    let again = retryable(status, req.kind);
                    let reason = if status == 429 { RetryReason::RateLimited } else { RetryReason::Status(status) };
                    (HttpError::status(req, status, &body), hint, again, reason)
                }
                // A refused connection never reached the server; anything else might have.
                Err(transport) => {
                    let (message, connect) = (describe_transport(&transport), transport.is_connect());
                    let reason = if connect {
                        RetryReason::Unreachable { host: self.0.host.clone(), message: message.clone() }
                    } else {
                        RetryReason::Transport(message.clone())
                    };
                    let message = if connect { format!("cannot reach {}: {message}", self.0.host) } else { message };
                    let mut e = HttpError::transport(req, message, transport);
                    e.outcome_unknown &= !connect;
                    (e, None, connect || req.kind == Kind::Read, reason)
                }
            };
            let unreachable = matches!(reason, RetryReason::Unreachable { .. });
            let max =
                if unreachable { self.0.retry.max_retries.min(CONNECT_RETRIES) } else { self.0.retry.max_retries };
            if !again || attempt >= max {
                let mut error = error;
                if unreachable && attempt > 0 {
                    error.message = format!("{} ({} attempts)", error.message, attempt + 1);
                }
                return Err(error);
            }
            let mut wait = self.0.retry.delay(attempt, hint);
            if unreachable {
                wait = wait.min(CONNECT_WAIT);
            }
            self.tell(Event::Retrying {
                method: req.method.to_string(),
                path: req.path.clone(),
                reason,
                wait,
                retry: attempt + 1,
                of: max,
            });
            if self.0.verbose {
                eprintln!("[http] retrying {} {} in {} ms ({error})", req.method, req.path, wait.as_millis());
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One HTTP exchange, logged. `Ok(Err(..))` is a non-success response: its status, the
    /// server's wait hint and its body; `Err` is a transport failure.
    async fn exchange(
        &self,
        req: &Request,
        auth: &str,
    ) -> Result<Result<Reply, (u16, Option<Duration>, String)>, reqwest::Error> {
        let mut builder = self.0.http.request(req.method.clone(), self.url(&req.path)).header(AUTHORIZATION, auth);
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        if req.early_access() {
            builder = builder.header("EARLY-ACCESS", "true");
        }
        builder = match &req.body {
            Payload::None => builder,
            Payload::Json(v) => builder.json(v),
            Payload::Form(f) => builder.form(f),
        };
        // Held for this exchange only, not while backing off.
        let _permit = self.0.permits.acquire().await.ok();
        self.tell(Event::Sending {
            method: req.method.to_string(),
            path: req.path.clone(),
            write: req.kind != Kind::Read,
        });
        let started = Instant::now();
        let result = builder.send().await;
        let (status, outcome) = match result {
            Err(e) => (None, Err(e)),
            Ok(resp) => {
                let status = resp.status();
                let hint = retry_hint(status.as_u16(), resp.headers());
                match resp.text().await {
                    Err(e) => (Some(status.as_u16()), Err(e)),
                    Ok(text) => (Some(status.as_u16()), Ok(self.reply(req, status, hint, text))),
                }
            }
        };
        self.record(req, status, started);
        outcome
    }

    fn reply(
        &self,
        req: &Request,
        status: StatusCode,
        hint: Option<Duration>,
        text: String,
    ) -> Result<Reply, (u16, Option<Duration>, String)> {
        if !status.is_success() {
            return Err((status.as_u16(), hint, text));
        }
        if text.trim().is_empty() {
            return Ok(Reply { body: Value::Null });
        }
        match serde_json::from_str(&text) {
            Ok(body) => Ok(Reply { body }),
            // A success without JSON is not something we can use; report it like an error body.
            Err(e) => {
                Err((status.as_u16(), None, format!("the answer is not JSON ({e}) in {} {}", req.method, req.path)))
            }
        }
    }

    fn record(&self, req: &Request, status: Option<u16>, started: Instant) {
        let record = RequestRecord {
            method: req.method.to_string(),
            path: req.path.clone(),
            query: query_text(&req.query),
            status,
            started: started.duration_since(self.0.created),
            elapsed: started.elapsed(),
        };
        if self.0.verbose {
            eprintln!("[http] {record}");
        }
        self.tell(Event::Answered {
            method: record.method.clone(),
            path: record.path.clone(),
            write: req.kind != Kind::Read,
            status,
            elapsed: record.elapsed,
        });
        if let Ok(mut log) = self.0.log.lock() {
            log.push(record);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worst case for an unreachable host: every attempt times out connecting.
    #[test]
    fn an_unreachable_host_is_given_up_on_within_ten_seconds() {
        let worst = CONNECT_TIMEOUT * (CONNECT_RETRIES + 1) + CONNECT_WAIT * CONNECT_RETRIES;
        assert!(worst <= Duration::from_secs(10), "{worst:?}");
    }
}
