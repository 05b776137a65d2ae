//! Writing a [`Conversion`] into a project: where the files go ([`Target`]), what may be
//! replaced, decided before anything is written ([`plan`]), and the writing ([`write`]).

use std::path::{Path, PathBuf};

use super::Conversion;
use crate::chain::sum::{SUM_FILE, SumFile, write_sum_file};
use crate::diag::display_path;
use crate::project::{CONFIG_FILE, Project, ProjectError};
use crate::scaffold::ScaffoldError;

/// Where the files go: the project around the current folder, or a new one in it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub root: PathBuf,
    pub schemas_dir: PathBuf,
    pub versions_dir: PathBuf,
    /// No project around `cwd`: liminal.yaml is written too.
    pub new: bool,
}

impl Target {
    /// The project around `cwd`, or a new one in it when there is none.
    pub(crate) fn around(cwd: &Path) -> Result<Target, ProjectError> {
        match Project::discover(cwd) {
            Ok(p) => Ok(Target { root: p.root, schemas_dir: p.schemas_dir, versions_dir: p.versions_dir, new: false }),
            Err(ProjectError::NotFound(_)) => Ok(Target {
                schemas_dir: cwd.join("schemas"),
                versions_dir: cwd.join("versions"),
                root: cwd.to_path_buf(),
                new: true,
            }),
            Err(e) => Err(e),
        }
    }
}

/// Why the import refuses to write: files an earlier import wrote, or revisions of another
/// chain. Nothing is written then.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum Refusal {
    #[error("{} holds revision {id} ({}), which is not in the Python chain", display_path(dir), display_path(path))]
    #[diagnostic(help(
        "the import writes the whole chain, base revision included: move that file away (a base revision `liminal init` wrote can simply be deleted)"
    ))]
    ForeignRevision { dir: PathBuf, id: String, path: PathBuf },
    #[error("{} already exists (imported before?)", display_path(path))]
    #[diagnostic(help("run with --overwrite to replace the files an earlier import wrote"))]
    Exists { path: PathBuf },
}

/// What the import may do to the files already there.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Revision files of an earlier import that are replaced (`--overwrite`); those whose new
    /// file has another name are removed.
    pub replaced: Vec<PathBuf>,
}

/// Decide, before writing anything, what the import may replace: a revision file is the
/// chain's (replaced with `overwrite`, else refused), the user's port of a revision that did
/// not convert (left alone), or another chain's (refused); a schema file is replaced only with
/// `overwrite`.
pub(crate) fn plan(conversion: &Conversion, target: &Target, overwrite: bool) -> Result<Plan, Refusal> {
    let ids: Vec<&str> = conversion.revisions.iter().map(|r| r.id.as_str()).collect();
    let mut replaced = Vec::new();
    let mut existing = Vec::new();
    if let Ok(dir) = std::fs::read_dir(&target.versions_dir) {
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rhai") {
                existing.push(path);
            }
        }
    }
    existing.sort();
    for path in existing {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let id = name.split('_').next().unwrap_or("");
        // A revision that did not convert is not written: a file with its id is the user's port
        // of it (see --partial), never replaced nor removed.
        let ported = !id.is_empty()
            && !ids.contains(&id)
            && conversion.failed.iter().any(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(id)));
        if ported {
            continue;
        }
        if !ids.contains(&id) {
            let (dir, id) = (target.versions_dir.clone(), id.to_string());
            return Err(Refusal::ForeignRevision { dir, id, path });
        }
        if !overwrite {
            return Err(Refusal::Exists { path });
        }
        replaced.push(path);
    }
    for (rel, _) in &conversion.schema_files {
        let path = target.schemas_dir.join(rel);
        if path.exists() && !overwrite {
            return Err(Refusal::Exists { path });
        }
    }
    Ok(Plan { replaced })
}

impl Conversion {
    /// Some problems are the models' (not in a revision file, converted or not).
    pub(crate) fn models_have_problems(&self) -> bool {
        self.problems
            .iter()
            .any(|p| !self.failed.contains(&p.file) && !self.revisions.iter().any(|r| r.source == p.file))
    }
}

/// A file the import could not read or write (the I/O error is the source; the message says it
/// too, so it is printed once).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum WriteError {
    #[error("cannot write {}: {source}", display_path(path))]
    #[diagnostic(help("check the folder's permissions"))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A `.gitignore` that exists but cannot be read is not taken for an empty one (and
    /// overwritten).
    #[error("cannot read {}: {source}", display_path(path))]
    #[diagnostic(help("import adds `.liminal/` to it: fix or move the file, then run `liminal import` again"))]
    Gitignore {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Editor(#[from] ScaffoldError),
}

/// What [`write`] wrote.
#[derive(Debug)]
pub(crate) struct Written {
    /// Every file, in the order written: liminal.yaml (a new project), the revisions, the sum
    /// file, the schema files.
    pub files: Vec<PathBuf>,
    /// The editor files, relative to the root.
    pub editor_files: Vec<String>,
}

/// Write the conversion into `target` as `plan` allows: liminal.yaml and `.liminal/` in
/// `.gitignore` for a new project, the revisions (removing replaced files renamed since), the
/// sum file, the schema files, and the editor files the project lacks.
pub(crate) fn write(conversion: &Conversion, target: &Target, plan: &Plan) -> Result<Written, WriteError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError::Io { path, source }
    };
    let mut written = Vec::new();
    if target.new {
        let config = target.root.join(CONFIG_FILE);
        let text = super::project_config(&conversion.tenants);
        // Read before writing anything: a .gitignore that exists but cannot be read stops here.
        let gitignore = target.root.join(".gitignore");
        let existing = match std::fs::read_to_string(&gitignore) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(WriteError::Gitignore { path: gitignore, source }),
        };
        crate::disk::write_atomic(&config, &text).map_err(io(&config))?;
        if let Some(text) = crate::scaffold::ignore_liminal(&existing) {
            std::fs::write(&gitignore, text).map_err(io(&gitignore))?;
        }
        written.push(config);
    }
    std::fs::create_dir_all(&target.versions_dir).map_err(io(&target.versions_dir))?;
    std::fs::create_dir_all(&target.schemas_dir).map_err(io(&target.schemas_dir))?;
    let new_names: Vec<PathBuf> = conversion.revisions.iter().map(|r| target.versions_dir.join(&r.file_name)).collect();
    for old in &plan.replaced {
        if !new_names.contains(old) {
            std::fs::remove_file(old).map_err(io(old))?;
        }
    }
    for (r, path) in conversion.revisions.iter().zip(&new_names) {
        crate::disk::write_atomic(path, &r.text).map_err(io(path))?;
        written.push(path.clone());
    }
    // versions/liminal.sum, as `revision` keeps it: the imported files, base → head.
    let sum = SumFile::of(conversion.revisions.iter().map(|r| (r.file_name.as_str(), r.text.as_str())));
    let sum_path = write_sum_file(&target.versions_dir, &sum).map_err(io(&target.versions_dir.join(SUM_FILE)))?;
    written.push(sum_path);
    for (rel, text) in &conversion.schema_files {
        let path = target.schemas_dir.join(rel);
        let text = format!("{}{text}", crate::scaffold::modeline(rel));
        crate::disk::write_atomic(&path, &text).map_err(io(&path))?;
        written.push(path);
    }
    // The JSON Schema the files' first line names, as generate-files writes it.
    let editor_files = crate::scaffold::write_editor_files(&target.root, &target.schemas_dir, true)?;
    Ok(Written { files: written, editor_files })
}

#[cfg(test)]
mod tests {
    use super::super::Converted;
    use super::*;

    fn converted(id: &str, slug: &str) -> Converted {
        Converted {
            id: id.into(),
            down_revision: None,
            source: PathBuf::from(format!("/py/liminal/versions/{slug}.py")),
            file_name: format!("{id}_{slug}.rhai"),
            text: format!("// {id}\n"),
            upgrade: 0,
            downgrade: 0,
        }
    }

    fn target(dir: &Path) -> Target {
        Target {
            root: dir.to_path_buf(),
            schemas_dir: dir.join("schemas"),
            versions_dir: dir.join("versions"),
            new: true,
        }
    }

    fn conversion() -> Conversion {
        Conversion {
            revisions: vec![converted("aaaaaaaaaaa0", "base"), converted("aaaaaaaaaaa1", "pizza")],
            failed: vec![PathBuf::from("/py/liminal/versions/bbbbbbbbbbbb_broken.py")],
            schema_files: vec![(PathBuf::from("pizza.yaml"), "name: Pizza\n".into())],
            ..Conversion::default()
        }
    }

    #[test]
    fn an_empty_folder_takes_everything_and_becomes_a_project() {
        let dir = tempfile::tempdir().unwrap();
        let (c, t) = (conversion(), target(dir.path()));
        let plan = plan(&c, &t, false).unwrap();
        assert_eq!(plan, Plan::default());
        let done = write(&c, &t, &plan).unwrap();
        let names: Vec<String> =
            done.files.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
        assert_eq!(
            names,
            [
                "liminal.yaml",
                "versions/aaaaaaaaaaa0_base.rhai",
                "versions/aaaaaaaaaaa1_pizza.rhai",
                "versions/liminal.sum",
                "schemas/pizza.yaml"
            ]
        );
        assert_eq!(done.editor_files, ["schemas/schema.json", "liminal.d.rhai"]);
        assert_eq!(std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(), ".liminal/\n");
        let pizza = std::fs::read_to_string(dir.path().join("schemas/pizza.yaml")).unwrap();
        assert_eq!(pizza, "# yaml-language-server: $schema=schema.json\nname: Pizza\n");
    }

    #[test]
    fn an_unreadable_gitignore_stops_a_new_project_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (c, t) = (conversion(), target(dir.path()));
        std::fs::write(dir.path().join(".gitignore"), b"\xff\xfe").unwrap();
        let e = write(&c, &t, &plan(&c, &t, false).unwrap()).unwrap_err();
        assert!(matches!(e, WriteError::Gitignore { .. }), "{e}");
        assert!(!dir.path().join(CONFIG_FILE).exists() && !t.versions_dir.exists());
    }

    #[test]
    fn a_second_import_is_refused_unless_it_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let (c, t) = (conversion(), target(dir.path()));
        write(&c, &t, &plan(&c, &t, false).unwrap()).unwrap();
        let again = plan(&c, &t, false).unwrap_err();
        assert!(matches!(&again, Refusal::Exists { path } if path.ends_with("aaaaaaaaaaa0_base.rhai")), "{again}");
        let plan = plan(&c, &t, true).unwrap();
        assert_eq!(plan.replaced.len(), 2);
    }

    #[test]
    fn a_schema_file_there_already_is_refused_too() {
        let dir = tempfile::tempdir().unwrap();
        let (c, t) = (conversion(), target(dir.path()));
        std::fs::create_dir_all(&t.schemas_dir).unwrap();
        std::fs::write(t.schemas_dir.join("pizza.yaml"), "").unwrap();
        assert!(matches!(plan(&c, &t, false), Err(Refusal::Exists { path }) if path.ends_with("pizza.yaml")));
        assert_eq!(plan(&c, &t, true).unwrap(), Plan::default());
    }

    #[test]
    fn another_chain_is_refused_and_a_port_of_a_failed_revision_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (c, t) = (conversion(), target(dir.path()));
        std::fs::create_dir_all(&t.versions_dir).unwrap();
        // The user's port of the revision that did not convert: neither refused nor replaced.
        std::fs::write(t.versions_dir.join("bbbbbbbbbbbb_broken.rhai"), "").unwrap();
        assert_eq!(plan(&c, &t, true).unwrap(), Plan::default());
        std::fs::write(t.versions_dir.join("cccccccccccc_init.rhai"), "").unwrap();
        let e = plan(&c, &t, true).unwrap_err();
        assert!(matches!(&e, Refusal::ForeignRevision { id, .. } if id == "cccccccccccc"), "{e}");
        assert!(e.to_string().ends_with("which is not in the Python chain"), "{e}");
    }

    #[test]
    fn problems_outside_the_revisions_are_the_models() {
        let mut c = conversion();
        let problem = |file: &str| crate::diag::SourceProblem::new(Path::new(file), 1, 1, "x");
        c.problems = vec![problem("/py/liminal/versions/bbbbbbbbbbbb_broken.py")];
        assert!(!c.models_have_problems());
        c.problems.push(problem("/py/liminal/versions/pizza.py"));
        assert!(!c.models_have_problems());
        c.problems.push(problem("/py/models/pizza.py"));
        assert!(c.models_have_problems());
    }
}
