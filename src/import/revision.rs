//! A Python Liminal revision file, read as Liminal generates it: a docstring (message,
//! `Revision ID`, `Revises`, `Create Date`), `import liminal.external as b`, the two constants
//! `revision` and `down_revision`, and `def upgrade()` / `def downgrade()` each returning one list
//! of operation calls. Any other top-level code is hand-written Python and is refused at its place
//! (Liminal itself never runs it, but a revision that depends on it cannot be converted).

use std::collections::BTreeSet;
use std::path::Path;

use time::PrimitiveDateTime;
use tree_sitter::Node;

use super::python::{Located, PORT_BY_HAND, PyFile, Value};
use crate::diag::SourceProblem;
use crate::script::is_revision_id;

/// The module operations come from in revision files.
pub(super) const EXTERNAL: &str = "liminal.external";

/// What a Python revision file says, not yet converted.
pub(super) struct PyRevision {
    pub file: PyFile,
    pub id: String,
    pub down_revision: Option<String>,
    pub message: String,
    pub create_date: PrimitiveDateTime,
    /// Where `revision = ...` stands, for chain problems.
    pub id_at: (usize, usize),
    pub upgrade: Vec<Located>,
    pub downgrade: Vec<Located>,
    /// How the file names `liminal.external`: aliases (`b`) and names imported from it.
    pub names: ExternalNames,
}

/// How a revision refers to `liminal.external`.
#[derive(Debug, Clone, Default)]
pub(super) struct ExternalNames {
    /// Module aliases: `b` for `import liminal.external as b`, `liminal.external` for a plain import.
    pub modules: BTreeSet<String>,
    /// Names imported with `from liminal.external import X` (`*` imports all).
    pub names: BTreeSet<String>,
    pub star: bool,
}

impl ExternalNames {
    /// The name inside `liminal.external` that `dotted` refers to, if it refers there.
    pub(super) fn resolve<'a>(&self, dotted: &'a str) -> Option<&'a str> {
        if let Some((module, name)) = dotted.rsplit_once('.') {
            return self.modules.contains(module).then_some(name);
        }
        (self.star || self.names.contains(dotted)).then_some(dotted)
    }
}

/// Read a revision file's structure. A file whose header reads comes back with the problems
/// found in it (and the operation calls that did read), so that the rest of it can still be
/// converted and checked; otherwise every problem found is the error.
pub(super) fn read(path: &Path) -> Result<(PyRevision, Vec<SourceProblem>), Vec<SourceProblem>> {
    let file = PyFile::load(path).map_err(|p| vec![p])?;
    read_file(file)
}

pub(super) fn read_file(file: PyFile) -> Result<(PyRevision, Vec<SourceProblem>), Vec<SourceProblem>> {
    let mut problems = Vec::new();
    let mut docstring: Option<(String, (usize, usize))> = None;
    let mut revision: Option<(String, (usize, usize))> = None;
    let mut down: Option<(Option<String>, (usize, usize))> = None;
    let mut upgrade: Option<Vec<Located>> = None;
    let mut downgrade: Option<Vec<Located>> = None;
    let mut names = ExternalNames::default();
    let root = file.root();
    for (i, node) in file.children(root).into_iter().enumerate() {
        match node.kind() {
            "expression_statement" => {
                let inner = file.children(node);
                match inner.as_slice() {
                    [s] if matches!(s.kind(), "string" | "concatenated_string") => {
                        if i == 0 {
                            match file.value(*s) {
                                Ok(Located { value: Value::Str(text), at }) => docstring = Some((text, at)),
                                Ok(_) => {}
                                Err(p) => problems.push(p),
                            }
                        }
                    }
                    [a] if a.kind() == "assignment" => {
                        if let Err(p) = constant(&file, *a, &mut revision, &mut down) {
                            problems.push(p);
                        }
                    }
                    _ => problems.push(file.unsupported(node, "a top-level statement")),
                }
            }
            "import_statement" => {
                for name in file.children(node) {
                    let (module, alias) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name").and_then(|n| file.dotted(n)),
                            name.child_by_field_name("alias").map(|a| file.text(a).to_string()),
                        ),
                        _ => (file.dotted(name), None),
                    };
                    match module {
                        Some(m) if m == EXTERNAL => {
                            names.modules.insert(alias.unwrap_or(m));
                        }
                        _ => problems.push(file.unsupported(name, "an import of another module")),
                    }
                }
            }
            "import_from_statement" => {
                let module = node.child_by_field_name("module_name").and_then(|m| file.dotted(m));
                if module.as_deref() != Some(EXTERNAL) {
                    problems.push(file.unsupported(node, "an import of another module"));
                    continue;
                }
                for name in file.children(node).into_iter().skip(1) {
                    match name.kind() {
                        "wildcard_import" => names.star = true,
                        "aliased_import" => problems.push(file.unsupported(name, "an import under another name")),
                        _ => {
                            if let Some(n) = file.dotted(name) {
                                names.names.insert(n);
                            }
                        }
                    }
                }
            }
            "future_import_statement" => {}
            "function_definition" => {
                let name = node.child_by_field_name("name").map(|n| file.text(n)).unwrap_or("");
                let slot = match name {
                    "upgrade" => &mut upgrade,
                    "downgrade" => &mut downgrade,
                    _ => {
                        problems.push(file.unsupported(node, "a helper function"));
                        continue;
                    }
                };
                if slot.is_some() {
                    problems.push(file.problem(node, format!("`def {name}()` is defined twice"), PORT_BY_HAND));
                    continue;
                }
                let (ops, found) = operations(&file, node);
                problems.extend(found);
                *slot = Some(ops);
            }
            "class_definition" => problems.push(file.unsupported(node, "a class")),
            "decorated_definition" => problems.push(file.unsupported(node, "a decorated definition")),
            "for_statement" | "while_statement" => problems.push(file.unsupported(node, "a loop")),
            "if_statement" => problems.push(file.unsupported(node, "an `if`")),
            "try_statement" | "with_statement" => problems.push(file.unsupported(node, "a `try`/`with` block")),
            _ => problems.push(file.unsupported(node, "a top-level statement")),
        }
    }
    let start = (1, 1);
    let missing = |what: &str, help: &str| file.problem_at(start, format!("missing {what}"), help.to_string());
    if revision.is_none() {
        problems.push(missing("`revision = \"<id>\"`", "a Liminal revision names its id in `revision = \"…\"`"));
    }
    if down.is_none() {
        problems.push(missing(
            "`down_revision = \"<id>\"` (or `None`)",
            "a Liminal revision names the revision it revises in `down_revision`",
        ));
    }
    for (slot, name) in [(&upgrade, "upgrade"), (&downgrade, "downgrade")] {
        if slot.is_none() {
            problems.push(missing(&format!("`def {name}()`"), "a Liminal revision defines upgrade() and downgrade()"));
        }
    }
    let (message, create_date) = match &docstring {
        None => {
            problems.push(missing(
                "the docstring (message, Revision ID, Revises, Create Date)",
                "Liminal revisions start with a docstring whose first line is the message",
            ));
            (String::new(), None)
        }
        Some((text, at)) => {
            let message = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string();
            match create_date(text) {
                Ok(date) => (message, Some(date)),
                Err(e) => {
                    problems.push(file.problem_at(*at, e, "write `Create Date: YYYY-MM-DD HH:MM:SS` in the docstring"));
                    (message, None)
                }
            }
        }
    };
    let (Some((id, id_at)), Some((down_revision, _)), Some(upgrade), Some(downgrade), Some(create_date)) =
        (revision, down, upgrade, downgrade, create_date)
    else {
        return Err(problems);
    };
    Ok((PyRevision { file, id, down_revision, message, create_date, id_at, upgrade, downgrade, names }, problems))
}

/// `revision = "…"` or `down_revision = "…"|None`.
fn constant(
    file: &PyFile,
    node: Node<'_>,
    revision: &mut Option<(String, (usize, usize))>,
    down: &mut Option<(Option<String>, (usize, usize))>,
) -> Result<(), SourceProblem> {
    let left = node.child_by_field_name("left").map(|l| file.text(l)).unwrap_or("");
    let Some(right) = node.child_by_field_name("right") else {
        return Err(file.unsupported(node, "a declaration without a value"));
    };
    let at = file.at(node);
    let twice = |name: &str| file.problem(node, format!("`{name}` is assigned twice"), PORT_BY_HAND);
    let value = file.value(right)?;
    let id = |s: String| -> Result<String, SourceProblem> {
        if is_revision_id(&s) {
            Ok(s)
        } else {
            Err(file.problem(
                right,
                format!("revision id `{s}` is not 12 lowercase hex characters"),
                "liminal's chain needs ids like Liminal generates (`uuid4().hex[:12]`); rename the revision by hand first",
            ))
        }
    };
    match (left, value.value) {
        ("revision", Value::Str(s)) => {
            if revision.replace((id(s)?, at)).is_some() {
                return Err(twice("revision"));
            }
        }
        ("down_revision", Value::Str(s)) => {
            if down.replace((Some(id(s)?), at)).is_some() {
                return Err(twice("down_revision"));
            }
        }
        ("down_revision", Value::None) => {
            if down.replace((None, at)).is_some() {
                return Err(twice("down_revision"));
            }
        }
        ("revision" | "down_revision", other) => {
            return Err(file.problem(
                right,
                format!("`{left}` must be a string, not {}", other.describe()),
                PORT_BY_HAND,
            ));
        }
        _ => return Err(file.unsupported(node, "a variable")),
    }
    Ok(())
}

/// The calls of `return [op, ...]`, the whole body of `upgrade()`/`downgrade()`: the items that
/// read, and a problem for each that does not.
fn operations(file: &PyFile, function: Node<'_>) -> (Vec<Located>, Vec<SourceProblem>) {
    match list_items(file, function) {
        Ok(items) => {
            let mut ops = Vec::new();
            let mut problems = Vec::new();
            for item in items {
                match file.value(item) {
                    Ok(v) => ops.push(v),
                    Err(p) => problems.push(p),
                }
            }
            (ops, problems)
        }
        Err(p) => (vec![], vec![p]),
    }
}

/// The item nodes of the function's one `return [...]`.
fn list_items<'t>(file: &PyFile, function: Node<'t>) -> Result<Vec<Node<'t>>, SourceProblem> {
    if let Some(params) = function.child_by_field_name("parameters")
        && !file.children(params).is_empty()
    {
        return Err(file.unsupported(params, "parameters of upgrade()/downgrade()"));
    }
    let Some(body) = function.child_by_field_name("body") else {
        return Err(file.unsupported(function, "this function"));
    };
    let mut statements = file.children(body);
    // A docstring may open the body.
    if let Some(first) = statements.first()
        && first.kind() == "expression_statement"
        && file.children(*first).first().is_some_and(|s| s.kind() == "string")
    {
        statements.remove(0);
    }
    match statements.as_slice() {
        [ret] if ret.kind() == "return_statement" => {
            let Some(list) = file.children(*ret).first().copied() else {
                return Err(file.problem(*ret, "`return` without a list of operations", PORT_BY_HAND));
            };
            if list.kind() == "list" {
                Ok(file.children(list))
            } else {
                Err(file.problem(list, "returns something else than a list of operations", PORT_BY_HAND))
            }
        }
        [] => Err(file.problem(body, "an empty function body", PORT_BY_HAND)),
        [first, ..] if first.kind() == "return_statement" => {
            Err(file.unsupported(statements[1], "code after `return`"))
        }
        [first, ..] => Err(file.unsupported(*first, "hand-written Python in the function body")),
    }
}

/// `Create Date: 2026-11-25 19:16:35` from the docstring (fractions of a second are ignored).
fn create_date(doc: &str) -> Result<PrimitiveDateTime, String> {
    let line = doc
        .lines()
        .find_map(|l| l.trim().strip_prefix("Create Date:"))
        .ok_or("the docstring has no `Create Date:` line")?
        .trim();
    let bad = || format!("cannot read the create date `{line}` (expected YYYY-MM-DD HH:MM:SS)");
    let numbers: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(6)
        .map(|n| n.parse::<u32>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [year, month, day, hour, minute, second] = numbers[..] else { return Err(bad()) };
    let month = u8::try_from(month).ok().and_then(|m| time::Month::try_from(m).ok()).ok_or_else(bad)?;
    let small = |n: u32| u8::try_from(n).map_err(|_| bad());
    let year = i32::try_from(year).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(year, month, small(day)?).map_err(|_| bad())?;
    let clock = time::Time::from_hms(small(hour)?, small(minute)?, small(second)?).map_err(|_| bad())?;
    Ok(PrimitiveDateTime::new(date, clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "
'''
Add pizza

Revision ID: 0123456789ab
Revises: None
Create Date: 2026-11-25 19:16:35
'''

import liminal.external as b

# revision identifiers, used by Liminal.
revision = \"0123456789ab\"
down_revision = None

# ### commands auto generated by Liminal - please review (and adjust if needed)! ###
def upgrade() -> list[b.BaseOperation]:
    return [b.CreateDropdown('Toppings', ['A', 'B']),
        b.ArchiveEntitySchemaField('pizza', 'dough', None)]

# ### commands auto generated by Liminal - please review (and adjust if needed)! ###
def downgrade() -> list[b.BaseOperation]:
    return [b.UnarchiveEntitySchemaField('pizza', 'dough', None),
        b.ArchiveDropdown('Toppings')]
";

    #[test]
    fn reads_a_generated_file() {
        let (r, problems) =
            read_file(PyFile::parse(Path::new("0123456789ab_add_pizza.py"), GENERATED).unwrap()).ok().unwrap();
        assert!(problems.is_empty());
        assert_eq!(r.id, "0123456789ab");
        assert_eq!(r.down_revision, None);
        assert_eq!(r.message, "Add pizza");
        assert_eq!(r.create_date.to_string(), "2026-11-25 19:16:35.0");
        assert_eq!((r.upgrade.len(), r.downgrade.len()), (2, 2));
        assert_eq!(r.names.resolve("b.CreateDropdown"), Some("CreateDropdown"));
        assert_eq!(r.names.resolve("CreateDropdown"), None);
    }

    #[test]
    fn hand_written_python_is_located() {
        let text = GENERATED.replace("def upgrade()", "OPS = []\nfor x in OPS:\n    pass\n\ndef upgrade()");
        let (_, problems) = read_file(PyFile::parse(Path::new("x.py"), text).unwrap()).ok().unwrap();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("variable"), "{}", problems[0].message);
        assert_eq!((problems[0].line, problems[0].column), (17, 1));
        assert!(problems[1].message.contains("loop"));
        let text = GENERATED.replace("    return [b.CreateDropdown", "    ops = []\n    return [b.CreateDropdown");
        let (_, problems) = read_file(PyFile::parse(Path::new("x.py"), text).unwrap()).ok().unwrap();
        assert!(problems[0].message.contains("hand-written"), "{}", problems[0].message);
        assert_eq!((problems[0].line, problems[0].column), (18, 5));
    }
}
