//! Two runs of one tenant never interleave.
//!
//! - **Benchling** (and the emulator): a *lease* kept in `liminal_remote`, in a text field
//!   `liminal_lock` beside `revision_id` (Python Liminal reads only the active `revision_id`
//!   field, so the extra field does not disturb it). Its display name says who holds it and
//!   until when: `lease 3f2a9c1d held by alice@box pid 4242 for upgrade since
//!   2026-12-01T07:36:49Z until 2026-12-01T07:41:49Z`, or `free`. Benchling has no
//!   compare-and-swap, so a run writes its lease, reads the field back, and goes on only if it
//!   reads its own lease. A lease that expired, or whose holder ran on this machine and is no
//!   longer running, is taken over with a warning. A long run renews its lease (with each
//!   revision record, and between requests when half of it has gone by); the last revision
//!   record releases it in the same write.
//! - **The local tenant**: an OS lock ([`std::fs::File::try_lock`]) on a file beside the tenant
//!   file, released by the OS whatever way the process ends. The file says who holds it.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::schema::REMOTE_FIELD;
use crate::tenant::{RemoteError, Tenant, TenantError};

/// The `liminal_remote` field that holds the lease.
pub const LOCK_FIELD: &str = "liminal_lock";
/// Its display name when nobody holds it.
pub const FREE: &str = "free";
/// How long a lease lasts without renewal.
pub const LEASE_SECS: i64 = 300;
/// How often a waiting run looks again.
const POLL: Duration = Duration::from_secs(2);
/// Added to the wait between writing the lease and reading it back, and its longest wait.
const SETTLE_MARGIN: Duration = Duration::from_millis(100);
const SETTLE_CAP: Duration = Duration::from_secs(5);

/// Who holds a tenant, and until when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub id: String,
    /// `user@host`.
    pub holder: String,
    pub pid: u32,
    pub command: String,
    pub since: i64,
    pub expires: i64,
}

impl Lease {
    /// A new lease for this process.
    pub fn new(command: &str) -> Lease {
        let mut bytes = [0u8; 4];
        let id = match getrandom::fill(&mut bytes) {
            Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
            Err(_) => format!("{:08x}", std::process::id()),
        };
        let now = now();
        Lease {
            id,
            holder: holder(),
            pid: std::process::id(),
            command: command.to_string(),
            since: now,
            expires: now + LEASE_SECS,
        }
    }

    /// The field's display name for this lease.
    pub fn to_name(&self) -> String {
        format!(
            "lease {} held by {} pid {} for {} since {} until {}",
            self.id,
            self.holder,
            self.pid,
            self.command,
            timestamp(self.since),
            timestamp(self.expires)
        )
    }

    /// The lease a display name describes (`None` for `free` or anything else).
    pub fn parse(name: &str) -> Option<Lease> {
        let w: Vec<&str> = name.split_whitespace().collect();
        match w.as_slice() {
            ["lease", id, "held", "by", holder, "pid", pid, "for", command, "since", since, "until", until] => {
                Some(Lease {
                    id: id.to_string(),
                    holder: holder.to_string(),
                    pid: pid.parse().ok()?,
                    command: command.to_string(),
                    since: parse_timestamp(since)?,
                    expires: parse_timestamp(until)?,
                })
            }
            _ => None,
        }
    }

    /// What a person reads about the holder.
    pub fn describe(&self) -> String {
        format!(
            "lease {} held by {} (pid {}) for `{}` since {}, until {}",
            self.id,
            self.holder,
            self.pid,
            self.command,
            timestamp(self.since),
            timestamp(self.expires)
        )
    }

    pub fn expired(&self) -> bool {
        self.expires <= now()
    }

    /// Whether the holder ran on this machine and is no longer running.
    pub fn holder_gone(&self) -> bool {
        self.holder == holder() && self.pid != std::process::id() && !process_alive(self.pid)
    }

    /// Whether it is time to renew: half of the lease has gone by.
    pub fn due(&self) -> bool {
        self.expires - now() < LEASE_SECS / 2
    }

    /// The same lease, renewed from now.
    pub fn renewed(&self) -> Lease {
        Lease { expires: now() + LEASE_SECS, ..self.clone() }
    }
}

/// Two runs would interleave, or the lease could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another run holds this tenant: {}", lease.describe())]
    Held { lease: Lease },
    #[error("another run holds the local tenant ({holder}; lock file {})", path.display())]
    HeldLocal { path: PathBuf, holder: String },
    #[error("taking the lease failed: {0}; the tenant may show this run's lease, which the next run takes over")]
    Tenant(#[source] TenantError),
    #[error("cannot lock {}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("the tenant's lease is {found}, not {wanted}")]
    NotHeld { wanted: String, found: String },
}

impl LockError {
    pub fn help(&self, tenant: &str) -> String {
        match self {
            LockError::Held { lease } => format!(
                "wait for that run to finish (`--lock-timeout 2m` waits), or, if it is gone, `liminal unlock {tenant} {}`",
                lease.id
            ),
            LockError::HeldLocal { .. } => "wait for that run to finish (`--lock-timeout 2m` waits)".into(),
            LockError::Tenant(e) => miette::Diagnostic::help(e).map(|h| h.to_string()).unwrap_or_default(),
            LockError::File { .. } => "check the permissions of the tenant file's folder".into(),
            LockError::NotHeld { .. } => "copy the lease id from the message of the run that refused".into(),
        }
    }
}

/// Take the lease of `tenant`, waiting up to `wait` for another run to finish. A tenant with no
/// `liminal_remote` yet gets it now, recorded at `base` (where a tenant without a revision is).
/// `warn` hears about leases taken over.
pub async fn acquire<T: Tenant>(
    tenant: &mut T,
    command: &str,
    wait: Duration,
    base: &str,
    warn: &mut dyn FnMut(String),
) -> Result<Lease, LockError> {
    let deadline = Instant::now() + wait;
    let mut fresh = false;
    let mut failed_writes = 0;
    loop {
        let found = tenant.remote_field(LOCK_FIELD, fresh).await.map_err(LockError::Tenant)?;
        if let Some(other) = found.as_deref().and_then(Lease::parse) {
            if other.expired() {
                warn(format!("taking over an expired {}", other.describe()));
            } else if other.holder_gone() {
                warn(format!("taking over the {}: that process is no longer running", other.describe()));
            } else if Instant::now() + POLL.min(wait) <= deadline {
                tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
                fresh = true;
                continue;
            } else {
                return Err(LockError::Held { lease: other });
            }
        }
        let lease = Lease::new(command);
        let name = lease.to_name();
        let revision = tenant.revision().await.map_err(LockError::Tenant)?;
        let mut values = vec![(LOCK_FIELD, name.as_str())];
        if revision.is_none() {
            values.push((REMOTE_FIELD, base));
        }
        let wrote = Instant::now();
        if let Err(e) = tenant.write_remote(&values).await {
            // Creating `liminal_remote` fails when another run just created it: look again.
            failed_writes += 1;
            if revision.is_some() || failed_writes > 2 {
                return Err(LockError::Tenant(e));
            }
            fresh = true;
            continue;
        }
        // A run that read `free` before this write lands its own lease about as fast as this
        // one did: give it that long (twice, plus a margin) before reading back, so that the
        // read sees it and one of the two steps back.
        tokio::time::sleep((wrote.elapsed() * 2 + SETTLE_MARGIN).min(SETTLE_CAP)).await;
        let back = tenant.remote_field(LOCK_FIELD, true).await.map_err(LockError::Tenant)?;
        match back.as_deref().and_then(Lease::parse) {
            Some(l) if l.id == lease.id => return Ok(lease),
            // Another run wrote its lease between our read and our write: it holds the tenant.
            Some(other) if Instant::now() >= deadline => return Err(LockError::Held { lease: other }),
            _ if Instant::now() >= deadline => {
                let found = back.as_deref().unwrap_or("nothing").to_string();
                let problem = RemoteError::LeaseNotReadBack { field: LOCK_FIELD, found };
                return Err(LockError::Tenant(TenantError::Remote(problem)));
            }
            _ => fresh = true,
        }
    }
}

/// Renew the lease when half of it has gone by (one write).
pub async fn renew_if_due<T: Tenant>(tenant: &mut T, lease: &mut Lease) -> Result<(), TenantError> {
    if lease.due() {
        let next = lease.renewed();
        tenant.write_remote(&[(LOCK_FIELD, &next.to_name())]).await?;
        *lease = next;
    }
    Ok(())
}

/// Release the lease if the tenant still shows it (a read, then a write).
pub async fn release<T: Tenant>(tenant: &mut T, lease: &Lease) -> Result<(), TenantError> {
    let found = tenant.remote_field(LOCK_FIELD, true).await?;
    if found.as_deref().and_then(Lease::parse).is_some_and(|l| l.id == lease.id) {
        tenant.write_remote(&[(LOCK_FIELD, FREE)]).await?;
    }
    Ok(())
}

/// Break the lease `id` (`liminal unlock`); returns the lease that was broken.
pub async fn unlock<T: Tenant>(tenant: &mut T, id: &str) -> Result<Lease, LockError> {
    let found = tenant.remote_field(LOCK_FIELD, true).await.map_err(LockError::Tenant)?;
    match found.as_deref().and_then(Lease::parse) {
        Some(l) if l.id == id => {
            tenant.write_remote(&[(LOCK_FIELD, FREE)]).await.map_err(LockError::Tenant)?;
            Ok(l)
        }
        other => Err(LockError::NotHeld {
            wanted: id.to_string(),
            found: other.map_or_else(|| found.unwrap_or_else(|| FREE.to_string()), |l| l.describe()),
        }),
    }
}

/// An OS lock on the local tenant, held until dropped (or the process ends).
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// The lock file of a local tenant file: `.<name>.lock` beside it.
pub fn lock_path(tenant_file: &Path) -> PathBuf {
    let name = tenant_file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    tenant_file.with_file_name(format!(".{name}.lock"))
}

/// Lock the local tenant kept in `tenant_file`, waiting up to `wait`.
pub fn lock_file(tenant_file: &Path, command: &str, wait: Duration) -> Result<FileLock, LockError> {
    let path = lock_path(tenant_file);
    let err = |e: std::io::Error| LockError::File { path: path.clone(), message: e.to_string() };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(err)?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100).min(deadline.saturating_duration_since(Instant::now())));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "a run that has not said who it is" } else { holder };
                return Err(LockError::HeldLocal { path, holder: holder.to_string() });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
        }
    }
    let who = format!("{} pid {} for {} since {}", holder(), std::process::id(), command, timestamp(now()));
    let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(who.as_bytes()));
    Ok(FileLock { _file: file })
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `user@host` of this process.
fn holder() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "someone".into());
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().map(|h| h.trim().to_string()).filter(|h| !h.is_empty()))
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    let clean = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    format!("{}@{}", clean(&user), clean(&host))
}

/// Whether process `pid` runs on this machine (where that cannot be told, it is assumed to).
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    // A zombie (killed, not yet reaped by its parent) runs no more.
    match std::fs::read_to_string(proc.join(pid.to_string()).join("stat")) {
        Ok(stat) => !stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// `2026-12-01T07:36:49Z`.
fn timestamp(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => unix.to_string(),
    }
}

fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z')?;
    let (date, clock) = s.split_once('T')?;
    let d: Vec<&str> = date.split('-').collect();
    let c: Vec<&str> = clock.split(':').collect();
    let [y, mo, da] = d.as_slice() else { return None };
    let [h, mi, se] = c.as_slice() else { return None };
    let month = time::Month::try_from(mo.parse::<u8>().ok()?).ok()?;
    let date = time::Date::from_calendar_date(y.parse().ok()?, month, da.parse().ok()?).ok()?;
    let clock = time::Time::from_hms(h.parse().ok()?, mi.parse().ok()?, se.parse().ok()?).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp())
}

/// What keeps other runs off a tenant while this one runs.
#[derive(Debug)]
pub enum Guard {
    /// The local tenant's OS lock (released when dropped).
    File(#[allow(dead_code)] FileLock),
    /// The lease in `liminal_remote`.
    Lease(Lease),
}

impl Guard {
    /// The lease, on Benchling; a local tenant holds none.
    pub fn lease(&mut self) -> Option<&mut Lease> {
        match self {
            Guard::Lease(l) => Some(l),
            Guard::File(_) => None,
        }
    }
}

/// Take `tenant`, whose liminal.yaml entry is `kind`, for `command`, waiting up to `wait` for
/// another run: the OS lock of a local tenant's file, else the lease ([`acquire`], which `warn`
/// tells about leases taken over).
pub async fn take<T: Tenant>(
    tenant: &mut T,
    kind: &crate::project::TenantKind,
    command: &str,
    wait: Duration,
    base: &str,
    warn: &mut dyn FnMut(String),
) -> Result<Guard, LockError> {
    match kind {
        crate::project::TenantKind::Local { path } => Ok(Guard::File(lock_file(path, command, wait)?)),
        crate::project::TenantKind::Http { .. } => Ok(Guard::Lease(acquire(tenant, command, wait, base, warn).await?)),
    }
}

/// Give the tenant back after a run that did not release it itself: the lease is released (a
/// local lock goes when dropped). On failure, the lease that is left.
pub async fn give_back<T: Tenant>(tenant: &mut T, guard: Guard) -> Result<(), (Lease, TenantError)> {
    match guard {
        Guard::Lease(lease) => release(tenant, &lease).await.map_err(|e| (lease, e)),
        Guard::File(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local tenant is taken with its file's OS lock: a second run is refused, naming the
    /// first, until the guard goes.
    #[tokio::test]
    async fn a_local_tenant_is_taken_with_its_file_lock() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dev.json");
        let kind = crate::project::TenantKind::Local { path: file.clone() };
        let mut tenant = crate::tenant::local::LocalTenant::new(&file);
        let mut warn = |w: String| panic!("no warning expected: {w}");
        let mut guard = take(&mut tenant, &kind, "upgrade", Duration::ZERO, "base", &mut warn).await.unwrap();
        assert!(guard.lease().is_none());
        let second = take(&mut tenant, &kind, "stamp", Duration::ZERO, "base", &mut warn).await;
        assert!(
            matches!(&second, Err(LockError::HeldLocal { holder, .. }) if holder.contains("for upgrade")),
            "{second:?}"
        );
        assert!(give_back(&mut tenant, guard).await.is_ok());
        assert!(take(&mut tenant, &kind, "stamp", Duration::ZERO, "base", &mut warn).await.is_ok());
    }
    use crate::tenant::Tenant;

    #[test]
    fn a_lease_round_trips_through_its_display_name() {
        let lease = Lease::new("upgrade");
        assert_eq!(Lease::parse(&lease.to_name()), Some(lease.clone()));
        assert_eq!(Lease::parse(FREE), None);
        assert!(!lease.expired() && !lease.due() && !lease.holder_gone());
        let old = Lease { since: 0, expires: 60, ..lease };
        assert!(old.expired());
        assert_eq!(timestamp(60), "1970-01-01T00:01:00Z");
    }

    /// The lease logic on any backend (here the local tenant): taken, refused to a second run
    /// while its holder lives, renewed when half gone, broken by `unlock`.
    #[tokio::test]
    async fn a_lease_is_taken_refused_renewed_and_broken() {
        let dir = tempfile::tempdir().unwrap();
        let mut tenant = crate::tenant::local::LocalTenant::new(dir.path().join("t.json"));
        let mut warnings = Vec::new();
        let mut warn = |w: String| warnings.push(w);
        let mut lease = acquire(&mut tenant, "upgrade", Duration::ZERO, "aaaaaaaaaaaa", &mut warn).await.unwrap();
        assert_eq!(tenant.revision().await.unwrap().as_deref(), Some("aaaaaaaaaaaa"), "liminal_remote was created");
        match acquire(&mut tenant, "stamp", Duration::ZERO, "aaaaaaaaaaaa", &mut warn).await {
            Err(LockError::Held { lease: held }) => assert_eq!(held, lease),
            other => panic!("{other:?}"),
        }
        lease.expires = now() + 10;
        renew_if_due(&mut tenant, &mut lease).await.unwrap();
        assert!(lease.expires >= now() + LEASE_SECS - 5);
        let shown = tenant.remote_field(LOCK_FIELD, true).await.unwrap();
        assert_eq!(shown.as_deref().and_then(Lease::parse), Some(lease.clone()));
        assert!(matches!(unlock(&mut tenant, "ffffffff").await, Err(LockError::NotHeld { .. })));
        assert_eq!(unlock(&mut tenant, &lease.id).await.unwrap(), lease);
        assert_eq!(tenant.remote_field(LOCK_FIELD, true).await.unwrap().as_deref(), Some(FREE));
        // An expired lease is taken over, with a warning.
        let old = Lease { since: 0, expires: 60, ..Lease::new("upgrade") };
        tenant.write_remote(&[(LOCK_FIELD, &old.to_name())]).await.unwrap();
        acquire(&mut tenant, "upgrade", Duration::ZERO, "aaaaaaaaaaaa", &mut warn).await.unwrap();
        assert!(warnings.iter().any(|w| w.contains("taking over an expired lease")), "{warnings:?}");
    }

    #[test]
    fn a_second_file_lock_is_refused_with_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let tenant = dir.path().join(".liminal/dev.json");
        let held = lock_file(&tenant, "upgrade", Duration::ZERO).unwrap();
        match lock_file(&tenant, "stamp", Duration::from_millis(150)) {
            Err(LockError::HeldLocal { holder, .. }) => assert!(holder.contains("for upgrade"), "{holder}"),
            other => panic!("{other:?}"),
        }
        drop(held);
        lock_file(&tenant, "stamp", Duration::ZERO).unwrap();
    }
}
