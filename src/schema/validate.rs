//! Every rule Liminal enforces on schemas, fields and dropdowns (reference §7), on the plain
//! model. Each problem names the item, the field and the key it is about, so that the YAML loader
//! can point at the line and column and the Rhai constructors can name the argument.

use std::collections::{BTreeMap, BTreeSet};

use super::{CodeModel, DropdownDef, EntityType, FieldDef, FieldType, SEQUENCE_CONSTRAINTS, SchemaDef};

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

/// Benchling's rule for a warehouse name (its `systemName`): `[a-z_][a-z0-9_$]*`, not starting
/// with `bnch$`. The one copy of the rule: the code model, [`crate::op::Op::apply`] and the
/// emulator all ask this function.
pub(crate) fn valid_warehouse_name(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !s.starts_with("bnch$")
}

/// What to do about a warehouse name [`valid_warehouse_name`] refuses.
pub(crate) const WAREHOUSE_NAME_HELP: &str = "start with a lowercase letter or `_`, then use lowercase letters, digits, `_` or `$` (Benchling's rule; `bnch$` is reserved)";

fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some("prefix is empty".into());
    }
    if prefix.chars().count() > 32 {
        return Some(format!("prefix `{prefix}` is longer than 32 characters"));
    }
    if let Some(c) = prefix.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Some(format!("prefix `{prefix}` contains `{c}`; only letters, digits, `_` and `-` are allowed"));
    }
    if prefix.ends_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("prefix `{prefix}` ends in a digit"));
    }
    None
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
    if f.name.trim().is_empty() {
        out.push(("name", "field name is empty".into(), "give the field a display name".into()));
    }
    if !entity_type.allows_field_type(t) {
        let help = if t == FieldType::Json {
            "JSON fields are not allowed on entity schemas".to_string()
        } else {
            format!("`{t}` fields are only allowed on DNA/RNA sequence schemas that support them")
        };
        out.push(("type", format!("a field of type `{t}` is not allowed on a `{entity_type}` schema"), help));
    }
    match (t == FieldType::Dropdown, &f.dropdown) {
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
    if f.unit.is_some() && !t.is_numeric() {
        out.push((
            "unit",
            format!("field `{}` has a unit but type `{t}`", f.warehouse_name),
            "units are only allowed on integer and decimal fields".into(),
        ));
    }
    if let Some(p) = f.decimal_places {
        if t != FieldType::Decimal {
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
    if f.entity_link.is_some() && !t.takes_entity_link() {
        out.push((
            "entity_link",
            format!("field `{}` has entity_link but type `{t}`", f.warehouse_name),
            "entity_link is only allowed on entity_link, part_link, translation_link and transcription_link fields"
                .into(),
        ));
    }
    if f.parent_link && !t.takes_entity_link() {
        out.push((
            "parent_link",
            format!("field `{}` is a parent link but has type `{t}`", f.warehouse_name),
            "parent_link is only allowed on entity_link, part_link, translation_link and transcription_link fields"
                .into(),
        ));
    }
    if f.is_multi && !t.is_multi_capable() {
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
    let mut out = Vec::new();
    let p = &s.props;
    let at = Target::Schema(index);
    let et = p.entity_type;
    if p.name.trim().is_empty() {
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
    if let Some(msg) = prefix_problem(&p.prefix) {
        out.push(Problem::new(
            at,
            Some("prefix"),
            msg,
            "a prefix has at most 32 letters, digits, `_` or `-`, and does not end in a digit",
        ));
    }
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
    if p.show_bases_in_expanded_view && !et.is_sequence() {
        out.push(Problem::new(
            at,
            Some("show_bases_in_expanded_view"),
            format!("show_bases_in_expanded_view is not supported on `{et}` schemas"),
            "remove it; it applies to sequence schemas only",
        ));
    }
    if et == EntityType::Entry {
        let unsupported = [
            ("use_registry_id_as_label", p.use_registry_id_as_label),
            ("include_registry_id_in_chips", p.include_registry_id_in_chips),
            ("constraint_fields", !p.constraint_fields.is_empty()),
        ];
        for (key, set) in unsupported {
            if set {
                out.push(Problem::new(
                    at,
                    Some(key),
                    format!("`{key}` is not supported on entry schemas"),
                    "remove it; entries are not registered",
                ));
            }
        }
    }

    // Fields: each on its own, then uniqueness.
    let mut wh: BTreeMap<&str, usize> = BTreeMap::new();
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (j, f) in s.fields.iter().enumerate() {
        for (key, message, help) in validate_field(et, f) {
            out.push(Problem::new(Target::Field(index, j), Some(key), message, help));
        }
        if let Some(first) = first_of(&mut wh, &f.warehouse_name, j) {
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
        if let Some(first) = first_of(&mut names, &f.name, j) {
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

    // Constraints.
    let mut sequence_constraints = 0;
    for c in &p.constraint_fields {
        if SEQUENCE_CONSTRAINTS.contains(&c.as_str()) {
            sequence_constraints += 1;
            let ok = if c == "bases" { et.is_nt_sequence() } else { et == EntityType::AaSequence };
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
    if sequence_constraints > 1 {
        out.push(Problem::new(
            at,
            Some("constraint_fields"),
            "at most one sequence constraint is allowed".into(),
            "keep one of bases / amino_acids_ignore_case / amino_acids_exact_match",
        ));
    }

    // Name template.
    let t = &s.name_template;
    if p.naming_strategies.iter().any(|n| n.is_template_based()) && t.parts.is_empty() {
        out.push(Problem::new(
            at,
            Some("naming_strategies"),
            "template-based naming strategies need a name template".into(),
            "add `name_template: { parts: [...] }`, or drop SET_FROM_NAME_PARTS / REPLACE_NAMES_FROM_PARTS",
        ));
    }
    if t.order_name_parts_by_sequence && !et.is_nt_sequence() {
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
                    format!("name template part names `{f}`, which is not an active field of `{}`", p.warehouse_name),
                    "name the warehouse name of a field of this schema that is not archived",
                )),
                Some(field) if k.needs_parent_link() && !field.parent_link => out.push(Problem::new(
                    at,
                    Some("name_template"),
                    format!("a {k} part needs a parent-link field, and `{f}` is not one"),
                    "set `parent_link: true` on the field, or use a FIELD part",
                )),
                _ => {}
            },
            (None, false) => {}
        }
    }
    out
}

fn validate_dropdown(index: usize, d: &DropdownDef) -> Vec<Problem> {
    let mut out = Vec::new();
    let at = Target::Dropdown(index);
    if d.name.trim().is_empty() {
        out.push(Problem::new(at, Some("name"), "dropdown name is empty".into(), "give the dropdown a name"));
    }
    let mut seen = BTreeSet::new();
    for o in &d.options {
        if o.trim().is_empty() {
            out.push(Problem::new(at, Some("options"), "an option is empty".into(), "remove the empty option"));
        } else if !seen.insert(o.as_str()) {
            out.push(Problem::new(
                at,
                Some("options"),
                format!("option `{o}` is listed twice in dropdown `{}`", d.name),
                "list every option once",
            ));
        }
    }
    out
}

/// Every rule over the whole model: each item, uniqueness across items, and links.
pub fn validate_model(m: &CodeModel) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut seen_wh = BTreeMap::new();
    let mut seen_name = BTreeMap::new();
    let mut seen_prefix = BTreeMap::new();
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
        for (map, value, key, what) in [
            (&mut seen_wh, &p.warehouse_name, "warehouse_name", "warehouse name"),
            (&mut seen_name, &p.name, "name", "name"),
            (&mut seen_prefix, &p.prefix, "prefix", "prefix"),
        ] {
            if let Some(first) = first_of(map, value.clone(), i) {
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
        for (j, f) in s.fields.iter().enumerate() {
            if let Some(target) = &f.entity_link {
                match m.schema(target) {
                    None => out.push(Problem::new(
                        Target::Field(i, j),
                        Some("entity_link"),
                        format!("field `{}` links to `{target}`, which is not a schema in code", f.warehouse_name),
                        format!(
                            "{}name the warehouse name of a schema defined under schemas/",
                            crate::diag::did_you_mean(
                                target,
                                m.schemas.iter().map(|s| s.props.warehouse_name.as_str())
                            )
                        ),
                    )),
                    Some(t) if t.props.entity_type == EntityType::Entry => out.push(Problem::new(
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
    }
    let mut seen_dropdown = BTreeMap::new();
    for (i, d) in m.dropdowns.iter().enumerate() {
        out.extend(validate_dropdown(i, d));
        if let Some(first) = first_of(&mut seen_dropdown, d.name.clone(), i) {
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

/// Units the tenant's dictionary does not have, at each field's `unit:` key (they were found
/// only when the diff was simulated, with no place in schemas/). Nothing when the dictionary was
/// not read.
pub fn unit_problems(m: &CodeModel, state: &crate::state::TenantState, tenant: &str) -> Vec<Problem> {
    if state.unread.units {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, s) in m.schemas.iter().enumerate() {
        for (j, f) in s.fields.iter().enumerate() {
            let Some(unit) = &f.unit else { continue };
            if f.archived || state.unit_by_name(unit).is_some() {
                continue;
            }
            let names: Vec<&str> = state.units.iter().map(|u| u.name.as_str()).collect();
            out.push(Problem::new(
                Target::Field(i, j),
                Some("unit"),
                format!("unit `{unit}` is not in tenant `{tenant}`'s unit dictionary"),
                format!(
                    "{}use a unit the tenant has ({}), or add it to the dictionary in Benchling first",
                    crate::diag::did_you_mean(unit, names.iter().copied()),
                    names.join(", ")
                ),
            ));
        }
    }
    out
}
