//! The files a project starts with: `liminal init`'s liminal.yaml, schemas/ and versions/ with the
//! base revision and its sum file, the editor files (the JSON Schema the YAML files' first line
//! names, the Rhai definitions) that `init`, `generate-files` and `import` write, and the
//! `.liminal/` line of `.gitignore`.

use std::io;
use std::path::{Path, PathBuf};

use time::PrimitiveDateTime;

use crate::chain::{ChainError, NewRevision};
use crate::project::{CONFIG_FILE, default_config};

/// The JSON Schema's file in the schemas folder, which the `$schema` line of YAML files names.
pub(crate) const SCHEMA_FILE: &str = "schema.json";
/// The Rhai definitions file at the project root.
pub(crate) const DEFINITIONS_FILE: &str = "liminal.d.rhai";

/// Why a project could not be set up. Nothing is written before the refusals (`Exists`,
/// `HasRevisions`, `Gitignore`). The I/O error is the source (the message says it too, so it
/// is printed once).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum ScaffoldError {
    #[error("{CONFIG_FILE} already exists here")]
    #[diagnostic(help("this folder is already a liminal project; remove liminal.yaml to start over"))]
    Exists,
    #[error("versions/ already holds revision files")]
    #[diagnostic(help("init would start a second chain; remove them, or write liminal.yaml by hand"))]
    HasRevisions,
    #[error("cannot read .gitignore: {0}")]
    #[diagnostic(help("init adds `.liminal/` to it: fix or move the file, then run `liminal init` again"))]
    Gitignore(#[source] io::Error),
    #[error("cannot create {what}: {source}")]
    #[diagnostic(help("check the folder's permissions"))]
    Create {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    #[diagnostic(help("check the folder's permissions"))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Chain(#[from] ChainError),
    /// The JSON Schema did not serialise (never an empty file instead).
    #[error("cannot write the JSON Schema: {0}")]
    #[diagnostic(help("this is a bug in liminal: please report it with the command"))]
    Schema(#[source] serde_json::Error),
}

/// What `init` wrote.
#[derive(Debug)]
pub(crate) struct Scaffolded {
    pub base: NewRevision,
    /// The base revision's file.
    pub revision_path: PathBuf,
    /// The editor files, relative to the root.
    pub editor_files: Vec<String>,
    /// `.gitignore` is a symbolic link: left alone, without the `.liminal/` line.
    pub gitignore_linked: bool,
}

/// A new project in `root`: liminal.yaml, schemas/ (an example file, the editor files) and
/// versions/ with a base revision dated `created` and its sum file; `.liminal/` in `.gitignore`.
pub(crate) fn init(root: &Path, created: PrimitiveDateTime) -> Result<Scaffolded, ScaffoldError> {
    let config = root.join(CONFIG_FILE);
    let versions = root.join("versions");
    if config.exists() || config.symlink_metadata().is_ok() {
        return Err(ScaffoldError::Exists);
    }
    let has_revisions = std::fs::read_dir(&versions)
        .map(|d| d.flatten().any(|e| e.path().extension().is_some_and(|x| x == "rhai")))
        .unwrap_or(false);
    if has_revisions {
        return Err(ScaffoldError::HasRevisions);
    }
    // Read .gitignore before writing anything: one that exists but cannot be read (not UTF-8, a
    // folder) stops init, since reading it as empty would overwrite it with one line.
    let gitignore = root.join(".gitignore");
    let linked = gitignore.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
    let existing = match std::fs::read_to_string(&gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound || linked => String::new(),
        Err(e) => return Err(ScaffoldError::Gitignore(e)),
    };
    let create = |what: &str| {
        let what = what.to_string();
        move |source| ScaffoldError::Create { what, source }
    };
    std::fs::create_dir_all(root.join("schemas")).map_err(create("schemas/"))?;
    std::fs::create_dir_all(&versions).map_err(create("versions/"))?;
    // `create_new` never follows a symlink: init writes no file outside the folder.
    write_new(&config, default_config().as_bytes()).map_err(create(CONFIG_FILE))?;
    let base = NewRevision::base(created)?;
    let revision_path = base.write(&versions).map_err(create("the base revision"))?;
    let sum = crate::chain::sum::SumFile::of([(base.file_name.as_str(), base.text.as_str())]);
    crate::chain::sum::write_sum_file(&versions, &sum).map_err(create("versions/liminal.sum"))?;
    let schemas = root.join("schemas");
    let example = schemas.join("example.yaml");
    let editor_files = write_editor_files(root, &schemas, false)?;
    if example.symlink_metadata().is_err() {
        write_new(&example, example_yaml().as_bytes()).map_err(create("schemas/example.yaml"))?;
    }
    if !linked && let Some(text) = ignore_liminal(&existing) {
        crate::disk::write_atomic(&gitignore, &text).map_err(create(".gitignore"))?;
    }
    Ok(Scaffolded { base, revision_path, editor_files, gitignore_linked: linked })
}

/// `.gitignore`'s text with `.liminal/` (the local tenants' folder) added, or `None` when it
/// has it already.
pub(crate) fn ignore_liminal(existing: &str) -> Option<String> {
    if existing.lines().any(|l| l.trim() == ".liminal/" || l.trim() == ".liminal") {
        return None;
    }
    let sep = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
    Some(format!("{existing}{sep}.liminal/\n"))
}

/// The JSON Schema text, as written to files (pretty, with a final newline).
pub(crate) fn schema_text() -> Result<String, ScaffoldError> {
    let schema = crate::schema::json_schema().map_err(ScaffoldError::Schema)?;
    let mut text = serde_json::to_string_pretty(&schema).map_err(ScaffoldError::Schema)?;
    text.push('\n');
    Ok(text)
}

/// The first line of a YAML file under the schemas folder at `path` (relative to that folder):
/// the YAML language server reads the schema from it.
pub(crate) fn modeline(path: &Path) -> String {
    let depth = path.components().count().saturating_sub(1);
    format!("# yaml-language-server: $schema={}{SCHEMA_FILE}\n", "../".repeat(depth))
}

/// Write both editor files into a project (init), or only those missing (`only_missing`).
/// Returns the files written, relative to `root`.
pub(crate) fn write_editor_files(
    root: &Path,
    schemas_dir: &Path,
    only_missing: bool,
) -> Result<Vec<String>, ScaffoldError> {
    let mut written = Vec::new();
    let files = [
        (schemas_dir.join(SCHEMA_FILE), schema_text()?),
        (root.join(DEFINITIONS_FILE), crate::script::ScriptEngine::definitions()),
    ];
    for (path, text) in files {
        if only_missing && path.exists() {
            continue;
        }
        if let Err(source) = crate::disk::write_atomic(&path, &text) {
            return Err(ScaffoldError::Write { path, source });
        }
        written.push(path.strip_prefix(root).unwrap_or(&path).display().to_string());
    }
    Ok(written)
}

/// Create `path` with `bytes`; fails if anything (a file, a symlink, even a dangling one) is
/// there.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)
}

/// A first schema file that declares nothing yet: its first line tells editors where the JSON
/// Schema is, and the comments show the shape.
fn example_yaml() -> String {
    format!(
        "{}# Entity schemas and dropdowns, one per YAML document (`---` between them); any file name,\n\
         # any sub-folder of schemas/. For example:\n\
         #\n\
         # kind: dropdown\n\
         # name: Toppings\n\
         # options: [Cheese, Pepperoni]\n",
        modeline(Path::new("example.yaml"))
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const CREATED: PrimitiveDateTime = datetime!(2026-01-01 00:00:00);

    #[test]
    fn init_writes_a_project_whose_chain_is_its_base() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target").unwrap();
        let done = init(dir.path(), CREATED).unwrap();
        assert_eq!(done.editor_files, vec!["schemas/schema.json", "liminal.d.rhai"]);
        assert!(!done.gitignore_linked);
        assert_eq!(std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(), "target\n.liminal/\n");
        let chain = crate::chain::Chain::load(&dir.path().join("versions")).unwrap();
        assert_eq!(chain.len(), 1);
        assert_eq!(chain.head().header().revision, done.base.id);
        assert_eq!(chain.head().path(), done.revision_path);
        let project = crate::project::Project::discover(dir.path()).unwrap();
        assert_eq!(project.tenant("dev").unwrap().name, "dev");
        let example = std::fs::read_to_string(dir.path().join("schemas/example.yaml")).unwrap();
        assert!(example.starts_with("# yaml-language-server: $schema=schema.json\n"), "{example}");
        // Twice: refused, and nothing changes.
        assert!(matches!(init(dir.path(), CREATED), Err(ScaffoldError::Exists)));
        assert_eq!(crate::chain::Chain::load(&dir.path().join("versions")).unwrap().len(), 1);
    }

    #[test]
    fn init_refuses_a_second_chain_and_an_unreadable_gitignore_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("versions")).unwrap();
        std::fs::write(dir.path().join("versions/aaaaaaaaaaaa_x.rhai"), "").unwrap();
        assert!(matches!(init(dir.path(), CREATED), Err(ScaffoldError::HasRevisions)));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), b"\xff\xfe").unwrap();
        assert!(matches!(init(dir.path(), CREATED), Err(ScaffoldError::Gitignore(_))));
        assert!(!dir.path().join(CONFIG_FILE).exists() && !dir.path().join("schemas").exists());
    }

    #[test]
    fn the_liminal_line_is_added_once_on_its_own_line() {
        assert_eq!(ignore_liminal("").as_deref(), Some(".liminal/\n"));
        assert_eq!(ignore_liminal("target").as_deref(), Some("target\n.liminal/\n"));
        assert_eq!(ignore_liminal("target\n").as_deref(), Some("target\n.liminal/\n"));
        assert_eq!(ignore_liminal("a\n .liminal \n"), None);
        assert_eq!(ignore_liminal(".liminal/"), None);
    }

    #[test]
    fn modelines_climb_to_the_schemas_folder() {
        assert_eq!(modeline(Path::new("a.yaml")), "# yaml-language-server: $schema=schema.json\n");
        assert_eq!(modeline(Path::new("x/y/a.yaml")), "# yaml-language-server: $schema=../../schema.json\n");
    }
}
