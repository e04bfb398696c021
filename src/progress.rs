//! What a person sees while `login` waits for the browser. On a terminal whose input is
//! not read, a spinner with a countdown on one line, cut to the terminal's width so it
//! never wraps. When the user may paste the redirect URL, nothing moves: one line says
//! how long the login waits and the prompt follows, so nothing ever draws over what the
//! user types or pastes (a pasted URL wraps, and no terminal reports where). Without a
//! terminal, plain lines now and then.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::output;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// The paste prompt.
pub const PROMPT: &str = "Or paste the URL the browser ended on and press Enter: ";

/// How the wait is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// A spinner redrawn in place on one line.
    Spinner,
    /// One line, then the paste prompt; nothing is redrawn.
    Prompt,
    /// Plain lines (stderr is not a terminal).
    Plain,
}

/// The waiting indicator for one login.
pub struct Countdown {
    what: String,
    deadline: Instant,
    style: Style,
    frame: usize,
    drawn: bool,
    last_plain: Instant,
}

impl Countdown {
    /// Starts showing that `what` is awaited until `deadline`. `prompt` says whether a
    /// pasted URL is read from the terminal.
    pub fn start(what: String, deadline: Instant, prompt: bool) -> Self {
        let style = match (io::stderr().is_terminal(), prompt) {
            (true, true) => Style::Prompt,
            (true, false) => Style::Spinner,
            (false, _) => Style::Plain,
        };
        let mut countdown = Self {
            what,
            deadline,
            style,
            frame: 0,
            drawn: false,
            last_plain: Instant::now(),
        };
        match style {
            Style::Spinner => countdown.redraw(),
            Style::Prompt | Style::Plain => {
                output::info(format!(
                    "Waiting up to {} for {}.",
                    left(countdown.remaining()),
                    countdown.what
                ));
                if style == Style::Prompt {
                    countdown.redraw();
                } else if prompt {
                    output::info(PROMPT.trim_end());
                }
            }
        }
        countdown
    }

    /// Time until the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// How long to wait for an event before calling `tick` again.
    pub fn interval(&self) -> Duration {
        let step = match self.style {
            Style::Spinner => Duration::from_millis(100),
            Style::Prompt | Style::Plain => Duration::from_secs(60),
        };
        step.min(self.remaining())
    }

    /// Advances the spinner, or prints a plain reminder once a minute.
    pub fn tick(&mut self) {
        match self.style {
            Style::Spinner => {
                self.frame = (self.frame + 1) % FRAMES.len();
                self.redraw();
            }
            Style::Prompt => {}
            Style::Plain => {
                if self.last_plain.elapsed() >= Duration::from_secs(60)
                    && !self.remaining().is_zero()
                {
                    self.last_plain = Instant::now();
                    output::info(format!(
                        "Still waiting for {} ({} left)",
                        self.what,
                        left(self.remaining())
                    ));
                }
            }
        }
    }

    /// Makes room for other messages. `after_enter` says the user just pressed Enter at
    /// the prompt, which already moved the cursor to a new line.
    pub fn clear(&mut self, after_enter: bool) {
        if !self.drawn {
            return;
        }
        match self.style {
            Style::Spinner => write_stderr("\r\x1b[2K"),
            Style::Prompt if !after_enter => write_stderr("\n"),
            Style::Prompt | Style::Plain => {}
        }
        output::prompt_open(false);
        self.drawn = false;
    }

    /// Draws the indicator again (after `clear`, or to advance it).
    pub fn redraw(&mut self) {
        match self.style {
            Style::Spinner => {
                // The time left first: it survives a narrow terminal's cut.
                let line = format!(
                    "{} {} left: Waiting for {}",
                    FRAMES[self.frame],
                    left(self.remaining()),
                    self.what
                );
                write_stderr(&format!("\r\x1b[2K{}", fit(&line, columns())));
            }
            Style::Prompt if !self.drawn => {
                write_stderr(PROMPT);
                // Whatever is printed while it waits starts on a line of its own.
                output::prompt_open(true);
            }
            Style::Prompt | Style::Plain => {}
        }
        self.drawn = true;
    }
}

/// The terminal's width in columns (80 when it cannot be asked).
fn columns() -> usize {
    crate::os::columns(&io::stderr()).unwrap_or(80)
}

/// A line cut to fit in `columns` without wrapping (one column spare for the cursor).
fn fit(line: &str, columns: usize) -> String {
    let room = columns.saturating_sub(1).max(1);
    if line.chars().count() <= room {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A duration as `m:ss`.
fn left(remaining: Duration) -> String {
    let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// Writes terminal control text to stderr; a terminal that went away is not an error.
fn write_stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::{fit, left};
    use std::time::Duration;

    #[test]
    fn spinner_lines_never_wrap() {
        assert_eq!(fit("abcdef", 80), "abcdef");
        assert_eq!(fit("abcdef", 5), "abc…");
        assert_eq!(fit("⠋ Waiting", 4), "⠋ …");
        assert_eq!(fit("abc", 0), "…");
    }

    #[test]
    fn time_left_rounds_up_to_whole_seconds() {
        assert_eq!(left(Duration::from_secs(300)), "5:00");
        assert_eq!(left(Duration::from_millis(59_001)), "1:00");
        assert_eq!(left(Duration::from_millis(1)), "0:01");
        assert_eq!(left(Duration::ZERO), "0:00");
    }
}
