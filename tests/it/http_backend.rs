//! The HTTP backend against the emulator: the same operations give the same tenant as the
//! local backend; retries, token refresh and create reconciliation under injected faults; and
//! the number of requests a known migration sends (it must not grow).

use std::time::Duration;

use crate::emu::scenario::{Comparable, Step, comparable, random_op, random_setup, scenario};
use crate::emu::{Emu, counts, emulator, emulator_with, endpoint};
use liminal::emulator::EmulatorConfig;
use liminal::migrate::{PlanStep, Progress, preflight, run};
use liminal::op::Op;
use liminal::script::{Direction, LocatedOp};
use liminal::state::TenantState;
use liminal::tenant::benchling::HttpTenant;
use liminal::tenant::local::LocalTenant;
use liminal::tenant::{ApplyError, Needs, Tenant};
use proptest::prelude::*;
use serde_json::json;

async fn apply_all(t: &mut impl Tenant, ops: &[Op]) -> Result<Vec<usize>, ApplyError> {
    let mut done = Vec::new();
    t.apply(ops, &mut |i| done.push(i)).await?;
    Ok(done)
}

/// What the emulator holds and what a fresh HTTP read returns both equal `expected`.
async fn assert_tenant_is(emu: &Emu, expected: &Comparable, context: &str) {
    assert_eq!(&comparable(&emu.state().await), expected, "emulator state after {context}");
    let mut fresh = emu.tenant();
    assert_eq!(&comparable(&fresh.read().await.unwrap()), expected, "fresh read after {context}");
}

#[tokio::test]
async fn the_scenario_gives_the_same_tenant_as_the_local_backend() {
    let dir = tempfile::tempdir().unwrap();
    let mut local = LocalTenant::new(dir.path().join("dev.json"));
    let emu = emulator().await;
    let mut http = emu.tenant();
    for (n, step) in scenario().into_iter().enumerate() {
        match step {
            Step::Ops(ops) => {
                let l = apply_all(&mut local, &ops).await.unwrap();
                let h = apply_all(&mut http, &ops).await.unwrap_or_else(|e| panic!("step {n}: {e}"));
                assert_eq!(l, h, "step {n}: every op reported done, in order");
            }
            Step::Revision(r) => {
                assert!(local.set_revision(r).await.unwrap());
                assert!(http.set_revision(r).await.unwrap(), "step {n}");
                assert!(!http.set_revision(r).await.unwrap(), "step {n}: unchanged the second time");
            }
        }
        let expected = comparable(&local.read().await.unwrap());
        assert_eq!(comparable(&http.read().await.unwrap()), expected, "cached copy after step {n}");
        assert_tenant_is(&emu, &expected, &format!("step {n}")).await;
    }
    assert_eq!(http.revision().await.unwrap().as_deref(), Some("bbbbbbbbbbbb"));
    assert_eq!(emu.tenant().revision().await.unwrap().as_deref(), Some("bbbbbbbbbbbb"));
}

#[tokio::test]
async fn an_op_that_does_not_apply_sends_nothing_and_reports_its_index() {
    let emu = emulator().await;
    let mut http = emu.tenant();
    http.read().await.unwrap();
    emu.clear_requests().await;
    let ops = vec![
        Op::CreateDropdown { name: "A".into(), options: vec!["x".into()] },
        Op::CreateDropdownOption { dropdown: "A".into(), option: "y".into(), index: 1 },
        Op::ArchiveDropdownOption { dropdown: "A".into(), option: "nope".into() },
        Op::CreateDropdown { name: "B".into(), options: vec![] },
    ];
    let mut done = Vec::new();
    let e = http.apply(&ops, &mut |i| done.push(i)).await.unwrap_err();
    assert!(matches!(e, ApplyError::Op { index: 2, .. }), "{e}");
    assert_eq!(done, vec![0, 1]);
    // The two ops before it went out as one create.
    let log = emu.requests().await;
    assert_eq!(counts(&log), vec![("POST /api/v2/dropdowns".to_string(), 1)]);
    let d = emu.state().await.dropdowns;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].options.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["x", "y"]);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random op lists (only ops that apply, in order) leave the emulator exactly as they leave
    /// the local tenant.
    #[test]
    fn random_ops_match_the_local_backend(seeds in prop::collection::vec(any::<(u8, u8, u8, u8)>(), 20..80)) {
        let mut sim = TenantState::new();
        let ops: Vec<Op> = random_setup()
            .into_iter()
            .chain(seeds.into_iter().map(random_op))
            .filter(|op| op.apply(&mut sim).is_ok())
            .collect();
        let rt = runtime();
        let (got, fresh) = rt.block_on(async {
            let emu = emulator().await;
            let mut http = emu.tenant();
            // Apply in a few chunks, as several revisions would.
            for chunk in ops.chunks(7) {
                apply_all(&mut http, chunk).await.unwrap();
            }
            let fresh = comparable(&emu.tenant().read().await.unwrap());
            (comparable(&emu.state().await), fresh)
        });
        let expected = comparable(&sim);
        prop_assert_eq!(&got, &expected, "ops: {:#?}", ops);
        prop_assert_eq!(&fresh, &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// The same on a tenant that holds many schemas and dropdowns the operations do not touch,
    /// each chunk of operations applied by a new run that reads only what its chunk needs (as
    /// separate `upgrade`s would): untouched schemas stay exactly as they were, touched ones
    /// end as the local backend leaves them.
    #[test]
    fn partial_reads_match_the_local_backend(seeds in prop::collection::vec(any::<(u8, u8, u8, u8)>(), 20..60)) {
        let base = crate::emu::scenario::big_tenant(30, 8, 3);
        let mut sim = base.clone();
        let ops: Vec<Op> = random_setup()
            .into_iter()
            .chain(seeds.into_iter().map(random_op))
            .filter(|op| op.apply(&mut sim).is_ok())
            .collect();
        let rt = runtime();
        let (got, fresh) = rt.block_on(async {
            let emu = emulator().await;
            emu.put_state(&base).await;
            for chunk in ops.chunks(7) {
                let mut http = emu.tenant();
                http.prepare(&Needs::schema_list());
                http.revision().await.unwrap();
                let mut preflight = http.read_for(&Needs::of_ops(chunk)).await.unwrap();
                assert!(!preflight.unread.is_empty(), "a partial read");
                for op in chunk {
                    op.apply(&mut preflight).unwrap_or_else(|e| panic!("{op:?}: {e}"));
                }
                apply_all(&mut http, chunk).await.unwrap();
            }
            let fresh = comparable(&emu.tenant().read().await.unwrap());
            (comparable(&emu.state().await), fresh)
        });
        let expected = comparable(&sim);
        prop_assert_eq!(&got, &expected, "ops: {:#?}", ops);
        prop_assert_eq!(&fresh, &expected);
    }
}

#[tokio::test]
async fn reads_and_writes_are_retried_on_429_and_503() {
    let emu = emulator().await;
    let mut http = emu.tenant();
    emu.faults(json!({ "fail_next": 3, "status": 429, "reset_secs": 1 })).await;
    http.read().await.unwrap();
    emu.faults(json!({ "fail_next": 2, "status": 503, "latency_ms": 20 })).await;
    let started = std::time::Instant::now();
    apply_all(&mut http, &[Op::CreateDropdown { name: "A".into(), options: vec![] }]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(60), "latency applies to each of 3 attempts");
    let log = emu.requests().await;
    let statuses: Vec<u64> = log.iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), 2);
    let posts: Vec<u64> =
        log.iter().filter(|r| endpoint(r) == "POST /api/v2/dropdowns").map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(posts, vec![503, 503, 200]);
    assert_eq!(emu.state().await.dropdowns.len(), 1);
}

#[tokio::test]
async fn a_create_that_fails_with_500_is_checked_not_resent() {
    let emu = emulator().await;
    let mut http = emu.tenant();
    http.read().await.unwrap();
    emu.clear_requests().await;
    emu.faults(json!({ "fail_write": 1, "write_status": 500 })).await;
    let e =
        apply_all(&mut http, &[Op::CreateDropdown { name: "A".into(), options: vec!["x".into()] }]).await.unwrap_err();
    assert!(matches!(e, ApplyError::Tenant { index: 0, .. }), "{e}");
    assert!(e.to_string().contains("it was not created"), "{e}");
    let log: Vec<String> = emu.requests().await.iter().map(endpoint).collect();
    assert_eq!(log, vec!["POST /api/v2/dropdowns", "GET /api/v3/dropdown/items"]);
    assert!(emu.state().await.dropdowns.is_empty());

    // A 502 on a create is also checked first, then sent again since it did not land.
    emu.clear_requests().await;
    emu.faults(json!({ "fail_write": 1, "write_status": 502 })).await;
    let mut http = emu.tenant();
    http.read().await.unwrap();
    emu.clear_requests().await;
    apply_all(&mut http, &[Op::CreateDropdown { name: "A".into(), options: vec!["x".into()] }]).await.unwrap();
    let log: Vec<String> = emu.requests().await.iter().map(endpoint).collect();
    assert_eq!(log, vec!["POST /api/v2/dropdowns", "GET /api/v3/dropdown/items", "POST /api/v2/dropdowns"]);
    assert_eq!(emu.state().await.dropdowns.len(), 1);
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_before_it_is_rejected() {
    let emu = emulator_with(EmulatorConfig { token_ttl_secs: 2, ..EmulatorConfig::default() }).await;
    let mut http = emu.tenant();
    http.read().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    apply_all(&mut http, &[Op::CreateDropdown { name: "A".into(), options: vec![] }]).await.unwrap();
    let log = emu.requests().await;
    let tokens = log.iter().filter(|r| endpoint(r) == "POST /api/v2/token").count();
    assert_eq!(tokens, 2);
    assert!(log.iter().all(|r| r["status"].as_u64() != Some(401)));
}

#[tokio::test]
async fn tasks_are_polled_until_done_and_failures_carry_the_message() {
    let emu = emulator().await;
    let mut http = emu.tenant();
    let schema = crate::emu::scenario::create_schema(json!({
        "name": "S", "warehouse_name": "s", "prefix": "S", "entity_type": "custom_entity",
        "fields": [ { "warehouse_name": "a", "name": "A", "type": "text" } ],
    }));
    apply_all(&mut http, &[schema]).await.unwrap();
    emu.faults(json!({ "tasks_in_progress": 2 })).await;
    emu.clear_requests().await;
    let archive = Op::ArchiveField { schema: "s".into(), field: "a".into(), index: None };
    apply_all(&mut http, std::slice::from_ref(&archive)).await.unwrap();
    let polls = emu.requests().await.iter().filter(|r| endpoint(r).starts_with("GET /api/v3/tasks/")).count();
    assert_eq!(polls, 3);
    emu.faults(json!({ "tasks_fail": true })).await;
    let unarchive = Op::UnarchiveField { schema: "s".into(), field: "a".into(), index: None };
    let e = apply_all(&mut http, &[unarchive]).await.unwrap_err();
    assert!(matches!(e, ApplyError::Tenant { index: 0, .. }), "{e}");
    assert!(e.to_string().contains("failed"), "{e}");
    assert!(emu.state().await.schema("s").unwrap().fields[0].archived);
}

/// What `liminal upgrade` does with a tenant (without the lease lock): the revision lookup with
/// the schema lists, then only what the plan needs, preflight, then each revision applied and
/// recorded ([`liminal::migrate::run`]).
async fn upgrade(http: &mut HttpTenant, revisions: Vec<(&str, Vec<Op>)>) {
    struct Quiet;
    impl Progress for Quiet {
        fn revision(&mut self, _: usize, _: usize, _: &PlanStep) {}
        fn op_done(&mut self, _: &PlanStep, _: &LocatedOp) {}
        fn revision_done(&mut self, _: &PlanStep) {}
    }
    http.prepare(&Needs::schema_list());
    let current = http.revision().await.unwrap();
    let steps: Vec<PlanStep> = revisions
        .into_iter()
        .map(|(id, ops)| PlanStep {
            id: id.into(),
            message: String::new(),
            path: "v.rhai".into(),
            direction: Direction::Upgrade,
            ops: ops.into_iter().map(|op| LocatedOp { op, line: 1, column: 1 }).collect(),
            record: id.into(),
            skip: 0,
        })
        .collect();
    let needs = Needs::of_ops(steps.iter().flat_map(|s| s.ops.iter().map(|o| &o.op)));
    let state = http.read_for(&needs).await.unwrap();
    preflight(&state, &steps).unwrap();
    run(http, &steps, &mut Quiet, current, None).await.unwrap();
}

/// Requests per endpoint, and their total.
async fn logged(emu: &Emu) -> (Vec<(String, usize)>, usize) {
    let log = emu.requests().await;
    assert!(log.iter().all(|r| r["status"].as_u64().is_some_and(|s| s < 300)), "{log:#?}");
    (counts(&log), log.len())
}

fn expect(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = pairs.iter().map(|(e, n)| (e.to_string(), *n)).collect();
    v.sort();
    v
}

/// liminal 5.1.0 sent 99 requests for a first upgrade like this
/// (`shared/reference/wire/liminal-5.1.0-cycle2.jsonl`): a fresh tenant upgraded from nothing
/// through the (empty) base revision and one creating a dropdown and two schemas. These counts
/// must not grow.
#[tokio::test]
async fn request_count_first_upgrade() {
    let emu = emulator().await;
    let mut http = emu.tenant();
    let ops = vec![
        Op::CreateDropdown { name: "Toppings".into(), options: vec!["Cheese".into(), "Ham".into()] },
        crate::emu::scenario::create_schema(json!({
            "name": "Pizza", "warehouse_name": "pizza", "prefix": "PI", "entity_type": "custom_entity",
            "fields": [
                { "warehouse_name": "toppings", "name": "Toppings", "type": "dropdown", "dropdown": "Toppings", "is_multi": true },
                { "warehouse_name": "weight", "name": "Weight", "type": "decimal", "unit": "gram", "decimal_places": 1 },
            ],
        })),
        crate::emu::scenario::create_schema(json!({
            "name": "Slice", "warehouse_name": "slice", "prefix": "SL", "entity_type": "custom_entity",
            "fields": [ { "warehouse_name": "pizza", "name": "Pizza", "type": "entity_link", "entity_link": "pizza" } ],
        })),
    ];
    upgrade(&mut http, vec![("3d7c046f0f88", vec![]), ("bc4e40df15fa", ops)]).await;
    let (got, total) = logged(&emu).await;
    let expected = expect(&[
        ("POST /api/v2/token", 1),
        // Reading: the union list, the entry list (names must be free), dropdowns, units.
        ("GET /api/v3/entity-schema/items", 1),
        ("GET /api/v3/entry-schema/items", 1),
        ("GET /api/v3/dropdown/items", 1),
        ("GET /api/v2-alpha/unit-types", 1),
        // Writing: the registry (creates need it), the dropdown, the two schemas, then
        // `liminal_remote` created holding the last revision (the empty base is not recorded
        // on its own: the next revision follows in the same run).
        ("GET /api/v2/registries", 1),
        ("POST /api/v2/dropdowns", 1),
        ("POST /api/v3/custom-entity-schema", 3),
    ]);
    assert_eq!(got, expected);
    assert_eq!(total, 10);
    assert_eq!(http.requests(), 10);
    assert_eq!(emu.state().await.revision().unwrap().as_deref(), Some("bc4e40df15fa"));
}

/// A later upgrade of an existing tenant: 12 field operations on two schemas (six each,
/// consecutive) and 4 option operations, then the record.
#[tokio::test]
async fn request_count_field_upgrade() {
    let emu = emulator().await;
    let mut setup = emu.tenant();
    setup.set_revision("aaaaaaaaaaaa").await.unwrap();
    let mut create = vec![Op::CreateDropdown { name: "D".into(), options: vec!["a".into(), "b".into()] }];
    for s in ["s1", "s2"] {
        create.push(crate::emu::scenario::create_schema(json!({
            "name": s.to_uppercase(), "warehouse_name": s, "prefix": format!("P{}", &s[1..].replace('1', "A").replace('2', "B")), "entity_type": "custom_entity",
            "fields": [
                { "warehouse_name": "a", "name": "A", "type": "text" },
                { "warehouse_name": "b", "name": "B", "type": "integer" },
            ],
        })));
    }
    apply_all(&mut setup, &create).await.unwrap();
    emu.clear_requests().await;

    let mut http = emu.tenant();
    let mut ops = Vec::new();
    for s in ["s1", "s2"] {
        for (i, f) in ["c", "d", "e"].iter().enumerate() {
            ops.push(crate::emu::scenario::create_field(
                s,
                json!({ "warehouse_name": f, "name": f.to_uppercase(), "type": "text" }),
                i,
            ));
        }
        ops.push(crate::emu::scenario::update_field(s, "a", json!({ "tooltip": "tip" })));
        ops.push(Op::ArchiveField { schema: s.into(), field: "b".into(), index: None });
        ops.push(Op::ReorderFields { schema: s.into(), fields: vec!["e".into(), "a".into()] });
    }
    ops.push(Op::CreateDropdownOption { dropdown: "D".into(), option: "c".into(), index: 0 });
    ops.push(Op::ArchiveDropdownOption { dropdown: "D".into(), option: "a".into() });
    ops.push(Op::RenameDropdownOption { dropdown: "D".into(), option: "b".into(), new_option: "B".into() });
    ops.push(Op::ReorderDropdownOptions { dropdown: "D".into(), options: vec!["B".into()] });
    upgrade(&mut http, vec![("bbbbbbbbbbbb", ops)]).await;
    let (got, total) = logged(&emu).await;
    let expected = expect(&[
        ("POST /api/v2/token", 1),
        // Reading: the union list, fields of liminal_remote, s1 and s2, the dropdown list and
        // D's options.
        ("GET /api/v3/entity-schema/items", 1),
        ("GET /api/v3/custom-entity-schema/{id}/field-definitions/items", 3),
        ("GET /api/v3/dropdown/items", 1),
        ("GET /api/v3/dropdown/{id}/options/items", 1),
        // Writing: s1, s2 and the record, each one request and a poll; D in one PATCH.
        ("POST /api/v3/custom-entity-schema/{id}:set-field-definitions", 3),
        ("GET /api/v3/tasks/custom-entity-schema/set-field-definitions/{id}", 3),
        ("PATCH /api/v3/dropdown/{id}", 1),
    ]);
    assert_eq!(got, expected);
    assert_eq!(total, 14);
}

/// The everyday case of a real lab: a big tenant, a small revision. What is read does not
/// grow with the schemas the plan does not touch; only the union list's pages do (100 a page).
#[tokio::test]
async fn request_count_small_upgrade_of_a_big_tenant() {
    for (schemas, pages) in [(200, 3), (400, 5)] {
        let emu = emulator().await;
        emu.put_state(&crate::emu::scenario::big_tenant(schemas, 20, 10)).await;
        let mut http = emu.tenant();
        let op = crate::emu::scenario::create_field(
            "bulk_007",
            json!({ "warehouse_name": "notes", "name": "Notes", "type": "text" }),
            20,
        );
        upgrade(&mut http, vec![("bbbbbbbbbbbb", vec![op])]).await;
        let (got, total) = logged(&emu).await;
        let expected = expect(&[
            ("POST /api/v2/token", 1),
            ("GET /api/v3/entity-schema/items", pages),
            // liminal_remote's and bulk_007's.
            ("GET /api/v3/custom-entity-schema/{id}/field-definitions/items", 2),
            ("POST /api/v3/custom-entity-schema/{id}:set-field-definitions", 2),
            ("GET /api/v3/tasks/custom-entity-schema/set-field-definitions/{id}", 2),
        ]);
        assert_eq!(got, expected, "{schemas} schemas");
        assert_eq!(total, 7 + pages, "{schemas} schemas");
        let state = emu.state().await;
        assert_eq!(state.schema("bulk_007").unwrap().fields.len(), 21);
        assert_eq!(state.revision().unwrap().as_deref(), Some("bbbbbbbbbbbb"));

        // `current` costs the same on any tenant: token, one filtered list, one field list.
        emu.clear_requests().await;
        assert_eq!(emu.tenant().revision().await.unwrap().as_deref(), Some("bbbbbbbbbbbb"));
        assert_eq!(logged(&emu).await.1, 3, "{schemas} schemas");
    }
}

/// 12 new fields on one schema: one `:set-field-definitions` for all of them.
#[tokio::test]
async fn request_count_twelve_fields_on_one_schema() {
    let emu = emulator().await;
    emu.put_state(&crate::emu::scenario::big_tenant(2, 20, 0)).await;
    let ops: Vec<Op> = (0..12)
        .map(|i| {
            crate::emu::scenario::create_field(
                "bulk_001",
                json!({ "warehouse_name": format!("new_{i}"), "name": format!("New {i}"), "type": "text" }),
                20 + i,
            )
        })
        .collect();
    upgrade(&mut emu.tenant(), vec![("bbbbbbbbbbbb", ops)]).await;
    let (got, total) = logged(&emu).await;
    assert_eq!(total, 8, "{got:#?}");
    assert_eq!(emu.state().await.schema("bulk_001").unwrap().fields.len(), 32);
}

/// A tenant that does not serve the union list (404) is read with the per-type lists, and the
/// upgrade gives the same tenant.
#[tokio::test]
async fn without_the_union_list_the_per_type_lists_are_read() {
    let emu = emulator().await;
    emu.put_state(&crate::emu::scenario::big_tenant(3, 4, 1)).await;
    emu.faults(json!({ "no_union_list": true })).await;
    let op = crate::emu::scenario::update_field("bulk_002", "f3", json!({ "tooltip": "tip" }));
    upgrade(&mut emu.tenant(), vec![("bbbbbbbbbbbb", vec![op])]).await;
    let log = emu.requests().await;
    let lists: Vec<String> =
        log.iter().map(endpoint).filter(|e| e.starts_with("GET") && e.ends_with("-schema/items")).collect();
    assert_eq!(lists.len(), 9, "the 404, then the eight entity lists: {lists:#?}");
    assert_eq!(lists.iter().filter(|e| e.contains("/entity-schema/")).count(), 1);
    let state = emu.state().await;
    assert_eq!(state.schema("bulk_002").unwrap().field("f3").unwrap().tooltip.as_deref(), Some("tip"));
    assert_eq!(state.revision().unwrap().as_deref(), Some("bbbbbbbbbbbb"));
}

/// A first read that needs nothing but `liminal_remote` is the revision lookup: it finds the
/// schema (never a state without it, which would make a write create a second one).
#[tokio::test]
async fn a_first_read_of_nothing_still_finds_liminal_remote() {
    let emu = emulator().await;
    emu.put_state(&crate::emu::scenario::big_tenant(3, 4, 1)).await;
    let mut http = emu.tenant();
    let state = http.read_for(&Needs::default()).await.unwrap();
    assert_eq!(state.revision().unwrap().as_deref(), Some("aaaaaaaaaaaa"));
    assert!(state.unread.schema_list);
    assert_eq!(emu.requests().await.len(), 3);
}
