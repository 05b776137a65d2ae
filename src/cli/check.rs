//! `liminal check [--tenant t] [--strict]`: lint the project offline; with a tenant, also drift.
//! The findings and their codes come from [`crate::lint::check`]; this prints them and sets the
//! exit code: 1 when an error-level finding is left (warnings too with `--strict`).

use miette::Report;
use serde_json::json;

use super::tenant_arg::{self, TenantName};
use super::{Done, Ui, project, relative, tenant_report};
use crate::lint::check::{check_project, check_tenant_code};
use crate::lint::{Finding, counts, make_strict};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Also check this tenant: pending revisions apply, and code matches after them
    #[arg(long, value_name = "TENANT", add = tenant_arg::completer())]
    tenant: Option<TenantName>,
    /// Treat warnings as errors (exit 1 on any finding that is not suppressed)
    #[arg(long)]
    strict: bool,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let checked = check_project(&project).map_err(Report::new)?;
    let mut findings = checked.findings;

    let mut drift = None;
    if let (Some(name), Some(chain), Some(code)) = (&args.tenant, &checked.chain, &checked.code) {
        let (config, mut tenant) = name.open(&project, ui)?;
        let current = tenant.revision().await.map_err(tenant_report)?;
        let state = tenant.read().await.map_err(tenant_report)?;
        let (more, left) = check_tenant_code(&project, chain, code, &config.name, current.as_deref(), &state);
        findings.extend(more);
        drift = left;
    } else if let Some(name) = &args.tenant {
        name.resolve(&project)?;
    }
    if args.strict {
        make_strict(&mut findings);
    }

    let c = counts(&findings);
    let json_of = |f: &Finding| f.to_json(f.file().map(|p| relative(&project, p)));
    let active: Vec<&Finding> = findings.iter().filter(|f| f.suppressed.is_none()).collect();
    ui.document(&json!({
        "ok": c.errors == 0,
        "strict": args.strict,
        "counts": c,
        "findings": findings.iter().map(json_of).collect::<Vec<_>>(),
        "problems": active.iter().filter(|f| f.fails()).map(|f| json_of(f)).collect::<Vec<_>>(),
        "warnings": active.iter().filter(|f| !f.fails()).map(|f| json_of(f)).collect::<Vec<_>>(),
        "drift": drift,
    }));
    if !ui.json() {
        let mut sorted = active.clone();
        sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
        for f in sorted {
            ui.status(format!("{:?}", Report::new(f.clone())));
        }
    }
    let suppressed = match c.suppressed {
        0 => String::new(),
        n => format!(", {n} suppressed"),
    };
    if c.errors == 0 {
        let revisions = checked.chain.as_ref().map_or(0, crate::chain::Chain::len);
        let (schemas, dropdowns) = checked.code.as_ref().map_or((0, 0), |m| (m.schemas.len(), m.dropdowns.len()));
        let warnings = match c.warnings {
            0 => String::new(),
            n => format!(", {}", crate::diag::count(n, "warning")),
        };
        ui.line(format!(
            "No problems: {}, {}, {}{warnings}{suppressed}.",
            crate::diag::count(schemas, "schema"),
            crate::diag::count(dropdowns, "dropdown"),
            crate::diag::count(revisions, "revision")
        ));
        return Ok(Done::OK);
    }
    if !ui.json() {
        ui.status(format!(
            "check found {}, {}{suppressed}.",
            crate::diag::count(c.errors, "error"),
            crate::diag::count(c.warnings, "warning")
        ));
    }
    Ok(Done(1))
}
