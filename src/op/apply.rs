//! The meaning of each operation: its effect on a [`TenantState`] (Benchling's behaviour, with
//! Liminal's skip/unarchive paths), and its reverse.

use std::collections::{HashMap, HashSet};

use super::{FieldPatch, Op, OpError, SchemaPatch};
use crate::schema::{
    EntityType, FieldDef, FieldType, NameTemplate, SEQUENCE_CONSTRAINTS, SchemaDef, validate_field, validate_schema,
};
use crate::state::{Dropdown, DropdownOption, Field, ItemMut, Schema, StoredPart, TenantState};

fn dropdown_mut<'a>(state: &'a mut TenantState, name: &str) -> Result<ItemMut<'a, Dropdown>, OpError> {
    state.dropdown_edit(name).ok_or_else(|| OpError::not_found("dropdown", name))
}

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

/// Put active options first (inserting `moved` at `index` among them), archived ones after, as
/// Liminal writes option lists.
fn place_option(d: &mut Dropdown, moved: DropdownOption, index: usize) {
    d.options.retain(|o| o.id != moved.id);
    let (mut active, archived): (Vec<_>, Vec<_>) = d.options.drain(..).partition(|o| !o.archived);
    active.insert(index.min(active.len()), moved);
    d.options = active.into_iter().chain(archived).collect();
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
            if t.entity_type == EntityType::Entry {
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
    if def.field_type == FieldType::Json {
        return Err(OpError::Invalid("JSON fields cannot be created on entity schemas".into()));
    }
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
                    if p.kind.needs_parent_link() && !field.parent_link {
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
    for s in state.schemas.iter().filter(|s| Some(s.id.as_str()) != skip) {
        if name == Some(s.name.as_str()) {
            return Err(OpError::Conflict(format!(
                "schema name `{}` is already used by `{}`",
                s.name, s.warehouse_name
            )));
        }
        if wh == Some(s.warehouse_name.as_str()) {
            return Err(OpError::Conflict(format!("warehouse name `{}` is already used", s.warehouse_name)));
        }
        if prefix == Some(s.prefix.as_str()) {
            return Err(OpError::Conflict(format!("prefix `{}` is already used by `{}`", s.prefix, s.warehouse_name)));
        }
    }
    Ok(())
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

/// Refuse an operation that would look at something a partial read left out
/// ([`crate::state::Unread`]): the fields of its schema, the options of its dropdown, the lists
/// and the dictionary it resolves names in.
pub(super) fn check_read(op: &Op, state: &TenantState) -> Result<(), OpError> {
    let u = &state.unread;
    if u.is_empty() {
        return Ok(());
    }
    let missing = |what: &str| Err(OpError::NotRead(what.to_string()));
    let linked = |target: &str| -> Result<(), OpError> {
        if state.schema(target).is_none() && (u.entry_schemas || u.schema_list) {
            return missing("the schema lists");
        }
        Ok(())
    };
    let field_def = |f: &FieldDef| -> Result<(), OpError> {
        if f.dropdown.is_some() && u.dropdown_list {
            return missing("the dropdown list");
        }
        if f.unit.is_some() && u.units {
            return missing("the unit dictionary");
        }
        match &f.entity_link {
            Some(t) => linked(t),
            None => Ok(()),
        }
    };
    match op.target() {
        super::Target::Schema(wh) => {
            if u.schema_list && wh != crate::schema::REMOTE_SCHEMA {
                return missing("the schema lists");
            }
            match state.schema(&wh) {
                Some(s) => {
                    if u.fields.contains(&s.id) {
                        return missing(&format!("the fields of `{wh}`"));
                    }
                    // Fields whose properties the op reads: their dropdown and unit are
                    // resolved by name (`field_view`).
                    let viewed: Vec<&Field> = match op {
                        Op::UpdateSchema { .. } | Op::CreateSchema { .. } => s.fields.iter().collect(),
                        Op::UpdateField { field, .. } => s.field(field).into_iter().collect(),
                        Op::CreateField { field, .. } => s.field(&field.warehouse_name).into_iter().collect(),
                        _ => vec![],
                    };
                    for f in viewed {
                        if f.unit.is_some() && u.units {
                            return missing("the unit dictionary");
                        }
                        if f.field_type == FieldType::Dropdown && u.dropdown_list {
                            return missing("the dropdown list");
                        }
                    }
                }
                // It may be an entry schema.
                None if u.entry_schemas => return missing("the entry-schema list"),
                None => {}
            }
        }
        super::Target::Dropdown(name) => {
            if u.dropdown_list {
                return missing("the dropdown list");
            }
            if let Some(d) = state.dropdown(&name)
                && u.options.contains(&d.id)
            {
                return missing(&format!("the options of `{name}`"));
            }
        }
    }
    match op {
        Op::CreateSchema { schema } => {
            if u.entry_schemas {
                return missing("the entry-schema list");
            }
            schema.fields.iter().try_for_each(field_def)
        }
        Op::UpdateSchema { patch, .. }
            if u.entry_schemas
                && (patch.name.is_some() || patch.warehouse_name.is_some() || patch.prefix.is_some()) =>
        {
            missing("the entry-schema list")
        }
        Op::CreateField { field, .. } => field_def(field),
        Op::UpdateField { patch, .. } => {
            if matches!(patch.dropdown, Some(Some(_))) && u.dropdown_list {
                return missing("the dropdown list");
            }
            if matches!(patch.unit, Some(Some(_))) && u.units {
                return missing("the unit dictionary");
            }
            match &patch.entity_link {
                Some(Some(t)) => linked(t),
                _ => Ok(()),
            }
        }
        Op::ArchiveDropdown { .. } if !u.fields.is_empty() => missing("every schema's fields"),
        _ => Ok(()),
    }
}

pub(super) fn apply(op: &Op, state: &mut TenantState) -> Result<(), OpError> {
    match op {
        Op::CreateDropdown { name, options } => {
            if name.trim().is_empty() {
                return Err(OpError::Invalid("a dropdown needs a name".into()));
            }
            let mut seen = HashSet::with_capacity(options.len());
            for o in options {
                if o.trim().is_empty() || !seen.insert(o.as_str()) {
                    return Err(OpError::Invalid(format!("dropdown `{name}`: option `{o}` is empty or listed twice")));
                }
            }
            if let Some(mut d) = state.dropdown_edit(name) {
                if !d.archived {
                    return Err(OpError::Conflict(format!("dropdown `{name}` already exists and is active")));
                }
                let current: Vec<&str> = d.active_options().map(|o| o.name.as_str()).collect();
                if current != options.iter().map(String::as_str).collect::<Vec<_>>() {
                    return Err(OpError::Conflict(format!(
                        "dropdown `{name}` exists archived with other options; cannot unarchive it as created"
                    )));
                }
                d.archived = false;
                return Ok(());
            }
            let id = state.new_id("sfs_");
            let options = options
                .iter()
                .map(|o| DropdownOption { id: state.new_id("sfso_"), name: o.clone(), archived: false })
                .collect();
            state.dropdowns.push(Dropdown { id, name: name.clone(), archived: false, options });
            Ok(())
        }
        Op::ArchiveDropdown { name } => {
            let id = state.dropdown(name).ok_or_else(|| OpError::not_found("dropdown", name))?.id.clone();
            let users: Vec<String> = state
                .schemas
                .iter()
                .filter(|s| !s.archived)
                .flat_map(|s| {
                    s.active_fields()
                        .filter(|f| f.field_type == FieldType::Dropdown && f.link.as_deref() == Some(id.as_str()))
                        .map(move |f| format!("{}.{}", s.warehouse_name, f.warehouse_name))
                })
                .collect();
            if !users.is_empty() {
                return Err(OpError::Conflict(format!(
                    "dropdown `{name}` is still used by {}; archive or change those fields first",
                    users.join(", ")
                )));
            }
            let mut d = dropdown_mut(state, name)?;
            if d.archived {
                return Err(OpError::Conflict(format!("dropdown `{name}` is already archived")));
            }
            d.archived = true;
            Ok(())
        }
        Op::UnarchiveDropdown { name } => {
            let mut d = dropdown_mut(state, name)?;
            if !d.archived {
                return Err(OpError::Conflict(format!("dropdown `{name}` is not archived")));
            }
            d.archived = false;
            Ok(())
        }
        Op::RenameDropdown { name, new_name } => {
            if new_name.trim().is_empty() {
                return Err(OpError::Invalid(format!("dropdown `{name}` cannot be renamed to an empty name")));
            }
            if state.dropdown(new_name).is_some() {
                return Err(OpError::Conflict(format!("a dropdown named `{new_name}` already exists")));
            }
            dropdown_mut(state, name)?.name = new_name.clone();
            Ok(())
        }
        Op::CreateDropdownOption { dropdown, option, index } => {
            let new_id = state.new_id("sfso_");
            let mut d = dropdown_mut(state, dropdown)?;
            match d.option(option).cloned() {
                Some(o) if o.archived => place_option(&mut d, DropdownOption { archived: false, ..o }, *index),
                // Liminal warns and skips an option that is already active.
                Some(_) => {}
                None => {
                    if option.trim().is_empty() {
                        return Err(OpError::Invalid(format!("dropdown `{dropdown}`: an option needs a name")));
                    }
                    place_option(&mut d, DropdownOption { id: new_id, name: option.clone(), archived: false }, *index)
                }
            }
            Ok(())
        }
        Op::UnarchiveDropdownOption { dropdown, option, index } => {
            let mut d = dropdown_mut(state, dropdown)?;
            let o = d
                .option(option)
                .cloned()
                .ok_or_else(|| OpError::NotFound { what: "dropdown option", name: format!("{dropdown}: {option}") })?;
            if !o.archived {
                return Err(OpError::Conflict(format!("option `{option}` of `{dropdown}` is not archived")));
            }
            place_option(&mut d, DropdownOption { archived: false, ..o }, *index);
            Ok(())
        }
        Op::ArchiveDropdownOption { dropdown, option } => {
            let mut d = dropdown_mut(state, dropdown)?;
            let o = d
                .option(option)
                .cloned()
                .ok_or_else(|| OpError::NotFound { what: "dropdown option", name: format!("{dropdown}: {option}") })?;
            // Liminal warns and skips an option that is already archived.
            if !o.archived {
                d.options.retain(|x| x.id != o.id);
                d.options.push(DropdownOption { archived: true, ..o });
                let (active, archived): (Vec<_>, Vec<_>) = d.options.drain(..).partition(|o| !o.archived);
                d.options = active.into_iter().chain(archived).collect();
            }
            Ok(())
        }
        Op::RenameDropdownOption { dropdown, option, new_option } => {
            if new_option.trim().is_empty() {
                return Err(OpError::Invalid(format!(
                    "dropdown `{dropdown}`: option `{option}` cannot be renamed to an empty name"
                )));
            }
            let mut d = dropdown_mut(state, dropdown)?;
            if d.option(new_option).is_some() {
                return Err(OpError::Conflict(format!("dropdown `{dropdown}` already has an option `{new_option}`")));
            }
            let o = d
                .options
                .iter_mut()
                .find(|o| &o.name == option)
                .ok_or_else(|| OpError::NotFound { what: "dropdown option", name: format!("{dropdown}: {option}") })?;
            o.name = new_option.clone();
            Ok(())
        }
        Op::ReorderDropdownOptions { dropdown, options } => {
            let mut d = dropdown_mut(state, dropdown)?;
            d.options = reorder(&d.options, options, |o| o.name.as_str(), "option")?;
            Ok(())
        }
        Op::CreateSchema { schema: def } => {
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
            if p.entity_type == EntityType::Entry {
                return Err(OpError::Invalid(format!(
                    "entry schema `{}` cannot be created: Benchling's API does not create entry schemas",
                    p.warehouse_name
                )));
            }
            if p.naming_strategies.iter().any(|n| n.is_template_based()) {
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
            schema.naming_strategies = p.naming_strategies.clone();
            schema.use_registry_id_as_label = p.use_registry_id_as_label;
            schema.include_registry_id_in_chips = p.include_registry_id_in_chips;
            schema.show_bases_in_expanded_view = p.show_bases_in_expanded_view;
            schema.mixture_schema_config = p.mixture_schema_config;
            schema.fields = fields;
            schema.constraint = constraint_ids(schema, &p.constraint_fields)?;
            Ok(())
        }
        Op::ArchiveSchema { schema } => {
            let i = schema_index(state, schema)?;
            if state.schemas[i].archived {
                return Err(OpError::Conflict(format!("schema `{schema}` is already archived")));
            }
            state.schemas.at_mut(i).archived = true;
            Ok(())
        }
        Op::UnarchiveSchema { schema } => {
            let i = schema_index(state, schema)?;
            if !state.schemas[i].archived {
                return Err(OpError::Conflict(format!("schema `{schema}` is not archived")));
            }
            state.schemas.at_mut(i).archived = false;
            Ok(())
        }
        Op::UpdateSchema { schema, patch } => {
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
                matches!(p.target, crate::schema::validate::Target::Schema(_))
                    && p.key.is_some_and(|k| keys.contains(&k))
            }) {
                return Err(OpError::Invalid(format!("schema `{schema}`: {}", p.message)));
            }
            let constraint = constraint_ids(s, &view.props.constraint_fields)?;
            let mut s = state.schemas.at_mut(i);
            let v = view.props;
            s.name = v.name;
            s.warehouse_name = v.warehouse_name;
            s.prefix = v.prefix;
            s.naming_strategies = v.naming_strategies;
            s.use_registry_id_as_label = v.use_registry_id_as_label;
            s.include_registry_id_in_chips = v.include_registry_id_in_chips;
            s.constraint = constraint;
            s.show_bases_in_expanded_view = v.show_bases_in_expanded_view;
            s.mixture_schema_config = v.mixture_schema_config;
            Ok(())
        }
        Op::SetNameTemplate { schema, template } => {
            let i = schema_index(state, schema)?;
            let s = &state.schemas[i];
            if template.order_name_parts_by_sequence && !s.entity_type.is_nt_sequence() {
                return Err(OpError::Invalid(format!(
                    "order_name_parts_by_sequence is not allowed on `{}` schemas",
                    s.entity_type
                )));
            }
            if template.parts.is_empty() && s.naming_strategies.iter().any(|n| n.is_template_based()) {
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
        Op::CreateField { schema, field, index } => {
            let i = schema_index(state, schema)?;
            let s = &state.schemas[i];
            if let Some(existing) = s.field(&field.warehouse_name) {
                if !existing.archived {
                    return Err(OpError::Conflict(format!("field `{schema}.{}` already exists", field.warehouse_name)));
                }
                let mut view = state.field_view(existing);
                view.archived = false;
                let mut want = (**field).clone();
                want.archived = false;
                if view != want {
                    return Err(OpError::Conflict(format!(
                        "field `{schema}.{}` exists archived with other properties; cannot unarchive it as created",
                        field.warehouse_name
                    )));
                }
                return apply(
                    &Op::UnarchiveField {
                        schema: schema.clone(),
                        field: field.warehouse_name.clone(),
                        index: Some(*index),
                    },
                    state,
                );
            }
            // Benchling keeps display names unique among a schema's fields, archived ones included.
            if let Some(other) = s.fields.iter().find(|f| f.name == field.name) {
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
            let at = (*index).min(s.fields.len());
            s.fields.insert(at, new);
            Ok(())
        }
        Op::ArchiveField { schema, field, index } => {
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
            if s.constraint.contains(&f.id) {
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
        Op::UnarchiveField { schema, field, index } => {
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
        Op::UpdateField { schema, field, patch } => {
            let i = schema_index(state, schema)?;
            let s = &state.schemas[i];
            let j = field_index(s, field)?;
            let current = &s.fields[j];
            let old = state.field_view(current);
            if let Some(unit) = &patch.unit
                && old.unit.is_some()
                && *unit != old.unit
            {
                return Err(OpError::Invalid(format!(
                    "field `{schema}.{field}` already has unit `{}`; a unit cannot be changed once set (archive the field and create a new one)",
                    old.unit.as_deref().unwrap_or_default()
                )));
            }
            for (new, what) in [(&patch.name, "name"), (&patch.warehouse_name, "warehouse name")] {
                // Unique among the schema's fields, archived ones included, after every
                // operation: two fields swap display names through a free name.
                if let Some(new) = new
                    && let Some(other) = s
                        .fields
                        .iter()
                        .enumerate()
                        .find(|(k, f)| *k != j && (if what == "name" { &f.name } else { &f.warehouse_name }) == new)
                        .map(|(_, f)| f)
                {
                    return Err(OpError::Conflict(format!(
                        "schema `{schema}` already has a field with {what} `{new}` (`{}`{}); to swap {what}s, first give one of them a free {what}",
                        other.warehouse_name,
                        if other.archived { ", archived" } else { "" },
                    )));
                }
            }
            if let Some(wh) = &patch.warehouse_name {
                crate::settings::check_renamed(state, schema, &format!("field `{schema}.{field}`"), field, wh)?;
            }
            if let Some(wh) = &patch.warehouse_name
                && !crate::schema::validate::valid_warehouse_name(wh)
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
        Op::ReorderFields { schema, fields } => {
            let i = schema_index(state, schema)?;
            let mut s = state.schemas.at_mut(i);
            s.fields = reorder(&s.fields, fields, |f| f.warehouse_name.as_str(), "field")?;
            Ok(())
        }
    }
}

/// Drop properties the field's (possibly new) type does not have, as Benchling does when the
/// type of a field changes.
fn normalise_for_type(f: &mut FieldDef) {
    let t = f.field_type;
    if !t.is_multi_capable() {
        f.is_multi = false;
    }
    if t != FieldType::Dropdown {
        f.dropdown = None;
    }
    if !t.takes_entity_link() {
        f.entity_link = None;
        f.parent_link = false;
    }
    if !t.is_numeric() {
        f.unit = None;
    }
    if t != FieldType::Decimal {
        f.decimal_places = None;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_dropdown() -> TenantState {
        let mut state = TenantState::new();
        let op = Op::CreateDropdown { name: "D".into(), options: vec!["a".into(), "b".into()] };
        op.apply(&mut state).unwrap();
        state
    }

    /// A partly read state refuses, before changing anything, operations on what was not read.
    #[test]
    fn operations_on_data_that_was_not_read_are_refused() {
        let mut state = with_dropdown();
        let pizza = crate::schema::SchemaProps::new("Pizza", "pizza", "PZ", EntityType::CustomEntity);
        let def = SchemaDef { props: pizza, name_template: NameTemplate::default(), archived: false, fields: vec![] };
        Op::CreateSchema { schema: Box::new(def) }.apply(&mut state).unwrap();
        let pizza_id = state.schema("pizza").unwrap().id.clone();
        let d_id = state.dropdown("D").unwrap().id.clone();
        let field = |unit: Option<&str>| {
            let mut f = FieldDef::new("w", "W", FieldType::Decimal);
            f.unit = unit.map(str::to_string);
            Box::new(f)
        };
        let cases: Vec<(crate::state::Unread, Op)> = vec![
            (
                crate::state::Unread { fields: [pizza_id.clone()].into(), ..Default::default() },
                Op::CreateField { schema: "pizza".into(), field: field(None), index: 0 },
            ),
            (
                crate::state::Unread { fields: [pizza_id].into(), ..Default::default() },
                Op::ArchiveDropdown { name: "D".into() },
            ),
            (
                crate::state::Unread { options: [d_id].into(), ..Default::default() },
                Op::CreateDropdownOption { dropdown: "D".into(), option: "c".into(), index: 0 },
            ),
            (
                crate::state::Unread { units: true, ..Default::default() },
                Op::CreateField { schema: "pizza".into(), field: field(Some("gram")), index: 0 },
            ),
            (
                crate::state::Unread { entry_schemas: true, ..Default::default() },
                Op::ArchiveSchema { schema: "maybe_an_entry".into() },
            ),
            (
                crate::state::Unread { schema_list: true, ..Default::default() },
                Op::ArchiveSchema { schema: "pizza".into() },
            ),
        ];
        for (unread, op) in cases {
            let mut partial = state.clone();
            partial.unread = unread;
            let before = partial.clone();
            assert!(matches!(op.apply(&mut partial), Err(OpError::NotRead(_))), "{op:?}");
            assert_eq!(partial, before);
        }
        // What was read is enough: the unit dictionary is not needed for a field without one.
        let mut partial = state.clone();
        partial.unread.units = true;
        Op::CreateField { schema: "pizza".into(), field: field(None), index: 0 }.apply(&mut partial).unwrap();
    }

    /// Creating a dropdown or an option with an empty name is refused; renaming to one was not.
    #[test]
    fn renames_to_an_empty_name_are_refused() {
        let mut state = with_dropdown();
        for op in [
            Op::RenameDropdown { name: "D".into(), new_name: " ".into() },
            Op::RenameDropdownOption { dropdown: "D".into(), option: "a".into(), new_option: String::new() },
        ] {
            assert!(matches!(op.apply(&mut state), Err(OpError::Invalid(_))), "{op:?}");
        }
        assert_eq!(state, with_dropdown());
    }
}
