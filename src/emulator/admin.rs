//! The emulator's own API for tests, unauthenticated, under `/__emulator/` (product.md §6):
//!
//! - `GET /__emulator/requests`: every API request since the last clear, oldest first, each
//!   `{method, path, query, status, early_access, body}` (`query` an object of the last value of
//!   each parameter; `body` the JSON body, the form for token requests with the secret masked,
//!   or null); `DELETE` clears it;
//! - `GET /__emulator/state` dumps the [`TenantState`]; `PUT` replaces it (and the state file);
//!   `POST /__emulator/reset` empties it (a new tenant with the stock units, and the same settings);
//! - `GET`/`POST`/`DELETE /__emulator/faults`: read, replace, clear the [`Faults`].
//!
//! Admin requests are neither logged, nor delayed, nor failed by faults.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::App;
use super::faults::Faults;
use super::store::Inner;
use crate::state::TenantState;

/// Replace the whole tenant (forgetting tasks), save it, and answer with it.
fn replace_state(
    app: &App,
    inner: &mut Inner,
    state: TenantState,
) -> Result<(StatusCode, Value), (StatusCode, String)> {
    inner.state = state;
    inner.tasks.clear();
    inner.dirty = true;
    app.store.save_if_dirty(inner).map_err(internal)?;
    serde_json::to_value(&inner.state).map(|v| (StatusCode::OK, v)).map_err(|e| internal(e.to_string()))
}

pub(crate) fn handle(app: &App, method: &Method, path: &str, body: &Bytes) -> (StatusCode, Value) {
    let mut inner = app.store.lock();
    let result: Result<(StatusCode, Value), (StatusCode, String)> = match (method.as_str(), path.trim_end_matches('/'))
    {
        ("GET", "/__emulator/requests") => Ok((StatusCode::OK, Value::Array(inner.log.clone()))),
        ("DELETE", "/__emulator/requests") => {
            inner.log.clear();
            Ok((StatusCode::OK, json!({ "cleared": true })))
        }
        ("GET", "/__emulator/state") => {
            serde_json::to_value(&inner.state).map(|v| (StatusCode::OK, v)).map_err(|e| internal(e.to_string()))
        }
        ("PUT", "/__emulator/state") => match serde_json::from_slice::<TenantState>(body) {
            Ok(state) => replace_state(app, &mut inner, state),
            Err(e) => Err((StatusCode::BAD_REQUEST, format!("the body is not a tenant state: {e}"))),
        },
        ("POST", "/__emulator/reset") => {
            let fresh = TenantState { settings: inner.state.settings, ..TenantState::new() };
            replace_state(app, &mut inner, fresh)
        }
        ("GET", "/__emulator/faults") => faults_json(&inner.faults),
        ("POST", "/__emulator/faults") => {
            let text = if body.is_empty() { "{}".as_bytes() } else { body.as_ref() };
            match serde_json::from_slice::<Faults>(text) {
                Ok(f) => match f.check() {
                    Ok(()) => {
                        inner.faults = f;
                        faults_json(&inner.faults)
                    }
                    Err(e) => Err((StatusCode::BAD_REQUEST, e)),
                },
                Err(e) => Err((StatusCode::BAD_REQUEST, format!("the body is not a fault set: {e}"))),
            }
        }
        ("DELETE", "/__emulator/faults") => {
            inner.faults = Faults::default();
            faults_json(&inner.faults)
        }
        _ => Err((StatusCode::NOT_FOUND, format!("no admin endpoint {method} {path}"))),
    };
    result.unwrap_or_else(|(status, message)| (status, json!({ "error": message })))
}

fn internal(message: String) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, message)
}

fn faults_json(f: &Faults) -> Result<(StatusCode, Value), (StatusCode, String)> {
    serde_json::to_value(f).map(|v| (StatusCode::OK, v)).map_err(|e| internal(e.to_string()))
}
