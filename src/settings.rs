//! The pure resolve step: raw command-line values and a snapshot of the environment in,
//! validated settings out. This is the only module that reads environment variables
//! (`clippy.toml` forbids `std::env::var` elsewhere), and no file or network I/O happens
//! here, so `--help` and a bad flag never touch storage.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use url::{Host, Url};

use crate::attio::{DEFAULT_API_URL, DEFAULT_APP_URL};
use crate::cli::GlobalArgs;
use crate::config::command_words;
use crate::config::{Config, ProfileDefaults};
use crate::failure::{Failure, Kind};
use crate::listener::DEFAULT_PORT;
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::profile::{self, ProfileMeta, Repository};
use crate::secret::{CHILD_WITHHELD, Secret};
use crate::store::{StoreChoice, StoreKind};

/// The variables Attio's own tools read, in precedence order.
pub const TOKEN_VARIABLES: [&str; 2] = ["ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN"];

/// Every environment variable the tool reads (clap reads none, so that an empty one
/// counts as unset and a bad one is blamed on the variable).
const READ: [&str; 20] = [
    "PATH",
    "ATTIO_PROFILE",
    "ATTIO_APP_URL",
    "ATTIO_API_URL",
    "ATTIO_AUTH_STORE",
    "ATTIO_AUTH_STORE_COMMAND",
    "ATTIO_AUTH_HTTP_TIMEOUT",
    "ATTIO_AUTH_LOCK_TIMEOUT",
    "ATTIO_CLIENT_ID",
    "ATTIO_API_KEY",
    "ATTIO_ACCESS_TOKEN",
    "ATTIO_CLIENT_SECRET",
    "ATTIO_AUTH_CONFIG",
    "BROWSER",
    "NO_COLOR",
    "TERM",
    "SSH_CONNECTION",
    "SSH_TTY",
    "DISPLAY",
    "WAYLAND_DISPLAY",
];

/// The environment, read once at start. Empty values count as unset, as shells and CI
/// systems often define variables empty rather than not at all.
#[derive(Debug, Default)]
pub struct Environment {
    vars: BTreeMap<&'static str, OsString>,
}

impl Environment {
    /// Reads the variables the tool uses from the process environment.
    #[allow(clippy::disallowed_methods)]
    pub fn capture() -> Self {
        Self::from_pairs(
            READ.iter()
                .filter_map(|&name| Some((name, std::env::var_os(name)?))),
        )
    }

    /// An environment with exactly these variables (tests, and `capture`).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (&'static str, OsString)>) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .filter(|(_, v)| !v.to_string_lossy().trim().is_empty())
                .collect(),
        }
    }

    /// A variable's value, when set, not empty and valid UTF-8.
    fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(|v| v.to_str())
    }

    /// `ATTIO_AUTH_CONFIG`: another configuration file to read.
    pub fn config_path(&self) -> Option<PathBuf> {
        self.vars.get("ATTIO_AUTH_CONFIG").map(PathBuf::from)
    }

    /// Whether this is an SSH session with no display to show a browser on (and no
    /// `BROWSER` saying otherwise): a browser started here could not reach the user.
    pub fn remote_without_display(&self) -> bool {
        (self.get("SSH_CONNECTION").is_some() || self.get("SSH_TTY").is_some())
            && self.get("DISPLAY").is_none()
            && self.get("WAYLAND_DISPLAY").is_none()
            && self.get("BROWSER").is_none()
    }

    /// The `ATTIO_*` variables that are set, as `NAME=value`, for `doctor`: `NAME` alone
    /// for those holding secrets, and only the program of a store command (its
    /// arguments may hold a vault session).
    pub fn attio_variables(&self) -> Vec<String> {
        self.vars
            .iter()
            .filter(|(name, _)| name.starts_with("ATTIO_"))
            .map(|(&name, value)| {
                let value = value.to_string_lossy();
                if CHILD_WITHHELD.contains(&name) {
                    format!("{name} (set; its value is a secret)")
                } else if name == "ATTIO_AUTH_STORE_COMMAND" {
                    let program = command_words(&value)
                        .ok()
                        .and_then(|words| words.into_iter().next())
                        .unwrap_or_default();
                    format!("{name} (program `{program}`; its arguments are not shown)")
                } else {
                    format!("{name}={value:?}")
                }
            })
            .collect()
    }

    /// The directories of `PATH`, in order.
    pub fn path_dirs(&self) -> Vec<PathBuf> {
        self.vars
            .get("PATH")
            .map(|path| std::env::split_paths(path).collect())
            .unwrap_or_default()
    }

    /// The `BROWSER` command line.
    pub fn browser(&self) -> Option<&str> {
        self.get("BROWSER")
    }

    /// Whether colour may be used (on a terminal): not with `NO_COLOR` or `TERM=dumb`.
    pub fn colour_allowed(&self) -> bool {
        self.get("NO_COLOR").is_none() && self.get("TERM") != Some("dumb")
    }
}

/// Validated global settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: ProfileName,
    pub app_url: UrlSetting,
    pub api_url: UrlSetting,
    /// `ATTIO_AUTH_STORE` as given: only `login` reads it (`login_store`), so a bad
    /// value cannot break the other commands.
    store_variable: Option<String>,
    /// The store command for `login` (`ATTIO_AUTH_STORE_COMMAND`, else config.toml's
    /// `store_command`): its words or why they are unusable, and where they came from.
    store_command: Option<(Result<Vec<String>, String>, String)>,
    /// `ATTIO_CLIENT_ID`, for `login` when `--client-id` is not given.
    pub client_id_variable: Option<String>,
    /// Where the profile's name came from.
    pub profile_source: ProfileSource,
    /// The config file's section for this profile: defaults for `login` only.
    pub defaults: ProfileDefaults,
    /// A token from `ATTIO_API_KEY` or `ATTIO_ACCESS_TOKEN`, which overrides stored
    /// credentials for `token` and `whoami` (`exec` always hands out the profile's).
    pub env_token: Option<EnvToken>,
    /// `ATTIO_CLIENT_SECRET`.
    pub client_secret: Option<Secret<String>>,
    /// The `BROWSER` command line.
    pub browser: Option<String>,
    /// An SSH session without a display: `login` opens no browser and explains the
    /// port forward instead.
    pub remote_without_display: bool,
    /// How long an HTTP request may take.
    pub http_timeout: Duration,
    /// How long to wait for another attio-auth process's write of the same profile.
    pub lock_timeout: Duration,
}

/// A token given through the environment, and which variable it came from.
#[derive(Debug, Clone)]
pub struct EnvToken {
    pub var: &'static str,
    pub token: Secret<String>,
}

impl Settings {
    /// Validates the global options (profile name, explicit base URLs, time limits), each
    /// from its flag, else its environment variable, and takes the config file's section
    /// for the profile.
    ///
    /// `switched` reads the default profile `attio-auth switch` set; it is called only
    /// when neither the flag nor the variable names a profile.
    pub fn resolve(
        args: &GlobalArgs,
        config: &Config,
        env: &Environment,
        switched: impl FnOnce() -> Result<Option<ProfileName>>,
    ) -> Result<Self> {
        let (profile, profile_source) =
            match (non_empty(args.profile.as_deref()), env.get("ATTIO_PROFILE")) {
                (Some(flag), _) => (ProfileName::parse(flag)?, ProfileSource::Flag),
                (None, Some(var)) => (
                    ProfileName::parse(var.trim())
                        .map_err(|e| Failure::usage(format!("ATTIO_PROFILE: {e}")))?,
                    ProfileSource::Variable,
                ),
                (None, None) => match switched()? {
                    Some(name) => (name, ProfileSource::Switched),
                    None => (ProfileName::fallback(), ProfileSource::Default),
                },
            };
        let defaults = config.profile(profile.as_str());
        let env_token = TOKEN_VARIABLES.iter().find_map(|&var| {
            Some(EnvToken {
                var,
                token: Secret::new(env.get(var)?.trim().to_string()),
            })
        });
        let seconds = |flag: Option<u64>, var: &str| -> Result<Option<u64>> {
            match (flag, env.get(var)) {
                (Some(secs), _) => Ok(Some(secs)),
                (None, Some(raw)) => crate::cli::seconds_up_to_an_hour(raw)
                    .map(Some)
                    .map_err(|why| variable_error(var, raw, &why)),
                (None, None) => Ok(None),
            }
        };
        let http_timeout = Duration::from_secs(
            seconds(args.http_timeout, "ATTIO_AUTH_HTTP_TIMEOUT")?.unwrap_or(30),
        );
        let lock_timeout = seconds(args.lock_timeout, "ATTIO_AUTH_LOCK_TIMEOUT")?
            .map_or(http_timeout + Duration::from_secs(10), Duration::from_secs);
        let url = |kind: UrlKind, flag: Option<&str>, configured: Option<String>| {
            let given = match (non_empty(flag), env.get(kind.variable)) {
                (Some(raw), _) => Some((raw, kind.flag)),
                (None, Some(raw)) => Some((raw, kind.variable)),
                (None, None) => None,
            };
            UrlSetting::resolve(kind, given, configured)
        };
        Ok(Self {
            app_url: url(APP, args.app_url.as_deref(), defaults.app_url.clone())?,
            api_url: url(API, args.api_url.as_deref(), defaults.api_url.clone())?,
            store_variable: env.get("ATTIO_AUTH_STORE").map(str::to_string),
            store_command: match env.get("ATTIO_AUTH_STORE_COMMAND") {
                Some(raw) => Some((
                    command_words(raw),
                    format!("ATTIO_AUTH_STORE_COMMAND={raw:?}"),
                )),
                None => config
                    .store_command()
                    .map(|configured| (configured.words, configured.source)),
            },
            client_id_variable: env.get("ATTIO_CLIENT_ID").map(|s| s.trim().to_string()),
            profile_source,
            defaults,
            env_token,
            client_secret: env
                .get("ATTIO_CLIENT_SECRET")
                .map(|s| Secret::new(s.trim().to_string())),
            browser: env.browser().map(str::to_string),
            remote_without_display: env.remote_without_display(),
            lock_timeout,
            http_timeout,
            profile,
        })
    }

    /// A profile's state, with this run's time limits.
    pub fn repository<'a>(&self, paths: &'a Paths, name: &'a ProfileName) -> Repository<'a> {
        Repository::new(paths, name, self.lock_timeout, self.http_timeout)
    }

    /// The redirect port of a login (and of `doctor`'s check of it): `--port`, else
    /// config.toml's for the profile, else the port the profile last logged in with (its
    /// app is registered with that redirect URI), else 3456. `0`, any free port, is
    /// never carried over.
    pub fn login_port(&self, flag: Option<u16>, previous: Option<&ProfileMeta>) -> u16 {
        flag.or(self.defaults.port)
            .or_else(|| {
                previous
                    .and_then(|meta| meta.port)
                    .filter(|&port| port != 0)
            })
            .unwrap_or(DEFAULT_PORT)
    }

    /// The app and API URLs of a login: see `UrlSetting::for_login`.
    pub fn login_urls(&self, previous: Option<&ProfileMeta>) -> Result<(Url, Url)> {
        Ok((
            self.app_url
                .for_login(&self.profile, previous.map(|m| m.app_url.as_str()))?,
            self.api_url
                .for_login(&self.profile, previous.map(|m| m.api_url.as_str()))?,
        ))
    }

    /// Where `login` stores credentials: `--store`, else `ATTIO_AUTH_STORE`, else the
    /// store command when one is set, else the keyring. Only a store that was asked for
    /// (or configured) is binding; the default may fall back to the file store when no
    /// keyring is running.
    pub fn login_store(&self, flag: Option<StoreKind>) -> Result<StoreChoice> {
        let explicit = match (flag, self.store_variable.as_deref()) {
            (Some(kind), _) => Some(kind),
            (None, Some(raw)) => Some(
                crate::cli::parse_store(raw)
                    .map_err(|why| variable_error("ATTIO_AUTH_STORE", raw, &why))?,
            ),
            (None, None) => None,
        };
        let command = match (explicit, &self.store_command) {
            (Some(StoreKind::Command) | None, Some((Ok(words), _))) => Some(words.clone()),
            (Some(StoreKind::Command) | None, Some((Err(why), source))) => {
                return Err(Failure::usage(format!("{source}: {why}"))
                    .hint("fix the store command (it is run without a shell: `PROGRAM ARGS...`), or log in with `--store keyring` or `--store file`")
                    .into());
            }
            (Some(StoreKind::Command), None) => {
                return Err(Failure::usage(
                    "--store command needs a command to run, and none is set",
                )
                .hint("set ATTIO_AUTH_STORE_COMMAND (or `store_command` in config.toml) to the program that keeps the secret; README.md has recipes for pass and the 1Password CLI")
                .into());
            }
            (Some(_), _) | (None, None) => None,
        };
        Ok(StoreChoice {
            kind: match (explicit, &command) {
                (Some(kind), _) => kind,
                (None, Some(_)) => StoreKind::Command,
                (None, None) => StoreKind::Keyring,
            },
            explicit: explicit.is_some() || command.is_some(),
            command,
        })
    }
}

/// Where the profile's name came from: `status` shows only a profile that was named,
/// `logout --all` refuses a `--profile` flag, and `switch` refuses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSource {
    Flag,
    Variable,
    /// The default `attio-auth switch` set.
    Switched,
    /// `default`.
    Default,
}

/// The usage error for an environment variable with an unusable value.
fn variable_error(var: &str, raw: &str, why: &str) -> anyhow::Error {
    Failure::usage(format!("{var}={raw:?}: {why}"))
        .hint(format!(
            "fix or unset {var} (an empty value counts as unset)"
        ))
        .into()
}

/// What names one of the two hosts, for resolving and for messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UrlKind {
    label: &'static str,
    flag: &'static str,
    variable: &'static str,
    key: &'static str,
    default: &'static str,
}

/// The app host: authorize and token endpoints.
const APP: UrlKind = UrlKind {
    label: "app URL",
    flag: "--app-url",
    variable: "ATTIO_APP_URL",
    key: "app_url",
    default: DEFAULT_APP_URL,
};

/// The REST API host: `/v2/self`.
const API: UrlKind = UrlKind {
    label: "API URL",
    flag: "--api-url",
    variable: "ATTIO_API_URL",
    key: "api_url",
    default: DEFAULT_API_URL,
};

/// One base URL as given (flag or environment, checked; config.toml, raw), and the rules
/// for which URL applies: defaults for a login, the issuer's own URL for stored
/// credentials.
#[derive(Debug, Clone)]
pub struct UrlSetting {
    kind: UrlKind,
    explicit: Option<(Url, &'static str)>,
    configured: Option<String>,
}

impl UrlSetting {
    /// `explicit` is the value of the flag or the variable, with the name of the one it
    /// came from.
    fn resolve(
        kind: UrlKind,
        explicit: Option<(&str, &'static str)>,
        configured: Option<String>,
    ) -> Result<Self> {
        Ok(Self {
            kind,
            explicit: explicit
                .map(|(raw, source)| base_url(raw, source).map(|url| (url, source)))
                .transpose()?,
            configured: configured.filter(|c| !c.trim().is_empty()),
        })
    }

    /// For a login: the flag or variable, else config.toml, else the URL the profile
    /// logged in with before, else Attio's.
    pub fn for_login(&self, profile: &ProfileName, previous: Option<&str>) -> Result<Url> {
        if let Some((url, _)) = &self.explicit {
            return Ok(url.clone());
        }
        if let Some(raw) = &self.configured {
            return base_url(
                raw,
                &format!("config.toml [profiles.{profile}] {}", self.kind.key),
            );
        }
        match previous.map(|p| base_url(p, "stored URL")) {
            Some(Ok(url)) => Ok(url),
            _ => base_url(self.kind.default, "built-in default"),
        }
    }

    /// For a logged-in profile: the URL its credentials came from, and no other. A flag,
    /// variable or config.toml naming another host is refused rather than handed the
    /// stored tokens and client secret.
    pub fn for_stored(&self, profile: &ProfileName, stored: &str) -> Result<Url> {
        let stored = base_url(stored, "stored URL").map_err(|e| {
            Failure::new(
                Kind::LoginAgain,
                format!("the metadata of profile `{profile}` holds an unusable URL ({e})"),
            )
            .hint(profile::clean_up_hint(profile))
        })?;
        let configured = self
            .configured
            .as_deref()
            .and_then(|raw| base_url(raw, "config.toml").ok());
        let named = [
            (
                self.explicit.as_ref().map(|(url, _)| url),
                self.explicit
                    .as_ref()
                    .map_or(String::new(), |(_, source)| source.to_string()),
            ),
            (
                configured.as_ref(),
                format!("config.toml [profiles.{profile}] {}", self.kind.key),
            ),
        ];
        for (url, source) in named {
            if let Some(url) = url.filter(|url| !same_base(url, &stored)) {
                return Err(Failure::usage(format!(
                    "profile `{profile}` was logged in with the {} {stored}, but {source} names {url}; its credentials are only ever sent where they came from",
                    self.kind.label
                ))
                .hint(format!(
                    "to use {url}, log in again: `{} {} {url}`; otherwise remove the setting",
                    profile::login_command(profile),
                    self.kind.flag
                ))
                .into());
            }
        }
        Ok(stored)
    }

    /// For a token from the environment, which belongs to no profile: the flag or
    /// variable, else Attio's.
    pub fn for_env_token(&self) -> Result<Url> {
        match &self.explicit {
            Some((url, _)) => Ok(url.clone()),
            None => base_url(self.kind.default, "built-in default"),
        }
    }
}

/// Whether two base URLs name the same place (a trailing slash aside).
fn same_base(a: &Url, b: &Url) -> bool {
    let trimmed = |u: &Url| {
        let mut u = u.clone();
        let path = u.path().trim_end_matches('/').to_string();
        u.set_path(&path);
        u
    };
    trimmed(a) == trimmed(b)
}

/// An empty value (`ATTIO_APP_URL=`) counts as unset, as shells and CI systems often
/// define variables empty rather than not at all.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

/// Checks a base URL: `https://`, or `http://` only for a loopback host, with no
/// credentials, query or fragment. `what` names where the value came from.
pub fn base_url(raw: &str, what: &str) -> Result<Url> {
    let usage = |why: String| Failure::usage(format!("{what}: {why}"));
    let url = Url::parse(raw.trim()).map_err(|e| usage(format!("`{raw}` is not a URL ({e})")))?;
    let host = url
        .host()
        .ok_or_else(|| usage(format!("`{raw}` has no host")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(usage(format!(
                "`{raw}` uses http://, which is allowed only for 127.0.0.1, [::1] and localhost; use https://"
            ))
            .into());
        }
        other => return Err(usage(format!("`{raw}` has scheme `{other}`; use https://")).into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(usage("a base URL must not contain credentials".into()).into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(usage(format!("`{raw}` must not have a query or fragment")).into());
    }
    Ok(url)
}

/// True for the hosts where plain http cannot leave the machine.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &str) -> ProfileName {
        ProfileName::parse(raw).unwrap()
    }

    #[test]
    fn stored_credentials_are_bound_to_their_issuer() {
        let none = UrlSetting::resolve(APP, None, None).unwrap();
        let stored = "http://127.0.0.1:1/";
        assert_eq!(
            none.for_stored(&name("w"), stored).unwrap().as_str(),
            stored
        );
        let same =
            UrlSetting::resolve(APP, Some(("http://127.0.0.1:1", "--app-url")), None).unwrap();
        assert!(same.for_stored(&name("w"), stored).is_ok());
        let other =
            UrlSetting::resolve(APP, Some(("http://127.0.0.1:2", "--app-url")), None).unwrap();
        let err = other.for_stored(&name("w"), stored).unwrap_err();
        assert!(err.to_string().contains("127.0.0.1:2"), "{err}");
        let configured = UrlSetting::resolve(APP, None, Some("http://127.0.0.1:3".into())).unwrap();
        assert!(configured.for_stored(&name("w"), stored).is_err());
        assert_eq!(
            configured
                .for_login(&name("w"), Some(stored))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:3/",
            "config.toml is a default for login"
        );
        assert_eq!(
            none.for_login(&name("w"), Some(stored)).unwrap().as_str(),
            stored
        );
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let env = Environment::from_pairs([
            ("ATTIO_API_KEY", OsString::from(" ")),
            ("NO_COLOR", OsString::from("")),
            ("BROWSER", OsString::from("firefox")),
        ]);
        assert_eq!(env.get("ATTIO_API_KEY"), None);
        assert!(env.colour_allowed());
        assert_eq!(env.get("BROWSER"), Some("firefox"));
    }

    #[test]
    fn https_is_accepted_anywhere_and_http_only_on_loopback() {
        assert!(base_url("https://app.attio.com", "x").is_ok());
        assert!(base_url("http://127.0.0.1:8080", "x").is_ok());
        assert!(base_url("http://[::1]:8080", "x").is_ok());
        assert!(base_url("http://LOCALHOST:1", "x").is_ok());
        let err = base_url("http://app.attio.com", "--app-url").unwrap_err();
        assert!(err.to_string().contains("only for 127.0.0.1"), "{err}");
        assert!(base_url("ftp://127.0.0.1", "x").is_err());
        assert!(base_url("http://localhost.evil.com", "x").is_err());
        assert!(base_url("https://user:pw@app.attio.com", "x").is_err());
        assert!(base_url("not a url", "x").is_err());
    }
}
