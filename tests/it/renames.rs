//! Renames, swaps and reuse of names, and the tenant setting `custom_warehouse_names`: in the
//! diff and the simulation, on the local tenant through the binary, and over HTTP against the
//! emulator (which refuses what Benchling refuses).

use liminal::diff::{Step, diff, diff_with};
use liminal::emulator::EmulatorConfig;
use liminal::op::Op;
use liminal::rename::candidates;
use liminal::schema::{CodeModel, load_str};
use liminal::state::TenantState;
use liminal::tenant::Tenant;

use crate::common::Project;
use crate::emu::{counts, emulator, emulator_with, fast_config};

const DOUGH: &str = "kind: dropdown\nname: Toppings\noptions: [Cheese, Basil]\n";

fn pizza(fields: &[(&str, &str)]) -> String {
    let mut yaml = String::from(
        "kind: entity_schema\nname: Pizza\nwarehouse_name: pizza\nprefix: PZ\nentity_type: custom_entity\nfields:\n",
    );
    for (wh, name) in fields {
        yaml.push_str(&format!("  - {{warehouse_name: {wh}, name: \"{name}\", type: text}}\n"));
    }
    yaml
}

fn code(fields: &[(&str, &str)]) -> CodeModel {
    load_str(std::path::Path::new("pizza.yaml"), &format!("{}---\n{DOUGH}", pizza(fields))).unwrap()
}

/// A tenant with `fields` on pizza (made with the setting on), that has the setting `custom`.
fn tenant(custom: bool, fields: &[(&str, &str)]) -> TenantState {
    let mut state = TenantState::new();
    state.settings.custom_warehouse_names = true;
    let steps = diff(&code(fields), &state).unwrap();
    apply(&mut state, &steps);
    state.settings.custom_warehouse_names = custom;
    state
}

fn apply(state: &mut TenantState, steps: &[Step]) {
    for s in steps {
        s.op.apply(state).unwrap_or_else(|e| panic!("{}: {e}", s.op.describe()));
    }
}

/// Applying the steps converges, and the reverses, newest first, restore `state`.
fn round_trip(code: &CodeModel, state: &TenantState, steps: &[Step]) -> TenantState {
    let mut after = state.clone();
    apply(&mut after, steps);
    assert_eq!(diff(code, &after).unwrap(), vec![], "converges");
    let mut back = after.clone();
    for s in steps.iter().rev() {
        s.reverse.apply(&mut back).unwrap_or_else(|e| panic!("reverse {}: {e}", s.reverse.describe()));
    }
    // Every field is as it was; fields the upgrade created stay, archived (Benchling keeps them).
    let before = &state.schema("pizza").unwrap().fields;
    let fields = &back.schema("pizza").unwrap().fields;
    for f in fields {
        match before.iter().find(|b| b.id == f.id) {
            Some(b) => assert_eq!((&f.warehouse_name, &f.name, f.archived), (&b.warehouse_name, &b.name, b.archived)),
            None => assert!(f.archived, "{f:?}"),
        }
    }
    assert_eq!(fields.iter().filter(|f| !f.archived).count(), before.iter().filter(|f| !f.archived).count());
    after
}

fn names(steps: &[Step]) -> Vec<&'static str> {
    steps.iter().map(|s| s.op.name()).collect()
}

#[test]
fn two_fields_swap_display_names_through_a_free_name() {
    for custom in [false, true] {
        let state = tenant(custom, &[("a", "A"), ("b", "B")]);
        // Warehouse names stay: the display names move (a tenant without the setting may do this).
        let want = code(&[("a", "B"), ("b", "A")]);
        let steps = diff(&want, &state).unwrap();
        assert_eq!(names(&steps), ["update_field", "update_field", "update_field"]);
        assert_eq!(steps[0].op.describe(), "pizza: set name=\"B (renaming)\" on field `b`");
        round_trip(&want, &state, &steps);
    }
}

#[test]
fn three_fields_rotate_display_names() {
    let state = tenant(false, &[("a", "A"), ("b", "B"), ("c", "C")]);
    let want = code(&[("a", "B"), ("b", "C"), ("c", "A")]);
    let steps = diff(&want, &state).unwrap();
    round_trip(&want, &state, &steps);
}

/// A new field takes the display name of an archived one: Benchling keeps display names unique
/// among fields, archived ones included, so the archived field gives its name up first.
#[test]
fn a_new_field_takes_an_archived_fields_display_name() {
    let mut state = tenant(false, &[("a", "A"), ("old_dough", "Dough")]);
    let archive = Op::ArchiveField { schema: "pizza".into(), field: "old_dough".into(), index: None };
    archive.apply(&mut state).unwrap();
    let want = code(&[("a", "A"), ("dough", "Dough")]);
    let steps = diff(&want, &state).unwrap();
    assert_eq!(names(&steps), ["create_field", "update_field", "update_field"]);
    // Created under a name Benchling derives `dough` from, so it works without the setting.
    let Op::CreateField { field, .. } = &steps[0].op else { panic!() };
    assert_eq!(field.name, "Dough~");
    let after = round_trip(&want, &state, &steps);
    let old = after.schema("pizza").unwrap().field("old_dough").unwrap();
    assert_eq!((old.name.as_str(), old.archived), ("Dough (archived)", true));
}

/// Code gives a field a new warehouse name and keeps its display name: without a rename this is
/// archive + create, which used to be refused (the display name is taken); now it applies.
#[test]
fn a_warehouse_rename_left_as_archive_and_create_applies_both_ways() {
    let state = tenant(true, &[("dough", "Dough")]);
    let want = code(&[("base", "Dough")]);
    let steps = diff(&want, &state).unwrap();
    assert_eq!(names(&steps), ["create_field", "update_field", "update_field", "archive_field"]);
    round_trip(&want, &state, &steps);
}

#[test]
fn a_field_rename_is_a_candidate_and_becomes_one_update_field_with_its_exact_reverse() {
    let state = tenant(true, &[("a", "A"), ("dough", "Dough")]);
    let want = code(&[("a", "A"), ("base", "Base")]);
    let found = candidates(&want, &state);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].question(), "pizza: did you rename `dough` to `base`?");
    assert_eq!(found[0].line(), r#"update_field("pizza", "dough", #{ name: "Base", warehouse_name: "base" })"#);
    let steps = diff_with(&want, &state, &found).unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0].op, found[0].op);
    assert_eq!(
        liminal::script::render_call(&steps[0].reverse),
        r#"update_field("pizza", "base", #{ name: "Dough", warehouse_name: "dough" })"#
    );
    round_trip(&want, &state, &steps);
    // The same diff without the rename: deterministic, and still archive + create.
    assert_eq!(names(&diff(&want, &state).unwrap()), ["create_field", "archive_field"]);
}

#[test]
fn without_the_setting_warehouse_renames_are_not_offered() {
    let state = tenant(false, &[("a", "A"), ("dough", "Dough")]);
    let want = code(&[("a", "A"), ("base", "Base")]);
    assert_eq!(candidates(&want, &state), vec![]);
    let update = Op::UpdateField {
        schema: "pizza".into(),
        field: "dough".into(),
        patch: Box::new(liminal::op::FieldPatch { warehouse_name: Some("base".into()), ..Default::default() }),
    };
    let err = update.apply(&mut state.clone()).unwrap_err().to_string();
    assert!(err.contains("custom_warehouse_names"), "{err}");
}

#[test]
fn a_schema_rename_is_a_candidate() {
    let state = tenant(true, &[("a", "A")]);
    let text = format!(
        "{}---\n{DOUGH}",
        pizza(&[("a", "A")]).replace("name: Pizza\nwarehouse_name: pizza", "name: Pie\nwarehouse_name: pie")
    );
    let want = load_str(std::path::Path::new("pie.yaml"), &text).unwrap();
    let found = candidates(&want, &state);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line(), r#"update_schema("pizza", #{ name: "Pie", warehouse_name: "pie" })"#);
    let steps = diff_with(&want, &state, &found).unwrap();
    assert_eq!(names(&steps), ["update_schema"]);
    let mut after = state.clone();
    apply(&mut after, &steps);
    assert_eq!(diff(&want, &after).unwrap(), vec![]);
    steps[0].reverse.apply(&mut after).unwrap();
    assert_eq!(after.schema("pizza").map(|s| s.name.as_str()), Some("Pizza"));
}

#[test]
fn dropdown_and_option_renames_are_candidates() {
    let state = tenant(false, &[("a", "A")]);
    let text = format!("{}---\nkind: dropdown\nname: Extras\noptions: [Cheese, Oregano]\n", pizza(&[("a", "A")]));
    let want = load_str(std::path::Path::new("p.yaml"), &text).unwrap();
    // The options differ, so `Extras` is not the same dropdown: no candidate.
    assert_eq!(candidates(&want, &state), vec![]);
    let text = format!("{}---\nkind: dropdown\nname: Extras\noptions: [Cheese, Basil]\n", pizza(&[("a", "A")]));
    let want = load_str(std::path::Path::new("p.yaml"), &text).unwrap();
    let found = candidates(&want, &state);
    assert_eq!(found.iter().map(|r| r.line()).collect::<Vec<_>>(), [r#"rename_dropdown("Toppings", "Extras")"#]);
    let steps = diff_with(&want, &state, &found).unwrap();
    assert_eq!(names(&steps), ["rename_dropdown"]);

    let text = format!("{}---\nkind: dropdown\nname: Toppings\noptions: [Cheese, Oregano]\n", pizza(&[("a", "A")]));
    let want = load_str(std::path::Path::new("p.yaml"), &text).unwrap();
    let found = candidates(&want, &state);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].question(), "Toppings: did you rename option `Basil` to `Oregano`?");
    let steps = diff_with(&want, &state, &found).unwrap();
    assert_eq!(names(&steps), ["rename_dropdown_option"]);
    let mut after = state.clone();
    apply(&mut after, &steps);
    assert_eq!(diff(&want, &after).unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------------------
// The local tenant, through the binary
// ---------------------------------------------------------------------------------------------

#[test]
fn without_the_setting_a_custom_warehouse_name_is_a_located_error_before_anything_is_written() {
    let p = Project::init();
    p.write("schemas/pizza.yaml", &pizza(&[("crust", "Dough")]));
    let out = p.run(&["revision", "dev", "custom"]);
    out.fails().err_has("pizza.yaml:7:").err_has("`crust`").err_has("Benchling derives `dough` from `Dough`");
    out.err_has("custom_warehouse_names: true");
    p.run(&["diff", "dev"]).fails().err_has("pizza.yaml:7:");
    p.run(&["check", "--tenant", "dev"]).code(1);
    assert!(p.tenant_bytes().is_none() || !String::from_utf8_lossy(&p.tenant_bytes().unwrap()).contains("crust"));

    // A hand-written revision with the custom name: preflight stops it before the first write.
    let base = p.base_id();
    p.run(&["stamp", "dev", "base"]).ok();
    let before = p.tenant_bytes();
    let rev = p.write_revision(
        "aaaaaaaaaaa1",
        Some(&base),
        "custom",
        &[
            r#"create_schema(#{ name: "Pizza", warehouse_name: "pizza", prefix: "PZ", entity_type: "custom_entity", fields: [#{ warehouse_name: "crust", name: "Dough", type: "text" }] })"#,
        ],
        &[r#"archive_schema("pizza")"#],
    );
    p.run(&["upgrade", "dev", "head"]).fails().err_has(&rev).err_has("custom_warehouse_names");
    assert_eq!(p.tenant_bytes(), before, "nothing was written");

    // With the setting, the same project upgrades.
    p.allow_custom_warehouse_names();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["diff", "dev"]).code(0);
}

#[test]
fn revision_hints_at_renames_and_writes_them_with_the_flag() {
    let p = Project::init();
    p.allow_custom_warehouse_names();
    p.write("schemas/pizza.yaml", &format!("{}---\n{DOUGH}", pizza(&[("a", "A"), ("b", "B"), ("dough", "Dough")])));
    p.run(&["revision", "dev", "first"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();

    // Rename dough → base, swap A and B, rename option Basil → Oregano.
    let text = format!(
        "{}---\nkind: dropdown\nname: Toppings\noptions: [Cheese, Oregano]\n",
        pizza(&[("a", "B"), ("b", "A"), ("base", "Base")])
    );
    p.write("schemas/pizza.yaml", &text);
    let diff = p.run(&["diff", "dev"]);
    diff.code(2).err_has(r#"update_field("pizza", "dough", #{ name: "Base", warehouse_name: "base" })"#);
    // No terminal and no --renames: never guessed; the hint names the exact line.
    let hinted = p.run(&["revision", "dev", "guess"]);
    hinted.ok().err_has("hint: pizza: did you rename `dough` to `base`?");
    hinted.err_has(r#"rename_dropdown_option("Toppings", "Basil", "Oregano")"#);
    let file = hinted.stdout.trim().to_string();
    let guessed = p.read(&file);
    assert!(guessed.contains(r#"archive_field("pizza", "dough")"#), "{guessed}");
    std::fs::remove_file(p.file(&file)).unwrap();
    p.run(&["rehash"]).ok();

    let candidates = p.run(&["diff", "dev", "--json"]).json()["rename_candidates"].clone();
    assert_eq!(candidates.as_array().map(Vec::len), Some(2), "{candidates}");
    assert_eq!(candidates[0]["kind"], "field", "{candidates}");
    let written = p.run(&["--format", "json", "revision", "dev", "renames", "--renames"]).ok().json();
    assert_eq!(written["renames"].as_array().map(Vec::len), Some(2), "{written}");
    let rel = written["file"].as_str().unwrap().to_string();
    let text = p.read(&rel);
    assert!(text.contains(r#"update_field("pizza", "dough", #{ name: "Base", warehouse_name: "base" })"#), "{text}");
    assert!(text.contains(r#"rename_dropdown_option("Toppings", "Basil", "Oregano")"#), "{text}");
    assert!(!text.contains("archive_field"), "{text}");
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["diff", "dev"]).code(0);
    p.run(&["downgrade", "dev", "-1"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["check", "--tenant", "dev"]).ok();
}

// ---------------------------------------------------------------------------------------------
// The emulator, over HTTP
// ---------------------------------------------------------------------------------------------

fn ops(steps: &[Step]) -> Vec<Op> {
    steps.iter().map(|s| s.op.clone()).collect()
}

async fn upgrade(t: &mut impl Tenant, ops: &[Op]) -> Result<(), String> {
    t.apply(ops, &mut |_| {}).await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_emulator_refuses_custom_warehouse_names_without_the_setting() {
    let emu = emulator().await;
    // liminal.yaml claims the setting, the tenant does not have it: Benchling (the emulator)
    // refuses the write itself.
    let mut config = fast_config(&emu.url);
    config.settings.custom_warehouse_names = true;
    let mut http = liminal::tenant::benchling::HttpTenant::new(config).unwrap();
    let state = http.read().await.unwrap();
    let want = code(&[("crust", "Dough")]);
    let steps = diff(&want, &state).unwrap();
    let err = upgrade(&mut http, &ops(&steps)).await.unwrap_err();
    assert!(err.contains("custom_warehouse_names"), "{err}");

    // As liminal.yaml says by default: refused before any request.
    let mut honest = emu.tenant();
    let state = honest.read().await.unwrap();
    assert!(diff(&want, &state).is_err());

    // Derived names are accepted; a warehouse rename is not.
    let plain = code(&[("dough", "Dough")]);
    let mut http = emu.tenant();
    let state = http.read().await.unwrap();
    upgrade(&mut http, &ops(&diff(&plain, &state).unwrap())).await.unwrap();
    let mut claims = fast_config(&emu.url);
    claims.settings.custom_warehouse_names = true;
    let mut claims = liminal::tenant::benchling::HttpTenant::new(claims).unwrap();
    let rename = Op::UpdateField {
        schema: "pizza".into(),
        field: "dough".into(),
        patch: Box::new(liminal::op::FieldPatch { warehouse_name: Some("crust".into()), ..Default::default() }),
    };
    let err = upgrade(&mut claims, &[rename]).await.unwrap_err();
    assert!(err.contains("custom_warehouse_names"), "{err}");
    assert!(emu.state().await.schema("pizza").unwrap().field("dough").is_some());
}

#[tokio::test]
async fn with_the_setting_the_emulator_takes_renames_and_swaps_in_one_request() {
    let emu = emulator_with(EmulatorConfig { custom_warehouse_names: true, ..EmulatorConfig::default() }).await;
    let mut config = fast_config(&emu.url);
    config.settings.custom_warehouse_names = true;
    let tenant = || liminal::tenant::benchling::HttpTenant::new(config.clone()).unwrap();
    let first = code(&[("a", "A"), ("b", "B"), ("dough", "Dough")]);
    let mut http = tenant();
    let state = http.read().await.unwrap();
    upgrade(&mut http, &ops(&diff(&first, &state).unwrap())).await.unwrap();

    let want = code(&[("a", "B"), ("b", "A"), ("crust", "Dough")]);
    let mut http = tenant();
    let state = http.read().await.unwrap();
    let found = candidates(&want, &state);
    assert_eq!(found.len(), 1, "{found:?}");
    let steps = diff_with(&want, &state, &found).unwrap();
    emu.clear_requests().await;
    upgrade(&mut http, &ops(&steps)).await.unwrap();
    let sent = counts(&emu.requests().await);
    let field_writes: usize = sent.iter().filter(|(e, _)| e.ends_with(":set-field-definitions")).map(|(_, n)| n).sum();
    assert_eq!(field_writes, 1, "one request for the rename and the swap: {sent:?}");

    let mut fresh = tenant();
    let after = fresh.read().await.unwrap();
    assert_eq!(diff(&want, &after).unwrap(), vec![], "the emulator holds the code");
    let dough = after.schema("pizza").unwrap().field("crust").unwrap();
    assert_eq!(state.schema("pizza").unwrap().field("dough").unwrap().id, dough.id, "the same field: data stays");

    // The downgrade applies over HTTP too.
    let back: Vec<Op> = steps.iter().rev().map(|s| s.reverse.clone()).collect();
    upgrade(&mut fresh, &back).await.unwrap();
    let mut again = tenant();
    assert_eq!(diff(&first, &again.read().await.unwrap()).unwrap(), vec![]);
}

/// The setting can also come with the emulator's state (`PUT /__emulator/state`), and a reset
/// keeps it.
#[tokio::test]
async fn the_emulator_takes_the_setting_from_its_state_and_keeps_it_on_reset() {
    let emu = emulator().await;
    let mut state = TenantState::new();
    state.settings.custom_warehouse_names = true;
    emu.put_state(&state).await;
    emu.reset().await;
    assert!(emu.state().await.settings.custom_warehouse_names);
    let mut config = fast_config(&emu.url);
    config.settings.custom_warehouse_names = true;
    let mut http = liminal::tenant::benchling::HttpTenant::new(config).unwrap();
    let read = http.read().await.unwrap();
    let want = code(&[("crust", "Dough")]);
    upgrade(&mut http, &ops(&diff(&want, &read).unwrap())).await.unwrap();
    assert!(emu.state().await.schema("pizza").unwrap().field("crust").is_some());
}
