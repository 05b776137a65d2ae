//! Every request enters here: admin requests go to [`super::admin`]; API requests pass, in
//! order, injected request failures, authentication (except the token endpoint), injected write
//! failures and then the route table. Each API response gets the `x-rate-limit-*` headers and
//! an entry in the request log; the state file is saved after any change; injected latency is
//! slept after the lock is released. (The v3 spec declares no rate-limit headers; v2 does. We
//! send them on both: harmless, and clients can rely on one behaviour.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::App;
use super::http::{ApiError, Family, Reply, Req, decode_form};
use super::store::Inner;
use super::{admin, auth, dropdowns, fields, reference, schemas};
use crate::schema::EntityType;
use crate::wire::BenchlingNames;

/// Bodies larger than this are refused (Benchling's limit is 100 MB; ours only needs schemas).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The advertised rate limit: requests per window (not enforced; faults simulate 429s).
const RATE_LIMIT: u64 = 1000;
const RATE_WINDOW: Duration = Duration::from_secs(30);

pub(crate) async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = decode_path(parts.uri.path());
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        let e = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request_error",
            "the body is too large or unreadable",
        );
        let (v, ct) = e.body(Family::of(&path), &path);
        return respond(e.status, &v, ct, &[]);
    };
    if path == "/__emulator" || path.starts_with("/__emulator/") {
        let (status, v) = admin::handle(&app, &parts.method, &path, &body);
        return respond(status, &v, "application/json", &[]);
    }
    let req = Req {
        method: parts.method,
        query: parts.uri.query().map(decode_form).unwrap_or_default(),
        path,
        headers: parts.headers,
        body,
    };
    let (response, latency) = {
        let mut inner = app.store.lock();
        let latency = inner.faults.latency_ms;
        let mut result = process(&mut inner, &app, &req);
        if let Err(message) = app.store.save_if_dirty(&mut inner) {
            result = Err(ApiError::internal(message));
        }
        let rate = rate_headers(&mut inner);
        let family = Family::of(&req.path);
        let response = match &result {
            Ok(reply) => {
                let headers: Vec<(&str, String)> = rate.into_iter().chain(reply.headers.iter().cloned()).collect();
                respond(reply.status, &reply.body, "application/json", &headers)
            }
            Err(e) => {
                let (v, ct) = e.body(family, &req.path);
                let mut headers: Vec<(&str, String)> =
                    rate.into_iter().filter(|(k, _)| !e.headers.iter().any(|(h, _)| h == k)).collect();
                headers.extend(e.headers.iter().cloned());
                respond(e.status, &v, ct, &headers)
            }
        };
        inner.log.push(log_entry(&req, response.status()));
        (response, latency)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    response
}

fn process(inner: &mut Inner, app: &App, req: &Req) -> Result<Reply, ApiError> {
    if let Some(status) = inner.faults.take_request_failure() {
        return Err(injected(status, inner.faults.reset_secs));
    }
    let authorization = req.header("authorization");
    if req.method == Method::POST && is_token_path(&req.path) {
        return auth::token(inner, &app.config, &req.body, authorization);
    }
    auth::check(inner, &app.config, authorization)?;
    if req.is_write()
        && let Some(status) = inner.faults.take_write_failure()
    {
        return Err(injected(status, inner.faults.reset_secs));
    }
    if req.method == Method::GET
        && req.path.contains("/set-field-definitions/")
        && inner.faults.take_task_poll_failure()
    {
        return Err(injected(500, inner.faults.reset_secs));
    }
    let lost = if req.is_write() { inner.faults.take_lost_write() } else { None };
    let reply = route(inner, req)?;
    match lost {
        Some(status) => Err(injected(status, inner.faults.reset_secs)),
        None => Ok(reply),
    }
}

fn is_token_path(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "/api/v2/token" | "/oauth/token")
}

fn route(inner: &mut Inner, req: &Req) -> Result<Reply, ApiError> {
    let segments: Vec<&str> = req.path.trim_end_matches('/').split('/').skip(1).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["api", "v2", "registries"]) => Ok(reference::registries(&inner.state)),
        ("GET", ["api", "v2", "registries", id]) => reference::registry(&inner.state, id),
        ("GET", ["api", "v2-alpha", "unit-types"]) => reference::unit_types(&inner.state, req),
        ("GET", ["api", "v2", "dropdowns"]) => dropdowns::list_v2(&inner.state, req),
        ("POST", ["api", "v2", "dropdowns"]) => dropdowns::create_v2(inner, req),
        ("GET", ["api", "v2", "dropdowns", id]) => dropdowns::get_v2(&inner.state, id),
        ("GET", ["api", "v3", "dropdown", "items"]) => dropdowns::list_v3(&inner.state, req),
        ("POST", ["api", "v3", "dropdown"]) => dropdowns::create_v3(inner, req),
        ("GET", ["api", "v3", "dropdown", id]) => dropdowns::get_v3(&inner.state, id),
        ("PATCH", ["api", "v3", "dropdown", id]) => dropdowns::patch_v3(inner, id, req),
        ("GET", ["api", "v3", "dropdown", id, "options", "items"]) => dropdowns::options_v3(&inner.state, id, req),
        ("GET", ["api", "v3", "tasks", family, "set-field-definitions", task]) => fields::task(inner, family, task),
        // Results schemas are not emulated: the list is empty, so Liminal's `generate-files` runs.
        ("GET", ["api", "v3", "result-schema", "items"]) => {
            super::paging::page(req)?;
            Ok(Reply::ok(json!({ "items": [], "nextToken": null })))
        }
        ("GET", ["api", "v3", "entity-schema", "items"]) if !inner.faults.no_union_list => {
            schemas::list_union(&inner.state, req)
        }
        (_, ["api", "v3", family, rest @ ..]) => match EntityType::from_endpoint(family) {
            Some(t) => schemas::route(inner, t, req, rest),
            None => Err(super::no_route(req)),
        },
        _ => Err(super::no_route(req)),
    }
}

/// The error an injected fault answers with, in the shape Benchling uses for that status.
fn injected(status: u16, reset_secs: u64) -> ApiError {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut e = match status {
        429 => ApiError::new(code, "invalid_request_error", "Rate limit exceeded."),
        500 => ApiError::new(code, "api_error", "Internal server error (injected by the emulator)."),
        _ => ApiError::new(code, "api_error", "Service unavailable (injected by the emulator)."),
    };
    if status == 429 {
        e.headers.push(("x-rate-limit-remaining", "0".into()));
        e.headers.push(("x-rate-limit-reset", reset_secs.to_string()));
    }
    e
}

/// `x-rate-limit-limit/remaining/reset` (reset in seconds), counted over a 30-second window.
fn rate_headers(inner: &mut Inner) -> Vec<(&'static str, String)> {
    let now = Instant::now();
    if now.duration_since(inner.window.0) >= RATE_WINDOW {
        inner.window = (now, 0);
    }
    inner.window.1 += 1;
    let left = RATE_WINDOW.saturating_sub(now.duration_since(inner.window.0)).as_secs().max(1);
    vec![
        ("x-rate-limit-limit", RATE_LIMIT.to_string()),
        ("x-rate-limit-remaining", RATE_LIMIT.saturating_sub(inner.window.1).to_string()),
        ("x-rate-limit-reset", left.to_string()),
    ]
}

fn respond(status: StatusCode, body: &Value, content_type: &str, headers: &[(&str, String)]) -> Response {
    let mut builder = Response::builder().status(status).header(header::CONTENT_TYPE, content_type);
    for (k, v) in headers {
        builder = builder.header(*k, v.as_str());
    }
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    builder.body(Body::from(bytes)).unwrap_or_else(|_| {
        let mut r = Response::new(Body::from("{\"error\":\"the emulator could not build a response\"}"));
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// One request-log entry. Credentials are never logged: no `Authorization` header, and the
/// token request's `client_secret` is masked.
fn log_entry(req: &Req, status: StatusCode) -> Value {
    let mut query = Map::new();
    for (k, v) in &req.query {
        query.insert(k.clone(), json!(v));
    }
    let body = if req.body.is_empty() {
        Value::Null
    } else if is_token_path(&req.path) {
        let mut form = Map::new();
        for (k, v) in decode_form(&String::from_utf8_lossy(&req.body)) {
            let v = if k == "client_secret" { "***".to_string() } else { v };
            form.insert(k, json!(v));
        }
        Value::Object(form)
    } else {
        serde_json::from_slice(&req.body).unwrap_or_else(|_| json!(String::from_utf8_lossy(&req.body)))
    };
    json!({
        "method": req.method.as_str(),
        "path": req.path,
        "query": query,
        "status": status.as_u16(),
        "early_access": req.header("early-access").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        "body": body,
    })
}

/// Percent-decode a path (`%3A` → `:`), leaving `+` alone.
fn decode_path(path: &str) -> String {
    if !path.contains('%') {
        return path.to_string();
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
            .flatten();
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
