//! The OS keyring store (Secret Service on Linux, Keychain on macOS, Credential Manager
//! on Windows): service `attio-auth`, account = profile name. Every call is bounded by
//! [`TIMEOUT`]: a Secret Service that never answers (a stopped gnome-keyring, a broken
//! WSL setup) counts as unavailable instead of hanging the tool. On macOS a silent
//! Keychain is most likely showing a dialog ("attio-auth wants to use your confidential
//! information"): with a person at the terminal it is waited for as long as a login
//! waits for the browser, and it never counts as "no keyring", so a secret is never
//! sent to the file store while the dialog is still on screen.

use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;
use keyring::{Entry, Error};

use super::backend::SecretStore;
use crate::advice::Advice;
use crate::failure::{Failure, Kind};
use crate::names::ProfileName;
use crate::secret::Secret;

/// The keyring service name every entry is filed under.
pub const SERVICE: &str = "attio-auth";

/// The account of `doctor`'s probe entry: one fixed name, so that a probe a killed
/// `doctor` left behind is replaced and removed by the next one (and by `logout --all`),
/// and not a valid profile name, so that it is never a profile's.
pub const PROBE: &str = ".doctor-probe";

/// The longest wait for one keyring call (documented in docs/storage.md).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// macOS, with a person at the terminal: how long a Keychain dialog is waited for (as
/// long as `login` waits for the browser by default).
const DIALOG_TIMEOUT: Duration = Duration::from_secs(300);

/// Whether a silent keyring may be a dialog waiting for a person (macOS's Keychain).
fn may_be_asking() -> bool {
    cfg!(target_os = "macos") && (std::io::stdin().is_terminal() || std::io::stderr().is_terminal())
}

pub struct KeyringStore;

/// The keyring could not be used at all: not there, or not answering.
fn unavailable(why: String) -> anyhow::Error {
    Failure::new(Kind::KeyringUnavailable, why)
        .advise(Advice::StartKeyring)
        .into()
}

/// Describes a keyring error without ever formatting its payload (some variants carry
/// the secret's bytes).
fn describe(err: &Error) -> anyhow::Error {
    match err {
        // The store failed to initialise; its own error says why (no D-Bus session...).
        Error::NoDefaultStore => unavailable(format!(
            "the OS keyring is unavailable ({})",
            match Entry::store_status() {
                Err(Error::PlatformFailure(e) | Error::NoStorageAccess(e)) => e.to_string(),
                Err(e) => e.to_string(),
                Ok(()) => "no credential store could be initialised".into(),
            }
        )),
        Error::PlatformFailure(e) => unavailable(format!("the OS keyring is unavailable ({e})")),
        // Present but locked, or the unlock prompt was dismissed: never a reason to fall
        // back to a file silently.
        Error::NoStorageAccess(e) => Failure::new(
            Kind::Failed,
            format!("the OS keyring refused access, it may be locked ({e})"),
        )
        .advise(Advice::UnlockKeyring)
        .into(),
        Error::BadEncoding(_) | Error::BadDataFormat(..) => {
            anyhow::anyhow!("the OS keyring entry is not in the expected format")
        }
        Error::Ambiguous(_) => anyhow::anyhow!("the OS keyring holds several matching entries"),
        Error::TooLong(what, max) => Failure::new(
            Kind::Failed,
            format!("the {what} is larger than the OS keyring holds ({max} bytes)"),
        )
        .advise(Advice::KeyringTooSmall {
            private: crate::secure_fs::PRIVATE,
        })
        .into(),
        Error::NoEntry => anyhow::anyhow!("no entry"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Runs one keyring operation on the profile's entry on a thread of its own, giving up
/// after [`TIMEOUT`]. A call that never returns is left behind; the process ends soon.
fn bounded<T: Send + 'static>(
    account: &str,
    call: impl FnOnce(&Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<keyring::Result<T>> {
    let account = account.to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(Entry::new(SERVICE, &account).and_then(|entry| call(&entry)));
    });
    let asking = may_be_asking();
    let limit = if asking { DIALOG_TIMEOUT } else { TIMEOUT };
    rx.recv_timeout(limit).map_err(|_| {
        let why = format!("the OS keyring did not answer within {} s", limit.as_secs());
        if !cfg!(target_os = "macos") {
            return unavailable(why);
        }
        // Never a reason to fall back to a file: the Keychain is there.
        Failure::new(
            Kind::Failed,
            format!("{why}; a Keychain dialog may be waiting for you"),
        )
        .advise(Advice::AnswerKeychain { asking })
        .into()
    })
}

/// Deletes an entry; returns whether there was one.
fn erase(account: &str) -> Result<bool> {
    match bounded(account, |e| e.delete_credential())? {
        Ok(()) => Ok(true),
        Err(Error::NoEntry) => Ok(false),
        Err(e) => Err(describe(&e)),
    }
}

impl KeyringStore {
    /// `doctor`'s check: stores a probe entry, reads it back and deletes it.
    pub fn probe(&self) -> Result<()> {
        let value = format!(
            "probe {}-{}",
            std::process::id(),
            crate::secure_fs::random_hex(6)?
        );
        let stored = value.clone();
        bounded(PROBE, move |e| e.set_password(&stored))?.map_err(|e| describe(&e))?;
        let read = bounded(PROBE, |e| e.get_password())?.map_err(|e| describe(&e));
        let deleted = erase(PROBE);
        match (read, deleted) {
            (Ok(text), Ok(true)) if text == value => Ok(()),
            (Ok(_), Ok(_)) => Err(anyhow::anyhow!(
                "the keyring did not give back what was stored in it"
            )),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }

    /// Removes a probe entry a killed `doctor` left behind, if any.
    pub fn erase_probe(&self) -> Result<bool> {
        erase(PROBE)
    }
}

impl SecretStore for KeyringStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<Secret<String>>> {
        let context = || format!("reading credentials for profile `{profile}` from the OS keyring");
        match bounded(profile.as_str(), |e| e.get_password()).map_err(|e| e.context(context()))? {
            Ok(text) => Ok(Some(Secret::document(text))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(&e).context(context())),
        }
    }

    fn save(&self, profile: &ProfileName, secret: &Secret<String>) -> Result<()> {
        let context = || format!("storing credentials for profile `{profile}` in the OS keyring");
        let text = secret.expose().clone();
        bounded(profile.as_str(), move |e| e.set_password(&text))
            .map_err(|e| e.context(context()))?
            .map_err(|e| describe(&e).context(context()))
    }

    fn delete(&self, profile: &ProfileName) -> Result<bool> {
        let context =
            || format!("removing credentials for profile `{profile}` from the OS keyring");
        erase(profile.as_str()).map_err(|e| e.context(context()))
    }

    fn location(&self, profile: &ProfileName) -> String {
        format!("the OS keyring (service `{SERVICE}`, account `{profile}`)")
    }
}
