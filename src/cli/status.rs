//! `liminal status [--drift]`: every tenant of liminal.yaml in one table, read concurrently.

use miette::Report;
use serde_json::json;

use super::{AnyTenant, Done, Ui, load_chain, open_tenant, project};
use crate::project::TenantKind;
use crate::state::TenantState;
use crate::status::{Drift, TenantStatus, tenant_status};
use crate::tenant::{Tenant, TenantError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also read each tenant whole and count the differences from schemas/ left after its
    /// pending revisions (costs a full read on Benchling)
    #[arg(long)]
    drift: bool,
}

type Read = Result<(Option<String>, Option<TenantState>), TenantError>;

/// Read one tenant: its revision, and the whole state when `whole` (a local tenant is a file
/// read, so its state is always read).
async fn read(mut tenant: AnyTenant, whole: bool) -> Read {
    let revision = tenant.revision().await?;
    let whole = whole || matches!(tenant, AnyTenant::Local(_));
    let state = if whole { Some(tenant.read().await?) } else { None };
    Ok((revision, state))
}

pub async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let code = if args.drift { crate::schema::load_dir(&project.schemas_dir).ok() } else { None };

    let mut tasks = tokio::task::JoinSet::new();
    let mut rows: Vec<Option<TenantStatus>> = vec![None; project.tenants.len()];
    for (i, config) in project.tenants.iter().enumerate() {
        let kind = if matches!(config.kind, TenantKind::Local { .. }) { "local" } else { "url" };
        match open_tenant(config, ui) {
            Ok(tenant) => {
                let whole = args.drift;
                tasks.spawn(async move { (i, kind, read(tenant, whole).await) });
            }
            Err(e) => rows[i] = Some(failed(&config.name, kind, e.to_string())),
        }
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((i, kind, result)) = joined else { continue };
        let name = &project.tenants[i].name;
        rows[i] = Some(match result {
            Ok((revision, state)) => {
                tenant_status(&chain, code.as_ref(), name, kind, revision, state.as_ref(), args.drift)
            }
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
        let lock = match (&r.lock, r.lock_read) {
            (Some(holder), _) => holder.clone(),
            (None, true) => "free".into(),
            (None, false) if r.kind == "local" => "-".into(),
            (None, false) => "not read (--drift reads it)".into(),
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
        lock_read: false,
        error: Some(error),
    }
}
