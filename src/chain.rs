//! The revision chain: `versions/*.rhai` read by header only (no script runs), checked to be one
//! linear chain from a base to a head, and the plans that upgrade and downgrade descriptors stand
//! for.
//!
//! Descriptors follow Liminal (same checks in the same order, same messages) with the product's
//! two changes: reaching the revision the tenant is already at is an empty plan, not an error,
//! and `downgrade <tenant> base` goes down to the base revision.

mod check;
mod head;
mod plan;
pub mod replay;
pub mod sum;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use time::PrimitiveDateTime;

use crate::diag::{Problems, SourceProblem};
use crate::op::Op;
use crate::schema::to_snake_case;
use crate::script::{RevisionText, Script, render};

pub use head::{AtHead, NotAtHead};
pub use plan::{DescriptorError, Plan};

/// The message of the base revision `liminal init` writes, as in Liminal.
pub const BASE_MESSAGE: &str = "Initial init revision";

/// Why the chain cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ChainError {
    #[error("cannot read the versions folder {}: {source}", path.display())]
    #[diagnostic(help("run `liminal init`, or check `versions:` in liminal.yaml"))]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Every problem found: unreadable scripts and chain-shape problems, each naming its files.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] Problems),
    #[error("cannot draw a random revision id: {0}")]
    Random(getrandom::Error),
    #[error("`{0}` is not a revision id: it must be 12 lowercase hex characters")]
    #[diagnostic(help("e.g. `--rev-id 0123456789ab`, or leave --rev-id out for a random one"))]
    BadId(String),
    #[error("revision id `{0}` is already in the chain")]
    #[diagnostic(help("choose another id"))]
    TakenId(String),
}

/// Where a revision stands for a tenant at `current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Below the tenant's revision: its upgrade() ran.
    Applied,
    /// The tenant's revision (the base, for a tenant with none recorded).
    Current,
    /// Above it: upgrade head would run it.
    Pending,
}

impl Standing {
    /// The word `history --verbose` shows.
    pub fn word(self) -> &'static str {
        match self {
            Standing::Applied => "applied",
            Standing::Current => "current",
            Standing::Pending => "pending",
        }
    }
}

/// A revision named by a prefix of its id that is not exactly one revision's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum IdError {
    #[error("no revision id starts with `{0}`")]
    #[diagnostic(help("`liminal history` lists the revision ids"))]
    Unknown(String),
    #[error("`{prefix}` is the start of {} revision ids: {}", matches.len(), matches.join(", "))]
    #[diagnostic(help("give more characters of the id"))]
    Ambiguous { prefix: String, matches: Vec<String> },
}

/// A valid chain, ordered from the base (index 0) to the head. Never empty.
#[derive(Debug, Clone)]
pub struct Chain {
    dir: PathBuf,
    revisions: Vec<Script>,
    index: HashMap<String, usize>,
}

impl Chain {
    /// Read every `*.rhai` file directly in `dir` (headers only) and check the chain, reporting
    /// all problems at once.
    pub fn load(dir: &Path) -> Result<Chain, ChainError> {
        let (scripts, problems) = read_scripts(dir)?;
        Chain::from_scripts(dir, scripts, problems).map_err(ChainError::from)
    }

    /// Check that `scripts` form one linear chain. `earlier` are problems already found while
    /// reading (they are reported first, and a revision whose file could not be read does not
    /// also make its child an orphan).
    pub fn from_scripts(dir: &Path, scripts: Vec<Script>, earlier: Vec<SourceProblem>) -> Result<Chain, Problems> {
        let revisions = check::order(dir, scripts, earlier)?;
        let index = revisions.iter().enumerate().map(|(i, s)| (s.header().revision.clone(), i)).collect();
        Ok(Chain { dir: dir.to_path_buf(), revisions, index })
    }

    /// The folder the chain was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Base first, head last.
    pub fn revisions(&self) -> &[Script] {
        &self.revisions
    }

    pub fn base(&self) -> &Script {
        &self.revisions[0]
    }

    pub fn head(&self) -> &Script {
        &self.revisions[self.revisions.len() - 1]
    }

    pub fn get(&self, id: &str) -> Option<&Script> {
        self.position(id).map(|i| &self.revisions[i])
    }

    /// Steps from the base: the base is 0, the head `len() - 1`.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    /// Where revision `id` stands for a tenant at `current` (`None`: no revision recorded, which
    /// is the base); `None` when either is not in the chain.
    pub fn standing(&self, current: Option<&str>, id: &str) -> Option<Standing> {
        let at = match current {
            None => 0,
            Some(c) => self.position(c)?,
        };
        let here = self.position(id)?;
        Some(match here.cmp(&at) {
            std::cmp::Ordering::Less => Standing::Applied,
            std::cmp::Ordering::Equal => Standing::Current,
            std::cmp::Ordering::Greater => Standing::Pending,
        })
    }

    /// What `history` and `show` mark a revision of the chain with: `head`, `base`, both (a
    /// chain of one) or neither.
    pub fn marks(&self, script: &Script) -> Vec<&'static str> {
        let mut marks = Vec::new();
        if script.header().revision == self.head().header().revision {
            marks.push("head");
        }
        if script.header().down_revision.is_none() {
            marks.push("base");
        }
        marks
    }

    /// How many revisions `upgrade head` would run on a tenant at `current`; `None` when
    /// `current` is not in the chain.
    pub fn pending(&self, current: Option<&str>) -> Option<usize> {
        let at = match current {
            None => 0,
            Some(c) => self.position(c)?,
        };
        Some(self.len() - 1 - at)
    }

    /// The revision a full id or a unique prefix of one names (as Alembic accepts `4daa`).
    pub fn find(&self, id_or_prefix: &str) -> Result<&Script, IdError> {
        self.find_position(id_or_prefix).map(|i| &self.revisions[i])
    }

    /// The position of the revision a full id or a unique prefix names.
    pub fn find_position(&self, id_or_prefix: &str) -> Result<usize, IdError> {
        if let Some(i) = self.position(id_or_prefix) {
            return Ok(i);
        }
        let hex = !id_or_prefix.is_empty() && id_or_prefix.bytes().all(|b| b.is_ascii_hexdigit());
        let wanted = id_or_prefix.to_ascii_lowercase();
        let matches: Vec<usize> = if hex {
            (0..self.revisions.len()).filter(|i| self.revisions[*i].header().revision.starts_with(&wanted)).collect()
        } else {
            Vec::new()
        };
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(IdError::Unknown(id_or_prefix.to_string())),
            many => Err(IdError::Ambiguous {
                prefix: id_or_prefix.to_string(),
                matches: many.iter().map(|i| self.revisions[*i].header().revision.clone()).collect(),
            }),
        }
    }

    /// Always false: a chain has at least its base.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// The next revision on top of the head: a fresh id, its file name and its text.
    pub fn new_revision(
        &self,
        message: &str,
        create_date: PrimitiveDateTime,
        upgrade: &[Op],
        downgrade: &[Op],
    ) -> Result<NewRevision, ChainError> {
        let id = loop {
            let id = new_revision_id()?;
            if self.get(&id).is_none() {
                break id;
            }
        };
        self.new_revision_with_id(id, message, create_date, upgrade, downgrade)
    }

    /// The next revision on top of the head with a given id (`revision --rev-id`, for scripts).
    pub fn new_revision_with_id(
        &self,
        id: String,
        message: &str,
        create_date: PrimitiveDateTime,
        upgrade: &[Op],
        downgrade: &[Op],
    ) -> Result<NewRevision, ChainError> {
        if !crate::script::is_revision_id(&id) {
            return Err(ChainError::BadId(id));
        }
        if self.get(&id).is_some() {
            return Err(ChainError::TakenId(id));
        }
        let head = self.head().header().revision.clone();
        Ok(NewRevision::new(id, Some(&head), message, create_date, upgrade, downgrade))
    }
}

/// Every `*.rhai` file directly in `dir`, parsed (headers only), by file name; the files that do
/// not parse as problems.
pub fn read_scripts(dir: &Path) -> Result<(Vec<Script>, Vec<SourceProblem>), ChainError> {
    let read_err = |source| ChainError::Read { path: dir.to_path_buf(), source };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "rhai") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut scripts = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match Script::load(&path) {
            Ok(s) => scripts.push(s),
            Err(p) => problems.push(p),
        }
    }
    Ok((scripts, problems))
}

/// A revision file not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevision {
    pub id: String,
    /// `<id>_<slug>.rhai`.
    pub file_name: String,
    pub text: String,
}

impl NewRevision {
    fn new(
        id: String,
        down_revision: Option<&str>,
        message: &str,
        create_date: PrimitiveDateTime,
        upgrade: &[Op],
        downgrade: &[Op],
    ) -> NewRevision {
        let text = render(&RevisionText { id: &id, down_revision, message, create_date, upgrade, downgrade });
        NewRevision { file_name: file_name(&id, message), id, text }
    }

    /// The base revision of a new project (`liminal init`): empty lists, revises nothing.
    pub fn base(create_date: PrimitiveDateTime) -> Result<NewRevision, ChainError> {
        Ok(NewRevision::new(new_revision_id()?, None, BASE_MESSAGE, create_date, &[], &[]))
    }

    /// Write the file into `dir`; never overwrites an existing file.
    pub fn write(&self, dir: &Path) -> io::Result<PathBuf> {
        use std::io::Write;
        let path = dir.join(&self.file_name);
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        file.write_all(self.text.as_bytes())?;
        file.sync_all()?;
        Ok(path)
    }
}

/// The `Create Date:` a revision's header comment gives, if any (`2026-11-25 19:16:35`).
pub fn create_date(script: &Script) -> Option<String> {
    script.source().lines().take_while(|l| l.trim_start().starts_with("//") || l.trim().is_empty()).find_map(|l| {
        let rest = l.trim_start().strip_prefix("//")?.trim();
        rest.strip_prefix("Create Date:").map(|d| d.trim().to_string())
    })
}

/// Longest slug kept in a file name, so that long messages stay far below file-name limits.
const MAX_SLUG: usize = 80;

/// `<id>_<to_snake_case(message)>.rhai`, as Liminal names its files; a message with no letters
/// or digits gives `<id>_revision.rhai`.
pub fn file_name(id: &str, message: &str) -> String {
    let mut slug = to_snake_case(message);
    if slug.len() > MAX_SLUG {
        slug.truncate(MAX_SLUG);
        slug.truncate(slug.trim_end_matches('_').len());
    }
    if slug.is_empty() {
        slug = "revision".into();
    }
    format!("{id}_{slug}.rhai")
}

/// 12 random lowercase hex characters (Liminal: `uuid4().hex[:12]`).
pub fn new_revision_id() -> Result<String, ChainError> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(ChainError::Random)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests;
