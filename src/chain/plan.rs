//! Descriptors → plans. Liminal's grammar, checks, order and messages (liminal-behaviour §1.2),
//! with the product's changes: the target the tenant is already at gives an empty plan (the CLI
//! says "already at …" and exits 0), and `downgrade base` goes down to the base revision.
//!
//! A tenant with no revision recorded (`current = None`) starts from the base revision, as in
//! Liminal, whose first `revision` on a fresh tenant records the init revision without running
//! it: the base's own `upgrade()` is never run (Liminal's base lists are always empty), `upgrade
//! head` runs every revision above it, and `downgrade base` is already done. Messages then name
//! the base id as the current revision.

use super::Chain;
use crate::script::{Direction, Script};

/// What an `upgrade` or `downgrade` will run. Scripts are not run here.
#[derive(Debug, Clone)]
pub struct Plan<'c> {
    pub direction: Direction,
    /// The tenant's revision before the plan (`None`: none recorded).
    pub from: Option<String>,
    /// The revision the tenant is at once every step ran.
    pub to: String,
    /// The revisions whose `upgrade()` (oldest first) or `downgrade()` (newest first) run.
    pub steps: Vec<&'c Script>,
}

impl Plan<'_> {
    /// Nothing to run: the tenant is already at the target.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The revision the tenant is at after step `i` ran (for recording progress).
    pub fn reached_after(&self, i: usize) -> Option<&str> {
        let step = self.steps.get(i)?;
        match self.direction {
            Direction::Upgrade => Some(&step.header().revision),
            Direction::Downgrade => step.header().down_revision.as_deref(),
        }
    }
}

/// A descriptor that names no reachable target. Messages are Liminal's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum DescriptorError {
    #[error("current remote revision_id ({current}) is invalid and not found in any of the revision file names.")]
    #[diagnostic(help(
        "the tenant is at a revision this project does not have: pull the missing revision files, or record the right one with `liminal stamp`"
    ))]
    UnknownCurrent { current: String },

    #[error("Error with upgrade descriptor {descriptor}. Use '+n' where n is a positive number.")]
    #[diagnostic(help("e.g. `+1` runs the next revision"))]
    BadUpSteps { descriptor: String },

    #[error(
        "Error with upgrade descriptor {descriptor}. Attempting to upgrade +{steps} steps from {current} when there are {left} possible upgrade revisions left before reaching the latest revision."
    )]
    #[diagnostic(help("use `head` to run every remaining revision"))]
    TooFarUp { descriptor: String, steps: usize, current: String, left: usize },

    #[error("{target} is not a valid up revision from {current}.")]
    #[diagnostic(help("the target is below the tenant's revision; use `liminal downgrade` to go back"))]
    NotAbove { target: String, current: String },

    #[error("Error with upgrade descriptor {descriptor}. Must be 'head', '+n', or a valid revision id.")]
    #[diagnostic(help("`liminal history` lists the revision ids"))]
    BadUpgrade { descriptor: String },

    #[error("Error with downgrade descriptor {descriptor}. Use '-n' where n is a positive number.")]
    #[diagnostic(help("e.g. `-1` undoes the current revision"))]
    BadDownSteps { descriptor: String },

    #[error(
        "Error with downgrade descriptor {descriptor}. Attempting to downgrade -{steps} steps from {current} when there are {left} possible downgrade revisions left before reaching the base revision."
    )]
    #[diagnostic(help("use `base` to undo every revision above the base"))]
    TooFarDown { descriptor: String, steps: usize, current: String, left: usize },

    #[error("{target} is not a valid down revision from {current}.")]
    #[diagnostic(help("the target is above the tenant's revision; use `liminal upgrade` to go forward"))]
    NotBelow { target: String, current: String },

    #[error("`{prefix}` is the start of several revision ids: {}", matches.join(", "))]
    #[diagnostic(help("give more characters of the id"))]
    Ambiguous { prefix: String, matches: Vec<String> },

    #[error("Error with downgrade descriptor {descriptor}. Must be '-n', 'base', or a valid revision id.")]
    #[diagnostic(help("`liminal history` lists the revision ids"))]
    BadDowngrade { descriptor: String },
}

/// `n` of `+n` / `-n`: digits only, more than 0.
fn steps(digits: &str) -> Option<usize> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

impl Chain {
    /// A target named by a full id or a unique prefix: `Ok(None)` when nothing matches.
    fn target(&self, descriptor: &str) -> Result<Option<usize>, DescriptorError> {
        match self.find_position(descriptor) {
            Ok(i) => Ok(Some(i)),
            Err(super::IdError::Unknown(_)) => Ok(None),
            Err(super::IdError::Ambiguous { prefix, matches }) => Err(DescriptorError::Ambiguous { prefix, matches }),
        }
    }

    /// Where the tenant stands: its position and id (the base when it has none).
    fn start(&self, current: Option<&str>) -> Result<(usize, String), DescriptorError> {
        match current {
            None => Ok((0, self.base().header().revision.clone())),
            Some(id) => match self.position(id) {
                Some(i) => Ok((i, id.to_string())),
                None => Err(DescriptorError::UnknownCurrent { current: id.to_string() }),
            },
        }
    }

    /// `upgrade <tenant> <head | +n | id>` from the tenant's `current` revision. `None` (no
    /// revision recorded yet) starts from the base without running the base's `upgrade()`.
    pub fn plan_upgrade(&self, current: Option<&str>, descriptor: &str) -> Result<Plan<'_>, DescriptorError> {
        let (from, current_id) = self.start(current)?;
        let head = self.len() - 1;
        let target = if descriptor == "head" {
            head
        } else if let Some(digits) = descriptor.strip_prefix('+') {
            let n = steps(digits).ok_or_else(|| DescriptorError::BadUpSteps { descriptor: descriptor.into() })?;
            if n > head - from {
                return Err(DescriptorError::TooFarUp {
                    descriptor: descriptor.into(),
                    steps: n,
                    current: current_id,
                    left: head - from,
                });
            }
            from + n
        } else if let Some(t) = self.target(descriptor)? {
            if t < from {
                return Err(DescriptorError::NotAbove { target: descriptor.into(), current: current_id });
            }
            t
        } else {
            return Err(DescriptorError::BadUpgrade { descriptor: descriptor.into() });
        };
        Ok(Plan {
            direction: Direction::Upgrade,
            from: current.map(str::to_string),
            to: self.revisions()[target].header().revision.clone(),
            steps: self.revisions()[from + 1..=target].iter().collect(),
        })
    }

    /// `downgrade <tenant> <-n | id | base>` from the tenant's `current` revision: runs the
    /// `downgrade()` of the current revision and each older one down to, not including, the target.
    pub fn plan_downgrade(&self, current: Option<&str>, descriptor: &str) -> Result<Plan<'_>, DescriptorError> {
        let (from, current_id) = self.start(current)?;
        let target = if let Some(digits) = descriptor.strip_prefix('-') {
            let n = steps(digits).ok_or_else(|| DescriptorError::BadDownSteps { descriptor: descriptor.into() })?;
            if n > from {
                return Err(DescriptorError::TooFarDown {
                    descriptor: descriptor.into(),
                    steps: n,
                    current: current_id,
                    left: from,
                });
            }
            from - n
        } else if let Some(t) = self.target(descriptor)? {
            if t > from {
                return Err(DescriptorError::NotBelow { target: descriptor.into(), current: current_id });
            }
            t
        } else if descriptor == "base" {
            0
        } else {
            return Err(DescriptorError::BadDowngrade { descriptor: descriptor.into() });
        };
        Ok(Plan {
            direction: Direction::Downgrade,
            from: current.map(str::to_string),
            to: self.revisions()[target].header().revision.clone(),
            steps: self.revisions()[target + 1..=from].iter().rev().collect(),
        })
    }
}
