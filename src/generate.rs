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

pub use crate::schema::codec::yaml::YamlError;

/// One entity schema as a YAML document, keys in the codec's (the README's) order, defaults left
/// out.
pub fn schema_yaml(s: &crate::schema::SchemaDef) -> Result<String, YamlError> {
    crate::schema::codec::yaml::schema_yaml(s)
}

/// One dropdown as a YAML document.
pub fn dropdown_yaml(d: &DropdownDef) -> Result<String, YamlError> {
    crate::schema::codec::yaml::dropdown_yaml(d)
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
pub fn files(model: &CodeModel) -> Result<Vec<(std::path::PathBuf, String)>, YamlError> {
    let stem = |name: &str, fallback: &str| {
        let stem = crate::schema::to_snake_case(name);
        if stem.is_empty() { fallback.to_string() } else { stem }
    };
    let mut out = Vec::new();
    for d in &model.dropdowns {
        let path = unique_path(&out, "dropdowns", &stem(&d.name, "dropdown"));
        out.push((path, dropdown_yaml(d)?));
    }
    for s in &model.schemas {
        let wh = &s.props.warehouse_name;
        let name = if crate::schema::rules::valid_warehouse_name(wh) && !wh.contains('$') {
            wh.clone()
        } else {
            stem(wh, "entity_schema")
        };
        let path = unique_path(&out, "entity_schemas", &name);
        out.push((path, schema_yaml(s)?));
    }
    Ok(out)
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
        let paths: Vec<_> = files(&model).unwrap().into_iter().map(|(p, _)| p.display().to_string()).collect();
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
        let rendered: Vec<String> = files(&model).unwrap().into_iter().map(|(_, t)| t).collect();
        let back = load_str(std::path::Path::new("g.yaml"), &rendered.join("---\n")).unwrap();
        assert_eq!(back.schemas, model.schemas);
        assert_eq!(back.dropdowns, model.dropdowns);
    }
}
