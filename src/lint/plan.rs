//! What a plan (`upgrade` / `downgrade`, dry run or real) will do, for people: operations by
//! kind per revision and in total, and the lints of the operations that will run, located in
//! their revision files.

use super::summary::Summary;
use super::{Finding, is_destructive, run_lints, suppress};
use crate::chain::Chain;
use crate::migrate::PlanStep;
use crate::script::Script;

/// One revision of the plan.
#[derive(Debug, Clone)]
pub(crate) struct StepReview {
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
pub(crate) struct Review {
    pub steps: Vec<StepReview>,
    pub total: Summary,
}

impl Review {
    pub(crate) fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.steps.iter().flat_map(|s| s.findings.iter())
    }

    /// Whether running the plan archives something (a confirmation is asked on Benchling).
    /// `// liminal:nolint` does not change this: it silences the linter, not the question.
    pub(crate) fn is_destructive(&self) -> bool {
        self.findings().any(|f| is_destructive(f.lint))
    }
}

/// Review the operations still to run of each step (skipped ones excluded).
pub(crate) fn review(chain: &Chain, steps: &[PlanStep]) -> Review {
    let scripts: Vec<&Script> = chain.revisions().iter().collect();
    let mut total = Summary::default();
    let mut out = Vec::new();
    for step in steps {
        let pending = step.pending();
        let summary = Summary::of(pending.iter().map(|o| &o.op));
        total.add(summary);
        let script = scripts.iter().find(|s| s.path() == step.path);
        let mut findings = Vec::new();
        for o in pending {
            for lint in run_lints(&o.op) {
                let message = format!("{} — {}", o.op.describe(), lint.summary);
                let f = match script {
                    Some(s) => Finding::at_op(lint, s, o, message),
                    None => Finding::at(lint, &step.path, o.line, o.column, message),
                };
                findings.push(f);
            }
        }
        suppress(&mut findings, &scripts);
        out.push(StepReview { summary, findings });
    }
    Review { steps: out, total }
}
