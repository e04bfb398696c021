//! The file store: one JSON document per profile under the user's data directory,
//! mode 0600 in a 0700 directory, replaced atomically.

use anyhow::{Context, Result};

use super::SecretStore;
use crate::paths::Paths;
use crate::private_file;
use crate::profile::ProfileName;
use crate::secret::Secret;

pub struct FileStore {
    paths: Paths,
}

impl FileStore {
    pub fn new(paths: &Paths) -> Self {
        Self {
            paths: paths.clone(),
        }
    }
}

impl SecretStore for FileStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<Secret<String>>> {
        let path = self.paths.credentials_file(profile);
        let Some(bytes) = private_file::read_if_exists(&path)
            .with_context(|| format!("reading credentials from {}", path.display()))?
        else {
            return Ok(None);
        };
        warn_if_exposed(&path);
        // Not `from_utf8(...)?`: its error would carry the bytes along.
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(Secret::new(text))),
            Err(_) => Ok(Some(Secret::new(String::new()))),
        }
    }

    fn save(&self, profile: &ProfileName, secret: &Secret<String>) -> Result<()> {
        let path = self.paths.credentials_file(profile);
        private_file::write_atomic(&path, secret.expose().as_bytes())
            .with_context(|| format!("writing credentials to {}", path.display()))
    }

    fn delete(&self, profile: &ProfileName) -> Result<bool> {
        let path = self.paths.credentials_file(profile);
        private_file::remove(&path).with_context(|| format!("removing {}", path.display()))
    }

    fn location(&self, profile: &ProfileName) -> String {
        format!(
            "the file {}",
            self.paths.credentials_file(profile).display()
        )
    }
}

/// Reports a credentials file that other users could read, as ssh does for keys.
#[cfg(unix)]
fn warn_if_exposed(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(metadata) = std::fs::metadata(path) {
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            crate::output::warn(format!(
                "{} is accessible by other users (mode {mode:03o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
}

#[cfg(not(unix))]
fn warn_if_exposed(_path: &std::path::Path) {}
