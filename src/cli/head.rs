//! `liminal head`: the head of the local chain.

use miette::Report;
use serde_json::json;

use super::{Done, Ui, load_chain, project};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(super) fn run(_args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let chain = load_chain(&project)?;
    let head = &chain.head().header().revision;
    ui.document(&json!({ "head": head }));
    ui.line(head);
    Ok(Done::OK)
}
