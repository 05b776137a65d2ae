//! Running a plan of revisions on a tenant, safely.
//!
//! 1. **Load** every revision's operations first: a revision that does not load stops the
//!    command before anything is applied.
//! 2. **Preflight**: simulate every operation on a copy of the tenant ([`Op::apply`]); an error is
//!    reported with its revision file, line and column, before the first write.
//! 3. **Apply** revision by revision. Unlike Liminal, which records the revision only after all
//!    of them succeed, the tenant's `revision_id` moves after **each** revision, so a failure in
//!    the third revision leaves the tenant recorded at the second, and `upgrade` resumes there.
//! 4. **Partial revisions**: when an operation fails, the operations of that revision that did
//!    reach the tenant are recorded in a second field of `liminal_remote`
//!    (`liminal_progress`, display name `<revision>+<count>@<hash>`), so the next run skips them
//!    instead of failing on "already exists" (Liminal's docs tell users to comment them out by
//!    hand). The hash covers the applied operations: if the file changed them since, the run
//!    refuses to guess (Atlas's `HistoryChangedError`).
//!    Liminal only reads `revision_id`, so it is not disturbed by the extra field.

use crate::chain::Plan;
use crate::op::{FieldPatch, Op, OpError};
use crate::schema::{FieldDef, FieldType, REMOTE_SCHEMA};
use crate::script::{Direction, LocatedOp};
use crate::state::TenantState;
use crate::tenant::{ApplyError, Needs, Tenant, TenantError};

/// The `liminal_remote` field that records a partly applied revision.
pub const PROGRESS_FIELD: &str = "liminal_progress";
/// Its display name when no revision is partly applied.
const NO_PROGRESS: &str = "none";

/// One revision to run, with its operations loaded.
#[derive(Debug, Clone)]
pub struct PlanStep {
    pub id: String,
    pub message: String,
    pub path: std::path::PathBuf,
    pub direction: Direction,
    pub ops: Vec<LocatedOp>,
    /// The revision the tenant is at once this step is done.
    pub record: String,
    /// Operations already applied by an earlier, interrupted run.
    pub skip: usize,
}

impl PlanStep {
    /// The operations still to send.
    pub fn pending(&self) -> &[LocatedOp] {
        &self.ops[self.skip.min(self.ops.len())..]
    }
}

/// Load the operations of each revision (`record` is the revision recorded after it).
pub fn load_steps(plan: &Plan<'_>) -> Result<Vec<PlanStep>, crate::diag::Problems> {
    let direction = plan.direction;
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    for (i, script) in plan.steps.iter().enumerate() {
        let record = plan.reached_after(i).unwrap_or(&plan.to);
        match script.ops(direction) {
            Ok(ops) => steps.push(PlanStep {
                id: script.header().revision.clone(),
                message: script.header().message.clone(),
                path: script.path().to_path_buf(),
                direction,
                ops,
                record: record.to_string(),
                skip: 0,
            }),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() { Ok(steps) } else { Err(crate::diag::Problems(problems)) }
}

/// The partly applied revision recorded on the tenant, if any: `(revision, operations done,
/// hash of those operations)`.
pub fn recorded_progress(state: &TenantState) -> Option<(String, usize, String)> {
    let field = state.schema(REMOTE_SCHEMA)?.field(PROGRESS_FIELD)?;
    let (rev, rest) = field.name.split_once('+')?;
    let (count, hash) = rest.split_once('@')?;
    Some((rev.to_string(), count.parse().ok()?, hash.to_string()))
}

/// A short, stable hash of operations: FNV-1a over each operation's whole content (its `Debug`
/// form, every argument and payload key included), so that a changed argument is noticed.
fn ops_hash(ops: &[LocatedOp]) -> String {
    fnv(ops.iter().map(|o| format!("{:?}", o.op)))
}

/// The hash earlier versions wrote: over the descriptions only, which leave out most of a
/// payload (a created field's name or `required`, a created schema's prefix...). Still accepted,
/// so that a run interrupted before an update of liminal resumes after it.
fn legacy_ops_hash(ops: &[LocatedOp]) -> String {
    fnv(ops.iter().map(|o| o.op.describe()))
}

fn fnv(items: impl Iterator<Item = String>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for item in items {
        for b in item.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:08x}", h >> 32)
}

/// The interrupted run applied operations that the revision file no longer starts with.
#[derive(Debug, thiserror::Error)]
#[error("revision {revision} was interrupted after {applied} operations, and the file has changed them since")]
pub struct ResumeError {
    pub revision: String,
    pub applied: usize,
}

/// Mark the first step as resumed when the tenant recorded a partial run of it; returns how many
/// operations are skipped.
pub fn resume(steps: &mut [PlanStep], state: &TenantState) -> Result<usize, ResumeError> {
    let Some((rev, done, hash)) = recorded_progress(state) else { return Ok(0) };
    let Some(first) = steps.first_mut() else { return Ok(0) };
    if first.id != rev || first.direction != Direction::Upgrade {
        return Ok(0);
    }
    if done > first.ops.len() || (ops_hash(&first.ops[..done]) != hash && legacy_ops_hash(&first.ops[..done]) != hash) {
        return Err(ResumeError { revision: rev, applied: done });
    }
    first.skip = done;
    Ok(done)
}

/// An operation that cannot apply, found before anything was sent.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{column}: revision {revision}: {error}")]
pub struct PreflightError {
    pub revision: String,
    pub path: std::path::PathBuf,
    pub line: usize,
    pub column: usize,
    pub op: String,
    pub error: OpError,
}

/// Simulate the whole plan on a copy of the tenant; returns the state it would end in.
pub fn preflight(state: &TenantState, steps: &[PlanStep]) -> Result<TenantState, Box<PreflightError>> {
    let mut sim = state.clone();
    for step in steps {
        for located in step.pending() {
            located.op.apply(&mut sim).map_err(|error| {
                Box::new(PreflightError {
                    revision: step.id.clone(),
                    path: step.path.clone(),
                    line: located.line,
                    column: located.column,
                    op: located.op.describe(),
                    error,
                })
            })?;
        }
        sim.set_revision(&step.record);
    }
    Ok(sim)
}

/// What a run reports as it goes.
pub trait Progress: Send {
    /// Revision `index` of `total` starts; `skipped` operations were applied by an earlier run.
    fn revision(&mut self, index: usize, total: usize, step: &PlanStep);
    /// An operation reached the tenant.
    fn op_done(&mut self, step: &PlanStep, op: &LocatedOp);
    /// The revision is done and recorded.
    fn revision_done(&mut self, step: &PlanStep);
}

/// A run that stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{path}:{line}:{column}: revision {revision}, operation {number} ({op}) failed: {error}")]
    Op {
        revision: String,
        path: std::path::PathBuf,
        line: usize,
        column: usize,
        /// 1-based, counted over the whole revision.
        number: usize,
        op: String,
        error: ApplyError,
        /// The revision the tenant is recorded at.
        recorded: Option<String>,
        /// Operations of the failed revision that reached the tenant (recorded when upgrading).
        applied: usize,
    },
    #[error("recording the revision failed: {0}")]
    Record(TenantError),
}

/// Apply the plan. After each revision the tenant records it; on a failure, the operations of
/// the failed revision that reached the tenant are recorded so that the next run resumes.
pub async fn run<T: Tenant>(
    tenant: &mut T,
    steps: &[PlanStep],
    progress: &mut dyn Progress,
    mut recorded: Option<String>,
) -> Result<(), RunError> {
    let total = steps.len();
    for (i, step) in steps.iter().enumerate() {
        progress.revision(i + 1, total, step);
        let pending = step.pending();
        let ops: Vec<Op> = pending.iter().map(|l| l.op.clone()).collect();
        let mut done = 0usize;
        let result = {
            let mut on_done = |k: usize| {
                done = done.max(k + 1);
                progress.op_done(step, &pending[k]);
            };
            tenant.apply(&ops, &mut on_done).await
        };
        if let Err(error) = result {
            let failed = error.index().min(pending.len().saturating_sub(1));
            let applied = step.skip + done;
            // Only upgrades resume. The marker names no direction, so one left by a downgrade
            // would be read by the next upgrade of this revision as its own progress (and refused
            // as changed, since the hash covers other operations), long after the downgrade was
            // sorted out.
            if applied > step.skip && step.direction == Direction::Upgrade {
                let marker = format!("{}+{applied}@{}", step.id, ops_hash(&step.ops[..applied]));
                record_progress(tenant, Some(marker)).await.map_err(RunError::Record)?;
            }
            let located = &pending[failed];
            return Err(RunError::Op {
                revision: step.id.clone(),
                path: step.path.clone(),
                line: located.line,
                column: located.column,
                number: step.skip + failed + 1,
                op: located.op.describe(),
                error,
                recorded,
                applied,
            });
        }
        if step.skip > 0 {
            record_progress(tenant, None).await.map_err(RunError::Record)?;
        }
        // A revision that changes nothing (the empty base of a fresh tenant) is recorded with
        // the next one: stopping in between leaves the tenant as it was, and on a fresh tenant
        // it saves creating `liminal_remote` twice over (create, read its fields, set, poll).
        if !(step.ops.is_empty() && i + 1 < total) {
            tenant.set_revision(&step.record).await.map_err(RunError::Record)?;
            recorded = Some(step.record.clone());
        }
        progress.revision_done(step);
    }
    Ok(())
}

/// Forget a partly applied revision (`liminal stamp`: the user says where the tenant stands).
/// Returns the revision whose interrupted run was recorded, if any.
pub async fn clear_progress<T: Tenant>(tenant: &mut T) -> Result<Option<String>, TenantError> {
    let state = tenant.read_for(&Needs::default()).await?;
    let Some((revision, _, _)) = recorded_progress(&state) else { return Ok(None) };
    record_progress(tenant, None).await?;
    Ok(Some(revision))
}

/// Write (or clear, with `None`) the partial-revision marker in `liminal_remote`, through the
/// same operations every backend applies.
async fn record_progress<T: Tenant>(tenant: &mut T, progress: Option<String>) -> Result<(), TenantError> {
    // Only `liminal_remote` is needed (always read with its fields).
    let state = tenant.read_for(&Needs::default()).await?;
    let name = progress.clone().unwrap_or_else(|| NO_PROGRESS.to_string());
    let existing = state.schema(REMOTE_SCHEMA).and_then(|s| s.field(PROGRESS_FIELD));
    let op = match existing {
        Some(f) if f.name == name => return Ok(()),
        Some(_) => Op::UpdateField {
            schema: REMOTE_SCHEMA.into(),
            field: PROGRESS_FIELD.into(),
            patch: Box::new(FieldPatch { name: Some(name), ..Default::default() }),
        },
        None if progress.is_none() => return Ok(()),
        None => {
            if state.schema(REMOTE_SCHEMA).is_none() {
                return Err(TenantError::Remote("no liminal_remote schema to record progress in".into()));
            }
            let index = state.schema(REMOTE_SCHEMA).map_or(0, |s| s.fields.len());
            Op::CreateField {
                schema: REMOTE_SCHEMA.into(),
                field: Box::new(FieldDef::new(PROGRESS_FIELD, &name, FieldType::Text)),
                index,
            }
        }
    };
    tenant.apply(std::slice::from_ref(&op), &mut |_| {}).await.map_err(|e| match e {
        ApplyError::Op { error, .. } => TenantError::Remote(error.to_string()),
        ApplyError::Tenant { error, .. } => error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(ops: Vec<Op>) -> PlanStep {
        PlanStep {
            id: "aaaaaaaaaaaa".into(),
            message: String::new(),
            path: "v.rhai".into(),
            direction: Direction::Upgrade,
            ops: ops.into_iter().map(|op| LocatedOp { op, line: 1, column: 1 }).collect(),
            record: "aaaaaaaaaaaa".into(),
            skip: 0,
        }
    }

    fn tenant_with_marker(marker: &str) -> TenantState {
        let mut state = TenantState::new();
        state.set_revision("bbbbbbbbbbbb");
        let field = FieldDef::new(PROGRESS_FIELD, marker, FieldType::Text);
        Op::CreateField { schema: REMOTE_SCHEMA.into(), field: Box::new(field), index: 1 }.apply(&mut state).unwrap();
        state
    }

    /// The hash covered only the descriptions, which leave out a created field's display name:
    /// editing it after an interrupted run went unnoticed, and the run skipped an operation that
    /// the file no longer says.
    #[test]
    fn resume_notices_a_changed_payload() {
        let create = |name: &str| Op::CreateField {
            schema: "pizza".into(),
            field: Box::new(FieldDef::new("dough", name, FieldType::Text)),
            index: 0,
        };
        let ran = step(vec![create("Dough"), Op::ArchiveSchema { schema: "pizza".into() }]);
        let marker = format!("aaaaaaaaaaaa+1@{}", ops_hash(&ran.ops[..1]));
        let state = tenant_with_marker(&marker);

        let mut same = [ran.clone()];
        assert_eq!(resume(&mut same, &state).unwrap(), 1);
        let mut edited = [step(vec![create("Dough base"), Op::ArchiveSchema { schema: "pizza".into() }])];
        assert_eq!(create("Dough").describe(), create("Dough base").describe());
        assert!(resume(&mut edited, &state).is_err());

        // A marker written by an earlier version still resumes.
        let legacy = tenant_with_marker(&format!("aaaaaaaaaaaa+1@{}", legacy_ops_hash(&ran.ops[..1])));
        assert_eq!(resume(&mut [ran], &legacy).unwrap(), 1);
    }
}
