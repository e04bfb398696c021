//! Typing a secret at the terminal, and Ctrl-C while `login` runs. Echo is turned off
//! *before* the prompt is shown (so nothing typed or pasted at once is echoed), and a
//! Ctrl-C at the prompt restores the terminal before the login ends with exit 4.

use std::io;
use std::sync::Mutex;

/// Where Ctrl-C goes while the login waits; `None` before that (at a prompt).
static WAITER: Mutex<Option<Box<dyn Fn() + Send>>> = Mutex::new(None);

/// Terminal settings to put back if Ctrl-C arrives while echo is off.
#[cfg(unix)]
static SAVED: Mutex<Option<(i32, crate::os::TerminalSettings)>> = Mutex::new(None);

/// Takes over Ctrl-C for the rest of the login: at a prompt it restores the terminal and
/// ends the process with exit 4; while waiting it becomes an arrival, so the login ends
/// through the usual path (listener closed, nothing stored).
pub fn handle_interrupts() {
    // Fails only if a handler is already set, and then that one is in charge.
    let _ = ctrlc::set_handler(|| {
        if let Ok(waiter) = WAITER.lock()
            && let Some(interrupt) = waiter.as_ref()
        {
            interrupt();
            return;
        }
        restore();
        // The cursor is still on the prompt's line.
        crate::output::info("");
        crate::output::error(&format!("{:#}", aborted()), None);
        std::process::exit(4);
    });
}

/// The one message for a login ended by Ctrl-C, at a prompt or while waiting.
pub fn aborted() -> anyhow::Error {
    crate::failure::Failure::new(
        crate::failure::Kind::LoginIncomplete,
        "login aborted (Ctrl-C); nothing was stored",
    )
    .into()
}

/// Sends later Ctrl-Cs to the waiting login.
pub fn interrupts_to(interrupt: impl Fn() + Send + 'static) {
    if let Ok(mut waiter) = WAITER.lock() {
        *waiter = Some(Box::new(interrupt));
    }
}

/// Prompts on the terminal and reads one line, echoed (for what is not a secret).
pub fn prompt_visible(prompt: &str) -> io::Result<String> {
    use std::fs::OpenOptions;
    // A Windows console is two devices, one to read and one to write; `CON` opened for
    // both is refused.
    #[cfg(windows)]
    let (input, output) = (
        OpenOptions::new().read(true).write(true).open("CONIN$")?,
        OpenOptions::new().read(true).write(true).open("CONOUT$")?,
    );
    #[cfg(not(windows))]
    let (input, output) = {
        let tty = OpenOptions::new().read(true).write(true).open("/dev/tty")?;
        (tty.try_clone()?, tty)
    };
    ask(&input, &output, prompt)
}

/// Writes the prompt to the terminal and reads one line from it.
fn ask(input: &std::fs::File, output: &std::fs::File, prompt: &str) -> io::Result<String> {
    use std::io::{BufRead, BufReader, Write};
    let mut out = output;
    out.write_all(prompt.as_bytes())?;
    out.flush()?;
    let mut line = String::new();
    BufReader::new(input).read_line(&mut line)?;
    Ok(line)
}

/// Prompts on the terminal and reads one line without echo.
#[cfg(unix)]
pub fn prompt_hidden(prompt: &str) -> io::Result<String> {
    use std::fs::OpenOptions;
    use std::os::fd::AsRawFd;

    let tty = OpenOptions::new().read(true).write(true).open("/dev/tty")?;
    let fd = tty.as_raw_fd();
    let original = crate::os::echo_off(fd)?;
    if let Ok(mut saved) = SAVED.lock() {
        *saved = Some((fd, original));
    }
    let result = ask(&tty, &tty, prompt);
    restore();
    result
}

/// Prompts and reads one line without echo (platforms without termios).
#[cfg(not(unix))]
pub fn prompt_hidden(prompt: &str) -> io::Result<String> {
    rpassword::prompt_password(prompt)
}

/// Puts back the terminal settings saved by `prompt_hidden`, if any.
fn restore() {
    #[cfg(unix)]
    if let Some((fd, original)) = SAVED.lock().ok().and_then(|mut s| s.take()) {
        crate::os::restore_terminal(fd, &original);
    }
}
