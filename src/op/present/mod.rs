//! Whether the effects of a list of operations are already on a tenant: how a run that stopped
//! half-way is resumed from what the tenant shows, whatever stopped it.
//!
//! [`present_prefixes`] answers "how many of these operations, from the first, does this state
//! already show?". Each operation makes *claims* about the state it leaves: a created field
//! exists, is active, has these properties and this position; an archived schema is archived;
//! a reordered list starts with the given names. A prefix is present when every claim of its
//! operations holds in the state, except claims about an aspect that a *later* operation of the
//! prefix changes again (a field created, then archived: only "archived" is checked). Names are
//! followed through the renames of the prefix (a dropdown renamed later is looked up under its
//! new name), so a revision that renames what it created earlier still resumes.
//!
//! The checks are exact where the tenant can tell: a prefix is only reported present when
//! applying it again would not change what it claims. Every operation's effect can be told
//! from the tenant; what cannot be told apart is an operation whose effect was already there
//! before it ran (reordering into the current order, for instance), and skipping such an
//! operation changes nothing.

mod claims;

use std::collections::{HashMap, HashSet};

use super::Op;
use crate::schema::FieldDef;
use crate::state::{Dropdown, Schema, TenantState};

/// What one operation changes, named as the state being checked names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Aspect {
    DropdownArchived(String),
    /// The order of a dropdown's options (and which of them are active).
    DropdownOrder(String),
    OptionArchived(String, String),
    SchemaArchived(String),
    SchemaProps(String),
    SchemaTemplate(String),
    /// The order of a schema's fields.
    FieldOrder(String),
    FieldArchived(String, String),
    FieldProps(String, String),
}

/// Names at some point of the operation list → names in the checked state (`None`: nothing of
/// that name exists there, since a later operation renamed it away).
#[derive(Debug, Default)]
struct Names {
    dropdowns: HashMap<String, Option<String>>,
    schemas: HashMap<String, Option<String>>,
    options: HashMap<(String, String), Option<String>>,
    fields: HashMap<(String, String), Option<String>>,
}

impl Names {
    fn dropdown(&self, name: &str) -> Option<String> {
        self.dropdowns.get(name).cloned().unwrap_or_else(|| Some(name.to_string()))
    }

    fn schema(&self, name: &str) -> Option<String> {
        self.schemas.get(name).cloned().unwrap_or_else(|| Some(name.to_string()))
    }

    fn option(&self, dropdown: &str, name: &str) -> Option<String> {
        self.options.get(&(dropdown.to_string(), name.to_string())).cloned().unwrap_or_else(|| Some(name.to_string()))
    }

    fn field(&self, schema: &str, name: &str) -> Option<String> {
        self.fields.get(&(schema.to_string(), name.to_string())).cloned().unwrap_or_else(|| Some(name.to_string()))
    }

    /// A field definition's references (dropdown, linked schema) as the state names them.
    fn field_def(&self, def: &FieldDef) -> FieldDef {
        let mut def = def.clone();
        if let Some(d) = &def.dropdown {
            def.dropdown = Some(self.dropdown(d).unwrap_or_else(|| d.clone()));
        }
        if let Some(s) = &def.entity_link {
            def.entity_link = Some(self.schema(s).unwrap_or_else(|| s.clone()));
        }
        def
    }
}

/// Checks a prefix of operations against a state, from its last operation backwards.
struct Scan<'a> {
    state: &'a TenantState,
    names: Names,
    /// Aspects changed by operations after the one being checked.
    later: HashSet<Aspect>,
}

type Check = Result<(), String>;

fn fail(message: String) -> Check {
    Err(message)
}

impl<'a> Scan<'a> {
    fn new(state: &'a TenantState) -> Scan<'a> {
        Scan { state, names: Names::default(), later: HashSet::new() }
    }

    fn open(&self, a: &Aspect) -> bool {
        !self.later.contains(a)
    }

    fn dropdown(&self, name: &str) -> Result<(String, &'a Dropdown), String> {
        let t = self.names.dropdown(name).ok_or_else(|| format!("dropdown `{name}` is renamed later"))?;
        let d = self.state.dropdown(&t).ok_or_else(|| format!("dropdown `{t}` does not exist"))?;
        Ok((t, d))
    }

    fn schema(&self, name: &str) -> Result<(String, &'a Schema), String> {
        let t = self.names.schema(name).ok_or_else(|| format!("schema `{name}` is renamed later"))?;
        let s = self.state.schema(&t).ok_or_else(|| format!("schema `{t}` does not exist"))?;
        Ok((t, s))
    }

    fn field_name(&self, schema: &str, field: &str) -> Result<String, String> {
        self.names.field(schema, field).ok_or_else(|| format!("field `{schema}.{field}` is renamed later"))
    }

    fn option_name(&self, dropdown: &str, option: &str) -> Result<String, String> {
        self.names.option(dropdown, option).ok_or_else(|| format!("option `{option}` of `{dropdown}` is renamed later"))
    }

    /// Record what `op` changes and the names it gives, so that the operations before it are
    /// checked against what it left.
    fn pass(&mut self, op: &Op) {
        let dd = |n: &Names, name: &str| n.dropdown(name).unwrap_or_default();
        let sc = |n: &Names, name: &str| n.schema(name).unwrap_or_default();
        let mut changes = Vec::new();
        match op {
            Op::CreateDropdown { name, options } => {
                let td = dd(&self.names, name);
                changes.push(Aspect::DropdownArchived(td.clone()));
                changes.push(Aspect::DropdownOrder(td.clone()));
                for o in options {
                    let to = self.names.option(&td, o).unwrap_or_default();
                    changes.push(Aspect::OptionArchived(td.clone(), to));
                }
            }
            Op::ArchiveDropdown { name } | Op::UnarchiveDropdown { name } => {
                changes.push(Aspect::DropdownArchived(dd(&self.names, name)));
            }
            Op::RenameDropdown { name, new_name } => {
                let t = self.names.dropdown(new_name);
                self.names.dropdowns.insert(name.clone(), t);
                self.names.dropdowns.insert(new_name.clone(), None);
            }
            Op::CreateDropdownOption { dropdown, option, .. }
            | Op::UnarchiveDropdownOption { dropdown, option, .. }
            | Op::ArchiveDropdownOption { dropdown, option } => {
                let td = dd(&self.names, dropdown);
                let to = self.names.option(&td, option).unwrap_or_default();
                changes.push(Aspect::OptionArchived(td.clone(), to));
                changes.push(Aspect::DropdownOrder(td));
            }
            Op::RenameDropdownOption { dropdown, option, new_option } => {
                let td = dd(&self.names, dropdown);
                let t = self.names.option(&td, new_option);
                self.names.options.insert((td.clone(), option.clone()), t);
                self.names.options.insert((td, new_option.clone()), None);
            }
            Op::ReorderDropdownOptions { dropdown, .. } => {
                changes.push(Aspect::DropdownOrder(dd(&self.names, dropdown)));
            }
            Op::CreateSchema { schema: def } => {
                let ts = sc(&self.names, &def.props.warehouse_name);
                changes.push(Aspect::SchemaArchived(ts.clone()));
                changes.push(Aspect::SchemaProps(ts.clone()));
                changes.push(Aspect::SchemaTemplate(ts.clone()));
                changes.push(Aspect::FieldOrder(ts.clone()));
                for f in &def.fields {
                    let tf = self.names.field(&ts, &f.warehouse_name).unwrap_or_default();
                    changes.push(Aspect::FieldArchived(ts.clone(), tf.clone()));
                    changes.push(Aspect::FieldProps(ts.clone(), tf));
                }
            }
            Op::ArchiveSchema { schema } | Op::UnarchiveSchema { schema } => {
                changes.push(Aspect::SchemaArchived(sc(&self.names, schema)));
            }
            Op::UpdateSchema { schema, patch } => {
                let renamed = patch.warehouse_name.as_deref().unwrap_or(schema);
                let ts = self.names.schema(renamed);
                changes.push(Aspect::SchemaProps(ts.clone().unwrap_or_default()));
                if let Some(new) = &patch.warehouse_name
                    && new != schema
                {
                    self.names.schemas.insert(schema.clone(), ts);
                    self.names.schemas.insert(new.clone(), None);
                }
            }
            Op::SetNameTemplate { schema, .. } => changes.push(Aspect::SchemaTemplate(sc(&self.names, schema))),
            Op::CreateField { schema, field, .. } => {
                let ts = sc(&self.names, schema);
                let tf = self.names.field(&ts, &field.warehouse_name).unwrap_or_default();
                changes.push(Aspect::FieldOrder(ts.clone()));
                changes.push(Aspect::FieldArchived(ts.clone(), tf.clone()));
                changes.push(Aspect::FieldProps(ts, tf));
            }
            Op::ArchiveField { schema, field, index } | Op::UnarchiveField { schema, field, index } => {
                let ts = sc(&self.names, schema);
                let tf = self.names.field(&ts, field).unwrap_or_default();
                if index.is_some() {
                    changes.push(Aspect::FieldOrder(ts.clone()));
                }
                changes.push(Aspect::FieldArchived(ts, tf));
            }
            Op::UpdateField { schema, field, patch } => {
                let ts = sc(&self.names, schema);
                let renamed = patch.warehouse_name.as_deref().unwrap_or(field);
                let tf = self.names.field(&ts, renamed);
                changes.push(Aspect::FieldProps(ts.clone(), tf.clone().unwrap_or_default()));
                if let Some(new) = &patch.warehouse_name
                    && new != field
                {
                    self.names.fields.insert((ts.clone(), field.clone()), tf);
                    self.names.fields.insert((ts, new.clone()), None);
                }
            }
            Op::ReorderFields { schema, .. } => changes.push(Aspect::FieldOrder(sc(&self.names, schema))),
        }
        self.later.extend(changes);
    }
}

/// Whether every operation of `ops` shows its effect in `state`; the first operation (from the
/// end) whose effect is missing, with what differs, otherwise.
pub fn prefix_present(ops: &[Op], state: &TenantState) -> Result<(), (usize, String)> {
    let mut scan = Scan::new(state);
    for (i, op) in ops.iter().enumerate().rev() {
        scan.claims(op).map_err(|why| (i, why))?;
        scan.pass(op);
    }
    Ok(())
}

/// The lengths of the prefixes of `ops` whose effects `state` shows, longest first (0, the
/// empty prefix, is always among them).
pub fn present_prefixes<'a>(ops: &'a [Op], state: &'a TenantState) -> impl Iterator<Item = usize> + 'a {
    (1..=ops.len()).rev().filter(|&k| prefix_present(&ops[..k], state).is_ok()).chain([0])
}

/// The operations that finish `op` when `state` shows only a part of its effect: a schema
/// created without the fields that link to the schema itself (Benchling takes those in a second
/// request, after the schema exists). `None` when the state shows no such part.
pub fn completion(op: &Op, state: &TenantState) -> Option<Vec<Op>> {
    let Op::CreateSchema { schema: def } = op else { return None };
    let s = state.schema(def.warehouse_name())?;
    if s.archived || state.view(s).props != def.props {
        return None;
    }
    let wanted: Vec<&FieldDef> = def.fields.iter().filter(|f| !f.archived).collect();
    let mut missing = Vec::new();
    for (index, f) in wanted.iter().enumerate() {
        match s.field(&f.warehouse_name) {
            Some(existing) => {
                let mut have = state.field_view(existing);
                have.archived = f.archived;
                if have != **f {
                    return None;
                }
            }
            None => missing.push(Op::CreateField {
                schema: def.warehouse_name().to_string(),
                field: Box::new((*f).clone()),
                index,
            }),
        }
    }
    let extra = s.fields.len() + missing.len() != wanted.len();
    (!missing.is_empty() && !extra).then_some(missing)
}

/// What `state` lacks of `op`'s effect, if anything (for messages).
pub fn missing(op: &Op, state: &TenantState) -> Option<String> {
    Scan::new(state).claims(op).err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{FieldPatch, apply_all};
    use crate::schema::{EntityType, FieldType, SchemaDef, SchemaProps};

    fn schema(wh: &str, fields: &[&str]) -> Op {
        let mut def = SchemaDef {
            props: SchemaProps::new(wh, wh, wh, EntityType::CustomEntity),
            name_template: Default::default(),
            archived: false,
            fields: vec![],
        };
        def.fields = fields.iter().map(|f| FieldDef::new(f, f, FieldType::Text)).collect();
        Op::CreateSchema { schema: Box::new(def) }
    }

    fn field(s: &str, f: &str, index: usize) -> Op {
        Op::CreateField { schema: s.into(), field: Box::new(FieldDef::new(f, f, FieldType::Text)), index }
    }

    /// Every prefix of the list, applied to `start`, is found as the longest present prefix.
    fn each_prefix_is_found(start: &TenantState, ops: &[Op]) {
        for k in 0..=ops.len() {
            let mut state = start.clone();
            apply_all(&mut state, &ops[..k]).unwrap();
            let found: Vec<usize> = present_prefixes(ops, &state).collect();
            assert_eq!(found[0], k, "after {k} operations: {found:?}");
        }
    }

    #[test]
    fn every_prefix_of_a_revision_is_recognised() {
        let ops = vec![
            Op::CreateDropdown { name: "Sauce".into(), options: vec!["red".into(), "white".into()] },
            schema("pizza", &["dough", "cheese"]),
            field("pizza", "crust", 1),
            Op::CreateDropdownOption { dropdown: "Sauce".into(), option: "pesto".into(), index: 0 },
            Op::UpdateField {
                schema: "pizza".into(),
                field: "cheese".into(),
                patch: Box::new(FieldPatch { name: Some("Cheese".into()), ..Default::default() }),
            },
            Op::ArchiveField { schema: "pizza".into(), field: "dough".into(), index: None },
            Op::ReorderFields { schema: "pizza".into(), fields: vec!["crust".into()] },
            Op::ArchiveDropdownOption { dropdown: "Sauce".into(), option: "white".into() },
        ];
        each_prefix_is_found(&TenantState::new(), &ops);
    }

    /// Later operations that undo or rename what earlier ones did: the earlier ones are checked
    /// under the names and for the aspects the later ones leave alone.
    #[test]
    fn later_siblings_that_undo_or_rename_earlier_ones() {
        let ops = vec![
            Op::CreateDropdown { name: "A".into(), options: vec!["x".into()] },
            Op::RenameDropdown { name: "A".into(), new_name: "B".into() },
            Op::RenameDropdown { name: "B".into(), new_name: "C".into() },
            Op::RenameDropdownOption { dropdown: "C".into(), option: "x".into(), new_option: "y".into() },
            schema("s", &["a"]),
            field("s", "b", 0),
            Op::ArchiveField { schema: "s".into(), field: "b".into(), index: None },
            Op::UpdateField {
                schema: "s".into(),
                field: "a".into(),
                patch: Box::new(FieldPatch { warehouse_name: Some("a2".into()), ..Default::default() }),
            },
            Op::UnarchiveField { schema: "s".into(), field: "b".into(), index: Some(0) },
            Op::ArchiveSchema { schema: "s".into() },
        ];
        let mut start = TenantState::new();
        start.settings.custom_warehouse_names = true;
        each_prefix_is_found(&start, &ops);
    }

    /// A schema whose self-linking field did not land (the second request of its creation) is
    /// finished by creating that field.
    #[test]
    fn a_half_created_schema_is_completed() {
        let mut def = match schema("s", &["a"]) {
            Op::CreateSchema { schema } => *schema,
            _ => unreachable!(),
        };
        let mut parent = FieldDef::new("parent", "Parent", FieldType::EntityLink);
        parent.entity_link = Some("s".into());
        def.fields.push(parent.clone());
        let full = Op::CreateSchema { schema: Box::new(def.clone()) };
        let mut bare = def.clone();
        bare.fields.pop();
        let mut state = TenantState::new();
        Op::CreateSchema { schema: Box::new(bare) }.apply(&mut state).unwrap();
        assert!(missing(&full, &state).is_some());
        let rest = completion(&full, &state).unwrap();
        assert_eq!(rest, vec![Op::CreateField { schema: "s".into(), field: Box::new(parent), index: 1 }]);
        let mut done = state.clone();
        apply_all(&mut done, &rest).unwrap();
        let mut clean = TenantState::new();
        full.apply(&mut clean).unwrap();
        assert_eq!(done.view(done.schema("s").unwrap()), clean.view(clean.schema("s").unwrap()));
        assert_eq!(completion(&full, &clean), None);
    }

    #[test]
    fn a_tenant_changed_by_hand_matches_no_longer_prefix() {
        let ops = vec![schema("s", &["a"]), field("s", "b", 1)];
        let mut state = TenantState::new();
        apply_all(&mut state, &ops).unwrap();
        let patch = FieldPatch { name: Some("renamed by hand".into()), ..Default::default() };
        Op::UpdateField { schema: "s".into(), field: "b".into(), patch: Box::new(patch) }.apply(&mut state).unwrap();
        assert_eq!(present_prefixes(&ops, &state).collect::<Vec<_>>(), vec![1, 0]);
        assert!(missing(&ops[1], &state).unwrap().contains("other properties"));
    }
}
