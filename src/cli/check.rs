//! `liminal check [--tenant t]`: lint the project offline; with a tenant, also drift.
//!
//! Errors (exit 1): schema files that do not load, revisions that do not parse or whose
//! `upgrade()`/`downgrade()` do not run, a chain that is not one line; with a tenant, pending
//! revisions that would not apply to it, and code that would still differ from the tenant after
//! upgrading to head. Warnings (exit 0): what the revisions do when replayed on an empty tenant
//! (a project that adopted an existing tenant starts from more than that): operations that
//! would fail, downgrades that do not restore the state before their upgrade, and code that
//! differs from the head of the chain.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, open_tenant, project, relative, tenant_report};
use crate::chain::{Chain, ChainError};
use crate::diag::SourceProblem;
use crate::diff::diff;
use crate::generate::code_from_state;
use crate::migrate::{load_steps, preflight};
use crate::script::{Direction, LocatedOp, Script};
use crate::state::TenantState;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also check this tenant: pending revisions apply, and code matches after them
    #[arg(long)]
    tenant: Option<String>,
}

struct Findings {
    errors: Vec<SourceProblem>,
    warnings: Vec<String>,
}

fn run_ops(script: &Script, direction: Direction, f: &mut Findings) -> Option<Vec<LocatedOp>> {
    match script.ops(direction) {
        Ok(ops) => Some(ops),
        Err(p) => {
            f.errors.push(p);
            None
        }
    }
}

/// Replay the chain on an empty tenant: each upgrade, then its downgrade must restore the state.
/// The tenant allows what every tenant of the project allows (the chain is shared by all).
fn replay(chain: &Chain, settings: crate::settings::TenantSettings, f: &mut Findings) -> Option<TenantState> {
    let mut state = TenantState { settings, ..TenantState::new() };
    for script in chain.revisions() {
        let id = &script.header().revision;
        let up = run_ops(script, Direction::Upgrade, f)?;
        let down = run_ops(script, Direction::Downgrade, f)?;
        let before = state.clone();
        for o in &up {
            if let Err(e) = o.op.apply(&mut state) {
                f.warnings.push(format!(
                    "{}:{}:{}: on an empty tenant, revision {id} fails at `{}`: {e}",
                    script.path().display(),
                    o.line,
                    o.column,
                    o.op.describe()
                ));
                return None;
            }
        }
        let mut back = state.clone();
        let restored = down.iter().all(|o| o.op.apply(&mut back).is_ok())
            && diff(&code_from_state(&before), &back).is_ok_and(|d| d.is_empty());
        if !restored {
            f.warnings.push(format!(
                "{}: revision {id}'s downgrade() does not restore the state before its upgrade()",
                script.path().display()
            ));
        }
    }
    Some(state)
}

pub async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let mut f = Findings { errors: Vec::new(), warnings: Vec::new() };
    let code = match crate::schema::load_dir(&project.schemas_dir) {
        Ok(m) => Some(m),
        Err(p) => {
            f.errors.extend(p.0);
            None
        }
    };
    let chain = match Chain::load(&project.versions_dir) {
        Ok(c) => Some(c),
        Err(ChainError::Invalid(p)) => {
            f.errors.extend(p.0);
            None
        }
        Err(e) => return Err(Report::new(e)),
    };
    let mut head_state = None;
    if let Some(chain) = &chain {
        let before = f.errors.len();
        for script in chain.revisions() {
            run_ops(script, Direction::Upgrade, &mut f);
            run_ops(script, Direction::Downgrade, &mut f);
        }
        if f.errors.len() == before {
            let settings = crate::settings::TenantSettings {
                custom_warehouse_names: project.tenants.iter().all(|t| t.settings.custom_warehouse_names),
            };
            head_state = replay(chain, settings, &mut f);
        }
    }
    if let (Some(code), Some(state)) = (&code, &head_state) {
        match diff(code, state) {
            Ok(steps) if !steps.is_empty() => f.warnings.push(format!(
                "schemas/ differs from the head of the chain by {} operation(s) (replayed on an empty tenant); `liminal diff <tenant>` shows them",
                steps.len()
            )),
            Ok(_) => {}
            Err(e) => f.warnings.push(format!("schemas/ cannot be reached from the head of the chain: {e}")),
        }
    }

    let mut drift = None;
    if let (Some(name), Some(chain), Some(code)) = (&args.tenant, &chain, &code) {
        let config = project.tenant(name)?;
        let mut tenant = open_tenant(config, ui)?;
        let current = tenant.revision().await.map_err(tenant_report)?;
        let state = tenant.read().await.map_err(tenant_report)?;
        f.errors.extend(super::code_problems_for(&project, config, code, &state));
        match chain.plan_upgrade(current.as_deref(), "head") {
            Err(e) => f.errors.push(
                SourceProblem::new(&project.versions_dir, 1, 1, e.to_string()).with_help("see `liminal history`"),
            ),
            Ok(plan) => {
                if let Ok(steps) = load_steps(&plan) {
                    match preflight(&state, &steps) {
                        Err(e) => f.errors.push(
                            SourceProblem::new(
                                &e.path,
                                e.line,
                                e.column,
                                format!("revision {} would not apply to {}: {}", e.revision, config.name, e.error),
                            )
                            .with_help(e.error.help()),
                        ),
                        Ok(after) => match diff(code, &after) {
                            Ok(d) => {
                                if !d.is_empty() {
                                    f.errors.push(
                                        SourceProblem::new(&project.schemas_dir, 1, 1, format!("{} would still differ from schemas/ by {} operation(s) after upgrading to head", config.name, d.len()))
                                            .with_help(format!("run `liminal diff {name}` to see them, and `liminal revision {name} \"...\"` once upgraded")),
                                    );
                                }
                                drift = Some(d.len());
                            }
                            Err(e) => f.errors.push(
                                SourceProblem::new(&project.schemas_dir, 1, 1, e.to_string()).with_help(e.error.help()),
                            ),
                        },
                    }
                }
            }
        }
    }

    for w in &f.warnings {
        ui.status(format!("warning: {w}"));
    }
    let problems: Vec<_> = f
        .errors
        .iter()
        .map(|p| json!({ "file": relative(&project, &p.file), "line": p.line, "column": p.column, "message": p.message, "help": p.help }))
        .collect();
    ui.document(&json!({ "ok": f.errors.is_empty(), "problems": problems, "warnings": f.warnings, "drift": drift }));
    if f.errors.is_empty() {
        let revisions = chain.as_ref().map_or(0, Chain::len);
        let (schemas, dropdowns) = code.as_ref().map_or((0, 0), |c| (c.schemas.len(), c.dropdowns.len()));
        ui.line(format!(
            "No problems: {schemas} schema(s), {dropdowns} dropdown(s), {revisions} revision(s){}.",
            if f.warnings.is_empty() { String::new() } else { format!(", {} warning(s)", f.warnings.len()) }
        ));
        return Ok(Done::OK);
    }
    if !ui.json() {
        for p in f.errors {
            ui.status(format!("{:?}", Report::new(p)));
        }
        ui.status("check found problems.");
    }
    Ok(Done(1))
}
