//! Field definitions of a schema: the list, `:set-field-definitions` and its async task.
//!
//! `:set-field-definitions` takes the **complete ordered list** (benchling-api.md §5.2, liminal's
//! docstrings): an item with `id` updates that field (a change of type included: liminal turns
//! `ENTITY_LINK` into `CUSTOM_ENTITY_LINK` this way); an item without `id` creates a field; the
//! list order is the stored order; an item without `archived` is active. 400 when an existing
//! field is left out, an id is unknown or repeated, or two items share a `name` or `systemName`.
//!
//! Further checks, chosen where Benchling's behaviour is unknown but liminal says or implies
//! Benchling enforces them: link targets, dropdowns and units must exist; a typed link
//! (`CUSTOM_ENTITY_LINK`, `DNA_PART_LINK`, …) must target a schema of that type, `ENTITY_LINK`
//! may target any non-entry schema; a unit cannot change once set; a field in the uniqueness
//! constraint cannot be archived; JSON fields cannot be created. Any change of type is allowed
//! (which ones Benchling allows is unknown); properties the new type does not have are dropped by
//! the input rules themselves. Validation errors are synchronous 400s, not failed tasks. The
//! change is applied when the task starts, so reads see it even while the task still answers
//! `IN_PROGRESS`.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::http::{ApiError, Reply, Req};
use super::paging;
use super::schemas::check_system_name;
use super::store::{Inner, Task};
use crate::schema::rules::{self, FieldName, FieldTypeProblem};
use crate::schema::{EntityType, FieldType};
use crate::state::{Schema, TenantState};
use crate::wire::{self, BenchlingFieldType, BenchlingNames, FieldInput, TaskLink, TaskStatus};

/// `GET …/{id}/field-definitions/items` (unpaginated; `archived.anyOf` filters).
pub(crate) fn list(state: &TenantState, schema: usize, req: &Req) -> Result<Reply, ApiError> {
    let archived = paging::archived_filter(req)?;
    let items: Vec<Value> = state.schemas[schema]
        .fields
        .iter()
        .filter(|f| archived(f.archived))
        .map(|f| wire::field_to_v3(state, f))
        .collect();
    Ok(Reply::ok(json!({ "items": items })))
}

/// The input type a link to a schema of type `t` must have, for the typed link types.
fn typed_link_matches(input_type: BenchlingFieldType, t: EntityType) -> bool {
    use BenchlingFieldType as B;
    match input_type {
        B::EntityLink | B::TranslationLink | B::TranscriptionLink => true,
        B::DnaPartLink => t == EntityType::DnaSequence,
        B::RnaPartLink => t == EntityType::RnaSequence,
        other => B::link_to(t) == Some(other),
    }
}

/// Checks shared by schema create and `:set-field-definitions` on a schema of type `t`; `schema`
/// is the schema being changed (None on create).
pub(crate) fn check_items(
    state: &TenantState,
    t: EntityType,
    schema: Option<&Schema>,
    items: &[FieldInput],
) -> Result<(), ApiError> {
    for (i, item) in items.iter().enumerate() {
        let f = &item.field;
        let at = format!("fieldDefinitions[{i}]");
        check_system_name(&f.warehouse_name, "field")?;
        let earlier = items[..i].iter().map(|e| ((), (e.field.name.as_str(), e.field.warehouse_name.as_str())));
        match rules::field_name_clash(earlier, Some(&f.name), Some(&f.warehouse_name)) {
            Some(((), FieldName::Name)) => {
                return Err(ApiError::bad_request(format!("{at}: two fields are named `{}`", f.name)));
            }
            Some(((), FieldName::WarehouseName)) => {
                return Err(ApiError::bad_request(format!("{at}: two fields have systemName `{}`", f.warehouse_name)));
            }
            None => {}
        }
        // Only JSON is refused here, and only on create: the emulator leaves the other type rules
        // to the client (where Benchling stands on them is not known).
        if item.id.is_none() && rules::field_type_problem(t, f.field_type) == Some(FieldTypeProblem::Json) {
            return Err(ApiError::bad_request(format!("{at}: JSON fields cannot be created on entity schemas")));
        }
        match (&f.link, f.field_type) {
            (Some(id), FieldType::Dropdown) => {
                if state.dropdown_by_id(id).is_none() {
                    return Err(ApiError::bad_request(format!("{at}: dropdown `{id}` does not exist")));
                }
            }
            (Some(id), _) => {
                let target = state
                    .schema_by_id(id)
                    .ok_or_else(|| ApiError::bad_request(format!("{at}: linked schema `{id}` does not exist")))?;
                if !rules::may_link_to(target.entity_type) {
                    return Err(ApiError::bad_request(format!("{at}: a field cannot link to entry schema `{id}`")));
                }
                if !typed_link_matches(item.input_type, target.entity_type) {
                    return Err(ApiError::bad_request(format!(
                        "{at}: a {} field cannot link to `{id}`, a {} schema",
                        item.input_type, target.entity_type
                    )));
                }
            }
            (None, _) => {}
        }
        if let Some(unit) = &f.unit
            && state.unit_by_id(unit).is_none()
        {
            return Err(ApiError::bad_request(format!("{at}: unit `{unit}` does not exist")));
        }
        if let (Some(id), Some(schema)) = (&item.id, schema)
            && let Some(old) = schema.fields.iter().find(|o| &o.id == id)
            && f.field_type.is_numeric()
            && rules::unit_change_refused(old.unit.as_deref(), f.unit.as_deref())
        {
            return Err(ApiError::bad_request(format!(
                "{at}: the unit of field `{}` cannot be changed once set",
                old.warehouse_name
            )));
        }
    }
    Ok(())
}

/// `POST …/{id}:set-field-definitions` → 202 `{taskId, pollingUri}`.
pub(crate) fn set(inner: &mut Inner, t: EntityType, schema: usize, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json()?;
    let m = body.as_object().ok_or_else(|| ApiError::bad_request("the body must be an object"))?;
    if let Some(k) = m.keys().find(|k| *k != "fieldDefinitions") {
        return Err(ApiError::bad_request(format!("unknown key `{k}`; allowed: fieldDefinitions")));
    }
    let list = m
        .get("fieldDefinitions")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("`fieldDefinitions` must be an array of field definitions"))?;
    let items = list
        .iter()
        .enumerate()
        .map(|(i, v)| wire::parse_field_input(v, &format!("fieldDefinitions[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let current = &inner.state.schemas[schema];
    let mut listed = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(id) = &item.id {
            if !current.fields.iter().any(|f| &f.id == id) {
                return Err(ApiError::bad_request(format!(
                    "fieldDefinitions[{i}]: `{id}` is not a field of schema `{}`",
                    current.id
                )));
            }
            if !listed.insert(id.as_str()) {
                return Err(ApiError::bad_request(format!("fieldDefinitions[{i}]: field `{id}` is listed twice")));
            }
        }
    }
    let missing: Vec<&str> =
        current.fields.iter().filter(|f| !listed.contains(f.id.as_str())).map(|f| f.id.as_str()).collect();
    if !missing.is_empty() {
        return Err(ApiError::bad_request(format!(
            "set-field-definitions must list every existing field, archived ones included; missing: {}",
            missing.join(", ")
        )));
    }
    check_items(&inner.state, t, Some(current), &items)?;
    for (i, item) in items.iter().enumerate() {
        let f = &item.field;
        let from = item.id.as_ref().and_then(|id| current.fields.iter().find(|o| &o.id == id));
        let at = format!("fieldDefinitions[{i}]");
        let from = from.map(|o| o.warehouse_name.as_str());
        super::schemas::check_warehouse_rule(
            &inner.state,
            &current.warehouse_name,
            &at,
            &f.name,
            from,
            &f.warehouse_name,
        )?;
    }
    for item in items.iter().filter(|i| i.field.archived) {
        if let Some(id) = &item.id
            && rules::constraint_blocks_archive(&current.constraint, id)
        {
            return Err(ApiError::bad_request(format!(
                "field `{}` is part of the schema's uniqueness constraint and cannot be archived",
                item.field.warehouse_name
            )));
        }
    }

    inner.task_counter += 1;
    let task_id = format!("{:032x}", inner.task_counter);
    let family = t.endpoint().to_string();
    let schema_id = current.id.clone();
    let pending_polls = inner.faults.tasks_in_progress;
    let task = if inner.faults.tasks_fail {
        Task {
            family: family.clone(),
            pending_polls,
            status: TaskStatus::Failed,
            message: "set-field-definitions failed (injected fault); nothing was changed".into(),
            result: Value::Null,
        }
    } else {
        let mut fields = Vec::with_capacity(items.len());
        for item in items {
            let mut f = item.field;
            if item.id.is_none() {
                f.id = inner.state.new_id("tsf_");
            }
            fields.push(f);
        }
        inner.state.schemas[schema].fields = fields;
        inner.dirty = true;
        let s = &inner.state.schemas[schema];
        let outputs: Vec<Value> = s.fields.iter().map(|f| wire::field_to_v3(&inner.state, f)).collect();
        Task {
            family: family.clone(),
            pending_polls,
            status: TaskStatus::Completed,
            message: String::new(),
            result: json!({ "schemaId": schema_id, "fieldDefinitions": outputs }),
        }
    };
    inner.tasks.insert(task_id.clone(), task);
    let link = TaskLink {
        polling_uri: format!("{}/api/v3/tasks/{family}/set-field-definitions/{task_id}", super::BASE_URL),
        task_id,
    };
    Ok(Reply::with_status(StatusCode::ACCEPTED, wire::task_link(&link)))
}

/// `GET /api/v3/tasks/{T}-schema/set-field-definitions/{taskId}`.
pub(crate) fn task(inner: &mut Inner, family: &str, task_id: &str) -> Result<Reply, ApiError> {
    let task = inner
        .tasks
        .get_mut(task_id)
        .filter(|t| t.family == family)
        .ok_or_else(|| ApiError::not_found(format!("no {family} task `{task_id}`")))?;
    if task.pending_polls > 0 {
        task.pending_polls -= 1;
        return Ok(Reply::ok(wire::task_json(TaskStatus::InProgress, "", Value::Null)));
    }
    Ok(Reply::ok(wire::task_json(task.status, &task.message, task.result.clone())))
}
