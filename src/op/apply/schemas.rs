//! The schema operations: create, archive, unarchive, update, and the name template.

use super::{resolve_field, schema_index};
use crate::op::{OpError, SchemaPatch};
use crate::schema::rules::{self, SchemaName, SchemaNames};
use crate::schema::{EntityType, NameTemplate, SEQUENCE_CONSTRAINTS, SchemaDef, validate_schema};
use crate::state::{Schema, StoredPart, TenantState};

fn constraint_ids(schema: &Schema, names: &std::collections::BTreeSet<String>) -> Result<Vec<String>, OpError> {
    names
        .iter()
        .map(|c| {
            if SEQUENCE_CONSTRAINTS.contains(&c.as_str()) {
                Ok(c.clone())
            } else {
                match schema.field(c) {
                    Some(f) => Ok(f.id.clone()),
                    None => Err(OpError::Invalid(format!(
                        "constraint field `{c}` is not a field of `{}`",
                        schema.warehouse_name
                    ))),
                }
            }
        })
        .collect()
}

fn template_parts(schema: &Schema, t: &NameTemplate) -> Result<Vec<StoredPart>, OpError> {
    t.parts
        .iter()
        .map(|p| {
            let field_id = match &p.field {
                Some(f) => {
                    let field = schema.field(f).ok_or_else(|| OpError::NotFound {
                        what: "field",
                        name: format!("{}.{f}", schema.warehouse_name),
                    })?;
                    if !rules::part_accepts_field(p.kind, field.parent_link) {
                        return Err(OpError::Invalid(format!(
                            "a {} part needs a parent-link field; `{f}` is not",
                            p.kind
                        )));
                    }
                    Some(field.id.clone())
                }
                None => None,
            };
            Ok(StoredPart { kind: p.kind, text: p.value.clone(), field_id })
        })
        .collect()
}

fn check_schema_names_free(
    state: &TenantState,
    skip: Option<&str>,
    name: Option<&str>,
    wh: Option<&str>,
    prefix: Option<&str>,
) -> Result<(), OpError> {
    let others = state
        .schemas
        .iter()
        .filter(|s| Some(s.id.as_str()) != skip)
        .map(|s| (s, SchemaNames { name: &s.name, warehouse_name: &s.warehouse_name, prefix: &s.prefix }));
    let Some((s, kind)) = rules::schema_name_clash(others, [name, wh, prefix]) else { return Ok(()) };
    Err(OpError::Conflict(match kind {
        SchemaName::Name => format!("schema name `{}` is already used by `{}`", s.name, s.warehouse_name),
        SchemaName::WarehouseName => format!("warehouse name `{}` is already used", s.warehouse_name),
        SchemaName::Prefix => format!("prefix `{}` is already used by `{}`", s.prefix, s.warehouse_name),
    }))
}

/// The code view of a schema with only its active fields, to compare with a definition.
fn same_definition(state: &TenantState, existing: &Schema, def: &SchemaDef) -> bool {
    let mut view = state.view(existing);
    view.fields.retain(|f| !f.archived);
    view.archived = false;
    view.name_template = NameTemplate::default();
    let mut want = def.clone();
    want.fields.retain(|f| !f.archived);
    want.name_template = NameTemplate::default();
    view == want
}

/// `create_schema`: a new schema with its active fields, or Liminal's unarchive of an archived one with the same definition.
pub(super) fn create(state: &mut TenantState, def: &SchemaDef) -> Result<(), OpError> {
    if let Some(p) = validate_schema(0, def).into_iter().next() {
        return Err(OpError::Invalid(format!("schema `{}`: {}", def.props.warehouse_name, p.message)));
    }
    let p = &def.props;
    if let Some(existing) = state.schema(&p.warehouse_name) {
        if !existing.archived {
            return Err(OpError::Conflict(format!("schema `{}` is already active", p.warehouse_name)));
        }
        if !same_definition(state, existing, def) {
            return Err(OpError::Conflict(format!(
                "schema `{}` exists archived but differs from this definition; cannot unarchive it as created",
                p.warehouse_name
            )));
        }
        if let Some(mut s) = state.schema_edit(&p.warehouse_name) {
            s.archived = false;
        }
        return Ok(());
    }
    if !rules::api_writes_schemas_of(p.entity_type) {
        return Err(OpError::Invalid(format!(
            "entry schema `{}` cannot be created: Benchling's API does not create entry schemas",
            p.warehouse_name
        )));
    }
    if rules::needs_name_template(p.naming_strategies.iter().copied()) {
        return Err(OpError::Invalid(format!(
            "schema `{}` cannot be created with a template-based naming strategy; create it without, set the name template, then update naming_strategies",
            p.warehouse_name
        )));
    }
    check_schema_names_free(state, None, Some(&p.name), Some(&p.warehouse_name), Some(&p.prefix))?;
    crate::settings::check_created(state, &p.warehouse_name, "schema", &p.name, &p.warehouse_name)?;
    for f in def.fields.iter().filter(|f| !f.archived) {
        let what = format!("field `{}.{}`", p.warehouse_name, f.warehouse_name);
        crate::settings::check_created(state, &p.warehouse_name, &what, &f.name, &f.warehouse_name)?;
    }
    let id = state.new_id("ts_");
    // The bare schema goes in first: a field may link to the schema being created.
    // (`Op::apply` runs on a copy, so an error leaves nothing behind.)
    state.schemas.push(Schema::new(id, &p.name, &p.warehouse_name, &p.prefix, p.entity_type));
    let mut fields = Vec::new();
    for f in def.fields.iter().filter(|f| !f.archived) {
        let fid = state.new_id("tsf_");
        fields.push(resolve_field(state, p.entity_type, f, fid)?);
    }
    let Some(schema) = state.schemas.last_mut() else { return Ok(()) };
    schema.set_props(p);
    schema.fields = fields;
    schema.constraint = constraint_ids(schema, &p.constraint_fields)?;
    Ok(())
}

/// `archive_schema`.
pub(super) fn archive(state: &mut TenantState, schema: &str) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    if state.schemas[i].archived {
        return Err(OpError::Conflict(format!("schema `{schema}` is already archived")));
    }
    state.schemas.at_mut(i).archived = true;
    Ok(())
}

/// `unarchive_schema`.
pub(super) fn unarchive(state: &mut TenantState, schema: &str) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    if !state.schemas[i].archived {
        return Err(OpError::Conflict(format!("schema `{schema}` is not archived")));
    }
    state.schemas.at_mut(i).archived = false;
    Ok(())
}

/// `update_schema`: the patch's properties, checked as Benchling checks them.
pub(super) fn update(state: &mut TenantState, schema: &str, patch: &SchemaPatch) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let s = &state.schemas[i];
    if patch.entity_type.is_some_and(|t| t != s.entity_type) {
        return Err(OpError::Invalid(format!("cannot change the entity type of schema `{schema}`")));
    }
    if s.entity_type == EntityType::Entry && patch.naming_strategies.is_some() {
        return Err(OpError::Invalid(format!(
            "entry schema `{schema}` has no naming strategies; they are not supported on entry schemas"
        )));
    }
    check_schema_names_free(
        state,
        Some(&s.id),
        patch.name.as_deref(),
        patch.warehouse_name.as_deref(),
        patch.prefix.as_deref(),
    )?;
    if let Some(wh) = &patch.warehouse_name {
        crate::settings::check_renamed(state, schema, "schema", schema, wh)?;
    }
    let mut view = state.view(s);
    patch.apply_to(&mut view.props);
    // Benchling's constraint may name any field of the schema, archived ones included.
    view.fields.iter_mut().for_each(|f| f.archived = false);
    if view.props.entity_type == EntityType::Entry {
        view.props.naming_strategies = s.naming_strategies.clone();
    }
    let keys = patch.keys();
    if let Some(p) = validate_schema(0, &view).into_iter().find(|p| {
        matches!(p.target, crate::schema::validate::Target::Schema(_)) && p.key.is_some_and(|k| keys.contains(&k))
    }) {
        return Err(OpError::Invalid(format!("schema `{schema}`: {}", p.message)));
    }
    let constraint = constraint_ids(s, &view.props.constraint_fields)?;
    let mut s = state.schemas.at_mut(i);
    s.set_props(&view.props);
    s.constraint = constraint;
    Ok(())
}

/// `set_name_template`.
pub(super) fn set_name_template(state: &mut TenantState, schema: &str, template: &NameTemplate) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let s = &state.schemas[i];
    if template.order_name_parts_by_sequence && !rules::may_order_parts_by_sequence(s.entity_type) {
        return Err(OpError::Invalid(format!(
            "order_name_parts_by_sequence is not allowed on `{}` schemas",
            s.entity_type
        )));
    }
    if template.parts.is_empty() && rules::needs_name_template(s.naming_strategies.iter().copied()) {
        return Err(OpError::Invalid(format!(
            "schema `{schema}` uses a template-based naming strategy; it needs name template parts"
        )));
    }
    let parts = template_parts(s, template)?;
    let mut s = state.schemas.at_mut(i);
    s.name_template = parts;
    s.order_name_parts_by_sequence = template.order_name_parts_by_sequence;
    Ok(())
}
