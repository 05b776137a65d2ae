//! Ids in the in-memory copy of the tenant.
//!
//! Simulating an op hands out temporary ids (`TenantState::new_id`) for what it creates; once the
//! server answers with the real id, the temporary one is replaced everywhere it can appear
//! (links, constraints, name-template parts). Temporary ids are numbered far above anything the
//! emulator or Benchling hands out so they cannot collide with real ones.

use std::collections::HashMap;

use crate::state::TenantState;

/// Where temporary ids start: no tenant's own counter gets near it.
pub(super) const TEMP_ID_START: u64 = 1 << 40;

/// Make sure ids handed out by simulation cannot collide with ids read from the server.
pub(super) fn reserve_temp_ids(state: &mut TenantState) {
    state.next_id = state.next_id.max(TEMP_ID_START);
}

/// Replace id `from` with `to` everywhere in `state`.
#[cfg(test)]
pub(super) fn rename_id(state: &mut TenantState, from: &str, to: &str) {
    if from == to {
        return;
    }
    rename_ids(state, &HashMap::from([(from.to_string(), to.to_string())]));
}

/// Replace every id that is a key of `renames` by its value, everywhere in `state`, in one pass
/// (a dropdown created with 100,000 options renames them all at once).
pub(super) fn rename_ids(state: &mut TenantState, renames: &HashMap<String, String>) {
    if renames.is_empty() {
        return;
    }
    let swap = |id: &mut String| {
        if let Some(to) = renames.get(id.as_str()) {
            *id = to.clone();
        }
    };
    for s in &mut state.schemas {
        swap(&mut s.id);
        s.constraint.iter_mut().for_each(swap);
        for p in &mut s.name_template {
            if let Some(f) = p.field_id.as_mut() {
                swap(f);
            }
        }
        for f in &mut s.fields {
            swap(&mut f.id);
            if let Some(l) = f.link.as_mut() {
                swap(l);
            }
        }
    }
    for d in &mut state.dropdowns {
        swap(&mut d.id);
        for o in &mut d.options {
            swap(&mut o.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Op;
    use crate::schema::{EntityType, FieldDef, FieldType, NamePart, NameTemplate, PartType, SchemaDef, SchemaProps};

    #[test]
    fn renames_reach_links_constraints_and_templates() {
        let mut state = TenantState::new();
        reserve_temp_ids(&mut state);
        let mut f = FieldDef::new("a", "A", FieldType::EntityLink);
        f.entity_link = Some("s".into());
        let mut props = SchemaProps::new("S", "s", "S", EntityType::CustomEntity);
        props.constraint_fields = ["b".to_string()].into_iter().collect();
        let schema = SchemaDef {
            props,
            name_template: NameTemplate::default(),
            archived: false,
            fields: vec![f, FieldDef::new("b", "B", FieldType::Text)],
        };
        Op::CreateSchema { schema: Box::new(schema) }.apply(&mut state).unwrap();
        let template = NameTemplate {
            parts: vec![NamePart { kind: PartType::Field, value: None, field: Some("b".into()) }],
            order_name_parts_by_sequence: false,
        };
        Op::SetNameTemplate { schema: "s".into(), template }.apply(&mut state).unwrap();
        let s = state.schema("s").unwrap().clone();
        assert_eq!(s.id, format!("ts_{}", TEMP_ID_START + 1));
        let b = s.field("b").unwrap().id.clone();
        rename_id(&mut state, &s.id, "ts_real");
        rename_id(&mut state, &b, "tsf_b");
        let s = state.schema("s").unwrap();
        assert_eq!(s.id, "ts_real");
        assert_eq!(s.field("a").unwrap().link.as_deref(), Some("ts_real"));
        assert_eq!(s.constraint, vec!["tsf_b".to_string()]);
        assert_eq!(s.name_template[0].field_id.as_deref(), Some("tsf_b"));
    }
}
