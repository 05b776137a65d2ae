//! The HTTP backend against the emulator: the same operations give the same tenant as the
//! local backend; retries, token refresh and create reconciliation under injected faults; and
//! the number of requests a known migration sends (it must not grow).

use std::time::Duration;

use crate::emu::scenario::{Comparable, Step, comparable, random_op, random_setup, scenario};
use crate::emu::{Emu, counts, emulator, emulator_with, endpoint};
use liminal::emulator::EmulatorConfig;
use liminal::op::Op;
use liminal::state::TenantState;
use liminal::tenant::local::LocalTenant;
use liminal::tenant::{ApplyError, Tenant};
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

/// liminal 5.1.0 sent 99 requests for this (`shared/reference/wire/liminal-5.1.0-cycle2.jsonl`):
/// the first `revision` on a fresh tenant (creating `liminal_remote`), then `upgrade` creating a
/// dropdown and a schema, then recording the new revision. These counts must not grow.
#[tokio::test]
async fn request_count_first_upgrade() {
    let emu = emulator().await;
    let mut http = emu.tenant();
    assert_eq!(http.revision().await.unwrap(), None);
    assert!(http.set_revision("3d7c046f0f88").await.unwrap());
    let state = http.read().await.unwrap();
    assert_eq!(state.revision().unwrap().as_deref(), Some("3d7c046f0f88"));
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
    apply_all(&mut http, &ops).await.unwrap();
    assert!(http.set_revision("bc4e40df15fa").await.unwrap());
    let log = emu.requests().await;
    let got = counts(&log);
    let expected: Vec<(String, usize)> = [
        ("GET /api/v2-alpha/unit-types", 1),
        ("GET /api/v2/registries", 1),
        ("GET /api/v3/aa-sequence-schema/items", 1),
        ("GET /api/v3/custom-entity-schema/items", 1),
        ("GET /api/v3/custom-entity-schema/{id}/field-definitions/items", 1),
        ("GET /api/v3/dna-oligo-schema/items", 1),
        ("GET /api/v3/dna-sequence-schema/items", 1),
        ("GET /api/v3/dropdown/items", 1),
        ("GET /api/v3/entry-schema/items", 1),
        ("GET /api/v3/mixture-schema/items", 1),
        ("GET /api/v3/molecule-schema/items", 1),
        ("GET /api/v3/rna-oligo-schema/items", 1),
        ("GET /api/v3/rna-sequence-schema/items", 1),
        ("GET /api/v3/tasks/custom-entity-schema/set-field-definitions/{id}", 1),
        ("POST /api/v2/dropdowns", 1),
        ("POST /api/v2/token", 1),
        ("POST /api/v3/custom-entity-schema", 3),
        ("POST /api/v3/custom-entity-schema/{id}:set-field-definitions", 1),
    ]
    .iter()
    .map(|(e, n)| (e.to_string(), *n))
    .collect();
    assert_eq!(got, expected);
    assert_eq!(log.len(), 20);
    assert_eq!(http.requests(), 20);
    assert!(log.iter().all(|r| r["status"].as_u64().is_some_and(|s| s < 300)));
}

/// A later upgrade of an existing tenant: read it, then 12 field operations on two schemas (six
/// each, consecutive) and 4 option operations, then record the revision.
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
    assert_eq!(http.revision().await.unwrap().as_deref(), Some("aaaaaaaaaaaa"));
    http.read().await.unwrap();
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
    apply_all(&mut http, &ops).await.unwrap();
    assert!(http.set_revision("bbbbbbbbbbbb").await.unwrap());
    let log = emu.requests().await;
    // Reading: token, custom-entity list + liminal_remote's fields (revision), registry, units,
    // 8 other lists, dropdown list, fields of s1 and s2, options of D = 17.
    // Writing: 2 × (set-field-definitions + poll), 1 option PATCH, revision set + poll = 7.
    assert_eq!(
        counts(&log).iter().filter(|(e, _)| e.starts_with("GET /api/v3/tasks/")).map(|(_, n)| n).sum::<usize>(),
        3
    );
    assert_eq!(
        counts(&log).iter().filter(|(e, _)| e == "PATCH /api/v3/dropdown/{id}").map(|(_, n)| *n).sum::<usize>(),
        1
    );
    assert_eq!(log.len(), 24, "{:#?}", counts(&log));
}
