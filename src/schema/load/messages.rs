//! The problems of one file in the user's words: each with its diagnostic code, and the YAML
//! parser's messages restated without Rust's type names.

use std::path::Path;
use std::sync::Arc;

use serde_saphyr::Location;

use crate::diag::SourceProblem;

pub(super) struct FileCtx<'a> {
    pub(super) path: &'a Path,
    pub(super) text: Arc<String>,
    pub(super) problems: Vec<SourceProblem>,
    /// Unknown keys that are near misses of a known key: where, and the key meant.
    pub(super) near_misses: Vec<(Location, &'static str)>,
}

impl FileCtx<'_> {
    pub(super) fn at(&mut self, loc: Location, message: String, help: &str) {
        let code = if message.starts_with("unknown key") || message.ends_with("is not a dropdown key") {
            "yaml::unknown-key"
        } else if message.starts_with("missing `") {
            "yaml::missing-key"
        } else if message.starts_with("unknown ") {
            "yaml::unknown-value"
        } else {
            "schema::rule"
        };
        self.problems.push(
            SourceProblem::new(self.path, loc.line() as usize, loc.column() as usize, message)
                .with_code(code)
                .with_help(help)
                .with_source(self.text.clone()),
        );
    }
}

/// The YAML parser's message in the user's words: the key and the kind of value it needs, not
/// Rust's type names, and no second copy of the location (the diagnostic shows it).
pub(crate) fn yaml_error(text: &str, line: usize, col: usize, raw: &str) -> (String, &'static str) {
    let raw = raw.find(" at line ").map_or(raw, |i| &raw[..i]).trim();
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", expected one of ").trim_start_matches(", expected ");
        let keys: Vec<&str> = expected.split(", ").map(|k| k.trim_matches('`')).filter(|k| !k.is_empty()).collect();
        let hint = crate::diag::did_you_mean(key, keys.iter().copied());
        return (format!("unknown key `{key}`; {hint}keys here: {}", keys.join(", ")), "yaml::unknown-key");
    }
    if let Some(rest) = raw.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return (format!("`{key}` is set twice in this mapping"), "yaml::duplicate-key");
    }
    const EXPECTED: [(&str, &str); 8] = [
        ("invalid boolean", "`true` or `false` (`yes`/`no` are not booleans)"),
        ("invalid i64", "a whole number"),
        ("invalid u64", "a whole number"),
        ("invalid f64", "a number"),
        ("expected string", "text (a string)"),
        ("expected sequence", "a list (`[a, b]`, or one `- item` per line)"),
        ("expected mapping", "a mapping (`{key: value}`, or indented `key: value` lines)"),
        ("expected struct", "a mapping (`{key: value}`, or indented `key: value` lines)"),
    ];
    let Some((_, expected)) = EXPECTED.iter().find(|(prefix, _)| raw.starts_with(prefix)) else {
        return (raw.to_string(), "yaml::syntax");
    };
    let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let at: String = line_text.chars().skip(col.saturating_sub(1)).collect();
    let found = match at.trim_start().chars().next() {
        Some('[') => "a list".to_string(),
        Some('{') => "a mapping".to_string(),
        Some('-') if at.trim_start().starts_with("- ") => "a list".to_string(),
        None => "nothing".to_string(),
        Some(_) => {
            let token: String = at.chars().take_while(|c| !matches!(c, ',' | '}' | ']' | '#')).collect();
            let token = token.trim();
            if token.contains(": ") { "a mapping".to_string() } else { format!("`{token}`") }
        }
    };
    // The key whose value this is: the last `key:` before the column on this line, or the key
    // that ends the line above (a block value).
    let before: String = line_text.chars().take(col.saturating_sub(1)).collect();
    let key_of = |s: &str| {
        let s = s.trim_end().strip_suffix(':')?;
        let key = s.rsplit(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '-')).next()?;
        (!key.is_empty()).then(|| key.to_string())
    };
    let key = key_of(&before).or_else(|| text.lines().nth(line.saturating_sub(2)).and_then(key_of));
    let message = match key {
        Some(k) => format!("`{k}` must be {expected}, not {found}"),
        None => format!("expected {expected} here, not {found}"),
    };
    (message, "yaml::type")
}
