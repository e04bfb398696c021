//! Profiles: their validated names, the non-secret metadata each one has (who it is
//! logged in as, which store holds its secrets; `status` reads it without touching the
//! keyring), and the [`Repository`] that alone reads and writes a profile's state.

mod repository;

use std::fmt;
use std::fs;
use std::io;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

pub use self::repository::{Locked, Repository, Stored};
use crate::cli::StoreKind;
use crate::credentials::Credentials;
use crate::failure::Failure;
use crate::paths::Paths;

/// The metadata format this build writes and understands.
const META_VERSION: u32 = 1;

/// A profile name that is safe as a file name and as a keyring account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProfileName(String);

impl ProfileName {
    /// Accepts 1 to 64 characters of `A-Z a-z 0-9 . _ -`, not starting with `.` or `-`.
    pub fn parse(raw: &str) -> Result<Self> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        let valid = !raw.is_empty()
            && raw.len() <= 64
            && raw.chars().all(ok_char)
            && !raw.starts_with(['.', '-']);
        if valid {
            Ok(Self(raw.to_string()))
        } else {
            Err(Failure::usage(format!(
                "invalid profile name {raw:?}: use 1 to 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`"
            ))
            .into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
    pub logged_in_at: u64,
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
            logged_in_at: 0,
        }
    }

    /// Takes what the metadata says about tokens from the credentials themselves, so the
    /// two never disagree.
    fn reflect(&mut self, creds: &Credentials) {
        self.expires_at = creds.expires_at;
        self.has_refresh_token = creds.refresh_token.is_some() && creds.refresh_refused.is_none();
    }
}

/// The hint for a profile whose stored state cannot be used.
pub fn clean_up_hint(profile: &ProfileName) -> String {
    format!(
        "run `attio-auth logout --profile {profile}` to remove it, then `{}`",
        login_command(profile)
    )
}

/// The one rule for the command that logs a profile in (again).
pub fn login_command(profile: &ProfileName) -> String {
    if profile.as_str() == "default" {
        "attio-auth login".into()
    } else {
        format!("attio-auth login --profile {profile}")
    }
}

/// The hint that says to log a profile in (again).
pub fn login_hint(profile: &ProfileName) -> String {
    format!("run `{}`", login_command(profile))
}

/// Parses a metadata file, refusing formats from other versions.
fn parse_meta(bytes: &[u8]) -> Result<ProfileMeta, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON ({e})"))?;
    check_version(&value, META_VERSION)?;
    serde_json::from_value(value).map_err(|e| format!("unexpected content ({e})"))
}

/// Refuses a stored document written in another format version (or in none).
pub fn check_version(document: &serde_json::Value, supported: u32) -> Result<(), String> {
    match document.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(supported) => Ok(()),
        Some(v) => Err(format!("format version {v} is not supported by this build")),
        None => Err("no format version".into()),
    }
}

/// Every profile with a metadata file, sorted by name. Files whose names are not valid
/// profile names are ignored.
pub fn list(paths: &Paths) -> Result<Vec<ProfileName>> {
    paths.check(&paths.profiles_dir())?;
    names_in(&paths.profiles_dir(), ".json")
}

/// The profiles that have a `<name><suffix>` file in `dir` (or a temporary file of one),
/// sorted; other files are ignored.
pub fn names_in(dir: &std::path::Path, suffix: &str) -> Result<Vec<ProfileName>> {
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
        let name = name
            .strip_prefix('.')
            .and_then(|n| n.split_once(".tmp-"))
            .map_or(name, |(n, _)| n);
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
    fn profile_names_cannot_escape_their_directory() {
        for bad in [
            "",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "-flag",
            "a\nb",
            "é",
            &"x".repeat(65),
        ] {
            assert!(
                ProfileName::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        for good in ["default", "work", "acme-prod", "a.b_c", "X1"] {
            assert_eq!(ProfileName::parse(good).unwrap().as_str(), good);
        }
    }

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
