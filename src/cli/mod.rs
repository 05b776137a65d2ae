//! The command line: clap types, one file per command, output in text or JSON. Commands parse
//! their arguments, call the library and print; the logic lives in the library.

mod activity;
mod check;
mod completions;
mod current;
mod diff;
mod editor;
mod emulator;
mod generate;
mod head;
mod history;
mod import;
mod init;
mod migrate;
mod plan;
mod progress;
mod rehash;
mod renames;
mod revision;
mod show;
mod stamp;
mod status;
mod tenant_arg;
mod ui;
mod unlock;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use miette::Report;

use crate::project::{Project, TenantConfig};
pub(crate) use crate::tenant::AnyTenant;
use crate::tenant::{OpenError, OpenOptions, TenantError};
pub(crate) use ui::Ui;

/// Benchling schema migrations as code: YAML schemas, Rhai revisions, one linear chain.
#[derive(Debug, Parser)]
#[command(name = "liminal", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// Output format: text for people, json for tools (stdout then holds one JSON document)
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Log each HTTP request to stderr (secrets redacted)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colours in diagnostics: auto (a terminal, and `NO_COLOR` unset), never or always
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Never,
    Always,
}

impl ColorChoice {
    /// `--color`, which the command line may not have parsed yet (its own errors are coloured
    /// too): the last `--color X` / `--color=X` among the arguments.
    pub(crate) fn from_args(args: &[String]) -> ColorChoice {
        let mut choice = ColorChoice::Auto;
        for (i, a) in args.iter().enumerate() {
            let value = match a.strip_prefix("--color=") {
                Some(v) => Some(v),
                None if a == "--color" => args.get(i + 1).map(String::as_str),
                None => None,
            };
            choice = match value {
                Some("never") => ColorChoice::Never,
                Some("always") => ColorChoice::Always,
                Some("auto") => ColorChoice::Auto,
                _ => choice,
            };
        }
        choice
    }

    /// Whether to colour: `always`, or `auto` on a terminal without `NO_COLOR` (any non-empty
    /// value, as no-color.org says).
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                use std::io::IsTerminal;
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
            }
        }
    }

    /// Set up miette (and clap's own messages) for this choice.
    fn install(self) -> clap::ColorChoice {
        let color = self.enabled();
        let _ = miette::set_hook(Box::new(move |_| Box::new(miette::MietteHandlerOpts::new().color(color).build())));
        if color { clap::ColorChoice::Always } else { clap::ColorChoice::Never }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create liminal.yaml, schemas/ and versions/ with the base revision
    Init(init::Args),
    /// Diff code against a tenant and write the next revision
    #[command(alias = "autogenerate")]
    Revision(revision::Args),
    /// Apply revisions up to a target (head, +n, or an id)
    Upgrade(migrate::UpArgs),
    /// Run downgrade() of revisions down to a target (-n, an id, or base)
    Downgrade(migrate::DownArgs),
    /// Print the tenant's current revision id
    Current(current::Args),
    /// Print the head revision id of the local chain
    Head(head::Args),
    /// List the chain, newest first, with a tenant's position
    History(history::Args),
    /// Describe what `revision` would generate (exit 0 in sync, 2 differences, 1 error)
    Diff(diff::Args),
    /// Lint schemas, revisions and the chain (exit 0 clean, 1 problems)
    Check(check::Args),
    /// Record a revision on a tenant without running anything
    Stamp(stamp::Args),
    /// Break a lease left on a tenant by a run that is gone
    Unlock(unlock::Args),
    /// Write versions/liminal.sum again after a deliberate edit of a revision
    Rehash(rehash::Args),
    /// Show one revision: header, file, operations with their lints, where tenants stand
    Show(show::Args),
    /// Every tenant's revision, pending revisions, drift (--drift) and lock, in one table
    Status(status::Args),
    /// Write schemas/ YAML from an existing tenant
    GenerateFiles(generate::Args),
    /// Convert a Python Liminal project: its revisions (same ids) and its models
    Import(import::Args),
    /// Serve the Benchling API emulator on 127.0.0.1
    Emulator(emulator::Args),
    /// Print a shell completion script
    Completions(completions::Args),
    /// Print the JSON Schema of schema YAML files, for editors
    JsonSchema(editor::SchemaArgs),
    /// Print the Rhai definitions of the revision constructors, for the Rhai language server
    RhaiDefinitions(editor::DefinitionsArgs),
}

/// What a command found out, for the exit code.
pub(crate) struct Done(pub u8);

impl Done {
    pub(crate) const OK: Done = Done(0);
}

/// Run the command line; the binary's `main` is just this.
pub fn main() -> ExitCode {
    completions::answer_if_asked();
    let args: Vec<String> = std::env::args().collect();
    let clap_color = ColorChoice::from_args(&args).install();
    let parsed = Cli::command()
        .color(clap_color)
        .try_get_matches_from(&args)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    // `diff --json` is `--format json`, errors included.
    let format = if matches!(&cli.command, Command::Diff(a) if a.json()) { Format::Json } else { cli.format };
    let ui = Ui::new(format, cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            ui.error(&miette::miette!("cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli.command, &ui)) {
        Ok(_) if ui.failed() => ExitCode::from(1),
        Ok(Done(code)) => ExitCode::from(code),
        Err(report) => {
            ui.error(&report);
            let interrupted = report.downcast_ref::<migrate::Interrupted>().is_some();
            ExitCode::from(if interrupted { crate::interrupt::EXIT_CODE } else { 1 })
        }
    }
}

/// A command line clap rejects. Clap exits 2, but 2 is `diff`'s "differences found" and the
/// contract's error code is 1: a typo in a CI script must not read as drift. `--help` and
/// `--version` still exit 0; with `--format json`, stdout still gets its one error document.
fn usage_error(e: &clap::Error) -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let json =
        args.iter().any(|a| a == "--format=json") || args.windows(2).any(|w| w[0] == "--format" && w[1] == "json");
    if e.exit_code() == 0 {
        // `--help` and `--version` are results: with `--format json`, one document holds them.
        if json {
            let text = e.render().to_string();
            let doc = match e.kind() {
                clap::error::ErrorKind::DisplayVersion => serde_json::json!({
                    "name": env!("CARGO_PKG_NAME"),
                    "version": env!("CARGO_PKG_VERSION"),
                }),
                _ => serde_json::json!({ "help": text }),
            };
            Ui::new(Format::Json, 0).document(&doc);
        } else {
            let _ = e.print();
        }
        return ExitCode::SUCCESS;
    }
    let _ = e.print();
    if json {
        let rendered = e.render().to_string();
        // The paragraph before the usage line, on one line.
        let message = rendered.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect::<Vec<_>>();
        let message = message.join(" ").trim_start_matches("error: ").to_string();
        // clap's "did you mean" (`tip: a similar subcommand exists: 'check'`) is the best help.
        let tip = rendered.lines().map(str::trim).find_map(|l| l.strip_prefix("tip: ")).map(str::to_string);
        let help = tip.unwrap_or_else(|| "run `liminal --help` for the commands and their arguments".to_string());
        Ui::new(Format::Json, 0).document(&serde_json::json!({
            "error": {
                "message": message, "code": "usage", "help": help,
                "file": null, "line": null, "column": null, "problems": []
            }
        }));
    }
    ExitCode::from(1)
}

async fn run(command: Command, ui: &Ui) -> Result<Done, Report> {
    match command {
        Command::Init(args) => init::run(args, ui),
        Command::Revision(args) => revision::run(args, ui).await,
        Command::Upgrade(args) => migrate::upgrade(args, ui).await,
        Command::Downgrade(args) => migrate::downgrade(args, ui).await,
        Command::Head(args) => head::run(args, ui),
        Command::History(args) => history::run(args, ui).await,
        Command::Check(args) => check::run(args, ui).await,
        Command::Stamp(args) => stamp::run(args, ui).await,
        Command::Unlock(args) => unlock::run(args, ui).await,
        Command::Rehash(args) => rehash::run(args, ui),
        Command::Show(args) => show::run(args, ui).await,
        Command::Status(args) => status::run(args, ui).await,
        Command::Current(args) => current::run(args, ui).await,
        Command::Diff(args) => diff::run(args, ui).await,
        Command::GenerateFiles(args) => generate::run(args, ui).await,
        Command::Import(args) => import::run(args, ui),
        Command::Emulator(args) => emulator::run(args, ui).await,
        Command::Completions(args) => completions::run(args, ui),
        Command::JsonSchema(args) => editor::json_schema(args, ui),
        Command::RhaiDefinitions(args) => editor::rhai_definitions(args, ui),
    }
}

/// A message of the command's own as a diagnostic with a help line. A library error is kept
/// whole instead ([`report_error`]).
pub(crate) fn report(error: impl std::fmt::Display, help: impl std::fmt::Display) -> Report {
    miette::miette!(help = help.to_string(), "{error}")
}

/// A library error with the help line the command gives it, kept whole rather than turned into
/// text: printed as `{context}: {error}` (or the error alone), with the causes in its source
/// chain that its message does not already say, and its code found for JSON documents.
pub(crate) fn report_error<E>(context: Option<&str>, error: E, help: impl std::fmt::Display) -> Report
where
    E: std::error::Error + Send + Sync + 'static,
{
    Report::new(Helped { context: context.map(str::to_string), error: Box::new(error), help: help.to_string() })
}

/// See [`report_error`].
#[derive(Debug)]
struct Helped {
    context: Option<String>,
    error: Box<dyn std::error::Error + Send + Sync>,
    help: String,
}

impl std::fmt::Display for Helped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.context {
            Some(c) => write!(f, "{c}: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

impl std::error::Error for Helped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.error)
    }
}

impl miette::Diagnostic for Helped {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
}

pub(crate) fn tenant_report(e: TenantError) -> Report {
    Report::new(e)
}

/// The project around the current folder.
pub(crate) fn project() -> Result<Project, Report> {
    let cwd = std::env::current_dir()
        .map_err(|e| report_error(Some("cannot read the current folder"), e, "cd into a project"))?;
    let project = Project::discover(&cwd)?;
    for (dir, recursive, ext) in
        [(&project.schemas_dir, true, &["yaml", "yml"][..]), (&project.versions_dir, false, &["rhai"][..])]
    {
        for path in crate::inputs::non_files(dir, recursive, ext) {
            eprintln!("warning: skipped {}: not a regular file", relative(&project, &path).display());
        }
    }
    Ok(project)
}

/// Open a tenant named on the command line ([`crate::tenant::open`]), with the run's `-v` and
/// progress output. Credentials come from the environment variables that liminal.yaml names.
pub(crate) fn open_tenant(config: &TenantConfig, ui: &Ui) -> Result<AnyTenant, Report> {
    let interactive = ui.interactive();
    let observe = |name: &str| activity::Activity::start(name, interactive).observer();
    let options = OpenOptions { verbose: ui.verbose > 0, observe: Some(&observe) };
    crate::tenant::open::open(config, &options).map_err(|e| match e {
        OpenError::Secret(e) => Report::from(e),
        OpenError::Tenant(e) => tenant_report(e),
    })
}

/// The revision chain of the project.
pub(crate) fn load_chain(project: &Project) -> Result<crate::chain::Chain, Report> {
    crate::chain::Chain::load(&project.versions_dir).map_err(Report::new)
}

/// The current time (UTC), for revision headers.
pub(crate) fn now() -> time::PrimitiveDateTime {
    let t = time::OffsetDateTime::now_utc();
    time::PrimitiveDateTime::new(t.date(), time::Time::from_hms(t.hour(), t.minute(), t.second()).unwrap_or(t.time()))
}

/// [`code_problems_for`](crate::lint::check::code_problems_for) as an error, for commands that
/// stop at the first problem.
pub(crate) fn check_code_for(
    project: &Project,
    config: &TenantConfig,
    code: &crate::schema::CodeModel,
    state: &crate::state::TenantState,
) -> Result<(), Report> {
    let problems = crate::lint::check::code_problems_for(project, &config.name, code, state);
    if problems.is_empty() { Ok(()) } else { Err(Report::new(crate::diag::Problems(problems))) }
}

/// A diff that cannot be simulated.
pub(crate) fn diff_report(e: crate::diff::DiffError) -> Report {
    let help = match &e.error {
        crate::op::OpError::Conflict(_) => {
            "change schemas/ so it does not clash with what the tenant has (schema names, warehouse names and prefixes stay unique, archived schemas included: to swap two schemas' names, give one a free name in an earlier revision); a rename that `revision` did not offer can be written by hand: `liminal revision <tenant> \"…\" --empty`, then `update_field(schema, old, #{ warehouse_name: new })`, `update_schema(old, #{ warehouse_name: new })`, `rename_dropdown(old, new)` or `rename_dropdown_option(dropdown, old, new)`"
        }
        other => other.help(),
    };
    report_error(Some("the code cannot be applied to the tenant"), e, help)
}

/// A path as the user can use it: relative to the current folder when inside it, otherwise
/// relative to the project root.
pub(crate) fn relative(project: &Project, path: &std::path::Path) -> PathBuf {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(p) = path.strip_prefix(&cwd)
    {
        return p.to_path_buf();
    }
    path.strip_prefix(&project.root).map(PathBuf::from).unwrap_or_else(|_| path.to_path_buf())
}
