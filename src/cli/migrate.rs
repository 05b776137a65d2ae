//! `liminal upgrade` and `liminal downgrade`: plan, load, preflight, apply.

use std::time::Instant;

use miette::Report;
use serde_json::json;

use super::progress::Reporter;
use super::{Done, Ui, load_chain, open_tenant, project, relative, report, tenant_report};
use crate::chain::Chain;
use crate::diag::SourceProblem;
use crate::migrate::{PlanStep, PreflightError, RunError, load_steps, preflight, resume, run as run_plan};
use crate::project::Project;
use crate::script::Direction;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Tenant key or alias from liminal.yaml
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::tenants))]
    tenant: String,
    /// `head`, `+n`, or a revision id
    #[arg(allow_hyphen_values = true, add = clap_complete::ArgValueCompleter::new(super::completions::upgrade_targets))]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct DownArgs {
    /// Tenant key or alias from liminal.yaml
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::tenants))]
    tenant: String,
    /// `-n`, a revision id, or `base`
    #[arg(allow_hyphen_values = true, add = clap_complete::ArgValueCompleter::new(super::completions::downgrade_targets))]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
}

pub async fn upgrade(args: UpArgs, ui: &Ui) -> Result<Done, Report> {
    execute(Direction::Upgrade, &args.tenant, &args.target, args.dry_run, ui).await
}

pub async fn downgrade(args: DownArgs, ui: &Ui) -> Result<Done, Report> {
    execute(Direction::Downgrade, &args.tenant, &args.target, args.dry_run, ui).await
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

async fn execute(direction: Direction, name: &str, target: &str, dry_run: bool, ui: &Ui) -> Result<Done, Report> {
    let started = Instant::now();
    let project = project()?;
    let chain = load_chain(&project)?;
    let config = project.tenant(name)?;
    let mut tenant = open_tenant(config, ui)?;
    let current = tenant.revision().await.map_err(tenant_report)?;
    let plan = match direction {
        Direction::Upgrade => chain.plan_upgrade(current.as_deref(), target),
        Direction::Downgrade => chain.plan_downgrade(current.as_deref(), target),
    }
    .map_err(Report::new)?;

    if plan.is_empty() {
        if current.is_none() && !dry_run {
            // A tenant with no revision is at the base; record it so `current` says so.
            tenant.set_revision(&plan.to).await.map_err(tenant_report)?;
        }
        ui.document(
            &json!({ "tenant": config.name, "from": current, "to": plan.to, "dry_run": dry_run, "revisions": [] }),
        );
        ui.line(format!("{} is already at {}; nothing to do.", config.name, plan.to));
        return Ok(Done::OK);
    }

    let mut steps = load_steps(&plan).map_err(Report::new)?;
    let state = tenant.read().await.map_err(tenant_report)?;
    if direction == Direction::Upgrade {
        resume(&mut steps, &state).map_err(|e| {
            report(e, "restore the revision file as it was when the run stopped, or adopt the tenant's state with `liminal stamp` after fixing it by hand")
        })?;
    }
    preflight(&state, &steps).map_err(|e: Box<PreflightError>| {
        located(
            &chain,
            &e.path,
            e.line,
            e.column,
            format!("revision {} cannot apply to {}: {} ({})", e.revision, config.name, e.error, e.op),
            e.error.help(),
        )
    })?;

    let total_ops: usize = steps.iter().map(|s| s.pending().len()).sum();
    let from = current.clone().unwrap_or_else(|| "no revision".into());
    if dry_run {
        ui.document(&json!({
            "tenant": config.name, "from": current, "to": plan.to, "dry_run": true,
            "revisions": plan_json(&project, &steps),
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
                ui.line(format!(
                    "  (the first {} operation(s) were applied by an interrupted run and are skipped)",
                    s.skip
                ));
            }
            for (k, o) in s.pending().iter().enumerate() {
                let mark = o.op.hazard().map(|h| format!("   ! {h}")).unwrap_or_default();
                ui.line(format!("  {}. {}{mark}", s.skip + k + 1, o.op.describe()));
            }
        }
        return Ok(Done::OK);
    }

    let mut reporter = Reporter::new(ui.interactive() && !ui.json(), total_ops);
    let result = run_plan(&mut tenant, &steps, &mut reporter, current.clone()).await;
    reporter.finish();
    match result {
        Ok(()) => {
            let secs = started.elapsed().as_secs_f64();
            ui.document(&json!({
                "tenant": config.name, "from": current, "to": plan.to, "dry_run": false,
                "revisions": plan_json(&project, &steps),
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
        Err(RunError::Op { revision, path, line, column, number, op, error, recorded, applied }) => {
            let at = recorded.unwrap_or_else(|| "no revision".into());
            let help = if direction == Direction::Upgrade && applied > 0 {
                format!(
                    "{} is recorded at {at}, with the first {applied} operation(s) of {revision} applied; fix the tenant or the revision, then run the same command again: those operations are skipped",
                    config.name
                )
            } else if applied > 0 {
                format!(
                    "{} is recorded at {at}, and the first {applied} operation(s) of {revision}'s downgrade() reached it; a downgrade does not resume: take them out of the revision (or undo them on the tenant), fix the cause, then run the same command again",
                    config.name
                )
            } else {
                format!(
                    "{} is recorded at {at}; fix the tenant or the revision, then run the same command again",
                    config.name
                )
            };
            Err(located(
                &chain,
                &path,
                line,
                column,
                format!("revision {revision}, operation {number} ({op}) failed: {error}"),
                &help,
            ))
        }
        Err(RunError::Record(e)) => Err(tenant_report(e)),
    }
}
