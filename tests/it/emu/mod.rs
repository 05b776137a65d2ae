//! Shared by the HTTP backend tests (`tests/it/http_backend.rs`): an emulator with its admin API, and tenants pointed at it.

pub(crate) mod scenario;

use std::time::Duration;

use liminal::emulator::{EmulatorConfig, RunningEmulator};
use liminal::state::TenantState;
use liminal::tenant::benchling::{Credentials, HttpConfig, HttpTenant, PollConfig};
use serde_json::Value;

pub(crate) struct Emu {
    /// Keeps the server up for as long as the test holds the `Emu`.
    _running: RunningEmulator,
    pub url: String,
    admin: reqwest::Client,
}

pub(crate) async fn emulator() -> Emu {
    emulator_with(EmulatorConfig::default()).await
}

pub(crate) async fn emulator_with(config: EmulatorConfig) -> Emu {
    let running = liminal::emulator::spawn(config).await.unwrap();
    let url = running.url();
    Emu { _running: running, url, admin: reqwest::Client::new() }
}

/// Quick to give up and quick to retry, so tests stay fast.
pub(crate) fn fast_config(url: &str) -> HttpConfig {
    let mut c = HttpConfig::new(url, Credentials::ClientCredentials { id: "liminal".into(), secret: "liminal".into() });
    c.timeout = Duration::from_secs(10);
    c.max_retries = 4;
    c.backoff_base = Duration::from_millis(1);
    c.backoff_cap = Duration::from_millis(20);
    c.poll = PollConfig {
        first: Duration::from_millis(1),
        max_interval: Duration::from_millis(5),
        limit: Duration::from_secs(10),
    };
    c
}

impl Emu {
    pub(crate) fn tenant(&self) -> HttpTenant {
        HttpTenant::new(fast_config(&self.url)).unwrap()
    }

    fn admin(&self, path: &str) -> String {
        format!("{}/__emulator/{path}", self.url)
    }

    pub(crate) async fn faults(&self, faults: Value) {
        let r = self.admin.post(self.admin("faults")).json(&faults).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    pub(crate) async fn clear_faults(&self) {
        self.admin.delete(self.admin("faults")).send().await.unwrap();
    }

    /// The request log: `{method, path, query, status, ...}` per API request, oldest first.
    pub(crate) async fn requests(&self) -> Vec<Value> {
        let r = self.admin.get(self.admin("requests")).send().await.unwrap();
        r.json::<Vec<Value>>().await.unwrap()
    }

    pub(crate) async fn clear_requests(&self) {
        self.admin.delete(self.admin("requests")).send().await.unwrap();
    }

    pub(crate) async fn state(&self) -> TenantState {
        let r = self.admin.get(self.admin("state")).send().await.unwrap();
        r.json().await.unwrap()
    }

    pub(crate) async fn put_state(&self, state: &TenantState) {
        let r = self.admin.put(self.admin("state")).json(state).send().await.unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    pub(crate) async fn reset(&self) {
        self.admin.post(self.admin("reset")).send().await.unwrap();
    }
}

/// `METHOD /path` of a logged request, with ids replaced by `{id}` so counts group by endpoint.
pub(crate) fn endpoint(r: &Value) -> String {
    let method = r["method"].as_str().unwrap_or_default();
    let path = r["path"].as_str().unwrap_or_default();
    let parts: Vec<String> = path
        .split('/')
        .map(|seg| {
            let (head, tail) = seg.split_once(':').map(|(h, t)| (h, Some(t))).unwrap_or((seg, None));
            let head = if ["ts_", "tsf_", "sfs_", "sfso_", "src_"].iter().any(|p| head.starts_with(p))
                || (head.len() >= 8 && head.chars().any(|c| c.is_ascii_digit()) && !head.contains('-'))
            {
                "{id}"
            } else {
                head
            };
            match tail {
                Some(t) => format!("{head}:{t}"),
                None => head.to_string(),
            }
        })
        .collect();
    format!("{method} {}", parts.join("/"))
}

/// How many logged requests hit each endpoint, sorted.
pub(crate) fn counts(log: &[Value]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for r in log {
        let e = endpoint(r);
        match out.iter_mut().find(|(k, _)| *k == e) {
            Some((_, n)) => *n += 1,
            None => out.push((e, 1)),
        }
    }
    out.sort();
    out
}
