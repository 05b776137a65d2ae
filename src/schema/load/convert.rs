//! The raw items of a schema file into the code model, each problem at its key; the places of
//! the keys are kept, to locate the problems the model's validation finds later.

use std::collections::BTreeSet;

use serde_saphyr::Location;

use super::S;
use super::messages::FileCtx;
use super::raw::{RawField, RawFlags, RawItem};
use crate::schema::codec::Shape;
use crate::schema::rules::FLAG_SCOPES;
use crate::schema::validate::{Problem, not_on_entries, unsupported_flag, validate_schema};
use crate::schema::{
    DropdownDef, EntityType, FieldDef, FieldType, MixtureConfig, NamePart, NameTemplate, NamingStrategy, PartType,
    SchemaDef, SchemaProps, UnknownValue,
};

/// Where a field stood, and where each of its keys stood.
pub(super) type FieldSpans = (Location, Vec<(&'static str, Location)>);

/// The places of one item's keys, to point problems found later at the right line.
pub(super) struct Spans {
    item: Location,
    keys: Vec<(&'static str, Location)>,
    fields: Vec<FieldSpans>,
}

impl Spans {
    pub(super) fn key(&self, key: Option<&str>) -> Location {
        key.and_then(|k| self.keys.iter().find(|(n, _)| *n == k).map(|(_, l)| *l)).unwrap_or(self.item)
    }

    pub(super) fn field_key(&self, j: usize, key: Option<&str>) -> Location {
        match self.fields.get(j) {
            Some((at, keys)) => key.and_then(|k| keys.iter().find(|(n, _)| *n == k).map(|(_, l)| *l)).unwrap_or(*at),
            None => self.item,
        }
    }
}

fn loc_of<T>(s: &Option<S<T>>) -> Option<Location> {
    s.as_ref().map(|s| s.referenced)
}

fn parse_enum<T: std::str::FromStr<Err = UnknownValue>>(ctx: &mut FileCtx<'_>, value: &S<String>) -> Option<T> {
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

pub(super) enum Item {
    Schema(SchemaDef, Unknown),
    Dropdown(DropdownDef),
}

/// Enum values of a schema that did not parse (already reported): placeholders stand in for
/// them, and only the problems that hold whatever the values are get reported.
#[derive(Debug, Clone, Default)]
pub(super) struct Unknown {
    entity_type: bool,
    /// Indices of fields whose type is unknown.
    field_types: Vec<usize>,
}

impl Unknown {
    pub(super) fn any(&self) -> bool {
        self.entity_type || !self.field_types.is_empty()
    }

    /// The problems of `def` on its own that hold for every value the unknown ones could have.
    pub(super) fn certain(&self, index: usize, def: &SchemaDef) -> Vec<Problem> {
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

pub(super) fn convert_item(ctx: &mut FileCtx<'_>, raw: &S<RawItem>) -> Option<(Item, Spans)> {
    let at = raw.referenced;
    let r = &raw.value;
    let Some(kind) = &r.kind else {
        ctx.at(at, "missing `kind`".into(), "add `kind: entity_schema` or `kind: dropdown`");
        return None;
    };
    let flags = r.flags();
    let flag_keys = flags.iter().map(|(k, v)| (k, loc_of(v)));
    let keys: Vec<(&'static str, Location)> = [
        ("kind", Some(kind.referenced)),
        ("name", loc_of(&r.name)),
        ("warehouse_name", loc_of(&r.warehouse_name)),
        ("prefix", loc_of(&r.prefix)),
        ("entity_type", loc_of(&r.entity_type)),
        ("naming_strategies", loc_of(&r.naming_strategies)),
        ("constraint_fields", loc_of(&r.constraint_fields)),
        ("mixture_schema_config", loc_of(&r.mixture_schema_config)),
        ("name_template", loc_of(&r.name_template)),
        ("archived", loc_of(&r.archived)),
        ("options", loc_of(&r.options)),
    ]
    .into_iter()
    .chain(flag_keys)
    .filter_map(|(k, l)| l.map(|l| (k, l)))
    .collect();
    match kind.value.as_str() {
        "dropdown" => {
            let dropdown_keys = Shape::Dropdown.names();
            for (key, loc) in &keys {
                if !dropdown_keys.contains(key) {
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
        "entity_schema" => convert_schema(ctx, at, r, &flags, keys),
        other => {
            ctx.at(kind.referenced, format!("unknown kind `{other}`"), "use `kind: entity_schema` or `kind: dropdown`");
            None
        }
    }
}

/// An entity schema item (`kind: entity_schema`), with the places of its keys.
fn convert_schema(
    ctx: &mut FileCtx<'_>,
    at: Location,
    r: &RawItem,
    flags: &RawFlags,
    keys: Vec<(&'static str, Location)>,
) -> Option<(Item, Spans)> {
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
    // Keys a type does not support must not even be set to their default (Liminal); a
    // non-default value is reported by the validation, so only defaults are reported here.
    if let Some(t) = entity_type {
        let mut unsupported: Vec<(Location, String, &str)> = Vec::new();
        if t == EntityType::Entry {
            if let Some(n) = &r.naming_strategies {
                let (m, h) = not_on_entries("naming_strategies");
                unsupported.push((n.referenced, m, h));
            }
            if let Some(c) = r.constraint_fields.as_ref().filter(|c| c.value.is_empty()) {
                let (m, h) = not_on_entries("constraint_fields");
                unsupported.push((c.referenced, m, h));
            }
        }
        for (key, b) in flags.iter() {
            let scope = FLAG_SCOPES.get(key).filter(|s| !s.allows(t));
            if let (Some(scope), Some(b)) = (scope, b.as_ref().filter(|b| !b.value)) {
                let (m, h) = unsupported_flag(*scope, key, t);
                unsupported.push((b.referenced, m, h));
            }
        }
        for (loc, message, help) in unsupported {
            ctx.at(loc, message, help);
        }
    }
    let entity_type = entity_type.unwrap_or(EntityType::CustomEntity);
    let mut props = SchemaProps::new(&name?, &warehouse_name?, &prefix?, entity_type);
    if let Some(n) = naming {
        props.naming_strategies = n;
    }
    props.flags = flags.map(|_, b| b.as_ref().is_some_and(|b| b.value));
    props.constraint_fields =
        r.constraint_fields.as_ref().map(|c| c.value.iter().cloned().collect::<BTreeSet<_>>()).unwrap_or_default();
    props.mixture_schema_config = r.mixture_schema_config.as_ref().map(|m| MixtureConfig {
        allow_measured_ingredients: m.value.allow_measured_ingredients,
        component_lot_storage_enabled: m.value.component_lot_storage_enabled,
        component_lot_text_enabled: m.value.component_lot_text_enabled,
    });
    if fields.len() != r.fields.as_ref().map_or(0, Vec::len) {
        return None;
    }
    let def =
        SchemaDef { props, name_template: template, archived: r.archived.as_ref().is_some_and(|b| b.value), fields };
    Some((Item::Schema(def, unknown), Spans { item: at, keys, fields: field_spans }))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::schema::load_str;

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

    /// A file with two bad values is reported once, at the first, be it a flag (a field
    /// `schema_flags!` gives `RawItem`) or another key.
    #[test]
    fn a_file_is_reported_at_its_first_bad_value_flag_or_not() {
        let flag_first = "kind: entity_schema\nuse_registry_id_as_label: yes\nname: [A]\n";
        let item_first = "kind: entity_schema\nname: [A]\nuse_registry_id_as_label: yes\n";
        for (text, line, key) in [(flag_first, 2, "use_registry_id_as_label"), (item_first, 2, "name")] {
            let err = load_str(Path::new("a.yaml"), text).unwrap_err();
            assert_eq!(err.0.len(), 1, "{err:?}");
            assert_eq!(err.0[0].line, line, "{err:?}");
            assert!(err.0[0].message.contains(key), "{err:?}");
        }
        let only_flag = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: dna_sequence\nshow_bases_in_expanded_view: 1\n";
        let err = load_str(Path::new("a.yaml"), only_flag).unwrap_err();
        assert_eq!((err.0.len(), err.0[0].line), (1, 6), "{err:?}");
    }

    #[test]
    fn bad_enum_value_names_the_choices() {
        let text = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: plasmid\n";
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!((err.0[0].line, err.0[0].column), (5, 14));
        assert!(err.0[0].help.as_deref().unwrap_or("").contains("custom_entity"));
    }
}
