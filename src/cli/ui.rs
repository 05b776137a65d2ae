//! Output: results to stdout (text, or one JSON document), progress and errors to stderr.

use std::io::{IsTerminal, Write};

use miette::{Diagnostic, Report};
use serde_json::{Value, json};

use crate::diag::{Problems, SourceProblem, display_path};

use super::Format;

pub struct Ui {
    pub format: Format,
    pub verbose: u8,
}

impl Ui {
    pub fn new(format: Format, verbose: u8) -> Ui {
        Ui { format, verbose }
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// A result line, in text mode.
    pub fn line(&self, text: impl AsRef<str>) {
        if !self.json() {
            super::activity::multi().suspend(|| {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", text.as_ref());
            });
        }
    }

    /// A block of result text as it is (it ends with its own newline), in text mode.
    pub fn text(&self, text: &str) {
        if !self.json() {
            super::activity::multi().suspend(|| {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
            });
        }
    }

    /// The one JSON document, in JSON mode.
    pub fn document(&self, value: &Value) {
        if self.json() {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(value).unwrap_or_default());
        }
    }

    /// A status line (progress, notes): stderr, so stdout stays the result.
    pub fn status(&self, text: impl AsRef<str>) {
        super::activity::multi().suspend(|| {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{}", text.as_ref());
        });
    }

    /// Whether progress may be drawn as bars: stderr is a terminal and this is not CI (`CI` set
    /// to anything but `false`/`0`). Otherwise progress is plain lines.
    pub fn interactive(&self) -> bool {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
        std::io::stderr().is_terminal() && !ci
    }

    /// An error: the diagnostic on stderr, and in JSON mode an error document on stdout (its
    /// shape: [`error_document`]). Located problems are printed each on its own, their place
    /// once, with no wrapper around them.
    pub fn error(&self, report: &Report) {
        let mut err = std::io::stderr().lock();
        match located(report) {
            (Some(p), _) => {
                let _ = writeln!(err, "{:?}", p.report());
            }
            (None, Some(list)) if !list.0.is_empty() => {
                for p in &list.0 {
                    let _ = writeln!(err, "{:?}", p.report());
                }
                if list.0.len() > 1 {
                    let _ = writeln!(err, "{} problems.", list.0.len());
                }
            }
            _ => {
                let _ = writeln!(err, "{report:?}");
            }
        }
        if self.json() {
            self.document(&error_document(report));
        }
    }
}

/// The located problems a report is: one, or the list it gathers.
fn located(report: &Report) -> (Option<&SourceProblem>, Option<&Problems>) {
    if let Some(p) = report.downcast_ref::<Problems>() {
        return (None, Some(p));
    }
    if let Some(crate::chain::ChainError::Invalid(p)) = report.downcast_ref::<crate::chain::ChainError>() {
        return (None, Some(p));
    }
    (report.downcast_ref::<SourceProblem>(), None)
}

/// `{"error": {message, code, help, file, line, column, problems: [...]}}`: the diagnostic as
/// data. `file`/`line`/`column` are set when the error is at one place (else null);
/// `problems` lists every located problem (the error's own, or the several a schemas folder
/// that does not load or a chain that is not one line gathers), each with the same fields.
pub fn error_document(report: &Report) -> Value {
    let (one, many) = located(report);
    let one = one.or(many.filter(|l| l.0.len() == 1).and_then(|l| l.0.first()));
    let mut error = match one {
        Some(p) => located_problem(p),
        None => problem(report.as_ref()),
    };
    let problems: Vec<Value> = match (many, one) {
        (Some(list), _) => list.0.iter().map(located_problem).collect(),
        (None, Some(p)) => vec![located_problem(p)],
        (None, None) => report.related().map(|r| r.map(problem).collect()).unwrap_or_default(),
    };
    if let Some(map) = error.as_object_mut() {
        if let Some(e) = report.downcast_ref::<crate::tenant::TenantError>() {
            map.insert("code".into(), json!(e.code()));
        }
        map.insert("problems".into(), Value::Array(problems));
    }
    json!({ "error": error })
}

/// A located problem: its message without the place, and the place.
pub fn located_problem(p: &SourceProblem) -> Value {
    json!({
        "message": p.message,
        "code": p.code(),
        "help": p.help,
        "file": display_path(&p.file),
        "line": p.is_located().then_some(p.line),
        "column": p.is_located().then_some(p.column),
    })
}

/// Any other diagnostic: its message, code and help, at no place.
pub fn problem(d: &dyn Diagnostic) -> Value {
    json!({
        "message": d.to_string(),
        "code": d.code().map(|c| c.to_string()),
        "help": d.help().map(|h| h.to_string()),
        "file": null,
        "line": null,
        "column": null,
    })
}
