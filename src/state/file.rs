//! The tenant state file: a [`TenantState`] as pretty JSON with a final newline, replaced
//! atomically (temporary file in the same folder + rename) by each write. The local tenant
//! (`crate::tenant::local`) and the emulator's `--state` file (`crate::emulator`) both keep a
//! tenant this way, so a file one writes the other reads.

use std::path::Path;

use super::TenantState;

/// Why a state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file exists and cannot be read.
    #[error(transparent)]
    Io(std::io::Error),
    /// The file does not hold a tenant state.
    #[error(transparent)]
    Parse(serde_json::Error),
}

/// The state in `path`, or an empty tenant ([`TenantState::new`]) when the file does not exist.
pub fn read(path: &Path) -> Result<TenantState, ReadError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(ReadError::Parse),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TenantState::new()),
        Err(e) => Err(ReadError::Io(e)),
    }
}

/// Write `state` to `path` ([`to_json`], then `crate::disk::write_atomic`).
pub fn write(path: &Path, state: &TenantState) -> std::io::Result<()> {
    crate::disk::write_atomic(path, &to_json(state)?)
}

/// The state as the file holds it: pretty JSON with a final newline. An error (never an empty
/// text) when it cannot be serialised, so that no caller writes an empty file over a tenant.
pub fn to_json(state: &TenantState) -> std::io::Result<String> {
    let mut text = serde_json::to_string_pretty(state).map_err(std::io::Error::other)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_state_reads_back_and_a_missing_file_is_an_empty_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dev.json");
        assert_eq!(read(&path).unwrap(), TenantState::new());
        let mut state = TenantState::new();
        state.set_revision("aaaaaaaaaaaa");
        write(&path, &state).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", serde_json::to_string_pretty(&state).unwrap()));
        assert_eq!(read(&path).unwrap(), state);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(read(&path), Err(ReadError::Parse(_))));
    }
}
