//! `config.toml`: per-profile defaults a team can share (client ID, port, app and API URLs,
//! required scopes), so `attio-auth login --profile work` needs no flags. Flags and
//! environment variables override it; it overrides the built-in defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::advice::Advice;
use crate::failure::Failure;
use crate::paths::Paths;
use crate::secure_fs;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    profiles: BTreeMap<String, ProfileDefaults>,
    /// The program (and its first arguments) that keeps secrets for `--store command`:
    /// one string split like a shell would (no expansion), or an array of words.
    store_command: Option<CommandLine>,
    /// Where the file was read from, and whether it may name a program to run (it is
    /// the user's and nobody else may write it).
    #[serde(skip)]
    source: Option<(PathBuf, bool)>,
}

/// `store_command` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum CommandLine {
    Line(String),
    Words(Vec<String>),
}

/// A store command from config.toml: its words, or why they cannot be used.
pub struct ConfiguredCommand {
    pub words: Result<Vec<String>, String>,
    /// `config.toml` with its path, for messages.
    pub source: String,
}

/// One `[profiles.NAME]` section.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDefaults {
    pub client_id: Option<String>,
    pub port: Option<u16>,
    pub app_url: Option<String>,
    pub api_url: Option<String>,
    #[serde(default)]
    pub require_scopes: Vec<String>,
}

impl Config {
    /// The section for a profile (empty when there is none).
    pub fn profile(&self, name: &str) -> ProfileDefaults {
        self.profiles.get(name).cloned().unwrap_or_default()
    }

    /// `store_command`, when set. A file another user owns or may write cannot make
    /// attio-auth run a program: its command is refused (with why) rather than run.
    pub fn store_command(&self) -> Option<ConfiguredCommand> {
        let line = self.store_command.as_ref()?;
        let (path, trusted) = self
            .source
            .clone()
            .unwrap_or_else(|| (PathBuf::from("config.toml"), false));
        let source = format!("{} store_command", path.display());
        let words = if !trusted {
            Err(format!(
                "{} is owned by another user or writable by others, so it may not name a program to run; `chmod go-w` it or set ATTIO_AUTH_STORE_COMMAND instead",
                path.display()
            ))
        } else {
            match line {
                CommandLine::Line(text) => command_words(text),
                CommandLine::Words(words)
                    if words.first().is_some_and(|w| !w.trim().is_empty()) =>
                {
                    Ok(words.clone())
                }
                CommandLine::Words(_) => Err("is empty".into()),
            }
        };
        Some(ConfiguredCommand { words, source })
    }
}

/// Where the file is read from: `ATTIO_AUTH_CONFIG` (given here), else
/// `<config dir>/attio-auth/config.toml`.
pub fn path(paths: &Paths, from_env: Option<PathBuf>) -> PathBuf {
    from_env.unwrap_or_else(|| paths.config.join("config.toml"))
}

/// Reads the file; a missing file is an empty configuration. It may be a link (into a
/// dotfiles repository) owned by anyone: it holds only defaults for `login`.
pub fn load(path: &Path) -> Result<Config> {
    let Some(contents) =
        secure_fs::read_followed(path).with_context(|| format!("reading {}", path.display()))?
    else {
        return Ok(Config::default());
    };
    let mut config = parse(path, &String::from_utf8_lossy(&contents.bytes))?;
    config.source = Some((path.to_path_buf(), contents.trusted));
    Ok(config)
}

/// Parses the text, reporting `path:line:column: what is wrong` on one line.
pub fn parse(path: &Path, text: &str) -> Result<Config> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        if message.contains("unknown field `client_secret`") {
            return Failure::usage(format!(
                "{}:{line}:{column}: `client_secret` does not belong in config.toml: secrets are never read from files others may share",
                path.display()
            ))
            .advise(Advice::NoSecretInConfig)
            .into();
        }
        // toml names the type it expected, not the key: name the key too.
        let key = e
            .span()
            .and_then(|span| key_at(text, span.start))
            .map_or(String::new(), |key| format!("`{key}`: "));
        Failure::usage(format!("{}:{line}:{column}: {key}{message}", path.display()))
            .advise(Advice::FixConfig)
            .into()
    })
}

/// The key assigned on the line of a byte offset (`port = "3461"` gives `port`), when the
/// line is a plain `key = value`.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| key.to_string())
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A store command given as one line: split into words like a POSIX shell would, with
/// quotes and backslashes, but nothing expanded and no shell run.
pub fn command_words(line: &str) -> Result<Vec<String>, String> {
    match shell_words::split(line) {
        Ok(words) if words.is_empty() => Err("is empty".into()),
        Ok(words) => Ok(words),
        Err(e) => Err(format!("cannot be split into words ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_per_profile() {
        let text =
            "[profiles.work]\nclient_id = \"abc\"\nport = 4000\nrequire_scopes = [\"note:read\"]\n";
        let config = parse(Path::new("c.toml"), text).unwrap();
        let work = config.profile("work");
        assert_eq!(work.client_id.as_deref(), Some("abc"));
        assert_eq!(work.port, Some(4000));
        assert_eq!(work.require_scopes, ["note:read"]);
        assert_eq!(config.profile("other").port, None);
    }

    #[test]
    fn errors_name_the_file_line_and_problem() {
        let err = parse(
            Path::new("/x/config.toml"),
            "[profiles.work]\nport = \"high\"\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("/x/config.toml:2:8: `port`: "), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let err = parse(
            Path::new("c.toml"),
            "[profiles.work]\nclient_secret = \"x\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.toml:2:1: `client_secret` does not belong in config.toml: secrets are never read from files others may share"
        );
    }
}
