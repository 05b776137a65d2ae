//! Running a plan of revisions on a tenant, safely.
//!
//! 1. **Load** every revision's operations first: a revision that does not load stops the
//!    command before anything is applied.
//! 2. **Resume**: find from the tenant how far an earlier run of the first revision got
//!    ([`resume`]: the longest prefix of its operations whose effects the tenant shows), however
//!    that run stopped. Those operations are skipped.
//! 3. **Preflight**: simulate every remaining operation on a copy of the tenant ([`Op::apply`]);
//!    an error is reported with its revision file, line and column, before the first write.
//! 4. **Apply** revision by revision, batch by batch. Unlike Liminal, which records the revision
//!    only after all of them succeed, the tenant's `revision_id` moves after **each** revision
//!    (in one write with the lease of [`crate::lock`]), so a failure in the third revision leaves
//!    the tenant recorded at the second. Between batches the run stops when interrupted
//!    ([`crate::interrupt`]).
//!
//! Earlier versions recorded a partly applied revision in a second field of `liminal_remote`
//! (`liminal_progress`); that marker is no longer needed, and is cleared by the next record.
//! Liminal only reads `revision_id`, so it is not disturbed by the extra fields.

pub mod prepare;

use crate::chain::Plan;
use crate::lock::{self, Lease};
use crate::op::{Op, OpError};
use crate::schema::REMOTE_FIELD;
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

/// The tenant shows a part of the first revision that the rest of the plan cannot follow.
#[derive(Debug, thiserror::Error)]
#[error("{}", match .present {
    0 => format!("revision {} cannot apply: {}", .error.revision, .error.error),
    n => format!("revision {}: the tenant shows the first {n} of its {} operations, but the rest cannot apply: {}", .revision, .total, .error.error),
})]
pub struct ResumeError {
    pub revision: String,
    /// Operations of the revision whose effects the tenant shows (the longest such prefix).
    pub present: usize,
    pub total: usize,
    /// Why the rest does not apply after them.
    pub error: Box<PreflightError>,
    /// What the tenant lacks of the first operation that is not there, if it has part of it.
    pub differs: Option<String>,
}

/// What [`resume`] and [`preflight`] need to read of a tenant for `steps`: what the plan touches
/// as the tenant is before it ([`Needs::of_ops`]), and also every name as each operation says
/// it, since an earlier run may have renamed things already.
pub fn needs(steps: &[PlanStep]) -> Needs {
    let ops = || steps.iter().flat_map(|s| s.ops.iter().map(|o| &o.op));
    let mut needs = Needs::of_ops(ops());
    for op in ops() {
        needs.merge(Needs::of_ops([op]));
    }
    needs
}

/// How many candidate prefixes are tried against the whole plan before refusing.
const RESUME_CANDIDATES: usize = 8;

/// Find how far an earlier, stopped run of the first step got, from what the tenant shows: the
/// longest prefix of its operations whose effects are all on the tenant
/// ([`crate::op::present`]) after which the whole plan passes preflight. Marks those operations
/// skipped and returns how many there are. Any way the earlier run stopped (killed, failed,
/// lost its connection, a revision record that did not land, Python Liminal) leaves the tenant
/// at such a prefix, since each backend lands an operation (or a batch of them) whole.
pub fn resume(steps: &mut [PlanStep], state: &TenantState) -> Result<usize, Box<ResumeError>> {
    let Some(first) = steps.first() else { return Ok(0) };
    let ops: Vec<Op> = first.ops.iter().map(|l| l.op.clone()).collect();
    let mut refused: Option<(usize, Box<PreflightError>)> = None;
    for k in crate::op::present::present_prefixes(&ops, state).take(RESUME_CANDIDATES) {
        steps[0].skip = k;
        match preflight(state, steps) {
            Ok(_) => return Ok(k),
            Err(e) => {
                refused.get_or_insert((k, e));
            }
        }
        // Operation k may be half done (a schema created without its self-linking fields):
        // finish it instead.
        if let Some(rest) = ops.get(k).and_then(|op| crate::op::present::completion(op, state)) {
            let original = steps[0].ops.clone();
            let at = &original[k];
            let fill = rest.into_iter().map(|op| LocatedOp { op, line: at.line, column: at.column });
            steps[0].ops.splice(k..=k, fill);
            if preflight(state, steps).is_ok() {
                return Ok(k);
            }
            steps[0].ops = original;
        }
    }
    steps[0].skip = 0;
    let Some((present, error)) = refused else { return Ok(0) };
    let first = &steps[0];
    Err(Box::new(ResumeError {
        revision: first.id.clone(),
        present,
        total: first.ops.len(),
        differs: first.ops.get(present).and_then(|l| crate::op::present::missing(&l.op, state)),
        error,
    }))
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
        #[source]
        error: ApplyError,
        /// The revision the tenant is recorded at.
        recorded: Option<String>,
        /// Operations of the failed revision that are on the tenant.
        applied: usize,
        total: usize,
    },
    /// Every operation of `revision` is on the tenant, but recording it failed.
    #[error(
        "every operation of revision {revision} is on the tenant, but recording it in liminal_remote failed: {error}; the tenant is still recorded at {}; the next run finds the operations there and records {revision}",
        .recorded.as_deref().unwrap_or("no revision")
    )]
    Record {
        revision: String,
        recorded: Option<String>,
        #[source]
        error: TenantError,
    },
    /// Renewing the lease failed (nothing of the current batch was sent).
    #[error(
        "renewing the lease failed: {error}; {applied} of the {total} operations of revision {revision} are on the tenant, which is recorded at {}",
        .recorded.as_deref().unwrap_or("no revision")
    )]
    Lease {
        revision: String,
        applied: usize,
        total: usize,
        recorded: Option<String>,
        #[source]
        error: TenantError,
    },
    /// A signal stopped the run between two requests.
    #[error(
        "interrupted: {applied} of the {total} operations of revision {revision} are on the tenant, which is recorded at {}",
        .recorded.as_deref().unwrap_or("no revision")
    )]
    Interrupted { revision: String, applied: usize, total: usize, recorded: Option<String> },
    /// The local tenant's file could not be written at the end of the plan.
    #[error("writing the tenant failed: {error}; it stays at the last revision it recorded")]
    Write {
        #[source]
        error: TenantError,
    },
}

/// Apply the plan. After each revision the tenant records it, in one write with the lease
/// (renewed, or released after the last revision) and the clearing of an old progress marker.
/// The run stops between two batches when [`crate::interrupt::requested`]. On `Ok` the lease
/// is released. The plan is one batch of writes ([`Tenant::begin_batch`]: the local tenant
/// writes its file at revision boundaries only, and what it holds at the end, however the run
/// ends).
pub async fn run<T: Tenant>(
    tenant: &mut T,
    steps: &[PlanStep],
    progress: &mut dyn Progress,
    recorded: Option<String>,
    lease: Option<&mut Lease>,
) -> Result<(), RunError> {
    tenant.begin_batch();
    let result = run_steps(tenant, steps, progress, recorded, lease).await;
    let ended = tenant.end_batch().await.map_err(|error| RunError::Write { error });
    result.and(ended)
}

async fn run_steps<T: Tenant>(
    tenant: &mut T,
    steps: &[PlanStep],
    progress: &mut dyn Progress,
    mut recorded: Option<String>,
    mut lease: Option<&mut Lease>,
) -> Result<(), RunError> {
    let total = steps.len();
    for (i, step) in steps.iter().enumerate() {
        progress.revision(i + 1, total, step);
        let pending = step.pending();
        let ops: Vec<Op> = pending.iter().map(|l| l.op.clone()).collect();
        let mut start = 0usize;
        while start < ops.len() {
            let applied = step.skip + start;
            let stopped = |recorded: &Option<String>| RunError::Interrupted {
                revision: step.id.clone(),
                applied,
                total: step.ops.len(),
                recorded: recorded.clone(),
            };
            if crate::interrupt::requested() {
                return Err(stopped(&recorded));
            }
            if let Some(l) = lease.as_deref_mut() {
                lock::renew_if_due(tenant, l).await.map_err(|error| RunError::Lease {
                    revision: step.id.clone(),
                    applied,
                    total: step.ops.len(),
                    recorded: recorded.clone(),
                    error,
                })?;
            }
            let end = start + tenant.batch_len(&ops[start..]).clamp(1, ops.len() - start);
            let mut done = 0usize;
            let result = {
                let mut on_done = |k: usize| {
                    done = done.max(k + 1);
                    progress.op_done(step, &pending[start + k]);
                };
                tenant.apply(&ops[start..end], &mut on_done).await
            };
            if let Err(error) = result {
                let failed = (start + error.index()).min(pending.len().saturating_sub(1));
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
                    applied: step.skip + start + done,
                    total: step.ops.len(),
                });
            }
            start = end;
        }
        let last = i + 1 == total;
        let lock_value = lease.as_deref_mut().map(|l| {
            if last {
                lock::FREE.to_string()
            } else {
                *l = l.renewed();
                l.to_name()
            }
        });
        let mut values: Vec<(&str, &str)> = vec![(REMOTE_FIELD, step.record.as_str())];
        if let Some(v) = &lock_value {
            values.push((lock::LOCK_FIELD, v));
        }
        // A revision that changes nothing (the empty base of a fresh tenant) is recorded with
        // the next one: stopping in between leaves the tenant as it was.
        if !step.ops.is_empty() || last {
            // A marker that cannot be read fails the record, rather than reading as "none"
            // (which would leave a stale marker standing).
            let marker = tenant.remote_field(PROGRESS_FIELD, false).await.map_err(|error| RunError::Record {
                revision: step.id.clone(),
                recorded: recorded.clone(),
                error,
            })?;
            if marker.as_deref().is_some_and(|m| m != NO_PROGRESS) {
                values.push((PROGRESS_FIELD, NO_PROGRESS));
            }
            bookkeep(tenant, &values).await.map_err(|error| RunError::Record {
                revision: step.id.clone(),
                recorded: recorded.clone(),
                error,
            })?;
            recorded = Some(step.record.clone());
        }
        progress.revision_done(step);
    }
    Ok(())
}

/// Write bookkeeping values to `liminal_remote`. Setting a field's display name is idempotent,
/// so after a failure the tenant is read: the write may have landed; if not, it is sent once
/// more.
pub async fn bookkeep<T: Tenant>(tenant: &mut T, values: &[(&str, &str)]) -> Result<(), TenantError> {
    let error = match tenant.write_remote(values).await {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    let mut landed = true;
    for (n, (key, value)) in values.iter().enumerate() {
        match tenant.remote_field(key, n == 0).await {
            Ok(Some(v)) if v == *value => {}
            _ => {
                landed = false;
                break;
            }
        }
    }
    if landed {
        return Ok(());
    }
    tenant.write_remote(values).await.map(|_| ()).map_err(|_| error)
}

/// `stamp`: record `revision` on the tenant without running anything. Stamping says where the
/// tenant stands, so a record of an interrupted upgrade by an earlier version no longer holds:
/// one write records the revision, clears that record and, when `leased`, releases the lease.
/// Returns the revision that record named, if there was one.
pub async fn stamp<T: Tenant>(tenant: &mut T, revision: &str, leased: bool) -> Result<Option<String>, TenantError> {
    // A marker that cannot be read is an error, not "no marker" (which would leave it standing).
    let marker = tenant.remote_field(PROGRESS_FIELD, false).await?;
    let interrupted = marker.as_deref().and_then(|m| m.split_once('+')).map(|(r, _)| r.to_string());
    let mut values: Vec<(&str, &str)> = vec![(REMOTE_FIELD, revision)];
    if interrupted.is_some() {
        values.push((PROGRESS_FIELD, NO_PROGRESS));
    }
    if leased {
        values.push((lock::LOCK_FIELD, lock::FREE));
    }
    bookkeep(tenant, &values).await?;
    Ok(interrupted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldDef, FieldType};

    fn step(id: &str, ops: Vec<Op>) -> PlanStep {
        PlanStep {
            id: id.into(),
            message: String::new(),
            path: "v.rhai".into(),
            direction: Direction::Upgrade,
            ops: ops.into_iter().map(|op| LocatedOp { op, line: 1, column: 1 }).collect(),
            record: id.into(),
            skip: 0,
        }
    }

    fn create(schema: &str, field: &str) -> Op {
        Op::CreateField {
            schema: schema.into(),
            field: Box::new(FieldDef::new(field, field, FieldType::Text)),
            index: 9,
        }
    }

    fn tenant() -> TenantState {
        let mut state = TenantState::new();
        state.set_revision("bbbbbbbbbbbb");
        state
    }

    /// A stamp records the revision and clears an old version's record of an interrupted
    /// upgrade, saying which revision it named.
    #[tokio::test]
    async fn a_stamp_records_the_revision_and_clears_an_old_progress_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut tenant = crate::tenant::local::LocalTenant::new(dir.path().join("dev.json"));
        assert_eq!(stamp(&mut tenant, "aaaaaaaaaaaa", false).await.unwrap(), None);
        assert_eq!(tenant.revision().await.unwrap().as_deref(), Some("aaaaaaaaaaaa"));
        tenant.write_remote(&[(PROGRESS_FIELD, "bbbbbbbbbbbb+2@abc")]).await.unwrap();
        assert_eq!(stamp(&mut tenant, "bbbbbbbbbbbb", false).await.unwrap().as_deref(), Some("bbbbbbbbbbbb"));
        assert_eq!(tenant.remote_field(PROGRESS_FIELD, true).await.unwrap().as_deref(), Some(NO_PROGRESS));
        assert_eq!(tenant.revision().await.unwrap().as_deref(), Some("bbbbbbbbbbbb"));
    }

    /// The tenant shows the first operations: they are skipped, whatever marker there is.
    #[test]
    fn resume_skips_what_the_tenant_shows() {
        let ops = vec![create("liminal_remote", "a"), create("liminal_remote", "b"), create("liminal_remote", "c")];
        let mut state = tenant();
        crate::op::apply_all(&mut state, &ops[..2]).unwrap();
        let mut steps = [step("aaaaaaaaaaaa", ops.clone())];
        assert_eq!(resume(&mut steps, &state).unwrap(), 2);
        assert_eq!(steps[0].pending().len(), 1);

        let mut fresh = [step("aaaaaaaaaaaa", ops)];
        assert_eq!(resume(&mut fresh, &tenant()).unwrap(), 0);
    }

    /// A tenant changed by hand matches no prefix: refused, saying what differs.
    #[test]
    fn resume_refuses_a_tenant_that_matches_no_prefix() {
        let ops = vec![create("liminal_remote", "a"), create("liminal_remote", "b")];
        let mut state = tenant();
        crate::op::apply_all(&mut state, &ops[..1]).unwrap();
        let patch = crate::op::FieldPatch { name: Some("by hand".into()), ..Default::default() };
        let by_hand = Op::UpdateField { schema: "liminal_remote".into(), field: "a".into(), patch: Box::new(patch) };
        by_hand.apply(&mut state).unwrap();
        let mut steps = [step("aaaaaaaaaaaa", ops)];
        let e = resume(&mut steps, &state).unwrap_err();
        assert_eq!(e.present, 0);
        assert!(e.differs.as_deref().is_some_and(|d| d.contains("other properties")), "{e:?}");
    }
}
