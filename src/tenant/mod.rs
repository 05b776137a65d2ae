//! Tenants: where a [`TenantState`] lives and how operations reach it.
//!
//! - [`local::LocalTenant`]: a JSON file, the embedded default (`local:` in `liminal.yaml`).
//! - `benchling::HttpTenant`: Benchling's API over HTTP (`url:`), or the emulator.
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

pub use needs::Needs;

use crate::op::{Op, OpError};
use crate::state::TenantState;

/// A tenant could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("cannot read or write the local tenant file {path}: {message}")]
    File { path: std::path::PathBuf, message: String },
    #[error("the tenant's `liminal_remote` schema is not as liminal expects: {0}")]
    Remote(String),
    #[error("{0}")]
    Http(String),
    #[error("{0}")]
    Auth(String),
}

impl TenantError {
    pub fn help(&self) -> &'static str {
        match self {
            TenantError::File { .. } => "check the path under `local:` in liminal.yaml and the folder's permissions",
            TenantError::Remote(_) => {
                "fix the liminal_remote schema in Benchling so it has exactly one active revision_id field"
            }
            TenantError::Http(_) => "check the tenant's url and your network; run with -v to see each request",
            TenantError::Auth(_) => "check the credentials' environment variables named in liminal.yaml",
        }
    }
}

/// Applying a list of operations stopped at `index`.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The operation itself is not possible on the tenant (nothing was sent for it).
    #[error("operation {index} failed: {error}")]
    Op { index: usize, error: OpError },
    /// The tenant failed while applying it.
    #[error("operation {index} failed: {error}")]
    Tenant { index: usize, error: TenantError },
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

    /// Requests sent so far (0 for the local tenant).
    fn requests(&self) -> u64 {
        0
    }
}
