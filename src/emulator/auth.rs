//! Authentication as Benchling does it: OAuth2 client credentials at `POST /api/v2/token`
//! (alias `POST /oauth/token`), then `Authorization: Bearer`; or an API key as HTTP Basic user
//! name. The emulator's API key is its client secret.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::Value;

use super::EmulatorConfig;
use super::http::{ApiError, Reply, basic_credentials, decode_form};
use super::store::Inner;
use crate::wire;

/// `POST /api/v2/token`: credentials as Basic `client_id:client_secret` (what the SDK sends) or
/// as form fields; `grant_type=client_credentials` required. Errors use the OAuth error types
/// of Benchling's spec (`invalid_request`, `unsupported_grant_type`, `invalid_client`).
pub(crate) fn token(
    inner: &mut Inner,
    config: &EmulatorConfig,
    body: &[u8],
    authorization: Option<&str>,
) -> Result<Reply, ApiError> {
    let text = String::from_utf8_lossy(body);
    let form: Vec<(String, String)> = match serde_json::from_str::<Value>(&text) {
        // Lenient: a JSON object of strings is read like the form.
        Ok(Value::Object(m)) => m.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect(),
        _ => decode_form(&text),
    };
    let field = |key: &str| form.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("grant_type `{other}` is not supported; use client_credentials"),
            ));
        }
        None => return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is required")),
    }
    let credentials = match authorization.and_then(basic_credentials) {
        Some(c) => Some(c),
        None => field("client_id").zip(field("client_secret")),
    };
    let Some((id, secret)) = credentials else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client credentials are required (Basic authorization or client_id/client_secret)",
        ));
    };
    if id != config.client_id || secret != config.client_secret {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_client", "invalid client id or secret"));
    }
    let now = Instant::now();
    inner.tokens.retain(|_, expiry| *expiry > now);
    let access = new_token();
    inner.tokens.insert(access.clone(), now + Duration::from_secs(config.token_ttl_secs));
    Ok(Reply::ok(wire::token_response(&access, config.token_ttl_secs)))
}

fn new_token() -> String {
    let mut bytes = [0u8; 20];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: still unique per process run, which is all a loopback emulator needs.
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        bytes[..16].copy_from_slice(&nanos.to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every API route but the token endpoint: a live Bearer token, or Basic with the API key
/// (the client secret) as user name. 401 otherwise; an expired token is a 401 as in Benchling,
/// which makes clients fetch a new one.
pub(crate) fn check(inner: &Inner, config: &EmulatorConfig, authorization: Option<&str>) -> Result<(), ApiError> {
    let Some(header) = authorization else {
        return Err(ApiError::unauthorized("authentication is required: send a Bearer token or an API key"));
    };
    if let Some(token) = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")) {
        return match inner.tokens.get(token.trim()) {
            Some(expiry) if *expiry > Instant::now() => Ok(()),
            Some(_) => Err(ApiError::unauthorized("the access token has expired")),
            None => Err(ApiError::unauthorized("the access token is not valid")),
        };
    }
    match basic_credentials(header) {
        Some((key, _)) if key == config.client_secret => Ok(()),
        Some(_) => Err(ApiError::unauthorized("the API key is not valid")),
        None => Err(ApiError::unauthorized("unsupported authorization scheme; use Bearer or Basic")),
    }
}
