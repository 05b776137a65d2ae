//! Rhai errors as located problems: the innermost error of a call chain, at its line and column in
//! the `.rhai` file, with a help line saying what to do.

use std::path::Path;
use std::sync::Arc;

use rhai::{EvalAltResult, ParseError, ParseErrorType, Position};

use super::convert::{CONSTRUCTORS, CallError, Constructor};
use super::engine::line_col;
use crate::diag::SourceProblem;

pub(crate) fn located(
    path: &Path,
    source: &Arc<String>,
    at: (usize, usize),
    message: impl Into<String>,
) -> SourceProblem {
    SourceProblem::new(path, at.0, at.1, message).with_source(source.clone())
}

/// A syntax (or parse-time limit) error.
pub(crate) fn parse_problem(path: &Path, source: &Arc<String>, err: &ParseError) -> SourceProblem {
    let help = match err.err_type() {
        ParseErrorType::VariableUndefined(_) => {
            "a revision function sees only its own variables; declare it inside the function"
        }
        ParseErrorType::Reserved(_) => "`eval` and reserved keywords are not available in revision scripts",
        ParseErrorType::ExprTooDeep => "the expression nests too deeply; split it into variables",
        ParseErrorType::LiteralTooLarge(..) | ParseErrorType::BadInput(_) => {
            "fix the literal or the syntax at this position"
        }
        _ => "fix the syntax; revision scripts are Rhai (https://rhai.rs/book/)",
    };
    located(path, source, line_col(err.position()), format!("syntax error: {}", err.err_type()))
        .with_help(help)
        .with_code("rhai::syntax")
}

/// Strip the "error in function call" wrappers, keeping the innermost error and the first known
/// position on the way down (a native error inside a script function carries its own).
fn innermost(err: EvalAltResult, outer: Position) -> (EvalAltResult, Position) {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) | EvalAltResult::ErrorInModule(_, inner, pos) => {
            innermost(*inner, if pos.is_none() { outer } else { pos })
        }
        mut other => {
            let pos = other.take_position();
            (other, if pos.is_none() { outer } else { pos })
        }
    }
}

/// A run-time error while `upgrade()` or `downgrade()` ran; `fallback` (the function's definition)
/// locates errors that Rhai reports without a position.
pub(crate) fn eval_problem(
    path: &Path,
    source: &Arc<String>,
    err: EvalAltResult,
    fallback: (usize, usize),
) -> SourceProblem {
    let (err, pos) = innermost(err, Position::NONE);
    let mut at = if pos.is_none() { fallback } else { line_col(pos) };
    let code = match &err {
        EvalAltResult::ErrorRuntime(..) => "rhai::call",
        EvalAltResult::ErrorFunctionNotFound(..) => "rhai::unknown-function",
        _ => "rhai::run",
    };
    let (message, help) = match err {
        EvalAltResult::ErrorRuntime(payload, _) => match payload.clone().try_cast::<CallError>() {
            Some(e) => {
                if let Some(key_at) = e.key.as_deref().and_then(|k| key_after(source, at, k)) {
                    at = key_at;
                }
                (e.message, e.help)
            }
            None => (format!("the script threw: {payload}"), "remove the `throw` or the failing call".to_string()),
        },
        EvalAltResult::ErrorFunctionNotFound(signature, _) => function_not_found(&signature),
        EvalAltResult::ErrorTerminated(token, _) => (token.to_string(), "look for a loop that never ends".to_string()),
        EvalAltResult::ErrorTooManyOperations(_) => (
            "the script did too many operations and was stopped".to_string(),
            "look for a loop that never ends".to_string(),
        ),
        EvalAltResult::ErrorStackOverflow(_) => (
            "functions call each other too deeply".to_string(),
            "look for a function that calls itself without end".to_string(),
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => (
            format!("{what} is larger than the sandbox allows"),
            "a revision needs no string, array or map this large; look for a loop that keeps growing one".to_string(),
        ),
        other => (other.to_string(), "fix the script at this position".to_string()),
    };
    located(path, source, at, message).with_help(help).with_code(code)
}

/// Where `key:` is written in the call that starts at `at` (1-based line, column): the first
/// `key` followed by `:` (a map key) after the call's start, within the call's parentheses.
fn key_after(source: &str, at: (usize, usize), key: &str) -> Option<(usize, usize)> {
    let start: usize = source.split_inclusive('\n').take(at.0.saturating_sub(1)).map(str::len).sum();
    let line = source[start..].split('\n').next().unwrap_or("");
    let call = start + line.char_indices().nth(at.1.saturating_sub(1)).map_or(0, |(i, _)| i);
    let text = &source[call..];
    let open = text.find('(')?;
    let (mut depth, mut end) = (0i32, text.len());
    for (i, c) in text.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let body = &text[..end];
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = body[from..].find(key).map(|i| i + from) {
        let before_ok = body[..i].chars().next_back().is_none_or(|c| !ident(c) && c != '"' && c != '.');
        let after = &body[i + key.len()..];
        if before_ok && after.trim_start().starts_with(':') && !after.trim_start().starts_with("::") {
            let offset = call + i;
            let line_no = source[..offset].matches('\n').count() + 1;
            let line_start = source[..offset].rfind('\n').map_or(0, |p| p + 1);
            return Some((line_no, source[line_start..offset].chars().count() + 1));
        }
        from = i + key.len();
    }
    None
}

/// A call of an unknown function, or of a constructor with the wrong number of arguments (the
/// constructors accept any argument types, so a wrong count is the only way to miss them).
fn function_not_found(signature: &str) -> (String, String) {
    let name = signature.split(['(', ' ']).next().unwrap_or(signature).trim();
    if let Some(ctor) = Constructor::find(name) {
        let counts: Vec<String> = ctor.arities().map(|n| n.to_string()).collect();
        return (format!("`{name}` takes {} arguments", counts.join(" or ")), format!("call {}", ctor.signature()));
    }
    let help = match closest(name) {
        Some(c) => format!("did you mean `{}`? call {}", c.name, c.signature()),
        None => "revision scripts can call the operation constructors and Rhai's array, map and string functions"
            .to_string(),
    };
    // Rhai's signature lists its own type names (`&str | ImmutableString | String`): the name
    // and the number of arguments are what a person can act on.
    let args = signature.split_once('(').map_or(0, |(_, rest)| {
        let inner = rest.trim_end().trim_end_matches(')').trim();
        if inner.is_empty() { 0 } else { inner.split(", ").count() }
    });
    let s = if args == 1 { "" } else { "s" };
    (format!("unknown function `{name}` (called with {args} argument{s})"), help)
}

/// The constructor whose name is within a couple of edits of `name`, if any.
fn closest(name: &str) -> Option<&'static Constructor> {
    CONSTRUCTORS
        .iter()
        .map(|c| (edit_distance(name, c.name), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_close_constructor() {
        let (message, help) = function_not_found("archive_feild (&str | ImmutableString | String)");
        assert!(message.starts_with("unknown function"));
        assert!(help.contains("`archive_field`"), "{help}");
        let (message, help) = function_not_found("archive_field (&str)");
        assert_eq!(message, "`archive_field` takes 2 or 3 arguments");
        assert_eq!(help, "call archive_field(schema, field[, index])");
    }
}
