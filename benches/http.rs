//! Requests and wall time of the HTTP backend against the emulator with 50 ms added to every
//! response, next to what liminal 5.1.0's call pattern would send for the same work.
//!
//! Run: `cargo bench --bench http`. Prints a table; asserts nothing.
//!
//! liminal 5.1.0's figures are counted from its call pattern (benchling-api.md §4.1,
//! liminal-behaviour.md §5, the traces in `shared/reference/wire/`): before validating and again
//! before executing a field operation it lists the nine schema types and reads the schema's
//! fields (10 reads each time; archive, unarchive and reorder have no validation read), then one
//! `:set-field-definitions` and at least one poll. Reading a whole tenant (`diff`, `revision`)
//! is the revision lookup (9 lists + 1), then 9 lists, every schema's fields, the v2 dropdown
//! list, the units, the v3 dropdown list and every dropdown's options.

use std::time::{Duration, Instant};

use liminal::emulator::{EmulatorConfig, spawn};
use liminal::op::{FieldPatch, Op, field_def_from_json, schema_def_from_json};
use liminal::state::TenantState;
use liminal::tenant::Tenant;
use liminal::tenant::benchling::{Credentials, HttpConfig, HttpTenant};
use serde_json::json;

const LATENCY_MS: u64 = 50;
/// Benchling's default budget: 60 requests per 30 s.
const BUDGET_PER_30S: f64 = 60.0;

fn schema_op(wh: &str, prefix: &str, fields: usize) -> Op {
    let fields: Vec<_> = (0..fields)
        .map(|i| json!({ "warehouse_name": format!("f{i}"), "name": format!("F{i}"), "type": "text" }))
        .collect();
    let v = json!({ "name": wh.to_uppercase(), "warehouse_name": wh, "prefix": prefix,
                    "entity_type": "custom_entity", "fields": fields });
    Op::CreateSchema { schema: Box::new(schema_def_from_json(&v).unwrap()) }
}

fn prefix(i: usize) -> String {
    // Letters only: a prefix may not end in a digit.
    let a = (b'A' + (i / 26) as u8) as char;
    let b = (b'A' + (i % 26) as u8) as char;
    format!("P{a}{b}")
}

fn tenant_with(schemas: usize, fields: usize) -> TenantState {
    let mut state = TenantState::new();
    state.set_revision("aaaaaaaaaaaa");
    for i in 0..schemas {
        schema_op(&format!("s{i:03}"), &prefix(i), fields).apply(&mut state).unwrap();
    }
    state
}

/// 10 field operations on each of `schemas` schemas: 4 creates, 3 updates, 2 archives, 1 reorder.
/// `grouped`: each schema's operations together (a hand-written revision); otherwise sorted by
/// Liminal's operation order, as a generated revision is (creates of every schema, then updates…).
fn field_ops(schemas: usize, grouped: bool) -> Vec<Op> {
    let mut ops = Vec::new();
    for s in 0..schemas {
        let wh = format!("s{s:03}");
        for i in 0..4 {
            let f = json!({ "warehouse_name": format!("n{i}"), "name": format!("N{i}"), "type": "integer" });
            ops.push(Op::CreateField {
                schema: wh.clone(),
                field: Box::new(field_def_from_json(&f).unwrap()),
                index: i,
            });
        }
        for i in 0..3 {
            let patch = FieldPatch::from_json(&json!({ "tooltip": format!("tip {i}") })).unwrap();
            ops.push(Op::UpdateField { schema: wh.clone(), field: format!("f{i}"), patch: Box::new(patch) });
        }
        for i in 3..5 {
            ops.push(Op::ArchiveField { schema: wh.clone(), field: format!("f{i}"), index: None });
        }
        ops.push(Op::ReorderFields { schema: wh.clone(), fields: vec!["f9".into(), "f8".into()] });
    }
    if !grouped {
        ops.sort_by_key(Op::order);
    }
    ops
}

/// liminal 5.1.0's requests for `ops`, per its call pattern (see the module docs).
fn liminal_field_ops(ops: &[Op]) -> u64 {
    ops.iter()
        .map(|op| match op {
            Op::CreateField { .. } | Op::UpdateField { .. } => 10 + 10 + 2,
            _ => 10 + 2,
        })
        .sum()
}

/// liminal 5.1.0 reading a whole tenant (`diff`): revision lookup, lists, fields, dropdowns.
fn liminal_read(schemas: u64, dropdowns: u64) -> u64 {
    1 + 10 + 9 + schemas + 1 + 1 + 1 + dropdowns
}

/// The least time `n` requests take within Benchling's budget (the first 60 are free).
fn floor_secs(n: u64) -> f64 {
    ((n as f64 - BUDGET_PER_30S) / BUDGET_PER_30S * 30.0).max(0.0)
}

struct Row {
    case: &'static str,
    ours: u64,
    wall: Duration,
    liminal: u64,
}

fn config(url: &str) -> HttpConfig {
    HttpConfig::new(url, Credentials::ClientCredentials { id: "liminal".into(), secret: "liminal".into() })
}

async fn run() -> Vec<Row> {
    let emu = spawn(EmulatorConfig::default()).await.unwrap();
    let admin = reqwest::Client::new();
    let put = |state: TenantState| {
        let (admin, url) = (admin.clone(), emu.url());
        async move { admin.put(format!("{url}/__emulator/state")).json(&state).send().await.unwrap() }
    };
    admin
        .post(format!("{}/__emulator/faults", emu.url()))
        .json(&json!({ "latency_ms": LATENCY_MS }))
        .send()
        .await
        .unwrap();
    let mut rows = Vec::new();

    // 1. Read a tenant of 200 schemas × 20 fields.
    put(tenant_with(200, 20)).await;
    let mut t = HttpTenant::new(config(&emu.url())).unwrap();
    let started = Instant::now();
    let state = t.read().await.unwrap();
    assert_eq!(state.schemas.len(), 201);
    rows.push(Row {
        case: "read 200 schemas x 20 fields",
        ours: t.requests(),
        wall: started.elapsed(),
        liminal: liminal_read(201, 0),
    });

    // 2. An upgrade: 100 field operations over 10 schemas (of 20 fields), revision recorded.
    for (case, grouped) in
        [("upgrade: 100 field ops / 10 schemas, by schema", true), ("upgrade: same ops, Liminal's op order", false)]
    {
        put(tenant_with(10, 20)).await;
        let ops = field_ops(10, grouped);
        let mut t = HttpTenant::new(config(&emu.url())).unwrap();
        let started = Instant::now();
        t.revision().await.unwrap();
        t.read().await.unwrap();
        t.apply(&ops, &mut |_| {}).await.unwrap();
        t.set_revision("bbbbbbbbbbbb").await.unwrap();
        // liminal: token, revision lookup (10), the ops, the revision write (20 reads + set + poll).
        let liminal = 1 + 10 + liminal_field_ops(&ops) + 22;
        rows.push(Row { case, ours: t.requests(), wall: started.elapsed(), liminal });
    }

    // 3. The traced first upgrade: liminal_remote, one dropdown, one schema (99 requests traced).
    put(TenantState::new()).await;
    let mut t = HttpTenant::new(config(&emu.url())).unwrap();
    let started = Instant::now();
    t.revision().await.unwrap();
    t.set_revision("aaaaaaaaaaaa").await.unwrap();
    t.read().await.unwrap();
    let pizza = json!({ "name": "Pizza", "warehouse_name": "pizza", "prefix": "PI", "entity_type": "custom_entity",
        "fields": [ { "warehouse_name": "toppings", "name": "Toppings", "type": "dropdown", "dropdown": "Toppings" } ] });
    let ops = vec![
        Op::CreateDropdown { name: "Toppings".into(), options: vec!["Cheese".into(), "Ham".into()] },
        Op::CreateSchema { schema: Box::new(schema_def_from_json(&pizza).unwrap()) },
    ];
    t.apply(&ops, &mut |_| {}).await.unwrap();
    t.set_revision("bbbbbbbbbbbb").await.unwrap();
    rows.push(Row {
        case: "first upgrade: remote + 1 dropdown + 1 schema",
        ours: t.requests(),
        wall: started.elapsed(),
        liminal: 99,
    });

    emu.stop().await.unwrap();
    rows
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let rows = rt.block_on(run());
    println!(
        "\nHTTP backend vs liminal 5.1.0 ({LATENCY_MS} ms per response; floor = least time within 60 req / 30 s)\n"
    );
    println!("| case | ours: requests | ours: wall | ours: floor | liminal 5.1.0: requests | liminal: floor |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.2} s | {:.0} s | {} | {:.0} s |",
            r.case,
            r.ours,
            r.wall.as_secs_f64(),
            floor_secs(r.ours),
            r.liminal,
            floor_secs(r.liminal)
        );
    }
}
