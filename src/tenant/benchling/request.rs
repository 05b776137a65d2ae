//! Requests and their log records: what the client sends and what it writes down about it.

use std::fmt;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::retry::Kind;

/// A request body.
#[derive(Debug, Clone)]
pub(super) enum Payload {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
}

/// One request to send.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Payload,
    pub kind: Kind,
}

impl Request {
    pub(super) fn get(path: impl Into<String>) -> Request {
        Request { method: Method::GET, path: path.into(), query: vec![], body: Payload::None, kind: Kind::Read }
    }

    pub(super) fn write(method: Method, path: impl Into<String>, body: Value, kind: Kind) -> Request {
        Request { method, path: path.into(), query: vec![], body: Payload::Json(body), kind }
    }

    pub(super) fn query(mut self, key: &str, value: impl Into<String>) -> Request {
        self.query.push((key.to_string(), value.into()));
        self
    }

    /// v3 operations are early-access and need `EARLY-ACCESS: true`.
    pub(super) fn early_access(&self) -> bool {
        self.path.starts_with("/api/v3/")
    }
}

/// A successful answer's JSON body (`null` when empty).
#[derive(Debug, Clone)]
pub(super) struct Reply {
    pub body: Value,
}

/// One HTTP exchange, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// `k=v&k=v`, secrets redacted.
    pub query: String,
    /// `None` when no response arrived (timeout, connection error).
    pub status: Option<u16>,
    /// Since the client was created.
    pub started: Duration,
    pub elapsed: Duration,
}

impl fmt::Display for RequestRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        match self.status {
            Some(s) => write!(f, " -> {s}")?,
            None => write!(f, " -> no response")?,
        }
        write!(f, " ({} ms)", self.elapsed.as_millis())
    }
}

/// Query keys whose values are never printed.
const SECRET_KEYS: [&str; 5] = ["client_secret", "access_token", "api_key", "password", "secret"];

pub(super) fn query_text(query: &[(String, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| {
            if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) {
                format!("{k}=<redacted>")
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_secrets_are_redacted() {
        let q = vec![("pageSize".to_string(), "100".to_string()), ("client_secret".to_string(), "s".to_string())];
        assert_eq!(query_text(&q), "pageSize=100&client_secret=<redacted>");
    }
}
