//! `liminal status [--drift]`: every tenant of liminal.yaml in one table, read concurrently.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, load_chain, open_tenant, project};
use crate::status::{Drift, TenantStatus, read, tenant_status};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Also read each tenant whole and count the differences from schemas/ left after its
    /// pending revisions (costs a full read on Benchling)
    #[arg(long)]
    drift: bool,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let code = if args.drift { crate::schema::load_dir(&project.schemas_dir).ok() } else { None };

    let mut tasks = tokio::task::JoinSet::new();
    let mut rows: Vec<Option<TenantStatus>> = vec![None; project.tenants.len()];
    for (i, config) in project.tenants.iter().enumerate() {
        let (kind, local_file) = crate::status::kind(config);
        match open_tenant(config, ui) {
            Ok(mut tenant) => {
                let whole = args.drift;
                tasks.spawn(async move { (i, kind, read(&mut tenant, whole, local_file.as_deref()).await) });
            }
            Err(e) => rows[i] = Some(TenantStatus::failed(&config.name, kind, e.to_string())),
        }
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((i, kind, result)) = joined else { continue };
        let name = &project.tenants[i].name;
        rows[i] = Some(match result {
            Ok(read) => tenant_status(&chain, code.as_ref(), name, kind, read, args.drift),
            Err(e) => TenantStatus::failed(name, kind, e.to_string()),
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
    table.extend(rows.iter().map(|r| r.cells().to_vec()));
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
