//! Where attio-auth keeps its files: non-secret profile metadata under the user's config
//! directory, the file store and lock files under the user's data directory.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::failure::{Failure, Kind};
use crate::names::ProfileName;

/// The two directories the tool owns.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `<config dir>/attio-auth`: profile metadata (and later, config.toml).
    pub config: PathBuf,
    /// `<data dir>/attio-auth`: the file store and per-profile lock files.
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
            .hint("set HOME (or XDG_CONFIG_HOME and XDG_DATA_HOME)")
        };
        Ok(Self {
            config: dirs::config_dir().ok_or_else(missing)?.join("attio-auth"),
            data: dirs::data_dir().ok_or_else(missing)?.join("attio-auth"),
        })
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
