//! Operations: the one model of "what a migration step means".
//!
//! An [`Op`] is one of Liminal's 19 operations. [`Op::apply`] simulates it on a [`TenantState`]
//! exactly as Benchling (and Liminal's execute) would, errors included; [`Op::reverse`] gives the
//! operation that undoes it, computed from the state before it runs; [`Op::describe`] is the
//! one-line description shown while upgrading and by `diff`. Every backend, the diff, the Rhai
//! scripts and the linter share these definitions.

mod apply;
mod patch;
pub mod present;

use std::fmt;

use serde::Serialize;

use crate::schema::{DropdownDef, FieldDef, NameTemplate, SchemaDef};
use crate::state::{TenantState, Undo};

pub(crate) use crate::schema::codec::json::type_name;
pub use crate::schema::codec::json::{
    ValueError, field_def_from_json, field_def_to_json, schema_def_from_json, schema_def_to_json, template_from_json,
    template_to_json,
};
pub use patch::{FieldPatch, SchemaPatch};

/// One migration operation. Schemas and fields are named by warehouse name, dropdowns and
/// options by display name, as in Liminal. Indexes are 0-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    CreateDropdown { name: String, options: Vec<String> },
    ArchiveDropdown { name: String },
    UnarchiveDropdown { name: String },
    RenameDropdown { name: String, new_name: String },
    CreateDropdownOption { dropdown: String, option: String, index: usize },
    ArchiveDropdownOption { dropdown: String, option: String },
    UnarchiveDropdownOption { dropdown: String, option: String, index: usize },
    RenameDropdownOption { dropdown: String, option: String, new_option: String },
    ReorderDropdownOptions { dropdown: String, options: Vec<String> },
    CreateSchema { schema: Box<SchemaDef> },
    ArchiveSchema { schema: String },
    UnarchiveSchema { schema: String },
    UpdateSchema { schema: String, patch: Box<SchemaPatch> },
    SetNameTemplate { schema: String, template: NameTemplate },
    CreateField { schema: String, field: Box<FieldDef>, index: usize },
    ArchiveField { schema: String, field: String, index: Option<usize> },
    UnarchiveField { schema: String, field: String, index: Option<usize> },
    UpdateField { schema: String, field: String, patch: Box<FieldPatch> },
    ReorderFields { schema: String, fields: Vec<String> },
}

/// Why an operation cannot be applied to a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("{what} `{name}` does not exist")]
    NotFound { what: &'static str, name: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// The operation would look at part of the tenant that was not read (a partial read that
    /// missed something): a bug in liminal, never a simulation on empty data.
    #[error("liminal did not read {0} from the tenant before simulating this operation")]
    NotRead(String),
}

impl OpError {
    pub(crate) fn not_found(what: &'static str, name: &str) -> OpError {
        OpError::NotFound { what, name: name.to_string() }
    }

    /// What the user can do about it.
    pub fn help(&self) -> &'static str {
        match self {
            OpError::NotFound { .. } => {
                "check the name against the tenant (`liminal diff`), or the order of operations in the revision"
            }
            OpError::Conflict(_) => "the tenant already has this; edit the revision or run `liminal diff` to compare",
            OpError::Invalid(_) => "fix the operation's arguments in the revision script",
            OpError::NotRead(_) => {
                "this is a bug in liminal's partial reads; please report it (nothing was sent for this operation)"
            }
        }
    }
}

/// What an operation acts on, for grouping and for reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Target {
    Dropdown(String),
    Schema(String),
}

impl Op {
    /// The Rhai constructor's name, which is also the name in JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateDropdown { .. } => "create_dropdown",
            Op::ArchiveDropdown { .. } => "archive_dropdown",
            Op::UnarchiveDropdown { .. } => "unarchive_dropdown",
            Op::RenameDropdown { .. } => "rename_dropdown",
            Op::CreateDropdownOption { .. } => "create_dropdown_option",
            Op::ArchiveDropdownOption { .. } => "archive_dropdown_option",
            Op::UnarchiveDropdownOption { .. } => "unarchive_dropdown_option",
            Op::RenameDropdownOption { .. } => "rename_dropdown_option",
            Op::ReorderDropdownOptions { .. } => "reorder_dropdown_options",
            Op::CreateSchema { .. } => "create_schema",
            Op::ArchiveSchema { .. } => "archive_schema",
            Op::UnarchiveSchema { .. } => "unarchive_schema",
            Op::UpdateSchema { .. } => "update_schema",
            Op::SetNameTemplate { .. } => "set_name_template",
            Op::CreateField { .. } => "create_field",
            Op::ArchiveField { .. } => "archive_field",
            Op::UnarchiveField { .. } => "unarchive_field",
            Op::UpdateField { .. } => "update_field",
            Op::ReorderFields { .. } => "reorder_fields",
        }
    }

    /// Liminal's class name for the operation (`diff --json` reports it).
    pub fn liminal_name(&self) -> &'static str {
        match self {
            Op::CreateDropdown { .. } => "CreateDropdown",
            Op::ArchiveDropdown { .. } => "ArchiveDropdown",
            Op::UnarchiveDropdown { .. } => "UnarchiveDropdown",
            Op::RenameDropdown { .. } => "UpdateDropdownName",
            Op::CreateDropdownOption { .. } => "CreateDropdownOption",
            Op::ArchiveDropdownOption { .. } => "ArchiveDropdownOption",
            Op::UnarchiveDropdownOption { .. } => "UnarchiveDropdownOption",
            Op::RenameDropdownOption { .. } => "UpdateDropdownOption",
            Op::ReorderDropdownOptions { .. } => "ReorderDropdownOptions",
            Op::CreateSchema { .. } => "CreateEntitySchema",
            Op::ArchiveSchema { .. } => "ArchiveEntitySchema",
            Op::UnarchiveSchema { .. } => "UnarchiveEntitySchema",
            Op::UpdateSchema { .. } => "UpdateEntitySchema",
            Op::SetNameTemplate { .. } => "UpdateEntitySchemaNameTemplate",
            Op::CreateField { .. } => "CreateEntitySchemaField",
            Op::ArchiveField { .. } => "ArchiveEntitySchemaField",
            Op::UnarchiveField { .. } => "UnarchiveEntitySchemaField",
            Op::UpdateField { .. } => "UpdateEntitySchemaField",
            Op::ReorderFields { .. } => "ReorderEntitySchemaFields",
        }
    }

    /// The diff sorts operations by this value: Liminal 5.1.0's `order`, except that unarchiving
    /// a field comes right after creating fields (Liminal: after updating the schema, at 130), so
    /// a name template or constraint can name a field unarchived in the same revision, and the
    /// revision's downgrade can archive that field again after restoring them.
    pub fn order(&self) -> u32 {
        match self {
            Op::CreateDropdown { .. } => 10,
            Op::RenameDropdown { .. } => 20,
            Op::UnarchiveDropdown { .. } => 30,
            Op::CreateDropdownOption { .. } => 40,
            Op::UnarchiveDropdownOption { .. } => 50,
            Op::RenameDropdownOption { .. } => 60,
            Op::ArchiveDropdownOption { .. } => 70,
            Op::ReorderDropdownOptions { .. } => 80,
            Op::CreateSchema { .. } => 80,
            Op::UnarchiveSchema { .. } => 90,
            Op::CreateField { .. } => 100,
            Op::SetNameTemplate { .. } => 110,
            Op::UpdateSchema { .. } => 120,
            Op::UnarchiveField { .. } => 105,
            Op::UpdateField { .. } => 140,
            Op::ArchiveField { .. } => 150,
            Op::ReorderFields { .. } => 160,
            Op::ArchiveSchema { .. } => 170,
            Op::ArchiveDropdown { .. } => 180,
        }
    }

    pub fn target(&self) -> Target {
        match self {
            Op::CreateDropdown { name, .. }
            | Op::ArchiveDropdown { name }
            | Op::UnarchiveDropdown { name }
            | Op::RenameDropdown { name, .. } => Target::Dropdown(name.clone()),
            Op::CreateDropdownOption { dropdown, .. }
            | Op::ArchiveDropdownOption { dropdown, .. }
            | Op::UnarchiveDropdownOption { dropdown, .. }
            | Op::RenameDropdownOption { dropdown, .. }
            | Op::ReorderDropdownOptions { dropdown, .. } => Target::Dropdown(dropdown.clone()),
            Op::CreateSchema { schema } => Target::Schema(schema.props.warehouse_name.clone()),
            Op::ArchiveSchema { schema }
            | Op::UnarchiveSchema { schema }
            | Op::UpdateSchema { schema, .. }
            | Op::SetNameTemplate { schema, .. }
            | Op::CreateField { schema, .. }
            | Op::ArchiveField { schema, .. }
            | Op::UnarchiveField { schema, .. }
            | Op::UpdateField { schema, .. }
            | Op::ReorderFields { schema, .. } => Target::Schema(schema.clone()),
        }
    }

    /// Whether the operation changes only the field list of one schema (one
    /// `:set-field-definitions` request on Benchling).
    pub fn is_field_op(&self) -> bool {
        matches!(
            self,
            Op::CreateField { .. }
                | Op::ArchiveField { .. }
                | Op::UnarchiveField { .. }
                | Op::UpdateField { .. }
                | Op::ReorderFields { .. }
        )
    }

    /// Apply to `state`, as Benchling would. On error the state is unchanged.
    ///
    /// In place: only the operation's target (the one schema or dropdown it acts on) is copied
    /// first, to put it back if the operation fails half-way.
    pub fn apply(&self, state: &mut TenantState) -> Result<(), OpError> {
        let mut undo = state.undo_point();
        self.apply_saving(state, &mut undo)
    }

    /// Apply, first saving into `undo` what the operation changes (its target, as it was when
    /// `undo` was taken), so that `state.restore(undo)` undoes every operation applied since.
    /// On error the state is as it was before this operation.
    pub fn apply_saving(&self, state: &mut TenantState, undo: &mut Undo) -> Result<(), OpError> {
        apply::check_read(self, state)?;
        let mut own = state.undo_point();
        match self.target() {
            Target::Schema(wh) => state.save(&mut own, Some(&wh), None),
            Target::Dropdown(name) => state.save(&mut own, None, Some(&name)),
        }
        match apply::apply(self, state) {
            Ok(()) => {
                undo.absorb(own);
                Ok(())
            }
            Err(e) => {
                state.restore(own);
                Err(e)
            }
        }
    }

    /// The operation that undoes this one, given the state before it runs.
    pub fn reverse(&self, before: &TenantState) -> Result<Op, OpError> {
        apply::reverse(self, before)
    }

    /// A one-line description of the action.
    pub fn describe(&self) -> String {
        let q = |s: &str| format!("`{s}`");
        match self {
            Op::CreateDropdown { name, options } => {
                format!("{}: create dropdown with options {}", name, list(options))
            }
            Op::ArchiveDropdown { name } => format!("{name}: archive dropdown"),
            Op::UnarchiveDropdown { name } => format!("{name}: unarchive dropdown"),
            Op::RenameDropdown { name, new_name } => format!("{name}: rename dropdown to {}", q(new_name)),
            Op::CreateDropdownOption { dropdown, option, index } => {
                format!("{dropdown}: add option {} at position {index}", q(option))
            }
            Op::ArchiveDropdownOption { dropdown, option } => format!("{dropdown}: archive option {}", q(option)),
            Op::UnarchiveDropdownOption { dropdown, option, index } => {
                format!("{dropdown}: unarchive option {} at position {index}", q(option))
            }
            Op::RenameDropdownOption { dropdown, option, new_option } => {
                format!("{dropdown}: rename option {} to {}", q(option), q(new_option))
            }
            Op::ReorderDropdownOptions { dropdown, options } => {
                format!("{dropdown}: reorder options to {}", list(options))
            }
            Op::CreateSchema { schema } => {
                let fields: Vec<String> = schema.active_fields().map(|f| f.warehouse_name.clone()).collect();
                format!(
                    "{}: create {} schema `{}` with fields {}",
                    schema.props.warehouse_name,
                    schema.props.entity_type,
                    schema.props.name,
                    list(&fields)
                )
            }
            Op::ArchiveSchema { schema } => format!("{schema}: archive schema"),
            Op::UnarchiveSchema { schema } => format!("{schema}: unarchive schema"),
            Op::UpdateSchema { schema, patch } => format!("{schema}: set {}", patch.describe()),
            Op::SetNameTemplate { schema, template } => {
                if template.parts.is_empty() {
                    format!("{schema}: remove the name template")
                } else {
                    let parts: Vec<String> = template
                        .parts
                        .iter()
                        .map(|p| match (&p.value, &p.field) {
                            (Some(v), _) => format!("{}({v:?})", p.kind),
                            (_, Some(f)) => format!("{}({f})", p.kind),
                            _ => p.kind.to_string(),
                        })
                        .collect();
                    format!("{schema}: set the name template to {}", parts.join(" + "))
                }
            }
            Op::CreateField { schema, field, index } => {
                format!("{schema}: create {} field {} at position {index}", field.field_type, q(&field.warehouse_name))
            }
            Op::ArchiveField { schema, field, .. } => format!("{schema}: archive field {}", q(field)),
            Op::UnarchiveField { schema, field, .. } => format!("{schema}: unarchive field {}", q(field)),
            Op::UpdateField { schema, field, patch } => {
                format!("{schema}: set {} on field {}", patch.describe(), q(field))
            }
            Op::ReorderFields { schema, fields } => format!("{schema}: reorder fields to {}", list(fields)),
        }
    }
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "))
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A dropdown's content as an operation would create it.
impl From<&DropdownDef> for Op {
    fn from(d: &DropdownDef) -> Op {
        Op::CreateDropdown { name: d.name.clone(), options: d.options.clone() }
    }
}

/// Apply `ops` in order; on error, say which one failed. The state holds everything applied
/// before the failing op.
pub fn apply_all(state: &mut TenantState, ops: &[Op]) -> Result<(), (usize, OpError)> {
    for (i, op) in ops.iter().enumerate() {
        op.apply(state).map_err(|e| (i, e))?;
    }
    Ok(())
}
