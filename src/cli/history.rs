//! `liminal history [--tenant t] [--verbose]`: the chain, newest first, with the tenant's position;
//! with `--verbose`, each revision's parent, date, file and standing on the tenant.

use miette::Report;
use serde_json::json;

use super::tenant_arg::{self, TenantName};
use super::{Done, Ui, load_chain, project, relative, tenant_report};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Mark where this tenant is
    #[arg(long, value_name = "TENANT", add = tenant_arg::completer())]
    tenant: Option<TenantName>,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let current = match &args.tenant {
        Some(name) => {
            let (config, mut tenant) = name.open(&project, ui)?;
            Some((config.name.clone(), tenant.revision().await.map_err(tenant_report)?))
        }
        None => None,
    };
    let head = chain.head().header().revision.clone();
    let mut rows = Vec::new();
    for script in chain.revisions().iter().rev() {
        let h = script.header();
        let here = current.as_ref().is_some_and(|(_, r)| r.as_deref() == Some(h.revision.as_str()));
        let mut marks: Vec<String> = chain.marks(script).into_iter().map(str::to_string).collect();
        if here && let Some((name, _)) = &current {
            marks.push(format!("{name} is here"));
        }
        let marks = if marks.is_empty() { String::new() } else { format!(" ({})", marks.join(", ")) };
        ui.line(format!("{} {}{marks}", h.revision, h.message));
        let standing = current.as_ref().and_then(|(_, r)| chain.standing(r.as_deref(), &h.revision));
        let date = crate::chain::create_date(script);
        // `history --verbose` is the global flag: each revision's parent, date and file, and with
        // --tenant whether it is applied, current or pending there (HTTP requests are logged to
        // stderr as for every command).
        if ui.verbose > 0 {
            ui.line(format!("    parent: {}", h.down_revision.as_deref().unwrap_or("none (the base)")));
            ui.line(format!("    date:   {}", date.as_deref().unwrap_or("not given")));
            ui.line(format!("    file:   {}", relative(&project, script.path()).display()));
            if let (Some((name, _)), Some(standing)) = (&current, standing) {
                ui.line(format!("    {name}: {}", standing.word()));
            }
        }
        rows.push(json!({
            "create_date": date,
            "standing": standing,
            "revision": h.revision,
            "down_revision": h.down_revision,
            "message": h.message,
            "file": relative(&project, script.path()),
            "head": h.revision == head,
            "current": here,
        }));
    }
    if let Some((name, None)) = &current {
        ui.line(format!("({name} has no revision recorded yet)"));
    }
    // A tenant at a revision the chain does not have (another branch, files not pulled yet).
    let unknown =
        current.as_ref().and_then(|(name, r)| r.as_ref().filter(|r| chain.get(r).is_none()).map(|r| (name, r)));
    ui.document(&json!({
        "tenant": current.as_ref().map(|(n, _)| n),
        "current": current.as_ref().and_then(|(_, r)| r.clone()),
        "current_in_chain": current.as_ref().map(|(_, r)| r.as_ref().is_none_or(|r| chain.get(r).is_some())),
        "revisions": rows,
    }));
    if let Some((name, r)) = unknown {
        ui.status(format!(
            "error: {name} is at revision {r}, which is not in {}: pull the missing revision files, or record the right revision with `liminal stamp {name} <id>`",
            relative(&project, chain.dir()).display()
        ));
        return Ok(Done(1));
    }
    Ok(Done::OK)
}
