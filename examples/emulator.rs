//! Run the Benchling API emulator until Ctrl-C, as `liminal emulator` will:
//!
//! ```text
//! cargo run --example emulator -- [--port P] [--state FILE] [--client-id ID] [--client-secret S] [--token-ttl SECS]
//! ```
//!
//! Prints `listening on http://127.0.0.1:P` once it accepts requests. Used by
//! `tests/python/run_liminal_cycle.sh` to run the Python liminal client against the emulator.

use std::process::ExitCode;

use liminal::emulator::{EmulatorConfig, run};

fn parse(args: &[String]) -> Result<EmulatorConfig, String> {
    let mut config = EmulatorConfig::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => config.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--state" => config.state_file = Some(value()?.into()),
            "--client-id" => config.client_id = value()?,
            "--client-secret" => config.client_secret = value()?,
            "--token-ttl" => config.token_ttl_secs = value()?.parse().map_err(|e| format!("--token-ttl: {e}"))?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}\nhelp: {}", e.help());
            ExitCode::FAILURE
        }
    }
}
