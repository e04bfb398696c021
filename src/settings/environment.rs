//! The environment, read once at start: the only reader of environment variables
//! (`clippy.toml` forbids `std::env::var` elsewhere).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use crate::config::command_words;
use crate::secret::CHILD_WITHHELD;

/// Every environment variable the tool reads (clap reads none, so that an empty one
/// counts as unset and a bad one is blamed on the variable).
const READ: [&str; 26] = [
    "PATH",
    "ATTIO_MCP_URL",
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
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
    "ATTIO_AUTH_TOKEN_PROFILE",
];

/// The variables any command may read: one whose value is not text fails every command.
pub(super) const READ_BY_ALL: [&str; 10] = [
    "ATTIO_PROFILE",
    "ATTIO_APP_URL",
    "ATTIO_API_URL",
    "ATTIO_AUTH_HTTP_TIMEOUT",
    "ATTIO_AUTH_LOCK_TIMEOUT",
    "ATTIO_CLIENT_ID",
    "ATTIO_API_KEY",
    "ATTIO_ACCESS_TOKEN",
    "ATTIO_CLIENT_SECRET",
    "ATTIO_AUTH_TOKEN_PROFILE",
];

/// The variables only `login` reads: one whose value is not text fails only `login`.
pub(super) const READ_BY_LOGIN: [&str; 4] = [
    "ATTIO_AUTH_STORE",
    "ATTIO_AUTH_STORE_COMMAND",
    "BROWSER",
    "ATTIO_MCP_URL",
];

/// The usage error for a variable whose value is not valid UTF-8.
pub(super) fn not_text(name: &str) -> anyhow::Error {
    crate::failure::Failure::usage(format!("{name} is not valid UTF-8"))
        .advise(crate::advice::Advice::VariableNotText {
            name: name.to_string(),
        })
        .into()
}

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

    /// A variable's value, when set, not empty and valid UTF-8 (see `first_not_text`
    /// for one that is set but not text).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(|v| v.to_str())
    }

    /// The first of `names` whose value is set but not valid UTF-8: such a value is a
    /// mistake (`not_text`), never the same as no value.
    pub(super) fn first_not_text(&self, names: &[&'static str]) -> Option<&'static str> {
        names
            .iter()
            .copied()
            .find(|name| self.vars.get(name).is_some_and(|v| v.to_str().is_none()))
    }

    /// `SSL_CERT_FILE` and `SSL_CERT_DIR`: CA certificates to trust besides the
    /// system's. (The proxy variables are reqwest's to read, as curl reads them.)
    pub fn extra_ca(&self) -> crate::http::ExtraCa {
        crate::http::ExtraCa {
            file: self.vars.get("SSL_CERT_FILE").map(PathBuf::from),
            dir: self.vars.get("SSL_CERT_DIR").map(PathBuf::from),
        }
    }

    /// Linux and the BSDs, outside SSH (whose own advice covers it): nothing to show a
    /// browser on (no `DISPLAY` or `WAYLAND_DISPLAY`) and no `BROWSER` saying otherwise.
    pub fn no_browser_possible(&self) -> bool {
        !cfg!(any(target_os = "macos", windows))
            && [
                "DISPLAY",
                "WAYLAND_DISPLAY",
                "BROWSER",
                "SSH_CONNECTION",
                "SSH_TTY",
            ]
            .iter()
            .all(|name| self.get(name).is_none())
    }

    /// Why this shell has no D-Bus session bus for the Secret Service to be reached on,
    /// when that can be seen (Linux and the BSDs: `DBUS_SESSION_BUS_ADDRESS`, else the
    /// standard `$XDG_RUNTIME_DIR/bus`, names no socket that exists).
    pub fn no_session_bus(&self) -> Option<String> {
        if cfg!(any(target_os = "macos", windows)) {
            return None;
        }
        match self.get("DBUS_SESSION_BUS_ADDRESS") {
            Some(address) => {
                // Only a plain socket path can be checked (not `abstract=`, `tcp:`…).
                let path = address
                    .split(';')
                    .next()?
                    .strip_prefix("unix:path=")?
                    .split(',')
                    .next()?;
                (!std::path::Path::new(path).exists())
                    .then(|| format!("DBUS_SESSION_BUS_ADDRESS names {path}, which does not exist"))
            }
            None => {
                let standard = self
                    .vars
                    .get("XDG_RUNTIME_DIR")
                    .map(|dir| PathBuf::from(dir).join("bus"));
                match standard {
                    Some(bus) if bus.exists() => None,
                    Some(bus) => Some(format!(
                        "DBUS_SESSION_BUS_ADDRESS is not set and {} does not exist",
                        bus.display()
                    )),
                    None => Some("DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are not set".into()),
                }
            }
        }
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

    /// `PATH` as it is, for a program that must find what this shell finds.
    pub fn path(&self) -> Option<&str> {
        self.get("PATH")
    }

    /// The D-Bus session bus address, as set.
    pub fn session_bus_address(&self) -> Option<&str> {
        self.get("DBUS_SESSION_BUS_ADDRESS")
    }

    /// The `BROWSER` command line.
    pub fn browser(&self) -> Option<&str> {
        self.get("BROWSER")
    }

    /// Whether colour may be used (on a terminal): not with `NO_COLOR` or `TERM=dumb`.
    pub fn colour_allowed(&self) -> bool {
        !self.vars.contains_key("NO_COLOR") && self.get("TERM") != Some("dumb")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
