//! Where each tenant stands (`liminal status`): its revision, how many revisions are pending,
//! with `--drift` how far it would still be from the code after them, and who holds its lock
//! ([`crate::lock`]: the lease on Benchling, the OS lock of a local tenant's file).

use std::path::Path;

use serde::Serialize;

use crate::chain::Chain;
use crate::lint::check::check_tenant;
use crate::lock::{FREE, LOCK_FIELD, Lease, lock_path};
use crate::schema::{CodeModel, REMOTE_SCHEMA};
use crate::state::TenantState;

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
    /// Who holds the tenant's lock (a lease in `liminal_remote` on Benchling, the OS lock of a
    /// local tenant's file), `None` when it is free.
    pub lock: Option<String>,
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

/// What a person reads about the lease in `liminal_remote`'s lock field (`None`: free).
pub fn describe_lease(value: Option<&str>) -> Option<String> {
    let value = value.filter(|v| *v != FREE)?;
    Some(match Lease::parse(value) {
        Some(l) if l.expired() => format!("{} (expired: the next run takes it over)", l.describe()),
        Some(l) => l.describe(),
        None => value.to_string(),
    })
}

/// The lease recorded in a state's `liminal_remote`, if any.
pub fn lock_holder(state: &TenantState) -> Option<String> {
    let field = state.schema(REMOTE_SCHEMA)?.active_fields().find(|f| f.warehouse_name == LOCK_FIELD)?;
    describe_lease(Some(&field.name))
}

/// Who holds the OS lock of the local tenant kept in `tenant_file`, if anyone. A shared lock is
/// tried and given back at once: it fails only while a run holds the exclusive one, whose file
/// says who it is.
pub fn local_lock_holder(tenant_file: &Path) -> Option<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(lock_path(tenant_file)).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            Some(match holder.trim() {
                "" => "a run that has not said who it is".to_string(),
                h => h.to_string(),
            })
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

/// What was read of a tenant.
#[derive(Debug, Clone, Default)]
pub struct TenantRead {
    pub revision: Option<String>,
    /// The whole state, when drift was asked for.
    pub state: Option<TenantState>,
    /// Who holds its lock, if anyone.
    pub lock: Option<String>,
}

/// The row of a tenant from what was read of it.
pub fn tenant_status(
    chain: &Chain,
    code: Option<&CodeModel>,
    tenant: &str,
    kind: &'static str,
    read: TenantRead,
    drift: bool,
) -> TenantStatus {
    let TenantRead { revision, state, lock } = read;
    let state = state.as_ref();
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
    TenantStatus { tenant: tenant.to_string(), kind, pending, drift, lock, revision, error: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FieldType;
    use crate::state::Field;

    fn with_lock(value: &str) -> TenantState {
        use crate::lock::LOCK_FIELD;
        let mut state = TenantState::new();
        state.set_revision("aaaaaaaaaaaa");
        let id = state.new_id("tsf_");
        if let Some(remote) = state.schema_mut(REMOTE_SCHEMA) {
            remote.fields.push(Field::new(id, value, LOCK_FIELD, FieldType::Text));
        }
        state
    }

    #[test]
    fn the_lock_holder_is_the_lease_unless_free() {
        assert_eq!(lock_holder(&TenantState::new()), None);
        assert_eq!(lock_holder(&with_lock(FREE)), None);
        let lease = Lease::new("upgrade");
        let shown = lock_holder(&with_lock(&lease.to_name())).unwrap();
        assert_eq!(shown, lease.describe());
        assert_eq!(lock_holder(&with_lock("something else")).as_deref(), Some("something else"));
    }
}
