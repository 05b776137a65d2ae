//! Reading `schemas/**/*.yaml` into a [`CodeModel`], reporting every problem with its place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_saphyr::{Location, Options, Spanned};

use super::CodeModel;
use super::validate::{Problem, Target, validate_model, validate_schema};
use crate::diag::{Problems, SourceProblem};

mod convert;
mod keys;
mod messages;
mod raw;

use convert::{Item, Spans, Unknown, convert_item};
use keys::{Node, drop_missing_for_near_misses, unknown_keys};
use messages::FileCtx;
pub(crate) use messages::yaml_error;
use raw::RawItem;
pub use raw::json_schema;

/// Loading failed: the located problems, all of them.
pub type LoadError = Problems;

/// Where a value stood: file and 1-based line/column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

type S<T> = Spanned<T>;

fn yaml_options() -> Options {
    let mut o = Options::default();
    o.strict_booleans = true;
    o
}

struct Origin {
    file: usize,
    spans: Spans,
    unknown: Unknown,
}

struct Loaded {
    model: CodeModel,
    schema_origin: Vec<Origin>,
    dropdown_origin: Vec<Origin>,
    files: Vec<(PathBuf, Arc<String>)>,
    problems: Vec<SourceProblem>,
}

fn load_file(loaded: &mut Loaded, path: &Path, text: String) {
    let text = Arc::new(text);
    let file = loaded.files.len();
    loaded.files.push((path.to_path_buf(), text.clone()));
    let mut ctx = FileCtx { path, text: text.clone(), problems: Vec::new(), near_misses: Vec::new() };
    // Unknown keys, all of them, wherever they are (the typed pass below ignores them). A file
    // that is not YAML fails here too, and is reported once, by the typed pass.
    if let Ok(nodes) = serde_saphyr::from_multiple_with_options::<Option<Node>>(&text, yaml_options()) {
        for node in nodes.iter().flatten() {
            unknown_keys(&mut ctx, node, crate::schema::codec::Shape::Item);
        }
    }
    match serde_saphyr::from_multiple_with_options::<Option<S<RawItem>>>(&text, yaml_options()) {
        Err(e) => yaml_problem(&mut ctx, &e),
        Ok(items) => {
            for raw in items.iter().flatten() {
                if let Some((item, spans)) = convert_item(&mut ctx, raw) {
                    match item {
                        Item::Schema(s, unknown) => {
                            loaded.model.schemas.push(s);
                            loaded.schema_origin.push(Origin { file, spans, unknown });
                        }
                        Item::Dropdown(d) => {
                            loaded.model.dropdowns.push(d);
                            loaded.dropdown_origin.push(Origin { file, spans, unknown: Unknown::default() });
                        }
                    }
                }
            }
        }
    }
    drop_missing_for_near_misses(&mut ctx);
    loaded.problems.extend(ctx.problems);
}

/// A file serde-saphyr could not read, at the error's place, in the user's words.
fn yaml_problem(ctx: &mut FileCtx<'_>, e: &serde_saphyr::Error) {
    let (line, col) = e.location().map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
    let message = e.without_snippet().to_string();
    let message = message.lines().next().unwrap_or("invalid YAML").to_string();
    let (message, code) = yaml_error(&ctx.text, line, col, &message);
    ctx.problems.push(
        SourceProblem::new(ctx.path, line, col, message)
            .with_code(code)
            .with_help("fix the YAML here; see the README for the schema file format (or `liminal json-schema`)")
            .with_source(ctx.text.clone()),
    );
}

/// Where the items of the code model and their keys stand in `schemas/`, so that findings about
/// what the code asks for (the lints `diff` prints) point at the YAML key.
pub struct CodePlaces {
    files: Vec<PathBuf>,
    schemas: Vec<(String, Vec<String>, Origin)>,
    dropdowns: Vec<(String, Origin)>,
}

impl CodePlaces {
    fn at(&self, origin: &Origin, loc: Location) -> Located {
        Located { file: self.files[origin.file].clone(), line: loc.line() as usize, column: loc.column() as usize }
    }

    /// A schema's key (`None`: the item itself), by warehouse name.
    pub fn schema_key(&self, schema: &str, key: Option<&str>) -> Option<Located> {
        let (_, _, origin) = self.schemas.iter().find(|(wh, _, _)| wh == schema)?;
        Some(self.at(origin, origin.spans.key(key)))
    }

    /// A field's key (`None`: the field itself), by warehouse names.
    pub fn field_key(&self, schema: &str, field: &str, key: Option<&str>) -> Option<Located> {
        let (_, fields, origin) = self.schemas.iter().find(|(wh, _, _)| wh == schema)?;
        let j = fields.iter().position(|f| f == field)?;
        Some(self.at(origin, origin.spans.field_key(j, key)))
    }

    /// A dropdown's key (`None`: the item itself), by display name.
    pub fn dropdown_key(&self, name: &str, key: Option<&str>) -> Option<Located> {
        let (_, origin) = self.dropdowns.iter().find(|(n, _)| n == name)?;
        Some(self.at(origin, origin.spans.key(key)))
    }
}

fn finish(loaded: Loaded) -> Result<CodeModel, LoadError> {
    finish_with(loaded, &|_| Vec::new())
}

/// Finish loading, with `more` problems found on the model by the caller (a tenant's rules).
fn finish_with(loaded: Loaded, more: &dyn Fn(&CodeModel) -> Vec<Problem>) -> Result<CodeModel, LoadError> {
    finish_with_places(loaded, more).map(|(model, _)| model)
}

/// [`finish_with`], keeping where each item and key stands.
fn finish_with_places(
    mut loaded: Loaded,
    more: &dyn Fn(&CodeModel) -> Vec<Problem>,
) -> Result<(CodeModel, CodePlaces), LoadError> {
    // A schema with an unknown enum value: of its own problems, only those that hold whatever
    // the value is (problems across items do not depend on it).
    let mut doubtful: Vec<(Vec<Problem>, Vec<Problem>)> = Vec::new();
    for (i, origin) in loaded.schema_origin.iter().enumerate() {
        doubtful.push(if origin.unknown.any() {
            let def = &loaded.model.schemas[i];
            (validate_schema(i, def), origin.unknown.certain(i, def))
        } else {
            (vec![], vec![])
        });
    }
    let extra = if loaded.problems.is_empty() { more(&loaded.model) } else { Vec::new() };
    let problems = validate_model(&loaded.model)
        .into_iter()
        .filter(|p| match p.target {
            Target::Schema(i) | Target::Field(i, _) => {
                let (own, certain) = &doubtful[i];
                !own.contains(p) || certain.contains(p)
            }
            Target::Dropdown(_) => true,
        })
        .chain(extra);
    let place = |target: Target, key: Option<&str>| match target {
        Target::Schema(i) => (loaded.schema_origin[i].file, loaded.schema_origin[i].spans.key(key)),
        Target::Field(i, j) => (loaded.schema_origin[i].file, loaded.schema_origin[i].spans.field_key(j, key)),
        Target::Dropdown(i) => (loaded.dropdown_origin[i].file, loaded.dropdown_origin[i].spans.key(key)),
    };
    let mut found = Vec::new();
    for Problem { target, key, message, help, first } in problems.collect::<Vec<_>>() {
        let (file, loc) = place(target, key);
        let (path, text) = &loaded.files[file];
        let mut problem = SourceProblem::new(path, loc.line() as usize, loc.column() as usize, message)
            .with_code("schema::rule")
            .with_source(text.clone());
        let mut help = help;
        // A duplicate points at the other one too: a second label in the same file, else its
        // place in the help line.
        if let Some((t, k)) = first {
            let (other_file, other) = place(t, k);
            let (line, column) = (other.line() as usize, other.column() as usize);
            if other_file == file {
                problem = problem.also_at(line, column, "first here");
                help = format!("{help} (the first is at line {line})");
            } else {
                let other_path = crate::diag::display_path(&loaded.files[other_file].0);
                help = format!("{help} (the first is at {other_path}:{line}:{column})");
            }
        }
        found.push(problem.with_help(help));
    }
    loaded.problems.extend(found);
    if loaded.problems.is_empty() {
        let schemas = loaded
            .model
            .schemas
            .iter()
            .zip(loaded.schema_origin)
            .map(|(s, o)| {
                (s.props.warehouse_name.clone(), s.fields.iter().map(|f| f.warehouse_name.clone()).collect(), o)
            })
            .collect();
        let dropdowns = loaded.model.dropdowns.iter().map(|d| d.name.clone()).zip(loaded.dropdown_origin).collect();
        let files = loaded.files.into_iter().map(|(p, _)| p).collect();
        Ok((loaded.model, CodePlaces { files, schemas, dropdowns }))
    } else {
        loaded.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        Err(Problems(loaded.problems))
    }
}

fn empty() -> Loaded {
    Loaded {
        model: CodeModel::default(),
        schema_origin: vec![],
        dropdown_origin: vec![],
        files: vec![],
        problems: vec![],
    }
}

/// Load one YAML text (tests, and single files).
pub fn load_str(path: &Path, text: &str) -> Result<CodeModel, LoadError> {
    let mut loaded = empty();
    load_file(&mut loaded, path, text.to_string());
    finish(loaded)
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            yaml_files(&path, out)?;
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            && crate::inputs::is_regular_file(&path)
        {
            // Anything else (a FIFO...) would block the read: skipped, and the CLI warns.
            out.push(path);
        }
    }
    Ok(())
}

/// Load every `*.yaml`/`*.yml` file under `dir` (sub-folders included), in path order.
pub fn load_dir(dir: &Path) -> Result<CodeModel, LoadError> {
    load_dir_with(dir, &|_| Vec::new())
}

/// [`load_dir`], adding the problems `more` finds on a model that loads (a tenant's rules, such
/// as [`crate::settings::code_problems`]), each located at its key like the others.
pub fn load_dir_with(dir: &Path, more: &dyn Fn(&CodeModel) -> Vec<Problem>) -> Result<CodeModel, LoadError> {
    load_dir_with_places(dir, more).map(|(model, _)| model)
}

/// [`load_dir_with`], with where each item and key stands.
pub fn load_dir_with_places(
    dir: &Path,
    more: &dyn Fn(&CodeModel) -> Vec<Problem>,
) -> Result<(CodeModel, CodePlaces), LoadError> {
    let mut loaded = empty();
    let mut files = Vec::new();
    if let Err(e) = yaml_files(dir, &mut files) {
        return Err(Problems(vec![
            SourceProblem::unlocated(dir, format!("cannot read the schemas folder: {}", crate::diag::io_error(&e)))
                .with_help("create it, or set `schemas:` in liminal.yaml"),
        ]));
    }
    files.sort();
    for path in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => load_file(&mut loaded, &path, text),
            Err(e) => loaded.problems.push(
                SourceProblem::unlocated(&path, format!("cannot read the file: {}", crate::diag::io_error(&e)))
                    .with_help("check the file's permissions"),
            ),
        }
    }
    finish_with_places(loaded, more)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FieldType;

    const PIZZA: &str = r#"
kind: entity_schema
name: Pizza
warehouse_name: pizza
prefix: PZ
entity_type: custom_entity
fields:
  - warehouse_name: toppings
    name: Toppings
    type: dropdown
    dropdown: Toppings
    is_multi: true
  - warehouse_name: weight
    name: Weight
    type: float
    decimal_places: 2
    unit: gram
---
kind: dropdown
name: Toppings
options: [Cheese, "Bob's \"special\""]
"#;

    #[test]
    fn loads_schema_and_dropdown() {
        let m = load_str(Path::new("pizza.yaml"), PIZZA).unwrap();
        assert_eq!(m.schemas.len(), 1);
        assert_eq!(m.schemas[0].fields[1].field_type, FieldType::Decimal);
        assert_eq!(m.dropdowns[0].options[1], "Bob's \"special\"");
        assert_eq!(m.schemas[0].props.naming_strategies.len(), 3);
    }

    #[test]
    fn three_mistakes_three_located_errors() {
        let text = r#"kind: entity_schema
name: Pizza
warehouse_name: Pizza
prefix: PZ
entity_type: custom_entity
fields:
  - warehouse_name: notes
    name: Notes
    type: text
    unit: gram
  - warehouse_name: size
    name: Size
    type: integer
    decimal_places: 2
"#;
        let err = load_str(Path::new("s.yaml"), text).unwrap_err();
        let places: Vec<_> = err.0.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(3, 17), (10, 11), (14, 21)], "{err:?}");
    }

    /// Benchling requires `[a-z_][a-z0-9_$]*`: a warehouse name starting with a digit used to
    /// pass `check`, local apply and preflight, then fail half-way through an upgrade.
    #[test]
    fn warehouse_name_follows_benchlings_rule() {
        let text = "kind: entity_schema\nname: Cat\nwarehouse_name: 9lives\nprefix: CT\nentity_type: custom_entity\nfields:\n  - { warehouse_name: bnch$x, name: X, type: text }\n  - { warehouse_name: _ok$2, name: Y, type: text }\n";
        let err = load_str(Path::new("cat.yaml"), text).unwrap_err();
        let places: Vec<_> = err.0.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(3, 17), (7, 23)], "{err:?}");
        assert!(err.0[0].message.contains("9lives"), "{}", err.0[0].message);
        assert!(err.0[0].help.as_deref().unwrap_or_default().contains("lowercase letter or `_`"), "{:?}", err.0[0]);
    }

    /// A template naming an archived field passed, and the diff then failed: `set_name_template`
    /// found no such field on a new schema, and `archive_field` refused a templated field.
    #[test]
    fn template_field_must_be_active() {
        let text = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nname_template: {parts: [{type: FIELD, field: x}]}\nfields:\n  - {warehouse_name: x, name: X, type: text, archived: true}\n";
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err:?}");
        assert_eq!((err.0[0].line, err.0[0].column), (6, 16));
        assert!(err.0[0].message.contains("not an active field"), "{}", err.0[0].message);
    }

    #[test]
    fn links_must_exist_in_code() {
        let text = "kind: entity_schema\nname: A\nwarehouse_name: a\nprefix: A\nentity_type: custom_entity\nfields:\n  - {warehouse_name: b, name: B, type: entity_link, entity_link: nowhere}\n  - {warehouse_name: c, name: C, type: dropdown, dropdown: Nope}\n";
        let err = load_str(Path::new("a.yaml"), text).unwrap_err();
        assert_eq!(err.0.len(), 2, "{err:?}");
        assert_eq!(err.0[0].line, 7);
        assert_eq!(err.0[1].line, 8);
    }
}
