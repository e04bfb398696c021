//! `attio-auth completions <shell>`: a completion script generated from the command-line
//! definition, so it can never disagree with the real flags.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::output;

pub fn run(shell: Shell) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "attio-auth", &mut script);
    output::raw(&script)?;
    Ok(())
}
