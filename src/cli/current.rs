//! `liminal current <tenant>`: the tenant's revision, as recorded in `liminal_remote`.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, open_tenant, project, tenant_report};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tenant key or alias from liminal.yaml
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::tenants))]
    tenant: String,
}

pub async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let config = project.tenant(&args.tenant)?;
    let mut tenant = open_tenant(config, ui)?;
    let revision = tenant.revision().await.map_err(tenant_report)?;
    ui.document(&json!({ "tenant": config.name, "revision": revision }));
    match revision {
        Some(r) => ui.line(r),
        None => ui.line("(none: no revision recorded yet)"),
    }
    Ok(Done::OK)
}
