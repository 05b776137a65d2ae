//! Round trips (state → JSON → state) and the exact bodies liminal 5.1.0 sent in
//! `shared/reference/wire/liminal-5.1.0-cycle*.jsonl`.

use serde_json::{Value, json};

use super::*;
use crate::emulator::update::{apply_dropdown_update, apply_schema_update};
use crate::schema::{EntityType, FieldType, MixtureConfig, NamingStrategy, PartType};
use crate::state::{Dropdown, DropdownOption, Field, Schema, StoredPart, TenantState, Unit};

fn field(id: &str, name: &str, wh: &str, t: FieldType) -> Field {
    Field::new(id.into(), name, wh, t)
}

fn schema(id: &str, name: &str, wh: &str, prefix: &str, t: EntityType) -> Schema {
    let mut s = Schema::new(id.into(), name, wh, prefix, t);
    s.naming_strategies = [NamingStrategy::NewIds].into_iter().collect();
    s
}

/// The tenant of the traces: Pizza (cook_temp, toppings, weight, notes) and Slice → Pizza.
fn pizza_state() -> TenantState {
    let mut s = TenantState::new();
    s.registry.id = "src_reg1".into();
    s.registry.organization_id = "ent_org1".into();
    s.units.push(Unit { id: "unit_g".into(), name: "g".into(), symbol: Some("gram".into()) });
    let mut pizza = schema("ts_66a40c03", "Pizza", "pizza", "PI", EntityType::CustomEntity);
    let mut notes = field("tsf_de58e3fc", "Notes", "notes", FieldType::Text);
    notes.tooltip = Some("free text".into());
    notes.archived = true;
    let mut toppings = field("tsf_27fd93be", "Toppings", "toppings", FieldType::Dropdown);
    toppings.link = Some("sfs_45cbc500".into());
    let mut weight = field("tsf_f94ed7f4", "Weight", "weight", FieldType::Decimal);
    weight.unit = Some("unit_g".into());
    weight.decimal_places = Some(2);
    pizza.fields = vec![notes, field("tsf_74bfc6ea", "Cook Temp", "cook_temp", FieldType::Integer), toppings, weight];
    let mut slice = schema("ts_907ea3dc", "Slice", "slice", "SL", EntityType::CustomEntity);
    let mut link = field("tsf_b19ef7c0", "Pizza", "pizza", FieldType::EntityLink);
    link.required = true;
    link.link = Some("ts_66a40c03".into());
    slice.fields = vec![link];
    s.schemas = vec![pizza, slice].into();
    s.dropdowns = vec![Dropdown {
        id: "sfs_45cbc500".into(),
        name: "Toppings".into(),
        archived: false,
        options: vec![
            DropdownOption { id: "sfso_fd4611f8".into(), name: "Olive".into(), archived: false },
            DropdownOption { id: "sfso_efbf70d3".into(), name: "Cheese".into(), archived: false },
            DropdownOption { id: "sfso_739a1b22".into(), name: "Ham".into(), archived: true },
        ],
    }]
    .into();
    s
}

fn text(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn field_inputs_match_the_trace_key_for_key() {
    let s = pizza_state();
    let pizza = &s.schemas[0];
    let got: Vec<String> = pizza.fields.iter().map(|f| text(&field_input(&s, f, true))).collect();
    assert_eq!(
        got,
        [
            r#"{"id":"tsf_de58e3fc","name":"Notes","systemName":"notes","type":"TEXT","isRequired":false,"description":"free text","archived":true,"archiveReason":"Made in error"}"#,
            r#"{"id":"tsf_74bfc6ea","name":"Cook Temp","systemName":"cook_temp","type":"INTEGER","isRequired":false}"#,
            r#"{"id":"tsf_27fd93be","name":"Toppings","systemName":"toppings","type":"DROPDOWN","isRequired":false,"isMulti":false,"dropdownId":"sfs_45cbc500"}"#,
            r#"{"id":"tsf_f94ed7f4","name":"Weight","systemName":"weight","type":"FLOAT","isRequired":false,"unitId":"unit_g","displayPrecision":2}"#,
        ]
    );
    // A link to a custom-entity schema goes out as CUSTOM_ENTITY_LINK with its target. The trace
    // has no `isParent` only because the stub it ran against never returned one.
    assert_eq!(
        text(&field_input(&s, &s.schemas[1].fields[0], true)),
        r#"{"id":"tsf_b19ef7c0","name":"Pizza","systemName":"pizza","type":"CUSTOM_ENTITY_LINK","isRequired":true,"isMulti":false,"isParent":false,"linkDefinitionId":"ts_66a40c03"}"#
    );
    // A new field has no id; an entity link without a target is ENTITY_LINK with no linkDefinitionId.
    let mut any = field("", "Pizza", "pizza", FieldType::EntityLink);
    any.required = true;
    assert_eq!(
        text(&field_input(&s, &any, false)),
        r#"{"name":"Pizza","systemName":"pizza","type":"ENTITY_LINK","isRequired":true,"isMulti":false}"#
    );
}

#[test]
fn field_inputs_parse_back_to_the_same_field() {
    let s = pizza_state();
    for f in s.schemas.iter().flat_map(|x| &x.fields) {
        let item = parse_field_input(&field_input(&s, f, true), "item").unwrap();
        assert_eq!(item.id.as_deref(), Some(f.id.as_str()));
        assert_eq!(&item.field, f, "{}", f.warehouse_name);
        assert_eq!(item.archive_reason.is_some(), f.archived);
    }
    // DECIMAL (the newer spelling) is accepted; unknown keys, nulls and misplaced keys are not.
    let d = parse_field_input(&json!({"name": "W", "type": "DECIMAL", "isRequired": false}), "i").unwrap();
    assert_eq!((d.field.field_type, d.field.warehouse_name.as_str()), (FieldType::Decimal, "w"));
    let bad = [
        json!({"name": "A", "type": "TEXT", "isRequired": false, "isMulti": false}),
        json!({"name": "A", "type": "TEXT", "isRequired": false, "description": null}),
        json!({"name": "A", "type": "TEXT", "isRequired": false, "colour": "red"}),
        json!({"name": "A", "type": "CUSTOM_ENTITY_LINK", "isRequired": false, "isMulti": false}),
        json!({"name": "A", "type": "DROPDOWN", "isRequired": false}),
        json!({"name": "A", "type": "TEXTY", "isRequired": false}),
        json!({"name": "A", "type": "TEXT"}),
        json!({"name": "A", "type": "FLOAT", "isRequired": false, "displayPrecision": 99}),
    ];
    for b in bad {
        assert!(parse_field_input(&b, "i").is_err(), "{b}");
    }
    // A typed link without a target stays that type; with one it is `entity_link`.
    let t = parse_field_input(
        &json!({"name": "A", "type": "DNA_SEQUENCE_LINK", "isRequired": false, "linkDefinitionId": null}),
        "i",
    )
    .unwrap();
    assert_eq!((t.field.field_type, t.field.link), (FieldType::DnaSequenceLink, None));
}

#[test]
fn field_outputs_round_trip_and_carry_the_typenames() {
    let s = pizza_state();
    for f in s.schemas.iter().flat_map(|x| &x.fields) {
        let v = field_to_v3(&s, f);
        for key in ["id", "name", "systemName", "archived", "archiveReason", "createdAt", "modifiedAt"] {
            assert!(v.get(key).is_some(), "{key} missing on {v}");
        }
        assert!(v.get("description").is_some() && v.get("derivationType").is_some());
        assert_eq!(&field_from_v3(&v).unwrap(), f);
    }
    let link = field_to_v3(&s, &s.schemas[1].fields[0]);
    assert_eq!(link["__typename"], "CustomEntityLinkFieldDefinition");
    assert_eq!(link["linkDefinition"], json!({"__typename": "CustomEntitySchema", "id": "ts_66a40c03"}));
    let dd = field_to_v3(&s, &s.schemas[0].fields[2]);
    assert_eq!(dd["__typename"], "DropdownLinkFieldDefinition");
    assert_eq!(dd["linkDefinition"], json!({"__typename": "Dropdown", "id": "sfs_45cbc500"}));
    let w = field_to_v3(&s, &s.schemas[0].fields[3]);
    assert_eq!(
        (w["__typename"].as_str(), &w["unit"]["id"], &w["displayPrecision"]),
        (Some("FloatFieldDefinition"), &json!("unit_g"), &json!(2))
    );
    assert_eq!(
        s.schemas[0].fields[0].tooltip.as_deref(),
        field_to_v3(&s, &s.schemas[0].fields[0])["description"].as_str()
    );
    // Every Liminal type survives the output round trip.
    for t in FieldType::ALL {
        let mut f = field("tsf_x", "X", "x", *t);
        if *t == FieldType::Dropdown {
            f.link = Some("sfs_45cbc500".into());
        }
        assert_eq!(field_from_v3(&field_to_v3(&s, &f)).unwrap().field_type, *t, "{t}");
        let item = parse_field_input(&field_input(&s, &f, false), "i").unwrap();
        assert_eq!(item.field.field_type, *t, "{t}");
    }
}

#[test]
fn schemas_round_trip_through_v3() {
    let mut s = pizza_state();
    let pizza = &mut s.schemas[0];
    pizza.constraint = vec!["tsf_74bfc6ea".into()];
    pizza.name_template = vec![
        StoredPart { kind: PartType::Text, text: Some("PZ-".into()), field_id: None },
        StoredPart { kind: PartType::Field, text: None, field_id: Some("tsf_74bfc6ea".into()) },
        StoredPart { kind: PartType::RegistryIdentifierNumber, text: None, field_id: None },
    ];
    pizza.flags.include_registry_id_in_chips = true;
    let mut dna = schema("ts_dna", "Plasmid", "plasmid", "PL", EntityType::DnaSequence);
    dna.constraint = vec!["bases".into()];
    dna.flags.show_bases_in_expanded_view = true;
    dna.order_name_parts_by_sequence = true;
    let mut aa = schema("ts_aa", "Protein", "protein", "PR", EntityType::AaSequence);
    aa.constraint = vec!["amino_acids_exact_match".into()];
    let mut mix = schema("ts_mix", "Dough", "dough", "DO", EntityType::Mixture);
    mix.mixture_schema_config = Some(MixtureConfig {
        allow_measured_ingredients: true,
        component_lot_text_enabled: true,
        ..Default::default()
    });
    mix.archived = true;
    let mut entry = schema("ts_entry", "Notebook", "notebook", "NB", EntityType::Entry);
    entry.naming_strategies.clear();
    s.schemas.extend([dna, aa, mix, entry]);
    for sc in &s.schemas {
        let v = schema_to_v3(&s, sc, "https://emulator.benchling.com");
        for key in ["__typename", "id", "name", "systemName", "description", "archived", "archiveReason"] {
            assert!(v.get(key).is_some(), "{key} missing on {}", sc.warehouse_name);
        }
        for key in ["createdAt", "modifiedAt", "itemIdPrefix", "iconId", "organization", "fieldDefinitions"] {
            assert!(v.get(key).is_some(), "{key} missing on {}", sc.warehouse_name);
        }
        assert!(v["fieldDefinitions"].as_str().unwrap().ends_with(&format!("{}/field-definitions/items", sc.id)));
        assert_eq!(v.get("showResidues").is_some(), sc.entity_type.is_sequence());
        assert_eq!(v.get("allowMeasuredIngredients").is_some(), sc.entity_type == EntityType::Mixture);
        let fields: Vec<Field> = sc.fields.iter().map(|f| field_from_v3(&field_to_v3(&s, f)).unwrap()).collect();
        assert_eq!(&schema_from_v3(&v).unwrap().with_fields(fields), sc);
    }
    let v = schema_to_v3(&s, &s.schemas[0], "https://e.benchling.com");
    assert_eq!(v["constraint"], json!({"fieldDefinitionNames": ["Cook Temp"], "hasUniqueResidues": false}));
    assert_eq!(
        v["nameTemplate"]["parts"][1],
        json!({"type": "FIELD", "configuration": {"field": {"id": "tsf_74bfc6ea"}}})
    );
    assert_eq!(v["organization"]["id"], "ent_org1");
}

#[test]
fn create_bodies_match_the_trace_and_parse_back() {
    let s = pizza_state();
    let mut pizza = s.schemas[0].clone();
    pizza.fields.retain(|f| !f.archived && f.field_type != FieldType::Decimal);
    let body = create_schema_body(&s, &pizza);
    assert_eq!(
        text(&body),
        r#"{"name":"Pizza","systemName":"pizza","itemIdPrefix":"PI","organizationId":"ent_org1","description":"","fieldDefinitions":[{"name":"Cook Temp","systemName":"cook_temp","type":"INTEGER","isRequired":false},{"name":"Toppings","systemName":"toppings","type":"DROPDOWN","isRequired":false,"isMulti":false,"dropdownId":"sfs_45cbc500"}],"availableRegistrationNamingOptions":["NEW_IDS"],"includeRegistryIdInChips":false,"useRegistryIdForItemDisplayLabel":false}"#
    );
    let parsed = parse_schema_create(EntityType::CustomEntity, &body).unwrap();
    assert_eq!(parsed.organization_id, "ent_org1");
    let mut want = pizza.clone();
    want.id = String::new();
    want.fields = vec![];
    assert_eq!(parsed.schema, want);
    let ids: Vec<Field> = parsed.fields.iter().map(|i| Field { id: String::new(), ..i.field.clone() }).collect();
    let expected: Vec<Field> = pizza.fields.iter().map(|f| Field { id: String::new(), ..f.clone() }).collect();
    assert_eq!(ids, expected);
    // Type-specific keys are checked against the endpoint's type.
    let mut dna = body.clone();
    assert!(parse_schema_create(EntityType::DnaSequence, &dna).is_err(), "showResidues is required on DNA");
    dna["showResidues"] = json!(true);
    assert!(parse_schema_create(EntityType::DnaSequence, &dna).unwrap().schema.flags.show_bases_in_expanded_view);
    assert!(parse_schema_create(EntityType::CustomEntity, &dna).is_err());
}

#[test]
fn update_bodies_are_minimal_and_apply_back() {
    let s = pizza_state();
    let before = s.schemas[0].clone();
    let mut after = before.clone();
    after.prefix = "PZ".into();
    after.naming_strategies.insert(NamingStrategy::IdsFromNames);
    let body = schema_update_body(&before, &after);
    assert_eq!(
        text(&body),
        r#"{"itemIdPrefix":"PZ","availableRegistrationNamingOptions":["NEW_IDS","IDS_FROM_NAMES"]}"#
    );
    after.constraint = vec!["tsf_74bfc6ea".into()];
    after.name_template = vec![
        StoredPart { kind: PartType::Field, text: None, field_id: Some("tsf_74bfc6ea".into()) },
        StoredPart { kind: PartType::Separator, text: Some("-".into()), field_id: None },
    ];
    after.archived = true;
    let body = schema_update_body(&before, &after);
    assert_eq!(
        body["nameTemplate"]["nameTemplateParts"][0],
        json!({"type": "FIELD", "configuration": {"fieldId": "tsf_74bfc6ea"}})
    );
    assert_eq!(body["constraint"], json!({"fieldDefinitionNames": ["Cook Temp"]}));
    assert_eq!((&body["archived"], &body["archiveReason"]), (&json!(true), &json!("Made in error")));
    let mut applied = before.clone();
    apply_schema_update(&mut applied, &parse_schema_update(EntityType::CustomEntity, &body).unwrap()).unwrap();
    assert_eq!(applied, after);
    // And back: nulls clear, archived:false unarchives.
    let back = schema_update_body(&after, &before);
    assert_eq!(
        (&back["constraint"], &back["nameTemplate"], &back["archived"]),
        (&Value::Null, &Value::Null, &json!(false))
    );
    apply_schema_update(&mut applied, &parse_schema_update(EntityType::CustomEntity, &back).unwrap()).unwrap();
    assert_eq!(applied, before);
    assert_eq!(schema_update_body(&before, &before), json!({}));
    // Liminal's mixture-less null flags are accepted on any type? No: only where they apply.
    assert!(parse_schema_update(EntityType::CustomEntity, &json!({"showResidues": true})).is_err());
    assert!(parse_schema_update(EntityType::CustomEntity, &json!({"allowMeasuredIngredients": null})).is_ok());
    let unknown =
        parse_schema_update(EntityType::CustomEntity, &json!({"constraint": {"fieldDefinitionNames": ["Nope"]}}));
    assert!(apply_schema_update(&mut applied, &unknown.unwrap()).is_err());
}

#[test]
fn dropdown_bodies_match_the_trace_and_apply_back() {
    let s = pizza_state();
    let before = Dropdown {
        options: vec![
            DropdownOption { id: "sfso_efbf70d3".into(), name: "Cheese".into(), archived: false },
            DropdownOption { id: "sfso_739a1b22".into(), name: "Ham".into(), archived: false },
        ],
        ..s.dropdowns[0].clone()
    };
    let mut after = before.clone();
    after.options.insert(0, DropdownOption { id: "sfso_new".into(), name: "Olive".into(), archived: false });
    let body = dropdown_update_body(&before, &after);
    assert_eq!(
        text(&body),
        r#"{"options":[{"name":"Olive"},{"name":"Cheese","id":"sfso_efbf70d3","archived":false},{"name":"Ham","id":"sfso_739a1b22","archived":false}]}"#
    );
    let mut applied = before.clone();
    apply_dropdown_update(&mut applied, &parse_dropdown_update(&body).unwrap(), &mut || "sfso_new".to_string())
        .unwrap();
    assert_eq!(applied, after);
    let mut archived = after.clone();
    archived.options[2].archived = true;
    let body = dropdown_update_body(&after, &archived);
    assert_eq!(
        text(&body["options"][2]),
        r#"{"name":"Ham","id":"sfso_739a1b22","archiveReason":"Made in error","archived":true}"#
    );
    // Omitted options are archived and moved last; unknown ids are errors.
    let mut d = after.clone();
    let u =
        parse_dropdown_update(&json!({"options": [{"id": "sfso_739a1b22", "name": "Ham"}], "name": "Tops"})).unwrap();
    apply_dropdown_update(&mut d, &u, &mut || unreachable!()).unwrap();
    assert_eq!(d.name, "Tops");
    assert_eq!(
        d.options.iter().map(|o| (o.name.as_str(), o.archived)).collect::<Vec<_>>(),
        [("Ham", false), ("Olive", true), ("Cheese", true)]
    );
    let u = parse_dropdown_update(&json!({"options": [{"id": "sfso_nope", "name": "X"}]})).unwrap();
    assert!(apply_dropdown_update(&mut d, &u, &mut || unreachable!()).is_err());
    let u = parse_dropdown_update(&json!({"options": [{"name": "Ham"}]})).unwrap();
    assert!(apply_dropdown_update(&mut d, &u, &mut || "sfso_z".into()).is_err(), "duplicate name");
    assert_eq!(dropdown_update_body(&d, &d), json!({}));
    assert_eq!(
        text(&dropdown_update_body(&d, &Dropdown { archived: true, ..d.clone() })),
        r#"{"archived":true,"archiveReason":"Made in error"}"#
    );
}

#[test]
fn dropdowns_round_trip_in_both_versions() {
    let s = pizza_state();
    let d = &s.dropdowns[0];
    let v2 = dropdown_to_v2(d);
    assert_eq!(v2["options"][2]["archiveRecord"], json!({"reason": "Made in error"}));
    assert_eq!(v2["archiveRecord"], Value::Null);
    assert_eq!(&dropdown_from_v2(&v2).unwrap(), d);
    let v3 = dropdown_to_v3(d, "src_reg1", "https://e.benchling.com");
    assert_eq!(v3["options"], "https://e.benchling.com/api/v3/dropdown/sfs_45cbc500/options/items");
    let mut back = dropdown_from_v3(&v3).unwrap();
    back.options = d.options.iter().map(|o| option_from_v3(&option_to_v3(o)).unwrap()).collect();
    assert_eq!(&back, d);
    assert_eq!(dropdown_summary_from_v2(&dropdown_summary_v2(d)).unwrap(), (d.id.clone(), d.name.clone()));
    let body = dropdown_create_body("Toppings", &["Cheese".into(), "Ham".into()], "src_reg1");
    assert_eq!(
        text(&body),
        r#"{"name":"Toppings","options":[{"name":"Cheese"},{"name":"Ham"}],"registryId":"src_reg1"}"#
    );
    let c = parse_dropdown_create(&body).unwrap();
    assert_eq!((c.name.as_str(), c.options.len(), c.registry_id.as_deref()), ("Toppings", 2, Some("src_reg1")));
    assert!(parse_dropdown_create(&json!({"name": "X", "options": [{"name": "a", "id": "b"}]})).is_err());
}

#[test]
fn small_shapes_round_trip() {
    let s = pizza_state();
    assert_eq!(registries_from_v2(&registries_to_v2(&s.registry)).unwrap(), vec![s.registry.clone()]);
    let units = unit_types_to_v2(&s.units);
    assert_eq!(units["nextToken"], "");
    assert_eq!(units_from_v2(&units).unwrap(), s.units);
    assert_eq!(next_token(&units), None);
    assert_eq!(list_items(&json!({"items": [1, 2]}), "items").unwrap().len(), 2);
    assert_eq!(list_items(&json!([1]), "items").unwrap().len(), 1);
    assert!(list_items(&json!({"dropdowns": []}), "items").is_err());
    assert_eq!(next_token(&json!({"nextToken": "50"})).as_deref(), Some("50"));
    assert_eq!(parse_token_response(&token_response("t", 60)).unwrap(), ("t".into(), 60));
    let link = TaskLink { task_id: "1".into(), polling_uri: "https://x.benchling.com/api/v3/tasks/a/1".into() };
    assert_eq!(parse_task_link(&task_link(&link)).unwrap(), link);
    assert_eq!(polling_path(&link.polling_uri), "/api/v3/tasks/a/1");
    assert_eq!(polling_path("api/v3/tasks/a/1"), "/api/v3/tasks/a/1");
    assert_eq!(parse_task_status(&task_json(TaskStatus::Completed, "", Value::Null)).unwrap().0, TaskStatus::Completed);
    assert_eq!(error_message(&v2_error("invalid_request_error", "nope")).as_deref(), Some("nope"));
    assert_eq!(error_message(&v3_problem(400, "Bad Request", "why", "/x")).as_deref(), Some("why"));
}

/// Each schema flag travels by its Benchling name, in the create body, the output object and the
/// PATCH body, and only on the types it applies to: a flag the type does not have is never sent
/// and reads back as `false`.
#[test]
fn every_flag_travels_where_its_type_has_it() {
    use crate::schema::SchemaFlags;
    use crate::schema::rules::flag_applies;
    let s = pizza_state();
    for t in EntityType::ALL.iter().copied() {
        for (key, wire) in crate::wire::names::FLAG_NAMES.iter() {
            let mut on = schema("ts_1", "S", "s", "S", t);
            if t == EntityType::Mixture {
                on.mixture_schema_config = Some(MixtureConfig::default());
            }
            let off = on.clone();
            *on.flags.get_mut(key).unwrap() = true;
            let applies = flag_applies(key, t);
            let want = if applies { on.flags } else { SchemaFlags::default() };
            let body = create_schema_body(&s, &on);
            assert_eq!(body.get(*wire), applies.then(|| &json!(true)), "{key} on {t}");
            if t != EntityType::Entry {
                assert_eq!(parse_schema_create(t, &body).unwrap().schema.flags, want, "{key} on {t}");
            }
            let out = schema_to_v3(&s, &on, "https://e.benchling.com");
            assert_eq!(schema_from_v3(&out).unwrap().schema.flags, want, "{key} on {t}");
            let patch = schema_update_body(&off, &on);
            let sent: Vec<&String> = patch.as_object().unwrap().keys().collect();
            assert_eq!(sent, if applies { vec![*wire] } else { vec![] }, "{key} on {t}");
            let mut applied = off.clone();
            apply_schema_update(&mut applied, &parse_schema_update(t, &patch).unwrap()).unwrap();
            assert_eq!(applied.flags, want, "{key} on {t}");
        }
    }
}
