//! Inspection: `status` over every tenant, `show`, `history --verbose`, `revision --empty`
//! offline and `--rev-id`, `stamp` by prefix.

use std::process::Command;

use crate::common::{Out, Project, run_command};
use crate::emu::emulator;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_every_tenant_with_pending_revisions_and_drift() {
    let emu = emulator().await;
    let p = Project::init();
    p.write(
        "liminal.yaml",
        &format!(
            "tenants:\n  dev:\n    local: .liminal/dev.json\n  test:\n    local: .liminal/test.json\n  emu:\n    url: {}\n    client_id_env: EMU_ID\n    client_secret_env: EMU_SECRET\n",
            emu.url
        ),
    );
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese]\n");
    run(&p, &["revision", "dev", "toppings"]).ok();
    let head = run(&p, &["head"]).ok().stdout.trim().to_string();
    run(&p, &["upgrade", "dev,emu", "head"]).ok();

    let out = run(&p, &["status"]);
    out.ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("tenant") && lines[0].contains("pending"), "{}", out.dump());
    let row = |name: &str| {
        lines.iter().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name}: {}", out.dump())).to_string()
    };
    assert!(row("dev ").contains(&head) && row("dev ").contains("0 (at head)"), "{}", out.dump());
    assert!(row("test").contains("none (base)") && row("test").contains(" 1 "), "{}", out.dump());
    assert!(row("emu").contains("url") && row("emu").contains(&head), "{}", out.dump());

    // Drift: the code moves on without a revision. No run holds a lock.
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese, Basil]\n");
    let doc = run(&p, &["--format", "json", "status", "--drift"]).ok().json();
    let tenants = doc["tenants"].as_array().unwrap();
    let names: Vec<&str> = tenants.iter().map(|t| t["tenant"].as_str().unwrap()).collect();
    assert_eq!(names, ["dev", "emu", "test"], "liminal.yaml's order (sorted keys)");
    for t in tenants {
        assert_eq!(t["drift"]["count"], 1, "{t}");
    }
    assert_eq!(tenants[2]["pending"], 1);
    assert_eq!(tenants[1]["lock"], serde_json::Value::Null, "no run holds emu");
    assert_eq!(doc["head"], head.as_str());

    // Locks: a run holding the local tenant's OS lock, and a lease on the emulator.
    let lock = std::fs::File::create(p.file(".liminal/.dev.json.lock")).unwrap();
    lock.lock().unwrap();
    std::fs::write(p.file(".liminal/.dev.json.lock"), "alice@box pid 4242 for upgrade since 2026-12-01 08:00:00")
        .unwrap();
    let lease = liminal::lock::Lease::new("upgrade");
    {
        use liminal::tenant::Tenant;
        let mut t = emu.tenant();
        t.revision().await.unwrap();
        t.write_remote(&[(liminal::lock::LOCK_FIELD, &lease.to_name())]).await.unwrap();
    }
    let doc = run(&p, &["--format", "json", "status"]).ok().json();
    assert_eq!(doc["tenants"][0]["lock"], "alice@box pid 4242 for upgrade since 2026-12-01 08:00:00", "{doc:#}");
    assert_eq!(doc["tenants"][1]["lock"], lease.describe().as_str(), "{doc:#}");
    assert_eq!(doc["tenants"][2]["lock"], serde_json::Value::Null);
    run(&p, &["status"]).ok().out_has(&format!("lease {} held by", lease.id));
    drop(lock);
    assert_eq!(run(&p, &["--format", "json", "status"]).ok().json()["tenants"][0]["lock"], serde_json::Value::Null);

    // An unreadable tenant is a row with its error, and exit 1.
    p.write(".liminal/test.json", "not json");
    let out = run(&p, &["status"]);
    out.fails().out_has("unreadable").err_has("test:");
}

#[test]
fn show_a_revision_by_prefix_with_its_lints_and_where_tenants_stand() {
    let p = Project::init();
    p.write("schemas/toppings.yaml", "kind: dropdown\nname: Toppings\noptions: [Cheese]\n");
    let rel = p.run(&["revision", "dev", "toppings", "--rev-id", "abcdef012345"]).ok().stdout.trim().to_string();
    assert_eq!(rel, "versions/abcdef012345_toppings.rhai");
    let base = p.base_id();
    let out = p.run(&["show", "abcd", "--tenant", "dev"]);
    out.ok()
        .out_has("revision abcdef012345 (head): toppings")
        .out_has(&format!("parent:   {base}"))
        .out_has(&format!("file:     {rel}"))
        .out_has("upgrade() [1 to create, 0 to update, 0 to archive, 0 to reorder]")
        .out_has("warning[LM103]")
        .out_has("dev: has not applied it yet");
    p.run(&["upgrade", "dev", "abcd"]).ok();
    p.run(&["show", "head", "--tenant", "dev"]).ok().out_has("dev: is at this revision");
    let doc = p.run(&["--format", "json", "show", "abcdef012345", "--tenant", "dev"]).ok().json();
    assert_eq!(doc["down_revision"], base.as_str());
    assert_eq!(doc["tenants"][0]["standing"], "current");
    assert_eq!(doc["functions"][1]["findings"][0]["code"], "LM103");
    assert!(doc["create_date"].as_str().is_some());
    p.run(&["show", "fff"]).fails().err_has("no revision id starts with `fff`");
    p.run(&["show", base.as_str()]).ok().out_has("(base)");
}

#[test]
fn history_verbose_gives_parent_date_file_and_standing() {
    let p = Project::init();
    let base = p.base_id();
    let one = p.run(&["revision", "--empty", "one", "--rev-id", "111111111111"]).ok().stdout.trim().to_string();
    p.run(&["revision", "--empty", "two", "--rev-id", "222222222222"]).ok();
    p.run(&["upgrade", "dev", "1111"]).ok();
    let out = p.run(&["history", "--verbose", "--tenant", "dev"]);
    out.ok();
    let text = out.stdout.clone();
    let block = |id: &str| {
        let start = text.find(&format!("{id} ")).unwrap_or_else(|| panic!("{id}: {text}"));
        text[start..].lines().take(5).collect::<Vec<_>>().join("\n")
    };
    assert!(
        block("222222222222").contains("parent: 111111111111") && block("222222222222").contains("dev: pending"),
        "{text}"
    );
    assert!(
        block("111111111111").contains(&format!("file:   {one}")) && block("111111111111").contains("dev: current"),
        "{text}"
    );
    assert!(block(&base).contains("dev: applied") && block(&base).contains("parent: none"), "{text}");
    assert!(block("111111111111").contains("date:   20"), "{text}");
    let doc = p.run(&["--format", "json", "history", "--tenant", "dev"]).ok().json();
    let standings: Vec<&str> =
        doc["revisions"].as_array().unwrap().iter().map(|r| r["standing"].as_str().unwrap()).collect();
    assert_eq!(standings, ["pending", "current", "applied"]);
}

#[test]
fn revision_empty_works_offline_twice_in_a_row_and_rev_id_is_checked() {
    let p = Project::init();
    let base = p.base_id();
    // No tenant is read or written.
    let first = p.run(&["revision", "--empty", "first by hand"]).ok().stdout.trim().to_string();
    let second = p.run(&["revision", "--empty", "second by hand"]).ok().stdout.trim().to_string();
    assert!(p.tenant_bytes().is_none());
    let id1 = first.trim_start_matches("versions/")[..12].to_string();
    assert!(p.read(&first).contains(&format!("const down_revision = \"{base}\";")));
    assert!(p.read(&second).contains(&format!("const down_revision = \"{id1}\";")));
    p.run(&["check", "--strict"]).ok();

    p.run(&["revision", "--empty", "bad id", "--rev-id", "XYZ"]).fails().err_has("12 lowercase hex");
    p.run(&["revision", "--empty", "taken", "--rev-id", &id1]).fails().err_has("already in the chain");
    p.run(&["revision", "dev"]).fails().err_has("a message is needed");
    assert_eq!(p.revision_files().len(), 3);

    // stamp by prefix; an ambiguous prefix names the candidates.
    p.run(&["revision", "--empty", "a", "--rev-id", "aaaa00000001"]).ok();
    p.run(&["revision", "--empty", "b", "--rev-id", "aaaa00000002"]).ok();
    p.run(&["stamp", "dev", "aaaa"]).fails().err_has("aaaa00000001").err_has("aaaa00000002");
    p.run(&["stamp", "dev", "aaaa00000001"]).ok();
    assert_eq!(p.current(), "aaaa00000001");
}
