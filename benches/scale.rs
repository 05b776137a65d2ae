//! The figures of issue 8, "cost grows with the change, not with the tenant": the requests
//! that commands send to tenants of growing size (counted by the emulator's request log, token
//! included), and the wall time and peak memory of `check` and of `upgrade dev head` (local
//! tenant) on a long chain. Everything goes through the `liminal` binary in generated
//! projects, as a user runs it:
//!
//! ```sh
//! cargo bench --bench scale                              # this build
//! LIMINAL_BIN=/path/to/older/liminal cargo bench --bench scale   # another build, same cases
//! SCALE_ONLY=requests|offline|big cargo bench --bench scale      # one group of cases
//! ```
//!
//! Prints a markdown table; asserts nothing (the request counts are asserted by
//! `tests/it/http_backend.rs`). Wall times need `/usr/bin/time` for the peak memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use liminal::emulator::{EmulatorConfig, spawn};
use liminal::generate::{code_from_state, files};
use liminal::op::{FieldPatch, Op, field_def_from_json, schema_def_from_json};
use liminal::script::{RevisionText, render};
use liminal::state::TenantState;
use serde_json::{Value, json};

const BASE: &str = "000000000000";

fn revision_id(i: usize) -> String {
    if i == 0 { BASE.to_string() } else { format!("{i:012x}") }
}

/// Letters only: a prefix may not end in a digit.
fn prefix(i: usize) -> String {
    let l = |n: usize| (b'A' + (n % 26) as u8) as char;
    format!("Q{}{}{}", l(i / 676), l(i / 26), l(i))
}

/// Schema `bulk_<i>` with `fields` fields: a dropdown field (when there are dropdowns), a decimal
/// with a unit, a link to the previous schema, then text and integer fields.
fn schema_op(i: usize, fields: usize, dropdowns: usize) -> Op {
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
    let v = json!({ "name": format!("Bulk {i:03}"), "warehouse_name": format!("bulk_{i:03}"), "prefix": prefix(i),
                    "entity_type": "custom_entity", "fields": fields });
    Op::CreateSchema { schema: Box::new(schema_def_from_json(&v).unwrap()) }
}

fn dropdown_ops(n: usize) -> Vec<Op> {
    (0..n)
        .map(|d| Op::CreateDropdown { name: format!("bulk_d{d}"), options: (0..5).map(|o| format!("o{o}")).collect() })
        .collect()
}

/// A tenant of `schemas` × 20 fields and `dropdowns` dropdowns, recorded at the base revision.
fn tenant(schemas: usize, dropdowns: usize) -> TenantState {
    let mut state = TenantState::new();
    state.set_revision(BASE);
    for op in
        dropdown_ops(dropdowns).iter().chain(&(0..schemas).map(|i| schema_op(i, 20, dropdowns)).collect::<Vec<_>>())
    {
        op.apply(&mut state).unwrap();
    }
    state
}

fn field_op(schema: &str, wh: &str, index: usize) -> Op {
    let f = json!({ "warehouse_name": wh, "name": wh.to_uppercase(), "type": "text" });
    Op::CreateField { schema: schema.into(), field: Box::new(field_def_from_json(&f).unwrap()), index }
}

struct Revision {
    up: Vec<Op>,
    down: Vec<Op>,
}

/// A project: liminal.yaml with `tenants`, the revisions (the first is the base), and schemas/
/// as the code of `code`.
fn write_project(dir: &Path, tenants: &str, revisions: &[Revision], code: &TenantState) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("versions")).unwrap();
    let yaml = format!("schemas: schemas\nversions: versions\ntenants:\n{tenants}");
    std::fs::write(dir.join("liminal.yaml"), yaml).unwrap();
    let date = time::macros::datetime!(2026-12-01 08:00:00);
    for (i, r) in revisions.iter().enumerate() {
        let id = revision_id(i);
        let down = (i > 0).then(|| revision_id(i - 1));
        let message = format!("revision {i}");
        let text = render(&RevisionText {
            id: &id,
            down_revision: down.as_deref(),
            message: &message,
            create_date: date,
            upgrade: &r.up,
            downgrade: &r.down,
        });
        std::fs::write(dir.join("versions").join(format!("{id}_revision_{i}.rhai")), text).unwrap();
    }
    for (path, text) in files(&code_from_state(code)).expect("generate") {
        let path = dir.join("schemas").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

const LIMIT_SECS: u64 = 300;

struct Run {
    secs: f64,
    peak_mib: Option<f64>,
    ok: bool,
}

/// Run `liminal args` in `dir`: wall time, peak resident memory (from `/usr/bin/time`).
fn liminal(bin: &Path, dir: &Path, args: &[&str]) -> Run {
    let stats = dir.join(".time");
    let timed = Path::new("/usr/bin/time").exists();
    // Quadratic cases of older builds would run for hours: give up after `LIMIT_SECS`.
    let mut cmd = Command::new("timeout");
    cmd.arg(LIMIT_SECS.to_string());
    if timed {
        cmd.arg("/usr/bin/time").arg("-f").arg("%M").arg("-o").arg(&stats);
    }
    cmd.arg(bin);
    cmd.args(args).current_dir(dir).env("EMU_ID", "liminal").env("EMU_SECRET", "liminal").env("NO_COLOR", "1");
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        eprintln!("liminal {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    let peak_mib = std::fs::read_to_string(&stats)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    Run { secs, peak_mib, ok: out.status.success() }
}

struct Row {
    case: String,
    value: String,
}

/// The chain of the offline figures: the base, one revision creating each schema, then as many
/// revisions each adding a field to a schema and setting a tooltip on another field.
fn long_chain(schemas: usize) -> (Vec<Revision>, TenantState) {
    let mut revisions = vec![Revision { up: vec![], down: vec![] }];
    let mut head = TenantState::new();
    for i in 0..schemas {
        let op = schema_op(i, 20, 0);
        op.apply(&mut head).unwrap();
        revisions.push(Revision { up: vec![op], down: vec![Op::ArchiveSchema { schema: format!("bulk_{i:03}") }] });
    }
    for k in 1..schemas {
        let wh = format!("bulk_{:03}", k % schemas);
        let tip = FieldPatch::from_json(&json!({ "tooltip": format!("tip {k}") })).unwrap();
        let untip = FieldPatch::from_json(&json!({ "tooltip": null })).unwrap();
        let up = vec![
            field_op(&wh, &format!("extra{k}"), 20),
            Op::UpdateField { schema: wh.clone(), field: "f3".into(), patch: Box::new(tip) },
        ];
        let down = vec![
            Op::UpdateField { schema: wh.clone(), field: "f3".into(), patch: Box::new(untip) },
            Op::ArchiveField { schema: wh.clone(), field: format!("extra{k}"), index: None },
        ];
        for op in &up {
            op.apply(&mut head).unwrap();
        }
        revisions.push(Revision { up, down });
    }
    (revisions, head)
}

fn offline(bin: &Path, root: &Path, rows: &mut Vec<Row>) {
    for schemas in [250, 500] {
        let (revisions, head) = long_chain(schemas);
        let dir = root.join(format!("offline-{schemas}"));
        write_project(&dir, "  dev:\n    local: .liminal/dev.json\n", &revisions, &head);
        let _ = liminal(bin, &dir, &["rehash"]);
        let n = revisions.len();
        let check = liminal(bin, &dir, &["check"]);
        rows.push(Row { case: format!("`check`, {schemas} schemas + {n} revisions"), value: timing(&check) });
        let up = liminal(bin, &dir, &["upgrade", "dev", "head"]);
        rows.push(Row {
            case: format!("`upgrade dev head`, {n} revisions, local tenant ({schemas} schemas)"),
            value: timing(&up),
        });
    }
}

fn timing(r: &Run) -> String {
    if !r.ok && r.secs >= LIMIT_SECS as f64 {
        return format!("> {LIMIT_SECS} s (stopped)");
    }
    let mem = r.peak_mib.map(|m| format!(", {m:.0} MiB")).unwrap_or_default();
    let failed = if r.ok { "" } else { " (failed)" };
    format!("{:.2} s{mem}{failed}", r.secs)
}

/// Issue 9's item 5: a revision of 5,000 operations and a dropdown of 100,000 options, each
/// generated (`revision`: diff and rendering), applied to the local tenant and to the emulator.
async fn big_revisions(bin: &Path, root: &Path, rows: &mut Vec<Row>) {
    let emu = spawn(EmulatorConfig::default()).await.unwrap();
    let url = emu.url();
    let admin = reqwest::Client::new();
    let tenants = format!(
        "  dev:\n    local: .liminal/dev.json\n  emu:\n    url: {url}\n    client_id_env: EMU_ID\n    client_secret_env: EMU_SECRET\n"
    );
    // (case, tenant at the base, the code to reach)
    let mut options_code = TenantState::new();
    let options = (0..100_000).map(|i| format!("option {i:06}")).collect();
    Op::CreateDropdown { name: "Big".into(), options }.apply(&mut options_code).unwrap();
    let mut ops_base = TenantState::new();
    ops_base.set_revision(BASE);
    for i in 0..50 {
        schema_op(i, 3, 0).apply(&mut ops_base).unwrap();
    }
    let mut ops_code = ops_base.clone();
    for i in 0..50 {
        for k in 0..100 {
            field_op(&format!("bulk_{i:03}"), &format!("new{k}"), 3 + k).apply(&mut ops_code).unwrap();
        }
    }
    let mut fresh = TenantState::new();
    fresh.set_revision(BASE);
    let cases = [("a dropdown of 100,000 options", fresh, options_code), ("5,000 operations", ops_base, ops_code)];
    for (case, base, code) in cases {
        let dir = root.join("big");
        write_project(&dir, &tenants, &[Revision { up: vec![], down: vec![] }], &code);
        std::fs::create_dir_all(dir.join(".liminal")).unwrap();
        std::fs::write(dir.join(".liminal/dev.json"), liminal::state::file::to_json(&base).unwrap()).unwrap();
        let r = admin.put(format!("{url}/__emulator/state")).json(&base).send().await.unwrap();
        assert!(r.status().is_success());
        let _ = liminal(bin, &dir, &["rehash"]);
        let revision = liminal(bin, &dir, &["revision", "dev", "big revision"]);
        rows.push(Row { case: format!("`revision` generating {case}"), value: timing(&revision) });
        let _ = liminal(bin, &dir, &["rehash"]);
        let local = liminal(bin, &dir, &["upgrade", "dev", "head"]);
        rows.push(Row { case: format!("`upgrade dev head` of {case} (local)"), value: timing(&local) });
        admin.delete(format!("{url}/__emulator/requests")).send().await.unwrap();
        let (b, d) = (bin.to_path_buf(), dir.clone());
        let http = tokio::task::spawn_blocking(move || liminal(&b, &d, &["upgrade", "emu", "head"])).await.unwrap();
        let log: Vec<Value> =
            admin.get(format!("{url}/__emulator/requests")).send().await.unwrap().json().await.unwrap();
        rows.push(Row {
            case: format!("`upgrade emu head` of {case} (emulator)"),
            value: format!("{}, {} requests", timing(&http), log.len()),
        });
    }
    emu.stop().await.unwrap();
}

async fn requests(bin: &Path, root: &Path, rows: &mut Vec<Row>) {
    let emu = spawn(EmulatorConfig::default()).await.unwrap();
    let url = emu.url();
    let admin = reqwest::Client::new();
    let tenants = format!("  emu:\n    url: {url}\n    client_id_env: EMU_ID\n    client_secret_env: EMU_SECRET\n");
    let base = Revision { up: vec![], down: vec![] };

    // (case, tenant, revisions after the base, command)
    let one_op = || Revision { up: vec![field_op("bulk_007", "notes", 20)], down: vec![] };
    let pizza = json!({ "name": "Pizza", "warehouse_name": "pizza", "prefix": "PI", "entity_type": "custom_entity",
        "fields": [ { "warehouse_name": "toppings", "name": "Toppings", "type": "dropdown", "dropdown": "Toppings" } ] });
    let slice = json!({ "name": "Slice", "warehouse_name": "slice", "prefix": "SL", "entity_type": "custom_entity",
        "fields": [ { "warehouse_name": "pizza", "name": "Pizza", "type": "entity_link", "entity_link": "pizza" } ] });
    let first = Revision {
        up: vec![
            Op::CreateDropdown { name: "Toppings".into(), options: vec!["Cheese".into(), "Ham".into()] },
            Op::CreateSchema { schema: Box::new(schema_def_from_json(&pizza).unwrap()) },
            Op::CreateSchema { schema: Box::new(schema_def_from_json(&slice).unwrap()) },
        ],
        down: vec![],
    };
    let twelve =
        Revision { up: (0..12).map(|i| field_op("bulk_000", &format!("new{i}"), 20 + i)).collect(), down: vec![] };
    let cases: Vec<(&str, TenantState, Vec<Revision>, Vec<&str>)> = vec![
        (
            "1-op upgrade, 200 schemas × 20 fields, 10 dropdowns",
            tenant(200, 10),
            vec![one_op()],
            vec!["upgrade", "emu", "head"],
        ),
        (
            "1-op upgrade, 400 schemas × 20 fields, 10 dropdowns",
            tenant(400, 10),
            vec![one_op()],
            vec!["upgrade", "emu", "head"],
        ),
        (
            "first upgrade of a fresh tenant: 2 schemas + 1 dropdown",
            TenantState::new(),
            vec![first],
            vec!["upgrade", "emu", "head"],
        ),
        ("upgrade adding 12 fields to one schema", tenant(1, 0), vec![twelve], vec!["upgrade", "emu", "head"]),
        ("`current`, 400 schemas", tenant(400, 10), vec![], vec!["current", "emu"]),
        ("`diff`, 200 schemas (reads everything)", tenant(200, 10), vec![], vec!["diff", "emu"]),
    ];
    for (case, state, more, args) in cases {
        let r = admin.put(format!("{url}/__emulator/state")).json(&state).send().await.unwrap();
        assert!(r.status().is_success());
        let dir = root.join("requests");
        let revisions: Vec<Revision> =
            std::iter::once(Revision { up: base.up.clone(), down: vec![] }).chain(more).collect();
        write_project(&dir, &tenants, &revisions, &state);
        let _ = liminal(bin, &dir, &["rehash"]);
        admin.delete(format!("{url}/__emulator/requests")).send().await.unwrap();
        let bin = bin.to_path_buf();
        let run = tokio::task::spawn_blocking(move || liminal(&bin, &dir, &args)).await.unwrap();
        let log: Vec<Value> =
            admin.get(format!("{url}/__emulator/requests")).send().await.unwrap().json().await.unwrap();
        let failed = if run.ok { "" } else { " (failed)" };
        rows.push(Row { case: case.to_string(), value: format!("{} requests{failed}", log.len()) });
    }
    emu.stop().await.unwrap();
}

fn main() {
    let bin: PathBuf = std::env::var_os("LIMINAL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_liminal")));
    let root = std::env::temp_dir().join(format!("liminal-scale-bench-{}", std::process::id()));
    let mut rows = Vec::new();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let only = std::env::var("SCALE_ONLY").unwrap_or_default();
    if only.is_empty() || only == "requests" {
        rt.block_on(requests(&bin, &root, &mut rows));
    }
    if only.is_empty() || only == "offline" {
        offline(&bin, &root, &mut rows);
    }
    if only.is_empty() || only == "big" {
        rt.block_on(big_revisions(&bin, &root, &mut rows));
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("\n{}\n", bin.display());
    println!("| figure | {} |", bin.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    println!("|---|---:|");
    for r in rows {
        println!("| {} | {} |", r.case, r.value);
    }
}
