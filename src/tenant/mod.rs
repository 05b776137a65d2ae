//! Tenants: where a [`TenantState`] lives and how operations reach it.
//!
//! - [`local::LocalTenant`]: a JSON file, the embedded default (`local:` in `liminal.yaml`).
//! - `benchling::HttpTenant`: Benchling's API over HTTP (`url:`), or the emulator.
//!
//! [`open::open`] makes either from a tenant entry of `liminal.yaml` ([`AnyTenant`]).
//!
//! Both apply the same [`Op`]s with the same meaning ([`Op::apply`]); the HTTP backend applies
//! each op to its in-memory copy of the tenant first and sends what changed.
//!
//! Reading costs requests over HTTP, so a command says what it needs ([`Needs`]):
//! [`Tenant::read`] is the whole tenant (`diff`, `revision`), [`Tenant::read_for`] only what a
//! plan's operations touch (`upgrade`, `downgrade`); what a partial state does not hold is listed
//! in its [`crate::state::Unread`], and [`Op::apply`] refuses to look at it.

pub mod benchling;
pub mod local;
mod needs;
pub mod open;

pub use needs::Needs;
pub use open::{AnyTenant, OpenError, OpenOptions};

pub use benchling::{HttpError, HttpSource};

use crate::op::{Op, OpError};
use crate::state::{RevisionFields, TenantState};
use crate::wire::WireError;

/// A tenant could not be read or written.
///
/// Each variant keeps what caused it: an [`HttpError`] (method, path, status, the start of the
/// answer, or the transport failure) for a request that failed, the [`WireError`] of an answer
/// liminal cannot read. Its message says it all on one line (a cause it names is not printed
/// again below it); its [`TenantError::code`] is data for tools (JSON error documents), not
/// printed above the message.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TenantError {
    #[error("cannot read or write the local tenant file {path}: {message}")]
    #[diagnostic(help("check the path under `local:` in liminal.yaml and the folder's permissions"))]
    File {
        path: std::path::PathBuf,
        message: String,
        /// The I/O or JSON error underneath.
        #[source]
        source: Option<Cause>,
    },
    #[error("the tenant's `liminal_remote` schema is not as liminal expects: {0}")]
    #[diagnostic(help("fix the liminal_remote schema in Benchling so it has exactly one active revision_id field"))]
    Remote(#[source] RemoteError),
    /// A request failed (a status that is not a success, or no answer at all).
    #[error("{0}")]
    #[diagnostic(help("check the tenant's url and your network; run with -v to see each request"))]
    Http(#[source] Box<HttpError>),
    /// The tenant refused the credentials (401, or the token exchange failed).
    #[error("{0}")]
    #[diagnostic(help("check the credentials' environment variables named in liminal.yaml"))]
    Auth(#[source] Box<HttpError>),
    /// The tenant answered, but not as Benchling's API says it does: a body liminal cannot read,
    /// a list or a task that contradicts what was just sent.
    #[error("{message}")]
    #[diagnostic(help("check the tenant's url and your network; run with -v to see each request"))]
    Answer {
        message: String,
        #[source]
        source: Option<WireError>,
    },
    /// The connection to the tenant cannot be set up (its url, the HTTP client).
    #[error("{message}")]
    #[diagnostic(help("check the tenant's url and your network; run with -v to see each request"))]
    Connect {
        message: String,
        #[source]
        source: Option<Cause>,
    },
    /// A bug in liminal: one of its own invariants does not hold (not something the tenant or
    /// the network did).
    #[error("{message}")]
    #[diagnostic(help(
        "this is a bug in liminal, not a problem with the tenant: please report it with the command and its output (-v shows each request)"
    ))]
    Internal {
        message: String,
        #[source]
        source: Option<Cause>,
    },
}

/// Any underlying error, kept as a source.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// What is wrong with the tenant's `liminal_remote` schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    #[error(transparent)]
    RevisionFields(#[from] RevisionFields),
    /// A lease written to `liminal_remote` read back as something else.
    #[error("the lease written to `{field}` did not read back (found {found})")]
    LeaseNotReadBack { field: &'static str, found: String },
}

impl TenantError {
    /// A stable code for the kind of failure (`code` in JSON error documents).
    pub fn code(&self) -> &'static str {
        match self {
            TenantError::File { .. } => "tenant::file",
            TenantError::Remote(_) => "tenant::liminal_remote",
            TenantError::Http(_) | TenantError::Answer { .. } | TenantError::Connect { .. } => "tenant::http",
            TenantError::Auth(_) => "tenant::auth",
            TenantError::Internal { .. } => "tenant::internal",
        }
    }

    /// An answer liminal cannot use, with no underlying error.
    pub fn answer(message: impl Into<String>) -> TenantError {
        TenantError::Answer { message: message.into(), source: None }
    }

    /// A broken invariant of liminal's own (a bug), with no underlying error.
    pub fn internal(message: impl Into<String>) -> TenantError {
        TenantError::Internal { message: message.into(), source: None }
    }

    /// The failed request, if that is what this is.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            TenantError::Http(e) | TenantError::Auth(e) => Some(e),
            _ => None,
        }
    }
}

impl From<HttpError> for TenantError {
    fn from(e: HttpError) -> TenantError {
        if e.status == Some(401) { TenantError::Auth(Box::new(e)) } else { TenantError::Http(Box::new(e)) }
    }
}

impl From<RemoteError> for TenantError {
    fn from(e: RemoteError) -> TenantError {
        TenantError::Remote(e)
    }
}

impl From<RevisionFields> for TenantError {
    fn from(e: RevisionFields) -> TenantError {
        TenantError::Remote(e.into())
    }
}

/// Applying a list of operations stopped at `index`.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The operation itself is not possible on the tenant (nothing was sent for it).
    #[error("operation {index} failed: {error}")]
    Op {
        index: usize,
        #[source]
        error: OpError,
    },
    /// The tenant failed while applying it.
    #[error("operation {index} failed: {error}")]
    Tenant {
        index: usize,
        #[source]
        error: TenantError,
    },
}

impl ApplyError {
    pub fn index(&self) -> usize {
        match self {
            ApplyError::Op { index, .. } | ApplyError::Tenant { index, .. } => *index,
        }
    }
}

/// What every backend offers. Methods are async because the HTTP backend is; the local one
/// never awaits.
///
/// Reading: `revision()` first (it reads `liminal_remote` only), then `read()` for the whole
/// tenant or `read_for(needs)` for what a plan needs. `apply` reads by itself whatever its
/// operations need and the cache does not hold yet, so it is safe after any read.
#[allow(async_fn_in_trait)]
pub trait Tenant {
    /// The whole tenant: schemas (archived included, with all fields), dropdowns (with all
    /// options), units and the registry.
    async fn read(&mut self) -> Result<TenantState, TenantError>;

    /// A state that holds at least what `needs` asks for, and `liminal_remote` with its fields.
    /// What it does not hold is listed in its `unread` ([`crate::state::Unread`]); operations
    /// that would look at it fail with [`OpError::NotRead`] instead of simulating on nothing.
    /// The default reads the whole tenant (the local tenant has it anyway).
    async fn read_for(&mut self, needs: &Needs) -> Result<TenantState, TenantError> {
        let _ = needs;
        self.read().await
    }

    /// Say, before `revision()`, what the command will read in any case (an upgrade reads the
    /// schema lists: [`Needs::schema_list`]); a tenant over HTTP then finds `liminal_remote` in
    /// those lists instead of asking for it separately. A hint: the default ignores it.
    fn prepare(&mut self, needs: &Needs) {
        let _ = needs;
    }

    /// The revision recorded in `liminal_remote`; `None` before the first revision.
    async fn revision(&mut self) -> Result<Option<String>, TenantError>;

    /// Apply `ops` in order, stopping at the first that fails. `done(i)` is called once
    /// operation `i` has reached the tenant.
    async fn apply(&mut self, ops: &[Op], done: &mut (dyn FnMut(usize) + Send)) -> Result<(), ApplyError>;

    /// Record `revision` in `liminal_remote` (creating it on first use). Returns whether
    /// anything changed.
    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError>;

    /// Group the writes of a plan, up to [`Tenant::end_batch`], where the backend can. The local
    /// tenant then writes its file only at revision boundaries (after `set_revision`): a
    /// revision's operations and its record in one atomic write, at most one write a second,
    /// and the rest at `end_batch`; an operation that fails drops its revision's earlier
    /// operations too and reports none of them done (a local revision is all or nothing).
    /// Over HTTP every write is a request that lands at once: nothing to group. Default:
    /// nothing.
    fn begin_batch(&mut self) {}

    /// Write what the batch holds, dropping operations that no `set_revision` followed.
    async fn end_batch(&mut self) -> Result<(), TenantError> {
        Ok(())
    }

    /// Set fields of `liminal_remote` in one write: each `(warehouse name, display name)`.
    /// `revision_id` is recorded as [`Tenant::set_revision`] does (creating the schema on first
    /// use); other fields are created as text fields when missing. Returns whether anything
    /// changed.
    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError>;

    /// The display name of the active `liminal_remote` field `warehouse_name`; with `fresh`, read
    /// from the tenant again rather than from what this run already read.
    async fn remote_field(&mut self, warehouse_name: &str, fresh: bool) -> Result<Option<String>, TenantError>;

    /// How many of `ops`, from the first, the backend sends as one unit (all land or none do).
    /// A run stops between units when it is interrupted.
    fn batch_len(&self, ops: &[Op]) -> usize {
        ops.len()
    }

    /// Requests sent so far (0 for the local tenant).
    fn requests(&self) -> u64 {
        0
    }
}

/// Apply [`Tenant::write_remote`]'s values to a state; whether anything changed.
pub fn set_remote_fields(state: &mut TenantState, values: &[(&str, &str)]) -> bool {
    use crate::schema::{FieldType, REMOTE_FIELD, REMOTE_SCHEMA};
    use crate::state::Field;
    let mut changed = false;
    if let Some((_, revision)) = values.iter().find(|(k, _)| *k == REMOTE_FIELD) {
        changed |= state.set_revision(revision);
    }
    for (key, value) in values.iter().filter(|(k, _)| *k != REMOTE_FIELD) {
        if state.schema(REMOTE_SCHEMA).is_none() {
            // Without a revision to record, `liminal_remote` is not created for other fields.
            continue;
        }
        let id = state.new_id("tsf_");
        let Some(remote) = state.schema_mut(REMOTE_SCHEMA) else { continue };
        match remote.fields.iter_mut().find(|f| f.warehouse_name == *key && !f.archived) {
            Some(f) if f.name == *value => {}
            Some(f) => {
                f.name = value.to_string();
                changed = true;
            }
            None => {
                remote.fields.push(Field::new(id, value, key, FieldType::Text));
                changed = true;
            }
        }
    }
    changed
}

/// The display name of the active `liminal_remote` field `warehouse_name` in a state.
pub fn remote_value(state: &TenantState, warehouse_name: &str) -> Option<String> {
    let remote = state.schema(crate::schema::REMOTE_SCHEMA)?;
    remote.active_fields().find(|f| f.warehouse_name == warehouse_name).map(|f| f.name.clone())
}
