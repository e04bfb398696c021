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
use crate::advice::Advice;
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
    client_id_variable: Option<String>,
    /// `ATTIO_MCP_URL`, for `login --mcp` when `--mcp-url` is not given.
    mcp_url_variable: Option<String>,
    /// Where the profile's name came from.
    pub profile_source: ProfileSource,
    /// The config file's section for this profile: defaults for `login` only.
    defaults: ProfileDefaults,
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
        let (profile, profile_source, handed_out) = choose_profile(args, env, switched)?;
        let defaults = config.profile(profile.as_str());
        let env_token = env_token(env).filter(|_| handed_out.is_none());
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

    /// The client ID of a login: `--client-id`, else `ATTIO_CLIENT_ID`, else config.toml's
    /// for the profile, else the one the profile last logged in with; a blank value
    /// counts as unset. `None`: nothing gave one (`login` asks at a terminal).
    pub fn login_client_id(
        &self,
        flag: Option<&str>,
        previous: Option<&ProfileMeta>,
    ) -> Option<String> {
        [
            flag,
            self.client_id_variable.as_deref(),
            self.defaults.client_id.as_deref(),
            previous.map(|meta| meta.client_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|id| !id.is_empty())
        .map(str::to_string)
    }

    /// The scopes a login must be granted: each `--require-scope`, else config.toml's
    /// `require_scopes` for the profile (a stored login's are not carried over: they are
    /// what the caller needs, not what the app has).
    pub fn login_required_scopes(&self, flag: &[String]) -> Vec<String> {
        crate::scopes::split(if flag.is_empty() {
            &self.defaults.require_scopes
        } else {
            flag
        })
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
                    .advise(Advice::FixStoreCommand)
                    .into());
            }
            (Some(StoreKind::Command), None) => {
                return Err(Failure::usage(
                    "--store command needs a command to run, and none is set",
                )
                .advise(Advice::SetStoreCommand)
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
            .advise(Advice::InstallStoreCommand)
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
/// profile only when it is another (see [`crate::advice::Next`]).
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

/// The profile, where its name came from, and the profile whose token attio-auth itself
/// handed out through the environment (if any): `--profile`, else `ATTIO_PROFILE`, else
/// that handed-out profile, else the one `switch` chose (`switched`, asked only then),
/// else `default`.
fn choose_profile(
    args: &GlobalArgs,
    env: &Environment,
    switched: impl FnOnce() -> Result<Option<ProfileName>>,
) -> Result<(ProfileName, ProfileSource, Option<ProfileName>)> {
    // A token attio-auth itself put in the environment names its profile: that
    // profile's current token is handed out, never the (perhaps stale) copy.
    let handed_out = env
        .get(TOKEN_PROFILE_VARIABLE)
        .map(|name| {
            ProfileName::parse(name.trim())
                .map_err(|e| Failure::usage(format!("{TOKEN_PROFILE_VARIABLE}: {e}")))
        })
        .transpose()?;
    let (profile, source) = match (non_empty(args.profile.as_deref()), env.get("ATTIO_PROFILE")) {
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
    Ok((profile, source, handed_out))
}

/// A token set by hand in `ATTIO_API_KEY` or `ATTIO_ACCESS_TOKEN` (the first wins), and
/// the other variable when it holds another token.
fn env_token(env: &Environment) -> Option<EnvToken> {
    let set: Vec<(&'static str, &str)> = TOKEN_VARIABLES
        .iter()
        .filter_map(|&var| Some((var, env.get(var)?.trim())))
        .collect();
    set.first().map(|&(var, token)| EnvToken {
        var,
        token: Secret::new(token.to_string()),
        shadows: set
            .get(1)
            .filter(|&&(_, other)| other != token)
            .map(|&(other, _)| other),
    })
}

/// The usage error for an environment variable with an unusable value.
fn variable_error(var: &str, raw: &str, why: &str) -> anyhow::Error {
    Failure::usage(format!("{var}={raw:?}: {why}"))
        .advise(Advice::FixVariable {
            var: var.to_string(),
        })
        .into()
}

/// An empty value (`ATTIO_APP_URL=`) counts as unset, as shells and CI systems often
/// define variables empty rather than not at all.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    //! Every precedence rule, table-driven: each row sets some of flag, variable,
    //! config.toml, the stored login and the default, and names the value that wins.
    // A row's type is the table's columns, spelled out.
    #![allow(clippy::type_complexity)]

    use std::ffi::OsString;
    use std::path::Path;

    use super::*;

    /// Settings for profile `work`, from these variables and this config.toml text.
    fn settings(vars: &[(&'static str, &str)], config: &str) -> Settings {
        let env = Environment::from_pairs(vars.iter().map(|&(k, v)| (k, OsString::from(v))));
        let config = crate::config::parse(Path::new("config.toml"), config).unwrap();
        let args = GlobalArgs {
            profile: Some("work".into()),
            ..GlobalArgs::default()
        };
        Settings::resolve(&args, &config, &env, || Ok(None)).unwrap()
    }

    fn stored(client_id: &str, port: Option<u16>, mcp_url: Option<&str>) -> ProfileMeta {
        let mut meta =
            ProfileMeta::new(client_id.into(), "https://app".into(), "https://api".into());
        meta.port = port;
        meta.mcp = mcp_url.map(|url| crate::mcp::Hosted {
            url: url.into(),
            issuer: String::new(),
            authorization_endpoint: String::new(),
            token_endpoint: String::new(),
            registration_endpoint: None,
            revocation_endpoint: None,
            scopes: Vec::new(),
            iss_in_callback: false,
            registration_forgotten: false,
        });
        meta
    }

    #[test]
    fn client_id_flag_then_variable_then_config_then_stored() {
        let config = "[profiles.work]\nclient_id = \"from-config\"\n";
        let variable = [("ATTIO_CLIENT_ID", "from-variable")];
        let blank = [("ATTIO_CLIENT_ID", "  ")];
        let previous = stored("from-stored", None, None);
        #[rustfmt::skip]
        let rows: [(Option<&str>, &[(&str, &str)], &str, Option<&ProfileMeta>, Option<&str>); 9] = [
            // flag           variable   config  stored           wins
            (Some("from-flag"), &variable, config, Some(&previous), Some("from-flag")),
            (None,              &variable, config, Some(&previous), Some("from-variable")),
            (None,              &[],       config, Some(&previous), Some("from-config")),
            (None,              &[],       "",     Some(&previous), Some("from-stored")),
            (None,              &[],       "",     None,            None),
            (Some("  "),        &variable, "",     None,            Some("from-variable")),
            (None,              &blank,    config, None,            Some("from-config")),
            (None,              &[],       "[profiles.work]\nclient_id = \"\"\n", Some(&previous), Some("from-stored")),
            (Some(" spaced "),  &[],       "",     None,            Some("spaced")),
        ];
        for (flag, vars, config, previous, wins) in rows {
            let settings = settings(vars, config);
            assert_eq!(
                settings.login_client_id(flag, previous).as_deref(),
                wins,
                "flag {flag:?}, variables {vars:?}, config {config:?}, stored {:?}",
                previous.map(|m| &m.client_id)
            );
        }
    }

    #[test]
    fn required_scopes_flag_then_config() {
        let config = "[profiles.work]\nrequire_scopes = [\"note:read\", \"record:read\"]\n";
        let other = "[profiles.other]\nrequire_scopes = [\"note:read\"]\n";
        #[rustfmt::skip]
        let rows: [(&[&str], &str, &[&str]); 5] = [
            (&["user_management:read"], config, &["user_management:read"]),
            (&["a b", "c,d"],           "",     &["a", "b", "c", "d"]),
            (&[],                       config, &["note:read", "record:read"]),
            (&[],                       other,  &[]),
            (&[],                       "",     &[]),
        ];
        for (flag, config, wins) in rows {
            let flag: Vec<String> = flag.iter().map(|s| s.to_string()).collect();
            assert_eq!(
                settings(&[], config).login_required_scopes(&flag),
                wins,
                "{flag:?} {config:?}"
            );
        }
    }

    #[test]
    fn port_flag_then_config_then_stored_then_default() {
        let config = "[profiles.work]\nport = 4000\n";
        #[rustfmt::skip]
        let rows: [(Option<u16>, &str, Option<u16>, u16); 6] = [
            (Some(5000), config, Some(6000), 5000),
            (None,       config, Some(6000), 4000),
            (None,       "",     Some(6000), 6000),
            (None,       "",     Some(0),    DEFAULT_PORT),
            (None,       "",     None,       DEFAULT_PORT),
            (Some(0),    config, None,       0),
        ];
        for (flag, config, stored_port, wins) in rows {
            let previous = stored("id", stored_port, None);
            assert_eq!(
                settings(&[], config).login_port(flag, Some(&previous)),
                wins,
                "{flag:?} {config:?} {stored_port:?}"
            );
        }
    }

    #[test]
    fn mcp_url_flag_then_variable_then_stored_then_default() {
        let variable = [("ATTIO_MCP_URL", "https://variable.example/mcp")];
        #[rustfmt::skip]
        let rows: [(Option<&str>, &[(&str, &str)], Option<&str>, &str); 4] = [
            (Some("https://flag.example/mcp"), &variable, Some("https://stored.example/mcp"), "https://flag.example/mcp"),
            (None,                             &variable, Some("https://stored.example/mcp"), "https://variable.example/mcp"),
            (None,                             &[],       Some("https://stored.example/mcp"), "https://stored.example/mcp"),
            (None,                             &[],       None,                               crate::mcp::DEFAULT_MCP_URL),
        ];
        for (flag, vars, stored_url, wins) in rows {
            let previous = stored("id", None, stored_url);
            let url = settings(vars, "")
                .login_mcp_url(flag, Some(&previous))
                .unwrap();
            assert_eq!(url.as_str(), wins, "{flag:?} {vars:?} {stored_url:?}");
        }
    }

    #[test]
    fn profile_flag_then_variable_then_handed_out_then_switched_then_default() {
        let resolve = |flag: Option<&str>,
                       vars: &[(&'static str, &str)],
                       switched: Option<&str>| {
            let env = Environment::from_pairs(vars.iter().map(|&(k, v)| (k, OsString::from(v))));
            let args = GlobalArgs {
                profile: flag.map(str::to_string),
                ..GlobalArgs::default()
            };
            let switched = switched.map(|name| ProfileName::parse(name).unwrap());
            let settings =
                Settings::resolve(&args, &Config::default(), &env, || Ok(switched)).unwrap();
            (settings.profile.to_string(), settings.profile_source)
        };
        let named = [("ATTIO_PROFILE", "var")];
        let handed = [(TOKEN_PROFILE_VARIABLE, "handed")];
        #[rustfmt::skip]
        let rows: [(Option<&str>, &[(&'static str, &str)], Option<&str>, &str, ProfileSource); 6] = [
            (Some("flag"), &named,  Some("switched"), "flag",     ProfileSource::Flag),
            (Some(""),     &named,  Some("switched"), "var",      ProfileSource::Variable),
            (None,         &named,  Some("switched"), "var",      ProfileSource::Variable),
            (None,         &handed, Some("switched"), "handed",   ProfileSource::Variable),
            (None,         &[],     Some("switched"), "switched", ProfileSource::Switched),
            (None,         &[],     None,             "default",  ProfileSource::Default),
        ];
        for (flag, vars, switched, name, source) in rows {
            assert_eq!(
                resolve(flag, vars, switched),
                (name.to_string(), source),
                "{flag:?} {vars:?} {switched:?}"
            );
        }
    }

    #[test]
    fn store_flag_then_variable_then_command_then_keyring() {
        let choice = |flag: Option<StoreKind>, vars: &[(&'static str, &str)]| {
            let choice = settings(vars, "").login_store(flag).unwrap();
            (choice.kind, choice.explicit)
        };
        let variable = [("ATTIO_AUTH_STORE", "file")];
        assert_eq!(
            choice(Some(StoreKind::Keyring), &variable),
            (StoreKind::Keyring, true)
        );
        assert_eq!(choice(None, &variable), (StoreKind::File, true));
        // A program that is there: this test's own executable, found by its path.
        let program = std::env::current_exe().unwrap();
        let line = format!("'{}' get", program.display());
        let command = [("ATTIO_AUTH_STORE_COMMAND", line.as_str())];
        assert_eq!(choice(None, &command), (StoreKind::Command, true));
        assert_eq!(
            choice(Some(StoreKind::File), &command),
            (StoreKind::File, true)
        );
        assert_eq!(choice(None, &[]), (StoreKind::Keyring, false));
    }
}
