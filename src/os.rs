//! Every call into the C library and every read of `/proc`, behind safe functions. This
//! is the one module allowed `unsafe` (`unsafe_code` is denied everywhere else).
//! Where a platform lacks a call, its function answers "unknown" (`None`) or does
//! nothing. It is long (about 600 lines) on purpose: every platform's calls live here
//! and nowhere else, so that `unsafe` stays out of the rest of the code.

#![allow(unsafe_code)]

use std::net::SocketAddr;

/// Keeps secrets out of core files and away from other processes of the same user, as
/// ssh-agent and gpg-agent do: no core file (the soft limit is 0; the hard limit is left
/// alone, so the programs it starts may raise theirs again), and (Linux) not dumpable,
/// which also refuses ptrace and hands `/proc/PID` to root.
pub fn no_core_dumps() {
    #[cfg(unix)]
    // SAFETY: plain system calls on a valid, initialised struct.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_CORE, &mut limit) != 0 {
            limit.rlim_max = 0;
        }
        limit.rlim_cur = 0;
        libc::setrlimit(libc::RLIMIT_CORE, &limit);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Raises the soft limit on open files to the hard limit, so that idle connections from
/// another user cannot use up the descriptors the listener needs.
pub fn raise_fd_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit on a valid, initialised struct.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// The effective user ID of this process.
#[cfg(unix)]
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Ends this process as Ctrl-C would have without a handler: by SIGINT with its default
/// action on Unix (so a calling shell script stops too), exit 130 elsewhere.
pub fn end_by_interrupt() -> ! {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default action and raising it; no memory involved.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::raise(libc::SIGINT);
    }
    std::process::exit(130)
}

/// Ends this process by `signal` with its default action (a child died of it, and a
/// calling shell should see the same), or with 128 + `signal` where that cannot be done.
#[cfg(unix)]
pub fn end_by_signal(signal: i32) -> ! {
    // SAFETY: restoring a signal's default action, unblocking and raising it.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
    std::process::exit(128 + (signal & 0x7f))
}

/// Whether this process's group is its controlling terminal's foreground group, so that
/// Ctrl-C and Ctrl-Z at that terminal reach every process of the group.
pub fn in_terminal_foreground() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let Some(tty) = controlling_terminal() else {
            return false;
        };
        // SAFETY: plain calls on an open terminal descriptor.
        unsafe { libc::tcgetpgrp(tty.as_raw_fd()) == libc::getpgrp() }
    }
    #[cfg(not(unix))]
    false
}

/// This process's controlling terminal, when it has one, for asking and handing over
/// its foreground group.
#[cfg(unix)]
fn controlling_terminal() -> Option<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open("/dev/tty")
        .ok()
}

/// Sends `signal` to a process, or with `group` to the process group it leads.
#[cfg(unix)]
pub fn send_signal(pid: u32, signal: i32, group: bool) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    if pid <= 0 {
        return;
    }
    // SAFETY: kill/killpg have no memory preconditions.
    unsafe {
        if group {
            libc::killpg(pid, signal);
        } else {
            libc::kill(pid, signal);
        }
    }
}

/// The width of the terminal (console) `stream` (stdout, stderr) writes to, in columns,
/// when it can be asked.
#[cfg(unix)]
pub fn columns(stream: &impl std::os::fd::AsRawFd) -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills a plain struct for a valid descriptor.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let asked = unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCGWINSZ, &mut size) };
    (asked == 0 && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// The width of the console `stream` (stdout, stderr) writes to, in columns, when it
/// can be asked.
#[cfg(windows)]
pub fn columns(stream: &impl std::os::windows::io::AsRawHandle) -> Option<usize> {
    let handle = stream.as_raw_handle();
    use windows_sys::Win32::System::Console::{
        CONSOLE_SCREEN_BUFFER_INFO, GetConsoleScreenBufferInfo,
    };
    // SAFETY: a plain struct filled for a standard handle, which lives as long as the
    // process; a handle that is no console makes the call fail.
    let mut info: CONSOLE_SCREEN_BUFFER_INFO = unsafe { std::mem::zeroed() };
    if unsafe { GetConsoleScreenBufferInfo(handle as _, &mut info) } == 0 {
        return None;
    }
    // The visible window, not the (wider) scroll-back buffer.
    let width = i32::from(info.srWindow.Right) - i32::from(info.srWindow.Left) + 1;
    usize::try_from(width).ok().filter(|width| *width > 0)
}

/// Platforms that cannot be asked.
#[cfg(not(any(unix, windows)))]
pub fn columns<T>(_: &T) -> Option<usize> {
    None
}

/// A child and everything it starts, to be stopped together: a process group of its own
/// on Unix, a job object on Windows. On Unix, while it runs, it is handed the terminal's
/// foreground (when this process has it), so a program that asks on `/dev/tty` (a
/// vault's passphrase prompt) can read there; the terminal is taken back when this is
/// dropped.
pub struct ProcessGroup {
    #[cfg(unix)]
    pgid: libc::pid_t,
    #[cfg(unix)]
    _foreground: Option<Foreground>,
    #[cfg(windows)]
    job: Option<windows_sys::Win32::Foundation::HANDLE>,
}

impl ProcessGroup {
    /// Sets `command` up to start in a group of its own (Unix; nothing on Windows, where
    /// `adopt` puts the child in a job).
    pub fn prepare(command: &mut std::process::Command) {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
        #[cfg(not(unix))]
        let _ = command;
    }

    /// The group of a child started from a `prepare`d command.
    pub fn adopt(child: &std::process::Child) -> Self {
        #[cfg(unix)]
        {
            let pgid = libc::pid_t::try_from(child.id()).unwrap_or(0);
            ProcessGroup {
                pgid,
                _foreground: Foreground::hand_to(pgid),
            }
        }
        #[cfg(windows)]
        {
            use std::os::windows::io::AsRawHandle;
            use windows_sys::Win32::Foundation::CloseHandle;
            use windows_sys::Win32::System::JobObjects::{
                AssignProcessToJobObject, CreateJobObjectW,
            };
            // SAFETY: a new unnamed job with default security; the child's handle is
            // valid while `child` lives.
            let job = unsafe {
                let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
                if job.is_null() {
                    None
                } else if AssignProcessToJobObject(job, child.as_raw_handle() as _) == 0 {
                    CloseHandle(job);
                    None
                } else {
                    Some(job)
                }
            };
            ProcessGroup { job }
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = child;
            ProcessGroup {}
        }
    }

    /// Stops the child and everything it started, at once (SIGKILL; the job terminated).
    pub fn kill(&self) {
        #[cfg(unix)]
        if self.pgid > 0 {
            // SAFETY: killpg has no memory preconditions.
            unsafe {
                libc::killpg(self.pgid, libc::SIGKILL);
            }
        }
        #[cfg(windows)]
        if let Some(job) = self.job {
            // SAFETY: `job` is the open job handle this value owns.
            unsafe {
                windows_sys::Win32::System::JobObjects::TerminateJobObject(job, 1);
            }
        }
    }
}

#[cfg(windows)]
impl Drop for ProcessGroup {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            // SAFETY: closing the handle this value owns; the processes live on.
            unsafe {
                windows_sys::Win32::Foundation::CloseHandle(job);
            }
        }
    }
}

/// Ties a command to this process, so that it cannot outlive it (and go on sending its
/// requests to a port another user may bind once this process is gone). On Linux the
/// kernel kills it when this process dies, however it dies (a parent-death signal, then
/// a check that the parent did not die before it was set); on Windows a job object kills
/// it and everything it started when its one handle, this process's, closes. macOS has
/// no parent-death signal: there, a command outlives a SIGKILLed attio-auth.
pub struct Tether {
    #[cfg(windows)]
    job: Option<windows_sys::Win32::Foundation::HANDLE>,
}

impl Tether {
    /// Sets `command` up to die with this process (Linux; nothing elsewhere).
    pub fn prepare(command: &mut std::process::Command) {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt;
            let parent = std::process::id() as libc::pid_t;
            // SAFETY: between fork and exec only async-signal-safe calls are made
            // (prctl, getppid, _exit); nothing is allocated.
            unsafe {
                command.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // The parent died between fork and prctl: the signal will not come.
                    if libc::getppid() != parent {
                        libc::_exit(1);
                    }
                    Ok(())
                });
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = command;
    }

    /// Holds the child (Windows: in a job that kills it with this process).
    pub fn hold(child: &tokio::process::Child) -> Self {
        #[cfg(windows)]
        {
            use windows_sys::Win32::Foundation::CloseHandle;
            use windows_sys::Win32::System::JobObjects::{
                AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
                JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
                SetInformationJobObject,
            };
            let Some(process) = child.raw_handle() else {
                return Tether { job: None };
            };
            // SAFETY: a new unnamed job; the limit structure is zeroed then filled and
            // passed with its size; the child's handle is valid while `child` lives.
            let job = unsafe {
                let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
                if job.is_null() {
                    None
                } else {
                    let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
                    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
                    let set = SetInformationJobObject(
                        job,
                        JobObjectExtendedLimitInformation,
                        (&raw const limits).cast(),
                        std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
                    );
                    if set == 0 || AssignProcessToJobObject(job, process as _) == 0 {
                        CloseHandle(job);
                        None
                    } else {
                        Some(job)
                    }
                }
            };
            Tether { job }
        }
        #[cfg(not(windows))]
        {
            let _ = child;
            Tether {}
        }
    }
}

// SAFETY: a job handle is a kernel object's handle, usable and closed from any thread.
#[cfg(windows)]
unsafe impl Send for Tether {}

#[cfg(windows)]
impl Drop for Tether {
    fn drop(&mut self) {
        if let Some(job) = self.job.take() {
            // SAFETY: closing the handle this value owns kills what is left in the job.
            unsafe {
                windows_sys::Win32::Foundation::CloseHandle(job);
            }
        }
    }
}

/// The controlling terminal, handed to another process group; given back when dropped.
#[cfg(unix)]
struct Foreground {
    tty: std::fs::File,
    ours: libc::pid_t,
}

#[cfg(unix)]
impl Foreground {
    /// Makes `pgid` the terminal's foreground group, when this process's group has it.
    fn hand_to(pgid: libc::pid_t) -> Option<Foreground> {
        use std::os::fd::AsRawFd;
        let tty = controlling_terminal()?;
        let fd = tty.as_raw_fd();
        // SAFETY: plain calls on an open terminal descriptor.
        unsafe {
            let ours = libc::getpgrp();
            if pgid <= 0 || libc::tcgetpgrp(fd) != ours || libc::tcsetpgrp(fd, pgid) != 0 {
                return None;
            }
            // It may have tried to read before it had the terminal, and been stopped.
            libc::killpg(pgid, libc::SIGCONT);
            Some(Foreground { tty, ours })
        }
    }
}

#[cfg(unix)]
impl Drop for Foreground {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: a background group may take the terminal back only with SIGTTOU
        // blocked (POSIX); the mask is this thread's and is restored at once.
        unsafe {
            let mut block: libc::sigset_t = std::mem::zeroed();
            let mut before: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut block);
            libc::sigaddset(&mut block, libc::SIGTTOU);
            libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut before);
            libc::tcsetpgrp(self.tty.as_raw_fd(), self.ours);
            libc::pthread_sigmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
        }
    }
}

/// This machine's name, when it reads as a plain host name.
pub fn hostname() -> Option<String> {
    let plain = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it
        // or truncates, and the last byte stays 0.
        let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) } == 0;
        let name = String::from_utf8_lossy(&buf[..buf.iter().position(|&b| b == 0).unwrap_or(0)])
            .to_string();
        if ok && plain(&name) {
            return Some(name);
        }
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::SystemInformation::{
            ComputerNameDnsHostname, GetComputerNameExW,
        };
        let mut buf = [0u16; 256];
        let mut len = buf.len() as u32;
        // SAFETY: the buffer is valid for `len` UTF-16 units; on success `len` is the
        // name's length without its NUL.
        let ok = unsafe { GetComputerNameExW(ComputerNameDnsHostname, buf.as_mut_ptr(), &mut len) };
        if ok != 0 {
            let name = String::from_utf16_lossy(&buf[..(len as usize).min(buf.len())]);
            if plain(&name) {
                return Some(name);
            }
        }
    }
    None
}

/// A terminal's settings, to put back after echo was turned off.
#[cfg(unix)]
pub type TerminalSettings = libc::termios;

/// Turns echo off on the terminal `fd` (a typed newline still shows), returning the
/// settings to restore.
#[cfg(unix)]
pub fn echo_off(fd: i32) -> std::io::Result<TerminalSettings> {
    // SAFETY: `fd` is an open terminal the caller holds; termios is plain data.
    unsafe {
        let mut term: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut term) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let original = term;
        term.c_lflag &= !libc::ECHO;
        term.c_lflag |= libc::ECHONL;
        if libc::tcsetattr(fd, libc::TCSANOW, &term) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(original)
    }
}

/// Puts back settings `echo_off` returned for the same terminal.
#[cfg(unix)]
pub fn restore_terminal(fd: i32, settings: &TerminalSettings) {
    // SAFETY: restoring settings read from the same descriptor.
    unsafe {
        libc::tcsetattr(fd, libc::TCSANOW, settings);
    }
}

/// A process this user may look at (Linux, `/proc`).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct Process {
    pub pid: u32,
    uid: u32,
    /// The kernel's name for it (`comm`), never its arguments, which may hold another
    /// program's secrets.
    pub name: String,
    /// `/proc/PID`.
    dir: std::path::PathBuf,
}

impl Process {
    /// Whether it runs as this process's effective user.
    pub fn is_ours(&self) -> bool {
        #[cfg(unix)]
        return self.uid == euid();
        #[cfg(not(unix))]
        false
    }

    /// Its command line's arguments.
    pub fn args(&self) -> Vec<String> {
        std::fs::read(self.dir.join("cmdline"))
            .unwrap_or_default()
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    /// Whether one of its open descriptors is the socket with this inode.
    #[cfg(target_os = "linux")]
    fn holds_socket(&self, inodes: &[String]) -> bool {
        let Ok(fds) = std::fs::read_dir(self.dir.join("fd")) else {
            return false;
        };
        fds.flatten().any(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|target| {
                inodes
                    .iter()
                    .any(|inode| target.as_os_str() == format!("socket:[{inode}]").as_str())
            })
        })
    }
}

/// The processes on this machine (Linux; none elsewhere).
pub fn processes() -> Vec<Process> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| {
                let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
                let uid = entry.metadata().ok()?.uid();
                let name = std::fs::read_to_string(entry.path().join("comm"))
                    .map(|c| c.trim().to_string())
                    .unwrap_or_else(|_| "unknown".into());
                Some(Process {
                    pid,
                    uid,
                    name,
                    dir: entry.path(),
                })
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

/// The name the kernel gives process `pid` (`comm`), when it can be seen (Linux).
pub fn process_name(pid: u32) -> Option<String> {
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(name.trim().to_string())
}

/// The process that holds a `flock` lock on this open file, from the kernel's lock table
/// (`/proc/locks`; Linux only).
pub fn flock_holder(file: &std::fs::File) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = file.metadata().ok()?;
        let (dev, ino) = (meta.dev(), meta.ino());
        let device = format!("{:02x}:{:02x}:{ino}", libc::major(dev), libc::minor(dev));
        let table = std::fs::read_to_string("/proc/locks").ok()?;
        table.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // `N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE START END`; waiters have a `->`.
            (fields.get(1) == Some(&"FLOCK") && fields.get(5) == Some(&device.as_str()))
                .then(|| fields.get(4)?.parse().ok())
                .flatten()
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// Who listens on a TCP port, as far as this user may see (only Linux tells).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub enum PortHolder {
    /// A process this user can see.
    Process(Process),
    /// Another user's socket, whose process this user cannot look into.
    User(u32),
}

/// The holder of a listening TCP socket on `port` (Linux: the socket tables in
/// `/proc/net/tcp{,6}`, then each process's open descriptors).
pub fn port_holder(port: u16) -> Option<PortHolder> {
    #[cfg(target_os = "linux")]
    {
        let suffix = format!(":{port:04X}");
        let mut listening = Vec::new(); // (inode, uid)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let Ok(text) = std::fs::read_to_string(table) else {
                continue;
            };
            for line in text.lines().skip(1) {
                let fields: Vec<&str> = line.split_whitespace().collect();
                // local_address, state 0A = LISTEN, uid, inode.
                if fields.len() > 9 && fields[1].ends_with(&suffix) && fields[3] == "0A" {
                    listening.push((fields[9].to_string(), fields[7].parse::<u32>().ok()?));
                }
            }
        }
        let uid = listening.first()?.1;
        let inodes: Vec<String> = listening.into_iter().map(|(inode, _)| inode).collect();
        if let Some(process) = processes().into_iter().find(|p| p.holds_socket(&inodes)) {
            return Some(PortHolder::Process(process));
        }
        // Our own socket whose process is gone by now says nothing useful.
        (uid != euid()).then_some(PortHolder::User(uid))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = port;
        None
    }
}

/// Who is at the other end of a loopback connection (only Linux tells).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The local user who owns the client's socket.
    Uid(u32),
    /// The kernel's socket table can be read, and the connection is not in it: it was
    /// closed (or reset) before it could be looked up, so its user is unknowable.
    Gone,
    /// This platform does not tell.
    Unknown,
}

impl Peer {
    /// Another local user's connection, who is neither us nor root (port forwarders that
    /// carry a real browser's connection often run as root), or one gone before its user
    /// could be checked (a reset is how another user would hide).
    pub fn is_foreign(&self) -> bool {
        match self {
            #[cfg(unix)]
            Peer::Uid(uid) => *uid != euid() && *uid != 0,
            Peer::Gone => true,
            _ => false,
        }
    }
}

/// The other end of a loopback connection, from the kernel's socket table
/// (`/proc/net/tcp`, `tcp6`; Linux only), so another local user's browser can be refused.
pub fn peer(peer: SocketAddr, local: SocketAddr) -> Peer {
    peers(&[(peer, local)])[0]
}

/// [`peer`] for many connections (each a client and server address) at one reading of
/// the kernel's tables.
pub fn peers(connections: &[(SocketAddr, SocketAddr)]) -> Vec<Peer> {
    #[cfg(target_os = "linux")]
    {
        use std::collections::HashMap;
        type Rows = HashMap<(String, String), u32>;
        /// A table's rows by (local, remote) address as the kernel writes them, each
        /// row's owner; `None` when the table cannot be read or is empty (a sandbox
        /// that hides it tells nothing).
        fn read(path: &str) -> Option<Rows> {
            let text = std::fs::read_to_string(path).ok()?;
            let rows: Rows = text
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let mut fields = line.split_whitespace();
                    let local = fields.nth(1)?.to_string();
                    let remote = fields.next()?.to_string();
                    let uid = fields.nth(4)?.parse().ok()?;
                    Some(((local, remote), uid))
                })
                .collect();
            (!rows.is_empty()).then_some(rows)
        }
        let mut tables: [Option<Option<Rows>>; 2] = [None, None];
        connections
            .iter()
            .map(|(peer, local)| {
                let (index, path) = match peer {
                    SocketAddr::V4(_) => (0, "/proc/net/tcp"),
                    SocketAddr::V6(_) => (1, "/proc/net/tcp6"),
                };
                let Some(rows) = tables[index].get_or_insert_with(|| read(path)) else {
                    return Peer::Unknown;
                };
                // The client's row: its local address is the peer, its remote ours.
                rows.get(&(kernel_hex(peer), kernel_hex(local)))
                    .map_or(Peer::Gone, |uid| Peer::Uid(*uid))
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    {
        vec![Peer::Unknown; connections.len()]
    }
}

/// A socket address as the kernel prints it in `/proc/net/tcp{,6}`: the address in
/// 32-bit words of host byte order, then the port.
#[cfg(target_os = "linux")]
fn kernel_hex(addr: &SocketAddr) -> String {
    let words: String = match addr {
        SocketAddr::V4(addr) => format!("{:08X}", u32::from_ne_bytes(addr.ip().octets())),
        SocketAddr::V6(addr) => addr
            .ip()
            .octets()
            .chunks(4)
            .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
            .collect(),
    };
    format!("{words}:{:04X}", addr.port())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn socket_addresses_are_written_as_the_kernel_writes_them() {
        let v4: SocketAddr = "127.0.0.1:3456".parse().unwrap();
        assert_eq!(kernel_hex(&v4), "0100007F:0D80");
        let v6: SocketAddr = "[::1]:3456".parse().unwrap();
        assert_eq!(kernel_hex(&v6), "00000000000000000000000001000000:0D80");
    }
}
