//! The partial-read check: which parts of the tenant an operation looks at.

use crate::op::{Op, OpError, Target};
use crate::schema::{FieldDef, FieldType};
use crate::state::{Field, TenantState};

/// Refuse an operation that would look at something a partial read left out
/// ([`crate::state::Unread`]): the fields of its schema, the options of its dropdown, the lists
/// and the dictionary it resolves names in.
pub(in crate::op) fn check_read(op: &Op, state: &TenantState) -> Result<(), OpError> {
    let u = &state.unread;
    if u.is_empty() {
        return Ok(());
    }
    let missing = |what: &str| Err(OpError::NotRead(what.to_string()));
    let linked = |target: &str| -> Result<(), OpError> {
        if state.schema(target).is_none() && (u.entry_schemas || u.schema_list) {
            return missing("the schema lists");
        }
        Ok(())
    };
    let field_def = |f: &FieldDef| -> Result<(), OpError> {
        if f.dropdown.is_some() && u.dropdown_list {
            return missing("the dropdown list");
        }
        if f.unit.is_some() && u.units {
            return missing("the unit dictionary");
        }
        match &f.entity_link {
            Some(t) => linked(t),
            None => Ok(()),
        }
    };
    match op.target() {
        Target::Schema(wh) => {
            if u.schema_list && wh != crate::schema::REMOTE_SCHEMA {
                return missing("the schema lists");
            }
            match state.schema(&wh) {
                Some(s) => {
                    if u.fields.contains(&s.id) {
                        return missing(&format!("the fields of `{wh}`"));
                    }
                    // Fields whose properties the op reads: their dropdown and unit are
                    // resolved by name (`field_view`).
                    let viewed: Vec<&Field> = match op {
                        Op::UpdateSchema { .. } | Op::CreateSchema { .. } => s.fields.iter().collect(),
                        Op::UpdateField { field, .. } => s.field(field).into_iter().collect(),
                        Op::CreateField { field, .. } => s.field(&field.warehouse_name).into_iter().collect(),
                        _ => vec![],
                    };
                    for f in viewed {
                        if f.unit.is_some() && u.units {
                            return missing("the unit dictionary");
                        }
                        if f.field_type == FieldType::Dropdown && u.dropdown_list {
                            return missing("the dropdown list");
                        }
                    }
                }
                // It may be an entry schema.
                None if u.entry_schemas => return missing("the entry-schema list"),
                None => {}
            }
        }
        Target::Dropdown(name) => {
            if u.dropdown_list {
                return missing("the dropdown list");
            }
            if let Some(d) = state.dropdown(&name)
                && u.options.contains(&d.id)
            {
                return missing(&format!("the options of `{name}`"));
            }
        }
    }
    match op {
        Op::CreateSchema { schema } => {
            if u.entry_schemas {
                return missing("the entry-schema list");
            }
            schema.fields.iter().try_for_each(field_def)
        }
        Op::UpdateSchema { patch, .. }
            if u.entry_schemas
                && (patch.name.is_some() || patch.warehouse_name.is_some() || patch.prefix.is_some()) =>
        {
            missing("the entry-schema list")
        }
        Op::CreateField { field, .. } => field_def(field),
        Op::UpdateField { patch, .. } => {
            if matches!(patch.dropdown, Some(Some(_))) && u.dropdown_list {
                return missing("the dropdown list");
            }
            if matches!(patch.unit, Some(Some(_))) && u.units {
                return missing("the unit dictionary");
            }
            match &patch.entity_link {
                Some(Some(t)) => linked(t),
                _ => Ok(()),
            }
        }
        Op::ArchiveDropdown { .. } if !u.fields.is_empty() => missing("every schema's fields"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::with_dropdown;
    use crate::op::{Op, OpError};
    use crate::schema::{EntityType, FieldDef, FieldType, NameTemplate, SchemaDef};

    /// A partly read state refuses, before changing anything, operations on what was not read.
    #[test]
    fn operations_on_data_that_was_not_read_are_refused() {
        let mut state = with_dropdown();
        let pizza = crate::schema::SchemaProps::new("Pizza", "pizza", "PZ", EntityType::CustomEntity);
        let def = SchemaDef { props: pizza, name_template: NameTemplate::default(), archived: false, fields: vec![] };
        Op::CreateSchema { schema: Box::new(def) }.apply(&mut state).unwrap();
        let pizza_id = state.schema("pizza").unwrap().id.clone();
        let d_id = state.dropdown("D").unwrap().id.clone();
        let field = |unit: Option<&str>| {
            let mut f = FieldDef::new("w", "W", FieldType::Decimal);
            f.unit = unit.map(str::to_string);
            Box::new(f)
        };
        let cases: Vec<(crate::state::Unread, Op)> = vec![
            (
                crate::state::Unread { fields: [pizza_id.clone()].into(), ..Default::default() },
                Op::CreateField { schema: "pizza".into(), field: field(None), index: 0 },
            ),
            (
                crate::state::Unread { fields: [pizza_id].into(), ..Default::default() },
                Op::ArchiveDropdown { name: "D".into() },
            ),
            (
                crate::state::Unread { options: [d_id].into(), ..Default::default() },
                Op::CreateDropdownOption { dropdown: "D".into(), option: "c".into(), index: 0 },
            ),
            (
                crate::state::Unread { units: true, ..Default::default() },
                Op::CreateField { schema: "pizza".into(), field: field(Some("gram")), index: 0 },
            ),
            (
                crate::state::Unread { entry_schemas: true, ..Default::default() },
                Op::ArchiveSchema { schema: "maybe_an_entry".into() },
            ),
            (
                crate::state::Unread { schema_list: true, ..Default::default() },
                Op::ArchiveSchema { schema: "pizza".into() },
            ),
        ];
        for (unread, op) in cases {
            let mut partial = state.clone();
            partial.unread = unread;
            let before = partial.clone();
            assert!(matches!(op.apply(&mut partial), Err(OpError::NotRead(_))), "{op:?}");
            assert_eq!(partial, before);
        }
        // What was read is enough: the unit dictionary is not needed for a field without one.
        let mut partial = state.clone();
        partial.unread.units = true;
        Op::CreateField { schema: "pizza".into(), field: field(None), index: 0 }.apply(&mut partial).unwrap();
    }
}
