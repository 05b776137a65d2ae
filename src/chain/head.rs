//! Whether a new revision may be computed against a tenant: `revision` diffs the code against
//! the tenant, so the tenant must stand at the head of the chain, or the new revision would undo
//! or repeat what the revisions it lacks do.

use super::Chain;

/// What `revision` does before it reads the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtHead {
    /// The tenant is at the head.
    Yes,
    /// A fresh tenant (no revision) on a fresh project (the base alone): as Liminal, record the
    /// base revision on it first.
    RecordBase(String),
}

/// A tenant a new revision cannot be computed against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum NotAtHead {
    #[error("{tenant} is at revision {current}, which is not in versions/")]
    #[diagnostic(help("pull the missing revision files, or record the right revision with `liminal stamp`"))]
    UnknownRevision { tenant: String, current: String },
    /// `typed` is the tenant as the user named it (key or alias), for the command to run.
    #[error("{tenant} is at {}, not at the head revision {head}", current.as_deref().unwrap_or("no revision"))]
    #[diagnostic(help(
        "run `liminal upgrade {typed} head` first, so the new revision is computed against an up-to-date tenant"
    ))]
    Behind { tenant: String, typed: String, current: Option<String>, head: String },
}

impl Chain {
    /// May a new revision go on top of the head for `tenant` (named `typed` on the command
    /// line), recorded at `current`?
    pub fn at_head(&self, tenant: &str, typed: &str, current: Option<&str>) -> Result<AtHead, NotAtHead> {
        let head = &self.head().header().revision;
        match current {
            None if self.len() == 1 => Ok(AtHead::RecordBase(head.clone())),
            Some(c) if c == head => Ok(AtHead::Yes),
            Some(c) if self.get(c).is_none() => {
                Err(NotAtHead::UnknownRevision { tenant: tenant.to_string(), current: c.to_string() })
            }
            other => Err(NotAtHead::Behind {
                tenant: tenant.to_string(),
                typed: typed.to_string(),
                current: other.map(str::to_string),
                head: head.clone(),
            }),
        }
    }
}
