//! `liminal unlock <tenant> <lock-id>`: break a lease left by a run that is gone (Terraform's
//! `force-unlock`); and how `upgrade`, `downgrade` and `stamp` take and give back the lock.

use std::time::Duration;

use miette::Report;
use serde_json::json;

use super::tenant_arg::TenantArg;
use super::{AnyTenant, Done, Ui, open_tenant, project, report, report_error};
use crate::lock::{self, Guard};
use crate::project::{TenantConfig, TenantKind};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    tenant: TenantArg,
    /// The lease id, as the refused run printed it
    lock_id: String,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let config = args.tenant.resolve(&project)?;
    if let TenantKind::Local { path } = &config.kind {
        return Err(report(
            format!(
                "{} is a local tenant: its lock ({}) is held by the OS only while its run lives",
                config.name,
                lock::lock_path(path).display()
            ),
            "nothing to unlock; a local run that is gone has released it",
        ));
    }
    let mut tenant = open_tenant(config, ui)?;
    let broken = lock::unlock(&mut tenant, &args.lock_id).await.map_err(|e| {
        let help = e.help(&config.name);
        report_error(None, e, help)
    })?;
    ui.document(&json!({ "tenant": config.name, "unlocked": broken.id, "holder": broken.holder, "pid": broken.pid, "command": broken.command }));
    ui.line(format!("Broke the {} on {}.", broken.describe(), config.name));
    Ok(Done::OK)
}

/// Take the tenant for `command`, waiting up to `wait` for another run ([`lock::take`]).
pub(crate) async fn take(
    tenant: &mut AnyTenant,
    config: &TenantConfig,
    command: &str,
    wait: Duration,
    base: &str,
    ui: &Ui,
) -> Result<Guard, Report> {
    let mut warn = |w: String| ui.status(format!("warning: {}: {w}", config.name));
    lock::take(tenant, &config.kind, command, wait, base, &mut warn).await.map_err(|e| {
        let help = e.help(&config.name);
        report_error(Some(&config.name), e, help)
    })
}

/// Give the tenant back after a run that did not release it itself; says so when that fails.
pub(crate) async fn give_back(tenant: &mut AnyTenant, guard: Guard, config: &TenantConfig, ui: &Ui) {
    if let Err((lease, e)) = lock::give_back(tenant, guard).await {
        ui.status(format!(
            "warning: releasing the lease on {} failed ({e}); it expires by itself at its end, or run `liminal unlock {} {}`",
            config.name, config.name, lease.id
        ));
    }
}

/// `2m`, `30s`, `1h`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration like 30s, 2m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("`{text}` is not a duration like 30s, 2m or 1h")),
    };
    Ok(Duration::from_secs(secs))
}
