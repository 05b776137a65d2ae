//! `liminal revision <tenant> <message>`: diff code against the tenant and write the next
//! revision.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, diff_report, load_chain, now, open_tenant, project, relative, report, tenant_report};
use crate::diff::diff_with;
use crate::op::Op;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tenant key or alias from liminal.yaml
    tenant: String,
    /// What the revision does (its first line, and its file name)
    message: String,
    /// Write empty upgrade()/downgrade() lists to fill in by hand
    #[arg(long)]
    empty: bool,
    /// Write every possible rename (an archived and a created field, schema, dropdown or option
    /// that differ only by name) as a rename, without asking
    #[arg(long, conflicts_with = "empty")]
    renames: bool,
}

pub async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let code =
        if args.empty { None } else { Some(crate::schema::load_dir(&project.schemas_dir).map_err(Report::new)?) };
    let config = project.tenant(&args.tenant)?;
    let mut tenant = open_tenant(config, ui)?;
    let head = chain.head().header().revision.clone();
    let current = tenant.revision().await.map_err(tenant_report)?;
    match current.as_deref() {
        None if chain.len() == 1 => {
            // As Liminal: a fresh tenant on a fresh project is recorded at the base revision.
            tenant.set_revision(&head).await.map_err(tenant_report)?;
            ui.status(format!("{} had no revision; recorded the base revision {head}.", config.name));
        }
        Some(c) if c == head => {}
        Some(c) if chain.get(c).is_none() => {
            return Err(report(
                format!("{} is at revision {c}, which is not in versions/", config.name),
                "pull the missing revision files, or record the right revision with `liminal stamp`",
            ));
        }
        other => {
            return Err(report(
                format!("{} is at {}, not at the head revision {head}", config.name, other.unwrap_or("no revision")),
                format!(
                    "run `liminal upgrade {} head` first, so the new revision is computed against an up-to-date tenant",
                    args.tenant
                ),
            ));
        }
    }
    let (upgrade, downgrade): (Vec<Op>, Vec<Op>) = match &code {
        None => (vec![], vec![]),
        Some(code) => {
            let state = tenant.read().await.map_err(tenant_report)?;
            super::check_code_for(&project, config, code, &state)?;
            let candidates = crate::rename::candidates(code, &state);
            let mode = super::renames::Mode::pick(args.renames, ui.json());
            let renames =
                super::renames::choose(&candidates, mode, &mut std::io::stdin().lock(), &mut std::io::stderr());
            let steps = diff_with(code, &state, &renames).map_err(diff_report)?;
            (steps.iter().map(|s| s.op.clone()).collect(), steps.iter().rev().map(|s| s.reverse.clone()).collect())
        }
    };
    let new = chain.new_revision(&args.message, now(), &upgrade, &downgrade).map_err(Report::new)?;
    let path = new.write(&project.versions_dir).map_err(|e| {
        report(format!("cannot write {}: {e}", new.file_name), "check the versions folder's permissions")
    })?;
    let rel = relative(&project, &path);
    ui.document(&json!({
        "tenant": config.name,
        "revision": new.id,
        "down_revision": head,
        "file": rel,
        "operations": upgrade.len(),
    }));
    for op in &upgrade {
        if let Some(hazard) = op.hazard() {
            ui.status(format!("warning: `{}` {hazard}", op.describe()));
        }
    }
    if code.is_some() && upgrade.is_empty() {
        ui.status(format!("{} is in sync with the code: the revision has empty lists.", config.name));
    }
    ui.line(format!("{}", rel.display()));
    ui.status(format!(
        "Wrote revision {} with {} operation(s); review it, then `liminal upgrade {} head`.",
        new.id,
        upgrade.len(),
        args.tenant
    ));
    Ok(Done::OK)
}
