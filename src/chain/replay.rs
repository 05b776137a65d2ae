//! The chain replayed from the base on an empty tenant: each revision's `upgrade()`, then its
//! `downgrade()`, which must bring back the state before the upgrade (and is then undone). `check` reports
//! what this finds; this is the one definition of the replay's semantics.

use std::collections::BTreeSet;

use crate::diff::diff;
use crate::generate::code_from_state;
use crate::op::OpError;
use crate::script::{LocatedOp, Script};
use crate::state::{Dropdown, Schema, TenantState, Undo};

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
///
/// Linear in the chain: each revision's operations change the one state in place; the
/// downgrade runs on it too and is then undone ([`TenantState::restore`]), and whether it
/// restored the state is decided on the schemas and dropdowns the two functions touched only
/// ([`restored`]), not by diffing the whole tenant.
pub fn replay(revisions: &[Loaded<'_>]) -> Replay {
    replay_with(revisions, crate::settings::TenantSettings::default())
}

/// [`replay`] on an empty tenant that allows what `settings` says.
pub fn replay_with(revisions: &[Loaded<'_>], settings: crate::settings::TenantSettings) -> Replay {
    let mut state = TenantState { settings, ..TenantState::new() };
    let mut events = Vec::new();
    for (i, r) in revisions.iter().enumerate() {
        let mut up = state.undo_point();
        for (k, o) in r.upgrade.iter().enumerate() {
            if let Err(error) = o.op.apply_saving(&mut state, &mut up) {
                events.push(ReplayEvent::UpgradeFails { revision: i, op: k, error });
                return Replay { events, head: None };
            }
        }
        let mut down = state.undo_point();
        let failed = r
            .downgrade
            .iter()
            .enumerate()
            .find_map(|(k, o)| o.op.apply_saving(&mut state, &mut down).err().map(|e| (k, e)));
        match failed {
            Some((op, error)) => events.push(ReplayEvent::DowngradeFails { revision: i, op, error }),
            None => {
                if !restored(&state, &up, &down) {
                    events.push(ReplayEvent::NotRestored { revision: i });
                }
            }
        }
        state.restore(down);
    }
    Replay { events, head: Some(state) }
}

/// Whether `back` (the state after a revision's upgrade then downgrade) has an empty diff
/// against the code of the state before the upgrade, as `diff(&code_from_state(&before), back)`
/// says, from what changed only: `up` saved what the upgrade changed, `down` what the downgrade
/// changed. Untouched schemas and dropdowns are the same on both sides, so they differ only if
/// something they link to was renamed; those are compared too.
fn restored(back: &TenantState, up: &Undo, down: &Undo) -> bool {
    // Positions of touched schemas and dropdowns: changed by either function, or created.
    let mut schemas: BTreeSet<usize> = up.changed_schemas().chain(down.changed_schemas()).collect();
    schemas.extend(up.schemas_len()..back.schemas.len());
    let mut dropdowns: BTreeSet<usize> = up.changed_dropdowns().chain(down.changed_dropdowns()).collect();
    dropdowns.extend(up.dropdowns_len()..back.dropdowns.len());
    // Each as it was before the upgrade (`None`: created since).
    let before_schema =
        |i: usize| (i < up.schemas_len()).then(|| up.schema(i).or(down.schema(i)).unwrap_or(&back.schemas[i]));
    let before_dropdown =
        |i: usize| (i < up.dropdowns_len()).then(|| up.dropdown(i).or(down.dropdown(i)).unwrap_or(&back.dropdowns[i]));

    // Renamed ones change the view of whatever links to them.
    let renamed: BTreeSet<&str> = schemas
        .iter()
        .filter(|i| before_schema(**i).is_some_and(|b| b.warehouse_name != back.schemas[**i].warehouse_name))
        .map(|i| back.schemas[*i].id.as_str())
        .chain(
            dropdowns
                .iter()
                .filter(|i| before_dropdown(**i).is_some_and(|b| b.name != back.dropdowns[**i].name))
                .map(|i| back.dropdowns[*i].id.as_str()),
        )
        .collect();
    if !renamed.is_empty() {
        let linking: Vec<usize> = back
            .schemas
            .iter()
            .enumerate()
            .filter(|(_, s)| s.fields.iter().any(|f| f.link.as_deref().is_some_and(|l| renamed.contains(l))))
            .map(|(i, _)| i)
            .collect();
        schemas.extend(linking);
    }

    let sub = |s: Vec<Schema>, d: Vec<Dropdown>| TenantState {
        registry: back.registry.clone(),
        units: back.units.clone(),
        settings: back.settings,
        schemas: s.into(),
        dropdowns: d.into(),
        ..TenantState::new()
    };
    let before = sub(
        schemas.iter().filter_map(|i| before_schema(*i).cloned()).collect(),
        dropdowns.iter().filter_map(|i| before_dropdown(*i).cloned()).collect(),
    );
    let after = sub(
        schemas.iter().map(|i| back.schemas[*i].clone()).collect(),
        dropdowns.iter().map(|i| back.dropdowns[*i].clone()).collect(),
    );
    diff(&code_from_state(&before), &after).is_ok_and(|d| d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{FieldPatch, Op, SchemaPatch};
    use crate::schema::{EntityType, FieldDef, FieldType, NameTemplate, SchemaDef, SchemaProps};

    fn schema(wh: &str, prefix: &str, fields: Vec<FieldDef>) -> Op {
        let props = SchemaProps::new(&wh.to_uppercase(), wh, prefix, EntityType::CustomEntity);
        Op::CreateSchema {
            schema: Box::new(SchemaDef { props, name_template: NameTemplate::default(), archived: false, fields }),
        }
    }

    fn link(wh: &str, target: &str) -> FieldDef {
        let mut f = FieldDef::new(wh, &wh.to_uppercase(), FieldType::EntityLink);
        f.entity_link = Some(target.into());
        f
    }

    fn rename(from: &str, to: &str) -> Op {
        Op::UpdateSchema {
            schema: from.into(),
            patch: Box::new(SchemaPatch { warehouse_name: Some(to.into()), ..Default::default() }),
        }
    }

    /// The old definition: a full diff of the whole tenant per revision.
    fn restored_by_full_diff(state: &TenantState, up: &[Op], down: &[Op]) -> Option<bool> {
        let before = state.clone();
        let mut after = state.clone();
        up.iter().try_for_each(|o| o.apply(&mut after)).ok()?;
        let mut back = after.clone();
        down.iter().try_for_each(|o| o.apply(&mut back)).ok()?;
        Some(diff(&code_from_state(&before), &back).is_ok_and(|d| d.is_empty()))
    }

    fn restored_by_undo(state: &TenantState, up: &[Op], down: &[Op]) -> Option<bool> {
        let mut s = state.clone();
        let mut u = s.undo_point();
        up.iter().try_for_each(|o| o.apply_saving(&mut s, &mut u)).ok()?;
        let after = s.clone();
        let mut d = s.undo_point();
        down.iter().try_for_each(|o| o.apply_saving(&mut s, &mut d)).ok()?;
        let verdict = restored(&s, &u, &d);
        s.restore(d);
        assert_eq!(s, after, "undoing the downgrade gives the state after the upgrade");
        Some(verdict)
    }

    /// The touched-only comparison says what the full diff says, including renames that change
    /// the view of an untouched schema linking to the renamed one, and swaps of names.
    #[test]
    fn touched_only_comparison_agrees_with_a_full_diff() {
        let mut base = TenantState::new();
        // Warehouse names may change (Benchling's `SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME`).
        base.settings.custom_warehouse_names = true;
        for op in [
            Op::CreateDropdown { name: "D".into(), options: vec!["a".into(), "b".into()] },
            schema("a", "PA", vec![FieldDef::new("x", "X", FieldType::Text)]),
            schema("b", "PB", vec![link("to_a", "a")]),
            schema("c", "PC", vec![FieldDef::new("y", "Y", FieldType::Integer)]),
        ] {
            op.apply(&mut base).unwrap();
        }
        let text = |wh: &str| Box::new(FieldDef::new(wh, &wh.to_uppercase(), FieldType::Text));
        let cases: Vec<(Vec<Op>, Vec<Op>, bool)> = vec![
            // A field created, then archived: restored (an archived field is not in code).
            (
                vec![Op::CreateField { schema: "a".into(), field: text("z"), index: 1 }],
                vec![Op::ArchiveField { schema: "a".into(), field: "z".into(), index: None }],
                true,
            ),
            // A downgrade that forgets its upgrade.
            (vec![Op::CreateField { schema: "c".into(), field: text("z"), index: 0 }], vec![], false),
            // A rename undone.
            (vec![rename("a", "a2")], vec![rename("a2", "a")], true),
            // A rename kept: `b` (untouched) links to it, and `a` is gone by its old name.
            (vec![rename("a", "a2")], vec![], false),
            // A swap of names between `a` and `c`, contents left: `b` now links to "c".
            (vec![rename("a", "tmp"), rename("c", "a"), rename("tmp", "c")], vec![], false),
            // A new schema archived again; a dropdown option added and archived again.
            (vec![schema("n", "PN", vec![])], vec![Op::ArchiveSchema { schema: "n".into() }], true),
            (
                vec![Op::CreateDropdownOption { dropdown: "D".into(), option: "c".into(), index: 2 }],
                vec![Op::ArchiveDropdownOption { dropdown: "D".into(), option: "c".into() }],
                true,
            ),
            (vec![Op::RenameDropdown { name: "D".into(), new_name: "E".into() }], vec![], false),
            (
                vec![Op::UpdateField {
                    schema: "c".into(),
                    field: "y".into(),
                    patch: Box::new(FieldPatch { tooltip: Some(Some("t".into())), ..Default::default() }),
                }],
                vec![],
                false,
            ),
        ];
        for (up, down, expected) in cases {
            let full = restored_by_full_diff(&base, &up, &down);
            assert_eq!(full, Some(expected), "{up:?} / {down:?}");
            assert_eq!(restored_by_undo(&base, &up, &down), full, "{up:?} / {down:?}");
        }
    }
}
