//! Benchling → code: the code model that describes a tenant (`generate-files`).
//!
//! Archived schemas, fields, dropdowns and options, and `liminal_remote`, are left out, as in
//! Liminal; an archived item that is not in code is simply left archived by the diff, so the
//! generated model has an empty diff against the tenant it came from.

use crate::schema::{CodeModel, DropdownDef};
use crate::state::TenantState;

/// The code model of a tenant's active schemas and dropdowns, schemas by warehouse name and
/// dropdowns by name.
pub fn code_from_state(state: &TenantState) -> CodeModel {
    let mut schemas: Vec<_> = state
        .managed_schemas()
        .filter(|s| !s.archived)
        .map(|s| {
            let mut def = state.view(s);
            def.fields.retain(|f| !f.archived);
            def
        })
        .collect();
    schemas.sort_by(|a, b| a.props.warehouse_name.cmp(&b.props.warehouse_name));
    let mut dropdowns: Vec<_> = state
        .dropdowns
        .iter()
        .filter(|d| !d.archived)
        .map(|d| DropdownDef { name: d.name.clone(), options: d.active_options().map(|o| o.name.clone()).collect() })
        .collect();
    dropdowns.sort_by(|a, b| a.name.cmp(&b.name));
    CodeModel { schemas, dropdowns }
}
