//! `check`'s chain replay undoes each downgrade in place and compares only what the revision
//! touched; its findings must be exactly those of the definition it replaced (a full copy of
//! the tenant per revision and a diff of the whole tenant), on random chains.

use crate::emu::scenario::{random_op, random_setup};
use liminal::chain::replay::{Loaded, Replay, ReplayEvent, replay};
use liminal::diff::diff;
use liminal::generate::code_from_state;
use liminal::op::Op;
use liminal::script::{LocatedOp, Script};
use liminal::state::TenantState;
use proptest::prelude::*;

/// The definition before: clone the state before each revision and after its upgrade, and diff
/// the whole tenant.
fn reference(revisions: &[Loaded<'_>]) -> Replay {
    let mut state = TenantState::new();
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

fn located(ops: Vec<Op>) -> Vec<LocatedOp> {
    ops.into_iter().map(|op| LocatedOp { op, line: 1, column: 1 }).collect()
}

/// Revisions of random operations; each downgrade is the exact reverse of its upgrade, or that
/// with one step dropped or one random operation added (so some restore and some do not).
/// A random operation's seed, and how to twist the downgrade of the revision it starts.
type Seed = ((u8, u8, u8, u8), u8);

fn chain(seeds: &[Seed]) -> Vec<(Vec<Op>, Vec<Op>)> {
    let mut state = TenantState::new();
    let mut revisions = Vec::new();
    let setup = random_setup();
    for op in &setup {
        op.apply(&mut state).unwrap();
    }
    revisions.push((setup.clone(), setup.iter().rev().map(reverse_for).collect()));
    for chunk in seeds.chunks(4) {
        let mut up = Vec::new();
        let mut down = Vec::new();
        for (seed, _) in chunk {
            let op = random_op(*seed);
            let Ok(rev) = op.reverse(&state) else { continue };
            if op.apply(&mut state).is_ok() {
                up.push(op);
                down.insert(0, rev);
            }
        }
        match chunk.first().map(|(_, twist)| twist % 4) {
            Some(0) if !down.is_empty() => {
                down.remove(0);
            }
            Some(1) => down.push(random_op(chunk[0].0)),
            _ => {}
        }
        revisions.push((up, down));
    }
    revisions
}

/// The setup's reverse needs no state: creates are undone by archives.
fn reverse_for(op: &Op) -> Op {
    match op {
        Op::CreateDropdown { name, .. } => Op::ArchiveDropdown { name: name.clone() },
        Op::CreateSchema { schema } => Op::ArchiveSchema { schema: schema.props.warehouse_name.clone() },
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_linear_replay_finds_what_the_full_diff_found(seeds in prop::collection::vec(any::<Seed>(), 4..60)) {
        let script = Script::parse(
            std::path::Path::new("versions/aaaaaaaaaaaa_r.rhai"),
            "const revision = \"aaaaaaaaaaaa\";\nconst down_revision = ();\nfn upgrade() { [] }\nfn downgrade() { [] }\n",
        )
        .unwrap();
        let revisions: Vec<Loaded<'_>> = chain(&seeds)
            .into_iter()
            .map(|(up, down)| Loaded { script: &script, upgrade: located(up), downgrade: located(down) })
            .collect();
        let got = replay(&revisions);
        let want = reference(&revisions);
        prop_assert_eq!(&got.events, &want.events);
        prop_assert_eq!(&got.head, &want.head);
    }
}
