//! What a plan needs to read from a tenant ([`Needs::of_ops`]), so that a tenant reached over
//! HTTP reads only that ([`super::Tenant::read_for`]) instead of every schema's fields and every
//! dropdown's options.
//!
//! Names are as the tenant has them **before** the plan: an operation that renames a schema or
//! a dropdown maps the later operations' new name back to the name it is read under.

use std::collections::{BTreeMap, BTreeSet};

use crate::op::{Op, Target};
use crate::schema::{FieldDef, REMOTE_SCHEMA};

/// What a command reads. `liminal_remote` (with its fields) is always read, whatever the needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The whole tenant (`diff`, `revision`, `check --tenant`).
    pub everything: bool,
    /// The lists of schemas (without fields). Every operation needs them.
    pub schema_list: bool,
    /// The entry-schema list too: the plan creates a schema or changes a schema's name,
    /// warehouse name or prefix (they must be free among all schemas).
    pub entry_schemas: bool,
    /// Schemas (warehouse names) whose fields are read: those the plan's operations act on.
    pub schemas: BTreeSet<String>,
    /// Schemas (warehouse names) that fields link to: they must be listed (an entry schema is
    /// looked for in the entry-schema list when the union list does not have it).
    pub linked: BTreeSet<String>,
    /// Existing fields (schema, field warehouse name) whose properties an operation reads
    /// (`update_field`, or `create_field` over an archived field of that name): their dropdown
    /// and unit are resolved by name, so a dropdown field needs the dropdown list and a field
    /// with a unit the unit dictionary.
    pub viewed_fields: BTreeSet<(String, String)>,
    /// Schemas all of whose fields are read that way (`update_schema`, `create_schema` over an
    /// archived schema of that name).
    pub viewed_schemas: BTreeSet<String>,
    /// Every schema's fields (archiving a dropdown checks that no active field uses it).
    pub all_fields: bool,
    /// The dropdown list: a field names a dropdown, or an operation acts on one.
    pub dropdown_list: bool,
    /// Dropdowns (names) whose options are read: those the plan's operations act on.
    pub dropdowns: BTreeSet<String>,
    /// The unit dictionary: an operation names a unit.
    pub units: bool,
}

impl Needs {
    /// The whole tenant.
    pub fn everything() -> Needs {
        Needs { everything: true, ..Needs::default() }
    }

    /// The schema lists only (no fields): what an upgrade or downgrade reads in any case, so
    /// the revision lookup can use them ([`super::Tenant::prepare`]).
    pub fn schema_list() -> Needs {
        Needs { schema_list: true, ..Needs::default() }
    }

    /// What simulating and applying `ops`, in order, reads.
    pub fn of_ops<'a>(ops: impl IntoIterator<Item = &'a Op>) -> Needs {
        let mut n = Needs::default();
        // New name → the name the tenant has before the plan.
        let mut schema_names: BTreeMap<String, String> = BTreeMap::new();
        let mut dropdown_names: BTreeMap<String, String> = BTreeMap::new();
        let original = |map: &BTreeMap<String, String>, name: &str| map.get(name).cloned().unwrap_or(name.to_string());
        for op in ops {
            // `liminal_remote` is always read: its own field operations (progress, lock) need
            // no list.
            n.schema_list |= !(op.is_field_op() && op.target() == Target::Schema(REMOTE_SCHEMA.to_string()));
            match op {
                Op::CreateDropdown { name, .. }
                | Op::ArchiveDropdown { name }
                | Op::UnarchiveDropdown { name }
                | Op::RenameDropdown { name, .. }
                | Op::CreateDropdownOption { dropdown: name, .. }
                | Op::ArchiveDropdownOption { dropdown: name, .. }
                | Op::UnarchiveDropdownOption { dropdown: name, .. }
                | Op::RenameDropdownOption { dropdown: name, .. }
                | Op::ReorderDropdownOptions { dropdown: name, .. } => {
                    n.dropdown_list = true;
                    let old = original(&dropdown_names, name);
                    if let Op::RenameDropdown { new_name, .. } = op {
                        dropdown_names.insert(new_name.clone(), old.clone());
                    }
                    if matches!(op, Op::ArchiveDropdown { .. }) {
                        n.all_fields = true;
                    }
                    n.dropdowns.insert(old);
                }
                Op::CreateSchema { schema } => {
                    n.entry_schemas = true;
                    let old = original(&schema_names, schema.warehouse_name());
                    n.viewed_schemas.insert(old.clone());
                    n.schemas.insert(old);
                    for f in &schema.fields {
                        n.field(f, &schema_names);
                    }
                }
                Op::UpdateSchema { schema, patch } => {
                    let old = original(&schema_names, schema);
                    if patch.name.is_some() || patch.warehouse_name.is_some() || patch.prefix.is_some() {
                        n.entry_schemas = true;
                    }
                    if let Some(new) = &patch.warehouse_name {
                        schema_names.insert(new.clone(), old.clone());
                    }
                    n.viewed_schemas.insert(old.clone());
                    n.schemas.insert(old);
                }
                Op::CreateField { schema, field, .. } => {
                    let old = original(&schema_names, schema);
                    n.viewed_fields.insert((old.clone(), field.warehouse_name.clone()));
                    n.schemas.insert(old);
                    n.field(field, &schema_names);
                }
                Op::UpdateField { schema, field, patch } => {
                    let old = original(&schema_names, schema);
                    // A field renamed earlier in the plan is viewed under its new name: view
                    // the whole schema rather than track field renames.
                    n.viewed_fields.insert((old.clone(), field.clone()));
                    if patch.warehouse_name.is_some() {
                        n.viewed_schemas.insert(old.clone());
                    }
                    n.schemas.insert(old);
                    if matches!(patch.dropdown, Some(Some(_))) {
                        n.dropdown_list = true;
                    }
                    if matches!(patch.unit, Some(Some(_))) {
                        n.units = true;
                    }
                    if let Some(Some(target)) = &patch.entity_link {
                        n.linked.insert(original(&schema_names, target));
                    }
                }
                Op::ArchiveSchema { schema }
                | Op::UnarchiveSchema { schema }
                | Op::SetNameTemplate { schema, .. }
                | Op::ArchiveField { schema, .. }
                | Op::UnarchiveField { schema, .. }
                | Op::ReorderFields { schema, .. } => {
                    n.schemas.insert(original(&schema_names, schema));
                }
            }
        }
        n
    }

    fn field(&mut self, f: &FieldDef, schema_names: &BTreeMap<String, String>) {
        if f.dropdown.is_some() {
            self.dropdown_list = true;
        }
        if f.unit.is_some() {
            self.units = true;
        }
        if let Some(target) = &f.entity_link {
            self.linked.insert(schema_names.get(target).cloned().unwrap_or_else(|| target.clone()));
        }
    }

    /// Both needs at once.
    pub fn merge(&mut self, other: Needs) {
        self.everything |= other.everything;
        self.schema_list |= other.schema_list;
        self.entry_schemas |= other.entry_schemas;
        self.schemas.extend(other.schemas);
        self.linked.extend(other.linked);
        self.viewed_fields.extend(other.viewed_fields);
        self.viewed_schemas.extend(other.viewed_schemas);
        self.all_fields |= other.all_fields;
        self.dropdown_list |= other.dropdown_list;
        self.dropdowns.extend(other.dropdowns);
        self.units |= other.units;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{FieldPatch, SchemaPatch};
    use crate::schema::FieldType;

    #[test]
    fn renamed_targets_are_read_under_their_old_names() {
        let rename = SchemaPatch { warehouse_name: Some("new".into()), ..Default::default() };
        let mut f = FieldDef::new("d", "D", FieldType::Dropdown);
        f.dropdown = Some("Colours".into());
        let ops = vec![
            Op::UpdateSchema { schema: "old".into(), patch: Box::new(rename) },
            Op::CreateField { schema: "new".into(), field: Box::new(f), index: 0 },
            Op::RenameDropdown { name: "A".into(), new_name: "B".into() },
            Op::CreateDropdownOption { dropdown: "B".into(), option: "x".into(), index: 0 },
            Op::UpdateField {
                schema: "other".into(),
                field: "f".into(),
                patch: Box::new(FieldPatch { unit: Some(Some("gram".into())), ..Default::default() }),
            },
        ];
        let n = Needs::of_ops(&ops);
        assert_eq!(n.schemas.iter().map(String::as_str).collect::<Vec<_>>(), ["old", "other"]);
        assert_eq!(n.dropdowns.iter().map(String::as_str).collect::<Vec<_>>(), ["A"]);
        assert!(n.schema_list && n.entry_schemas && n.dropdown_list && n.units && !n.all_fields && !n.everything);
    }
}
