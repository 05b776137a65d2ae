//! End-to-end tests: the built binary, run in temporary projects, through the whole loop (init,
//! schemas, check, diff, revision, hand edits, upgrade, downgrade, stamp, generate-files) on the
//! local tenant `dev`. What is asserted is what README.md and the product contract promise:
//! files, exit codes, stdout (text or one JSON document) and the tenant file.

use crate::common::{self, Project, TENANT_FILE, is_revision_id, revision_text};
use serde_json::Value;

const PIZZA_YAML: &str = r#"kind: entity_schema
name: Pizza
warehouse_name: pizza
prefix: PZ
entity_type: custom_entity
fields:
  - { warehouse_name: toppings, name: Toppings, type: dropdown, dropdown: Toppings, is_multi: true }
  - { warehouse_name: weight, name: Weight, type: decimal, decimal_places: 2, unit: gram, tooltip: grams }
---
kind: dropdown
name: Toppings
options: [Cheese, Pepperoni]
---
kind: dropdown
name: Crusts
options: [Thin, Thick]
"#;

/// The tenant's field `schema.field` as stored in the tenant file.
fn tenant_field(p: &Project, schema: &str, field: &str) -> Value {
    let t = p.tenant();
    let s = t["schemas"].as_array().unwrap().iter().find(|s| s["warehouse_name"] == schema).cloned();
    let s = s.unwrap_or_else(|| panic!("no schema {schema} in the tenant"));
    let f = s["fields"].as_array().unwrap().iter().find(|f| f["warehouse_name"] == field).cloned();
    f.unwrap_or_else(|| panic!("no field {schema}.{field} in the tenant"))
}

fn dropdown_options(p: &Project, name: &str) -> Vec<String> {
    let t = p.tenant();
    let d = t["dropdowns"].as_array().unwrap().iter().find(|d| d["name"] == name).cloned();
    let d = d.unwrap_or_else(|| panic!("no dropdown {name:?} in the tenant"));
    d["options"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()).collect()
}

/// Replace exactly one occurrence of `from` in a project file.
#[track_caller]
fn edit(p: &Project, rel: &str, from: &str, to: &str) {
    let text = p.read(rel);
    assert_eq!(text.matches(from).count(), 1, "{rel} should contain {from:?} once:\n{text}");
    p.write(rel, &text.replacen(from, to, 1));
}

// ---------------------------------------------------------------------------------------------
// 1. The README walkthrough
// ---------------------------------------------------------------------------------------------

/// A .gitignore that cannot be read as text used to be read as empty and overwritten with one
/// line; now init stops before writing anything and the file is untouched.
#[test]
fn init_leaves_an_unreadable_gitignore_alone() {
    let p = Project::empty();
    let bytes = b"target/\n\xff\xfe secrets\n".to_vec();
    std::fs::write(p.file(".gitignore"), &bytes).unwrap();
    let out = p.run(&["init"]);
    out.fails();
    assert!(out.stderr.contains("cannot read .gitignore"), "{}", out.stderr);
    assert_eq!(std::fs::read(p.file(".gitignore")).unwrap(), bytes);
    assert!(!p.file("liminal.yaml").exists(), "nothing is written");
}

#[test]
fn init_creates_the_project_and_refuses_to_run_twice() {
    let p = Project::empty();
    p.write(".gitignore", "target"); // no final newline: init must not glue its line onto it
    let out = p.run(&["init"]);
    out.ok();
    assert!(p.exists("liminal.yaml") && p.file("schemas").is_dir() && p.file("versions").is_dir());
    let files = p.revision_files();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(is_revision_id(&files[0][..12]) && files[0].ends_with("_initial_init_revision.rhai"), "{files:?}");
    assert!(out.stdout.contains(&files[0][..12]), "init names the base revision:\n{}", out.dump());
    assert_eq!(p.read(".gitignore"), "target\n.liminal/\n");
    assert!(p.read("liminal.yaml").contains("local: .liminal/dev.json"));
    assert!(p.read(&format!("versions/{}", files[0])).contains("const down_revision = ();"));

    let config = p.read("liminal.yaml");
    p.run(&["init"]).fails().err_has("already exists");
    assert_eq!(p.read("liminal.yaml"), config);
    assert_eq!(p.revision_files(), files);
    assert_eq!(p.read(".gitignore"), "target\n.liminal/\n");

    // The fresh project is clean, and its chain is just the base.
    p.run(&["check"]).ok();
    assert_eq!(p.run(&["head"]).ok().stdout.trim(), &files[0][..12]);
    p.run(&["current", "dev"]).ok().out_has("no revision recorded yet");
}

#[test]
fn walkthrough_with_a_hand_edited_revision() {
    let p = Project::init();
    let base = p.base_id();
    p.write("schemas/pizza.yaml", PIZZA_YAML);
    p.run(&["check"]).ok();

    let diff = p.run(&["diff", "dev"]);
    diff.code(2).out_has("Toppings").out_has("Crusts").out_has("pizza");
    assert!(p.tenant_bytes().is_none(), "diff must not write the tenant");

    // revision prints the path of a file that parses and becomes the head.
    let out = p.run(&["revision", "dev", "Add pizza"]);
    out.ok();
    let rel = out.stdout.trim().to_string();
    let name = rel.strip_prefix("versions/").unwrap_or_else(|| panic!("path under versions/: {rel}"));
    let id = &name[..12];
    assert!(is_revision_id(id) && name == format!("{id}_add_pizza.rhai"), "{rel}");
    assert!(p.exists(&rel));
    assert_eq!(p.run(&["head"]).ok().stdout.trim(), id);
    p.run(&["check"]).ok();
    let text = p.read(&rel);
    assert!(text.contains(&format!("const revision = \"{id}\";")), "{text}");
    assert!(text.contains(&format!("const down_revision = \"{base}\";")), "{text}");
    assert_eq!(p.current(), base, "a fresh tenant is recorded at the base by its first revision");

    // Hand edits: a different tooltip, one operation removed and another added.
    edit(&p, &rel, r#"tooltip: "grams""#, r#"tooltip: "grams, before baking""#);
    edit(
        &p,
        &rel,
        r#"create_dropdown("Crusts", ["Thin", "Thick"]),"#,
        r#"create_dropdown("Sauces", ["Tomato", "Pesto"]),"#,
    );
    edit(&p, &rel, r#"archive_dropdown("Crusts"),"#, r#"archive_dropdown("Sauces"),"#);
    // The sum file notices the edit until it is recorded deliberately.
    p.run(&["check"]).fails().err_has("error[LM601]").err_has(&format!("{rel}:1:1"));
    p.run(&["rehash"]).ok();
    p.run(&["check"]).ok();

    // The dry run shows the edited plan and changes nothing, byte for byte.
    let before = p.tenant_bytes();
    let dry = p.run(&["upgrade", "dev", "head", "--dry-run"]);
    dry.ok().out_has("Sauces").out_has("nothing was changed");
    assert!(!dry.stdout.contains("Crusts"), "{}", dry.dump());
    assert_eq!(p.tenant_bytes(), before);

    p.run(&["upgrade", "dev", "head"]).ok().out_has(&format!("to {id}"));
    assert_eq!(p.active_dropdowns(), ["Sauces", "Toppings"]);
    assert_eq!(tenant_field(&p, "pizza", "weight")["tooltip"], "grams, before baking");
    assert_eq!(p.current(), id);

    let history = p.run(&["history", "--tenant", "dev"]);
    history.ok();
    let lines: Vec<&str> = history.stdout.lines().collect();
    assert!(lines[0].starts_with(id) && lines[0].contains("head") && lines[0].contains("dev is here"), "{lines:?}");
    assert!(lines[1].starts_with(&base) && lines[1].contains("base") && !lines[1].contains("dev is here"), "{lines:?}");

    // The code still says Crusts and "grams": the tenant differs until the YAML follows the edit.
    p.run(&["diff", "dev"]).code(2).out_has("Crusts");
    p.run(&["check", "--tenant", "dev"]).fails().err_has("would still differ");
    p.write(
        "schemas/pizza.yaml",
        &PIZZA_YAML
            .replace("tooltip: grams", "tooltip: \"grams, before baking\"")
            .replace("Crusts\noptions: [Thin, Thick]", "Sauces\noptions: [Tomato, Pesto]"),
    );
    p.run(&["diff", "dev"]).ok().out_has("in sync");
    p.run(&["check", "--tenant", "dev"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok().out_has("already at");

    // Back down: -1 runs this revision's downgrade(); base is then a no-op.
    p.run(&["downgrade", "dev", "-1"]).ok();
    assert_eq!(p.current(), base);
    assert!(p.active_dropdowns().is_empty(), "{:?}", p.active_dropdowns());
    p.run(&["downgrade", "dev", "base"]).ok().out_has("already at");

    // And up and down again: the archived items are brought back, then `base` undoes them.
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(p.active_dropdowns(), ["Sauces", "Toppings"]);
    p.run(&["diff", "dev"]).ok();
    p.run(&["downgrade", "dev", "base"]).ok();
    assert_eq!(p.current(), base);
    assert!(p.active_dropdowns().is_empty());
}

#[test]
fn dry_runs_change_nothing() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(
        "aaaaaaaaaaa1",
        Some(&base),
        "one",
        &[r#"create_dropdown("D1", ["x"])"#],
        &[r#"archive_dropdown("D1")"#],
    );

    // A fresh tenant: no file before, none after.
    p.run(&["upgrade", "dev", "head", "--dry-run"]).ok().out_has("D1");
    p.run(&["downgrade", "dev", "base", "--dry-run"]).ok();
    assert!(p.tenant_bytes().is_none());

    p.run(&["upgrade", "dev", "head"]).ok();
    let before = p.tenant_bytes();
    p.run(&["downgrade", "dev", "-1", "--dry-run"]).ok().out_has("D1");
    p.run(&["upgrade", "dev", "head", "--dry-run"]).ok().out_has("already at");
    assert_eq!(p.tenant_bytes(), before);
    assert_eq!(p.current(), "aaaaaaaaaaa1");
}

#[test]
fn the_demo_project_goes_up_down_and_back_into_files() {
    // The pizzeria at the repository's root: entity links, units, tooltips, a dropdown option
    // added by a later revision.
    let p = Project::empty();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("liminal.yaml"), p.file("liminal.yaml")).unwrap();
    common::copy_dir(&root.join("schemas"), &p.file("schemas"));
    common::copy_dir(&root.join("versions"), &p.file("versions"));
    let head = p.run(&["head"]).ok().stdout.trim().to_string();

    p.run(&["check", "--strict", "--tenant", "dev"]).ok();
    p.run(&["diff", "dev"]).code(2);
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["diff", "dev"]).ok();
    p.run(&["downgrade", "dev", "base"]).ok();
    p.run(&["diff", "dev"]).code(2);
    p.run(&["upgrade", "dev", "+1"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(p.current(), head);
    p.run(&["diff", "dev"]).ok();

    let fresh = Project::init();
    fresh.write(TENANT_FILE, &p.read(TENANT_FILE));
    fresh.run(&["generate-files", "dev"]).ok().out_has("2 schemas and 1 dropdown");
    fresh.run(&["diff", "dev"]).ok();
}

// ---------------------------------------------------------------------------------------------
// 2. Descriptors: Liminal's table (§11.4) with the product's changes
// ---------------------------------------------------------------------------------------------

const R1: &str = "aaaaaaaaaaa1";
const R2: &str = "aaaaaaaaaaa2";
const R3: &str = "aaaaaaaaaaa3";

/// r0 (init) → r1 → r2 → r3; revision k creates dropdown Dk and its downgrade archives it.
fn chain_project() -> (Project, String) {
    let p = Project::init();
    let r0 = p.base_id();
    let mut down = r0.clone();
    for (k, id) in [R1, R2, R3].into_iter().enumerate() {
        let d = format!("D{}", k + 1);
        p.write_revision(
            id,
            Some(&down),
            &format!("r{}", k + 1),
            &[&format!(r#"create_dropdown("{d}", ["x"])"#)],
            &[&format!(r#"archive_dropdown("{d}")"#)],
        );
        down = id.to_string();
    }
    (p, r0)
}

/// Put the tenant at `rev` by really running the revisions from an empty tenant.
fn put_at(p: &Project, r0: &str, rev: &str) {
    let _ = std::fs::remove_file(p.file(TENANT_FILE));
    if rev == r0 {
        p.run(&["stamp", "dev", "base"]).ok();
    } else {
        p.run(&["upgrade", "dev", rev]).ok();
    }
    assert_eq!(p.current(), rev);
}

fn dropdowns_up_to(k: usize) -> Vec<String> {
    (1..=k).map(|i| format!("D{i}")).collect()
}

#[test]
fn upgrade_descriptors() {
    let (p, r0) = chain_project();
    // (start, target, expected position after (None: fails, nothing changes), stderr needle)
    let cases: &[(&str, &str, Option<usize>, &str)] = &[
        (&r0, "head", Some(3), ""),
        (&r0, "+2", Some(2), ""),
        (&r0, "+3", Some(3), ""),
        (&r0, "+4", None, "Attempting to upgrade +4 steps"),
        (&r0, "+0", None, "Use '+n' where n is a positive number"),
        (&r0, "+x", None, "Use '+n' where n is a positive number"),
        (&r0, "bogus", None, "Must be 'head', '+n', or a valid revision id"),
        (&r0, "-1", None, "Must be 'head', '+n', or a valid revision id"),
        (R1, "+2", Some(3), ""),
        (R1, R3, Some(3), ""),
        (R2, R1, None, "is not a valid up revision"),
        (R2, "+2", None, "Attempting to upgrade +2 steps"),
    ];
    let ids = [r0.as_str(), R1, R2, R3];
    for &(start, target, end, needle) in cases {
        put_at(&p, &r0, start);
        let before = p.tenant_bytes();
        let out = p.run(&["upgrade", "dev", target]);
        match end {
            Some(k) => {
                out.ok();
                assert_eq!(p.current(), ids[k], "upgrade {target} from {start}");
                assert_eq!(p.active_dropdowns(), dropdowns_up_to(k), "upgrade {target} from {start}");
                // Revisions run oldest first, each one recorded.
                let from = ids.iter().position(|i| *i == start).unwrap();
                let order: Vec<usize> = ids[from + 1..=k]
                    .iter()
                    .map(|id| out.stderr.find(&format!("Upgrading to {id}")).unwrap())
                    .collect();
                assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", out.dump());
            }
            None => {
                out.fails().err_has(needle);
                assert_eq!(p.tenant_bytes(), before, "upgrade {target} from {start} must change nothing");
            }
        }
    }
}

#[test]
fn downgrade_descriptors() {
    let (p, r0) = chain_project();
    let cases: &[(&str, &str, Option<usize>, &str)] = &[
        (R3, "-1", Some(2), ""),
        (R3, "-3", Some(0), ""),
        (R3, "-4", None, "Attempting to downgrade -4 steps"),
        (R3, &r0, Some(0), ""),
        (R3, R1, Some(1), ""),
        (R3, "base", Some(0), ""),
        (R1, R3, None, "is not a valid down revision"),
        (R3, "head", None, "Must be '-n', 'base', or a valid revision id"),
        (R3, "+1", None, "Must be '-n', 'base', or a valid revision id"),
        (R3, "-0", None, "Use '-n' where n is a positive number"),
        (&r0, "-1", None, "Attempting to downgrade -1 steps"),
    ];
    let ids = [r0.as_str(), R1, R2, R3];
    for &(start, target, end, needle) in cases {
        put_at(&p, &r0, start);
        let before = p.tenant_bytes();
        let out = p.run(&["downgrade", "dev", target]);
        match end {
            Some(k) => {
                out.ok();
                assert_eq!(p.current(), ids[k], "downgrade {target} from {start}");
                assert_eq!(p.active_dropdowns(), dropdowns_up_to(k), "downgrade {target} from {start}");
                // The current revision first, then each older one, the target excluded.
                let from = ids.iter().position(|i| *i == start).unwrap();
                let order: Vec<usize> = ids[k + 1..=from]
                    .iter()
                    .rev()
                    .map(|id| out.stderr.find(&format!("Downgrading {id}")).unwrap())
                    .collect();
                assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", out.dump());
                assert!(!out.stderr.contains(&format!("Downgrading {}", ids[k])), "{}", out.dump());
            }
            None => {
                out.fails().err_has(needle);
                assert_eq!(p.tenant_bytes(), before, "downgrade {target} from {start} must change nothing");
            }
        }
    }
}

#[test]
fn reaching_the_current_revision_is_a_no_op() {
    let (p, r0) = chain_project();
    // Liminal exits 1 ("Distance ... is 0"); the product says so and exits 0.
    for (start, args) in [
        (R3, ["upgrade", "dev", "head"]),
        (R3, ["upgrade", "dev", R3]),
        (R2, ["upgrade", "dev", R2]),
        (R3, ["downgrade", "dev", R3]),
        (r0.as_str(), ["downgrade", "dev", "base"]),
        (r0.as_str(), ["downgrade", "dev", r0.as_str()]),
    ] {
        put_at(&p, &r0, start);
        let before = p.tenant_bytes();
        p.run(&args).ok().out_has(&format!("dev is already at {start}"));
        assert_eq!(p.tenant_bytes(), before, "{args:?}");
    }

    // A tenant with no revision yet stands just before the base: `downgrade base` records it.
    let _ = std::fs::remove_file(p.file(TENANT_FILE));
    p.run(&["downgrade", "dev", "base"]).ok().out_has("already at");
    assert_eq!(p.current(), r0);
}

#[test]
fn a_tenant_at_an_unknown_revision_is_refused_until_stamped() {
    let (p, r0) = chain_project();
    put_at(&p, &r0, R1);
    // As if the tenant had been upgraded from a branch whose files this checkout lacks.
    let text = p.read(TENANT_FILE).replace(&format!("\"name\": \"{R1}\""), "\"name\": \"ffffffffffff\"");
    p.write(TENANT_FILE, &text);
    assert_eq!(p.current(), "ffffffffffff");
    let before = p.tenant_bytes();
    p.run(&["upgrade", "dev", "head"]).fails().err_has("(ffffffffffff) is invalid and not found");
    p.run(&["downgrade", "dev", "-1"]).fails().err_has("is invalid and not found");
    p.run(&["revision", "dev", "next"]).fails().err_has("not in versions/");
    assert_eq!(p.tenant_bytes(), before);
    p.run(&["stamp", "dev", R1]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(p.active_dropdowns(), dropdowns_up_to(3));
}

// ---------------------------------------------------------------------------------------------
// 3, 4. Revisions that do not load: nothing is applied
// ---------------------------------------------------------------------------------------------

#[test]
fn a_syntax_error_is_located_and_nothing_is_applied() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(R1, Some(&base), "fine", &[r#"create_dropdown("A", ["x"])"#], &[r#"archive_dropdown("A")"#]);
    p.run(&["stamp", "dev", "base"]).ok();
    let broken =
        p.write_revision(R2, Some(R1), "broken", &[r#"create_dropdown("B", ["x"]) +"#], &[r#"archive_dropdown("B")"#]);
    let before = p.tenant_bytes();

    // Line 9 is `        create_dropdown("B", ["x"]) +,`: the unexpected `,` is at column 38.
    let at = format!("{broken}:9:38");
    for args in [["upgrade", "dev", "head"], ["upgrade", "dev", "+1"], ["upgrade", "dev", R1]] {
        p.run(&args).fails().err_has(&at).err_has("syntax error");
        assert_eq!(p.tenant_bytes(), before, "{args:?}");
    }
    p.run(&["check"]).fails().err_has(&at);
    p.run(&["head"]).fails().err_has(&at);
    assert_eq!(p.current(), base);
}

#[test]
fn a_failing_constructor_call_in_a_later_revision_stops_the_whole_plan() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(R1, Some(&base), "fine", &[r#"create_dropdown("A", ["x"])"#], &[r#"archive_dropdown("A")"#]);
    let bad = p.write_revision(
        R2,
        Some(R1),
        "bad",
        &[
            r#"create_dropdown("B", ["x"])"#,
            r#"create_field("pizza", #{ warehouse_name: "w", name: "W", type: "texty" }, 0)"#,
        ],
        &[],
    );
    p.run(&["stamp", "dev", "base"]).ok();
    let before = p.tenant_bytes();
    p.run(&["upgrade", "dev", "head"]).fails().err_has(&format!("{bad}:10:")).err_has("texty");
    assert_eq!(p.tenant_bytes(), before);
    assert_eq!(p.current(), base);
    // Only the good revision: it applies.
    p.run(&["upgrade", "dev", "+1"]).ok();
    assert_eq!(p.active_dropdowns(), ["A"]);
}

#[test]
fn a_runaway_script_is_stopped_quickly_and_nothing_is_applied() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(R1, Some(&base), "fine", &[r#"create_dropdown("A", ["x"])"#], &[r#"archive_dropdown("A")"#]);
    p.run(&["stamp", "dev", "base"]).ok();
    let before = p.tenant_bytes();
    for (body, needle) in [
        ("    loop {}\n", "stopped"),
        ("    let s = \"x\";\n    loop { s += s; }\n", "larger than the sandbox allows"),
        ("    let n = 0;\n    while true { n += 1; }\n", "stopped"),
    ] {
        let text = revision_text(R2, Some(R1), "runaway", &[r#"create_dropdown("B", ["x"])"#], &[]).replacen(
            "fn upgrade() {\n",
            &format!("fn upgrade() {{\n{body}"),
            1,
        );
        p.write(&format!("versions/{R2}_runaway.rhai"), &text);
        let out = p.run(&["upgrade", "dev", "head"]);
        out.fails().err_has(needle).err_has(&format!("{R2}_runaway.rhai:"));
        assert!(out.elapsed.as_secs_f64() < 10.0, "took {:?}", out.elapsed);
        assert_eq!(p.tenant_bytes(), before, "{body}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Chains that are not one line
// ---------------------------------------------------------------------------------------------

#[test]
fn a_branched_chain_is_reported_and_refused() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(R1, Some(&base), "one", &[], &[]);
    let a = p.write_revision("bbbbbbbbbbb1", Some(R1), "left", &[r#"create_dropdown("L", ["x"])"#], &[]);
    let b = p.write_revision("ccccccccccc1", Some(R1), "right", &[r#"create_dropdown("R", ["x"])"#], &[]);
    p.run(&["check"]).fails().err_has(&a).err_has(&b).err_has("is revised by 2 revisions");
    p.run(&["upgrade", "dev", "head"]).fails().err_has(&a).err_has(&b);
    assert!(p.tenant_bytes().is_none());
    p.run(&["revision", "dev", "merge"]).fails();
    assert_eq!(p.revision_files().len(), 4, "no revision may be written on a branched chain");
    let doc = p.run(&["--format", "json", "check"]).fails().json();
    assert_eq!(doc["ok"], false);
    assert!(doc["problems"].as_array().unwrap().iter().any(|x| x["message"].as_str().unwrap().contains(&a)));
}

#[test]
fn an_orphan_two_bases_and_a_duplicate_id_are_reported_and_refused() {
    let p = Project::init();
    let base = p.base_id();
    let base_file = p.revision_files()[0].clone();
    let orphan = p.write_revision(R1, Some("ffffffffffff"), "orphan", &[], &[]);
    p.run(&["check"]).fails().err_has(&orphan).err_has("ffffffffffff");
    p.run(&["upgrade", "dev", "head"]).fails().err_has(&orphan);
    std::fs::remove_file(p.file(&format!("versions/{orphan}"))).unwrap();

    let second_base = p.write_revision(R2, None, "another_base", &[], &[]);
    p.run(&["check"]).fails().err_has("2 base revisions").err_has(&base_file).err_has(&second_base);
    p.run(&["upgrade", "dev", "head"]).fails().err_has(&second_base);
    std::fs::remove_file(p.file(&format!("versions/{second_base}"))).unwrap();

    let first = p.write_revision(R3, Some(&base), "first", &[], &[]);
    let copy = format!("{R3}_copy.rhai");
    p.write(&format!("versions/{copy}"), &p.read(&format!("versions/{first}")));
    p.run(&["check"]).fails().err_has(&first).err_has(&copy);
    p.run(&["upgrade", "dev", "head"]).fails();
    assert!(p.tenant_bytes().is_none());
}

// ---------------------------------------------------------------------------------------------
// 6. Strings that need escaping survive the whole loop
// ---------------------------------------------------------------------------------------------

const ESCAPES_YAML: &str = r#"kind: entity_schema
name: "Pâté \"spéciale\" \\ 日本"
warehouse_name: pate
prefix: PT
entity_type: custom_entity
fields:
  - warehouse_name: note
    name: "Note \"n\" \\ ü"
    type: text
    tooltip: "line one\nline \"two\" \\ back\ttab ✓ 🍕 'single'"
  - warehouse_name: kind
    name: Kind
    type: dropdown
    dropdown: "Bob's \"spécial\" \\ ✓"
---
kind: dropdown
name: "Bob's \"spécial\" \\ ✓"
options: [Cheese, "Bob's \"special\"", "back\\slash", "ünïcödé 🍕", "multi\nline", "${x} // not a comment"]
"#;

#[test]
fn quotes_backslashes_newlines_and_non_ascii_round_trip() {
    let p = Project::init();
    p.allow_custom_warehouse_names();
    p.write("schemas/pate.yaml", ESCAPES_YAML);
    p.run(&["check"]).ok();
    let rel = p.run(&["revision", "dev", "Pâté \"quotes\""]).ok().stdout.trim().to_string();
    let text = p.read(&rel);
    assert!(text.starts_with("// Pâté \"quotes\"\n"), "{text}");
    assert!(text.contains(r#""line one\nline \"two\" \\ back\ttab ✓ 🍕 'single'""#), "{text}");
    assert!(text.contains(r#""Bob's \"spécial\" \\ ✓""#), "{text}");
    p.run(&["check"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["diff", "dev"]).ok().out_has("in sync");

    // What reached the tenant is exactly what the YAML says.
    let note = tenant_field(&p, "pate", "note");
    assert_eq!(note["tooltip"], "line one\nline \"two\" \\ back\ttab ✓ 🍕 'single'");
    assert_eq!(note["name"], "Note \"n\" \\ ü");
    assert_eq!(
        dropdown_options(&p, "Bob's \"spécial\" \\ ✓"),
        ["Cheese", "Bob's \"special\"", "back\\slash", "ünïcödé 🍕", "multi\nline", "${x} // not a comment"]
    );

    // generate-files into a fresh project that points at the same tenant: an empty diff.
    let fresh = Project::init();
    fresh.write(TENANT_FILE, &p.read(TENANT_FILE));
    let out = fresh.run(&["generate-files", "dev"]);
    out.ok();
    assert!(!out.stdout.contains("liminal_remote"), "liminal_remote is never generated:\n{}", out.dump());
    fresh.run(&["check"]).ok();
    fresh.run(&["diff", "dev"]).ok().out_has("in sync");
    // Running it again leaves the files alone unless told otherwise.
    fresh.run(&["generate-files", "dev"]).ok().out_has("--overwrite");
    fresh.run(&["generate-files", "dev", "--overwrite"]).ok();
    fresh.run(&["diff", "dev"]).ok();
}

// ---------------------------------------------------------------------------------------------
// 7. --format json: one document on stdout
// ---------------------------------------------------------------------------------------------

#[test]
fn json_output_is_one_document_per_command() {
    let p = Project::empty();
    let init = p.run(&["--format", "json", "init"]).ok().json();
    let base = p.base_id();
    assert_eq!(init["base_revision"], base.as_str());
    p.write("schemas/pizza.yaml", PIZZA_YAML);

    let diff = p.run(&["--format", "json", "diff", "dev"]).code(2).json();
    assert_eq!(diff["in_sync"], false);
    assert_eq!(diff["total_differences"], 3);
    assert_eq!(p.run(&["diff", "dev", "--json"]).code(2).json(), diff);

    let rev = p.run(&["--format", "json", "revision", "dev", "Add pizza"]).ok().json();
    let id = rev["revision"].as_str().unwrap().to_string();
    assert!(is_revision_id(&id) && p.exists(rev["file"].as_str().unwrap()), "{rev}");
    assert_eq!(rev["down_revision"], base.as_str());

    let current = p.run(&["--format", "json", "current", "dev"]).ok().json();
    assert_eq!(current, serde_json::json!({ "tenant": "dev", "revision": base }));
    assert_eq!(p.run(&["--format", "json", "head"]).ok().json(), serde_json::json!({ "head": id }));

    let history = p.run(&["--format", "json", "history", "--tenant", "dev"]).ok().json();
    let revisions = history["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["revision"], id.as_str());
    assert_eq!(revisions[0]["head"], true);
    assert_eq!(revisions[1]["current"], true);
    p.run(&["--format", "json", "history"]).ok().json();

    let check = p.run(&["--format", "json", "check", "--tenant", "dev"]).ok().json();
    assert_eq!(check["ok"], true);
    assert_eq!(check["drift"], 0);

    let before = p.tenant_bytes();
    let dry = p.run(&["--format", "json", "upgrade", "dev", "head", "--dry-run"]).ok().json();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["to"], id.as_str());
    let ops = dry["revisions"][0]["operations"].as_array().unwrap();
    assert_eq!(ops.len(), 3);
    assert!(ops.iter().all(|o| o["line"].as_u64().unwrap() > 0), "{dry}");
    assert_eq!(p.tenant_bytes(), before);

    let up = p.run(&["--format", "json", "upgrade", "dev", "head"]).ok().json();
    assert_eq!(up["dry_run"], false);
    assert_eq!(up["from"], base.as_str());
    assert_eq!(up["to"], id.as_str());
    let again = p.run(&["--format", "json", "upgrade", "dev", "head"]).ok().json();
    assert_eq!(again["revisions"], serde_json::json!([]));
    assert_eq!(p.run(&["--format", "json", "diff", "dev"]).ok().json()["in_sync"], true);

    let down = p.run(&["--format", "json", "downgrade", "dev", "-1"]).ok().json();
    assert_eq!(down["to"], base.as_str());
    let stamp = p.run(&["--format", "json", "stamp", "dev", "head"]).ok().json();
    assert_eq!(stamp["revision"], id.as_str());

    // Errors: an {"error": …} document on stdout, the diagnostic on stderr, exit 1.
    let err = p.run(&["--format", "json", "current", "nope"]).fails().json();
    assert!(err["error"]["message"].as_str().unwrap().contains("unknown tenant `nope`"), "{err}");
    assert!(err["error"]["help"].as_str().is_some(), "{err}");
    let err = p.run(&["--format", "json", "upgrade", "dev", "bogus"]).fails().json();
    assert!(err["error"]["message"].as_str().unwrap().contains("bogus"), "{err}");
    // A command line clap rejects is an error too: exit 1 (not `diff`'s 2) and a document.
    let err = p.run(&["--format", "json", "diff"]).fails().json();
    assert!(err["error"]["message"].as_str().unwrap().contains("<TENANT>"), "{err}");
    p.run(&["diff"]).fails();
    p.run(&["--help"]).ok();

    let elsewhere = Project::empty();
    let err = elsewhere.run(&["--format", "json", "head"]).fails().json();
    assert!(err["error"]["help"].as_str().unwrap().contains("liminal init"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 8, 9. Preflight, per-revision recording, stamp, resume
// ---------------------------------------------------------------------------------------------

#[test]
fn preflight_stops_a_plan_whose_later_revision_cannot_apply() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(R1, Some(&base), "fine", &[r#"create_dropdown("A", ["x"])"#], &[r#"archive_dropdown("A")"#]);
    let bad = p.write_revision(
        R2,
        Some(R1),
        "bad",
        &[r#"create_dropdown("B", ["x"])"#, r#"archive_field("pizza", "dough")"#, r#"create_dropdown("C", ["x"])"#],
        &[],
    );
    p.run(&["stamp", "dev", "base"]).ok();
    let before = p.tenant_bytes();
    // The second operation of the second revision, at its line and column.
    let at = format!("{bad}:10:9");
    p.run(&["upgrade", "dev", "head"]).fails().err_has(&at).err_has("cannot apply to dev").err_has("pizza");
    p.run(&["upgrade", "dev", "head", "--dry-run"]).fails().err_has(&at);
    let err = p.run(&["--format", "json", "upgrade", "dev", "head"]).fails().json();
    // The place is data, not text: file, line and column beside the message.
    let e = &err["error"];
    assert!(e["file"].as_str().unwrap().ends_with(&bad), "{err}");
    assert_eq!((&e["line"], &e["column"]), (&serde_json::json!(10), &serde_json::json!(9)), "{err}");
    assert!(e["message"].as_str().unwrap().contains("cannot apply to dev"), "{err}");
    assert_eq!(p.tenant_bytes(), before, "nothing may be sent when preflight fails");
    assert_eq!(p.current(), base);
    p.run(&["check", "--tenant", "dev"]).fails().err_has(&at);

    // Preflight sees the effect of earlier operations of the plan: once `pizza.dough` exists,
    // the same revision applies.
    edit(
        &p,
        &format!("versions/{bad}"),
        r#"create_dropdown("B", ["x"]),"#,
        r#"create_schema(#{ name: "Pizza", warehouse_name: "pizza", prefix: "PZ", entity_type: "custom_entity", fields: [#{ warehouse_name: "dough", name: "Dough", type: "text" }] }),"#,
    );
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(tenant_field(&p, "pizza", "dough")["archived"], true);
    assert_eq!(p.active_dropdowns(), ["A", "C"]);
}

#[test]
fn stamp_records_a_revision_without_running_it() {
    let (p, r0) = chain_project();
    p.run(&["stamp", "dev", R2]).ok().out_has(&format!("Stamped dev at {R2}"));
    assert_eq!(p.current(), R2);
    assert!(p.active_dropdowns().is_empty(), "stamp runs nothing");
    p.run(&["stamp", "dev", R2]).ok().out_has("already at");
    p.run(&["history", "--tenant", "dev"]).ok().out_has(&format!("{R2} r2 (dev is here)"));
    // Upgrading from there runs only r3.
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(p.active_dropdowns(), ["D3"]);
    p.run(&["stamp", "dev", "base"]).ok();
    assert_eq!(p.current(), r0);
    p.run(&["stamp", "dev", "head"]).ok();
    assert_eq!(p.current(), R3);
    let before = p.tenant_bytes();
    p.run(&["stamp", "dev", "ffffffffffff"]).fails().err_has("not a revision of this project");
    assert_eq!(p.tenant_bytes(), before);
}

/// A dropdown with ~45 KB of options: creating it makes the tenant file far larger than the
/// limit of [`run_with_file_size_limit`], while a few small dropdowns and the progress marker
/// keep the file near 3 KB.
#[cfg(unix)]
fn big_dropdown() -> String {
    let options: Vec<String> = (0..400).map(|i| format!("\"option number {i} with a long name\"")).collect();
    format!("create_dropdown(\"Big\", [{}])", options.join(", "))
}

/// Run the binary where the tenant file cannot grow past 8 or 16 KB (`ulimit -f 16`, by the
/// shell's block size), with SIGXFSZ ignored so that the write fails with EFBIG instead of
/// killing the process: a real failure at apply time, after preflight passed, as with a full
/// disk.
#[cfg(unix)]
fn run_with_file_size_limit(p: &Project, args: &[&str]) -> common::Out {
    let mut label = args.to_vec();
    label.push("(file size limited)");
    common::run_command(
        std::process::Command::new("sh")
            .args(["-c", "trap '' XFSZ; ulimit -f 16 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_liminal")])
            .args(args)
            .current_dir(p.path()),
        &label,
    )
}

/// The `liminal_progress` marker on the tenant, if the field exists.
#[cfg(unix)]
fn progress_marker(p: &Project) -> Option<String> {
    let t = p.tenant();
    let remote = t["schemas"].as_array()?.iter().find(|s| s["warehouse_name"] == "liminal_remote")?.clone();
    let field = remote["fields"].as_array()?.iter().find(|f| f["warehouse_name"] == "liminal_progress")?.clone();
    Some(field["name"].as_str()?.to_string())
}

/// A tenant that loses its connection after its first `k` operations, once (what a tenant
/// over HTTP can do; the local tenant itself is all or nothing). Writes go to a local tenant
/// outside a batch, so each call lands in the file at once, the progress marker included.
#[cfg(unix)]
struct StopsAfter {
    inner: liminal::tenant::local::LocalTenant,
    k: Option<usize>,
}

#[cfg(unix)]
impl liminal::tenant::Tenant for StopsAfter {
    async fn read(&mut self) -> Result<liminal::state::TenantState, liminal::tenant::TenantError> {
        self.inner.read().await
    }
    async fn revision(&mut self) -> Result<Option<String>, liminal::tenant::TenantError> {
        self.inner.revision().await
    }
    async fn apply(
        &mut self,
        ops: &[liminal::op::Op],
        done: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), liminal::tenant::ApplyError> {
        match self.k.take() {
            Some(k) if k < ops.len() => {
                self.inner.apply(&ops[..k], done).await?;
                let lost = liminal::tenant::HttpError::decode(reqwest::Method::POST, "/x", "the connection was lost");
                let error = liminal::tenant::TenantError::from(lost);
                Err(liminal::tenant::ApplyError::Tenant { index: k, error })
            }
            _ => self.inner.apply(ops, done).await,
        }
    }
    async fn set_revision(&mut self, revision: &str) -> Result<bool, liminal::tenant::TenantError> {
        self.inner.set_revision(revision).await
    }
    async fn write_remote(&mut self, values: &[(&str, &str)]) -> Result<bool, liminal::tenant::TenantError> {
        self.inner.write_remote(values).await
    }
    async fn remote_field(
        &mut self,
        warehouse_name: &str,
        fresh: bool,
    ) -> Result<Option<String>, liminal::tenant::TenantError> {
        self.inner.remote_field(warehouse_name, fresh).await
    }
}

/// Run `upgrade dev <target>` (`head`) or `downgrade dev <target>` (`-1`) through the library
/// on a tenant that stops after `k` operations.
#[cfg(unix)]
fn run_stopping_after(p: &Project, k: usize, target: &str) -> liminal::migrate::RunError {
    struct Quiet;
    impl liminal::migrate::Progress for Quiet {
        fn revision(&mut self, _: usize, _: usize, _: &liminal::migrate::PlanStep) {}
        fn op_done(&mut self, _: &liminal::migrate::PlanStep, _: &liminal::script::LocatedOp) {}
        fn revision_done(&mut self, _: &liminal::migrate::PlanStep) {}
    }
    use liminal::tenant::Tenant;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut t = StopsAfter { inner: liminal::tenant::local::LocalTenant::new(p.file(TENANT_FILE)), k: Some(k) };
        let current = t.revision().await.unwrap();
        let chain = liminal::chain::Chain::load(&p.file("versions")).unwrap();
        let plan = match target {
            "head" => chain.plan_upgrade(current.as_deref(), target),
            _ => chain.plan_downgrade(current.as_deref(), target),
        }
        .unwrap();
        let steps = liminal::migrate::load_steps(&plan).unwrap();
        liminal::migrate::run(&mut t, &steps, &mut Quiet, current, None).await.unwrap_err()
    })
}

/// r1's upgrade: A, B, Big, D; the run stops after the first two.
#[cfg(unix)]
fn interrupted_upgrade() -> (Project, String, String) {
    let p = Project::init();
    let base = p.base_id();
    p.run(&["stamp", "dev", "base"]).ok();
    let rev = p.write_revision(
        R1,
        Some(&base),
        "four",
        &[
            r#"create_dropdown("A", ["x"])"#,
            r#"create_dropdown("B", ["y"])"#,
            &big_dropdown(),
            r#"create_dropdown("D", ["z"])"#,
        ],
        &[
            r#"archive_dropdown("D")"#,
            r#"archive_dropdown("Big")"#,
            r#"archive_dropdown("B")"#,
            r#"archive_dropdown("A")"#,
        ],
    );
    let e = run_stopping_after(&p, 2, "head");
    assert!(matches!(e, liminal::migrate::RunError::Op { number: 3, applied: 2, .. }), "{e}");
    assert_eq!(p.current(), base, "the revision is not recorded");
    assert_eq!(p.active_dropdowns(), ["A", "B"], "what reached the tenant is in the file, and only that");
    assert_eq!(progress_marker(&p), None, "what is applied is read from the tenant, not from a marker");
    (p, base, rev)
}

/// A write of the local tenant that fails (a full disk) leaves the file as it was: a local
/// revision lands with its record or not at all, so nothing is half applied.
#[cfg(unix)]
#[test]
fn a_failed_local_write_leaves_the_revision_out_entirely() {
    let p = Project::init();
    let base = p.base_id();
    p.run(&["stamp", "dev", "base"]).ok();
    p.write_revision(
        R1,
        Some(&base),
        "four",
        &[r#"create_dropdown("A", ["x"])"#, r#"create_dropdown("B", ["y"])"#, &big_dropdown()],
        &[r#"archive_dropdown("Big")"#, r#"archive_dropdown("B")"#, r#"archive_dropdown("A")"#],
    );
    let before = p.tenant_bytes();
    run_with_file_size_limit(&p, &["upgrade", "dev", "head"]).fails().err_has("File too large");
    assert_eq!(p.tenant_bytes(), before, "the file is as it was");
    let mut leftovers: Vec<_> =
        std::fs::read_dir(p.file(".liminal")).unwrap().flatten().map(|e| e.file_name()).collect();
    leftovers.sort();
    // The lock file stays (removing a locked file would let two runs lock different files).
    assert_eq!(leftovers, [".dev.json.lock", "dev.json"], "no temporary file is left behind");
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(p.current(), R1);
    assert_eq!(p.active_dropdowns(), ["A", "B", "Big"]);
}

/// A downgrade whose write fails leaves the local tenant as it was (all or nothing).
#[cfg(unix)]
#[test]
fn a_failed_local_downgrade_write_leaves_the_tenant_as_it_was() {
    let p = Project::init();
    let base = p.base_id();
    p.run(&["stamp", "dev", "base"]).ok();
    p.write_revision(
        R1,
        Some(&base),
        "three",
        &[r#"create_dropdown("A", ["x"])"#, r#"create_dropdown("B", ["y"])"#, r#"create_dropdown("D", ["z"])"#],
        &[r#"archive_dropdown("A")"#, r#"archive_dropdown("B")"#, &big_dropdown(), r#"archive_dropdown("D")"#],
    );
    p.run(&["upgrade", "dev", "head"]).ok();
    run_with_file_size_limit(&p, &["downgrade", "dev", "-1"]).fails().err_has("File too large");
    assert_eq!(p.current(), R1);
    assert_eq!(p.active_dropdowns(), ["A", "B", "D"]);
    p.run(&["downgrade", "dev", "-1"]).ok();
    assert_eq!(p.current(), base);
    assert_eq!(p.active_dropdowns(), ["Big"]);
}

/// Operation 3 of 4 fails at apply time; operations 1 and 2 reached the tenant, and the next
/// run finds them there and resumes at operation 3.
#[cfg(unix)]
#[test]
fn a_revision_interrupted_half_way_resumes_where_it_stopped() {
    let (p, _, rev) = interrupted_upgrade();
    p.run(&["upgrade", "dev", "head", "--dry-run"])
        .ok()
        .out_has("the first 2 operations")
        .out_has("3. Big")
        .err_has(&format!("revision {R1}: 2 of 4 operations are already on the tenant; applying the other 2"));

    // Changing an operation that was applied is refused, rather than guessed at: the tenant
    // matches no prefix of the edited revision.
    let before = p.tenant_bytes();
    edit(&p, &format!("versions/{rev}"), r#"create_dropdown("A", ["x"])"#, r#"create_dropdown("A", ["x", "w"])"#);
    p.run(&["upgrade", "dev", "head"])
        .fails()
        .err_has("already exists")
        .err_has("has no option `w`")
        .err_has("liminal stamp dev");
    assert_eq!(p.tenant_bytes(), before);
    edit(&p, &format!("versions/{rev}"), r#"create_dropdown("A", ["x", "w"])"#, r#"create_dropdown("A", ["x"])"#);

    let out = p.run(&["upgrade", "dev", "head"]);
    out.ok().err_has("resuming: the first 2 operations");
    assert!(!out.stderr.contains("1. A:"), "applied operations are not sent again:\n{}", out.dump());
    assert_eq!(p.current(), R1);
    assert_eq!(p.active_dropdowns(), ["A", "B", "Big", "D"]);
    assert_eq!(progress_marker(&p), None);
    // And the revision's downgrade undoes all four.
    p.run(&["downgrade", "dev", "-1"]).ok();
    assert!(p.active_dropdowns().is_empty());
}

/// Earlier versions left a `liminal_progress` marker; stamp clears it, and what an upgrade skips
/// is what the tenant shows.
#[cfg(unix)]
#[test]
fn stamp_clears_an_old_progress_marker() {
    let (p, base, _) = interrupted_upgrade();
    let mut t = p.tenant();
    let remote =
        t["schemas"].as_array_mut().unwrap().iter_mut().find(|s| s["warehouse_name"] == "liminal_remote").unwrap();
    let mut marker = remote["fields"][0].clone();
    marker["id"] = "tsf_marker".into();
    marker["warehouse_name"] = "liminal_progress".into();
    marker["name"] = format!("{R1}+2@0123abcd").into();
    remote["fields"].as_array_mut().unwrap().push(marker);
    p.write(common::TENANT_FILE, &serde_json::to_string_pretty(&t).unwrap());
    p.run(&["stamp", "dev", "base"]).ok().err_has(&format!("Cleared the record of an interrupted upgrade to {R1}"));
    assert_eq!(progress_marker(&p).as_deref(), Some("none"));
    assert_eq!(p.current(), base);
    p.run(&["upgrade", "dev", "head"]).ok().err_has("2 of 4 operations are already on the tenant");
    assert_eq!(p.active_dropdowns(), ["A", "B", "Big", "D"]);
}

/// A downgrade that stops half-way resumes too: the next run finds the operations of
/// downgrade() that reached the tenant.
#[cfg(unix)]
#[test]
fn an_interrupted_downgrade_resumes() {
    let p = Project::init();
    let base = p.base_id();
    p.run(&["stamp", "dev", "base"]).ok();
    p.write_revision(
        R1,
        Some(&base),
        "three",
        &[r#"create_dropdown("A", ["x"])"#, r#"create_dropdown("B", ["y"])"#, r#"create_dropdown("D", ["z"])"#],
        &[r#"archive_dropdown("A")"#, r#"archive_dropdown("B")"#, &big_dropdown(), r#"archive_dropdown("D")"#],
    );
    p.run(&["upgrade", "dev", "head"]).ok();
    let e = run_stopping_after(&p, 2, "-1");
    assert!(matches!(e, liminal::migrate::RunError::Op { number: 3, applied: 2, .. }), "{e}");
    assert_eq!(p.current(), R1);
    assert_eq!(p.active_dropdowns(), ["D"]);
    assert!(progress_marker(&p).is_none_or(|m| m == "none"), "{:?}", progress_marker(&p));

    p.run(&["downgrade", "dev", "-1"]).ok().err_has("2 of 4 operations are already on the tenant");
    assert_eq!(p.current(), base);
    assert_eq!(p.active_dropdowns(), ["Big"]);
    // Upgrading the same revision later runs all of it.
    p.run(&["upgrade", "dev", "head"]).ok();
    assert_eq!(p.active_dropdowns(), ["A", "B", "Big", "D"]);
}

// ---------------------------------------------------------------------------------------------
// 10. check: drift, and downgrades that do not restore
// ---------------------------------------------------------------------------------------------

#[test]
fn check_with_a_tenant_reports_drift() {
    let p = Project::init();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese, Pepperoni]\n");
    // Not yet revised: the tenant would differ even at head.
    p.run(&["check", "--tenant", "dev"]).fails().err_has("would still differ from schemas/ by 1 operation");
    let rel = p.run(&["revision", "dev", "toppings"]).ok().stdout.trim().to_string();
    // Pending, not applied: in sync once upgraded, which is what check looks at.
    p.run(&["check", "--tenant", "dev"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["check", "--tenant", "dev"]).ok();

    // The code moves on without a revision.
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese, Pepperoni, Basil]\n");
    p.run(&["check", "--tenant", "dev"]).fails().err_has("would still differ");
    assert_eq!(p.run(&["--format", "json", "check", "--tenant", "dev"]).fails().json()["drift"], 1);
    // Offline, the same is a warning: the chain replayed on an empty tenant differs from the code.
    p.run(&["check"]).ok().err_has("warning").err_has("differs from the head of the chain");

    // A pending revision that no longer applies to the tenant is a located error.
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese, Pepperoni]\n");
    p.run(&["stamp", "dev", "base"]).ok();
    p.run(&["check", "--tenant", "dev"]).fails().err_has(&format!("{rel}:13:9")).err_has("would not apply to dev");
}

#[test]
fn check_warns_when_a_downgrade_does_not_restore_its_upgrade() {
    let p = Project::init();
    let base = p.base_id();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese]\n");
    let good = p.write_revision(
        R1,
        Some(&base),
        "good",
        &[r#"create_dropdown("Toppings", ["Cheese"])"#],
        &[r#"archive_dropdown("Toppings")"#],
    );
    p.run(&["rehash"]).ok();
    let out = p.run(&["check"]);
    out.ok();
    assert!(!out.stderr.contains("warning"), "{}", out.dump());

    edit(&p, &format!("versions/{good}"), r#"archive_dropdown("Toppings"),"#, "");
    p.run(&["rehash"]).ok();
    p.run(&["check"]).ok().err_has("warning[LM302]").err_has(&good).err_has("does not restore");
    let doc = p.run(&["--format", "json", "check"]).ok().json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["warnings"][0]["code"], "LM302", "{doc}");
    assert!(doc["warnings"][0]["message"].as_str().unwrap().contains("does not restore"), "{doc}");
    p.run(&["check", "--strict"]).fails().err_has("error[LM302]");
}

// ---------------------------------------------------------------------------------------------
// 11. revision
// ---------------------------------------------------------------------------------------------

#[test]
fn revision_refuses_unless_the_tenant_is_at_head_and_empty_writes_empty_lists() {
    let p = Project::init();
    let base = p.base_id();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese]\n");
    let rel = p.run(&["revision", "--empty", "dev", "By hand"]).ok().stdout.trim().to_string();
    assert!(rel.ends_with("_by_hand.rhai"), "{rel}");
    let text = p.read(&rel);
    assert!(text.contains("fn upgrade() {\n    []\n}"), "{text}");
    assert!(text.contains("fn downgrade() {\n    []\n}"), "{text}");
    assert!(text.contains(&format!("const down_revision = \"{base}\";")), "{text}");
    assert_eq!(p.current(), base);

    // The tenant is at the base, the head is the new revision.
    let files = p.revision_files();
    for args in [&["revision", "dev", "next"][..], &["revision", "--empty", "dev", "next"]] {
        p.run(args).fails().err_has("not at the head revision").err_has("liminal upgrade dev head");
        assert_eq!(p.revision_files(), files, "{args:?}");
    }
    p.run(&["upgrade", "dev", "head"]).ok();
    let rel = p.run(&["autogenerate", "dev", "next"]).ok().stdout.trim().to_string();
    assert!(p.read(&rel).contains(r#"create_dropdown("Toppings", ["Cheese"])"#));

    // In sync: a revision with empty lists, and a note saying so.
    p.run(&["upgrade", "dev", "head"]).ok();
    let out = p.run(&["revision", "dev", "nothing"]);
    out.ok().err_has("in sync");
    assert!(p.read(out.stdout.trim()).contains("fn upgrade() {\n    []\n}"));
}

// ---------------------------------------------------------------------------------------------
// 12. Error messages
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_tenant_and_missing_project_say_what_to_do() {
    let p = Project::init();
    for args in [
        vec!["current", "prod"],
        vec!["upgrade", "prod", "head"],
        vec!["downgrade", "prod", "base"],
        vec!["diff", "prod"],
        vec!["revision", "prod", "x"],
        vec!["stamp", "prod", "head"],
        vec!["history", "--tenant", "prod"],
        vec!["check", "--tenant", "prod"],
        vec!["generate-files", "prod"],
    ] {
        p.run(&args).fails().err_has("unknown tenant `prod`; this project has: dev").err_has("help:");
    }

    // An alias names the same tenant.
    let config =
        p.read("liminal.yaml").replace("local: .liminal/dev.json", "local: .liminal/dev.json\n    alias: local");
    p.write("liminal.yaml", &config);
    p.run(&["stamp", "local", "head"]).ok();
    assert_eq!(p.run(&["current", "local"]).ok().stdout.trim(), p.base_id());

    // The project is found from a sub-folder.
    let out = p.run_in(&p.file("schemas"), &["head"]);
    assert_eq!(out.ok().stdout.trim(), p.base_id());

    let nowhere = Project::empty();
    for args in [vec!["current", "dev"], vec!["head"], vec!["check"], vec!["upgrade", "dev", "head"]] {
        nowhere.run(&args).fails().err_has("no liminal.yaml found").err_has("liminal init");
    }
}

#[test]
fn a_schema_file_with_three_mistakes_gives_three_located_errors() {
    let p = Project::init();
    p.write(
        "schemas/bad.yaml",
        "kind: entity_schema\n\
         name: Bad\n\
         warehouse_name: Bad-Name\n\
         prefix: B1\n\
         entity_type: custom_entity\n\
         fields:\n\
         \x20 - { warehouse_name: a, name: A, type: text }\n\
         \x20 - { warehouse_name: c, name: C, type: integer, decimal_places: 3 }\n",
    );
    for args in [vec!["check"], vec!["diff", "dev"], vec!["revision", "dev", "x"]] {
        let out = p.run(&args);
        out.fails()
            .err_has("bad.yaml:3:17")
            .err_has("warehouse name `Bad-Name` is not valid")
            .err_has("bad.yaml:4:9")
            .err_has("prefix `B1` ends in a digit")
            .err_has("bad.yaml:8:")
            .err_has("decimal_places");
        assert_eq!(out.stderr.matches("help:").count(), 3, "{}", out.dump());
    }
    assert_eq!(p.revision_files().len(), 1);
    let doc = p.run(&["--format", "json", "check"]).fails().json();
    let lines: Vec<u64> = doc["problems"].as_array().unwrap().iter().map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 8]);
    assert!(doc["problems"].as_array().unwrap().iter().all(|x| x["file"] == "schemas/bad.yaml"), "{doc}");
}
