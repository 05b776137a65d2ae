//! The one mapping between [`TenantState`](crate::state::TenantState) and Benchling's JSON.
//!
//! Both sides of the wire use it: the emulator turns state into responses and request bodies
//! into parsed requests; the HTTP backend turns responses into state and state into request
//! bodies. What a parsed PATCH then does to the stored state is Benchling's behaviour, emulated
//! in `crate::emulator::update`, not part of the mapping.
//! Everything here is a pure function over `serde_json::Value`: no I/O, no clock, no ids minted
//! (callers pass ids in), so the same input always gives the same JSON.
//!
//! Shapes follow what liminal-orm 5.1.0 sends and accepts (`shared/reference/benchling-api.md`
//! §2.6, §4.1; the traces in `shared/reference/wire/`). Two kinds of parser live here:
//! - *output* parsers (`*_from_v3`, `*_from_v2`) read what Benchling answers; they are lenient
//!   and ignore keys they do not know, as liminal's pydantic models do;
//! - *input* parsers (`parse_*`) read request bodies; they are strict (unknown keys, wrong types
//!   and nulls are errors) because Benchling's input schemas are `additionalProperties: false`.
//!
//! Benchling's own words (a schema family's path segment and `__typename`, its field types) are
//! in `names` ([`BenchlingNames`], [`BenchlingFieldType`]), mapped there once to the code model's.
//!
//! What [`TenantState`](crate::state::TenantState) does not keep is rendered with a fixed value:
//! timestamps are [`TIMESTAMP`], archive reasons are [`ARCHIVE_REASON`], `numericMin/Max` are
//! null. Our state has no place for them and liminal never compares them.

mod dropdown;
mod field;
mod misc;
mod names;
mod schema;

use serde_json::{Map, Value};

pub use dropdown::{
    DropdownCreate, DropdownUpdate, OptionInput, dropdown_create_body, dropdown_from_v2, dropdown_from_v3,
    dropdown_summary_from_v2, dropdown_summary_v2, dropdown_to_v2, dropdown_to_v3, dropdown_update_body,
    option_from_v3, option_to_v3, parse_dropdown_create, parse_dropdown_update,
};
pub use field::{
    FieldInput, field_from_v3, field_input, field_input_type, field_to_v3, field_typename, parse_field_input,
};
pub use misc::{
    TaskLink, TaskStatus, UNIT_TYPE_ID, error_message, list_items, next_token, parse_task_link, parse_task_status,
    parse_token_response, polling_path, registries_from_v2, registries_to_v2, task_json, task_link, token_response,
    unit_types_to_v2, units_from_v2, v2_error, v3_problem,
};
pub use names::{BenchlingFieldType, BenchlingNames};
pub use schema::{
    NameTemplateInput, ParsedSchema, SchemaCreate, SchemaUpdate, create_schema_body, parse_schema_create,
    parse_schema_update, schema_from_v3, schema_to_v3, schema_update_body,
};

/// `createdAt` / `modifiedAt` on everything we render: the state keeps no timestamps.
pub const TIMESTAMP: &str = "2024-01-01T00:00:00.000000+00:00";

/// The archive reason rendered for archived items. Liminal always archives with this reason,
/// and the state keeps only a flag.
pub const ARCHIVE_REASON: &str = "Made in error";

/// A body did not have the expected shape. `at` is a JSON-pointer-like path into the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct WireError {
    pub at: String,
    pub message: String,
}

impl WireError {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> WireError {
        WireError { at: at.into(), message: message.into() }
    }
}

// ---- small JSON accessors shared by the submodules ----

pub(crate) fn as_obj<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, WireError> {
    v.as_object().ok_or_else(|| WireError::new(at, format!("expected an object, found {}", kind(v))))
}

pub(crate) fn as_arr<'a>(v: &'a Value, at: &str) -> Result<&'a Vec<Value>, WireError> {
    v.as_array().ok_or_else(|| WireError::new(at, format!("expected an array, found {}", kind(v))))
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn key_at(at: &str, key: &str) -> String {
    format!("{at}.{key}")
}

/// A required string.
pub(crate) fn req_str(m: &Map<String, Value>, key: &str, at: &str) -> Result<String, WireError> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(WireError::new(key_at(at, key), format!("expected a string, found {}", kind(v)))),
        None => Err(WireError::new(at, format!("missing required key `{key}`"))),
    }
}

/// An optional string; null counts as absent.
pub(crate) fn opt_str(m: &Map<String, Value>, key: &str, at: &str) -> Result<Option<String>, WireError> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Null) | None => Ok(None),
        Some(v) => Err(WireError::new(key_at(at, key), format!("expected a string, found {}", kind(v)))),
    }
}

/// An optional boolean; null counts as absent.
pub(crate) fn opt_bool(m: &Map<String, Value>, key: &str, at: &str) -> Result<Option<bool>, WireError> {
    match m.get(key) {
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Null) | None => Ok(None),
        Some(v) => Err(WireError::new(key_at(at, key), format!("expected a boolean, found {}", kind(v)))),
    }
}

/// An optional non-negative integer; null counts as absent.
pub(crate) fn opt_u64(m: &Map<String, Value>, key: &str, at: &str) -> Result<Option<u64>, WireError> {
    match m.get(key) {
        Some(Value::Null) | None => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| WireError::new(key_at(at, key), format!("expected a non-negative integer, found {v}"))),
    }
}

/// Input bodies are `additionalProperties: false`: name the first key that is not allowed.
pub(crate) fn only_keys(m: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), WireError> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(WireError::new(at, format!("unknown key `{k}`; allowed: {}", allowed.join(", ")))),
        None => Ok(()),
    }
}

/// Benchling rejects nulls in input bodies except where a key is explicitly nullable.
pub(crate) fn no_nulls(m: &Map<String, Value>, nullable: &[&str], at: &str) -> Result<(), WireError> {
    match m.iter().find(|(k, v)| v.is_null() && !nullable.contains(&k.as_str())) {
        Some((k, _)) => Err(WireError::new(key_at(at, k), "null is not allowed here; leave the key out")),
        None => Ok(()),
    }
}

pub(crate) fn archive_reason(archived: bool) -> Value {
    if archived { Value::from(ARCHIVE_REASON) } else { Value::Null }
}

pub(crate) fn archive_record(archived: bool) -> Value {
    if archived { serde_json::json!({ "reason": ARCHIVE_REASON }) } else { Value::Null }
}

#[cfg(test)]
mod tests;
