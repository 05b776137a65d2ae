//! `liminal import <path>`: take over a Python Liminal project: its revisions (same ids,
//! down_revisions, messages and create dates) and its models as schemas/ YAML.

use std::path::{Path, PathBuf};

use miette::Report;
use serde_json::json;

use super::{Done, Ui, report};
use crate::chain::sum::{SUM_FILE, SumFile, write_sum_file};
use crate::diag::Problems;
use crate::import::{Options, convert, find_root, project_config};
use crate::project::{CONFIG_FILE, Project, ProjectError};

#[derive(Debug, clap::Args)]
pub struct Args {
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

/// Where the files go: the project around the current folder, or a new one in it.
struct Target {
    root: PathBuf,
    schemas_dir: PathBuf,
    versions_dir: PathBuf,
    new: bool,
}

fn target() -> Result<Target, Report> {
    let cwd = std::env::current_dir()
        .map_err(|e| report(format!("cannot read the current folder: {e}"), "cd into a folder"))?;
    match Project::discover(&cwd) {
        Ok(p) => Ok(Target { root: p.root, schemas_dir: p.schemas_dir, versions_dir: p.versions_dir, new: false }),
        Err(ProjectError::NotFound(_)) => {
            Ok(Target { schemas_dir: cwd.join("schemas"), versions_dir: cwd.join("versions"), root: cwd, new: true })
        }
        Err(e) => Err(e.into()),
    }
}

fn shown(path: &Path) -> String {
    crate::diag::display_path(path)
}

pub fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let root = find_root(&args.path).map_err(Report::new)?;
    let conversion = convert(&root, &Options { models: args.models.clone() }).map_err(Report::new)?;
    let target = target()?;

    // Refuse before writing anything: files an earlier import wrote, and revisions of another chain.
    let ids: Vec<&str> = conversion.revisions.iter().map(|r| r.id.as_str()).collect();
    let mut replaced = Vec::new();
    let mut existing = Vec::new();
    if let Ok(dir) = std::fs::read_dir(&target.versions_dir) {
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rhai") {
                existing.push(path);
            }
        }
    }
    existing.sort();
    for path in &existing {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let id = name.split('_').next().unwrap_or("");
        // A revision that did not convert is not written: a file with its id is the user's port
        // of it (see --partial), never replaced nor removed.
        let ported = !id.is_empty()
            && !ids.contains(&id)
            && conversion.failed.iter().any(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(id)));
        if ported {
            continue;
        }
        if !ids.contains(&id) {
            return Err(report(
                format!(
                    "{} holds revision {id} ({}), which is not in the Python chain",
                    shown(&target.versions_dir),
                    shown(path)
                ),
                "the import writes the whole chain, base revision included: move that file away (a base revision `liminal init` wrote can simply be deleted)",
            ));
        }
        if !args.overwrite {
            return Err(report(
                format!("{} already exists (imported before?)", shown(path)),
                "run with --overwrite to replace the files an earlier import wrote",
            ));
        }
        replaced.push(path.clone());
    }
    for (rel, _) in &conversion.schema_files {
        let path = target.schemas_dir.join(rel);
        if path.exists() && !args.overwrite {
            return Err(report(
                format!("{} already exists (imported before?)", shown(&path)),
                "run with --overwrite to replace the files an earlier import wrote",
            ));
        }
    }

    for note in &conversion.notes {
        ui.status(format!("note: {note}"));
    }
    let problems = !conversion.problems.is_empty();
    if problems && !args.partial {
        ui.status(format!(
            "Nothing was written: {} revision file(s) converted, {} did not{}.",
            conversion.revisions.len(),
            conversion.failed.len(),
            if conversion.problems.iter().any(|p| {
                !conversion.failed.contains(&p.file) && !conversion.revisions.iter().any(|r| r.source == p.file)
            }) {
                "; the models have problems too"
            } else {
                ""
            }
        ));
        ui.status(
            "The Python project cannot be imported as it is: port the places below by hand, or run with --partial to write what converted.",
        );
        return Err(Report::new(Problems(conversion.problems)));
    }

    let io = |path: &Path, e: std::io::Error| {
        report(format!("cannot write {}: {e}", shown(path)), "check the folder's permissions")
    };
    let mut written = Vec::new();
    if target.new {
        let config = target.root.join(CONFIG_FILE);
        let text = project_config(&conversion.tenants);
        crate::state::file::write_atomic(&config, &text).map_err(|e| io(&config, e))?;
        let gitignore = target.root.join(".gitignore");
        let existing = std::fs::read_to_string(&gitignore).unwrap_or_default();
        if !existing.lines().any(|l| l.trim() == ".liminal/" || l.trim() == ".liminal") {
            let sep = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
            std::fs::write(&gitignore, format!("{existing}{sep}.liminal/\n")).map_err(|e| io(&gitignore, e))?;
        }
        written.push(config);
    }
    std::fs::create_dir_all(&target.versions_dir).map_err(|e| io(&target.versions_dir, e))?;
    std::fs::create_dir_all(&target.schemas_dir).map_err(|e| io(&target.schemas_dir, e))?;
    let new_names: Vec<PathBuf> = conversion.revisions.iter().map(|r| target.versions_dir.join(&r.file_name)).collect();
    for old in &replaced {
        if !new_names.contains(old) {
            std::fs::remove_file(old).map_err(|e| io(old, e))?;
        }
    }
    for (r, path) in conversion.revisions.iter().zip(&new_names) {
        crate::state::file::write_atomic(path, &r.text).map_err(|e| io(path, e))?;
        written.push(path.clone());
    }
    // versions/liminal.sum, as `revision` keeps it: the imported files, base → head.
    let sum = SumFile::of(conversion.revisions.iter().map(|r| (r.file_name.as_str(), r.text.as_str())));
    let sum_path =
        write_sum_file(&target.versions_dir, &sum).map_err(|e| io(&target.versions_dir.join(SUM_FILE), e))?;
    written.push(sum_path);
    for (rel, text) in &conversion.schema_files {
        let path = target.schemas_dir.join(rel);
        let text = format!("{}{text}", crate::scaffold::modeline(rel));
        crate::state::file::write_atomic(&path, &text).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    // The JSON Schema the files' first line names, as generate-files writes it.
    let editor_files =
        crate::scaffold::write_editor_files(&target.root, &target.schemas_dir, true).map_err(Report::new)?;

    let head = conversion.revisions.last().map(|r| r.id.clone());
    let rel = |p: &Path| p.strip_prefix(&target.root).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
    ui.document(&json!({
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
    }));
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
    if problems {
        ui.status("Written with --partial: the places below did not convert; port them by hand.");
        return Err(Report::new(Problems(conversion.problems)));
    }
    Ok(Done::OK)
}
