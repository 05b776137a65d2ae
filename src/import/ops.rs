//! Liminal operation calls (`b.CreateEntitySchema(...)`, the 19 classes of `liminal.external`,
//! positional or keyword arguments) as [`Op`]s.
//!
//! The rules that are not a plain rename:
//! - `None` in a create means "not set" (left out); in an update it clears the value (`()`); for
//!   `is_multi` and `parent_link` it means "does not apply to this type" (left out), and an update
//!   left with nothing to change is dropped;
//! - `dropdown_link` is `dropdown`, `unit_name` is `unit`, `mixture_schema_config`'s camelCase keys
//!   are snake_case; sets become sorted lists;
//! - `UpdateEntitySchemaNameTemplate` merges the keys it is given into the current template, while
//!   `set_name_template` replaces the whole template: the missing key comes from `before`, the
//!   state the chain replayed up to this operation gives;
//! - `ArchiveDropdownOption`'s `index` is unused by Liminal and has no counterpart: dropped.

use super::python::{Located, Value};
use super::reader::{R, Reader};
use crate::op::Op;
use crate::schema::{FieldDef, NameTemplate, SchemaDef};
use crate::state::TenantState;

/// A parameter of a Liminal constructor.
struct Param {
    name: &'static str,
    required: bool,
}

const fn req(name: &'static str) -> Param {
    Param { name, required: true }
}

const fn opt(name: &'static str) -> Param {
    Param { name, required: false }
}

/// The operation classes of `liminal.external` (5.x), with their parameters in order.
const OPERATIONS: &[(&str, &[Param])] = &[
    ("CreateDropdown", &[req("dropdown_name"), req("dropdown_options")]),
    ("ArchiveDropdown", &[req("dropdown_name")]),
    ("UnarchiveDropdown", &[req("dropdown_name")]),
    ("UpdateDropdownName", &[req("dropdown_name"), req("new_dropdown_name")]),
    ("CreateDropdownOption", &[req("dropdown_name"), req("option_to_add"), req("index")]),
    ("UnarchiveDropdownOption", &[req("dropdown_name"), req("option_to_unarchive"), req("index")]),
    ("ArchiveDropdownOption", &[req("dropdown_name"), req("option_to_remove"), opt("index")]),
    ("UpdateDropdownOption", &[req("dropdown_name"), req("old_option_name"), req("new_option_name")]),
    ("ReorderDropdownOptions", &[req("dropdown_name"), req("new_order")]),
    ("CreateEntitySchema", &[req("schema_properties"), req("fields")]),
    ("ArchiveEntitySchema", &[req("wh_schema_name")]),
    ("UnarchiveEntitySchema", &[req("wh_schema_name")]),
    ("UpdateEntitySchema", &[req("wh_schema_name"), req("update_props")]),
    ("UpdateEntitySchemaNameTemplate", &[req("wh_schema_name"), req("update_name_template")]),
    ("CreateEntitySchemaField", &[req("wh_schema_name"), req("field_props"), req("index")]),
    ("ArchiveEntitySchemaField", &[req("wh_schema_name"), req("wh_field_name"), opt("index")]),
    ("UnarchiveEntitySchemaField", &[req("wh_schema_name"), req("wh_field_name"), opt("index")]),
    ("UpdateEntitySchemaField", &[req("wh_schema_name"), req("wh_field_name"), req("update_props")]),
    ("ReorderEntitySchemaFields", &[req("wh_schema_name"), req("new_order")]),
];

fn signature(name: &str, params: &[Param]) -> String {
    let ps: Vec<String> =
        params.iter().map(|p| if p.required { p.name.to_string() } else { format!("{}=None", p.name) }).collect();
    format!("{name}({})", ps.join(", "))
}

impl Reader<'_> {
    /// One operation call; `None` when it changes nothing once converted (an update whose only
    /// keys do not apply). `before` is the state the chain gives just before it.
    pub(super) fn op(&self, call: &Located, before: &TenantState) -> R<Option<Op>> {
        let Value::Call { func, args, kwargs } = &call.value else {
            return Err(self.problem(call.at, format!("expected an operation call, found {}", call.value.describe())));
        };
        let Some(name) = self.names.resolve(func) else {
            return Err(self.problem(
                call.at,
                format!(
                    "`{func}` is not an operation of liminal.external (imported as `import liminal.external as b`)"
                ),
            ));
        };
        let Some((name, params)) = OPERATIONS.iter().find(|(n, _)| *n == name) else {
            return Err(self.problem(
                call.at,
                format!(
                    "`{name}` is not one of Liminal 5's 19 operations (operations from before Liminal 2.0 are not converted)"
                ),
            ));
        };
        let sig = signature(name, params);
        let mut bound: Vec<Option<&Located>> = vec![None; params.len()];
        if args.len() > params.len() {
            return Err(self.problem(call.at, format!("too many arguments: the signature is {sig}")));
        }
        for (i, a) in args.iter().enumerate() {
            bound[i] = Some(a);
        }
        for (k, v) in kwargs {
            let Some(i) = params.iter().position(|p| p.name == k) else {
                return Err(self.problem(v.at, format!("{name} has no argument `{k}`: the signature is {sig}")));
            };
            if bound[i].replace(v).is_some() {
                return Err(self.problem(v.at, format!("`{k}` is given twice: the signature is {sig}")));
            }
        }
        for (p, b) in params.iter().zip(&bound) {
            if p.required && b.is_none() {
                return Err(self.problem(call.at, format!("missing argument `{}`: the signature is {sig}", p.name)));
            }
        }
        let arg = |i: usize| -> &Located { bound[i].unwrap_or(call) };
        let s = |i: usize| self.string(arg(i), params[i].name);
        let op = match *name {
            "CreateDropdown" => Op::CreateDropdown { name: s(0)?, options: self.strings(arg(1), params[1].name)? },
            "ArchiveDropdown" => Op::ArchiveDropdown { name: s(0)? },
            "UnarchiveDropdown" => Op::UnarchiveDropdown { name: s(0)? },
            "UpdateDropdownName" => Op::RenameDropdown { name: s(0)?, new_name: s(1)? },
            "CreateDropdownOption" => {
                Op::CreateDropdownOption { dropdown: s(0)?, option: s(1)?, index: self.index(arg(2), "index")? }
            }
            "UnarchiveDropdownOption" => {
                Op::UnarchiveDropdownOption { dropdown: s(0)?, option: s(1)?, index: self.index(arg(2), "index")? }
            }
            "ArchiveDropdownOption" => {
                self.opt_index(bound[2], "index")?;
                Op::ArchiveDropdownOption { dropdown: s(0)?, option: s(1)? }
            }
            "UpdateDropdownOption" => Op::RenameDropdownOption { dropdown: s(0)?, option: s(1)?, new_option: s(2)? },
            "ReorderDropdownOptions" => {
                Op::ReorderDropdownOptions { dropdown: s(0)?, options: self.strings(arg(1), "new_order")? }
            }
            "CreateEntitySchema" => {
                let props = self.create_schema_props(arg(0))?;
                let fields =
                    self.items(arg(1), "fields")?.iter().map(|f| self.create_field(f)).collect::<R<Vec<FieldDef>>>()?;
                Op::CreateSchema {
                    schema: Box::new(SchemaDef {
                        props,
                        name_template: NameTemplate::default(),
                        archived: false,
                        fields,
                    }),
                }
            }
            "ArchiveEntitySchema" => Op::ArchiveSchema { schema: s(0)? },
            "UnarchiveEntitySchema" => Op::UnarchiveSchema { schema: s(0)? },
            "UpdateEntitySchema" => {
                let patch = self.schema_patch(arg(1))?;
                if patch.is_empty() {
                    return Ok(None);
                }
                Op::UpdateSchema { schema: s(0)?, patch: Box::new(patch) }
            }
            "UpdateEntitySchemaNameTemplate" => {
                let schema = s(0)?;
                let template = self.merged_template(arg(1), &schema, before)?;
                Op::SetNameTemplate { schema, template }
            }
            "CreateEntitySchemaField" => Op::CreateField {
                schema: s(0)?,
                field: Box::new(self.create_field(arg(1))?),
                index: self.index(arg(2), "index")?,
            },
            "ArchiveEntitySchemaField" => {
                Op::ArchiveField { schema: s(0)?, field: s(1)?, index: self.opt_index(bound[2], "index")? }
            }
            "UnarchiveEntitySchemaField" => {
                Op::UnarchiveField { schema: s(0)?, field: s(1)?, index: self.opt_index(bound[2], "index")? }
            }
            "UpdateEntitySchemaField" => {
                let patch = self.field_patch(arg(2))?;
                if patch.is_empty() {
                    return Ok(None);
                }
                Op::UpdateField { schema: s(0)?, field: s(1)?, patch: Box::new(patch) }
            }
            "ReorderEntitySchemaFields" => {
                Op::ReorderFields { schema: s(0)?, fields: self.strings(arg(1), "new_order")? }
            }
            _ => return Err(self.problem(call.at, format!("`{name}` is not converted"))),
        };
        Ok(Some(op))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::import::python::PyFile;
    use crate::import::revision::ExternalNames;
    use crate::schema::{EntityType, FieldType, MixtureConfig};

    /// The operation `call` converts to on `state`, in a file that imports `liminal.external as b`.
    fn convert(call: &str, state: &TenantState) -> R<Option<Op>> {
        let file = PyFile::parse(Path::new("r.py"), format!("x = {call}\n"))?;
        let assignment = file.children(file.children(file.root())[0])[0];
        let value = file.value(assignment.child_by_field_name("right").unwrap())?;
        let mut names = ExternalNames::default();
        names.modules.insert("b".into());
        Reader { file: &file, names: &names }.op(&value, state)
    }

    fn op(call: &str) -> Op {
        convert(call, &TenantState::new()).unwrap().unwrap()
    }

    #[test]
    fn every_part_class_and_a_mixture() {
        let call = "b.CreateEntitySchema(b.BaseSchemaProperties(name='M', warehouse_name='m', prefix='M', entity_type=b.BenchlingEntityType.MIXTURE, mixture_schema_config={'allowMeasuredIngredients': True, 'componentLotStorageEnabled': None, 'componentLotTextEnabled': True}), [])";
        let Op::CreateSchema { schema } = op(call) else { panic!() };
        assert_eq!(schema.props.entity_type, EntityType::Mixture);
        let m = schema.props.mixture_schema_config.unwrap();
        assert!(m.allow_measured_ingredients && m.component_lot_text_enabled && !m.component_lot_storage_enabled);
        let call = "b.UpdateEntitySchema('m', b.BaseSchemaProperties(mixture_schema_config=b.MixtureSchemaConfig(allowMeasuredIngredients=False)))";
        let Op::UpdateSchema { patch, .. } = op(call) else { panic!() };
        assert_eq!(patch.mixture_schema_config, Some(Some(MixtureConfig::default())));

        let parts = "[b.SeparatorPart(value='-'), b.TextPart(value='T'), b.CreationYearPart(), b.CreationDatePart(), b.FieldPart(wh_field_name='f'), b.RegistryIdentifierNumberPart(), b.ParentRegistryIdPart(wh_field_name='p'), b.ProjectPart(), b.ParentLotNumberPart(wh_field_name='p'), b.ComplexPolymerComponentPart()]";
        let call = format!(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(parts={parts}, order_name_parts_by_sequence=True))"
        );
        let Op::SetNameTemplate { template, .. } = op(&call) else { panic!() };
        let kinds: Vec<&str> = template.parts.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "SEPARATOR",
                "TEXT",
                "CREATED_AT_YEAR",
                "CREATED_AT_DATE",
                "FIELD",
                "REGISTRY_IDENTIFIER_NUMBER",
                "LINKED_BIOENTITY_REGISTRY_IDENTIFIER",
                "PROJECT",
                "CHILD_ENTITY_LOT_NUMBER",
                "COMPLEX_POLYMER_COMPONENT"
            ]
        );
        assert_eq!(template.parts[4].field.as_deref(), Some("f"));
        assert!(template.order_name_parts_by_sequence);
    }

    #[test]
    fn none_rules_and_renames() {
        let Op::UpdateField { patch, .. } = op(
            "b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(dropdown_link=None, unit_name='gram', decimal_places=None, is_multi=None, parent_link=None, type=b.BenchlingFieldType.DECIMAL))",
        ) else {
            panic!()
        };
        assert_eq!(patch.dropdown, Some(None));
        assert_eq!(patch.unit, Some(Some("gram".into())));
        assert_eq!(patch.decimal_places, Some(None));
        assert_eq!((patch.is_multi, patch.parent_link), (None, None));
        assert_eq!(patch.field_type, Some(FieldType::Decimal));
        assert_eq!(
            convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(is_multi=None))", &TenantState::new())
                .unwrap(),
            None
        );
        let e = convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(name=None))", &TenantState::new())
            .unwrap_err();
        assert!(e.message.contains("name=None"), "{}", e.message);
        let Op::CreateField { field, index, .. } = op(
            "b.CreateEntitySchemaField(field_props=b.BaseFieldProperties(name='A', warehouse_name='a', type=b.BenchlingFieldType.TEXT, required=None, tooltip=None, is_multi=False), wh_schema_name='s', index=3)",
        ) else {
            panic!()
        };
        assert_eq!((*field, index), (FieldDef::new("a", "A", FieldType::Text), 3));
        assert_eq!(
            op("b.ArchiveDropdownOption('D', 'o', index=4)"),
            Op::ArchiveDropdownOption { dropdown: "D".into(), option: "o".into() }
        );
    }

    #[test]
    fn signatures_are_checked() {
        let s = TenantState::new();
        let e = convert("b.ArchiveEntitySchema('a', 'b')", &s).unwrap_err();
        assert!(e.message.contains("the signature is ArchiveEntitySchema(wh_schema_name)"), "{}", e.message);
        let e = convert("b.ArchiveEntitySchema(schema='a')", &s).unwrap_err();
        assert!(e.message.contains("has no argument `schema`"), "{}", e.message);
        let e = convert("b.CreateEntitySchemaField('s', b.BaseFieldProperties(name='A'), 0)", &s).unwrap_err();
        assert!(e.message.contains("needs `type`"), "{}", e.message);
        let e =
            convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(decimal_places=16))", &s).unwrap_err();
        assert!(e.message.contains("a number from 0 to 15"), "{}", e.message);
        let e = convert("b.CreateDropdownOption('D', 'o', -1)", &s).unwrap_err();
        assert!(e.message.contains("a position"), "{}", e.message);
        let e = convert("CreateDropdown('D', [])", &s).unwrap_err();
        assert!(e.message.contains("not an operation of liminal.external"), "{}", e.message);
        let e = convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(colour='red'))", &s).unwrap_err();
        assert!(e.message.contains("no argument `colour`"), "{}", e.message);
        let e =
            convert("b.UpdateEntitySchemaField('s', 'f', b.BaseFieldProperties(type=b.Other.TEXT))", &s).unwrap_err();
        assert!(e.message.contains("a member of BenchlingFieldType"), "{}", e.message);
    }

    /// A template update naming only one key gets the other from the state.
    #[test]
    fn template_merges_with_the_state() {
        let mut state = TenantState::new();
        op("b.CreateEntitySchema(b.BaseSchemaProperties(name='S', warehouse_name='s', prefix='S', entity_type=b.BenchlingEntityType.DNA_SEQUENCE), [b.BaseFieldProperties(name='F', warehouse_name='f', type=b.BenchlingFieldType.TEXT)])")
            .apply(&mut state)
            .unwrap();
        convert(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(parts=[b.FieldPart(wh_field_name='f')]))",
            &state,
        )
        .unwrap()
        .unwrap()
        .apply(&mut state)
        .unwrap();
        let merged = convert(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(order_name_parts_by_sequence=True))",
            &state,
        )
        .unwrap()
        .unwrap();
        let Op::SetNameTemplate { template, .. } = merged else { panic!() };
        assert_eq!(template.parts.len(), 1);
        assert!(template.order_name_parts_by_sequence);
        Op::SetNameTemplate { schema: "s".into(), template }.apply(&mut state).unwrap();
        // A key given as None is given: Liminal sets `None or False` (parts: `None or []`),
        // it does not keep the current value.
        let cleared = convert(
            "b.UpdateEntitySchemaNameTemplate('s', b.BaseNameTemplate(order_name_parts_by_sequence=None))",
            &state,
        )
        .unwrap()
        .unwrap();
        let Op::SetNameTemplate { template, .. } = cleared else { panic!() };
        assert_eq!(template.parts.len(), 1);
        assert!(!template.order_name_parts_by_sequence);
        let e = convert(
            "b.UpdateEntitySchemaNameTemplate('x', b.BaseNameTemplate(order_name_parts_by_sequence=True))",
            &state,
        )
        .unwrap_err();
        assert!(e.message.contains("unknown at this point of the chain"), "{}", e.message);
    }
}
