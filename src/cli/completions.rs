//! Shell completion that knows the project: `liminal completions <shell>` prints a script that
//! calls back into `liminal` (clap_complete's dynamic engine, `COMPLETE=<shell> liminal -- …`),
//! so tenant names, revision ids and descriptors come from the liminal.yaml and versions/ of
//! the folder the shell is in.

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::Shells;
use miette::Report;

use super::{Cli, Done, Ui, report, report_error};
use crate::project::Project;

/// The environment variable the completion scripts set when they call back.
pub(super) const VAR: &str = "COMPLETE";

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shell to complete for
    shell: clap_complete::Shell,
}

/// Answer a completion request, if this run is one (`COMPLETE` set); exits when it was.
pub(super) fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command).var(VAR).complete();
}

pub(super) fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    if ui.json() {
        return Err(report(
            "`completions` prints a shell script, not JSON",
            "run it without `--format json`: `source <(liminal completions bash)`",
        ));
    }
    let name = args.shell.to_string();
    let shells = Shells::builtins();
    let shell = shells.completer(&name).ok_or_else(|| {
        report(format!("no completion for the shell `{name}`"), "use bash, zsh, fish, elvish or powershell")
    })?;
    let mut out = Vec::new();
    shell
        .write_registration(VAR, "liminal", "liminal", "liminal", &mut out)
        .map_err(|e| report_error(Some("cannot write the script"), e, "try again"))?;
    ui.text(&String::from_utf8_lossy(&out));
    Ok(Done::OK)
}

fn project() -> Option<Project> {
    Project::discover(&std::env::current_dir().ok()?).ok()
}

fn matching(current: &std::ffi::OsStr, candidates: Vec<CompletionCandidate>) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    candidates.into_iter().filter(|c| c.get_value().to_string_lossy().starts_with(current.as_ref())).collect()
}

/// Tenant keys and aliases from liminal.yaml; after a comma (`upgrade test,pr<TAB>`), the
/// next tenant of the list.
pub(super) fn tenants(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    let Some(project) = project() else { return vec![] };
    let typed = current.to_string_lossy();
    let before = typed.rsplit_once(',').map(|(a, _)| format!("{a},")).unwrap_or_default();
    let mut out = Vec::new();
    for t in &project.tenants {
        let backend = match &t.kind {
            crate::project::TenantKind::Local { .. } => "local tenant".to_string(),
            crate::project::TenantKind::Http { url, .. } => url.to_string(),
        };
        out.push(CompletionCandidate::new(format!("{before}{}", t.name)).help(Some(backend.clone().into())));
        if let Some(alias) = &t.alias {
            let help = format!("alias of {}", t.name);
            out.push(CompletionCandidate::new(format!("{before}{alias}")).help(Some(help.into())));
        }
    }
    matching(current, out)
}

/// Revision ids of the chain, newest first, with their messages.
fn revisions() -> Vec<CompletionCandidate> {
    let Some(project) = project() else { return vec![] };
    let Ok(chain) = crate::chain::Chain::load(&project.versions_dir) else { return vec![] };
    chain
        .revisions()
        .iter()
        .rev()
        .map(|s| CompletionCandidate::new(&s.header().revision).help(Some(s.header().message.clone().into())))
        .collect()
}

fn with(descriptors: &[(&'static str, &'static str)], current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    let mut out: Vec<CompletionCandidate> =
        descriptors.iter().map(|(d, help)| CompletionCandidate::new(*d).help(Some((*help).into()))).collect();
    out.extend(revisions());
    matching(current, out)
}

/// `upgrade` targets.
pub(super) fn upgrade_targets(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    with(&[("head", "the newest revision"), ("+1", "the next revision")], current)
}

/// `downgrade` targets.
pub(super) fn downgrade_targets(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    with(&[("-1", "the previous revision"), ("base", "the base revision")], current)
}

/// `stamp` revisions.
pub(super) fn stamp_revisions(current: &std::ffi::OsStr) -> Vec<CompletionCandidate> {
    with(&[("head", "the newest revision"), ("base", "the base revision")], current)
}
