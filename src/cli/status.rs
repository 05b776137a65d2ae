//! `liminal status [--drift]`: every tenant of liminal.yaml in one table, read concurrently.

use miette::Report;
use serde_json::json;

use super::{AnyTenant, Done, Ui, load_chain, open_tenant, project};
use std::path::PathBuf;

use crate::lock::LOCK_FIELD;
use crate::project::TenantKind;
use crate::status::{Drift, TenantRead, TenantStatus, describe_lease, local_lock_holder, tenant_status};
use crate::tenant::{Tenant, TenantError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also read each tenant whole and count the differences from schemas/ left after its
    /// pending revisions (costs a full read on Benchling)
    #[arg(long)]
    drift: bool,
}

/// Read one tenant: its revision, the whole state when `whole`, and who holds its lock (the
/// lease is in `liminal_remote`, which reading the revision already read).
async fn read(mut tenant: AnyTenant, whole: bool, local_file: Option<PathBuf>) -> Result<TenantRead, TenantError> {
    let revision = tenant.revision().await?;
    let lock = match &local_file {
        Some(file) => local_lock_holder(file),
        None => describe_lease(tenant.remote_field(LOCK_FIELD, false).await?.as_deref()),
    };
    let state = if whole { Some(tenant.read().await?) } else { None };
    Ok(TenantRead { revision, state, lock })
}

pub async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let code = if args.drift { crate::schema::load_dir(&project.schemas_dir).ok() } else { None };

    let mut tasks = tokio::task::JoinSet::new();
    let mut rows: Vec<Option<TenantStatus>> = vec![None; project.tenants.len()];
    for (i, config) in project.tenants.iter().enumerate() {
        let kind = if matches!(config.kind, TenantKind::Local { .. }) { "local" } else { "url" };
        let local_file = match &config.kind {
            TenantKind::Local { path } => Some(path.clone()),
            TenantKind::Http { .. } => None,
        };
        match open_tenant(config, ui) {
            Ok(tenant) => {
                let whole = args.drift;
                tasks.spawn(async move { (i, kind, read(tenant, whole, local_file).await) });
            }
            Err(e) => rows[i] = Some(failed(&config.name, kind, e.to_string())),
        }
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((i, kind, result)) = joined else { continue };
        let name = &project.tenants[i].name;
        rows[i] = Some(match result {
            Ok(read) => tenant_status(&chain, code.as_ref(), name, kind, read, args.drift),
            Err(e) => failed(name, kind, e.to_string()),
        });
    }
    let rows: Vec<TenantStatus> = rows.into_iter().flatten().collect();

    let head = chain.head().header().revision.clone();
    ui.document(&json!({ "head": head, "tenants": rows }));
    let mut table = vec![vec![
        "tenant".to_string(),
        "kind".into(),
        "revision".into(),
        "pending".into(),
        if args.drift { "drift".into() } else { String::new() },
        "lock".into(),
    ]];
    for r in &rows {
        let revision = match (&r.error, &r.revision) {
            (Some(_), _) => "unreadable".to_string(),
            (None, Some(rev)) => rev.clone(),
            (None, None) => "none (base)".into(),
        };
        let pending = match (&r.error, r.pending) {
            (Some(_), _) => "-".to_string(),
            (None, Some(0)) => "0 (at head)".into(),
            (None, Some(n)) => n.to_string(),
            (None, None) => "not in chain".into(),
        };
        let drift = match &r.drift {
            Some(Drift::Differences { count: 0 }) => "in sync".to_string(),
            Some(Drift::Differences { count }) => crate::diag::count(*count, "difference"),
            Some(Drift::Unknown { .. }) => "unknown".into(),
            None => String::new(),
        };
        let lock = match (&r.error, &r.lock) {
            (Some(_), _) => "-".to_string(),
            (None, Some(holder)) => holder.clone(),
            (None, None) => "free".into(),
        };
        table.push(vec![r.tenant.clone(), r.kind.into(), revision, pending, drift, lock]);
    }
    let widths: Vec<usize> =
        (0..6).map(|c| table.iter().map(|row| row[c].chars().count()).max().unwrap_or(0)).collect();
    for row in &table {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .filter(|(c, _)| *c != 4 || args.drift)
            .map(|(c, cell)| format!("{cell:<w$}", w = widths[c]))
            .collect();
        ui.line(cells.join("  ").trim_end());
    }
    ui.line(format!("head: {head}"));
    for r in &rows {
        if let Some(e) = &r.error {
            ui.status(format!("{}: {e}", r.tenant));
        }
        if let Some(Drift::Unknown { reason }) = &r.drift {
            ui.status(format!("{}: drift unknown: {reason}", r.tenant));
        }
    }
    let unreadable = rows.iter().any(|r| r.error.is_some());
    Ok(Done(if unreadable { 1 } else { 0 }))
}

fn failed(tenant: &str, kind: &'static str, error: String) -> TenantStatus {
    TenantStatus {
        tenant: tenant.to_string(),
        kind,
        revision: None,
        pending: None,
        drift: None,
        lock: None,
        error: Some(error),
    }
}
