//! `liminal check`: every finding about a project, offline ([`check_project`]) and against a
//! tenant's state ([`check_tenant`]).
//!
//! Offline: schema files load (LM001); revision files parse and their functions run (LM401);
//! the chain is one line (LM402); what each operation does (LM1xx, LM2xx, LM301); the chain
//! replayed from the base ([`crate::chain::replay`]: LM403, LM404, LM302); schemas/ against the
//! head of the replayed chain (LM503); the sum file (LM6xx). Then `// liminal:nolint` comments
//! silence what they name.
//!
//! Against a tenant ([`check_tenant_code`]): the code suits the tenant ([`code_problems_for`]:
//! warehouse names it does not allow, units it lacks, located in schemas/), the pending
//! revisions apply, and the code matches once they did (LM5xx).

use std::path::Path;

use super::*;
use crate::chain::replay::{Loaded, ReplayEvent, replay_with};
use crate::chain::sum::{SUM_FILE, SumProblem, sum_path, verify};
use crate::chain::{Chain, ChainError, read_scripts};
use crate::diag::SourceProblem;
use crate::diff::diff;
use crate::migrate::{load_steps, preflight};
use crate::project::Project;
use crate::schema::{CodeModel, Problem, ProblemTarget};
use crate::state::TenantState;

/// What the offline check found, and what it loaded on the way.
#[derive(Debug)]
pub(crate) struct Checked {
    pub findings: Vec<Finding>,
    pub code: Option<CodeModel>,
    pub chain: Option<Chain>,
}

/// Check the project offline. Only an unreadable versions folder is an `Err`.
pub(crate) fn check_project(project: &Project) -> Result<Checked, ChainError> {
    let mut findings = Vec::new();
    let code = match crate::schema::load_dir(&project.schemas_dir) {
        Ok(m) => Some(m),
        Err(p) => {
            findings.extend(p.0.into_iter().map(|p| Finding::from_problem(SCHEMA_INVALID, p)));
            None
        }
    };

    let dir = &project.versions_dir;
    let (scripts, unreadable) = read_scripts(dir)?;
    let earlier = unreadable.len();
    findings.extend(unreadable.iter().cloned().map(|p| Finding::from_problem(REVISION_INVALID, p)));
    let chain = match Chain::from_scripts(dir, scripts.clone(), unreadable) {
        Ok(c) => Some(c),
        Err(p) => {
            findings.extend(p.0.into_iter().skip(earlier).map(|p| Finding::from_problem(CHAIN_SHAPE, p)));
            None
        }
    };

    let mut head_state = None;
    if let Some(chain) = &chain {
        let mut loaded = Vec::new();
        for script in chain.revisions() {
            let up = script.ops(Direction::Upgrade);
            let down = script.ops(Direction::Downgrade);
            match (up, down) {
                (Ok(upgrade), Ok(downgrade)) => {
                    findings.extend(lint_ops(script, Direction::Upgrade, &upgrade));
                    findings.extend(lint_ops(script, Direction::Downgrade, &downgrade));
                    loaded.push(Loaded { script, upgrade, downgrade });
                }
                (up, down) => {
                    for p in [up.err(), down.err()].into_iter().flatten() {
                        findings.push(Finding::from_problem(REVISION_INVALID, p));
                    }
                }
            }
        }
        if loaded.len() == chain.len() {
            // The chain is shared by every tenant: the empty tenant allows what they all allow.
            let settings = crate::settings::TenantSettings {
                custom_warehouse_names: project.tenants.iter().all(|t| t.settings.custom_warehouse_names),
            };
            let replayed = replay_with(&loaded, settings);
            for event in &replayed.events {
                findings.extend(replay_finding(&loaded, event, &findings));
            }
            head_state = replayed.head;
        }
    }

    if let (Some(code), Some(state)) = (&code, &head_state) {
        match diff(code, state) {
            Ok(steps) if !steps.is_empty() => findings.push(
                Finding::new(
                    CODE_AHEAD,
                    format!(
                        "schemas/ differs from the head of the chain by {} (the chain replayed on an empty tenant)",
                        crate::diag::count(steps.len(), "operation")
                    ),
                )
                .with_help("`liminal diff <tenant>` shows them; `liminal revision <tenant> \"…\"` writes them"),
            ),
            Ok(_) => {}
            Err(e) => findings.push(
                Finding::new(CODE_AHEAD, format!("schemas/ cannot be reached from the head of the chain: {e}"))
                    .with_help(e.error.help()),
            ),
        }
    }

    findings.extend(sum_findings(dir).map_err(|source| ChainError::Read { path: sum_path(dir), source })?);

    let refs: Vec<&Script> = scripts.iter().collect();
    suppress(&mut findings, &refs);
    Ok(Checked { findings, code, chain })
}

/// A replay event as a finding at the operation it is about.
fn replay_finding(loaded: &[Loaded<'_>], event: &ReplayEvent, so_far: &[Finding]) -> Option<Finding> {
    match event {
        ReplayEvent::UpgradeFails { revision, op, error } => {
            let r = &loaded[*revision];
            let o = &r.upgrade[*op];
            let message = format!(
                "revision {}: upgrade() fails on the chain replayed from the base, at `{}`: {error}",
                r.script.header().revision,
                o.op.describe()
            );
            Some(Finding::at_op(UPGRADE_FAILS, r.script, o, message).with_help(format!(
                "{}; (a project that adopted a tenant which already had schemas starts from more than the base: silence it with `// liminal:nolint LM403 <reason>`)",
                error.help()
            )))
        }
        ReplayEvent::DowngradeFails { revision, op, error } => {
            let r = &loaded[*revision];
            let o = &r.downgrade[*op];
            // A downgrade already flagged as one that can never run (LM301) is not reported twice.
            let flagged = so_far.iter().any(|f| {
                f.lint == DOWNGRADE_CANNOT_RUN
                    && f.file() == Some(r.script.path())
                    && f.position() == Some((o.line, o.column))
            });
            let message = format!(
                "revision {}: downgrade() fails right after its upgrade() on the replayed chain, at `{}`: {error}",
                r.script.header().revision,
                o.op.describe()
            );
            (!flagged).then(|| Finding::at_op(DOWNGRADE_FAILS, r.script, o, message))
        }
        ReplayEvent::NotRestored { revision } => {
            let r = &loaded[*revision];
            let at = function_line(r.script, "downgrade");
            let message = format!(
                "revision {}: downgrade() does not restore the state before its upgrade() (on the replayed chain)",
                r.script.header().revision
            );
            let mut f = Finding::at(DOWNGRADE_NOT_RESTORING, r.script.path(), at, 1, message);
            if let Some(p) = f.at.take() {
                f.at = Some(p.with_source(r.script.source().clone()));
            }
            Some(f)
        }
    }
}

/// The line of `fn <name>()`, or 1.
fn function_line(script: &Script, name: &str) -> usize {
    let needle = format!("fn {name}");
    script.source().lines().position(|l| l.trim_start().starts_with(&needle)).map_or(1, |i| i + 1)
}

/// The sum file against the revision files on disk.
fn sum_findings(dir: &Path) -> std::io::Result<Vec<Finding>> {
    let sum = sum_path(dir);
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(verify(dir)?
        .into_iter()
        .map(|p| match p {
            SumProblem::Absent => Finding::new(
                SUM_ABSENT,
                format!("versions/ has no {SUM_FILE}, so edits to applied revisions go unnoticed"),
            ),
            SumProblem::Invalid { line, message } => {
                Finding::at(SUM_INVALID, &sum, line, 1, format!("{SUM_FILE}: {message}"))
            }
            SumProblem::Edited { file, line } => Finding::at(
                SUM_MISMATCH,
                &file,
                1,
                1,
                format!("{} was edited after it was hashed (its entry is on line {line} of {SUM_FILE})", name(&file)),
            ),
            SumProblem::Unlisted { file } => {
                Finding::at(SUM_UNLISTED, &file, 1, 1, format!("{} is not in {SUM_FILE}", name(&file)))
            }
            SumProblem::Missing { name, line } => Finding::at(
                SUM_MISSING_FILE,
                &sum,
                line,
                1,
                format!("{SUM_FILE} lists {name}, which is not in versions/"),
            ),
        })
        .collect())
}

/// What `check --tenant` adds: the pending revisions apply to the tenant's state, and the code
/// matches it once they did. Returns the findings and the number of differences left (`None`
/// when it could not be computed).
pub(crate) fn check_tenant(
    chain: &Chain,
    code: &CodeModel,
    tenant: &str,
    current: Option<&str>,
    state: &TenantState,
) -> (Vec<Finding>, Option<usize>) {
    let mut findings = Vec::new();
    let plan = match chain.plan_upgrade(current, "head") {
        Ok(plan) => plan,
        Err(e) => {
            findings.push(Finding::new(TENANT_UNKNOWN_REVISION, format!("{tenant}: {e}")));
            return (findings, None);
        }
    };
    let Ok(steps) = load_steps(&plan) else { return (findings, None) };
    let after = match preflight(state, &steps) {
        Ok(after) => after,
        Err(e) => {
            let message = format!("revision {} would not apply to {tenant}: {} ({})", e.revision, e.error, e.op);
            let mut f = Finding::at(TENANT_PENDING_FAILS, &e.path, e.line, e.column, message).with_help(e.error.help());
            if let Some(script) = chain.revisions().iter().find(|s| s.path() == e.path)
                && let Some(p) = f.at.take()
            {
                f.at = Some(p.with_source(script.source().clone()));
            }
            findings.push(f);
            return (findings, None);
        }
    };
    match diff(code, &after) {
        Ok(d) => {
            if !d.is_empty() {
                findings.push(
                    Finding::new(
                        TENANT_DRIFT,
                        format!(
                            "{tenant} would still differ from schemas/ by {} after upgrading to head",
                            crate::diag::count(d.len(), "operation")
                        ),
                    )
                    .with_help(format!(
                        "run `liminal diff {tenant}` to see them, and `liminal revision {tenant} \"...\"` once upgraded"
                    )),
                );
            }
            (findings, Some(d.len()))
        }
        Err(e) => {
            findings.push(Finding::new(TENANT_DRIFT, format!("{tenant}: {e}")).with_help(e.error.help()));
            (findings, None)
        }
    }
}

/// The code's problems on the tenant `tenant` whose state is `state` (custom warehouse names it
/// does not allow, units its dictionary lacks), located in schemas/; empty when there are none.
pub(crate) fn code_problems_for(
    project: &Project,
    tenant: &str,
    code: &CodeModel,
    state: &TenantState,
) -> Vec<SourceProblem> {
    let tenant_problems = |m: &CodeModel| {
        let mut found = crate::settings::code_problems(m, state, tenant);
        found.extend(unit_problems(m, state, tenant));
        found
    };
    if tenant_problems(code).is_empty() {
        return Vec::new();
    }
    match crate::schema::load_dir_with(&project.schemas_dir, &tenant_problems) {
        Ok(_) => Vec::new(),
        Err(p) => p.0,
    }
}

/// Units the tenant's dictionary does not have, at each field's `unit:` key (they were found
/// only when the diff was simulated, with no place in schemas/). Nothing when the dictionary was
/// not read.
fn unit_problems(m: &CodeModel, state: &TenantState, tenant: &str) -> Vec<Problem> {
    if state.unread.units {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, s) in m.schemas.iter().enumerate() {
        for (j, f) in s.fields.iter().enumerate() {
            let Some(unit) = &f.unit else { continue };
            if f.archived || state.unit_by_name(unit).is_some() {
                continue;
            }
            let names: Vec<&str> = state.units.iter().map(|u| u.name.as_str()).collect();
            out.push(Problem {
                target: ProblemTarget::Field(i, j),
                key: Some("unit"),
                message: format!("unit `{unit}` is not in tenant `{tenant}`'s unit dictionary"),
                help: format!(
                    "{}use a unit the tenant has ({}), or add it to the dictionary in Benchling first",
                    crate::diag::did_you_mean(unit, names.iter().copied()),
                    names.join(", ")
                ),
                first: None,
            });
        }
    }
    out
}

/// `check --tenant`: [`check_tenant`], and the code's problems on the tenant
/// ([`code_problems_for`]) as findings; `// liminal:nolint` comments of the chain silence what
/// they name. When the code does not suit the tenant, that is the problem, located in
/// schemas/: the drift the diff then fails to compute is not another.
pub(crate) fn check_tenant_code(
    project: &Project,
    chain: &Chain,
    code: &CodeModel,
    tenant: &str,
    current: Option<&str>,
    state: &TenantState,
) -> (Vec<Finding>, Option<usize>) {
    let (mut findings, drift) = check_tenant(chain, code, tenant, current, state);
    let code_problems = code_problems_for(project, tenant, code, state);
    if !code_problems.is_empty() {
        findings.retain(|f| f.lint.code != TENANT_DRIFT.code);
    }
    findings.extend(code_problems.into_iter().map(|p| Finding::from_problem(SCHEMA_INVALID, p)));
    let scripts: Vec<&crate::script::Script> = chain.revisions().iter().collect();
    suppress(&mut findings, &scripts);
    (findings, drift)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const PIZZA: &str = "kind: entity_schema\nname: Pizza\nwarehouse_name: pizza\nprefix: PZ\nentity_type: custom_entity\nfields:\n  - { warehouse_name: baking, name: Bake time, type: text }\n";

    /// A project whose chain is its base and whose schemas/ holds `yaml`.
    fn project(yaml: &str) -> (tempfile::TempDir, Project, Chain, CodeModel) {
        let dir = tempfile::tempdir().unwrap();
        crate::scaffold::init(dir.path(), datetime!(2026-01-01 00:00:00)).unwrap();
        std::fs::write(dir.path().join("schemas/pizza.yaml"), yaml).unwrap();
        let project = Project::discover(dir.path()).unwrap();
        let chain = Chain::load(&project.versions_dir).unwrap();
        let code = crate::schema::load_dir(&project.schemas_dir).unwrap();
        (dir, project, chain, code)
    }

    fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.lint.code).collect()
    }

    #[test]
    fn a_warehouse_name_the_tenant_does_not_allow_is_the_code_problem_not_drift() {
        let (_dir, project, chain, code) = project(PIZZA);
        let state = TenantState::new();
        let problems = code_problems_for(&project, "dev", &code, &state);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].file.ends_with("schemas/pizza.yaml") && problems[0].line == 7, "{problems:?}");
        let (findings, _) = check_tenant_code(&project, &chain, &code, "dev", None, &state);
        assert_eq!(codes(&findings), [SCHEMA_INVALID.code]);
    }

    #[test]
    fn a_tenant_that_allows_it_only_drifts() {
        let (_dir, project, chain, code) = project(PIZZA);
        let mut state = TenantState::new();
        state.settings.custom_warehouse_names = true;
        assert!(code_problems_for(&project, "dev", &code, &state).is_empty());
        let (findings, drift) = check_tenant_code(&project, &chain, &code, "dev", None, &state);
        assert_eq!(codes(&findings), [TENANT_DRIFT.code]);
        assert!(drift.is_some_and(|d| d > 0), "{drift:?}");
    }
}
