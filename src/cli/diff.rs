//! `liminal diff <tenant>`: what `revision` would generate, described.

use miette::Report;
use serde_json::json;

use super::tenant_arg::TenantArg;
use super::{Done, Ui, open_tenant, project, tenant_report};
use crate::diff::{Difference, diff};
use crate::op::Target;
use crate::tenant::Tenant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    tenant: TenantArg,
    /// Print one JSON document (an alias of --format json)
    #[arg(long)]
    json: bool,
}

impl Args {
    /// `--json`: the command line then runs as with `--format json` (errors included).
    pub(crate) fn json(&self) -> bool {
        self.json
    }
}

pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let project = project()?;
    let config = args.tenant.resolve(&project)?;
    let (code, places) =
        crate::schema::load_dir_with_places(&project.schemas_dir, &|_| Vec::new()).map_err(Report::new)?;
    let mut tenant = open_tenant(config, ui)?;
    let state = tenant.read().await.map_err(tenant_report)?;
    super::check_code_for(&project, config, &code, &state)?;
    let steps = diff(&code, &state).map_err(super::diff_report)?;
    let candidates = crate::rename::candidates(&code, &state);
    super::renames::choose(&candidates, super::renames::Mode::Hint, &mut std::io::empty(), &mut std::io::stderr());
    let (dropdowns, schemas): (Vec<_>, Vec<_>) =
        steps.iter().partition(|s| matches!(s.op.target(), Target::Dropdown(_)));
    let part = |steps: &[&crate::diff::Step]| {
        let differences: Vec<Difference> = steps.iter().map(|s| Difference::from(*s)).collect();
        json!({ "compared": true, "in_sync": differences.is_empty(), "differences": differences })
    };
    let ops: Vec<crate::op::Op> = steps.iter().map(|s| s.op.clone()).collect();
    let findings = crate::lint::lint_code_ops(&ops, Some(&places));
    let document = json!({
        "tenant": config.name,
        "total_differences": steps.len(),
        "in_sync": steps.is_empty(),
        "dropdowns": part(&dropdowns),
        "entity_schemas": part(&schemas),
        "findings": findings.iter().map(|f| f.to_json(f.file().map(|p| super::relative(&project, p)))).collect::<Vec<_>>(),
        "rename_candidates": candidates.iter().map(crate::rename::Rename::to_json).collect::<Vec<_>>(),
    });
    if ui.json() {
        ui.document(&document);
    } else {
        for (label, list) in [("Dropdowns", &dropdowns), ("Entity schemas", &schemas)] {
            if list.is_empty() {
                ui.line(format!("{label} are in sync for {} tenant.", config.name));
            } else {
                ui.line(format!(
                    "{label}: {} for {} tenant.",
                    crate::diag::count(list.len(), "difference"),
                    config.name
                ));
                for (i, s) in list.iter().enumerate() {
                    ui.line(format!("  {}. {}", i + 1, s.op.describe()));
                }
            }
        }
        for f in &findings {
            let at =
                f.at.as_ref()
                    .map(|p| format!("{}:{}:{}: ", super::relative(&project, &p.file).display(), p.line, p.column))
                    .unwrap_or_default();
            ui.line(format!("{}[{}] {at}{}", f.severity, f.lint.code, f.message));
        }
        if steps.is_empty() {
            ui.line(format!("{} is in sync with the code.", config.name));
        } else {
            ui.line(format!(
                "{} in total; `liminal revision {} \"message\"` writes them as a revision.",
                crate::diag::count(steps.len(), "difference"),
                args.tenant.as_str()
            ));
        }
    }
    Ok(Done(if steps.is_empty() { 0 } else { 2 }))
}
