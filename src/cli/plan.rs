//! Printing a plan (`upgrade` / `downgrade`): operations by kind per revision and in total,
//! Terraform-style, and the lints of what will run, coloured on a terminal; and the question
//! asked before a destructive plan runs on Benchling.

use std::io::{BufRead, IsTerminal, Write};

use miette::Report;
use serde_json::{Value, json};

use super::{Ui, relative, report, report_error};
use crate::lint::Severity;
use crate::lint::plan::Review;
use crate::migrate::PlanStep;
use crate::project::Project;

/// ANSI styles, used as [`colour`] says.
#[derive(Clone, Copy)]
enum Style {
    Bold,
    Red,
    Yellow,
    Green,
    Dim,
}

/// `--color always|never`, or by default a terminal on stdout without `NO_COLOR`.
fn colour() -> bool {
    let args: Vec<String> = std::env::args().collect();
    match super::ColorChoice::from_args(&args) {
        super::ColorChoice::Always => true,
        super::ColorChoice::Never => false,
        super::ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn paint(on: bool, style: Style, text: &str) -> String {
    if !on {
        return text.to_string();
    }
    let code = match style {
        Style::Bold => "1",
        Style::Red => "31",
        Style::Yellow => "33",
        Style::Green => "32",
        Style::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `Plan: 1 to create, 2 to update, 1 to archive, 0 to reorder.`
fn summary_line(on: bool, s: &crate::lint::summary::Summary) -> String {
    let part = |n: usize, what: &str, style: Style| {
        let text = format!("{n} to {what}");
        if n > 0 { paint(on, style, &text) } else { text }
    };
    format!(
        "{}, {}, {}, {}",
        part(s.create, "create", Style::Green),
        part(s.update, "update", Style::Yellow),
        part(s.archive, "archive", Style::Red),
        part(s.reorder, "reorder", Style::Yellow)
    )
}

/// The plan in text: each revision with its summary, its operations when `operations` (dry
/// runs), the lints of its operations, then the total.
pub(super) fn print(ui: &Ui, project: &Project, steps: &[PlanStep], review: &Review, operations: bool) {
    let on = colour();
    for (i, (s, r)) in steps.iter().zip(&review.steps).enumerate() {
        ui.line(format!(
            "{} {} ({}/{}): {} [{}]",
            s.direction.function(),
            s.id,
            i + 1,
            steps.len(),
            s.message,
            summary_line(on, &r.summary)
        ));
        if operations {
            if s.skip > 0 {
                ui.line(format!(
                    "  (the first {} applied by an interrupted run {} skipped)",
                    crate::diag::count(s.skip, "operation"),
                    if s.skip == 1 { "is" } else { "are" }
                ));
            }
            for (k, o) in s.pending().iter().enumerate() {
                ui.line(format!("  {}. {}", s.skip + k + 1, o.op.describe()));
            }
        }
        for f in &r.findings {
            let style = if f.severity == Severity::Error { Style::Red } else { Style::Yellow };
            let code = paint(on, style, &format!("{}[{}]", f.severity, f.lint.code));
            let at =
                f.at.as_ref()
                    .map(|p| format!(" ({}:{}:{})", relative(project, &p.file).display(), p.line, p.column))
                    .unwrap_or_default();
            let note = match &f.suppressed {
                Some(s) => {
                    paint(on, Style::Dim, &format!(" (nolint: {})", s.reason.as_deref().unwrap_or("no reason given")))
                }
                None => String::new(),
            };
            ui.line(format!("  ! {code} {}{at}{note}", f.message));
        }
    }
    ui.line(format!("{} {}.", paint(on, Style::Bold, "Plan:"), summary_line(on, &review.total)));
}

/// The JSON of the plan's review: per revision, then the total.
pub(super) fn review_json(project: &Project, review: &Review) -> Value {
    json!({
        "summary": review.total,
        "revisions": review.steps.iter().map(|r| json!({
            "summary": r.summary,
            "findings": r.findings.iter().map(|f| f.to_json(f.file().map(|p| relative(project, p)))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "destructive": review.is_destructive(),
    })
}

/// Before a destructive plan runs on a Benchling tenant: `--yes`, or a "yes" typed on a
/// terminal. Without a terminal and without `--yes`, the run is refused before any write.
pub(super) fn confirm(ui: &Ui, tenant: &str, review: &Review, yes: bool) -> Result<(), Report> {
    if yes || !review.is_destructive() {
        return Ok(());
    }
    let archives = review.findings().filter(|f| crate::lint::is_destructive(f.lint)).count();
    if !std::io::stdin().is_terminal() {
        return Err(report(
            format!(
                "the plan for {tenant} archives {}, and there is no terminal to ask",
                crate::diag::count(archives, "item")
            ),
            format!("review it with `--dry-run`, then pass `--yes` to apply it to {tenant}"),
        ));
    }
    ui.status(format!(
        "The plan archives {} on {tenant}. Apply it? Only `yes` is accepted:",
        crate::diag::count(archives, "item")
    ));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| report_error(Some("cannot read the answer"), e, "pass `--yes` instead"))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(report(
            format!("not applied to {tenant}: the plan was not confirmed"),
            "nothing was changed; answer `yes`, or pass `--yes`",
        ))
    }
}
