//! The one HTTP client: built lazily (no async runtime, TLS setup or connection pool
//! unless a request is really made), never follows redirects, times out, caps response
//! bodies, and logs each request under `--verbose` without query strings or bodies.
//!
//! Proxies are chosen as curl chooses them (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, and
//! their lower-case forms, with `socks5://` and `socks5h://` too), then from the OS
//! settings on macOS and Windows; reqwest reads them. Certificates are checked against
//! the platform's trust store, plus any named by `SSL_CERT_FILE` or `SSL_CERT_DIR`.
//!
//! It is long (about 500 lines) because the clients' one setup (proxies, certificates,
//! timeouts), the one send path with its Ctrl-C handling, and the words for each way a
//! request fails are one rule: how this tool talks to the network.

use std::cell::OnceCell;
use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Bytes, Frame, SizeHint};

use oauth2::{HttpRequest, HttpResponse};

use crate::advice::Advice;
pub use crate::failure::HttpError;
use crate::output;

/// The longest wait for a TCP/TLS connection (less when the request timeout is shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a streaming client keeps an idle connection for another request: below the
/// shortest common server keep-alive (Node's 5 s).
const KEPT_IDLE: Duration = Duration::from_secs(2);
/// The largest response body read; tokens and identities are a few hundred bytes.
const MAX_BODY: usize = 1024 * 1024;

/// Whether Ctrl-C cuts requests short (while an [`Interruptible`] lives) instead of
/// ending the process.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Set by Ctrl-C while armed; requests watch it.
static INTERRUPT: OnceLock<tokio::sync::watch::Sender<bool>> = OnceLock::new();

/// While alive, Ctrl-C cuts the request in flight short instead of ending the process:
/// `send` answers an interrupted error, unsent when no byte of it had been written, and the
/// caller records what that means (a refresh token that never left is still good)
/// before it ends with exit 130. Once dropped, Ctrl-C ends the process again.
pub struct Interruptible(());

/// Set when another part of the process owns SIGINT (`exec --proxy` passes it to its
/// command): [`Interruptible`] then installs no handler of its own.
static SIGNALS_OWNED: AtomicBool = AtomicBool::new(false);

/// Leaves SIGINT to the caller from now on.
pub fn leave_signals_alone() {
    SIGNALS_OWNED.store(true, Ordering::SeqCst);
}

impl Interruptible {
    pub fn arm() -> Self {
        if SIGNALS_OWNED.load(Ordering::SeqCst) {
            return Interruptible(());
        }
        INTERRUPT.get_or_init(|| tokio::sync::watch::channel(false).0);
        // Fails only when a handler is already set (`login`'s), which is then in charge.
        let _ = ctrlc::set_handler(|| {
            if ARMED.load(Ordering::SeqCst)
                && let Some(sender) = INTERRUPT.get()
            {
                sender.send_replace(true);
            } else {
                crate::os::end_by_interrupt();
            }
        });
        ARMED.store(true, Ordering::SeqCst);
        Interruptible(())
    }

    /// Whether Ctrl-C was pressed while armed.
    pub fn happened() -> bool {
        INTERRUPT.get().is_some_and(|sender| *sender.borrow())
    }
}

impl Drop for Interruptible {
    fn drop(&mut self) {
        ARMED.store(false, Ordering::SeqCst);
    }
}

struct Inner {
    runtime: tokio::runtime::Runtime,
    /// The clients, each built on first use, by [`Pool`] and scheme. One for `https://`
    /// verifies certificates with the platform's trust store; one for `http://`, which
    /// `settings` allows only to loopback hosts, trusts no certificate at all, so
    /// building it reads no trust store (hundreds of files).
    clients: [OnceCell<reqwest::Client>; 4],
}

/// Whether a request may ride a connection kept from an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// Yes: a request that may be repeated (`/v2/self`, `doctor`'s checks).
    Kept,
    /// No, a connection of its own: a grant (a code, a refresh token) is used up once it
    /// is sent, and a kept connection may have been closed by the server while idle
    /// (Node after 5 s, nginx after 75 s) without this process having noticed, since
    /// nothing runs here between requests. Written on such a connection, the request
    /// fails after it was written, and its outcome is unknowable; on a new connection,
    /// a failure before its first byte is written proves it never left.
    Fresh,
}

/// The CA certificates trusted besides the platform's store: those of `SSL_CERT_FILE`
/// and `SSL_CERT_DIR`, as OpenSSL and curl take them (and on macOS and Windows too, where
/// the platform's verifier would not read them).
#[derive(Debug, Clone, Default)]
pub struct ExtraCa {
    pub file: Option<PathBuf>,
    pub dir: Option<PathBuf>,
}

/// The largest CA bundle read.
const MAX_BUNDLE: u64 = 16 * 1024 * 1024;

impl ExtraCa {
    /// Where certificates come from, for `--verbose` and `doctor`.
    pub fn describe(&self) -> String {
        let mut from = String::from("the system's trust store");
        if let Some(file) = &self.file {
            from.push_str(&format!(" and SSL_CERT_FILE ({})", file.display()));
        }
        if let Some(dir) = &self.dir {
            from.push_str(&format!(" and SSL_CERT_DIR ({})", dir.display()));
        }
        from
    }

    /// Reads the certificates; an unreadable file or directory, or one with no
    /// certificate in it, is an error naming its variable.
    fn load(&self) -> Result<Vec<reqwest::Certificate>, HttpError> {
        let mut certificates = Vec::new();
        if let Some(file) = &self.file {
            let bytes = read_capped(file).map_err(|e| bad_ca("SSL_CERT_FILE", file, &e))?;
            let found = reqwest::Certificate::from_pem_bundle(&bytes).unwrap_or_default();
            if found.is_empty() {
                return Err(bad_ca("SSL_CERT_FILE", file, "it holds no PEM certificate"));
            }
            certificates.extend(found);
        }
        if let Some(dir) = &self.dir {
            let entries = std::fs::read_dir(dir).map_err(|e| bad_ca("SSL_CERT_DIR", dir, &e))?;
            let before = certificates.len();
            for entry in entries.flatten() {
                if let Ok(bytes) = read_capped(&entry.path()) {
                    certificates
                        .extend(reqwest::Certificate::from_pem_bundle(&bytes).unwrap_or_default());
                }
            }
            if certificates.len() == before {
                return Err(bad_ca("SSL_CERT_DIR", dir, "it holds no PEM certificate"));
            }
        }
        Ok(certificates)
    }
}

/// A file's bytes, at most `MAX_BUNDLE` of them.
fn read_capped(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_BUNDLE)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The error for a CA variable that names nothing usable.
fn bad_ca(variable: &str, path: &std::path::Path, why: impl fmt::Display) -> HttpError {
    HttpError {
        message: format!(
            "{variable} names {}, which cannot be used: {why}",
            path.display()
        ),
        unsent: true,
        stale: false,
        advice: Box::new(Advice::FixCaVariable {
            variable: variable.to_string(),
        }),
    }
}

/// A lazily built HTTP client, used for every network call the tool makes.
pub struct Http {
    inner: OnceCell<Inner>,
    /// How long a whole request may take (`--http-timeout`).
    timeout: Duration,
    extra_ca: ExtraCa,
}

impl Http {
    /// A client whose requests give up after `timeout`, trusting `extra_ca` besides the
    /// platform's store. Nothing is built yet.
    pub fn new(timeout: Duration, extra_ca: ExtraCa) -> Self {
        Self {
            inner: OnceCell::new(),
            timeout,
            extra_ca,
        }
    }

    /// How a request to `url` goes: directly or through which proxy (never its
    /// credentials), and, for `https`, where the trusted certificates come from.
    pub fn route(&self, url: &url::Url) -> String {
        if url.scheme() == "http" {
            return "directly (plain HTTP to this machine never uses a proxy)".into();
        }
        let proxy = url
            .as_str()
            .parse::<oauth2::http::Uri>()
            .ok()
            .and_then(|uri| {
                hyper_util::client::proxy::matcher::Matcher::from_system().intercept(&uri)
            });
        let how = match proxy {
            Some(proxy) => {
                let uri = proxy.uri();
                let (scheme, host) = (
                    uri.scheme_str().unwrap_or("http"),
                    uri.host().unwrap_or("?"),
                );
                match uri.port_u16() {
                    Some(port) => format!("through the proxy {scheme}://{host}:{port}"),
                    None => format!("through the proxy {scheme}://{host}"),
                }
            }
            None => "directly (no proxy applies)".into(),
        };
        format!("{how}; certificates from {}", self.extra_ca.describe())
    }

    /// Builds the runtime on first use.
    fn inner(&self) -> Result<&Inner, HttpError> {
        if let Some(inner) = self.inner.get() {
            return Ok(inner);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HttpError {
                message: format!("starting the HTTP runtime: {e}"),
                unsent: true,
                stale: false,
                advice: Box::new(Advice::CheckLimits),
            })?;
        Ok(self.inner.get_or_init(|| Inner {
            runtime,
            clients: Default::default(),
        }))
    }

    /// The client for a URL's scheme and a request's [`Pool`], built on first use.
    fn client<'a>(
        &self,
        inner: &'a Inner,
        https: bool,
        pool: Pool,
    ) -> Result<&'a reqwest::Client, HttpError> {
        let cell = &inner.clients[usize::from(https) * 2 + usize::from(pool == Pool::Fresh)];
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let client = self.build(https, |builder| {
            let builder = builder
                .timeout(self.timeout)
                .user_agent(concat!("attio-auth/", env!("CARGO_PKG_VERSION")));
            match pool {
                Pool::Kept => builder,
                // No connection is kept once its answer is read, so none is reused.
                Pool::Fresh => builder.pool_max_idle_per_host(0),
            }
        })?;
        Ok(cell.get_or_init(|| client))
    }

    /// A client for `exec --proxy` to forward other programs' requests with: the same
    /// proxies, certificates and connect timeout, but no limit on a whole exchange (an
    /// upload or a long export takes what it takes) beyond `--http-timeout` between two
    /// reads, and no User-Agent of its own (the program's is passed on).
    pub fn forwarding_client(&self, https: bool) -> Result<reqwest::Client, HttpError> {
        self.build(https, |builder| builder.read_timeout(self.timeout))
    }

    /// A client for `attio-auth mcp`'s relay: the same proxies, certificates and connect
    /// timeout, and no limit on how long an answer streams (a tool call's events come when
    /// they come; the host gives up when it will).
    /// A connection idle for longer than [`KEPT_IDLE`] is not used again: servers close
    /// idle ones (Node after 5 s), and a message written on one they closed fails after it
    /// was written, when it can no longer be known whether the server acted on it.
    pub fn streaming_client(&self, https: bool) -> Result<reqwest::Client, HttpError> {
        self.build(https, |builder| builder.pool_idle_timeout(KEPT_IDLE))
    }

    /// A client trusting what `https` calls for, never following redirects.
    fn build(
        &self,
        https: bool,
        finish: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Result<reqwest::Client, HttpError> {
        // rustls's process-wide provider (see Cargo.toml); an error only means it is
        // already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout));
        if https {
            builder = builder.tls_certs_merge(self.extra_ca.load()?);
        } else {
            // Only loopback hosts are reached over plain HTTP: never through a proxy.
            builder = builder.tls_certs_only([]).no_proxy();
        }
        finish(builder)
            .build()
            .map_err(|e| HttpError::new(format!("setting up the HTTP client: {}", root_cause(&e))))
    }

    /// Sends one request and reads the whole (capped) response. A `GET` that failed on a
    /// kept connection after it was made (the server had closed it while it sat idle) is
    /// sent once more on a connection of its own: a `GET` is safe to repeat.
    pub fn send(&self, request: HttpRequest, pool: Pool) -> Result<HttpResponse, HttpError> {
        if pool == Pool::Kept && request.method() == oauth2::http::Method::GET {
            let mut again = HttpRequest::new(request.body().clone());
            *again.method_mut() = request.method().clone();
            *again.uri_mut() = request.uri().clone();
            *again.headers_mut() = request.headers().clone();
            return match self.attempt(request, pool) {
                Err(e) if e.stale => {
                    output::verbose(
                        "the kept connection had been closed: sending it again on a new one",
                    );
                    self.attempt(again, Pool::Fresh)
                }
                other => other,
            };
        }
        self.attempt(request, pool)
    }

    /// One try of `send`.
    fn attempt(&self, request: HttpRequest, pool: Pool) -> Result<HttpResponse, HttpError> {
        let inner = self.inner()?;
        let client = self.client(inner, request.uri().scheme_str() != Some("http"), pool)?;
        let method = request.method().clone();
        let shown = display_url(&request.uri().to_string());
        if output::is_verbose()
            && let Ok(url) = url::Url::parse(&request.uri().to_string())
        {
            output::verbose(format!(
                "{} goes {}",
                url.origin().ascii_serialization(),
                self.route(&url)
            ));
        }
        let started = Instant::now();
        let (request, written) = Watched::wrap(request);
        let request = reqwest::Request::try_from(request).map_err(|e| {
            HttpError::new(format!(
                "building the request to {shown}: {}",
                root_cause(&e)
            ))
        })?;
        let unsent = || !written.load(Ordering::SeqCst);
        let mut stop = ARMED
            .load(Ordering::SeqCst)
            .then(|| INTERRUPT.get().map(tokio::sync::watch::Sender::subscribe))
            .flatten();
        let result = inner.runtime.block_on(async {
            match stop.as_mut() {
                Some(stop) => tokio::select! {
                    biased;
                    _ = stop.wait_for(|pressed| *pressed) => None,
                    result = exchange(client, request) => Some(result),
                },
                None => Some(exchange(client, request).await),
            }
        });
        let elapsed = started.elapsed().as_millis();
        let Some(result) = result else {
            return Err(interrupted(&method, &shown, unsent()));
        };
        answered(result, &method, &shown, elapsed, unsent(), self.timeout)
    }
}

/// Sends the request and reads its answer whole; a body over [`MAX_BODY`] gives its
/// status instead.
async fn exchange(
    client: &reqwest::Client,
    request: reqwest::Request,
) -> Result<Result<HttpResponse, reqwest::StatusCode>, reqwest::Error> {
    let mut response = client.execute(request).await?;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(Err(response.status()));
        }
        body.extend_from_slice(&chunk);
    }
    let mut out = http_response(response.status(), body);
    *out.headers_mut() = response.headers().clone();
    Ok(Ok(out))
}

/// A request cut short by Ctrl-C; `unsent`: before a byte of it was written.
fn interrupted(method: &oauth2::http::Method, shown: &str, unsent: bool) -> HttpError {
    output::verbose(format!(
        "{method} {shown} -> interrupted (Ctrl-C) {}",
        if unsent {
            "before it was written"
        } else {
            "after it was written"
        }
    ));
    HttpError {
        message: if unsent {
            format!("{method} {shown} was interrupted (Ctrl-C) before it was sent")
        } else {
            format!("{method} {shown} was interrupted (Ctrl-C); the server may have received it")
        },
        unsent,
        stale: false,
        advice: Box::new(if unsent {
            Advice::NothingSent
        } else {
            Advice::CheckNetwork
        }),
    }
}

/// What an exchange that ran to its end gave: the answer, or why there is none (`unsent`:
/// not a byte of the request was written).
fn answered(
    result: Result<Result<HttpResponse, reqwest::StatusCode>, reqwest::Error>,
    method: &oauth2::http::Method,
    shown: &str,
    elapsed: u128,
    unsent: bool,
    timeout: Duration,
) -> Result<HttpResponse, HttpError> {
    match result {
        Ok(Ok(response)) => {
            output::verbose(format!(
                "{method} {shown} -> {} ({elapsed} ms)",
                response.status()
            ));
            Ok(response)
        }
        Ok(Err(status)) => {
            output::verbose(format!(
                "{method} {shown} -> {status}, body too large ({elapsed} ms)"
            ));
            Err(HttpError::new(format!(
                "the response from {shown} (HTTP {status}) is larger than {} KiB",
                MAX_BODY / 1024
            )))
        }
        Err(e) => {
            let why = describe(&e, timeout);
            output::verbose(format!("{method} {shown} -> failed: {why} ({elapsed} ms)"));
            Err(HttpError {
                message: if unsent {
                    format!("{method} {shown} failed before it was sent: {why}")
                } else {
                    format!("{method} {shown} failed: {why}")
                },
                unsent,
                stale: !e.is_connect() && !e.is_timeout() && !e.is_body() && !e.is_decode(),
                advice: Box::new(if e.is_timeout() {
                    Advice::AllowLonger
                } else if untrusted_certificate(&e) {
                    Advice::TrustCompanyCa
                } else {
                    Advice::CheckNetwork
                }),
            })
        }
    }
}

/// A request's body that notes when the connection first asks for it. hyper puts a
/// request's head in its write buffer and asks for the body before it writes anything,
/// so while the body was never asked for, not a byte of the request left this process,
/// whatever the connection did. A request without a body counts as written from the
/// start (nothing tells when it was).
struct Watched {
    bytes: Option<Bytes>,
    length: u64,
    asked: Arc<AtomicBool>,
}

impl Watched {
    /// The request with its body watched, and the flag that says it may have left.
    fn wrap(request: HttpRequest) -> (oauth2::http::Request<reqwest::Body>, Arc<AtomicBool>) {
        let (parts, body) = request.into_parts();
        let asked = Arc::new(AtomicBool::new(body.is_empty()));
        let watched = Watched {
            length: body.len() as u64,
            bytes: (!body.is_empty()).then(|| Bytes::from(body)),
            asked: asked.clone(),
        };
        (
            oauth2::http::Request::from_parts(parts, reqwest::Body::wrap(watched)),
            asked,
        )
    }
}

impl hyper::body::Body for Watched {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.asked.store(true, Ordering::SeqCst);
        Poll::Ready(self.bytes.take().map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(if self.bytes.is_some() { self.length } else { 0 })
    }
}

/// Joins an endpoint path onto a base URL, keeping any path prefix the base has
/// (`https://proxy.example/attio` + `/oauth/token`).
pub fn endpoint(base: &url::Url, path: &str) -> url::Url {
    let mut url = base.clone();
    let joined = format!("{}{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

/// A response value from its parts.
fn http_response(status: reqwest::StatusCode, body: Vec<u8>) -> HttpResponse {
    let mut response = HttpResponse::new(body);
    *response.status_mut() = status;
    response
}

/// A URL as shown in messages: never its query string, which may carry a code or state.
fn display_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}

/// A short reason for a failed request.
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        format!(
            "no response within {} s (--http-timeout)",
            timeout.as_secs()
        )
    } else if err.is_connect() {
        format!("could not connect ({})", root_cause(err))
    } else {
        root_cause(err)
    }
}

/// Whether a request failed because the server's certificate was not trusted. (rustls's
/// error sits inside `io::Error`s, whose `source` skips what they wrap.)
fn untrusted_certificate(err: &reqwest::Error) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>() {
            return true;
        }
        current = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// The innermost error message, which is the informative one for network errors.
pub fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::{display_url, endpoint};
    use url::Url;

    #[test]
    fn endpoints_keep_a_base_path_prefix() {
        let base = Url::parse("https://proxy.example/attio/").unwrap();
        assert_eq!(
            endpoint(&base, "/oauth/token").as_str(),
            "https://proxy.example/attio/oauth/token"
        );
        let base = Url::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(
            endpoint(&base, "/v2/self").as_str(),
            "http://127.0.0.1:9/v2/self"
        );
    }

    #[test]
    fn query_strings_are_never_shown() {
        assert_eq!(display_url("http://x/cb?code=abc&state=s"), "http://x/cb?…");
        assert_eq!(display_url("http://x/v2/self"), "http://x/v2/self");
    }
}
