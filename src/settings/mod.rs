//! The pure resolve step: raw command-line values and a snapshot of the environment in,
//! validated settings out. This is the only module that reads environment variables
//! (`clippy.toml` forbids `std::env::var` elsewhere), and no file or network I/O happens
//! here, so `--help` and a bad flag never touch storage.

mod environment;
mod urls;

use std::time::Duration;

use anyhow::Result;
use url::Url;

pub use self::environment::Environment;
use self::environment::{READ_BY_ALL, READ_BY_LOGIN, not_text};
pub use self::urls::UrlSetting;
use self::urls::{API, APP, UrlKind};
use crate::cli::GlobalArgs;
use crate::config::{Config, ProfileDefaults, command_words};
use crate::failure::{Failure, Kind};
use crate::http::{ExtraCa, Http};
use crate::loopback::DEFAULT_PORT;
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::profile::{ProfileMeta, Repository};
use crate::secret::Secret;
use crate::store::{StoreChoice, StoreKind};

/// The variables Attio's own tools read, in precedence order.
pub const TOKEN_VARIABLES: [&str; 2] = ["ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN"];

/// Set beside [`TOKEN_VARIABLES`] by `exec` and `token --format env` to the profile whose
/// token they hold: a later attio-auth then knows the token is its own (and may be
/// stale), and hands out that profile's current one instead.
pub const TOKEN_PROFILE_VARIABLE: &str = "ATTIO_AUTH_TOKEN_PROFILE";

/// Validated global settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: ProfileName,
    pub app_url: UrlSetting,
    pub api_url: UrlSetting,
    /// `ATTIO_AUTH_STORE` as given: only `login` reads it (`login_store`), so a bad
    /// value cannot break the other commands.
    store_variable: Option<String>,
    /// The first of `login`'s own variables whose value is not text; only `login` fails
    /// on it.
    login_variable_not_text: Option<&'static str>,
    /// The store command for `login` (`ATTIO_AUTH_STORE_COMMAND`, else config.toml's
    /// `store_command`): its words or why they are unusable, and where they came from.
    store_command: Option<(Result<Vec<String>, String>, String)>,
    /// `ATTIO_CLIENT_ID`, for `login` when `--client-id` is not given.
    pub client_id_variable: Option<String>,
    /// `ATTIO_MCP_URL`, for `login --mcp` when `--mcp-url` is not given.
    mcp_url_variable: Option<String>,
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
    /// Why this process cannot reach a Secret Service: no session bus (Linux), for
    /// errors that name what is missing.
    pub no_session_bus: Option<String>,
    /// No display, no `BROWSER` and no SSH (Linux and the BSDs): no browser can be shown.
    pub no_browser_possible: bool,
    /// How long an HTTP request may take.
    pub http_timeout: Duration,
    /// How long to wait for another attio-auth process's write of the same profile.
    pub lock_timeout: Duration,
    /// CA certificates to trust besides the system's (`SSL_CERT_FILE`, `SSL_CERT_DIR`).
    pub extra_ca: ExtraCa,
    /// The directories of `PATH`, where a store command's program is looked for.
    path_dirs: Vec<std::path::PathBuf>,
}

/// A token given through the environment, and which variable it came from.
#[derive(Debug, Clone)]
pub struct EnvToken {
    pub var: &'static str,
    pub token: Secret<String>,
    /// The other variable, when it is set too and holds another token (which loses).
    pub shadows: Option<&'static str>,
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
        // Every variable every command may read; those only `login` reads are checked
        // when it asks (`login_store`).
        if let Some(name) = env.first_not_text(&READ_BY_ALL) {
            return Err(not_text(name));
        }
        // A token attio-auth itself put in the environment names its profile: that
        // profile's current token is handed out, never the (perhaps stale) copy.
        let handed_out = env
            .get(TOKEN_PROFILE_VARIABLE)
            .map(|name| {
                ProfileName::parse(name.trim())
                    .map_err(|e| Failure::usage(format!("{TOKEN_PROFILE_VARIABLE}: {e}")))
            })
            .transpose()?;
        let (profile, profile_source) =
            match (non_empty(args.profile.as_deref()), env.get("ATTIO_PROFILE")) {
                (Some(flag), _) => (ProfileName::parse(flag)?, ProfileSource::Flag),
                (None, Some(var)) => (
                    ProfileName::parse(var.trim())
                        .map_err(|e| Failure::usage(format!("ATTIO_PROFILE: {e}")))?,
                    ProfileSource::Variable,
                ),
                (None, None) => match handed_out.clone() {
                    Some(name) => (name, ProfileSource::Variable),
                    None => match switched()? {
                        Some(name) => (name, ProfileSource::Switched),
                        None => (ProfileName::fallback(), ProfileSource::Default),
                    },
                },
            };
        let defaults = config.profile(profile.as_str());
        let set: Vec<(&'static str, &str)> = TOKEN_VARIABLES
            .iter()
            .filter_map(|&var| Some((var, env.get(var)?.trim())))
            .collect();
        let env_token = set
            .first()
            .map(|&(var, token)| EnvToken {
                var,
                token: Secret::new(token.to_string()),
                shadows: set
                    .get(1)
                    .filter(|&&(_, other)| other != token)
                    .map(|&(other, _)| other),
            })
            .filter(|_| handed_out.is_none());
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
            login_variable_not_text: env.first_not_text(&READ_BY_LOGIN),
            store_command: match env.get("ATTIO_AUTH_STORE_COMMAND") {
                Some(raw) => Some((
                    command_words(raw),
                    // Never the value: its arguments may hold a vault session.
                    "ATTIO_AUTH_STORE_COMMAND".to_string(),
                )),
                None => config
                    .store_command()
                    .map(|configured| (configured.words, configured.source)),
            },
            client_id_variable: env.get("ATTIO_CLIENT_ID").map(|s| s.trim().to_string()),
            mcp_url_variable: env.get("ATTIO_MCP_URL").map(|s| s.trim().to_string()),
            profile_source,
            defaults,
            env_token,
            client_secret: env
                .get("ATTIO_CLIENT_SECRET")
                .map(|s| Secret::new(s.trim().to_string())),
            browser: env.browser().map(str::to_string),
            remote_without_display: env.remote_without_display(),
            no_session_bus: env.no_session_bus(),
            no_browser_possible: env.no_browser_possible(),
            lock_timeout,
            http_timeout,
            extra_ca: env.extra_ca(),
            path_dirs: env.path_dirs(),
            profile,
        })
    }

    /// The HTTP client of this run (built when first asked to send).
    /// Which profile a command naming none would use (see [`Implied`]).
    pub fn implied(&self, paths: &Paths) -> Implied {
        match self.profile_source {
            ProfileSource::Switched | ProfileSource::Default => {
                Implied::Profile(self.profile.clone())
            }
            ProfileSource::Variable => Implied::Unknown,
            ProfileSource::Flag => Implied::Switched(paths.clone()),
        }
    }

    pub fn http(&self) -> Http {
        Http::new(self.http_timeout, self.extra_ca.clone())
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

    /// The hosted MCP server `login --mcp` logs in to: `--mcp-url`, else `ATTIO_MCP_URL`,
    /// else the one the profile was logged in to, else Attio's.
    pub fn login_mcp_url(&self, flag: Option<&str>, previous: Option<&ProfileMeta>) -> Result<Url> {
        if let Some(name) = self.login_variable_not_text {
            return Err(not_text(name));
        }
        let (raw, what) = match (flag, self.mcp_url_variable.as_deref()) {
            (Some(flag), _) => (flag, "--mcp-url"),
            (None, Some(variable)) => (variable, "ATTIO_MCP_URL"),
            (None, None) => match previous.and_then(|m| m.mcp.as_ref()) {
                Some(hosted) => (hosted.url.as_str(), "the profile's stored MCP URL"),
                None => (crate::mcp::DEFAULT_MCP_URL, "the default MCP URL"),
            },
        };
        urls::base_url(raw, what)
    }

    /// Where `login` stores credentials: `--store`, else `ATTIO_AUTH_STORE`, else the
    /// store command when one is set, else the keyring. Only a store that was asked for
    /// (or configured) is binding; the default may fall back to the file store when no
    /// keyring is running.
    pub fn login_store(&self, flag: Option<StoreKind>) -> Result<StoreChoice> {
        if let Some(name) = self.login_variable_not_text {
            return Err(not_text(name));
        }
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
                .hint("set ATTIO_AUTH_STORE_COMMAND (or `store_command` in config.toml) to the program that keeps the secret; docs/storage.md has recipes for pass and the 1Password CLI")
                .into());
            }
            (Some(_), _) | (None, None) => None,
        };
        // Checked before a login asks anyone for anything: a program that is not there
        // fails now, not after the user approved in the browser.
        if let Some(program) = command.as_ref().and_then(|words| words.first())
            && !crate::store::installed(program, &self.path_dirs)
        {
            let source = self
                .store_command
                .as_ref()
                .map_or("the store command", |(_, source)| source.as_str());
            return Err(Failure::new(
                Kind::Failed,
                format!("the store command `{program}` ({source}) is not installed: it is neither an executable file nor on PATH; nothing was started"),
            )
            .hint("install it, or fix ATTIO_AUTH_STORE_COMMAND / config.toml's store_command; or log in with `--store keyring` or `--store file`")
            .into());
        }
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

/// Which profile a command naming none would use: the commands a hint shows name their
/// profile only when it is another (see [`crate::failure::Next`]).
#[derive(Debug, Clone)]
pub enum Implied {
    Profile(ProfileName),
    /// `ATTIO_PROFILE` is set: a suggestion must not depend on it, so it names one.
    Unknown,
    /// The one `switch` set (or `default`), read only when a hint shows a command.
    Switched(Paths),
}

impl Default for Implied {
    fn default() -> Self {
        Implied::Profile(ProfileName::fallback())
    }
}

impl Implied {
    /// The profile's name, when known.
    pub fn profile(&self) -> Option<String> {
        match self {
            Implied::Profile(name) => Some(name.to_string()),
            Implied::Unknown => None,
            Implied::Switched(paths) => Some(
                crate::profile::default::read(paths)
                    .ok()
                    .flatten()
                    .unwrap_or_else(ProfileName::fallback)
                    .to_string(),
            ),
        }
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

/// An empty value (`ATTIO_APP_URL=`) counts as unset, as shells and CI systems often
/// define variables empty rather than not at all.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}
