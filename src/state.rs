//! A tenant's state, shaped like Benchling's: schemas with ids and every field in order (archived
//! ones included), dropdowns with every option in order, the unit dictionary, the registry, and
//! the `liminal_remote` schema that holds the revision.
//!
//! References are by id, as in Benchling: a field links to a schema id, a dropdown id and a unit
//! id, so renaming a schema or a dropdown keeps its links. [`TenantState::view`] turns a stored
//! schema back into the code model's vocabulary (warehouse names, display names).

pub mod file;
mod indexed;
mod view;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use indexed::{Indexed, ItemMut, Keyed};

use crate::schema::{
    EntityType, FieldType, MixtureConfig, NamingStrategy, PartType, REMOTE_FIELD, REMOTE_SCHEMA, SchemaFlags,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    pub id: String,
    pub name: String,
    pub organization_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub warehouse_name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub is_multi: bool,
    #[serde(default)]
    pub parent_link: bool,
    /// The linked schema's id (entity links) or the dropdown's id (dropdown fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tooltip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_places: Option<u8>,
    #[serde(default)]
    pub archived: bool,
}

/// A name-template part as Benchling stores it: field parts point at a field id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPart {
    #[serde(rename = "type")]
    pub kind: PartType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub id: String,
    pub name: String,
    pub warehouse_name: String,
    pub prefix: String,
    pub entity_type: EntityType,
    #[serde(default)]
    pub naming_strategies: BTreeSet<NamingStrategy>,
    /// The on/off properties, stored as keys of the schema (`schema::codec::flags`).
    #[serde(flatten)]
    pub flags: SchemaFlags,
    /// Field ids, or a sequence constraint (`bases`, `amino_acids_*`).
    #[serde(default)]
    pub constraint: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mixture_schema_config: Option<MixtureConfig>,
    #[serde(default)]
    pub name_template: Vec<StoredPart>,
    #[serde(default)]
    pub order_name_parts_by_sequence: bool,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub fields: Vec<Field>,
}

impl Field {
    /// An active, optional field with no link, tooltip, unit or precision.
    pub fn new(id: String, name: &str, warehouse_name: &str, field_type: FieldType) -> Field {
        Field {
            id,
            name: name.to_string(),
            warehouse_name: warehouse_name.to_string(),
            field_type,
            required: false,
            is_multi: false,
            parent_link: false,
            link: None,
            tooltip: None,
            unit: None,
            decimal_places: None,
            archived: false,
        }
    }
}

impl Schema {
    /// An active schema with no fields, no template and Benchling's defaults.
    pub fn new(id: String, name: &str, warehouse_name: &str, prefix: &str, entity_type: EntityType) -> Schema {
        Schema {
            id,
            name: name.to_string(),
            warehouse_name: warehouse_name.to_string(),
            prefix: prefix.to_string(),
            entity_type,
            naming_strategies: BTreeSet::new(),
            flags: SchemaFlags::default(),
            constraint: vec![],
            mixture_schema_config: None,
            name_template: vec![],
            order_name_parts_by_sequence: false,
            archived: false,
            fields: vec![],
        }
    }

    pub fn field(&self, warehouse_name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.warehouse_name == warehouse_name)
    }

    pub fn field_mut(&mut self, warehouse_name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.warehouse_name == warehouse_name)
    }

    pub fn field_index(&self, warehouse_name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.warehouse_name == warehouse_name)
    }

    pub fn active_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.archived)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropdownOption {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropdown {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub options: Vec<DropdownOption>,
}

impl Keyed for Schema {
    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> &str {
        &self.warehouse_name
    }
}

impl Keyed for Dropdown {
    fn id(&self) -> &str {
        &self.id
    }
    fn key(&self) -> &str {
        &self.name
    }
}

impl Dropdown {
    pub fn option(&self, name: &str) -> Option<&DropdownOption> {
        self.options.iter().find(|o| o.name == name)
    }

    pub fn active_options(&self) -> impl Iterator<Item = &DropdownOption> {
        self.options.iter().filter(|o| !o.archived)
    }
}

/// What a state read over HTTP does not hold (a partial read: upgrade and downgrade read only
/// what their plan touches). Empty for the local tenant, the emulator and every full read, and
/// never serialized. [`crate::op::Op::apply`] refuses, with [`crate::op::OpError::NotRead`], an
/// operation that would look at something listed here, so nothing is ever simulated on data
/// that was not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unread {
    /// Only `liminal_remote` is known: the schema lists were not read.
    pub schema_list: bool,
    /// The entry-schema list was not read (entry schemas are not in the union list).
    pub entry_schemas: bool,
    /// Schemas (by id) whose fields were not read: their `fields` is empty.
    pub fields: BTreeSet<String>,
    /// The dropdown list was not read: `dropdowns` is empty.
    pub dropdown_list: bool,
    /// Dropdowns (by id) whose options were not read: their `options` is empty.
    pub options: BTreeSet<String>,
    /// The unit dictionary was not read: `units` is empty.
    pub units: bool,
    /// The registry was not read: `registry` is a placeholder.
    pub registry: bool,
}

impl Unread {
    /// Nothing is missing: the state is the whole tenant.
    pub fn is_empty(&self) -> bool {
        *self == Unread::default()
    }
}

/// What to put back to return a state to an earlier point: the schemas and dropdowns (by
/// position) as they were before they changed, and how many there were. Only what was saved is
/// restored, so whoever changes a state saves what it is about to change (as [`crate::op::Op`]
/// does for its target). Copies what changes, never the whole tenant.
#[derive(Debug, Clone, Default)]
pub struct Undo {
    next_id: u64,
    schemas_len: usize,
    dropdowns_len: usize,
    schemas: BTreeMap<usize, Schema>,
    dropdowns: BTreeMap<usize, Dropdown>,
}

impl Undo {
    /// Keep what `later` saved, where this one has nothing for the same object (`later` was
    /// taken after this one, so this one's copies are older).
    pub fn absorb(&mut self, later: Undo) {
        for (i, s) in later.schemas {
            if i < self.schemas_len {
                self.schemas.entry(i).or_insert(s);
            }
        }
        for (i, d) in later.dropdowns {
            if i < self.dropdowns_len {
                self.dropdowns.entry(i).or_insert(d);
            }
        }
    }

    /// How many schemas there were at the undo point.
    pub fn schemas_len(&self) -> usize {
        self.schemas_len
    }

    /// How many dropdowns there were at the undo point.
    pub fn dropdowns_len(&self) -> usize {
        self.dropdowns_len
    }

    /// The schema at position `i` as it was at the undo point, if it was saved (changed since).
    pub fn schema(&self, i: usize) -> Option<&Schema> {
        self.schemas.get(&i)
    }

    /// The dropdown at position `i` as it was at the undo point, if it was saved.
    pub fn dropdown(&self, i: usize) -> Option<&Dropdown> {
        self.dropdowns.get(&i)
    }

    /// Positions of the schemas saved.
    pub fn changed_schemas(&self) -> impl Iterator<Item = usize> + '_ {
        self.schemas.keys().copied()
    }

    /// Positions of the dropdowns saved.
    pub fn changed_dropdowns(&self) -> impl Iterator<Item = usize> + '_ {
        self.dropdowns.keys().copied()
    }
}

/// `liminal_remote` has other than one active `revision_id` field: which revision the tenant is
/// at cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the `{REMOTE_SCHEMA}` schema has {count} active `{REMOTE_FIELD}` fields; exactly one is expected")]
pub struct RevisionFields {
    pub count: usize,
}

/// A whole tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantState {
    pub registry: Registry,
    #[serde(default)]
    pub units: Vec<Unit>,
    /// Indexed by id and warehouse name (the index is derived, never serialized).
    #[serde(default)]
    pub schemas: Indexed<Schema>,
    /// Indexed by id and name.
    #[serde(default)]
    pub dropdowns: Indexed<Dropdown>,
    /// Counter for the ids this state hands out itself (local tenant, emulator).
    #[serde(default)]
    pub next_id: u64,
    /// What the tenant allows (not part of Benchling's data: a local tenant takes it from
    /// liminal.yaml, the emulator from its state or command line, an HTTP tenant from liminal.yaml).
    #[serde(default, skip_serializing_if = "crate::settings::TenantSettings::is_default")]
    pub settings: crate::settings::TenantSettings,
    /// What a partial read left out (derived at read time, never written to a file).
    #[serde(skip)]
    pub unread: Unread,
}

impl Default for TenantState {
    fn default() -> Self {
        TenantState::new()
    }
}

/// The units a new local tenant or emulator starts with: (id, name, symbol). Code names units
/// by `name`, as Liminal's `unit_name` does.
const STOCK_UNITS: [(&str, &str, &str); 14] = [
    ("unit_g", "gram", "g"),
    ("unit_mg", "milligram", "mg"),
    ("unit_kg", "kilogram", "kg"),
    ("unit_ug", "microgram", "ug"),
    ("unit_l", "liter", "L"),
    ("unit_ml", "milliliter", "mL"),
    ("unit_ul", "microliter", "uL"),
    ("unit_s", "second", "s"),
    ("unit_min", "minute", "min"),
    ("unit_h", "hour", "h"),
    ("unit_degc", "degree Celsius", "degC"),
    ("unit_mm", "millimolar", "mM"),
    ("unit_um", "micromolar", "uM"),
    ("unit_pct", "percent", "%"),
];

impl TenantState {
    /// An empty tenant with one registry and the stock units.
    pub fn new() -> TenantState {
        let units = STOCK_UNITS
            .iter()
            .map(|(id, name, symbol)| Unit { id: (*id).into(), name: (*name).into(), symbol: Some((*symbol).into()) })
            .collect();
        TenantState {
            registry: Registry { id: "src_local".into(), name: "Registry".into(), organization_id: "ent_local".into() },
            units,
            schemas: Indexed::default(),
            dropdowns: Indexed::default(),
            next_id: 0,
            settings: crate::settings::TenantSettings::default(),
            unread: Unread::default(),
        }
    }

    /// A fresh id with Benchling's prefix for the kind of object (`ts_`, `tsf_`, `sfs_`, `sfso_`).
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:08}", self.next_id)
    }

    pub fn schema(&self, warehouse_name: &str) -> Option<&Schema> {
        self.schemas.position_by_name(warehouse_name).map(|i| &self.schemas[i])
    }

    /// The schema, to change freely (the index is rebuilt by the next lookup); see
    /// [`TenantState::schema_edit`] for changes in a loop.
    pub fn schema_mut(&mut self, warehouse_name: &str) -> Option<&mut Schema> {
        self.schemas.position_by_name(warehouse_name).map(|i| &mut self.schemas[i])
    }

    /// The schema to change in place, keeping the index (it follows a change of the warehouse
    /// name).
    pub fn schema_edit(&mut self, warehouse_name: &str) -> Option<ItemMut<'_, Schema>> {
        self.schemas.position_by_name(warehouse_name).map(|i| self.schemas.at_mut(i))
    }

    pub fn schema_by_id(&self, id: &str) -> Option<&Schema> {
        self.schemas.position_by_id(id).map(|i| &self.schemas[i])
    }

    pub fn dropdown(&self, name: &str) -> Option<&Dropdown> {
        self.dropdowns.position_by_name(name).map(|i| &self.dropdowns[i])
    }

    /// The dropdown, to change freely (the index is rebuilt by the next lookup).
    pub fn dropdown_mut(&mut self, name: &str) -> Option<&mut Dropdown> {
        self.dropdowns.position_by_name(name).map(|i| &mut self.dropdowns[i])
    }

    /// The dropdown to change in place, keeping the index (it follows a change of its name).
    pub fn dropdown_edit(&mut self, name: &str) -> Option<ItemMut<'_, Dropdown>> {
        self.dropdowns.position_by_name(name).map(|i| self.dropdowns.at_mut(i))
    }

    pub fn dropdown_by_id(&self, id: &str) -> Option<&Dropdown> {
        self.dropdowns.position_by_id(id).map(|i| &self.dropdowns[i])
    }

    /// A point to come back to ([`TenantState::restore`]): what is saved into it
    /// ([`TenantState::save`]) before being changed, and what is created after it, is undone.
    pub fn undo_point(&self) -> Undo {
        Undo {
            next_id: self.next_id,
            schemas_len: self.schemas.len(),
            dropdowns_len: self.dropdowns.len(),
            schemas: BTreeMap::new(),
            dropdowns: BTreeMap::new(),
        }
    }

    /// Save the schema (`Some(warehouse name)`) or dropdown (`None`, `name`) about to change into
    /// `undo`, once: only its state at the undo point matters.
    pub fn save(&self, undo: &mut Undo, schema: Option<&str>, dropdown: Option<&str>) {
        if let Some(i) = schema.and_then(|wh| self.schemas.position_by_name(wh))
            && i < undo.schemas_len
        {
            undo.schemas.entry(i).or_insert_with(|| self.schemas[i].clone());
        }
        if let Some(i) = dropdown.and_then(|n| self.dropdowns.position_by_name(n))
            && i < undo.dropdowns_len
        {
            undo.dropdowns.entry(i).or_insert_with(|| self.dropdowns[i].clone());
        }
    }

    /// Put back what `undo` saved and drop what was created since it was taken.
    pub fn restore(&mut self, undo: Undo) {
        self.next_id = undo.next_id;
        self.schemas.truncate(undo.schemas_len);
        self.dropdowns.truncate(undo.dropdowns_len);
        for (i, s) in undo.schemas {
            *self.schemas.at_mut(i) = s;
        }
        for (i, d) in undo.dropdowns {
            *self.dropdowns.at_mut(i) = d;
        }
    }

    pub fn unit_by_name(&self, name: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.name == name)
    }

    pub fn unit_by_id(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The revision recorded in `liminal_remote`, as Liminal reads it: the name of the single
    /// active `revision_id` field. `None` when the schema does not exist.
    pub fn revision(&self) -> Result<Option<String>, RevisionFields> {
        let Some(remote) = self.schema(REMOTE_SCHEMA) else { return Ok(None) };
        let fields: Vec<_> = remote.active_fields().filter(|f| f.warehouse_name == REMOTE_FIELD).collect();
        match fields.as_slice() {
            [f] => Ok(Some(f.name.clone())),
            _ => Err(RevisionFields { count: fields.len() }),
        }
    }

    /// Record `revision` in `liminal_remote`, creating the schema on first use exactly as Liminal
    /// does. Returns whether anything changed.
    pub fn set_revision(&mut self, revision: &str) -> bool {
        if let Some(mut remote) = self.schema_edit(REMOTE_SCHEMA)
            && let Some(f) = remote.fields.iter_mut().find(|f| f.warehouse_name == REMOTE_FIELD && !f.archived)
        {
            if f.name == revision {
                return false;
            }
            f.name = revision.to_string();
            return true;
        }
        let schema_id = self.new_id("ts_");
        let field_id = self.new_id("tsf_");
        if let Some(mut remote) = self.schema_edit(REMOTE_SCHEMA) {
            remote.fields.push(remote_field(field_id, revision));
            return true;
        }
        let mut remote = Schema::new(schema_id, REMOTE_SCHEMA, REMOTE_SCHEMA, REMOTE_SCHEMA, EntityType::CustomEntity);
        remote.naming_strategies = [NamingStrategy::NewIds].into_iter().collect();
        remote.fields = vec![remote_field(field_id, revision)];
        self.schemas.push(remote);
        true
    }

    /// Schemas that belong to the code model: everything but `liminal_remote`.
    pub fn managed_schemas(&self) -> impl Iterator<Item = &Schema> {
        self.schemas.iter().filter(|s| s.warehouse_name != REMOTE_SCHEMA)
    }
}

fn remote_field(id: String, revision: &str) -> Field {
    Field { required: true, ..Field::new(id, revision, REMOTE_FIELD, FieldType::Text) }
}

#[cfg(test)]
mod tests;
