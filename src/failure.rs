//! Outcomes a caller or a script branches on, each with its documented exit code and the
//! facts of what to do next (`advice` words them). Every other error is plain `anyhow`
//! context (exit 1).

use std::fmt;
use std::io;

use crate::advice::{Advice, Next};

/// What kind of failure, and so which exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exit 2: a flag, environment variable or URL is unusable.
    Usage,
    /// Exit 3: nothing stored, or the stored login is no longer accepted.
    LoginAgain,
    /// Exit 4: the browser login did not complete.
    LoginIncomplete,
    /// Exit 5: a scope the caller requires was not granted.
    ScopeMissing,
    /// Exit 1 with a specific hint.
    Failed,
    /// Exit 1: the OS keyring is absent or does not answer. `login` falls back to the
    /// file store on this kind, and only on this one.
    KeyringUnavailable,
    /// A specific exit status (`exec` when its command cannot start: 126 or 127).
    Exit(u8),
}

/// An error with a kind (for the exit code) and an optional next step for the user.
#[derive(Debug)]
pub struct Failure {
    pub kind: Kind,
    message: String,
    /// Boxed: a `Failure` travels in many a `Result`.
    advice: Option<Box<Advice>>,
}

impl Failure {
    /// A failure of the given kind.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            advice: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// Attaches the next step the user should take.
    pub fn advise(mut self, advice: Advice) -> Self {
        self.advice = Some(Box::new(advice));
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The first `Failure` in the error chain, if any.
fn find(err: &anyhow::Error) -> Option<&Failure> {
    err.chain().find_map(|e| e.downcast_ref::<Failure>())
}

/// Maps an error to the exit code documented in `--help` and docs/reference.md.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    match find(err).map(|f| f.kind) {
        Some(Kind::Usage) => 2,
        Some(Kind::LoginAgain) => 3,
        Some(Kind::LoginIncomplete) => 4,
        Some(Kind::ScopeMissing) => 5,
        Some(Kind::Exit(code)) => code,
        Some(Kind::Failed | Kind::KeyringUnavailable) | None => 1,
    }
}

/// The kind of the first `Failure` in the chain, if any.
pub fn kind(err: &anyhow::Error) -> Option<Kind> {
    find(err).map(|f| f.kind)
}

/// What to do next after this error: what the first `Failure` in the chain advises, else
/// what to check after a request that got no usable answer.
pub fn advice(err: &anyhow::Error) -> Option<Advice> {
    find(err)
        .and_then(|f| f.advice.as_deref().cloned())
        .or_else(|| {
            err.chain()
                .find_map(|e| e.downcast_ref::<HttpError>())
                .map(|e| (*e.advice).clone())
        })
}

/// [`advice`], in words.
pub fn next_step(err: &anyhow::Error) -> Option<Next> {
    advice(err).map(|advice| advice.next())
}

/// A request that failed before a complete response arrived (raised by `http`).
#[derive(Debug)]
pub struct HttpError {
    pub message: String,
    /// The request certainly never reached the server: not a byte of it was written.
    pub unsent: bool,
    /// The connection died after it was made and before any answer (not a timeout, not
    /// refused, not an interruption): most often one the server closed while it was kept.
    pub stale: bool,
    /// What to check next (boxed: an error travels in every `Result` of `http`).
    pub advice: Box<Advice>,
}

impl HttpError {
    /// An error after which the server may or may not have acted on the request.
    pub fn new(message: String) -> Self {
        Self {
            message,
            unsent: false,
            stale: false,
            advice: Box::new(Advice::CheckNetwork),
        }
    }

    /// Whether the server certainly never saw the request, so repeating it is safe.
    pub fn unsent(&self) -> bool {
        self.unsent
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpError {}

/// A closed stdout (`attio-auth token | head -c 5`) is the reader's choice, not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe || closed_pipe_on_windows(e))
}

/// Windows also says a pipe's reader is gone with ERROR_PIPE_NOT_CONNECTED (233), which
/// std does not count as `BrokenPipe` (Wine answers so for `token | head -c 5`).
fn closed_pipe_on_windows(err: &io::Error) -> bool {
    cfg!(windows) && err.raw_os_error() == Some(233)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn exit_code_is_found_through_context() {
        let err = Err::<(), _>(Failure::new(Kind::ScopeMissing, "missing"))
            .context("checking scopes")
            .unwrap_err();
        assert_eq!(exit_code(&err), 5);
        assert_eq!(format!("{err:#}"), "checking scopes: missing");
        assert_eq!(exit_code(&anyhow::anyhow!("plain")), 1);
    }

    #[test]
    fn broken_pipe_anywhere_in_the_chain_counts() {
        let err = Err::<(), _>(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("writing the token")
            .unwrap_err();
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
