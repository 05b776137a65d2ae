//! `liminal import <path>`: take over a Python Liminal project: its revisions (same ids,
//! down_revisions, messages and create dates) and its models as schemas/ YAML.

use std::path::{Path, PathBuf};

use miette::Report;
use serde_json::json;

use super::{Done, Ui, report_error};
use crate::diag::Problems;
use crate::import::write::{Target, Written, plan, write};
use crate::import::{Conversion, Options, convert, find_root};
use crate::project::CONFIG_FILE;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The Python Liminal project: the folder holding liminal/env.py and liminal/versions/
    path: PathBuf,
    /// The models package to read (e.g. `my_models.v2`), when env.py picks one at run time
    #[arg(long, value_name = "MODULE")]
    models: Option<String>,
    /// Write what converted even when some revisions or models did not (still exits 1)
    #[arg(long)]
    partial: bool,
    /// Replace revision and schema files an earlier import wrote
    #[arg(long)]
    overwrite: bool,
}

fn shown(path: &Path) -> String {
    crate::diag::display_path(path)
}

pub(super) fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let root = find_root(&args.path).map_err(Report::new)?;
    let conversion = convert(&root, &Options { models: args.models.clone() }).map_err(Report::new)?;
    let cwd = std::env::current_dir()
        .map_err(|e| report_error(Some("cannot read the current folder"), e, "cd into a folder"))?;
    let target = Target::around(&cwd)?;
    // Refuse before writing anything: files an earlier import wrote, and revisions of another chain.
    let plan = plan(&conversion, &target, args.overwrite).map_err(Report::new)?;

    for note in &conversion.notes {
        ui.status(format!("note: {note}"));
    }
    let problems = !conversion.problems.is_empty();
    if problems && !args.partial {
        ui.status(format!(
            "Nothing was written: {} revision file(s) converted, {} did not{}.",
            conversion.revisions.len(),
            conversion.failed.len(),
            if conversion.models_have_problems() { "; the models have problems too" } else { "" }
        ));
        ui.status(
            "The Python project cannot be imported as it is: port the places below by hand, or run with --partial to write what converted.",
        );
        return Err(Report::new(Problems(conversion.problems)));
    }

    let Written { files: written, editor_files } = write(&conversion, &target, &plan).map_err(Report::new)?;

    ui.document(&document(&root, &conversion, &target, &written, &editor_files));
    let head = conversion.revisions.last().map(|r| r.id.clone());
    for path in &written {
        ui.line(format!("wrote {}", shown(path)));
    }
    ui.status(format!(
        "Imported {} (head {}) and {}, {} from {}.",
        crate::diag::count(conversion.revisions.len(), "revision"),
        head.as_deref().unwrap_or("none"),
        crate::diag::count(conversion.model.schemas.len(), "schema"),
        crate::diag::count(conversion.model.dropdowns.len(), "dropdown"),
        crate::diag::display_path(&root)
    ));
    next_steps(ui, &conversion, &target);
    if problems {
        ui.status("Written with --partial: the places below did not convert; port them by hand.");
        return Err(Report::new(Problems(conversion.problems)));
    }
    Ok(Done::OK)
}

/// The import's JSON document.
fn document(
    root: &Path,
    conversion: &Conversion,
    target: &Target,
    written: &[PathBuf],
    editor_files: &[String],
) -> serde_json::Value {
    let head = conversion.revisions.last().map(|r| r.id.clone());
    let rel = |p: &Path| p.strip_prefix(&target.root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
    json!({
        "source": root,
        "project": target.root,
        "created_project": target.new,
        "head": head,
        "revisions": conversion.revisions.iter().map(|r| json!({
            "revision": r.id,
            "down_revision": r.down_revision,
            "from": r.source,
            "file": rel(&target.versions_dir.join(&r.file_name)),
            "upgrade_operations": r.upgrade,
            "downgrade_operations": r.downgrade,
        })).collect::<Vec<_>>(),
        "schemas": conversion.model.schemas.len(),
        "dropdowns": conversion.model.dropdowns.len(),
        "written": written.iter().map(|p| rel(p)).collect::<Vec<_>>(),
        "editor_files": editor_files,
        "failed": conversion.failed,
        "notes": conversion.notes,
        "tenants": conversion.tenants.iter().map(|t| json!({
            "name": t.name,
            "alias": t.alias,
            "client_id_env": t.client_id_env,
            "client_secret_env": t.client_secret_env,
            "custom_warehouse_names": t.custom_warehouse_names,
        })).collect::<Vec<_>>(),
    })
}

/// What to do next: the tenants env.py connects to, in the new liminal.yaml or to add to it.
fn next_steps(ui: &Ui, conversion: &Conversion, target: &Target) {
    if target.new && !conversion.tenants.is_empty() {
        ui.status(format!(
            "Created {CONFIG_FILE} with the {} tenant(s) of env.py; export their client id and secret variables, then `liminal current <tenant>` and `liminal diff <tenant>`.",
            conversion.tenants.len()
        ));
    } else if target.new {
        ui.status(format!(
            "Created {CONFIG_FILE}: add your Benchling tenants to it (see README, \"Switching from Python Liminal\"), then `liminal current <tenant>` and `liminal diff <tenant>`."
        ));
    } else {
        if !conversion.tenants.is_empty() {
            let blocks: String = conversion.tenants.iter().map(|t| t.yaml()).collect();
            ui.status(format!(
                "env.py connects to these tenants; add the ones {CONFIG_FILE} lacks under `tenants:`:\n{blocks}"
            ));
        }
        ui.status("Next: `liminal check`, then `liminal current <tenant>` and `liminal diff <tenant>`.");
    }
}
