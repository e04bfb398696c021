//! The per-profile lock that serialises refreshes, so a refresh token is never sent twice
//! even when many `attio-auth token` processes start at once.

use std::fs::{File, OpenOptions};

use anyhow::{Context, Result};

use crate::paths::Paths;
use crate::private_file;
use crate::profile::ProfileName;

/// Holds the profile's lock until dropped (the OS releases it if the process dies).
pub struct ProfileLock {
    _file: File,
}

/// Blocks until this process holds the profile's exclusive lock.
pub fn acquire(paths: &Paths, profile: &ProfileName) -> Result<ProfileLock> {
    let path = paths.lock_file(profile);
    let context = || format!("locking profile `{profile}` ({})", path.display());
    if let Some(dir) = path.parent() {
        private_file::ensure_dir(dir).with_context(context)?;
    }
    let file = private_file::open_private(
        &path,
        OpenOptions::new().write(true).create(true).truncate(false),
    )
    .with_context(context)?;
    file.lock().with_context(context)?;
    Ok(ProfileLock { _file: file })
}
