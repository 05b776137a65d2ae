//! `liminal generate-files <tenant>`: schemas/ YAML from an existing tenant.

use miette::Report;
use serde_json::json;

use super::tenant_arg::TenantArg;
use super::{Done, Ui, project, relative, report_error, tenant_report};
use crate::generate::{code_from_state, files};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    tenant: TenantArg,
    /// Replace files that already exist (others are left alone)
    #[arg(short, long)]
    overwrite: bool,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let (config, mut tenant) = args.tenant.open(&project, ui)?;
    let state = tenant.read().await.map_err(tenant_report)?;
    let model = code_from_state(&state);
    let mut written = Vec::new();
    let mut skipped = Vec::new();
    let files = files(&model).map_err(|e| report_error(None, e, "this is a bug in liminal; please report it"))?;
    for (path, text) in files {
        let full = project.schemas_dir.join(&path);
        if full.exists() && !args.overwrite {
            skipped.push(relative(&project, &full));
            continue;
        }
        let text = format!("{}{text}", crate::scaffold::modeline(&path));
        crate::disk::write_atomic(&full, &text).map_err(|e| {
            report_error(Some(&format!("cannot write {}", full.display())), e, "check the folder's permissions")
        })?;
        written.push(relative(&project, &full));
    }
    // The JSON Schema the files' first line names, unless the project has one already.
    let editor_files =
        crate::scaffold::write_editor_files(&project.root, &project.schemas_dir, true).map_err(Report::new)?;
    ui.document(
        &json!({ "tenant": config.name, "written": written, "skipped": skipped, "editor_files": editor_files }),
    );
    for p in &written {
        ui.line(format!("wrote {}", p.display()));
    }
    if !skipped.is_empty() {
        let (files, exist) =
            (crate::diag::count(skipped.len(), "file"), if skipped.len() == 1 { "exists" } else { "exist" });
        ui.line(format!("{files} already {exist} and are left alone; use --overwrite to replace them."));
    }
    ui.line(format!(
        "{} and {} from {}.",
        crate::diag::count(model.schemas.len(), "schema"),
        crate::diag::count(model.dropdowns.len(), "dropdown"),
        config.name
    ));
    Ok(Done::OK)
}
