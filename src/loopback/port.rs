//! A redirect port that cannot be bound: who holds it, in words that say what to do.

use std::io;

use crate::advice::{Advice, PortHolder};
use crate::failure::{Failure, Kind};

/// A clear message for a port that cannot be bound.
pub(super) fn bind_error(err: io::Error, port: u16) -> anyhow::Error {
    if err.kind() != io::ErrorKind::AddrInUse {
        return anyhow::Error::new(err).context(format!(
            "listening on 127.0.0.1:{port} for the OAuth redirect"
        ));
    }
    match port_holder(port) {
        Some(Holder::Process { pid, name, login: true }) => Failure::new(
            Kind::Failed,
            format!("port {port} is already in use by another `attio-auth login` (pid {pid}, {name}), still waiting for its redirect"),
        )
        .advise(Advice::PortBusy { port, holder: PortHolder::Login { pid } }),
        Some(Holder::Process { pid, name, login: false }) => Failure::new(
            Kind::Failed,
            format!("port {port} is already in use on the loopback interface by pid {pid} ({name})"),
        )
        .advise(Advice::PortBusy { port, holder: PortHolder::Process { pid } }),
        Some(Holder::User(uid)) => Failure::new(
            Kind::Failed,
            format!("port {port} is already in use on the loopback interface by a program of another user (uid {uid})"),
        )
        .advise(Advice::PortBusy { port, holder: PortHolder::User }),
        None => Failure::new(
            Kind::Failed,
            format!("port {port} is already in use on the loopback interface"),
        )
        .advise(Advice::PortBusy { port, holder: PortHolder::Unknown }),
    }
    .into()
}

/// Who listens on a port, as far as this user may see.
#[derive(Debug, PartialEq)]
enum Holder {
    /// A process this user can see: its pid, its name (the kernel's `comm`, never its
    /// arguments, which may hold another program's secrets), and whether it is an
    /// `attio-auth login`.
    Process { pid: u32, name: String, login: bool },
    /// Another user's socket, whose process this user cannot look into.
    User(u32),
}

/// Who holds a port, in the terms of the busy-port message.
fn port_holder(port: u16) -> Option<Holder> {
    Some(match crate::os::port_holder(port)? {
        crate::os::PortHolder::Process(process) => {
            let args = process.args();
            let login = args.first().and_then(|a| a.rsplit('/').next()) == Some("attio-auth")
                && args.iter().skip(1).any(|a| a == "login");
            Holder::Process {
                pid: process.pid,
                name: process.name,
                login,
            }
        }
        crate::os::PortHolder::User(uid) => Holder::User(uid),
    })
}
