//! `liminal revision <tenant> <message>`: diff code against the tenant and write the next
//! revision.

use miette::Report;
use serde_json::json;

use super::tenant_arg::{self, TenantName};
use super::{Done, Ui, diff_report, load_chain, now, project, relative, report, report_error, tenant_report};
use std::path::PathBuf;

use crate::chain::sum::{Recorded, SUM_FILE, record_new_revision};
use crate::chain::{AtHead, Chain, NewRevision};
use crate::diff::diff_with;
use crate::lint::{Finding, lint_ops};
use crate::op::Op;
use crate::project::Project;
use crate::script::{Direction, Script};
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Tenant key or alias from liminal.yaml (with --empty it may be left out: no tenant is read)
    #[arg(value_name = "TENANT", add = tenant_arg::completer())]
    tenant: TenantName,
    /// What the revision does (its first line, and its file name)
    #[arg(value_name = "MESSAGE")]
    message: Option<String>,
    /// Write empty upgrade()/downgrade() lists to fill in by hand
    #[arg(long)]
    empty: bool,
    /// Use this revision id (12 lowercase hex characters) instead of a random one, for scripts
    #[arg(long, value_name = "ID")]
    rev_id: Option<String>,
    /// Write every possible rename (an archived and a created field, schema, dropdown or option
    /// that differ only by name) as a rename, without asking
    #[arg(long, conflicts_with = "empty")]
    renames: bool,
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let Some(message) = args.message else {
        if args.empty {
            return offline_empty(&project, &chain, args.tenant.as_str(), args.rev_id, ui);
        }
        return Err(report(
            "a message is needed: `liminal revision <tenant> \"message\"`",
            "or `liminal revision --empty \"message\"` to write an empty revision without a tenant",
        ));
    };
    let code =
        if args.empty { None } else { Some(crate::schema::load_dir(&project.schemas_dir).map_err(Report::new)?) };
    let (config, mut tenant) = args.tenant.open(&project, ui)?;
    let head = chain.head().header().revision.clone();
    let current = tenant.revision().await.map_err(tenant_report)?;
    if let AtHead::RecordBase(base) = chain.at_head(&config.name, args.tenant.as_str(), current.as_deref())? {
        tenant.set_revision(&base).await.map_err(tenant_report)?;
        ui.status(format!("{} had no revision; recorded the base revision {base}.", config.name));
    }
    let mut renames = Vec::new();
    let (upgrade, downgrade): (Vec<Op>, Vec<Op>) = match &code {
        None => (vec![], vec![]),
        Some(code) => {
            let state = tenant.read().await.map_err(tenant_report)?;
            super::check_code_for(&project, config, code, &state)?;
            let candidates = crate::rename::candidates(code, &state);
            let mode = super::renames::Mode::pick(args.renames, ui.json());
            renames = super::renames::choose(&candidates, mode, &mut std::io::stdin().lock(), &mut std::io::stderr());
            let steps = diff_with(code, &state, &renames).map_err(diff_report)?;
            (steps.iter().map(|s| s.op.clone()).collect(), steps.iter().rev().map(|s| s.reverse.clone()).collect())
        }
    };
    let (new, path, findings) = write(&project, &chain, &message, args.rev_id, &upgrade, &downgrade, ui)?;
    let rel = relative(&project, &path);
    ui.document(&json!({
        "tenant": config.name,
        "revision": new.id,
        "down_revision": head,
        "file": rel,
        "operations": upgrade.len(),
        "findings": findings.iter().map(|f| f.to_json(Some(rel.clone()))).collect::<Vec<_>>(),
        "renames": renames.iter().map(crate::rename::Rename::to_json).collect::<Vec<_>>(),
    }));
    if code.is_some() && upgrade.is_empty() {
        ui.status(format!("{} is in sync with the code: the revision has empty lists.", config.name));
    }
    ui.line(format!("{}", rel.display()));
    ui.status(format!(
        "Wrote revision {} with {}; review it (then `liminal rehash` if you edit it), then `liminal upgrade {} head`.",
        new.id,
        crate::diag::count(upgrade.len(), "operation"),
        args.tenant
    ));
    Ok(Done::OK)
}

/// `revision --empty "message"`: no tenant is read; the revision goes on top of the head.
fn offline_empty(
    project: &Project,
    chain: &Chain,
    message: &str,
    rev_id: Option<String>,
    ui: &Ui,
) -> Result<Done, Report> {
    let head = chain.head().header().revision.clone();
    let (new, path, _) = write(project, chain, message, rev_id, &[], &[], ui)?;
    let rel = relative(project, &path);
    ui.document(&json!({ "tenant": null, "revision": new.id, "down_revision": head, "file": rel, "operations": 0, "findings": [] }));
    ui.line(format!("{}", rel.display()));
    ui.status(format!(
        "Wrote revision {} on top of {head} with empty lists; fill them in, then `liminal rehash` and `liminal check`.",
        new.id
    ));
    Ok(Done::OK)
}

/// Write the revision file, add it to the sum file, and print the lints of its operations at
/// their places in the new file.
fn write(
    project: &Project,
    chain: &Chain,
    message: &str,
    rev_id: Option<String>,
    upgrade: &[Op],
    downgrade: &[Op],
    ui: &Ui,
) -> Result<(NewRevision, PathBuf, Vec<Finding>), Report> {
    let new = match rev_id {
        Some(id) => chain.new_revision_with_id(id, message, now(), upgrade, downgrade),
        None => chain.new_revision(message, now(), upgrade, downgrade),
    }
    .map_err(Report::new)?;
    let path = new.write(&project.versions_dir).map_err(|e| {
        report_error(Some(&format!("cannot write {}", new.file_name)), e, "check the versions folder's permissions")
    })?;
    match record_new_revision(chain, &new.file_name, &new.text) {
        Ok(Recorded::Added) => {}
        Ok(Recorded::Created) => ui.status(format!("Wrote versions/{SUM_FILE} for the whole chain (it had none).")),
        Ok(Recorded::Skipped) => ui.status(format!(
            "warning: versions/{SUM_FILE} is malformed and was left alone; run `liminal rehash` once the chain is right"
        )),
        Err(e) => {
            return Err(report_error(
                Some(&format!("cannot write versions/{SUM_FILE}")),
                e,
                "check the versions folder's permissions",
            ));
        }
    }
    let findings = lint_new_file(&path);
    for f in &findings {
        ui.status(format!("{:?}", Report::new(f.clone())));
    }
    Ok((new, path, findings))
}

/// The lints of a just-written revision, at their lines in it.
fn lint_new_file(path: &std::path::Path) -> Vec<Finding> {
    let Ok(script) = Script::load(path) else { return Vec::new() };
    let mut findings = Vec::new();
    for direction in [Direction::Upgrade, Direction::Downgrade] {
        if let Ok(ops) = script.ops(direction) {
            findings.extend(lint_ops(&script, direction, &ops));
        }
    }
    findings
}
