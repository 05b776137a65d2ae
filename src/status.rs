//! Where each tenant stands (`liminal status`): its revision, how many revisions are pending,
//! with `--drift` how far it would still be from the code after them, and who holds its lock
//! ([`crate::lock`]: the lease on Benchling, the OS lock of a local tenant's file).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::chain::Chain;
use crate::lint::check::check_tenant;
use crate::lock::{FREE, LOCK_FIELD, Lease, lock_path};
use crate::schema::CodeModel;
use crate::state::TenantState;
use crate::tenant::{Tenant, TenantError};

/// One tenant's row.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TenantStatus {
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
pub(crate) enum Drift {
    /// Differences left after the pending revisions (0: in sync).
    Differences { count: usize },
    /// It could not be computed: the pending revisions do not apply, or schemas/ does not load.
    Unknown { reason: String },
}

/// What a person reads about the lease in `liminal_remote`'s lock field (`None`: free).
pub(crate) fn describe_lease(value: Option<&str>) -> Option<String> {
    let value = value.filter(|v| *v != FREE)?;
    Some(match Lease::parse(value) {
        Some(l) if l.expired() => format!("{} (expired: the next run takes it over)", l.describe()),
        Some(l) => l.describe(),
        None => value.to_string(),
    })
}

/// Who holds the OS lock of the local tenant kept in `tenant_file`, if anyone. A shared lock is
/// tried and given back at once: it fails only while a run holds the exclusive one, whose file
/// says who it is.
pub(crate) fn local_lock_holder(tenant_file: &Path) -> Option<String> {
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
pub(crate) struct TenantRead {
    pub revision: Option<String>,
    /// The whole state, when drift was asked for.
    pub state: Option<TenantState>,
    /// Who holds its lock, if anyone.
    pub lock: Option<String>,
}

/// Read one tenant: its revision, the whole state when `whole`, and who holds its lock: the OS
/// lock of `local_file` for a local tenant, else the lease in `liminal_remote` (which reading the
/// revision already read).
pub(crate) async fn read<T: Tenant>(
    tenant: &mut T,
    whole: bool,
    local_file: Option<&Path>,
) -> Result<TenantRead, TenantError> {
    let revision = tenant.revision().await?;
    let lock = match local_file {
        Some(file) => local_lock_holder(file),
        None => describe_lease(tenant.remote_field(LOCK_FIELD, false).await?.as_deref()),
    };
    let state = if whole { Some(tenant.read().await?) } else { None };
    Ok(TenantRead { revision, state, lock })
}

/// A tenant's kind in the table: `local` (a file) or `url` (Benchling or the emulator), and the
/// file of a local one.
pub(crate) fn kind(config: &crate::project::TenantConfig) -> (&'static str, Option<PathBuf>) {
    match &config.kind {
        crate::project::TenantKind::Local { path } => ("local", Some(path.clone())),
        crate::project::TenantKind::Http { .. } => ("url", None),
    }
}

impl TenantStatus {
    /// The row of a tenant that could not be opened or read.
    pub(crate) fn failed(tenant: &str, kind: &'static str, error: String) -> TenantStatus {
        TenantStatus {
            tenant: tenant.to_string(),
            kind,
            revision: None,
            pending: None,
            drift: None,
            lock: None,
            error: Some(error),
        }
    }

    /// The row in words: tenant, kind, revision, pending, drift (empty without `--drift`), lock.
    pub(crate) fn cells(&self) -> [String; 6] {
        let unreadable = self.error.is_some();
        let revision = match (unreadable, &self.revision) {
            (true, _) => "unreadable".to_string(),
            (false, Some(rev)) => rev.clone(),
            (false, None) => "none (base)".into(),
        };
        let pending = match (unreadable, self.pending) {
            (true, _) => "-".to_string(),
            (false, Some(0)) => "0 (at head)".into(),
            (false, Some(n)) => n.to_string(),
            (false, None) => "not in chain".into(),
        };
        let drift = match &self.drift {
            Some(Drift::Differences { count: 0 }) => "in sync".to_string(),
            Some(Drift::Differences { count }) => crate::diag::count(*count, "difference"),
            Some(Drift::Unknown { .. }) => "unknown".into(),
            None => String::new(),
        };
        let lock = match (unreadable, &self.lock) {
            (true, _) => "-".to_string(),
            (false, Some(holder)) => holder.clone(),
            (false, None) => "free".into(),
        };
        [self.tenant.clone(), self.kind.into(), revision, pending, drift, lock]
    }
}

/// The row of a tenant from what was read of it.
pub(crate) fn tenant_status(
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

    #[test]
    fn a_row_in_words() {
        let row = |revision: Option<&str>, pending, drift, lock: Option<&str>| TenantStatus {
            tenant: "dev".into(),
            kind: "local",
            revision: revision.map(str::to_string),
            pending,
            drift,
            lock: lock.map(str::to_string),
            error: None,
        };
        assert_eq!(row(None, Some(0), None, None).cells(), ["dev", "local", "none (base)", "0 (at head)", "", "free"]);
        let drifted = row(Some("aaaaaaaaaaaa"), Some(2), Some(Drift::Differences { count: 3 }), Some("upgrade by x"));
        assert_eq!(drifted.cells(), ["dev", "local", "aaaaaaaaaaaa", "2", "3 differences", "upgrade by x"]);
        let unknown = Drift::Unknown { reason: "r".into() };
        assert_eq!(row(Some("bbbbbbbbbbbb"), None, Some(unknown), None).cells()[3..5], ["not in chain", "unknown"]);
        let in_sync = row(None, Some(0), Some(Drift::Differences { count: 0 }), None);
        assert_eq!(in_sync.cells()[4], "in sync");
        let failed = TenantStatus::failed("prod", "url", "no key".into());
        assert_eq!(failed.cells(), ["prod", "url", "unreadable", "-", "", "-"]);
    }

    #[tokio::test]
    async fn a_local_tenant_reads_its_revision_and_its_free_lock() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dev.json");
        let mut tenant = crate::tenant::local::LocalTenant::new(&file);
        tenant.set_revision("aaaaaaaaaaaa").await.unwrap();
        let got = read(&mut tenant, false, Some(&file)).await.unwrap();
        assert_eq!((got.revision.as_deref(), got.lock, got.state.is_none()), (Some("aaaaaaaaaaaa"), None, true));
        assert!(read(&mut tenant, true, Some(&file)).await.unwrap().state.is_some());
    }

    #[test]
    fn the_lock_holder_is_the_lease_unless_free() {
        assert_eq!(describe_lease(None), None);
        assert_eq!(describe_lease(Some(FREE)), None);
        let lease = Lease::new("upgrade");
        let shown = describe_lease(Some(&lease.to_name())).unwrap();
        assert_eq!(shown, lease.describe());
        assert_eq!(describe_lease(Some("something else")).as_deref(), Some("something else"));
    }
}
