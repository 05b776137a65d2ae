//! Every rule Liminal enforces on schemas, fields and dropdowns (reference §7), on the plain
//! model. Each problem names the item, the field and the key it is about, so that the YAML loader
//! can point at the line and column and the Rhai constructors can name the argument. The rules
//! that `Op::apply` and the emulator share are asked of the rule book ([`super::rules`]); this
//! module words them as located problems.

use std::collections::BTreeMap;

use super::codec::Shape;
use super::rules::{
    self, FLAG_SCOPES, FieldName, FieldProperty as Has, FieldTypeProblem, FlagScope, OptionProblem, PrefixProblem,
    SchemaName, SchemaNames, WAREHOUSE_NAME_HELP, valid_warehouse_name,
};
use super::{CodeModel, DropdownDef, EntityType, FieldDef, SchemaDef, SchemaProps};

/// What a problem is about: indices into [`CodeModel::schemas`] / [`CodeModel::dropdowns`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Schema(usize),
    Field(usize, usize),
    Dropdown(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub target: Target,
    /// The YAML key the problem is about, when there is one.
    pub key: Option<&'static str>,
    pub message: String,
    pub help: String,
    /// For a duplicate: the first of the two (the item, and its key), to point at both.
    pub first: Option<(Target, Option<&'static str>)>,
}

impl Problem {
    fn new(target: Target, key: Option<&'static str>, message: String, help: impl Into<String>) -> Problem {
        Problem { target, key, message, help: help.into(), first: None }
    }

    fn first_at(mut self, target: Target, key: Option<&'static str>) -> Problem {
        self.first = Some((target, key));
        self
    }
}

/// The index `key` was first seen at, or none (and `at` is recorded as the first).
fn first_of<K: Ord>(map: &mut BTreeMap<K, usize>, key: K, at: usize) -> Option<usize> {
    if let Some(first) = map.get(&key) {
        return Some(*first);
    }
    map.insert(key, at);
    None
}

fn prefix_message(prefix: &str) -> Option<String> {
    Some(match rules::prefix_problem(prefix)? {
        PrefixProblem::Empty => "prefix is empty".into(),
        PrefixProblem::TooLong => format!("prefix `{prefix}` is longer than 32 characters"),
        PrefixProblem::BadChar(c) => {
            format!("prefix `{prefix}` contains `{c}`; only letters, digits, `_` and `-` are allowed")
        }
        PrefixProblem::EndsInDigit => format!("prefix `{prefix}` ends in a digit"),
    })
}

/// Rules on one field of a schema of type `entity_type`.
pub fn validate_field(entity_type: EntityType, f: &FieldDef) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let t = f.field_type;
    if !valid_warehouse_name(&f.warehouse_name) {
        out.push((
            "warehouse_name",
            format!("field warehouse name `{}` is not valid", f.warehouse_name),
            WAREHOUSE_NAME_HELP.to_string(),
        ));
    }
    if rules::blank(&f.name) {
        out.push(("name", "field name is empty".into(), "give the field a display name".into()));
    }
    if let Some(problem) = rules::field_type_problem(entity_type, t) {
        let help = match problem {
            FieldTypeProblem::Json => "JSON fields are not allowed on entity schemas".to_string(),
            FieldTypeProblem::SequenceOnly => {
                format!("`{t}` fields are only allowed on DNA/RNA sequence schemas that support them")
            }
        };
        out.push(("type", format!("a field of type `{t}` is not allowed on a `{entity_type}` schema"), help));
    }
    out.extend(field_property_problems(f));
    out
}

/// The properties a field's type does not have, or must have (L§7.2 validation).
fn field_property_problems(f: &FieldDef) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let t = f.field_type;
    match (rules::type_has(t, Has::Dropdown), &f.dropdown) {
        (true, None) => out.push((
            "dropdown",
            format!("field `{}` has type dropdown but names no dropdown", f.warehouse_name),
            "add `dropdown: <dropdown name>`".into(),
        )),
        (false, Some(_)) => out.push((
            "dropdown",
            format!("field `{}` names a dropdown but has type `{t}`", f.warehouse_name),
            "use `type: dropdown`, or remove `dropdown`".into(),
        )),
        _ => {}
    }
    if f.unit.is_some() && !rules::type_has(t, Has::Unit) {
        out.push((
            "unit",
            format!("field `{}` has a unit but type `{t}`", f.warehouse_name),
            "units are only allowed on integer and decimal fields".into(),
        ));
    }
    if let Some(p) = f.decimal_places {
        if !rules::type_has(t, Has::DecimalPlaces) {
            out.push((
                "decimal_places",
                format!("field `{}` has decimal_places but type `{t}`", f.warehouse_name),
                "decimal_places is only allowed on decimal fields".into(),
            ));
        } else if p > 15 {
            out.push((
                "decimal_places",
                format!("decimal_places {p} is out of range"),
                "use a value from 0 to 15".into(),
            ));
        }
    }
    if f.entity_link.is_some() && !rules::type_has(t, Has::EntityLink) {
        out.push((
            "entity_link",
            format!("field `{}` has entity_link but type `{t}`", f.warehouse_name),
            "entity_link is only allowed on entity_link, part_link, translation_link and transcription_link fields"
                .into(),
        ));
    }
    if f.parent_link && !rules::type_has(t, Has::ParentLink) {
        out.push((
            "parent_link",
            format!("field `{}` is a parent link but has type `{t}`", f.warehouse_name),
            "parent_link is only allowed on entity_link, part_link, translation_link and transcription_link fields"
                .into(),
        ));
    }
    if f.is_multi && !rules::type_has(t, Has::IsMulti) {
        out.push((
            "is_multi",
            format!("field `{}` of type `{t}` cannot hold several values", f.warehouse_name),
            "remove `is_multi: true`, or use a link or dropdown type".into(),
        ));
    }
    out
}

/// Rules on one schema on its own (not the links to other items).
pub fn validate_schema(index: usize, s: &SchemaDef) -> Vec<Problem> {
    let at = Target::Schema(index);
    let mut out = props_problems(at, &s.props);
    out.extend(field_problems(index, s));
    out.extend(constraint_problems(at, s));
    out.extend(template_problems(at, s));
    out
}

/// The schema's own properties: names, prefix, and what its entity type supports.
fn props_problems(at: Target, p: &SchemaProps) -> Vec<Problem> {
    let mut out = Vec::new();
    let et = p.entity_type;
    if rules::blank(&p.name) {
        out.push(Problem::new(at, Some("name"), "schema name is empty".into(), "give the schema a display name"));
    }
    if !valid_warehouse_name(&p.warehouse_name) {
        out.push(Problem::new(
            at,
            Some("warehouse_name"),
            format!("warehouse name `{}` is not valid", p.warehouse_name),
            WAREHOUSE_NAME_HELP,
        ));
    }
    if let Some(msg) = prefix_message(&p.prefix) {
        out.push(Problem::new(
            at,
            Some("prefix"),
            msg,
            "a prefix has at most 32 letters, digits, `_` or `-`, and does not end in a digit",
        ));
    }
    out.extend(mixture_problems(at, p));
    // The flags this type does not have: those of sequence types first, then the registration
    // options of entries, each group in the key table's order (callers that stop at the first
    // problem name the key they always named).
    let mut flags: Vec<_> =
        FLAG_SCOPES.iter().zip(p.flags.iter()).filter(|((_, s), (_, set))| **set && !s.allows(et)).collect();
    let table = Shape::Schema.names();
    flags.sort_by_key(|((key, scope), _)| (**scope != FlagScope::Sequences, table.iter().position(|k| k == key)));
    for ((key, scope), _) in flags {
        let (message, help) = unsupported_flag(*scope, key, et);
        out.push(Problem::new(at, Some(key), message, help));
    }
    if et == EntityType::Entry && !p.constraint_fields.is_empty() {
        let (message, help) = not_on_entries("constraint_fields");
        out.push(Problem::new(at, Some("constraint_fields"), message, help));
    }
    out
}

/// The message and help for a registration key on an entry schema.
pub(super) fn not_on_entries(key: &str) -> (String, &'static str) {
    (format!("`{key}` is not supported on entry schemas"), "remove it; entries are not registered")
}

/// The message and help for a flag set on a type outside its scope (the loader reports a flag set
/// to its default with the same words).
pub(super) fn unsupported_flag(scope: FlagScope, key: &str, et: EntityType) -> (String, &'static str) {
    match scope {
        FlagScope::Registered => not_on_entries(key),
        FlagScope::Sequences => {
            (format!("{key} is not supported on `{et}` schemas"), "remove it; it applies to sequence schemas only")
        }
    }
}

/// `mixture_schema_config`: there exactly on mixture schemas, and its lot settings (L§7.1).
fn mixture_problems(at: Target, p: &SchemaProps) -> Vec<Problem> {
    let mut out = Vec::new();
    let et = p.entity_type;
    match (et == EntityType::Mixture, &p.mixture_schema_config) {
        (true, None) => out.push(Problem::new(
            at,
            Some("entity_type"),
            "a mixture schema needs mixture_schema_config".into(),
            "add `mixture_schema_config: { allow_measured_ingredients: false }`",
        )),
        (false, Some(_)) => out.push(Problem::new(
            at,
            Some("mixture_schema_config"),
            format!("mixture_schema_config is only allowed on mixture schemas, not `{et}`"),
            "remove mixture_schema_config",
        )),
        (true, Some(m)) => {
            let lots = m.component_lot_storage_enabled || m.component_lot_text_enabled;
            if m.allow_measured_ingredients && !lots {
                out.push(Problem::new(
                    at,
                    Some("mixture_schema_config"),
                    "allow_measured_ingredients needs a component lot setting".into(),
                    "set component_lot_storage_enabled or component_lot_text_enabled to true",
                ));
            }
            if !m.allow_measured_ingredients && lots {
                out.push(Problem::new(
                    at,
                    Some("mixture_schema_config"),
                    "component lot settings need allow_measured_ingredients".into(),
                    "set allow_measured_ingredients to true, or both lot settings to false",
                ));
            }
        }
        _ => {}
    }
    out
}

/// Each field on its own, then the uniqueness of their names within the schema.
fn field_problems(index: usize, s: &SchemaDef) -> Vec<Problem> {
    let mut out = Vec::new();
    let p = &s.props;
    let mut seen: BTreeMap<(FieldName, &str), usize> = BTreeMap::new();
    for (j, f) in s.fields.iter().enumerate() {
        for (key, message, help) in validate_field(p.entity_type, f) {
            out.push(Problem::new(Target::Field(index, j), Some(key), message, help));
        }
        // The rule book's two unique names, reported warehouse name first.
        if let Some(first) = first_of(&mut seen, (FieldName::WarehouseName, &f.warehouse_name), j) {
            out.push(
                Problem::new(
                    Target::Field(index, j),
                    Some("warehouse_name"),
                    format!(
                        "field warehouse name `{}` is used twice in schema `{}`",
                        f.warehouse_name, p.warehouse_name
                    ),
                    "give every field of a schema its own warehouse name",
                )
                .first_at(Target::Field(index, first), Some("warehouse_name")),
            );
        }
        if let Some(first) = first_of(&mut seen, (FieldName::Name, &f.name), j) {
            out.push(
                Problem::new(
                    Target::Field(index, j),
                    Some("name"),
                    format!("field name `{}` is used twice in schema `{}`", f.name, p.warehouse_name),
                    "give every field of a schema its own display name",
                )
                .first_at(Target::Field(index, first), Some("name")),
            );
        }
    }
    out
}

/// `constraint_fields` (L§7.1): active fields, or one sequence constraint of the schema's type.
fn constraint_problems(at: Target, s: &SchemaDef) -> Vec<Problem> {
    let mut out = Vec::new();
    let p = &s.props;
    let et = p.entity_type;
    let mut sequence_constraints = 0;
    for c in &p.constraint_fields {
        if let Some(ok) = rules::sequence_constraint_allowed(c, et) {
            sequence_constraints += 1;
            if !ok {
                out.push(Problem::new(
                    at,
                    Some("constraint_fields"),
                    format!("constraint `{c}` is not allowed on `{et}` schemas"),
                    "`bases` is for DNA/RNA schemas, `amino_acids_*` for AA sequence schemas",
                ));
            }
        } else if !s.active_fields().any(|f| &f.warehouse_name == c) {
            out.push(Problem::new(
                at,
                Some("constraint_fields"),
                format!("constraint names `{c}`, which is not an active field of `{}`", p.warehouse_name),
                "name field warehouse names, or bases / amino_acids_ignore_case / amino_acids_exact_match",
            ));
        }
    }
    if sequence_constraints > rules::MAX_SEQUENCE_CONSTRAINTS {
        out.push(Problem::new(
            at,
            Some("constraint_fields"),
            "at most one sequence constraint is allowed".into(),
            "keep one of bases / amino_acids_ignore_case / amino_acids_exact_match",
        ));
    }
    out
}

/// The name template (L§7.1): needed by template-based naming, not separators only, and each
/// part with the value or field its kind takes.
fn template_problems(at: Target, s: &SchemaDef) -> Vec<Problem> {
    let mut out = Vec::new();
    let p = &s.props;
    let et = p.entity_type;
    let t = &s.name_template;
    if rules::needs_name_template(p.naming_strategies.iter().copied()) && t.parts.is_empty() {
        out.push(Problem::new(
            at,
            Some("naming_strategies"),
            "template-based naming strategies need a name template".into(),
            "add `name_template: { parts: [...] }`, or drop SET_FROM_NAME_PARTS / REPLACE_NAMES_FROM_PARTS",
        ));
    }
    if t.order_name_parts_by_sequence && !rules::may_order_parts_by_sequence(et) {
        out.push(Problem::new(
            at,
            Some("name_template"),
            format!("order_name_parts_by_sequence is not allowed on `{et}` schemas"),
            "it applies to DNA/RNA sequence and oligo schemas only",
        ));
    }
    if !t.parts.is_empty() && t.parts.iter().all(|p| p.kind == super::PartType::Separator) {
        out.push(Problem::new(
            at,
            Some("name_template"),
            "a name template cannot be made of separators only".into(),
            "add a TEXT, FIELD or other part",
        ));
    }
    for part in &t.parts {
        out.extend(part_problems(at, s, part));
    }
    out
}

fn part_problems(at: Target, s: &SchemaDef, part: &super::NamePart) -> Vec<Problem> {
    let mut out = Vec::new();
    let k = part.kind;
    if k.takes_value() && part.value.as_deref().is_none_or(str::is_empty) {
        out.push(Problem::new(
            at,
            Some("name_template"),
            format!("a {k} part needs a non-empty `value`"),
            "add `value: \"...\"` to the part",
        ));
    }
    if !k.takes_value() && part.value.is_some() {
        out.push(Problem::new(
            at,
            Some("name_template"),
            format!("a {k} part takes no `value`"),
            "remove `value` from the part",
        ));
    }
    match (&part.field, k.takes_field()) {
        (None, true) => out.push(Problem::new(
            at,
            Some("name_template"),
            format!("a {k} part needs `field`"),
            "add `field: <field warehouse name>` to the part",
        )),
        (Some(_), false) => out.push(Problem::new(
            at,
            Some("name_template"),
            format!("a {k} part takes no `field`"),
            "remove `field` from the part",
        )),
        // An archived field cannot stay in a template (Benchling refuses to archive it), as
        // for constraints.
        (Some(f), true) => match s.active_fields().find(|x| &x.warehouse_name == f) {
            None => out.push(Problem::new(
                at,
                Some("name_template"),
                format!("name template part names `{f}`, which is not an active field of `{}`", s.props.warehouse_name),
                "name the warehouse name of a field of this schema that is not archived",
            )),
            Some(field) if !rules::part_accepts_field(k, field.parent_link) => out.push(Problem::new(
                at,
                Some("name_template"),
                format!("a {k} part needs a parent-link field, and `{f}` is not one"),
                "set `parent_link: true` on the field, or use a FIELD part",
            )),
            _ => {}
        },
        (None, false) => {}
    }
    out
}

fn validate_dropdown(index: usize, d: &DropdownDef) -> Vec<Problem> {
    let mut out = Vec::new();
    let at = Target::Dropdown(index);
    if rules::blank(&d.name) {
        out.push(Problem::new(at, Some("name"), "dropdown name is empty".into(), "give the dropdown a name"));
    }
    for (o, problem) in rules::option_problems(d.options.iter().map(String::as_str)) {
        out.push(match problem {
            OptionProblem::Blank => {
                Problem::new(at, Some("options"), "an option is empty".into(), "remove the empty option")
            }
            OptionProblem::Repeated => Problem::new(
                at,
                Some("options"),
                format!("option `{o}` is listed twice in dropdown `{}`", d.name),
                "list every option once",
            ),
        });
    }
    out
}

/// Every rule over the whole model: each item, uniqueness across items, and links.
pub fn validate_model(m: &CodeModel) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(SchemaName, &str), usize> = BTreeMap::new();
    for (i, s) in m.schemas.iter().enumerate() {
        out.extend(validate_schema(i, s));
        let p = &s.props;
        let at = Target::Schema(i);
        if p.warehouse_name == super::REMOTE_SCHEMA {
            out.push(Problem::new(
                at,
                Some("warehouse_name"),
                "`liminal_remote` is reserved for the tenant's revision".into(),
                "choose another warehouse name",
            ));
        }
        let names = SchemaNames { name: &p.name, warehouse_name: &p.warehouse_name, prefix: &p.prefix };
        // Reported in this order (the rule book's order is Liminal's order of checks).
        for kind in [SchemaName::WarehouseName, SchemaName::Name, SchemaName::Prefix] {
            let value = kind.of(&names);
            if let Some(first) = first_of(&mut seen, (kind, value), i) {
                let (key, what) = match kind {
                    SchemaName::WarehouseName => ("warehouse_name", "warehouse name"),
                    SchemaName::Name => ("name", "name"),
                    SchemaName::Prefix => ("prefix", "prefix"),
                };
                let other = &m.schemas[first].props.warehouse_name;
                out.push(
                    Problem::new(
                        at,
                        Some(key),
                        format!("schema {what} `{value}` is also used by schema `{other}`"),
                        format!("every schema needs its own {what}"),
                    )
                    .first_at(Target::Schema(first), Some(key)),
                );
            }
        }
        out.extend(link_problems(m, i, s));
    }
    let mut seen_dropdown = BTreeMap::new();
    for (i, d) in m.dropdowns.iter().enumerate() {
        out.extend(validate_dropdown(i, d));
        if let Some(first) = first_of(&mut seen_dropdown, d.name.as_str(), i) {
            out.push(
                Problem::new(
                    Target::Dropdown(i),
                    Some("name"),
                    format!("dropdown `{}` is defined twice", d.name),
                    "define every dropdown once",
                )
                .first_at(Target::Dropdown(first), Some("name")),
            );
        }
    }
    out
}

/// Schema `i`'s fields' links: to schemas and dropdowns the code defines, never to an entry schema.
fn link_problems(m: &CodeModel, i: usize, s: &SchemaDef) -> Vec<Problem> {
    let mut out = Vec::new();
    for (j, f) in s.fields.iter().enumerate() {
        if let Some(target) = &f.entity_link {
            match m.schema(target) {
                None => out.push(Problem::new(
                    Target::Field(i, j),
                    Some("entity_link"),
                    format!("field `{}` links to `{target}`, which is not a schema in code", f.warehouse_name),
                    format!(
                        "{}name the warehouse name of a schema defined under schemas/",
                        crate::diag::did_you_mean(target, m.schemas.iter().map(|s| s.props.warehouse_name.as_str()))
                    ),
                )),
                Some(t) if !rules::may_link_to(t.props.entity_type) => out.push(Problem::new(
                    Target::Field(i, j),
                    Some("entity_link"),
                    format!("field `{}` links to entry schema `{target}`", f.warehouse_name),
                    "use `type: entry_link` without entity_link to link to entries",
                )),
                _ => {}
            }
        }
        if let Some(d) = &f.dropdown
            && m.dropdown(d).is_none()
        {
            out.push(Problem::new(
                Target::Field(i, j),
                Some("dropdown"),
                format!("field `{}` uses dropdown `{d}`, which is not a dropdown in code", f.warehouse_name),
                format!(
                    "{}name the `name` of a dropdown defined under schemas/",
                    crate::diag::did_you_mean(d, m.dropdowns.iter().map(|d| d.name.as_str()))
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaProps;

    /// Flags a type does not have, each with its reason; a sequence-only flag is named first, as
    /// a caller that stops at the first problem (`Op::apply`) always named it.
    #[test]
    fn flags_outside_their_scope_are_named_with_their_reason() {
        let mut props = SchemaProps::new("E", "e", "E", EntityType::Entry);
        props.naming_strategies.clear();
        props.flags.use_registry_id_as_label = true;
        props.flags.include_registry_id_in_chips = true;
        props.flags.show_bases_in_expanded_view = true;
        let def = SchemaDef { props, name_template: Default::default(), archived: false, fields: vec![] };
        let got: Vec<_> = validate_schema(0, &def).into_iter().map(|p| (p.key, p.message)).collect();
        assert_eq!(
            got,
            vec![
                (
                    Some("show_bases_in_expanded_view"),
                    "show_bases_in_expanded_view is not supported on `entry` schemas".into()
                ),
                (
                    Some("use_registry_id_as_label"),
                    "`use_registry_id_as_label` is not supported on entry schemas".into()
                ),
                (
                    Some("include_registry_id_in_chips"),
                    "`include_registry_id_in_chips` is not supported on entry schemas".into()
                ),
            ]
        );
    }
}
