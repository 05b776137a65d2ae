//! Progress while a plan runs: a bar on a terminal, plain lines otherwise (and in JSON mode,
//! where the lines go to stderr and stdout keeps the one document).

use indicatif::{ProgressBar, ProgressStyle};

use crate::migrate::{PlanStep, Progress};
use crate::script::LocatedOp;

pub(super) struct Reporter {
    bar: Option<ProgressBar>,
    op_number: usize,
    pub applied: Vec<serde_json::Value>,
}

impl Reporter {
    pub(super) fn new(interactive: bool, total_ops: usize) -> Reporter {
        let bar = interactive.then(|| {
            let bar = super::activity::multi().add(ProgressBar::new(total_ops as u64));
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} operations {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Reporter { bar, op_number: 0, applied: Vec::new() }
    }

    fn say(&self, line: String) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn revision(&mut self, index: usize, total: usize, step: &PlanStep) {
        self.op_number = step.skip;
        let verb = match step.direction {
            crate::script::Direction::Upgrade => "Upgrading to",
            crate::script::Direction::Downgrade => "Downgrading",
        };
        self.say(format!("{verb} {} ({index}/{total}): {}", step.id, step.message));
        if step.skip > 0 {
            let (ops, are) = (crate::diag::count(step.skip, "operation"), if step.skip == 1 { "is" } else { "are" });
            self.say(format!("  resuming: the first {ops} {are} already on the tenant"));
        }
    }

    fn op_done(&mut self, step: &PlanStep, op: &LocatedOp) {
        self.op_number += 1;
        self.say(format!("  {}. {}", self.op_number, op.op.describe()));
        self.applied.push(serde_json::json!({
            "revision": step.id,
            "operation": op.op.name(),
            "description": op.op.describe(),
        }));
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn revision_done(&mut self, step: &PlanStep) {
        self.say(format!("  recorded revision {}", step.record));
    }
}
