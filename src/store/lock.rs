//! The per-profile lock that serialises every write of a profile's state (login, refresh,
//! logout), so a refresh token is never sent twice and a login is never overwritten by a
//! refresh that started before it. Waiting for it is bounded; the holder writes its pid
//! into the file so a waiter can name it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::advice::Advice;
use crate::failure::{Failure, Kind};
use crate::secure_fs;

/// Holds the profile's lock until dropped (the OS releases it if the process dies).
pub struct ProfileLock {
    _file: File,
    path: PathBuf,
}

impl ProfileLock {
    /// Removes the lock file while still holding the lock (logout). Waiters that opened
    /// it notice that the path no longer names their file and start over.
    pub fn remove_file(&self) -> Result<bool> {
        secure_fs::remove(&self.path)
    }
}

/// Takes the exclusive lock at `path`, waiting at most `timeout` for another process to
/// release it. `profile` names it in messages.
pub fn acquire(path: &Path, profile: &str, timeout: Duration) -> Result<ProfileLock> {
    loop {
        if let Some(lock) = take(path, profile, timeout, Queue::Exclusive)? {
            return Ok(lock);
        }
    }
}

/// Takes the exclusive lock at `path` when it is free. When another process holds it,
/// waits (at most `timeout`) until that process is done, alongside any other waiter,
/// and returns `None`: what it wrote may be all the caller needed (a refresh), so the
/// caller looks before queueing for the lock itself. Waiters thus re-read at once
/// rather than one after another.
pub fn acquire_or_wait(
    path: &Path,
    profile: &str,
    timeout: Duration,
) -> Result<Option<ProfileLock>> {
    take(path, profile, timeout, Queue::Shared)
}

/// How to wait when the lock is held.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Queue {
    /// Queue for the lock itself.
    Exclusive,
    /// Wait, with other waiters, until the holder is done, then let go.
    Shared,
}

/// One attempt: the lock, or `None` once a shared wait ended (or a logout replaced the
/// file while this process waited on it).
fn take(
    path: &Path,
    profile: &str,
    timeout: Duration,
    queue: Queue,
) -> Result<Option<ProfileLock>> {
    let context = || format!("locking profile `{profile}` ({})", path.display());
    if let Some(dir) = path.parent() {
        secure_fs::ensure_dir(dir).with_context(context)?;
    }
    let mut file = secure_fs::open_own(
        path,
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
    )
    .with_context(context)?
    .ok_or_else(|| anyhow::anyhow!("{} vanished while it was opened", path.display()))?;
    if !wait_for(&file, path, profile, timeout, queue)? {
        // Shared: the holder is done; the shared lock goes with `file`.
        return Ok(None);
    }
    // A logout may have removed the file while this process waited on it: then the lock
    // is on a file nobody else will find, so the caller starts over on the new one.
    if !same_file(&file, path) {
        return Ok(None);
    }
    let _ = write_pid(&mut file);
    Ok(Some(ProfileLock {
        _file: file,
        path: path.to_path_buf(),
    }))
}

/// Locks `file` exclusively and returns true; or, when it is held and `queue` is
/// `Shared`, waits for a shared lock instead and returns false. Waits at most `timeout`;
/// names the holder when it gives up.
fn wait_for(
    file: &File,
    path: &Path,
    profile: &str,
    timeout: Duration,
    queue: Queue,
) -> Result<bool> {
    match file.try_lock() {
        Ok(()) => return Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {}", path.display()));
        }
    }
    // A shared lock granted at once means no writer holds the lock, only other waiters
    // looking at what the last one wrote: queue for the lock itself, or waiters that
    // keep finding nothing done would hand the shared lock around for ever.
    let queue = if queue == Queue::Shared && file.try_lock_shared().is_ok() {
        file.unlock()
            .with_context(|| format!("unlocking {}", path.display()))?;
        Queue::Exclusive
    } else {
        queue
    };
    let holder = Holder::of(file);
    let waiter = file
        .try_clone()
        .with_context(|| format!("locking {}", path.display()))?;
    let (tx, rx) = mpsc::channel();
    // `File::lock` cannot time out: the thread waits, this one gives up on time. A lock
    // the thread gets later is released when the process exits.
    std::thread::spawn(move || {
        let _ = tx.send(match queue {
            Queue::Exclusive => waiter.lock(),
            Queue::Shared => waiter.lock_shared(),
        });
    });
    match rx.recv_timeout(timeout) {
        Ok(result) => result
            .map(|()| queue == Queue::Exclusive)
            .with_context(|| format!("locking {}", path.display())),
        Err(_) => {
            let who = holder.describe();
            Err(Failure::new(
                Kind::Failed,
                format!(
                    "profile `{profile}` is busy: {who} has held its lock for more than {} s",
                    timeout.as_secs()
                ),
            )
            .advise(Advice::LockHeld { pid: holder.pid() })
            .into())
        }
    }
}

/// Whether `path` still names the open file (same device and inode).
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Records this process as the holder.
fn write_pid(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "{}", std::process::id())
}

/// Who holds a lock: the process the kernel names (Linux), else the pid the holder
/// recorded, which only an attio-auth process writes.
enum Holder {
    /// Seen in the kernel's lock table, with its name when it can be read.
    Seen(u32, Option<String>),
    /// Recorded in the file by the attio-auth process that took the lock.
    Recorded(u32),
    Unknown,
}

impl Holder {
    fn of(file: &File) -> Self {
        if let Some(pid) = crate::os::flock_holder(file) {
            return Holder::Seen(pid, crate::os::process_name(pid));
        }
        match holder_pid(file) {
            Some(pid) => Holder::Recorded(pid),
            None => Holder::Unknown,
        }
    }

    fn pid(&self) -> Option<u32> {
        match self {
            Holder::Seen(pid, _) | Holder::Recorded(pid) => Some(*pid),
            Holder::Unknown => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Holder::Seen(pid, Some(name)) if name == "attio-auth" => {
                format!("another attio-auth process (pid {pid})")
            }
            Holder::Seen(pid, Some(name)) => format!("pid {pid} ({name})"),
            Holder::Seen(pid, None) => format!("pid {pid}"),
            Holder::Recorded(pid) => format!("another attio-auth process (pid {pid})"),
            Holder::Unknown => "another process".into(),
        }
    }
}

/// The pid the current holder recorded, if it did.
fn holder_pid(file: &File) -> Option<u32> {
    let mut text = String::new();
    let mut reader = file.try_clone().ok()?;
    reader.rewind().ok()?;
    reader.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}
