//! `versions/liminal.sum`: a hash per revision file plus one over all of them (Atlas's
//! `atlas.sum`). `revision` (and `import`, `init`, `rehash`) write it; `check` compares the files
//! with it, so an edit to a revision that tenants may have applied is noticed, and two branches
//! that each add a revision conflict in git on this file (both change its first line and its
//! end) instead of silently forking the chain.
//!
//! ```text
//! h1:<base64 SHA-256 over the lines below>
//! 3f1c2a9b7d10_initial_init_revision.rhai h1:<base64 SHA-256 of the file>
//! 8a4e6c2f1b93_add_pizza_and_dough.rhai h1:…
//! ```
//!
//! Files are listed base → head. Line endings are normalised (`\r\n` and `\r` → `\n`) before
//! hashing, so a checkout with `core.autocrlf` does not read as an edit.

use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::Chain;

/// The sum file's name, in the versions folder.
pub const SUM_FILE: &str = "liminal.sum";

/// `h1:` + base64 SHA-256 of the text with line endings normalised.
pub fn file_hash(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    h1(normalised.as_bytes())
}

fn h1(bytes: &[u8]) -> String {
    format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)))
}

/// The parsed sum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumFile {
    pub total: String,
    /// `(file name, hash)`, base → head.
    pub entries: Vec<(String, String)>,
}

/// A sum file that cannot be read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumSyntax {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl SumFile {
    /// The sum of files given as `(file name, text)`, in chain order.
    pub fn of<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> SumFile {
        let entries: Vec<(String, String)> =
            files.into_iter().map(|(name, text)| (name.to_string(), file_hash(text))).collect();
        SumFile { total: total(&entries), entries }
    }

    /// The sum of a chain's files, base → head, from the texts the chain was read from.
    pub fn of_chain(chain: &Chain) -> SumFile {
        let names: Vec<(String, &str)> = chain
            .revisions()
            .iter()
            .map(|s| {
                let name = s.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                (name, s.source().as_str())
            })
            .collect();
        SumFile::of(names.iter().map(|(n, t)| (n.as_str(), *t)))
    }

    pub fn parse(text: &str) -> Result<SumFile, SumSyntax> {
        let text = text.replace("\r\n", "\n");
        let mut lines = text.lines().enumerate();
        let bad = |line: usize, message: &str| SumSyntax { line: line + 1, message: message.to_string() };
        let (_, first) = lines.next().ok_or_else(|| bad(0, "the file is empty"))?;
        if !first.starts_with("h1:") || first.contains(' ') {
            return Err(bad(0, "the first line must be the total, `h1:<hash>`"));
        }
        let mut entries = Vec::new();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let Some((name, hash)) = line.rsplit_once(' ') else {
                return Err(bad(i, "expected `<file name> h1:<hash>`"));
            };
            if !hash.starts_with("h1:") || name.is_empty() {
                return Err(bad(i, "expected `<file name> h1:<hash>`"));
            }
            entries.push((name.to_string(), hash.to_string()));
        }
        Ok(SumFile { total: first.to_string(), entries })
    }

    pub fn render(&self) -> String {
        let mut out = format!("{}\n", self.total);
        for (name, hash) in &self.entries {
            out.push_str(&format!("{name} {hash}\n"));
        }
        out
    }

    /// Whether the first line is the hash of the others.
    pub fn total_matches(&self) -> bool {
        total(&self.entries) == self.total
    }

    pub fn hash_of(&self, name: &str) -> Option<&str> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, h)| h.as_str())
    }

    /// The 1-based line of a file's entry.
    pub fn line_of(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|(n, _)| n == name).map(|i| i + 2)
    }
}

fn total(entries: &[(String, String)]) -> String {
    let mut all = String::new();
    for (name, hash) in entries {
        all.push_str(&format!("{name} {hash}\n"));
    }
    h1(all.as_bytes())
}

/// The sum file's path in a versions folder.
pub fn sum_path(versions_dir: &Path) -> PathBuf {
    versions_dir.join(SUM_FILE)
}

/// Write the sum of `chain` to `versions/liminal.sum` (temporary file + rename, so a crash
/// never leaves half a file). Returns its path.
pub fn write_sum(chain: &Chain) -> io::Result<PathBuf> {
    write_sum_file(chain.dir(), &SumFile::of_chain(chain))
}

/// Write a sum to `dir/liminal.sum`, atomically.
pub fn write_sum_file(dir: &Path, sum: &SumFile) -> io::Result<PathBuf> {
    let path = sum_path(dir);
    crate::disk::write_atomic(&path, &sum.render())?;
    Ok(path)
}

/// What [`record_new_revision`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The new file's line was added to the sum file.
    Added,
    /// There was no sum file: one was written for the whole chain.
    Created,
    /// The sum file is malformed: left alone (`check` reports it, `rehash` rewrites it).
    Skipped,
}

/// Add a newly written revision file (on top of `chain`, which does not hold it yet) to the sum
/// file, keeping every other line as it was, so that an earlier edit to another revision is
/// still noticed by `check`. Without a sum file, one is written for the chain and the new file.
/// `revision` and `import` call this after writing a revision.
pub fn record_new_revision(chain: &Chain, file_name: &str, text: &str) -> io::Result<Recorded> {
    let dir = chain.dir();
    let existing = match std::fs::read_to_string(sum_path(dir)) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let (mut entries, outcome) = match existing.as_deref().map(SumFile::parse) {
        Some(Ok(sum)) => (sum.entries, Recorded::Added),
        Some(Err(_)) => return Ok(Recorded::Skipped),
        None => (SumFile::of_chain(chain).entries, Recorded::Created),
    };
    entries.retain(|(name, _)| name != file_name);
    entries.push((file_name.to_string(), file_hash(text)));
    write_sum_file(dir, &SumFile { total: total(&entries), entries })?;
    Ok(outcome)
}

/// What the files of a versions folder say against its sum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumProblem {
    /// No sum file (a project from before sum files).
    Absent,
    /// It cannot be read, or its total does not match its lines.
    Invalid { line: usize, message: String },
    /// The file's hash differs from its entry (`line` of the sum file).
    Edited { file: PathBuf, line: usize },
    /// A revision file with no entry.
    Unlisted { file: PathBuf },
    /// An entry whose file does not exist.
    Missing { name: String, line: usize },
}

/// Compare every `*.rhai` file directly in `dir` with the sum file. Reads the files as they are
/// on disk (a chain that does not load is checked all the same).
pub fn verify(dir: &Path) -> io::Result<Vec<SumProblem>> {
    let text = match std::fs::read_to_string(sum_path(dir)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![SumProblem::Absent]),
        Err(e) => return Err(e),
    };
    let sum = match SumFile::parse(&text) {
        Ok(s) => s,
        Err(e) => return Ok(vec![SumProblem::Invalid { line: e.line, message: e.message }]),
    };
    let mut problems = Vec::new();
    if !sum.total_matches() {
        problems.push(SumProblem::Invalid {
            line: 1,
            message: "the total on the first line does not match the lines below it".into(),
        });
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "rhai") {
            files.push(path);
        }
    }
    files.sort();
    let mut seen = Vec::new();
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = std::fs::read(&path)?;
        let hash = file_hash(&String::from_utf8_lossy(&bytes));
        match sum.hash_of(&name) {
            None => problems.push(SumProblem::Unlisted { file: path }),
            Some(h) if h != hash => {
                problems.push(SumProblem::Edited { line: sum.line_of(&name).unwrap_or(1), file: path })
            }
            Some(_) => {}
        }
        seen.push(name);
    }
    for (name, _) in &sum.entries {
        if !seen.contains(name) {
            problems.push(SumProblem::Missing { line: sum.line_of(name).unwrap_or(1), name: name.clone() });
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_do_not_change_a_hash() {
        assert_eq!(file_hash("a\nb\n"), file_hash("a\r\nb\r\n"));
        assert_eq!(file_hash("a\nb\n"), file_hash("a\rb\r"));
        assert_ne!(file_hash("a\nb\n"), file_hash("a\nb"));
    }

    #[test]
    fn renders_and_parses_back() {
        let sum = SumFile::of([("a.rhai", "one"), ("b.rhai", "two")]);
        let text = sum.render();
        assert!(text.starts_with("h1:"));
        assert_eq!(text.lines().count(), 3);
        let back = SumFile::parse(&text).unwrap();
        assert_eq!(back, sum);
        assert!(back.total_matches());
        assert_eq!(back.line_of("b.rhai"), Some(3));
        let mut edited = back.clone();
        edited.entries[0].1 = file_hash("changed");
        assert!(!edited.total_matches());
        assert!(SumFile::parse("a.rhai h1:x\n").is_err());
        assert!(SumFile::parse("h1:x\nno-hash\n").is_err());
    }

    #[test]
    fn verify_finds_edits_new_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(verify(d).unwrap(), vec![SumProblem::Absent]);
        std::fs::write(d.join("a.rhai"), "one").unwrap();
        std::fs::write(d.join("b.rhai"), "two").unwrap();
        write_sum_file(d, &SumFile::of([("a.rhai", "one"), ("b.rhai", "two"), ("c.rhai", "three")])).unwrap();
        std::fs::write(d.join("b.rhai"), "two, edited").unwrap();
        std::fs::write(d.join("d.rhai"), "four").unwrap();
        assert_eq!(
            verify(d).unwrap(),
            vec![
                SumProblem::Edited { file: d.join("b.rhai"), line: 3 },
                SumProblem::Unlisted { file: d.join("d.rhai") },
                SumProblem::Missing { name: "c.rhai".into(), line: 4 },
            ]
        );
    }
}
