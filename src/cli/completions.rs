//! `liminal completions <shell>`.

use clap::CommandFactory;
use miette::Report;

use super::{Cli, Done};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<Done, Report> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "liminal", &mut std::io::stdout());
    Ok(Done::OK)
}
