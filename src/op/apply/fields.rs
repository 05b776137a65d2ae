//! The field operations: create, archive, unarchive, update and reorder a schema's fields.

use super::{field_index, resolve_field, schema_index};
use crate::op::{FieldPatch, OpError};
use crate::schema::FieldDef;
use crate::schema::rules::{self, FieldName, FieldProperty as Has};
use crate::state::{Field, TenantState};

/// `create_field`: a new field at `index`, or Liminal's unarchive of an archived one with the same properties.
pub(super) fn create(state: &mut TenantState, schema: &str, field: &FieldDef, index: usize) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let s = &state.schemas[i];
    if let Some(existing) = s.field(&field.warehouse_name) {
        if !existing.archived {
            return Err(OpError::Conflict(format!("field `{schema}.{}` already exists", field.warehouse_name)));
        }
        let mut view = state.field_view(existing);
        view.archived = false;
        let mut want = field.clone();
        want.archived = false;
        if view != want {
            return Err(OpError::Conflict(format!(
                "field `{schema}.{}` exists archived with other properties; cannot unarchive it as created",
                field.warehouse_name
            )));
        }
        return unarchive(state, schema, &field.warehouse_name, Some(index));
    }
    // Benchling keeps display names unique among a schema's fields, archived ones included.
    let fields = s.fields.iter().map(|f| (f, (f.name.as_str(), f.warehouse_name.as_str())));
    if let Some((other, _)) = rules::field_name_clash(fields, Some(&field.name), None) {
        return Err(OpError::Conflict(format!(
            "schema `{schema}` already has a field named `{}` (`{}`{}); rename that field first (`update_field(\"{schema}\", \"{}\", #{{ name: \"…\" }})`)",
            field.name,
            other.warehouse_name,
            if other.archived { ", archived" } else { "" },
            other.warehouse_name
        )));
    }
    crate::settings::check_created(
        state,
        schema,
        &format!("field `{schema}.{}`", field.warehouse_name),
        &field.name,
        &field.warehouse_name,
    )?;
    let entity_type = s.entity_type;
    let id = state.new_id("tsf_");
    let mut new = resolve_field(state, entity_type, field, id)?;
    new.archived = false;
    let mut s = state.schemas.at_mut(i);
    let at = index.min(s.fields.len());
    s.fields.insert(at, new);
    Ok(())
}

/// `archive_field`: refused while the name template or the uniqueness constraint uses it.
pub(super) fn archive(state: &mut TenantState, schema: &str, field: &str, index: Option<usize>) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let mut s = state.schemas.at_mut(i);
    let j = field_index(&s, field)?;
    let f = &s.fields[j];
    if f.archived {
        return Err(OpError::Conflict(format!("field `{schema}.{field}` is already archived")));
    }
    if s.name_template.iter().any(|p| p.field_id.as_deref() == Some(f.id.as_str())) {
        return Err(OpError::Conflict(format!(
            "field `{schema}.{field}` is used in the name template; change the template first"
        )));
    }
    if rules::constraint_blocks_archive(&s.constraint, &f.id) {
        return Err(OpError::Conflict(format!(
            "field `{schema}.{field}` is part of the uniqueness constraint; change constraint_fields first"
        )));
    }
    let mut f = s.fields.remove(j);
    f.archived = true;
    let at = index.unwrap_or(j).min(s.fields.len());
    s.fields.insert(at, f);
    Ok(())
}

/// `unarchive_field`.
pub(super) fn unarchive(
    state: &mut TenantState,
    schema: &str,
    field: &str,
    index: Option<usize>,
) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let mut s = state.schemas.at_mut(i);
    let j = field_index(&s, field)?;
    if !s.fields[j].archived {
        return Err(OpError::Conflict(format!("field `{schema}.{field}` is not archived")));
    }
    let mut f = s.fields.remove(j);
    f.archived = false;
    let at = index.unwrap_or(j).min(s.fields.len());
    s.fields.insert(at, f);
    Ok(())
}

/// `update_field`: the patch's properties, checked as Benchling checks them.
pub(super) fn update(state: &mut TenantState, schema: &str, field: &str, patch: &FieldPatch) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let s = &state.schemas[i];
    let j = field_index(s, field)?;
    let current = &s.fields[j];
    let old = state.field_view(current);
    if let Some(unit) = &patch.unit
        && rules::unit_change_refused(old.unit.as_deref(), unit.as_deref())
    {
        return Err(OpError::Invalid(format!(
            "field `{schema}.{field}` already has unit `{}`; a unit cannot be changed once set (archive the field and create a new one)",
            old.unit.as_deref().unwrap_or_default()
        )));
    }
    // Unique among the schema's fields, archived ones included, after every operation: two
    // fields swap display names through a free name.
    let others = s.fields.iter().enumerate().filter(|(k, _)| *k != j);
    let others = others.map(|(_, f)| (f, (f.name.as_str(), f.warehouse_name.as_str())));
    if let Some((other, kind)) = rules::field_name_clash(others, patch.name.as_deref(), patch.warehouse_name.as_deref())
    {
        let (what, new) = match kind {
            FieldName::Name => ("name", &other.name),
            FieldName::WarehouseName => ("warehouse name", &other.warehouse_name),
        };
        return Err(OpError::Conflict(format!(
            "schema `{schema}` already has a field with {what} `{new}` (`{}`{}); to swap {what}s, first give one of them a free {what}",
            other.warehouse_name,
            if other.archived { ", archived" } else { "" },
        )));
    }
    if let Some(wh) = &patch.warehouse_name {
        crate::settings::check_renamed(state, schema, &format!("field `{schema}.{field}`"), field, wh)?;
    }
    if let Some(wh) = &patch.warehouse_name
        && !rules::valid_warehouse_name(wh)
    {
        return Err(OpError::Invalid(format!("warehouse name `{wh}` is not valid")));
    }
    let mut view = old.clone();
    patch.apply_to(&mut view);
    normalise_for_type(&mut view);
    let updated = resolve_field(state, s.entity_type, &view, current.id.clone())?;
    state.schemas.at_mut(i).fields[j] = Field { archived: current.archived, ..updated };
    Ok(())
}

/// `reorder_fields`.
pub(super) fn reorder(state: &mut TenantState, schema: &str, fields: &[String]) -> Result<(), OpError> {
    let i = schema_index(state, schema)?;
    let mut s = state.schemas.at_mut(i);
    s.fields = super::reorder(&s.fields, fields, |f| f.warehouse_name.as_str(), "field")?;
    Ok(())
}

/// Drop properties the field's (possibly new) type does not have, as Benchling does when the
/// type of a field changes.
fn normalise_for_type(f: &mut FieldDef) {
    let has = |p| rules::type_has(f.field_type, p);
    if !has(Has::IsMulti) {
        f.is_multi = false;
    }
    if !has(Has::Dropdown) {
        f.dropdown = None;
    }
    if !has(Has::EntityLink) {
        f.entity_link = None;
    }
    if !has(Has::ParentLink) {
        f.parent_link = false;
    }
    if !has(Has::Unit) {
        f.unit = None;
    }
    if !has(Has::DecimalPlaces) {
        f.decimal_places = None;
    }
}
