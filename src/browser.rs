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
        // Each command of the list in turn, until one starts.
        let mut last = None;
        for entry in commands(command, cfg!(windows)) {
            let argv = match with_url(entry, url) {
                Ok(argv) => argv,
                Err(e) => {
                    last = Some(e);
                    continue;
                }
            };
            output::verbose(format!(
                "opening the browser with BROWSER command `{}`",
                argv[0]
            ));
            let mut browser = Command::new(&argv[0]);
            browser.args(&argv[1..]);
            match detached(browser) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    last = Some(
                        anyhow::Error::new(e)
                            .context(format!("running BROWSER command `{}`", argv[0])),
                    )
                }
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("BROWSER is empty")))
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

/// The commands of a `BROWSER` value, each as its words. It is a list, as xdg-utils and
/// Python's `webbrowser` read it: separated by `:` (`;` on Windows), tried in order. An
/// entry that names an existing file is that program, spaces and all
/// (`C:\Program Files\Mozilla Firefox\firefox.exe`); otherwise it is split as its
/// platform splits command lines: shell words on Unix, and on Windows the rules of
/// `CommandLineToArgvW` (double quotes group, backslashes are plain).
fn commands(browser: &str, windows: bool) -> Vec<Result<Vec<String>>> {
    let separator = if windows { ';' } else { ':' };
    browser
        .split(separator)
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            if std::path::Path::new(entry).is_file() {
                return Ok(vec![entry.to_string()]);
            }
            let words = if windows {
                windows_words(entry)
            } else {
                shell_words::split(entry).with_context(|| {
                    format!("BROWSER entry `{entry}` is not a valid command line")
                })?
            };
            anyhow::ensure!(
                !words.is_empty(),
                "BROWSER entry `{entry}` names no program"
            );
            Ok(words)
        })
        .collect()
}

/// Splits a Windows command line as `CommandLineToArgvW` does: whitespace separates,
/// double quotes group (`""` inside quotes is one quote), and backslashes are literal
/// except before a quote, where each pair is one backslash.
fn windows_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut count = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    count += 1;
                }
                if chars.peek() == Some(&'"') {
                    word.extend(std::iter::repeat_n('\\', count / 2));
                    if count % 2 == 1 {
                        chars.next();
                        word.push('"');
                    }
                } else {
                    word.extend(std::iter::repeat_n('\\', count));
                }
                started = true;
            }
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                word.push('"');
            }
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// A command's words with the URL in place of `%s`, or last.
fn with_url(argv: Result<Vec<String>>, url: &str) -> Result<Vec<String>> {
    let mut argv = argv?;
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
    use super::{commands, windows_words, with_url};

    fn unix(browser: &str) -> Vec<Vec<String>> {
        commands(browser, false)
            .into_iter()
            .map(|c| with_url(c, "U").unwrap())
            .collect()
    }

    #[test]
    fn url_replaces_placeholder_or_is_appended() {
        assert_eq!(unix("firefox --new-tab"), [["firefox", "--new-tab", "U"]]);
        assert_eq!(
            unix("'my browser' --url=%s -x"),
            [["my browser", "--url=U", "-x"]]
        );
        assert!(commands("'unclosed", false)[0].is_err());
    }

    #[test]
    fn a_unix_browser_list_is_tried_in_order() {
        assert_eq!(
            unix("firefox:chromium --incognito:"),
            [vec!["firefox", "U"], vec!["chromium", "--incognito", "U"]]
        );
    }

    #[test]
    fn an_existing_program_with_spaces_in_its_path_is_one_word() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("My Browser");
        std::fs::write(&program, "").unwrap();
        let path = program.to_str().unwrap();
        assert_eq!(commands(path, cfg!(windows))[0].as_ref().unwrap(), &[path]);
    }

    #[test]
    fn windows_command_lines_keep_backslashes_and_group_quotes() {
        assert_eq!(
            windows_words(r#""C:\Program Files\Mozilla Firefox\firefox.exe" -new-tab %s"#),
            [
                r"C:\Program Files\Mozilla Firefox\firefox.exe",
                "-new-tab",
                "%s"
            ]
        );
        assert_eq!(
            windows_words(r"C:\Tools\browser.exe"),
            [r"C:\Tools\browser.exe"]
        );
        assert_eq!(windows_words(r#"a\\"b c" d"#), [r"a\b c", "d"]);
        assert_eq!(windows_words(r#"say \"hi\""#), ["say", r#""hi""#]);
        assert_eq!(windows_words(r#""""#), [""]);
        let list: Vec<Vec<String>> = commands(r#"C:\no\such.exe --x; "C:\b c\d.exe""#, true)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            list,
            [vec![r"C:\no\such.exe", "--x"], vec![r"C:\b c\d.exe"]]
        );
    }
}
