//! The code model: entity schemas and dropdowns as the project declares them in YAML.
//!
//! These types are also the payload of operations (`create_schema`, `create_field`, ...), so the
//! same structures are read from YAML, built by Rhai constructors and sent to tenants.

pub(crate) mod codec;
mod enums;
pub(crate) mod load;
pub(crate) mod rules;
pub(crate) mod validate;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use codec::flags::{Flags, SchemaFlags};
pub use enums::{EntityType, FieldType, NamingStrategy, PartType, SEQUENCE_CONSTRAINTS, UnknownValue, to_snake_case};
pub use load::{CodePlaces, LoadError, Located, json_schema, load_dir, load_dir_with, load_dir_with_places, load_str};
pub use validate::{Problem, Target as ProblemTarget, validate_field, validate_model, validate_schema};

/// The name Liminal gives the bookkeeping schema; never part of a diff or of generated files.
pub const REMOTE_SCHEMA: &str = "liminal_remote";
/// The field of [`REMOTE_SCHEMA`] whose display name is the tenant's revision id.
pub const REMOTE_FIELD: &str = "revision_id";

/// Mixture settings (`mixture_schema_config`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixtureConfig {
    #[serde(default)]
    pub allow_measured_ingredients: bool,
    #[serde(default)]
    pub component_lot_storage_enabled: bool,
    #[serde(default)]
    pub component_lot_text_enabled: bool,
}

/// One part of a name template. `value` for TEXT/SEPARATOR, `field` (a warehouse name) for
/// FIELD and the parent-link parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamePart {
    #[serde(rename = "type")]
    pub kind: PartType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "wh_field_name")]
    pub field: Option<String>,
}

/// A schema's name template; empty parts means no template.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameTemplate {
    #[serde(default)]
    pub parts: Vec<NamePart>,
    #[serde(default)]
    pub order_name_parts_by_sequence: bool,
}

impl NameTemplate {
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty() && !self.order_name_parts_by_sequence
    }
}

/// A field as code declares it. `dropdown` is a dropdown's display name, `entity_link` a target
/// schema's warehouse name, `unit` a unit name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub warehouse_name: String,
    pub name: String,
    pub field_type: FieldType,
    pub required: bool,
    pub is_multi: bool,
    pub parent_link: bool,
    pub dropdown: Option<String>,
    pub entity_link: Option<String>,
    pub tooltip: Option<String>,
    pub unit: Option<String>,
    pub decimal_places: Option<u8>,
    pub archived: bool,
}

impl FieldDef {
    /// A field with only its identity and type set.
    pub fn new(warehouse_name: &str, name: &str, field_type: FieldType) -> FieldDef {
        FieldDef {
            warehouse_name: warehouse_name.to_string(),
            name: name.to_string(),
            field_type,
            required: false,
            is_multi: false,
            parent_link: false,
            dropdown: None,
            entity_link: None,
            tooltip: None,
            unit: None,
            decimal_places: None,
            archived: false,
        }
    }
}

/// The schema-level properties that `update_schema` can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProps {
    pub name: String,
    pub warehouse_name: String,
    pub prefix: String,
    pub entity_type: EntityType,
    pub naming_strategies: BTreeSet<NamingStrategy>,
    /// The on/off properties (`schema::codec::flags`).
    pub flags: SchemaFlags,
    pub constraint_fields: BTreeSet<String>,
    pub mixture_schema_config: Option<MixtureConfig>,
}

impl SchemaProps {
    pub fn new(name: &str, warehouse_name: &str, prefix: &str, entity_type: EntityType) -> SchemaProps {
        SchemaProps {
            name: name.to_string(),
            warehouse_name: warehouse_name.to_string(),
            prefix: prefix.to_string(),
            entity_type,
            naming_strategies: NamingStrategy::defaults().into_iter().collect(),
            flags: SchemaFlags::default(),
            constraint_fields: BTreeSet::new(),
            mixture_schema_config: None,
        }
    }
}

/// An entity schema as code declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaDef {
    pub props: SchemaProps,
    pub name_template: NameTemplate,
    pub archived: bool,
    pub fields: Vec<FieldDef>,
}

impl SchemaDef {
    pub fn warehouse_name(&self) -> &str {
        &self.props.warehouse_name
    }

    pub fn field(&self, warehouse_name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.warehouse_name == warehouse_name)
    }

    /// Fields that should be active in the tenant, in code order.
    pub fn active_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| !f.archived)
    }
}

/// A dropdown as code declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropdownDef {
    pub name: String,
    pub options: Vec<String>,
}

/// Everything the project declares, in a deterministic order (files by path, documents in order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeModel {
    pub schemas: Vec<SchemaDef>,
    pub dropdowns: Vec<DropdownDef>,
}

impl CodeModel {
    pub fn schema(&self, warehouse_name: &str) -> Option<&SchemaDef> {
        self.schemas.iter().find(|s| s.props.warehouse_name == warehouse_name)
    }

    pub fn dropdown(&self, name: &str) -> Option<&DropdownDef> {
        self.dropdowns.iter().find(|d| d.name == name)
    }
}
