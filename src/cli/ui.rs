//! Output: results to stdout (text, or one JSON document), progress and errors to stderr.

use std::io::{IsTerminal, Write};

use miette::Report;
use serde_json::Value;

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
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", text.as_ref());
        }
    }

    /// A block of result text as it is (it ends with its own newline), in text mode.
    pub fn text(&self, text: &str) {
        if !self.json() {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
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
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", text.as_ref());
    }

    /// Whether progress may be drawn (stderr is a terminal).
    pub fn interactive(&self) -> bool {
        std::io::stderr().is_terminal()
    }

    /// An error: the diagnostic on stderr, and in JSON mode an error document on stdout.
    pub fn error(&self, report: &Report) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{report:?}");
        if self.json() {
            let help = report.help().map(|h| h.to_string());
            let related: Vec<String> = report.related().map(|r| r.map(|d| d.to_string()).collect()).unwrap_or_default();
            self.document(&serde_json::json!({
                "error": { "message": report.to_string(), "help": help, "problems": related }
            }));
        }
    }
}
