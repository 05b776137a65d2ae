//! `liminal upgrade` and `liminal downgrade`: plan, load, preflight, apply.

use std::time::Instant;

use miette::Report;
use serde_json::json;

use super::progress::Reporter;
use super::unlock::{give_back, take};
use super::{AnyTenant, Done, Ui, load_chain, open_tenant, project, relative, report, tenant_report};
use crate::chain::Chain;
use crate::diag::SourceProblem;
use crate::migrate::{PlanStep, PreflightError, RunError, load_steps, resume, run as run_plan};
use crate::project::Project;
use crate::script::Direction;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Tenant key or alias from liminal.yaml
    tenant: String,
    /// `head`, `+n`, or a revision id
    #[arg(allow_hyphen_values = true)]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Wait this long (`30s`, `2m`) for another run of the tenant to finish
    #[arg(long, value_parser = super::unlock::parse_duration, default_value = "0s")]
    lock_timeout: std::time::Duration,
}

#[derive(Debug, clap::Args)]
pub struct DownArgs {
    /// Tenant key or alias from liminal.yaml
    tenant: String,
    /// `-n`, a revision id, or `base`
    #[arg(allow_hyphen_values = true)]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Wait this long (`30s`, `2m`) for another run of the tenant to finish
    #[arg(long, value_parser = super::unlock::parse_duration, default_value = "0s")]
    lock_timeout: std::time::Duration,
}

pub async fn upgrade(args: UpArgs, ui: &Ui) -> Result<Done, Report> {
    execute(Direction::Upgrade, &args.tenant, &args.target, args.dry_run, args.lock_timeout, ui).await
}

pub async fn downgrade(args: DownArgs, ui: &Ui) -> Result<Done, Report> {
    execute(Direction::Downgrade, &args.tenant, &args.target, args.dry_run, args.lock_timeout, ui).await
}

fn located(chain: &Chain, path: &std::path::Path, line: usize, column: usize, message: String, help: &str) -> Report {
    let mut p = SourceProblem::new(path, line, column, message).with_help(help);
    if let Some(script) = chain.revisions().iter().find(|s| s.path() == path) {
        p = p.with_source(script.source().clone());
    }
    Report::new(p)
}

fn plan_json(project: &Project, steps: &[PlanStep]) -> Vec<serde_json::Value> {
    steps
        .iter()
        .map(|s| {
            json!({
                "revision": s.id,
                "message": s.message,
                "file": relative(project, &s.path),
                "records": s.record,
                "skipped": s.skip,
                "operations": s.pending().iter().map(|o| json!({
                    "operation": o.op.name(),
                    "description": o.op.describe(),
                    "hazard": o.op.hazard(),
                    "line": o.line,
                    "column": o.column,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

async fn execute(
    direction: Direction,
    name: &str,
    target: &str,
    dry_run: bool,
    wait: std::time::Duration,
    ui: &Ui,
) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let config = project.tenant(name)?;
    let mut tenant = open_tenant(config, ui)?;
    let mut current = tenant.revision().await.map_err(tenant_report)?;
    let make_plan = |current: Option<&str>| {
        match direction {
            Direction::Upgrade => chain.plan_upgrade(current, target),
            Direction::Downgrade => chain.plan_downgrade(current, target),
        }
        .map_err(Report::new)
    };
    let mut plan = make_plan(current.as_deref())?;

    let nothing_to_do = |plan: &crate::chain::Plan<'_>, current: &Option<String>| {
        ui.document(
            &json!({ "tenant": config.name, "from": current, "to": plan.to, "dry_run": dry_run, "revisions": [] }),
        );
        ui.line(format!("{} is already at {}; nothing to do.", config.name, plan.to));
        Ok(Done::OK)
    };
    if plan.is_empty() {
        if current.is_none() && !dry_run {
            // A tenant with no revision is at the base; record it so `current` says so.
            tenant.set_revision(&plan.to).await.map_err(tenant_report)?;
        }
        return nothing_to_do(&plan, &current);
    }

    let mut guard = None;
    if !dry_run {
        crate::interrupt::install();
        let base = chain.base().header().revision.clone();
        let command = if direction == Direction::Upgrade { "upgrade" } else { "downgrade" };
        guard = Some(take(&mut tenant, config, command, wait, &base, ui).await?);
        // Another run may have moved the tenant while this one waited for it.
        let now = tenant.revision().await.map_err(tenant_report)?;
        if now != current && !(current.is_none() && now.as_deref() == Some(base.as_str())) {
            ui.status(format!(
                "{} is now at {}; planning from there.",
                config.name,
                now.as_deref().unwrap_or("no revision")
            ));
            current = now;
            match make_plan(current.as_deref()) {
                Ok(p) => plan = p,
                Err(e) => {
                    if let Some(g) = guard.take() {
                        give_back(&mut tenant, g, config, ui).await;
                    }
                    return Err(e);
                }
            }
        }
    }
    let result = if plan.is_empty() {
        nothing_to_do(&plan, &current)
    } else {
        let lease = guard.as_mut().and_then(|g| g.lease());
        let outcome =
            apply(direction, &chain, &project, config, &mut tenant, &plan, &current, dry_run, lease, ui).await;
        if matches!(outcome, Ok(Done(0))) && !dry_run {
            // The last revision record released the lease.
            guard = None;
        }
        outcome
    };
    if let Some(g) = guard {
        give_back(&mut tenant, g, config, ui).await;
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    direction: Direction,
    chain: &Chain,
    project: &Project,
    config: &crate::project::TenantConfig,
    tenant: &mut AnyTenant,
    plan: &crate::chain::Plan<'_>,
    current: &Option<String>,
    dry_run: bool,
    lease: Option<&mut crate::lock::Lease>,
    ui: &Ui,
) -> Result<Done, Report> {
    let started = Instant::now();
    let mut steps = load_steps(plan).map_err(Report::new)?;
    let state = tenant.read().await.map_err(tenant_report)?;
    let way_back = match direction {
        Direction::Upgrade => "`liminal downgrade`",
        Direction::Downgrade => "`liminal upgrade`",
    };
    resume(&mut steps, &state).map_err(|e| {
        let p: &PreflightError = &e.error;
        let mut help = String::new();
        if let Some(d) = &e.differs {
            help.push_str(&format!("on the tenant, {d}. "));
        }
        help.push_str(&format!(
            "{} ({}). If the tenant was changed by hand, undo that change; or fix the revision file; or, if the tenant already is as a revision leaves it, record that with `liminal stamp {} <revision>`; or go back with {way_back}",
            p.error.help(),
            p.op,
            config.name
        ));
        let message = match e.present {
            0 => format!("revision {} cannot apply to {}: {} ({})", p.revision, config.name, p.error, p.op),
            _ => format!("{}: {e}", config.name),
        };
        located(chain, &p.path, p.line, p.column, message, &help)
    })?;
    if let Some(first) = steps.first()
        && first.skip > 0
    {
        ui.status(format!(
            "revision {}: {} of {} operations are already on the tenant; applying the other {}",
            first.id,
            first.skip,
            first.ops.len(),
            first.ops.len() - first.skip
        ));
    }

    let total_ops: usize = steps.iter().map(|s| s.pending().len()).sum();
    let from = current.clone().unwrap_or_else(|| "no revision".into());
    if dry_run {
        ui.document(&json!({
            "tenant": config.name, "from": current, "to": plan.to, "dry_run": true,
            "revisions": plan_json(project, &steps),
        }));
        ui.line(format!(
            "Plan for {}: {from} → {} ({} revision(s), {total_ops} operation(s)); nothing was changed.",
            config.name,
            plan.to,
            steps.len()
        ));
        for (i, s) in steps.iter().enumerate() {
            ui.line(format!("{} {} ({}/{}): {}", direction.function(), s.id, i + 1, steps.len(), s.message));
            if s.skip > 0 {
                ui.line(format!("  (the first {} operation(s) are already on the tenant and are skipped)", s.skip));
            }
            for (k, o) in s.pending().iter().enumerate() {
                let mark = o.op.hazard().map(|h| format!("   ! {h}")).unwrap_or_default();
                ui.line(format!("  {}. {}{mark}", s.skip + k + 1, o.op.describe()));
            }
        }
        return Ok(Done::OK);
    }
    let again = "run the same command again: it finds on the tenant what was applied and applies the rest";
    if crate::interrupt::requested() {
        ui.error(&report(format!("interrupted before {} was changed", config.name), again));
        return Ok(Done(crate::interrupt::EXIT_CODE));
    }

    let mut reporter = Reporter::new(ui.interactive() && !ui.json(), total_ops);
    let result = run_plan(tenant, &steps, &mut reporter, current.clone(), lease).await;
    reporter.finish();
    match result {
        Ok(()) => {
            let secs = started.elapsed().as_secs_f64();
            ui.document(&json!({
                "tenant": config.name, "from": current, "to": plan.to, "dry_run": false,
                "revisions": plan_json(project, &steps),
                "requests": tenant.requests(), "seconds": secs,
            }));
            let verb = if direction == Direction::Upgrade { "Upgraded" } else { "Downgraded" };
            let requests = match tenant.requests() {
                0 => String::new(),
                n => format!(", {n} request(s)"),
            };
            ui.line(format!(
                "{verb} {} from {from} to {}: {} revision(s), {total_ops} operation(s){requests}, {secs:.2}s.",
                config.name,
                plan.to,
                steps.len(),
            ));
            Ok(Done::OK)
        }
        Err(RunError::Op { revision, path, line, column, number, op, error, recorded, applied, total }) => {
            let at = recorded.unwrap_or_else(|| "no revision".into());
            let help = format!(
                "{} is recorded at {at}, with {applied} of the {total} operation(s) of {revision} on it; fix the cause (on the tenant or in the revision), then {again}",
                config.name
            );
            Err(located(
                chain,
                &path,
                line,
                column,
                format!("revision {revision}, operation {number} ({op}) failed: {error}"),
                &help,
            ))
        }
        Err(e @ RunError::Interrupted { .. }) => {
            ui.error(&report(format!("{}: {e}", config.name), again));
            Ok(Done(crate::interrupt::EXIT_CODE))
        }
        Err(e) => Err(report(format!("{}: {e}", config.name), again)),
    }
}
