//! Fields of an existing schema: where a field goes, free display names while another field
//! holds one, and property updates.

use super::{Builder, DiffError};
use crate::op::{FieldPatch, Op};
use crate::schema::{FieldDef, SchemaDef};

/// Where a code field should go in the tenant's full field list: right after the closest
/// preceding code field that the tenant has.
pub(super) fn position_after_previous(b: &Builder, schema: &str, code_fields: &[&FieldDef], k: usize) -> usize {
    let Some(s) = b.work.schema(schema) else { return 0 };
    code_fields[..k].iter().rev().find_map(|prev| s.field_index(&prev.warehouse_name)).map_or(0, |i| i + 1)
}

/// The first of `names` that no field of the schema (archived included) and no field of `code`
/// has; `names` yields one more name than there are fields, so one is always free.
fn first_free(b: &Builder, code: &SchemaDef, names: impl Fn(usize) -> String) -> String {
    let held = |n: &str| {
        b.work.schema(code.warehouse_name()).is_some_and(|s| s.fields.iter().any(|f| f.name == n))
            || code.fields.iter().any(|f| f.name == n)
    };
    let count = code.fields.len() + b.work.schema(code.warehouse_name()).map_or(0, |s| s.fields.len());
    (1..=count + 1).map(&names).find(|n| !held(n)).unwrap_or_else(|| names(count + 2))
}

/// A free display name for a field that gives `base` up: `base (suffix)`, `base (suffix 2)`, ….
fn free_name(b: &Builder, code: &SchemaDef, base: &str, suffix: &str) -> String {
    first_free(b, code, |k| if k == 1 { format!("{base} ({suffix})") } else { format!("{base} ({suffix} {k})") })
}

/// A free display name to create a field under while `base` is held, that Benchling derives the
/// same warehouse name from (creation checks it when the tenant has no custom warehouse names):
/// `base` with `~`s after its last letter, which the derivation drops (`Dough` → `Dough~`).
pub(super) fn creation_name(b: &Builder, code: &SchemaDef, base: &str) -> String {
    let cut = base
        .char_indices()
        .rfind(|(_, c)| !matches!(c, ' ' | '/' | '_' | '-'))
        .map_or(base.len(), |(i, c)| i + c.len_utf8());
    first_free(b, code, |k| format!("{}{}{}", &base[..cut], "~".repeat(k), &base[cut..]))
}

/// The field of the schema other than `field` that holds display name `name`, if any.
pub(super) fn holder(b: &Builder, schema: &str, field: &str, name: &str) -> Option<String> {
    b.work
        .schema(schema)?
        .fields
        .iter()
        .find(|h| h.name == name && h.warehouse_name != field)
        .map(|h| h.warehouse_name.clone())
}

/// Free display name `name` for `field`: the field holding it gets a free name first.
fn vacate(b: &mut Builder, code: &SchemaDef, field: &str, name: &str, order: u32) -> Result<(), DiffError> {
    let wh = code.warehouse_name();
    let Some(holder) = holder(b, wh, field, name) else { return Ok(()) };
    let renamed_next = code.active_fields().any(|c| c.warehouse_name == holder);
    let free = free_name(b, code, name, if renamed_next { "renaming" } else { "archived" });
    let patch = FieldPatch { name: Some(free), ..Default::default() };
    b.emit_at(order, Op::UpdateField { schema: wh.to_string(), field: holder, patch: Box::new(patch) })
}

/// Bring an existing field's properties to the code's, if they differ, sorting as `order` (by
/// default, as `update_field` does).
pub(super) fn update_field(
    b: &mut Builder,
    code: &SchemaDef,
    f: &FieldDef,
    order: Option<u32>,
) -> Result<(), DiffError> {
    let wh = code.warehouse_name();
    let Some(current) = b.work.schema(wh).and_then(|s| s.field(&f.warehouse_name)) else { return Ok(()) };
    let mut have = b.work.field_view(current);
    have.archived = false;
    let patch = FieldPatch::between(&have, f);
    if patch.is_empty() {
        return Ok(());
    }
    let op = Op::UpdateField { schema: wh.to_string(), field: f.warehouse_name.clone(), patch: Box::new(patch) };
    let order = order.unwrap_or_else(|| op.order());
    if let Op::UpdateField { patch, .. } = &op
        && let Some(name) = &patch.name
    {
        vacate(b, code, &f.warehouse_name, name, order)?;
    }
    b.emit_at(order, op)
}
