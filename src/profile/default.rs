//! The default profile `attio-auth switch` sets: the profile a command uses when neither
//! `--profile` nor `ATTIO_PROFILE` names one. It is the tool's own state (one name in a
//! file beside the profiles' metadata); config.toml is never rewritten.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::failure::{Failure, Kind};
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::secure_fs;

/// The file holding the name.
pub fn file(paths: &Paths) -> PathBuf {
    paths.config.join("default-profile")
}

/// The profile `switch` made the default, if any.
pub fn read(paths: &Paths) -> Result<Option<ProfileName>> {
    let path = file(paths);
    paths.check(&paths.config)?;
    let Some(contents) = secure_fs::read_own(&path)
        .with_context(|| format!("reading the default profile from {}", path.display()))?
    else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&contents.bytes);
    ProfileName::parse(text.trim()).map(Some).map_err(|_| {
        Failure::new(
            Kind::Failed,
            format!(
                "{} does not hold a profile name, so the default profile is unknown",
                path.display()
            ),
        )
        .advise(crate::advice::Advice::SwitchAgain {
            path: path.display().to_string(),
        })
        .into()
    })
}

/// Makes `name` the default.
pub fn write(paths: &Paths, name: &ProfileName) -> Result<()> {
    let path = file(paths);
    paths.check(&paths.config)?;
    secure_fs::write_atomic(&path, format!("{name}\n").as_bytes())
        .with_context(|| format!("writing the default profile to {}", path.display()))
}

/// Forgets the default when it is `name` (which was just logged out): commands fall back
/// to the profile `default`. Returns whether it was.
pub fn forget_if(paths: &Paths, name: &ProfileName) -> Result<bool> {
    match read(paths) {
        Ok(Some(current)) if &current == name => secure_fs::remove(&file(paths)),
        // An unreadable file names no profile worth keeping it for.
        Ok(_) | Err(_) => Ok(false),
    }
}

/// Forgets the default whatever it is (every profile was just logged out).
pub fn forget(paths: &Paths) -> Result<bool> {
    secure_fs::remove(&file(paths))
}
