//! Located problems in the project's own files (YAML schemas, Rhai revisions), ready for miette.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

/// A problem at a place in a file: `file:line:col`, what is wrong, and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct SourceProblem {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Rarely set, so boxed: a code for tools, other places in the same file.
    #[serde(skip)]
    extra: Option<Box<Extra>>,
    #[serde(skip)]
    source: Option<Arc<NamedSource<Arc<String>>>>,
}

impl SourceProblem {
    pub fn new(file: &Path, line: usize, column: usize, message: impl Into<String>) -> SourceProblem {
        SourceProblem {
            file: file.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
            help: None,
            extra: None,
            source: None,
        }
    }

    /// Point at a second place in the same file too (the first of two duplicates).
    pub fn also_at(mut self, line: usize, column: usize, label: impl Into<String>) -> SourceProblem {
        self.extra.get_or_insert_with(Default::default).also.push((line.max(1), column.max(1), label.into()));
        self
    }

    /// What kind of problem, for tools (`yaml::type`, `schema::rule`…); stable.
    pub fn with_code(mut self, code: &'static str) -> SourceProblem {
        self.extra.get_or_insert_with(Default::default).code = Some(code);
        self
    }

    pub fn code(&self) -> Option<&'static str> {
        self.extra.as_ref().and_then(|e| e.code)
    }

    /// A problem with a file or folder as a whole (it cannot be read, it is empty): no line
    /// and column are made up for it.
    pub fn unlocated(file: &Path, message: impl Into<String>) -> SourceProblem {
        SourceProblem { line: 0, column: 0, ..SourceProblem::new(file, 1, 1, message) }
    }

    /// Whether the problem has a line and column.
    pub fn is_located(&self) -> bool {
        self.line > 0
    }

    pub fn with_help(mut self, help: impl Into<String>) -> SourceProblem {
        self.help = Some(help.into());
        self
    }

    /// Attach the file's text so the diagnostic can show the line.
    pub fn with_source(mut self, text: Arc<String>) -> SourceProblem {
        self.source = Some(Arc::new(NamedSource::new(display_path(&self.file), text)));
        self
    }

    /// `file:line:col`, the file relative to the current folder when it is inside it.
    pub fn location(&self) -> String {
        if !self.is_located() {
            return display_path(&self.file);
        }
        format!("{}:{}:{}", display_path(&self.file), self.line, self.column)
    }

    fn byte_offset(&self) -> Option<(usize, usize)> {
        if !self.is_located() {
            return None;
        }
        self.span_at(self.line, self.column)
    }

    /// The byte offset and length of the token at a 1-based line and column of the attached text.
    fn span_at(&self, line: usize, column: usize) -> Option<(usize, usize)> {
        let text: &str = self.source.as_ref()?.inner();
        let line_start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
        let line_text = text.get(line_start..)?.split('\n').next().unwrap_or("");
        let col = line_text.char_indices().nth(column - 1).map(|(i, _)| i).unwrap_or(line_text.len());
        let rest = &line_text[col..];
        let token = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ')' | ']' | '}'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        Some((line_start + col, token.max(1).min(rest.len().max(1))))
    }
}

impl fmt::Display for SourceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

impl std::error::Error for SourceProblem {}

// The code is data for tools (JSON); miette would print it above every message.
impl Diagnostic for SourceProblem {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (offset, len) = self.byte_offset()?;
        let here = LabeledSpan::new_with_span(Some("here".into()), (offset, len));
        let also = self.extra.iter().flat_map(|e| e.also.iter()).filter_map(|(line, column, label)| {
            let (offset, len) = self.span_at(*line, *column)?;
            Some(LabeledSpan::new_with_span(Some(label.clone()), (offset, len)))
        });
        Some(Box::new(std::iter::once(here).chain(also)))
    }
}

impl SourceProblem {
    /// The problem as a diagnostic to print: the location once (in the snippet's header when the
    /// file's text is attached, else before the message), not twice.
    pub fn report(&self) -> miette::Report {
        miette::Report::new(Shown(self.clone()))
    }
}

/// The rarely set parts of a [`SourceProblem`].
#[derive(Debug, Clone, Default)]
struct Extra {
    code: Option<&'static str>,
    /// Other places in the same file the problem involves (1-based line, column, label).
    also: Vec<(usize, usize, String)>,
}

/// A [`SourceProblem`] as printed: see [`SourceProblem::report`].
#[derive(Debug)]
struct Shown(SourceProblem);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.labels().is_some() { f.write_str(&self.0.message) } else { self.0.fmt(f) }
    }
}

impl std::error::Error for Shown {}

impl Diagnostic for Shown {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// Several located problems reported together.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Problems(pub Vec<SourceProblem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.len() {
            1 => write!(f, "1 problem found"),
            n => write!(f, "{n} problems found"),
        }
    }
}

impl std::error::Error for Problems {}

impl Diagnostic for Problems {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.0.iter().map(|p| p as &dyn Diagnostic)))
    }
}

/// A path as users read it: relative to the current folder when it is inside it.
pub(crate) fn display_path(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) => path.strip_prefix(&cwd).unwrap_or(path).display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// An I/O error in words, without the OS error number.
pub(crate) fn io_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The candidate closest to `word`, if it is close enough to be what was meant (a typo, a case
/// slip, a missing or swapped letter): for "did you mean" lines.
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `did you mean `x`? ` when a candidate is close, else nothing: to put before a help line.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map(|c| format!("did you mean `{c}`? ")).unwrap_or_default()
}

/// `1 problem`, `2 problems`: a count with its noun in the right number (`noun` is singular;
/// nouns ending in `y` after a consonant take `ies`).
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    let plural = match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ if noun.ends_with('s') || noun.ends_with("sh") || noun.ends_with("ch") => format!("{noun}es"),
        _ => format!("{noun}s"),
    };
    format!("{n} {plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_or_absent() {
        let keys = ["warehouse_name", "name", "type", "decimal_places", "is_multi"];
        assert_eq!(closest("warehouse_nam", keys), Some("warehouse_name"));
        assert_eq!(closest("Warehouse_Name", keys), Some("warehouse_name"));
        assert_eq!(closest("decimalplaces", keys), Some("decimal_places"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(did_you_mean("tpye", keys), "did you mean `type`? ");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1, "schema"), "1 schema");
        assert_eq!(count(2, "schema"), "2 schemas");
        assert_eq!(count(0, "dropdown"), "0 dropdowns");
        assert_eq!(count(3, "revision"), "3 revisions");
        assert_eq!(count(2, "entry"), "2 entries");
        assert_eq!(count(2, "key"), "2 keys");
        assert_eq!(count(2, "process"), "2 processes");
    }
}
