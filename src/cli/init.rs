//! `liminal init`: a new project in the current folder.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, now, report};
use crate::chain::NewRevision;
use crate::project::{CONFIG_FILE, default_config};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ui: &Ui) -> Result<Done, Report> {
    let root = std::env::current_dir()
        .map_err(|e| report(format!("cannot read the current folder: {e}"), "cd into a folder"))?;
    let config = root.join(CONFIG_FILE);
    let versions = root.join("versions");
    if config.exists() || config.symlink_metadata().is_ok() {
        return Err(report(
            format!("{CONFIG_FILE} already exists here"),
            "this folder is already a liminal project; remove liminal.yaml to start over",
        ));
    }
    let has_revisions = std::fs::read_dir(&versions)
        .map(|d| d.flatten().any(|e| e.path().extension().is_some_and(|x| x == "rhai")))
        .unwrap_or(false);
    if has_revisions {
        return Err(report(
            "versions/ already holds revision files",
            "init would start a second chain; remove them, or write liminal.yaml by hand",
        ));
    }
    // Read .gitignore before writing anything: one that exists but cannot be read (not UTF-8, a
    // folder) stops init, since reading it as empty would overwrite it with one line.
    let gitignore = root.join(".gitignore");
    let linked = gitignore.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
    let existing = match std::fs::read_to_string(&gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || linked => String::new(),
        Err(e) => {
            return Err(report(
                format!("cannot read .gitignore: {e}"),
                "init adds `.liminal/` to it: fix or move the file, then run `liminal init` again",
            ));
        }
    };
    let io =
        |what: &str, e: std::io::Error| report(format!("cannot create {what}: {e}"), "check the folder's permissions");
    std::fs::create_dir_all(root.join("schemas")).map_err(|e| io("schemas/", e))?;
    std::fs::create_dir_all(&versions).map_err(|e| io("versions/", e))?;
    // `create_new` never follows a symlink: init writes no file outside the folder.
    write_new(&config, default_config().as_bytes()).map_err(|e| io(CONFIG_FILE, e))?;
    let base = NewRevision::base(now()).map_err(Report::new)?;
    let path = base.write(&versions).map_err(|e| io("the base revision", e))?;
    let sum = crate::chain::sum::SumFile::of([(base.file_name.as_str(), base.text.as_str())]);
    crate::chain::sum::write_sum_file(&versions, &sum).map_err(|e| io("versions/liminal.sum", e))?;
    let schemas = root.join("schemas");
    let example = schemas.join("example.yaml");
    let editor_files = super::editor::write_files(&root, &schemas, false)?;
    if example.symlink_metadata().is_err() {
        write_new(&example, example_yaml().as_bytes()).map_err(|e| io("schemas/example.yaml", e))?;
    }
    if linked {
        ui.status("warning: .gitignore is a symbolic link; init leaves it alone (add `.liminal/` to it yourself)");
    } else if !existing.lines().any(|l| l.trim() == ".liminal/" || l.trim() == ".liminal") {
        let sep = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
        std::fs::write(&gitignore, format!("{existing}{sep}.liminal/\n")).map_err(|e| io(".gitignore", e))?;
    }
    let rel = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
    ui.document(&json!({ "config": CONFIG_FILE, "base_revision": base.id, "file": rel, "editor_files": editor_files }));
    ui.line(format!("Initialized a liminal project: {CONFIG_FILE}, schemas/, versions/ (with liminal.sum)."));
    ui.line(format!(
        "Editor support: {} (JSON Schema for schemas/*.yaml) and {} (Rhai definitions).",
        editor_files.first().map_or("", String::as_str),
        editor_files.get(1).map_or("", String::as_str)
    ));
    ui.line(format!("Base revision {} written to {rel}.", base.id));
    ui.line("Next: describe schemas in schemas/*.yaml, then `liminal revision dev \"message\"`.");
    Ok(Done::OK)
}

/// Create `path` with `bytes`; fails if anything (a file, a symlink, even a dangling one) is
/// there.
fn write_new(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)
}

/// A first schema file that declares nothing yet: its first line tells editors where the JSON
/// Schema is, and the comments show the shape.
fn example_yaml() -> String {
    format!(
        "{}# Entity schemas and dropdowns, one per YAML document (`---` between them); any file name,\n\
         # any sub-folder of schemas/. For example:\n\
         #\n\
         # kind: dropdown\n\
         # name: Toppings\n\
         # options: [Cheese, Pepperoni]\n",
        super::editor::modeline(std::path::Path::new("example.yaml"))
    )
}
