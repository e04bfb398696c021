//! What a person sees while `login` waits for the browser: on a terminal, a spinner with
//! a countdown (and, when pasting is possible, a prompt line below it that the spinner
//! never overwrites); otherwise plain lines now and then.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::output;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// The paste prompt shown under the spinner.
const PROMPT: &str = "Or paste the URL the browser ended on and press Enter: ";

/// The waiting indicator for one login.
pub struct Countdown {
    what: String,
    deadline: Instant,
    terminal: bool,
    prompt: bool,
    frame: usize,
    drawn: bool,
    last_plain: Instant,
}

impl Countdown {
    /// Starts showing that `what` is awaited until `deadline`. `prompt` says whether a
    /// pasted URL is read from the terminal.
    pub fn start(what: String, deadline: Instant, prompt: bool) -> Self {
        let mut countdown = Self {
            what,
            deadline,
            terminal: io::stderr().is_terminal(),
            prompt,
            frame: 0,
            drawn: false,
            last_plain: Instant::now(),
        };
        if countdown.terminal {
            countdown.redraw();
        } else {
            output::info(format!(
                "Waiting up to {} for {}{}",
                left(countdown.remaining()),
                countdown.what,
                if prompt {
                    "; or paste the URL the browser ended on and press Enter:"
                } else {
                    "..."
                }
            ));
        }
        countdown
    }

    /// Time until the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// How long to wait for an event before calling `tick` again.
    pub fn interval(&self) -> Duration {
        let step = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(60)
        };
        step.min(self.remaining())
    }

    /// Advances the spinner, or prints a plain reminder once a minute.
    pub fn tick(&mut self) {
        if self.terminal {
            self.frame = (self.frame + 1) % FRAMES.len();
            self.redraw();
        } else if self.last_plain.elapsed() >= Duration::from_secs(60)
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

    /// Erases the indicator so other messages can be printed. `after_enter` says the user
    /// just pressed Enter at the prompt, which moved the cursor a line down.
    pub fn clear(&mut self, after_enter: bool) {
        if !self.terminal || !self.drawn {
            return;
        }
        let mut sequence = String::new();
        if after_enter {
            sequence.push_str("\x1b[1A");
        }
        sequence.push_str("\r\x1b[2K");
        if self.prompt {
            sequence.push_str("\x1b[1A\r\x1b[2K");
        }
        write_stderr(&sequence);
        self.drawn = false;
    }

    /// Draws the indicator again (after `clear`, or to advance it).
    pub fn redraw(&mut self) {
        if !self.terminal {
            return;
        }
        let line = format!(
            "{} Waiting for {} ({} left)",
            FRAMES[self.frame],
            self.what,
            left(self.remaining())
        );
        let text = match (self.prompt, self.drawn) {
            (false, _) => format!("\r\x1b[2K{line}"),
            (true, false) => format!("{line}\n{PROMPT}"),
            // Save the cursor (the user may be typing), rewrite the line above, restore.
            (true, true) => format!("\x1b7\x1b[1A\r\x1b[2K{line}\x1b8"),
        };
        write_stderr(&text);
        self.drawn = true;
    }
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
    use super::left;
    use std::time::Duration;

    #[test]
    fn time_left_rounds_up_to_whole_seconds() {
        assert_eq!(left(Duration::from_secs(300)), "5:00");
        assert_eq!(left(Duration::from_millis(59_001)), "1:00");
        assert_eq!(left(Duration::from_millis(1)), "0:01");
        assert_eq!(left(Duration::ZERO), "0:00");
    }
}
