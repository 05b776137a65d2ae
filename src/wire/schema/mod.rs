//! v3 entity schemas: the output object (`GET /api/v3/{T}-schema/items`), the create body
//! (`POST /api/v3/{T}-schema`) and the PATCH body (properties, name template, archive).
//!
//! Constraints travel as field *display names* (`fieldDefinitionNames`) and the state keeps field
//! ids; name-template parts travel as `configuration.field.id` on output and
//! `configuration.fieldId` on input. Sequence constraints (`bases`, `amino_acids_*`) come out as
//! `hasUniqueResidues` but cannot be sent: liminal notes the v3 constraint input has no way to
//! set unique residues, so we neither send nor accept it.

mod update;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::field::{FieldInput, field_input, parse_field_input};
use super::names::{BenchlingNames, FLAG_NAMES};
use super::{WireError, archive_reason, as_arr, as_obj, kind, no_nulls, only_keys, opt_bool, opt_str, req_str};
use crate::schema::rules::flag_applies;
use crate::schema::{EntityType, MixtureConfig, NamingStrategy, PartType, SEQUENCE_CONSTRAINTS, SchemaFlags};
use crate::state::{Field, Schema, StoredPart, TenantState};
pub use update::{SchemaUpdate, parse_schema_update, schema_update_body};

/// An icon id per type; liminal only requires a string.
fn icon_id(t: EntityType) -> &'static str {
    match t {
        EntityType::CustomEntity => "BASIC_FOLDER_ITEM",
        EntityType::Entry => "ENTRY",
        EntityType::Mixture => "MIXTURE",
        EntityType::Molecule => "MOLECULE",
        EntityType::AaSequence => "AA_SEQUENCE",
        _ => "SEQUENCE",
    }
}

/// The flags a schema of type `t` has, as Benchling names them, with their values.
fn wire_flags(t: EntityType, flags: &SchemaFlags) -> impl Iterator<Item = (&'static str, bool)> + '_ {
    FLAG_NAMES
        .iter()
        .zip(flags.iter())
        .filter(move |((k, _), _)| flag_applies(k, t))
        .map(|((_, wire), (_, v))| (*wire, *v))
}

/// A body's allowed keys: `keys`, then the flags by their Benchling names.
fn with_flag_names(keys: &[&'static str]) -> Vec<&'static str> {
    keys.iter().copied().chain(FLAG_NAMES.iter().map(|(_, w)| *w)).collect()
}

/// The flags of a schema of type `t` as a v3 schema gives them: absent is `false`; a flag the type
/// does not have is `false` whatever is sent (and not looked at). `None`: a create body, already
/// checked against its type (`check_type_keys`), so every flag is read.
fn parse_flags(t: Option<EntityType>, m: &Map<String, Value>, at: &str) -> Result<SchemaFlags, WireError> {
    FLAG_NAMES.try_map(|k, wire| {
        let applies = t.is_none_or(|t| flag_applies(k, t));
        Ok(applies && opt_bool(m, wire, at)?.unwrap_or(false))
    })
}

fn is_sequence_constraint(c: &str) -> bool {
    SEQUENCE_CONSTRAINTS.contains(&c)
}

/// Display names of the constraint's fields (ids not found are rendered as they are).
fn constraint_names(schema: &Schema) -> Vec<String> {
    schema
        .constraint
        .iter()
        .filter(|c| !is_sequence_constraint(c))
        .map(|id| schema.fields.iter().find(|f| &f.id == id).map(|f| f.name.clone()).unwrap_or_else(|| id.clone()))
        .collect()
}

fn constraint_output(schema: &Schema) -> Value {
    let names = constraint_names(schema);
    let residues = schema.constraint.iter().find(|c| is_sequence_constraint(c));
    if names.is_empty() && residues.is_none() {
        return Value::Null;
    }
    let mut m = Map::new();
    m.insert("fieldDefinitionNames".into(), json!(names));
    m.insert("hasUniqueResidues".into(), json!(residues.is_some()));
    if schema.entity_type == EntityType::AaSequence && residues.is_some() {
        // Not in liminal's model (it ignores it); lets our own client tell the two AA
        // constraints apart. Benchling's v2 constraint has the same key.
        m.insert(
            "areUniqueResiduesCaseSensitive".into(),
            json!(residues.is_some_and(|c| c == "amino_acids_exact_match")),
        );
    }
    Value::Object(m)
}

fn name_template_output(schema: &Schema) -> Value {
    if schema.name_template.is_empty() && !schema.order_name_parts_by_sequence {
        return Value::Null;
    }
    let parts: Vec<Value> = schema
        .name_template
        .iter()
        .map(|p| {
            let configuration = match (&p.field_id, &p.text) {
                (Some(id), _) => json!({ "field": { "id": id } }),
                (None, Some(text)) => json!({ "text": text }),
                (None, None) => Value::Null,
            };
            json!({ "type": p.kind.as_str(), "configuration": configuration })
        })
        .collect();
    json!({ "parts": parts, "shouldOrderPartsBySequence": schema.order_name_parts_by_sequence })
}

/// A stored schema as the v3 list and get endpoints return it: every key liminal's strict
/// `EntitySchemaModel` needs (`__typename` per type, `fieldDefinitions` as a URI string under
/// `base_url`, `iconId`, `organization`), registry properties except on entry schemas,
/// `showResidues` only on sequence types and the mixture flags only on mixtures.
pub fn schema_to_v3(state: &TenantState, schema: &Schema, base_url: &str) -> Value {
    let t = schema.entity_type;
    let uri = format!("{base_url}/api/v3/{}/{}", t.endpoint(), schema.id);
    let mut m = Map::new();
    m.insert("__typename".into(), json!(t.typename()));
    m.insert("id".into(), json!(schema.id));
    m.insert("name".into(), json!(schema.name));
    m.insert("systemName".into(), json!(schema.warehouse_name));
    m.insert("description".into(), json!(""));
    m.insert("archived".into(), json!(schema.archived));
    m.insert("archiveReason".into(), archive_reason(schema.archived));
    m.insert("createdAt".into(), json!(super::TIMESTAMP));
    m.insert("modifiedAt".into(), json!(super::TIMESTAMP));
    m.insert("itemIdPrefix".into(), json!(schema.prefix));
    m.insert("iconId".into(), json!(icon_id(t)));
    m.insert("organization".into(), json!({ "__typename": "Organization", "id": state.registry.organization_id }));
    m.insert("fieldDefinitions".into(), json!(format!("{uri}/field-definitions/items")));
    m.insert("fieldsets".into(), json!(format!("{uri}/fieldsets/items")));
    m.insert("validationRules".into(), json!(format!("{uri}/validation-rules/items")));
    m.insert("systemCategories".into(), json!([]));
    if t != EntityType::Entry {
        m.insert("containableType".into(), json!("NONE"));
        let naming: Vec<&str> = schema.naming_strategies.iter().map(|n| n.as_str()).collect();
        m.insert("availableRegistrationNamingOptions".into(), json!(naming));
        m.insert("constraint".into(), constraint_output(schema));
    }
    for (wire, v) in wire_flags(t, &schema.flags) {
        m.insert(wire.into(), json!(v));
    }
    m.insert("nameTemplate".into(), name_template_output(schema));
    m.insert("containerNameTemplate".into(), Value::Null);
    if t == EntityType::Mixture {
        let c = schema.mixture_schema_config.unwrap_or_default();
        m.insert("allowMeasuredIngredients".into(), json!(c.allow_measured_ingredients));
        m.insert("componentLotTextEnabled".into(), json!(c.component_lot_text_enabled));
        m.insert("componentLotStorageEnabled".into(), json!(c.component_lot_storage_enabled));
    }
    Value::Object(m)
}

/// A schema read from the v3 API, before its fields are known: the constraint still names
/// fields by display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSchema {
    /// The schema with `fields` empty and only sequence constraints in `constraint`.
    pub schema: Schema,
    /// `constraint.fieldDefinitionNames`, resolved by [`ParsedSchema::with_fields`].
    pub constraint_field_names: Vec<String>,
}

impl ParsedSchema {
    /// The schema with its fields (as read from `fieldDefinitions`), constraint names resolved to
    /// field ids. Field constraints come first (in the API's order), then a sequence constraint;
    /// the order carries no meaning. A name that matches no field is kept as it is.
    pub fn with_fields(self, fields: Vec<Field>) -> Schema {
        let mut schema = self.schema;
        let mut constraint: Vec<String> = self
            .constraint_field_names
            .iter()
            .map(|n| fields.iter().find(|f| &f.name == n).map(|f| f.id.clone()).unwrap_or_else(|| n.clone()))
            .collect();
        constraint.append(&mut schema.constraint);
        schema.constraint = constraint;
        schema.fields = fields;
        schema
    }
}

fn naming_list(m: &Map<String, Value>, at: &str) -> Result<Option<BTreeSet<NamingStrategy>>, WireError> {
    let Some(v) = m.get("availableRegistrationNamingOptions").filter(|v| !v.is_null()) else { return Ok(None) };
    let at = format!("{at}.availableRegistrationNamingOptions");
    as_arr(v, &at)?
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let s = n.as_str().ok_or_else(|| WireError::new(format!("{at}[{i}]"), "expected a string"))?;
            s.parse::<NamingStrategy>().map_err(|e| WireError::new(format!("{at}[{i}]"), e.to_string()))
        })
        .collect::<Result<BTreeSet<_>, _>>()
        .map(Some)
}

/// Output parts: `{type, configuration: {field: {id}} | {text} | null}`.
fn parts_from_output(v: &Value, at: &str) -> Result<Vec<StoredPart>, WireError> {
    as_arr(v, at)?
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let at = format!("{at}[{i}]");
            let m = as_obj(p, &at)?;
            let kind = part_type(m, &at)?;
            let (mut text, mut field_id) = (None, None);
            if let Some(c) = m.get("configuration").filter(|c| !c.is_null()) {
                let c = as_obj(c, &format!("{at}.configuration"))?;
                text = opt_str(c, "text", &at)?;
                if let Some(f) = c.get("field").filter(|f| !f.is_null()) {
                    field_id = Some(req_str(as_obj(f, &format!("{at}.configuration.field"))?, "id", &at)?);
                }
            }
            Ok(StoredPart { kind, text, field_id })
        })
        .collect()
}

fn part_type(m: &Map<String, Value>, at: &str) -> Result<PartType, WireError> {
    req_str(m, "type", at)?.parse::<PartType>().map_err(|e| WireError::new(format!("{at}.type"), e.to_string()))
}

/// A v3 schema object back into a [`ParsedSchema`] (liminal's `convert_entity_schema_to_internal_schema`):
/// properties a type does not have fall back to defaults; `hasUniqueResidues` becomes `bases`
/// on nt sequences and an `amino_acids_*` constraint on AA sequences.
pub fn schema_from_v3(v: &Value) -> Result<ParsedSchema, WireError> {
    let at = "schema";
    let m = as_obj(v, at)?;
    let typename = req_str(m, "__typename", at)?;
    let t = EntityType::from_typename(&typename)
        .ok_or_else(|| WireError::new(format!("{at}.__typename"), format!("unknown schema typename `{typename}`")))?;
    let mut constraint = Vec::new();
    let mut constraint_field_names = Vec::new();
    if let Some(c) = m.get("constraint").filter(|c| !c.is_null()) {
        let c = as_obj(c, "schema.constraint")?;
        if let Some(names) = c.get("fieldDefinitionNames").filter(|n| !n.is_null()) {
            for (i, n) in as_arr(names, "schema.constraint.fieldDefinitionNames")?.iter().enumerate() {
                let n = n.as_str().ok_or_else(|| {
                    WireError::new(format!("schema.constraint.fieldDefinitionNames[{i}]"), "expected a string")
                })?;
                constraint_field_names.push(n.to_string());
            }
        }
        if opt_bool(c, "hasUniqueResidues", "schema.constraint")?.unwrap_or(false) {
            if t.is_nt_sequence() {
                constraint.push("bases".to_string());
            } else if t == EntityType::AaSequence {
                let exact = opt_bool(c, "areUniqueResiduesCaseSensitive", "schema.constraint")?.unwrap_or(false);
                constraint.push(if exact { "amino_acids_exact_match" } else { "amino_acids_ignore_case" }.to_string());
            }
        }
    }
    let (mut name_template, mut order) = (Vec::new(), false);
    if let Some(nt) = m.get("nameTemplate").filter(|n| !n.is_null()) {
        let nt = as_obj(nt, "schema.nameTemplate")?;
        if let Some(parts) = nt.get("parts").filter(|p| !p.is_null()) {
            name_template = parts_from_output(parts, "schema.nameTemplate.parts")?;
        }
        order = opt_bool(nt, "shouldOrderPartsBySequence", "schema.nameTemplate")?.unwrap_or(false);
    }
    let mixture_schema_config = if t == EntityType::Mixture {
        Some(MixtureConfig {
            allow_measured_ingredients: opt_bool(m, "allowMeasuredIngredients", at)?.unwrap_or(false),
            component_lot_storage_enabled: opt_bool(m, "componentLotStorageEnabled", at)?.unwrap_or(false),
            component_lot_text_enabled: opt_bool(m, "componentLotTextEnabled", at)?.unwrap_or(false),
        })
    } else {
        None
    };
    let registry = t != EntityType::Entry;
    let schema = Schema {
        id: req_str(m, "id", at)?,
        name: req_str(m, "name", at)?,
        warehouse_name: req_str(m, "systemName", at)?,
        prefix: opt_str(m, "itemIdPrefix", at)?.unwrap_or_default(),
        entity_type: t,
        naming_strategies: if registry { naming_list(m, at)?.unwrap_or_default() } else { BTreeSet::new() },
        flags: parse_flags(Some(t), m, at)?,
        constraint,
        mixture_schema_config,
        name_template,
        order_name_parts_by_sequence: order,
        archived: opt_bool(m, "archived", at)?.unwrap_or(false),
        fields: Vec::new(),
    };
    Ok(ParsedSchema { schema, constraint_field_names: if registry { constraint_field_names } else { Vec::new() } })
}

/// The body of `POST /api/v3/{T}-schema` for a new schema and its fields, as liminal builds it
/// (`EntitySchemaInputModel.from_benchling_props`, `exclude_none`): registry properties except on
/// entry schemas, `showResidues` on sequence types, the mixture flags when configured, the
/// constraint as display names without sequence constraints. `fields` are sent without ids. The
/// name template is never sent: field ids do not exist yet; PATCH it afterwards, as liminal does.
pub fn create_schema_body(state: &TenantState, schema: &Schema) -> Value {
    let t = schema.entity_type;
    let registry = t != EntityType::Entry;
    let mut m = Map::new();
    m.insert("name".into(), json!(schema.name));
    m.insert("systemName".into(), json!(schema.warehouse_name));
    m.insert("itemIdPrefix".into(), json!(schema.prefix));
    m.insert("organizationId".into(), json!(state.registry.organization_id));
    m.insert("description".into(), json!(""));
    let fields: Vec<Value> = schema.fields.iter().map(|f| field_input(state, f, false)).collect();
    m.insert("fieldDefinitions".into(), json!(fields));
    if registry && !schema.naming_strategies.is_empty() {
        let naming: Vec<&str> = schema.naming_strategies.iter().map(|n| n.as_str()).collect();
        m.insert("availableRegistrationNamingOptions".into(), json!(naming));
    }
    let names = constraint_names(schema);
    if registry && !names.is_empty() {
        m.insert("constraint".into(), json!({ "fieldDefinitionNames": names }));
    }
    for (wire, v) in wire_flags(t, &schema.flags) {
        m.insert(wire.into(), json!(v));
    }
    if let Some(c) = schema.mixture_schema_config {
        m.insert("allowMeasuredIngredients".into(), json!(c.allow_measured_ingredients));
        m.insert("componentLotTextEnabled".into(), json!(c.component_lot_text_enabled));
        m.insert("componentLotStorageEnabled".into(), json!(c.component_lot_storage_enabled));
    }
    Value::Object(m)
}

/// A parsed name-template input: `{nameTemplateParts: [{type, configuration?: {text}|{fieldId}}],
/// shouldOrderPartsBySequence}`. Field parts hold field ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTemplateInput {
    pub parts: Vec<StoredPart>,
    pub should_order_parts_by_sequence: bool,
}

fn parse_name_template(v: &Value, at: &str) -> Result<Option<NameTemplateInput>, WireError> {
    if v.is_null() {
        return Ok(None);
    }
    let m = as_obj(v, at)?;
    only_keys(m, &["nameTemplateParts", "shouldOrderPartsBySequence"], at)?;
    let mut parts = Vec::new();
    if let Some(list) = m.get("nameTemplateParts") {
        let pat = format!("{at}.nameTemplateParts");
        for (i, p) in as_arr(list, &pat)?.iter().enumerate() {
            let at = format!("{pat}[{i}]");
            let pm = as_obj(p, &at)?;
            only_keys(pm, &["type", "configuration"], &at)?;
            let kind = part_type(pm, &at)?;
            let (mut text, mut field_id) = (None, None);
            if let Some(c) = pm.get("configuration").filter(|c| !c.is_null()) {
                let cat = format!("{at}.configuration");
                let c = as_obj(c, &cat)?;
                only_keys(c, &["text", "fieldId"], &cat)?;
                text = opt_str(c, "text", &cat)?;
                field_id = opt_str(c, "fieldId", &cat)?;
            }
            if kind.takes_value() && text.is_none() {
                return Err(WireError::new(at, format!("a {kind} part needs `configuration.text`")));
            }
            if kind.takes_field() && field_id.is_none() {
                return Err(WireError::new(at, format!("a {kind} part needs `configuration.fieldId`")));
            }
            parts.push(StoredPart { kind, text, field_id });
        }
    }
    let order = opt_bool(m, "shouldOrderPartsBySequence", at)?.unwrap_or(false);
    Ok(Some(NameTemplateInput { parts, should_order_parts_by_sequence: order }))
}

fn constraint_input(v: &Value, at: &str) -> Result<Option<Vec<String>>, WireError> {
    if v.is_null() {
        return Ok(None);
    }
    let m = as_obj(v, at)?;
    only_keys(m, &["fieldDefinitionNames"], at)?;
    let mut names = Vec::new();
    if let Some(list) = m.get("fieldDefinitionNames") {
        for (i, n) in as_arr(list, &format!("{at}.fieldDefinitionNames"))?.iter().enumerate() {
            match n.as_str() {
                Some(s) => names.push(s.to_string()),
                None => {
                    return Err(WireError::new(
                        format!("{at}.fieldDefinitionNames[{i}]"),
                        format!("expected a string, found {}", kind(n)),
                    ));
                }
            }
        }
    }
    Ok(Some(names))
}

/// A parsed `POST /api/v3/{T}-schema` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaCreate {
    /// The schema's properties; `id` empty, `fields` and `constraint` empty.
    pub schema: Schema,
    pub organization_id: String,
    /// The field items, in order; every `field.id` is empty.
    pub fields: Vec<FieldInput>,
    /// `constraint.fieldDefinitionNames`: display names of fields in `fields`.
    pub constraint_field_names: Vec<String>,
    pub name_template: Option<NameTemplateInput>,
}

const CREATE_KEYS: &[&str] = &[
    "name",
    "systemName",
    "itemIdPrefix",
    "organizationId",
    "description",
    "fieldDefinitions",
    "availableRegistrationNamingOptions",
    "constraint",
    "nameTemplate",
    "isContainable",
    "iconId",
    "fieldsets",
    "systemCategories",
    "displayName",
    "allowMeasuredIngredients",
    "componentLotTextEnabled",
    "componentLotStorageEnabled",
];

/// Parse a create body (`Create<Type>SchemaInput`): unknown keys (besides [`CREATE_KEYS`], the
/// flags by their Benchling names) and nulls are errors;
/// `organizationId`, `description` and `itemIdPrefix` are required, as are `showResidues` on
/// DNA/RNA sequence schemas and `allowMeasuredIngredients` on mixtures. `systemName` defaults to
/// the snake case of `name`, `name` to `systemName`. Keys a type does not have are errors.
/// `isContainable`, `iconId`, `fieldsets`, `systemCategories`, `displayName` are accepted and
/// not kept.
pub fn parse_schema_create(entity_type: EntityType, v: &Value) -> Result<SchemaCreate, WireError> {
    let at = "body";
    let m = as_obj(v, at)?;
    only_keys(m, &with_flag_names(CREATE_KEYS), at)?;
    no_nulls(m, &[], at)?;
    check_type_keys(entity_type, m, at)?;
    let organization_id = req_str(m, "organizationId", at)?;
    req_str(m, "description", at)?;
    let prefix = req_str(m, "itemIdPrefix", at)?;
    let (name, warehouse_name) = match (opt_str(m, "name", at)?, opt_str(m, "systemName", at)?) {
        (Some(n), Some(w)) => (n, w),
        (Some(n), None) => (n.clone(), crate::settings::derived_warehouse_name(&n)),
        (None, Some(w)) => (w.clone(), w),
        (None, None) => return Err(WireError::new(at, "a schema needs `name` or `systemName`")),
    };
    let residues = FLAG_NAMES.show_bases_in_expanded_view;
    if matches!(entity_type, EntityType::DnaSequence | EntityType::RnaSequence) && !m.contains_key(residues) {
        return Err(WireError::new(at, format!("missing required key `{residues}`")));
    }
    if entity_type == EntityType::Mixture && !m.contains_key("allowMeasuredIngredients") {
        return Err(WireError::new(at, "missing required key `allowMeasuredIngredients`"));
    }
    let mut fields = Vec::new();
    if let Some(list) = m.get("fieldDefinitions") {
        for (i, f) in as_arr(list, "body.fieldDefinitions")?.iter().enumerate() {
            let item = parse_field_input(f, &format!("body.fieldDefinitions[{i}]"))?;
            if item.id.is_some() {
                return Err(WireError::new(
                    format!("body.fieldDefinitions[{i}].id"),
                    "a new schema's fields have no id",
                ));
            }
            fields.push(item);
        }
    }
    let constraint_field_names = match m.get("constraint") {
        Some(c) => constraint_input(c, "body.constraint")?.unwrap_or_default(),
        None => Vec::new(),
    };
    let name_template = match m.get("nameTemplate") {
        Some(nt) => parse_name_template(nt, "body.nameTemplate")?,
        None => None,
    };
    let mixture_schema_config = (entity_type == EntityType::Mixture).then(|| MixtureConfig {
        allow_measured_ingredients: m.get("allowMeasuredIngredients").and_then(Value::as_bool).unwrap_or(false),
        component_lot_storage_enabled: m.get("componentLotStorageEnabled").and_then(Value::as_bool).unwrap_or(false),
        component_lot_text_enabled: m.get("componentLotTextEnabled").and_then(Value::as_bool).unwrap_or(false),
    });
    let schema = Schema {
        id: String::new(),
        name,
        warehouse_name,
        prefix,
        entity_type,
        naming_strategies: naming_list(m, at)?.unwrap_or_default(),
        flags: parse_flags(None, m, at)?,
        constraint: Vec::new(),
        mixture_schema_config,
        name_template: Vec::new(),
        order_name_parts_by_sequence: false,
        archived: false,
        fields: Vec::new(),
    };
    Ok(SchemaCreate { schema, organization_id, fields, constraint_field_names, name_template })
}

/// Keys that only some schema types have.
fn check_type_keys(t: EntityType, m: &Map<String, Value>, at: &str) -> Result<(), WireError> {
    let not_for = |keys: &[&str], ok: bool| -> Result<(), WireError> {
        match keys.iter().find(|k| m.contains_key(**k)) {
            Some(k) if !ok => Err(WireError::new(format!("{at}.{k}"), format!("`{k}` does not apply to a {t} schema"))),
            _ => Ok(()),
        }
    };
    for (k, wire) in FLAG_NAMES.iter() {
        not_for(&[*wire], flag_applies(k, t))?;
    }
    not_for(
        &["allowMeasuredIngredients", "componentLotTextEnabled", "componentLotStorageEnabled"],
        t == EntityType::Mixture,
    )?;
    not_for(&["availableRegistrationNamingOptions", "constraint"], t != EntityType::Entry)
}
