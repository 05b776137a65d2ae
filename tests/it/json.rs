//! The JSON contract: under `--format json` every command prints exactly one JSON document on
//! stdout (errors too, as `{"error": …}` with structured problems), `diff --json` is an alias,
//! `--help` and `--version` are documents, `emulator` prints one JSON line, `completions`
//! refuses.

use std::io::BufRead;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{Out, Project};

/// The keys of every error and problem object.
const ERROR_KEYS: [&str; 6] = ["message", "code", "help", "file", "line", "column"];

#[track_caller]
fn error_of(out: &Out) -> Value {
    out.fails();
    let doc = out.json();
    let error = doc["error"].clone();
    for key in ERROR_KEYS.iter().chain(&["problems"]) {
        assert!(error.get(key).is_some(), "error lacks `{key}`: {doc}");
    }
    for p in error["problems"].as_array().expect("problems is a list") {
        for key in ERROR_KEYS {
            assert!(p.get(key).is_some(), "problem lacks `{key}`: {doc}");
        }
    }
    error
}

fn json(p: &Project, args: &[&str]) -> Out {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    p.run(&all)
}

/// The commands `liminal --help` lists.
fn commands(p: &Project) -> Vec<String> {
    let help = p.run(&["--help"]).ok().stdout.clone();
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_prints_one_json_document() {
    let p = Project::empty();
    let mut covered = vec!["init"];
    json(&p, &["init"]).ok().json();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese]\n");
    let runs: Vec<(&str, Vec<&str>, i32)> = vec![
        ("head", vec!["head"], 0),
        ("current", vec!["current", "dev"], 0),
        ("history", vec!["history", "--tenant", "dev"], 0),
        ("check", vec!["check"], 0),
        ("diff", vec!["diff", "dev"], 2),
        ("revision", vec!["revision", "dev", "toppings"], 0),
        ("upgrade", vec!["upgrade", "dev", "head", "--dry-run"], 0),
        ("upgrade", vec!["upgrade", "dev", "head"], 0),
        ("downgrade", vec!["downgrade", "dev", "-1"], 0),
        ("stamp", vec!["stamp", "dev", "head"], 0),
        ("unlock", vec!["unlock", "dev", "0123abcd"], 1),
        ("rehash", vec!["rehash"], 0),
        ("show", vec!["show", "head"], 0),
        ("status", vec!["status"], 0),
        ("generate-files", vec!["generate-files", "dev"], 0),
        ("json-schema", vec!["json-schema"], 0),
        ("rhai-definitions", vec!["rhai-definitions"], 0),
        // Refuses: versions/ holds a chain of its own (the success case is in `import`).
        ("import", vec!["import", "py"], 1),
    ];
    p.write("py/liminal/env.py", "from shop import *\n");
    std::fs::create_dir_all(p.file("py/liminal/versions")).expect("versions folder");
    for (name, args, code) in &runs {
        let out = json(&p, args);
        out.code(*code).json();
        covered.push(name);
    }
    // Exempt: `completions` refuses (a shell script is not JSON), `emulator` prints one JSON
    // line and serves (`the_emulator_prints_one_json_line`).
    covered.extend(["completions", "emulator"]);
    error_of(&json(&p, &["completions", "bash"]));
    for c in commands(&p) {
        assert!(covered.contains(&c.as_str()), "`{c}` is not covered by the JSON contract test");
    }
}

#[test]
fn help_and_version_are_documents_and_usage_errors_are_structured() {
    let p = Project::empty();
    let version = json(&p, &["--version"]).ok().json();
    assert_eq!(version, json!({ "name": "liminal", "version": env!("CARGO_PKG_VERSION") }));
    let help = json(&p, &["upgrade", "--help"]).ok().json();
    assert!(help["help"].as_str().unwrap_or_default().contains("Usage: liminal upgrade"), "{help}");
    let error = error_of(&json(&p, &["chek"]));
    assert_eq!(error["code"], "usage");
    assert!(error["help"].as_str().unwrap_or_default().contains("'check'"), "did you mean: {error}");
}

#[test]
fn diff_json_is_format_json_errors_included() {
    let p = Project::init();
    let a = p.run(&["diff", "dev", "--json"]);
    let b = json(&p, &["diff", "dev"]);
    assert_eq!(a.ok().json(), b.ok().json());
    let error = error_of(&p.run(&["diff", "nope", "--json"]));
    assert!(error["message"].as_str().unwrap_or_default().contains("unknown tenant `nope`"), "{error}");
}

#[test]
fn located_errors_are_data() {
    let p = Project::init();
    p.write("schemas/bad.yaml", "kind: dropdown\nname: A\noptions: [x]\ncolour: red\n---\nkind: table\n");
    for args in [&["diff", "dev"][..], &["revision", "dev", "x"]] {
        let error = error_of(&json(&p, args));
        let problems = error["problems"].as_array().expect("problems");
        assert_eq!(problems.len(), 2, "{error}");
        assert_eq!(problems[0]["file"], "schemas/bad.yaml");
        assert_eq!((&problems[0]["line"], &problems[0]["column"]), (&json!(4), &json!(1)));
        assert!(problems[0]["message"].as_str().unwrap_or_default().starts_with("unknown key `colour`"));
        assert!(problems[0]["help"].as_str().is_some());
        assert_eq!(problems[0]["code"], "yaml::unknown-key");
        assert_eq!(problems[1]["line"], 6);
        assert_eq!(problems[1]["code"], "yaml::unknown-value");
    }
    // One problem at one place: the place is the error's own.
    std::fs::remove_file(p.file("schemas/bad.yaml")).expect("remove");
    p.write_revision("aaaaaaaaaaaa", Some(&p.base_id()), "bad", &["archive_schema(1)"], &[]);
    let error = error_of(&json(&p, &["upgrade", "dev", "head"]));
    assert!(error["file"].as_str().unwrap_or_default().ends_with("aaaaaaaaaaaa_bad.rhai"), "{error}");
    assert_eq!(error["line"], 9, "{error}");
}

#[test]
fn the_emulator_prints_one_json_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liminal"))
        .args(["--format", "json", "emulator", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let mut line = String::new();
    let read = std::io::BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.expect("a line");
    let doc: Value = serde_json::from_str(&line).expect("one JSON line");
    assert!(doc["listening"].as_str().unwrap_or_default().starts_with("http://127.0.0.1:"), "{doc}");
}
