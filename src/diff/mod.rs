//! Autogenerate: compare the code model with a tenant's state and produce ordered steps
//! (operation, reverse) that bring the tenant to the code.
//!
//! It follows Liminal's compare (reference §6) with deliberate differences, each for a reason:
//!
//! - **Total, deterministic order.** Steps are sorted by Liminal's `order` value, then by the
//!   order they were generated in; dropdowns are visited by name and schemas by warehouse name
//!   (new schemas so that link targets come first), never in set or import order. The work on
//!   existing schemas is grouped per schema (see [`sort_steps`]), so the HTTP backend can send a
//!   schema's field changes as one request.
//! - **Inputs are never mutated**; the diff works on a copy of the state and simulates every
//!   step on it ([`Op::apply`]), so indexes are exact and each reverse is computed from the state
//!   the step really meets. Applying the steps gives a state whose diff is empty.
//! - **New schemas are created with their final warehouse name, tooltips and units** (Benchling's
//!   v3 API takes them at creation); Liminal creates under `to_snake_case(name)` and renames after,
//!   which breaks a new field of an existing schema that links to the new schema (§6.3). Links to
//!   a new schema that is created later (a cycle) are set by a follow-up `update_field`, and
//!   template-based naming strategies by a follow-up `update_schema` after the name template:
//!   the only splits Benchling needs.
//! - **Unarchiving a field sorts before the name template and schema updates** (see
//!   [`Op::order`]), so templates and constraints may name it and downgrades still apply.
//! - **A name template comes after what it needs**: a field that becomes the parent link a
//!   template part names is updated right before the template (Liminal: after it); when code
//!   drops a template together with the template-based naming strategy that needs it, the
//!   removal sorts right after the schema update (Liminal: before it). Liminal's order cannot
//!   apply in either case.
//! - **Field positions are exact.** New and unarchived fields go right after the code field that
//!   precedes them; a reorder is emitted only when the active fields' order still differs.
//! - Fields of types that cannot hold several values have `is_multi: false` on both sides, so
//!   Liminal's `is_multi=None` artefact updates (E1) do not arise.
//! - **Display names can move between fields.** Benchling keeps a schema's field display names
//!   unique, archived fields included, after every operation. When code gives a field a name
//!   another field holds (a swap, or the name of an archived field), the holder first gets a free
//!   name: `Name (renaming)` when code renames it next, `Name (archived)` when it is or becomes
//!   archived; a new field that needs a held name is created under a free name and renamed at
//!   140. Every step applies on its own, the HTTP backend sends the run as one
//!   `:set-field-definitions`, and the downgrade applies too (Liminal refuses both cases).
//! - **Renames are asked, not guessed** ([`crate::rename`]): [`diff_with`] writes the renames the
//!   user accepted as `update_schema` / `update_field` / `rename_dropdown` /
//!   `rename_dropdown_option` before everything else, then diffs from the renamed state.

mod dropdowns;
mod fields;
mod schemas;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::op::{Op, OpError};
use crate::rename::Rename;
use crate::schema::{CodeModel, REMOTE_SCHEMA, SchemaDef};
use crate::state::TenantState;
use dropdowns::diff_dropdown;
use schemas::{create_schemas, diff_schema};

/// One generated step: the operation and the one that undoes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    pub reverse: Op,
}

/// A generated step could not be simulated: the code asks for something the tenant cannot do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{step}: {error}")]
pub struct DiffError {
    pub step: String,
    pub error: OpError,
}

/// A difference as `diff` reports it (Liminal's `diff --json` shape).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Difference {
    /// The dropdown name or schema warehouse name the step is about.
    pub name: String,
    /// Liminal's operation class name.
    pub operation: String,
    /// The Rhai constructor.
    pub constructor: String,
    pub description: String,
}

impl From<&Step> for Difference {
    fn from(s: &Step) -> Difference {
        let name = match s.op.target() {
            crate::op::Target::Dropdown(n) | crate::op::Target::Schema(n) => n,
        };
        Difference {
            name,
            operation: s.op.liminal_name().to_string(),
            constructor: s.op.name().to_string(),
            description: s.op.describe(),
        }
    }
}

struct Builder {
    work: TenantState,
    /// Each step with the `order` it sorts by.
    steps: Vec<(u32, Step)>,
}

impl Builder {
    fn emit(&mut self, op: Op) -> Result<(), DiffError> {
        let order = op.order();
        self.emit_at(order, op)
    }

    /// Emit a step that sorts as if its `order` were `order`.
    fn emit_at(&mut self, order: u32, op: Op) -> Result<(), DiffError> {
        let fail = |op: &Op, error| DiffError { step: op.describe(), error };
        let reverse = op.reverse(&self.work).map_err(|e| fail(&op, e))?;
        op.apply(&mut self.work).map_err(|e| fail(&op, e))?;
        self.steps.push((order, Step { op, reverse }));
        Ok(())
    }
}

/// Compare `code` with `state` and return the steps, in the order to apply them.
pub fn diff(code: &CodeModel, state: &TenantState) -> Result<Vec<Step>, DiffError> {
    diff_with(code, state, &[])
}

/// [`diff`], with the renames the user accepted (from [`crate::rename::candidates`]) written as
/// renames instead of archive + create.
pub fn diff_with(code: &CodeModel, state: &TenantState, renames: &[Rename]) -> Result<Vec<Step>, DiffError> {
    let mut b = Builder { work: state.clone(), steps: Vec::new() };
    for r in renames {
        b.emit_at(r.order(), r.op.clone())?;
    }
    // From here on the diff compares with the renamed tenant.
    let renamed;
    let state = if renames.is_empty() {
        state
    } else {
        renamed = b.work.clone();
        &renamed
    };

    let mut dropdowns: Vec<_> = code.dropdowns.iter().collect();
    dropdowns.sort_by(|a, b| a.name.cmp(&b.name));
    for d in &dropdowns {
        diff_dropdown(&mut b, &d.name, &d.options)?;
    }

    let active: Vec<&SchemaDef> = {
        let mut v: Vec<_> = code.schemas.iter().filter(|s| !s.archived).collect();
        v.sort_by(|a, b| a.props.warehouse_name.cmp(&b.props.warehouse_name));
        v
    };
    let new: Vec<&SchemaDef> = active.iter().copied().filter(|s| state.schema(s.warehouse_name()).is_none()).collect();
    create_schemas(&mut b, &new)?;
    for s in active.iter().filter(|s| state.schema(s.warehouse_name()).is_some()) {
        diff_schema(&mut b, s)?;
    }

    let in_code: BTreeSet<&str> = active.iter().map(|s| s.warehouse_name()).collect();
    let mut to_archive: Vec<String> = state
        .schemas
        .iter()
        .filter(|s| !s.archived && s.warehouse_name != REMOTE_SCHEMA && !in_code.contains(s.warehouse_name.as_str()))
        .map(|s| s.warehouse_name.clone())
        .collect();
    to_archive.sort();
    for schema in to_archive {
        b.emit(Op::ArchiveSchema { schema })?;
    }

    let names: BTreeSet<&str> = code.dropdowns.iter().map(|d| d.name.as_str()).collect();
    let mut to_archive: Vec<String> = state
        .dropdowns
        .iter()
        .filter(|d| !d.archived && !names.contains(d.name.as_str()))
        .map(|d| d.name.clone())
        .collect();
    to_archive.sort();
    for name in to_archive {
        b.emit(Op::ArchiveDropdown { name })?;
    }

    let mut steps = b.steps;
    sort_steps(&mut steps);
    Ok(steps.into_iter().map(|(_, s)| s).collect())
}

/// Liminal's order, with the work on existing schemas' fields grouped by schema.
///
/// Generation already follows `order` within each target. Dropdown work, schema creation and
/// unarchiving (`order` ≤ 90) come first and archiving schemas and dropdowns (≥ 170) last, each
/// sorted by `order` as in Liminal; in between, each schema's steps (fields, name template,
/// properties) stay together in `order`. Liminal interleaves schemas there (every schema's new
/// fields, then every schema's updates, …), which breaks runs of field operations on one schema
/// that the HTTP backend sends as a single `:set-field-definitions`: 100 field operations over
/// 10 schemas cost 106 requests in Liminal's order and 46 grouped. Steps on different schemas in
/// that band do not depend on each other (links to new schemas were created before it).
fn sort_steps(steps: &mut Vec<(u32, Step)>) {
    /// Band (before, per schema, after), the schema's rank in the band, `order`.
    type Key = (u8, usize, u32);
    let mut ranks: Vec<crate::op::Target> = Vec::new();
    let mut keyed: Vec<(Key, usize, (u32, Step))> = steps
        .drain(..)
        .enumerate()
        .map(|(i, (order, step))| {
            let key = match order {
                0..=90 => (0, 0, order),
                170.. => (2, 0, order),
                _ => {
                    let target = step.op.target();
                    let rank = ranks.iter().position(|t| *t == target).unwrap_or_else(|| {
                        ranks.push(target);
                        ranks.len() - 1
                    });
                    (1, rank, order)
                }
            };
            (key, i, (order, step))
        })
        .collect();
    keyed.sort_by_key(|(key, i, _)| (*key, *i));
    steps.extend(keyed.into_iter().map(|(_, _, s)| s));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::SchemaPatch;
    use crate::schema::{EntityType, FieldDef, FieldType, NameTemplate, NamingStrategy, SchemaProps};

    fn schema(wh: &str, fields: Vec<FieldDef>) -> SchemaDef {
        SchemaDef {
            props: SchemaProps::new(&wh.to_uppercase(), wh, &wh.to_uppercase(), EntityType::CustomEntity),
            name_template: NameTemplate::default(),
            archived: false,
            fields,
        }
    }

    #[test]
    fn mutually_linked_new_schemas_apply_cleanly() {
        let mut a_link = FieldDef::new("to_b", "To B", FieldType::EntityLink);
        a_link.entity_link = Some("b".into());
        let mut b_link = FieldDef::new("to_a", "To A", FieldType::EntityLink);
        b_link.entity_link = Some("a".into());
        let code = CodeModel { schemas: vec![schema("a", vec![a_link]), schema("b", vec![b_link])], dropdowns: vec![] };
        let state = TenantState::new();
        let steps = diff(&code, &state).unwrap();
        let mut s = state.clone();
        for step in &steps {
            step.op.apply(&mut s).unwrap();
        }
        assert!(diff(&code, &s).unwrap().is_empty());
        assert_eq!(steps.iter().filter(|s| matches!(s.op, Op::UpdateField { .. })).count(), 1);
    }

    /// Benchling reports no naming strategies on entry schemas, and code cannot name any: the
    /// diff used to emit `update_schema(naming_strategies)` forever (applying it changes nothing).
    #[test]
    fn entry_schema_matches_its_code_and_its_generated_files() {
        let mut state = TenantState::new();
        let mut entry = crate::state::Schema::new("ts_entry".into(), "Notebook", "notebook", "NB", EntityType::Entry);
        entry.fields.push(crate::state::Field::new("tsf_1".into(), "Notes", "notes", FieldType::Text));
        state.schemas.push(entry);
        let yaml = "kind: entity_schema\nname: Notebook\nwarehouse_name: notebook\nprefix: NB\nentity_type: entry\nfields:\n  - {warehouse_name: notes, name: Notes, type: text}\n";
        let code = crate::schema::load_str(std::path::Path::new("notebook.yaml"), yaml).unwrap();
        assert_eq!(diff(&code, &state).unwrap(), vec![]);
        let generated: Vec<String> = crate::generate::files(&crate::generate::code_from_state(&state))
            .unwrap()
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let code = crate::schema::load_str(std::path::Path::new("g.yaml"), &generated.join("---\n")).unwrap();
        assert_eq!(diff(&code, &state).unwrap(), vec![]);

        let set = SchemaPatch { naming_strategies: Some([NamingStrategy::NewIds].into()), ..Default::default() };
        let op = Op::UpdateSchema { schema: "notebook".into(), patch: Box::new(set) };
        assert!(matches!(op.apply(&mut state), Err(OpError::Invalid(_))));
    }

    /// Liminal's order removes the template (110) before the strategy that needs it (120), which
    /// cannot apply; the strategy now goes first, and the downgrade restores the template first.
    #[test]
    fn dropping_a_template_with_its_naming_strategy_applies_both_ways() {
        let with = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nnaming_strategies: [SET_FROM_NAME_PARTS, NEW_IDS]\nname_template: {parts: [{type: FIELD, field: x}]}\nfields:\n  - {warehouse_name: x, name: X, type: text}\n";
        let without = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nnaming_strategies: [NEW_IDS]\nfields:\n  - {warehouse_name: x, name: X, type: text}\n";
        let load = |t: &str| crate::schema::load_str(std::path::Path::new("a.yaml"), t).unwrap();
        let mut state = TenantState::new();
        let create: Vec<Op> = diff(&load(with), &state).unwrap().into_iter().map(|s| s.op).collect();
        crate::op::apply_all(&mut state, &create).unwrap();
        let before = state.clone();
        let steps = diff(&load(without), &state).unwrap();
        assert_eq!(steps.iter().map(|s| s.op.name()).collect::<Vec<_>>(), ["update_schema", "set_name_template"]);
        for s in &steps {
            s.op.apply(&mut state).unwrap();
        }
        assert_eq!(diff(&load(without), &state).unwrap(), vec![]);
        for s in steps.iter().rev() {
            s.reverse.apply(&mut state).unwrap();
        }
        assert_eq!(state.view(&state.schemas[0]), before.view(&before.schemas[0]));
    }

    /// A parent-link template part on a field that becomes a parent link in the same diff, and a
    /// template-based strategy: the template used to be set (110) before the field changed (140),
    /// which cannot apply.
    #[test]
    fn template_on_a_field_made_parent_link_applies_both_ways() {
        let yaml = |parent: bool| {
            let template = if parent {
                "naming_strategies: [NEW_IDS, SET_FROM_NAME_PARTS]\nname_template: {parts: [{type: LINKED_BIOENTITY_REGISTRY_IDENTIFIER, field: x}]}\n"
            } else {
                ""
            };
            format!(
                "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\n{template}fields:\n  - {{warehouse_name: x, name: X, type: entity_link, entity_link: a, parent_link: {parent}}}\n"
            )
        };
        let load = |t: &str| crate::schema::load_str(std::path::Path::new("a.yaml"), t).unwrap();
        let mut state = TenantState::new();
        let create: Vec<Op> = diff(&load(&yaml(false)), &state).unwrap().into_iter().map(|s| s.op).collect();
        crate::op::apply_all(&mut state, &create).unwrap();
        let before = state.clone();
        let steps = diff(&load(&yaml(true)), &state).unwrap();
        let names: Vec<_> = steps.iter().map(|s| s.op.name()).collect();
        assert_eq!(names, ["update_field", "set_name_template", "update_schema"]);
        for s in &steps {
            s.op.apply(&mut state).unwrap();
        }
        assert_eq!(diff(&load(&yaml(true)), &state).unwrap(), vec![]);
        for s in steps.iter().rev() {
            s.reverse.apply(&mut state).unwrap();
        }
        assert_eq!(state, before);
    }

    #[test]
    fn field_work_is_grouped_per_schema() {
        let before = CodeModel {
            schemas: vec![
                schema("a", vec![FieldDef::new("x", "X", FieldType::Text)]),
                schema("b", vec![FieldDef::new("x", "X", FieldType::Text)]),
            ],
            dropdowns: vec![],
        };
        let mut state = TenantState::new();
        for step in diff(&before, &state).unwrap() {
            step.op.apply(&mut state).unwrap();
        }
        let mut after = before.clone();
        for s in &mut after.schemas {
            s.fields[0].required = true;
            s.fields.push(FieldDef::new("y", "Y", FieldType::Integer));
        }
        let targets: Vec<_> = diff(&after, &state).unwrap().iter().map(|s| (s.op.target(), s.op.order())).collect();
        use crate::op::Target::Schema;
        assert_eq!(
            targets,
            vec![
                (Schema("a".into()), 100),
                (Schema("a".into()), 140),
                (Schema("b".into()), 100),
                (Schema("b".into()), 140)
            ]
        );
    }

    #[test]
    fn empty_code_and_state_give_no_steps() {
        assert!(diff(&CodeModel::default(), &TenantState::new()).unwrap().is_empty());
    }
}
