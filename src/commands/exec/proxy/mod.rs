//! `exec --proxy`: a loopback HTTP proxy that lives as long as the command, so that a
//! program which runs for hours (an MCP server) never holds a token that expires.
//!
//! The command gets a random per-session key where it expects a token, and the proxy's
//! URL where it expects Attio's. Each request that carries the key is sent on to the
//! profile's own API URL (nowhere else) with the profile's current access token in its
//! place; requests without the key get Attio's 401 shape. Bodies stream both ways.
//!
//! Threads: this one (the caller's) keeps the token: it alone calls `renew`, which
//! refreshes under the profile's lock as `token` does, one ask at a time. The proxy and
//! the command's lifetime run on a runtime in a thread of their own, and ask for a token
//! over a channel only when the one they have is due, or Attio refused it.

mod child;
mod forward;

use std::convert::Infallible;
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, ExitStatus};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use hyper::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};

use self::child::{Child, Signals};
use self::forward::{Ask, Refusal, State, handle};
use crate::context::Ctx;
use crate::failure::{self, Kind};
use crate::loopback::{Room, is_transient};
use crate::output;
use crate::profile::Stored;
use crate::renew::keeper::{Current, Keeper, Unsupplied};
use crate::secret::Secret;

/// Connections served at once; when full, another user's go first, then the oldest of
/// whoever holds the most, never one that sent the session key (`Room`), so a local
/// flood cannot shut the command out, nor the command's own requests evict each other.
const MAX_CONNECTIONS: usize = 256;
/// How long a new connection has to send its first request with the session key before
/// it may be evicted for another (the command's send theirs at once).
const PROOF_GRACE: Duration = Duration::from_secs(1);
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// How long a connection may take to send a request's head, and stay idle between two.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `command` with the proxy's URL and a session key in its environment (in each of
/// `variables`), serves the proxy until it ends, and ends this process as it ended.
pub fn run(
    ctx: &Ctx,
    first: Stored,
    mut command: Command,
    shown: &str,
    variables: &[String],
    min_ttl: Option<u64>,
) -> anyhow::Error {
    match start(ctx, first, &mut command, variables, min_ttl) {
        Ok(prepared) => prepared.run_until_exit(ctx, command, shown),
        Err(e) => e,
    }
}

/// What the proxy forwards with, ready before the command starts.
struct Prepared {
    listener: TcpListener,
    state: State,
    /// Hands out the tokens; it has the first.
    keeper: Keeper,
    /// What the proxy's thread asks (`state` holds the other end).
    answers: mpsc::Receiver<Ask>,
}

/// Binds the proxy and sets the command's environment.
fn start(
    ctx: &Ctx,
    first: Stored,
    command: &mut Command,
    variables: &[String],
    min_ttl: Option<u64>,
) -> Result<Prepared> {
    let profile = &ctx.settings.profile;
    let api_url = ctx
        .settings
        .api_url
        .for_stored(profile, &first.meta.api_url)?;
    // An HttpError's own hint is shown (`advice`).
    let client = ctx.http.forwarding_client(api_url.scheme() != "http")?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .context("starting the proxy on 127.0.0.1")?;
    let port = listener.local_addr().context("starting the proxy")?.port();
    let key = session_key()?;
    for variable in variables {
        command.env(variable, key.expose());
    }
    let root = format!("http://127.0.0.1:{port}");
    command.env("ATTIO_API_URL", &root);
    command.env("ATTIO_BASE_URL", format!("{root}/v2"));
    output::verbose(format!(
        "proxy: listening on {root}, forwarding to {}",
        api_url.origin().ascii_serialization()
    ));
    let keeper = Keeper::new(&first, min_ttl, "proxy");
    let (asks, answers) = mpsc::channel();
    Ok(Prepared {
        listener,
        state: State {
            key,
            api_url,
            client,
            current: Mutex::new(keeper.current()),
            refused: std::sync::atomic::AtomicU64::new(0),
            asks,
            clock: ctx.clock,
        },
        keeper,
        answers,
    })
}

/// A key of 256 random bits, in hex: a bearer token to every client. Nothing but the
/// random part, since every piece of a secret is scrubbed from what is shown (a fixed
/// prefix would scrub the word "attio-auth" from every message).
fn session_key() -> Result<Secret<String>> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(Secret::new(
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    ))
}

impl Prepared {
    /// Starts the command and the proxy's thread, then hands out tokens until the
    /// command ends.
    fn run_until_exit(self, ctx: &Ctx, command: Command, shown: &str) -> anyhow::Error {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return anyhow::anyhow!("starting the proxy: {e}"),
        };
        // SIGINT is the command's now; a refresh must not take it back.
        crate::http::leave_signals_alone();
        let (child, signals) = {
            let _entered = runtime.enter();
            let signals = match Signals::listen() {
                Ok(signals) => signals,
                Err(e) => return anyhow::anyhow!("starting the proxy: {e}"),
            };
            match Child::spawn(command) {
                Ok(child) => (child, signals),
                Err(e) => return super::start::failure(e, shown),
            }
        };
        let Prepared {
            listener,
            state,
            keeper,
            answers,
        } = self;
        let state = Arc::new(state);
        let serving = std::thread::Builder::new()
            .name("proxy".into())
            .spawn(move || {
                let finished = state.asks.clone();
                let status = runtime.block_on(serve(listener, state, child, signals));
                let _ = finished.send(Ask::Finished(status));
            });
        if let Err(e) = serving {
            return anyhow::anyhow!("starting the proxy: {e}");
        }
        let mut keeper = keeper;
        for ask in answers {
            match ask {
                Ask::Token {
                    generation,
                    rejected,
                    reply,
                } => {
                    let answer = supply(&mut keeper, ctx, generation, rejected);
                    let _ = reply.send(answer);
                }
                Ask::Finished(Ok(status)) => end_as(status),
                Ask::Finished(Err(e)) => {
                    return anyhow::anyhow!("waiting for `{shown}`: {e}");
                }
            }
        }
        anyhow::anyhow!("the proxy stopped unexpectedly")
    }
}

/// Ends this process as the command ended: its exit code, or its signal.
fn end_as(status: ExitStatus) -> ! {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        crate::os::end_by_signal(signal);
    }
    std::process::exit(status.code().unwrap_or(1))
}

/// A token for the proxy's thread, or its refusal in Attio's shape: log in again (401)
/// or no token now (502).
fn supply(
    keeper: &mut Keeper,
    ctx: &Ctx,
    generation: u64,
    rejected: bool,
) -> Result<Current, Refusal> {
    keeper.token(ctx, generation, rejected).map_err(
        |Unsupplied { error, told }| match failure::kind(&error) {
            Some(Kind::LoginAgain) => {
                Refusal::new(StatusCode::UNAUTHORIZED, "attio_auth_login_required", told)
            }
            _ => Refusal::new(StatusCode::BAD_GATEWAY, "attio_auth_refresh_failed", told),
        },
    )
}

/// Accepts and serves connections until the command ends, passing signals on to it.
async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut child: Child,
    mut signals: Signals,
) -> std::io::Result<ExitStatus> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let local = listener.local_addr().ok();
    let room = Arc::new(Room::proving(MAX_CONNECTIONS, PROOF_GRACE));
    let mut accepting = true;
    loop {
        tokio::select! {
            status = child.wait() => return status,
            signal = signals.next() => child.pass_on(signal),
            // When only the command's own connections are held, new ones wait in the
            // kernel's queue rather than evict one of its requests.
            accepted = async { room.space().await; listener.accept().await }, if accepting => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    // Out of descriptors, or a connection reset before it was accepted:
                    // they come back as connections close.
                    Err(e) if is_transient(&e) => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    Err(e) => {
                        output::warn(format!("proxy: no longer accepting connections: {e}"));
                        accepting = false;
                        continue;
                    }
                };
                let state = state.clone();
                let id = room.next_id();
                let leaving = room.clone();
                let task = tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    let vouching = leaving.clone();
                    let service = hyper::service::service_fn(move |request| {
                        let (state, room) = (state.clone(), vouching.clone());
                        async move {
                            let vouch = || room.vouch(id);
                            Ok::<_, Infallible>(handle(request, &state, &vouch).await)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEAD_TIMEOUT)
                        .max_header_size(MAX_HEAD)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    leaving.leave(id);
                });
                room.admit(id, peer, local, task.abort_handle());
            }
        }
    }
}
