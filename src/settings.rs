//! The pure resolve step: raw command-line and environment values in, validated settings
//! out. No file or network I/O happens here, so `--help` and a bad flag never touch
//! storage.

use anyhow::Result;
use url::{Host, Url};

use crate::cli::{GlobalArgs, StoreKind};
use crate::config::{Config, ProfileDefaults};
use crate::failure::Failure;
use crate::profile::ProfileName;
use crate::secret::Secret;

/// Attio's production app host, where users authorize and tokens are issued.
pub const DEFAULT_APP_URL: &str = "https://app.attio.com";
/// Attio's production REST API host.
pub const DEFAULT_API_URL: &str = "https://api.attio.com";

/// Validated global settings. URLs stay `None` unless given explicitly (flag, environment
/// or config file), so that a stored profile's own URLs can apply before the built-in
/// defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: ProfileName,
    pub app_url: Option<Url>,
    pub api_url: Option<Url>,
    pub store: StoreKind,
    /// The config file's section for this profile (login defaults).
    pub defaults: ProfileDefaults,
    /// A token from `ATTIO_API_KEY` or `ATTIO_ACCESS_TOKEN`, which overrides stored
    /// credentials for `token` and `whoami` (`exec` always hands out the profile's).
    pub env_token: Option<EnvToken>,
}

/// A token given through the environment, and which variable it came from.
#[derive(Debug, Clone)]
pub struct EnvToken {
    pub var: &'static str,
    pub token: Secret<String>,
}

/// The variables Attio's own tools read, in precedence order.
pub const TOKEN_VARIABLES: [&str; 2] = ["ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN"];

impl Settings {
    /// Validates the global options (profile name, base URLs) and applies the config
    /// file's section for the profile below flags and environment variables. `env` looks
    /// up environment variables.
    pub fn resolve(
        args: &GlobalArgs,
        config: &Config,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let profile = ProfileName::parse(non_empty(Some(&args.profile)).unwrap_or("default"))?;
        let defaults = config.profile(profile.as_str());
        let url = |explicit: Option<&str>, what: &str, configured: Option<&str>, key: &str| match (
            non_empty(explicit),
            non_empty(configured),
        ) {
            (Some(raw), _) => base_url(raw, what).map(Some),
            (None, Some(raw)) => {
                base_url(raw, &format!("config.toml [profiles.{profile}] {key}")).map(Some)
            }
            (None, None) => Ok(None),
        };
        let env_token = TOKEN_VARIABLES.iter().find_map(|&var| {
            let value = env(var)?;
            let value = value.trim();
            (!value.is_empty()).then(|| EnvToken {
                var,
                token: Secret::new(value.to_string()),
            })
        });
        Ok(Self {
            app_url: url(
                args.app_url.as_deref(),
                "--app-url / ATTIO_APP_URL",
                defaults.app_url.as_deref(),
                "app_url",
            )?,
            api_url: url(
                args.api_url.as_deref(),
                "--api-url / ATTIO_API_URL",
                defaults.api_url.as_deref(),
                "api_url",
            )?,
            store: args.store,
            defaults,
            env_token,
            profile,
        })
    }
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

/// Joins an endpoint path onto a base URL, keeping any path prefix the base has
/// (`https://proxy.example/attio` + `/oauth/token`).
pub fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn endpoints_keep_a_base_path_prefix() {
        let base = Url::parse("https://proxy.example/attio/").unwrap();
        assert_eq!(
            endpoint(&base, "/oauth/token").as_str(),
            "https://proxy.example/attio/oauth/token"
        );
        let base = Url::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(
            endpoint(&base, "/v2/self").as_str(),
            "http://127.0.0.1:9/v2/self"
        );
    }
}
