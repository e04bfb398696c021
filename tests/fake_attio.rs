//! A fake Attio, strict like a real authorization server: it checks the PKCE S256
//! challenge, the exact `redirect_uri`, the client secret in the body, single-use codes,
//! and rotates refresh tokens with reuse detection (a reused refresh token revokes the
//! whole grant). It records every request so tests can assert on what it received.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tiny_http::{Header, Request, Response, Server};

use crate::wire::{Fault, Front, IDLE_CLOSE, Plan};

pub const CLIENT_ID: &str = "client-abc";
pub const CLIENT_SECRET: &str = "cs_super_secret_value";

/// What the fake user does on the consent page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Consent {
    Approve,
    Deny,
    /// Redirects with a `state` that is not the one the tool sent.
    WrongState,
    /// Fetches `/favicon.ico` from the listener first (as browsers do), then approves.
    FaviconFirst,
    /// Sends the listener hostile requests first (another Host, POST, duplicated and
    /// forged parameters, each with a code it never issued), records the answers in
    /// `probes`, then approves.
    ProbeFirst,
}

/// How tokens are issued.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tokens {
    /// As Attio documents: no `expires_in`, no refresh token.
    LongLived,
    /// Expiring after `ttl` seconds, with rotating refresh tokens.
    Rotating { ttl: u64 },
    /// Expiring after `ttl` seconds, and no refresh token.
    ExpiringNoRefresh { ttl: u64 },
}

/// How `/v2/self` answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SelfMode {
    /// The truth: active for a live token, inactive otherwise.
    Honest,
    /// `200 {"active": false}` whatever the token.
    Inactive,
    /// `401` with Attio's REST error body whatever the token.
    Unauthorized,
}

/// Ways an endpoint can misbehave, for a number of requests.
#[derive(Debug, Clone, PartialEq)]
pub enum Misbehave {
    /// `200` with an HTML error page.
    Html,
    /// `200` with a body that is not JSON.
    NotJson,
    /// `200` with JSON of the wrong shape.
    Json(serde_json::Value),
    /// A body of this many bytes.
    Huge(usize),
    /// No answer for this long.
    Hang(Duration),
    /// The usual answer, after this long.
    #[cfg_attr(not(unix), allow(dead_code))]
    Slow(Duration),
    /// This status, with an optional `Retry-After` header and an HTML body.
    Status(u16, Option<String>),
    /// A bug in the fake: its handler panics (the fake's own test uses it).
    Panic,
}

/// How an echoing server writes a secret back into its error text.
// Only the neighbours tests, which are Unix-only, echo.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(not(unix), allow(dead_code))]
pub enum Echo {
    Raw,
    /// Every byte as `%XX`.
    Percent,
    /// Every character as a literal `\uXXXX` in the decoded text.
    JsonEscaped,
    Upper,
    /// The first 10 characters.
    Truncated,
}

#[cfg_attr(not(unix), allow(dead_code))]
impl Echo {
    pub const ALL: [Echo; 5] = [
        Echo::Raw,
        Echo::Percent,
        Echo::JsonEscaped,
        Echo::Upper,
        Echo::Truncated,
    ];

    pub fn apply(self, secret: &str) -> String {
        match self {
            Echo::Raw => secret.to_string(),
            Echo::Percent => secret.bytes().map(|b| format!("%{b:02X}")).collect(),
            Echo::JsonEscaped => secret
                .chars()
                .map(|c| format!("\\u{:04x}", c as u32))
                .collect(),
            Echo::Upper => secret.to_uppercase(),
            Echo::Truncated => secret.chars().take(10).collect(),
        }
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub form: HashMap<String, String>,
    pub authorization: Option<String>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// Every header, names lower-cased, in order (read by the Unix-only proxy tests).
    #[cfg_attr(not(unix), allow(dead_code))]
    pub headers: Vec<(String, String)>,
}

struct CodeGrant {
    challenge: String,
    redirect_uri: String,
    used: bool,
}

struct Grant {
    revoked: bool,
}

struct Access {
    grant: usize,
    expires_at: Option<u64>,
}

struct RefreshState {
    grant: usize,
    used: bool,
}

struct State {
    consent: Consent,
    tokens: Tokens,
    self_mode: SelfMode,
    scope: String,
    /// Delay before answering a refresh, to widen races between concurrent clients.
    refresh_latency: Duration,
    /// Told when a refresh request arrives (before the latency).
    on_refresh: Option<std::sync::mpsc::Sender<()>>,
    seen: Vec<Seen>,
    /// Every access token issued, in order.
    issued: Vec<String>,
    /// The access tokens issued for authorization codes (logins), in order.
    exchanged: Vec<String>,
    /// Refresh answers leave out `expires_in` (the token still expires).
    refresh_omits_expires_in: bool,
    /// Error answers that write the secrets of the request back, encoded: the token
    /// endpoint (code, verifier, client secret, refresh token) and `/v2/self` (the token).
    echo: Option<Echo>,
    /// The workspace name `/v2/self` reports.
    workspace_name: String,
    /// What the fake's own favicon request to the listener got back.
    favicon: Option<RawResponse>,
    /// The statuses the listener gave the `ProbeFirst` requests, in order.
    probes: Vec<u16>,
    /// Refresh tokens presented a second time.
    refresh_reuses: usize,
    /// Workspace API keys `/v2/self` accepts.
    api_keys: Vec<String>,
    /// API calls (`api_call`) refused for their token.
    api_refused: usize,
    /// Seconds the `Date` header of every answer is off by (0: tiny_http's own).
    clock_offset: i64,
    /// Misbehaviour per path, and for how many more requests (`usize::MAX`: always).
    misbehave: HashMap<String, (Misbehave, usize)>,
    codes: HashMap<String, CodeGrant>,
    grants: Vec<Grant>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, RefreshState>,
    counter: usize,
}

pub struct FakeAttio {
    /// Its URL: a TCP front that closes connections left idle, as real servers do.
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Arc<Server>,
    #[cfg_attr(not(unix), allow(dead_code))]
    front: Front,
    thread: Option<JoinHandle<()>>,
    /// What went wrong in the fake itself (a handler that panicked, a request for a path
    /// it does not serve): checked when the fake is dropped, so that a broken fake fails
    /// its test instead of looking like a reset connection.
    faults: Arc<Mutex<Vec<String>>>,
}

/// The paths the fake serves; `/` is what `doctor` asks of each host.
const SERVED: [&str; 4] = ["/authorize", "/oauth/token", "/v2/self", "/"];
/// And every path under this one: the API calls other programs make (`api_call`).
pub const API_CALLS: &str = "/v2/objects/";
/// And a workspace member, by ID (`member`).
const MEMBERS: &str = "/v2/workspace_members/";

impl FakeAttio {
    /// Starts the fake on 127.0.0.1 with a free port, behind a front that closes idle
    /// connections.
    pub fn start(consent: Consent, tokens: Tokens) -> Self {
        Self::behind(consent, tokens, Box::new(|| Fault::Idle(IDLE_CLOSE)))
    }

    /// Starts the fake behind a front that does to each connection what `plan` says.
    pub fn behind(consent: Consent, tokens: Tokens, plan: Plan) -> Self {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind fake Attio"));
        let backend = server.server_addr().to_ip().expect("ip listener");
        let front = Front::start(backend, plan);
        let state = Arc::new(Mutex::new(State {
            consent,
            tokens,
            self_mode: SelfMode::Honest,
            scope: "record_permission:read-write list_entry:read".into(),
            refresh_latency: Duration::ZERO,
            on_refresh: None,
            seen: Vec::new(),
            issued: Vec::new(),
            exchanged: Vec::new(),
            refresh_omits_expires_in: false,
            echo: None,
            workspace_name: "Acme".into(),
            favicon: None,
            probes: Vec::new(),
            refresh_reuses: 0,
            api_keys: Vec::new(),
            api_refused: 0,
            clock_offset: 0,
            misbehave: HashMap::new(),
            codes: HashMap::new(),
            grants: Vec::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            counter: 0,
        }));
        let faults = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = Arc::clone(&server);
            let state = Arc::clone(&state);
            let faults = Arc::clone(&faults);
            thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    let state = Arc::clone(&state);
                    let faults = Arc::clone(&faults);
                    // One thread per request: a slow refresh must not hold up the others.
                    thread::spawn(move || handle(&state, &faults, request));
                }
            })
        };
        Self {
            url: format!("http://127.0.0.1:{}", front.port),
            state,
            server,
            front,
            thread: Some(thread),
            faults,
        }
    }

    /// The TCP front clients reach it through.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn front(&self) -> &Front {
        &self.front
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    // What it does. (Some are used only by Unix-only tests.)

    /// Accepts `key` as a workspace API key, which never expires.
    pub fn accept_api_key(&self, key: &str) {
        self.state().api_keys.push(key.into());
    }

    pub fn set_self_mode(&self, mode: SelfMode) {
        self.state().self_mode = mode;
    }

    /// Holds every refresh answer back this long.
    pub fn set_refresh_latency(&self, latency: Duration) {
        self.state().refresh_latency = latency;
    }

    /// Tells `to` when a refresh request arrives (before the latency).
    pub fn tell_refreshes(&self, to: std::sync::mpsc::Sender<()>) {
        self.state().on_refresh = Some(to);
    }

    /// Leaves `expires_in` out of refresh answers (the token still expires).
    pub fn omit_expires_in_on_refresh(&self) {
        self.state().refresh_omits_expires_in = true;
    }

    /// Writes the secrets of a request back into its error answers, encoded `how`.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn echo_secrets(&self, how: Echo) {
        self.state().echo = Some(how);
    }

    /// The scopes every token is granted (space-separated).
    #[allow(dead_code)]
    pub fn set_scope(&self, scope: &str) {
        self.state().scope = scope.into();
    }

    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn set_workspace_name(&self, name: &str) {
        self.state().workspace_name = name.into();
    }

    /// Puts every answer's `Date` header this many seconds off.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn set_clock_offset(&self, seconds: i64) {
        self.state().clock_offset = seconds;
    }

    /// Stops honouring an access token it issued, long before its stated expiry.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn stop_honouring(&self, token: &str) {
        self.state()
            .access
            .get_mut(token)
            .expect("a token it issued")
            .expires_at = Some(1);
    }

    /// Forgets the requests `which` picks (for a test that sent them on purpose).
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn forget_requests(&self, which: impl Fn(&Seen) -> bool) {
        self.state().seen.retain(|seen| !which(seen));
    }

    // What it saw and did.

    /// Every request, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    /// Every access token issued, in order.
    pub fn issued(&self) -> Vec<String> {
        self.state().issued.clone()
    }

    /// The access tokens issued for authorization codes (logins), in order.
    pub fn exchanged(&self) -> Vec<String> {
        self.state().exchanged.clone()
    }

    /// Refresh tokens presented a second time.
    pub fn refresh_reuses(&self) -> usize {
        self.state().refresh_reuses
    }

    /// API calls refused for their token.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub fn api_refused(&self) -> usize {
        self.state().api_refused
    }

    /// The statuses the listener gave the `ProbeFirst` requests, in order.
    pub fn probes(&self) -> Vec<u16> {
        self.state().probes.clone()
    }

    /// What its own favicon request to the listener got back.
    pub fn favicon(&self) -> Option<RawResponse> {
        self.state().favicon.clone()
    }

    /// When an access token it issued expires (`None`: never).
    pub fn expires_at(&self, token: &str) -> Option<u64> {
        self.state().access[token].expires_at
    }

    /// Requests received on a path.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.state()
            .seen
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }

    /// Token requests with the given grant type.
    pub fn token_requests(&self, grant_type: &str) -> Vec<Seen> {
        self.seen("/oauth/token")
            .into_iter()
            .filter(|s| s.form.get("grant_type").map(String::as_str) == Some(grant_type))
            .collect()
    }

    /// The most recently issued access token.
    /// Makes `path` misbehave for the next `times` requests.
    pub fn misbehave(&self, path: &str, how: Misbehave, times: usize) {
        self.state()
            .misbehave
            .insert(path.to_string(), (how, times));
    }

    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Every secret this fake has issued or received: client secret, codes, verifiers,
    /// access and refresh tokens.
    pub fn secrets(&self) -> Vec<String> {
        let st = self.state();
        let mut all = vec![CLIENT_SECRET.to_string()];
        all.extend(st.issued.iter().cloned());
        all.extend(st.refresh.keys().cloned());
        all.extend(st.codes.keys().cloned());
        for seen in &st.seen {
            for key in ["code", "code_verifier", "refresh_token", "client_secret"] {
                all.extend(seen.form.get(key).cloned());
            }
            if let Some(bearer) = seen
                .authorization
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
            {
                all.push(bearer.to_string());
            }
        }
        all.sort();
        all.dedup();
        all.retain(|s| s.len() >= 8);
        all
    }

    pub fn last_access_token(&self) -> String {
        self.state()
            .issued
            .last()
            .cloned()
            .expect("a token was issued")
    }
}

impl Drop for FakeAttio {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if thread::panicking() {
            return;
        }
        let mut faults = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        faults.extend(
            state
                .seen
                .iter()
                .filter(|seen| {
                    !SERVED.contains(&seen.path.as_str())
                        && !seen.path.starts_with(API_CALLS)
                        && !seen.path.starts_with(MEMBERS)
                })
                .map(|seen| format!("an unexpected request: {} {}", seen.method, seen.path)),
        );
        assert!(faults.is_empty(), "the fake Attio: {faults:?}");
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn json(status: u16, body: serde_json::Value) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(Header::from_bytes("Content-Type", "application/json").unwrap())
}

fn oauth_error(error: &str, description: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    json(
        400,
        serde_json::json!({"error": error, "error_description": description}),
    )
}

fn parse_pairs(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// Records a panic of the handler it lives in. Created first in `handle`, it is dropped
/// before the request (a parameter), so the fault is on record before the client sees
/// its connection close.
struct FaultOnPanic<'a> {
    faults: &'a Mutex<Vec<String>>,
    what: String,
}

impl Drop for FaultOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.faults
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(format!("the handler of `{}` panicked", self.what));
        }
    }
}

fn handle(state: &Mutex<State>, faults: &Mutex<Vec<String>>, mut request: Request) {
    let _fault = FaultOnPanic {
        faults,
        what: format!("{} {}", request.method(), request.url()),
    };
    let (path, query) = {
        let url = request.url();
        let (p, q) = url.split_once('?').unwrap_or((url, ""));
        (p.to_string(), parse_pairs(q))
    };
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
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
        method: request.method().to_string(),
        path: path.clone(),
        query: query.clone(),
        form: parse_pairs(&String::from_utf8_lossy(&body)),
        authorization,
        body,
        headers,
    };
    let misbehave = {
        let mut st = state.lock().unwrap();
        st.seen.push(seen.clone());
        match st.misbehave.get_mut(&path) {
            Some((how, left)) if *left > 0 => {
                *left = left.saturating_sub(usize::from(*left != usize::MAX));
                Some(how.clone())
            }
            _ => None,
        }
    };
    if misbehave == Some(Misbehave::Panic) {
        panic!("a handler that panics, on purpose");
    }
    if let Some(Misbehave::Slow(delay)) = misbehave {
        thread::sleep(delay);
    } else if let Some(how) = misbehave {
        misbehave_with(how, request);
        return;
    }
    let response = match path.as_str() {
        "/authorize" => authorize(state, &seen),
        "/oauth/token" => token(state, &seen),
        "/v2/self" => identify(state, &seen),
        api if api.starts_with(API_CALLS) => api_call(state, &seen),
        member if member.starts_with(MEMBERS) => member_of(state, &seen),
        _ => json(404, serde_json::json!({"message": "not found"})),
    };
    let offset = state.lock().unwrap().clock_offset;
    let response = if offset == 0 {
        response
    } else {
        let (now, by) = (
            std::time::SystemTime::now(),
            Duration::from_secs(offset.unsigned_abs()),
        );
        let date = if offset > 0 { now + by } else { now - by };
        let header = format!("Date: {}", httpdate::fmt_http_date(date));
        response.with_header(header.parse::<tiny_http::Header>().unwrap())
    };
    let _ = request.respond(response);
}

fn misbehave_with(how: Misbehave, request: Request) {
    let html = |status: u16| {
        Response::from_string("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>")
            .with_status_code(status)
            .with_header(Header::from_bytes("Content-Type", "text/html").unwrap())
    };
    let response = match how {
        Misbehave::Html => html(200),
        Misbehave::Panic | Misbehave::Slow(_) => {
            unreachable!("handled before the request is passed on")
        }
        Misbehave::NotJson => Response::from_string("access_token=abc; definitely not json"),
        Misbehave::Json(value) => json(200, value),
        Misbehave::Huge(size) => json(200, serde_json::json!({ "padding": "x".repeat(size) })),
        Misbehave::Hang(duration) => {
            thread::sleep(duration);
            return;
        }
        Misbehave::Status(status, retry_after) => {
            let mut response = html(status);
            if let Some(value) = retry_after {
                response = response
                    .with_header(Header::from_bytes("Retry-After", value.as_bytes()).unwrap());
            }
            response
        }
    };
    let _ = request.respond(response);
}

fn next_id(state: &mut State, prefix: &str) -> String {
    state.counter += 1;
    format!("{prefix}_{}_{:x}", state.counter, now())
}

fn authorize(state: &Mutex<State>, seen: &Seen) -> Response<std::io::Cursor<Vec<u8>>> {
    let q = &seen.query;
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    let valid_redirect =
        redirect_uri.starts_with("http://localhost:") && redirect_uri.ends_with("/callback");
    if get("client_id") != CLIENT_ID || get("response_type") != "code" || !valid_redirect {
        return json(400, serde_json::json!({"message": "bad authorize request"}));
    }
    if get("code_challenge_method") != "S256"
        || get("code_challenge").len() != 43
        || get("state").is_empty()
    {
        return json(
            400,
            serde_json::json!({"message": "PKCE S256 and state are required"}),
        );
    }
    let consent = state.lock().unwrap().consent;
    let port: u16 = redirect_uri["http://localhost:".len()..redirect_uri.len() - "/callback".len()]
        .parse()
        .unwrap();
    if consent == Consent::FaviconFirst {
        let response = raw_get(port, "/favicon.ico", "localhost");
        state.lock().unwrap().favicon = Some(response);
    }
    if consent == Consent::ProbeFirst {
        let real = urlencode(&get("state"));
        let probes = [
            (
                "GET",
                format!("/callback?code=rebound&state={real}"),
                "attacker.example",
            ),
            (
                "POST",
                format!("/callback?code=posted&state={real}"),
                "localhost",
            ),
            (
                "GET",
                format!("/callback?code=a&code=b&state={real}"),
                "localhost",
            ),
            (
                "GET",
                format!("/callback?code=c&state={real}&state=forged"),
                "127.0.0.1",
            ),
            (
                "GET",
                "/callback?code=forged&state=forged".to_string(),
                "localhost",
            ),
            ("GET", format!("/callback?state={real}"), "localhost"),
        ];
        for (method, target, host) in probes {
            let status = raw_request(port, method, &target, host).status;
            state.lock().unwrap().probes.push(status);
        }
    }
    let location = match consent {
        Consent::Deny => format!(
            "{redirect_uri}?error=access_denied&error_description=The+user+declined&state={}",
            urlencode(&get("state"))
        ),
        Consent::WrongState | Consent::Approve | Consent::FaviconFirst | Consent::ProbeFirst => {
            let mut st = state.lock().unwrap();
            let code = next_id(&mut st, "code");
            st.codes.insert(
                code.clone(),
                CodeGrant {
                    challenge: get("code_challenge"),
                    redirect_uri: redirect_uri.clone(),
                    used: false,
                },
            );
            let returned_state = if consent == Consent::WrongState {
                "forged-state".to_string()
            } else {
                get("state")
            };
            format!(
                "{redirect_uri}?code={code}&state={}",
                urlencode(&returned_state)
            )
        }
    };
    Response::from_string("")
        .with_status_code(302)
        .with_header(Header::from_bytes("Location", location.as_bytes()).unwrap())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn issue(st: &mut State, grant: usize) -> serde_json::Value {
    let access_token = next_id(st, "at");
    st.issued.push(access_token.clone());
    let mut body = serde_json::json!({"access_token": access_token, "token_type": "Bearer"});
    let expires_at = match st.tokens {
        Tokens::LongLived => None,
        Tokens::Rotating { ttl } | Tokens::ExpiringNoRefresh { ttl } => {
            body["expires_in"] = ttl.into();
            Some(now() + ttl)
        }
    };
    if let Tokens::Rotating { .. } = st.tokens {
        let refresh_token = next_id(st, "rt");
        st.refresh
            .insert(refresh_token.clone(), RefreshState { grant, used: false });
        body["refresh_token"] = refresh_token.into();
    }
    st.access.insert(access_token, Access { grant, expires_at });
    body
}

fn token(state: &Mutex<State>, seen: &Seen) -> Response<std::io::Cursor<Vec<u8>>> {
    let f = &seen.form;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if seen.method != "POST" {
        return json(405, serde_json::json!({"message": "POST only"}));
    }
    if let Some(echo) = state.lock().unwrap().echo {
        let echoed: Vec<String> = ["code", "code_verifier", "client_secret", "refresh_token"]
            .iter()
            .filter_map(|k| f.get(*k))
            .map(|v| echo.apply(v))
            .collect();
        return oauth_error(
            "invalid_grant",
            &format!("rejected: {}", echoed.join(" and ")),
        );
    }
    if get("client_id") != CLIENT_ID || get("client_secret") != CLIENT_SECRET {
        // Attio's REST error shape, which is not RFC 6749's.
        return json(
            401,
            serde_json::json!({"status_code": 401, "type": "auth_error", "code": "invalid_client", "message": "Client authentication failed"}),
        );
    }
    match get("grant_type").as_str() {
        "authorization_code" => {
            let mut st = state.lock().unwrap();
            let Some(grant) = st.codes.get_mut(&get("code")) else {
                return oauth_error("invalid_grant", "unknown code");
            };
            if grant.used {
                return oauth_error("invalid_grant", "code already used");
            }
            grant.used = true;
            if grant.redirect_uri != get("redirect_uri") {
                return oauth_error("invalid_grant", "redirect_uri mismatch");
            }
            let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
            if digest != grant.challenge {
                return oauth_error("invalid_grant", "PKCE verification failed");
            }
            st.grants.push(Grant { revoked: false });
            let id = st.grants.len() - 1;
            let body = issue(&mut st, id);
            let token = st.issued.last().cloned().unwrap();
            st.exchanged.push(token);
            json(200, body)
        }
        "refresh_token" => {
            let latency = {
                let st = state.lock().unwrap();
                if let Some(tx) = &st.on_refresh {
                    let _ = tx.send(());
                }
                st.refresh_latency
            };
            thread::sleep(latency);
            let mut st = state.lock().unwrap();
            let Some(rt) = st.refresh.get_mut(&get("refresh_token")) else {
                return oauth_error("invalid_grant", "unknown refresh token");
            };
            let grant = rt.grant;
            if rt.used {
                st.refresh_reuses += 1;
                st.grants[grant].revoked = true;
                return oauth_error("invalid_grant", "refresh token reused; grant revoked");
            }
            rt.used = true;
            if st.grants[grant].revoked {
                return oauth_error("invalid_grant", "grant revoked");
            }
            let mut body = issue(&mut st, grant);
            if st.refresh_omits_expires_in {
                body.as_object_mut().unwrap().remove("expires_in");
            }
            json(200, body)
        }
        _ => oauth_error("unsupported_grant_type", "unsupported grant type"),
    }
}

fn identify(state: &Mutex<State>, seen: &Seen) -> Response<std::io::Cursor<Vec<u8>>> {
    let st = state.lock().unwrap();
    let unauthorized = || {
        json(
            401,
            serde_json::json!({"status_code": 401, "type": "auth_error", "code": "invalid_token", "message": "The token is invalid"}),
        )
    };
    if let Some(echo) = st.echo {
        let bearer = seen
            .authorization
            .as_deref()
            .unwrap_or("")
            .trim_start_matches("Bearer ");
        return json(
            401,
            serde_json::json!({"status_code": 401, "type": "auth_error", "code": "invalid_token", "message": format!("bad token {}", echo.apply(bearer))}),
        );
    }
    match st.self_mode {
        SelfMode::Inactive => return json(200, serde_json::json!({"active": false})),
        SelfMode::Unauthorized => return unauthorized(),
        SelfMode::Honest => {}
    }
    let token = bearer(seen);
    let live = st
        .access
        .get(token)
        .filter(|a| !st.grants[a.grant].revoked && a.expires_at.is_none_or(|e| e > now()))
        .map(|a| a.expires_at);
    // API keys from workspace settings never expire.
    let api_key = st.api_keys.iter().any(|k| k == token).then_some(None);
    let Some(expires_at) = live.or(api_key) else {
        return json(200, serde_json::json!({"active": false}));
    };
    json(
        200,
        serde_json::json!({
            "active": true,
            "scope": st.scope,
            "client_id": CLIENT_ID,
            "token_type": "Bearer",
            "exp": expires_at,
            "iat": now(),
            "sub": "ws-0001",
            "aud": CLIENT_ID,
            "iss": "attio.com",
            "authorized_by_workspace_member_id": "5e1d2c3b-member",
            "workspace_id": "ws-0001",
            "workspace_name": st.workspace_name,
            "workspace_slug": "acme",
            "workspace_logo_url": null
        }),
    )
}

/// `GET /v2/workspace_members/{id}`: the member who authorised the tokens, for a token
/// with `user_management:read` (Attio's 403 otherwise).
fn member_of(state: &Mutex<State>, seen: &Seen) -> Response<std::io::Cursor<Vec<u8>>> {
    let st = state.lock().unwrap();
    let token = bearer(seen);
    if !honoured(&st, token) {
        return json(
            401,
            serde_json::json!({"status_code": 401, "type": "auth_error", "code": "invalid_token", "message": "The token is invalid"}),
        );
    }
    if !st
        .scope
        .split(' ')
        .any(|s| s.starts_with("user_management:"))
    {
        return json(
            403,
            serde_json::json!({"status_code": 403, "type": "auth_error", "code": "missing_scope", "message": "user_management:read is required"}),
        );
    }
    if seen.path != "/v2/workspace_members/5e1d2c3b-member" {
        return json(
            404,
            serde_json::json!({"status_code": 404, "type": "invalid_request_error", "code": "not_found", "message": "no such member"}),
        );
    }
    json(
        200,
        serde_json::json!({"data": {
            "id": {"workspace_id": "ws-0001", "workspace_member_id": "5e1d2c3b-member"},
            "first_name": "Ada",
            "last_name": "Lovelace\u{1b}[2J",
            "avatar_url": null,
            "email_address": "ada@acme.test",
            "access_level": "admin",
        }}),
    )
}

/// The bearer token a request carries ("" for none).
fn bearer(seen: &Seen) -> &str {
    seen.authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("")
}

/// Whether a bearer token is one the fake issued and still honours, or an API key.
fn honoured(st: &State, token: &str) -> bool {
    st.access
        .get(token)
        .is_some_and(|a| !st.grants[a.grant].revoked && a.expires_at.is_none_or(|e| e > now()))
        || st.api_keys.iter().any(|k| k == token)
}

/// Any API call: Attio's 401 for a token it does not honour; else what was asked, so the
/// caller can check what arrived.
fn api_call(state: &Mutex<State>, seen: &Seen) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut st = state.lock().unwrap();
    let token = bearer(seen);
    if !honoured(&st, token) {
        st.api_refused += 1;
        return json(
            401,
            serde_json::json!({"status_code": 401, "type": "auth_error", "code": "invalid_token", "message": "The token is invalid"}),
        );
    }
    json(
        200,
        serde_json::json!({
            "method": seen.method,
            "path": seen.path,
            "query": seen.query,
            "body_bytes": seen.body.len(),
        }),
    )
}

/// A response read off the wire by [`raw_get`].
#[derive(Clone)]
pub struct RawResponse {
    pub status: u16,
    /// The status line and headers, as sent.
    pub head: String,
    pub body: String,
}

impl RawResponse {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// A minimal HTTP/1.1 GET to a server on 127.0.0.1 (the tool's listener, or the fake).
pub fn raw_get(port: u16, path: &str, host: &str) -> RawResponse {
    raw_request(port, "GET", path, host)
}

/// A minimal HTTP/1.1 request with an empty body.
pub fn raw_request(port: u16, method: &str, path: &str, host: &str) -> RawResponse {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to listener");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    RawResponse {
        status: head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// A server on 127.0.0.1 that accepts up to `connections` connections and closes each at
/// once without a byte of answer (a reset, as a crashing proxy gives). Returns its URL.
pub fn closing_server(connections: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            drop(stream);
        }
    });
    url
}

#[test]
fn a_broken_fake_fails_the_test_that_used_it() {
    for (path, fault) in [
        ("/v1/objects", "an unexpected request"),
        ("/v2/self", "panicked"),
    ] {
        let fake = FakeAttio::start(Consent::Approve, Tokens::LongLived);
        fake.misbehave("/v2/self", Misbehave::Panic, 1);
        let answer = raw_get(fake.port(), path, "127.0.0.1");
        if path == "/v1/objects" {
            assert!(answer.head.starts_with("HTTP/1.1 404"), "{}", answer.head);
        }
        // A panicking handler records its fault before its connection closes.
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(fake)));
        let message = dropped.expect_err("the drop fails");
        let message = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains(fault), "{path}: {message}");
    }
}
