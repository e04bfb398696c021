//! A profile's non-secret metadata (who it is logged in as, which store holds its
//! secrets), the stored profiles' names, and the commands that log a profile in again.

use std::fs;
use std::io;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::advice::{Advice, Login};
use crate::credentials::Credentials;
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::store::StoreKind;

/// The metadata format this build writes and understands.
const META_VERSION: u32 = 1;

/// What is known about a logged-in profile, minus its secrets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProfileMeta {
    pub version: u32,
    /// Which store holds the secrets (the keyring may have fallen back to a file).
    pub store: StoreKind,
    pub client_id: String,
    pub app_url: String,
    pub api_url: String,
    pub workspace_id: Option<String>,
    pub workspace_name: Option<String>,
    pub workspace_slug: Option<String>,
    pub member_id: Option<String>,
    pub scopes: Vec<String>,
    /// Unix seconds; `None` for Attio's long-lived tokens. Derived from the credentials.
    pub expires_at: Option<u64>,
    /// Whether a usable refresh token is stored. Derived from the credentials.
    pub has_refresh_token: bool,
    /// Whether a refresh was sent and its outcome never learnt (the process was killed,
    /// the answer was lost), so its refresh token is never sent again: the access token
    /// lasts until it expires, then a new login is needed. Derived from the credentials.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_unfinished: bool,
    pub logged_in_at: u64,
    /// The redirect port the login asked for, when not the default (so a log-in-again
    /// hint can repeat it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Whether the secret is in the file store only because no OS keyring answered at
    /// login (the keyring was the default, not asked for).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keyring_fallback: bool,
    /// For the command store: the command the login was told to use, and that every
    /// later read, write and erase of this profile uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_command: Option<Vec<String>>,
    /// For a login to a hosted MCP server (`login --mcp`): the server and its
    /// authorization server, whose token endpoint alone gets this profile's refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<crate::mcp::Hosted>,
}

impl ProfileMeta {
    /// Builds the metadata for a fresh login (the store is filled in when it is saved).
    pub fn new(client_id: String, app_url: String, api_url: String) -> Self {
        Self {
            version: META_VERSION,
            store: StoreKind::File,
            client_id,
            app_url,
            api_url,
            workspace_id: None,
            workspace_name: None,
            workspace_slug: None,
            member_id: None,
            scopes: Vec::new(),
            expires_at: None,
            has_refresh_token: false,
            refresh_unfinished: false,
            logged_in_at: 0,
            port: None,
            keyring_fallback: false,
            store_command: None,
            mcp: None,
        }
    }

    /// How to log this profile in again with the settings it has now.
    pub fn login_again<'a>(&'a self, profile: &'a ProfileName) -> LoginAgain<'a> {
        LoginAgain {
            profile,
            port: self.port,
            app_url: Some(&self.app_url),
            api_url: Some(&self.api_url),
            mcp_url: self.mcp.as_ref().map(|hosted| hosted.url.as_str()),
        }
    }

    /// Takes what the metadata says about tokens from the credentials themselves, so the
    /// two never disagree.
    pub(super) fn reflect(&mut self, creds: &Credentials) {
        self.expires_at = creds.expires_at;
        self.has_refresh_token = creds.refresh_token.is_some() && creds.refresh_refused.is_none();
        self.refresh_unfinished = creds.refresh_pending;
    }
}

/// What to do about a profile whose stored state cannot be used: remove it, log in.
pub fn clean_up(profile: &ProfileName) -> Advice {
    Advice::CleanUp(login_command(profile))
}

/// The settings a log-in-again command repeats: the profile, and the port and URLs
/// when they are not the defaults.
#[derive(Debug, Clone, Copy)]
pub struct LoginAgain<'a> {
    pub profile: &'a ProfileName,
    pub port: Option<u16>,
    pub app_url: Option<&'a str>,
    pub api_url: Option<&'a str>,
    /// A login to a hosted MCP server: `login --mcp` (the app and API URLs do not apply).
    pub mcp_url: Option<&'a str>,
}

impl LoginAgain<'_> {
    /// The one rule for the command that logs a profile in (again).
    pub fn command(&self) -> Login {
        use crate::attio::{DEFAULT_API_URL, DEFAULT_APP_URL};
        let mut command = String::new();
        if let Some(port) = self.port.filter(|&p| p != crate::loopback::DEFAULT_PORT) {
            command.push_str(&format!(" --port {port}"));
        }
        let differs =
            |url: &str, default: &str| url.trim_end_matches('/') != default.trim_end_matches('/');
        if let Some(url) = self.mcp_url {
            if differs(url, crate::mcp::DEFAULT_MCP_URL) {
                command.push_str(&format!(" --mcp-url {url}"));
            }
            return Login::hosted(self.profile.as_str(), command);
        }
        for (flag, url, default) in [
            ("--app-url", self.app_url, DEFAULT_APP_URL),
            ("--api-url", self.api_url, DEFAULT_API_URL),
        ] {
            if let Some(url) = url.filter(|url| differs(url, default)) {
                command.push_str(&format!(" {flag} {}", url.trim_end_matches('/')));
            }
        }
        Login::app(self.profile.as_str(), command)
    }

    /// Advice to log the profile in (again).
    pub fn log_in(&self) -> Advice {
        Advice::LogIn(self.command())
    }

    /// A log-in-again command with nothing but the profile.
    pub fn bare(profile: &ProfileName) -> LoginAgain<'_> {
        LoginAgain {
            profile,
            port: None,
            app_url: None,
            api_url: None,
            mcp_url: None,
        }
    }
}

/// How to log in a profile of which nothing else is known.
pub fn login_command(profile: &ProfileName) -> Login {
    LoginAgain::bare(profile).command()
}

/// Advice to log in a profile of which nothing else is known.
pub fn log_in(profile: &ProfileName) -> Advice {
    LoginAgain::bare(profile).log_in()
}

/// "profile `NAME` is not logged in", for a name that may be a typing mistake: with the
/// closest stored name, when one is close, and the stored profiles. Returns the message
/// and that closest name.
pub fn not_logged_in<'a>(
    name: &ProfileName,
    stored: &'a [ProfileName],
) -> (String, Option<&'a str>) {
    let names: Vec<&str> = stored.iter().map(ProfileName::as_str).collect();
    let listed = match names.as_slice() {
        [] => String::new(),
        names => format!(" (stored profiles: {})", names.join(", ")),
    };
    match crate::names::closest(name.as_str(), &names) {
        Some(guess) => (
            format!("profile `{name}` is not logged in; did you mean `{guess}`?{listed}"),
            Some(guess),
        ),
        None => (format!("profile `{name}` is not logged in{listed}"), None),
    }
}

/// Parses a metadata file, refusing formats from other versions.
pub(super) fn parse_meta(bytes: &[u8]) -> Result<ProfileMeta, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON ({e})"))?;
    crate::credentials::check_version(&value, META_VERSION)?;
    serde_json::from_value(value).map_err(|e| format!("unexpected content ({e})"))
}

/// Every profile with a metadata file, sorted by name. Files whose names are not valid
/// profile names are ignored.
pub fn list(paths: &Paths) -> Result<Vec<ProfileName>> {
    paths.check(&paths.profiles_dir())?;
    names_in(&paths.profiles_dir(), ".json")
}

/// The profiles with metadata, or with anything left in the file store or the lock
/// directory (what `logout --all` removes), sorted.
pub fn list_with_leftovers(paths: &Paths) -> Result<Vec<ProfileName>> {
    let mut names = list(paths)?;
    names.extend(names_in(&paths.credentials_dir(), ".json")?);
    names.extend(names_in(&paths.locks_dir(), ".lock")?);
    names.sort();
    names.dedup();
    Ok(names)
}

/// The profiles that have a `<name><suffix>` file in `dir` (or a temporary file of one),
/// sorted; other files are ignored.
fn names_in(dir: &std::path::Path, suffix: &str) -> Result<Vec<ProfileName>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        // `.<name><suffix>.tmp-…`: a write that never finished.
        let name = crate::secure_fs::temp_target(name).unwrap_or(name);
        let Some(stem) = name.strip_suffix(suffix) else {
            continue;
        };
        if let Ok(name) = ProfileName::parse(stem) {
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_again_repeats_the_settings_that_are_not_defaults() {
        let den = ProfileName::parse("den").unwrap();
        let again = LoginAgain {
            profile: &den,
            port: Some(3461),
            app_url: Some("http://127.0.0.1:9/"),
            api_url: Some("https://api.attio.com/"),
            mcp_url: None,
        };
        let as_default = || Some("default".to_string());
        // A hosted-MCP login is logged in again with --mcp, its URL named when not Attio's.
        let hosted = LoginAgain {
            mcp_url: Some("http://127.0.0.1:7/mcp"),
            ..again
        };
        assert_eq!(
            crate::advice::Next::from(&hosted.command()).render(as_default),
            "attio-auth login --mcp --profile den --port 3461 --mcp-url http://127.0.0.1:7/mcp"
        );
        let attios = LoginAgain {
            port: None,
            mcp_url: Some(crate::mcp::DEFAULT_MCP_URL),
            ..again
        };
        assert_eq!(
            crate::advice::Next::from(&attios.command()).render(as_default),
            "attio-auth login --mcp --profile den"
        );
        assert_eq!(
            crate::advice::Next::from(&again.command()).render(as_default),
            "attio-auth login --profile den --port 3461 --app-url http://127.0.0.1:9"
        );
        // With `den` as the profile a bare command picks, it is not named.
        assert_eq!(
            crate::advice::Next::from(&again.command()).render(|| Some("den".to_string())),
            "attio-auth login --port 3461 --app-url http://127.0.0.1:9"
        );
        let default = ProfileName::parse("default").unwrap();
        assert_eq!(
            crate::advice::Next::from(&login_command(&default)).render(as_default),
            "attio-auth login"
        );
        // Under ATTIO_PROFILE nothing is implied: every command names its profile.
        assert_eq!(
            crate::advice::Next::from(&login_command(&default)).render(|| None),
            "attio-auth login --profile default"
        );
        let mut meta = ProfileMeta::new("c".into(), DEFAULT_APP.into(), DEFAULT_API.into());
        meta.port = Some(3456);
        assert_eq!(
            crate::advice::Next::from(&meta.login_again(&default).command()).render(as_default),
            "attio-auth login"
        );
    }

    const DEFAULT_APP: &str = "https://app.attio.com/";
    const DEFAULT_API: &str = "https://api.attio.com/";

    #[test]
    fn metadata_of_another_version_is_refused_clearly() {
        assert!(
            parse_meta(br#"{"version": 2}"#)
                .unwrap_err()
                .contains("version 2")
        );
        assert!(parse_meta(b"{").unwrap_err().contains("not valid JSON"));
        assert!(parse_meta(b"{}").unwrap_err().contains("no format version"));
    }
}
