//! Operation payloads as JSON-shaped values: `update_schema`'s and `update_field`'s changes,
//! read and written through the code model's codec ([`crate::schema::codec`]), which also holds
//! the schema, field and template payloads.

use serde_json::{Map, Value, json};

use super::{FieldPatch, SchemaPatch};
use crate::schema::codec::Shape;
use crate::schema::codec::json::{
    Reader, ValueError, mixture_from_json, mixture_to_json, naming_from_json, naming_to_json, opt_json, set_to_json,
};

impl SchemaPatch {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(v) = &self.name {
            m.insert("name".into(), json!(v));
        }
        if let Some(v) = &self.warehouse_name {
            m.insert("warehouse_name".into(), json!(v));
        }
        if let Some(v) = &self.prefix {
            m.insert("prefix".into(), json!(v));
        }
        if let Some(v) = &self.entity_type {
            m.insert("entity_type".into(), json!(v.as_str()));
        }
        if let Some(v) = &self.naming_strategies {
            m.insert("naming_strategies".into(), naming_to_json(v));
        }
        if let Some(v) = self.use_registry_id_as_label {
            m.insert("use_registry_id_as_label".into(), json!(v));
        }
        if let Some(v) = self.include_registry_id_in_chips {
            m.insert("include_registry_id_in_chips".into(), json!(v));
        }
        if let Some(v) = &self.constraint_fields {
            m.insert("constraint_fields".into(), set_to_json(v));
        }
        if let Some(v) = self.show_bases_in_expanded_view {
            m.insert("show_bases_in_expanded_view".into(), json!(v));
        }
        if let Some(v) = &self.mixture_schema_config {
            m.insert("mixture_schema_config".into(), v.as_ref().map_or(Value::Null, mixture_to_json));
        }
        Value::Object(m)
    }

    pub fn from_json(v: &Value) -> Result<SchemaPatch, ValueError> {
        let r = Reader::new(Shape::SchemaUpdate, v)?;
        let mut p = SchemaPatch {
            name: r.opt_str("name")?,
            warehouse_name: r.opt_str("warehouse_name")?,
            prefix: r.opt_str("prefix")?,
            entity_type: r.enum_value("entity_type")?,
            naming_strategies: None,
            use_registry_id_as_label: r.bool("use_registry_id_as_label")?,
            include_registry_id_in_chips: r.bool("include_registry_id_in_chips")?,
            constraint_fields: r.strings("constraint_fields")?.map(|v| v.into_iter().collect()),
            show_bases_in_expanded_view: r.bool("show_bases_in_expanded_view")?,
            mixture_schema_config: None,
        };
        if let Some(n) = r.raw("naming_strategies") {
            p.naming_strategies = Some(naming_from_json(n)?);
        }
        if let Some(m) = r.raw("mixture_schema_config") {
            p.mixture_schema_config = Some(mixture_from_json(m)?);
        }
        if p.is_empty() {
            return Err(ValueError {
                key: None,
                message: "update_schema changes nothing".into(),
                help: "name at least one key to change, e.g. #{ name: \"New name\" }".into(),
            });
        }
        Ok(p)
    }
}

impl FieldPatch {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(v) = &self.name {
            m.insert("name".into(), json!(v));
        }
        if let Some(v) = &self.warehouse_name {
            m.insert("warehouse_name".into(), json!(v));
        }
        if let Some(v) = &self.field_type {
            m.insert("type".into(), json!(v.as_str()));
        }
        for (k, v) in [("required", self.required), ("is_multi", self.is_multi), ("parent_link", self.parent_link)] {
            if let Some(v) = v {
                m.insert(k.into(), json!(v));
            }
        }
        for (k, v) in [
            ("dropdown", &self.dropdown),
            ("entity_link", &self.entity_link),
            ("tooltip", &self.tooltip),
            ("unit", &self.unit),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), opt_json(v.clone()));
            }
        }
        if let Some(v) = self.decimal_places {
            m.insert("decimal_places".into(), opt_json(v));
        }
        Value::Object(m)
    }

    pub fn from_json(v: &Value) -> Result<FieldPatch, ValueError> {
        let r = Reader::new(Shape::FieldUpdate, v)?;
        let nullable = |k: &str| -> Result<Option<Option<String>>, ValueError> {
            if r.has(k) { Ok(Some(r.opt_str(k)?)) } else { Ok(None) }
        };
        let p = FieldPatch {
            name: r.opt_str("name")?,
            warehouse_name: r.opt_str("warehouse_name")?,
            field_type: r.enum_value("type")?,
            required: r.bool("required")?,
            is_multi: r.bool("is_multi")?,
            parent_link: r.bool("parent_link")?,
            dropdown: nullable("dropdown")?,
            entity_link: nullable("entity_link")?,
            tooltip: nullable("tooltip")?,
            unit: nullable("unit")?,
            decimal_places: if r.has("decimal_places") { Some(r.opt_u8("decimal_places")?) } else { None },
        };
        if p.is_empty() {
            return Err(ValueError {
                key: None,
                message: "update_field changes nothing".into(),
                help: "name at least one key to change, e.g. #{ required: true }".into(),
            });
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_round_trips_with_nulls() {
        let p = FieldPatch { tooltip: Some(None), required: Some(true), ..Default::default() };
        assert_eq!(FieldPatch::from_json(&p.to_json()), Ok(p));
        let s = SchemaPatch { mixture_schema_config: Some(None), name: Some("x".into()), ..Default::default() };
        assert_eq!(SchemaPatch::from_json(&s.to_json()), Ok(s));
    }
}
