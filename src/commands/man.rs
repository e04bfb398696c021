//! `attio-auth man`: one roff manual page for the tool and every subcommand, generated
//! from the command-line definition (like the completions), so it cannot go stale.

use std::io;

use anyhow::Result;
use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::Cli;
use crate::output;

pub fn run() -> Result<()> {
    output::raw(&page()?)?;
    Ok(())
}

/// The page: the tool's own sections, then one section per subcommand with its
/// synopsis, description, options, and its examples and exit codes.
fn page() -> io::Result<Vec<u8>> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    cli.build();
    let mut page = Vec::new();
    Man::new(cli.clone()).render(&mut page)?;
    // clap_mangen calls the after-help text EXTRA.
    let mut page = String::from_utf8_lossy(&page)
        .replace(".SH EXTRA\n", ".SH \"GETTING STARTED AND EXIT STATUS\"\n")
        .into_bytes();
    for sub in cli.get_subcommands() {
        let name = format!("attio-auth {}", sub.get_name());
        // Built with the tool, each subcommand's synopsis already names `attio-auth …`.
        let man = Man::new(sub.clone());
        let mut sections = Vec::new();
        man.render_synopsis_section(&mut sections)?;
        man.render_description_section(&mut sections)?;
        man.render_options_section(&mut sections)?;
        man.render_extra_section(&mut sections)?;
        // Each subcommand's sections become subsections of its own section.
        let sections = String::from_utf8_lossy(&sections)
            .replace("\n.SH EXTRA\n", "\n.SS \"EXAMPLES AND EXIT STATUS\"\n")
            .replace("\n.SH ", "\n.SS ");
        let sections = sections
            .strip_prefix(".SH ")
            .map_or(sections.clone(), |rest| format!(".SS {rest}"));
        page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        page.extend_from_slice(sections.as_bytes());
    }
    let page = String::from_utf8_lossy(&page);
    Ok(typeset(&with_values(&one_page(&page), &cli)).into_bytes())
}

/// clap_mangen lists the subcommands as pages of their own (`attio-auth-login(1)`), which
/// do not exist: this page has a section for each, so they are named as commands.
fn one_page(page: &str) -> String {
    page.lines()
        .map(|line| {
            match line
                .strip_prefix("attio\\-auth\\-")
                .and_then(|rest| rest.strip_suffix("(1)"))
            {
                Some(sub) => format!("\\fBattio\\-auth {sub}\\fR"),
                None => line.to_string(),
            }
        })
        .map(|line| line + "\n")
        .collect()
}

/// clap_mangen's synopses name options without their values (`[--profile]`): each
/// option that takes one gets it, as `--help` shows it (`[--profile NAME]`).
fn with_values(page: &str, cli: &clap::Command) -> String {
    let mut page = page.to_string();
    let commands = std::iter::once(cli).chain(cli.get_subcommands());
    for arg in commands.flat_map(clap::Command::get_arguments) {
        let (Some(long), Some(names)) = (arg.get_long(), arg.get_value_names()) else {
            continue;
        };
        if !arg.get_num_args().is_some_and(|n| n.takes_values()) {
            continue;
        }
        let value = names
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        let bare = format!("[\\fB\\-\\-{}\\fR]", long.replace('-', "\\-"));
        let given = format!(
            "[\\fB\\-\\-{}\\fR \\fI{value}\\fR]",
            long.replace('-', "\\-")
        );
        page = page.replace(&bare, &given);
    }
    page
}

/// The page as a terminal should show it: never hyphenated or justified (`.nh`, `.ad l`:
/// URLs, flags and variable names stay whole), and every run of indented lines (the
/// examples, the exit-status table) set line for line (`.nf` … `.fi`), as written.
fn typeset(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + 1024);
    let mut verbatim = false;
    for line in page.lines() {
        let indented = line.starts_with("  ") && !line.trim().is_empty();
        if indented && !verbatim {
            out.push_str(".nf\n");
            verbatim = true;
        } else if !indented && verbatim {
            out.push_str(".fi\n");
            verbatim = false;
        }
        out.push_str(line);
        out.push('\n');
        if line.starts_with(".TH ") {
            out.push_str(".nh\n.ad l\n");
        }
    }
    if verbatim {
        out.push_str(".fi\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn examples_are_set_as_written_and_nothing_is_hyphenated() {
        let page = String::from_utf8(super::page().unwrap()).unwrap();
        assert!(page.contains("\n.nh\n.ad l\n"), "{}", &page[..300]);
        let examples = page.split("Examples:\n").nth(1).expect("an examples block");
        assert!(examples.starts_with(".nf\n  "), "{}", &examples[..100]);
        let block_end = examples.find(".fi\n").expect("the block ends");
        assert!(
            examples[..block_end]
                .lines()
                .skip(1)
                .all(|l| l.starts_with("  ")),
            "{}",
            &examples[..block_end]
        );
    }

    #[test]
    fn subcommands_are_named_as_commands_and_synopses_give_option_values() {
        let page = String::from_utf8(super::page().unwrap()).unwrap();
        assert!(!page.contains("(1)\n"), "no page of its own is named");
        let subcommands = page.split(".SH SUBCOMMANDS\n").nth(1).unwrap();
        assert!(
            subcommands.starts_with(".TP\n\\fBattio\\-auth login\\fR\nLog in"),
            "{}",
            &subcommands[..100]
        );
        let synopsis = page.split(".SH SYNOPSIS\n").nth(1).unwrap();
        assert!(
            synopsis.starts_with(
                "\\fBattio\\-auth\\fR [\\fB\\-\\-profile\\fR \\fINAME\\fR] [\\fB\\-\\-app\\-url\\fR \\fIURL\\fR] "
            ),
            "{}",
            &synopsis[..200]
        );
        let login = page.split(".SH \"ATTIO-AUTH LOGIN\"\n").nth(1).unwrap();
        let login = login.split(".SS SYNOPSIS\n").nth(1).unwrap();
        assert!(
            login.starts_with("\\fBattio\\-auth login\\fR [\\fB\\-\\-client\\-id\\fR \\fIID\\fR] "),
            "{}",
            &login[..200]
        );
        // Flags that take no value stay bare.
        assert!(login.contains("[\\fB\\-\\-no\\-browser\\fR]"));
    }

    #[test]
    fn every_subcommand_has_its_section() {
        let page = String::from_utf8(super::page().unwrap()).unwrap();
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH attio-auth 1"),
            "{}",
            &page[..200]
        );
        for sub in [
            "LOGIN",
            "TOKEN",
            "REFRESH",
            "WHOAMI",
            "LOGOUT",
            "STATUS",
            "EXEC",
            "COMPLETIONS",
            "CONFIG",
            "MAN",
        ] {
            assert!(
                page.contains(&format!("\n.SH \"ATTIO-AUTH {sub}\"\n")),
                "{sub}"
            );
        }
    }
}
