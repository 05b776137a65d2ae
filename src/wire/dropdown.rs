//! Dropdowns in both API versions: v3 items, options and PATCH bodies; v2 `Dropdown` with
//! `archiveRecord`, v2 summaries and the v2 create body (also the v3 create body).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::{
    WireError, archive_reason, archive_record, as_arr, as_obj, no_nulls, only_keys, opt_bool, opt_str, req_str,
};
use crate::state::{Dropdown, DropdownOption};

/// A dropdown as `GET /api/v3/dropdown/items` and `/dropdown/{id}` return it; `options` is the
/// URI of its option collection under `base_url`.
pub fn dropdown_to_v3(d: &Dropdown, registry_id: &str, base_url: &str) -> Value {
    json!({
        "__typename": "Dropdown",
        "id": d.id,
        "name": d.name,
        "archived": d.archived,
        "archiveReason": archive_reason(d.archived),
        "options": format!("{base_url}/api/v3/dropdown/{}/options/items", d.id),
        "registry": { "__typename": "Registry", "id": registry_id },
    })
}

/// A v3 dropdown item back into a [`Dropdown`] without options (they are a separate list).
pub fn dropdown_from_v3(v: &Value) -> Result<Dropdown, WireError> {
    let m = as_obj(v, "dropdown")?;
    Ok(Dropdown {
        id: req_str(m, "id", "dropdown")?,
        name: req_str(m, "name", "dropdown")?,
        archived: opt_bool(m, "archived", "dropdown")?.unwrap_or(false),
        options: Vec::new(),
    })
}

/// An option as `GET /api/v3/dropdown/{id}/options/items` returns it.
pub fn option_to_v3(o: &DropdownOption) -> Value {
    json!({
        "__typename": "DropdownOption",
        "id": o.id,
        "name": o.name,
        "archived": o.archived,
        "archiveReason": archive_reason(o.archived),
    })
}

pub fn option_from_v3(v: &Value) -> Result<DropdownOption, WireError> {
    let m = as_obj(v, "option")?;
    Ok(DropdownOption {
        id: req_str(m, "id", "option")?,
        name: req_str(m, "name", "option")?,
        archived: opt_bool(m, "archived", "option")?.unwrap_or(false),
    })
}

/// The v2 `Dropdown` (`GET /api/v2/dropdowns/{id}`, `POST /api/v2/dropdowns`): every option,
/// archived ones included, each with `archiveRecord: {reason} | null`.
pub fn dropdown_to_v2(d: &Dropdown) -> Value {
    let options: Vec<Value> = d
        .options
        .iter()
        .map(|o| json!({ "id": o.id, "name": o.name, "archiveRecord": archive_record(o.archived) }))
        .collect();
    json!({ "id": d.id, "name": d.name, "archiveRecord": archive_record(d.archived), "options": options })
}

fn archived_v2(m: &Map<String, Value>) -> bool {
    m.get("archiveRecord").is_some_and(|r| !r.is_null())
}

pub fn dropdown_from_v2(v: &Value) -> Result<Dropdown, WireError> {
    let m = as_obj(v, "dropdown")?;
    let mut options = Vec::new();
    if let Some(list) = m.get("options").filter(|o| !o.is_null()) {
        for (i, o) in as_arr(list, "dropdown.options")?.iter().enumerate() {
            let at = format!("dropdown.options[{i}]");
            let om = as_obj(o, &at)?;
            options.push(DropdownOption {
                id: req_str(om, "id", &at)?,
                name: req_str(om, "name", &at)?,
                archived: archived_v2(om),
            });
        }
    }
    Ok(Dropdown {
        id: req_str(m, "id", "dropdown")?,
        name: req_str(m, "name", "dropdown")?,
        archived: archived_v2(m),
        options,
    })
}

/// A v2 `DropdownSummary` (`GET /api/v2/dropdowns`).
pub fn dropdown_summary_v2(d: &Dropdown) -> Value {
    json!({ "id": d.id, "name": d.name })
}

/// A v2 summary back into `(id, name)`.
pub fn dropdown_summary_from_v2(v: &Value) -> Result<(String, String), WireError> {
    let m = as_obj(v, "dropdown")?;
    Ok((req_str(m, "id", "dropdown")?, req_str(m, "name", "dropdown")?))
}

/// A parsed create body: `POST /api/v2/dropdowns` and `POST /api/v3/dropdown` share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropdownCreate {
    pub name: String,
    pub options: Vec<String>,
    pub registry_id: Option<String>,
}

/// `{name, options: [{name}], registryId}`, as liminal sends it to v2.
pub fn dropdown_create_body(name: &str, options: &[String], registry_id: &str) -> Value {
    let options: Vec<Value> = options.iter().map(|o| json!({ "name": o })).collect();
    json!({ "name": name, "options": options, "registryId": registry_id })
}

/// Parse a create body (`DropdownCreate`, `additionalProperties: false`): `name` and `options`
/// required, options are `{name}` only.
pub fn parse_dropdown_create(v: &Value) -> Result<DropdownCreate, WireError> {
    let at = "body";
    let m = as_obj(v, at)?;
    only_keys(m, &["name", "options", "registryId"], at)?;
    no_nulls(m, &[], at)?;
    let name = req_str(m, "name", at)?;
    let list = m.get("options").ok_or_else(|| WireError::new(at, "missing required key `options`"))?;
    let mut options = Vec::new();
    for (i, o) in as_arr(list, "body.options")?.iter().enumerate() {
        let oat = format!("body.options[{i}]");
        let om = as_obj(o, &oat)?;
        only_keys(om, &["name"], &oat)?;
        options.push(req_str(om, "name", &oat)?);
    }
    Ok(DropdownCreate { name, options, registry_id: opt_str(m, "registryId", at)? })
}

/// One item of a v3 PATCH `options` list: `{name}` creates an option, `{id, …}` keeps one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionInput {
    pub id: Option<String>,
    pub name: Option<String>,
    pub archived: Option<bool>,
    pub archive_reason: Option<String>,
}

/// A parsed `PATCH /api/v3/dropdown/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DropdownUpdate {
    pub name: Option<String>,
    pub archived: Option<bool>,
    pub archive_reason: Option<String>,
    /// The full ordered replacement list, when present.
    pub options: Option<Vec<OptionInput>>,
}

pub fn parse_dropdown_update(v: &Value) -> Result<DropdownUpdate, WireError> {
    let at = "body";
    let m = as_obj(v, at)?;
    only_keys(m, &["name", "archived", "archiveReason", "options"], at)?;
    no_nulls(m, &["archiveReason"], at)?;
    let options = match m.get("options") {
        None => None,
        Some(list) => {
            let mut items = Vec::new();
            for (i, o) in as_arr(list, "body.options")?.iter().enumerate() {
                let oat = format!("body.options[{i}]");
                let om = as_obj(o, &oat)?;
                only_keys(om, &["id", "name", "archived", "archiveReason"], &oat)?;
                no_nulls(om, &["archiveReason"], &oat)?;
                let item = OptionInput {
                    id: opt_str(om, "id", &oat)?,
                    name: opt_str(om, "name", &oat)?,
                    archived: opt_bool(om, "archived", &oat)?,
                    archive_reason: opt_str(om, "archiveReason", &oat)?,
                };
                if item.id.is_none() {
                    if item.name.is_none() {
                        return Err(WireError::new(oat, "a new option needs `name`"));
                    }
                    if item.archived == Some(true) {
                        return Err(WireError::new(oat, "a new option cannot be archived"));
                    }
                }
                items.push(item);
            }
            Some(items)
        }
    };
    Ok(DropdownUpdate {
        name: opt_str(m, "name", at)?,
        archived: opt_bool(m, "archived", at)?,
        archive_reason: opt_str(m, "archiveReason", at)?,
        options,
    })
}

/// The minimal v3 PATCH body from `before` to `after` (same dropdown): `name` when renamed,
/// `archived` (+ `archiveReason`) when (un)archived, and the whole ordered `options` list when
/// anything about the options changed, as liminal sends it: a new option (id unknown to
/// `before`) is `{name}`, an existing one `{name, id, archived: false}` or
/// `{name, id, archiveReason, archived: true}`. Empty object when nothing changed.
pub fn dropdown_update_body(before: &Dropdown, after: &Dropdown) -> Value {
    let mut m = Map::new();
    if before.name != after.name {
        m.insert("name".into(), json!(after.name));
    }
    if before.archived != after.archived {
        m.insert("archived".into(), json!(after.archived));
        if after.archived {
            m.insert("archiveReason".into(), json!(super::ARCHIVE_REASON));
        }
    }
    if before.options != after.options {
        let known: HashSet<&str> = before.options.iter().map(|b| b.id.as_str()).collect();
        let options: Vec<Value> = after
            .options
            .iter()
            .map(|o| {
                if known.contains(o.id.as_str()) {
                    if o.archived {
                        json!({ "name": o.name, "id": o.id, "archiveReason": super::ARCHIVE_REASON, "archived": true })
                    } else {
                        json!({ "name": o.name, "id": o.id, "archived": false })
                    }
                } else {
                    json!({ "name": o.name })
                }
            })
            .collect();
        m.insert("options".into(), json!(options));
    }
    Value::Object(m)
}
