//! How a patch is described (`key=value, …`), for `diff`, upgrades and reports. The patches
//! themselves are the code model's ([`crate::schema::codec::patch`]).

pub use crate::schema::codec::patch::{FieldPatch, SchemaPatch};

/// `key=value, …` for the keys a patch sets, from its JSON form (strings quoted, `none` for a
/// cleared value).
fn describe_json(v: &serde_json::Value) -> String {
    let Some(map) = v.as_object() else { return String::new() };
    map.iter()
        .map(|(k, v)| match v {
            serde_json::Value::Null => format!("{k}=none"),
            v => format!("{k}={v}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl SchemaPatch {
    pub fn describe(&self) -> String {
        describe_json(&self.to_json())
    }
}

impl FieldPatch {
    pub fn describe(&self) -> String {
        describe_json(&self.to_json())
    }
}
