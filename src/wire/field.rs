//! v3 field definitions: the output objects (`…/field-definitions/items`) and the input items
//! that `POST /api/v3/{T}-schema` and `:set-field-definitions` carry.
//!
//! Liminal's vocabulary has one `entity_link` type for "a link to that schema"; Benchling's has a
//! type per target (`CUSTOM_ENTITY_LINK` / `CustomEntityLinkFieldDefinition`, …). Going out, the
//! target schema's type picks the Benchling type; coming in, any entity-type link that points at
//! a schema becomes `entity_link` again (liminal's `map_field_definition_type_to_field_type`).
//!
//! Decimals: the 2026-08 spec and liminal 5.1.0 say `FLOAT` / `FloatFieldDefinition`, the
//! 2026-10 SDK says `DECIMAL` / `DecimalFieldDefinition`. We send and render the former, as
//! liminal does, and accept both.

use serde_json::{Map, Value, json};

use super::names::{BenchlingFieldType, BenchlingFieldType as B, BenchlingNames};
use super::{WireError, archive_reason, as_obj, no_nulls, only_keys, opt_bool, opt_str, opt_u64, req_str};
use crate::schema::{EntityType, FieldType};
use crate::state::{Field, TenantState};

/// The entity type of the schema a field links to, when the link is to a known schema.
fn target_type(state: &TenantState, field: &Field) -> Option<EntityType> {
    if field.field_type == FieldType::Dropdown {
        return None;
    }
    field.link.as_deref().and_then(|id| state.schema_by_id(id)).map(|s| s.entity_type)
}

/// The v3 input `type` of a stored field (liminal's `map_field_type_to_field_definition_input_type`).
/// An `entity_link` whose target is unknown is sent as `ENTITY_LINK` with its
/// `linkDefinitionId`, so the server rejects the dangling id instead of us dropping it.
pub fn field_input_type(state: &TenantState, field: &Field) -> BenchlingFieldType {
    BenchlingFieldType::sent_as(field.field_type, target_type(state, field))
}

/// The output `__typename` of a stored field (liminal's `map_field_type_to_field_definition_type`).
pub fn field_typename(state: &TenantState, field: &Field) -> &'static str {
    BenchlingFieldType::rendered_as(field.field_type, target_type(state, field)).typename()
}

/// `linkDefinition.__typename` values that are entity schemas (Entry is not one, as in liminal).
fn is_entity_schema_typename(t: &str) -> bool {
    EntityType::from_typename(t).is_some_and(|t| t != EntityType::Entry)
}

/// A stored field as `GET /api/v3/{T}-schema/{id}/field-definitions/items` returns it.
///
/// Keys: the common ones liminal's `EntitySchemaFieldModel` requires (`description` always
/// present, maybe null), then `isMulti` on multi-capable types, `isParent` on schema links,
/// `linkDefinition {__typename, id}` on dropdowns and schema links, `numericMin/Max` and
/// `unit {__typename, id}` on numbers, `displayPrecision` on decimals. A link whose target is not
/// in the state renders as `linkDefinition: null` (nothing true can be said about its type).
pub fn field_to_v3(state: &TenantState, field: &Field) -> Value {
    let input = field_input_type(state, field);
    let mut m = Map::new();
    m.insert("id".into(), json!(field.id));
    m.insert("name".into(), json!(field.name));
    m.insert("systemName".into(), json!(field.warehouse_name));
    m.insert("archived".into(), json!(field.archived));
    m.insert("archiveReason".into(), archive_reason(field.archived));
    m.insert("createdAt".into(), json!(super::TIMESTAMP));
    m.insert("modifiedAt".into(), json!(super::TIMESTAMP));
    m.insert("isRequired".into(), json!(field.required));
    m.insert("derivationType".into(), json!("DIRECT"));
    m.insert("description".into(), json!(field.tooltip));
    m.insert("__typename".into(), json!(field_typename(state, field)));
    if input.supports_is_multi() {
        m.insert("isMulti".into(), json!(field.is_multi));
    }
    if input.is_schema_link() {
        m.insert("isParent".into(), json!(field.parent_link));
    }
    if input == B::Dropdown {
        let link = field.link.as_ref().map(|id| json!({ "__typename": "Dropdown", "id": id }));
        m.insert("linkDefinition".into(), link.unwrap_or(Value::Null));
    } else if input.requires_link_definition_id() || input == B::EntityLink {
        let link = field
            .link
            .as_deref()
            .and_then(|id| state.schema_by_id(id))
            .map(|s| json!({ "__typename": s.entity_type.typename(), "id": s.id }));
        m.insert("linkDefinition".into(), link.unwrap_or(Value::Null));
    }
    if input.is_numeric() {
        m.insert("numericMin".into(), Value::Null);
        m.insert("numericMax".into(), Value::Null);
        let unit = field.unit.as_ref().map(|id| json!({ "__typename": "Unit", "id": id }));
        m.insert("unit".into(), unit.unwrap_or(Value::Null));
    }
    if input.supports_display_precision() {
        m.insert("displayPrecision".into(), json!(field.decimal_places));
    }
    Value::Object(m)
}

/// A field object from `…/field-definitions/items` back into a stored field (liminal's
/// `convert_entity_schema_field_to_field_properties`, but keeping ids instead of names).
pub fn field_from_v3(v: &Value) -> Result<Field, WireError> {
    let at = "field";
    let m = as_obj(v, at)?;
    let typename = req_str(m, "__typename", at)?;
    let kind = BenchlingFieldType::from_typename(&typename)
        .ok_or_else(|| WireError::new(format!("{at}.__typename"), format!("unknown field typename `{typename}`")))?;
    let (mut links_to_schema, mut link) = (false, None);
    if let Some(def) = m.get("linkDefinition").filter(|v| !v.is_null()) {
        let d = as_obj(def, "field.linkDefinition")?;
        let link_typename = req_str(d, "__typename", "field.linkDefinition")?;
        let id = req_str(d, "id", "field.linkDefinition")?;
        if link_typename == "Dropdown" {
            link = Some(id);
        } else if is_entity_schema_typename(&link_typename) {
            links_to_schema = true;
            link = Some(id);
        }
    }
    let field_type = kind.field_type(links_to_schema);
    let unit = match m.get("unit").filter(|v| !v.is_null()) {
        Some(u) => Some(req_str(as_obj(u, "field.unit")?, "id", "field.unit")?),
        None => None,
    };
    Ok(Field {
        id: req_str(m, "id", at)?,
        name: req_str(m, "name", at)?,
        warehouse_name: req_str(m, "systemName", at)?,
        field_type,
        required: opt_bool(m, "isRequired", at)?.unwrap_or(false),
        is_multi: opt_bool(m, "isMulti", at)?.unwrap_or(false),
        parent_link: opt_bool(m, "isParent", at)?.unwrap_or(false),
        link,
        tooltip: opt_str(m, "description", at)?,
        unit,
        decimal_places: precision(m, at)?,
        archived: opt_bool(m, "archived", at)?.unwrap_or(false),
    })
}

fn precision(m: &Map<String, Value>, at: &str) -> Result<Option<u8>, WireError> {
    match opt_u64(m, "displayPrecision", at)? {
        Some(p) => u8::try_from(p)
            .ok()
            .filter(|p| *p <= 15)
            .map(Some)
            .ok_or_else(|| WireError::new(format!("{at}.displayPrecision"), format!("{p} is not in 0..=15"))),
        None => Ok(None),
    }
}

/// A stored field as an input item of `:set-field-definitions` or of a create body, with
/// exactly liminal's rules (`EntitySchemaFieldInputModel`, dumped with `exclude_none`):
/// `id` on existing fields (`existing = true`), `description` when there is a tooltip,
/// `archived: true, archiveReason` on archived fields (active ones leave `archived` out),
/// `isMulti` on multi-capable types, `isParent` on schema links, `linkDefinitionId` always
/// present (maybe null) on schema and storage links, `dropdownId`, `unitId` on numbers and
/// `displayPrecision` on decimals. Key order is pydantic's field order, as in the traces.
pub fn field_input(state: &TenantState, field: &Field, existing: bool) -> Value {
    let t = field_input_type(state, field);
    let mut m = Map::new();
    if existing {
        m.insert("id".into(), json!(field.id));
    }
    m.insert("name".into(), json!(field.name));
    m.insert("systemName".into(), json!(field.warehouse_name));
    m.insert("type".into(), json!(t.input()));
    m.insert("isRequired".into(), json!(field.required));
    if let Some(tip) = &field.tooltip {
        m.insert("description".into(), json!(tip));
    }
    if field.archived {
        m.insert("archived".into(), json!(true));
        m.insert("archiveReason".into(), json!(super::ARCHIVE_REASON));
    }
    if t.supports_is_multi() {
        m.insert("isMulti".into(), json!(field.is_multi));
    }
    if t.is_schema_link() {
        m.insert("isParent".into(), json!(field.parent_link));
    }
    if t.requires_link_definition_id() || (t == B::EntityLink && field.link.is_some()) {
        m.insert("linkDefinitionId".into(), json!(field.link));
    }
    if t == B::Dropdown
        && let Some(id) = &field.link
    {
        m.insert("dropdownId".into(), json!(id));
    }
    if t.is_numeric()
        && let Some(unit) = &field.unit
    {
        m.insert("unitId".into(), json!(unit));
    }
    if t.supports_display_precision()
        && let Some(p) = field.decimal_places
    {
        m.insert("displayPrecision".into(), json!(p));
    }
    Value::Object(m)
}

/// One parsed input item of a create body or of `:set-field-definitions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInput {
    /// The existing field this item updates; `None` creates a field.
    pub id: Option<String>,
    /// The v3 input `type` as sent, so the server can check it against the link target.
    pub input_type: BenchlingFieldType,
    /// The field described; `field.id` is the item's `id`, or empty for a new field.
    pub field: Field,
    /// `archiveReason` when the item is archived.
    pub archive_reason: Option<String>,
}

const FIELD_INPUT_KEYS: &[&str] = &[
    "id",
    "name",
    "systemName",
    "type",
    "isRequired",
    "description",
    "archived",
    "archiveReason",
    "isMulti",
    "isParent",
    "linkDefinitionId",
    "dropdownId",
    "unitId",
    "numericMin",
    "numericMax",
    "displayPrecision",
];

/// Parse one input item, checking it as Benchling does (per liminal's docstrings): no unknown
/// keys; no nulls except `linkDefinitionId`; no key that does not apply to the `type`;
/// `linkDefinitionId` present on schema and storage links; `dropdownId` on dropdowns. An absent
/// `archived` means active. `systemName` defaults to the snake case of `name` (Benchling
/// generates one; the exact rule is unknown). `numericMin/Max` are accepted and not kept.
/// `ENTITY_LINK` with a `linkDefinitionId` is accepted and means `entity_link` to that schema.
pub fn parse_field_input(v: &Value, at: &str) -> Result<FieldInput, WireError> {
    let m = as_obj(v, at)?;
    only_keys(m, FIELD_INPUT_KEYS, at)?;
    no_nulls(m, &["linkDefinitionId"], at)?;
    let t = req_str(m, "type", at)?;
    let Some(t) = BenchlingFieldType::from_input(&t) else {
        return Err(WireError::new(
            format!("{at}.type"),
            format!("unknown field type `{t}`; expected one of: {}", BenchlingFieldType::inputs()),
        ));
    };
    let not_for = |key: &str, ok: bool| -> Result<(), WireError> {
        if m.contains_key(key) && !ok {
            Err(WireError::new(format!("{at}.{key}"), format!("`{key}` does not apply to a {t} field")))
        } else {
            Ok(())
        }
    };
    not_for("isMulti", t.supports_is_multi())?;
    not_for("isParent", t.is_schema_link())?;
    not_for("linkDefinitionId", t.requires_link_definition_id() || t == B::EntityLink)?;
    not_for("dropdownId", t == B::Dropdown)?;
    not_for("unitId", t.is_numeric())?;
    not_for("numericMin", t.is_numeric())?;
    not_for("numericMax", t.is_numeric())?;
    not_for("displayPrecision", t.supports_display_precision())?;
    if t.requires_link_definition_id() && !m.contains_key("linkDefinitionId") {
        return Err(WireError::new(at, format!("a {t} field needs `linkDefinitionId` (null for any schema)")));
    }
    let link = match t {
        B::Dropdown => Some(req_str(m, "dropdownId", at)?),
        _ => opt_str(m, "linkDefinitionId", at)?,
    };
    let name = req_str(m, "name", at)?;
    let warehouse_name =
        opt_str(m, "systemName", at)?.unwrap_or_else(|| crate::settings::derived_warehouse_name(&name));
    let id = opt_str(m, "id", at)?;
    let archived = opt_bool(m, "archived", at)?.unwrap_or(false);
    let required = match m.get("isRequired") {
        Some(Value::Bool(b)) => *b,
        Some(v) => return Err(WireError::new(format!("{at}.isRequired"), format!("expected a boolean, found {v}"))),
        None => return Err(WireError::new(at, "missing required key `isRequired`")),
    };
    let field = Field {
        id: id.clone().unwrap_or_default(),
        name,
        warehouse_name,
        field_type: t.field_type(link.is_some() && t != B::Dropdown),
        required,
        is_multi: opt_bool(m, "isMulti", at)?.unwrap_or(false),
        parent_link: opt_bool(m, "isParent", at)?.unwrap_or(false),
        link,
        tooltip: opt_str(m, "description", at)?,
        unit: opt_str(m, "unitId", at)?,
        decimal_places: precision(m, at)?,
        archived,
    };
    let archive_reason = if archived {
        Some(opt_str(m, "archiveReason", at)?.unwrap_or_else(|| super::ARCHIVE_REASON.to_string()))
    } else {
        None
    };
    Ok(FieldInput { id, input_type: t, field, archive_reason })
}
