//! The file store: one JSON document per profile under the user's data directory,
//! mode 0600 in a 0700 directory, replaced atomically (see `secure_fs`).

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::backend::SecretStore;
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::secret::Secret;
use crate::secure_fs;

pub struct FileStore {
    paths: Paths,
}

impl FileStore {
    pub fn new(paths: &Paths) -> Self {
        Self {
            paths: paths.clone(),
        }
    }

    /// Temporary files that writes of this profile's document never finished.
    pub fn leftover_temps(&self, profile: &ProfileName) -> Vec<PathBuf> {
        secure_fs::leftover_temps(&self.paths.credentials_file(profile))
    }
}

impl SecretStore for FileStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<Secret<String>>> {
        let path = self.paths.credentials_file(profile);
        let context = || format!("reading credentials from {}", path.display());
        self.paths.check(&self.paths.credentials_dir())?;
        let Some(contents) = secure_fs::read_own(&path).with_context(context)? else {
            return Ok(None);
        };
        warn_if_exposed(&path, contents.standing);
        // Not `from_utf8(...)?`: its error would carry the bytes along.
        match String::from_utf8(contents.bytes) {
            Ok(text) => Ok(Some(Secret::document(text))),
            Err(_) => Ok(Some(Secret::document(String::new()))),
        }
    }

    fn save(&self, profile: &ProfileName, secret: &Secret<String>) -> Result<()> {
        let path = self.paths.credentials_file(profile);
        self.paths.check(&self.paths.credentials_dir())?;
        secure_fs::write_atomic(&path, secret.expose().as_bytes())
            .with_context(|| format!("writing credentials to {}", path.display()))
    }

    fn delete(&self, profile: &ProfileName) -> Result<bool> {
        secure_fs::remove(&self.paths.credentials_file(profile))
    }

    fn location(&self, profile: &ProfileName) -> String {
        format!(
            "the file {}",
            self.paths.credentials_file(profile).display()
        )
    }
}

/// Reports a credentials file that other users could read, as ssh does for keys: once
/// per file and process, however often it is read (a refresh reads it twice).
fn warn_if_exposed(path: &std::path::Path, standing: secure_fs::Standing) {
    let secure_fs::Standing::Exposed { mode } = standing else {
        return;
    };
    static WARNED: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());
    let first = WARNED.lock().is_ok_and(|mut warned| {
        let first = !warned.iter().any(|p| p == path);
        if first {
            warned.push(path.to_path_buf());
        }
        first
    });
    if first {
        crate::output::warn(format!(
            "{} is accessible by other users (mode {mode:03o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        ));
    }
}
