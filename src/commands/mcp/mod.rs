//! `attio-auth mcp`: a stdio MCP server that relays every message to the profile's hosted
//! MCP server over Streamable HTTP, with the login's tokens kept fresh, so that a host
//! that speaks only stdio (or whose own OAuth keeps failing) reaches it through one
//! entry: `{"command": "/abs/attio-auth", "args": ["mcp", "--profile", "P"]}`.
//!
//! stdout carries JSON-RPC only, one compact line per message; messages pass through
//! unchanged in meaning (re-serialised compactly). Answers come as JSON or as server-sent
//! events, each event relayed in order. A 401 gets one refresh under the profile's lock
//! and the message is sent again; a 404 for the session (the server forgot it) starts a
//! new one by replaying the host's `initialize` and `initialized`, unseen by the host.
//! Failures reach the host as JSON-RPC errors with the request's id, and once on stderr.
//!
//! Threads: this one keeps the token (it alone calls `renew`, as `exec --proxy`'s keeper
//! does); the relay runs on a runtime in a thread of its own and asks for a token only
//! when the one it has is due, or was refused.

mod relay;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::sync::oneshot;

use crate::context::Ctx;
use crate::failure::{Failure, Kind, Next};
use crate::freshness;
use crate::output;
use crate::renew::{self, Mode};
use crate::secret::Secret;

/// After a refresh forced by a 401, the least time before another: a server that refuses
/// every token must not make each message a refresh.
const FORCED_REFRESH_GAP: Duration = Duration::from_secs(30);

/// A token as the keeper hands it out.
#[derive(Clone)]
struct Current {
    token: Secret<String>,
    /// Unix seconds from which it should be replaced (`None`: never).
    due_at: Option<u64>,
    generation: u64,
}

/// What the relay asks of this thread: a token newer than `generation`, or (`refused`)
/// any but that one.
struct Ask {
    generation: u64,
    refused: bool,
    reply: oneshot::Sender<Result<Current, String>>,
}

pub fn run(ctx: &Ctx) -> Result<()> {
    let profile = ctx.settings.profile.clone();
    let login = Next::command("attio-auth login --mcp", profile.as_str(), "");
    let first = renew::fresh(ctx, Mode::IfExpiring(None));
    let (hosted, first) = match first {
        Ok((stored, _)) => match stored.meta.mcp.clone() {
            Some(hosted) => (hosted, stored),
            None => {
                let failure = Failure::new(
                    Kind::LoginAgain,
                    format!("profile `{profile}` is not a login to a hosted MCP server"),
                )
                .hint(Next::from("run `").then(login).then("`"));
                return relay::refuse_all(ctx, failure.into());
            }
        },
        // Not logged in at all: the way in is a hosted-MCP login.
        Err(e) if matches!(ctx.repository().meta(), Ok(None)) => {
            let failure = Failure::new(Kind::LoginAgain, format!("{e:#}"))
                .hint(Next::from("run `").then(login).then("`"));
            return relay::refuse_all(ctx, failure.into());
        }
        Err(e) => return relay::refuse_all(ctx, e),
    };
    let current = Current {
        due_at: due_at(ctx, &first),
        token: first.creds.access_token.clone(),
        generation: 1,
    };
    let (asks, answers) = mpsc::channel();
    let client = ctx
        .http
        .streaming_client(hosted.url.starts_with("https:"))?;
    let relay = relay::Relay::new(
        client,
        url::Url::parse(&hosted.url)?,
        asks,
        current.clone(),
        ctx.render(&Next::from("run `").then(login.clone()).then("`")),
    );
    let bridge = std::thread::Builder::new()
        .name("mcp".into())
        .spawn(move || relay.run())?;
    let mut keeper = Keeper {
        current,
        forced_at: None,
        said: None,
    };
    for ask in answers {
        let answer = keeper.token(ctx, &ask);
        let _ = ask.reply.send(answer);
    }
    bridge
        .join()
        .map_err(|_| anyhow::anyhow!("the MCP relay stopped unexpectedly"))?
}

/// When a token is to be replaced: as `token` would, a minute (at most half its
/// lifetime) before it expires.
fn due_at(_ctx: &Ctx, stored: &crate::profile::Stored) -> Option<u64> {
    let margin = renew::within(stored, None);
    stored
        .creds
        .expires_at
        .map(|exp| exp.saturating_sub(margin))
}

/// The token's keeper, on this thread.
struct Keeper {
    current: Current,
    forced_at: Option<Instant>,
    /// The last failure said on stderr, so that one is said once.
    said: Option<String>,
}

impl Keeper {
    fn token(&mut self, ctx: &Ctx, ask: &Ask) -> Result<Current, String> {
        let now = freshness::now();
        if self.current.generation > ask.generation && !self.current.is_due(now) {
            return Ok(self.current.clone());
        }
        let mode = if ask.refused {
            if self
                .forced_at
                .is_some_and(|at| at.elapsed() < FORCED_REFRESH_GAP)
            {
                return Ok(self.current.clone());
            }
            self.forced_at = Some(Instant::now());
            Mode::Force
        } else {
            Mode::IfExpiring(None)
        };
        match renew::fresh(ctx, mode) {
            Ok((stored, _)) => {
                if stored.creds.access_token != self.current.token {
                    self.current.generation += 1;
                }
                let mut due = due_at(ctx, &stored);
                if due.is_some_and(|d| d <= now) {
                    // Kept (no refresh token): ask again once it expired.
                    due = stored.creds.expires_at;
                }
                self.current.token = stored.creds.access_token;
                self.current.due_at = due;
                self.said = None;
                Ok(self.current.clone())
            }
            Err(e) => {
                let hint = crate::advice::next_step(&e).map(|next| ctx.render(&next));
                let message = match &hint {
                    Some(hint) => format!("{e:#}; {hint}"),
                    None => format!("{e:#}"),
                };
                if self.said.as_ref() != Some(&message) {
                    output::warn(format!("mcp: {message}"));
                    self.said = Some(message.clone());
                }
                Err(message)
            }
        }
    }
}

impl Current {
    fn is_due(&self, now: u64) -> bool {
        self.due_at.is_some_and(|due| now >= due)
    }
}
