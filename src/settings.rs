//! Tenant settings that change what Benchling accepts, and Benchling's warehouse-name rule.
//!
//! **Warehouse names.** Benchling generates a schema's or field's warehouse name (`systemName`)
//! from its display name. Setting any other warehouse name, at creation or later, needs the
//! tenant flag `SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME`, which only Benchling support turns on;
//! nothing in the API says whether a tenant has it. Liminal makes the user declare it
//! (`TenantConfigFlags(schemas_enable_change_warehouse_name=True)`, default `False`) and we do the
//! same with `custom_warehouse_names: true` on a tenant in `liminal.yaml`.
//!
//! The generated name is [`derived_warehouse_name`], Liminal's `to_snake_case` (liminal-orm 5.1.0,
//! `liminal/utils.py`, which Liminal's validation compares against, issues #54 and #72):
//!
//! 1. split the display name on space, `/`, `_` and `-`, and drop the empty pieces;
//! 2. from each piece remove every character that is not an ASCII letter or digit (accents,
//!    `°`, `%`, `&`, `(`, `:` … all go; `é` is removed, not turned into `e`);
//! 3. lowercase, and join the pieces with `_`.
//!
//! So `Bake time` → `bake_time`, `pH (target)` → `ph_target`, `Crème brûlée` → `crme_brle`,
//! `A  B` → `a_b`, but `A & B` → `a__b` (the `&` piece is dropped only after it was counted),
//! `2nd Batch` → `2nd_batch` (a leading digit is kept), and `!!!` → nothing at all: such a
//! display name cannot be used on a tenant without the setting.
//!
//! With the setting off:
//! - creating a schema or a field whose warehouse name is not the derived one is refused, and so
//!   is any change of a warehouse name ([`check_created`], [`check_renamed`], used by
//!   [`crate::op::Op::apply`], so preflight stops before the first write);
//! - `revision`, `diff` and `check --tenant` report the code's schemas and fields that the tenant
//!   would have to create with a custom warehouse name, located in `schemas/`
//!   ([`code_problems`]). Fields the tenant already has keep their warehouse name whatever their
//!   display name has become: renaming a display name never changes a warehouse name.

use serde::{Deserialize, Serialize};

use crate::op::OpError;
use crate::schema::{CodeModel, Problem, ProblemTarget, REMOTE_SCHEMA};
use crate::state::TenantState;

/// What a tenant allows beyond Benchling's defaults. Kept in the tenant state (the local tenant
/// and the emulator store it; for a Benchling tenant it comes from `liminal.yaml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    /// Benchling's `SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME`.
    #[serde(default)]
    pub custom_warehouse_names: bool,
}

impl TenantSettings {
    pub fn is_default(&self) -> bool {
        *self == TenantSettings::default()
    }
}

/// The warehouse name Benchling generates from a display name (see the module docs): Liminal's
/// `to_snake_case` exactly. ([`crate::schema::to_snake_case`], which names revision and generated
/// files, drops pieces after stripping them, so it never doubles an underscore; warehouse names
/// must match Liminal's rule to the character, so this is its own function.)
pub(crate) fn derived_warehouse_name(display_name: &str) -> String {
    display_name
        .split([' ', '/', '_', '-'])
        .filter(|piece| !piece.is_empty())
        .map(|piece| piece.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// Liminal creates its bookkeeping schema (`liminal_remote`, whose `revision_id` field is named
/// after the revision) on every tenant without its warehouse-name check; so does liminal.
fn exempt(schema: &str) -> bool {
    schema == REMOTE_SCHEMA
}

/// The message part that says what the setting is.
const SETTING: &str =
    "needs the tenant setting custom_warehouse_names (Benchling's SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME)";

fn expected(display_name: &str) -> String {
    match derived_warehouse_name(display_name) {
        d if d.is_empty() => format!("Benchling derives no warehouse name from `{display_name}`"),
        d => format!("Benchling derives `{d}` from `{display_name}`"),
    }
}

/// Creating `what` (`schema` or `field …`) of schema `schema`, named `display_name`, with
/// warehouse name `wh`.
pub(crate) fn check_created(
    state: &TenantState,
    schema: &str,
    what: &str,
    display_name: &str,
    wh: &str,
) -> Result<(), OpError> {
    if state.settings.custom_warehouse_names || exempt(schema) || derived_warehouse_name(display_name) == wh {
        return Ok(());
    }
    let derived = derived_warehouse_name(display_name);
    let use_it = if crate::schema::rules::valid_warehouse_name(&derived) {
        "use that warehouse name"
    } else {
        "that is no valid warehouse name, so give it a display name that starts with a letter"
    };
    Err(OpError::Invalid(format!(
        "{what} with warehouse name `{wh}` {SETTING}: {}; {use_it}, or set `custom_warehouse_names: true` on the tenant in liminal.yaml once Benchling support has turned the flag on",
        expected(display_name)
    )))
}

/// Changing the warehouse name of `what` (of schema `schema`) from `from` to `to`.
pub(crate) fn check_renamed(
    state: &TenantState,
    schema: &str,
    what: &str,
    from: &str,
    to: &str,
) -> Result<(), OpError> {
    if state.settings.custom_warehouse_names || exempt(schema) || from == to {
        return Ok(());
    }
    Err(OpError::Invalid(format!(
        "changing the warehouse name of {what} from `{from}` to `{to}` {SETTING}; set `custom_warehouse_names: true` on the tenant in liminal.yaml once Benchling support has turned the flag on"
    )))
}

/// The code's schemas and fields that `state` would have to create with a warehouse name other
/// than the derived one, as located problems of the code (empty when the tenant allows custom
/// warehouse names). `tenant` names the tenant in the help line.
pub(crate) fn code_problems(code: &CodeModel, state: &TenantState, tenant: &str) -> Vec<Problem> {
    if state.settings.custom_warehouse_names {
        return vec![];
    }
    let help = |derived: String| {
        let use_it = if derived.is_empty() {
            "give it a display name made of letters or digits".to_string()
        } else if !crate::schema::rules::valid_warehouse_name(&derived) {
            format!(
                "`{derived}` is not a valid warehouse name (it must start with a letter or `_`): give it a display name that starts with a letter"
            )
        } else {
            format!("use `warehouse_name: {derived}`")
        };
        format!(
            "{use_it}, or set `custom_warehouse_names: true` on tenant `{tenant}` in liminal.yaml if Benchling support turned SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME on for it"
        )
    };
    let mut out = Vec::new();
    for (i, s) in code.schemas.iter().enumerate() {
        let existing = state.schema(s.warehouse_name());
        if exempt(s.warehouse_name()) {
            continue;
        }
        if existing.is_none() && !s.archived && derived_warehouse_name(&s.props.name) != s.warehouse_name() {
            out.push(Problem {
                target: ProblemTarget::Schema(i),
                key: Some("warehouse_name"),
                message: format!(
                    "schema warehouse name `{}` is not the one Benchling generates, and tenant `{tenant}` does not allow custom warehouse names: {}",
                    s.warehouse_name(),
                    expected(&s.props.name)
                ),
                help: help(derived_warehouse_name(&s.props.name)),
                first: None,
            });
        }
        for (j, f) in s.fields.iter().enumerate() {
            let exists = existing.is_some_and(|e| e.field(&f.warehouse_name).is_some());
            if !exists && !f.archived && !s.archived && derived_warehouse_name(&f.name) != f.warehouse_name {
                out.push(Problem {
                    target: ProblemTarget::Field(i, j),
                    key: Some("warehouse_name"),
                    message: format!(
                        "field warehouse name `{}` is not the one Benchling generates, and tenant `{tenant}` does not allow custom warehouse names: {}",
                        f.warehouse_name,
                        expected(&f.name)
                    ),
                    help: help(derived_warehouse_name(&f.name)),
                    first: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case was run through liminal-orm 5.1.0's `to_snake_case` (the venv's
    /// `liminal/utils.py`).
    #[test]
    fn derived_names_match_liminal_on_awkward_names() {
        for (name, wh) in [
            ("Bake time", "bake_time"),
            ("Crème brûlée", "crme_brle"),
            ("Ünïcode", "ncode"),
            ("2nd Batch", "2nd_batch"),
            ("10% Salt", "10_salt"),
            ("A & B", "a__b"),
            ("A  B", "a_b"),
            (" Lead", "lead"),
            ("x-", "x"),
            ("pH (target)", "ph_target"),
            ("Dough/Crust-Type", "dough_crust_type"),
            ("a_b__c", "a_b_c"),
            ("Temp °C", "temp_c"),
            ("MixedCase ID", "mixedcase_id"),
            ("Dough: v2", "dough_v2"),
            ("!!!", ""),
        ] {
            assert_eq!(derived_warehouse_name(name), wh, "{name}");
        }
    }

    /// The help never suggests a warehouse name Benchling's own rule refuses.
    #[test]
    fn help_does_not_suggest_an_invalid_derived_name() {
        let yaml = "kind: entity_schema\nname: Pizza\nwarehouse_name: pizza\nprefix: PZ\nentity_type: custom_entity\nfields:\n  - { warehouse_name: second_batch, name: 2nd Batch, type: text }\n";
        let code = crate::schema::load_str(std::path::Path::new("p.yaml"), yaml).unwrap();
        let problems = code_problems(&code, &TenantState::new(), "dev");
        assert_eq!(problems.len(), 1);
        assert!(!problems[0].help.contains("use `warehouse_name: 2nd_batch`"), "{}", problems[0].help);
        assert!(problems[0].help.contains("starts with a letter"), "{}", problems[0].help);
    }

    #[test]
    fn setting_off_refuses_custom_names_and_renames() {
        let mut state = TenantState::new();
        assert!(check_created(&state, "pizza", "field", "Bake time", "bake_time").is_ok());
        assert!(check_created(&state, "pizza", "field", "Bake time", "baking").is_err());
        assert!(check_created(&state, "pizza", "field", "!!!", "x").is_err());
        let e = check_created(&state, "pizza", "field", "2nd Batch", "second_batch").unwrap_err().to_string();
        assert!(!e.contains("use that warehouse name") && e.contains("starts with a letter"), "{e}");
        assert!(check_created(&state, REMOTE_SCHEMA, "field", "0123456789ab", "revision_id").is_ok());
        assert!(check_renamed(&state, "pizza", "field", "a", "a").is_ok());
        assert!(check_renamed(&state, "pizza", "field", "a", "b").is_err());
        state.settings.custom_warehouse_names = true;
        assert!(check_created(&state, "pizza", "field", "Bake time", "baking").is_ok());
        assert!(check_renamed(&state, "pizza", "field", "a", "b").is_ok());
    }
}
