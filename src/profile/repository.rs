//! The one owner of a profile's state: its metadata file, its secret document (in the
//! keyring or the file store), its temporary files and its lock. Commands never touch
//! those directly; they read a [`Stored`] profile here, and write only through a
//! [`Locked`] one, so every write happens under the profile's lock, a login moves the
//! secret between stores without leaving a copy behind, and logout finds the profile
//! wherever it could be. It is long (about 500 lines) because those are one set of
//! rules: the lock, the stores and the temporary files must be changed together.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use super::meta::{ProfileMeta, clean_up, list, log_in, login_command, not_logged_in, parse_meta};
use crate::advice::Advice;
use crate::credentials::Credentials;
use crate::failure::{self, Failure, Kind};
use crate::names::ProfileName;
use crate::output;
use crate::paths::Paths;
use crate::secret::Secret;
use crate::secure_fs;
use crate::store::{
    CommandStore, FileStore, KeyringStore, SecretStore, StoreChoice, StoreKind, lock,
};

/// One profile's state, as the repository sees it.
#[derive(Clone, Copy)]
pub struct Repository<'a> {
    paths: &'a Paths,
    name: &'a ProfileName,
    /// The longest wait for another process's write (`--lock-timeout`).
    lock_timeout: Duration,
    /// The longest run of a store command (`--http-timeout`).
    command_timeout: Duration,
}

/// A logged-in profile: its metadata and its credentials.
pub struct Stored {
    pub meta: ProfileMeta,
    pub creds: Credentials,
}

impl Stored {
    /// The app URL that issued the credentials: the only place its refresh token and
    /// client secret are ever sent.
    pub fn issuer(&self) -> &str {
        self.creds.app_url.as_deref().unwrap_or(&self.meta.app_url)
    }
}

impl<'a> Repository<'a> {
    /// `lock_timeout`: how long to wait for another process's write of the profile;
    /// `command_timeout`: how long a store command may take.
    pub fn new(
        paths: &'a Paths,
        name: &'a ProfileName,
        lock_timeout: Duration,
        command_timeout: Duration,
    ) -> Self {
        Self {
            paths,
            name,
            lock_timeout,
            command_timeout,
        }
    }

    /// Where the profile's secret is kept, for people.
    pub fn location(&self, meta: &ProfileMeta) -> String {
        match self.backend(meta.store, meta.store_command.as_deref()) {
            Ok(store) => store.location(self.name),
            Err(e) => format!("{e:#}"),
        }
    }

    /// The store of a kind: for the command store, run with `command`.
    fn backend(&self, kind: StoreKind, command: Option<&[String]>) -> Result<Box<dyn SecretStore>> {
        match (kind, command) {
            (StoreKind::Command, Some(words)) if !words.is_empty() => Ok(Box::new(
                CommandStore::new(words.to_vec(), self.command_timeout),
            )),
            (StoreKind::Command, _) => Err(Failure::new(
                Kind::LoginAgain,
                format!(
                    "profile `{}` is kept by a store command, but its metadata does not say which",
                    self.name
                ),
            )
            .advise(clean_up(self.name))
            .into()),
            (StoreKind::Keyring, _) => Ok(Box::new(KeyringStore)),
            (StoreKind::File, _) => Ok(Box::new(FileStore::new(self.paths))),
        }
    }

    /// The profile's metadata alone (no secret, no keyring); `None` when never logged in.
    pub fn meta(&self) -> Result<Option<ProfileMeta>> {
        let path = self.paths.meta_file(self.name);
        self.paths.check(&self.paths.profiles_dir())?;
        let Some(contents) = secure_fs::read_own(&path)
            .with_context(|| format!("reading profile metadata {}", path.display()))?
        else {
            return Ok(None);
        };
        parse_meta(&contents.bytes).map(Some).map_err(|why| {
            Failure::new(
                Kind::LoginAgain,
                format!("profile metadata {} is unusable: {why}", path.display()),
            )
            .advise(clean_up(self.name))
            .into()
        })
    }

    /// Before a login asks anyone for anything: a keyring that was asked for explicitly
    /// must answer now, rather than after the user approved in the browser.
    pub fn check_store(&self, preferred: &StoreChoice) -> Result<()> {
        if preferred.kind == StoreKind::Keyring && preferred.explicit {
            match KeyringStore.load(self.name) {
                Err(e) if is_absent(&e) => {
                    return Err(keyring_required(&e, "nothing was started"));
                }
                Err(e) => return Err(e),
                Ok(_) => {}
            }
        }
        Ok(())
    }

    /// The logged-in profile, read without the lock (writes replace files atomically).
    /// When a refresh was cut short after its answer was safely written to a temporary
    /// file, that answer is adopted (under the lock) instead of asking for a new login.
    pub fn load(&self) -> Result<Stored> {
        let stored = self.read()?;
        if stored.creds.refresh_pending && self.recoverable(&stored).is_some() {
            return self.lock()?.load();
        }
        Ok(stored)
    }

    /// Metadata, then the credentials from the store it names.
    fn read(&self) -> Result<Stored> {
        let mut retried = false;
        loop {
            let Some(meta) = self.meta()? else {
                return Err(self.unknown());
            };
            let store = self.backend(meta.store, meta.store_command.as_deref())?;
            match load_credentials(store.as_ref(), self.name)? {
                Some(creds) => return Ok(Stored { meta, creds }),
                // A login may have just moved the secret to another store: look again.
                None if !retried => retried = true,
                None => {
                    return Err(self.not_logged_in(format!(
                        ": no credentials in {}",
                        store.location(self.name)
                    )));
                }
            }
        }
    }

    /// The failure for a profile that was never logged in: perhaps a typing mistake, so
    /// the stored profiles are named, and the closest one suggested.
    pub fn unknown(&self) -> anyhow::Error {
        let stored = list(self.paths).unwrap_or_default();
        let (message, guess) = not_logged_in(self.name, &stored);
        let advice = match guess {
            Some(guess) => Advice::DidYouMean {
                guess: guess.to_string(),
                login: login_command(self.name),
            },
            None => log_in(self.name),
        };
        Failure::new(Kind::LoginAgain, message)
            .advise(advice)
            .into()
    }

    fn not_logged_in(&self, detail: String) -> anyhow::Error {
        Failure::new(
            Kind::LoginAgain,
            format!("profile `{}` is not logged in{detail}", self.name),
        )
        .advise(log_in(self.name))
        .into()
    }

    /// A complete, newer document that a refresh killed between writing its answer and
    /// renaming it into place left in a temporary file of the file store.
    fn recoverable(&self, stored: &Stored) -> Option<Credentials> {
        if stored.meta.store != StoreKind::File {
            return None;
        }
        FileStore::new(self.paths)
            .leftover_temps(self.name)
            .iter()
            .filter_map(|path| secure_fs::read_own(path).ok().flatten())
            .filter_map(|contents| String::from_utf8(contents.bytes).ok())
            .filter_map(|text| Credentials::decode(&Secret::document(text)).ok())
            .filter(|c| {
                !c.refresh_pending
                    && c.generation > stored.creds.generation
                    && c.client_id == stored.creds.client_id
                    && c.app_url == stored.creds.app_url
            })
            .max_by_key(|c| c.generation)
    }

    /// Temporary files that writes of this profile's credentials or metadata left behind.
    fn leftover_temps(&self) -> Vec<PathBuf> {
        let mut temps = FileStore::new(self.paths).leftover_temps(self.name);
        temps.extend(secure_fs::leftover_temps(&self.paths.meta_file(self.name)));
        temps
    }

    /// Takes the profile's lock, waiting at most `--lock-timeout` for another process.
    pub fn lock(&self) -> Result<Locked<'a>> {
        self.paths.check(&self.paths.locks_dir())?;
        let lock = lock::acquire(
            &self.paths.lock_file(self.name),
            self.name.as_str(),
            self.lock_timeout,
        )?;
        Ok(Locked { repo: *self, lock })
    }

    /// Takes the profile's lock when it is free; when another process is writing the
    /// profile, waits until it is done and returns `None`, so the caller can look at
    /// what it wrote before queueing for the lock (see `lock::acquire_or_wait`).
    pub fn lock_or_wait(&self) -> Result<Option<Locked<'a>>> {
        self.paths.check(&self.paths.locks_dir())?;
        let lock = lock::acquire_or_wait(
            &self.paths.lock_file(self.name),
            self.name.as_str(),
            self.lock_timeout,
        )?;
        Ok(lock.map(|lock| Locked { repo: *self, lock }))
    }

    /// Whether anything of the profile is stored anywhere: metadata, a secret in either
    /// store, temporary files or a lock file. Asks nothing of an absent keyring.
    pub fn exists_anywhere(&self) -> Result<bool> {
        let on_disk = [
            self.paths.meta_file(self.name),
            self.paths.credentials_file(self.name),
            self.paths.lock_file(self.name),
        ]
        .iter()
        .any(|p| p.symlink_metadata().is_ok())
            || !self.leftover_temps().is_empty();
        if on_disk {
            return Ok(true);
        }
        match KeyringStore.load(self.name) {
            Ok(found) => Ok(found.is_some()),
            Err(e) if is_absent(&e) => Ok(false),
            Err(e) => {
                warn_unchecked(&e, self.name);
                Ok(false)
            }
        }
    }
}

/// A profile whose lock this process holds: the only way to write its state.
pub struct Locked<'a> {
    repo: Repository<'a>,
    lock: lock::ProfileLock,
}

impl Locked<'_> {
    /// The profile's metadata as it is now (under the lock, so as the next write finds it).
    pub fn meta(&self) -> Result<Option<ProfileMeta>> {
        self.repo.meta()
    }

    /// Re-reads the profile under the lock (another process may have written it while
    /// this one waited), adopting a refresh answer a killed process left behind.
    pub fn load(&self) -> Result<Stored> {
        let mut stored = self.repo.read()?;
        if stored.creds.refresh_pending
            && let Some(newer) = self.repo.recoverable(&stored)
        {
            output::verbose(format!(
                "profile `{}`: recovered the tokens of a refresh that was cut short",
                self.repo.name
            ));
            stored.creds = newer;
            self.save(&mut stored)?;
        }
        Ok(stored)
    }

    /// Stores changed credentials in the store that holds them; the metadata follows.
    pub fn save(&self, stored: &mut Stored) -> Result<()> {
        stored.creds.generation = stored.creds.generation.saturating_add(1);
        let store = self
            .repo
            .backend(stored.meta.store, stored.meta.store_command.as_deref())?;
        store.save(self.repo.name, &stored.creds.encode())?;
        stored.meta.reflect(&stored.creds);
        // The credentials are what counts; metadata only feeds `status`.
        if let Err(e) = self.write_meta(&stored.meta) {
            output::warn(format!("{e:#}"));
        }
        Ok(())
    }

    /// Stores a new login in the preferred store (the file store when the keyring is
    /// absent or silent), then removes any copy an earlier login left in the other.
    pub fn save_login(
        &self,
        mut creds: Credentials,
        mut meta: ProfileMeta,
        preferred: StoreChoice,
    ) -> Result<Stored> {
        let previous = self.repo.meta().ok().flatten();
        creds.generation = 1;
        meta.store = self.store_new(&preferred, &creds.encode())?;
        meta.store_command = match meta.store {
            StoreKind::Command => preferred.command.clone(),
            StoreKind::Keyring | StoreKind::File => None,
        };
        meta.keyring_fallback =
            preferred.kind == StoreKind::Keyring && meta.store == StoreKind::File;
        meta.reflect(&creds);
        self.write_meta(&meta)?;
        let name = self.repo.name;
        let earlier = previous.as_ref().map(|m| m.store);
        let leftover = |e: anyhow::Error| {
            output::warn(format!(
                "{e:#}; an earlier login's copy may remain there: `attio-auth logout --profile {name}` removes it"
            ));
        };
        for other in [StoreKind::Keyring, StoreKind::File] {
            if other == meta.store {
                continue;
            }
            match self.repo.backend(other, None)?.delete(name) {
                Ok(_) => {}
                // No keyring to ask, and the earlier login did not use it.
                Err(e) if is_absent(&e) && earlier != Some(other) => {}
                Err(e) => leftover(e),
            }
        }
        // An earlier login kept by another command (or by this one no longer). Nothing
        // will remember that command after this: say how to erase its copy by hand.
        if let Some(previous) = previous
            .filter(|p| p.store == StoreKind::Command && p.store_command != meta.store_command)
            && let Err(e) = self
                .repo
                .backend(previous.store, previous.store_command.as_deref())
                .and_then(|store| store.delete(name))
        {
            let program = previous
                .store_command
                .as_ref()
                .and_then(|words| words.first())
                .map_or("the earlier store command", String::as_str);
            output::warn(format!(
                "{e:#}; the earlier login's copy may remain in that vault: run `{program} ... erase {name}` to remove it"
            ));
        }
        if meta.store != StoreKind::File {
            for temp in FileStore::new(self.repo.paths).leftover_temps(name) {
                let _ = secure_fs::remove(&temp);
            }
        }
        Ok(Stored { meta, creds })
    }

    /// Writes a new secret: to the store command when one was chosen; to the keyring when
    /// preferred and it answers a harmless read first (a secret is never handed to a keyring that might not be there). When the
    /// keyring was only the default, a missing one means the file store, with a warning
    /// in plain words; when it was asked for, it is an error. Returns where it went.
    fn store_new(&self, preferred: &StoreChoice, secret: &Secret<String>) -> Result<StoreKind> {
        let name = self.repo.name;
        if preferred.kind == StoreKind::Command {
            self.repo
                .backend(StoreKind::Command, preferred.command.as_deref())?
                .save(name, secret)?;
            return Ok(StoreKind::Command);
        }
        let file = FileStore::new(self.repo.paths);
        if preferred.kind == StoreKind::Keyring {
            let keyring = KeyringStore;
            match keyring.load(name).and_then(|_| keyring.save(name, secret)) {
                Ok(()) => return Ok(StoreKind::Keyring),
                Err(e) if is_absent(&e) && !preferred.explicit => {
                    output::verbose(format!("{e:#}"));
                    output::warn(format!(
                        "no OS keyring is running (or it did not answer), so the tokens and the client secret are stored in {} instead ({})",
                        file.location(name),
                        crate::secure_fs::PRIVATE
                    ));
                    output::hint(
                        "to use a keyring, start one (gnome-keyring-daemon or KWallet in a desktop session) and log in again; to keep the file and silence this, log in with `--store file` or set ATTIO_AUTH_STORE=file",
                    );
                }
                Err(e) if is_absent(&e) => return Err(keyring_required(&e, "nothing was stored")),
                Err(e) => return Err(e),
            }
        }
        file.save(name, secret)?;
        Ok(StoreKind::File)
    }

    /// Writes the metadata file.
    fn write_meta(&self, meta: &ProfileMeta) -> Result<()> {
        let paths = self.repo.paths;
        let path = paths.meta_file(self.repo.name);
        paths.check(&paths.profiles_dir())?;
        let mut bytes = serde_json::to_vec_pretty(meta).context("encoding profile metadata")?;
        bytes.push(b'\n');
        secure_fs::write_atomic(&path, &bytes)
            .with_context(|| format!("writing profile metadata {}", path.display()))
    }

    /// Removes the profile from every store it could be in (whatever its metadata says),
    /// with its temporary files, metadata and lock file. Returns what was removed, for
    /// people. Corrupt state is removed too: nothing here needs to parse it.
    ///
    /// A keyring that holds the profile and cannot be reached stops the removal, unless
    /// `forget` says to remove the rest anyway: then the keyring's error comes back
    /// beside what was removed, for the entry left there.
    pub fn remove(self, forget: bool) -> Result<(Vec<String>, Option<anyhow::Error>)> {
        let paths = self.repo.paths;
        let name = self.repo.name;
        let recorded = self.repo.meta().ok().flatten();
        let recorded_keyring = recorded
            .as_ref()
            .is_some_and(|m| m.store == StoreKind::Keyring);
        let mut removed = Vec::new();
        let mut left = None;
        // First the vault behind a store command: when it refuses, nothing else is
        // removed, so that the metadata naming the command remains for another try.
        if let Some(meta) = recorded.filter(|m| m.store == StoreKind::Command) {
            let store = self
                .repo
                .backend(meta.store, meta.store_command.as_deref())?;
            if store.delete(name)? {
                removed.push(format!("its credentials from {}", store.location(name)));
            }
        }
        match KeyringStore.delete(name) {
            Ok(true) => removed.push(format!(
                "its credentials from {}",
                KeyringStore.location(name)
            )),
            Ok(false) => {}
            // Nothing says the keyring held it, and there is no keyring to ask.
            Err(e) if !recorded_keyring && is_absent(&e) => {}
            // Nothing says it held it, but it is there and refuses (locked).
            Err(e) if !recorded_keyring => warn_unchecked(&e, name),
            Err(e) if forget && is_absent(&e) => left = Some(e),
            Err(e) => return Err(e),
        }
        let file = FileStore::new(paths);
        let temps = self.repo.leftover_temps();
        if file.delete(name)? {
            removed.push(format!("its credentials from {}", file.location(name)));
        }
        let mut removed_temps = 0;
        for temp in temps {
            removed_temps += usize::from(secure_fs::remove(&temp)?);
        }
        match removed_temps {
            0 => {}
            1 => removed.push("a temporary file left by an interrupted write".into()),
            n => removed.push(format!("{n} temporary files left by interrupted writes")),
        }
        if secure_fs::remove(&paths.meta_file(name))? {
            removed.push(format!(
                "its metadata ({})",
                paths.meta_file(name).display()
            ));
        }
        self.lock.remove_file()?;
        Ok((removed, left))
    }
}

/// Warns that a keyring which refused access could not be checked for a stray copy.
fn warn_unchecked(err: &anyhow::Error, name: &ProfileName) {
    output::warn(format!(
        "{err:#}; it could not be checked for a copy of profile `{name}`: unlock it and run `attio-auth logout --profile {name}` again to be sure"
    ));
}

/// Whether a keyring error only means there is no keyring to ask (absent or silent); a
/// keyring that is there but refuses (locked) is never ignored.
fn is_absent(err: &anyhow::Error) -> bool {
    failure::kind(err) == Some(Kind::KeyringUnavailable)
}
/// Loads and decodes a profile's credentials from a store; `None` when the store has
/// nothing for the profile.
/// The failure for a keyring that was asked for and is not there.
fn keyring_required(e: &anyhow::Error, outcome: &str) -> anyhow::Error {
    output::verbose(format!("{e:#}"));
    Failure::new(
        Kind::KeyringUnavailable,
        format!("the OS keyring was asked for (--store keyring or ATTIO_AUTH_STORE=keyring), but none is running (or it did not answer); {outcome}"),
    )
    .advise(crate::advice::Advice::KeyringRequired)
    .into()
}

fn load_credentials(store: &dyn SecretStore, profile: &ProfileName) -> Result<Option<Credentials>> {
    let Some(text) = store.load(profile)? else {
        return Ok(None);
    };
    Credentials::decode(&text).map(Some).map_err(|why| {
        Failure::new(
            Kind::LoginAgain,
            format!(
                "stored credentials for profile `{profile}` in {} are unusable: {why}",
                store.location(profile)
            ),
        )
        .advise(clean_up(profile))
        .into()
    })
}
