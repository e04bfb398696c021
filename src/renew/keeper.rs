//! Tokens for a program that runs for hours (`exec --proxy`'s command, `attio-auth mcp`'s
//! host): one thread keeps the token and alone calls `fresh`; the relay asks it only when
//! the token it holds is due, or the server refused it. Several refusals of one token make
//! one refresh between them, and a server that refuses every token causes at most one
//! forced refresh every [`FORCED_REFRESH_GAP`].

use std::time::{Duration, Instant};

use super::{Mode, fresh, refresh_margin};
use crate::context::Ctx;
use crate::output;
use crate::profile::Stored;
use crate::secret::Secret;

/// After a refresh forced by a refusal, the least time before another.
pub const FORCED_REFRESH_GAP: Duration = Duration::from_secs(30);

/// A token as the keeper hands it out.
#[derive(Clone)]
pub struct Current {
    pub token: Secret<String>,
    /// Unix seconds from which it should be replaced (`None`: never).
    pub due_at: Option<u64>,
    /// Counts the tokens handed out, so that several requests refused with one token
    /// cause one refresh between them.
    pub generation: u64,
}

impl Current {
    pub fn is_due(&self, now: u64) -> bool {
        self.due_at.is_some_and(|due| now >= due)
    }
}

/// A failure to supply a token: the error, and the words a relay tells its client (the
/// message and what to do next).
pub struct Unsupplied {
    pub error: anyhow::Error,
    pub told: String,
}

/// The token's keeper, on the thread that may call `renew`.
pub struct Keeper {
    current: Current,
    min_ttl: Option<u64>,
    forced_at: Option<Instant>,
    /// The last failure said on stderr, so that a failing refresh is said once.
    said: Option<String>,
    /// What its warnings start with (`proxy`, `mcp`).
    who: &'static str,
}

impl Keeper {
    pub fn new(first: &Stored, min_ttl: Option<u64>, who: &'static str) -> Self {
        Keeper {
            current: Current {
                due_at: due_at(first, min_ttl),
                token: first.creds.access_token.clone(),
                generation: 1,
            },
            min_ttl,
            forced_at: None,
            said: None,
            who,
        }
    }

    /// The token handed out first.
    pub fn current(&self) -> Current {
        self.current.clone()
    }

    /// A token newer than `generation` (or, when `refused`, any but that one).
    pub fn token(
        &mut self,
        ctx: &Ctx,
        generation: u64,
        refused: bool,
    ) -> Result<Current, Unsupplied> {
        let now = ctx.clock.now();
        // Another request already got a newer one.
        if self.current.generation > generation && !self.current.is_due(now) {
            return Ok(self.current.clone());
        }
        let mode = if refused {
            if self
                .forced_at
                .is_some_and(|at| at.elapsed() < FORCED_REFRESH_GAP)
            {
                return Ok(self.current.clone());
            }
            self.forced_at = Some(Instant::now());
            Mode::Force
        } else {
            Mode::IfExpiring(self.min_ttl)
        };
        match fresh(ctx, mode) {
            Ok((stored, _)) => {
                let unchanged = stored.creds.access_token == self.current.token;
                let mut due = due_at(&stored, self.min_ttl);
                if unchanged && due.is_some_and(|d| d <= now) {
                    // Due, but kept (there is no refresh token): ask again once it expired.
                    due = stored.creds.expires_at;
                }
                if !unchanged {
                    self.current.generation += 1;
                }
                self.current.token = stored.creds.access_token;
                self.current.due_at = due;
                self.said = None;
                Ok(self.current.clone())
            }
            Err(error) => {
                let message = format!("{error:#}");
                let hint = crate::failure::next_step(&error).map(|next| ctx.render(&next));
                if self.said.as_ref() != Some(&message) {
                    output::warn(format!("{}: {message}", self.who));
                    if let Some(hint) = &hint {
                        output::hint(hint);
                    }
                    self.said = Some(message.clone());
                }
                let told = match &hint {
                    Some(hint) => format!("attio-auth could not supply a token: {message}; {hint}"),
                    None => format!("attio-auth could not supply a token: {message}"),
                };
                Err(Unsupplied { error, told })
            }
        }
    }
}

/// When a token is to be replaced: `min_ttl` (as `token` takes it) before it expires.
fn due_at(stored: &Stored, min_ttl: Option<u64>) -> Option<u64> {
    let margin = refresh_margin(&stored.creds, min_ttl);
    stored
        .creds
        .expires_at
        .map(|exp| exp.saturating_sub(margin))
}
