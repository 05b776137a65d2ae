//! `liminal json-schema` and `liminal rhai-definitions`: what editors need to know the formats.
//! Both are generated from the code (the loader's shapes, the sandbox's constructors), so they
//! describe exactly what this version of liminal accepts.

use std::path::Path;

use miette::Report;
use serde_json::json;

use super::{Done, Ui, report};

/// The JSON Schema's file in the schemas folder, which the `$schema` line of YAML files names.
pub const SCHEMA_FILE: &str = "schema.json";
/// The Rhai definitions file at the project root.
pub const DEFINITIONS_FILE: &str = "liminal.d.rhai";

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

#[derive(Debug, clap::Args)]
pub struct DefinitionsArgs {}

/// The JSON Schema text, as written to files (pretty, with a final newline).
pub fn schema_text() -> Result<String, Report> {
    let mut text = super::ui::json_text(&crate::schema::json_schema())?;
    text.push('\n');
    Ok(text)
}

/// The first line of a YAML file under the schemas folder at `path` (relative to that folder):
/// the YAML language server reads the schema from it.
pub fn modeline(path: &Path) -> String {
    let depth = path.components().count().saturating_sub(1);
    format!("# yaml-language-server: $schema={}{SCHEMA_FILE}\n", "../".repeat(depth))
}

pub fn json_schema(_args: SchemaArgs, ui: &Ui) -> Result<Done, Report> {
    if ui.json() {
        ui.document(&crate::schema::json_schema());
    } else {
        ui.text(&schema_text()?);
    }
    Ok(Done::OK)
}

pub fn rhai_definitions(_args: DefinitionsArgs, ui: &Ui) -> Result<Done, Report> {
    let text = crate::script::ScriptEngine::definitions();
    ui.document(&json!({ "file": DEFINITIONS_FILE, "definitions": text }));
    ui.text(&text);
    Ok(Done::OK)
}

/// Write both editor files into a project (init), or only those missing (`only_missing`).
pub fn write_files(root: &Path, schemas_dir: &Path, only_missing: bool) -> Result<Vec<String>, Report> {
    let mut written = Vec::new();
    let files = [
        (schemas_dir.join(SCHEMA_FILE), schema_text()?),
        (root.join(DEFINITIONS_FILE), crate::script::ScriptEngine::definitions()),
    ];
    for (path, text) in files {
        if only_missing && path.exists() {
            continue;
        }
        crate::tenant::local::write_atomic(&path, &text)
            .map_err(|e| report(format!("cannot write {}: {e}", path.display()), "check the folder's permissions"))?;
        written.push(path.strip_prefix(root).unwrap_or(&path).display().to_string());
    }
    Ok(written)
}
