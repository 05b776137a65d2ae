//! Reading the tenant into a [`TenantState`] in as few requests as Benchling's API allows:
//!
//! 1. at once: the registry (1 request), the unit types (all pages), the nine v3 schema lists
//!    (archived included) and the v3 dropdown list (archived included);
//! 2. at once: the field definitions of every schema and the options of every dropdown, both
//!    archived included (liminal's reader skips archived options; simulating operations
//!    exactly needs them).
//!
//! So an empty tenant costs 12 requests and each schema or dropdown one more, whatever the
//! number of operations that follow. All JSON goes through [`crate::wire`].

use std::future::Future;

use tokio::task::JoinSet;

use super::client::{Client, Request};
use super::ids::reserve_temp_ids;
use crate::schema::{EntityType, REMOTE_SCHEMA};
use crate::state::{Dropdown, DropdownOption, Field, Registry, Schema, TenantState, Unit};
use crate::tenant::TenantError;
use crate::wire::{self, ParsedSchema, WireError};

/// `archived.anyOf=true,false`: archived items are part of the state.
const ANY_ARCHIVED: (&str, &str) = ("archived.anyOf", "true,false");

/// What `revision()` reads: the custom-entity schemas (as listed, fields not read) and
/// `liminal_remote` with its fields, in a skeleton state that `set_revision` can work on.
#[derive(Debug, Clone)]
pub struct RemoteView {
    /// The custom-entity list as read (constraints still name fields by display name).
    pub custom: Vec<ParsedSchema>,
    /// Registry unknown (placeholder), no units, no dropdowns; the custom-entity schemas with
    /// no fields except `liminal_remote`, which has all of its own. Kept up to date by writes
    /// (`set_revision`), so a later full read reuses it instead of listing again.
    pub state: TenantState,
}

fn bad_answer(path: &str, e: WireError) -> TenantError {
    TenantError::Http(format!("unexpected answer from GET {path}: {e}"))
}

/// Run `jobs` concurrently (the client bounds how many requests are in flight) and return
/// their results in order; the first error wins and cancels the rest.
pub async fn join_all<T, F>(jobs: Vec<F>) -> Result<Vec<T>, TenantError>
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
        let (i, result) = joined.map_err(|e| TenantError::Http(format!("a read task stopped: {e}")))?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

pub fn schemas_path(t: EntityType) -> String {
    format!("/api/v3/{}/items", t.endpoint())
}

pub fn fields_path(t: EntityType, schema_id: &str) -> String {
    format!("/api/v3/{}/{schema_id}/field-definitions/items", t.endpoint())
}

pub fn options_path(dropdown_id: &str) -> String {
    format!("/api/v3/dropdown/{dropdown_id}/options/items")
}

pub const DROPDOWNS_PATH: &str = "/api/v3/dropdown/items";
const REGISTRIES_PATH: &str = "/api/v2/registries";
const UNIT_TYPES_PATH: &str = "/api/v2-alpha/unit-types";

fn any_archived(path: &str) -> Request {
    Request::get(path).query(ANY_ARCHIVED.0, ANY_ARCHIVED.1)
}

/// Every schema of type `t`, archived included, without fields.
pub async fn list_schemas(client: &Client, t: EntityType) -> Result<Vec<ParsedSchema>, TenantError> {
    let path = schemas_path(t);
    let items = client.get_all(any_archived(&path), "items").await?;
    items.iter().map(|v| wire::schema_from_v3(v).map_err(|e| bad_answer(&path, e))).collect()
}

/// Every field of a schema, archived included, in the schema's order.
pub async fn list_fields(client: &Client, t: EntityType, schema_id: &str) -> Result<Vec<Field>, TenantError> {
    let path = fields_path(t, schema_id);
    let items = client.get_all(any_archived(&path), "items").await?;
    items.iter().map(|v| wire::field_from_v3(v).map_err(|e| bad_answer(&path, e))).collect()
}

/// Every option of a dropdown, archived included, in the dropdown's order.
pub async fn list_options(client: &Client, dropdown_id: &str) -> Result<Vec<DropdownOption>, TenantError> {
    let path = options_path(dropdown_id);
    let items = client.get_all(any_archived(&path), "items").await?;
    items.iter().map(|v| wire::option_from_v3(v).map_err(|e| bad_answer(&path, e))).collect()
}

/// Every dropdown, archived included, without options.
pub async fn list_dropdowns(client: &Client) -> Result<Vec<Dropdown>, TenantError> {
    let items = client.get_all(any_archived(DROPDOWNS_PATH), "items").await?;
    items.iter().map(|v| wire::dropdown_from_v3(v).map_err(|e| bad_answer(DROPDOWNS_PATH, e))).collect()
}

/// The tenant's one registry (liminal requires exactly one: dropdowns are created in it and its
/// owner is the organization new schemas belong to).
pub async fn registry(client: &Client) -> Result<Registry, TenantError> {
    let reply = client.send(&Request::get(REGISTRIES_PATH)).await?;
    let mut all = wire::registries_from_v2(&reply.body).map_err(|e| bad_answer(REGISTRIES_PATH, e))?;
    match all.len() {
        1 => Ok(all.remove(0)),
        n => Err(TenantError::Http(format!(
            "GET {REGISTRIES_PATH} lists {n} registries; liminal (like Liminal) needs exactly one"
        ))),
    }
}

/// The unit dictionary, every page.
pub async fn units(client: &Client) -> Result<Vec<Unit>, TenantError> {
    let types = client.get_all(Request::get(UNIT_TYPES_PATH), "unitTypes").await?;
    let page = serde_json::json!({ "unitTypes": types });
    wire::units_from_v2(&page).map_err(|e| bad_answer(UNIT_TYPES_PATH, e))
}

/// What `revision()` needs: the custom-entity list, then `liminal_remote`'s fields.
pub async fn read_remote(client: &Client) -> Result<RemoteView, TenantError> {
    let custom = list_schemas(client, EntityType::CustomEntity).await?;
    let mut state = TenantState { units: vec![], ..TenantState::new() };
    for p in &custom {
        let fields = if p.schema.warehouse_name == REMOTE_SCHEMA {
            list_fields(client, EntityType::CustomEntity, &p.schema.id).await?
        } else {
            vec![]
        };
        state.schemas.push(p.clone().with_fields(fields));
    }
    reserve_temp_ids(&mut state);
    Ok(RemoteView { custom, state })
}

/// The whole tenant. `prefetched` (from `revision()`, maybe written to since) saves the
/// custom-entity list and `liminal_remote`'s fields; a known `registry` saves its request.
pub async fn read_all(
    client: &Client,
    prefetched: Option<RemoteView>,
    registry: Option<Registry>,
) -> Result<TenantState, TenantError> {
    // Temporary ids already handed out (a `liminal_remote` created since) stay unique.
    let next_id = prefetched.as_ref().map_or(0, |v| v.state.next_id);
    let types: Vec<EntityType> =
        EntityType::ALL.iter().copied().filter(|t| !(prefetched.is_some() && *t == EntityType::CustomEntity)).collect();
    let lists = join_all(
        types
            .iter()
            .map(|t| {
                let (c, t) = (client.clone(), *t);
                async move { Ok((t, list_schemas(&c, t).await?)) }
            })
            .collect(),
    );
    let registry = async {
        match registry {
            Some(r) => Ok(r),
            None => self::registry(client).await,
        }
    };
    let (registry, units, lists, mut dropdowns) =
        tokio::try_join!(registry, units(client), lists, list_dropdowns(client))?;

    // Schemas whose fields are still to read, and `liminal_remote` as `revision()` left it.
    let mut parsed: Vec<ParsedSchema> = Vec::new();
    let mut remote: Option<Schema> = None;
    for t in EntityType::ALL {
        if *t == EntityType::CustomEntity
            && let Some(view) = &prefetched
        {
            parsed.extend(view.custom.iter().filter(|p| p.schema.warehouse_name != REMOTE_SCHEMA).cloned());
            remote = view.state.schema(REMOTE_SCHEMA).cloned();
        }
        parsed.extend(lists.iter().filter(|(lt, _)| lt == t).flat_map(|(_, l)| l.iter().cloned()));
    }

    let field_jobs: Vec<_> = parsed
        .iter()
        .map(|p| {
            let c = client.clone();
            let (t, id) = (p.schema.entity_type, p.schema.id.clone());
            async move { list_fields(&c, t, &id).await }
        })
        .collect();
    let option_jobs: Vec<_> = dropdowns
        .iter()
        .map(|d| {
            let (c, id) = (client.clone(), d.id.clone());
            async move { list_options(&c, &id).await }
        })
        .collect();
    let (fields, options) = tokio::try_join!(join_all(field_jobs), join_all(option_jobs))?;

    for (d, o) in dropdowns.iter_mut().zip(options) {
        d.options = o;
    }
    let mut schemas: Vec<Schema> = remote.into_iter().collect();
    schemas.extend(parsed.into_iter().zip(fields).map(|(p, f)| p.with_fields(f)));
    let mut state = TenantState { registry, units, schemas, dropdowns, next_id, settings: Default::default() };
    reserve_temp_ids(&mut state);
    Ok(state)
}

/// A JSON answer's `items` that failed to parse, for callers outside this module.
pub fn wire_error(method: &str, path: &str, e: WireError) -> TenantError {
    TenantError::Http(format!("unexpected answer from {method} {path}: {e}"))
}
