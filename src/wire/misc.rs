//! The small shapes: registries, units, paging tokens, OAuth tokens, async tasks, error bodies.

use serde_json::{Value, json};

use super::{WireError, as_arr, as_obj, opt_str, opt_u64, req_str};
use crate::state::{Registry, Unit};

/// `GET /api/v2/registries` (not paginated): the tenant's one registry, owned by its
/// organization. liminal asserts there is exactly one and uses `id` and `owner.id`.
pub fn registries_to_v2(r: &Registry) -> Value {
    json!({
        "registries": [{
            "id": r.id,
            "name": r.name,
            "modifiedAt": super::TIMESTAMP,
            "owner": { "id": r.organization_id, "name": r.name, "handle": r.organization_id },
        }]
    })
}

pub fn registries_from_v2(v: &Value) -> Result<Vec<Registry>, WireError> {
    let m = as_obj(v, "body")?;
    let list = m.get("registries").ok_or_else(|| WireError::new("body", "missing key `registries`"))?;
    as_arr(list, "body.registries")?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let at = format!("body.registries[{i}]");
            let rm = as_obj(r, &at)?;
            let owner = rm.get("owner").ok_or_else(|| WireError::new(&at, "missing key `owner`"))?;
            Ok(Registry {
                id: req_str(rm, "id", &at)?,
                name: req_str(rm, "name", &at)?,
                organization_id: req_str(as_obj(owner, &format!("{at}.owner"))?, "id", &at)?,
            })
        })
        .collect()
}

/// The id of the one unit type the state's units are listed under (the state does not group
/// units by dimension; liminal reads only `units[].{id,name}` of the first page).
pub const UNIT_TYPE_ID: &str = "unittype_all";

/// `GET /api/v2-alpha/unit-types`: one unit type holding every unit, then `nextToken: ""`.
pub fn unit_types_to_v2(units: &[Unit]) -> Value {
    let units: Vec<Value> = units.iter().map(|u| json!({ "id": u.id, "name": u.name, "symbol": u.symbol })).collect();
    json!({ "unitTypes": [{ "id": UNIT_TYPE_ID, "name": "Units", "units": units }], "nextToken": "" })
}

/// Every unit of a unit-types page, in order.
pub fn units_from_v2(v: &Value) -> Result<Vec<Unit>, WireError> {
    let m = as_obj(v, "body")?;
    let list = m.get("unitTypes").ok_or_else(|| WireError::new("body", "missing key `unitTypes`"))?;
    let mut out = Vec::new();
    for (i, t) in as_arr(list, "body.unitTypes")?.iter().enumerate() {
        let at = format!("body.unitTypes[{i}]");
        let Some(units) = as_obj(t, &at)?.get("units").filter(|u| !u.is_null()) else { continue };
        for (j, u) in as_arr(units, &format!("{at}.units"))?.iter().enumerate() {
            let uat = format!("{at}.units[{j}]");
            let um = as_obj(u, &uat)?;
            out.push(Unit {
                id: req_str(um, "id", &uat)?,
                name: req_str(um, "name", &uat)?,
                symbol: opt_str(um, "symbol", &uat)?,
            });
        }
    }
    Ok(out)
}

/// The items of a list response: under `key` (`items` in v3, `dropdowns`, `entitySchemas`… in
/// v2), or the body itself when it is a bare array (liminal accepts both).
pub fn list_items<'a>(body: &'a Value, key: &str) -> Result<&'a Vec<Value>, WireError> {
    if let Some(list) = body.as_array() {
        return Ok(list);
    }
    let m = as_obj(body, "body")?;
    let list = m.get(key).ok_or_else(|| WireError::new("body", format!("missing key `{key}`")))?;
    as_arr(list, &format!("body.{key}"))
}

/// The next page's token of a list response; `None` at the end. Benchling documents `""` for
/// the end of v2 lists; liminal also stops on null or absent, and so do we.
pub fn next_token(v: &Value) -> Option<String> {
    v.get("nextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string)
}

/// The body of `POST /api/v2/token`.
pub fn token_response(access_token: &str, expires_in: u64) -> Value {
    json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": expires_in })
}

/// `(access_token, expires_in seconds)`; `token_type` must be `Bearer` (the v2 SDK asserts it).
pub fn parse_token_response(v: &Value) -> Result<(String, u64), WireError> {
    let m = as_obj(v, "token")?;
    let kind = req_str(m, "token_type", "token")?;
    if !kind.eq_ignore_ascii_case("bearer") {
        return Err(WireError::new("token.token_type", format!("expected `Bearer`, found `{kind}`")));
    }
    let expires = opt_u64(m, "expires_in", "token")?.unwrap_or(900);
    Ok((req_str(m, "access_token", "token")?, expires))
}

/// The 202 body of `:set-field-definitions` (`AsyncTaskLink`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLink {
    pub task_id: String,
    pub polling_uri: String,
}

pub fn task_link(link: &TaskLink) -> Value {
    json!({ "taskId": link.task_id, "pollingUri": link.polling_uri })
}

pub fn parse_task_link(v: &Value) -> Result<TaskLink, WireError> {
    let m = as_obj(v, "task")?;
    Ok(TaskLink { task_id: req_str(m, "taskId", "task")?, polling_uri: req_str(m, "pollingUri", "task")? })
}

/// The path (and query) of a polling URI, to join to the client's own base URL: Benchling
/// answers with an absolute `https://<tenant>.benchling.com/…` URI, which must not be followed
/// as is when the client talks to another host (the emulator, a proxy).
pub fn polling_path(uri: &str) -> String {
    match uri.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        None if uri.starts_with('/') => uri.to_string(),
        None => format!("/{uri}"),
    }
}

/// The state of an async task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Completed,
    /// `FAILED`, and the `FAILURE` / `CANCELLED` spellings liminal also treats as failures.
    Failed,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "NOT_STARTED",
            TaskStatus::InProgress => "IN_PROGRESS",
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Failed => "FAILED",
        }
    }
}

/// `GET /api/v3/tasks/…`: `{status, message, result}`.
pub fn task_json(status: TaskStatus, message: &str, result: Value) -> Value {
    json!({ "status": status.as_str(), "message": message, "result": result })
}

/// `(status, message)` of a task body.
pub fn parse_task_status(v: &Value) -> Result<(TaskStatus, String), WireError> {
    let m = as_obj(v, "task")?;
    let status = match req_str(m, "status", "task")?.as_str() {
        "NOT_STARTED" => TaskStatus::NotStarted,
        "IN_PROGRESS" | "RUNNING" => TaskStatus::InProgress,
        "COMPLETED" | "SUCCEEDED" => TaskStatus::Completed,
        "FAILED" | "FAILURE" | "CANCELLED" => TaskStatus::Failed,
        other => return Err(WireError::new("task.status", format!("unknown task status `{other}`"))),
    };
    Ok((status, opt_str(m, "message", "task")?.unwrap_or_default()))
}

/// The v2 error envelope: `{"error": {type, message, userMessage}}`.
pub fn v2_error(kind: &str, message: &str) -> Value {
    json!({ "error": { "type": kind, "message": message, "userMessage": message } })
}

/// The v3 `application/problem+json` `GeneralError`.
pub fn v3_problem(status: u16, title: &str, detail: &str, instance: &str) -> Value {
    json!({
        "type": format!("https://docs.benchling.com/problems/{status}"),
        "title": title,
        "detail": detail,
        "status": status,
        "instance": instance,
    })
}

/// The human message of an error body of either version (v2 `error.message`, v3 `detail` or
/// `title`); `None` when the body is neither.
pub fn error_message(body: &Value) -> Option<String> {
    if let Some(e) = body.get("error") {
        return e
            .get("message")
            .or_else(|| e.get("userMessage"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| e.as_str().map(str::to_string));
    }
    match body.get("detail") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(d) if !d.is_null() => Some(d.to_string()),
        _ => body.get("title").and_then(Value::as_str).map(str::to_string),
    }
}
