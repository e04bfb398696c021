//! Outcomes a caller or a script branches on, each with its documented exit code and a
//! hint saying what to do next. Every other error is plain `anyhow` context (exit 1).

use std::fmt;
use std::io;

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

/// What to do next: words, and attio-auth commands whose ` --profile NAME` is decided
/// only when they are shown. It is left out when a command naming no profile would pick
/// that one anyway, which may take reading the switched default: so the words are put
/// together once, when they are shown (`render`), never while an error is raised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Next(Vec<Part>);

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    /// `head`, then ` --profile PROFILE` unless that profile is implied, then `tail`.
    Command {
        head: String,
        profile: String,
        tail: String,
    },
}

impl Next {
    /// A command that names `profile` only when it must: `head[ --profile P]tail`.
    pub fn command(
        head: impl Into<String>,
        profile: impl Into<String>,
        tail: impl Into<String>,
    ) -> Self {
        Next(vec![Part::Command {
            head: head.into(),
            profile: profile.into(),
            tail: tail.into(),
        }])
    }

    /// This, followed by `more`.
    pub fn then(mut self, more: impl Into<Next>) -> Self {
        self.0.extend(more.into().0);
        self
    }

    /// The words, given the profile a command naming none would use (`None`: unknown, so
    /// every command names its profile). `implied` is asked at most once, and only when
    /// there is a command to show.
    pub fn render(&self, implied: impl FnOnce() -> Option<String>) -> String {
        let mut implied = Some(implied);
        let mut known: Option<Option<String>> = None;
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Command {
                    head,
                    profile,
                    tail,
                } => {
                    let implied = known.get_or_insert_with(|| implied.take().and_then(|f| f()));
                    out.push_str(head);
                    if implied.as_deref() != Some(profile.as_str()) {
                        out.push_str(" --profile ");
                        out.push_str(profile);
                    }
                    out.push_str(tail);
                }
            }
        }
        out
    }
}

impl From<String> for Next {
    fn from(text: String) -> Self {
        Next(vec![Part::Text(text)])
    }
}

impl From<&str> for Next {
    fn from(text: &str) -> Self {
        Next(vec![Part::Text(text.to_string())])
    }
}

/// An error with a kind (for the exit code) and an optional next step for the user.
#[derive(Debug)]
pub struct Failure {
    pub kind: Kind,
    message: String,
    hint: Option<Next>,
}

impl Failure {
    /// A failure of the given kind.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// Attaches the next step the user should take.
    pub fn hint(mut self, hint: impl Into<Next>) -> Self {
        self.hint = Some(hint.into());
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

/// The next step the first `Failure` in the chain suggests, if any (`advice::next_step`
/// also knows what to check after a network error).
pub fn hint(err: &anyhow::Error) -> Option<&Next> {
    find(err).and_then(|f| f.hint.as_ref())
}

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
