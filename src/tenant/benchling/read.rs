//! The read requests, each returning what [`TenantState`](crate::state::TenantState) holds: the schema lists (the v3 union
//! list of the eight entity types plus the entry-schema list, or the nine per-type lists where
//! the union is not served), a schema's field definitions, the dropdown list, a dropdown's
//! options (all archived included: simulating operations exactly needs them), the registry and
//! the units. Which of them a command sends is decided in [`super::HttpTenant`] from what it
//! needs ([`crate::tenant::Needs`]). All JSON goes through [`crate::wire`].

use std::future::Future;

use tokio::task::JoinSet;

use super::client::Client;
use super::request::Request;
use crate::schema::{EntityType, REMOTE_SCHEMA};
use crate::state::{Dropdown, DropdownOption, Field, Registry, Unit};
use crate::tenant::TenantError;
use crate::wire::{self, BenchlingNames, ParsedSchema, WireError};

/// `archived.anyOf=true,false`: archived items are part of the state.
const ANY_ARCHIVED: (&str, &str) = ("archived.anyOf", "true,false");

fn bad_answer(path: &str, e: WireError) -> TenantError {
    wire_error("GET", path, e)
}

/// Run `jobs` concurrently (the client bounds how many requests are in flight) and return
/// their results in order; the first error wins and cancels the rest.
pub(super) async fn join_all<T, F>(jobs: Vec<F>) -> Result<Vec<T>, TenantError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, TenantError>> + Send + 'static,
{
    let n = jobs.len();
    let mut set = JoinSet::new();
    for (i, job) in jobs.into_iter().enumerate() {
        set.spawn(async move { (i, job.await) });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, result) = joined.map_err(|e| TenantError::Internal {
            message: format!("a read task stopped: {e}"),
            source: Some(Box::new(e)),
        })?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

pub(super) fn schemas_path(t: EntityType) -> String {
    format!("/api/v3/{}/items", t.endpoint())
}

pub(super) fn fields_path(t: EntityType, schema_id: &str) -> String {
    format!("/api/v3/{}/{schema_id}/field-definitions/items", t.endpoint())
}

pub(super) fn options_path(dropdown_id: &str) -> String {
    format!("/api/v3/dropdown/{dropdown_id}/options/items")
}

pub(super) const DROPDOWNS_PATH: &str = "/api/v3/dropdown/items";
/// Every entity schema, each with its type (EntitySchema.List in Benchling's OpenAPI).
pub(super) const UNION_PATH: &str = "/api/v3/entity-schema/items";
const REGISTRIES_PATH: &str = "/api/v2/registries";
const UNIT_TYPES_PATH: &str = "/api/v2-alpha/unit-types";

fn any_archived(path: &str) -> Request {
    Request::get(path).query(ANY_ARCHIVED.0, ANY_ARCHIVED.1)
}

/// Every schema of type `t`, archived included, without fields.
pub(super) async fn list_schemas(client: &Client, t: EntityType) -> Result<Vec<ParsedSchema>, TenantError> {
    let path = schemas_path(t);
    let items = client.get_all(any_archived(&path), "items").await?;
    items.iter().map(|v| wire::schema_from_v3(v).map_err(|e| bad_answer(&path, e))).collect()
}

/// Every field of a schema, archived included, in the schema's order.
pub(super) async fn list_fields(client: &Client, t: EntityType, schema_id: &str) -> Result<Vec<Field>, TenantError> {
    let path = fields_path(t, schema_id);
    let items = client.get_all(any_archived(&path), "items").await?;
    items.iter().map(|v| wire::field_from_v3(v).map_err(|e| bad_answer(&path, e))).collect()
}

/// Every option of a dropdown, archived included, in the dropdown's order.
pub(super) async fn list_options(client: &Client, dropdown_id: &str) -> Result<Vec<DropdownOption>, TenantError> {
    let path = options_path(dropdown_id);
    let items = client.get_all(any_archived(&path), "items").await?;
    items.iter().map(|v| wire::option_from_v3(v).map_err(|e| bad_answer(&path, e))).collect()
}

/// Every dropdown, archived included, without options.
pub(super) async fn list_dropdowns(client: &Client) -> Result<Vec<Dropdown>, TenantError> {
    let items = client.get_all(any_archived(DROPDOWNS_PATH), "items").await?;
    items.iter().map(|v| wire::dropdown_from_v3(v).map_err(|e| bad_answer(DROPDOWNS_PATH, e))).collect()
}

/// The tenant's one registry (liminal requires exactly one: dropdowns are created in it and its
/// owner is the organization new schemas belong to).
pub(super) async fn registry(client: &Client) -> Result<Registry, TenantError> {
    let reply = client.send(&Request::get(REGISTRIES_PATH)).await?;
    let mut all = wire::registries_from_v2(&reply.body).map_err(|e| bad_answer(REGISTRIES_PATH, e))?;
    match all.len() {
        1 => Ok(all.remove(0)),
        n => Err(TenantError::answer(format!(
            "GET {REGISTRIES_PATH} lists {n} registries; liminal (like Liminal) needs exactly one"
        ))),
    }
}

/// The unit dictionary, every page.
pub(super) async fn units(client: &Client) -> Result<Vec<Unit>, TenantError> {
    let types = client.get_all(Request::get(UNIT_TYPES_PATH), "unitTypes").await?;
    let page = serde_json::json!({ "unitTypes": types });
    wire::units_from_v2(&page).map_err(|e| bad_answer(UNIT_TYPES_PATH, e))
}

/// `liminal_remote` as listed: the custom-entity list filtered by name (`current` costs the same
/// on any tenant: one list request and one field list). A schema of another warehouse name that
/// shares the display name is ignored.
pub(super) async fn find_remote(client: &Client) -> Result<Option<ParsedSchema>, TenantError> {
    let path = schemas_path(EntityType::CustomEntity);
    let req = any_archived(&path).query("name.anyOf", REMOTE_SCHEMA);
    let items = client.get_all(req, "items").await?;
    for v in &items {
        let p = wire::schema_from_v3(v).map_err(|e| bad_answer(&path, e))?;
        if p.schema.warehouse_name == REMOTE_SCHEMA {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// Every schema of the eight entity types: the v3 union list `GET /api/v3/entity-schema/items`
/// (one paged list, archived included). Items whose type has no per-type shape in the answer
/// (Benchling's `EntitySchema` documents fewer keys than the per-type schemas: no `systemName`)
/// are read again from their type's list; items of types liminal does not manage are left out.
/// A tenant that does not serve the union list (404) is read with the per-type lists.
pub(super) async fn list_entity_schemas(client: &Client) -> Result<Vec<ParsedSchema>, TenantError> {
    let types: Vec<EntityType> = EntityType::ALL.iter().copied().filter(|t| *t != EntityType::Entry).collect();
    let items = match client.get_all(any_archived(UNION_PATH), "items").await {
        Ok(items) => items,
        Err(e) if e.status == Some(404) => return per_type(client, types).await,
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    let mut relist: Vec<EntityType> = Vec::new();
    for v in &items {
        let typename = v.get("__typename").and_then(serde_json::Value::as_str).unwrap_or_default();
        let Some(t) = EntityType::from_typename(typename).filter(|t| *t != EntityType::Entry) else { continue };
        match wire::schema_from_v3(v) {
            Ok(p) => out.push(p),
            Err(_) if !relist.contains(&t) => relist.push(t),
            Err(_) => {}
        }
    }
    if !relist.is_empty() {
        out.retain(|p| !relist.contains(&p.schema.entity_type));
        out.extend(per_type(client, relist).await?);
    }
    Ok(out)
}

async fn per_type(client: &Client, types: Vec<EntityType>) -> Result<Vec<ParsedSchema>, TenantError> {
    let lists = join_all(
        types
            .into_iter()
            .map(|t| {
                let c = client.clone();
                async move { list_schemas(&c, t).await }
            })
            .collect(),
    )
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

/// A JSON answer's `items` that failed to parse, for callers outside this module.
pub(super) fn wire_error(method: &str, path: &str, e: WireError) -> TenantError {
    TenantError::Answer { message: format!("unexpected answer from {method} {path}: {e}"), source: Some(e) }
}
