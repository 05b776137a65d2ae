//! The HTTP backend: a Benchling tenant (or the emulator) behind its public API.
//!
//! Requests are the budget: Benchling allows about 60 requests per 30 s per tenant, and
//! liminal 5.1.0 re-lists all nine schema types before nearly every operation. This backend
//! reads the tenant once per run ([`read`]: registry, units, the nine schema lists, every
//! schema's fields, dropdowns and their options, concurrently) and keeps it in memory. Applying
//! an operation is simulating it on that copy ([`Op::apply`], the one meaning of every op) and
//! sending only the difference ([`apply`]); consecutive field operations on one schema (and
//! option operations on one dropdown) become one request.
//!
//! - [`auth`]: credentials and the OAuth2 token cache;
//! - [`client`]: sending, retries, paging, the request log;
//! - [`read`]: tenant → [`TenantState`];
//! - [`apply`]: before/after states → requests;
//! - [`ids`]: temporary ids from simulation, replaced by the server's.

mod apply;
mod auth;
mod client;
#[cfg(test)]
mod client_tests;
mod ids;
mod read;
mod retry;

use std::collections::HashSet;
use std::time::Duration;

pub use auth::Credentials;
pub use client::RequestRecord;
pub use retry::RetryPolicy;

use super::{ApplyError, Tenant, TenantError};
use crate::op::Op;
use crate::state::{Registry, TenantState};
use client::{Client, ClientConfig};

/// How to reach a tenant and how patient to be with it.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `https://<tenant>.benchling.com`, or the emulator's `http://127.0.0.1:<port>`.
    pub base_url: String,
    pub credentials: Credentials,
    /// Per request.
    pub timeout: Duration,
    /// Retries of one request after its first attempt.
    pub max_retries: u32,
    /// Log every request (method, path, query, status, time) to stderr.
    pub verbose: bool,
    /// First backoff window (doubles per retry) and the longest single wait.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Requests in flight at once while reading.
    pub concurrency: usize,
    /// Polling of `:set-field-definitions` tasks.
    pub poll: PollConfig,
}

/// How a `:set-field-definitions` task is polled: first after `first`, then at doubling
/// intervals up to `max_interval`, giving up after `limit` in total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollConfig {
    pub first: Duration,
    pub max_interval: Duration,
    pub limit: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            first: Duration::from_millis(100),
            max_interval: Duration::from_secs(1),
            limit: Duration::from_secs(300),
        }
    }
}

impl HttpConfig {
    /// Defaults: 30 s timeout, 6 retries with 1 s–30 s backoff, 8 requests in flight.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> HttpConfig {
        let retry = RetryPolicy::default();
        HttpConfig {
            base_url: base_url.into(),
            credentials,
            timeout: Duration::from_secs(30),
            max_retries: retry.max_retries,
            verbose: false,
            backoff_base: retry.base,
            backoff_cap: retry.cap,
            concurrency: 8,
            poll: PollConfig::default(),
        }
    }
}

/// What is known of the tenant so far.
#[derive(Debug, Default)]
enum Cache {
    /// Nothing read yet.
    #[default]
    Empty,
    /// Only what `revision()` needs: the custom-entity schemas (without fields) and
    /// `liminal_remote` with its fields. Enough for `set_revision`.
    Remote(read::RemoteView),
    /// The whole tenant.
    Full(TenantState),
}

/// A Benchling tenant over HTTP. See the module docs.
#[derive(Debug)]
pub struct HttpTenant {
    client: Client,
    config: HttpConfig,
    cache: Cache,
    /// The registry, once read (needed to create dropdowns and schemas).
    registry: Option<Registry>,
    /// Ids in the cached state that exist on the server under another id we have not read yet
    /// (fields and options created by a request whose answer does not list them). They are
    /// resolved, with one read of their schema or dropdown, only when something needs them.
    unresolved: HashSet<String>,
}

impl HttpTenant {
    pub fn new(config: HttpConfig) -> Result<HttpTenant, TenantError> {
        let client = Client::new(ClientConfig {
            base_url: config.base_url.clone(),
            credentials: config.credentials.clone(),
            timeout: config.timeout,
            retry: RetryPolicy { max_retries: config.max_retries, base: config.backoff_base, cap: config.backoff_cap },
            verbose: config.verbose,
            concurrency: config.concurrency,
        })?;
        Ok(HttpTenant { client, config, cache: Cache::Empty, registry: None, unresolved: HashSet::new() })
    }

    /// Every HTTP exchange so far (token requests and retries included), oldest first, with its
    /// status and timing.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.client.records()
    }

    /// Forget what was read: the next call reads the tenant again.
    pub fn invalidate(&mut self) {
        self.cache = Cache::Empty;
        self.unresolved.clear();
    }

    /// The whole tenant, read once per run.
    async fn full(&mut self) -> Result<&mut TenantState, TenantError> {
        if !matches!(self.cache, Cache::Full(_)) {
            let prefetched = match std::mem::take(&mut self.cache) {
                Cache::Remote(r) => Some(r),
                _ => None,
            };
            let state = read::read_all(&self.client, prefetched, self.registry.clone()).await?;
            self.registry = Some(state.registry.clone());
            self.cache = Cache::Full(state);
        }
        match &mut self.cache {
            Cache::Full(s) => Ok(s),
            _ => Err(TenantError::Http("the tenant state was not read".into())),
        }
    }
}

impl Tenant for HttpTenant {
    async fn read(&mut self) -> Result<TenantState, TenantError> {
        self.full().await?;
        self.resolve_all().await?;
        match &self.cache {
            Cache::Full(s) => Ok(s.clone()),
            _ => Err(TenantError::Http("the tenant state was not read".into())),
        }
    }

    async fn revision(&mut self) -> Result<Option<String>, TenantError> {
        if matches!(self.cache, Cache::Empty) {
            self.cache = Cache::Remote(read::read_remote(&self.client).await?);
        }
        let revision = match &self.cache {
            Cache::Full(s) => s.revision(),
            Cache::Remote(r) => r.state.revision(),
            Cache::Empty => Ok(None),
        };
        revision.map_err(TenantError::Remote)
    }

    async fn apply(&mut self, ops: &[Op], done: &mut (dyn FnMut(usize) + Send)) -> Result<(), ApplyError> {
        self.full().await.map_err(|error| ApplyError::Tenant { index: 0, error })?;
        self.apply_ops(ops, done).await
    }

    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        if matches!(self.cache, Cache::Empty) {
            self.revision().await?;
        }
        self.write_revision(revision).await
    }

    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError> {
        if matches!(self.cache, Cache::Empty) {
            self.revision().await?;
        }
        self.write_remote_fields(values).await
    }

    async fn remote_field(&mut self, warehouse_name: &str, fresh: bool) -> Result<Option<String>, TenantError> {
        if matches!(self.cache, Cache::Empty) {
            self.revision().await?;
        } else if fresh {
            self.reread_remote().await?;
        }
        let state = match &self.cache {
            Cache::Full(s) => s,
            Cache::Remote(r) => &r.state,
            Cache::Empty => return Ok(None),
        };
        Ok(super::remote_value(state, warehouse_name))
    }

    fn batch_len(&self, ops: &[Op]) -> usize {
        match ops.first() {
            Some(head) => 1 + ops[1..].iter().take_while(|op| apply::joins(head, op)).count(),
            None => 0,
        }
    }

    fn requests(&self) -> u64 {
        self.client.count()
    }
}
