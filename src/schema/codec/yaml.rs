//! The code model as schema-file YAML (`generate-files`, `import`), written by serde-saphyr from
//! the codec's JSON form of an item: keys in the codec's order, each value in the style its
//! [`Type`] takes. Lists of values and the small mappings (`mixture_schema_config`, a template's
//! parts) are written inline, the name template and the fields as blocks. Text is plain when it is
//! a simple word that YAML reads back as the same string, double-quoted otherwise.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use serde_saphyr::{DoubleQuoted, FlowMap, FlowSeq};

use super::{Shape, Type, json};
use crate::schema::{DropdownDef, SchemaDef};

/// The serializer refused an item (a bug: the items are built here).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {what} as YAML: {source}")]
pub struct YamlError {
    what: String,
    #[source]
    source: serde_saphyr::SerializeError,
}

/// One entity schema as a schema file's YAML document.
pub(crate) fn schema_yaml(s: &SchemaDef) -> Result<String, YamlError> {
    item_yaml(&json::schema_item_to_json(s), Shape::Item)
        .map_err(|source| YamlError { what: format!("schema `{}`", s.props.warehouse_name), source })
}

/// One dropdown as a schema file's YAML document.
pub(crate) fn dropdown_yaml(d: &DropdownDef) -> Result<String, YamlError> {
    item_yaml(&json::dropdown_item_to_json(d), Shape::Dropdown)
        .map_err(|source| YamlError { what: format!("dropdown `{}`", d.name), source })
}

fn item_yaml(item: &Value, shape: Shape) -> Result<String, serde_saphyr::SerializeError> {
    let options = serde_saphyr::ser_options! { compact_list_indent: false, prefer_block_scalars: false };
    let doc = match item {
        Value::Object(m) => mapping(shape, m),
        other => Yaml::Other(other),
    };
    serde_saphyr::to_string_with_options(&doc, options)
}

/// A value with the style it is written in.
enum Yaml<'a> {
    Text(&'a str),
    Quoted(&'a str),
    /// Booleans and numbers, as they are.
    Other(&'a Value),
    Seq {
        items: Vec<Yaml<'a>>,
        inline: bool,
    },
    Map {
        entries: Vec<(&'a str, Yaml<'a>)>,
        inline: bool,
    },
}

/// The mappings written on one line.
fn inline(shape: Shape) -> bool {
    matches!(shape, Shape::Mixture | Shape::Part)
}

fn mapping<'a>(shape: Shape, m: &'a Map<String, Value>) -> Yaml<'a> {
    Yaml::Map { entries: m.iter().map(|(k, v)| (k.as_str(), value(shape, k, v))).collect(), inline: inline(shape) }
}

fn value<'a>(shape: Shape, key: &str, v: &'a Value) -> Yaml<'a> {
    let ty = shape.key(key).map(|k| k.ty);
    match (ty, v) {
        // A part's text is a literal piece of a name: always quoted, so that `-` or `01` reads as text.
        (_, Value::String(s)) if shape == Shape::Part && key == "value" => Yaml::Quoted(s),
        (_, Value::String(s)) => Yaml::Text(s),
        (Some(Type::Map(child)), Value::Object(m)) => mapping(child, m),
        (Some(Type::Maps(child)), Value::Array(items)) => Yaml::Seq {
            items: items
                .iter()
                .map(|i| match i {
                    Value::Object(m) => mapping(child, m),
                    other => value(child, "", other),
                })
                .collect(),
            inline: inline(child),
        },
        (_, Value::Array(items)) => {
            Yaml::Seq { items: items.iter().map(|i| value(shape, key, i)).collect(), inline: true }
        }
        (_, other) => Yaml::Other(other),
    }
}

/// Plain when it is a simple word that YAML reads back as the same string.
fn plain(s: &str) -> bool {
    const RESERVED: [&str; 12] = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", "True", "False"];
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

struct Items<'b, 'a>(&'b [Yaml<'a>]);
struct Entries<'b, 'a>(&'b [(&'a str, Yaml<'a>)]);

impl Serialize for Items<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for i in self.0 {
            seq.serialize_element(i)?;
        }
        seq.end()
    }
}

impl Serialize for Entries<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for Yaml<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Yaml::Text(t) if plain(t) => s.serialize_str(t),
            Yaml::Text(t) | Yaml::Quoted(t) => DoubleQuoted(*t).serialize(s),
            Yaml::Other(v) => v.serialize(s),
            Yaml::Seq { items, inline: true } => FlowSeq(Items(items)).serialize(s),
            Yaml::Seq { items, inline: false } => Items(items).serialize(s),
            Yaml::Map { entries, inline: true } => FlowMap(Entries(entries)).serialize(s),
            Yaml::Map { entries, inline: false } => Entries(entries).serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::schema::load_str;

    /// The bytes `generate-files` writes: the codec's key order, defaults left out, lists and
    /// small mappings inline, text quoted unless it is a plain word.
    #[test]
    fn items_are_written_in_the_codecs_order_and_styles() {
        let text = r#"kind: entity_schema
name: "Pizza pie"
warehouse_name: pizza
prefix: PZ
entity_type: custom_entity
naming_strategies: [NEW_IDS]
constraint_fields: [size]
name_template: {parts: [{type: TEXT, value: PZ}, {type: FIELD, field: size}]}
fields:
  - {warehouse_name: size, name: "Size: big", type: integer, unit: gram, required: true, tooltip: "a\nb"}
  - {warehouse_name: "yes", name: Yes, type: dropdown, dropdown: Größe}
---
kind: entity_schema
name: Mix
warehouse_name: mix
prefix: MX
entity_type: mixture
mixture_schema_config: {allow_measured_ingredients: true, component_lot_storage_enabled: true}
fields: []
---
kind: dropdown
name: Größe
options: [small, "x: y", "123"]
"#;
        let model = load_str(Path::new("t.yaml"), text).unwrap();
        assert_eq!(
            schema_yaml(&model.schemas[0]).unwrap(),
            r#"kind: entity_schema
name: "Pizza pie"
warehouse_name: pizza
prefix: PZ
entity_type: custom_entity
naming_strategies: [NEW_IDS]
constraint_fields: [size]
name_template:
  parts: [{type: TEXT, value: "PZ"}, {type: FIELD, field: size}]
fields:
  - warehouse_name: size
    name: "Size: big"
    type: integer
    required: true
    tooltip: "a\nb"
    unit: gram
  - warehouse_name: "yes"
    name: "Yes"
    type: dropdown
    dropdown: "Größe"
"#
        );
        assert_eq!(
            schema_yaml(&model.schemas[1]).unwrap(),
            "kind: entity_schema\nname: Mix\nwarehouse_name: mix\nprefix: MX\nentity_type: mixture\nmixture_schema_config: {allow_measured_ingredients: true, component_lot_storage_enabled: true, component_lot_text_enabled: false}\nfields: []\n"
        );
        assert_eq!(
            dropdown_yaml(&model.dropdowns[0]).unwrap(),
            "kind: dropdown\nname: \"Größe\"\noptions: [small, \"x: y\", \"123\"]\n"
        );
    }
}
