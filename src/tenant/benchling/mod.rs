//! The HTTP backend: a Benchling tenant (or the emulator) behind its public API.
//!
//! Requests are the budget: Benchling allows about 60 requests per 30 s per tenant, and
//! liminal 5.1.0 re-lists all nine schema types before nearly every operation. This backend
//! reads the tenant at most once per run and only what the command needs ([`Needs`]): the
//! revision lookup is one filtered list and `liminal_remote`'s fields; an upgrade reads the
//! union schema list and the fields, dropdown options, units and registry of what its plan
//! touches; `diff` reads everything ([`read`]). It keeps what it read in memory. Applying
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
pub mod events;
mod http_error;
mod ids;
mod read;
mod request;
mod retry;
mod sync;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

pub use auth::Credentials;
pub use http_error::{HttpError, HttpSource};
pub use request::RequestRecord;
pub use retry::RetryPolicy;

use super::{ApplyError, Needs, Tenant, TenantError};
use crate::op::Op;
use crate::schema::{EntityType, REMOTE_SCHEMA};
use crate::settings::TenantSettings;
use crate::state::{Dropdown, TenantState, Unread};
use crate::wire::ParsedSchema;
use client::{Client, ClientConfig};
use ids::reserve_temp_ids;
use read::join_all;

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
    /// Told of every exchange and every wait before a retry (progress output).
    pub observer: Option<events::ObserverHandle>,
    /// What liminal.yaml says the tenant allows (Benchling's API does not tell).
    pub settings: TenantSettings,
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
            observer: None,
            settings: TenantSettings::default(),
        }
    }
}

/// A Benchling tenant over HTTP. See the module docs.
#[derive(Debug)]
pub struct HttpTenant {
    client: Client,
    config: HttpConfig,
    /// What is known of the tenant: `None` before the first read; otherwise what was not read
    /// yet is listed in its `unread`. Kept up to date by writes.
    cache: Option<TenantState>,
    /// Schemas listed but whose fields are not read yet, as listed (their constraint names
    /// fields, resolved once the fields are read).
    listed: HashMap<String, ParsedSchema>,
    /// What the command said it will read ([`Tenant::prepare`]).
    prepared: Needs,
    /// Ids in the cached state that exist on the server under another id we have not read yet
    /// (fields and options created by a request whose answer does not list them). They are
    /// resolved, with one read of their schema or dropdown, only when something needs them.
    unresolved: HashSet<String>,
}

fn not_read() -> TenantError {
    TenantError::internal("the tenant state was not read")
}

/// A state that knows nothing but what is filled in: every list unread.
fn skeleton() -> TenantState {
    let mut state = TenantState { units: vec![], ..TenantState::new() };
    state.unread = Unread {
        schema_list: true,
        entry_schemas: true,
        fields: BTreeSet::new(),
        dropdown_list: true,
        options: BTreeSet::new(),
        units: true,
        registry: true,
    };
    reserve_temp_ids(&mut state);
    state
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
        if let Some(observer) = &config.observer {
            client.set_observer(observer.clone());
        }
        Ok(HttpTenant {
            client,
            config,
            cache: None,
            listed: HashMap::new(),
            prepared: Needs::default(),
            unresolved: HashSet::new(),
        })
    }

    /// The configuration it was opened with.
    #[cfg(test)]
    pub(crate) fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Every HTTP exchange so far (token requests and retries included), oldest first, with its
    /// status and timing.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.client.records()
    }

    /// Forget what was read: the next call reads the tenant again.
    pub fn invalidate(&mut self) {
        self.cache = None;
        self.listed.clear();
        self.unresolved.clear();
    }

    /// Read what `needs` asks for and the cache does not hold yet, in as few rounds as the
    /// dependencies allow: (1) the lists and dictionaries, at once; (2) the entry-schema list
    /// if a schema the plan names is not in the union list; (3) the fields of the schemas the
    /// plan acts on (and `liminal_remote`'s), at once; (4) the dropdown list or the units if
    /// those fields use them; (5) the options of the dropdowns the plan acts on.
    async fn ensure(&mut self, needs: &Needs) -> Result<&mut TenantState, TenantError> {
        let all = needs.everything;
        if self.cache.is_none() && !(all || needs.schema_list) {
            // Nothing but `liminal_remote` is needed, and it is always read: the revision lookup.
            self.lookup_remote().await?;
        }
        let mut state = match self.cache.take() {
            Some(s) => s,
            None => TenantState { settings: self.config.settings, ..skeleton() },
        };
        let result = self.fill(&mut state, needs, all).await;
        self.cache = Some(state);
        result?;
        self.cache.as_mut().ok_or_else(not_read)
    }

    async fn fill(&mut self, state: &mut TenantState, needs: &Needs, all: bool) -> Result<(), TenantError> {
        let HttpTenant { client: c, listed, .. } = self;
        let u = state.unread.clone();
        let want_list = u.schema_list && (all || needs.schema_list);
        let want_entry = u.entry_schemas && (all || needs.entry_schemas);
        let want_dropdowns = u.dropdown_list && (all || needs.dropdown_list || !needs.dropdowns.is_empty());
        let want_units = u.units && (all || needs.units);
        let want_registry = u.registry && all;
        let (lists, entry, dropdowns, units, registry) = tokio::try_join!(
            maybe(want_list, read::list_entity_schemas(c)),
            maybe(want_entry, read::list_schemas(c, EntityType::Entry)),
            maybe(want_dropdowns, read::list_dropdowns(c)),
            maybe(want_units, read::units(c)),
            maybe(want_registry, read::registry(c)),
        )?;
        if let Some(l) = lists {
            merge_listed(listed, state, l);
            state.unread.schema_list = false;
        }
        if let Some(l) = entry {
            merge_listed(listed, state, l);
            state.unread.entry_schemas = false;
        }
        if let Some(d) = dropdowns {
            merge_dropdowns(state, d);
        }
        if let Some(units) = units {
            state.units = units;
            state.unread.units = false;
        }
        if let Some(r) = registry {
            state.registry = r;
            state.unread.registry = false;
        }
        // (2) A named schema that is not an entity schema may be an entry schema.
        if state.unread.entry_schemas
            && !state.unread.schema_list
            && needs.schemas.iter().chain(&needs.linked).any(|wh| state.schema(wh).is_none())
        {
            let l = read::list_schemas(c, EntityType::Entry).await?;
            merge_listed(listed, state, l);
            state.unread.entry_schemas = false;
        }

        // (3) Fields.
        let wanted: Vec<String> = state
            .schemas
            .iter()
            .filter(|s| state.unread.fields.contains(&s.id))
            .filter(|s| {
                all || needs.all_fields
                    || s.warehouse_name == REMOTE_SCHEMA
                    || needs.schemas.contains(&s.warehouse_name)
            })
            .map(|s| s.id.clone())
            .collect();
        let jobs: Vec<_> = wanted
            .iter()
            .filter_map(|id| state.schema_by_id(id).map(|s| (s.entity_type, s.id.clone())))
            .map(|(t, id)| {
                let c = c.clone();
                async move { read::list_fields(&c, t, &id).await }
            })
            .collect();
        let fields = join_all(jobs).await?;
        for (id, f) in wanted.iter().zip(fields) {
            if let (Some(parsed), Some(i)) = (listed.remove(id), state.schemas.position_by_id(id)) {
                *state.schemas.at_mut(i) = parsed.with_fields(f);
            }
            state.unread.fields.remove(id);
        }
        // Fields whose properties the plan reads resolve their dropdown and unit by name.
        let viewed = state.schemas.iter().filter(|s| !state.unread.fields.contains(&s.id)).flat_map(|s| {
            let whole = needs.viewed_schemas.contains(&s.warehouse_name);
            s.fields.iter().filter(move |f| {
                whole || needs.viewed_fields.contains(&(s.warehouse_name.clone(), f.warehouse_name.clone()))
            })
        });
        let (mut uses_dropdowns, mut uses_units) = (false, false);
        for f in viewed {
            uses_dropdowns |= f.field_type == crate::schema::FieldType::Dropdown;
            uses_units |= f.unit.is_some();
        }

        // (4) What those fields resolve names in.
        let (dropdowns, units) = tokio::try_join!(
            maybe(uses_dropdowns && state.unread.dropdown_list, read::list_dropdowns(c)),
            maybe(uses_units && state.unread.units, read::units(c)),
        )?;
        if let Some(d) = dropdowns {
            merge_dropdowns(state, d);
        }
        if let Some(units) = units {
            state.units = units;
            state.unread.units = false;
        }

        // (5) Options.
        let wanted: Vec<String> = state
            .dropdowns
            .iter()
            .filter(|d| state.unread.options.contains(&d.id) && (all || needs.dropdowns.contains(&d.name)))
            .map(|d| d.id.clone())
            .collect();
        let jobs: Vec<_> = wanted
            .iter()
            .map(|id| {
                let (c, id) = (c.clone(), id.clone());
                async move { read::list_options(&c, &id).await }
            })
            .collect();
        let options = join_all(jobs).await?;
        for (id, o) in wanted.iter().zip(options) {
            if let Some(i) = state.dropdowns.position_by_id(id) {
                state.dropdowns.at_mut(i).options = o;
            }
            state.unread.options.remove(id);
        }
        Ok(())
    }

    /// Read `liminal_remote` alone (a filtered list and its fields) into an empty cache.
    async fn lookup_remote(&mut self) -> Result<(), TenantError> {
        let mut state = TenantState { settings: self.config.settings, ..skeleton() };
        if let Some(p) = read::find_remote(&self.client).await? {
            let fields = read::list_fields(&self.client, EntityType::CustomEntity, &p.schema.id).await?;
            state.schemas.push(p.with_fields(fields));
        }
        self.cache = Some(state);
        Ok(())
    }

    /// The cached state with every server id resolved, as handed out.
    async fn handed_out(&mut self) -> Result<TenantState, TenantError> {
        self.resolve_all().await?;
        self.cache.clone().ok_or_else(not_read)
    }
}

/// Add listed schemas the cache does not have yet, fields unread (`liminal_remote` read by
/// `revision()` and schemas created since stay as the cache has them).
fn merge_listed(listed: &mut HashMap<String, ParsedSchema>, state: &mut TenantState, new: Vec<ParsedSchema>) {
    let known: HashSet<String> = state.schemas.iter().map(|s| s.id.clone()).collect();
    for p in new {
        if known.contains(&p.schema.id) {
            continue;
        }
        state.unread.fields.insert(p.schema.id.clone());
        state.schemas.push(p.schema.clone());
        listed.insert(p.schema.id.clone(), p);
    }
}

/// Add listed dropdowns the cache does not have yet, options unread.
fn merge_dropdowns(state: &mut TenantState, new: Vec<Dropdown>) {
    let known: HashSet<String> = state.dropdowns.iter().map(|d| d.id.clone()).collect();
    for d in new {
        if !known.contains(&d.id) {
            state.unread.options.insert(d.id.clone());
            state.dropdowns.push(d);
        }
    }
    state.unread.dropdown_list = false;
}

/// `fut`'s result when `wanted`, without sending anything otherwise.
async fn maybe<T>(
    wanted: bool,
    fut: impl std::future::Future<Output = Result<T, TenantError>>,
) -> Result<Option<T>, TenantError> {
    if wanted { fut.await.map(Some) } else { Ok(None) }
}

impl Tenant for HttpTenant {
    async fn read(&mut self) -> Result<TenantState, TenantError> {
        self.ensure(&Needs::everything()).await?;
        self.handed_out().await
    }

    async fn read_for(&mut self, needs: &Needs) -> Result<TenantState, TenantError> {
        self.ensure(needs).await?;
        self.handed_out().await
    }

    fn prepare(&mut self, needs: &Needs) {
        self.prepared.merge(needs.clone());
    }

    async fn revision(&mut self) -> Result<Option<String>, TenantError> {
        if self.cache.is_none() {
            if self.prepared.schema_list || self.prepared.everything {
                // The lists are read anyway: `liminal_remote` is in them.
                let needs = Needs { schema_list: true, ..Needs::default() };
                self.ensure(&needs).await?;
            } else {
                self.lookup_remote().await?;
            }
        }
        self.cache.as_ref().ok_or_else(not_read)?.revision().map_err(TenantError::from)
    }

    async fn apply(&mut self, ops: &[Op], done: &mut (dyn FnMut(usize) + Send)) -> Result<(), ApplyError> {
        self.ensure(&Needs::of_ops(ops)).await.map_err(|error| ApplyError::Tenant { index: 0, error })?;
        self.apply_ops(ops, done).await
    }

    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        if self.cache.is_none() {
            self.revision().await?;
        }
        self.write_revision(revision).await
    }

    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError> {
        if self.cache.is_none() {
            self.revision().await?;
        }
        self.write_remote_fields(values).await
    }

    async fn remote_field(&mut self, warehouse_name: &str, fresh: bool) -> Result<Option<String>, TenantError> {
        if self.cache.is_none() {
            self.revision().await?;
        } else if fresh {
            self.reread_remote().await?;
        }
        Ok(self.cache.as_ref().and_then(|s| super::remote_value(s, warehouse_name)))
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
