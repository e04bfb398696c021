//! The command store: the secret document lives in a vault of the user's (pass, the
//! 1Password CLI, HashiCorp Vault, a cloud secret manager) behind a program they name,
//! run without a shell and spoken to in a small protocol:
//!
//! - `CMD... get PROFILE`: the document on stdout, exit 0; exit 3 when there is none;
//! - `CMD... store PROFILE`: the document on stdin, replacing any earlier one; exit 0;
//! - `CMD... erase PROFILE`: exit 0 when erased, 3 when there was nothing to erase.
//!
//! Any other exit is a failure. Every run is bounded by `--http-timeout` (the command
//! is killed then), its stdout by [`MAX_OUTPUT`], and what it says on stderr reaches
//! the user only as one scrubbed line. Its environment is the user's, without the
//! secrets attio-auth itself was given.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;

use super::backend::SecretStore;
use crate::advice::Advice;
use crate::failure::{Failure, Kind};
use crate::names::ProfileName;
use crate::secret::Secret;

/// The exit status that means "no such entry" (`get`, `erase`).
pub const NOT_FOUND: i32 = 3;

/// The most a command may print on stdout: a document is a few KiB.
const MAX_OUTPUT: u64 = 1024 * 1024;

pub struct CommandStore {
    words: Vec<String>,
    timeout: Duration,
}

/// How one run ended.
struct Ran {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl CommandStore {
    pub fn new(words: Vec<String>, timeout: Duration) -> Self {
        Self { words, timeout }
    }

    /// The program, for messages: never its arguments, which may hold a vault's session.
    fn program(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }

    /// `CMD... ACTION PROFILE`, in a process group of its own, with piped output, stdin
    /// piped when there is input, and none of the variables children never get.
    fn command(&self, action: &str, profile: &ProfileName, input: bool) -> Result<Command> {
        let Some((first, rest)) = self.words.split_first() else {
            return Err(anyhow::anyhow!("the store command is empty"));
        };
        let mut command = Command::new(first);
        command
            .args(rest)
            .args([action, profile.as_str()])
            .stdin(if input { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for var in crate::secret::CHILD_WITHHELD {
            command.env_remove(var);
        }
        crate::os::ProcessGroup::prepare(&mut command);
        Ok(command)
    }

    /// Runs `CMD... ACTION PROFILE` with `input` on stdin, within the time limit.
    fn run(&self, action: &str, profile: &ProfileName, input: Option<Vec<u8>>) -> Result<Ran> {
        let program = self.program();
        let mut command = self.command(action, profile, input.is_some())?;
        crate::output::verbose(format!(
            "running the store command: {program} {action} {profile}"
        ));
        let mut child = command.spawn().map_err(|e| {
            Failure::new(
                Kind::Failed,
                format!("the store command `{program}` could not be started ({e})"),
            )
            .advise(Advice::CheckStoreCommand)
        })?;
        // Whatever it starts is stopped with it at the time limit, not left running.
        let group = crate::os::ProcessGroup::adopt(&child);
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let (tx, rx) = mpsc::channel();
        if let (Some(mut stdin), Some(input)) = (stdin, input) {
            // A command that exits without reading has answered anyway.
            std::thread::spawn(move || stdin.write_all(&input));
        }
        std::thread::spawn(move || {
            let err_reader = std::thread::spawn(move || read_bounded(stderr, 64 * 1024));
            let out = read_bounded(stdout, MAX_OUTPUT + 1);
            let err = err_reader.join().unwrap_or_default();
            let _ = tx.send(child.wait().map(|status| Ran {
                status,
                stdout: out,
                stderr: err,
            }));
        });
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(ran)) if ran.stdout.len() as u64 > MAX_OUTPUT => Err(Failure::new(
                Kind::Failed,
                format!(
                    "the store command `{program}` printed more than {} KiB for `{action}`",
                    MAX_OUTPUT / 1024
                ),
            )
            .advise(Advice::CheckStoreCommand)
            .into()),
            Ok(Ok(ran)) => Ok(ran),
            Ok(Err(e)) => Err(anyhow::anyhow!(
                "waiting for the store command `{program}`: {e}"
            )),
            Err(_) => {
                group.kill();
                Err(Failure::new(
                    Kind::Failed,
                    format!(
                        "the store command `{program}` did not finish `{action}` within {} s, so it was stopped",
                        self.timeout.as_secs()
                    ),
                )
                .advise(Advice::StoreCommandSlow {
                    program: program.to_string(),
                    action: action.to_string(),
                    profile: profile.to_string(),
                })
                .into())
            }
        }
    }

    /// The failure for a run that exited otherwise than the protocol allows.
    fn failed(&self, action: &str, profile: &ProfileName, ran: &Ran) -> anyhow::Error {
        let program = self.program();
        let how = match ran.status.code() {
            Some(code) => format!("exit {code}"),
            None => "killed by a signal".into(),
        };
        let said = last_line(&ran.stderr)
            .map(|line| format!(": {line}"))
            .unwrap_or_default();
        Failure::new(
            Kind::Failed,
            format!("the store command `{program}` failed to {action} profile `{profile}`'s credentials ({how}{said})"),
        )
        .advise(Advice::StoreCommandFailed {
            program: program.to_string(),
            action: action.to_string(),
            profile: profile.to_string(),
            not_found: NOT_FOUND,
        })
        .into()
    }
}

/// What to check when the command cannot be run at all.
/// Whether `program` can be run: a path to an executable file, or a name found in one
/// of `dirs` (`PATH`; on Windows also with `.exe`, `.cmd`, `.bat` or `.com`).
pub fn installed(program: &str, dirs: &[std::path::PathBuf]) -> bool {
    which(program, dirs).is_some()
}

/// Where `program` is: itself when it is a path to an executable file, else the first
/// runnable file of that name in `dirs` (on Windows also with an extension).
pub fn which(program: &str, dirs: &[std::path::PathBuf]) -> Option<std::path::PathBuf> {
    let runnable = |path: &std::path::Path| -> Option<std::path::PathBuf> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            path.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .then(|| path.to_path_buf())
        }
        #[cfg(not(unix))]
        {
            if path.is_file() {
                return Some(path.to_path_buf());
            }
            [".exe", ".cmd", ".bat", ".com"].iter().find_map(|ext| {
                let mut with = path.as_os_str().to_owned();
                with.push(ext);
                let with = std::path::PathBuf::from(with);
                with.is_file().then_some(with)
            })
        }
    };
    let path = std::path::Path::new(program);
    if path.components().count() > 1 || path.is_absolute() {
        return runnable(path);
    }
    dirs.iter().find_map(|dir| runnable(&dir.join(program)))
}

impl SecretStore for CommandStore {
    fn load(&self, profile: &ProfileName) -> Result<Option<Secret<String>>> {
        let ran = self.run("get", profile, None)?;
        match ran.status.code() {
            Some(0) => Ok(Some(Secret::document(
                // Not `from_utf8(...)?`: its error would carry the bytes along.
                String::from_utf8(ran.stdout).unwrap_or_default(),
            ))),
            Some(NOT_FOUND) => Ok(None),
            _ => Err(self.failed("get", profile, &ran)),
        }
    }

    fn save(&self, profile: &ProfileName, secret: &Secret<String>) -> Result<()> {
        let ran = self.run("store", profile, Some(secret.expose().as_bytes().to_vec()))?;
        match ran.status.code() {
            Some(0) => Ok(()),
            _ => Err(self.failed("store", profile, &ran)),
        }
    }

    fn delete(&self, profile: &ProfileName) -> Result<bool> {
        let ran = self.run("erase", profile, None)?;
        match ran.status.code() {
            Some(0) => Ok(true),
            Some(NOT_FOUND) => Ok(false),
            _ => Err(self.failed("erase", profile, &ran)),
        }
    }

    fn location(&self, profile: &ProfileName) -> String {
        format!("the store command `{}` (entry `{profile}`)", self.program())
    }
}

/// Reads at most `limit` bytes, then drains the rest so the writer never blocks.
fn read_bounded(source: Option<impl Read>, limit: u64) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(mut source) = source {
        let _ = (&mut source).take(limit).read_to_end(&mut bytes);
        let _ = std::io::copy(&mut source, &mut std::io::sink());
    }
    bytes
}

/// The command's last non-empty line on stderr, fit to be shown: scrubbed, control
/// characters escaped, anything that looks like a token withheld, and short.
fn last_line(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let words: Vec<String> = line
        .split(' ')
        .map(|word| {
            if looks_like_a_token(word) {
                "(redacted)".to_string()
            } else {
                word.to_string()
            }
        })
        .collect();
    let shown = crate::output::shown(&words.join(" "));
    Some(match shown.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &shown[..cut]),
        None => shown,
    })
}

/// A long run of token characters with letters and digits: perhaps part of the document.
fn looks_like_a_token(word: &str) -> bool {
    let token_chars = word
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.~+/=".contains(*c))
        .count();
    token_chars >= 20
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_is_shown_as_one_short_line_without_tokens() {
        let said = b"gpg: decrypting\n\ngpg: bad key for eyJhbGciOiJIUzI1NiJ9.abc123def456ghi789\n";
        assert_eq!(last_line(said).unwrap(), "gpg: bad key for (redacted)");
        assert_eq!(last_line(b"\n \n"), None);
        assert!(last_line(&[b'x'; 1000]).unwrap().chars().count() <= 201);
        assert_eq!(last_line(b"no \x1b[2J here").unwrap(), "no \\u{1b}[2J here");
    }
}
