//! Rename candidates: what the diff would write as archive + create but that may have been a
//! rename. They are asked about (`revision` on a terminal) or accepted with `--renames`, never
//! guessed: [`crate::diff::diff_with`] writes the accepted ones as `update_schema`,
//! `update_field`, `rename_dropdown` or `rename_dropdown_option`, so the data stays where it is.
//!
//! A candidate is, deterministically (tenant order, each item in at most one candidate):
//! - **a schema** the tenant has active and code no longer names, and a schema code names that
//!   the tenant has never had, with the same properties and active fields except the name and
//!   warehouse name;
//! - **a field** of a schema both have, that code no longer names (the diff would archive it),
//!   and a field the schema has never had (the diff would create it), equal but for the warehouse
//!   name and display name;
//! - **a dropdown** the tenant has active and code no longer names, and one the tenant has never
//!   had, with the same options, or used by the same fields;
//! - **an option** of a dropdown both have, dropped by code, and an option the dropdown has never
//!   had, at the same position.
//!
//! Schema and field candidates need the tenant setting `custom_warehouse_names`: without it
//! Benchling cannot change a warehouse name, so there is nothing to ask.

use serde::Serialize;

use crate::op::{FieldPatch, Op, SchemaPatch};
use crate::schema::{CodeModel, REMOTE_SCHEMA, SchemaDef};
use crate::state::TenantState;

/// What a rename renames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RenameKind {
    Schema,
    Field,
    Dropdown,
    Option,
}

impl RenameKind {
    fn noun(self) -> &'static str {
        match self {
            RenameKind::Schema => "schema",
            RenameKind::Field => "field",
            RenameKind::Dropdown => "dropdown",
            RenameKind::Option => "option",
        }
    }
}

/// One possible rename, with the operation that performs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    pub kind: RenameKind,
    /// The schema (fields) or dropdown (options) it is on; empty for schemas and dropdowns.
    pub on: String,
    pub from: String,
    pub to: String,
    #[serde(skip)]
    pub op: Op,
}

impl Rename {
    /// `pizza: did you rename `dough` to `base`?`
    pub fn question(&self) -> String {
        match self.kind {
            RenameKind::Field => format!("{}: did you rename `{}` to `{}`?", self.on, self.from, self.to),
            RenameKind::Option => format!("{}: did you rename option `{}` to `{}`?", self.on, self.from, self.to),
            kind => format!("did you rename {} `{}` to `{}`?", kind.noun(), self.from, self.to),
        }
    }

    /// Its JSON form: kind, on, from, to and the revision line.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "kind": self.kind, "on": self.on, "from": self.from, "to": self.to, "line": self.line() })
    }

    /// The line a revision script holds for it.
    pub fn line(&self) -> String {
        crate::script::render_call(&self.op)
    }

    /// What the diff writes without it.
    pub fn otherwise(&self) -> String {
        match self.kind {
            RenameKind::Field | RenameKind::Schema => format!(
                "the revision archives `{}` and creates `{}`; the data stays in the archived {}",
                self.from,
                self.to,
                self.kind.noun()
            ),
            kind => format!("the revision archives {} `{}` and creates `{}`", kind.noun(), self.from, self.to),
        }
    }

    /// The `order` its step sorts by: before anything that names the new name.
    pub(crate) fn order(&self) -> u32 {
        match self.op {
            Op::UpdateSchema { .. } => 0,
            // Before any option is created (40), so a new option may take the old name.
            Op::RenameDropdownOption { .. } => 35,
            Op::UpdateField { .. } => 100,
            ref op => op.order(),
        }
    }
}

/// The rename candidates between `code` and `state`, in a deterministic order.
pub fn candidates(code: &CodeModel, state: &TenantState) -> Vec<Rename> {
    let mut out = Vec::new();
    if state.settings.custom_warehouse_names {
        schemas(code, state, &mut out);
        fields(code, state, &mut out);
    }
    dropdowns(code, state, &mut out);
    options(code, state, &mut out);
    out
}

/// The code view of `def` with only its active fields, without name or warehouse name.
fn shape(mut def: SchemaDef) -> SchemaDef {
    def.fields.retain(|f| !f.archived);
    def.props.name = String::new();
    def.props.warehouse_name = String::new();
    def.archived = false;
    def
}

fn schemas(code: &CodeModel, state: &TenantState, out: &mut Vec<Rename>) {
    let active: Vec<&SchemaDef> = code.schemas.iter().filter(|s| !s.archived).collect();
    let mut fresh: Vec<&SchemaDef> =
        active.iter().copied().filter(|c| state.schema(c.warehouse_name()).is_none()).collect();
    fresh.sort_by(|a, b| a.warehouse_name().cmp(b.warehouse_name()));
    let mut stale: Vec<_> = state
        .schemas
        .iter()
        .filter(|s| !s.archived && s.warehouse_name != REMOTE_SCHEMA && code.schema(&s.warehouse_name).is_none())
        .collect();
    stale.sort_by(|a, b| a.warehouse_name.cmp(&b.warehouse_name));
    for old in stale {
        let have = shape(state.view(old));
        let Some(k) = fresh.iter().position(|c| shape((*c).clone()) == have) else { continue };
        let new = fresh.remove(k);
        // The display name too, in the same step, when no other schema holds the new one and
        // code gives the old one to no other schema (else the diff renames it after: the
        // downgrade could not give it back while a schema created with it holds it).
        let name_free = state.schemas.iter().all(|s| s.id == old.id || s.name != new.props.name)
            && code.schemas.iter().all(|c| c.props.name != old.name);
        let patch = SchemaPatch {
            warehouse_name: Some(new.warehouse_name().to_string()),
            name: (new.props.name != old.name && name_free).then(|| new.props.name.clone()),
            ..Default::default()
        };
        out.push(Rename {
            kind: RenameKind::Schema,
            on: String::new(),
            from: old.warehouse_name.clone(),
            to: new.warehouse_name().to_string(),
            op: Op::UpdateSchema { schema: old.warehouse_name.clone(), patch: Box::new(patch) },
        });
    }
}

fn fields(code: &CodeModel, state: &TenantState, out: &mut Vec<Rename>) {
    let mut schemas: Vec<&SchemaDef> = code.schemas.iter().filter(|s| !s.archived).collect();
    schemas.sort_by(|a, b| a.warehouse_name().cmp(b.warehouse_name()));
    for c in schemas {
        let Some(s) = state.schema(c.warehouse_name()) else { continue };
        let mut fresh: Vec<_> = c.active_fields().filter(|f| s.field(&f.warehouse_name).is_none()).collect();
        for old in s.active_fields().filter(|f| c.field(&f.warehouse_name).is_none()) {
            let mut have = state.field_view(old);
            have.archived = false;
            let same = |f: &&crate::schema::FieldDef| {
                let mut p = FieldPatch::between(&have, f);
                p.name = None;
                p.warehouse_name = None;
                p.is_empty()
            };
            let Some(k) = fresh.iter().position(same) else { continue };
            let new = fresh.remove(k);
            // As for schemas: the display name in the same step only when that is reversible.
            let name_free = s.fields.iter().all(|f| f.id == old.id || f.name != new.name)
                && c.fields.iter().all(|f| f.name != old.name);
            let patch = FieldPatch {
                warehouse_name: Some(new.warehouse_name.clone()),
                name: (new.name != old.name && name_free).then(|| new.name.clone()),
                ..Default::default()
            };
            out.push(Rename {
                kind: RenameKind::Field,
                on: c.warehouse_name().to_string(),
                from: old.warehouse_name.clone(),
                to: new.warehouse_name.clone(),
                op: Op::UpdateField {
                    schema: c.warehouse_name().to_string(),
                    field: old.warehouse_name.clone(),
                    patch: Box::new(patch),
                },
            });
        }
    }
}

/// The (schema, field) warehouse names of the code fields that use dropdown `name`.
fn code_users(code: &CodeModel, name: &str) -> Vec<(String, String)> {
    let mut v: Vec<_> = code
        .schemas
        .iter()
        .flat_map(|s| {
            s.active_fields()
                .filter(|f| f.dropdown.as_deref() == Some(name))
                .map(|f| (s.warehouse_name().to_string(), f.warehouse_name.clone()))
        })
        .collect();
    v.sort();
    v
}

/// The (schema, field) warehouse names of the tenant fields that use the dropdown with `id`.
fn tenant_users(state: &TenantState, id: &str) -> Vec<(String, String)> {
    let mut v: Vec<_> = state
        .schemas
        .iter()
        .flat_map(|s| {
            s.active_fields()
                .filter(|f| f.link.as_deref() == Some(id))
                .map(|f| (s.warehouse_name.clone(), f.warehouse_name.clone()))
        })
        .collect();
    v.sort();
    v
}

fn dropdowns(code: &CodeModel, state: &TenantState, out: &mut Vec<Rename>) {
    let mut fresh: Vec<_> = code.dropdowns.iter().filter(|d| state.dropdown(&d.name).is_none()).collect();
    fresh.sort_by(|a, b| a.name.cmp(&b.name));
    let mut stale: Vec<_> =
        state.dropdowns.iter().filter(|d| !d.archived && code.dropdown(&d.name).is_none()).collect();
    stale.sort_by(|a, b| a.name.cmp(&b.name));
    for old in stale {
        let options: Vec<&str> = old.active_options().map(|o| o.name.as_str()).collect();
        let users = tenant_users(state, &old.id);
        let same = |d: &&crate::schema::DropdownDef| {
            d.options.iter().map(String::as_str).eq(options.iter().copied())
                || (!users.is_empty() && code_users(code, &d.name) == users)
        };
        let Some(k) = fresh.iter().position(same) else { continue };
        let new = fresh.remove(k);
        out.push(Rename {
            kind: RenameKind::Dropdown,
            on: String::new(),
            from: old.name.clone(),
            to: new.name.clone(),
            op: Op::RenameDropdown { name: old.name.clone(), new_name: new.name.clone() },
        });
    }
}

fn options(code: &CodeModel, state: &TenantState, out: &mut Vec<Rename>) {
    let mut list: Vec<_> = code.dropdowns.iter().collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    for d in list {
        let Some(have) = state.dropdown(&d.name) else { continue };
        for (i, old) in have.active_options().enumerate() {
            let Some(new) = d.options.get(i) else { continue };
            if d.options.contains(&old.name) || have.option(new).is_some() {
                continue;
            }
            out.push(Rename {
                kind: RenameKind::Option,
                on: d.name.clone(),
                from: old.name.clone(),
                to: new.clone(),
                op: Op::RenameDropdownOption {
                    dropdown: d.name.clone(),
                    option: old.name.clone(),
                    new_option: new.clone(),
                },
            });
        }
    }
}
