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

use std::convert::Infallible;
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, ExitStatus};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full, Limited, combinators::UnsyncBoxBody};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::oneshot;

use crate::context::Ctx;
use crate::failure::{self, Failure, Kind};
use crate::freshness;
use crate::loopback::{Room, is_transient};
use crate::output;
use crate::profile::Stored;
use crate::renew::{self, Mode};
use crate::secret::Secret;

/// Connections served at once; when full, another user's go first, then the oldest of
/// whoever holds the most (`Room`), so a local flood cannot shut the command out.
const MAX_CONNECTIONS: usize = 256;
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// How long a connection may take to send a request's head, and stay idle between two.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// Request bodies up to this size are read first, so that a request Attio refused with a
/// 401 (it did nothing with it) can be sent again with a refreshed token. Larger ones
/// stream, and their 401 goes back to the command (the next request has a fresh token).
const RESENDABLE_BODY: usize = 256 * 1024;
/// After a refresh forced by a 401, the least time before another one: a server that
/// refuses every token must not make each request a refresh.
const FORCED_REFRESH_GAP: Duration = Duration::from_secs(30);

type ProxyBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// A token as the keeper hands it out.
#[derive(Clone)]
struct Current {
    token: Secret<String>,
    /// Unix seconds from which it should be replaced (`None`: never).
    due_at: Option<u64>,
    /// Counts the tokens handed out, so that several requests refused with one token
    /// cause one refresh between them.
    generation: u64,
}

impl Current {
    fn is_due(&self, now: u64) -> bool {
        self.due_at.is_some_and(|due| now >= due)
    }
}

/// Why the proxy answered a request itself.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// Attio's error shape, so that clients show the message as they show Attio's own.
    fn response(&self) -> Response<ProxyBody> {
        let kind = if self.status == StatusCode::UNAUTHORIZED {
            "auth_error"
        } else {
            "invalid_request_error"
        };
        let body = serde_json::json!({
            "status_code": self.status.as_u16(),
            "type": kind,
            "code": self.code,
            "message": output::shown(&self.message),
        });
        let mut response = Response::new(full(Bytes::from(body.to_string())));
        *response.status_mut() = self.status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// What the proxy's thread asks of this one.
enum Ask {
    /// A token newer than `generation`, or (when `rejected`) any but that one.
    Token {
        generation: u64,
        rejected: bool,
        reply: oneshot::Sender<Result<Current, Refusal>>,
    },
    /// The command ended.
    Finished(std::io::Result<ExitStatus>),
}

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
        Ok(api) => api.keep(ctx, command, shown, min_ttl),
        Err(e) => e,
    }
}

/// What the proxy forwards with, ready before the command starts.
struct Prepared {
    listener: TcpListener,
    state: State,
    first: Current,
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
    let client = ctx
        .http
        .forwarding_client(api_url.scheme() != "http")
        .map_err(|e| Failure::new(Kind::Failed, e.to_string()).hint(e.hint().to_string()))?;
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
    let first = Current {
        due_at: due_at(&first, min_ttl),
        token: first.creds.access_token,
        generation: 1,
    };
    Ok(Prepared {
        listener,
        state: State {
            key,
            api_url,
            client,
            current: Mutex::new(None),
            asks: None,
        },
        first,
    })
}

/// When a token is to be replaced: `min_ttl` (as `token` takes it) before it expires.
fn due_at(stored: &Stored, min_ttl: Option<u64>) -> Option<u64> {
    let margin = renew::within(stored, min_ttl);
    stored
        .creds
        .expires_at
        .map(|exp| exp.saturating_sub(margin))
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
    fn keep(self, ctx: &Ctx, command: Command, shown: &str, min_ttl: Option<u64>) -> anyhow::Error {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return anyhow::anyhow!("starting the proxy: {e}"),
        };
        // SIGINT is the command's now; a refresh must not take it back.
        crate::http::leave_signals_alone();
        let (asks, answers) = mpsc::channel();
        let (child, signals) = {
            let _entered = runtime.enter();
            let signals = match Signals::listen() {
                Ok(signals) => signals,
                Err(e) => return anyhow::anyhow!("starting the proxy: {e}"),
            };
            match Child::spawn(command) {
                Ok(child) => (child, signals),
                Err(e) => return super::start_failure(e, shown),
            }
        };
        let Prepared {
            listener,
            mut state,
            first,
        } = self;
        state.asks = Some(asks.clone());
        *state.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(first.clone());
        let state = Arc::new(state);
        let serving = std::thread::Builder::new()
            .name("proxy".into())
            .spawn(move || {
                let status = runtime.block_on(serve(listener, state, child, signals));
                let _ = asks.send(Ask::Finished(status));
            });
        if let Err(e) = serving {
            return anyhow::anyhow!("starting the proxy: {e}");
        }
        let mut keeper = Keeper {
            current: first,
            forced_at: None,
            last_warning: None,
        };
        for ask in answers {
            match ask {
                Ask::Token {
                    generation,
                    rejected,
                    reply,
                } => {
                    let answer = keeper.token(ctx, generation, rejected, min_ttl);
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

/// The token's keeper, on the caller's thread.
struct Keeper {
    current: Current,
    /// When a 401 last forced a refresh.
    forced_at: Option<Instant>,
    /// The last refresh failure shown on stderr, so a failing refresh is said once.
    last_warning: Option<String>,
}

impl Keeper {
    fn token(
        &mut self,
        ctx: &Ctx,
        generation: u64,
        rejected: bool,
        min_ttl: Option<u64>,
    ) -> Result<Current, Refusal> {
        let now = freshness::now();
        // Another request already got a newer one.
        if self.current.generation > generation && !self.current.is_due(now) {
            return Ok(self.current.clone());
        }
        let mode = if rejected {
            if self
                .forced_at
                .is_some_and(|at| at.elapsed() < FORCED_REFRESH_GAP)
            {
                return Ok(self.current.clone());
            }
            self.forced_at = Some(Instant::now());
            Mode::Force
        } else {
            Mode::IfExpiring(min_ttl)
        };
        match renew::fresh(ctx, mode) {
            Ok((stored, _)) => {
                let mut due_at = due_at(&stored, min_ttl);
                if stored.creds.access_token == self.current.token {
                    // Not refreshable (no refresh token): ask again only once it expired.
                    due_at = stored
                        .creds
                        .expires_at
                        .filter(|_| due_at.is_some_and(|d| d <= now));
                } else {
                    self.current.generation += 1;
                }
                self.current.token = stored.creds.access_token;
                self.current.due_at = due_at;
                self.last_warning = None;
                Ok(self.current.clone())
            }
            Err(e) => {
                let message = format!("{e:#}");
                let hint = crate::advice::next_step(&e).map(str::to_string);
                if self.last_warning.as_ref() != Some(&message) {
                    output::warn(format!("proxy: {message}"));
                    if let Some(hint) = &hint {
                        output::hint(hint);
                    }
                    self.last_warning = Some(message.clone());
                }
                let told = match &hint {
                    Some(hint) => format!("attio-auth could not supply a token: {message}; {hint}"),
                    None => format!("attio-auth could not supply a token: {message}"),
                };
                Err(match failure::kind(&e) {
                    Some(Kind::LoginAgain) => {
                        Refusal::new(StatusCode::UNAUTHORIZED, "attio_auth_login_required", told)
                    }
                    _ => Refusal::new(StatusCode::BAD_GATEWAY, "attio_auth_refresh_failed", told),
                })
            }
        }
    }
}

/// What every request is handled with.
struct State {
    key: Secret<String>,
    api_url: url::Url,
    client: reqwest::Client,
    current: Mutex<Option<Current>>,
    asks: Option<mpsc::Sender<Ask>>,
}

impl State {
    /// The token to send: the one at hand unless it is due, or was just `rejected`.
    async fn token(&self, rejected: Option<u64>) -> Result<Current, Refusal> {
        let now = freshness::now();
        let held = self
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(held) = &held
            && rejected.is_none()
            && !held.is_due(now)
        {
            return Ok(held.clone());
        }
        let (reply, answer) = oneshot::channel();
        let ask = Ask::Token {
            generation: rejected.unwrap_or_else(|| held.map_or(0, |h| h.generation)),
            rejected: rejected.is_some(),
            reply,
        };
        let gone = || {
            Refusal::new(
                StatusCode::BAD_GATEWAY,
                "attio_auth_stopping",
                "attio-auth is stopping",
            )
        };
        self.asks
            .as_ref()
            .ok_or_else(gone)?
            .send(ask)
            .map_err(|_| gone())?;
        let current = answer.await.map_err(|_| gone())??;
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(current.clone());
        Ok(current)
    }

    /// Whether the request carries this session's key.
    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
        else {
            return false;
        };
        constant_time_eq(given.as_bytes(), self.key.expose().as_bytes())
    }

    /// The URL a request for `uri` goes to: the API URL's origin, always, with the
    /// request's path under the API URL's own path.
    fn target(&self, uri: &hyper::Uri) -> url::Url {
        let mut url = crate::http::endpoint(&self.api_url, uri.path());
        url.set_query(uri.query());
        url
    }
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    let room = Arc::new(Room::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            status = child.wait() => return status,
            signal = signals.next() => child.pass_on(signal),
            accepted = listener.accept() => {
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
                        std::future::pending::<()>().await;
                        continue;
                    }
                };
                let state = state.clone();
                let id = room.next_id();
                let leaving = room.clone();
                let task = tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    let service = hyper::service::service_fn(move |request| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(request, &state).await) }
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

/// One request: the key checked, sent on with a token, the answer streamed back.
async fn handle(request: Request<Incoming>, state: &State) -> Response<ProxyBody> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = forward(request, state)
        .await
        .unwrap_or_else(|refusal| refusal.response());
    output::verbose(format!(
        "proxy: {method} {path} -> {} ({} ms)",
        response.status(),
        started.elapsed().as_millis()
    ));
    response
}

async fn forward(
    request: Request<Incoming>,
    state: &State,
) -> Result<Response<ProxyBody>, Refusal> {
    if !state.admits(request.headers()) {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid_proxy_key",
            "this proxy serves only the command attio-auth started: send its ATTIO_API_KEY as the bearer token",
        ));
    }
    if request.method() == Method::CONNECT || request.uri().authority().is_some() {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "not_a_forward_proxy",
            "send requests to this proxy's own URL (ATTIO_BASE_URL), not through it to another host",
        ));
    }
    let target = state.target(request.uri());
    let (parts, body) = request.into_parts();
    let headers = outgoing_headers(&parts.headers);
    // Small bodies are read first, so a refused request can be sent again.
    let (resendable, mut streamed) = match body_size(&parts.headers) {
        Some(size) if size <= RESENDABLE_BODY as u64 => {
            let bytes = Limited::new(body, RESENDABLE_BODY)
                .collect()
                .await
                .map_err(|e| {
                    Refusal::new(
                        StatusCode::BAD_REQUEST,
                        "request_body_unreadable",
                        format!("the request's body could not be read: {e}"),
                    )
                })?
                .to_bytes();
            (Some(bytes), None)
        }
        _ => (None, Some(body)),
    };
    let build = |token: &Current, body: reqwest::Body| {
        state
            .client
            .request(parts.method.clone(), target.clone())
            .headers(headers.clone())
            .bearer_auth(token.token.expose())
            .body(body)
    };
    let token = state.token(None).await?;
    let body = match (&resendable, streamed.take()) {
        (Some(bytes), _) => reqwest::Body::from(bytes.clone()),
        (None, Some(body)) => reqwest::Body::wrap(body),
        (None, None) => reqwest::Body::from(Bytes::new()),
    };
    let mut answer = send(build(&token, body)).await?;
    if answer.status() == StatusCode::UNAUTHORIZED
        && let Some(bytes) = &resendable
    {
        let newer = state.token(Some(token.generation)).await?;
        if newer.token != token.token {
            answer = send(build(&newer, reqwest::Body::from(bytes.clone()))).await?;
        }
    }
    let status = answer.status();
    let headers = end_to_end(answer.headers());
    let body = hyper::Response::<reqwest::Body>::from(answer)
        .into_body()
        .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        .boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// Sends one request upstream; a failure is the proxy's 502.
async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, Refusal> {
    request.send().await.map_err(|e| {
        Refusal::new(
            StatusCode::BAD_GATEWAY,
            "attio_unreachable",
            format!("attio-auth's proxy could not reach the API: {e}"),
        )
    })
}

/// The size a request's body declares; `None` when it streams (chunked) or is not said.
fn body_size(headers: &HeaderMap) -> Option<u64> {
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return None;
    }
    match headers.get(header::CONTENT_LENGTH) {
        Some(length) => length.to_str().ok()?.parse().ok(),
        None => Some(0),
    }
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), and so are
/// never passed on.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];

/// A message's headers without those that are the connection's: the hop-by-hop ones,
/// those `Connection` names, and the framing the other side redoes.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut kept = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.as_str();
        if HOP_BY_HOP.contains(&lower)
            || named.iter().any(|n| n == lower)
            || name == header::TRANSFER_ENCODING
        {
            continue;
        }
        kept.append(name.clone(), value.clone());
    }
    kept
}

/// The command's headers as Attio gets them: its key and the proxy's host removed.
fn outgoing_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = end_to_end(headers);
    kept.remove(header::AUTHORIZATION);
    kept.remove(header::HOST);
    kept.remove(header::CONTENT_LENGTH);
    kept
}

fn full(bytes: Bytes) -> ProxyBody {
    Full::new(bytes)
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

/// The command, and how signals reach it.
struct Child {
    inner: tokio::process::Child,
    pid: Option<u32>,
    /// Started in a process group of its own: when attio-auth does not have a terminal's
    /// foreground (under an MCP host, in the background), a signal sent to attio-auth is
    /// passed to the whole group, so a wrapper such as npx cannot leave its server behind.
    /// At a terminal the command shares attio-auth's group, and Ctrl-C and Ctrl-Z reach
    /// both from the terminal itself.
    own_group: bool,
}

impl Child {
    fn spawn(command: Command) -> std::io::Result<Child> {
        let own_group = !crate::os::in_terminal_foreground();
        let mut command = tokio::process::Command::from(command);
        #[cfg(unix)]
        if own_group {
            command.process_group(0);
        }
        let inner = command.spawn()?;
        Ok(Child {
            pid: inner.id(),
            inner,
            own_group,
        })
    }

    async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        self.inner.wait().await
    }

    /// Passes a signal attio-auth received on to the command.
    fn pass_on(&self, signal: i32) {
        #[cfg(unix)]
        if let Some(pid) = self.pid {
            let from_terminal = signal == libc::SIGINT || signal == libc::SIGQUIT;
            if self.own_group {
                crate::os::send_signal(pid, signal, true);
            } else if !from_terminal {
                crate::os::send_signal(pid, signal, false);
            }
        }
        #[cfg(not(unix))]
        let _ = (signal, self.pid, self.own_group);
    }
}

/// The signals that would end attio-auth, caught so that they reach the command instead.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => libc::SIGINT,
            _ = self.terminate.recv() => libc::SIGTERM,
            _ = self.hangup.recv() => libc::SIGHUP,
            _ = self.quit.recv() => libc::SIGQUIT,
        }
    }
}

/// Ctrl-C and Ctrl-Break, which the console also sends to the command: attio-auth
/// outlives them to serve the command until it ends.
#[cfg(windows)]
struct Signals {
    ctrl_c: tokio::signal::windows::CtrlC,
    ctrl_break: tokio::signal::windows::CtrlBreak,
}

#[cfg(windows)]
impl Signals {
    fn listen() -> std::io::Result<Self> {
        Ok(Signals {
            ctrl_c: tokio::signal::windows::ctrl_c()?,
            ctrl_break: tokio::signal::windows::ctrl_break()?,
        })
    }

    async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.ctrl_c.recv() => 0,
            _ = self.ctrl_break.recv() => 0,
        }
    }
}

#[cfg(not(any(unix, windows)))]
struct Signals;

#[cfg(not(any(unix, windows)))]
impl Signals {
    fn listen() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn next(&mut self) -> i32 {
        std::future::pending().await
    }
}
