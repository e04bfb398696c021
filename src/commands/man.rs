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
    Ok(page)
}

#[cfg(test)]
mod tests {
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
