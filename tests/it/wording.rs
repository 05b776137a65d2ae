//! The text of the common errors, as a person reads it (snapshots, reviewed like code): the
//! user's words, one place per message, "did you mean" where a near miss is likely. Update
//! with `INSTA_UPDATE=always cargo test --test it wording` and review the diff.

use crate::common::Project;

const PIZZA: &str =
    "kind: entity_schema\nname: Pizza\nwarehouse_name: pizza\nprefix: PZ\nentity_type: custom_entity\nfields:\n";
const TOPPINGS: &str = "kind: dropdown\nname: Toppings\noptions: [Cheese, Pepperoni]\n";

/// stderr of `args` in a fresh project with `files` written.
fn stderr(files: &[(&str, &str)], args: &[&str]) -> String {
    let p = Project::init();
    for (path, text) in files {
        p.write(path, text);
    }
    let out = p.run(args);
    assert_ne!(out.code, 0, "{}", out.dump());
    out.stderr.clone()
}

fn field(line: &str) -> String {
    format!("{PIZZA}  - {line}\n")
}

#[test]
fn yaml_mistakes() {
    let cases = [
        ("unknown_key_typo", field("{ warehouse_nam: crust, name: Crust, type: text }")),
        ("enum_value_typo", PIZZA.replace("custom_entity", "custom_entty")),
        ("field_type_typo", field("{ warehouse_name: crust, name: Crust, type: txt }")),
        ("not_a_number", field("{ warehouse_name: w, name: W, type: decimal, decimal_places: two }")),
        ("not_a_boolean", field("{ warehouse_name: w, name: W, type: text, required: yes }")),
        ("not_a_list", "kind: dropdown\nname: Toppings\noptions: Cheese\n".to_string()),
        (
            "dropdown_typo",
            format!("{}---\n{TOPPINGS}", field("{ warehouse_name: t, name: T, type: dropdown, dropdown: Topings }")),
        ),
        ("link_typo", field("{ warehouse_name: d, name: D, type: entity_link, entity_link: piza }")),
        ("unit_not_in_the_tenant", field("{ warehouse_name: w, name: W, type: decimal, unit: grams }")),
    ];
    for (name, text) in cases {
        insta::assert_snapshot!(name, stderr(&[("schemas/pizza.yaml", &text)], &["diff", "dev"]));
    }
}

#[test]
fn duplicates_point_at_both_places() {
    let twice = format!("{TOPPINGS}---\n{TOPPINGS}");
    insta::assert_snapshot!("duplicate_in_one_file", stderr(&[("schemas/toppings.yaml", &twice)], &["diff", "dev"]));
    insta::assert_snapshot!(
        "duplicate_in_two_files",
        stderr(&[("schemas/a.yaml", TOPPINGS), ("schemas/b.yaml", TOPPINGS)], &["diff", "dev"])
    );
}

#[test]
fn project_and_command_line_mistakes() {
    let prod = "  prod:\n    url: https://pizzahouse.benchling.com\n    api_key_env: PROD_KEY\n";
    let p = Project::init();
    let config = p.read("liminal.yaml");
    p.write("liminal.yaml", &format!("{config}{prod}"));
    insta::assert_snapshot!("unknown_tenant", p.run(&["diff", "prd"]).fails().stderr.clone());
    insta::assert_snapshot!("unknown_command", p.run(&["chek"]).fails().stderr.clone());
    p.write("liminal.yaml", &format!("{config}{}", prod.replace("https://", "")));
    insta::assert_snapshot!("url_without_scheme", p.run(&["current", "prod"]).fails().stderr.clone());
    p.write("liminal.yaml", &config.replace("schemas: schemas", "schemas: nowhere"));
    insta::assert_snapshot!("missing_schemas_folder", p.run(&["diff", "dev"]).fails().stderr.clone());
    p.write("liminal.yaml", &format!("{config}  dev:\n    local: .liminal/other.json\n"));
    insta::assert_snapshot!("tenant_defined_twice", p.run(&["diff", "dev"]).fails().stderr.clone());
    p.write("liminal.yaml", &format!("{config}{}", prod.replace("api_key_env", "api_key_var")));
    insta::assert_snapshot!("unknown_key_in_config", p.run(&["diff", "dev"]).fails().stderr.clone());
}

#[test]
fn revision_mistakes() {
    let cases = [
        ("unknown_function", r#"create_dropdwn("Sizes", ["S"])"#),
        ("wrong_argument_type", r#"archive_field("pizza", 3)"#),
        (
            "bad_value_in_a_map",
            r#"create_schema(#{ name: "Box", warehouse_name: "box", prefix: "BX", entity_type: "custom_entty" })"#,
        ),
        ("unknown_key_in_a_map", r#"create_field("pizza", #{ warehouse_name: "w", name: "W", typ: "text" }, 0)"#),
    ];
    for (name, call) in cases {
        let p = Project::init();
        p.write_revision("aaaaaaaaaaaa", Some(&p.base_id()), "bad", &[call], &[]);
        insta::assert_snapshot!(name, p.run(&["upgrade", "dev", "head"]).fails().stderr.clone());
    }
}

/// `check --tenant` reports a unit the tenant lacks once, at the YAML key (the diff that fails
/// on it was a second report, with a help line about a revision script).
#[test]
fn a_unit_the_tenant_lacks_is_one_finding_in_check() {
    let text = field("{ warehouse_name: w, name: W, type: decimal, unit: grams }");
    let err = stderr(&[("schemas/pizza.yaml", &text)], &["check", "--tenant", "dev"]);
    assert_eq!(err.matches('×').count(), 1, "one error: {err}");
    let flat = err.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(flat.contains("unit `grams` is not in tenant `dev`'s unit dictionary"), "{err}");
    assert!(flat.contains("did you mean `gram`?"), "{err}");
}
