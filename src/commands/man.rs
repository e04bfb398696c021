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
    Ok(typeset(&String::from_utf8_lossy(&page)).into_bytes())
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
