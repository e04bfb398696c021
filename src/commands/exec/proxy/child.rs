//! The command `exec --proxy` runs, and how signals reach it.

use std::process::{Command, ExitStatus};

/// The command, and how signals reach it.
pub(super) struct Child {
    inner: tokio::process::Child,
    pid: Option<u32>,
    /// Stops it should this process die first.
    _tether: crate::os::Tether,
    /// Started in a process group of its own: when attio-auth does not have a terminal's
    /// foreground (under an MCP host, in the background), a signal sent to attio-auth is
    /// passed to the whole group, so a wrapper such as npx cannot leave its server behind.
    /// At a terminal the command shares attio-auth's group, and Ctrl-C and Ctrl-Z reach
    /// both from the terminal itself.
    own_group: bool,
}

impl Child {
    pub(super) fn spawn(mut command: Command) -> std::io::Result<Child> {
        let own_group = !crate::os::in_terminal_foreground();
        crate::os::Tether::prepare(&mut command);
        let mut command = tokio::process::Command::from(command);
        #[cfg(unix)]
        if own_group {
            command.process_group(0);
        }
        let inner = command.spawn()?;
        Ok(Child {
            pid: inner.id(),
            _tether: crate::os::Tether::hold(&inner),
            inner,
            own_group,
        })
    }

    /// Waits for the command to end; in a group of its own, what it left running there
    /// (`sh -c 'server & exit'`) is stopped with it, since the proxy it talks to ends now.
    pub(super) async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.inner.wait().await;
        #[cfg(unix)]
        if let (true, Some(pid)) = (self.own_group, self.pid) {
            crate::os::send_signal(pid, libc::SIGKILL, true);
        }
        status
    }

    /// Passes a signal attio-auth received on to the command.
    pub(super) fn pass_on(&self, signal: i32) {
        #[cfg(unix)]
        if let Some(pid) = self.pid {
            let from_terminal = signal == libc::SIGINT || signal == libc::SIGQUIT;
            if self.own_group {
                crate::os::send_signal(pid, signal, true);
            } else if !from_terminal {
                crate::os::send_signal(pid, signal, false);
            }
        }
        #[cfg(not(unix))]
        let _ = (signal, self.pid, self.own_group);
    }
}

/// The signals that would end attio-auth, caught so that they reach the command instead.
#[cfg(unix)]
pub(super) struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    pub(super) fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    pub(super) async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => libc::SIGINT,
            _ = self.terminate.recv() => libc::SIGTERM,
            _ = self.hangup.recv() => libc::SIGHUP,
            _ = self.quit.recv() => libc::SIGQUIT,
        }
    }
}

/// Ctrl-C and Ctrl-Break, which the console also sends to the command: attio-auth
/// outlives them to serve the command until it ends.
#[cfg(windows)]
pub(super) struct Signals {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
}

#[cfg(windows)]
impl Signals {
    pub(super) fn listen() -> std::io::Result<Self> {
        Ok(Signals {
            ctrl_c: tokio::signal::windows::ctrl_c()?,
            ctrl_break: tokio::signal::windows::ctrl_break()?,
        })
    }

    pub(super) async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.ctrl_c.recv() => 0,
            _ = self.ctrl_break.recv() => 0,
        }
    }
}

#[cfg(not(any(unix, windows)))]
pub(super) struct Signals;

#[cfg(not(any(unix, windows)))]
impl Signals {
    pub(super) fn listen() -> std::io::Result<Self> {
        Ok(Signals)
    }

    pub(super) async fn next(&mut self) -> i32 {
        std::future::pending().await
    }
}
