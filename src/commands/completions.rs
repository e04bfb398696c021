//! `attio-auth completions <shell>`: a completion script generated from the command-line
//! definition, so it can never disagree with the real flags.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::output;

pub fn run(shell: Shell) -> Result<()> {
    output::raw(&script(shell))?;
    Ok(())
}

/// The script for one shell.
fn script(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "attio-auth", &mut script);
    if shell == Shell::Bash {
        // clap_complete sets `cmd="attio__auth__subcmd__login"` but labels the case
        // branches `attio__subcmd__auth__subcmd__login` (it turns the hyphen in the
        // binary's name into a subcommand separator there), so below the top level bash
        // completed nothing. One spelling for both.
        let text = String::from_utf8_lossy(&script).replace("attio__subcmd__auth", "attio__auth");
        return text.into_bytes();
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bash_case_label_is_a_value_cmd_is_set_to() {
        let text = String::from_utf8(script(Shell::Bash)).unwrap();
        let set: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .map(|l| l.trim_end_matches('"'))
            .collect();
        let labels: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("attio__") && l.ends_with(')') && !l.contains(','))
            .map(|l| l.trim_end_matches(')'))
            .collect();
        assert!(labels.len() > 10, "{labels:?}");
        for label in labels {
            assert!(set.contains(&label), "case label {label} is never reached");
        }
    }
}
