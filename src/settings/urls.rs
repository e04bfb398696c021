//! The app and API base URLs: which one applies (flag or variable, config.toml, the
//! profile's stored one, Attio's), and what a base URL may be.

use anyhow::Result;
use url::{Host, Url};

use crate::advice::Advice;
use crate::attio::{DEFAULT_API_URL, DEFAULT_APP_URL};
use crate::failure::{Failure, Kind};
use crate::names::ProfileName;
use crate::profile;

/// What names one of the two hosts, for resolving and for messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct UrlKind {
    label: &'static str,
    pub(super) flag: &'static str,
    pub(super) variable: &'static str,
    key: &'static str,
    default: &'static str,
}

/// The app host: authorize and token endpoints.
pub(super) const APP: UrlKind = UrlKind {
    label: "app URL",
    flag: "--app-url",
    variable: "ATTIO_APP_URL",
    key: "app_url",
    default: DEFAULT_APP_URL,
};

/// The REST API host: `/v2/self`.
pub(super) const API: UrlKind = UrlKind {
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
    pub(super) fn resolve(
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
            .advise(profile::clean_up(profile))
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
                .advise(Advice::LogInAtUrl {
                    url: url.to_string(),
                    flag: self.kind.flag,
                    login: profile::login_command(profile),
                })
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
