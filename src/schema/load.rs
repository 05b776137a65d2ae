//! Reading `schemas/**/*.yaml` into a [`CodeModel`], reporting every problem with its place.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::{Location, Options, Spanned};

use super::validate::{Problem, Target, validate_model, validate_schema};
use super::{
    CodeModel, DropdownDef, EntityType, FieldDef, FieldType, MixtureConfig, NamePart, NameTemplate, NamingStrategy,
    PartType, SchemaDef, SchemaProps,
};
use crate::diag::{Problems, SourceProblem};
use crate::op::{FIELD_KEYS, MIXTURE_KEYS, TEMPLATE_KEYS};

/// Loading failed: the located problems, all of them.
pub type LoadError = Problems;

/// Where a value stood: file and 1-based line/column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

type S<T> = Spanned<T>;

// The raw shapes take the keys they know and ignore the others: unknown keys are reported by
// `check_keys`, each at its place, so that one unknown key does not stop the whole file (serde's
// `deny_unknown_fields` would fail the file at the first one and hide every other problem).

// The same shapes describe the files for editors: `liminal json-schema` is generated from them
// (`schemars`), so the JSON Schema and the loader cannot drift apart. Doc comments become the
// descriptions editors show.

/// One item of a schema file: an entity schema or a dropdown (`kind`). A file holds one item, or
/// several as YAML documents separated by `---`.
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, title = "liminal schema file", transform = kinds)]
struct RawItem {
    /// `entity_schema` or `dropdown`
    #[schemars(required, with = "String", extend("enum" = ["entity_schema", "dropdown"]))]
    kind: Option<S<String>>,
    /// Display name (of the schema or the dropdown)
    #[schemars(with = "Option<String>")]
    name: Option<S<String>>,
    /// The key everything is matched by (`[a-z_][a-z0-9_$]*`, Benchling's rule); entity schemas only
    #[schemars(with = "Option<String>")]
    warehouse_name: Option<S<String>>,
    /// Registry id prefix: letters, digits, `_`, `-`; at most 32; not ending in a digit
    #[schemars(with = "Option<String>")]
    prefix: Option<S<String>>,
    /// The Benchling entity type
    #[schemars(with = "Option<EntityType>")]
    entity_type: Option<S<String>>,
    /// Registration naming options (default `[NEW_IDS, IDS_FROM_NAMES, DELETE_NAMES]`)
    #[schemars(with = "Option<Vec<NamingStrategy>>")]
    naming_strategies: Option<S<Vec<String>>>,
    /// Show the registry id as the entity's label (default false)
    #[schemars(with = "Option<bool>")]
    use_registry_id_as_label: Option<S<bool>>,
    /// Show the registry id in chips (default false)
    #[schemars(with = "Option<bool>")]
    include_registry_id_in_chips: Option<S<bool>>,
    /// Uniqueness constraint: field warehouse names, or `bases` / `amino_acids_ignore_case` /
    /// `amino_acids_exact_match` on sequences
    #[schemars(with = "Option<Vec<String>>")]
    constraint_fields: Option<S<Vec<String>>>,
    /// Sequence schemas only (default false)
    #[schemars(with = "Option<bool>")]
    show_bases_in_expanded_view: Option<S<bool>>,
    /// Required on mixtures
    #[schemars(with = "Option<RawMixture>")]
    mixture_schema_config: Option<S<RawMixture>>,
    /// How entities are named from their fields
    #[schemars(with = "Option<RawTemplate>")]
    name_template: Option<S<RawTemplate>>,
    /// Keep (or make) the schema archived in the tenant (default false)
    #[schemars(with = "Option<bool>")]
    archived: Option<S<bool>>,
    /// The fields, in the order Benchling shows them
    #[schemars(with = "Option<Vec<RawField>>")]
    fields: Option<Vec<S<RawField>>>,
    /// The options of a dropdown, in order
    #[schemars(with = "Option<Vec<String>>")]
    options: Option<S<Vec<String>>>,
}

/// The keys a dropdown may have (`convert_item` reports the others), and the keys each kind
/// requires.
const DROPDOWN_KEYS: &[&str] = &["kind", "name", "options"];
const DROPDOWN_REQUIRED: &[&str] = &["name", "options"];
const SCHEMA_REQUIRED: &[&str] = &["name", "warehouse_name", "prefix", "entity_type"];

/// What depends on `kind`, for editors: a dropdown has only its keys, an entity schema no
/// `options`, and each its required keys.
fn kinds(schema: &mut schemars::Schema) {
    let rule = serde_json::json!({
        "if": { "properties": { "kind": { "const": "dropdown" } } },
        "then": { "required": DROPDOWN_REQUIRED, "propertyNames": { "enum": DROPDOWN_KEYS } },
        "else": { "required": SCHEMA_REQUIRED, "not": { "required": ["options"] } },
    });
    if let (Some(map), serde_json::Value::Object(rule)) = (schema.as_object_mut(), rule) {
        map.extend(rule);
    }
}

/// Mixture settings
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RawMixture {
    #[serde(default)]
    allow_measured_ingredients: bool,
    #[serde(default)]
    component_lot_storage_enabled: bool,
    #[serde(default)]
    component_lot_text_enabled: bool,
}

/// A name template: `parts: []` means none
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
struct RawTemplate {
    #[serde(default)]
    parts: Vec<RawPart>,
    #[serde(default)]
    order_name_parts_by_sequence: bool,
}

/// One part of a name template: `value` for TEXT/SEPARATOR, `field` (a warehouse name) for FIELD
/// and the parent-link parts
#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields, transform = part_aliases)]
struct RawPart {
    #[serde(rename = "type")]
    #[schemars(with = "PartType")]
    kind: S<String>,
    value: Option<String>,
    #[serde(alias = "wh_field_name")]
    field: Option<String>,
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
struct RawField {
    /// The field's key (`[a-z_][a-z0-9_$]*`, Benchling's rule)
    #[schemars(required, with = "String")]
    warehouse_name: Option<S<String>>,
    /// Display name
    #[schemars(required, with = "String")]
    name: Option<S<String>>,
    /// The field type (`float` is an alias of `decimal`)
    #[serde(rename = "type")]
    #[schemars(required, with = "FieldType")]
    field_type: Option<S<String>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    required: Option<S<bool>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    is_multi: Option<S<bool>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    parent_link: Option<S<bool>>,
    /// The display name of a dropdown defined in code (type `dropdown` only)
    #[schemars(with = "Option<String>")]
    dropdown: Option<S<String>>,
    /// The warehouse name of the target schema (entity, part, translation and transcription links)
    #[schemars(with = "Option<String>")]
    entity_link: Option<S<String>>,
    #[schemars(with = "Option<String>")]
    tooltip: Option<S<String>>,
    /// A unit name from the tenant's unit dictionary (`gram`, `minute`, ...); integer and decimal
    /// only; cannot change once set
    #[schemars(with = "Option<String>")]
    unit: Option<S<String>>,
    /// 0 to 15, decimal only
    #[schemars(with = "Option<u8>", range(min = 0, max = 15))]
    decimal_places: Option<S<i64>>,
    /// default false
    #[schemars(with = "Option<bool>")]
    archived: Option<S<bool>>,
}

/// The keys each YAML mapping may have (`RawItem`, `RawField`, `RawTemplate`, `RawPart`,
/// `RawMixture`). Which item keys suit which `kind` is checked by `convert_item`.
const ITEM_KEYS: &[&str] = &[
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
];
const PART_KEYS: &[&str] = &["type", "value", "field", "wh_field_name"];

/// A YAML node as far as the unknown-key check needs it: mapping keys with their places.
enum Node {
    Map(Vec<(String, Location, Node)>),
    Seq(Vec<Node>),
    Scalar,
}

/// A mapping key of any scalar type, as text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("~".into()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Key, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Key("[...]".into()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Key, A::Error> {
                while a.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(Key("{...}".into()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = a.next_element()? {
                    items.push(n);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = a.next_key::<S<Key>>()? {
                    entries.push((k.value.0, k.referenced, a.next_value()?));
                }
                Ok(Node::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The mappings of a schema file, for the unknown-key check.
#[derive(Clone, Copy)]
enum Shape {
    Item,
    Field,
    Template,
    Part,
    Mixture,
}

impl Shape {
    fn what(self) -> &'static str {
        match self {
            Shape::Item => "an item",
            Shape::Field => "a field",
            Shape::Template => "a name template",
            Shape::Part => "a name template part",
            Shape::Mixture => "mixture_schema_config",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Shape::Item => ITEM_KEYS,
            Shape::Field => FIELD_KEYS,
            Shape::Template => TEMPLATE_KEYS,
            Shape::Part => PART_KEYS,
            Shape::Mixture => MIXTURE_KEYS,
        }
    }

    /// The shape of a key's value: a mapping, or a list of mappings.
    fn child(self, key: &str) -> Option<(Shape, bool)> {
        match (self, key) {
            (Shape::Item, "fields") => Some((Shape::Field, true)),
            (Shape::Item, "name_template") => Some((Shape::Template, false)),
            (Shape::Item, "mixture_schema_config") => Some((Shape::Mixture, false)),
            (Shape::Template, "parts") => Some((Shape::Part, true)),
            _ => None,
        }
    }
}

/// Report every key of `node` (a mapping of `shape`) that `shape` does not have, at the key,
/// and look into the values that are mappings themselves.
fn unknown_keys(ctx: &mut FileCtx<'_>, node: &Node, shape: Shape) {
    let Node::Map(entries) = node else { return };
    for (key, at, value) in entries {
        if !shape.keys().contains(&key.as_str()) {
            let hint = crate::diag::did_you_mean(key, shape.keys().iter().copied());
            if let Some(meant) = crate::diag::closest(key, shape.keys().iter().copied()) {
                ctx.near_misses.push((*at, meant));
            }
            ctx.at(*at, format!("unknown key `{key}` in {}", shape.what()), &format!("{hint}{}", keys_help(shape)));
            continue;
        }
        match (shape.child(key), value) {
            (Some((child, true)), Node::Seq(items)) => items.iter().for_each(|n| unknown_keys(ctx, n, child)),
            (Some((child, false)), n) => unknown_keys(ctx, n, child),
            _ => {}
        }
    }
}

/// A typo in a required key (`warehouse_nam`) was two problems: the unknown key, and the
/// missing one. The unknown key's "did you mean" says both, so the "missing" problem of the
/// mapping it stands in (the nearest one before it) goes.
fn drop_missing_for_near_misses(ctx: &mut FileCtx<'_>) {
    for (at, meant) in std::mem::take(&mut ctx.near_misses) {
        let here = (at.line() as usize, at.column() as usize);
        let missing = format!("missing `{meant}`");
        let nearest = ctx
            .problems
            .iter()
            .enumerate()
            .filter(|(_, p)| p.message == missing && (p.line, p.column) <= here)
            .max_by_key(|(_, p)| (p.line, p.column))
            .map(|(i, _)| i);
        if let Some(i) = nearest {
            ctx.problems.remove(i);
        }
    }
}

/// The keys a mapping may have, as a help line.
fn keys_help(shape: Shape) -> String {
    format!(
        "{} may have: {}",
        shape.what(),
        shape.keys().iter().filter(|k| **k != "wh_field_name").copied().collect::<Vec<_>>().join(", ")
    )
}

/// Where a field stood, and where each of its keys stood.
type FieldSpans = (Location, Vec<(&'static str, Location)>);

/// The places of one item's keys, to point problems found later at the right line.
struct Spans {
    item: Location,
    keys: Vec<(&'static str, Location)>,
    fields: Vec<FieldSpans>,
}

impl Spans {
    fn key(&self, key: Option<&str>) -> Location {
        key.and_then(|k| self.keys.iter().find(|(n, _)| *n == k).map(|(_, l)| *l)).unwrap_or(self.item)
    }

    fn field_key(&self, j: usize, key: Option<&str>) -> Location {
        match self.fields.get(j) {
            Some((at, keys)) => key.and_then(|k| keys.iter().find(|(n, _)| *n == k).map(|(_, l)| *l)).unwrap_or(*at),
            None => self.item,
        }
    }
}

struct FileCtx<'a> {
    path: &'a Path,
    text: Arc<String>,
    problems: Vec<SourceProblem>,
    /// Unknown keys that are near misses of a known key: where, and the key meant.
    near_misses: Vec<(Location, &'static str)>,
}

impl FileCtx<'_> {
    fn at(&mut self, loc: Location, message: String, help: &str) {
        let code = if message.starts_with("unknown key") || message.ends_with("is not a dropdown key") {
            "yaml::unknown-key"
        } else if message.starts_with("missing `") {
            "yaml::missing-key"
        } else if message.starts_with("unknown ") {
            "yaml::unknown-value"
        } else {
            "schema::rule"
        };
        self.problems.push(
            SourceProblem::new(self.path, loc.line() as usize, loc.column() as usize, message)
                .with_code(code)
                .with_help(help)
                .with_source(self.text.clone()),
        );
    }
}

fn loc_of<T>(s: &Option<S<T>>) -> Option<Location> {
    s.as_ref().map(|s| s.referenced)
}

fn parse_enum<T: std::str::FromStr<Err = super::UnknownValue>>(ctx: &mut FileCtx<'_>, value: &S<String>) -> Option<T> {
    match value.value.parse::<T>() {
        Ok(v) => Some(v),
        Err(e) => {
            ctx.at(value.referenced, e.message(), &e.help());
            None
        }
    }
}

fn required<T: Clone>(ctx: &mut FileCtx<'_>, v: &Option<S<T>>, at: Location, what: &str) -> Option<T> {
    match v {
        Some(v) => Some(v.value.clone()),
        None => {
            ctx.at(at, format!("missing `{what}`"), &format!("add `{what}: ...`"));
            None
        }
    }
}

/// A field, where it stood, and whether its type is unknown (a placeholder stands in, so that the
/// field's other rules are still checked).
fn convert_field(ctx: &mut FileCtx<'_>, raw: &S<RawField>) -> Option<(FieldDef, FieldSpans, bool)> {
    let at = raw.referenced;
    let r = &raw.value;
    let warehouse_name = required(ctx, &r.warehouse_name, at, "warehouse_name");
    let name = required(ctx, &r.name, at, "name");
    let field_type = match &r.field_type {
        Some(t) => parse_enum::<FieldType>(ctx, t),
        None => {
            ctx.at(at, "missing `type`".into(), "add `type: text` (or another field type)");
            None
        }
    };
    let decimal_places = match &r.decimal_places {
        Some(d) if !(0..=255).contains(&d.value) => {
            ctx.at(d.referenced, format!("decimal_places {} is out of range", d.value), "use a value from 0 to 15");
            None
        }
        Some(d) => Some(d.value as u8),
        None => None,
    };
    let keys = [
        ("warehouse_name", loc_of(&r.warehouse_name)),
        ("name", loc_of(&r.name)),
        ("type", loc_of(&r.field_type)),
        ("required", loc_of(&r.required)),
        ("is_multi", loc_of(&r.is_multi)),
        ("parent_link", loc_of(&r.parent_link)),
        ("dropdown", loc_of(&r.dropdown)),
        ("entity_link", loc_of(&r.entity_link)),
        ("tooltip", loc_of(&r.tooltip)),
        ("unit", loc_of(&r.unit)),
        ("decimal_places", loc_of(&r.decimal_places)),
        ("archived", loc_of(&r.archived)),
    ]
    .into_iter()
    .filter_map(|(k, l)| l.map(|l| (k, l)))
    .collect();
    let val = |b: &Option<S<bool>>| b.as_ref().is_some_and(|b| b.value);
    let s = |v: &Option<S<String>>| v.as_ref().map(|v| v.value.clone());
    Some((
        FieldDef {
            warehouse_name: warehouse_name?,
            name: name?,
            field_type: field_type.unwrap_or(FieldType::Text),
            required: val(&r.required),
            is_multi: val(&r.is_multi),
            parent_link: val(&r.parent_link),
            dropdown: s(&r.dropdown),
            entity_link: s(&r.entity_link),
            tooltip: s(&r.tooltip),
            unit: s(&r.unit),
            decimal_places,
            archived: val(&r.archived),
        },
        (at, keys),
        field_type.is_none(),
    ))
}

enum Item {
    Schema(SchemaDef, Unknown),
    Dropdown(DropdownDef),
}

/// Enum values of a schema that did not parse (already reported): placeholders stand in for
/// them, and only the problems that hold whatever the values are get reported.
#[derive(Debug, Clone, Default)]
struct Unknown {
    entity_type: bool,
    /// Indices of fields whose type is unknown.
    field_types: Vec<usize>,
}

impl Unknown {
    fn any(&self) -> bool {
        self.entity_type || !self.field_types.is_empty()
    }

    /// The problems of `def` on its own that hold for every value the unknown ones could have.
    fn certain(&self, index: usize, def: &SchemaDef) -> Vec<Problem> {
        let types: Vec<Option<EntityType>> =
            if self.entity_type { EntityType::ALL.iter().copied().map(Some).collect() } else { vec![None] };
        let field_types: Vec<Option<FieldType>> =
            if self.field_types.is_empty() { vec![None] } else { FieldType::ALL.iter().copied().map(Some).collect() };
        let mut certain: Option<Vec<Problem>> = None;
        for t in &types {
            for ft in &field_types {
                let mut variant = def.clone();
                if let Some(t) = t {
                    variant.props.entity_type = *t;
                }
                for j in &self.field_types {
                    if let (Some(ft), Some(f)) = (ft, variant.fields.get_mut(*j)) {
                        f.field_type = *ft;
                    }
                }
                let found = validate_schema(index, &variant);
                certain = Some(match certain {
                    None => found,
                    Some(before) => before.into_iter().filter(|p| found.contains(p)).collect(),
                });
            }
        }
        certain.unwrap_or_default()
    }
}

fn convert_item(ctx: &mut FileCtx<'_>, raw: &S<RawItem>) -> Option<(Item, Spans)> {
    let at = raw.referenced;
    let r = &raw.value;
    let Some(kind) = &r.kind else {
        ctx.at(at, "missing `kind`".into(), "add `kind: entity_schema` or `kind: dropdown`");
        return None;
    };
    let keys: Vec<(&'static str, Location)> = [
        ("kind", Some(kind.referenced)),
        ("name", loc_of(&r.name)),
        ("warehouse_name", loc_of(&r.warehouse_name)),
        ("prefix", loc_of(&r.prefix)),
        ("entity_type", loc_of(&r.entity_type)),
        ("naming_strategies", loc_of(&r.naming_strategies)),
        ("use_registry_id_as_label", loc_of(&r.use_registry_id_as_label)),
        ("include_registry_id_in_chips", loc_of(&r.include_registry_id_in_chips)),
        ("constraint_fields", loc_of(&r.constraint_fields)),
        ("show_bases_in_expanded_view", loc_of(&r.show_bases_in_expanded_view)),
        ("mixture_schema_config", loc_of(&r.mixture_schema_config)),
        ("name_template", loc_of(&r.name_template)),
        ("archived", loc_of(&r.archived)),
        ("options", loc_of(&r.options)),
    ]
    .into_iter()
    .filter_map(|(k, l)| l.map(|l| (k, l)))
    .collect();
    match kind.value.as_str() {
        "dropdown" => {
            for (key, loc) in &keys {
                if !DROPDOWN_KEYS.contains(key) {
                    ctx.at(
                        *loc,
                        format!("`{key}` is not a dropdown key"),
                        "a dropdown has only `kind`, `name` and `options`",
                    );
                }
            }
            if let Some(f) = r.fields.as_ref().and_then(|f| f.first()) {
                ctx.at(
                    f.referenced,
                    "`fields` is not a dropdown key".into(),
                    "a dropdown has only `kind`, `name` and `options`",
                );
            }
            let name = required(ctx, &r.name, at, "name")?;
            let options = required(ctx, &r.options, at, "options")?;
            Some((Item::Dropdown(DropdownDef { name, options }), Spans { item: at, keys, fields: vec![] }))
        }
        "entity_schema" => {
            if let Some(o) = &r.options {
                ctx.at(
                    o.referenced,
                    "`options` is not an entity schema key".into(),
                    "options belong to `kind: dropdown` items",
                );
            }
            let name = required(ctx, &r.name, at, "name");
            let warehouse_name = required(ctx, &r.warehouse_name, at, "warehouse_name");
            let prefix = required(ctx, &r.prefix, at, "prefix");
            let entity_type = match &r.entity_type {
                Some(t) => parse_enum::<EntityType>(ctx, t),
                None => {
                    ctx.at(at, "missing `entity_type`".into(), "add `entity_type: custom_entity` (or another type)");
                    None
                }
            };
            let mut naming = None;
            if let Some(ns) = &r.naming_strategies {
                let mut set = std::collections::BTreeSet::new();
                for n in &ns.value {
                    match n.parse::<NamingStrategy>() {
                        Ok(v) => {
                            set.insert(v);
                        }
                        Err(e) => ctx.at(ns.referenced, e.message(), &e.help()),
                    }
                }
                if ns.value.is_empty() {
                    ctx.at(ns.referenced, "naming_strategies is empty".into(), "list at least one, e.g. [NEW_IDS]");
                }
                naming = Some(set);
            }
            let mut template = NameTemplate::default();
            if let Some(t) = &r.name_template {
                template.order_name_parts_by_sequence = t.value.order_name_parts_by_sequence;
                for p in &t.value.parts {
                    if let Some(kind) = parse_enum::<PartType>(ctx, &p.kind) {
                        template.parts.push(NamePart { kind, value: p.value.clone(), field: p.field.clone() });
                    }
                }
            }
            let mut fields = Vec::new();
            let mut field_spans = Vec::new();
            let mut unknown = Unknown { entity_type: entity_type.is_none(), field_types: vec![] };
            for f in r.fields.iter().flatten() {
                if let Some((def, spans, unknown_type)) = convert_field(ctx, f) {
                    if unknown_type {
                        unknown.field_types.push(fields.len());
                    }
                    fields.push(def);
                    field_spans.push(spans);
                }
            }
            let flag = |b: &Option<S<bool>>| b.as_ref().is_some_and(|b| b.value);
            // Keys a type does not support must not even be set to their default (Liminal); a
            // non-default value is reported by the validation, so only defaults are reported here.
            if let Some(t) = entity_type {
                let unsupported: &[(&str, bool)] = if t == EntityType::Entry {
                    &[
                        ("naming_strategies", r.naming_strategies.is_some()),
                        ("use_registry_id_as_label", r.use_registry_id_as_label.as_ref().is_some_and(|b| !b.value)),
                        (
                            "include_registry_id_in_chips",
                            r.include_registry_id_in_chips.as_ref().is_some_and(|b| !b.value),
                        ),
                        ("constraint_fields", r.constraint_fields.as_ref().is_some_and(|c| c.value.is_empty())),
                    ]
                } else {
                    &[]
                };
                for (key, set) in unsupported {
                    if let (true, Some((_, loc))) = (*set, keys.iter().find(|(k, _)| k == key)) {
                        ctx.at(
                            *loc,
                            format!("`{key}` is not supported on entry schemas"),
                            "remove it; entries are not registered",
                        );
                    }
                }
                if !t.is_sequence()
                    && let Some(b) = r.show_bases_in_expanded_view.as_ref().filter(|b| !b.value)
                {
                    ctx.at(
                        b.referenced,
                        format!("show_bases_in_expanded_view is not supported on `{t}` schemas"),
                        "remove it; it applies to sequence schemas only",
                    );
                }
            }
            let entity_type = entity_type.unwrap_or(EntityType::CustomEntity);
            let mut props = SchemaProps::new(&name?, &warehouse_name?, &prefix?, entity_type);
            if let Some(n) = naming {
                props.naming_strategies = n;
            }
            props.use_registry_id_as_label = flag(&r.use_registry_id_as_label);
            props.include_registry_id_in_chips = flag(&r.include_registry_id_in_chips);
            props.constraint_fields = r
                .constraint_fields
                .as_ref()
                .map(|c| c.value.iter().cloned().collect::<BTreeSet<_>>())
                .unwrap_or_default();
            props.show_bases_in_expanded_view = flag(&r.show_bases_in_expanded_view);
            props.mixture_schema_config = r.mixture_schema_config.as_ref().map(|m| MixtureConfig {
                allow_measured_ingredients: m.value.allow_measured_ingredients,
                component_lot_storage_enabled: m.value.component_lot_storage_enabled,
                component_lot_text_enabled: m.value.component_lot_text_enabled,
            });
            if fields.len() != r.fields.as_ref().map_or(0, Vec::len) {
                return None;
            }
            let def = SchemaDef { props, name_template: template, archived: flag(&r.archived), fields };
            Some((Item::Schema(def, unknown), Spans { item: at, keys, fields: field_spans }))
        }
        other => {
            ctx.at(kind.referenced, format!("unknown kind `{other}`"), "use `kind: entity_schema` or `kind: dropdown`");
            None
        }
    }
}

/// The YAML parser's message in the user's words: the key and the kind of value it needs, not
/// Rust's type names, and no second copy of the location (the diagnostic shows it).
pub(crate) fn yaml_error(text: &str, line: usize, col: usize, raw: &str) -> (String, &'static str) {
    let raw = raw.find(" at line ").map_or(raw, |i| &raw[..i]).trim();
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected one of ").trim_start_matches(", expected ");
        let keys: Vec<&str> = expected.split(", ").map(|k| k.trim_matches('`')).filter(|k| !k.is_empty()).collect();
        let hint = crate::diag::did_you_mean(key, keys.iter().copied());
        return (format!("unknown key `{key}`; {hint}keys here: {}", keys.join(", ")), "yaml::unknown-key");
    }
    if let Some(rest) = raw.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return (format!("`{key}` is set twice in this mapping"), "yaml::duplicate-key");
    }
    const EXPECTED: [(&str, &str); 8] = [
        ("invalid boolean", "`true` or `false` (`yes`/`no` are not booleans)"),
        ("invalid i64", "a whole number"),
        ("invalid u64", "a whole number"),
        ("invalid f64", "a number"),
        ("expected string", "text (a string)"),
        ("expected sequence", "a list (`[a, b]`, or one `- item` per line)"),
        ("expected mapping", "a mapping (`{key: value}`, or indented `key: value` lines)"),
        ("expected struct", "a mapping (`{key: value}`, or indented `key: value` lines)"),
    ];
    let Some((_, expected)) = EXPECTED.iter().find(|(prefix, _)| raw.starts_with(prefix)) else {
        return (raw.to_string(), "yaml::syntax");
    };
    let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let at: String = line_text.chars().skip(col.saturating_sub(1)).collect();
    let found = match at.trim_start().chars().next() {
        Some('[') => "a list".to_string(),
        Some('{') => "a mapping".to_string(),
        Some('-') if at.trim_start().starts_with("- ") => "a list".to_string(),
        None => "nothing".to_string(),
        Some(_) => {
            let token: String = at.chars().take_while(|c| !matches!(c, ',' | '}' | ']' | '#')).collect();
            let token = token.trim();
            if token.contains(": ") { "a mapping".to_string() } else { format!("`{token}`") }
        }
    };
    // The key whose value this is: the last `key:` before the column on this line, or the key
    // that ends the line above (a block value).
    let before: String = line_text.chars().take(col.saturating_sub(1)).collect();
    let key_of = |s: &str| {
        let s = s.trim_end().strip_suffix(':')?;
        let key = s.rsplit(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '-')).next()?;
        (!key.is_empty()).then(|| key.to_string())
    };
    let key = key_of(&before).or_else(|| text.lines().nth(line.saturating_sub(2)).and_then(key_of));
    let message = match key {
        Some(k) => format!("`{k}` must be {expected}, not {found}"),
        None => format!("expected {expected} here, not {found}"),
    };
    (message, "yaml::type")
}

fn yaml_options() -> Options {
    let mut o = Options::default();
    o.strict_booleans = true;
    o
}

struct Origin {
    file: usize,
    spans: Spans,
    unknown: Unknown,
}

struct Loaded {
    model: CodeModel,
    schema_origin: Vec<Origin>,
    dropdown_origin: Vec<Origin>,
    files: Vec<(PathBuf, Arc<String>)>,
    problems: Vec<SourceProblem>,
}

fn load_file(loaded: &mut Loaded, path: &Path, text: String) {
    let text = Arc::new(text);
    let file = loaded.files.len();
    loaded.files.push((path.to_path_buf(), text.clone()));
    let mut ctx = FileCtx { path, text: text.clone(), problems: Vec::new(), near_misses: Vec::new() };
    // Unknown keys, all of them, wherever they are (the typed pass below ignores them). A file
    // that is not YAML fails here too, and is reported once, by the typed pass.
    if let Ok(nodes) = serde_saphyr::from_multiple_with_options::<Option<Node>>(&text, yaml_options()) {
        for node in nodes.iter().flatten() {
            unknown_keys(&mut ctx, node, Shape::Item);
        }
    }
    match serde_saphyr::from_multiple_with_options::<Option<S<RawItem>>>(&text, yaml_options()) {
        Err(e) => {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
            let message = e.without_snippet().to_string();
            let message = message.lines().next().unwrap_or("invalid YAML").to_string();
            let (message, code) = yaml_error(&text, line, col, &message);
            ctx.problems.push(
                SourceProblem::new(path, line, col, message)
                    .with_code(code)
                    .with_help(
                        "fix the YAML here; see the README for the schema file format (or `liminal json-schema`)",
                    )
                    .with_source(text.clone()),
            );
        }
        Ok(items) => {
            for raw in items.iter().flatten() {
                if let Some((item, spans)) = convert_item(&mut ctx, raw) {
                    match item {
                        Item::Schema(s, unknown) => {
                            loaded.model.schemas.push(s);
                            loaded.schema_origin.push(Origin { file, spans, unknown });
                        }
                        Item::Dropdown(d) => {
                            loaded.model.dropdowns.push(d);
                            loaded.dropdown_origin.push(Origin { file, spans, unknown: Unknown::default() });
                        }
                    }
                }
            }
        }
    }
    drop_missing_for_near_misses(&mut ctx);
    loaded.problems.extend(ctx.problems);
}

/// Where the items of the code model and their keys stand in `schemas/`, so that findings about
/// what the code asks for (the lints `diff` prints) point at the YAML key.
pub struct CodePlaces {
    files: Vec<PathBuf>,
    schemas: Vec<(String, Vec<String>, Origin)>,
    dropdowns: Vec<(String, Origin)>,
}

impl CodePlaces {
    fn at(&self, origin: &Origin, loc: Location) -> Located {
        Located { file: self.files[origin.file].clone(), line: loc.line() as usize, column: loc.column() as usize }
    }

    /// A schema's key (`None`: the item itself), by warehouse name.
    pub fn schema_key(&self, schema: &str, key: Option<&str>) -> Option<Located> {
        let (_, _, origin) = self.schemas.iter().find(|(wh, _, _)| wh == schema)?;
        Some(self.at(origin, origin.spans.key(key)))
    }

    /// A field's key (`None`: the field itself), by warehouse names.
    pub fn field_key(&self, schema: &str, field: &str, key: Option<&str>) -> Option<Located> {
        let (_, fields, origin) = self.schemas.iter().find(|(wh, _, _)| wh == schema)?;
        let j = fields.iter().position(|f| f == field)?;
        Some(self.at(origin, origin.spans.field_key(j, key)))
    }

    /// A dropdown's key (`None`: the item itself), by display name.
    pub fn dropdown_key(&self, name: &str, key: Option<&str>) -> Option<Located> {
        let (_, origin) = self.dropdowns.iter().find(|(n, _)| n == name)?;
        Some(self.at(origin, origin.spans.key(key)))
    }
}

fn finish(loaded: Loaded) -> Result<CodeModel, LoadError> {
    finish_with(loaded, &|_| Vec::new())
}

/// Finish loading, with `more` problems found on the model by the caller (a tenant's rules).
fn finish_with(loaded: Loaded, more: &dyn Fn(&CodeModel) -> Vec<Problem>) -> Result<CodeModel, LoadError> {
    finish_with_places(loaded, more).map(|(model, _)| model)
}

/// [`finish_with`], keeping where each item and key stands.
fn finish_with_places(
    mut loaded: Loaded,
    more: &dyn Fn(&CodeModel) -> Vec<Problem>,
) -> Result<(CodeModel, CodePlaces), LoadError> {
    // A schema with an unknown enum value: of its own problems, only those that hold whatever
    // the value is (problems across items do not depend on it).
    let mut doubtful: Vec<(Vec<Problem>, Vec<Problem>)> = Vec::new();
    for (i, origin) in loaded.schema_origin.iter().enumerate() {
        doubtful.push(if origin.unknown.any() {
            let def = &loaded.model.schemas[i];
            (validate_schema(i, def), origin.unknown.certain(i, def))
        } else {
            (vec![], vec![])
        });
    }
    let extra = if loaded.problems.is_empty() { more(&loaded.model) } else { Vec::new() };
    let problems = validate_model(&loaded.model)
        .into_iter()
        .filter(|p| match p.target {
            Target::Schema(i) | Target::Field(i, _) => {
                let (own, certain) = &doubtful[i];
                !own.contains(p) || certain.contains(p)
            }
            Target::Dropdown(_) => true,
        })
        .chain(extra);
    let place = |target: Target, key: Option<&str>| match target {
        Target::Schema(i) => (loaded.schema_origin[i].file, loaded.schema_origin[i].spans.key(key)),
        Target::Field(i, j) => (loaded.schema_origin[i].file, loaded.schema_origin[i].spans.field_key(j, key)),
        Target::Dropdown(i) => (loaded.dropdown_origin[i].file, loaded.dropdown_origin[i].spans.key(key)),
    };
    let mut found = Vec::new();
    for Problem { target, key, message, help, first } in problems.collect::<Vec<_>>() {
        let (file, loc) = place(target, key);
        let (path, text) = &loaded.files[file];
        let mut problem = SourceProblem::new(path, loc.line() as usize, loc.column() as usize, message)
            .with_code("schema::rule")
            .with_source(text.clone());
        let mut help = help;
        // A duplicate points at the other one too: a second label in the same file, else its
        // place in the help line.
        if let Some((t, k)) = first {
            let (other_file, other) = place(t, k);
            let (line, column) = (other.line() as usize, other.column() as usize);
            if other_file == file {
                problem = problem.also_at(line, column, "first here");
                help = format!("{help} (the first is at line {line})");
            } else {
                let other_path = crate::diag::display_path(&loaded.files[other_file].0);
                help = format!("{help} (the first is at {other_path}:{line}:{column})");
            }
        }
        found.push(problem.with_help(help));
    }
    loaded.problems.extend(found);
    if loaded.problems.is_empty() {
        let schemas = loaded
            .model
            .schemas
            .iter()
            .zip(loaded.schema_origin)
            .map(|(s, o)| {
                (s.props.warehouse_name.clone(), s.fields.iter().map(|f| f.warehouse_name.clone()).collect(), o)
            })
            .collect();
        let dropdowns = loaded.model.dropdowns.iter().map(|d| d.name.clone()).zip(loaded.dropdown_origin).collect();
        let files = loaded.files.into_iter().map(|(p, _)| p).collect();
        Ok((loaded.model, CodePlaces { files, schemas, dropdowns }))
    } else {
        loaded.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        Err(Problems(loaded.problems))
    }
}

fn empty() -> Loaded {
    Loaded {
        model: CodeModel::default(),
        schema_origin: vec![],
        dropdown_origin: vec![],
        files: vec![],
        problems: vec![],
    }
}

/// The JSON Schema (draft 7, what the YAML language server reads best) of one item of a schema
/// file, generated from the shapes the loader reads.
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    serde_json::to_value(generator.into_root_schema_for::<RawItem>()).unwrap_or_default()
}

/// Load one YAML text (tests, and single files).
pub fn load_str(path: &Path, text: &str) -> Result<CodeModel, LoadError> {
    let mut loaded = empty();
    load_file(&mut loaded, path, text.to_string());
    finish(loaded)
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            yaml_files(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            && crate::inputs::is_regular_file(&path)
        {
            // Anything else (a FIFO...) would block the read: skipped, and the CLI warns.
            out.push(path);
        }
    }
    Ok(())
}

/// Load every `*.yaml`/`*.yml` file under `dir` (sub-folders included), in path order.
pub fn load_dir(dir: &Path) -> Result<CodeModel, LoadError> {
    load_dir_with(dir, &|_| Vec::new())
}

/// [`load_dir`], adding the problems `more` finds on a model that loads (a tenant's rules, such
/// as [`crate::settings::code_problems`]), each located at its key like the others.
pub fn load_dir_with(dir: &Path, more: &dyn Fn(&CodeModel) -> Vec<Problem>) -> Result<CodeModel, LoadError> {
    load_dir_with_places(dir, more).map(|(model, _)| model)
}

/// [`load_dir_with`], with where each item and key stands.
pub fn load_dir_with_places(
    dir: &Path,
    more: &dyn Fn(&CodeModel) -> Vec<Problem>,
) -> Result<(CodeModel, CodePlaces), LoadError> {
    let mut loaded = empty();
    let mut files = Vec::new();
    if let Err(e) = yaml_files(dir, &mut files) {
        return Err(Problems(vec![
            SourceProblem::unlocated(dir, format!("cannot read the schemas folder: {}", crate::diag::io_error(&e)))
                .with_help("create it, or set `schemas:` in liminal.yaml"),
        ]));
    }
    files.sort();
    for path in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => load_file(&mut loaded, &path, text),
            Err(e) => loaded.problems.push(
                SourceProblem::unlocated(&path, format!("cannot read the file: {}", crate::diag::io_error(&e)))
                    .with_help("check the file's permissions"),
            ),
        }
    }
    finish_with_places(loaded, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIZZA: &str = r#"
kind: entity_schema
name: Pizza
warehouse_name: pizza
prefix: PZ
entity_type: custom_entity
fields:
  - warehouse_name: toppings
    name: Toppings
    type: dropdown
    dropdown: Toppings
    is_multi: true
  - warehouse_name: weight
    name: Weight
    type: float
    decimal_places: 2
    unit: gram
---
kind: dropdown
name: Toppings
options: [Cheese, "Bob's \"special\""]
"#;

    #[test]
    fn loads_schema_and_dropdown() {
        let m = load_str(Path::new("pizza.yaml"), PIZZA).unwrap();
        assert_eq!(m.schemas.len(), 1);
        assert_eq!(m.schemas[0].fields[1].field_type, FieldType::Decimal);
        assert_eq!(m.dropdowns[0].options[1], "Bob's \"special\"");
        assert_eq!(m.schemas[0].props.naming_strategies.len(), 3);
    }

    #[test]
    fn three_mistakes_three_located_errors() {
        let text = r#"kind: entity_schema
name: Pizza
warehouse_name: Pizza
prefix: PZ
entity_type: custom_entity
fields:
  - warehouse_name: notes
    name: Notes
    type: text
    unit: gram
  - warehouse_name: size
    name: Size
    type: integer
    decimal_places: 2
"#;
        let err = load_str(Path::new("s.yaml"), text).unwrap_err();
        let places: Vec<_> = err.0.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(3, 17), (10, 11), (14, 21)], "{err:?}");
    }

    /// Benchling requires `[a-z_][a-z0-9_$]*`: a warehouse name starting with a digit used to
    /// pass `check`, local apply and preflight, then fail half-way through an upgrade.
    #[test]
    fn warehouse_name_follows_benchlings_rule() {
        let text = "kind: entity_schema\nname: Cat\nwarehouse_name: 9lives\nprefix: CT\nentity_type: custom_entity\nfields:\n  - { warehouse_name: bnch$x, name: X, type: text }\n  - { warehouse_name: _ok$2, name: Y, type: text }\n";
        let err = load_str(Path::new("cat.yaml"), text).unwrap_err();
        let places: Vec<_> = err.0.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(3, 17), (7, 23)], "{err:?}");
        assert!(err.0[0].message.contains("9lives"), "{}", err.0[0].message);
        assert!(err.0[0].help.as_deref().unwrap_or_default().contains("lowercase letter or `_`"), "{:?}", err.0[0]);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = "kind: dropdown\nname: A\noptions: [x]\ncolour: red\n";
        let err = load_str(Path::new("d.yaml"), text).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].line, 4, "{:?}", err.0[0]);
        assert!(err.0[0].message.contains("colour"), "{}", err.0[0].message);
    }

    /// Unknown keys used to stop the whole file at the first one (serde's deny_unknown_fields):
    /// the other items' problems, and the other unknown keys, went unreported.
    #[test]
    fn every_unknown_key_is_reported_at_its_place_with_the_other_problems() {
        let text = r#"kind: dropdown
name: A
options: [x]
colour: red
---
kind: entity_schema
name: B
warehouse_name: B
prefix: B
entity_type: mixture
mixture_schema_config: {allow_measured_ingredients: false, lots: true}
name_template: {parts: [{type: TEXT, value: b, extra: 1}], sort: true}
fields:
  - {warehouse_name: x, name: X, type: text, colour: red}
  - warehouse_name: y
    name: Y
    type: text
    unit: gram
---
name: C
"#;
        let err = load_str(Path::new("d.yaml"), text).unwrap_err();
        let got: Vec<_> = err.0.iter().map(|p| (p.line, p.column, p.message.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (4, 1, "unknown key `colour` in an item"),
                (8, 17, "warehouse name `B` is not valid"),
                (11, 60, "unknown key `lots` in mixture_schema_config"),
                (12, 48, "unknown key `extra` in a name template part"),
                (12, 60, "unknown key `sort` in a name template"),
                (14, 46, "unknown key `colour` in a field"),
                (18, 11, "field `y` has a unit but type `text`"),
                (20, 1, "missing `kind`"),
            ],
            "{err:?}"
        );
    }

    /// A bad entity type or field type used to drop the whole schema, so its other problems went
    /// unreported until the value was fixed. Those that hold whatever the value is are reported
    /// now; those that depend on it (the unit of the `texty` field, the mixture config) are not.
    #[test]
    fn a_bad_enum_value_does_not_hide_the_other_problems() {
        let text = r#"kind: entity_schema
name: A
warehouse_name: A
prefix: A
entity_type: plasmid
mixture_schema_config: {allow_measured_ingredients: false}
fields:
  - {warehouse_name: x, name: X, type: texty, unit: gram}
  - {warehouse_name: y, name: Y, type: text, unit: gram}
  - {warehouse_name: y, name: Z, type: integer}
"#;
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        let got: Vec<_> =
            err.0.iter().map(|p| (p.line, p.column, p.message.split(';').next().unwrap_or_default())).collect();
        assert_eq!(
            got,
            vec![
                (3, 17, "warehouse name `A` is not valid"),
                (5, 14, "unknown entity type `plasmid`"),
                (8, 40, "unknown field type `texty`"),
                (9, 52, "field `y` has a unit but type `text`"),
                (10, 22, "field warehouse name `y` is used twice in schema `A`"),
            ],
            "{err:?}"
        );
    }

    /// Keys a type does not support were reported twice when set to a non-default value: by the
    /// loader (the key is set) and by the validation (the value).
    #[test]
    fn unsupported_keys_are_reported_once() {
        let entry = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: entry\nuse_registry_id_as_label: true\ninclude_registry_id_in_chips: false\nnaming_strategies: [NEW_IDS]\n";
        let err = load_str(Path::new("a.yaml"), entry).unwrap_err();
        let got: Vec<_> = err.0.iter().map(|p| p.line).collect();
        assert_eq!(got, vec![6, 7, 8], "{err:?}");
        for value in ["true", "false"] {
            let text = format!(
                "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nshow_bases_in_expanded_view: {value}\n"
            );
            let err = load_str(Path::new("a.yaml"), &text).unwrap_err();
            let got: Vec<_> = err.0.iter().map(|p| (p.line, p.column)).collect();
            assert_eq!(got, vec![(6, 30)], "{err:?}");
        }
    }

    #[test]
    fn bad_enum_value_names_the_choices() {
        let text = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: plasmid\n";
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!((err.0[0].line, err.0[0].column), (5, 14));
        assert!(err.0[0].help.as_deref().unwrap_or("").contains("custom_entity"));
    }

    /// A template naming an archived field passed, and the diff then failed: `set_name_template`
    /// found no such field on a new schema, and `archive_field` refused a templated field.
    #[test]
    fn template_field_must_be_active() {
        let text = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nname_template: {parts: [{type: FIELD, field: x}]}\nfields:\n  - {warehouse_name: x, name: X, type: text, archived: true}\n";
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err:?}");
        assert_eq!((err.0[0].line, err.0[0].column), (6, 16));
        assert!(err.0[0].message.contains("not an active field"), "{}", err.0[0].message);
    }

    #[test]
    fn links_must_exist_in_code() {
        let text = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nfields:\n  - {warehouse_name: b, name: B, type: entity_link, entity_link: nowhere}\n  - {warehouse_name: c, name: C, type: dropdown, dropdown: Nope}\n";
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!(err.0.len(), 2, "{err:?}");
        assert_eq!(err.0[0].line, 7);
        assert_eq!(err.0[1].line, 8);
    }
}
