//! `liminal import`: a Python Liminal project (`liminal/env.py`, `liminal/versions/*.py`, the
//! models package env.py imports) converted into revision scripts and schema files, without
//! running any of it.
//!
//! - [`python`] parses Python with tree-sitter-python and reads literal values;
//! - [`revision`] reads a revision file's docstring, constants and operation lists;
//! - [`reader`] reads literal arguments, enum members and keyword-only calls;
//! - [`props`] turns Liminal's property classes (fields, schemas, templates) into ours;
//! - [`ops`] turns Liminal's operation calls into [`Op`]s;
//! - [`model`] reads the models package into a [`CodeModel`];
//! - [`env`] reads the tenants env.py connects to, for liminal.yaml;
//! - [`write`] decides what an import may replace and writes it into the project.
//!
//! The revisions are converted in chain order while the chain is replayed on an empty state, so
//! that a conversion that needs to know the tenant (a name-template update that names only some
//! keys) reads it from the revisions before it. Each revision is rendered with the project's own
//! renderer and read back, so what is written is what the chain will run.

mod env;
mod model;
mod ops;
mod props;
mod python;
mod reader;
mod revision;
pub(crate) mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::SourceProblem;
use crate::op::Op;
use crate::schema::CodeModel;
use crate::script::{Direction, RevisionText, Script, render};
use crate::state::TenantState;

pub(crate) use env::{PyTenant, project_config};
use python::Located;
pub(crate) use python::PyFile;
use revision::PyRevision;

/// Why the project cannot be imported at all.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum ImportError {
    #[error("{} is not a Python Liminal project: {missing} is missing", root.display())]
    #[diagnostic(help(
        "name the folder that holds liminal/env.py and liminal/versions/ (where you run Python `liminal`)"
    ))]
    NotAProject { root: PathBuf, missing: &'static str },
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(help("check that the folder exists and is readable"))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(help("this is a bug in liminal; please report it"))]
    Yaml(#[from] crate::generate::YamlError),
}

/// What to import.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The models package to read instead of the one env.py imports (`pizza_models.v2`).
    pub models: Option<String>,
}

/// One converted revision.
#[derive(Debug, Clone)]
pub(crate) struct Converted {
    pub id: String,
    pub down_revision: Option<String>,
    /// The `.py` file it comes from.
    pub source: PathBuf,
    /// `<id>_<slug>.rhai`.
    pub file_name: String,
    pub text: String,
    pub upgrade: usize,
    pub downgrade: usize,
}

/// The result: what converted, and every problem found.
#[derive(Debug, Default)]
pub(crate) struct Conversion {
    /// In chain order, base first.
    pub revisions: Vec<Converted>,
    /// Revision ids that did not convert (their problems are in `problems`).
    pub failed: Vec<PathBuf>,
    /// Schema files relative to the schemas folder, and their text.
    pub schema_files: Vec<(PathBuf, String)>,
    pub model: CodeModel,
    pub problems: Vec<SourceProblem>,
    /// Adjustments worth telling the user, each at its place.
    pub notes: Vec<String>,
    /// The tenants env.py connects to.
    pub tenants: Vec<PyTenant>,
}

/// The Python project folder for `path`: the folder holding `liminal/env.py` (or `path` itself
/// when it is the `liminal/` folder).
pub(crate) fn find_root(path: &Path) -> Result<PathBuf, ImportError> {
    let root = if path.join("env.py").is_file() && path.file_name().is_some_and(|n| n == "liminal") {
        path.parent().unwrap_or(path).to_path_buf()
    } else {
        path.to_path_buf()
    };
    if !root.join("liminal").join("env.py").is_file() {
        return Err(ImportError::NotAProject { root, missing: "liminal/env.py" });
    }
    if !root.join("liminal").join("versions").is_dir() {
        return Err(ImportError::NotAProject { root, missing: "liminal/versions/" });
    }
    Ok(root)
}

/// Convert the project at `root` (see [`find_root`]).
pub(crate) fn convert(root: &Path, options: &Options) -> Result<Conversion, ImportError> {
    let versions = root.join("liminal").join("versions");
    let read_err = |source| ImportError::Read { path: versions.clone(), source };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(&versions).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        let package = path.file_name().is_some_and(|n| n == "__init__.py");
        if path.is_file() && path.extension().is_some_and(|e| e == "py") && !package {
            paths.push(path);
        }
    }
    paths.sort();
    let mut out = Conversion::default();
    let mut read = Vec::new();
    // Revisions whose header read but that have problems: still converted (so that the state
    // replays and their other problems are found too), never written.
    let mut broken = BTreeSet::new();
    for path in paths {
        match revision::read(&path) {
            Ok((r, problems)) => {
                if !problems.is_empty() {
                    broken.insert(path.clone());
                    out.problems.extend(problems);
                }
                read.push(r);
            }
            Err(problems) => {
                out.failed.push(path);
                out.problems.extend(problems);
            }
        }
    }
    let ordered = order(read, out.failed.is_empty(), &mut out.problems);
    // The replay only reads what the revisions did (a template merge needs the schema); whether
    // a tenant may take custom warehouse names is `check`'s business, not the conversion's.
    let mut state = TenantState::new();
    state.settings.custom_warehouse_names = true;
    for r in &ordered {
        match convert_revision(r, &mut state, &mut out.notes) {
            Ok(c) if !broken.contains(&r.file.path) => out.revisions.push(c),
            Ok(_) => out.failed.push(r.file.path.clone()),
            Err(problems) => {
                out.failed.push(r.file.path.clone());
                out.problems.extend(problems);
            }
        }
    }
    out.problems.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    match PyFile::load(&root.join("liminal").join("env.py")) {
        Ok(env) => {
            out.tenants = env::tenants(&env);
            match model::models_modules(root, &env, options.models.as_deref()) {
                Ok(modules) => {
                    let (model, problems) = model::Models::read(root, &modules).convert();
                    out.problems.extend(problems);
                    out.schema_files = crate::generate::files(&model)?;
                    out.model = model;
                }
                Err(p) => out.problems.push(p),
            }
        }
        Err(p) => out.problems.push(p),
    }
    Ok(out)
}

/// The revisions base first. Chain problems (two bases, a branch, a revision revising one that
/// is not there) are reported when every file was read; otherwise they may only be a consequence
/// of the files that failed, and the revisions that cannot be placed follow in file order.
fn order(revisions: Vec<PyRevision>, complete: bool, problems: &mut Vec<SourceProblem>) -> Vec<PyRevision> {
    let mut by_id: BTreeMap<String, PyRevision> = BTreeMap::new();
    let mut file_order = Vec::new();
    for r in revisions {
        if by_id.contains_key(&r.id) {
            problems.push(r.file.problem_at(
                r.id_at,
                format!("revision id `{}` is used by another file too", r.id),
                "give each revision its own id",
            ));
            continue;
        }
        file_order.push(r.id.clone());
        by_id.insert(r.id.clone(), r);
    }
    let mut children: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for id in &file_order {
        children.entry(by_id[id].down_revision.clone()).or_default().push(id.clone());
    }
    let mut chain = Vec::new();
    let mut seen = BTreeSet::new();
    let mut at: Option<String> = None;
    loop {
        let next = children.get(&at).cloned().unwrap_or_default();
        match next.as_slice() {
            [] => break,
            [one] => {
                if !seen.insert(one.clone()) {
                    break;
                }
                chain.push(one.clone());
                at = Some(one.clone());
            }
            many => {
                if complete {
                    for id in many {
                        let r = &by_id[id];
                        let what = match &at {
                            None => "more than one revision has `down_revision = None`".to_string(),
                            Some(p) => format!("more than one revision revises `{p}`"),
                        };
                        problems.push(r.file.problem_at(
                            r.id_at,
                            what,
                            "Liminal's chain is one line: fix the down_revision of the extra revision",
                        ));
                    }
                }
                break;
            }
        }
    }
    let rest: Vec<String> = file_order.iter().filter(|id| !seen.contains(*id)).cloned().collect();
    if complete {
        for id in &rest {
            let r = &by_id[id];
            if !problems.iter().any(|p| p.file == r.file.path) {
                let revises = match &r.down_revision {
                    Some(down) if by_id.contains_key(down) => format!("it revises {down}, which is not on it either"),
                    Some(down) => format!("it revises {down}, which no file has"),
                    None => "it revises nothing".to_string(),
                };
                problems.push(r.file.problem_at(
                    r.id_at,
                    format!("revision `{id}` is not on the chain from the base revision ({revises})"),
                    "Liminal's chain is one line from the revision with `down_revision = None`",
                ));
            }
        }
    }
    chain.into_iter().chain(rest).filter_map(|id| by_id.remove(&id)).collect()
}

/// Convert one revision, replaying its upgrade on `state`.
fn convert_revision(
    r: &PyRevision,
    state: &mut TenantState,
    notes: &mut Vec<String>,
) -> Result<Converted, Vec<SourceProblem>> {
    let reader = reader::Reader { file: &r.file, names: &r.names };
    let mut problems = Vec::new();
    let mut run = |calls: &[Located], state: &mut TenantState| -> Vec<(Op, (usize, usize))> {
        let mut out = Vec::new();
        for call in calls {
            match reader.op(call, state) {
                Ok(Some(op)) => {
                    // The replay only serves conversions that read the state; an operation that
                    // does not apply here leaves it as it is.
                    let _ = op.apply(state);
                    out.push((op, call.at));
                }
                Ok(None) => {}
                Err(p) => problems.push(p),
            }
        }
        out
    };
    let upgrade = run(&r.upgrade, state);
    let mut after = state.clone();
    let downgrade = run(&r.downgrade, &mut after);
    if !problems.is_empty() {
        return Err(problems);
    }
    let upgrade: Vec<Op> = upgrade.into_iter().map(|(op, _)| op).collect();
    let downgrade = keep_units(downgrade, &r.file, notes);
    let file_name = crate::chain::file_name(&r.id, &r.message);
    let text = render(&RevisionText {
        id: &r.id,
        down_revision: r.down_revision.as_deref(),
        message: &r.message,
        create_date: r.create_date,
        upgrade: &upgrade,
        downgrade: &downgrade,
    });
    // What is written must be what runs: read the script back.
    let check = |direction: Direction, expected: &[Op]| -> Result<(), SourceProblem> {
        let script = Script::parse(Path::new(&file_name), text.clone())?;
        let ops: Vec<Op> = script.ops(direction)?.into_iter().map(|l| l.op).collect();
        if ops != expected {
            return Err(r.file.problem_at(
                (1, 1),
                format!("the converted {direction}() does not read back the same"),
                "this is a bug in liminal import; please report it",
            ));
        }
        Ok(())
    };
    for (direction, ops) in [(Direction::Upgrade, &upgrade), (Direction::Downgrade, &downgrade)] {
        check(direction, ops).map_err(|p| {
            vec![r.file.problem_at(
                (1, 1),
                format!("the converted revision does not load: {p}"),
                "this is a bug in liminal import; please report it",
            )]
        })?;
    }
    Ok(Converted {
        id: r.id.clone(),
        down_revision: r.down_revision.clone(),
        source: r.file.path.clone(),
        file_name,
        upgrade: upgrade.len(),
        downgrade: downgrade.len(),
        text,
    })
}

/// Benchling cannot remove a field's unit, so `unit_name=None` fails in both tools. Liminal's
/// downgrade of a revision that created a schema or field with a unit clears it just before
/// archiving that field or schema; there the clearing is left out (the archive hides the field
/// anyway), and an update left with nothing to change is dropped.
fn keep_units(ops: Vec<(Op, (usize, usize))>, file: &PyFile, notes: &mut Vec<String>) -> Vec<Op> {
    let archived_later = |i: usize, schema: &str, field: &str| {
        let mut name = schema.to_string();
        for (op, _) in &ops[i + 1..] {
            match op {
                Op::UpdateSchema { schema, patch } if *schema == name => {
                    if let Some(new) = &patch.warehouse_name {
                        name = new.clone();
                    }
                }
                Op::ArchiveSchema { schema } if *schema == name => return true,
                Op::ArchiveField { schema, field: f, .. } if *schema == name && f == field => return true,
                _ => {}
            }
        }
        false
    };
    let mut out = Vec::new();
    for (i, (op, at)) in ops.iter().enumerate() {
        if let Op::UpdateField { schema, field, patch } = op
            && patch.unit == Some(None)
            && archived_later(i, schema, field)
        {
            notes.push(format!(
                "{}:{}:{}: left out `unit_name=None` (Benchling cannot remove a unit; the same downgrade archives the field)",
                crate::diag::display_path(&file.path),
                at.0,
                at.1
            ));
            let mut patch = patch.clone();
            patch.unit = None;
            if !patch.is_empty() {
                out.push(Op::UpdateField { schema: schema.clone(), field: field.clone(), patch });
            }
            continue;
        }
        out.push(op.clone());
    }
    out
}
