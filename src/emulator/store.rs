//! What the emulator holds: the tenant's [`TenantState`] (saved to the state file after every
//! change), and in memory only the issued tokens, the async tasks, the request log and the
//! faults. One `std::sync::Mutex` guards it all; handlers are synchronous, so the lock is never
//! held across an await.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde_json::Value;

use super::faults::Faults;
use crate::state::{TenantState, file};
use crate::wire::TaskStatus;

/// An async task started by `:set-field-definitions`. The change is applied when the task
/// starts; polls may answer `IN_PROGRESS` first (a fault) before reporting the outcome.
pub(crate) struct Task {
    /// The schema family segment the task belongs to (`custom-entity-schema`, …).
    pub family: String,
    pub pending_polls: u32,
    pub status: TaskStatus,
    pub message: String,
    pub result: Value,
}

pub(crate) struct Inner {
    pub state: TenantState,
    /// Set by handlers that changed `state`; the dispatcher then saves it.
    pub dirty: bool,
    pub tokens: HashMap<String, Instant>,
    pub tasks: HashMap<String, Task>,
    pub task_counter: u64,
    pub log: Vec<Value>,
    pub faults: Faults,
    /// Start of the current rate-limit window and the requests counted in it.
    pub window: (Instant, u64),
}

pub(crate) struct Store {
    inner: Mutex<Inner>,
    state_file: Option<PathBuf>,
}

impl Store {
    pub(crate) fn new(state: TenantState, state_file: Option<PathBuf>) -> Store {
        Store {
            inner: Mutex::new(Inner {
                state,
                dirty: false,
                tokens: HashMap::new(),
                tasks: HashMap::new(),
                task_counter: 0,
                log: Vec::new(),
                faults: Faults::default(),
                window: (Instant::now(), 0),
            }),
            state_file,
        }
    }

    /// The lock; a poisoned lock (a panic elsewhere) is still usable, the state is plain data.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Save the state if a handler changed it.
    pub(crate) fn save_if_dirty(&self, inner: &mut Inner) -> Result<(), String> {
        if !inner.dirty {
            return Ok(());
        }
        // Still dirty after a failed write, so the next change tries again.
        if let Some(path) = &self.state_file {
            file::write(path, &inner.state)
                .map_err(|e| format!("cannot write the state file {}: {e}", path.display()))?;
        }
        inner.dirty = false;
        Ok(())
    }
}

/// The state in `path`, or an empty tenant when the file does not exist.
pub(crate) fn load_state(path: &Path) -> Result<TenantState, String> {
    file::read(path).map_err(|e| match e {
        file::ReadError::Parse(e) => format!("{}: not a tenant state: {e}", path.display()),
        file::ReadError::Io(e) => format!("cannot read {}: {e}", path.display()),
    })
}
