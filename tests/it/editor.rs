//! What editors read: the JSON Schema of schema files (`liminal json-schema`), the `$schema`
//! line `init` and `generate-files` write, and the Rhai definitions of the constructors.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::Project;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn schema() -> Value {
    Project::empty().run(&["json-schema"]).ok().json()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// Every YAML document under `dir`, as JSON values, with the file it came from.
pub(crate) fn documents(dir: &Path) -> Vec<(PathBuf, Value)> {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read YAML");
        let docs: Vec<Option<Value>> = serde_saphyr::from_multiple(&text).expect("YAML parses");
        out.extend(docs.into_iter().flatten().map(|d| (file.clone(), d)));
    }
    out
}

/// The errors of `doc` against the schema, as text.
fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the JSON Schema compiles");
    validator.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

/// Every item of the demo project (and of the examples) is valid under the schema, and there
/// are items to check.
#[test]
fn the_demo_project_validates_against_the_json_schema() {
    let schema = schema();
    let docs = documents(&repo("schemas"));
    assert!(docs.len() >= 3, "{docs:?}");
    for (file, doc) in docs {
        assert_eq!(errors(&schema, &doc), Vec::<String>::new(), "{}", file.display());
    }
}

/// The schema is not a blank check: the mistakes the loader reports are flagged by editors too.
#[test]
fn the_json_schema_flags_unknown_keys_bad_enum_values_and_wrong_types() {
    let schema = schema();
    let bad = [
        r#"{"kind": "dropdown", "name": "A", "options": ["x"], "colour": "red"}"#,
        r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A", "entity_type": "plasmid"}"#,
        r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A", "entity_type": "custom_entity",
            "fields": [{"warehouse_name": "x", "name": "X", "type": "texty"}]}"#,
        r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A", "entity_type": "custom_entity",
            "fields": [{"warehouse_name": "x", "name": "X", "type": "text", "required": "maybe"}]}"#,
        r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A", "entity_type": "custom_entity",
            "fields": [{"warehouse_name": "x", "name": "X", "type": "decimal", "decimal_places": 16}]}"#,
        r#"{"name": "A", "options": ["x"]}"#,
        r#"{"kind": "dropdown", "name": "A", "options": ["x"], "prefix": "A"}"#,
        r#"{"kind": "dropdown", "name": "A"}"#,
        r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A"}"#,
        r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A", "entity_type": "entry", "options": []}"#,
        r#"{"kind": "table"}"#,
    ];
    for text in bad {
        let doc: Value = serde_json::from_str(text).expect("test JSON");
        assert!(!errors(&schema, &doc).is_empty(), "accepted: {text}");
    }
    // Liminal's spellings are accepted, as the loader accepts them.
    let liminal = r#"{"kind": "entity_schema", "name": "A", "warehouse_name": "a", "prefix": "A",
        "entity_type": "CUSTOM_ENTITY", "naming_strategies": ["REPLACE_NAME_WITH_ID"],
        "name_template": {"parts": [{"type": "FIELD", "wh_field_name": "x"}]},
        "fields": [{"warehouse_name": "x", "name": "X", "type": "float"}]}"#;
    let doc: Value = serde_json::from_str(liminal).expect("test JSON");
    assert_eq!(errors(&schema, &doc), Vec::<String>::new());
}

/// The committed copies at the repository root are what this build generates, so the demo's
/// `$schema` lines and the Rhai definitions are current.
#[test]
fn the_demo_projects_editor_files_are_current() {
    let p = Project::empty();
    let schema = p.run(&["json-schema"]).ok().stdout.clone();
    assert_eq!(std::fs::read_to_string(repo("schemas/schema.json")).expect("schemas/schema.json"), schema);
    let defs = p.run(&["rhai-definitions"]).ok().stdout.clone();
    assert_eq!(std::fs::read_to_string(repo("liminal.d.rhai")).expect("liminal.d.rhai"), defs);
}

#[test]
fn init_writes_the_editor_files_and_generate_files_the_schema_line() {
    let p = Project::init();
    assert!(p.exists("schemas/schema.json") && p.exists("liminal.d.rhai"));
    assert!(p.read("schemas/example.yaml").starts_with("# yaml-language-server: $schema=schema.json\n"));
    p.run(&["check"]).ok();
    p.write(
        "schemas/pizza.yaml",
        "kind: entity_schema\nname: Pizza\nwarehouse_name: pizza\nprefix: PZ\nentity_type: custom_entity\n---\nkind: dropdown\nname: Toppings\noptions: [Cheese]\n",
    );
    p.run(&["revision", "dev", "pizza"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    let fresh = Project::init();
    std::fs::remove_file(fresh.file("schemas/schema.json")).expect("remove");
    std::fs::remove_file(fresh.file("schemas/example.yaml")).expect("remove");
    std::fs::copy(p.file(".liminal/dev.json"), {
        std::fs::create_dir_all(fresh.file(".liminal")).expect("mkdir");
        fresh.file(".liminal/dev.json")
    })
    .expect("copy tenant");
    let out = fresh.run(&["--format", "json", "generate-files", "dev"]).ok().json();
    assert_eq!(out["editor_files"], serde_json::json!(["schemas/schema.json"]), "{out}");
    let line = "# yaml-language-server: $schema=../schema.json\n";
    assert!(fresh.read("schemas/entity_schemas/pizza.yaml").starts_with(line));
    assert!(fresh.read("schemas/dropdowns/toppings.yaml").starts_with(line));
    fresh.run(&["diff", "dev"]).ok();
}

/// The definitions declare every constructor with named, typed parameters (Rhai's own writer).
#[test]
fn rhai_definitions_declare_every_constructor() {
    let defs = Project::empty().run(&["rhai-definitions"]).ok().stdout.clone();
    assert!(defs.contains("module static;"), "{defs}");
    for line in [
        "fn create_dropdown(name: String, options: array) -> operation;",
        "fn create_schema(schema: map) -> operation;",
        "fn archive_field(schema: String, field: String) -> operation;",
        "fn archive_field(schema: String, field: String, index: int) -> operation;",
        "fn update_field(schema: String, field: String, changes: map) -> operation;",
    ] {
        assert!(defs.contains(line), "missing {line}\n{defs}");
    }
    assert_eq!(defs.matches("\nfn ").count(), 21, "19 constructors, two with an optional index\n{defs}");
}
