//! The OS keyring store (Secret Service on Linux, Keychain on macOS, Credential Manager
//! on Windows): service `attio-auth`, account = profile name.

use std::fmt;

use anyhow::Result;
use keyring::{Entry, Error};

use super::SecretStore;
use crate::failure::{Failure, Kind};
use crate::profile::ProfileName;
use crate::secret::Secret;

/// The keyring service name every entry is filed under.
pub const SERVICE: &str = "attio-auth";

pub struct KeyringStore;

/// The keyring could not be reached at all (no D-Bus session, no Secret Service). `login`
/// falls back to the file store on this error, and only on this one.
#[derive(Debug)]
pub struct Unavailable(String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the OS keyring is unavailable ({})", self.0)
    }
}

impl std::error::Error for Unavailable {}

/// Describes a keyring error without ever formatting its payload (some variants carry
/// the secret's bytes).
fn describe(err: &Error) -> anyhow::Error {
    match err {
        // The store failed to initialise; its own error says why (no D-Bus session...).
        Error::NoDefaultStore => Unavailable(match Entry::store_status() {
            Err(Error::PlatformFailure(e) | Error::NoStorageAccess(e)) => e.to_string(),
            Err(e) => e.to_string(),
            Ok(()) => "no credential store could be initialised".into(),
        })
        .into(),
        Error::PlatformFailure(e) => Unavailable(e.to_string()).into(),
        // Present but locked, or the unlock prompt was dismissed: never a reason to fall
        // back to a file silently.
        Error::NoStorageAccess(e) => Failure::new(
            Kind::Failed,
            format!("the OS keyring refused access, it may be locked ({e})"),
        )
        .hint("unlock the keyring (log in to the desktop session, or use your keyring manager) and retry; --store file avoids the keyring")
        .into(),
        Error::BadEncoding(_) | Error::BadDataFormat(..) => {
            anyhow::anyhow!("the OS keyring entry is not in the expected format")
        }
        Error::Ambiguous(_) => anyhow::anyhow!("the OS keyring holds several matching entries"),
        Error::TooLong(what, max) => {
            anyhow::anyhow!("{what} is longer than the keyring allows ({max})")
        }
        Error::NoEntry => anyhow::anyhow!("no entry"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// The entry for a profile.
fn entry(profile: &ProfileName) -> Result<Entry> {
    Entry::new(SERVICE, profile.as_str()).map_err(|e| describe(&e))
}

impl SecretStore for KeyringStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<Secret<String>>> {
        match entry(profile)?.get_password() {
            Ok(text) => Ok(Some(Secret::new(text))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(&e).context(format!(
                "reading credentials for profile `{profile}` from the OS keyring"
            ))),
        }
    }

    fn save(&self, profile: &ProfileName, secret: &Secret<String>) -> Result<()> {
        entry(profile)?
            .set_password(secret.expose())
            .map_err(|e| describe(&e))
            .map_err(|e| {
                e.context(format!(
                    "storing credentials for profile `{profile}` in the OS keyring"
                ))
            })
    }

    fn delete(&self, profile: &ProfileName) -> Result<bool> {
        match entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(describe(&e).context(format!(
                "removing credentials for profile `{profile}` from the OS keyring"
            ))),
        }
    }

    fn location(&self, profile: &ProfileName) -> String {
        format!("the OS keyring (service `{SERVICE}`, account `{profile}`)")
    }
}
