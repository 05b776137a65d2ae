//! A Python Liminal models package as a [`CodeModel`]: the package `liminal/env.py` imports,
//! followed through its imports (`from .dropdowns import *`, `from pkg.x import Y`), read for
//! `BaseDropdown` classes (`__benchling_name__`, `__allowed_values__`) and `BaseModel` classes
//! (`__schema_properties__ = SchemaProperties(...)`, `__name_template__ = NameTemplate(...)`,
//! `attr: SqlColumn = Column(...)`). Nothing is run; everything else in the files (relationships,
//! `__init__` methods, other imports) is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::props::schema_props;
use super::python::{Located, PORT_BY_HAND, PyFile, Value};
use super::reader::{Kwargs, Reader};
use super::revision::ExternalNames;
use crate::diag::SourceProblem;
use crate::schema::rules::{self, FieldProperty as Has};
use crate::schema::{CodeModel, DropdownDef, FieldDef, FieldType, NameTemplate, SchemaDef};

/// `Column`'s parameters in order (liminal.orm.column).
const COLUMN_PARAMS: &[&str] = &[
    "name",
    "type",
    "required",
    "is_multi",
    "parent_link",
    "tooltip",
    "dropdown",
    "entity_link",
    "unit_name",
    "decimal_places",
    "_warehouse_name",
    "_archived",
];

/// The local modules `env.py` imports (`from pizza_models import *`), in import order. An import
/// inside an `if`/`try` means env.py picks its models at run time: then `--models` must say which.
pub(super) fn models_modules(root: &Path, env: &PyFile, chosen: Option<&str>) -> Result<Vec<String>, SourceProblem> {
    if let Some(m) = chosen {
        if resolve(root, m).is_none() {
            return Err(SourceProblem::new(
                &root.join("liminal/env.py"),
                1,
                1,
                format!("module `{m}` (from --models) is not a .py file or package under {}", root.display()),
            )
            .with_help("name the models package as env.py imports it, e.g. --models pizza_models.v2"));
        }
        return Ok(vec![m.to_string()]);
    }
    let mut found = Vec::new();
    let mut conditional = None;
    walk_imports(env, env.root(), &mut |node, module| {
        if resolve(root, &module).is_some() && !found.contains(&module) {
            found.push(module);
            let mut parent = node.parent();
            while let Some(p) = parent {
                if matches!(p.kind(), "if_statement" | "try_statement" | "function_definition" | "with_statement") {
                    conditional.get_or_insert(p);
                }
                parent = p.parent();
            }
        }
    });
    if let Some(node) = conditional {
        return Err(env.problem(
            node,
            format!("env.py chooses its models at run time (it imports {})", found.join(", ")),
            "say which models package to read with `--models <module>`",
        ));
    }
    if found.is_empty() {
        return Err(env.problem_at(
            (1, 1),
            format!("env.py imports no models package found under {}", root.display()),
            "env.py should import the models (`from my_models import *`), or name them with `--models <module>`",
        ));
    }
    Ok(found)
}

/// Every import statement under `node`, with the module it names.
fn walk_imports<'t>(file: &PyFile, node: Node<'t>, visit: &mut dyn FnMut(Node<'t>, String)) {
    super::python::walk(file, node, |node| match node.kind() {
        "import_from_statement" => {
            if let Some(m) = node.child_by_field_name("module_name").and_then(|m| file.dotted(m)) {
                visit(node, m);
            }
            false
        }
        "import_statement" => {
            for name in file.children(node) {
                let module = match name.kind() {
                    "aliased_import" => name.child_by_field_name("name").and_then(|n| file.dotted(n)),
                    _ => file.dotted(name),
                };
                if let Some(m) = module {
                    visit(node, m);
                }
            }
            false
        }
        _ => true,
    });
}

/// The file of a dotted module under `root`: `a/b.py` or `a/b/__init__.py`.
fn resolve(root: &Path, module: &str) -> Option<PathBuf> {
    if module.is_empty() || module.split('.').any(|p| p.is_empty() || p.contains(['/', '\\'])) {
        return None;
    }
    let base = module.split('.').fold(root.to_path_buf(), |p, part| p.join(part));
    let file = base.with_extension("py");
    if file.is_file() {
        return Some(file);
    }
    let init = base.join("__init__.py");
    init.is_file().then_some(init)
}

/// A class as read, before dropdown references are resolved.
struct RawClass {
    file: usize,
    name: String,
    kind: ClassKind,
}

enum ClassKind {
    Dropdown { benchling_name: Option<Located>, values: Option<Located>, at: (usize, usize) },
    Schema { props: Located, template: Option<Located>, columns: Vec<(String, Located)> },
}

/// Reads the models package.
pub(super) struct Models {
    root: PathBuf,
    files: Vec<PyFile>,
    seen: BTreeSet<PathBuf>,
    classes: Vec<RawClass>,
    problems: Vec<SourceProblem>,
}

impl Models {
    /// Read `modules` (and what they import) under `root`.
    pub(super) fn read(root: &Path, modules: &[String]) -> Models {
        let mut m = Models {
            root: root.to_path_buf(),
            files: vec![],
            seen: BTreeSet::new(),
            classes: vec![],
            problems: vec![],
        };
        for module in modules {
            m.module(module);
        }
        m
    }

    fn module(&mut self, module: &str) {
        let Some(path) = resolve(&self.root, module) else { return };
        if !self.seen.insert(path.clone()) {
            return;
        }
        let file = match PyFile::load(&path) {
            Ok(f) => f,
            Err(p) => {
                self.problems.push(p);
                return;
            }
        };
        let is_package = path.file_name().is_some_and(|n| n == "__init__.py");
        let index = self.files.len();
        self.files.push(file);
        let top: Vec<(String, Vec<String>, (usize, usize))> = {
            let file = &self.files[index];
            let mut out = Vec::new();
            let mut found = Found {
                index,
                classes: &mut self.classes,
                problems: &mut self.problems,
                columns: vec!["Column".to_string()],
            };
            for node in file.children(file.root()) {
                found.statement(file, node, module, is_package, &mut out);
            }
            out
        };
        for (module, names, _) in top {
            // `from pkg import sub` may name submodules; otherwise the module itself.
            let mut any = false;
            for n in &names {
                let sub = format!("{module}.{n}");
                if resolve(&self.root, &sub).is_some() {
                    self.module(&sub);
                    any = true;
                }
            }
            if !any || names.is_empty() {
                self.module(&module);
            }
        }
    }

    /// The code model, dropdowns by name and schemas by warehouse name; or every problem found.
    pub(super) fn convert(self) -> (CodeModel, Vec<SourceProblem>) {
        let mut problems = self.problems;
        let names = ExternalNames::default();
        let mut dropdown_names: BTreeMap<String, String> = BTreeMap::new();
        let mut model = CodeModel::default();
        for class in &self.classes {
            let reader = Reader { file: &self.files[class.file], names: &names };
            if let ClassKind::Dropdown { benchling_name, values, at } = &class.kind {
                let result = (|| {
                    let name = benchling_name.as_ref().ok_or_else(|| {
                        reader.file.problem_at(
                            *at,
                            format!("dropdown class `{}` has no `__benchling_name__`", class.name),
                            PORT_BY_HAND,
                        )
                    })?;
                    let name = reader.string(name, "__benchling_name__")?;
                    let options = match values {
                        Some(v) => reader.strings(v, "__allowed_values__")?,
                        None => vec![],
                    };
                    Ok::<_, SourceProblem>(DropdownDef { name, options })
                })();
                match result {
                    Ok(d) => {
                        dropdown_names.insert(class.name.clone(), d.name.clone());
                        model.dropdowns.push(d);
                    }
                    Err(p) => problems.push(p),
                }
            }
        }
        for class in &self.classes {
            let reader = Reader { file: &self.files[class.file], names: &names };
            if let ClassKind::Schema { props, template, columns } = &class.kind {
                match schema(&reader, props, template.as_ref(), columns, &dropdown_names) {
                    Ok(s) => model.schemas.push(s),
                    Err(p) => problems.push(p),
                }
            }
        }
        model.dropdowns.sort_by(|a, b| a.name.cmp(&b.name));
        model.schemas.sort_by(|a, b| a.props.warehouse_name.cmp(&b.props.warehouse_name));
        (model, problems)
    }
}

/// Where a file's classes and problems go while it is read.
struct Found<'m> {
    index: usize,
    classes: &'m mut Vec<RawClass>,
    problems: &'m mut Vec<SourceProblem>,
    /// The names `Column` goes by in this file (`from liminal.orm.column import Column as C`).
    columns: Vec<String>,
}

impl Found<'_> {
    /// Collect imports (into `imports`) and classes of one top-level statement.
    fn statement(
        &mut self,
        file: &PyFile,
        node: Node<'_>,
        module: &str,
        is_package: bool,
        imports: &mut Vec<(String, Vec<String>, (usize, usize))>,
    ) {
        match node.kind() {
            "import_from_statement" => {
                let Some(m) = node.child_by_field_name("module_name") else { return };
                let name = if m.kind() == "relative_import" {
                    let text = file.text(m);
                    let dots = text.chars().take_while(|c| *c == '.').count();
                    let rest = text[dots..].trim();
                    let mut parts: Vec<&str> = module.split('.').collect();
                    let up = if is_package { dots - 1 } else { dots };
                    if up > parts.len() {
                        return;
                    }
                    parts.truncate(parts.len() - up);
                    if !rest.is_empty() {
                        parts.push(rest);
                    }
                    parts.join(".")
                } else {
                    match file.dotted(m) {
                        Some(n) => n,
                        None => return,
                    }
                };
                let mut cursor = node.walk();
                for n in node.children_by_field_name("name", &mut cursor) {
                    let original = n.child_by_field_name("name").and_then(|o| file.dotted(o));
                    if n.kind() == "aliased_import"
                        && matches!(name.as_str(), "liminal.orm.column" | "liminal.orm")
                        && original.as_deref() == Some("Column")
                        && let Some(alias) = n.child_by_field_name("alias")
                    {
                        self.columns.push(file.text(alias).to_string());
                    }
                }
                let mut cursor = node.walk();
                let names: Vec<String> = node
                    .children_by_field_name("name", &mut cursor)
                    .filter_map(|n| match n.kind() {
                        "aliased_import" => n.child_by_field_name("name").and_then(|n| file.dotted(n)),
                        _ => file.dotted(n),
                    })
                    .collect();
                imports.push((name, names, file.at(node)));
            }
            "import_statement" => {
                for name in file.children(node) {
                    let m = match name.kind() {
                        "aliased_import" => name.child_by_field_name("name").and_then(|n| file.dotted(n)),
                        _ => file.dotted(name),
                    };
                    if let Some(m) = m {
                        imports.push((m, vec![], file.at(node)));
                    }
                }
            }
            "decorated_definition" => {
                if let Some(def) = node.child_by_field_name("definition") {
                    self.statement(file, def, module, is_package, imports);
                }
            }
            "class_definition" => self.class(file, node),
            _ => {}
        }
    }

    fn class(&mut self, file: &PyFile, node: Node<'_>) {
        let name = node.child_by_field_name("name").map(|n| file.text(n).to_string()).unwrap_or_default();
        let supers: Vec<String> = node
            .child_by_field_name("superclasses")
            .map(|s| file.children(s).into_iter().filter_map(|c| file.dotted(c)).collect())
            .unwrap_or_default();
        let is = |base: &str| supers.iter().any(|s| s.rsplit('.').next() == Some(base));
        let Some(body) = node.child_by_field_name("body") else { return };
        let mut assignments: Vec<(String, Node<'_>, Node<'_>)> = Vec::new();
        for statement in file.children(body) {
            if statement.kind() != "expression_statement" {
                continue;
            }
            for a in file.children(statement) {
                if a.kind() != "assignment" {
                    continue;
                }
                if let (Some(left), Some(right)) = (a.child_by_field_name("left"), a.child_by_field_name("right"))
                    && left.kind() == "identifier"
                {
                    assignments.push((file.text(left).to_string(), right, a));
                }
            }
        }
        let mut problems = Vec::new();
        let mut value = |node: Node<'_>| match file.value(node) {
            Ok(v) => Some(v),
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let kind = if is("BaseDropdown") {
            let mut benchling_name = None;
            let mut values = None;
            for (left, right, _) in &assignments {
                match left.as_str() {
                    "__benchling_name__" => benchling_name = value(*right),
                    "__allowed_values__" => values = value(*right),
                    _ => {}
                }
            }
            Some(ClassKind::Dropdown { benchling_name, values, at: file.at(node) })
        } else if let Some((_, props, _)) = assignments.iter().find(|(l, _, _)| l == "__schema_properties__") {
            let props = value(*props);
            let template =
                assignments.iter().find(|(l, _, _)| l == "__name_template__").and_then(|(_, r, _)| value(*r));
            let mut columns = Vec::new();
            for (left, right, _) in &assignments {
                let is_column = right.kind() == "call"
                    && right
                        .child_by_field_name("function")
                        .and_then(|f| file.dotted(f))
                        .is_some_and(|f| f.rsplit('.').next().is_some_and(|f| self.columns.iter().any(|c| c == f)));
                if is_column && let Some(v) = value(*right) {
                    columns.push((left.clone(), v));
                }
            }
            props.map(|props| ClassKind::Schema { props, template, columns })
        } else {
            None
        };
        self.problems.extend(problems);
        if let Some(kind) = kind {
            self.classes.push(RawClass { file: self.index, name, kind });
        }
    }
}

fn schema(
    reader: &Reader<'_>,
    props: &Located,
    template: Option<&Located>,
    columns: &[(String, Located)],
    dropdowns: &BTreeMap<String, String>,
) -> Result<SchemaDef, SourceProblem> {
    let k = reader.kwargs(props, "__schema_properties__", &["SchemaProperties"], &schema_props())?;
    let p = reader.schema_props(&k)?;
    let archived = match k.get("_archived") {
        Some(v) if v.value != Value::None => reader.bool(v, "_archived")?,
        _ => false,
    };
    let name_template = match template {
        None => NameTemplate::default(),
        Some(t) => {
            let (parts, order) = reader.template_keys(t)?;
            NameTemplate { parts: parts.unwrap_or_default(), order_name_parts_by_sequence: order.unwrap_or(false) }
        }
    };
    let fields = columns.iter().map(|(attr, c)| column(reader, attr, c, dropdowns)).collect::<Result<_, _>>()?;
    Ok(SchemaDef { props: p, name_template, archived, fields })
}

/// `attr: SqlColumn = Column(...)`, with Liminal's rule that properties the type does not take
/// are dropped.
fn column(
    reader: &Reader<'_>,
    attr: &str,
    c: &Located,
    dropdowns: &BTreeMap<String, String>,
) -> Result<FieldDef, SourceProblem> {
    let Value::Call { args, kwargs, .. } = &c.value else {
        return Err(reader.file.problem_at(c.at, "expected Column(...)", PORT_BY_HAND));
    };
    let problem = |at, m: String| reader.file.problem_at(at, m, PORT_BY_HAND);
    if args.len() > COLUMN_PARAMS.len() {
        return Err(problem(c.at, "too many arguments to Column".into()));
    }
    let mut items: Vec<(&str, &Located)> = args.iter().enumerate().map(|(i, a)| (COLUMN_PARAMS[i], a)).collect();
    for (k, v) in kwargs {
        if !COLUMN_PARAMS.contains(&k.as_str()) {
            return Err(problem(v.at, format!("Column has no argument `{k}`")));
        }
        items.push((k.as_str(), v));
    }
    let k = Kwargs { class: "Column".into(), at: c.at, items };
    let set = |key: &str| k.get(key).filter(|v| v.value != Value::None);
    let need = |key: &str| set(key).ok_or_else(|| problem(c.at, format!("Column needs `{key}`")));
    let field_type: FieldType = reader.member(need("type")?, "type", "BenchlingFieldType")?;
    let warehouse_name = match set("_warehouse_name") {
        Some(w) => reader.string(w, "_warehouse_name")?,
        None => attr.to_string(),
    };
    let mut f = FieldDef::new(&warehouse_name, &reader.string(need("name")?, "name")?, field_type);
    let flag = |key: &str| set(key).map(|v| reader.bool(v, key)).transpose().map(|b| b.unwrap_or(false));
    let text = |key: &str| set(key).map(|v| reader.string(v, key)).transpose();
    f.required = flag("required")?;
    f.is_multi = flag("is_multi")?;
    f.parent_link = flag("parent_link")?;
    f.archived = flag("_archived")?;
    f.tooltip = text("tooltip")?;
    f.entity_link = text("entity_link")?;
    f.unit = text("unit_name")?;
    f.decimal_places = match set("decimal_places") {
        Some(v) => reader.decimal_places(v)?,
        None => None,
    };
    if let Some(d) = set("dropdown") {
        let Value::Name(class) = &d.value else {
            return Err(problem(
                d.at,
                format!("`dropdown` must name a BaseDropdown class, not {}", d.value.describe()),
            ));
        };
        let class = class.rsplit('.').next().unwrap_or(class);
        f.dropdown =
            Some(dropdowns.get(class).cloned().ok_or_else(|| {
                problem(d.at, format!("`{class}` is not a BaseDropdown class of the models package"))
            })?);
    }
    // Liminal's `unsupported_field_properties`.
    let has = |p| rules::type_has(f.field_type, p);
    if !has(Has::IsMulti) {
        f.is_multi = false;
    }
    if !rules::liminal_keeps_parent_link(f.field_type, f.entity_link.is_some()) {
        f.parent_link = false;
    }
    if !has(Has::Unit) {
        f.unit = None;
    }
    if !has(Has::DecimalPlaces) {
        f.decimal_places = None;
    }
    Ok(f)
}
