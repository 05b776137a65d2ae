//! The code model as JSON-shaped values: the one mapping between our types and the keys users
//! write (YAML keys, through the tables of [`super`]), used to render Rhai literals, to read Rhai
//! maps back, for `--format json` output and, as YAML, for `generate-files`. Defaults are left
//! out when writing; unknown keys, wrong types and bad enum values are errors naming the key.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Shape;
use super::patch::{FieldPatch, SchemaPatch};
use crate::schema::{
    DropdownDef, EntityType, FieldDef, FieldType, MixtureConfig, NamePart, NameTemplate, NamingStrategy, PartType,
    SchemaDef, SchemaProps,
};

/// A payload value that does not fit: which key, what is wrong, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    pub key: Option<String>,
    pub message: String,
    pub help: String,
}

pub(crate) fn err(key: &str, message: String, help: impl Into<String>) -> ValueError {
    ValueError { key: Some(key.to_string()), message, help: help.into() }
}

/// How a value is named in messages (Rhai's spelling: `()` for nothing).
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "()",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a map",
    }
}

/// Reads keys off a map, remembering which were used so that the rest are reported unknown.
pub(crate) struct Reader<'a> {
    what: &'static str,
    map: &'a Map<String, Value>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(shape: Shape, v: &'a Value) -> Result<Reader<'a>, ValueError> {
        let (what, allowed) = (shape.what(), shape.names());
        match v {
            Value::Object(map) => {
                for k in map.keys() {
                    if !allowed.contains(&k.as_str()) {
                        return Err(err(
                            k,
                            shape.unknown_key(k),
                            format!(
                                "{}allowed keys: {}",
                                crate::diag::did_you_mean(k, allowed.iter().copied()),
                                allowed.join(", ")
                            ),
                        ));
                    }
                }
                Ok(Reader { what, map })
            }
            other => Err(ValueError {
                key: None,
                message: format!("{what} must be a map, not {}", type_name(other)),
                help: format!("write #{{ {}: ... }}", allowed.first().copied().unwrap_or("key")),
            }),
        }
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub(crate) fn raw(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    pub(crate) fn required_str(&self, key: &str) -> Result<String, ValueError> {
        match self.map.get(key) {
            None | Some(Value::Null) => {
                Err(err(key, format!("{} needs `{key}`", self.what), format!("add `{key}: \"...\"`")))
            }
            Some(_) => Ok(self.opt_str(key)?.unwrap_or_default()),
        }
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<String>, ValueError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => {
                Err(err(key, format!("`{key}` must be a string, not {}", type_name(other)), "quote the value"))
            }
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, ValueError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => {
                Err(err(key, format!("`{key}` must be true or false, not {}", type_name(other)), "write true or false"))
            }
        }
    }

    pub(crate) fn opt_u8(&self, key: &str) -> Result<Option<u8>, ValueError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if v <= 255 => Ok(Some(v as u8)),
                _ => Err(err(key, format!("`{key}` is out of range: {n}"), "use a value from 0 to 15")),
            },
            Some(other) => {
                Err(err(key, format!("`{key}` must be a number, not {}", type_name(other)), "write a whole number"))
            }
        }
    }

    pub(crate) fn enum_value<T: std::str::FromStr<Err = crate::schema::UnknownValue>>(
        &self,
        key: &str,
    ) -> Result<Option<T>, ValueError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|e: crate::schema::UnknownValue| err(key, e.message(), e.help())),
        }
    }

    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ValueError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v) => strings(key, v).map(Some),
        }
    }
}

/// A list of strings.
pub(crate) fn strings(key: &str, v: &Value) -> Result<Vec<String>, ValueError> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                other => {
                    Err(err(key, format!("`{key}` must hold strings, not {}", type_name(other)), "quote every item"))
                }
            })
            .collect(),
        other => Err(err(key, format!("`{key}` must be an array, not {}", type_name(other)), "write [\"a\", \"b\"]")),
    }
}

pub(crate) fn opt_json<T: Into<Value>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, Into::into)
}

/// A field's map: identity and type, then the keys that differ from their defaults, in the
/// codec's order.
pub fn field_def_to_json(f: &FieldDef) -> Value {
    let mut m = FieldPatch::written(f);
    if f.archived {
        m.insert("archived".into(), json!(true));
    }
    Value::Object(in_codec_order(Shape::Field, m))
}

/// A field: `type`, `warehouse_name` and `name` are required, the other keys read as
/// `update_field` reads them (and `archived`).
pub fn field_def_from_json(v: &Value) -> Result<FieldDef, ValueError> {
    let r = Reader::new(Shape::Field, v)?;
    let field_type = r
        .enum_value::<FieldType>("type")?
        .ok_or_else(|| err("type", "a field needs `type`".into(), "add `type: \"text\"` (or another field type)"))?;
    let mut f = FieldDef::new(&r.required_str("warehouse_name")?, &r.required_str("name")?, field_type);
    FieldPatch::read(&r)?.apply_to(&mut f);
    f.archived = r.bool("archived")?.unwrap_or(false);
    Ok(f)
}

pub(crate) fn mixture_to_json(m: &MixtureConfig) -> Value {
    json!({
        "allow_measured_ingredients": m.allow_measured_ingredients,
        "component_lot_storage_enabled": m.component_lot_storage_enabled,
        "component_lot_text_enabled": m.component_lot_text_enabled,
    })
}

pub(crate) fn mixture_from_json(v: &Value) -> Result<Option<MixtureConfig>, ValueError> {
    if v.is_null() {
        return Ok(None);
    }
    let r = Reader::new(Shape::Mixture, v)?;
    Ok(Some(MixtureConfig {
        allow_measured_ingredients: r.bool("allow_measured_ingredients")?.unwrap_or(false),
        component_lot_storage_enabled: r.bool("component_lot_storage_enabled")?.unwrap_or(false),
        component_lot_text_enabled: r.bool("component_lot_text_enabled")?.unwrap_or(false),
    }))
}

pub(crate) fn naming_to_json(n: &BTreeSet<NamingStrategy>) -> Value {
    Value::Array(n.iter().map(|s| json!(s.as_str())).collect())
}

pub(crate) fn naming_from_json(v: &Value) -> Result<BTreeSet<NamingStrategy>, ValueError> {
    strings("naming_strategies", v)?
        .iter()
        .map(|s| s.parse::<NamingStrategy>().map_err(|e| err("naming_strategies", e.message(), e.help())))
        .collect()
}

pub(crate) fn set_to_json(s: &BTreeSet<String>) -> Value {
    Value::Array(s.iter().map(|s| json!(s)).collect())
}

/// `create_schema`'s map: schema keys and `fields`; no name template (that is its own op).
pub fn schema_def_to_json(s: &SchemaDef) -> Value {
    Value::Object(schema_map(s))
}

fn schema_map(s: &SchemaDef) -> Map<String, Value> {
    let mut m = SchemaPatch::written(&s.props);
    m.insert("fields".into(), Value::Array(s.fields.iter().map(field_def_to_json).collect()));
    m
}

/// An entity schema as an item of a schema file (`generate-files`): `create_schema`'s keys, the
/// name template unless it is empty, `archived` when set, in the codec's order; defaults left
/// out, `naming_strategies` too when it is the default or the schema is an entry (which has none).
pub(crate) fn schema_item_to_json(s: &SchemaDef) -> Value {
    let mut keys = schema_map(s);
    keys.insert("kind".into(), json!("entity_schema"));
    let defaults: BTreeSet<NamingStrategy> = NamingStrategy::defaults().into_iter().collect();
    if s.props.entity_type == EntityType::Entry || s.props.naming_strategies == defaults {
        keys.remove("naming_strategies");
    }
    if !s.name_template.is_empty() {
        let mut t = template_map(&s.name_template);
        if !s.name_template.order_name_parts_by_sequence {
            t.remove("order_name_parts_by_sequence");
        }
        keys.insert("name_template".into(), Value::Object(t));
    }
    if s.archived {
        keys.insert("archived".into(), json!(true));
    }
    Value::Object(in_codec_order(Shape::Item, keys))
}

/// A dropdown as an item of a schema file.
pub(crate) fn dropdown_item_to_json(d: &DropdownDef) -> Value {
    let keys = Map::from_iter([
        ("kind".to_string(), json!("dropdown")),
        ("name".to_string(), json!(d.name)),
        ("options".to_string(), json!(d.options)),
    ]);
    Value::Object(in_codec_order(Shape::Dropdown, keys))
}

/// `keys` in the order `shape` gives them; keys it does not have are left out.
pub(crate) fn in_codec_order(shape: Shape, mut keys: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for k in shape.names() {
        if let Some(v) = keys.remove(k) {
            out.insert(k.to_string(), v);
        }
    }
    out
}

pub fn schema_def_from_json(v: &Value) -> Result<SchemaDef, ValueError> {
    if let Value::Object(m) = v
        && m.contains_key("name_template")
    {
        return Err(err(
            "name_template",
            "create_schema takes no name_template".into(),
            "set it with set_name_template(schema, #{ parts: [...] }) after create_schema",
        ));
    }
    let r = Reader::new(Shape::Schema, v)?;
    let entity_type = r.enum_value::<EntityType>("entity_type")?.ok_or_else(|| {
        err("entity_type", "a schema needs `entity_type`".into(), "add `entity_type: \"custom_entity\"`")
    })?;
    let mut props = SchemaProps::new(
        &r.required_str("name")?,
        &r.required_str("warehouse_name")?,
        &r.required_str("prefix")?,
        entity_type,
    );
    // The other properties read as `update_schema` reads them.
    SchemaPatch::read(&r)?.apply_to(&mut props);
    let fields = match r.raw("fields") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items.iter().map(field_def_from_json).collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(err(
                "fields",
                format!("`fields` must be an array, not {}", type_name(other)),
                "write fields: [#{...}, ...]",
            ));
        }
    };
    Ok(SchemaDef { props, name_template: NameTemplate::default(), archived: false, fields })
}

pub fn template_to_json(t: &NameTemplate) -> Value {
    Value::Object(template_map(t))
}

fn template_map(t: &NameTemplate) -> Map<String, Value> {
    let parts: Vec<Value> = t
        .parts
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("type".into(), json!(p.kind.as_str()));
            if let Some(v) = &p.value {
                m.insert("value".into(), json!(v));
            }
            if let Some(f) = &p.field {
                m.insert("field".into(), json!(f));
            }
            Value::Object(m)
        })
        .collect();
    Map::from_iter([
        ("parts".to_string(), Value::Array(parts)),
        ("order_name_parts_by_sequence".to_string(), json!(t.order_name_parts_by_sequence)),
    ])
}

/// `set_name_template`'s map. It replaces the whole template, so `parts` must be named: Liminal's
/// operation merges only the keys it is given, and a map without `parts` (to change only
/// `order_name_parts_by_sequence`) would otherwise remove the template's parts silently.
pub fn template_from_json(v: &Value) -> Result<NameTemplate, ValueError> {
    let r = Reader::new(Shape::Template, v)?;
    let parts = match r.raw("parts") {
        None => {
            return Err(err(
                "parts",
                "a name template needs `parts`: set_name_template replaces the whole template".into(),
                "list the parts the template keeps, e.g. #{ parts: [#{ type: \"TEXT\", value: \"X-\" }] }; `parts: []` removes the template",
            ));
        }
        Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .iter()
            .map(|p| {
                let pr = Reader::new(Shape::Part, p)?;
                let kind = pr.enum_value::<PartType>("type")?.ok_or_else(|| {
                    err(
                        "type",
                        "a name template part needs `type`".into(),
                        "add `type: \"TEXT\"` (or another part type)",
                    )
                })?;
                Ok(NamePart { kind, value: pr.opt_str("value")?, field: pr.opt_str("field")? })
            })
            .collect::<Result<_, ValueError>>()?,
        Some(other) => {
            return Err(err(
                "parts",
                format!("`parts` must be an array, not {}", type_name(other)),
                "write parts: [#{...}]",
            ));
        }
    };
    Ok(NameTemplate { parts, order_name_parts_by_sequence: r.bool("order_name_parts_by_sequence")?.unwrap_or(false) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_round_trips() {
        let mut f = FieldDef::new("w", "W \"quoted\"", FieldType::Decimal);
        f.decimal_places = Some(2);
        f.unit = Some("g".into());
        f.tooltip = Some("line\nbreak".into());
        assert_eq!(field_def_from_json(&field_def_to_json(&f)), Ok(f));
    }

    #[test]
    fn unknown_key_and_bad_enum_are_named() {
        let e =
            field_def_from_json(&json!({"warehouse_name": "a", "name": "A", "type": "text", "colour": 1})).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("colour"));
        let e = field_def_from_json(&json!({"warehouse_name": "a", "name": "A", "type": "texty"})).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("type"));
        assert!(e.help.contains("long_text"));
    }

    /// Liminal merges the keys it is given; a template without `parts` used to remove them.
    #[test]
    fn a_template_without_parts_is_refused() {
        let e = template_from_json(&json!({"order_name_parts_by_sequence": true})).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("parts"));
        let t = NameTemplate { parts: vec![], order_name_parts_by_sequence: false };
        assert_eq!(template_from_json(&template_to_json(&t)), Ok(t));
    }
}
