//! `liminal upgrade` and `liminal downgrade`: plan, load, preflight, apply.

use std::time::Instant;

use miette::Report;
use serde_json::json;

use super::plan;
use super::progress::Reporter;
use super::tenant_arg::{self, TenantList, TenantName};
use super::unlock::{give_back, take};
use super::{AnyTenant, Done, Ui, load_chain, project, relative, report_error, tenant_report};
use crate::chain::Chain;
use crate::diag::{SourceProblem, count};
use crate::lint::plan::review;
use crate::lock::Guard;
use crate::migrate::prepare::{self, PrepareError};
use crate::migrate::{PlanStep, PreflightError, RunError, run as run_plan};
use crate::project::Project;
use crate::project::TenantKind;
use crate::script::Direction;
use crate::tenant::{Needs, Tenant};

#[derive(Debug, clap::Args)]
pub(crate) struct UpArgs {
    /// Tenant key or alias from liminal.yaml; several separated by commas run in that order
    #[arg(value_name = "TENANT", add = tenant_arg::completer())]
    tenant: TenantList,
    /// `head`, `+n`, or a revision id (or a unique prefix of one)
    #[arg(allow_hyphen_values = true, add = clap_complete::ArgValueCompleter::new(super::completions::upgrade_targets))]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Apply a plan that archives something on a Benchling tenant without asking
    #[arg(long, short = 'y')]
    yes: bool,
    /// Wait this long (`30s`, `2m`) for another run of the tenant to finish
    #[arg(long, value_parser = super::unlock::parse_duration, default_value = "0s")]
    lock_timeout: std::time::Duration,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DownArgs {
    /// Tenant key or alias from liminal.yaml; several separated by commas run in that order
    #[arg(value_name = "TENANT", add = tenant_arg::completer())]
    tenant: TenantList,
    /// `-n`, a revision id (or a unique prefix of one), or `base`
    #[arg(allow_hyphen_values = true, add = clap_complete::ArgValueCompleter::new(super::completions::downgrade_targets))]
    target: String,
    /// Print the plan and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Apply a plan that archives something on a Benchling tenant without asking
    #[arg(long, short = 'y')]
    yes: bool,
    /// Wait this long (`30s`, `2m`) for another run of the tenant to finish
    #[arg(long, value_parser = super::unlock::parse_duration, default_value = "0s")]
    lock_timeout: std::time::Duration,
}

pub(super) async fn upgrade(args: UpArgs, ui: &Ui) -> Result<Done, Report> {
    if !args.dry_run {
        crate::interrupt::install();
    }
    each_tenant(Direction::Upgrade, &args.tenant, &args.target, args.dry_run, args.yes, args.lock_timeout, ui).await
}

pub(super) async fn downgrade(args: DownArgs, ui: &Ui) -> Result<Done, Report> {
    if !args.dry_run {
        crate::interrupt::install();
    }
    each_tenant(Direction::Downgrade, &args.tenant, &args.target, args.dry_run, args.yes, args.lock_timeout, ui).await
}

/// `upgrade test,prod head`: the tenants in the given order, stopping at the first failure.
/// One tenant gives its own document; several give `{"tenants": [...]}` (and `failed`).
async fn each_tenant(
    direction: Direction,
    tenants: &TenantList,
    target: &str,
    dry_run: bool,
    yes: bool,
    wait: std::time::Duration,
    ui: &Ui,
) -> Result<Done, Report> {
    let names = tenants.names();
    if let [name] = names.as_slice() {
        let doc = execute(direction, name, target, dry_run, yes, wait, ui).await?;
        ui.document(&doc);
        return Ok(Done::OK);
    }
    let keys = tenants.keys(&project()?)?;
    let mut docs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !ui.json() && i > 0 {
            ui.line("");
        }
        match execute(direction, name, target, dry_run, yes, wait, ui).await {
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
                let interrupted = e.downcast_ref::<Interrupted>().is_some();
                return Ok(Done(if interrupted { crate::interrupt::EXIT_CODE } else { 1 }));
            }
        }
    }
    ui.document(&json!({ "tenants": docs }));
    Ok(Done::OK)
}

fn located(chain: &Chain, path: &std::path::Path, line: usize, column: usize, message: String, help: &str) -> Report {
    located_with_code(chain, path, line, column, message, help, None)
}

fn located_with_code(
    chain: &Chain,
    path: &std::path::Path,
    line: usize,
    column: usize,
    message: String,
    help: &str,
    code: Option<&'static str>,
) -> Report {
    let mut p = SourceProblem::new(path, line, column, message).with_help(help);
    if let Some(code) = code {
        p = p.with_code(code);
    }
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

/// One tenant: plan, take the tenant's lock, load, resume, preflight, print the plan, confirm,
/// apply. Returns its JSON document.
#[allow(clippy::too_many_arguments)]
async fn execute(
    direction: Direction,
    name: &TenantName,
    target: &str,
    dry_run: bool,
    yes: bool,
    wait: std::time::Duration,
    ui: &Ui,
) -> Result<serde_json::Value, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let (config, mut tenant) = name.open(&project, ui)?;
    // The plan reads the schema lists in any case: the revision lookup uses them.
    tenant.prepare(&Needs::schema_list());
    let mut current = tenant.revision().await.map_err(tenant_report)?;
    let make_plan = |current: Option<&str>| prepare::plan(&chain, direction, current, target).map_err(Report::new);
    let mut plan = make_plan(current.as_deref())?;
    let nothing_to_do = |plan: &crate::chain::Plan<'_>, current: &Option<String>| {
        ui.line(format!("{} is already at {}; nothing to do.", config.name, plan.to));
        json!({ "tenant": config.name, "from": current, "to": plan.to, "dry_run": dry_run, "revisions": [] })
    };
    if plan.is_empty() {
        if current.is_none() && !dry_run {
            // A tenant with no revision is at the base; record it so `current` says so.
            tenant.set_revision(&plan.to).await.map_err(tenant_report)?;
        }
        return Ok(nothing_to_do(&plan, &current));
    }

    let mut guard = None;
    if !dry_run {
        if crate::interrupt::requested() {
            let message = format!("interrupted before {} was changed", config.name);
            let help = "run the same command again".to_string();
            return Err(Report::new(Interrupted { message, help }));
        }
        let held = Held { chain: &chain, config, direction, target, wait };
        let (g, replanned) = held.take(&mut tenant, &mut current, ui).await?;
        guard = Some(g);
        if let Some(p) = replanned {
            plan = p;
        }
    }
    let result = if plan.is_empty() {
        Ok(nothing_to_do(&plan, &current))
    } else {
        let lease = guard.as_mut().and_then(|g| g.lease());
        let run =
            Run { direction, chain: &chain, project: &project, config, plan: &plan, current: &current, dry_run, yes };
        let outcome = run.apply(&mut tenant, lease, ui).await;
        if outcome.is_ok() {
            // The last revision record released the lease (a dry run holds none).
            guard = None;
        }
        outcome
    };
    if let Some(g) = guard {
        give_back(&mut tenant, g, config, ui).await;
    }
    result
}

/// What taking a tenant for a run needs to know.
struct Held<'a> {
    chain: &'a Chain,
    config: &'a crate::project::TenantConfig,
    direction: Direction,
    target: &'a str,
    wait: std::time::Duration,
}

impl<'a> Held<'a> {
    /// Take the tenant's lock; when another run moved the tenant while this one waited for it,
    /// `current` becomes where it is now and the plan from there comes back.
    async fn take(
        &self,
        tenant: &mut AnyTenant,
        current: &mut Option<String>,
        ui: &Ui,
    ) -> Result<(Guard, Option<crate::chain::Plan<'a>>), Report> {
        let Held { chain, config, direction, target, wait } = *self;
        let base = chain.base().header().revision.clone();
        let command = if direction == Direction::Upgrade { "upgrade" } else { "downgrade" };
        let guard = take(tenant, config, command, wait, &base, ui).await?;
        let replanned = match tenant.revision().await {
            Err(e) => Err(tenant_report(e)),
            Ok(now) if prepare::moved(current.as_deref(), now.as_deref(), &base) => {
                ui.status(format!(
                    "{} is now at {}; planning from there.",
                    config.name,
                    now.as_deref().unwrap_or("no revision")
                ));
                *current = now;
                prepare::plan(chain, direction, current.as_deref(), target).map(Some).map_err(Report::new)
            }
            Ok(_) => Ok(None),
        };
        match replanned {
            Ok(plan) => Ok((guard, plan)),
            Err(e) => {
                give_back(tenant, guard, config, ui).await;
                Err(e)
            }
        }
    }
}

/// A run stopped by a signal: the process exits with [`crate::interrupt::EXIT_CODE`].
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(help("{help}"))]
pub(crate) struct Interrupted {
    message: String,
    help: String,
}

/// The help of a run that stopped: running it again resumes it.
const AGAIN: &str = "run the same command again: it finds on the tenant what was applied and applies the rest";

/// What one tenant's run is about.
struct Run<'a> {
    direction: Direction,
    chain: &'a Chain,
    project: &'a Project,
    config: &'a crate::project::TenantConfig,
    plan: &'a crate::chain::Plan<'a>,
    current: &'a Option<String>,
    dry_run: bool,
    yes: bool,
}

impl Run<'_> {
    async fn apply(
        &self,
        tenant: &mut AnyTenant,
        lease: Option<&mut crate::lock::Lease>,
        ui: &Ui,
    ) -> Result<serde_json::Value, Report> {
        let Run { direction, chain, project, config, plan, current, dry_run, yes } = *self;
        let started = Instant::now();
        let steps = prepare::prepare(tenant, plan).await.map_err(|e| match e {
            PrepareError::Load(problems) => Report::new(problems),
            PrepareError::Read(e) => tenant_report(e),
            PrepareError::Resume(e) => resume_report(chain, config, direction, &e),
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
        let review = review(chain, &steps);
        if dry_run {
            ui.line(format!(
                "Plan for {}: {from} → {} ({}, {}); nothing was changed.",
                config.name,
                plan.to,
                count(steps.len(), "revision"),
                count(total_ops, "operation")
            ));
            plan::print(ui, project, &steps, &review, true);
            return Ok(json!({
                "tenant": config.name, "from": current, "to": plan.to, "dry_run": true,
                "revisions": plan_json(project, &steps),
                "plan": plan::review_json(project, &review),
            }));
        }
        ui.line(format!("Plan for {}: {from} → {} ({}):", config.name, plan.to, count(steps.len(), "revision")));
        plan::print(ui, project, &steps, &review, false);
        if matches!(config.kind, TenantKind::Http { .. }) {
            plan::confirm(ui, &config.name, &review, yes)?;
        }
        if crate::interrupt::requested() {
            let message = format!("interrupted before {} was changed", config.name);
            return Err(Report::new(Interrupted { message, help: AGAIN.into() }));
        }

        let mut reporter = Reporter::new(ui.interactive() && !ui.json(), total_ops);
        let result = run_plan(tenant, &steps, &mut reporter, current.clone(), lease).await;
        reporter.finish();
        match result {
            Ok(()) => Ok(self.done(tenant, &steps, &review, started, ui)),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// A run that went through: its line, and its document.
    fn done(
        &self,
        tenant: &AnyTenant,
        steps: &[PlanStep],
        review: &crate::lint::plan::Review,
        started: Instant,
        ui: &Ui,
    ) -> serde_json::Value {
        let Run { direction, project, config, plan, current, .. } = *self;
        let secs = started.elapsed().as_secs_f64();
        let doc = json!({
            "tenant": config.name, "from": current, "to": plan.to, "dry_run": false,
            "revisions": plan_json(project, steps),
            "plan": plan::review_json(project, review),
            "requests": tenant.requests(), "seconds": secs,
        });
        let verb = if direction == Direction::Upgrade { "Upgraded" } else { "Downgraded" };
        let requests = match tenant.requests() {
            0 => String::new(),
            n => format!(", {}", count(n as usize, "request")),
        };
        let total_ops: usize = steps.iter().map(|s| s.pending().len()).sum();
        ui.line(format!(
            "{verb} {} from {} to {}: {}, {}{requests}, {secs:.2}s.",
            config.name,
            current.as_deref().unwrap_or("no revision"),
            plan.to,
            count(steps.len(), "revision"),
            count(total_ops, "operation"),
        ));
        doc
    }

    /// A run that stopped: where, and what the tenant is left with.
    fn failed(&self, e: RunError) -> Report {
        let config = self.config;
        match e {
            RunError::Op { revision, path, line, column, number, op, error, recorded, applied, total } => {
                let at = recorded.unwrap_or_else(|| "no revision".into());
                let help = format!(
                    "{} is recorded at {at}, with {applied} of the {} of {revision} on it; fix the cause (on the tenant or in the revision), then {AGAIN}",
                    config.name,
                    count(total, "operation")
                );
                // The tenant's error code (`tenant::http`, ...) stays on the report for --format json.
                let code = match &error {
                    crate::tenant::ApplyError::Tenant { error, .. } => Some(error.code()),
                    crate::tenant::ApplyError::Op { .. } => None,
                };
                let message = format!("revision {revision}, operation {number} ({op}) failed: {error}");
                located_with_code(self.chain, &path, line, column, message, &help, code)
            }
            e @ RunError::Interrupted { .. } => {
                Report::new(Interrupted { message: format!("{}: {e}", config.name), help: AGAIN.into() })
            }
            e => report_error(Some(&config.name), e, AGAIN),
        }
    }
}

/// The tenant shows a part of the first revision that the rest cannot follow.
fn resume_report(
    chain: &Chain,
    config: &crate::project::TenantConfig,
    direction: Direction,
    e: &crate::migrate::ResumeError,
) -> Report {
    let way_back = match direction {
        Direction::Upgrade => "`liminal downgrade`",
        Direction::Downgrade => "`liminal upgrade`",
    };
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
}
