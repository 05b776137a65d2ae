//! `liminal show <revision> [--tenant t,…]`: one revision: its header, file, operations of both
//! functions with their lints, and with `--tenant` where each tenant stands against it.

use miette::Report;
use serde_json::{Value, json};

use super::tenant_arg::{self, TenantName};
use super::{Done, Ui, load_chain, project, relative, tenant_report};
use crate::chain::create_date;
use crate::lint::shown_findings;
use crate::lint::summary::Summary;
use crate::script::Direction;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A revision id, a unique prefix of one, or `head` / `base`
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::stamp_revisions))]
    revision: String,
    /// Also say where these tenants stand against it (comma-separated keys or aliases)
    #[arg(long, value_name = "TENANT", value_delimiter = ',', add = tenant_arg::completer())]
    tenant: Vec<TenantName>,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let script = chain.named(&args.revision).map_err(Report::new)?;
    let h = script.header();
    let rel = relative(&project, script.path());
    let position = chain.position(&h.revision).unwrap_or(0);
    let marks = chain.marks(script);
    let marks = if marks.is_empty() { String::new() } else { format!(" ({})", marks.join(", ")) };
    ui.line(format!("revision {}{marks}: {}", h.revision, h.message));
    ui.line(format!("  parent:   {}", h.down_revision.as_deref().unwrap_or("none (the base)")));
    ui.line(format!("  date:     {}", create_date(script).unwrap_or_else(|| "not given".into())));
    ui.line(format!("  file:     {}", rel.display()));
    ui.line(format!("  position: {} of {}", position + 1, chain.len()));

    let mut functions = Vec::new();
    for direction in [Direction::Upgrade, Direction::Downgrade] {
        let ops = script.ops(direction).map_err(Report::new)?;
        let lints = shown_findings(script, direction, &ops);
        let summary = Summary::of(ops.iter().map(|o| &o.op));
        ui.line(format!("{}() [{summary}]:", direction.function()));
        for (k, o) in ops.iter().enumerate() {
            ui.line(format!("  {}. {}  ({}:{})", k + 1, o.op.describe(), o.line, o.column));
            for f in lints.iter().filter(|f| f.position() == Some((o.line, o.column))) {
                let note = f.suppressed.as_ref().map_or(String::new(), |s| {
                    format!(" (nolint: {})", s.reason.as_deref().unwrap_or("no reason given"))
                });
                ui.line(format!("     ! {}[{}] {}{note}", f.severity, f.lint.code, f.lint.summary));
            }
        }
        functions.push(json!({
            "function": direction.function(),
            "summary": summary,
            "operations": ops.iter().map(|o| json!({
                "operation": o.op.name(),
                "description": o.op.describe(),
                "line": o.line,
                "column": o.column,
            })).collect::<Vec<_>>(),
            "findings": lints.iter().map(|f| f.to_json(Some(rel.clone()))).collect::<Vec<_>>(),
        }));
    }

    let mut tenants: Vec<Value> = Vec::new();
    for name in &args.tenant {
        let (config, mut tenant) = name.open(&project, ui)?;
        let current = tenant.revision().await.map_err(tenant_report)?;
        let standing = chain.standing(current.as_deref(), &h.revision);
        let text = match (standing, &current) {
            (Some(crate::chain::Standing::Current), _) => "is at this revision".to_string(),
            (Some(crate::chain::Standing::Applied), Some(c)) => format!("has applied it (it is at {c})"),
            (Some(crate::chain::Standing::Pending), c) => {
                format!("has not applied it yet (it is at {})", c.as_deref().unwrap_or("no revision"))
            }
            (_, c) => format!("is at {}, which is not in this chain", c.as_deref().unwrap_or("no revision")),
        };
        ui.line(format!("{}: {text}", config.name));
        tenants.push(json!({ "tenant": config.name, "current": current, "standing": standing }));
    }

    ui.document(&json!({
        "revision": h.revision,
        "down_revision": h.down_revision,
        "message": h.message,
        "create_date": create_date(script),
        "file": rel,
        "position": position,
        "head": position + 1 == chain.len(),
        "functions": functions,
        "tenants": tenants,
    }));
    Ok(Done::OK)
}
