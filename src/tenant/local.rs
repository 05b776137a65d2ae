//! The local tenant: a [`TenantState`] in a JSON file, written atomically after every change.

use std::path::{Path, PathBuf};

use super::{ApplyError, Tenant, TenantError};
use crate::op::Op;
use crate::settings::TenantSettings;
use crate::state::TenantState;

pub struct LocalTenant {
    path: PathBuf,
    state: Option<Box<TenantState>>,
    /// From liminal.yaml: they replace what the file holds.
    settings: Option<TenantSettings>,
}

impl LocalTenant {
    /// A tenant kept in `path`. The file is created on the first write; until then the tenant is
    /// empty.
    pub fn new(path: impl Into<PathBuf>) -> LocalTenant {
        LocalTenant { path: path.into(), state: None, settings: None }
    }

    /// The tenant allows what `settings` says (liminal.yaml), whatever its file recorded.
    pub fn with_settings(mut self, settings: TenantSettings) -> LocalTenant {
        self.settings = Some(settings);
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: impl std::fmt::Display) -> TenantError {
        TenantError::File { path: self.path.clone(), message: e.to_string() }
    }

    fn load(&mut self) -> Result<&mut TenantState, TenantError> {
        if self.state.is_none() {
            let mut state: TenantState = match std::fs::read_to_string(&self.path) {
                Ok(text) => serde_json::from_str(&text).map_err(|e| self.err(not_a_state(&e)))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => TenantState::new(),
                Err(e) => return Err(self.err(e)),
            };
            if let Some(settings) = self.settings {
                state.settings = settings;
            }
            self.state = Some(Box::new(state));
        }
        match self.state.as_deref_mut() {
            Some(s) => Ok(s),
            None => Err(TenantError::File { path: self.path.clone(), message: "state not loaded".into() }),
        }
    }

    /// Write `next` (to a temporary file beside the target, then rename over it) and make it the
    /// state; when the write fails, the state stays what the file holds.
    fn commit(&mut self, next: TenantState) -> Result<(), TenantError> {
        write_atomic(&self.path, &state_json(&next)).map_err(|e| self.err(e))?;
        self.state = Some(Box::new(next));
        Ok(())
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
        for (index, op) in ops.iter().enumerate() {
            // Apply to a copy and keep it only once it is on disk: after a failed write the
            // tenant must still be what the file holds, since the progress marker written next
            // records how many operations reached it.
            let mut next = self.load().map_err(|error| ApplyError::Tenant { index, error })?.clone();
            op.apply(&mut next).map_err(|error| ApplyError::Op { index, error })?;
            self.commit(next).map_err(|error| ApplyError::Tenant { index, error })?;
            done(index);
        }
        Ok(())
    }

    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, TenantError> {
        let mut next = self.load()?.clone();
        let changed = super::set_remote_fields(&mut next, values);
        if changed {
            self.commit(next)?;
        }
        Ok(changed)
    }

    async fn remote_field(&mut self, warehouse_name: &str, fresh: bool) -> Result<Option<String>, TenantError> {
        if fresh {
            self.state = None;
        }
        Ok(super::remote_value(self.load()?, warehouse_name))
    }

    async fn set_revision(&mut self, revision: &str) -> Result<bool, TenantError> {
        let mut next = self.load()?.clone();
        let changed = next.set_revision(revision);
        if changed {
            self.commit(next)?;
        }
        Ok(changed)
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
