//! Revision scripts: Rhai files whose `upgrade()` and `downgrade()` return lists of operations.
//!
//! - [`Script::parse`] compiles a file once and reads its [`Header`] without running anything;
//! - [`Script::ops`] runs `upgrade()` or `downgrade()` in the sandbox ([`ScriptEngine`]) and
//!   returns the operations, each with the position of the call that built it;
//! - [`render`] writes a revision file from operations.
//!
//! Every problem is a [`SourceProblem`] at a line and column of the `.rhai` file.

mod convert;
mod engine;
mod error;
mod header;
mod render;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::{AST, Array};

use crate::diag::SourceProblem;
use crate::op::Op;

pub use engine::{Limits, ScriptEngine};
pub use header::{Header, is_revision_id};
pub use render::{RevisionText, WIDTH, one_line, quote, render, render_call};

/// Which function of a revision to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl Direction {
    /// The script function's name.
    pub fn function(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.function())
    }
}

/// An operation and where in the script it was built (1-based line and column of the call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedOp {
    pub op: Op,
    pub line: usize,
    pub column: usize,
}

/// A parsed revision file. Parsing checks the syntax, the header and that `upgrade()` and
/// `downgrade()` exist; nothing runs until [`Script::ops`].
#[derive(Debug, Clone)]
pub struct Script {
    path: PathBuf,
    source: Arc<String>,
    ast: AST,
    header: Header,
}

impl Script {
    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<Script, SourceProblem> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SourceProblem::unlocated(path, format!("cannot read the revision: {e}"))
                .with_help("check that the file exists and is UTF-8 text")
        })?;
        Script::parse(path, text)
    }

    /// Parse `text` as the file at `path` (the name must start with the revision id).
    pub fn parse(path: &Path, text: impl Into<String>) -> Result<Script, SourceProblem> {
        Script::parse_with(ScriptEngine::shared(), path, text)
    }

    pub fn parse_with(engine: &ScriptEngine, path: &Path, text: impl Into<String>) -> Result<Script, SourceProblem> {
        let source = Arc::new(text.into());
        let ast = engine.compile(&source).map_err(|e| error::parse_problem(path, &source, &e))?;
        let header = header::read_header(path, &source, &ast)?;
        for direction in [Direction::Upgrade, Direction::Downgrade] {
            let name = direction.function();
            let found = ast.iter_functions().find(|f| f.name == name);
            if !found.as_ref().is_some_and(|f| f.params.is_empty()) {
                let message = match found {
                    Some(_) => format!("`fn {name}()` must take no parameters"),
                    None => format!("missing `fn {name}()`"),
                };
                return Err(error::located(path, &source, function_at(&source, name), message)
                    .with_help(format!("define fn {name}() {{ [ ... ] }} returning a list of operations")));
            }
        }
        Ok(Script { path: path.to_path_buf(), source, ast, header })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn source(&self) -> &Arc<String> {
        &self.source
    }

    /// Run `upgrade()` or `downgrade()` in the shared sandbox.
    pub fn ops(&self, direction: Direction) -> Result<Vec<LocatedOp>, SourceProblem> {
        self.ops_with(ScriptEngine::shared(), direction)
    }

    /// Run `upgrade()` or `downgrade()` in `engine`. The file's top-level code does not run.
    pub fn ops_with(&self, engine: &ScriptEngine, direction: Direction) -> Result<Vec<LocatedOp>, SourceProblem> {
        let name = direction.function();
        let at = function_at(&self.source, name);
        let result = engine.call(&self.ast, name).map_err(|e| error::eval_problem(&self.path, &self.source, *e, at))?;
        let wrong = |message: String| {
            error::located(&self.path, &self.source, at, message)
                .with_help(format!("{name}() must end with a list of operations, e.g. [archive_schema(\"x\")]"))
        };
        let type_name = engine.type_name(&result);
        let items = result
            .try_cast::<Array>()
            .ok_or_else(|| wrong(format!("{name}() returned {type_name}, not an array of operations")))?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let type_name = engine.type_name(&item);
                item.try_cast::<LocatedOp>()
                    .ok_or_else(|| wrong(format!("item {} of {name}()'s list is {type_name}, not an operation", i + 1)))
            })
            .collect()
    }
}

/// Where `fn <name>` is defined (1-based line, column), or the start of the file.
fn function_at(text: &str, name: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, line)| {
            let trimmed = line.trim_start();
            let rest = trimmed.strip_prefix("fn")?.trim_start().strip_prefix(name)?;
            (!rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
                .then(|| (i + 1, line[..line.len() - trimmed.len()].chars().count() + 1))
        })
        .unwrap_or((1, 1))
}
