//! Input folders hold files: anything else there (a FIFO, a socket, a device) is skipped with a
//! warning instead of blocking a read forever.

use std::path::{Path, PathBuf};

/// Whether `path` is a regular file (following symlinks).
pub(crate) fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Entries under `dir` (sub-folders too when `recursive`) whose name ends in one of
/// `extensions` but which are not regular files, sorted.
pub(crate) fn non_files(dir: &Path, recursive: bool, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, recursive, extensions, &mut out, 0);
    out.sort();
    out
}

fn walk(dir: &Path, recursive: bool, extensions: &[&str], out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = std::fs::metadata(&path);
        if meta.as_ref().is_ok_and(|m| m.is_dir()) {
            // Bounded, in case of a symlink loop.
            if recursive && depth < 32 {
                walk(&path, recursive, extensions, out, depth + 1);
            }
            continue;
        }
        let wanted = path.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.contains(&e));
        if wanted && !meta.is_ok_and(|m| m.is_file()) {
            out.push(path);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_listed_and_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "x").unwrap();
        let fifo = dir.path().join("sub/pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        assert!(!is_regular_file(&fifo));
        assert_eq!(non_files(dir.path(), true, &["yaml", "yml"]), vec![fifo]);
        assert!(non_files(dir.path(), false, &["yaml"]).is_empty());
    }
}
