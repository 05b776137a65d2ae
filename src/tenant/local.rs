//! The local tenant: a [`TenantState`] in a JSON file, replaced atomically (temporary file +
//! rename) by each write.
//!
//! Writes: a call to `apply` or `set_revision` is one write. Inside a batch
//! ([`Tenant::begin_batch`], which `upgrade` and `downgrade` open around their plan) the file is
//! written only at revision boundaries: a revision's operations and its record land in the same
//! write, at most one write a second and once more at [`Tenant::end_batch`]; a failed
//! operation drops the rest of its revision from memory. So a local revision is all or nothing,
//! a plan of a thousand revisions costs a few writes instead of thousands, and a run stopped
//! anywhere leaves the file at a recorded revision.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{ApplyError, Tenant, TenantError};
use crate::op::Op;
use crate::state::{TenantState, Undo};

/// Inside a batch, the longest the file lags behind the last recorded revision.
const BATCH_WRITE_INTERVAL: Duration = Duration::from_secs(1);

pub struct LocalTenant {
    path: PathBuf,
    state: Option<Box<TenantState>>,
    /// In a batch: when the file was last written (or the batch began).
    batch: Option<Instant>,
    /// The state in memory holds changes the file does not.
    dirty: bool,
    /// What changed since the last recorded revision (in a batch), to drop it when an
    /// operation of the revision fails or the batch ends before its record.
    since_record: Undo,
}

impl LocalTenant {
    /// A tenant kept in `path`. The file is created on the first write; until then the tenant is
    /// empty.
    pub fn new(path: impl Into<PathBuf>) -> LocalTenant {
        LocalTenant { path: path.into(), state: None, batch: None, dirty: false, since_record: Undo::default() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: impl std::fmt::Display) -> TenantError {
        TenantError::File { path: self.path.clone(), message: e.to_string() }
    }

    fn load(&mut self) -> Result<&mut TenantState, TenantError> {
        if self.state.is_none() {
            let state = match std::fs::read_to_string(&self.path) {
                Ok(text) => serde_json::from_str(&text).map_err(|e| self.err(e))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => TenantState::new(),
                Err(e) => return Err(self.err(e)),
            };
            self.since_record = state.undo_point();
            self.state = Some(Box::new(state));
        }
        match self.state.as_deref_mut() {
            Some(s) => Ok(s),
            None => Err(TenantError::File { path: self.path.clone(), message: "state not loaded".into() }),
        }
    }

    /// Write the state in memory; when the write fails, forget it (the next call reads the file
    /// again, so the tenant stays what the file holds).
    fn write(&mut self) -> Result<(), TenantError> {
        let text = match self.state.as_deref() {
            Some(state) => state_json(state),
            None => return Ok(()),
        };
        if let Err(e) = write_atomic(&self.path, &text) {
            self.state = None;
            self.dirty = false;
            return Err(self.err(e));
        }
        self.dirty = false;
        if self.batch.is_some() {
            self.batch = Some(Instant::now());
        }
        if let Some(state) = self.state.as_deref() {
            self.since_record = state.undo_point();
        }
        Ok(())
    }

    /// Drop what changed since the last recorded revision (in a batch).
    fn drop_unrecorded(&mut self) {
        if let Some(state) = self.state.as_deref_mut() {
            state.restore(std::mem::take(&mut self.since_record));
            self.since_record = state.undo_point();
        }
    }
}

/// The state as the local tenant file holds it: pretty JSON with a final newline.
pub fn state_json(state: &TenantState) -> String {
    let mut text = serde_json::to_string_pretty(state).unwrap_or_default();
    text.push('\n');
    text
}

/// Write `text` to `path` atomically (temporary file in the same folder + rename).
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        // Do not leave a half-written temporary file behind (a full disk stays full otherwise).
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl Tenant for LocalTenant {
    async fn read(&mut self) -> Result<TenantState, TenantError> {
        Ok(self.load()?.clone())
    }

    async fn revision(&mut self) -> Result<Option<String>, TenantError> {
        self.load()?.revision().map_err(TenantError::Remote)
    }

    async fn apply(&mut self, ops: &[Op], done: &mut (dyn FnMut(usize) + Send)) -> Result<(), ApplyError> {
        self.load().map_err(|error| ApplyError::Tenant { index: 0, error })?;
        let in_batch = self.batch.is_some();
        let LocalTenant { state, since_record, .. } = self;
        let Some(state) = state.as_deref_mut() else { return Ok(()) };
        let mut applied = 0;
        let mut failed = None;
        for (index, op) in ops.iter().enumerate() {
            match op.apply_saving(state, since_record) {
                Ok(()) => applied += 1,
                Err(error) => {
                    failed = Some(ApplyError::Op { index, error });
                    break;
                }
            }
        }
        if in_batch {
            if let Some(e) = failed {
                // All or nothing: the revision's operations go with its record or not at all.
                self.drop_unrecorded();
                return Err(e);
            }
            self.dirty |= applied > 0;
        } else if applied > 0 {
            self.write().map_err(|error| ApplyError::Tenant { index: 0, error })?;
        }
        (0..applied).for_each(&mut *done);
        failed.map_or(Ok(()), Err)
    }

    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        let changed = self.load()?.set_revision(revision);
        self.dirty |= changed;
        match self.batch {
            Some(last) => {
                // A revision boundary: what is in memory is recorded.
                if let Some(state) = self.state.as_deref() {
                    self.since_record = state.undo_point();
                }
                if self.dirty && last.elapsed() >= BATCH_WRITE_INTERVAL {
                    self.write()?;
                }
            }
            None if self.dirty => self.write()?,
            None => {}
        }
        Ok(changed)
    }

    fn begin_batch(&mut self) {
        self.batch = Some(Instant::now());
    }

    async fn end_batch(&mut self) -> Result<(), TenantError> {
        if self.batch.take().is_none() {
            return Ok(());
        }
        self.drop_unrecorded();
        if self.dirty { self.write() } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropdown(name: &str) -> Op {
        Op::CreateDropdown { name: name.into(), options: vec!["a".into()] }
    }

    fn file(path: &Path) -> TenantState {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// In a batch, a revision's operations land with its record or not at all, and nothing
    /// is written until a revision boundary.
    #[tokio::test]
    async fn a_local_revision_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dev.json");
        let mut t = LocalTenant::new(&path);
        t.begin_batch();
        let mut done = Vec::new();
        t.apply(&[dropdown("A")], &mut |i| done.push(i)).await.unwrap();
        assert!(!path.exists(), "nothing written before the record");
        t.set_revision("aaaaaaaaaaaa").await.unwrap();
        // The second revision fails at its second operation: its first is dropped too.
        let e = t.apply(&[dropdown("B"), dropdown("A")], &mut |i| done.push(i + 10)).await.unwrap_err();
        assert!(matches!(e, ApplyError::Op { index: 1, .. }), "{e}");
        assert_eq!(done, vec![0], "none of the failed revision's operations reported done");
        t.end_batch().await.unwrap();
        let on_disk = file(&path);
        assert_eq!(on_disk.revision().unwrap().as_deref(), Some("aaaaaaaaaaaa"));
        assert!(on_disk.dropdown("A").is_some() && on_disk.dropdown("B").is_none());
        assert_eq!(t.read().await.unwrap(), on_disk);

        // Operations that no record followed are not written at the end of the batch.
        t.begin_batch();
        t.apply(&[dropdown("C")], &mut |_| {}).await.unwrap();
        t.end_batch().await.unwrap();
        assert!(file(&path).dropdown("C").is_none());
        assert!(t.read().await.unwrap().dropdown("C").is_none());

        // Outside a batch, each call is written.
        t.apply(&[dropdown("D")], &mut |_| {}).await.unwrap();
        assert!(file(&path).dropdown("D").is_some());
    }
}
