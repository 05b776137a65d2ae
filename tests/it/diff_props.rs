//! Properties of the diff over random code models and tenant states (custom entities, mixtures,
//! DNA and AA sequences, and an entry schema that the tenant already has, since entry schemas
//! cannot be created):
//! - applying a diff's steps gives a state whose diff is empty;
//! - applying the reverses, newest first, gives back a state in sync with the original;
//! - the code generated from a state (`generate-files`) has an empty diff against it;
//! - the same holds with every rename candidate accepted ([`diff_with`]).
//!
//! Display names rotate between fields from one model to the next (swaps, cycles, names of
//! archived fields taken again) and some fields change warehouse name (renames), so the tenant
//! has the setting `custom_warehouse_names`.

use std::collections::BTreeSet;

use liminal::diff::{diff, diff_with};
use liminal::generate::code_from_state;
use liminal::rename::candidates;
use liminal::schema::MixtureConfig;
use liminal::schema::{
    CodeModel, DropdownDef, EntityType, FieldDef, FieldType, NamePart, NameTemplate, NamingStrategy, PartType,
    SchemaDef, SchemaProps, validate_model,
};
use liminal::state::{Schema, TenantState};
use proptest::prelude::*;

const SCHEMAS: [&str; 5] = ["pizza", "dough", "sauce", "oven", "notebook"];
/// Each schema's entity type is fixed by its name: it cannot change.
const TYPES: [EntityType; 5] =
    [EntityType::CustomEntity, EntityType::Mixture, EntityType::DnaSequence, EntityType::AaSequence, EntityType::Entry];
/// The entry schema: in every tenant from the start, code may keep, archive or drop it.
const ENTRY: usize = 4;
const DROPDOWNS: [&str; 3] = ["Toppings", "Bob's \"sauce\"", "Größe\\Size"];
const OPTIONS: [&str; 5] = ["Cheese", "Ham", "It's \"hot\"", "Ölive", "back\\slash"];

/// Field `k`'s type and unit are fixed by its name (Benchling cannot change a unit once set),
/// except that `alt` switches fields 6 and 7 between two types without a unit.
fn field_kind(k: usize, alt: bool) -> (FieldType, Option<&'static str>, Option<u8>) {
    match k {
        0 => (FieldType::Text, None, None),
        1 => (FieldType::Integer, Some("gram"), None),
        2 => (FieldType::Decimal, Some("milligram"), Some(2)),
        3 => (FieldType::Boolean, None, None),
        4 => (FieldType::Dropdown, None, None),
        5 => (FieldType::EntityLink, None, None),
        6 if alt => (FieldType::Text, None, None),
        6 => (FieldType::LongText, None, None),
        7 if alt => (FieldType::Datetime, None, None),
        7 => (FieldType::Date, None, None),
        _ => (FieldType::PartLink, None, None),
    }
}

#[derive(Debug, Clone)]
struct FieldSeed {
    kind: usize,
    required: bool,
    multi: bool,
    tooltip: Option<String>,
    archived: bool,
    target: usize,
    alt: bool,
}

#[derive(Debug, Clone)]
struct SchemaSeed {
    present: bool,
    archived: bool,
    label: bool,
    naming: Vec<NamingStrategy>,
    fields: Vec<FieldSeed>,
    constraint: Vec<usize>,
    template: bool,
    /// Mixture: measured ingredients; sequences: show bases.
    flag: bool,
    /// Sequences: a sequence constraint.
    sequence_constraint: bool,
    /// With a template: a template-based naming strategy too.
    template_strategy: bool,
    /// With a template on a DNA schema: order parts by sequence.
    by_sequence: bool,
    /// Field `k` is named `F{(k + rotation) % 9}`.
    rotation: usize,
    /// Fields 0, 3 and 6 are `g0`, `g3`, `g6` instead of `f0`, `f3`, `f6`.
    variant: bool,
}

#[derive(Debug, Clone)]
struct ModelSeed {
    dropdowns: Vec<(bool, Vec<usize>)>,
    schemas: Vec<SchemaSeed>,
}

fn field_seed() -> impl Strategy<Value = FieldSeed> {
    (
        0usize..9,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["grams", "a \"quoted\" tip", "line\nbreak"])),
        prop::bool::weighted(0.15),
        0usize..8,
        any::<bool>(),
    )
        .prop_map(|(kind, required, multi, tooltip, archived, target, alt)| FieldSeed {
            kind,
            required,
            multi,
            tooltip: tooltip.map(String::from),
            archived,
            target,
            alt,
        })
}

fn schema_seed() -> impl Strategy<Value = SchemaSeed> {
    (
        (
            prop::bool::weighted(0.75),
            prop::bool::weighted(0.1),
            any::<bool>(),
            prop::sample::subsequence(
                vec![NamingStrategy::NewIds, NamingStrategy::IdsFromNames, NamingStrategy::KeepNames],
                1..=3,
            ),
            prop::collection::vec(field_seed(), 0..7),
            prop::collection::vec(0usize..8, 0..2),
        ),
        (
            prop::bool::weighted(0.3),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0usize..3,
            prop::bool::weighted(0.3),
        ),
    )
        .prop_map(
            |(
                (present, archived, label, naming, fields, constraint),
                (template, flag, sequence_constraint, template_strategy, by_sequence, rotation, variant),
            )| SchemaSeed {
                present,
                archived,
                label,
                naming,
                fields,
                constraint,
                template,
                flag,
                sequence_constraint,
                template_strategy,
                by_sequence,
                rotation,
                variant,
            },
        )
}

fn model_seed() -> impl Strategy<Value = ModelSeed> {
    (
        prop::collection::vec(
            (
                prop::bool::weighted(0.7),
                prop::sample::subsequence((0..OPTIONS.len()).collect::<Vec<_>>(), 1..=4).prop_shuffle(),
            ),
            DROPDOWNS.len(),
        ),
        prop::collection::vec(schema_seed(), SCHEMAS.len()),
    )
        .prop_map(|(dropdowns, schemas)| ModelSeed { dropdowns, schemas })
}

fn build(seed: &ModelSeed) -> CodeModel {
    let mut dropdowns: Vec<DropdownDef> = seed
        .dropdowns
        .iter()
        .enumerate()
        .filter(|(i, (present, _))| *present || *i == 0)
        .map(|(i, (_, opts))| DropdownDef {
            name: DROPDOWNS[i].to_string(),
            options: opts.iter().map(|o| OPTIONS[*o].to_string()).collect(),
        })
        .collect();
    dropdowns.sort_by(|a, b| a.name.cmp(&b.name));
    let present: Vec<usize> = (0..SCHEMAS.len()).filter(|i| seed.schemas[*i].present).collect();
    // Links go to schemas code keeps active: a link to a schema that never exists cannot apply.
    // Entry schemas cannot be linked to.
    let targets: Vec<usize> = present.iter().copied().filter(|i| !seed.schemas[*i].archived && *i != ENTRY).collect();
    let schemas = present
        .iter()
        .map(|&i| {
            let s = &seed.schemas[i];
            let wh = SCHEMAS[i];
            let et = TYPES[i];
            let entry = et == EntityType::Entry;
            let mut props = SchemaProps::new(&wh.to_uppercase(), wh, &format!("P{}", wh.to_uppercase()), et);
            if !entry {
                props.naming_strategies = s.naming.iter().copied().collect();
                props.flags.use_registry_id_as_label = s.label;
            }
            if et == EntityType::Mixture {
                props.mixture_schema_config = Some(MixtureConfig {
                    allow_measured_ingredients: s.flag,
                    component_lot_text_enabled: s.flag,
                    ..Default::default()
                });
            }
            props.flags.show_bases_in_expanded_view = et.is_sequence() && s.flag;
            let mut seen = BTreeSet::new();
            let fields: Vec<FieldDef> = s
                .fields
                .iter()
                .filter(|f| f.kind != 8 || et == EntityType::DnaSequence)
                .filter(|f| seen.insert(f.kind))
                .map(|f| {
                    let (t, unit, places) = field_kind(f.kind, f.alt);
                    let wh = format!("{}{}", if s.variant && f.kind % 3 == 0 { "g" } else { "f" }, f.kind);
                    let mut def = FieldDef::new(&wh, &format!("F{}", (f.kind + s.rotation) % 9), t);
                    def.required = f.required;
                    def.tooltip = f.tooltip.clone();
                    def.archived = f.archived;
                    def.unit = unit.map(String::from);
                    def.decimal_places = places;
                    if t == FieldType::Dropdown {
                        def.dropdown = Some(dropdowns[f.target % dropdowns.len()].name.clone());
                        def.is_multi = f.multi;
                    }
                    if t == FieldType::EntityLink
                        && let Some(target) = targets.get(f.target % targets.len().max(1))
                    {
                        def.entity_link = Some(SCHEMAS[*target].to_string());
                        def.is_multi = f.multi;
                        def.parent_link = f.alt;
                    }
                    if t == FieldType::PartLink {
                        def.entity_link = Some(SCHEMAS[i].to_string());
                    }
                    def
                })
                .collect();
            let active: Vec<&FieldDef> = fields.iter().filter(|f| !f.archived).collect();
            if !entry {
                props.constraint_fields = s
                    .constraint
                    .iter()
                    .filter_map(|k| active.get(k % active.len().max(1)).map(|f| f.warehouse_name.clone()))
                    .collect();
            }
            if s.sequence_constraint {
                match et {
                    EntityType::DnaSequence => props.constraint_fields.insert("bases".into()),
                    EntityType::AaSequence => props.constraint_fields.insert("amino_acids_exact_match".into()),
                    _ => false,
                };
            }
            let mut name_template = NameTemplate::default();
            if s.template && !entry {
                name_template.parts.push(NamePart { kind: PartType::Text, value: Some(format!("{wh}-")), field: None });
                if let Some(f) = active.first() {
                    name_template.parts.push(NamePart {
                        kind: PartType::Field,
                        value: None,
                        field: Some(f.warehouse_name.clone()),
                    });
                }
                if let Some(f) = active.iter().find(|f| f.parent_link) {
                    name_template.parts.push(NamePart {
                        kind: PartType::LinkedBioentityRegistryIdentifier,
                        value: None,
                        field: Some(f.warehouse_name.clone()),
                    });
                }
                name_template.order_name_parts_by_sequence = s.by_sequence && et.is_nt_sequence();
                if s.template_strategy {
                    props.naming_strategies.insert(NamingStrategy::SetFromNameParts);
                }
            }
            SchemaDef { props, name_template, archived: s.archived, fields }
        })
        .collect();
    CodeModel { schemas, dropdowns }
}

/// A tenant with nothing but the entry schema (and a registry, units).
fn empty_tenant() -> TenantState {
    let mut state = TenantState::new();
    state.settings.custom_warehouse_names = true;
    state.schemas.push(Schema::new("ts_notebook".into(), "NOTEBOOK", "notebook", "PNOTEBOOK", EntityType::Entry));
    state
}

fn apply_diff(code: &CodeModel, state: &TenantState) -> Result<TenantState, String> {
    let mut s = state.clone();
    for step in diff(code, state).map_err(|e| e.to_string())? {
        step.op.apply(&mut s).map_err(|e| format!("{:?}: {e}", step.op))?;
    }
    Ok(s)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn diff_converges_and_reverses_restore(a in model_seed(), b in model_seed(), c in model_seed()) {
        let (a, b, c) = (build(&a), build(&b), build(&c));
        prop_assume!(validate_model(&a).is_empty() && validate_model(&b).is_empty() && validate_model(&c).is_empty());

        // A tenant with history: B applied, then C (so it has archived leftovers).
        let state = apply_diff(&c, &apply_diff(&b, &empty_tenant()).unwrap()).unwrap();
        prop_assert_eq!(diff(&code_from_state(&state), &state).unwrap(), vec![]);

        let steps = diff(&a, &state).unwrap();
        prop_assert_eq!(&diff(&a, &state).unwrap(), &steps, "not deterministic");
        let mut after = state.clone();
        for step in &steps {
            step.op.apply(&mut after).map_err(|e| TestCaseError::fail(format!("{:?}: {e}", step.op)))?;
        }
        prop_assert_eq!(diff(&a, &after).unwrap(), vec![]);

        let mut back = after.clone();
        for step in steps.iter().rev() {
            step.reverse.apply(&mut back).map_err(|e| TestCaseError::fail(format!("reverse {:?}: {e}", step.reverse)))?;
        }
        prop_assert_eq!(diff(&code_from_state(&state), &back).unwrap(), vec![]);

        // Every rename candidate accepted: the same properties.
        let renames = candidates(&a, &state);
        let steps = diff_with(&a, &state, &renames).map_err(|e| TestCaseError::fail(format!("{renames:?}: {e}")))?;
        prop_assert_eq!(&diff_with(&a, &state, &renames).unwrap(), &steps, "not deterministic");
        let mut after = state.clone();
        for step in &steps {
            step.op.apply(&mut after).map_err(|e| TestCaseError::fail(format!("{renames:?} {:?}: {e}", step.op)))?;
        }
        prop_assert_eq!(diff(&a, &after).unwrap(), vec![]);
        let mut back = after.clone();
        for step in steps.iter().rev() {
            step.reverse.apply(&mut back).map_err(|e| TestCaseError::fail(format!("reverse {:?}: {e}", step.reverse)))?;
        }
        prop_assert_eq!(diff(&code_from_state(&state), &back).unwrap(), vec![]);
    }
}
