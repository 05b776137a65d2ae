//! `liminal upgrade` and `liminal downgrade`: plan, load, preflight, apply.

use std::time::Instant;

use miette::Report;
use serde_json::json;

use super::plan;
use super::progress::Reporter;
use super::{Done, Ui, load_chain, open_tenant, project, relative, report, tenant_report};
use crate::chain::Chain;
use crate::diag::{SourceProblem, count};
use crate::lint::plan::review;
use crate::migrate::{PlanStep, PreflightError, RunError, load_steps, preflight, resume, run as run_plan};
use crate::project::Project;
use crate::project::TenantKind;
use crate::script::Direction;
use crate::tenant::{Needs, Tenant};

#[derive(Debug, clap::Args)]
pub struct UpArgs {
    /// Tenant key or alias from liminal.yaml; several separated by commas run in that order
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::tenants))]
    tenant: String,
    /// `head`, `+n`, or a revision id (or a unique prefix of one)
    #[arg(allow_hyphen_values = true, add = clap_complete::ArgValueCompleter::new(super::completions::upgrade_targets))]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Apply a plan that archives something on a Benchling tenant without asking
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Debug, clap::Args)]
pub struct DownArgs {
    /// Tenant key or alias from liminal.yaml; several separated by commas run in that order
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::tenants))]
    tenant: String,
    /// `-n`, a revision id (or a unique prefix of one), or `base`
    #[arg(allow_hyphen_values = true, add = clap_complete::ArgValueCompleter::new(super::completions::downgrade_targets))]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Apply a plan that archives something on a Benchling tenant without asking
    #[arg(long, short = 'y')]
    yes: bool,
}

pub async fn upgrade(args: UpArgs, ui: &Ui) -> Result<Done, Report> {
    each_tenant(Direction::Upgrade, &args.tenant, &args.target, args.dry_run, args.yes, ui).await
}

pub async fn downgrade(args: DownArgs, ui: &Ui) -> Result<Done, Report> {
    each_tenant(Direction::Downgrade, &args.tenant, &args.target, args.dry_run, args.yes, ui).await
}

/// `upgrade test,prod head`: the tenants in the given order, stopping at the first failure.
/// One tenant gives its own document; several give `{"tenants": [...]}` (and `failed`).
async fn each_tenant(
    direction: Direction,
    tenants: &str,
    target: &str,
    dry_run: bool,
    yes: bool,
    ui: &Ui,
) -> Result<Done, Report> {
    let names: Vec<&str> = tenants.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    if names.len() <= 1 {
        let name = names.first().copied().unwrap_or(tenants);
        let doc = execute(direction, name, target, dry_run, yes, ui).await?;
        ui.document(&doc);
        return Ok(Done::OK);
    }
    // Every name must be known (and given once) before the first tenant is touched.
    let project = project()?;
    let mut keys = Vec::new();
    for name in &names {
        let key = project.tenant(name)?.name.clone();
        if keys.contains(&key) {
            return Err(report(
                format!("tenant {key} is named twice"),
                "name each tenant once, in the order to run them",
            ));
        }
        keys.push(key);
    }
    let mut docs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !ui.json() && i > 0 {
            ui.line("");
        }
        match execute(direction, name, target, dry_run, yes, ui).await {
            Ok(doc) => docs.push(doc),
            Err(e) => {
                let rest = keys[i + 1..].join(", ");
                ui.status(format!("{e:?}"));
                if !rest.is_empty() {
                    ui.status(format!("Stopped at {}: {rest} not run.", keys[i]));
                }
                ui.document(&json!({
                    "tenants": docs,
                    "failed": { "tenant": keys[i], "error": { "message": e.to_string(), "help": e.help().map(|h| h.to_string()) } },
                    "not_run": &keys[i + 1..],
                }));
                return Ok(Done(1));
            }
        }
    }
    ui.document(&json!({ "tenants": docs }));
    Ok(Done::OK)
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
                    "lints": crate::lint::run_lints(&o.op).iter().map(|l| l.code).collect::<Vec<_>>(),
                    "line": o.line,
                    "column": o.column,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// One tenant: plan, load, preflight, print the plan, confirm, apply. Returns its JSON document.
async fn execute(
    direction: Direction,
    name: &str,
    target: &str,
    dry_run: bool,
    yes: bool,
    ui: &Ui,
) -> Result<serde_json::Value, Report> {
    let started = Instant::now();
    let project = project()?;
    let chain = load_chain(&project)?;
    let config = project.tenant(name)?;
    let mut tenant = open_tenant(config, ui)?;
    // The plan reads the schema lists in any case: the revision lookup uses them.
    tenant.prepare(&Needs::schema_list());
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
        ui.line(format!("{} is already at {}; nothing to do.", config.name, plan.to));
        return Ok(
            json!({ "tenant": config.name, "from": current, "to": plan.to, "dry_run": dry_run, "revisions": [] }),
        );
    }

    let mut steps = load_steps(&plan).map_err(Report::new)?;
    // Only what the plan's operations touch (and `liminal_remote`) is read.
    let needs = Needs::of_ops(steps.iter().flat_map(|s| s.ops.iter().map(|o| &o.op)));
    let state = tenant.read_for(&needs).await.map_err(tenant_report)?;
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
    let review = review(&chain, &steps);
    if dry_run {
        ui.line(format!(
            "Plan for {}: {from} → {} ({}, {}); nothing was changed.",
            config.name,
            plan.to,
            count(steps.len(), "revision"),
            count(total_ops, "operation")
        ));
        plan::print(ui, &project, &steps, &review, true);
        return Ok(json!({
            "tenant": config.name, "from": current, "to": plan.to, "dry_run": true,
            "revisions": plan_json(&project, &steps),
            "plan": plan::review_json(&project, &review),
        }));
    }
    ui.line(format!("Plan for {}: {from} → {} ({}):", config.name, plan.to, count(steps.len(), "revision")));
    plan::print(ui, &project, &steps, &review, false);
    if matches!(config.kind, TenantKind::Http { .. }) {
        plan::confirm(ui, &config.name, &review, yes)?;
    }

    let mut reporter = Reporter::new(ui.interactive() && !ui.json(), total_ops);
    let result = run_plan(&mut tenant, &steps, &mut reporter, current.clone()).await;
    reporter.finish();
    match result {
        Ok(()) => {
            let secs = started.elapsed().as_secs_f64();
            let doc = json!({
                "tenant": config.name, "from": current, "to": plan.to, "dry_run": false,
                "revisions": plan_json(&project, &steps),
                "plan": plan::review_json(&project, &review),
                "requests": tenant.requests(), "seconds": secs,
            });
            let verb = if direction == Direction::Upgrade { "Upgraded" } else { "Downgraded" };
            let requests = match tenant.requests() {
                0 => String::new(),
                n => format!(", {}", count(n as usize, "request")),
            };
            ui.line(format!(
                "{verb} {} from {from} to {}: {}, {}{requests}, {secs:.2}s.",
                config.name,
                plan.to,
                count(steps.len(), "revision"),
                count(total_ops, "operation"),
            ));
            Ok(doc)
        }
        Err(RunError::Op { revision, path, line, column, number, op, error, recorded, applied }) => {
            let at = recorded.unwrap_or_else(|| "no revision".into());
            let help = if direction == Direction::Upgrade && applied > 0 {
                format!(
                    "{} is recorded at {at}, with the first {} of {revision} applied; fix the tenant or the revision, then run the same command again: those operations are skipped",
                    config.name,
                    count(applied, "operation")
                )
            } else if applied > 0 {
                format!(
                    "{} is recorded at {at}, and the first {} of {revision}'s downgrade() reached it; a downgrade does not resume: take them out of the revision (or undo them on the tenant), fix the cause, then run the same command again",
                    config.name,
                    count(applied, "operation")
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
