//! Benchling → code: the code model that describes a tenant (`generate-files`).
//!
//! Archived schemas, fields, dropdowns and options, and `liminal_remote`, are left out, as in
//! Liminal; an archived item that is not in code is simply left archived by the diff, so the
//! generated model has an empty diff against the tenant it came from.

use crate::schema::{CodeModel, DropdownDef};
use crate::state::TenantState;

/// The code model of a tenant's active schemas and dropdowns, schemas by warehouse name and
/// dropdowns by name.
pub fn code_from_state(state: &TenantState) -> CodeModel {
    let mut schemas: Vec<_> = state
        .managed_schemas()
        .filter(|s| !s.archived)
        .map(|s| {
            let mut def = state.view(s);
            def.fields.retain(|f| !f.archived);
            def
        })
        .collect();
    schemas.sort_by(|a, b| a.props.warehouse_name.cmp(&b.props.warehouse_name));
    let mut dropdowns: Vec<_> = state
        .dropdowns
        .iter()
        .filter(|d| !d.archived)
        .map(|d| DropdownDef { name: d.name.clone(), options: d.active_options().map(|o| o.name.clone()).collect() })
        .collect();
    dropdowns.sort_by(|a, b| a.name.cmp(&b.name));
    CodeModel { schemas, dropdowns }
}

/// A YAML scalar: plain when it is a simple word that YAML reads back as the same string,
/// double-quoted (JSON escaping, which YAML accepts) otherwise.
fn scalar(s: &str) -> String {
    const RESERVED: [&str; 12] = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", "True", "False"];
    let simple = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s));
    if simple { s.to_string() } else { serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}")) }
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// One entity schema as a YAML document, keys in the README's order, defaults left out.
pub fn schema_yaml(s: &crate::schema::SchemaDef) -> String {
    use std::fmt::Write;
    let p = &s.props;
    let mut out = String::new();
    let _ = writeln!(out, "kind: entity_schema");
    let _ = writeln!(out, "name: {}", scalar(&p.name));
    let _ = writeln!(out, "warehouse_name: {}", scalar(&p.warehouse_name));
    let _ = writeln!(out, "prefix: {}", scalar(&p.prefix));
    let _ = writeln!(out, "entity_type: {}", p.entity_type);
    let defaults: std::collections::BTreeSet<_> = crate::schema::NamingStrategy::defaults().into_iter().collect();
    if p.entity_type != crate::schema::EntityType::Entry && p.naming_strategies != defaults {
        let _ = writeln!(out, "naming_strategies: {}", list(p.naming_strategies.iter().map(|n| n.to_string())));
    }
    for (key, on) in [
        ("use_registry_id_as_label", p.use_registry_id_as_label),
        ("include_registry_id_in_chips", p.include_registry_id_in_chips),
        ("show_bases_in_expanded_view", p.show_bases_in_expanded_view),
    ] {
        if on {
            let _ = writeln!(out, "{key}: true");
        }
    }
    if !p.constraint_fields.is_empty() {
        let _ = writeln!(out, "constraint_fields: {}", list(p.constraint_fields.iter().map(|c| scalar(c))));
    }
    if let Some(m) = &p.mixture_schema_config {
        let _ = writeln!(
            out,
            "mixture_schema_config: {{ allow_measured_ingredients: {}, component_lot_storage_enabled: {}, component_lot_text_enabled: {} }}",
            m.allow_measured_ingredients, m.component_lot_storage_enabled, m.component_lot_text_enabled
        );
    }
    if !s.name_template.is_empty() {
        let parts = s.name_template.parts.iter().map(|part| {
            let mut kv = vec![format!("type: {}", part.kind)];
            if let Some(v) = &part.value {
                kv.push(format!("value: {}", serde_json::to_string(v).unwrap_or_default()));
            }
            if let Some(f) = &part.field {
                kv.push(format!("field: {}", scalar(f)));
            }
            format!("{{ {} }}", kv.join(", "))
        });
        let _ = writeln!(out, "name_template:");
        let _ = writeln!(out, "  parts: {}", list(parts));
        if s.name_template.order_name_parts_by_sequence {
            let _ = writeln!(out, "  order_name_parts_by_sequence: true");
        }
    }
    if s.archived {
        let _ = writeln!(out, "archived: true");
    }
    if s.fields.is_empty() {
        let _ = writeln!(out, "fields: []");
    } else {
        let _ = writeln!(out, "fields:");
    }
    for f in &s.fields {
        let _ = writeln!(out, "  - warehouse_name: {}", scalar(&f.warehouse_name));
        let _ = writeln!(out, "    name: {}", scalar(&f.name));
        let _ = writeln!(out, "    type: {}", f.field_type);
        for (key, on) in [("required", f.required), ("is_multi", f.is_multi), ("parent_link", f.parent_link)] {
            if on {
                let _ = writeln!(out, "    {key}: true");
            }
        }
        for (key, v) in
            [("dropdown", &f.dropdown), ("entity_link", &f.entity_link), ("tooltip", &f.tooltip), ("unit", &f.unit)]
        {
            if let Some(v) = v {
                let _ = writeln!(out, "    {key}: {}", scalar(v));
            }
        }
        if let Some(d) = f.decimal_places {
            let _ = writeln!(out, "    decimal_places: {d}");
        }
        if f.archived {
            let _ = writeln!(out, "    archived: true");
        }
    }
    out
}

/// One dropdown as a YAML document.
pub fn dropdown_yaml(d: &DropdownDef) -> String {
    format!("kind: dropdown\nname: {}\noptions: {}\n", scalar(&d.name), list(d.options.iter().map(|o| scalar(o))))
}

/// A file path under `folder` for `stem`, unique among `taken`.
fn unique_path(taken: &[(std::path::PathBuf, String)], folder: &str, stem: &str) -> std::path::PathBuf {
    let mut path = std::path::PathBuf::from(folder).join(format!("{stem}.yaml"));
    let mut n = 2;
    while taken.iter().any(|(p, _)| *p == path) {
        path = std::path::PathBuf::from(folder).join(format!("{stem}_{n}.yaml"));
        n += 1;
    }
    path
}

/// The files `generate-files` writes, relative to the schemas folder, in a stable order:
/// `entity_schemas/<warehouse_name>.yaml` and `dropdowns/<snake_case name>.yaml`. Names come
/// from the tenant: a warehouse name that is not a plain file stem (`../x`, `a/b`) is turned into
/// one, so nothing is written outside these folders.
pub fn files(model: &CodeModel) -> Vec<(std::path::PathBuf, String)> {
    let stem = |name: &str, fallback: &str| {
        let stem = crate::schema::to_snake_case(name);
        if stem.is_empty() { fallback.to_string() } else { stem }
    };
    let mut out = Vec::new();
    for d in &model.dropdowns {
        let path = unique_path(&out, "dropdowns", &stem(&d.name, "dropdown"));
        out.push((path, dropdown_yaml(d)));
    }
    for s in &model.schemas {
        let wh = &s.props.warehouse_name;
        let name = if crate::schema::validate::valid_warehouse_name(wh) && !wh.contains('$') {
            wh.clone()
        } else {
            stem(wh, "entity_schema")
        };
        let path = unique_path(&out, "entity_schemas", &name);
        out.push((path, schema_yaml(s)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::load_str;

    /// Warehouse names come from the tenant and were used as file names as they were.
    #[test]
    fn file_names_stay_in_their_folders() {
        let mut model = CodeModel::default();
        for wh in ["../../outside", "a/b", "pizza", "a_b"] {
            let props = crate::schema::SchemaProps::new(wh, wh, "P", crate::schema::EntityType::CustomEntity);
            model.schemas.push(crate::schema::SchemaDef {
                props,
                name_template: Default::default(),
                archived: false,
                fields: vec![],
            });
        }
        let paths: Vec<_> = files(&model).into_iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(
            paths,
            [
                "entity_schemas/outside.yaml",
                "entity_schemas/a_b.yaml",
                "entity_schemas/pizza.yaml",
                "entity_schemas/a_b_2.yaml"
            ]
        );
    }

    #[test]
    fn yaml_loads_back_to_the_same_model() {
        let text = r#"
kind: entity_schema
name: "Bob's \"pizza\""
warehouse_name: pizza
prefix: PZ
entity_type: custom_entity
naming_strategies: [NEW_IDS]
constraint_fields: [size]
name_template: { parts: [ { type: TEXT, value: "PZ: \"x\"" }, { type: FIELD, field: size } ] }
fields:
  - { warehouse_name: size, name: "Size: big", type: integer, unit: gram, required: true, tooltip: "a\nb" }
  - { warehouse_name: kind, name: Kind, type: dropdown, dropdown: "Größe", is_multi: true }
  - { warehouse_name: yes, name: "true", type: text }
---
kind: dropdown
name: Größe
options: ["a,b", "no", "x: y", "back\\slash"]
"#;
        let model = load_str(std::path::Path::new("t.yaml"), text).unwrap();
        let rendered: Vec<String> = files(&model).into_iter().map(|(_, t)| t).collect();
        let back = load_str(std::path::Path::new("g.yaml"), &rendered.join("---\n")).unwrap();
        assert_eq!(back.schemas, model.schemas);
        assert_eq!(back.dropdowns, model.dropdowns);
    }
}
