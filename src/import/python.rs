//! Reading Python without running it: a file parsed by tree-sitter-python, and the literal
//! expressions Liminal's generated files are made of (strings, numbers, booleans, `None`, lists,
//! sets, tuples, dicts, dotted names and calls) as [`Value`]s. Anything else (a variable, an
//! operator, a comprehension, an f-string) is a [`SourceProblem`] at its line and column naming
//! the construct.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tree_sitter::{Node, Parser, Tree};

use crate::diag::SourceProblem;

/// What to say under every problem a Python file gives.
pub(super) const PORT_BY_HAND: &str =
    "the importer reads only what Liminal generates; port this part by hand (or simplify the Python to literals)";

/// A parsed Python file.
pub(crate) struct PyFile {
    pub path: PathBuf,
    pub source: Arc<String>,
    tree: Tree,
}

/// A literal value with the place it starts (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    pub value: Value,
    pub at: (usize, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Located>),
    /// A set display `{a, b}` or `set()`/`set([...])`.
    Set(Vec<Located>),
    Tuple(Vec<Located>),
    Dict(Vec<(Located, Located)>),
    /// A dotted name: `Toppings`, `b.BenchlingFieldType.TEXT`.
    Name(String),
    /// `func(args..., key=value...)`; `func` is a dotted name.
    Call {
        func: String,
        args: Vec<Located>,
        kwargs: Vec<(String, Located)>,
    },
}

impl Value {
    /// How the value is named in messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Bool(_) => "a boolean".into(),
            Value::Int(_) => "a number".into(),
            Value::Str(_) => "a string".into(),
            Value::List(_) => "a list".into(),
            Value::Set(_) => "a set".into(),
            Value::Tuple(_) => "a tuple".into(),
            Value::Dict(_) => "a dict".into(),
            Value::Name(n) => format!("`{n}`"),
            Value::Call { func, .. } => format!("a call of `{func}`"),
        }
    }
}

impl PyFile {
    /// Read and parse; a syntax error is a problem at its place.
    pub(crate) fn load(path: &Path) -> Result<PyFile, SourceProblem> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SourceProblem::new(path, 1, 1, format!("cannot read {}: {e}", path.display()))
                .with_help("check that the file exists and is UTF-8 text")
        })?;
        PyFile::parse(path, text)
    }

    pub(crate) fn parse(path: &Path, text: impl Into<String>) -> Result<PyFile, SourceProblem> {
        let source = Arc::new(text.into());
        let mut parser = Parser::new();
        parser.set_language(&tree_sitter_python::LANGUAGE.into()).map_err(|e| {
            SourceProblem::new(path, 1, 1, format!("cannot load the Python grammar: {e}"))
                .with_help("this is a bug in liminal; please report it")
        })?;
        let tree = parser.parse(source.as_bytes(), None).ok_or_else(|| {
            SourceProblem::new(path, 1, 1, "the Python parser gave up on this file").with_help(PORT_BY_HAND)
        })?;
        let file = PyFile { path: path.to_path_buf(), source, tree };
        if let Some(bad) = first_error(file.tree.root_node()) {
            let what = if bad.is_missing() { format!("missing `{}`", bad.kind()) } else { "invalid syntax".into() };
            return Err(file.problem(
                bad,
                format!("Python syntax error: {what}"),
                "fix the file so Python can read it",
            ));
        }
        Ok(file)
    }

    pub(crate) fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    /// 1-based line and column (in characters) where `node` starts.
    pub(crate) fn at(&self, node: Node<'_>) -> (usize, usize) {
        let p = node.start_position();
        let line = self.source.lines().nth(p.row).unwrap_or("");
        let column = line.get(..p.column.min(line.len())).map_or(p.column, |s| s.chars().count());
        (p.row + 1, column + 1)
    }

    pub(crate) fn text(&self, node: Node<'_>) -> &str {
        node.utf8_text(self.source.as_bytes()).unwrap_or("")
    }

    pub(crate) fn problem_at(
        &self,
        at: (usize, usize),
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> SourceProblem {
        SourceProblem::new(&self.path, at.0, at.1, message).with_help(help).with_source(self.source.clone())
    }

    pub(crate) fn problem(&self, node: Node<'_>, message: impl Into<String>, help: impl Into<String>) -> SourceProblem {
        self.problem_at(self.at(node), message, help)
    }

    /// A construct the importer does not convert.
    pub(crate) fn unsupported(&self, node: Node<'_>, what: &str) -> SourceProblem {
        self.problem(node, format!("cannot convert {what} (`{}`)", snippet(self.text(node))), PORT_BY_HAND)
    }

    /// The named children that are not comments.
    pub(crate) fn children<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut cursor = node.walk();
        node.named_children(&mut cursor).filter(|c| c.kind() != "comment").collect()
    }

    /// A dotted name (`a`, `a.b.c`) or `None` when `node` is not one.
    pub(crate) fn dotted(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "identifier" => Some(self.text(node).to_string()),
            "attribute" => {
                let object = self.dotted(node.child_by_field_name("object")?)?;
                let attribute = node.child_by_field_name("attribute")?;
                Some(format!("{object}.{}", self.text(attribute)))
            }
            "dotted_name" => Some(self.children(node).iter().map(|c| self.text(*c)).collect::<Vec<_>>().join(".")),
            _ => None,
        }
    }

    /// A literal expression as a value.
    pub(crate) fn value(&self, node: Node<'_>) -> Result<Located, SourceProblem> {
        self.value_in(node, 0)
    }

    /// [`PyFile::value`] of an expression `depth` containers or calls deep: bounded, so that a
    /// crafted file cannot exhaust the stack (Liminal's files nest a few levels).
    fn value_in(&self, node: Node<'_>, depth: usize) -> Result<Located, SourceProblem> {
        if depth > MAX_DEPTH {
            return Err(self.problem(
                node,
                format!("this expression nests more than {MAX_DEPTH} levels deep"),
                PORT_BY_HAND,
            ));
        }
        let at = self.at(node);
        let depth = depth + 1;
        let items = |node: Node<'_>| -> Result<Vec<Located>, SourceProblem> {
            self.children(node).into_iter().map(|c| self.value_in(c, depth)).collect()
        };
        let value = match node.kind() {
            "none" => Value::None,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "integer" => Value::Int(self.integer(node, false)?),
            "unary_operator" => {
                let operand =
                    node.child_by_field_name("argument").ok_or_else(|| self.unsupported(node, "an operator"))?;
                let op = node.child_by_field_name("operator").map(|o| self.text(o)).unwrap_or("");
                if operand.kind() != "integer" || !matches!(op, "-" | "+") {
                    return Err(self.unsupported(node, "an operator"));
                }
                Value::Int(self.integer(operand, op == "-")?)
            }
            "string" => Value::Str(self.string(node)?),
            "concatenated_string" => {
                let mut s = String::new();
                for part in self.children(node) {
                    s.push_str(&self.string(part)?);
                }
                Value::Str(s)
            }
            "list" => Value::List(items(node)?),
            "set" => Value::Set(items(node)?),
            "tuple" => Value::Tuple(items(node)?),
            "parenthesized_expression" => match self.children(node).as_slice() {
                [inner] => return self.value_in(*inner, depth).map(|v| Located { at, ..v }),
                _ => return Err(self.unsupported(node, "an expression")),
            },
            "dictionary" => {
                let mut pairs = Vec::new();
                for pair in self.children(node) {
                    let (Some(k), Some(v)) = (pair.child_by_field_name("key"), pair.child_by_field_name("value"))
                    else {
                        return Err(self.unsupported(pair, "a dict entry"));
                    };
                    pairs.push((self.value_in(k, depth)?, self.value_in(v, depth)?));
                }
                Value::Dict(pairs)
            }
            "identifier" | "attribute" => match self.dotted(node) {
                Some(name) => Value::Name(name),
                None => return Err(self.unsupported(node, "an expression")),
            },
            "call" => self.call(node, depth)?,
            "float" => return Err(self.unsupported(node, "a floating-point number")),
            "binary_operator" | "boolean_operator" | "comparison_operator" | "not_operator" => {
                return Err(self.unsupported(node, "an operator"));
            }
            "subscript" => return Err(self.unsupported(node, "a subscript")),
            "list_comprehension" | "set_comprehension" | "dictionary_comprehension" | "generator_expression" => {
                return Err(self.unsupported(node, "a comprehension"));
            }
            "lambda" => return Err(self.unsupported(node, "a lambda")),
            "conditional_expression" => return Err(self.unsupported(node, "a conditional expression")),
            "list_splat" | "dictionary_splat" => return Err(self.unsupported(node, "an unpacking (`*`/`**`)")),
            other => return Err(self.unsupported(node, &format!("a Python {}", other.replace('_', " ")))),
        };
        Ok(Located { value, at })
    }

    fn call(&self, node: Node<'_>, depth: usize) -> Result<Value, SourceProblem> {
        let function = node.child_by_field_name("function").ok_or_else(|| self.unsupported(node, "a call"))?;
        let func = self.dotted(function).ok_or_else(|| self.unsupported(function, "a call of a computed function"))?;
        let arguments = node.child_by_field_name("arguments").ok_or_else(|| self.unsupported(node, "a call"))?;
        if arguments.kind() != "argument_list" {
            return Err(self.unsupported(arguments, "a call with a generator argument"));
        }
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        for a in self.children(arguments) {
            if a.kind() == "keyword_argument" {
                let (Some(name), Some(value)) = (a.child_by_field_name("name"), a.child_by_field_name("value")) else {
                    return Err(self.unsupported(a, "an argument"));
                };
                kwargs.push((self.text(name).to_string(), self.value_in(value, depth)?));
            } else if !kwargs.is_empty() {
                return Err(self.problem(a, "a positional argument after keyword arguments", PORT_BY_HAND));
            } else {
                args.push(self.value_in(a, depth)?);
            }
        }
        // `set()` and `set([...])` are sets.
        if func == "set" && kwargs.is_empty() {
            return match args.as_slice() {
                [] => Ok(Value::Set(vec![])),
                [Located { value: Value::List(items) | Value::Tuple(items) | Value::Set(items), .. }] => {
                    Ok(Value::Set(items.clone()))
                }
                _ => Err(self.unsupported(node, "a call of `set`")),
            };
        }
        Ok(Value::Call { func, args, kwargs })
    }

    fn integer(&self, node: Node<'_>, negative: bool) -> Result<i64, SourceProblem> {
        let text = self.text(node).replace('_', "");
        let parsed = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            i64::from_str_radix(hex, 16)
        } else {
            text.parse::<i64>()
        };
        let n = parsed.map_err(|_| self.unsupported(node, "this number"))?;
        Ok(if negative { -n } else { n })
    }

    /// A string literal's value: prefixes `r`/`u` and the escapes of Python's string literals.
    fn string(&self, node: Node<'_>) -> Result<String, SourceProblem> {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        if children.iter().any(|c| c.kind() == "interpolation") {
            return Err(self.unsupported(node, "an f-string"));
        }
        let (Some(start), Some(end)) = (children.first(), children.last()) else {
            return Err(self.unsupported(node, "a string"));
        };
        let opening = self.text(*start);
        let prefix: String = opening.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_lowercase();
        if prefix.contains('b') {
            return Err(self.unsupported(node, "a bytes literal"));
        }
        if prefix.contains('f') {
            return Err(self.unsupported(node, "an f-string"));
        }
        let raw = &self.source[start.end_byte()..end.start_byte()];
        if prefix.contains('r') {
            return Ok(raw.to_string());
        }
        unescape(raw).map_err(|e| self.problem(node, format!("cannot read this string: {e}"), PORT_BY_HAND))
    }
}

/// How deep [`PyFile::value`] reads nested containers and calls.
const MAX_DEPTH: usize = 64;

/// The first syntax error or missing token in the tree (a loop, not a recursion: a file may
/// nest deeper than the stack allows).
fn first_error(node: Node<'_>) -> Option<Node<'_>> {
    if !node.has_error() {
        return None;
    }
    let mut at = node;
    loop {
        if at.is_error() || at.is_missing() {
            return Some(at);
        }
        let mut cursor = at.walk();
        let next = at.children(&mut cursor).find(|c| c.has_error() || c.is_missing());
        match next {
            Some(child) => at = child,
            None => return Some(at),
        }
    }
}

/// Every node under `node` (itself included) that `descend` lets the walk go into, in document
/// order, without recursion (a file may nest deeper than the stack allows).
pub(crate) fn walk<'t>(file: &PyFile, node: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if visit(n) {
            let mut children = file.children(n);
            children.reverse();
            stack.extend(children);
        }
    }
}

/// The start of a construct's text, for messages.
fn snippet(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(60).collect::<String>())
    } else if text.lines().nth(1).is_some() {
        format!("{line} …")
    } else {
        line.to_string()
    }
}

/// Python's escapes in a non-raw string literal.
fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else { return Err("a lone backslash at the end".into()) };
        let mut hex = |n: usize| -> Result<char, String> {
            let digits: String = (0..n).filter_map(|_| chars.next()).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .filter(|_| digits.len() == n)
                .and_then(char::from_u32)
                .ok_or_else(|| format!("bad escape `\\{e}{digits}`"))
        };
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            'x' => out.push(hex(2)?),
            'u' => out.push(hex(4)?),
            'U' => out.push(hex(8)?),
            '0'..='7' => {
                let mut n = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            n = n * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n).ok_or_else(|| format!("bad escape `\\{e}`"))?);
            }
            'N' => return Err("named escapes (`\\N{...}`) are not supported".into()),
            other => {
                // Python keeps unknown escapes as they are.
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(expr: &str) -> Result<Value, SourceProblem> {
        let file = PyFile::parse(Path::new("t.py"), format!("x = {expr}\n"))?;
        let assignment = file.children(file.children(file.root())[0])[0];
        let right = assignment.child_by_field_name("right").unwrap();
        file.value(right).map(|v| v.value)
    }

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn strings_with_escapes_and_prefixes() {
        assert_eq!(value_of(r#"'a\'b\n\x41\u00e9\101\\q\z'"#).unwrap(), s("a'b\nAéA\\q\\z"));
        assert_eq!(value_of(r#"r'a\n'"#).unwrap(), s("a\\n"));
        assert_eq!(value_of(r#""Bob's" ' "x"'"#).unwrap(), s("Bob's \"x\""));
        assert_eq!(value_of("'''multi\nline'''").unwrap(), s("multi\nline"));
        assert_eq!(value_of("u'ü'").unwrap(), s("ü"));
        assert!(value_of("f'{x}'").is_err());
        assert!(value_of("b'x'").is_err());
    }

    #[test]
    fn containers_calls_and_names() {
        let v = value_of("b.Call('a', [1, -2], {True, None}, k=b.E.M, s=set())").unwrap();
        let Value::Call { func, args, kwargs } = v else { panic!() };
        assert_eq!(func, "b.Call");
        assert_eq!(args.len(), 3);
        assert_eq!(
            args[1].value,
            Value::List(vec![
                Located { value: Value::Int(1), at: (1, 18) },
                Located { value: Value::Int(-2), at: (1, 21) }
            ])
        );
        assert_eq!(kwargs[0], ("k".into(), Located { value: Value::Name("b.E.M".into()), at: (1, 42) }));
        assert_eq!(kwargs[1].1.value, Value::Set(vec![]));
    }

    #[test]
    fn other_constructs_are_located_errors() {
        let e = value_of("[1, a + 2]").unwrap_err();
        assert_eq!((e.line, e.column), (1, 9));
        assert!(e.message.contains("operator"), "{}", e.message);
        assert!(value_of("[x for x in y]").unwrap_err().message.contains("comprehension"));
        let e = PyFile::parse(Path::new("t.py"), "def f(:\n").err().unwrap();
        assert!(e.message.contains("syntax"), "{}", e.message);
    }
}
