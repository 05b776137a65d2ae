//! A revision's header, read without running anything: the two literal constants
//! `const revision = "…"; const down_revision = "…";` (`()` for the base) from the parsed AST, and
//! the message from the first comment line. `head`, `history` and `check` only need this.

use std::path::Path;
use std::sync::Arc;

use rhai::{AST, Dynamic};

use super::error::located;
use crate::diag::SourceProblem;

/// What a revision says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 12 lowercase hex characters.
    pub revision: String,
    /// `None` for the base revision.
    pub down_revision: Option<String>,
    /// The first comment line, without `//`; empty if the file does not start with a comment.
    pub message: String,
    /// Where `const revision` and `const down_revision` stand (1-based line, column), so that
    /// chain problems can point at them.
    pub revision_at: (usize, usize),
    pub down_revision_at: (usize, usize),
}

/// Whether `s` is a revision id: 12 lowercase hex characters.
pub fn is_revision_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where `const <name>` is declared at the start of a line, as (line, column), 1-based.
fn find_const(text: &str, name: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed.strip_prefix("const")?;
        let after = rest.trim_start().strip_prefix(name)?;
        let ends_name = !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        (rest.starts_with(char::is_whitespace) && ends_name)
            .then(|| (i + 1, line[..line.len() - trimmed.len()].chars().count() + 1))
    })
}

/// The first line's comment text, if the file starts with `//`.
fn first_comment(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    match first.trim_start().strip_prefix("//") {
        Some(rest) => rest.trim().to_string(),
        None => String::new(),
    }
}

pub(crate) fn read_header(path: &Path, source: &Arc<String>, ast: &AST) -> Result<Header, SourceProblem> {
    let at = |name: &str| find_const(source, name).unwrap_or((1, 1));
    let problem = |name: &str, message: String, help: &str| located(path, source, at(name), message).with_help(help);

    let mut revision: Option<Dynamic> = None;
    let mut down: Option<Dynamic> = None;
    for (name, _, value) in ast.iter_literal_variables(true, false) {
        let slot = match name {
            "revision" => &mut revision,
            "down_revision" => &mut down,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(problem(name, format!("`{name}` is declared twice"), "keep one `const` declaration"));
        }
    }

    let revision = match revision {
        None => {
            return Err(problem(
                "revision",
                "missing `const revision = \"<12 hex characters>\";`".into(),
                "the header must declare the revision id as a literal constant at top level",
            ));
        }
        Some(v) => match v.into_immutable_string() {
            Ok(s) if is_revision_id(&s) => s.to_string(),
            Ok(s) => {
                return Err(problem(
                    "revision",
                    format!("revision id `{s}` is not 12 lowercase hex characters"),
                    "use an id like \"c3a9cd009713\"",
                ));
            }
            Err(kind) => {
                return Err(problem(
                    "revision",
                    format!("`revision` must be a string, not {kind}"),
                    "write const revision = \"c3a9cd009713\";",
                ));
            }
        },
    };

    let down_revision = match down {
        None => {
            return Err(problem(
                "down_revision",
                "missing `const down_revision = \"<id>\";` (or `()` for the first revision)".into(),
                "the header must declare the revision it revises as a literal constant at top level",
            ));
        }
        Some(v) if v.is_unit() => None,
        Some(v) => match v.into_immutable_string() {
            Ok(s) if is_revision_id(&s) => Some(s.to_string()),
            Ok(s) => {
                return Err(problem(
                    "down_revision",
                    format!("down_revision `{s}` is not 12 lowercase hex characters"),
                    "name the previous revision's id, or write () for the first revision",
                ));
            }
            Err(kind) => {
                return Err(problem(
                    "down_revision",
                    format!("`down_revision` must be a string or (), not {kind}"),
                    "name the previous revision's id, or write () for the first revision",
                ));
            }
        },
    };

    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !file_name.starts_with(&format!("{revision}_")) {
        return Err(problem(
            "revision",
            format!("revision id `{revision}` does not match the file name `{file_name}`"),
            &format!("name the file `{revision}_<slug>.rhai`, or fix the id"),
        ));
    }

    Ok(Header {
        revision,
        down_revision,
        message: first_comment(source),
        revision_at: at("revision"),
        down_revision_at: at("down_revision"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_twelve_lowercase_hex() {
        assert!(is_revision_id("c3a9cd009713"));
        assert!(!is_revision_id("C3A9CD009713"));
        assert!(!is_revision_id("c3a9cd00971"));
        assert!(!is_revision_id("c3a9cd00971g"));
    }

    #[test]
    fn finds_constants_and_message() {
        let text = "// Add a thing\n//\nconst revision = \"x\";\n  const down_revision = ();\nconst revisions = 1;";
        assert_eq!(find_const(text, "revision"), Some((3, 1)));
        assert_eq!(find_const(text, "down_revision"), Some((4, 3)));
        assert_eq!(first_comment(text), "Add a thing");
        assert_eq!(first_comment("const x = 1;"), "");
    }
}
