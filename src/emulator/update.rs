//! The emulator's update semantics: what a parsed `PATCH` body ([`SchemaUpdate`],
//! [`DropdownUpdate`]) does to a stored schema or dropdown. The body's shape and its
//! parsing are [`crate::wire`]'s (both sides of the wire share them); what the server then does
//! with it is Benchling's behaviour, emulated here. Errors keep the body path of the key at
//! fault ([`WireError`]), as the parsers' do.

use std::collections::HashSet;

use crate::schema::rules;
use crate::schema::{EntityType, SEQUENCE_CONSTRAINTS};
use crate::state::{Dropdown, DropdownOption, Schema};
use crate::wire::{DropdownUpdate, SchemaUpdate, WireError};

/// Apply a parsed PATCH to a stored schema (its fields must be present). Constraint names must be
/// active fields' display names; template `fieldId`s must be fields of the schema. A new
/// constraint replaces the field constraints and keeps a sequence constraint (the input cannot
/// express one). `archived: false` clears the archive. Uniqueness of name, warehouse name and
/// prefix across schemas is the caller's check.
pub(crate) fn apply_schema_update(schema: &mut Schema, u: &SchemaUpdate) -> Result<(), WireError> {
    if let Some(Some(names)) = &u.constraint {
        for n in names {
            if !schema.fields.iter().any(|f| !f.archived && &f.name == n) {
                return Err(WireError::new(
                    "body.constraint.fieldDefinitionNames",
                    format!("`{n}` is not the name of an active field of `{}`", schema.warehouse_name),
                ));
            }
        }
    }
    if let Some(Some(t)) = &u.name_template {
        for p in &t.parts {
            if let Some(id) = &p.field_id {
                let Some(f) = schema.fields.iter().find(|f| &f.id == id) else {
                    return Err(WireError::new(
                        "body.nameTemplate",
                        format!("field `{id}` is not a field of `{}`", schema.warehouse_name),
                    ));
                };
                if !rules::part_accepts_field(p.kind, f.parent_link) {
                    return Err(WireError::new(
                        "body.nameTemplate",
                        format!("a {} part needs a parent-link field; `{}` is not", p.kind, f.warehouse_name),
                    ));
                }
            }
        }
    }
    if let Some(n) = &u.name {
        schema.name = n.clone();
    }
    if let Some(w) = &u.system_name {
        schema.warehouse_name = w.clone();
    }
    if let Some(p) = &u.prefix {
        schema.prefix = p.clone();
    }
    if let Some(n) = &u.naming_strategies {
        schema.naming_strategies = n.clone();
    }
    if let Some(c) = &u.constraint {
        let mut ids: Vec<String> = c
            .iter()
            .flatten()
            .filter_map(|n| schema.fields.iter().find(|f| !f.archived && &f.name == n).map(|f| f.id.clone()))
            .collect();
        ids.extend(schema.constraint.iter().filter(|c| SEQUENCE_CONSTRAINTS.contains(&c.as_str())).cloned());
        schema.constraint = ids;
    }
    if let Some(t) = &u.name_template {
        match t {
            Some(t) => {
                schema.name_template = t.parts.clone();
                schema.order_name_parts_by_sequence = t.should_order_parts_by_sequence;
            }
            None => {
                schema.name_template = Vec::new();
                schema.order_name_parts_by_sequence = false;
            }
        }
    }
    u.flags.apply_to(&mut schema.flags);
    if schema.entity_type == EntityType::Mixture {
        let mut c = schema.mixture_schema_config.unwrap_or_default();
        if let Some(b) = u.allow_measured_ingredients {
            c.allow_measured_ingredients = b;
        }
        if let Some(b) = u.component_lot_text_enabled {
            c.component_lot_text_enabled = b;
        }
        if let Some(b) = u.component_lot_storage_enabled {
            c.component_lot_storage_enabled = b;
        }
        schema.mixture_schema_config = Some(c);
    }
    if let Some(a) = u.archived {
        schema.archived = a;
    }
    Ok(())
}

/// Apply a parsed PATCH to a dropdown; `new_id` mints `sfso_` ids for new options.
///
/// `options` is a full ordered replacement ("Include existing options to retain them"). Choices
/// where Benchling's behaviour is unknown: an existing option left out of the list is **archived,
/// not deleted**, and kept after the listed ones in its previous relative order (options may be
/// in use by entities, and nothing in liminal relies on deletion); an existing item without
/// `archived` keeps its archive state; an id that is not an option of this dropdown, a repeated
/// id, or two options with the same name are errors.
pub(crate) fn apply_dropdown_update(
    d: &mut Dropdown,
    u: &DropdownUpdate,
    new_id: &mut dyn FnMut() -> String,
) -> Result<(), WireError> {
    if let Some(items) = &u.options {
        let mut seen = HashSet::new();
        let mut listed = Vec::with_capacity(items.len());
        let by_id: std::collections::HashMap<&str, &DropdownOption> =
            d.options.iter().map(|o| (o.id.as_str(), o)).collect();
        for (i, item) in items.iter().enumerate() {
            let at = format!("body.options[{i}]");
            let option = match &item.id {
                Some(id) => {
                    if !seen.insert(id.clone()) {
                        return Err(WireError::new(at, format!("option `{id}` is listed twice")));
                    }
                    let Some(old) = by_id.get(id.as_str()) else {
                        return Err(WireError::new(at, format!("`{id}` is not an option of dropdown `{}`", d.id)));
                    };
                    DropdownOption {
                        id: id.clone(),
                        name: item.name.clone().unwrap_or_else(|| old.name.clone()),
                        archived: item.archived.unwrap_or(old.archived),
                    }
                }
                None => {
                    DropdownOption { id: String::new(), name: item.name.clone().unwrap_or_default(), archived: false }
                }
            };
            listed.push(option);
        }
        let omitted =
            d.options.iter().filter(|o| !seen.contains(&o.id)).map(|o| DropdownOption { archived: true, ..o.clone() });
        let all: Vec<DropdownOption> = listed.into_iter().chain(omitted).collect();
        if let Some(dup) = rules::first_repeated(all.iter().map(|o| o.name.as_str())) {
            return Err(WireError::new("body.options", format!("option name `{dup}` is used twice")));
        }
        d.options =
            all.into_iter().map(|o| if o.id.is_empty() { DropdownOption { id: new_id(), ..o } } else { o }).collect();
    }
    if let Some(n) = &u.name {
        d.name = n.clone();
    }
    if let Some(a) = u.archived {
        d.archived = a;
    }
    Ok(())
}
