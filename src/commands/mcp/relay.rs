//! The relay itself: stdin's JSON-RPC lines to the hosted server, its answers (JSON or
//! server-sent events) to stdout, with the session, the token and the recoveries.

use std::sync::{Mutex, mpsc};
use std::time::Duration;

use anyhow::Result;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::sync::oneshot;

use crate::context::Ctx;
use crate::output;
use crate::renew::keeper::Current;

/// What the relay asks of this thread: a token newer than `generation`, or (`refused`)
/// any but that one; a failure comes back as the words for the host.
pub(super) struct Ask {
    pub(super) generation: u64,
    pub(super) refused: bool,
    pub(super) reply: oneshot::Sender<Result<Current, String>>,
}

/// The largest message read from the host, or event read from the server.
pub const MAX_MESSAGE: usize = 4 * 1024 * 1024;

/// JSON-RPC error codes of the bridge's own (the implementation-defined range).
const NOT_LOGGED_IN: i64 = -32001;
const UNREACHABLE: i64 = -32002;
const TOO_LARGE: i64 = -32003;
const PARSE_ERROR: i64 = -32700;

/// A failure for the host: a JSON-RPC error's code and message.
struct Refusal {
    code: i64,
    message: String,
}

impl Refusal {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: output::shown(&message.into()),
        }
    }
}

pub struct Relay {
    client: reqwest::Client,
    url: url::Url,
    asks: mpsc::Sender<Ask>,
    current: Mutex<Current>,
    /// What to do when the server keeps refusing the login.
    log_in_again: String,
    session: Mutex<Session>,
    /// When the token at hand is due.
    clock: crate::freshness::Clock,
}

/// What the bridge keeps of the MCP session, to send it along and to start it again.
#[derive(Default)]
struct Session {
    id: Option<String>,
    protocol: Option<String>,
    /// The host's `initialize` and `notifications/initialized`, as sent.
    initialize: Option<String>,
    initialized: Option<String>,
}

impl Relay {
    pub fn new(
        client: reqwest::Client,
        url: url::Url,
        asks: mpsc::Sender<Ask>,
        current: Current,
        log_in_again: String,
        clock: crate::freshness::Clock,
    ) -> Self {
        Relay {
            client,
            url,
            asks,
            current: Mutex::new(current),
            log_in_again,
            session: Mutex::new(Session::default()),
            clock,
        }
    }

    /// Relays until stdin ends (or SIGTERM), then ends the session at the server.
    pub fn run(self) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let relay = std::sync::Arc::new(self);
            let mut lines = tokio::io::BufReader::new(tokio::io::stdin());
            let mut tasks = tokio::task::JoinSet::new();
            // The GET stream of the server's own messages, once the session is up; it
            // lasts as long as the server keeps it, so it is stopped, not awaited, at the end.
            let mut listening: Option<tokio::task::JoinHandle<()>> = None;
            loop {
                let line = tokio::select! {
                    line = read_line(&mut lines) => line,
                    () = terminated() => break,
                };
                match line {
                    Ok(Some(line)) if line.trim().is_empty() => {}
                    Ok(Some(line)) => {
                        let Ok(message) = serde_json::from_str::<Value>(&line) else {
                            write(&error_line(
                                &Value::Null,
                                &Refusal::new(PARSE_ERROR, "the message is not JSON"),
                            ));
                            continue;
                        };
                        // `initialize` first, alone: everything after it needs its session;
                        // notifications and answers in order (they are taken at once).
                        // Requests go side by side: a long tool call must not hold up a ping.
                        let first = relay.session.lock().map(|s| s.id.is_none()).unwrap_or(true);
                        let request =
                            message.get("id").is_some() && message.get("method").is_some();
                        let initialized = message["method"] == "notifications/initialized";
                        let relay = relay.clone();
                        if first || !request {
                            let ok = relay.message(message).await;
                            if ok && initialized && listening.is_none() {
                                listening = Some(tokio::spawn(async move { relay.listen().await }));
                            }
                        } else {
                            tasks.spawn(async move { relay.message(message).await });
                        }
                    }
                    Ok(None) => break,
                    Err(TooLarge) => write(&error_line(
                        &Value::Null,
                        &Refusal::new(
                            TOO_LARGE,
                            format!(
                                "a message larger than {} MiB was not relayed",
                                MAX_MESSAGE / 1024 / 1024
                            ),
                        ),
                    )),
                }
            }
            while tasks.join_next().await.is_some() {}
            if let Some(listening) = listening {
                listening.abort();
            }
            relay.end().await;
        });
        Ok(())
    }

    /// One message from the host; whether the server took it.
    async fn message(&self, message: Value) -> bool {
        let method = message.get("method").and_then(Value::as_str);
        let id = message.get("id").filter(|_| method.is_some()).cloned();
        let compact = message.to_string();
        if let Ok(mut session) = self.session.lock() {
            match method {
                Some("initialize") => session.initialize = Some(compact.clone()),
                Some("notifications/initialized") => session.initialized = Some(compact.clone()),
                _ => {}
            }
        }
        match self.post(&compact, true).await {
            Ok(()) => true,
            Err(refusal) => {
                output::warn(format!("mcp: {}", refusal.message));
                if let Some(id) = id {
                    write(&error_line(&id, &refusal));
                }
                false
            }
        }
    }

    /// POSTs a message and relays the answer (when `relayed`), recovering once from a
    /// refused token and once from a forgotten session.
    async fn post(&self, body: &str, relayed: bool) -> Result<(), Refusal> {
        let mut refreshed = false;
        let mut restarted = false;
        let initialize = body.contains("\"method\":\"initialize\"");
        loop {
            let current = self.token(None).await?;
            let mut headers = self.headers();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            let started = std::time::Instant::now();
            let sent = self
                .client
                .post(self.url.clone())
                .headers(headers)
                .bearer_auth(current.token.expose())
                .body(body.to_string())
                .send()
                .await;
            output::verbose(format!(
                "mcp: POST {} -> {} ({} ms)",
                self.url,
                match &sent {
                    Ok(answer) => answer.status().to_string(),
                    Err(e) => format!("failed: {}", crate::http::root_cause(e)),
                },
                started.elapsed().as_millis()
            ));
            let answer = sent.map_err(|e| unreachable(&self.url, &e))?;
            match answer.status() {
                StatusCode::UNAUTHORIZED if !refreshed => {
                    refreshed = true;
                    self.token(Some(current.generation)).await?;
                }
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    return Err(Refusal::new(
                        NOT_LOGGED_IN,
                        format!(
                            "the hosted MCP server refused the login (HTTP {}): {}",
                            answer.status().as_u16(),
                            self.log_in_again
                        ),
                    ));
                }
                StatusCode::NOT_FOUND if !initialize && !restarted && self.has_session() => {
                    restarted = true;
                    self.restart().await?;
                }
                status if status.is_success() => {
                    if initialize {
                        self.started(&answer);
                    }
                    return self.answer(answer, relayed, None).await;
                }
                status if status.is_redirection() => {
                    return Err(Refusal::new(
                        UNREACHABLE,
                        format!(
                            "the hosted MCP server redirected (HTTP {}); redirects are not followed with the token",
                            status.as_u16()
                        ),
                    ));
                }
                status => {
                    return Err(Refusal::new(
                        UNREACHABLE,
                        format!("the hosted MCP server answered HTTP {}", status.as_u16()),
                    ));
                }
            }
        }
    }

    /// The session's headers, and what an answer may be.
    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        if let Ok(session) = self.session.lock() {
            if let Some(id) = session
                .id
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert("Mcp-Session-Id", id);
            }
            if let Some(v) = session
                .protocol
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert("MCP-Protocol-Version", v);
            }
        }
        headers
    }

    fn has_session(&self) -> bool {
        self.session.lock().is_ok_and(|s| s.id.is_some())
    }

    /// Keeps the session ID the server gave `initialize`'s answer.
    fn started(&self, answer: &reqwest::Response) {
        let id = answer
            .headers()
            .get("Mcp-Session-Id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 256 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_string);
        if let Ok(mut session) = self.session.lock() {
            session.id = id;
        }
    }

    /// Starts a new session after the server forgot the old one: the host's `initialize`
    /// and `initialized` again, their answers kept from the host.
    async fn restart(&self) -> Result<(), Refusal> {
        let (initialize, initialized) = match self.session.lock() {
            Ok(mut session) => {
                session.id = None;
                (session.initialize.clone(), session.initialized.clone())
            }
            Err(_) => (None, None),
        };
        output::verbose("mcp: the server forgot the session: starting a new one");
        if let Some(initialize) = initialize {
            Box::pin(self.post(&initialize, false)).await?;
        }
        if let Some(initialized) = initialized {
            Box::pin(self.post(&initialized, false)).await?;
        }
        Ok(())
    }

    /// Relays an answer: JSON as one line, server-sent events one line each, in order
    /// (noting in `resume` the stream's last event ID and retry time, when given).
    async fn answer(
        &self,
        mut answer: reqwest::Response,
        relayed: bool,
        mut resume: Option<&mut Resume>,
    ) -> Result<(), Refusal> {
        let events = answer
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !events {
            let mut body = Vec::new();
            while let Some(chunk) = answer
                .chunk()
                .await
                .map_err(|e| unreachable(&self.url, &e))?
            {
                if body.len() + chunk.len() > MAX_MESSAGE {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            if relayed && !body.iter().all(u8::is_ascii_whitespace) {
                let message: Value = serde_json::from_slice(&body).map_err(|_| {
                    Refusal::new(
                        UNREACHABLE,
                        "the hosted MCP server answered with something that is not JSON",
                    )
                })?;
                if let Some(protocol) = message["result"]["protocolVersion"].as_str()
                    && let Ok(mut session) = self.session.lock()
                {
                    session.protocol = Some(protocol.to_string());
                }
                write(&message.to_string());
            }
            return Ok(());
        }
        let mut pending = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| unreachable(&self.url, &e))?
        {
            pending.extend_from_slice(&chunk);
            while let Some((event, rest)) = split_event(&pending) {
                if let Some(resume) = resume.as_deref_mut() {
                    resume.note(&event);
                }
                if relayed {
                    self.event(&event);
                }
                pending = rest;
            }
            if pending.len() > MAX_MESSAGE {
                return Err(too_large());
            }
        }
        Ok(())
    }

    /// One server-sent event: its `data` is a JSON-RPC message for the host.
    fn event(&self, event: &str) {
        let data: Vec<&str> = event
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(|d| d.strip_prefix(' ').unwrap_or(d))
            .collect();
        if data.is_empty() {
            return;
        }
        match serde_json::from_str::<Value>(&data.join("\n")) {
            Ok(message) => {
                if let Some(protocol) = message["result"]["protocolVersion"].as_str()
                    && let Ok(mut session) = self.session.lock()
                {
                    session.protocol = Some(protocol.to_string());
                }
                write(&message.to_string());
            }
            Err(_) => output::warn("mcp: the server sent an event that is not JSON; dropped"),
        }
    }

    /// The GET stream of the server's own messages, for as long as the bridge runs: opened
    /// again whenever it ends (servers and proxies drop long-lived connections), after the
    /// server's `retry` time or 1 s, longer after each failure in a row, and with the
    /// last event's ID so that a server that can resume does. A 405 means the server has
    /// no such stream; a refused token is renewed once, and a second refusal in a row
    /// ends the listening (the host's next request says what to do).
    async fn listen(&self) {
        let mut resume = Resume::default();
        let mut failures = 0u32;
        let mut refused = false;
        loop {
            let Ok(current) = self.token(None).await else {
                return;
            };
            let mut headers = self.headers();
            headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
            if let Some(id) = resume
                .last_id
                .as_deref()
                .and_then(|id| HeaderValue::from_str(id).ok())
            {
                headers.insert("Last-Event-ID", id);
            }
            let sent = self
                .client
                .get(self.url.clone())
                .headers(headers)
                .bearer_auth(current.token.expose())
                .send()
                .await;
            output::verbose(format!(
                "mcp: GET {} -> {}",
                self.url,
                match &sent {
                    Ok(answer) => answer.status().to_string(),
                    Err(e) => format!("failed: {}", crate::http::root_cause(e)),
                }
            ));
            let seen = resume.events;
            let status = sent.as_ref().map(reqwest::Response::status).ok();
            match (sent, status) {
                (_, Some(StatusCode::METHOD_NOT_ALLOWED)) => return,
                (_, Some(StatusCode::UNAUTHORIZED)) if !refused => {
                    refused = true;
                    if self.token(Some(current.generation)).await.is_err() {
                        return;
                    }
                    continue;
                }
                (_, Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)) => return,
                (Ok(answer), Some(status)) if status.is_success() => {
                    refused = false;
                    let _ = self.answer(answer, true, Some(&mut resume)).await;
                }
                _ => {}
            }
            failures = if resume.events > seen {
                0
            } else {
                failures + 1
            };
            let wait = resume.retry.unwrap_or(Duration::from_secs(1)) * 2u32.pow(failures.min(6));
            tokio::time::sleep(wait.min(MAX_RETRY)).await;
        }
    }

    /// Ends the session at the server (stdin ended, or SIGTERM).
    async fn end(&self) {
        if !self.has_session() {
            return;
        }
        let Ok(current) = self.token(None).await else {
            return;
        };
        let _ = self
            .client
            .delete(self.url.clone())
            .headers(self.headers())
            .bearer_auth(current.token.expose())
            .send()
            .await;
    }

    /// The token to send: the one at hand unless it is due, or was `refused`.
    async fn token(&self, refused: Option<u64>) -> Result<Current, Refusal> {
        let held = self.current.lock().map(|c| c.clone()).map_err(|_| gone())?;
        if refused.is_none() && !held.is_due(self.clock.now()) {
            return Ok(held);
        }
        let (reply, answer) = oneshot::channel();
        self.asks
            .send(Ask {
                generation: refused.unwrap_or(held.generation),
                refused: refused.is_some(),
                reply,
            })
            .map_err(|_| gone())?;
        let current = answer
            .await
            .map_err(|_| gone())?
            .map_err(|message| Refusal::new(NOT_LOGGED_IN, message))?;
        if let Ok(mut held) = self.current.lock() {
            *held = current.clone();
        }
        Ok(current)
    }
}

/// The longest wait before the GET stream is opened again.
const MAX_RETRY: Duration = Duration::from_secs(60);

/// What the GET stream has said of itself: its last event's ID, the reconnection time it
/// asks for (SSE's `retry`), and how many messages it brought.
#[derive(Default)]
struct Resume {
    last_id: Option<String>,
    retry: Option<Duration>,
    events: u64,
}

impl Resume {
    fn note(&mut self, event: &str) {
        for line in event.lines() {
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                // An ID with a NUL is ignored, as the SSE standard says; one a header
                // cannot carry, or a long one, is not kept.
                "id" if !value.contains('\0') => {
                    self.last_id = (value.len() <= 256
                        && value.bytes().all(|b| b.is_ascii_graphic()))
                    .then(|| value.to_string())
                    .filter(|v| !v.is_empty());
                }
                "retry" => {
                    if let Ok(ms) = value.parse::<u64>() {
                        self.retry = Some(Duration::from_millis(ms).min(MAX_RETRY));
                    }
                }
                _ => {}
            }
        }
        if event.lines().any(|line| line.starts_with("data:")) {
            self.events += 1;
        }
    }
}

/// A line from the host, at most [`MAX_MESSAGE`] bytes (`None`: stdin ended).
struct TooLarge;

async fn read_line(
    input: &mut tokio::io::BufReader<tokio::io::Stdin>,
) -> Result<Option<String>, TooLarge> {
    let mut line = Vec::new();
    let mut too_large = false;
    loop {
        let available = match input.fill_buf().await {
            Ok(bytes) => bytes,
            Err(_) => return Ok(None),
        };
        if available.is_empty() {
            return match (line.is_empty(), too_large) {
                (_, true) => Err(TooLarge),
                (true, false) => Ok(None),
                (false, false) => Ok(Some(String::from_utf8_lossy(&line).into_owned())),
            };
        }
        let (taken, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !too_large {
            line.extend_from_slice(&available[..taken]);
            if line.len() > MAX_MESSAGE {
                too_large = true;
                line.clear();
            }
        }
        input.consume(taken);
        if done {
            return if too_large {
                Err(TooLarge)
            } else {
                Ok(Some(String::from_utf8_lossy(&line).into_owned()))
            };
        }
    }
}

/// The first complete event in `bytes` (up to a blank line), and what follows it.
fn split_event(bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (at, gap) = [("\r\n\r\n", 4), ("\n\n", 2)]
        .iter()
        .filter_map(|(sep, len)| text.find(sep).map(|at| (at, *len)))
        .min_by_key(|(at, _)| *at)?;
    Some((text[..at].replace("\r\n", "\n"), bytes[at + gap..].to_vec()))
}

/// Resolves when this process is asked to stop (SIGTERM; Ctrl-C at a console).
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Writes one line to stdout; a host that stopped reading ends nothing here.
fn write(line: &str) {
    let _ = output::data(line);
}

fn error_line(id: &Value, refusal: &Refusal) -> String {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": refusal.code, "message": refusal.message},
    })
    .to_string()
}

fn unreachable(url: &url::Url, e: &reqwest::Error) -> Refusal {
    Refusal::new(
        UNREACHABLE,
        format!(
            "the hosted MCP server {url} could not be reached ({}); check the network, or run `attio-auth doctor`",
            crate::http::root_cause(e)
        ),
    )
}

fn too_large() -> Refusal {
    Refusal::new(
        TOO_LARGE,
        format!(
            "the hosted MCP server sent a message larger than {} MiB, which was not relayed",
            MAX_MESSAGE / 1024 / 1024
        ),
    )
}

fn gone() -> Refusal {
    Refusal::new(UNREACHABLE, "attio-auth is stopping")
}

/// Without a usable login: every request the host sends gets `error` as a JSON-RPC
/// error with its id, until stdin ends; then the error is reported (one line on stderr,
/// and its exit code).
pub fn refuse_all(ctx: &Ctx, error: anyhow::Error) -> Result<()> {
    use std::io::BufRead;
    let said = match crate::failure::next_step(&error) {
        Some(next) => format!("{error:#}; {}", ctx.render(&next)),
        None => format!("{error:#}"),
    };
    let refusal = Refusal::new(NOT_LOGGED_IN, said);
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
            write(&error_line(id, &refusal));
        }
    }
    Err(error)
}
