//! `attio-auth completions <shell>`: a completion script generated from the command-line
//! definition, so it can never disagree with the real flags.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{COMPLETE_PROFILES, Cli};
use crate::output;

pub fn run(shell: Shell) -> Result<()> {
    output::raw(&script(shell))?;
    Ok(())
}

/// The script for one shell: clap_complete's, plus (bash, zsh, fish) the stored profiles'
/// names as the values of `--profile` and of `switch`, which a script generated once
/// cannot know: it asks `attio-auth __complete-profiles` each time.
fn script(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "attio-auth", &mut script);
    let text = String::from_utf8_lossy(&script);
    match shell {
        Shell::Bash => bash(&text),
        Shell::Zsh => zsh(&text),
        Shell::Fish => fish(&text),
        _ => text.into_owned(),
    }
    .into_bytes()
}

/// The shell words that list the stored profiles.
fn list() -> String {
    format!("attio-auth {COMPLETE_PROFILES} 2>/dev/null")
}

fn bash(text: &str) -> String {
    // clap_complete sets `cmd="attio__auth__subcmd__login"` but labels the case branches
    // `attio__subcmd__auth__subcmd__login` (it turns the hyphen in the binary's name into
    // a subcommand separator there), so below the top level bash completed nothing. One
    // spelling for both.
    let text = text.replace("attio__subcmd__auth", "attio__auth");
    // The first word is a command: offer the commands alone there (clap_complete lists
    // every option first), and the options once a `-` is typed.
    let commands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .chain(["help".to_string()])
        .collect();
    let text = text.replacen(
        "            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then\n                COMPREPLY=( $(compgen -W \"${opts}\" -- \"${cur}\") )\n                return 0\n            fi\n",
        &format!(
            "            if [[ ${{cur}} == -* ]] ; then\n                COMPREPLY=( $(compgen -W \"${{opts}}\" -- \"${{cur}}\") )\n                return 0\n            fi\n            if [[ ${{COMP_CWORD}} -eq 1 ]] ; then\n                COMPREPLY=( $(compgen -W \"{}\" -- \"${{cur}}\") )\n                return 0\n            fi\n",
            commands.join(" ")
        ),
        1,
    );
    let profiles = format!(r#"COMPREPLY=($(compgen -W "$({})" -- "${{cur}}"))"#, list());
    let text = text.replace(
        "--profile)\n                    COMPREPLY=($(compgen -f \"${cur}\"))",
        &format!("--profile)\n                    {profiles}"),
    );
    // `switch`'s argument: a profile, where clap offers the options again.
    let arm = "        attio__auth__subcmd__switch)\n";
    let Some(start) = text.find(arm) else {
        return text;
    };
    let end = text[start + arm.len()..]
        .find("\n        attio__auth__")
        .map_or(text.len(), |i| start + arm.len() + i);
    let switch = text[start..end]
        .replace("${cur} == -* || ${COMP_CWORD} -eq 2", "${cur} == -*")
        .replace(
            "            esac\n            COMPREPLY=( $(compgen -W \"${opts}\" -- \"${cur}\") )",
            &format!("            esac\n            {profiles}"),
        );
    format!("{}{switch}{}", &text[..start], &text[end..])
}

fn zsh(text: &str) -> String {
    let function = format!(
        "(( $+functions[_attio-auth__profiles] )) ||\n_attio-auth__profiles() {{\n    local -a profiles\n    profiles=(${{(f)\"$({})\"}})\n    _describe -t profiles 'stored profile' profiles\n}}\n\n",
        list()
    );
    let last = "if [ \"$funcstack[1]\" = \"_attio-auth\" ]; then";
    text.replace("]:NAME:_default'", "]:NAME:_attio-auth__profiles'")
        .replace(
            ":name -- The logged-in profile to use when neither --profile nor ATTIO_PROFILE names one:_default'",
            ":name -- The logged-in profile to use when neither --profile nor ATTIO_PROFILE names one:_attio-auth__profiles'",
        )
        .replace(last, &format!("{function}{last}"))
}

fn fish(text: &str) -> String {
    let values = format!(" -f -a \"({})\"", list());
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line);
        if line.contains(" -l profile -d ") && line.ends_with(" -r") {
            out.push_str(&values);
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "complete -c attio-auth -n \"__fish_attio_auth_using_subcommand switch\"{values}\n"
    ));
    out
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
