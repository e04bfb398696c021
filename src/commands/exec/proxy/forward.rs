//! One request through the proxy: the session key checked, the request sent on to the
//! API URL with a token, the answer streamed back; or the proxy's own answer in Attio's
//! error shape.

use std::convert::Infallible;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use http_body_util::{BodyExt, Full, Limited, combinators::UnsyncBoxBody};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::oneshot;

use crate::freshness::Clock;
use crate::output;
use crate::renew::keeper::Current;
use crate::secret::Secret;

/// What the proxy's thread asks of this one.
pub(super) enum Ask {
    /// A token newer than `generation`, or (when `rejected`) any but that one.
    Token {
        generation: u64,
        rejected: bool,
        reply: oneshot::Sender<Result<Current, Refusal>>,
    },
    /// The command ended.
    Finished(std::io::Result<ExitStatus>),
}

/// Request bodies up to this size are read first, so that a request Attio refused with a
/// 401 (it did nothing with it) can be sent again with a refreshed token. Larger ones
/// stream, and their 401 goes back to the command (the next request has a fresh token).
const RESENDABLE_BODY: usize = 256 * 1024;

type ProxyBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// Why the proxy answered a request itself.
pub(super) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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

/// What every request is handled with.
pub(super) struct State {
    pub(super) key: Secret<String>,
    pub(super) api_url: url::Url,
    pub(super) client: reqwest::Client,
    /// The token in use, and how to ask the keeper for another.
    pub(super) current: Mutex<Current>,
    /// The generation of a token Attio refused on a request that could not be sent
    /// again (its body streamed): the next request asks for another (0: none).
    pub(super) refused: AtomicU64,
    pub(super) asks: mpsc::Sender<Ask>,
    /// When the token at hand is due.
    pub(super) clock: Clock,
}

impl State {
    /// The token to send: the one at hand unless it is due, or was just `rejected`.
    async fn token(&self, rejected: Option<u64>) -> Result<Current, Refusal> {
        let held = self
            .current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let rejected = rejected.or_else(|| {
            (self.refused.load(Ordering::SeqCst) == held.generation).then_some(held.generation)
        });
        if rejected.is_none() && !held.is_due(self.clock.now()) {
            return Ok(held);
        }
        let (reply, answer) = oneshot::channel();
        let ask = Ask::Token {
            generation: rejected.unwrap_or(held.generation),
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
        self.asks.send(ask).map_err(|_| gone())?;
        let current = answer.await.map_err(|_| gone())??;
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = current.clone();
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
        crate::secret::same(self.key.expose().as_bytes(), given.as_bytes())
    }

    /// The URL a request for `uri` goes to: the API URL's origin, always, with the
    /// request's path under the API URL's own path. A path that would climb out of it
    /// (`..`, encoded or not, or a segment hiding a slash that a server may decode) is
    /// refused: behind a gateway (`https://gw/attio`) it would reach the gateway's other
    /// routes with the real token.
    fn target(&self, uri: &hyper::Uri) -> Result<url::Url, Refusal> {
        let outside = || {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "path_outside_api",
                "the path climbs out of the API URL's path (`..` or an encoded slash): send the path itself",
            )
        };
        if uri.path().split('/').any(climbs) {
            return Err(outside());
        }
        let mut url = crate::http::endpoint(&self.api_url, uri.path());
        url.set_query(uri.query());
        let base = self.api_url.path().trim_end_matches('/');
        let under = url
            .path()
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if under { Ok(url) } else { Err(outside()) }
    }
}

/// Whether a path segment moves up (`.` and `..`, as `%2e` too) or hides a separator
/// that a server may decode (`%2f`, `%5c`, a backslash).
fn climbs(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let dots = lower.replace("%2e", ".");
    dots == "." || dots == ".." || ["%2f", "%5c", "\\"].iter().any(|s| lower.contains(s))
}

/// One request: the key checked, sent on with a token, the answer streamed back.
/// `vouch` marks its connection as the command's once the key checks out.
pub(super) async fn handle(
    request: Request<Incoming>,
    state: &State,
    vouch: &(dyn Fn() + Sync),
) -> Response<ProxyBody> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = forward(request, state, vouch)
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
    vouch: &(dyn Fn() + Sync),
) -> Result<Response<ProxyBody>, Refusal> {
    admit(&request, state, vouch)?;
    let target = state.target(request.uri())?;
    let (parts, body) = request.into_parts();
    let headers = outgoing_headers(&parts.headers);
    // Small bodies are read first, so a refused request can be sent again.
    let (resendable, body) = match body_size(&parts.headers) {
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
            (Some(bytes.clone()), reqwest::Body::from(bytes))
        }
        _ => (None, reqwest::Body::wrap(body)),
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
    let mut answer = send(build(&token, body)).await?;
    if answer.status() == StatusCode::UNAUTHORIZED {
        match &resendable {
            Some(bytes) => {
                let newer = state.token(Some(token.generation)).await?;
                if newer.token != token.token {
                    answer = send(build(&newer, reqwest::Body::from(bytes.clone()))).await?;
                }
            }
            // Streamed, so its 401 goes back; the next request gets another token.
            None => state.refused.store(token.generation, Ordering::SeqCst),
        }
    }
    Ok(downstream(answer))
}

/// Refuses what the proxy never forwards: a request without the session key (after
/// which `vouch` is told the connection proved itself), one through the proxy to
/// another host, and a method that would echo the token.
fn admit(
    request: &Request<Incoming>,
    state: &State,
    vouch: &(dyn Fn() + Sync),
) -> Result<(), Refusal> {
    if !state.admits(request.headers()) {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid_proxy_key",
            "this proxy serves only the command attio-auth started: send its ATTIO_API_KEY as the bearer token",
        ));
    }
    vouch();
    if request.method() == Method::CONNECT || request.uri().authority().is_some() {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "not_a_forward_proxy",
            "send requests to this proxy's own URL (ATTIO_BASE_URL), not through it to another host",
        ));
    }
    // A server that echoes these would hand the command the real token.
    if request.method() == Method::TRACE || request.method().as_str() == "TRACK" {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "TRACE and TRACK are not forwarded: they would echo the token",
        ));
    }
    Ok(())
}

/// The upstream answer as the command gets it: its status, end-to-end headers and
/// streamed body.
fn downstream(answer: reqwest::Response) -> Response<ProxyBody> {
    let status = answer.status();
    let headers = end_to_end(answer.headers());
    let body = hyper::Response::<reqwest::Body>::from(answer)
        .into_body()
        .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        .boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
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
