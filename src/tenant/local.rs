//! The local tenant: a [`TenantState`] in a JSON file, replaced atomically (temporary file +
//! rename) by each write ([`crate::state::file`], which the emulator's state file shares).
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
use crate::settings::TenantSettings;
use crate::state::{TenantState, Undo, file};

/// Inside a batch, the longest the file lags behind the last recorded revision.
const BATCH_WRITE_INTERVAL: Duration = Duration::from_secs(1);

pub struct LocalTenant {
    path: PathBuf,
    state: Option<Box<TenantState>>,
    /// From liminal.yaml: they replace what the file holds.
    settings: Option<TenantSettings>,
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
        LocalTenant {
            path: path.into(),
            state: None,
            settings: None,
            batch: None,
            dirty: false,
            since_record: Undo::default(),
        }
    }

    /// The tenant allows what `settings` says (liminal.yaml), whatever its file recorded.
    pub fn with_settings(mut self, settings: TenantSettings) -> LocalTenant {
        self.settings = Some(settings);
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file error: `message` says it in the user's words, `source` is kept underneath.
    fn err(&self, message: String, source: impl std::error::Error + Send + Sync + 'static) -> TenantError {
        TenantError::File { path: self.path.clone(), message, source: Some(Box::new(source)) }
    }

    fn load(&mut self) -> Result<&mut TenantState, TenantError> {
        if self.state.is_none() {
            let mut state = file::read(&self.path).map_err(|e| match e {
                file::ReadError::Io(e) => self.err(e.to_string(), e),
                // serde's words for a wrong shape name Rust types (`expected struct TenantState`):
                // the message's line and column say it in the user's words instead.
                file::ReadError::Parse(e) if e.classify() == serde_json::error::Category::Data => {
                    TenantError::File { path: self.path.clone(), message: not_a_state(&e), source: None }
                }
                file::ReadError::Parse(e) => self.err(not_a_state(&e), e),
            })?;
            if let Some(settings) = self.settings {
                state.settings = settings;
            }
            self.since_record = state.undo_point();
            self.state = Some(Box::new(state));
        }
        match self.state.as_deref_mut() {
            Some(s) => Ok(s),
            None => Err(TenantError::internal(format!(
                "cannot read or write the local tenant file {}: state not loaded",
                self.path.display()
            ))),
        }
    }

    /// Write the state in memory; when the write fails, forget it (the next call reads the file
    /// again, so the tenant stays what the file holds).
    fn write(&mut self) -> Result<(), TenantError> {
        let Some(state) = self.state.as_deref() else { return Ok(()) };
        if let Err(e) = file::write(&self.path, state) {
            self.state = None;
            self.dirty = false;
            return Err(self.err(e.to_string(), e));
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

    /// After a change of `liminal_remote`: outside a batch, write it; in a batch, a recorded
    /// revision (`record`) is a boundary, written when the last write is a second old.
    fn boundary(&mut self, record: bool) -> Result<(), TenantError> {
        match self.batch {
            Some(last) if record => {
                if let Some(state) = self.state.as_deref() {
                    self.since_record = state.undo_point();
                }
                if self.dirty && last.elapsed() >= BATCH_WRITE_INTERVAL { self.write() } else { Ok(()) }
            }
            Some(_) => Ok(()),
            None if self.dirty => self.write(),
            None => Ok(()),
        }
    }

    /// Drop what changed since the last recorded revision (in a batch).
    fn drop_unrecorded(&mut self) {
        if let Some(state) = self.state.as_deref_mut() {
            state.restore(std::mem::take(&mut self.since_record));
            self.since_record = state.undo_point();
        }
    }
}

impl Tenant for LocalTenant {
    async fn read(&mut self) -> Result<TenantState, TenantError> {
        Ok(self.load()?.clone())
    }

    async fn revision(&mut self) -> Result<Option<String>, TenantError> {
        self.load()?.revision().map_err(TenantError::from)
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

    /// A revision boundary when it records `revision_id` (as `set_revision`).
    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError> {
        let changed = super::set_remote_fields(self.load()?, values);
        self.dirty |= changed;
        self.boundary(values.iter().any(|(k, _)| *k == crate::schema::REMOTE_FIELD))?;
        Ok(changed)
    }

    async fn remote_field(&mut self, warehouse_name: &str, fresh: bool) -> Result<Option<String>, TenantError> {
        // Reading the file again would drop what a batch holds (nobody else writes the file
        // while a run holds it).
        if fresh && !self.dirty {
            self.state = None;
        }
        Ok(super::remote_value(self.load()?, warehouse_name))
    }

    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        let changed = self.load()?.set_revision(revision);
        self.dirty |= changed;
        self.boundary(true)?;
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

/// A tenant file that does not parse, in words (serde's names for Rust types left out).
fn not_a_state(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Syntax => "it is not valid JSON",
        serde_json::error::Category::Eof => "it ends too early (a write was cut short?)",
        serde_json::error::Category::Data => "a value has the wrong shape",
        serde_json::error::Category::Io => "it cannot be read",
    };
    format!(
        "it is not a tenant state: {what} at line {}, column {}; liminal writes this file (restore it, or delete it to start from an empty tenant)",
        e.line(),
        e.column()
    )
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
