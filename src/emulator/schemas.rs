//! `/api/v3/{T}-schema…` for the nine entity-schema families: list, get, create, PATCH, and
//! (in [`super::fields`]) field definitions and `:set-field-definitions`.
//!
//! Choices where Benchling's behaviour is unknown: name, warehouse name and prefix clashes on
//! create or PATCH are **409** (checked across all schemas, archived ones included, as liminal
//! does); lists come in creation order (Benchling's default sort is `modifiedAt:desc`, but
//! liminal does not depend on order); archiving a schema that other fields link to is allowed.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::BASE_URL;
use super::fields;
use super::http::{ApiError, Reply, Req};
use super::paging;
use super::store::Inner;
use crate::schema::EntityType;
use crate::schema::rules::{self, SchemaName, SchemaNames};
use crate::state::TenantState;
use crate::wire::{self, BenchlingNames, SchemaUpdate};

pub(crate) fn route(inner: &mut Inner, t: EntityType, req: &Req, rest: &[&str]) -> Result<Reply, ApiError> {
    let writable = || {
        if !rules::api_writes_schemas_of(t) {
            Err(ApiError::method_not_allowed("entry schemas are read-only in the v3 API"))
        } else {
            Ok(())
        }
    };
    match (&req.method, rest) {
        (&Method::GET, ["items"]) => list(&inner.state, t, req),
        (&Method::POST, []) => {
            writable()?;
            create(inner, t, req)
        }
        (&Method::GET, [id]) => {
            let i = index(&inner.state, t, id)?;
            Ok(Reply::ok(wire::schema_to_v3(&inner.state, &inner.state.schemas[i], BASE_URL)))
        }
        (&Method::PATCH, [id]) => {
            writable()?;
            patch(inner, t, id, req)
        }
        (&Method::GET, [id, "field-definitions", "items"]) => {
            fields::list(&inner.state, index(&inner.state, t, id)?, req)
        }
        (&Method::POST, [action]) => match action.strip_suffix(":set-field-definitions") {
            Some(id) => {
                writable()?;
                let i = index(&inner.state, t, id)?;
                fields::set(inner, t, i, req)
            }
            None => Err(super::no_route(req)),
        },
        _ => Err(super::no_route(req)),
    }
}

/// The position of schema `id` of type `t`; 404 when there is none of that type.
pub(crate) fn index(state: &TenantState, t: EntityType, id: &str) -> Result<usize, ApiError> {
    state
        .schemas
        .iter()
        .position(|s| s.id == id && s.entity_type == t)
        .ok_or_else(|| ApiError::not_found(format!("no {} with id `{id}`", t.endpoint())))
}

/// `GET /api/v3/entity-schema/items`: every entity schema (not entry schemas) in one paged list,
/// each item in its type's v3 shape plus `type` (Benchling's `EntitySchema`), with the same
/// filters as the per-type lists.
pub(crate) fn list_union(state: &TenantState, req: &Req) -> Result<Reply, ApiError> {
    let archived = paging::archived_filter(req)?;
    let identity = paging::identity_filter(req);
    let page = paging::page(req)?;
    let matching: Vec<_> = state
        .schemas
        .iter()
        .filter(|s| s.entity_type != EntityType::Entry && archived(s.archived) && identity(&s.id, &s.name))
        .collect();
    let (items, next) = paging::slice(matching, &page);
    let items: Vec<_> = items
        .into_iter()
        .map(|s| {
            let mut v = wire::schema_to_v3(state, s, BASE_URL);
            if let Some(m) = v.as_object_mut() {
                m.insert("type".into(), json!(s.entity_type.as_str()));
            }
            v
        })
        .collect();
    Ok(Reply::ok(json!({ "items": items, "nextToken": next })))
}

fn list(state: &TenantState, t: EntityType, req: &Req) -> Result<Reply, ApiError> {
    let archived = paging::archived_filter(req)?;
    let identity = paging::identity_filter(req);
    let page = paging::page(req)?;
    let matching: Vec<_> = state
        .schemas
        .iter()
        .filter(|s| s.entity_type == t && archived(s.archived) && identity(&s.id, &s.name))
        .collect();
    let (items, next) = paging::slice(matching, &page);
    let items: Vec<_> = items.into_iter().map(|s| wire::schema_to_v3(state, s, BASE_URL)).collect();
    Ok(Reply::ok(json!({ "items": items, "nextToken": next })))
}

/// Without the tenant setting `custom_warehouse_names` (Benchling's
/// `SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME`), a schema or field is created only under the warehouse
/// name Benchling derives from its name, and no warehouse name changes ([`crate::settings`]).
/// `from` is the current warehouse name (None on create).
pub(crate) fn check_warehouse_rule(
    state: &TenantState,
    schema: &str,
    what: &str,
    name: &str,
    from: Option<&str>,
    to: &str,
) -> Result<(), ApiError> {
    match from {
        None => crate::settings::check_created(state, schema, what, name, to),
        Some(from) => crate::settings::check_renamed(state, schema, what, from, to),
    }
    .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// Benchling's `systemName` rule: `[a-z_][a-z0-9_$]*`, not starting with `bnch$`.
pub(crate) fn check_system_name(name: &str, what: &str) -> Result<(), ApiError> {
    if !rules::valid_warehouse_name(name) {
        return Err(ApiError::bad_request(format!(
            "{what} systemName `{name}` must match [a-z_][a-z0-9_$]* and not start with bnch$"
        )));
    }
    Ok(())
}

fn check_unique(
    state: &TenantState,
    skip: Option<&str>,
    name: Option<&str>,
    system_name: Option<&str>,
    prefix: Option<&str>,
) -> Result<(), ApiError> {
    let others = state
        .schemas
        .iter()
        .filter(|s| Some(s.id.as_str()) != skip)
        .map(|s| (s, SchemaNames { name: &s.name, warehouse_name: &s.warehouse_name, prefix: &s.prefix }));
    let Some((s, kind)) = rules::schema_name_clash(others, [name, system_name, prefix]) else { return Ok(()) };
    Err(ApiError::conflict(match kind {
        SchemaName::Name => format!("a schema named `{}` already exists ({})", s.name, s.id),
        SchemaName::WarehouseName => format!("systemName `{}` is already used by {}", s.warehouse_name, s.id),
        SchemaName::Prefix => format!("itemIdPrefix `{}` is already used by {}", s.prefix, s.id),
    }))
}

/// `POST /api/v3/{T}-schema` → 201 with the schema.
fn create(inner: &mut Inner, t: EntityType, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json()?;
    let c = wire::parse_schema_create(t, &body)?;
    let state = &mut inner.state;
    if c.organization_id != state.registry.organization_id {
        return Err(ApiError::bad_request(format!(
            "organizationId `{}` is not this tenant's organization `{}`",
            c.organization_id, state.registry.organization_id
        )));
    }
    check_system_name(&c.schema.warehouse_name, "schema")?;
    check_unique(state, None, Some(&c.schema.name), Some(&c.schema.warehouse_name), Some(&c.schema.prefix))?;
    let wh = &c.schema.warehouse_name;
    check_warehouse_rule(state, wh, "schema", &c.schema.name, None, wh)?;
    for (i, item) in c.fields.iter().enumerate() {
        let f = &item.field;
        check_warehouse_rule(state, wh, &format!("fieldDefinitions[{i}]"), &f.name, None, &f.warehouse_name)?;
    }
    fields::check_items(state, t, None, &c.fields)?;
    let mut schema = c.schema;
    schema.id = state.new_id("ts_");
    for item in c.fields {
        let mut f = item.field;
        f.id = state.new_id("tsf_");
        schema.fields.push(f);
    }
    let update = SchemaUpdate {
        constraint: (!c.constraint_field_names.is_empty()).then_some(Some(c.constraint_field_names)),
        name_template: c.name_template.map(Some),
        ..SchemaUpdate::default()
    };
    super::update::apply_schema_update(&mut schema, &update)?;
    let out = wire::schema_to_v3(state, &schema, BASE_URL);
    state.schemas.push(schema);
    inner.dirty = true;
    Ok(Reply::with_status(StatusCode::CREATED, out))
}

/// `PATCH /api/v3/{T}-schema/{id}`: a partial update; `archived: false` unarchives (and so
/// clears `archiveReason`).
fn patch(inner: &mut Inner, t: EntityType, id: &str, req: &Req) -> Result<Reply, ApiError> {
    let i = index(&inner.state, t, id)?;
    let body = req.json()?;
    let u = wire::parse_schema_update(t, &body)?;
    if let Some(w) = &u.system_name {
        check_system_name(w, "schema")?;
        let current = &inner.state.schemas[i];
        check_warehouse_rule(
            &inner.state,
            &current.warehouse_name,
            "schema",
            &current.name,
            Some(&current.warehouse_name),
            w,
        )?;
    }
    check_unique(&inner.state, Some(id), u.name.as_deref(), u.system_name.as_deref(), u.prefix.as_deref())?;
    let mut schema = inner.state.schemas[i].clone();
    super::update::apply_schema_update(&mut schema, &u)?;
    inner.state.schemas[i] = schema;
    inner.dirty = true;
    Ok(Reply::ok(wire::schema_to_v3(&inner.state, &inner.state.schemas[i], BASE_URL)))
}
