//! Output: results to stdout (text, or one JSON document), progress and errors to stderr.

use std::io::{IsTerminal, Write};

use miette::{Diagnostic, Report};
use serde_json::{Value, json};

use crate::diag::{Problems, SourceProblem, display_path};

use super::Format;

pub(crate) struct Ui {
    pub format: Format,
    pub verbose: u8,
    /// A JSON document could not be written: the run fails (exit 1) however it ends.
    failed: std::cell::Cell<bool>,
}

impl Ui {
    pub(crate) fn new(format: Format, verbose: u8) -> Ui {
        Ui { format, verbose, failed: std::cell::Cell::new(false) }
    }

    /// Whether a result could not be written ([`Ui::document`]).
    pub(crate) fn failed(&self) -> bool {
        self.failed.get()
    }

    pub(crate) fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// A result line, in text mode.
    pub(crate) fn line(&self, text: impl AsRef<str>) {
        if !self.json() {
            super::activity::multi().suspend(|| {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", text.as_ref());
            });
        }
    }

    /// A block of result text as it is (it ends with its own newline), in text mode.
    pub(crate) fn text(&self, text: &str) {
        if !self.json() {
            super::activity::multi().suspend(|| {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
            });
        }
    }

    /// The one JSON document, in JSON mode. Should it not serialise, the error goes to stderr
    /// and the run fails: stdout is never silently left empty.
    pub(crate) fn document(&self, value: &Value) {
        if self.json() {
            match json_text(value) {
                Ok(text) => {
                    let mut out = std::io::stdout().lock();
                    // A closed pipe or a full disk: the document did not reach its reader.
                    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
                        self.failed.set(true);
                        let _ =
                            writeln!(std::io::stderr().lock(), "error: cannot write the JSON document to stdout: {e}");
                    }
                }
                Err(report) => {
                    self.failed.set(true);
                    let _ = writeln!(std::io::stderr().lock(), "{report:?}");
                }
            }
        }
    }

    /// A status line (progress, notes): stderr, so stdout stays the result.
    pub(crate) fn status(&self, text: impl AsRef<str>) {
        super::activity::multi().suspend(|| {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{}", text.as_ref());
        });
    }

    /// Whether progress may be drawn as bars: stderr is a terminal and this is not CI (`CI` set
    /// to anything but `false`/`0`). Otherwise progress is plain lines.
    pub(crate) fn interactive(&self) -> bool {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
        std::io::stderr().is_terminal() && !ci
    }

    /// An error: the diagnostic on stderr, and in JSON mode an error document on stdout (its
    /// shape: [`error_document`]). Located problems are printed each on its own, their place
    /// once, with no wrapper around them.
    pub(crate) fn error(&self, report: &Report) {
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
                let _ = match printed(report) {
                    Some(shown) => writeln!(err, "{shown:?}"),
                    None => writeln!(err, "{report:?}"),
                };
            }
        }
        if self.json() {
            self.document(&error_document(report));
        }
    }
}

/// `value` as pretty JSON text, or an error (never an empty text).
pub(super) fn json_text(value: &impl serde::Serialize) -> Result<String, Report> {
    serde_json::to_string_pretty(value).map_err(|e| {
        super::report(
            format!("cannot write the JSON document: {e}"),
            "this is a bug in liminal: please report it with the command",
        )
    })
}

/// The located problems a report is: one, or the list it gathers.
fn located(report: &Report) -> (Option<&SourceProblem>, Option<&Problems>) {
    if let Some(p) = report.downcast_ref::<Problems>() {
        return (None, Some(p));
    }
    if let Some(crate::chain::ChainError::Invalid(p)) = report.downcast_ref::<crate::chain::ChainError>() {
        return (None, Some(p));
    }
    if let Some(crate::project::ProjectError::Invalid(p)) = report.downcast_ref::<crate::project::ProjectError>() {
        return (Some(p), None);
    }
    (report.downcast_ref::<SourceProblem>(), None)
}

/// `{"error": {message, code, help, file, line, column, problems: [...]}}`: the diagnostic as
/// data. `file`/`line`/`column` are set when the error is at one place (else null);
/// `problems` lists every located problem (the error's own, or the several a schemas folder
/// that does not load or a chain that is not one line gathers), each with the same fields.
pub(super) fn error_document(report: &Report) -> Value {
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
        if let Some(e) = report.chain().find_map(|e| e.downcast_ref::<crate::tenant::TenantError>()) {
            map.insert("code".into(), json!(e.code()));
        }
        map.insert("problems".into(), Value::Array(problems));
    }
    json!({ "error": error })
}

/// A report as printed: its message, then the causes in its source chain that the message does
/// not already say. An error here names its cause in its own message (`taking the lease failed:
/// GET … failed with 503: …`), so the causes down to the last one the message names are not
/// printed again; the ones below it are. Diagnostics that point into a file (labels, source
/// code, related problems) are printed as they are (`None`).
fn printed(report: &Report) -> Option<Report> {
    let d: &dyn Diagnostic = report.as_ref();
    if d.labels().is_some() || d.source_code().is_some() || d.related().is_some() || d.diagnostic_source().is_some() {
        return None;
    }
    let message = d.to_string();
    let causes: Vec<String> = report.chain().skip(1).map(|e| e.to_string()).collect();
    let said = causes.iter().rposition(|c| message.contains(c.as_str())).map_or(0, |i| i + 1);
    Some(Report::new(Printed::of(d, causes[said..].to_vec())))
}

/// What [`printed`] shows of a diagnostic: its words, with the causes to print after them.
#[derive(Debug)]
struct Printed {
    message: String,
    code: Option<String>,
    help: Option<String>,
    url: Option<String>,
    severity: Option<miette::Severity>,
    cause: Option<Box<Cause>>,
}

impl Printed {
    fn of(d: &dyn Diagnostic, causes: Vec<String>) -> Printed {
        let cause = causes.into_iter().rev().fold(None, |next, text| Some(Box::new(Cause { text, next })));
        Printed {
            message: d.to_string(),
            code: d.code().map(|c| c.to_string()),
            help: d.help().map(|h| h.to_string()),
            url: d.url().map(|u| u.to_string()),
            severity: d.severity(),
            cause,
        }
    }
}

impl std::fmt::Display for Printed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Printed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for Printed {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn std::fmt::Display>)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.url.as_ref().map(|u| Box::new(u) as Box<dyn std::fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.severity
    }
}

/// One cause of a [`Printed`] report, as text.
#[derive(Debug)]
struct Cause {
    text: String,
    next: Option<Box<Cause>>,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.next.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// A located problem: its message without the place, and the place.
pub(super) fn located_problem(p: &SourceProblem) -> Value {
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
pub(super) fn problem(d: &dyn Diagnostic) -> Value {
    json!({
        "message": d.to_string(),
        "code": d.code().map(|c| c.to_string()),
        "help": d.help().map(|h| h.to_string()),
        "file": null,
        "line": null,
        "column": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{HttpError, TenantError};

    fn causes(report: &Report) -> Vec<String> {
        report.chain().skip(1).map(|c| c.to_string()).collect()
    }

    #[test]
    fn causes_the_message_already_names_are_not_printed_again() {
        let wire = crate::wire::WireError::new("/items", "expected an array");
        let http = HttpError::wire(reqwest::Method::GET, "/api/v2/x", wire);
        let report = Report::new(TenantError::from(http));
        assert_eq!(causes(&report).len(), 2, "the chain is kept: the HttpError and its WireError");
        let shown = printed(&report).unwrap();
        assert_eq!(shown.to_string(), "GET /api/v2/x failed: /items: expected an array");
        assert!(causes(&shown).is_empty());
        let source: crate::tenant::Cause = Box::new(std::io::Error::other("disk on fire"));
        let e = TenantError::Internal { message: "a read task stopped".into(), source: Some(source) };
        assert_eq!(causes(&printed(&Report::new(e)).unwrap()), ["disk on fire"]);
    }

    #[test]
    fn the_json_code_is_found_through_the_source_chain() {
        let e = crate::lock::LockError::Tenant(TenantError::internal("the tenant state was not read"));
        let report = super::super::report_error(Some("dev"), e, "try again");
        let doc = error_document(&report);
        assert_eq!(doc["error"]["code"], "tenant::internal");
        assert_eq!(doc["error"]["help"], "try again");
        assert!(
            doc["error"]["message"].as_str().unwrap().starts_with("dev: taking the lease failed: the tenant state")
        );
    }
}
