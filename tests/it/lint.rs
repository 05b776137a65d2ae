//! `check` as a CI gate: coded, located findings, exit codes, `--strict`, `// liminal:nolint`,
//! the sum file and `rehash`, and the lints `revision` prints.

use serde_json::Value;

use crate::common::Project;

const R1: &str = "aaaaaaaaaaa1";
const R2: &str = "aaaaaaaaaaa2";

const PIZZA: &str = "kind: entity_schema\nname: Pizza\nwarehouse_name: pizza\nprefix: PZ\nentity_type: custom_entity\nfields:\n  - { warehouse_name: weight, name: Weight, type: decimal, decimal_places: 2 }\n";

/// The finding with `code` in a `check --format json` document.
fn finding(doc: &Value, code: &str) -> Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {doc:#}"))
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_downgrade_naming_a_missing_schema_fails_check_with_a_located_code() {
    let p = Project::init();
    let base = p.base_id();
    let file = p.write_revision(
        R1,
        Some(&base),
        "dough",
        &[r#"create_dropdown("Dough", ["thin"])"#],
        &[r#"archive_schema("doug")"#],
    );
    p.run(&["rehash"]).ok();
    let rel = format!("versions/{file}");
    // The first operation of downgrade() is on line 15 (see `revision_text`).
    p.run(&["check"])
        .fails()
        .err_has("error[LM404]")
        .err_has(&format!("[{rel}:15:9]"))
        .err_has("schema `doug` does not exist");
    let doc = p.run(&["--format", "json", "check"]).fails().json();
    assert_eq!(doc["ok"], false);
    let f = finding(&doc, "LM404");
    assert_eq!((f["severity"].as_str(), f["file"].as_str()), (Some("error"), Some(rel.as_str())), "{f}");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(15), Some(9)), "{f}");
    assert!(f["help"].as_str().is_some_and(|h| !h.is_empty()), "{f}");
    assert_eq!(doc["problems"][0]["code"], "LM404", "errors are also listed as problems");
}

#[test]
fn an_upgrade_naming_a_missing_dropdown_fails_check_and_nolint_silences_it_with_a_reason() {
    let p = Project::init();
    let base = p.base_id();
    let file = p.write_revision(
        R1,
        Some(&base),
        "option",
        &[r#"create_dropdown_option("Sauces", "Pesto", 0)"#],
        &[r#"archive_dropdown_option("Sauces", "Pesto")"#],
    );
    p.run(&["rehash"]).ok();
    let rel = format!("versions/{file}");
    p.run(&["check"])
        .fails()
        .err_has("error[LM403]")
        .err_has(&format!("[{rel}:9:9]"))
        .err_has("dropdown `Sauces` does not exist");

    // The tenant this project adopted already had the dropdown: say so on the line above.
    let text = p.read(&rel).replace(
        "        create_dropdown_option(",
        "        // liminal:nolint LM403 Sauces exists on every tenant since the takeover\n        create_dropdown_option(",
    );
    p.write(&rel, &text);
    p.run(&["rehash"]).ok();
    let out = p.run(&["check"]);
    out.ok().out_has("1 suppressed");
    let doc = p.run(&["--format", "json", "check"]).ok().json();
    let f = finding(&doc, "LM403");
    assert_eq!(f["suppressed"]["reason"], "Sauces exists on every tenant since the takeover", "{f}");
    assert_eq!(f["line"], 10);
    assert!(doc["problems"].as_array().unwrap().is_empty(), "{doc:#}");

    // A nolint for another code silences nothing.
    p.write(&rel, &p.read(&rel).replace("nolint LM403", "nolint LM101"));
    p.run(&["rehash"]).ok();
    p.run(&["check"]).fails().err_has("error[LM403]");
}

#[test]
fn a_unit_added_to_an_existing_field_is_flagged_by_revision_and_fails_check() {
    let p = Project::init();
    p.write("schemas/pizza.yaml", PIZZA);
    p.run(&["revision", "dev", "pizza"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["check"]).ok();

    p.write("schemas/pizza.yaml", &PIZZA.replace("decimal_places: 2 }", "decimal_places: 2, unit: gram }"));
    let out = p.run(&["revision", "dev", "grams"]);
    out.ok().err_has("warning[LM203]").err_has("error[LM301]");
    let rel = out.stdout.trim().to_string();
    let text = p.read(&rel);
    let down_line = text.lines().position(|l| l.contains("unit: ()")).unwrap() + 1;
    out.err_has(&format!("{rel}:{down_line}:9"));
    let doc = p.run(&["--format", "json", "revision", "--empty", "later"]).ok().json();
    assert_eq!(doc["findings"], serde_json::json!([]));

    // check fails on the downgrade that can never run, once (not again as LM404).
    let doc = p.run(&["--format", "json", "check"]).fails().json();
    let f = finding(&doc, "LM301");
    assert_eq!((f["file"].as_str(), f["line"].as_u64()), (Some(rel.as_str()), Some(down_line as u64)), "{f}");
    assert!(!codes(&doc).contains(&"LM404".to_string()), "{doc:#}");
    assert_eq!(finding(&doc, "LM203")["severity"], "warning");
}

#[test]
fn an_edited_applied_revision_fails_check_until_rehash() {
    let p = Project::init();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese]\n");
    let rel = p.run(&["revision", "dev", "toppings"]).ok().stdout.trim().to_string();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.run(&["check"]).ok();
    assert!(p.read("versions/liminal.sum").contains(&rel["versions/".len()..]));

    // Edited after dev applied it: upgrade has nothing to do, but check notices.
    p.write(&rel, &p.read(&rel).replace("[\"Cheese\"]", "[\"Cheese\", \"Basil\"]"));
    p.run(&["check"]).fails().err_has("error[LM601]").err_has(&format!("{rel}:1:1")).err_has("liminal rehash");
    // Line endings alone are not an edit.
    p.write(&rel, &p.read(&rel).replace("[\"Cheese\", \"Basil\"]", "[\"Cheese\"]").replace('\n', "\r\n"));
    p.run(&["check"]).ok();

    // A file that is not in the sum (hand-written, or from a merge), and one the sum lists that is gone.
    let base = p.base_id();
    let head = p.run(&["head"]).ok().stdout.trim().to_string();
    let extra = p.write_revision(R2, Some(&head), "by_hand", &[], &[]);
    p.run(&["check"]).fails().err_has("error[LM602]").err_has(&extra);
    p.run(&["rehash"]).ok().out_has("1 new or changed");
    p.run(&["check"]).ok();
    std::fs::remove_file(p.file(&format!("versions/{extra}"))).unwrap();
    p.run(&["check"]).fails().err_has("error[LM603]").err_has("versions/liminal.sum:");
    p.run(&["rehash"]).ok();

    // A project from before sum files: a warning that says what to do once (an error with --strict).
    std::fs::remove_file(p.file("versions/liminal.sum")).unwrap();
    p.run(&["check"]).ok().err_has("warning[LM604]").err_has("liminal rehash");
    p.run(&["check", "--strict"]).fails().err_has("error[LM604]");
    p.run(&["rehash"]).ok();
    p.run(&["check", "--strict"]).ok();
    assert!(p.read("versions/liminal.sum").contains(&base));

    // A sum file whose first line no longer adds up (a conflict resolved by hand).
    let sum = p.read("versions/liminal.sum");
    let mut lines: Vec<&str> = sum.lines().collect();
    lines.pop();
    p.write("versions/liminal.sum", &format!("{}\n", lines.join("\n")));
    p.run(&["check"]).fails().err_has("error[LM605]");
}

#[test]
fn two_branches_that_each_add_a_revision_change_the_same_sum_lines() {
    let p = Project::init();
    let before = p.read("versions/liminal.sum");
    let left = p.run(&["revision", "--empty", "left", "--rev-id", "aaaaaaaaaaaa"]).ok().stdout.trim().to_string();
    let left_sum = p.read("versions/liminal.sum");
    std::fs::remove_file(p.file(&left)).unwrap();
    p.write("versions/liminal.sum", &before);
    p.run(&["revision", "--empty", "right", "--rev-id", "bbbbbbbbbbbb"]).ok();
    let right_sum = p.read("versions/liminal.sum");
    // Both change the total (line 1) and add a line at the end: git reports a conflict.
    let first = |s: &str| s.lines().next().unwrap().to_string();
    assert_ne!(first(&left_sum), first(&before));
    assert_ne!(first(&right_sum), first(&before));
    assert_ne!(first(&left_sum), first(&right_sum));
    assert_eq!(left_sum.lines().count(), before.lines().count() + 1);
    assert_eq!(right_sum.lines().count(), before.lines().count() + 1);
}

#[test]
fn destructive_and_incompatible_changes_are_warnings_that_strict_turns_into_errors() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(
        R1,
        Some(&base),
        "archive",
        &[r#"create_dropdown("Toppings", ["Cheese"])"#, r#"archive_dropdown("Toppings")"#],
        &[r#"unarchive_dropdown("Toppings")"#, r#"archive_dropdown("Toppings")"#],
    );
    p.run(&["rehash"]).ok();
    let out = p.run(&["check"]);
    out.ok().err_has("warning[LM103]");
    assert!(!out.stderr.contains("LM101"), "{}", out.dump());
    p.run(&["check", "--strict"]).fails().err_has("error[LM103]");
}

#[test]
fn revision_ids_are_accepted_by_unique_prefix() {
    let p = Project::init();
    let base = p.base_id();
    p.write_revision(R1, Some(&base), "one", &[r#"create_dropdown("A", ["x"])"#], &[r#"archive_dropdown("A")"#]);
    p.write_revision(R2, Some(R1), "two", &[r#"create_dropdown("B", ["x"])"#], &[r#"archive_dropdown("B")"#]);
    p.run(&["rehash"]).ok();
    p.run(&["upgrade", "dev", "aaaaaaaaaa"]).fails().err_has("start of several revision ids").err_has(R1).err_has(R2);
    p.run(&["upgrade", "dev", "aaaaaaaaaaa1"]).ok();
    p.run(&["upgrade", "dev", "aaaaaaaaaaa2"]).ok();
    assert_eq!(p.current(), R2);
    p.run(&["downgrade", "dev", &base[..6]]).ok();
    assert_eq!(p.current(), base);
    p.run(&["upgrade", "dev", "0000000000000"]).fails();
}

#[test]
fn diff_lists_its_lints_at_the_yaml_key_that_asks_for_them() {
    let p = Project::init();
    p.write("schemas/pizza.yaml", PIZZA);
    p.run(&["revision", "dev", "pizza"]).ok();
    p.run(&["upgrade", "dev", "head"]).ok();
    p.write("schemas/pizza.yaml", &PIZZA.replace("decimal_places: 2 }", "decimal_places: 2, required: true }"));
    let out = p.run(&["diff", "dev"]);
    out.code(2).out_has("warning[LM202] schemas/pizza.yaml:7:");
    let doc = p.run(&["diff", "dev", "--json"]).code(2).json();
    let f = &doc["findings"][0];
    assert_eq!(
        (f["code"].as_str(), f["file"].as_str(), f["line"].as_u64()),
        (Some("LM202"), Some("schemas/pizza.yaml"), Some(7)),
        "{doc:#}"
    );
    // A schema removed from the code has no key to point at.
    std::fs::remove_file(p.file("schemas/pizza.yaml")).unwrap();
    let doc = p.run(&["diff", "dev", "--json"]).code(2).json();
    let f = &doc["findings"][0];
    assert_eq!((f["code"].as_str(), &f["file"]), (Some("LM101"), &Value::Null), "{doc:#}");
}
