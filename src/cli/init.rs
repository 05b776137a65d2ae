//! `liminal init`: a new project in the current folder ([`crate::scaffold::init`]).

use miette::Report;
use serde_json::json;

use super::{Done, Ui, now, report_error};
use crate::project::CONFIG_FILE;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(super) fn run(_args: Args, ui: &Ui) -> Result<Done, Report> {
    let root = std::env::current_dir()
        .map_err(|e| report_error(Some("cannot read the current folder"), e, "cd into a folder"))?;
    let done = crate::scaffold::init(&root, now()).map_err(Report::new)?;
    if done.gitignore_linked {
        ui.status("warning: .gitignore is a symbolic link; init leaves it alone (add `.liminal/` to it yourself)");
    }
    let path = &done.revision_path;
    let editor_files = &done.editor_files;
    let rel = path.strip_prefix(&root).unwrap_or(path).display().to_string();
    ui.document(
        &json!({ "config": CONFIG_FILE, "base_revision": done.base.id, "file": rel, "editor_files": editor_files }),
    );
    ui.line(format!("Initialized a liminal project: {CONFIG_FILE}, schemas/, versions/ (with liminal.sum)."));
    ui.line(format!(
        "Editor support: {} (JSON Schema for schemas/*.yaml) and {} (Rhai definitions).",
        editor_files.first().map_or("", String::as_str),
        editor_files.get(1).map_or("", String::as_str)
    ));
    ui.line(format!("Base revision {} written to {rel}.", done.base.id));
    ui.line("Next: describe schemas in schemas/*.yaml, then `liminal revision dev \"message\"`.");
    Ok(Done::OK)
}
