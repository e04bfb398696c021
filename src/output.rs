//! The one module that writes to stdout and stderr. stdout carries data only (a token, a
//! header line, JSON); everything meant for a person goes to stderr, scrubbed of every
//! secret the process holds (`secret::scrub`) and with control characters escaped, so a
//! server's text can neither reveal a secret nor drive the terminal.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, IsTerminal, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::failure;
use crate::secret;

static VERBOSE: AtomicBool = AtomicBool::new(false);
/// Whether the environment allows colour (`NO_COLOR`, `TERM=dumb`); see `paint`.
static COLOUR_ALLOWED: AtomicBool = AtomicBool::new(false);

/// Replaces the panic message with one that withholds the payload (which might quote a
/// secret) and says it is a bug.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "attio-auth: internal error{place} (a bug; details withheld as they may hold a secret). Please report it."
        );
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
        eprintln!("* {}", shown(message.as_ref()));
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
    eprintln!("{}", shown(message.as_ref()));
}

/// The login's authorize URL, which carries `state` on purpose: the user's own terminal
/// is where a browser elsewhere gets it from. Nothing else is printed unscrubbed.
pub fn authorize_url(message: impl AsRef<str>) {
    eprintln!("{}", message.as_ref());
}

/// A warning: something went wrong but the command carries on.
pub fn warn(message: impl AsRef<str>) {
    eprintln!(
        "attio-auth: {} {}",
        paint("33", "warning:"),
        shown(message.as_ref())
    );
}

/// A next step, after a warning.
pub fn hint(message: impl AsRef<str>) {
    eprintln!(
        "attio-auth: {} {}",
        paint("36", "hint:"),
        shown(message.as_ref())
    );
}

/// The final error line, once, with the chain of context and one hint.
pub fn error(err: &anyhow::Error) {
    eprintln!(
        "attio-auth: {} {}",
        paint("1;31", "error:"),
        shown(&format!("{err:#}"))
    );
    if let Some(next) = failure::hint(err) {
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
