//! The PATCH body of a v3 entity schema (`PATCH /api/v3/{T}-schema/{id}`): the minimal body
//! from one state of a schema to another ([`schema_update_body`], what the HTTP backend sends)
//! and its strict parse ([`parse_schema_update`], what the emulator reads). What the server
//! then does with it is the emulator's (`crate::emulator::update`).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{
    NameTemplateInput, check_type_keys, constraint_input, constraint_names, naming_list, parse_name_template,
    wire_flags, with_flag_names,
};
use crate::schema::{EntityType, Flags, NamingStrategy};
use crate::state::Schema;
use crate::wire::names::FLAG_NAMES;
use crate::wire::{ARCHIVE_REASON, WireError, as_obj, no_nulls, only_keys, opt_bool, opt_str};

/// A parsed `PATCH /api/v3/{T}-schema/{id}` body: every key optional; `Some(None)` is an explicit
/// null (clear).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaUpdate {
    pub name: Option<String>,
    pub system_name: Option<String>,
    pub prefix: Option<String>,
    pub naming_strategies: Option<BTreeSet<NamingStrategy>>,
    /// Display names of the constraint's fields.
    pub constraint: Option<Option<Vec<String>>>,
    pub name_template: Option<Option<NameTemplateInput>>,
    /// The flags sent (`includeRegistryIdInChips`, `showResidues`, ...).
    pub flags: Flags<Option<bool>>,
    pub allow_measured_ingredients: Option<bool>,
    pub component_lot_text_enabled: Option<bool>,
    pub component_lot_storage_enabled: Option<bool>,
    pub archived: Option<bool>,
    pub archive_reason: Option<String>,
}

const UPDATE_KEYS: &[&str] = &[
    "name",
    "systemName",
    "itemIdPrefix",
    "description",
    "availableRegistrationNamingOptions",
    "constraint",
    "nameTemplate",
    "containerNameTemplate",
    "isContainable",
    "iconId",
    "systemCategories",
    "allowMeasuredIngredients",
    "componentLotTextEnabled",
    "componentLotStorageEnabled",
    "archived",
    "archiveReason",
];

/// Parse a PATCH body. Unknown keys and keys the type does not have are errors; `constraint` and
/// `nameTemplate` may be null (clear); a null mixture flag counts as absent (liminal sends null
/// flags when a schema has no mixture config). `description`, `containerNameTemplate`,
/// `isContainable`, `iconId`, `systemCategories` are accepted and not kept. The flags are
/// accepted by their Benchling names ([`FLAG_NAMES`]) besides [`UPDATE_KEYS`].
pub fn parse_schema_update(entity_type: EntityType, v: &Value) -> Result<SchemaUpdate, WireError> {
    let at = "body";
    let m = as_obj(v, at)?;
    only_keys(m, &with_flag_names(UPDATE_KEYS), at)?;
    no_nulls(
        m,
        &[
            "constraint",
            "nameTemplate",
            "containerNameTemplate",
            "archiveReason",
            "allowMeasuredIngredients",
            "componentLotTextEnabled",
            "componentLotStorageEnabled",
        ],
        at,
    )?;
    let present: Map<String, Value> =
        m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
    check_type_keys(entity_type, &present, at)?;
    Ok(SchemaUpdate {
        name: opt_str(m, "name", at)?,
        system_name: opt_str(m, "systemName", at)?,
        prefix: opt_str(m, "itemIdPrefix", at)?,
        naming_strategies: naming_list(m, at)?,
        constraint: m.get("constraint").map(|c| constraint_input(c, "body.constraint")).transpose()?,
        name_template: m.get("nameTemplate").map(|nt| parse_name_template(nt, "body.nameTemplate")).transpose()?,
        flags: FLAG_NAMES.try_map(|_, wire| opt_bool(m, wire, at))?,
        allow_measured_ingredients: opt_bool(m, "allowMeasuredIngredients", at)?,
        component_lot_text_enabled: opt_bool(m, "componentLotTextEnabled", at)?,
        component_lot_storage_enabled: opt_bool(m, "componentLotStorageEnabled", at)?,
        archived: opt_bool(m, "archived", at)?,
        archive_reason: opt_str(m, "archiveReason", at)?,
    })
}

fn template_input(schema: &Schema) -> Value {
    if schema.name_template.is_empty() && !schema.order_name_parts_by_sequence {
        return Value::Null;
    }
    let parts: Vec<Value> = schema
        .name_template
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("type".into(), json!(p.kind.as_str()));
            match (&p.field_id, &p.text) {
                (Some(id), _) => {
                    m.insert("configuration".into(), json!({ "fieldId": id }));
                }
                (None, Some(text)) => {
                    m.insert("configuration".into(), json!({ "text": text }));
                }
                (None, None) => {}
            }
            Value::Object(m)
        })
        .collect();
    json!({ "nameTemplateParts": parts, "shouldOrderPartsBySequence": schema.order_name_parts_by_sequence })
}

/// The minimal PATCH body that turns `before` into `after` (same schema id; fields are not
/// PATCHed, use `:set-field-definitions`). Keys in liminal's order; the constraint as display
/// names of `after`'s fields, or null when it has none; the name template whole (`null` when
/// empty), since Benchling replaces it; archiving as `{archived: true, archiveReason}`,
/// unarchiving as `{archived: false}`. Empty object when nothing changed.
pub fn schema_update_body(before: &Schema, after: &Schema) -> Value {
    let t = after.entity_type;
    let mut m = Map::new();
    if before.name != after.name {
        m.insert("name".into(), json!(after.name));
    }
    if before.warehouse_name != after.warehouse_name {
        m.insert("systemName".into(), json!(after.warehouse_name));
    }
    if before.prefix != after.prefix {
        m.insert("itemIdPrefix".into(), json!(after.prefix));
    }
    let registry = t != EntityType::Entry;
    if registry && before.naming_strategies != after.naming_strategies {
        let naming: Vec<&str> = after.naming_strategies.iter().map(|n| n.as_str()).collect();
        m.insert("availableRegistrationNamingOptions".into(), json!(naming));
    }
    let (old, new) = (constraint_names(before), constraint_names(after));
    let as_set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    if registry && as_set(&old) != as_set(&new) {
        let c = if new.is_empty() { Value::Null } else { json!({ "fieldDefinitionNames": new }) };
        m.insert("constraint".into(), c);
    }
    if before.name_template != after.name_template
        || before.order_name_parts_by_sequence != after.order_name_parts_by_sequence
    {
        m.insert("nameTemplate".into(), template_input(after));
    }
    for ((wire, old), (_, new)) in wire_flags(t, &before.flags).zip(wire_flags(t, &after.flags)) {
        if old != new {
            m.insert(wire.into(), json!(new));
        }
    }
    if t == EntityType::Mixture && before.mixture_schema_config != after.mixture_schema_config {
        let c = after.mixture_schema_config.unwrap_or_default();
        m.insert("allowMeasuredIngredients".into(), json!(c.allow_measured_ingredients));
        m.insert("componentLotTextEnabled".into(), json!(c.component_lot_text_enabled));
        m.insert("componentLotStorageEnabled".into(), json!(c.component_lot_storage_enabled));
    }
    if before.archived != after.archived {
        m.insert("archived".into(), json!(after.archived));
        if after.archived {
            m.insert("archiveReason".into(), json!(ARCHIVE_REASON));
        }
    }
    Value::Object(m)
}
