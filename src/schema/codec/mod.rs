//! The key codec of the code model. This module is its vocabulary, in one place: every key a
//! schema file, a Rhai map or JSON output may hold, in canonical order, with its type, whether it
//! is required, and which keys `update_schema` / `update_field` may change. The YAML loader, the
//! Rhai/JSON codec, the importer (through Liminal's names) and the JSON Schema ask these tables,
//! so a key is named once and an unknown key gets the same message everywhere.
//!
//! The update sets are named ([`Shape::SchemaUpdate`], [`Shape::FieldUpdate`]): each key says
//! whether an update may change it, so reordering a table cannot change what a revision may say.

pub(crate) mod flags;
pub(crate) mod json;
pub(crate) mod patch;
pub(crate) mod yaml;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Text,
    Flag,
    /// A small whole number (`decimal_places`).
    Count,
    /// One value of an enum, spelled as text (`entity_type`, `type`).
    Choice,
    Texts,
    /// A list of enum values (`naming_strategies`).
    Choices,
    /// A mapping of the given shape.
    Map(Shape),
    /// A list of mappings of the given shape.
    Maps(Shape),
}

/// One key of a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) name: &'static str,
    pub(crate) ty: Type,
    /// Must be given when the mapping is created.
    pub(crate) required: bool,
    /// An update (`update_schema`, `update_field`) may change it.
    pub(crate) update: bool,
    /// Another spelling a schema file accepts (Liminal's).
    pub(crate) alias: Option<&'static str>,
}

const fn key(name: &'static str, ty: Type) -> Key {
    Key { name, ty, required: false, update: false, alias: None }
}

impl Key {
    const fn required(self) -> Key {
        Key { required: true, ..self }
    }

    const fn update(self) -> Key {
        Key { update: true, ..self }
    }

    const fn alias(self, alias: &'static str) -> Key {
        Key { alias: Some(alias), ..self }
    }
}

/// A schema's own properties (`SchemaProps`): what `create_schema` and a schema file declare
/// besides the fields, and what `update_schema` may change.
const SCHEMA_PROPS: &[Key] = &[
    key("name", Type::Text).required().update(),
    key("warehouse_name", Type::Text).required().update(),
    key("prefix", Type::Text).required().update(),
    key("entity_type", Type::Choice).required().update(),
    key("naming_strategies", Type::Choices).update(),
    key("use_registry_id_as_label", Type::Flag).update(),
    key("include_registry_id_in_chips", Type::Flag).update(),
    key("constraint_fields", Type::Texts).update(),
    key("show_bases_in_expanded_view", Type::Flag).update(),
    key("mixture_schema_config", Type::Map(Shape::Mixture)).update(),
];

const KIND: Key = key("kind", Type::Text).required();
const NAME_TEMPLATE: Key = key("name_template", Type::Map(Shape::Template));
const ARCHIVED: Key = key("archived", Type::Flag);
const FIELDS: Key = key("fields", Type::Maps(Shape::Field));
const OPTIONS: Key = key("options", Type::Texts);

/// A field (`FieldDef`); every key but `archived` may change by `update_field`.
const FIELD: &[Key] = &[
    key("warehouse_name", Type::Text).required().update(),
    key("name", Type::Text).required().update(),
    key("type", Type::Choice).required().update(),
    key("required", Type::Flag).update(),
    key("is_multi", Type::Flag).update(),
    key("parent_link", Type::Flag).update(),
    key("dropdown", Type::Text).update(),
    key("entity_link", Type::Text).update(),
    key("tooltip", Type::Text).update(),
    key("unit", Type::Text).update(),
    key("decimal_places", Type::Count).update(),
    ARCHIVED,
];

const TEMPLATE: &[Key] = &[key("parts", Type::Maps(Shape::Part)), key("order_name_parts_by_sequence", Type::Flag)];

const PART: &[Key] =
    &[key("type", Type::Choice).required(), key("value", Type::Text), key("field", Type::Text).alias("wh_field_name")];

const MIXTURE: &[Key] = &[
    key("allow_measured_ingredients", Type::Flag),
    key("component_lot_storage_enabled", Type::Flag),
    key("component_lot_text_enabled", Type::Flag),
];

const DROPDOWN: &[Key] = &[KIND, key("name", Type::Text).required(), key("options", Type::Texts).required()];

/// The mappings of the code model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// An item of a schema file (`kind: entity_schema` or `kind: dropdown`).
    Item,
    /// `create_schema`'s map: the schema's properties and `fields`, no name template.
    Schema,
    /// `update_schema`'s changes.
    SchemaUpdate,
    Field,
    /// `update_field`'s changes.
    FieldUpdate,
    Template,
    Part,
    Mixture,
    /// The keys a `kind: dropdown` item may have.
    Dropdown,
}

impl Shape {
    /// How the mapping is named in messages.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Shape::Item => "an item",
            Shape::Schema => "a schema",
            Shape::SchemaUpdate => "update_schema's changes",
            Shape::Field => "a field",
            Shape::FieldUpdate => "update_field's changes",
            Shape::Template => "a name template",
            Shape::Part => "a name template part",
            Shape::Mixture => "mixture_schema_config",
            Shape::Dropdown => "a dropdown",
        }
    }

    /// The keys, in canonical order.
    pub(crate) fn keys(self) -> Vec<&'static Key> {
        let chain = |parts: &[&'static [Key]]| parts.iter().flat_map(|p| p.iter()).collect();
        match self {
            Shape::Item => chain(&[
                std::slice::from_ref(&KIND),
                SCHEMA_PROPS,
                std::slice::from_ref(&NAME_TEMPLATE),
                std::slice::from_ref(&ARCHIVED),
                std::slice::from_ref(&FIELDS),
                std::slice::from_ref(&OPTIONS),
            ]),
            Shape::Schema => chain(&[SCHEMA_PROPS, std::slice::from_ref(&FIELDS)]),
            Shape::SchemaUpdate => SCHEMA_PROPS.iter().filter(|k| k.update).collect(),
            Shape::Field => FIELD.iter().collect(),
            Shape::FieldUpdate => FIELD.iter().filter(|k| k.update).collect(),
            Shape::Template => TEMPLATE.iter().collect(),
            Shape::Part => PART.iter().collect(),
            Shape::Mixture => MIXTURE.iter().collect(),
            Shape::Dropdown => DROPDOWN.iter().collect(),
        }
    }

    /// The key names, in canonical order (aliases left out).
    pub(crate) fn names(self) -> Vec<&'static str> {
        self.keys().into_iter().map(|k| k.name).collect()
    }

    /// The names a schema file accepts: the names, then the aliases.
    pub(crate) fn spellings(self) -> Vec<&'static str> {
        let keys = self.keys();
        keys.iter().map(|k| k.name).chain(keys.iter().filter_map(|k| k.alias)).collect()
    }

    /// The keys that must be given, in canonical order, besides `kind` (which every item
    /// needs). For an item, those of an entity schema.
    pub(crate) fn required(self) -> Vec<&'static str> {
        let shape = if self == Shape::Item { Shape::Schema } else { self };
        shape.keys().into_iter().filter(|k| k.required && *k != &KIND).map(|k| k.name).collect()
    }

    /// The key spelled `name` (or its alias).
    pub(crate) fn key(self, name: &str) -> Option<&'static Key> {
        self.keys().into_iter().find(|k| k.name == name || k.alias == Some(name))
    }

    /// The shape of a key's value when it is a mapping (`false`) or a list of mappings (`true`).
    pub(crate) fn child(self, name: &str) -> Option<(Shape, bool)> {
        match self.key(name)?.ty {
            Type::Map(s) => Some((s, false)),
            Type::Maps(s) => Some((s, true)),
            _ => None,
        }
    }

    /// The message for a key the mapping does not have, the same in YAML and in Rhai.
    pub(crate) fn unknown_key(self, name: &str) -> String {
        format!("unknown key `{name}` in {}", self.what())
    }
}

/// Liminal's names of the field properties (`BaseFieldProperties`), in Liminal's order, with the
/// code model's key each stands for.
pub(crate) const LIMINAL_FIELD_PROPS: &[(&str, &str)] = &[
    ("name", "name"),
    ("warehouse_name", "warehouse_name"),
    ("type", "type"),
    ("required", "required"),
    ("is_multi", "is_multi"),
    ("parent_link", "parent_link"),
    ("dropdown_link", "dropdown"),
    ("entity_link", "entity_link"),
    ("tooltip", "tooltip"),
    ("decimal_places", "decimal_places"),
    ("unit_name", "unit"),
    ("_archived", "archived"),
];

/// Liminal's names of the schema properties (`BaseSchemaProperties`), in Liminal's order.
pub(crate) const LIMINAL_SCHEMA_PROPS: &[(&str, &str)] = &[
    ("name", "name"),
    ("warehouse_name", "warehouse_name"),
    ("prefix", "prefix"),
    ("entity_type", "entity_type"),
    ("naming_strategies", "naming_strategies"),
    ("mixture_schema_config", "mixture_schema_config"),
    ("use_registry_id_as_label", "use_registry_id_as_label"),
    ("include_registry_id_in_chips", "include_registry_id_in_chips"),
    ("constraint_fields", "constraint_fields"),
    ("show_bases_in_expanded_view", "show_bases_in_expanded_view"),
    ("_archived", "archived"),
];

/// Liminal's names of a list of (Liminal name, code key) pairs.
pub(crate) fn liminal_names(table: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    table.iter().map(|(l, _)| *l).collect()
}

/// Liminal's property name for one of the code model's keys (`None`: Liminal does not have it).
pub(crate) fn to_liminal(table: &[(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(_, k)| *k == key).map(|(l, _)| *l)
}

/// The code model's key for one of Liminal's property names.
pub(crate) fn from_liminal(table: &[(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(l, _)| *l == name).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The update sets are what revisions may say: every schema property, every field key but
    /// `archived`; never `fields`, a name template or `kind`.
    #[test]
    fn update_sets_are_named_not_positional() {
        assert_eq!(
            Shape::SchemaUpdate.names(),
            Shape::Schema.names().into_iter().filter(|k| *k != "fields").collect::<Vec<_>>()
        );
        assert_eq!(
            Shape::FieldUpdate.names(),
            Shape::Field.names().into_iter().filter(|k| *k != "archived").collect::<Vec<_>>()
        );
        for k in Shape::Item.names() {
            assert_eq!(Shape::SchemaUpdate.key(k).is_some(), SCHEMA_PROPS.iter().any(|p| p.name == k), "{k}");
        }
    }

    #[test]
    fn the_item_is_kind_props_template_archived_fields_options() {
        assert_eq!(
            Shape::Item.names(),
            [
                "kind",
                "name",
                "warehouse_name",
                "prefix",
                "entity_type",
                "naming_strategies",
                "use_registry_id_as_label",
                "include_registry_id_in_chips",
                "constraint_fields",
                "show_bases_in_expanded_view",
                "mixture_schema_config",
                "name_template",
                "archived",
                "fields",
                "options",
            ]
        );
        assert_eq!(Shape::Part.spellings(), ["type", "value", "field", "wh_field_name"]);
        assert_eq!(Shape::Item.child("fields"), Some((Shape::Field, true)));
        assert_eq!(Shape::Template.child("parts"), Some((Shape::Part, true)));
        assert_eq!(Shape::Item.required(), ["name", "warehouse_name", "prefix", "entity_type"]);
        assert_eq!(Shape::Dropdown.required(), ["name", "options"]);
    }

    /// Every Liminal property stands for a key of the code model.
    #[test]
    fn liminal_names_map_to_code_keys() {
        for (liminal, code) in LIMINAL_FIELD_PROPS {
            assert!(Shape::Field.key(code).is_some(), "{liminal} → {code}");
        }
        for (liminal, code) in LIMINAL_SCHEMA_PROPS {
            assert!(Shape::Item.key(code).is_some(), "{liminal} → {code}");
        }
        let code: std::collections::BTreeSet<_> = LIMINAL_FIELD_PROPS.iter().map(|(_, k)| *k).collect();
        assert_eq!(code, Shape::Field.names().into_iter().collect());
    }

    /// The loader's raw shapes (and so the JSON Schema editors read) have exactly the codec's
    /// keys, and the codec's types: the two cannot drift apart unnoticed.
    #[test]
    fn the_json_schema_has_the_codecs_keys_and_types() {
        let schema = crate::schema::json_schema().unwrap();
        let defs = &schema["definitions"];
        for (props, shape) in [
            (&schema["properties"], Shape::Item),
            (&defs["RawField"]["properties"], Shape::Field),
            (&defs["RawTemplate"]["properties"], Shape::Template),
            (&defs["RawPart"]["properties"], Shape::Part),
            (&defs["RawMixture"]["properties"], Shape::Mixture),
        ] {
            let props = props.as_object().expect("properties");
            assert_eq!(props.keys().map(String::as_str).collect::<Vec<_>>(), shape.spellings(), "{shape:?}");
            for k in shape.keys() {
                let json = props[k.name].to_string();
                let expected = match k.ty {
                    Type::Flag => "boolean",
                    Type::Count => "integer",
                    Type::Texts | Type::Choices | Type::Maps(_) => "array",
                    Type::Text | Type::Choice | Type::Map(_) => "",
                };
                assert!(json.contains(expected), "{shape:?}.{}: {json}", k.name);
            }
        }
    }

    /// The key table names exactly the flags of `flags.rs` (a flag added to one and not the other
    /// fails here).
    #[test]
    fn the_key_table_has_each_flag_and_no_other_flag() {
        let mut table: Vec<&str> = SCHEMA_PROPS.iter().filter(|k| k.ty == Type::Flag).map(|k| k.name).collect();
        let mut flags = flags::Flags::<bool>::NAMES.to_vec();
        table.sort_unstable();
        flags.sort_unstable();
        assert_eq!(table, flags);
    }

    /// A schema property reaches every layer that the codec does not write itself: the YAML
    /// loader, `generate-files` and back, and the stored state (`set_props` / `view`). Every flag
    /// is set on a sequence schema (which supports them all); a flag that one of these layers
    /// forgets fails here, so a new boolean key cannot be half added.
    #[test]
    fn every_schema_flag_reaches_the_loader_the_state_and_generated_files() {
        use crate::schema::codec::patch::SchemaPatch;
        let flags: Vec<&str> =
            Shape::SchemaUpdate.keys().into_iter().filter(|k| k.ty == Type::Flag).map(|k| k.name).collect();
        assert!(flags.len() >= 3, "{flags:?}");
        let mut text =
            "kind: entity_schema\nname: S\nwarehouse_name: s\nprefix: S\nentity_type: dna_sequence\n".to_string();
        for f in &flags {
            text.push_str(&format!("{f}: true\n"));
        }
        let model = crate::schema::load_str(std::path::Path::new("s.yaml"), &text).unwrap();
        let def = &model.schemas[0];
        let written = SchemaPatch::written(&def.props);
        for f in &flags {
            assert_eq!(written.get(*f), Some(&serde_json::json!(true)), "the loader drops `{f}`");
        }
        let yaml = super::yaml::schema_yaml(def).unwrap();
        let back = crate::schema::load_str(std::path::Path::new("g.yaml"), &yaml).unwrap();
        assert_eq!(back.schemas[0].props, def.props, "{yaml}");
        let mut state = crate::state::TenantState::default();
        let p = &def.props;
        let mut stored = crate::state::Schema::new("ts_1".into(), &p.name, &p.warehouse_name, &p.prefix, p.entity_type);
        stored.set_props(p);
        state.schemas.push(stored);
        let s = state.schema("s").unwrap();
        assert_eq!(state.view(s).props, *p, "set_props or view drops a key");
    }
}
