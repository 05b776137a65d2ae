//! `liminal stamp <tenant> <id>`: record a revision without running anything.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, load_chain, open_tenant, project, report, tenant_report};
use crate::migrate::clear_progress;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tenant key or alias from liminal.yaml
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::tenants))]
    tenant: String,
    /// A revision id of the chain (or a unique prefix of one), or `head` / `base`
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::stamp_revisions))]
    revision: String,
}

pub async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let id = match args.revision.as_str() {
        "head" => chain.head().header().revision.clone(),
        "base" => chain.base().header().revision.clone(),
        id => match chain.find(id) {
            Ok(s) => s.header().revision.clone(),
            Err(e @ crate::chain::IdError::Ambiguous { .. }) => return Err(Report::new(e)),
            Err(crate::chain::IdError::Unknown(_)) => {
                return Err(report(
                    format!("{id} is not a revision of this project"),
                    "use a revision id from `liminal history`, or head / base",
                ));
            }
        },
    };
    let config = project.tenant(&args.tenant)?;
    let mut tenant = open_tenant(config, ui)?;
    let before = tenant.revision().await.map_err(tenant_report)?;
    let changed = tenant.set_revision(&id).await.map_err(tenant_report)?;
    // Stamping says where the tenant stands: a record of an interrupted upgrade no longer
    // holds, and left in place it would make a later upgrade skip or refuse operations.
    let interrupted = clear_progress(&mut tenant).await.map_err(tenant_report)?;
    if let Some(r) = &interrupted {
        ui.status(format!("Cleared the record of an interrupted upgrade to {r}."));
    }
    let changed = changed || interrupted.is_some();
    ui.document(&json!({ "tenant": config.name, "from": before, "revision": id, "changed": changed }));
    if changed {
        ui.line(format!("Stamped {} at {id} (was {}).", config.name, before.as_deref().unwrap_or("none")));
    } else {
        ui.line(format!("{} is already at {id}.", config.name));
    }
    Ok(Done::OK)
}
