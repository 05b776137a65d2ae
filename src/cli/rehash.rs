//! `liminal rehash`: write versions/liminal.sum again after a deliberate edit of a revision.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, load_chain, project, relative, report_error};
use crate::chain::sum::{SumFile, sum_path, write_sum};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(super) fn run(_args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let before = std::fs::read_to_string(sum_path(chain.dir())).ok().and_then(|t| SumFile::parse(&t).ok());
    let path = write_sum(&chain).map_err(|e| {
        report_error(
            Some(&format!("cannot write {}", sum_path(chain.dir()).display())),
            e,
            "check the versions folder's permissions",
        )
    })?;
    let after = SumFile::of_chain(&chain);
    let changed: Vec<&str> = after
        .entries
        .iter()
        .filter(|(name, hash)| before.as_ref().and_then(|b| b.hash_of(name)) != Some(hash.as_str()))
        .map(|(name, _)| name.as_str())
        .collect();
    let rel = relative(&project, &path);
    ui.document(&json!({ "file": rel, "revisions": after.entries.len(), "changed": changed, "total": after.total }));
    ui.line(format!(
        "Wrote {} ({}, {} new or changed).",
        rel.display(),
        crate::diag::count(after.entries.len(), "revision"),
        changed.len()
    ));
    for name in changed {
        ui.status(format!("  {name}"));
    }
    Ok(Done::OK)
}
