//! What a person sees during network work: plain progress lines on stderr when stderr is not a
//! terminal or `CI` is set (reads counted, each write, task polls, rate-limit waits), an
//! unreachable host given up on quickly and named, and `--color` / `NO_COLOR`.

use std::process::Command;

use serde_json::json;

use crate::common::{Out, Project, run_command};
use crate::emu::emulator;

/// A project whose tenant `emu` is the emulator at `url` and `dead` a closed loopback port.
fn project(url: &str, dead_port: u16) -> Project {
    let p = Project::init();
    let mut config = p.read("liminal.yaml");
    config.push_str(&format!(
        "  emu:\n    url: {url}\n    client_id_env: EMU_ID\n    client_secret_env: EMU_SECRET\n  dead:\n    url: http://127.0.0.1:{dead_port}\n    api_key_env: EMU_SECRET\n"
    ));
    p.write("liminal.yaml", &config);
    p
}

/// Run the binary in `p` with the emulator's credentials and `CI=1`, off the async runtime (the
/// emulator serves on it meanwhile).
async fn run(p: &Project, args: &[&str]) -> Out {
    let dir = p.path().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_liminal"));
        cmd.args(&args).current_dir(dir).env("EMU_ID", "liminal").env("EMU_SECRET", "liminal").env("CI", "1");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run_command(&mut cmd, &refs)
    })
    .await
    .expect("the binary ran")
}

/// A slow answer is not silent: "still reading … [N s elapsed]" every `LIMINAL_PROGRESS_EVERY`
/// seconds (10 by default; 0.2 here, with answers 0.6 s late).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_wait_says_it_is_still_going_with_the_elapsed_time() {
    let emu = emulator().await;
    let p = project(&emu.url, closed_port());
    emu.faults(json!({ "latency_ms": 600 })).await;
    let dir = p.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_liminal"));
        cmd.args(["current", "emu"]).current_dir(dir).env("EMU_ID", "liminal").env("EMU_SECRET", "liminal");
        cmd.env("CI", "1").env("LIMINAL_PROGRESS_EVERY", "0.2");
        run_command(&mut cmd, &["current", "emu"])
    })
    .await
    .expect("ran");
    out.ok();
    let still = out.stderr.lines().find(|l| l.starts_with("still reading emu")).unwrap_or_default();
    assert!(still.ends_with(" elapsed]"), "{}", out.dump());
}

/// A loopback port nothing listens on.
/// A port nothing listens on. Not a freed ephemeral port: the emulators of tests running
/// alongside take those, and one may take it again. Port 1 (tcpmux) is below 1024, where
/// nothing unprivileged can listen, and nothing on a test machine serves it.
fn closed_port() -> u16 {
    1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_rate_limited_tenant_says_what_is_happening() {
    let emu = emulator().await;
    let p = project(&emu.url, closed_port());
    emu.faults(json!({ "fail_next": 3, "status": 429, "reset_secs": 0, "latency_ms": 20 })).await;
    let out = run(&p, &["diff", "emu"]).await;
    out.ok().out_has("in sync");
    out.err_has("reading emu…");
    assert_eq!(out.stderr.matches("rate limited by Benchling, retrying in 0.0 s").count(), 3, "{}", out.dump());
    for n in 1..=3 {
        out.err_has(&format!("(retry {n} of 6)"));
    }
    let summary = out.stderr.lines().find(|l| l.starts_with("read emu: ")).unwrap_or_default();
    assert!(summary.ends_with(" s") && summary.contains(" requests in "), "{}", out.dump());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_and_task_polls_are_reported_one_line_each() {
    let emu = emulator().await;
    let p = project(&emu.url, closed_port());
    p.write(
        "schemas/box.yaml",
        "kind: entity_schema\nname: Box\nwarehouse_name: box\nprefix: BX\nentity_type: custom_entity\nfields:\n  - {warehouse_name: a, name: A, type: text}\n---\nkind: dropdown\nname: Size\noptions: [S, M]\n",
    );
    run(&p, &["revision", "emu", "box"]).await.ok();
    emu.faults(json!({ "tasks_in_progress": 2 })).await;
    let out = run(&p, &["upgrade", "emu", "head"]).await;
    out.ok();
    out.err_has("emu: POST /api/v2/dropdowns -> 200").err_has("emu: POST /api/v3/custom-entity-schema -> 201");
    out.err_has(":set-field-definitions -> 202");
    for polls in ["1 poll,", "2 polls,", "3 polls,"] {
        out.err_has(&format!("emu: polled Benchling's task ({polls}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_host_fails_after_two_quick_retries_naming_the_host() {
    let emu = emulator().await;
    let port = closed_port();
    let p = project(&emu.url, port);
    let out = run(&p, &["current", "dead"]).await;
    out.fails();
    let host = format!("cannot reach 127.0.0.1:{port}");
    assert_eq!(out.stderr.matches(&format!("{host} (tenant dead)")).count(), 2, "{}", out.dump());
    out.err_has("retrying in 0.").err_has("(retry 2 of 2)").err_has(&host).err_has("(3 attempts)");
    let doc = run(&p, &["--format", "json", "current", "dead"]).await;
    let error = doc.fails().json()["error"].clone();
    assert!(error["message"].as_str().unwrap_or_default().contains(&host), "{}", doc.dump());
    assert_eq!(error["code"], "tenant::http", "{}", doc.dump());
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let p = Project::init();
    p.write("schemas/bad.yaml", "kind: dropdown\nname: X\ncolour: red\noptions: [a]\n");
    let esc = "\u{1b}[";
    assert!(p.run(&["--color", "always", "check"]).fails().stderr.contains(esc));
    assert!(p.run(&["check", "--color=always"]).fails().stderr.contains(esc));
    assert!(!p.run(&["--color", "never", "check"]).fails().stderr.contains(esc));
    assert!(!p.run(&["check"]).fails().stderr.contains(esc), "not a terminal: no colours");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liminal"));
    cmd.args(["--color", "auto", "check"]).current_dir(p.path()).env("NO_COLOR", "1");
    let out = run_command(&mut cmd, &["check"]);
    assert!(!out.fails().stderr.contains(esc));
    // clap's own errors follow the flag too.
    assert!(p.run(&["--color", "always", "nope"]).fails().stderr.contains(esc));
}

/// On a terminal (a PTY from util-linux `script`), the same run draws a spinner that says what
/// it reads, and clears it before the results are printed. Skipped where `script` is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_a_spinner_says_what_is_read() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` to run under a PTY");
        return;
    }
    let emu = emulator().await;
    let p = project(&emu.url, closed_port());
    emu.faults(json!({ "fail_next": 1, "status": 429, "reset_secs": 0, "latency_ms": 20 })).await;
    let dir = p.path().to_path_buf();
    let line = format!("{} diff emu", env!("CARGO_BIN_EXE_liminal"));
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .current_dir(dir)
            .env("EMU_ID", "liminal")
            .env("EMU_SECRET", "liminal")
            .env_remove("CI");
        run_command(&mut cmd, &["script"])
    })
    .await
    .expect("ran");
    out.ok();
    // Everything comes through the one PTY: the spinner's frames, the retry line, the result.
    assert!(out.stdout.contains("reading emu: "), "{}", out.dump());
    assert!(out.stdout.contains("rate limited by Benchling, retrying in"), "{}", out.dump());
    assert!(out.stdout.contains("\u{1b}[2K"), "the spinner is redrawn in place: {}", out.dump());
    assert!(out.stdout.contains("emu is in sync with the code."), "{}", out.dump());
    assert!(!out.stdout.contains("read emu: "), "no plain summary on a terminal for a short read");
}
