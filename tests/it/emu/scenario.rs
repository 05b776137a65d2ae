//! Operation lists for the backend tests and the benchmark: a scenario that touches every
//! operation, random op lists, and a comparable view of a tenant (ids differ between backends).

use liminal::op::{FieldPatch, Op, SchemaPatch, field_def_from_json, schema_def_from_json, template_from_json};
use liminal::schema::SchemaDef;
use liminal::state::TenantState;
use serde_json::{Value, json};

pub(crate) fn create_schema(v: Value) -> Op {
    Op::CreateSchema { schema: Box::new(schema_def_from_json(&v).unwrap()) }
}

pub(crate) fn create_field(schema: &str, v: Value, index: usize) -> Op {
    Op::CreateField { schema: schema.into(), field: Box::new(field_def_from_json(&v).unwrap()), index }
}

pub(crate) fn update_field(schema: &str, field: &str, v: Value) -> Op {
    Op::UpdateField { schema: schema.into(), field: field.into(), patch: Box::new(FieldPatch::from_json(&v).unwrap()) }
}

pub(crate) fn update_schema(schema: &str, v: Value) -> Op {
    Op::UpdateSchema { schema: schema.into(), patch: Box::new(SchemaPatch::from_json(&v).unwrap()) }
}

pub(crate) fn set_template(schema: &str, v: Value) -> Op {
    Op::SetNameTemplate { schema: schema.into(), template: template_from_json(&v).unwrap() }
}

pub(crate) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// One step of a scenario: operations to apply, or a revision to record.
pub(crate) enum Step {
    Ops(Vec<Op>),
    Revision(&'static str),
}

/// Every operation, including the batched shapes (a create followed by field or option ops on
/// the same target) and a schema whose field links to itself.
pub(crate) fn scenario() -> Vec<Step> {
    use Step::*;
    vec![
        Ops(vec![
            Op::CreateDropdown { name: "Toppings".into(), options: strings(&["Cheese", "Pepperoni", "Olive"]) },
            Op::CreateDropdown { name: "Sizes".into(), options: strings(&["S", "M", "L"]) },
        ]),
        Ops(vec![create_schema(json!({
            "name": "Dough", "warehouse_name": "dough", "prefix": "DO", "entity_type": "custom_entity",
            "fields": [
                { "warehouse_name": "flour", "name": "Flour", "type": "text", "required": true },
                { "warehouse_name": "weight", "name": "Weight", "type": "decimal", "unit": "gram",
                  "decimal_places": 2, "tooltip": "grams, before baking" },
                { "warehouse_name": "size", "name": "Size", "type": "dropdown", "dropdown": "Sizes" },
            ],
        }))]),
        Ops(vec![create_schema(json!({
            "name": "Pizza", "warehouse_name": "pizza", "prefix": "PZ", "entity_type": "custom_entity",
            "naming_strategies": ["NEW_IDS"],
            "constraint_fields": ["title"],
            "fields": [
                { "warehouse_name": "title", "name": "Title", "type": "text", "required": true },
                { "warehouse_name": "dough", "name": "Dough", "type": "entity_link", "entity_link": "dough" },
                { "warehouse_name": "toppings", "name": "Toppings", "type": "dropdown", "dropdown": "Toppings",
                  "is_multi": true },
                { "warehouse_name": "parent", "name": "Parent", "type": "entity_link", "entity_link": "pizza" },
            ],
        }))]),
        Revision("aaaaaaaaaaaa"),
        Ops(vec![
            create_field("pizza", json!({ "warehouse_name": "notes", "name": "Notes", "type": "long_text" }), 1),
            update_field("pizza", "toppings", json!({ "tooltip": "pick any" })),
            Op::ArchiveField { schema: "pizza".into(), field: "notes".into(), index: None },
            create_field(
                "pizza",
                json!({ "warehouse_name": "slices", "name": "Slices", "type": "integer", "unit": "milligram" }),
                2,
            ),
        ]),
        Ops(vec![
            Op::UnarchiveField { schema: "pizza".into(), field: "notes".into(), index: Some(0) },
            Op::ReorderFields { schema: "pizza".into(), fields: strings(&["title", "slices", "dough"]) },
            update_field("dough", "flour", json!({ "name": "Flour type", "required": false })),
        ]),
        Ops(vec![
            Op::CreateDropdownOption { dropdown: "Toppings".into(), option: "Mushroom".into(), index: 1 },
            Op::ArchiveDropdownOption { dropdown: "Toppings".into(), option: "Olive".into() },
            Op::RenameDropdownOption {
                dropdown: "Toppings".into(),
                option: "Cheese".into(),
                new_option: "Mozzarella".into(),
            },
            Op::ReorderDropdownOptions { dropdown: "Toppings".into(), options: strings(&["Pepperoni", "Mushroom"]) },
        ]),
        Ops(vec![
            Op::UnarchiveDropdownOption { dropdown: "Toppings".into(), option: "Olive".into(), index: 0 },
            update_schema(
                "pizza",
                json!({ "name": "Pizza pie", "prefix": "PP", "include_registry_id_in_chips": true }),
            ),
            set_template(
                "pizza",
                json!({ "parts": [{ "type": "TEXT", "value": "PZ-" }, { "type": "FIELD", "field": "title" }] }),
            ),
            Op::ArchiveSchema { schema: "dough".into() },
            Op::UnarchiveSchema { schema: "dough".into() },
        ]),
        Ops(vec![
            create_schema(json!({
                "name": "Crust", "warehouse_name": "crust", "prefix": "CR", "entity_type": "custom_entity",
                "fields": [ { "warehouse_name": "thick", "name": "Thick", "type": "boolean" } ],
            })),
            create_field("crust", json!({ "warehouse_name": "baked", "name": "Baked", "type": "datetime" }), 0),
            Op::ArchiveField { schema: "crust".into(), field: "thick".into(), index: None },
            Op::CreateDropdown { name: "Sauce".into(), options: strings(&["Tomato", "Pesto"]) },
            Op::ArchiveDropdownOption { dropdown: "Sauce".into(), option: "Pesto".into() },
            Op::CreateDropdownOption { dropdown: "Sauce".into(), option: "Cream".into(), index: 0 },
        ]),
        Ops(vec![
            Op::RenameDropdown { name: "Sizes".into(), new_name: "Pizza sizes".into() },
            Op::ArchiveDropdown { name: "Sauce".into() },
            update_field("pizza", "dough", json!({ "entity_link": "crust", "required": true })),
            set_template("pizza", json!({ "parts": [] })),
            update_schema("pizza", json!({ "constraint_fields": [] })),
            Op::ArchiveSchema { schema: "crust".into() },
        ]),
        Revision("bbbbbbbbbbbb"),
    ]
}

/// A dropdown without ids: name, archived, options (name, archived) in order.
pub(crate) type DropdownView = (String, bool, Vec<(String, bool)>);

/// A tenant as the code model sees it, without ids: schemas (by warehouse name) in their code
/// view, dropdowns (by name) with their options in order.
#[derive(Debug, PartialEq)]
pub(crate) struct Comparable {
    pub schemas: Vec<(String, SchemaDef)>,
    pub dropdowns: Vec<DropdownView>,
    pub revision: Option<String>,
}

pub(crate) fn comparable(state: &TenantState) -> Comparable {
    let mut schemas: Vec<_> = state.schemas.iter().map(|s| (s.warehouse_name.clone(), state.view(s))).collect();
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    let mut dropdowns: Vec<_> = state
        .dropdowns
        .iter()
        .map(|d| (d.name.clone(), d.archived, d.options.iter().map(|o| (o.name.clone(), o.archived)).collect()))
        .collect();
    dropdowns.sort_by(|a: &DropdownView, b| a.0.cmp(&b.0));
    Comparable { schemas, dropdowns, revision: state.revision().ok().flatten() }
}

/// Two dropdowns and two schemas for random operations to work on.
pub(crate) fn random_setup() -> Vec<Op> {
    let schema = |wh: &str, prefix: &str| {
        create_schema(json!({
            "name": wh.to_uppercase(), "warehouse_name": wh, "prefix": prefix, "entity_type": "custom_entity",
            "fields": [
                { "warehouse_name": "f0", "name": "F0", "type": "text" },
                { "warehouse_name": "f1", "name": "F1", "type": "dropdown", "dropdown": "D1" },
            ],
        }))
    };
    vec![
        Op::CreateDropdown { name: "D0".into(), options: strings(&["o0", "o1", "o2"]) },
        Op::CreateDropdown { name: "D1".into(), options: strings(&["o1"]) },
        schema("s0", "PA"),
        schema("s1", "PB"),
    ]
}

/// A random operation from small name pools; many do not apply to a given state (the caller
/// keeps those that do). `seed` picks the kind and the names.
pub(crate) fn random_op(seed: (u8, u8, u8, u8)) -> Op {
    let (kind, a, b, c) = seed;
    let schema = ["s0", "s1", "s2"][a as usize % 3].to_string();
    let field = ["f0", "f1", "f2", "f3"][b as usize % 4].to_string();
    let dropdown = ["D0", "D1"][a as usize % 2].to_string();
    let option = ["o0", "o1", "o2", "o3"][b as usize % 4].to_string();
    let index = c as usize % 4;
    let types = ["text", "integer", "decimal", "boolean", "dropdown", "entity_link", "date"];
    let t = types[c as usize % types.len()];
    // Field operations are drawn twice as often: they are what batching is about.
    let k = match kind % 26 {
        k @ 19.. => 14 + (k - 19) % 5,
        k => k,
    };
    match k {
        0 => Op::CreateDropdown { name: dropdown, options: strings(&["o0", "o1"])[..(c as usize % 3).min(2)].to_vec() },
        1 => Op::ArchiveDropdown { name: dropdown },
        2 => Op::UnarchiveDropdown { name: dropdown },
        3 => Op::RenameDropdown { name: dropdown, new_name: ["D0", "D1", "D2"][c as usize % 3].into() },
        4 => Op::CreateDropdownOption { dropdown, option, index },
        5 => Op::ArchiveDropdownOption { dropdown, option },
        6 => Op::UnarchiveDropdownOption { dropdown, option, index },
        7 => Op::RenameDropdownOption { dropdown, option, new_option: ["o0", "o1", "o2", "o3"][index].into() },
        8 => Op::ReorderDropdownOptions { dropdown, options: strings(&[["o3", "o2", "o1", "o0"][index], "o1"]) },
        9 => {
            let prefix = ["PA", "PB", "PC"][a as usize % 3];
            create_schema(json!({
            "name": schema.to_uppercase(), "warehouse_name": schema, "prefix": prefix,
            "entity_type": "custom_entity",
            "fields": [ { "warehouse_name": "f0", "name": "F0", "type": "text" } ],
            }))
        }
        10 => Op::ArchiveSchema { schema },
        11 => Op::UnarchiveSchema { schema },
        12 => update_schema(&schema, json!({ "name": format!("{} {c}", schema.to_uppercase()) })),
        13 => set_template(
            &schema,
            json!({ "parts": if c % 2 == 0 { json!([]) } else { json!([{ "type": "FIELD", "field": field }]) } }),
        ),
        14 => {
            let mut f = json!({ "warehouse_name": field, "name": field.to_uppercase(), "type": t });
            match t {
                "dropdown" => f["dropdown"] = json!(dropdown),
                "entity_link" => f["entity_link"] = json!(["s0", "s1", "s2"][c as usize % 3]),
                "decimal" => f["decimal_places"] = json!(1),
                _ => {}
            }
            create_field(&schema, f, index)
        }
        15 => Op::ArchiveField { schema, field, index: None },
        16 => Op::UnarchiveField { schema, field, index: Some(index) },
        17 => update_field(&schema, &field, json!({ "required": c % 2 == 0, "tooltip": format!("tip {c}") })),
        _ => Op::ReorderFields { schema, fields: strings(&[["f3", "f2", "f1", "f0"][index], "f0"]) },
    }
}

/// Letters only: a prefix may not end in a digit.
pub(crate) fn prefix(i: usize) -> String {
    let a = (b'A' + (i / 676 % 26) as u8) as char;
    let b = (b'A' + (i / 26 % 26) as u8) as char;
    let c = (b'A' + (i % 26) as u8) as char;
    format!("Q{a}{b}{c}")
}

/// A tenant recorded at `aaaaaaaaaaaa` with `dropdowns` dropdowns (`bulk_d0`…, 5 options each)
/// and `schemas` schemas (`bulk_000`…) of `fields` fields each: text and integer fields, one
/// dropdown field, one decimal field with a unit, and (from the second schema on) a link to
/// the previous schema. What a real lab's tenant looks like to an upgrade that touches little.
pub(crate) fn big_tenant(schemas: usize, fields: usize, dropdowns: usize) -> TenantState {
    let mut state = TenantState::new();
    state.set_revision("aaaaaaaaaaaa");
    for d in 0..dropdowns {
        let options = (0..5).map(|o| format!("option {o}")).collect();
        Op::CreateDropdown { name: format!("bulk_d{d}"), options }.apply(&mut state).unwrap();
    }
    for i in 0..schemas {
        let fields: Vec<Value> = (0..fields)
            .map(|k| match k {
                0 if dropdowns > 0 => json!({ "warehouse_name": "kind", "name": "Kind", "type": "dropdown",
                                             "dropdown": format!("bulk_d{}", i % dropdowns) }),
                1 => json!({ "warehouse_name": "mass", "name": "Mass", "type": "decimal", "unit": "gram",
                             "decimal_places": 2 }),
                2 if i > 0 => json!({ "warehouse_name": "parent", "name": "Parent", "type": "entity_link",
                                      "entity_link": format!("bulk_{:03}", i - 1) }),
                k => json!({ "warehouse_name": format!("f{k}"), "name": format!("F{k}"),
                             "type": if k % 2 == 0 { "text" } else { "integer" } }),
            })
            .collect();
        create_schema(json!({
            "name": format!("Bulk {i:03}"), "warehouse_name": format!("bulk_{i:03}"), "prefix": prefix(i),
            "entity_type": "custom_entity", "fields": fields,
        }))
        .apply(&mut state)
        .unwrap();
    }
    state
}
