//! Schemas: new ones (link targets first, cycles closed afterwards) and the work on existing
//! ones, by Liminal's `order` (new and unarchived fields, name template, properties, field
//! updates, archiving, field order).

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{creation_name, holder, position_after_previous, update_field};
use super::{Builder, DiffError};
use crate::op::{FieldPatch, Op, SchemaPatch};
use crate::schema::rules;
use crate::schema::{FieldDef, NameTemplate, NamingStrategy, SchemaDef};

/// New schemas, link targets first (ties by warehouse name); a link to a schema not created yet
/// (a cycle) is set afterwards.
pub(super) fn create_schemas(b: &mut Builder, new: &[&SchemaDef]) -> Result<(), DiffError> {
    let wh: BTreeSet<&str> = new.iter().map(|s| s.warehouse_name()).collect();
    let deps: BTreeMap<&str, BTreeSet<&str>> = new
        .iter()
        .map(|s| {
            let targets = s
                .active_fields()
                .filter_map(|f| f.entity_link.as_deref())
                .filter(|t| wh.contains(t) && *t != s.warehouse_name())
                .collect();
            (s.warehouse_name(), targets)
        })
        .collect();
    let mut order: Vec<&SchemaDef> = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while order.len() < new.len() {
        let ready = new
            .iter()
            .find(|s| !done.contains(s.warehouse_name()) && deps[s.warehouse_name()].iter().all(|d| done.contains(d)))
            .or_else(|| new.iter().find(|s| !done.contains(s.warehouse_name())));
        let Some(s) = ready else { break };
        done.insert(s.warehouse_name());
        order.push(s);
    }

    let mut deferred: Vec<(String, FieldDef)> = Vec::new();
    let mut created: BTreeSet<&str> = BTreeSet::new();
    for s in order {
        let mut def = (*s).clone();
        def.fields.retain(|f| !f.archived);
        def.name_template = NameTemplate::default();
        for f in &mut def.fields {
            if let Some(t) = &f.entity_link
                && wh.contains(t.as_str())
                && t != s.warehouse_name()
                && !created.contains(t.as_str())
            {
                deferred.push((s.warehouse_name().to_string(), f.clone()));
                f.entity_link = None;
            }
        }
        let wanted = def.props.naming_strategies.clone();
        let standard: BTreeSet<NamingStrategy> = wanted.iter().copied().filter(|n| !n.is_template_based()).collect();
        def.props.naming_strategies =
            if standard.is_empty() { [NamingStrategy::NewIds].into_iter().collect() } else { standard };
        let initial = def.props.naming_strategies.clone();
        let schema = s.warehouse_name().to_string();
        b.emit(Op::CreateSchema { schema: Box::new(def) })?;
        if !s.name_template.is_empty() {
            b.emit(Op::SetNameTemplate { schema: schema.clone(), template: s.name_template.clone() })?;
        }
        if initial != wanted {
            let patch = SchemaPatch { naming_strategies: Some(wanted), ..Default::default() };
            b.emit(Op::UpdateSchema { schema, patch: Box::new(patch) })?;
        }
        created.insert(s.warehouse_name());
    }
    for (schema, f) in deferred {
        let patch = FieldPatch { entity_link: Some(f.entity_link.clone()), ..Default::default() };
        b.emit(Op::UpdateField { schema, field: f.warehouse_name, patch: Box::new(patch) })?;
    }
    Ok(())
}

/// An existing schema (active or archived) that code keeps active.
pub(super) fn diff_schema(b: &mut Builder, code: &SchemaDef) -> Result<(), DiffError> {
    let wh = code.warehouse_name().to_string();
    let Some(current) = b.work.schema(&wh) else { return Ok(()) };
    if current.archived {
        b.emit(Op::UnarchiveSchema { schema: wh.clone() })?;
    }
    let fields: Vec<&FieldDef> = code.active_fields().collect();

    // 100: fields the tenant has never had.
    for (k, f) in fields.iter().enumerate() {
        if b.work.schema(&wh).is_some_and(|s| s.field(&f.warehouse_name).is_none()) {
            let index = position_after_previous(b, &wh, &fields, k);
            let mut field = (*f).clone();
            // A name another field holds: created under a free one, renamed at 140 (so that the
            // downgrade, which archives it, can give the holder its name back).
            if holder(b, &wh, &f.warehouse_name, &f.name).is_some() {
                field.name = creation_name(b, code, &f.name);
            }
            b.emit(Op::CreateField { schema: wh.clone(), field: Box::new(field), index })?;
        }
    }

    // 105: archived fields that code wants active again.
    for (k, f) in fields.iter().enumerate() {
        if b.work.schema(&wh).and_then(|s| s.field(&f.warehouse_name)).is_some_and(|x| x.archived) {
            let index = position_after_previous(b, &wh, &fields, k);
            b.emit(Op::UnarchiveField { schema: wh.clone(), field: f.warehouse_name.clone(), index: Some(index) })?;
        }
    }

    // 110 and 120: name template and schema properties.
    let view = match b.work.schema(&wh) {
        Some(s) => b.work.view(s),
        None => return Ok(()),
    };
    let template = (view.name_template != code.name_template)
        .then(|| Op::SetNameTemplate { schema: wh.clone(), template: code.name_template.clone() });
    if let Some(op) = &template {
        // A parent-link part needs its field to be a parent link already: those fields' updates
        // go right before the template (Liminal: after it, at 140, which cannot apply).
        for part in code.name_template.parts.iter().filter(|p| p.kind.needs_parent_link()) {
            let Some(f) = part.field.as_deref().and_then(|f| code.field(f)) else { continue };
            let have = b.work.schema(&wh).and_then(|s| s.field(&f.warehouse_name));
            if have.is_some_and(|have| !rules::part_accepts_field(part.kind, have.parent_link)) {
                update_field(b, code, f, Some(op.order()))?;
            }
        }
    }
    // Dropping a template-based naming strategy and the template it needs: the strategy goes
    // first, the template right after it (Liminal: the other way, which cannot apply).
    let template_last =
        code.name_template.parts.is_empty() && rules::needs_name_template(view.props.naming_strategies.iter().copied());
    if let Some(op) = template.clone().filter(|_| !template_last) {
        b.emit(op)?;
    }
    let patch = SchemaPatch::between(&view.props, &code.props);
    let update = Op::UpdateSchema { schema: wh.clone(), patch: Box::new(patch.clone()) };
    let update_order = update.order();
    if !patch.is_empty() {
        b.emit(update)?;
    }
    if let Some(op) = template.filter(|_| template_last) {
        b.emit_at(update_order, op)?;
    }

    // 140: property changes.
    for f in &fields {
        update_field(b, code, f, None)?;
    }

    // 150: active fields that code does not keep active.
    let keep: BTreeSet<&str> = fields.iter().map(|f| f.warehouse_name.as_str()).collect();
    let stale: Vec<String> = b
        .work
        .schema(&wh)
        .map(|s| {
            s.active_fields()
                .filter(|f| !keep.contains(f.warehouse_name.as_str()))
                .map(|f| f.warehouse_name.clone())
                .collect()
        })
        .unwrap_or_default();
    for field in stale {
        b.emit(Op::ArchiveField { schema: wh.clone(), field, index: None })?;
    }

    // 160: order of the active fields.
    let want: Vec<String> = fields.iter().map(|f| f.warehouse_name.clone()).collect();
    let have: Vec<String> =
        b.work.schema(&wh).map(|s| s.active_fields().map(|f| f.warehouse_name.clone()).collect()).unwrap_or_default();
    if have != want {
        b.emit(Op::ReorderFields { schema: wh, fields: want })?;
    }
    Ok(())
}
