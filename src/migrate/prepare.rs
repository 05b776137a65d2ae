//! Getting an `upgrade` or `downgrade` ready, before anything is written: the plan from where the
//! tenant stands ([`plan`]), planned again when another run moved the tenant while this one
//! waited for its lock ([`moved`]), then the plan's revisions loaded, the tenant read for what
//! they touch, the first revision resumed where an earlier run stopped and the whole plan
//! preflighted ([`prepare`]).

use super::{PlanStep, ResumeError, load_steps, needs, resume};
use crate::chain::{Chain, DescriptorError, Plan};
use crate::diag::Problems;
use crate::script::Direction;
use crate::tenant::{Tenant, TenantError};

/// The plan that takes a tenant at `current` to `target` (`head`, `+n`, `-n`, `base`, an id or a
/// prefix of one).
pub fn plan<'c>(
    chain: &'c Chain,
    direction: Direction,
    current: Option<&str>,
    target: &str,
) -> Result<Plan<'c>, DescriptorError> {
    match direction {
        Direction::Upgrade => chain.plan_upgrade(current, target),
        Direction::Downgrade => chain.plan_downgrade(current, target),
    }
}

/// Whether the tenant, recorded at `before` when the run planned, is at `now` once the run
/// holds its lock because another run moved it. A tenant with no revision that another run
/// recorded at the `base` (as `revision` and an empty upgrade do) has not moved.
pub fn moved(before: Option<&str>, now: Option<&str>, base: &str) -> bool {
    now != before && !(before.is_none() && now == Some(base))
}

/// Why a plan is not ready to run. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// Revisions that do not load.
    #[error(transparent)]
    Load(Problems),
    /// The tenant could not be read.
    #[error(transparent)]
    Read(TenantError),
    /// The tenant shows a part of the first revision that the rest cannot follow, or the plan
    /// does not pass preflight.
    #[error(transparent)]
    Resume(Box<ResumeError>),
}

/// Load the plan's revisions, read of the tenant only what they touch (and `liminal_remote`),
/// and find how far an earlier run of the first one got ([`resume`], which preflights the whole
/// plan). The steps come back with the operations already on the tenant marked skipped.
pub async fn prepare<T: Tenant>(tenant: &mut T, plan: &Plan<'_>) -> Result<Vec<PlanStep>, PrepareError> {
    let mut steps = load_steps(plan).map_err(PrepareError::Load)?;
    let state = tenant.read_for(&needs(&steps)).await.map_err(PrepareError::Read)?;
    resume(&mut steps, &state).map_err(PrepareError::Resume)?;
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use time::macros::datetime;

    use super::*;
    use crate::op::Op;
    use crate::tenant::local::LocalTenant;

    fn dropdown(name: &str) -> Op {
        Op::CreateDropdown { name: name.into(), options: vec!["A".into()] }
    }

    fn archive(name: &str) -> Op {
        Op::ArchiveDropdown { name: name.into() }
    }

    /// base → one revision that creates two dropdowns.
    fn chain(dir: &Path) -> Chain {
        let versions = dir.join("versions");
        std::fs::create_dir_all(&versions).unwrap();
        let base = crate::chain::NewRevision::base(datetime!(2026-01-01 00:00:00)).unwrap();
        base.write(&versions).unwrap();
        let chain = Chain::load(&versions).unwrap();
        let ops = [dropdown("Toppings"), dropdown("Crusts")];
        let new =
            chain.new_revision("two", datetime!(2026-01-02 00:00:00), &ops, &[archive("Crusts"), archive("Toppings")]);
        new.unwrap().write(&versions).unwrap();
        Chain::load(&versions).unwrap()
    }

    #[test]
    fn a_plan_goes_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let chain = chain(dir.path());
        let (base, head) = (chain.base().header().revision.clone(), chain.head().header().revision.clone());
        let up = plan(&chain, Direction::Upgrade, None, "head").unwrap();
        assert_eq!((up.steps.len(), up.to.as_str()), (1, head.as_str()));
        let down = plan(&chain, Direction::Downgrade, Some(&head), "base").unwrap();
        assert_eq!((down.steps.len(), down.to.as_str()), (1, base.as_str()));
        assert!(plan(&chain, Direction::Upgrade, Some(&head), "head").unwrap().is_empty());
        assert!(plan(&chain, Direction::Upgrade, None, "+5").is_err());
    }

    #[test]
    fn a_tenant_moved_unless_it_only_got_its_base_recorded() {
        assert!(!moved(Some("a"), Some("a"), "base"));
        assert!(moved(Some("a"), Some("b"), "base"));
        assert!(moved(Some("a"), None, "base"));
        assert!(moved(None, Some("b"), "base"));
        assert!(!moved(None, Some("base"), "base"));
        assert!(!moved(None, None, "base"));
    }

    #[tokio::test]
    async fn prepare_skips_what_an_earlier_run_applied() {
        let dir = tempfile::tempdir().unwrap();
        let chain = chain(dir.path());
        let mut tenant = LocalTenant::new(dir.path().join("dev.json"));
        let plan = plan(&chain, Direction::Upgrade, None, "head").unwrap();
        let steps = prepare(&mut tenant, &plan).await.unwrap();
        assert_eq!((steps.len(), steps[0].skip, steps[0].pending().len()), (1, 0, 2));

        // An earlier run got the first dropdown onto the tenant, then stopped.
        tenant.apply(&[dropdown("Toppings")], &mut |_| {}).await.unwrap();
        let steps = prepare(&mut tenant, &plan).await.unwrap();
        assert_eq!((steps[0].skip, steps[0].pending().len()), (1, 1));
    }

    #[tokio::test]
    async fn prepare_refuses_a_plan_that_cannot_apply() {
        let dir = tempfile::tempdir().unwrap();
        let chain = chain(dir.path());
        let mut tenant = LocalTenant::new(dir.path().join("dev.json"));
        // Created by hand under the name the revision's second operation creates.
        tenant.apply(&[dropdown("Crusts")], &mut |_| {}).await.unwrap();
        let plan = plan(&chain, Direction::Upgrade, None, "head").unwrap();
        match prepare(&mut tenant, &plan).await {
            Err(PrepareError::Resume(e)) => {
                assert_eq!((e.present, e.total), (0, 2));
                assert_eq!(e.error.op, "Crusts: create dropdown with options [\"A\"]");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
