//! A fake of Attio's hosted MCP server and its authorization server, as two hosts (two
//! ports): the MCP server answers 401 with `resource_metadata` and serves its protected
//! resource metadata (RFC 9728); the authorization server serves RFC 8414 metadata,
//! registers public clients (RFC 7591), requires PKCE S256, `state` and the resource
//! (RFC 8707) on every grant, puts `iss` in its redirects (RFC 9207), and rotates refresh
//! tokens with reuse detection. Each can be told to misbehave as a hostile server would.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tiny_http::{Header, Request, Response, Server};

/// What the fake says or does differently from an honest server.
#[derive(Debug, Clone, Default)]
pub struct Hostile {
    /// The `resource` its protected-resource metadata names.
    pub resource: Option<String>,
    /// The `issuer` its authorization-server metadata names.
    pub issuer: Option<String>,
    /// The token endpoint its metadata names.
    pub token_endpoint: Option<String>,
    /// Registration answers 400 `invalid_client_metadata`.
    pub refuse_registration: bool,
    /// The `iss` its redirect carries.
    pub iss: Option<String>,
    /// A tool call is answered with one endless event (more than the bridge reads).
    pub endless_event: bool,
    /// A tool call is answered with a redirect to this URL.
    pub redirect: Option<String>,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub form: HashMap<String, String>,
    pub body: String,
    pub authorization: Option<String>,
    /// Every header, names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Code {
    client_id: String,
    challenge: String,
    redirect_uri: String,
    resource: String,
}

#[derive(Default)]
struct State {
    hostile: Hostile,
    ttl: u64,
    seen: Vec<Seen>,
    /// Client IDs and their redirect URIs.
    clients: HashMap<String, Vec<String>>,
    codes: HashMap<String, Code>,
    /// Refresh tokens: whether used, and their client.
    refresh: HashMap<String, (bool, String)>,
    revoked: bool,
    issued: Vec<String>,
    /// When each access token issued expires.
    expiry: HashMap<String, u64>,
    /// The MCP sessions open.
    sessions: HashSet<String>,
    /// Every session ever opened, in order.
    opened: Vec<String>,
    refresh_reuses: usize,
    counter: usize,
    /// The server's own messages for the GET stream, in order; `None` ends the stream
    /// that takes it.
    outbox: std::collections::VecDeque<Option<serde_json::Value>>,
    /// Events sent on GET streams, each with its number as its SSE `id`.
    events: usize,
}

pub struct FakeHosted {
    /// The authorization server's URL (its issuer).
    pub issuer: String,
    /// The MCP server's URL.
    pub mcp_url: String,
    state: Arc<Mutex<State>>,
    servers: Vec<Arc<Server>>,
}

impl FakeHosted {
    /// Starts both hosts; access tokens live `ttl` seconds.
    pub fn start(ttl: u64) -> Self {
        let auth =
            Arc::new(Server::http("127.0.0.1:0").expect("bind the fake authorization server"));
        let mcp = Arc::new(Server::http("127.0.0.1:0").expect("bind the fake MCP server"));
        let port = |s: &Server| s.server_addr().to_ip().unwrap().port();
        let issuer = format!("http://127.0.0.1:{}", port(&auth));
        let mcp_url = format!("http://127.0.0.1:{}/mcp", port(&mcp));
        let state = Arc::new(Mutex::new(State {
            ttl,
            ..State::default()
        }));
        for (server, serve) in [
            (&auth, serve_auth as fn(&Mutex<State>, &str, &str, Request)),
            (&mcp, serve_mcp),
        ] {
            let (server, state) = (Arc::clone(server), Arc::clone(&state));
            let (issuer, mcp_url) = (issuer.clone(), mcp_url.clone());
            thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let (state, issuer, mcp_url) = (state.clone(), issuer.clone(), mcp_url.clone());
                    thread::spawn(move || serve(&state, &issuer, &mcp_url, request));
                }
            });
        }
        Self {
            issuer,
            mcp_url,
            state,
            servers: vec![auth, mcp],
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    pub fn hostile(&self, hostile: Hostile) {
        self.state().hostile = hostile;
    }

    /// Forgets every registered client, as servers purge registrations.
    #[allow(dead_code)]
    pub fn forget_registrations(&self) {
        self.state().clients.clear();
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.path == path)
            .collect()
    }

    pub fn registrations(&self) -> usize {
        self.seen("/oauth/register").len()
    }

    pub fn issued(&self) -> Vec<String> {
        self.state().issued.clone()
    }

    pub fn refresh_reuses(&self) -> usize {
        self.state().refresh_reuses
    }

    /// The IDs of every MCP session opened, in order.
    #[allow(dead_code)]
    pub fn sessions_opened(&self) -> Vec<String> {
        self.state().opened.clone()
    }

    /// How many MCP sessions are open (not ended, not forgotten).
    #[allow(dead_code)]
    pub fn open_sessions(&self) -> usize {
        self.state().sessions.len()
    }

    /// Forgets every MCP session, as a server that restarted does.
    #[allow(dead_code)]
    pub fn forget_sessions(&self) {
        self.state().sessions.clear();
    }

    /// Sends a message of the server's own on the GET stream (the next one opened, if
    /// none is open).
    #[allow(dead_code)]
    pub fn push(&self, message: serde_json::Value) {
        self.state().outbox.push_back(Some(message));
    }

    /// Ends the GET stream open (or the next one opened), as a server or proxy that drops
    /// long-lived connections does.
    #[allow(dead_code)]
    pub fn end_stream(&self) {
        self.state().outbox.push_back(None);
    }

    /// The access token issued last.
    #[allow(dead_code)]
    pub fn last_access_token(&self) -> String {
        self.state()
            .issued
            .last()
            .cloned()
            .expect("a token was issued")
    }

    /// When an access token it issued expires.
    #[allow(dead_code)]
    pub fn expires_at(&self, token: &str) -> u64 {
        self.state().expiry[token]
    }
}

/// A test environment whose profile `agent` is logged in to a fresh fake hosted server
/// (tokens living `ttl` seconds).
#[cfg_attr(not(unix), allow(dead_code))]
pub fn logged_in(ttl: u64) -> (crate::support::TestEnv, FakeHosted) {
    use crate::fake_attio::{Consent, Tokens};
    let env = crate::support::TestEnv::new(Consent::Approve, Tokens::LongLived);
    let hosted = FakeHosted::start(ttl);
    let run = env.run(&[
        "login",
        "--mcp",
        "--mcp-url",
        &hosted.mcp_url,
        "--profile",
        "agent",
        "--port",
        "0",
        "--timeout",
        "10",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    (env, hosted)
}

impl Drop for FakeHosted {
    fn drop(&mut self) {
        for server in &self.servers {
            server.unblock();
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

type Answer = Response<std::io::Cursor<Vec<u8>>>;

fn json(status: u16, body: serde_json::Value) -> Answer {
    Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(Header::from_bytes("Content-Type", "application/json").unwrap())
}

fn error(error: &str) -> Answer {
    json(
        400,
        serde_json::json!({"error": error, "error_description": error}),
    )
}

fn pairs(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// Reads and records a request.
fn record(state: &Mutex<State>, request: &mut Request) -> Seen {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let authorization = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Authorization"))
        .map(|h| h.value.to_string());
    let headers = request
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.to_string(),
            )
        })
        .collect();
    let seen = Seen {
        authorization,
        headers,
        method: request.method().to_string(),
        path: path.to_string(),
        query: pairs(query),
        form: pairs(&body),
        body,
    };
    state.lock().unwrap().seen.push(seen.clone());
    seen
}

fn serve_mcp(state: &Mutex<State>, issuer: &str, mcp_url: &str, mut request: Request) {
    let seen = record(state, &mut request);
    let origin = mcp_url.trim_end_matches("/mcp");
    let answer = match seen.path.as_str() {
        "/.well-known/oauth-protected-resource/mcp" => {
            let resource = state.lock().unwrap().hostile.resource.clone();
            json(
                200,
                serde_json::json!({
                    "resource": resource.as_deref().unwrap_or(mcp_url),
                    "authorization_servers": [issuer],
                    "scopes_supported": ["mcp", "offline_access"],
                    "bearer_methods_supported": ["header"],
                }),
            )
        }
        "/mcp" if accepts(state, &seen) => {
            let hostile = state.lock().unwrap().hostile.clone();
            let call = seen.body.contains("\"tools/call\"");
            if call && let Some(to) = hostile.redirect {
                let moved = Response::from_string("")
                    .with_status_code(307)
                    .with_header(Header::from_bytes("Location", to.as_bytes()).unwrap());
                let _ = request.respond(moved);
                return;
            }
            if call && hostile.endless_event {
                let mut out = request.into_writer();
                let _ = out.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: ",
                );
                let chunk = vec![b'x'; 64 * 1024];
                for _ in 0..100 {
                    if out.write_all(&chunk).is_err() {
                        break;
                    }
                }
                return;
            }
            if seen.method == "GET" {
                return stream(state, &seen, request);
            }
            let answer = streamable(state, &seen);
            if call {
                // As a tool that works a while: each event sent and flushed on its own,
                // a little after the one before (chunked, so the connection stays).
                let mut body = String::new();
                let _ = answer.into_reader().read_to_string(&mut body);
                let mut out = request.into_writer();
                let _ = out.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n",
                );
                for event in body.split_inclusive("\n\n") {
                    let _ = write!(out, "{:x}\r\n{event}\r\n", event.len());
                    let _ = out.flush();
                    thread::sleep(std::time::Duration::from_millis(50));
                }
                let _ = out.write_all(b"0\r\n\r\n");
                let _ = out.flush();
                return;
            }
            answer
        }
        _ => json(401, serde_json::json!({"error": "unauthorized"})).with_header(
            Header::from_bytes(
                "WWW-Authenticate",
                format!(
                    r#"Bearer error="invalid_token", resource_metadata="{origin}/.well-known/oauth-protected-resource/mcp""#
                ),
            )
            .unwrap(),
        ),
    };
    let _ = request.respond(answer);
}

/// The GET stream of a known session: the server's own messages as they are pushed, each
/// event numbered (its `id`), a `retry` of 100 ms, and a comment now and then to find out
/// whether the bridge is still there; pushing `None` ends it.
fn stream(state: &Mutex<State>, seen: &Seen, request: Request) {
    let session = seen.header("mcp-session-id").unwrap_or_default();
    if !state.lock().unwrap().sessions.contains(session) {
        let _ = request.respond(json(404, serde_json::json!({"error": "unknown session"})));
        return;
    }
    let mut out = request.into_writer();
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    let _ = out.write_all(head.as_bytes());
    // One chunk; the empty one ends the body.
    let mut send =
        |text: &str| write!(out, "{:x}\r\n{text}\r\n", text.len()).and_then(|()| out.flush());
    if send("retry: 100\n\n").is_err() {
        return;
    }
    for tick in 0.. {
        let next = {
            let mut st = state.lock().unwrap();
            st.outbox.pop_front().map(|message| {
                message.map(|message| {
                    st.events += 1;
                    format!("id: {}\nevent: message\ndata: {message}\n\n", st.events)
                })
            })
        };
        let sent = match next {
            Some(Some(event)) => send(&event),
            Some(None) => {
                let _ = send("");
                return;
            }
            None if tick % 25 == 24 => send(": still here\n\n"),
            None => {
                thread::sleep(std::time::Duration::from_millis(20));
                Ok(())
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

/// Whether a request carries an access token the authorization server issued, of a grant
/// not revoked.
fn accepts(state: &Mutex<State>, seen: &Seen) -> bool {
    let st = state.lock().unwrap();
    let token = seen
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default();
    !st.revoked && st.expiry.get(token).is_some_and(|&at| at > now())
}

/// Streamable HTTP, as MCP servers speak it: `initialize` opens a session (its ID in
/// `Mcp-Session-Id`), every later request names it (an unknown one: 404), notifications
/// get 202, `tools/call` answers as server-sent events (a progress notification, then
/// the result), DELETE ends the session (GET, the stream of the server's own messages, is
/// [`stream`]).
fn streamable(state: &Mutex<State>, seen: &Seen) -> Answer {
    let session = seen.header("mcp-session-id").map(str::to_string);
    let known = |st: &State| session.as_ref().is_some_and(|s| st.sessions.contains(s));
    if seen.method == "DELETE" {
        let mut st = state.lock().unwrap();
        let found = known(&st);
        if let Some(session) = &session {
            st.sessions.remove(session);
        }
        return Response::from_string("").with_status_code(if found { 200 } else { 404 });
    }
    let Ok(message) = serde_json::from_str::<serde_json::Value>(&seen.body) else {
        return json(
            400,
            serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "parse error"}}),
        );
    };
    let method = message["method"].as_str().unwrap_or_default();
    let id = message["id"].clone();
    let mut st = state.lock().unwrap();
    if method == "initialize" {
        st.counter += 1;
        let session = format!("sess_{}", st.counter);
        st.sessions.insert(session.clone());
        st.opened.push(session.clone());
        let answer = serde_json::json!({
            "jsonrpc": "2.0",
            "id": id,
            "result": {
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "fake-attio-mcp", "version": "0.1.0"},
            },
        });
        return json(200, answer)
            .with_header(Header::from_bytes("Mcp-Session-Id", session.as_bytes()).unwrap());
    }
    if session.is_none() {
        return json(400, serde_json::json!({"error": "no session"}));
    }
    if !known(&st) {
        return json(404, serde_json::json!({"error": "unknown session"}));
    }
    drop(st);
    if id.is_null() || message.get("method").is_none() {
        return Response::from_string("").with_status_code(202);
    }
    let result = |result: serde_json::Value| serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result});
    match method {
        "tools/list" => json(
            200,
            result(
                serde_json::json!({"tools": [{"name": "echo", "description": "echoes its text", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}}}]}),
            ),
        ),
        "tools/call" => {
            let token = message["params"]["_meta"]["progressToken"].clone();
            let text = message["params"]["arguments"]["text"]
                .as_str()
                .unwrap_or_default();
            let progress = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": token, "progress": 1, "total": 2}});
            let answer = result(
                serde_json::json!({"content": [{"type": "text", "text": format!("echo: {text}")}]}),
            );
            Response::from_string(format!(
                "event: message\ndata: {progress}\n\nevent: message\ndata: {answer}\n\n"
            ))
            .with_header(Header::from_bytes("Content-Type", "text/event-stream").unwrap())
        }
        "ping" => json(200, result(serde_json::json!({}))),
        _ => json(
            200,
            serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "method not found"}}),
        ),
    }
}

fn serve_auth(state: &Mutex<State>, issuer: &str, mcp_url: &str, mut request: Request) {
    let seen = record(state, &mut request);
    let answer = match seen.path.as_str() {
        "/.well-known/oauth-authorization-server" => {
            let hostile = state.lock().unwrap().hostile.clone();
            json(
                200,
                serde_json::json!({
                    "issuer": hostile.issuer.as_deref().unwrap_or(issuer),
                    "authorization_endpoint": format!("{issuer}/oidc/authorize"),
                    "token_endpoint": hostile.token_endpoint.unwrap_or_else(|| format!("{issuer}/oidc/token")),
                    "registration_endpoint": format!("{issuer}/oauth/register"),
                    "revocation_endpoint": format!("{issuer}/oidc/revoke"),
                    "token_endpoint_auth_methods_supported": ["none"],
                    "code_challenge_methods_supported": ["S256"],
                    "scopes_supported": ["mcp", "offline_access", "openid"],
                    "authorization_response_iss_parameter_supported": true,
                }),
            )
        }
        "/oauth/register" => register(state, &seen),
        "/oidc/authorize" => authorize(state, issuer, mcp_url, &seen),
        "/oidc/token" => token(state, mcp_url, &seen),
        // RFC 7009: a revoked refresh token ends the grant.
        "/oidc/revoke" => {
            let mut st = state.lock().unwrap();
            if st
                .refresh
                .contains_key(&seen.form.get("token").cloned().unwrap_or_default())
            {
                st.revoked = true;
            }
            Response::from_string("").with_status_code(200)
        }
        _ => json(404, serde_json::json!({"error": "not_found"})),
    };
    let _ = request.respond(answer);
}

fn register(state: &Mutex<State>, seen: &Seen) -> Answer {
    let mut st = state.lock().unwrap();
    if st.hostile.refuse_registration {
        return json(
            400,
            serde_json::json!({"error": "invalid_client_metadata", "error_description": "registrations are closed"}),
        );
    }
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&seen.body) else {
        return error("invalid_client_metadata");
    };
    let redirects: Vec<String> = body["redirect_uris"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if body["token_endpoint_auth_method"] != "none"
        || redirects.is_empty()
        || redirects
            .iter()
            .any(|r| !r.starts_with("http://localhost:"))
    {
        return error("invalid_client_metadata");
    }
    st.counter += 1;
    let client_id = format!("client_{}", st.counter);
    st.clients.insert(client_id.clone(), redirects.clone());
    json(
        201,
        serde_json::json!({
            "client_id": client_id,
            "redirect_uris": redirects,
            "token_endpoint_auth_method": "none",
            "client_name": body["client_name"],
        }),
    )
}

fn authorize(state: &Mutex<State>, issuer: &str, mcp_url: &str, seen: &Seen) -> Answer {
    let get = |k: &str| seen.query.get(k).cloned().unwrap_or_default();
    let mut st = state.lock().unwrap();
    let redirect_uri = get("redirect_uri");
    // An unknown client or redirect is never redirected to (RFC 6749 §4.1.2.1).
    if !st
        .clients
        .get(&get("client_id"))
        .is_some_and(|uris| uris.contains(&redirect_uri))
    {
        return json(400, serde_json::json!({"error": "invalid_client"}));
    }
    if get("response_type") != "code"
        || get("code_challenge_method") != "S256"
        || get("code_challenge").len() != 43
        || get("state").is_empty()
        || get("resource") != mcp_url
    {
        return json(400, serde_json::json!({"error": "invalid_request"}));
    }
    st.counter += 1;
    let code = format!("code_{}_{:x}", st.counter, now());
    st.codes.insert(
        code.clone(),
        Code {
            client_id: get("client_id"),
            challenge: get("code_challenge"),
            redirect_uri: redirect_uri.clone(),
            resource: get("resource"),
        },
    );
    let iss = st.hostile.iss.clone().unwrap_or_else(|| issuer.to_string());
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let location = format!(
        "{redirect_uri}?code={code}&state={}&iss={}",
        encode(&get("state")),
        encode(&iss)
    );
    Response::from_string("")
        .with_status_code(302)
        .with_header(Header::from_bytes("Location", location.as_bytes()).unwrap())
}

fn issue(st: &mut State, client_id: &str) -> serde_json::Value {
    st.counter += 1;
    let access = format!("mcp_at_{}_{:x}", st.counter, now());
    let refresh = format!("mcp_rt_{}_{:x}", st.counter, now());
    st.issued.push(access.clone());
    let expires = now() + st.ttl;
    st.expiry.insert(access.clone(), expires);
    st.refresh
        .insert(refresh.clone(), (false, client_id.to_string()));
    serde_json::json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": st.ttl,
        "refresh_token": refresh,
        "scope": "mcp offline_access",
    })
}

fn token(state: &Mutex<State>, mcp_url: &str, seen: &Seen) -> Answer {
    let get = |k: &str| seen.form.get(k).cloned().unwrap_or_default();
    let mut st = state.lock().unwrap();
    if seen.method != "POST" || seen.form.contains_key("client_secret") {
        return error("invalid_request");
    }
    if !st.clients.contains_key(&get("client_id")) {
        return json(401, serde_json::json!({"error": "invalid_client"}));
    }
    if get("resource") != mcp_url {
        return error("invalid_target");
    }
    match get("grant_type").as_str() {
        "authorization_code" => {
            let Some(code) = st.codes.remove(&get("code")) else {
                return error("invalid_grant");
            };
            let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
            if code.client_id != get("client_id")
                || code.redirect_uri != get("redirect_uri")
                || code.resource != get("resource")
                || digest != code.challenge
            {
                return error("invalid_grant");
            }
            let body = issue(&mut st, &code.client_id);
            json(200, body)
        }
        "refresh_token" => {
            let presented = get("refresh_token");
            let Some((used, client)) = st.refresh.get(&presented).cloned() else {
                return error("invalid_grant");
            };
            if used {
                st.refresh_reuses += 1;
                st.revoked = true;
                return error("invalid_grant");
            }
            if st.revoked || client != get("client_id") {
                return error("invalid_grant");
            }
            st.refresh.insert(presented, (true, client.clone()));
            let body = issue(&mut st, &client);
            json(200, body)
        }
        _ => error("unsupported_grant_type"),
    }
}
