//! Opening the user's browser at the authorize URL: `BROWSER` when set (a command line,
//! the URL replacing `%s` or appended), otherwise the platform's opener. Failing to open
//! one is only a warning; the URL is always printed first.

use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::output;
use crate::secret::CHILD_WITHHELD;

/// Something that can show a URL to the user.
pub trait Browser {
    fn open(&self, url: &str) -> Result<()>;
}

/// The real browser: `$BROWSER` or the system default.
pub struct SystemBrowser {
    /// The `BROWSER` command line, if set and not empty (from `settings`).
    pub command: Option<String>,
}

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> Result<()> {
        let Some(command) = &self.command else {
            output::verbose("opening the system's default browser");
            // The platform's openers in turn, each without our secrets in its environment.
            let mut last = None;
            for opener in open::commands(url) {
                match detached(opener) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = Some(e),
                }
            }
            return Err(anyhow::Error::new(last.unwrap_or_else(|| {
                std::io::Error::other("no opener is known for this platform")
            }))
            .context("opening the default browser"));
        };
        let argv = command_line(command, url)?;
        output::verbose(format!(
            "opening the browser with BROWSER command `{}`",
            argv[0]
        ));
        let mut browser = Command::new(&argv[0]);
        browser.args(&argv[1..]);
        detached(browser).with_context(|| format!("running BROWSER command `{}`", argv[0]))
    }
}

/// Starts a browser without waiting for it (some run until the window closes), with no
/// terminal and none of our secrets in its environment.
fn detached(mut command: Command) -> std::io::Result<()> {
    for name in CHILD_WITHHELD {
        command.env_remove(name);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}

/// Splits a `BROWSER` command line and puts the URL in place of `%s`, or last.
fn command_line(command: &str, url: &str) -> Result<Vec<String>> {
    let mut argv = shell_words::split(command).context("BROWSER is not a valid command line")?;
    anyhow::ensure!(!argv.is_empty(), "BROWSER is empty");
    if argv.iter().any(|a| a.contains("%s")) {
        for arg in &mut argv[1..] {
            *arg = arg.replace("%s", url);
        }
    } else {
        argv.push(url.to_string());
    }
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::command_line;

    #[test]
    fn url_replaces_placeholder_or_is_appended() {
        assert_eq!(
            command_line("firefox --new-tab", "U").unwrap(),
            ["firefox", "--new-tab", "U"]
        );
        assert_eq!(
            command_line("'my browser' --url=%s -x", "U").unwrap(),
            ["my browser", "--url=U", "-x"]
        );
        assert!(command_line("'unclosed", "U").is_err());
    }
}
