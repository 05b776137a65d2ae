//! The client against tiny axum stubs: paging, retries and backoff, which requests are never
//! re-sent, token caching and refresh.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use reqwest::Method;
use serde_json::{Value, json};

use super::auth::Credentials;
use super::client::{Client, ClientConfig, Kind};
use super::request::Request;
use super::retry::RetryPolicy;

type Hits = Arc<AtomicUsize>;

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn client(base: &str, credentials: Credentials) -> Client {
    Client::new(ClientConfig {
        base_url: base.into(),
        credentials,
        timeout: Duration::from_secs(5),
        retry: RetryPolicy { max_retries: 3, base: Duration::from_millis(1), cap: Duration::from_millis(20) },
        verbose: false,
        concurrency: 4,
    })
    .unwrap()
}

fn key() -> Credentials {
    Credentials::ApiKey("sk_test".into())
}

fn app() -> Credentials {
    Credentials::ClientCredentials { id: "cid".into(), secret: "csecret".into() }
}

#[tokio::test]
async fn pages_are_followed_until_the_token_is_empty() {
    async fn items(Query(q): Query<Vec<(String, String)>>) -> Json {
        assert!(q.contains(&("pageSize".into(), "100".into())));
        let token = q.iter().find(|(k, _)| k == "nextToken").map(|(_, v)| v.as_str());
        let (items, next) = match token {
            None => (json!([1, 2]), json!("a")),
            Some("a") => (json!([3]), json!("b")),
            _ => (json!([4]), json!("")),
        };
        axum::Json(json!({ "items": items, "nextToken": next }))
    }
    let base = serve(Router::new().route("/api/v3/x/items", get(items))).await;
    let c = client(&base, key());
    let all = c.get_all(Request::get("/api/v3/x/items"), "items").await.unwrap();
    assert_eq!(all, vec![json!(1), json!(2), json!(3), json!(4)]);
    assert_eq!(c.count(), 3);
    let log = c.records();
    assert_eq!(log[1].query, "pageSize=100&nextToken=a");
    assert_eq!(log[0].status, Some(200));
}

type Json = axum::Json<Value>;

/// Fails the first `n` requests with `status` (and a rate-limit hint), then answers 200.
async fn flaky(State((hits, n, status)): State<(Hits, usize, u16)>) -> Response {
    let k = hits.fetch_add(1, Ordering::SeqCst);
    if k < n {
        let body = json!({ "error": { "message": "Rate limit exceeded.", "type": "invalid_request_error" } });
        let code = StatusCode::from_u16(status).unwrap();
        return (code, [("x-rate-limit-reset", "30")], axum::Json(body)).into_response();
    }
    axum::Json(json!({ "ok": k })).into_response()
}

async fn flaky_server(n: usize, status: u16) -> (String, Hits) {
    let hits = Hits::default();
    let router =
        Router::new().route("/api/v3/thing", get(flaky).post(flaky).patch(flaky)).with_state((hits.clone(), n, status));
    (serve(router).await, hits)
}

#[tokio::test]
async fn reads_are_retried_on_429_honouring_the_capped_hint() {
    let (base, hits) = flaky_server(2, 429).await;
    let c = client(&base, key());
    let started = std::time::Instant::now();
    let r = c.send(&Request::get("/api/v3/thing")).await.unwrap();
    assert_eq!(r.body, json!({ "ok": 2 }));
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // x-rate-limit-reset says 30 s; the cap (20 ms) wins, twice.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(40), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn retries_stop_after_max_retries_with_the_servers_message() {
    let (base, hits) = flaky_server(10, 503).await;
    let c = client(&base, key());
    let e = c.send(&Request::get("/api/v3/thing")).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 4);
    assert_eq!(e.status, Some(503));
    assert_eq!(e.to_string(), "GET /api/v3/thing failed with 503: Rate limit exceeded. (invalid_request_error)");
}

#[tokio::test]
async fn writes_are_retried_on_429_and_503_only() {
    for (status, sent, ok) in [(429, 2, true), (503, 2, true), (502, 1, false), (504, 1, false), (500, 1, false)] {
        let (base, hits) = flaky_server(1, status).await;
        let c = client(&base, key());
        let req = Request::write(Method::PATCH, "/api/v3/thing", json!({}), Kind::Write);
        let r = c.send(&req).await;
        assert_eq!(r.is_ok(), ok, "{status}");
        assert_eq!(hits.load(Ordering::SeqCst), sent, "{status}");
        if let Err(e) = r {
            assert!(e.outcome_unknown, "{status}");
        }
    }
}

#[tokio::test]
async fn a_create_is_not_resent_after_a_500() {
    let (base, hits) = flaky_server(1, 500).await;
    let c = client(&base, key());
    let req = Request::write(Method::POST, "/api/v3/thing", json!({ "name": "x" }), Kind::Create);
    let e = c.send(&req).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(e.outcome_unknown);
}

#[tokio::test]
async fn v3_problems_are_reported_with_method_path_and_status() {
    async fn bad() -> Response {
        let body = json!({ "type": "x", "title": "Bad Request", "detail": "duplicate systemName `a`", "status": 400 });
        (StatusCode::BAD_REQUEST, [("content-type", "application/problem+json")], body.to_string()).into_response()
    }
    let base = serve(Router::new().route("/api/v3/custom-entity-schema", post(bad))).await;
    let c = client(&base, key());
    let req = Request::write(Method::POST, "/api/v3/custom-entity-schema", json!({}), Kind::Create);
    let e = c.send(&req).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "POST /api/v3/custom-entity-schema failed with 400: Bad Request: duplicate systemName `a`"
    );
    assert!(!e.outcome_unknown);
    assert_eq!(c.count(), 1);
}

/// A token endpoint handing out `t1`, `t2`, …, and an API that accepts only the newest token
/// and rejects the first use of `t1` (revoked early).
#[derive(Clone, Default)]
struct Tokens {
    issued: Hits,
    calls: Hits,
}

async fn token(State(t): State<Tokens>, headers: HeaderMap, body: String) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let expected =
        format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "cid:csecret"));
    if auth != expected || body != "grant_type=client_credentials" {
        let body = json!({ "error": { "message": "bad client", "type": "invalid_client" } });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    let n = t.issued.fetch_add(1, Ordering::SeqCst) + 1;
    axum::Json(json!({ "access_token": format!("t{n}"), "token_type": "Bearer", "expires_in": 900 })).into_response()
}

async fn api(State(t): State<Tokens>, headers: HeaderMap) -> Response {
    t.calls.fetch_add(1, Ordering::SeqCst);
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let newest = format!("Bearer t{}", t.issued.load(Ordering::SeqCst));
    if auth != newest || auth == "Bearer t1" {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "error": { "message": "expired token" } })))
            .into_response();
    }
    let early = headers.get("early-access").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    axum::Json(json!({ "early": early })).into_response()
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_then_reused() {
    let tokens = Tokens::default();
    let router = Router::new()
        .route("/api/v2/token", post(token))
        .route("/api/v3/thing", get(api))
        .route("/api/v2/thing", get(api))
        .with_state(tokens.clone());
    let base = serve(router).await;
    let c = client(&base, app());
    let r = c.send(&Request::get("/api/v3/thing")).await.unwrap();
    assert_eq!(r.body, json!({ "early": "true" }));
    let r = c.send(&Request::get("/api/v2/thing")).await.unwrap();
    assert_eq!(r.body, json!({ "early": "" }));
    assert_eq!(tokens.issued.load(Ordering::SeqCst), 2);
    // token, 401, token, 200, 200
    assert_eq!(c.count(), 5);
    let paths: Vec<_> = c.records().iter().map(|r| (r.path.clone(), r.status)).collect();
    assert_eq!(paths[1], ("/api/v3/thing".to_string(), Some(401)));
}

#[tokio::test]
async fn wrong_client_credentials_are_an_auth_error_without_the_secret() {
    let router = Router::new().route("/api/v2/token", post(token)).with_state(Tokens::default());
    let base = serve(router).await;
    let c = client(&base, Credentials::ClientCredentials { id: "cid".into(), secret: "wrong-secret".into() });
    let e = c.send(&Request::get("/api/v3/thing")).await.unwrap_err();
    assert_eq!(e.status, Some(401));
    let text = crate::tenant::TenantError::from(e.clone()).to_string();
    assert!(text.contains("rejected the client credentials"), "{text}");
    assert!(!text.contains("wrong-secret"));
    assert_eq!(c.count(), 1);
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let c = client(&base, key());
    let e = c.send(&Request::get("/api/v3/thing")).await.unwrap_err();
    // An unreachable host gets fewer retries than the policy's 3: it fails quickly, named.
    assert_eq!(c.count(), 1 + u64::from(super::client::CONNECT_RETRIES));
    assert!(e.to_string().contains("could not connect"), "{e}");
    assert!(e.to_string().contains(&format!("cannot reach {}", &base["http://".len()..])), "{e}");
    assert_eq!(e.status, None);
}

#[test]
fn a_record_is_one_log_line() {
    let r = super::request::RequestRecord {
        method: "GET".into(),
        path: "/api/v3/dropdown/items".into(),
        query: "archived.anyOf=true,false&pageSize=100".into(),
        status: Some(200),
        started: Duration::ZERO,
        elapsed: Duration::from_millis(12),
    };
    assert_eq!(r.to_string(), "GET /api/v3/dropdown/items?archived.anyOf=true,false&pageSize=100 -> 200 (12 ms)");
}

#[test]
fn a_tenant_never_shows_its_secret() {
    let config = super::HttpConfig::new(
        "https://t.benchling.com",
        Credentials::ClientCredentials { id: "cid".into(), secret: "s3cr3t-value".into() },
    );
    let tenant = super::HttpTenant::new(config.clone()).unwrap();
    assert!(!format!("{tenant:?}").contains("s3cr3t-value"));
    assert!(!format!("{config:?}").contains("s3cr3t-value"));
    let bad = super::HttpTenant::new(super::HttpConfig::new("ftp://x", key())).unwrap_err();
    assert!(bad.to_string().contains("https://"), "{bad}");
}
