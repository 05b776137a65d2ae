//! Dropdowns: v2 `/api/v2/dropdowns` (list, create, get) and v3 `/api/v3/dropdown` (list, get,
//! create, PATCH, options).
//!
//! Choices where Benchling's behaviour is unknown: the v2 list **includes archived dropdowns**
//! (liminal's "CreateDropdown ⇒ unarchive if it exists archived" path needs it); a dropdown
//! name clash on create or rename is a 409; options left out of a v3 PATCH `options` list are
//! archived, not deleted (see [`super::update::apply_dropdown_update`]); archiving a dropdown that
//! fields still use is allowed.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::BASE_URL;
use super::http::{ApiError, Reply, Req};
use super::paging;
use super::store::Inner;
use crate::schema::rules;
use crate::state::{Dropdown, DropdownOption, TenantState};
use crate::wire;

fn index(state: &TenantState, id: &str) -> Result<usize, ApiError> {
    state
        .dropdowns
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no dropdown with id `{id}`")))
}

fn check_name_free(state: &TenantState, skip: Option<&str>, name: &str) -> Result<(), ApiError> {
    let others = state.dropdowns.iter().filter(|d| Some(d.id.as_str()) != skip).map(|d| (d, d.name.as_str()));
    match rules::dropdown_name_clash(others, name) {
        Some(d) => Err(ApiError::conflict(format!("a dropdown named `{name}` already exists ({})", d.id))),
        None => Ok(()),
    }
}

/// `GET /api/v2/dropdowns`: summaries of every dropdown, archived ones included, paged.
pub(crate) fn list_v2(state: &TenantState, req: &Req) -> Result<Reply, ApiError> {
    let page = paging::page(req)?;
    let total = state.dropdowns.len();
    let (items, next) = paging::slice(state.dropdowns.iter().collect(), &page);
    let items: Vec<Value> = items.into_iter().map(wire::dropdown_summary_v2).collect();
    let mut reply = Reply::ok(json!({ "dropdowns": items, "nextToken": next }));
    reply.headers.push(("result-count", total.to_string()));
    Ok(reply)
}

pub(crate) fn get_v2(state: &TenantState, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::ok(wire::dropdown_to_v2(&state.dropdowns[index(state, id)?])))
}

/// `POST /api/v2/dropdowns` → **200** `Dropdown` (v2 creates answer 200).
pub(crate) fn create_v2(inner: &mut Inner, req: &Req) -> Result<Reply, ApiError> {
    let d = create(inner, req)?;
    Ok(Reply::ok(wire::dropdown_to_v2(&d)))
}

/// `POST /api/v3/dropdown` → 201.
pub(crate) fn create_v3(inner: &mut Inner, req: &Req) -> Result<Reply, ApiError> {
    let d = create(inner, req)?;
    Ok(Reply::with_status(StatusCode::CREATED, wire::dropdown_to_v3(&d, &inner.state.registry.id, BASE_URL)))
}

fn create(inner: &mut Inner, req: &Req) -> Result<Dropdown, ApiError> {
    let c = wire::parse_dropdown_create(&req.json()?)?;
    let state = &mut inner.state;
    if let Some(r) = &c.registry_id
        && r != &state.registry.id
    {
        return Err(ApiError::bad_request(format!(
            "registryId `{r}` is not this tenant's registry `{}`",
            state.registry.id
        )));
    }
    if rules::blank(&c.name) {
        return Err(ApiError::bad_request("a dropdown needs a non-empty name"));
    }
    check_name_free(state, None, &c.name)?;
    if let Some(o) = rules::first_repeated(c.options.iter().map(String::as_str)) {
        return Err(ApiError::bad_request(format!("option `{o}` is listed twice")));
    }
    let id = state.new_id("sfs_");
    let options =
        c.options.into_iter().map(|name| DropdownOption { id: state.new_id("sfso_"), name, archived: false }).collect();
    let d = Dropdown { id, name: c.name, archived: false, options };
    state.dropdowns.push(d.clone());
    inner.dirty = true;
    Ok(d)
}

/// `GET /api/v3/dropdown/items`.
pub(crate) fn list_v3(state: &TenantState, req: &Req) -> Result<Reply, ApiError> {
    let archived = paging::archived_filter(req)?;
    let identity = paging::identity_filter(req);
    let page = paging::page(req)?;
    let matching: Vec<&Dropdown> =
        state.dropdowns.iter().filter(|d| archived(d.archived) && identity(&d.id, &d.name)).collect();
    let (items, next) = paging::slice(matching, &page);
    let items: Vec<Value> = items.into_iter().map(|d| wire::dropdown_to_v3(d, &state.registry.id, BASE_URL)).collect();
    Ok(Reply::ok(json!({ "items": items, "nextToken": next })))
}

pub(crate) fn get_v3(state: &TenantState, id: &str) -> Result<Reply, ApiError> {
    Ok(Reply::ok(wire::dropdown_to_v3(&state.dropdowns[index(state, id)?], &state.registry.id, BASE_URL)))
}

/// `GET /api/v3/dropdown/{id}/options/items` (unpaginated; `archived.anyOf` filters).
pub(crate) fn options_v3(state: &TenantState, id: &str, req: &Req) -> Result<Reply, ApiError> {
    let archived = paging::archived_filter(req)?;
    let d = &state.dropdowns[index(state, id)?];
    let items: Vec<Value> = d.options.iter().filter(|o| archived(o.archived)).map(wire::option_to_v3).collect();
    Ok(Reply::ok(json!({ "items": items })))
}

/// `PATCH /api/v3/dropdown/{id}`: `name`, `archived`/`archiveReason`, `options` replacement.
pub(crate) fn patch_v3(inner: &mut Inner, id: &str, req: &Req) -> Result<Reply, ApiError> {
    let i = index(&inner.state, id)?;
    let u = wire::parse_dropdown_update(&req.json()?)?;
    if let Some(name) = &u.name {
        if rules::blank(name) {
            return Err(ApiError::bad_request("a dropdown needs a non-empty name"));
        }
        check_name_free(&inner.state, Some(id), name)?;
    }
    let mut d = inner.state.dropdowns[i].clone();
    let state = &mut inner.state;
    super::update::apply_dropdown_update(&mut d, &u, &mut || state.new_id("sfso_"))?;
    inner.state.dropdowns[i] = d;
    inner.dirty = true;
    Ok(Reply::ok(wire::dropdown_to_v3(&inner.state.dropdowns[i], &inner.state.registry.id, BASE_URL)))
}
