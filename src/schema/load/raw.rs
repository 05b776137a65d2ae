//! The raw shapes of a schema file's items and fields as serde reads them, and the JSON Schema
//! generated from the same shapes.

use serde::Deserialize;

use super::S;
use crate::schema::codec::Shape;
use crate::schema::codec::flags::schema_flags;
use crate::schema::{EntityType, FieldType, Flags, NamingStrategy, PartType};

// The raw shapes take the keys they know and ignore the others: unknown keys are reported by
// `keys::unknown_keys` (against the key tables of `schema::codec`), each at its place, so that
// one unknown key does not stop the whole file (serde's
// `deny_unknown_fields` would fail the file at the first one and hide every other problem).

// The same shapes describe the files for editors: `liminal json-schema` is generated from them
// (`schemars`), so the JSON Schema and the loader cannot drift apart. Doc comments become the
// descriptions editors show.

/// An item's flags with their places.
pub(super) type RawFlags = Flags<Option<S<bool>>>;

// `RawItem` has a field for each flag of `schema_flags!`'s list: serde could flatten a `RawFlags`
// into it only by buffering, which loses the places.
macro_rules! raw_item {
    ($( $(#[doc = $doc:literal])+ $flag:ident ),+ $(,)?) => {
        /// One item of a schema file: an entity schema or a dropdown (`kind`). A file holds one item, or
        /// several as YAML documents separated by `---`.
        #[derive(Deserialize, schemars::JsonSchema)]
        #[schemars(deny_unknown_fields, title = "liminal schema file", transform = kinds)]
        pub(super) struct RawItem {
            /// `entity_schema` or `dropdown`
            #[schemars(required, with = "String", extend("enum" = ["entity_schema", "dropdown"]))]
            pub(super) kind: Option<S<String>>,
            /// Display name (of the schema or the dropdown)
            #[schemars(with = "Option<String>")]
            pub(super) name: Option<S<String>>,
            /// The key everything is matched by (`[a-z_][a-z0-9_$]*`, Benchling's rule); entity schemas only
            #[schemars(with = "Option<String>")]
            pub(super) warehouse_name: Option<S<String>>,
            /// Registry id prefix: letters, digits, `_`, `-`; at most 32; not ending in a digit
            #[schemars(with = "Option<String>")]
            pub(super) prefix: Option<S<String>>,
            /// The Benchling entity type
            #[schemars(with = "Option<EntityType>")]
            pub(super) entity_type: Option<S<String>>,
            /// Registration naming options (default `[NEW_IDS, IDS_FROM_NAMES, DELETE_NAMES]`)
            #[schemars(with = "Option<Vec<NamingStrategy>>")]
            pub(super) naming_strategies: Option<S<Vec<String>>>,
            /// Uniqueness constraint: field warehouse names, or `bases` / `amino_acids_ignore_case` /
            /// `amino_acids_exact_match` on sequences
            #[schemars(with = "Option<Vec<String>>")]
            pub(super) constraint_fields: Option<S<Vec<String>>>,
            /// Required on mixtures
            #[schemars(with = "Option<RawMixture>")]
            pub(super) mixture_schema_config: Option<S<RawMixture>>,
            /// How entities are named from their fields
            #[schemars(with = "Option<RawTemplate>")]
            pub(super) name_template: Option<S<RawTemplate>>,
            /// Keep (or make) the schema archived in the tenant (default false)
            #[schemars(with = "Option<bool>")]
            pub(super) archived: Option<S<bool>>,
            /// The fields, in the order Benchling shows them
            #[schemars(with = "Option<Vec<RawField>>")]
            pub(super) fields: Option<Vec<S<RawField>>>,
            /// The options of a dropdown, in order
            #[schemars(with = "Option<Vec<String>>")]
            pub(super) options: Option<S<Vec<String>>>,
            $( $(#[doc = $doc])+ #[schemars(with = "Option<bool>")] $flag: Option<S<bool>>, )+
        }

        impl RawItem {
            /// The flags, with their places.
            pub(super) fn flags(&self) -> RawFlags {
                Flags { $( $flag: self.$flag.clone(), )+ }
            }
        }
    };
}
schema_flags!(raw_item);

/// The properties in the codec's order (the flags are the struct's last fields), and what depends
/// on `kind`, for editors: a dropdown has only its keys, an entity schema no `options`, and each
/// its required keys.
fn kinds(schema: &mut schemars::Schema) {
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        let mut ordered = serde_json::Map::new();
        for key in Shape::Item.names() {
            if let Some(v) = props.remove(key) {
                ordered.insert(key.into(), v);
            }
        }
        ordered.append(props);
        *props = ordered;
    }
    let rule = serde_json::json!({
        "if": { "properties": { "kind": { "const": "dropdown" } } },
        "then": { "required": Shape::Dropdown.required(), "propertyNames": { "enum": Shape::Dropdown.names() } },
        "else": { "required": Shape::Item.required(), "not": { "required": ["options"] } },
    });
    if let (Some(map), serde_json::Value::Object(rule)) = (schema.as_object_mut(), rule) {
        map.extend(rule);
    }
}

/// Mixture settings
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct RawMixture {
    #[serde(default)]
    pub(super) allow_measured_ingredients: bool,
    #[serde(default)]
    pub(super) component_lot_storage_enabled: bool,
    #[serde(default)]
    pub(super) component_lot_text_enabled: bool,
}

/// A name template: `parts: []` means none
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct RawTemplate {
    #[serde(default)]
    pub(super) parts: Vec<RawPart>,
    #[serde(default)]
    pub(super) order_name_parts_by_sequence: bool,
}

/// One part of a name template: `value` for TEXT/SEPARATOR, `field` (a warehouse name) for FIELD
/// and the parent-link parts
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, transform = part_aliases)]
pub(super) struct RawPart {
    #[serde(rename = "type")]
    #[schemars(with = "PartType")]
    pub(super) kind: S<String>,
    pub(super) value: Option<String>,
    #[serde(alias = "wh_field_name")]
    pub(super) field: Option<String>,
}

/// Liminal's `wh_field_name` is accepted for `field`.
fn part_aliases(schema: &mut schemars::Schema) {
    if let Some(props) = schema.get_mut("properties").and_then(|p| p.as_object_mut()) {
        props.insert(
            "wh_field_name".into(),
            serde_json::json!({ "type": ["string", "null"], "description": "Liminal's name for `field`" }),
        );
    }
}

/// A field of an entity schema
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub(super) struct RawField {
    /// The field's key (`[a-z_][a-z0-9_$]*`, Benchling's rule)
    #[schemars(required, with = "String")]
    pub(super) warehouse_name: Option<S<String>>,
    /// Display name
    #[schemars(required, with = "String")]
    pub(super) name: Option<S<String>>,
    /// The field type (`float` is an alias of `decimal`)
    #[serde(rename = "type")]
    #[schemars(required, with = "FieldType")]
    pub(super) field_type: Option<S<String>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    pub(super) required: Option<S<bool>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    pub(super) is_multi: Option<S<bool>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    pub(super) parent_link: Option<S<bool>>,
    /// The display name of a dropdown defined in code (type `dropdown` only)
    #[schemars(with = "Option<String>")]
    pub(super) dropdown: Option<S<String>>,
    /// The warehouse name of the target schema (entity, part, translation and transcription links)
    #[schemars(with = "Option<String>")]
    pub(super) entity_link: Option<S<String>>,
    #[schemars(with = "Option<String>")]
    pub(super) tooltip: Option<S<String>>,
    /// A unit name from the tenant's unit dictionary (`gram`, `minute`, ...); integer and decimal
    /// only; cannot change once set
    #[schemars(with = "Option<String>")]
    pub(super) unit: Option<S<String>>,
    /// 0 to 15, decimal only
    #[schemars(with = "Option<u8>", range(min = 0, max = 15))]
    pub(super) decimal_places: Option<S<i64>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    pub(super) archived: Option<S<bool>>,
}

/// The JSON Schema (draft 7, what the YAML language server reads best) of one item of a schema
/// file, generated from the shapes the loader reads. (Serialised rather than `to_value`d, which
/// would lose schemars' keyword order; an error is returned, never an empty schema.)
pub fn json_schema() -> Result<serde_json::Value, serde_json::Error> {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    serde_json::to_value(generator.into_root_schema_for::<RawItem>())
}
