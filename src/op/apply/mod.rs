//! The meaning of each operation: its effect on a [`TenantState`] (Benchling's behaviour, with
//! Liminal's skip/unarchive paths), and its reverse.
//!
//! One file per family of operations ([`dropdowns`], [`schemas`], [`fields`]); this one
//! dispatches to them and holds what they share. The partial-read check is in [`unread`].

mod dropdowns;
mod fields;
mod schemas;
mod unread;

use std::collections::{HashMap, HashSet};

use super::{FieldPatch, Op, OpError, SchemaPatch};
use crate::schema::rules;
use crate::schema::{EntityType, FieldDef, validate_field};
use crate::state::{Field, Schema, TenantState};

pub(super) use unread::check_read;

fn schema_ref<'a>(state: &'a TenantState, wh: &str) -> Result<&'a Schema, OpError> {
    state.schema(wh).ok_or_else(|| OpError::not_found("schema", wh))
}

fn schema_index(state: &TenantState, wh: &str) -> Result<usize, OpError> {
    state.schemas.iter().position(|s| s.warehouse_name == wh).ok_or_else(|| OpError::not_found("schema", wh))
}

fn field_index(schema: &Schema, field: &str) -> Result<usize, OpError> {
    schema
        .field_index(field)
        .ok_or_else(|| OpError::NotFound { what: "field", name: format!("{}.{field}", schema.warehouse_name) })
}

/// Liminal's reorder: the named items first, in that order; every other item keeps its relative
/// order after them.
fn reorder<T: Clone>(
    items: &[T],
    names: &[String],
    name_of: impl Fn(&T) -> &str,
    what: &str,
) -> Result<Vec<T>, OpError> {
    // Positions by name (the first item of a name, as a scan finds it).
    let mut by_name: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        by_name.entry(name_of(it)).or_insert(i);
    }
    let mut named: HashSet<&str> = HashSet::with_capacity(names.len());
    let mut out = Vec::with_capacity(items.len());
    for n in names {
        if !named.insert(n.as_str()) {
            return Err(OpError::Invalid(format!("{what} `{n}` is named twice in the new order")));
        }
        let i =
            by_name.get(n.as_str()).ok_or_else(|| OpError::Invalid(format!("{what} `{n}` is not there to reorder")))?;
        out.push(items[*i].clone());
    }
    out.extend(items.iter().filter(|it| !named.contains(name_of(it))).cloned());
    Ok(out)
}

/// Resolve a field definition's names to the ids Benchling stores.
fn resolve_field(state: &TenantState, entity_type: EntityType, def: &FieldDef, id: String) -> Result<Field, OpError> {
    if let Some((key, message, _)) = validate_field(entity_type, def).into_iter().next() {
        return Err(OpError::Invalid(format!("field `{}`: {message} (`{key}`)", def.warehouse_name)));
    }
    let link = match (&def.dropdown, &def.entity_link) {
        (Some(d), _) => Some(state.dropdown(d).ok_or_else(|| OpError::not_found("dropdown", d))?.id.clone()),
        (None, Some(target)) => {
            let t = state.schema(target).ok_or_else(|| OpError::not_found("schema", target))?;
            if !rules::may_link_to(t.entity_type) {
                return Err(OpError::Invalid(format!(
                    "field `{}` cannot link to entry schema `{target}`",
                    def.warehouse_name
                )));
            }
            Some(t.id.clone())
        }
        (None, None) => None,
    };
    let unit = match &def.unit {
        Some(u) => Some(
            state
                .unit_by_name(u)
                .ok_or_else(|| OpError::Invalid(format!("unit `{u}` is not in the tenant's unit dictionary")))?
                .id
                .clone(),
        ),
        None => None,
    };
    Ok(Field {
        id,
        name: def.name.clone(),
        warehouse_name: def.warehouse_name.clone(),
        field_type: def.field_type,
        required: def.required,
        is_multi: def.is_multi,
        parent_link: def.parent_link,
        link,
        tooltip: def.tooltip.clone(),
        unit,
        decimal_places: def.decimal_places,
        archived: def.archived,
    })
}

pub(super) fn apply(op: &Op, state: &mut TenantState) -> Result<(), OpError> {
    match op {
        Op::CreateDropdown { name, options } => dropdowns::create(state, name, options),
        Op::ArchiveDropdown { name } => dropdowns::archive(state, name),
        Op::UnarchiveDropdown { name } => dropdowns::unarchive(state, name),
        Op::RenameDropdown { name, new_name } => dropdowns::rename(state, name, new_name),
        Op::CreateDropdownOption { dropdown, option, index } => {
            dropdowns::create_option(state, dropdown, option, *index)
        }
        Op::UnarchiveDropdownOption { dropdown, option, index } => {
            dropdowns::unarchive_option(state, dropdown, option, *index)
        }
        Op::ArchiveDropdownOption { dropdown, option } => dropdowns::archive_option(state, dropdown, option),
        Op::RenameDropdownOption { dropdown, option, new_option } => {
            dropdowns::rename_option(state, dropdown, option, new_option)
        }
        Op::ReorderDropdownOptions { dropdown, options } => dropdowns::reorder_options(state, dropdown, options),
        Op::CreateSchema { schema: def } => schemas::create(state, def),
        Op::ArchiveSchema { schema } => schemas::archive(state, schema),
        Op::UnarchiveSchema { schema } => schemas::unarchive(state, schema),
        Op::UpdateSchema { schema, patch } => schemas::update(state, schema, patch),
        Op::SetNameTemplate { schema, template } => schemas::set_name_template(state, schema, template),
        Op::CreateField { schema, field, index } => fields::create(state, schema, field, *index),
        Op::ArchiveField { schema, field, index } => fields::archive(state, schema, field, *index),
        Op::UnarchiveField { schema, field, index } => fields::unarchive(state, schema, field, *index),
        Op::UpdateField { schema, field, patch } => fields::update(state, schema, field, patch),
        Op::ReorderFields { schema, fields } => fields::reorder(state, schema, fields),
    }
}

pub(super) fn reverse(op: &Op, before: &TenantState) -> Result<Op, OpError> {
    Ok(match op {
        Op::CreateDropdown { name, .. } => Op::ArchiveDropdown { name: name.clone() },
        Op::ArchiveDropdown { name } => Op::UnarchiveDropdown { name: name.clone() },
        Op::UnarchiveDropdown { name } => Op::ArchiveDropdown { name: name.clone() },
        Op::RenameDropdown { name, new_name } => Op::RenameDropdown { name: new_name.clone(), new_name: name.clone() },
        Op::CreateDropdownOption { dropdown, option, .. } | Op::UnarchiveDropdownOption { dropdown, option, .. } => {
            Op::ArchiveDropdownOption { dropdown: dropdown.clone(), option: option.clone() }
        }
        Op::ArchiveDropdownOption { dropdown, option } => {
            let d = before.dropdown(dropdown).ok_or_else(|| OpError::not_found("dropdown", dropdown))?;
            let index = d.active_options().position(|o| &o.name == option).ok_or_else(|| OpError::NotFound {
                what: "active dropdown option",
                name: format!("{dropdown}: {option}"),
            })?;
            Op::UnarchiveDropdownOption { dropdown: dropdown.clone(), option: option.clone(), index }
        }
        Op::RenameDropdownOption { dropdown, option, new_option } => Op::RenameDropdownOption {
            dropdown: dropdown.clone(),
            option: new_option.clone(),
            new_option: option.clone(),
        },
        Op::ReorderDropdownOptions { dropdown, .. } => {
            let d = before.dropdown(dropdown).ok_or_else(|| OpError::not_found("dropdown", dropdown))?;
            Op::ReorderDropdownOptions {
                dropdown: dropdown.clone(),
                options: d.options.iter().map(|o| o.name.clone()).collect(),
            }
        }
        Op::CreateSchema { schema } => Op::ArchiveSchema { schema: schema.props.warehouse_name.clone() },
        Op::ArchiveSchema { schema } => Op::UnarchiveSchema { schema: schema.clone() },
        Op::UnarchiveSchema { schema } => Op::ArchiveSchema { schema: schema.clone() },
        Op::UpdateSchema { schema, patch } => {
            let s = schema_ref(before, schema)?;
            let old = before.view(s).props;
            Op::UpdateSchema {
                schema: patch.warehouse_name.clone().unwrap_or_else(|| schema.clone()),
                patch: Box::new(SchemaPatch::inverse(patch, &old)),
            }
        }
        Op::SetNameTemplate { schema, .. } => {
            let s = schema_ref(before, schema)?;
            Op::SetNameTemplate { schema: schema.clone(), template: before.view(s).name_template }
        }
        Op::CreateField { schema, field, .. } => {
            Op::ArchiveField { schema: schema.clone(), field: field.warehouse_name.clone(), index: None }
        }
        Op::ArchiveField { schema, field, .. } => {
            let s = schema_ref(before, schema)?;
            Op::UnarchiveField { schema: schema.clone(), field: field.clone(), index: Some(field_index(s, field)?) }
        }
        Op::UnarchiveField { schema, field, .. } => {
            let s = schema_ref(before, schema)?;
            Op::ArchiveField { schema: schema.clone(), field: field.clone(), index: Some(field_index(s, field)?) }
        }
        Op::UpdateField { schema, field, patch } => {
            let s = schema_ref(before, schema)?;
            let old = before.field_view(&s.fields[field_index(s, field)?]);
            Op::UpdateField {
                schema: schema.clone(),
                field: patch.warehouse_name.clone().unwrap_or_else(|| field.clone()),
                patch: Box::new(FieldPatch::inverse(patch, &old)),
            }
        }
        Op::ReorderFields { schema, .. } => {
            let s = schema_ref(before, schema)?;
            Op::ReorderFields {
                schema: schema.clone(),
                fields: s.fields.iter().map(|f| f.warehouse_name.clone()).collect(),
            }
        }
    })
}

/// A tenant with one dropdown `D` (options `a`, `b`), for the families' tests.
#[cfg(test)]
fn with_dropdown() -> TenantState {
    let mut state = TenantState::new();
    let op = Op::CreateDropdown { name: "D".into(), options: vec!["a".into(), "b".into()] };
    op.apply(&mut state).unwrap();
    state
}
