//! `liminal json-schema` and `liminal rhai-definitions`: what editors need to know the formats.
//! Both are generated from the code (the loader's shapes, the sandbox's constructors), so they
//! describe exactly what this version of liminal accepts; the project's copies of them are
//! written by [`crate::scaffold`].

use miette::Report;
use serde_json::json;

use super::{Done, Ui};
use crate::scaffold::{DEFINITIONS_FILE, schema_text};

#[derive(Debug, clap::Args)]
pub(crate) struct SchemaArgs {}

#[derive(Debug, clap::Args)]
pub(crate) struct DefinitionsArgs {}

pub(super) fn json_schema(_args: SchemaArgs, ui: &Ui) -> Result<Done, Report> {
    if ui.json() {
        ui.document(&crate::schema::json_schema().map_err(crate::scaffold::ScaffoldError::Schema)?);
    } else {
        ui.text(&schema_text()?);
    }
    Ok(Done::OK)
}

pub(super) fn rhai_definitions(_args: DefinitionsArgs, ui: &Ui) -> Result<Done, Report> {
    let text = crate::script::ScriptEngine::definitions();
    ui.document(&json!({ "file": DEFINITIONS_FILE, "definitions": text }));
    ui.text(&text);
    Ok(Done::OK)
}
