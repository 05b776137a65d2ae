//! Plans: summaries by kind and lints in `--dry-run` and real runs, the confirmation a
//! destructive plan needs on a Benchling tenant, and several tenants in one command.

use std::process::Command;

use crate::common::{Out, Project, run_command};
use crate::emu::{Emu, emulator};

/// A project with the local tenant `dev` and `emu`, the emulator over HTTP.
fn project_with_emulator(emu: &Emu) -> Project {
    let p = Project::init();
    p.write(
        "liminal.yaml",
        &format!(
            "tenants:\n  dev:\n    local: .liminal/dev.json\n  emu:\n    url: {}\n    client_id_env: EMU_ID\n    client_secret_env: EMU_SECRET\n",
            emu.url
        ),
    );
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese, Pepperoni]\n");
    p
}

/// The binary with the emulator's credentials in the environment.
fn run(p: &Project, args: &[&str]) -> Out {
    run_command(
        Command::new(env!("CARGO_BIN_EXE_liminal"))
            .args(args)
            .current_dir(p.path())
            .env("EMU_ID", "liminal")
            .env("EMU_SECRET", "liminal"),
        args,
    )
}

fn current(p: &Project, tenant: &str) -> String {
    run(p, &["current", tenant]).ok().stdout.trim().to_string()
}

#[test]
fn dry_runs_and_real_runs_print_a_summary_by_kind_and_coded_hazards() {
    let p = Project::init();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese, Pepperoni]\n");
    p.run(&["revision", "dev", "toppings"]).ok();
    let dry = p.run(&["upgrade", "dev", "head", "--dry-run"]);
    dry.ok()
        .out_has("[1 to create, 0 to update, 0 to archive, 0 to reorder]")
        .out_has("Plan: 1 to create, 0 to update, 0 to archive, 0 to reorder.");
    let up = p.run(&["upgrade", "dev", "head"]);
    up.ok().out_has("Plan: 1 to create").out_has("Upgraded dev");

    let down = p.run(&["downgrade", "dev", "-1", "--dry-run"]);
    down.ok().out_has("Plan: 0 to create, 0 to update, 1 to archive, 0 to reorder.").out_has("warning[LM103]");
    let doc = p.run(&["--format", "json", "downgrade", "dev", "-1", "--dry-run"]).ok().json();
    assert_eq!(doc["plan"]["summary"]["archive"], 1, "{doc:#}");
    assert_eq!(doc["plan"]["destructive"], true);
    let f = &doc["plan"]["revisions"][0]["findings"][0];
    assert_eq!((f["code"].as_str(), f["severity"].as_str()), (Some("LM103"), Some("warning")), "{f}");
    assert!(f["file"].as_str().unwrap().starts_with("versions/") && f["line"].as_u64().is_some(), "{f}");
    assert_eq!(doc["revisions"][0]["operations"][0]["lints"][0], "LM103");
    // Colours only when asked for (or on a terminal): the test's stdout is a pipe.
    assert!(!down.stdout.contains('\x1b'), "{}", down.dump());
    let coloured = p.run(&["--color", "always", "downgrade", "dev", "-1", "--dry-run"]);
    coloured.ok().out_has("\x1b[31m1 to archive\x1b[0m").out_has("\x1b[33mwarning[LM103]\x1b[0m");
    // The local tenant never asks.
    p.run(&["downgrade", "dev", "-1"]).ok().out_has("warning[LM103]").out_has("Downgraded dev");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destructive_plan_on_benchling_needs_yes_without_a_terminal() {
    let emu = emulator().await;
    let p = project_with_emulator(&emu);
    run(&p, &["revision", "emu", "toppings"]).ok();
    let base = p.base_id();
    let head = run(&p, &["head"]).ok().stdout.trim().to_string();
    run(&p, &["upgrade", "emu", "head"]).ok();

    // Archiving on Benchling with no terminal to ask: refused before any write.
    let out = run(&p, &["downgrade", "emu", "base"]);
    out.fails().err_has("archives 1 item").err_has("--yes");
    assert_eq!(current(&p, "emu"), head);
    // A dry run never asks.
    run(&p, &["downgrade", "emu", "base", "--dry-run"]).ok();
    run(&p, &["downgrade", "emu", "base", "--yes"]).ok().out_has("Downgraded emu");
    assert_eq!(current(&p, "emu"), base);
    // Nothing destructive: no question.
    run(&p, &["upgrade", "emu", "head"]).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_tenants_run_in_order_and_stop_at_the_first_failure() {
    let emu = emulator().await;
    let p = project_with_emulator(&emu);
    run(&p, &["revision", "dev", "toppings"]).ok();
    let base = p.base_id();
    let head = run(&p, &["head"]).ok().stdout.trim().to_string();

    // An unknown name anywhere stops the command before the first tenant is touched.
    run(&p, &["upgrade", "dev,prod", "head"]).fails().err_has("unknown tenant `prod`");
    assert_eq!(current(&p, "dev"), base);
    run(&p, &["upgrade", "dev,dev", "head"]).fails().err_has("named twice");

    let out = run(&p, &["upgrade", "dev,emu", "head"]);
    out.ok().out_has("Upgraded dev").out_has("Upgraded emu");
    assert!(out.stdout.find("Upgraded dev") < out.stdout.find("Upgraded emu"), "{}", out.dump());
    assert_eq!((current(&p, "dev"), current(&p, "emu")), (head.clone(), head.clone()));

    // JSON: one document for all of them.
    let doc = run(&p, &["--format", "json", "downgrade", "emu,dev", "base", "--dry-run"]).ok().json();
    let tenants: Vec<&str> = doc["tenants"].as_array().unwrap().iter().map(|t| t["tenant"].as_str().unwrap()).collect();
    assert_eq!(tenants, ["emu", "dev"]);

    // dev fails (its file is not a tenant): emu, after it, is not run.
    run(&p, &["downgrade", "emu,dev", "base", "--yes"]).ok();
    p.write(".liminal/dev.json", "not json");
    let out = run(&p, &["--format", "json", "upgrade", "dev,emu", "head"]);
    let doc = out.fails().json();
    assert_eq!(doc["failed"]["tenant"], "dev", "{doc:#}");
    assert_eq!(doc["not_run"], serde_json::json!(["emu"]));
    out.err_has("Stopped at dev: emu not run.");
    assert_eq!(current(&p, "emu"), base);
}

/// The binary on a pseudo-terminal (util-linux `script`), `answer` typed on it.
fn on_terminal(p: &Project, command: &str, answer: &str) -> Option<Out> {
    use std::io::Write;
    let bin = env!("CARGO_BIN_EXE_liminal");
    let mut child = Command::new("script")
        .args(["-qec", &format!("{bin} {command}"), "/dev/null"])
        .current_dir(p.path())
        .env("EMU_ID", "liminal")
        .env("EMU_SECRET", "liminal")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(answer.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    Some(Out::from_output(output, command))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_a_destructive_plan_asks_and_only_yes_applies_it() {
    let emu = emulator().await;
    let p = project_with_emulator(&emu);
    run(&p, &["revision", "emu", "toppings"]).ok();
    let head = run(&p, &["head"]).ok().stdout.trim().to_string();
    run(&p, &["upgrade", "emu", "head"]).ok();
    let Some(no) = on_terminal(&p, "downgrade emu base", "no\n") else {
        eprintln!("no `script` to give the command a terminal: skipped");
        return;
    };
    no.fails().out_has("Apply it? Only `yes` is accepted").out_has("not confirmed");
    assert_eq!(current(&p, "emu"), head);
    let yes = on_terminal(&p, "downgrade emu base", "yes\n").expect("script ran once");
    yes.ok().out_has("Downgraded emu");
    assert_eq!(current(&p, "emu"), p.base_id());
}
