//! A request that did not succeed, and the readable part of an error answer.

use std::fmt;

use reqwest::Method;
use serde_json::Value;

use super::request::Request;
use super::retry::Kind;
use crate::tenant::TenantError;

/// A request that did not succeed.
#[derive(Debug, Clone)]
pub struct HttpError {
    pub method: Method,
    pub path: String,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    pub message: String,
    /// A write that may or may not have reached the tenant (timeout, 500, 502, 504).
    pub outcome_unknown: bool,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} {} failed with {s}: {}", self.method, self.path, self.message),
            None => write!(f, "{} {} failed: {}", self.method, self.path, self.message),
        }
    }
}

impl std::error::Error for HttpError {}

impl HttpError {
    pub(super) fn new(req: &Request, status: Option<u16>, message: impl Into<String>) -> HttpError {
        let outcome_unknown = req.kind != Kind::Read && matches!(status, None | Some(500 | 502 | 504));
        HttpError {
            method: req.method.clone(),
            path: req.path.clone(),
            status,
            message: message.into(),
            outcome_unknown,
        }
    }

    /// A response that was not the JSON expected.
    pub fn decode(method: Method, path: &str, message: impl Into<String>) -> HttpError {
        HttpError { method, path: path.to_string(), status: None, message: message.into(), outcome_unknown: false }
    }
}

impl From<HttpError> for TenantError {
    fn from(e: HttpError) -> TenantError {
        if e.status == Some(401) { TenantError::Auth(e.to_string()) } else { TenantError::Http(e.to_string()) }
    }
}

/// The readable part of an error body: Benchling's v2 envelope `{"error": {...}}`, a v3
/// `application/problem+json` document, or the start of whatever else came back.
pub fn error_message(body: &str) -> String {
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
}
