//! Helpers for the end-to-end tests: a project in a temporary folder and the built binary run
//! inside it, with its stdout, stderr and exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where the local tenant `dev` of `liminal init` keeps its state.
pub(crate) const TENANT_FILE: &str = ".liminal/dev.json";

/// One run of the binary.
#[derive(Debug)]
pub(crate) struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    command: String,
}

impl Out {
    /// The result of a process run some other way (e.g. on a pseudo-terminal).
    pub(crate) fn from_output(output: std::process::Output, command: &str) -> Out {
        Out {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: Duration::ZERO,
            command: format!("liminal {command}"),
        }
    }

    /// The exit code must be `code`; returns self for chaining.
    #[track_caller]
    pub(crate) fn code(&self, code: i32) -> &Out {
        assert_eq!(self.code, code, "`{}` exited {} (expected {code})\n{}", self.command, self.code, self.dump());
        self
    }

    #[track_caller]
    pub(crate) fn ok(&self) -> &Out {
        self.code(0)
    }

    #[track_caller]
    pub(crate) fn fails(&self) -> &Out {
        self.code(1)
    }

    /// stdout must be exactly one JSON document.
    #[track_caller]
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}`: stdout is not one JSON document: {e}\n{}", self.command, self.dump()))
    }

    /// stderr with miette's line wrapping undone (words joined by one space, the box-drawing
    /// margins dropped), so that a phrase can be searched whatever the width.
    pub(crate) fn stderr_flat(&self) -> String {
        flat(&self.stderr)
    }

    /// stderr must contain `needle` (searched in the flattened text).
    #[track_caller]
    pub(crate) fn err_has(&self, needle: &str) -> &Out {
        assert!(
            self.stderr_flat().contains(&flat(needle)),
            "`{}`: stderr lacks {needle:?}\n{}",
            self.command,
            self.dump()
        );
        self
    }

    #[track_caller]
    pub(crate) fn out_has(&self, needle: &str) -> &Out {
        assert!(self.stdout.contains(needle), "`{}`: stdout lacks {needle:?}\n{}", self.command, self.dump());
        self
    }

    pub(crate) fn dump(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}---", self.stdout, self.stderr)
    }
}

fn flat(text: &str) -> String {
    text.split_whitespace().filter(|w| !matches!(*w, "│" | "|")).collect::<Vec<_>>().join(" ")
}

/// A project folder (deleted when dropped).
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// An empty folder.
    pub(crate) fn empty() -> Project {
        Project { dir: tempfile::Builder::new().prefix("liminal-cli").tempdir().expect("temporary folder") }
    }

    /// A folder after a successful `liminal init`.
    pub(crate) fn init() -> Project {
        let p = Project::empty();
        p.run(&["init"]).ok();
        p
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Give the `dev` tenant of `init`'s liminal.yaml the setting `custom_warehouse_names: true`.
    pub(crate) fn allow_custom_warehouse_names(&self) {
        let config = self.read("liminal.yaml");
        let line = "    local: .liminal/dev.json\n";
        assert!(config.contains(line), "{config}");
        self.write("liminal.yaml", &config.replacen(line, &format!("{line}    custom_warehouse_names: true\n"), 1));
    }

    /// Run the binary in the project folder: no terminal (stdin closed, so diagnostics are 80
    /// columns wide), no colours, nothing from the caller's environment that changes output.
    pub(crate) fn run(&self, args: &[&str]) -> Out {
        self.run_in(self.path(), args)
    }

    pub(crate) fn run_in(&self, dir: &Path, args: &[&str]) -> Out {
        run_command(Command::new(env!("CARGO_BIN_EXE_liminal")).args(args).current_dir(dir), args)
    }

    pub(crate) fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub(crate) fn write(&self, rel: &str, text: &str) {
        let path = self.file(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create folder");
        }
        std::fs::write(&path, text).expect("write file");
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.file(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.file(rel).exists()
    }

    /// The tenant file's bytes (`None` while it does not exist).
    pub(crate) fn tenant_bytes(&self) -> Option<Vec<u8>> {
        std::fs::read(self.file(TENANT_FILE)).ok()
    }

    pub(crate) fn tenant(&self) -> Value {
        serde_json::from_str(&self.read(TENANT_FILE)).expect("tenant file is JSON")
    }

    /// Names of the tenant's active dropdowns, sorted.
    pub(crate) fn active_dropdowns(&self) -> Vec<String> {
        let t = self.tenant();
        let mut names: Vec<String> = t["dropdowns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["archived"] == false)
            .map(|d| d["name"].as_str().unwrap_or_default().to_string())
            .collect();
        names.sort();
        names
    }

    /// `liminal current dev`, trimmed.
    #[track_caller]
    pub(crate) fn current(&self) -> String {
        self.run(&["current", "dev"]).ok().stdout.trim().to_string()
    }

    /// Revision files in versions/, sorted by name.
    pub(crate) fn revision_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.file("versions"))
            .expect("versions/")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".rhai"))
            .collect();
        names.sort();
        names
    }

    /// The base revision id `init` wrote.
    pub(crate) fn base_id(&self) -> String {
        let base = self.revision_files().into_iter().find(|n| n.ends_with("_initial_init_revision.rhai"));
        base.expect("a base revision")[..12].to_string()
    }

    /// Write `versions/<id>_<slug>.rhai` by hand, as people do: `up` and `down` are the bodies of
    /// the two lists, one operation per line. Returns the file name.
    pub(crate) fn write_revision(
        &self,
        id: &str,
        down_revision: Option<&str>,
        slug: &str,
        up: &[&str],
        down: &[&str],
    ) -> String {
        let name = format!("{id}_{slug}.rhai");
        self.write(&format!("versions/{name}"), &revision_text(id, down_revision, slug, up, down));
        name
    }
}

/// A revision file's text; the first operation of `upgrade()` is on line 9, column 9, the next
/// on the following lines.
pub(crate) fn revision_text(
    id: &str,
    down_revision: Option<&str>,
    message: &str,
    up: &[&str],
    down: &[&str],
) -> String {
    let down_rev = down_revision.map_or("()".to_string(), |d| format!("\"{d}\""));
    let list = |ops: &[&str]| ops.iter().map(|o| format!("        {o},\n")).collect::<String>();
    format!(
        "// {message}\n\
         \n\
         const revision = \"{id}\";\n\
         const down_revision = {down_rev};\n\
         \n\
         // Written by hand.\n\
         fn upgrade() {{\n\
         \x20   [\n\
         {}\
         \x20   ]\n\
         }}\n\
         \n\
         fn downgrade() {{\n\
         \x20   [\n\
         {}\
         \x20   ]\n\
         }}\n",
        list(up),
        list(down)
    )
}

pub(crate) fn run_command(cmd: &mut Command, args: &[&str]) -> Out {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    let started = Instant::now();
    let output = cmd.output().expect("run liminal");
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        elapsed: started.elapsed(),
        command: format!("liminal {}", args.join(" ")),
    }
}

/// Is `s` a revision id (12 lowercase hex characters)?
pub(crate) fn is_revision_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Copy a folder tree (files and sub-folders).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
