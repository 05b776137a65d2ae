//! Request and reply plumbing shared by the route families: the parsed request, the reply, the
//! API error and its two envelopes (v2 `{"error": …}`, v3 `application/problem+json`).

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use base64::Engine;
use serde_json::Value;

use crate::wire::{self, WireError};

/// Which error envelope a path gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/api/v2*` and the token endpoints: `{"error": {type, message, userMessage}}`.
    V2,
    /// `/api/v3`: `application/problem+json` `GeneralError`.
    V3,
}

impl Family {
    pub(crate) fn of(path: &str) -> Family {
        if path.starts_with("/api/v3") { Family::V3 } else { Family::V2 }
    }
}

/// One API request, read whole.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// The last value of a query parameter.
    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The body as JSON; an empty or malformed body is a 400.
    pub(crate) fn json(&self) -> Result<Value, ApiError> {
        if self.body.is_empty() {
            return Err(ApiError::bad_request("the request needs a JSON body"));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn is_write(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// A successful reply: status, JSON body, extra headers.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(super) fn ok(body: Value) -> Reply {
        Reply { status: StatusCode::OK, body, headers: Vec::new() }
    }

    pub(super) fn with_status(status: StatusCode, body: Value) -> Reply {
        Reply { status, body, headers: Vec::new() }
    }
}

/// An error reply; rendered in the envelope of the path's [`Family`].
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    /// The v2 `error.type`.
    pub kind: &'static str,
    pub message: String,
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, kind, message: message.into(), headers: Vec::new() }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "invalid_request_error", message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
    }

    pub(crate) fn method_not_allowed(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "invalid_request_error", message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "api_error", message)
    }

    /// The body in the envelope of `family`, and its content type.
    pub(crate) fn body(&self, family: Family, path: &str) -> (Value, &'static str) {
        match family {
            Family::V2 => (wire::v2_error(self.kind, &self.message), "application/json"),
            Family::V3 => {
                let title = self.status.canonical_reason().unwrap_or("Error");
                (wire::v3_problem(self.status.as_u16(), title, &self.message, path), "application/problem+json")
            }
        }
    }
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> ApiError {
        ApiError::bad_request(e.to_string())
    }
}

/// Decode `application/x-www-form-urlencoded` text (query strings and form bodies).
pub(crate) fn decode_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Basic base64(user:password)` → `(user, password)`.
pub(crate) fn basic_credentials(header: &str) -> Option<(String, String)> {
    let encoded = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':').unwrap_or((&text, ""));
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        assert_eq!(
            decode_form("archived.anyOf=true%2Cfalse&pageSize=100&x=a+b&bad=%zz&t=%"),
            vec![
                ("archived.anyOf".into(), "true,false".into()),
                ("pageSize".into(), "100".into()),
                ("x".into(), "a b".into()),
                ("bad".into(), "%zz".into()),
                ("t".into(), "%".into()),
            ]
        );
        assert_eq!(basic_credentials("Basic bGltaW5hbDpzZWNyZXQ="), Some(("liminal".into(), "secret".into())));
        assert_eq!(basic_credentials("Bearer x"), None);
    }
}
