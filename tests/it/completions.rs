//! Dynamic shell completion: the scripts of `liminal completions <shell>` call back into the
//! binary, which answers with the tenants, revision ids and descriptors of the project in the
//! current folder.

use std::process::Command;

use crate::common::{Out, Project, run_command};

fn project() -> Project {
    let p = Project::init();
    let mut config = p.read("liminal.yaml");
    config.push_str(
        "  prod:\n    url: https://pizzahouse.benchling.com\n    api_key_env: PROD_KEY\n    alias: production\n",
    );
    p.write("liminal.yaml", &config);
    p
}

/// A completion request as the shell `shell` sends it, for the words of `line` (the last one
/// is being completed).
fn complete(p: &Project, shell: &str, line: &[&str]) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_liminal"));
    cmd.current_dir(p.path()).env("COMPLETE", shell).arg("--").args(line);
    cmd.env("_CLAP_COMPLETE_INDEX", (line.len() - 1).to_string());
    run_command(&mut cmd, line)
}

/// The candidates, without the help text (fish: after a tab, zsh: after a colon).
fn values(out: &Out) -> Vec<String> {
    out.stdout.lines().map(|l| l.split(['\t', ':']).next().unwrap_or_default().to_string()).collect()
}

#[test]
fn tenant_names_and_aliases_complete_in_bash_zsh_and_fish() {
    let p = project();
    for shell in ["bash", "zsh", "fish"] {
        for line in [vec!["liminal", "upgrade", ""], vec!["liminal", "check", "--tenant", ""]] {
            let out = complete(&p, shell, &line);
            out.ok();
            let got = values(&out);
            for tenant in ["dev", "prod", "production"] {
                assert!(got.contains(&tenant.to_string()), "{shell} {line:?}: {got:?}");
            }
        }
        let got = values(complete(&p, shell, &["liminal", "diff", "pr"]).ok());
        assert_eq!(got, vec!["prod", "production"], "{shell}");
        // A list of tenants (`upgrade dev,prod head`) completes its next item.
        let got = values(complete(&p, "fish", &["liminal", "upgrade", "dev,pr"]).ok());
        assert_eq!(got, vec!["dev,prod", "dev,production"]);
    }
}

#[test]
fn targets_complete_with_descriptors_and_revision_ids() {
    let p = project();
    let base = p.base_id();
    let up = values(complete(&p, "fish", &["liminal", "upgrade", "dev", ""]).ok());
    for v in ["head", "+1", base.as_str()] {
        assert!(up.contains(&v.to_string()), "{up:?}");
    }
    let down = values(complete(&p, "fish", &["liminal", "downgrade", "dev", ""]).ok());
    for v in ["base", "-1", base.as_str()] {
        assert!(down.contains(&v.to_string()), "{down:?}");
    }
    // fish shows the revision's message beside its id.
    assert!(
        complete(&p, "fish", &["liminal", "stamp", "dev", ""])
            .stdout
            .contains(&format!("{base}\tInitial init revision"))
    );
}

/// The bash script itself, sourced in bash, completes tenant names.
#[test]
fn the_bash_script_completes_tenant_names() {
    let p = project();
    let script = p.run(&["completions", "bash"]).ok().stdout.clone();
    p.write("complete.bash", &script);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_liminal")).parent().expect("bin folder").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let test = r#"source complete.bash; COMP_WORDS=(liminal upgrade ""); COMP_CWORD=2; COMP_TYPE=9; _clap_complete_liminal liminal "" upgrade; printf '%s\n' "${COMPREPLY[@]}""#;
    let out = run_command(Command::new("bash").arg("-c").arg(test).current_dir(p.path()).env("PATH", path), &["bash"]);
    out.ok();
    for tenant in ["dev", "prod", "production"] {
        assert!(out.stdout.lines().any(|l| l == tenant), "{}", out.dump());
    }
}

#[test]
fn completion_scripts_call_back_and_refuse_json() {
    let p = project();
    for shell in ["bash", "zsh", "fish"] {
        p.run(&["completions", shell]).ok().out_has("COMPLETE=");
    }
    let out = p.run(&["--format", "json", "completions", "bash"]);
    out.fails();
    assert!(out.json()["error"]["message"].as_str().unwrap_or_default().contains("shell script"), "{}", out.dump());
}
