//! `liminal emulator`: Benchling's API (the part migrations use) on 127.0.0.1.

use std::path::PathBuf;

use miette::Report;

use std::io::Write;

use super::{Done, Ui};
use crate::emulator::{EmulatorConfig, shutdown_signal, spawn};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Port on 127.0.0.1 (0: any free port)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Keep the tenant in this JSON file across restarts (default: in memory)
    #[arg(long)]
    state: Option<PathBuf>,
    /// OAuth2 client id the token endpoint accepts
    #[arg(long, default_value = "liminal", requires = "client_secret")]
    client_id: String,
    /// OAuth2 client secret the token endpoint accepts (also accepted as an API key)
    #[arg(long, default_value = "liminal")]
    client_secret: String,
    /// Lifetime of issued tokens, in seconds
    #[arg(long, default_value_t = 900)]
    token_ttl: u64,
    /// Allow custom warehouse names, as Benchling's SCHEMAS_ENABLE_CHANGE_WAREHOUSE_NAME does
    /// (kept in the state file)
    #[arg(long)]
    custom_warehouse_names: bool,
}

/// Serve until Ctrl-C or SIGTERM. The one line on stdout says where: `listening on URL`, or
/// with `--format json` one JSON line `{"listening": URL}` (a tool reads it and connects).
pub(super) async fn run(args: Args, ui: &Ui) -> Result<Done, Report> {
    let config = EmulatorConfig {
        port: args.port,
        state_file: args.state,
        client_id: args.client_id,
        client_secret: args.client_secret,
        token_ttl_secs: args.token_ttl,
        custom_warehouse_names: args.custom_warehouse_names,
    };
    let failed = Report::new;
    let running = spawn(config).await.map_err(failed)?;
    let url = running.url();
    let line =
        if ui.json() { serde_json::json!({ "listening": url }).to_string() } else { format!("listening on {url}") };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    shutdown_signal().await;
    running.stop().await.map_err(failed)?;
    Ok(Done::OK)
}
