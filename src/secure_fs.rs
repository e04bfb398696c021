//! The tool's files, opened as strictly as ssh opens its keys. Directories must be owned
//! by the user and writable by nobody else; files are opened without following symbolic
//! links, without blocking (a FIFO cannot hang a read), and must be regular files owned by
//! the user. Writes go to an unpredictable temporary file (`O_CREAT|O_EXCL|O_NOFOLLOW`),
//! are fsynced and renamed into place, so a crash never leaves a half-written file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::advice::Advice;
use crate::failure::{Failure, Kind};

/// What keeps a file of the tool's from other users, for messages.
pub const PRIVATE: &str = if cfg!(windows) {
    "private to your user account"
} else {
    "mode 0600, readable only by you"
};

/// The largest file read: stored documents are a few KiB.
const MAX_READ: u64 = 1024 * 1024;

/// What was read from a file, and who else may read it.
pub struct Contents {
    pub bytes: Vec<u8>,
    /// Who else may read it.
    pub standing: Standing,
    /// Whether the file is the user's (or root's) and nobody else may write it: only then
    /// may it name a program to run. Always true where the platform has no owners.
    pub trusted: bool,
}

/// Creates `dir` (mode 0700, with any missing parents) when it is missing, then checks it.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    check_dir(dir)
}

/// Refuses a directory that another user owns or may write to (they could swap the files
/// in it), saying how to fix it. A missing directory passes: there is nothing in it.
#[cfg(unix)]
pub fn check_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let metadata = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("checking {}", dir.display())),
    };
    let shown = dir.display();
    if !metadata.is_dir() {
        return Err(
            Failure::new(Kind::Failed, format!("{shown} is not a directory"))
                .advise(Advice::MoveAside {
                    path: shown.to_string(),
                })
                .into(),
        );
    }
    if metadata.uid() != crate::os::euid() {
        return Err(Failure::new(
            Kind::Failed,
            format!(
                "{shown} is owned by another user (uid {}), so they could swap the files in it",
                metadata.uid()
            ),
        )
        .advise(Advice::Chown {
            path: shown.to_string(),
        })
        .into());
    }
    let mode = metadata.mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(Failure::new(
            Kind::Failed,
            format!(
                "{shown} is writable by other users (mode {mode:03o}), so they could swap the files in it"
            ),
        )
        .advise(Advice::Chmod700 { path: shown.to_string() })
        .into());
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

/// Opens a file of ours for reading: no symbolic link, no FIFO or device, no file of
/// another user. `None` when it does not exist.
pub fn open_own(path: &Path, options: &mut OpenOptions) -> Result<Option<File>> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC,
    );
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_symlink_error(&e) => return Err(symlink_failure(path)),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    check_own_file(&file, path)?;
    Ok(Some(file))
}

/// `O_NOFOLLOW` on a symbolic link fails with `ELOOP`.
fn is_symlink_error(err: &io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

fn symlink_failure(path: &Path) -> anyhow::Error {
    let shown = path.display();
    Failure::new(
        Kind::Failed,
        format!("{shown} is a symbolic link; attio-auth only uses its own regular files"),
    )
    .advise(Advice::RemoveLink {
        path: shown.to_string(),
    })
    .into()
}

/// Who a file is open to: the one rule for owners and modes, used when a file is read
/// and by `doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))]
pub enum Standing {
    /// Ours, and only ours.
    Private,
    /// Ours, but other users may read or write it (`mode`: the permission bits).
    Exposed { mode: u32 },
    /// Another user's.
    Foreign { uid: u32 },
}

/// The standing of a file from its metadata. Windows has no owner or mode bits to check:
/// the files' protection there is the user profile directory's access list.
pub fn standing(metadata: &fs::Metadata) -> Standing {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if metadata.uid() != crate::os::euid() {
            return Standing::Foreign {
                uid: metadata.uid(),
            };
        }
        let mode = metadata.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Standing::Exposed { mode };
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    Standing::Private
}

/// Refuses anything but a regular file owned by this user.
fn check_own_file(file: &File, path: &Path) -> Result<()> {
    let metadata = file
        .metadata()
        .with_context(|| format!("checking {}", path.display()))?;
    check_regular(&metadata, path)?;
    if let Standing::Foreign { uid } = standing(&metadata) {
        let shown = path.display();
        return Err(Failure::new(
            Kind::Failed,
            format!(
                "{shown} is owned by another user (uid {uid}); attio-auth only uses its own files"
            ),
        )
        .advise(Advice::RemoveForeign {
            path: shown.to_string(),
        })
        .into());
    }
    Ok(())
}

fn check_regular(metadata: &fs::Metadata, path: &Path) -> Result<()> {
    if metadata.is_file() {
        return Ok(());
    }
    let shown = path.display();
    Err(Failure::new(
        Kind::Failed,
        format!("{shown} is not a regular file (a FIFO, device or directory)"),
    )
    .advise(Advice::MoveAside {
        path: shown.to_string(),
    })
    .into())
}

/// Reads one of the tool's own files (see [`open_own`]); `None` when it does not exist.
pub fn read_own(path: &Path) -> Result<Option<Contents>> {
    let Some(file) = open_own(path, OpenOptions::new().read(true))? else {
        return Ok(None);
    };
    read_all(file, path).map(Some)
}

/// Reads a file the user points the tool at (config.toml may be a link into a dotfiles
/// repository, owned by anyone): links are followed, but it must be a regular file, and
/// a FIFO cannot hang the read.
pub fn read_followed(path: &Path) -> Result<Option<Contents>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_CLOEXEC,
    );
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("opening {}", path.display())),
    };
    let metadata = file
        .metadata()
        .with_context(|| format!("checking {}", path.display()))?;
    check_regular(&metadata, path)?;
    read_all(file, path).map(Some)
}

fn read_all(file: File, path: &Path) -> Result<Contents> {
    let standing = standing_of(&file);
    let trusted = trusted(&file);
    let mut bytes = Vec::new();
    file.take(MAX_READ + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > MAX_READ {
        return Err(Failure::new(
            Kind::Failed,
            format!("{} is larger than {} KiB", path.display(), MAX_READ / 1024),
        )
        .advise(Advice::MoveAside {
            path: path.display().to_string(),
        })
        .into());
    }
    Ok(Contents {
        bytes,
        standing,
        trusted,
    })
}

fn trusted(file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        file.metadata()
            .is_ok_and(|m| (m.uid() == crate::os::euid() || m.uid() == 0) && m.mode() & 0o022 == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        true
    }
}

fn standing_of(file: &File) -> Standing {
    file.metadata()
        .map_or(Standing::Private, |metadata| standing(&metadata))
}

/// The prefix of every temporary file written for `path`: `.<name>.tmp-`.
fn temp_prefix(path: &Path) -> Option<String> {
    Some(format!(".{}.tmp-", path.file_name()?.to_str()?))
}

/// The name of the file a temporary file was written for: `<name>` for exactly
/// `.<name>.tmp-<pid>-<16 hex digits>` (as `write_atomic` names them), else `None`. A
/// prefix is not enough: profile `a`'s prefix `.a.json.tmp-` also begins the temporary
/// files of a profile named `a.json.tmp-x`.
pub fn temp_target(file_name: &str) -> Option<&str> {
    let (name, suffix) = file_name.strip_prefix('.')?.rsplit_once(".tmp-")?;
    let (pid, random) = suffix.split_once('-')?;
    let digits = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    let hex = random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit());
    (digits && hex).then_some(name)
}

/// Temporary files left beside `path` by writes that never finished (a kill, a crash).
/// The caller holds the profile's lock, so no write of this path is in progress.
pub fn leftover_temps(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(temp_target)
                .is_some_and(|target| target == name)
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Replaces `path` with `contents` atomically: the old file stays intact until the new
/// one is fully on disk. The caller holds the profile's lock (temporary files of earlier
/// writes that never finished are removed first) and names the file in its context.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{} has no parent directory", path.display()))?;
    ensure_dir(dir)?;
    for stale in leftover_temps(path) {
        let _ = fs::remove_file(stale);
    }
    let prefix =
        temp_prefix(path).ok_or_else(|| anyhow::anyhow!("{} has no file name", path.display()))?;
    let tmp = dir.join(format!("{prefix}{}-{}", std::process::id(), random_hex(8)?));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            libc::O_NOFOLLOW | libc::O_CLOEXEC,
        );
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let result = (|| -> io::Result<()> {
        let mut file = options.open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        replace(&tmp, path)?;
        // Make the rename itself durable.
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    Ok(result?)
}

/// `n` random bytes as hex: names and nonces another user cannot guess.
pub fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Removes a file (never what a link points to); one already gone is not an error.
/// Returns whether it existed.
pub fn remove(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("removing {}", path.display())),
    }
}

/// Renames `tmp` over `path`. Windows refuses the rename for a moment while another
/// process (a concurrent `token`, a virus scanner) has `path` open: it is tried again for
/// up to a second there.
fn replace(tmp: &Path, path: &Path) -> io::Result<()> {
    let mut tries = 0;
    loop {
        match fs::rename(tmp, path) {
            Err(e)
                if cfg!(windows) && e.kind() == io::ErrorKind::PermissionDenied && tries < 50 =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn temporary_files_belong_to_exactly_one_file() {
        assert_eq!(
            temp_target(".a.json.tmp-42-0123456789abcdef"),
            Some("a.json")
        );
        assert_eq!(
            temp_target(".a.json.tmp-x.json.tmp-42-0123456789abcdef"),
            Some("a.json.tmp-x.json")
        );
        for not_ours in [
            "a.json",
            ".a.json.tmp-x",
            ".a.json.tmp-42-0123",
            ".a.json.tmp--0123456789abcdef",
            ".a.json.tmp-42-0123456789abcdeg",
        ] {
            assert_eq!(temp_target(not_ours), None, "{not_ours}");
        }
    }

    #[test]
    fn atomic_write_creates_a_private_file_and_directory_and_cleans_up() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/creds.json");
        write_atomic(&path, b"one").unwrap();
        fs::write(
            path.with_file_name(".creds.json.tmp-1-0000000000000000"),
            b"stale",
        )
        .unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(read_own(&path).unwrap().unwrap().bytes, b"two");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn links_fifos_and_open_directories_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("target");
        fs::write(&target, b"x").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = read_own(&link).err().unwrap();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(
            read_followed(&link).unwrap().is_some(),
            "config may be a link"
        );
        let err = read_own(tmp.path()).err().unwrap();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_dir(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("mode 777"), "{err}");
        assert!(read_own(&tmp.path().join("missing")).unwrap().is_none());
    }
}
