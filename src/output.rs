//! The one module that writes to stdout and stderr. stdout carries data only (a token, a
//! header line, JSON); everything meant for a person goes to stderr, scrubbed of every
//! secret the process holds (`secret::scrub`) and with control characters escaped, so a
//! server's text can neither reveal a secret nor drive the terminal.
//!
//! A message that cannot be written (stderr closed, on a full disk, a hung-up terminal)
//! is dropped, never a reason to stop: nothing here panics, and while a refresh is in
//! flight (`hold`) messages wait in memory until its answer is stored.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::secret;

static VERBOSE: AtomicBool = AtomicBool::new(false);
/// Whether the environment allows colour (`NO_COLOR`, `TERM=dumb`); see `paint`.
static COLOUR_ALLOWED: AtomicBool = AtomicBool::new(false);
/// Whether the paste prompt ends stderr's last line (`progress` draws it): the next line
/// written starts on a line of its own.
static PROMPT_OPEN: AtomicBool = AtomicBool::new(false);
/// Messages held back while a `Hold` lives (with how many holds are open).
static HELD: Mutex<(usize, Vec<String>)> = Mutex::new((0, Vec::new()));

/// While one lives, messages for stderr are kept in memory and written when the last
/// one is dropped. Taken from sending a refresh token until its answer is stored, so
/// that nothing a terminal or stderr does can come between the two.
#[must_use = "messages are held only while the value lives"]
pub struct Hold(());

/// Holds messages back until the returned value is dropped.
pub fn hold() -> Hold {
    held().0 += 1;
    Hold(())
}

impl Drop for Hold {
    fn drop(&mut self) {
        let lines = {
            let mut held = held();
            held.0 -= 1;
            if held.0 > 0 {
                return;
            }
            std::mem::take(&mut held.1)
        };
        for line in lines {
            write_stderr(&line);
        }
    }
}

/// The held messages; a panic elsewhere while they were locked does not lose them.
fn held() -> MutexGuard<'static, (usize, Vec<String>)> {
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One line for stderr: held back while a `Hold` lives, else written at once.
fn to_stderr(line: String) {
    {
        let mut held = held();
        if held.0 > 0 {
            held.1.push(line);
            return;
        }
    }
    write_stderr(&line);
}

/// Writes one line to stderr, ignoring failure: there is nowhere left to report it.
fn write_stderr(line: &str) {
    let mut err = io::stderr().lock();
    let start = if PROMPT_OPEN.swap(false, Ordering::SeqCst) {
        "\n"
    } else {
        ""
    };
    let _ = err
        .write_all(start.as_bytes())
        .and_then(|()| err.write_all(line.as_bytes()))
        .and_then(|()| err.write_all(b"\n"));
}

/// Says that a prompt now ends stderr's last line (`true`), or that the line was ended
/// (`false`: the user pressed Enter, or the prompt's owner ended it).
pub fn prompt_open(open: bool) {
    PROMPT_OPEN.store(open, Ordering::SeqCst);
}

/// Replaces the panic message with one that withholds the payload (which might quote a
/// secret) and says it is a bug.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Written at once, even while messages are held: the process is about to end.
        write_stderr(&format!(
            "attio-auth: internal error{place} (a bug; details withheld as they may hold a secret). Please report it."
        ));
    }));
}

/// Says whether the environment allows colour (decided by `settings`).
pub fn set_colour_allowed(allowed: bool) {
    COLOUR_ALLOWED.store(allowed, Ordering::Relaxed);
}

/// Turns `--verbose` diagnostics on or off for the whole process.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

/// Whether `--verbose` is on (to skip building messages nobody will see).
pub fn is_verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// A `--verbose` diagnostic line on stderr.
pub fn verbose(message: impl AsRef<str>) {
    if is_verbose() {
        to_stderr(format!("* {}", shown(message.as_ref())));
    }
}

/// Text as it may be shown: secrets scrubbed, control characters (other than line
/// breaks) escaped, so `ESC ]52` or `ESC [2J` from a server stay visible text.
pub fn shown(text: &str) -> String {
    secret::scrub(text)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Writes one line of data to stdout. A closed pipe surfaces as an `io::Error` that
/// `main` treats as success.
pub fn data(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A report a person asked for (`status`, `whoami`) on stdout: scrubbed and with control
/// characters escaped like everything else meant for people, since it shows server text.
pub fn report(text: &str) -> io::Result<()> {
    data(&shown(text))
}

/// Writes bytes to stdout as they are (a generated completion script).
pub fn raw(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// Writes a JSON value to stdout, pretty-printed, followed by a newline.
pub fn json(value: &serde_json::Value) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    data(&text)
}

/// A message for the person at the terminal.
pub fn info(message: impl AsRef<str>) {
    to_stderr(shown(message.as_ref()));
}

/// The login's authorize URL, which carries `state` on purpose: the user's own terminal
/// is where a browser elsewhere gets it from. Nothing else is printed unscrubbed.
pub fn authorize_url(message: impl AsRef<str>) {
    to_stderr(message.as_ref().to_string());
}

/// A message for a person at a terminal only: nothing when stderr is a pipe or file, so
/// scripts see exactly what they saw before.
pub fn note_at_terminal(message: impl AsRef<str>) {
    if io::stderr().is_terminal() {
        info(format!("attio-auth: {}", message.as_ref()));
    }
}

/// A warning: something went wrong but the command carries on.
pub fn warn(message: impl AsRef<str>) {
    to_stderr(format!(
        "attio-auth: {} {}",
        paint("33", "warning:"),
        shown(message.as_ref())
    ));
}

/// A next step, after a warning.
pub fn hint(message: impl AsRef<str>) {
    to_stderr(format!(
        "attio-auth: {} {}",
        paint("36", "hint:"),
        shown(message.as_ref())
    ));
}

/// The final error line, once (the error's chain of context), and its one hint.
pub fn error(message: &str, next: Option<&str>) {
    to_stderr(format!(
        "attio-auth: {} {}",
        paint("1;31", "error:"),
        shown(message)
    ));
    if let Some(next) = next {
        hint(next);
    }
}

/// Colours a label for stderr: only on a terminal, and only when the environment allows
/// it (never with `NO_COLOR` set to anything but the empty string, or `TERM=dumb`).
fn paint(sgr: &str, label: &str) -> String {
    static COLOR: OnceLock<bool> = OnceLock::new();
    let enabled =
        *COLOR.get_or_init(|| COLOUR_ALLOWED.load(Ordering::Relaxed) && io::stderr().is_terminal());
    if enabled {
        format!("\x1b[{sgr}m{label}\x1b[0m")
    } else {
        label.to_string()
    }
}
