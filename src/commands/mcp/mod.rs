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
//! Threads: this one keeps the token (`renew::keeper`, as for `exec --proxy`); the relay
//! runs on a runtime in a thread of its own and asks for a token only when the one it has
//! is due, or was refused.

mod relay;

use std::sync::mpsc;

use anyhow::Result;

use crate::advice::{Advice, Login};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::renew::keeper::Keeper;
use crate::renew::{self, Mode};

pub fn run(ctx: &Ctx) -> Result<()> {
    let profile = ctx.settings.profile.clone();
    let login = Advice::LogIn(Login::hosted(profile.as_str(), ""));
    let (hosted, first) = match renew::fresh(ctx, Mode::IfExpiring(None)) {
        Ok((stored, _)) => match stored.meta.mcp.clone() {
            Some(hosted) => (hosted, stored),
            None => {
                let failure = Failure::new(
                    Kind::LoginAgain,
                    format!("profile `{profile}` is not a login to a hosted MCP server"),
                )
                .advise(login);
                return relay::refuse_all(ctx, failure.into());
            }
        },
        // Not logged in at all: the way in is a hosted-MCP login.
        Err(e) if matches!(ctx.repository().meta(), Ok(None)) => {
            let failure = Failure::new(Kind::LoginAgain, format!("{e:#}")).advise(login);
            return relay::refuse_all(ctx, failure.into());
        }
        Err(e) => return relay::refuse_all(ctx, e),
    };
    let mut keeper = Keeper::new(&first, None, "mcp");
    let (asks, answers) = mpsc::channel();
    let client = ctx
        .http
        .streaming_client(hosted.url.starts_with("https:"))?;
    let relay = relay::Relay::new(
        client,
        url::Url::parse(&hosted.url)?,
        asks,
        keeper.current(),
        ctx.render(&login.next()),
        ctx.clock,
    );
    let bridge = std::thread::Builder::new()
        .name("mcp".into())
        .spawn(move || relay.run())?;
    for ask in answers {
        let answer = keeper
            .token(ctx, ask.generation, ask.refused)
            .map_err(|unsupplied| unsupplied.told);
        let _ = ask.reply.send(answer);
    }
    bridge
        .join()
        .map_err(|_| anyhow::anyhow!("the MCP relay stopped unexpectedly"))?
}
