//! Where each tenant stands (`liminal status`): its revision, how many revisions are pending,
//! with `--drift` how far it would still be from the code after them, and who holds its lock.

use serde::Serialize;

use crate::chain::Chain;
use crate::lint::check::check_tenant;
use crate::schema::{CodeModel, REMOTE_SCHEMA};
use crate::state::TenantState;

/// The `liminal_remote` field where a run on Benchling keeps its lease (issue 9's lock): its
/// display name is `free` or the holder's lease.
pub const LOCK_FIELD: &str = crate::lock::LOCK_FIELD;
const FREE: &str = crate::lock::FREE;

/// One tenant's row.
#[derive(Debug, Clone, Serialize)]
pub struct TenantStatus {
    pub tenant: String,
    /// `local` or `url`.
    pub kind: &'static str,
    /// The recorded revision (`None`: none yet, the tenant is at the base).
    pub revision: Option<String>,
    /// Revisions `upgrade head` would run; `None` when the revision is not in the chain.
    pub pending: Option<usize>,
    /// With `--drift`: differences from schemas/ left after the pending revisions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<Drift>,
    /// The lease holder, when the lock was read and is held.
    pub lock: Option<String>,
    /// Whether the lock was read: a `url:` tenant read whole (`--drift`).
    pub lock_read: bool,
    /// Why the tenant could not be read.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Drift {
    /// Differences left after the pending revisions (0: in sync).
    Differences { count: usize },
    /// It could not be computed: the pending revisions do not apply, or schemas/ does not load.
    Unknown { reason: String },
}

/// The lease holder recorded in a state's `liminal_remote`, if any.
pub fn lock_holder(state: &TenantState) -> Option<String> {
    let field = state.schema(REMOTE_SCHEMA)?.active_fields().find(|f| f.warehouse_name == LOCK_FIELD)?;
    (field.name != FREE).then(|| field.name.clone())
}

/// The row of a tenant read as `revision` (and `state` when its drift or lock was asked for).
pub fn tenant_status(
    chain: &Chain,
    code: Option<&CodeModel>,
    tenant: &str,
    kind: &'static str,
    revision: Option<String>,
    state: Option<&TenantState>,
    drift: bool,
) -> TenantStatus {
    let pending = chain.pending(revision.as_deref());
    let drift = drift.then(|| match (code, state) {
        (None, _) => Drift::Unknown { reason: "schemas/ does not load (see `liminal check`)".into() },
        (_, None) => Drift::Unknown { reason: "the tenant was not read".into() },
        (Some(code), Some(state)) => match check_tenant(chain, code, tenant, revision.as_deref(), state) {
            (_, Some(count)) => Drift::Differences { count },
            (findings, None) => Drift::Unknown {
                reason: findings.first().map_or_else(|| "pending revisions do not load".into(), |f| f.message.clone()),
            },
        },
    });
    TenantStatus {
        tenant: tenant.to_string(),
        kind,
        pending,
        drift,
        // A local tenant's lock is an OS file lock held while a command runs, not a record.
        lock: state.filter(|_| kind == "url").and_then(lock_holder),
        lock_read: state.is_some() && kind == "url",
        revision,
        error: None,
    }
}
