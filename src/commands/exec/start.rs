//! A command that `exec` could not start, with the exit status a shell would give.

use std::io;

use crate::failure::{Failure, Kind};

/// A command that could not be started: 127 when not found, 126 otherwise, as shells do.
pub(super) fn failure(err: io::Error, shown: &str) -> anyhow::Error {
    let (code, why) = match err.kind() {
        io::ErrorKind::NotFound => (127, "not found"),
        io::ErrorKind::PermissionDenied => (126, "not executable"),
        _ => (126, "could not be started"),
    };
    Failure::new(Kind::Exit(code), format!("command `{shown}` {why} ({err})"))
        .advise(crate::advice::Advice::CheckCommand)
        .into()
}
