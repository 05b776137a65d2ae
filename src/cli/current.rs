//! `liminal current <tenant>`: the tenant's revision, as recorded in `liminal_remote`.

use miette::Report;
use serde_json::json;

use super::tenant_arg::TenantArg;
use super::{Done, Ui, project, tenant_report};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    tenant: TenantArg,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let (config, mut tenant) = args.tenant.open(&project, ui)?;
    let revision = tenant.revision().await.map_err(tenant_report)?;
    ui.document(&json!({ "tenant": config.name, "revision": revision }));
    match revision {
        Some(r) => ui.line(r),
        None => ui.line("(none: no revision recorded yet)"),
    }
    Ok(Done::OK)
}
