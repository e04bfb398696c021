//! Where attio-auth keeps its files: non-secret profile metadata under the user's config
//! directory, the file store and lock files under the user's data directory.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::advice::Advice;
use crate::failure::{Failure, Kind};
use crate::names::ProfileName;

/// The two directories the tool owns.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `<config dir>/attio-auth`: profile metadata (and later, config.toml).
    pub config: PathBuf,
    /// `<local data dir>/attio-auth`: the file store and per-profile lock files. Local,
    /// not roaming, on Windows: domain setups copy the roaming directory to a network
    /// share. (Elsewhere the two are the same directory.)
    pub data: PathBuf,
}

impl Paths {
    /// Locates the directories from the platform conventions (`XDG_CONFIG_HOME`,
    /// `XDG_DATA_HOME`, `HOME`, ...). Nothing is created here.
    pub fn from_env() -> Result<Self> {
        let missing = || {
            Failure::new(
                Kind::Failed,
                "cannot locate the home directory to store credentials in",
            )
            .advise(Advice::SetHome)
        };
        Ok(Self {
            config: dirs::config_dir().ok_or_else(missing)?.join("attio-auth"),
            data: dirs::data_local_dir()
                .ok_or_else(missing)?
                .join("attio-auth"),
        })
    }

    /// Windows: moves a file store left in the roaming directory by an earlier version
    /// to the local one, once. Locks are not moved: they hold nothing. Elsewhere the two
    /// directories are the same, and this does nothing.
    pub fn move_roaming_store(&self) -> Result<()> {
        if !cfg!(windows) {
            return Ok(());
        }
        let Some(roaming) = dirs::data_dir().map(|dir| dir.join("attio-auth")) else {
            return Ok(());
        };
        let (old, new) = (roaming.join("credentials"), self.credentials_dir());
        if roaming == self.data || !old.is_dir() || new.exists() {
            return Ok(());
        }
        crate::secure_fs::ensure_dir(&self.data)?;
        std::fs::rename(&old, &new).map_err(|e| {
            Failure::new(
                Kind::Failed,
                format!(
                    "cannot move the file store from {} to {}: {e}",
                    old.display(),
                    new.display()
                ),
            )
            .advise(Advice::MoveYourself {
                from: old.display().to_string(),
                to: new.display().to_string(),
            })
        })?;
        crate::output::info(format!(
            "moved the file store from {} to {} (local, not roaming)",
            old.display(),
            new.display()
        ));
        Ok(())
    }

    /// Checks one of the tool's directories and the tool's own root above it (owned by
    /// the user, writable by nobody else; see `secure_fs::check_dir`). Missing ones pass.
    pub fn check(&self, dir: &Path) -> Result<()> {
        for root in [&self.config, &self.data] {
            if dir.starts_with(root) {
                crate::secure_fs::check_dir(root)?;
                if dir != root.as_path() {
                    crate::secure_fs::check_dir(dir)?;
                }
                return Ok(());
            }
        }
        crate::secure_fs::check_dir(dir)
    }

    /// The directory of lock files.
    pub fn locks_dir(&self) -> PathBuf {
        self.data.join("locks")
    }

    /// The directory of profile metadata files.
    pub fn profiles_dir(&self) -> PathBuf {
        self.config.join("profiles")
    }

    /// A profile's non-secret metadata.
    pub fn meta_file(&self, profile: &ProfileName) -> PathBuf {
        self.profiles_dir().join(format!("{profile}.json"))
    }

    /// The directory of the file store.
    pub fn credentials_dir(&self) -> PathBuf {
        self.data.join("credentials")
    }

    /// A profile's secrets when the file store holds them.
    pub fn credentials_file(&self, profile: &ProfileName) -> PathBuf {
        self.credentials_dir().join(format!("{profile}.json"))
    }

    /// The lock taken while a profile's tokens are refreshed or replaced.
    pub fn lock_file(&self, profile: &ProfileName) -> PathBuf {
        self.locks_dir().join(format!("{profile}.lock"))
    }
}
