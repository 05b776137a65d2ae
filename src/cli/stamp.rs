//! `liminal stamp <tenant> <id>`: record a revision without running anything.

use miette::Report;
use serde_json::json;

use super::tenant_arg::TenantArg;
use super::unlock::{give_back, take};
use super::{Done, Ui, load_chain, project, report, tenant_report};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    tenant: TenantArg,
    /// A revision id of the chain (or a unique prefix of one), or `head` / `base`
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::stamp_revisions))]
    revision: String,
    /// Wait this long (`30s`, `2m`) for another run of the tenant to finish
    #[arg(long, value_parser = super::unlock::parse_duration, default_value = "0s")]
    lock_timeout: std::time::Duration,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let id = match chain.named(&args.revision) {
        Ok(s) => s.header().revision.clone(),
        Err(e @ crate::chain::IdError::Ambiguous { .. }) => return Err(Report::new(e)),
        Err(crate::chain::IdError::Unknown(id)) => {
            return Err(report(
                format!("{id} is not a revision of this project"),
                "use a revision id from `liminal history`, or head / base",
            ));
        }
    };
    let (config, mut tenant) = args.tenant.open(&project, ui)?;
    let before = tenant.revision().await.map_err(tenant_report)?;
    let base = chain.base().header().revision.clone();
    let mut guard = take(&mut tenant, config, "stamp", args.lock_timeout, &base, ui).await?;
    let leased = guard.lease().is_some();
    let interrupted = match crate::migrate::stamp(&mut tenant, &id, leased).await {
        Ok(interrupted) => interrupted,
        Err(e) => {
            give_back(&mut tenant, guard, config, ui).await;
            return Err(tenant_report(e));
        }
    };
    drop(guard);
    if let Some(r) = &interrupted {
        ui.status(format!("Cleared the record of an interrupted upgrade to {r}."));
    }
    let changed = before.as_deref() != Some(id.as_str()) || interrupted.is_some();
    ui.document(&json!({ "tenant": config.name, "from": before, "revision": id, "changed": changed }));
    if changed {
        ui.line(format!("Stamped {} at {id} (was {}).", config.name, before.as_deref().unwrap_or("none")));
    } else {
        ui.line(format!("{} is already at {id}.", config.name));
    }
    Ok(Done::OK)
}
