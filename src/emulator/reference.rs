//! The tenant's fixed reference data: the one registry (`/api/v2/registries`) and the unit
//! dictionary (`/api/v2-alpha/unit-types`).

use super::http::{ApiError, Reply, Req};
use super::paging;
use crate::state::TenantState;
use crate::wire;

/// `GET /api/v2/registries` (not paginated).
pub(crate) fn registries(state: &TenantState) -> Reply {
    Reply::ok(wire::registries_to_v2(&state.registry))
}

/// `GET /api/v2/registries/{id}`.
pub(crate) fn registry(state: &TenantState, id: &str) -> Result<Reply, ApiError> {
    if id != state.registry.id {
        return Err(ApiError::not_found(format!("no registry with id `{id}`")));
    }
    let mut list = wire::registries_to_v2(&state.registry);
    let one = list.get_mut("registries").and_then(|r| r.get_mut(0)).map(serde_json::Value::take);
    Ok(Reply::ok(one.unwrap_or_default()))
}

/// `GET /api/v2-alpha/unit-types`: every unit under one unit type, in one page (the paging
/// parameters are still checked).
pub(crate) fn unit_types(state: &TenantState, req: &Req) -> Result<Reply, ApiError> {
    paging::page(req)?;
    Ok(Reply::ok(wire::unit_types_to_v2(&state.units)))
}
