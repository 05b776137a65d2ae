//! The chain replayed from the base on an empty tenant: each revision's `upgrade()`, then its
//! `downgrade()` on a copy, which must bring back the state before the upgrade. `check` reports
//! what this finds; this is the one definition of the replay's semantics.

use crate::diff::diff;
use crate::generate::code_from_state;
use crate::op::OpError;
use crate::script::{LocatedOp, Script};
use crate::state::TenantState;

/// A revision with both functions run.
#[derive(Debug, Clone)]
pub struct Loaded<'c> {
    pub script: &'c Script,
    pub upgrade: Vec<LocatedOp>,
    pub downgrade: Vec<LocatedOp>,
}

/// Something the replay ran into. `revision` indexes the slice given to [`replay`], `op` the
/// function's operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayEvent {
    /// The replay stops here: later revisions build on a state that is not there.
    UpgradeFails {
        revision: usize,
        op: usize,
        error: OpError,
    },
    DowngradeFails {
        revision: usize,
        op: usize,
        error: OpError,
    },
    NotRestored {
        revision: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Replay {
    pub events: Vec<ReplayEvent>,
    /// The state at the head, unless an upgrade failed.
    pub head: Option<TenantState>,
}

/// Replay `revisions` (base first) on an empty tenant.
pub fn replay(revisions: &[Loaded<'_>]) -> Replay {
    replay_with(revisions, crate::settings::TenantSettings::default())
}

/// [`replay`] on an empty tenant that allows what `settings` says.
pub fn replay_with(revisions: &[Loaded<'_>], settings: crate::settings::TenantSettings) -> Replay {
    let mut state = TenantState { settings, ..TenantState::new() };
    let mut events = Vec::new();
    for (i, r) in revisions.iter().enumerate() {
        let before = state.clone();
        for (k, o) in r.upgrade.iter().enumerate() {
            if let Err(error) = o.op.apply(&mut state) {
                events.push(ReplayEvent::UpgradeFails { revision: i, op: k, error });
                return Replay { events, head: None };
            }
        }
        let mut back = state.clone();
        let failed = r.downgrade.iter().enumerate().find_map(|(k, o)| o.op.apply(&mut back).err().map(|e| (k, e)));
        match failed {
            Some((op, error)) => events.push(ReplayEvent::DowngradeFails { revision: i, op, error }),
            None => {
                if !diff(&code_from_state(&before), &back).is_ok_and(|d| d.is_empty()) {
                    events.push(ReplayEvent::NotRestored { revision: i });
                }
            }
        }
    }
    Replay { events, head: Some(state) }
}
