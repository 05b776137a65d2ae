//! A request that did not succeed, and the readable part of an error answer.

use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;

use super::request::Request;
use super::retry::Kind;
use crate::wire::WireError;

/// A request that did not succeed.
#[derive(Debug, Clone)]
pub struct HttpError {
    pub method: Method,
    pub path: String,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// What went wrong, in words: the server's message (from its error body), the transport
    /// failure, or what is wrong with the answer.
    pub message: String,
    /// The start of the answer's body as it came back (at most [`BODY_EXCERPT`] characters),
    /// when an answer that is not a success came back.
    pub body: Option<String>,
    /// What failed underneath, kept as the error's source.
    pub source: Option<HttpSource>,
    /// A write that may or may not have reached the tenant (timeout, 500, 502, 504).
    pub outcome_unknown: bool,
}

/// How much of an error body an [`HttpError`] keeps.
pub(super) const BODY_EXCERPT: usize = 300;

/// What failed underneath a request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpSource {
    /// No (complete) answer: reqwest's error, without the URL (it would show the query).
    #[error(transparent)]
    Transport(Arc<reqwest::Error>),
    /// An answer that does not have the shape Benchling's API gives it.
    #[error(transparent)]
    Answer(WireError),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} {} failed with {s}: {}", self.method, self.path, self.message),
            None => write!(f, "{} {} failed: {}", self.method, self.path, self.message),
        }
    }
}

impl std::error::Error for HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl HttpError {
    pub(super) fn new(req: &Request, status: Option<u16>, message: impl Into<String>) -> HttpError {
        let outcome_unknown = req.kind != Kind::Read && matches!(status, None | Some(500 | 502 | 504));
        HttpError {
            method: req.method.clone(),
            path: req.path.clone(),
            status,
            message: message.into(),
            body: None,
            source: None,
            outcome_unknown,
        }
    }

    /// An answer that is not a success: its status, the server's message and the start of the body.
    pub(super) fn status(req: &Request, status: u16, body: &str) -> HttpError {
        let excerpt: String = body.trim().chars().take(BODY_EXCERPT).collect();
        HttpError { body: Some(excerpt), ..HttpError::new(req, Some(status), error_message(body)) }
    }

    /// No (complete) answer: `message` says what happened, `error` is kept as the source.
    pub(super) fn transport(req: &Request, message: impl Into<String>, error: reqwest::Error) -> HttpError {
        let source = Some(HttpSource::Transport(Arc::new(error.without_url())));
        HttpError { source, ..HttpError::new(req, None, message) }
    }

    /// A response that was not the JSON expected.
    pub fn decode(method: Method, path: &str, message: impl Into<String>) -> HttpError {
        HttpError {
            method,
            path: path.to_string(),
            status: None,
            message: message.into(),
            body: None,
            source: None,
            outcome_unknown: false,
        }
    }

    /// [`HttpError::decode`] for an answer whose shape is wrong: the message is the
    /// [`WireError`]'s, kept as the source.
    pub fn wire(method: Method, path: &str, error: WireError) -> HttpError {
        HttpError {
            source: Some(HttpSource::Answer(error.clone())),
            ..HttpError::decode(method, path, error.to_string())
        }
    }

    /// The transport error, when no (complete) answer arrived.
    pub fn transport_error(&self) -> Option<&reqwest::Error> {
        match &self.source {
            Some(HttpSource::Transport(e)) => Some(e),
            _ => None,
        }
    }
}

/// The readable part of an error body: Benchling's v2 envelope `{"error": {...}}`, a v3
/// `application/problem+json` document, or the start of whatever else came back.
pub(super) fn error_message(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        let text: String = body.trim().chars().take(300).collect();
        return if text.is_empty() { "(empty response)".into() } else { text };
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(e) = v.get("error") {
        if let Some(m) = e.as_str() {
            return m.to_string();
        }
        let msg = s(e, "message").or_else(|| s(e, "userMessage")).unwrap_or_else(|| e.to_string());
        return match s(e, "type") {
            Some(t) => format!("{msg} ({t})"),
            None => msg,
        };
    }
    let detail = match v.get("detail") {
        Some(Value::String(d)) if !d.is_empty() => Some(d.clone()),
        Some(Value::Null) | None => None,
        Some(Value::String(_)) => None,
        Some(other) => Some(other.to_string()),
    };
    match (s(&v, "title"), detail) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(t), None) => t,
        (None, Some(d)) => d,
        (None, None) => v.to_string().chars().take(300).collect(),
    }
}

/// A transport error in words, without the URL (reqwest includes it, with any query).
pub(super) fn describe_transport(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() { what.to_string() } else { format!("{what}: {detail}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::TenantError;

    #[test]
    fn both_error_envelopes() {
        let v2 = r#"{"error":{"message":"Rate limit exceeded.","type":"invalid_request_error","userMessage":"x"}}"#;
        assert_eq!(error_message(v2), "Rate limit exceeded. (invalid_request_error)");
        let v3 = r#"{"type":"about:blank","title":"Bad Request","detail":"duplicate systemName","status":400}"#;
        assert_eq!(error_message(v3), "Bad Request: duplicate systemName");
        assert_eq!(error_message("<html>oops</html>"), "<html>oops</html>");
        assert_eq!(error_message(""), "(empty response)");
    }

    #[test]
    fn outcome_is_unknown_only_for_writes_without_a_clear_answer() {
        let get = Request::get("/x");
        let post = Request::write(Method::POST, "/x", Value::Null, Kind::Create);
        assert!(!HttpError::new(&get, None, "t").outcome_unknown);
        assert!(HttpError::new(&post, None, "t").outcome_unknown);
        assert!(HttpError::new(&post, Some(500), "t").outcome_unknown);
        assert!(!HttpError::new(&post, Some(400), "t").outcome_unknown);
        assert!(!HttpError::new(&post, Some(429), "t").outcome_unknown);
        let e = HttpError::new(&post, Some(400), "bad");
        assert_eq!(e.to_string(), "POST /x failed with 400: bad");
    }

    #[test]
    fn a_tenant_error_keeps_the_request_that_failed_as_its_source() {
        let post = Request::write(Method::POST, "/x", Value::Null, Kind::Create);
        let e = TenantError::from(HttpError::status(&post, 503, r#"{"error":{"message":"busy"}}"#));
        assert_eq!(e.to_string(), "POST /x failed with 503: busy");
        assert_eq!(e.code(), "tenant::http");
        let source = std::error::Error::source(&e).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("POST /x failed with 503: busy"));
        let http = e.http().unwrap();
        assert_eq!((http.status, http.body.as_deref()), (Some(503), Some(r#"{"error":{"message":"busy"}}"#)));
        let denied = TenantError::from(HttpError::status(&post, 401, "no"));
        assert_eq!((denied.code(), denied.http().and_then(|h| h.status)), ("tenant::auth", Some(401)));
        assert_eq!(TenantError::internal("x").code(), "tenant::internal");
    }
}
