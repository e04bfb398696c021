//! The one HTTP client: built lazily (no async runtime, TLS setup or connection pool
//! unless a request is really made), never follows redirects, times out, caps response
//! bodies, and logs each request under `--verbose` without query strings or bodies.

use std::cell::OnceCell;
use std::fmt;
use std::time::{Duration, Instant};

use oauth2::{HttpRequest, HttpResponse};

use crate::output;

/// The longest wait for a TCP/TLS connection (less when the request timeout is shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest response body read; tokens and identities are a few hundred bytes.
const MAX_BODY: usize = 1024 * 1024;

/// A request that failed before a complete response arrived.
#[derive(Debug)]
pub struct HttpError {
    message: String,
    /// The request certainly never reached the server (no connection was made).
    unsent: bool,
    /// What to check next.
    hint: &'static str,
}

/// The next step after a request that got no usable answer.
const NETWORK_HINT: &str = "check the network connection and any proxy (HTTPS_PROXY), and the --app-url / --api-url in use; `--verbose` shows each request";

impl HttpError {
    /// An error after which the server may or may not have acted on the request.
    fn new(message: String) -> Self {
        Self {
            message,
            unsent: false,
            hint: NETWORK_HINT,
        }
    }

    /// What to check next, for the error's hint line.
    pub fn hint(&self) -> &'static str {
        self.hint
    }

    /// Whether the server certainly never saw the request, so repeating it is safe.
    pub fn unsent(&self) -> bool {
        self.unsent
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HttpError {}

struct Inner {
    runtime: tokio::runtime::Runtime,
    /// For `https://`: verifies certificates with the platform's trust store.
    tls: OnceCell<reqwest::Client>,
    /// For `http://`, which `settings` allows only to loopback hosts: trusts no
    /// certificate at all, so building it reads no trust store (hundreds of files).
    plain: OnceCell<reqwest::Client>,
}

/// A lazily built HTTP client, used for every network call the tool makes.
pub struct Http {
    inner: OnceCell<Inner>,
    /// How long a whole request may take (`--http-timeout`).
    timeout: Duration,
}

impl Http {
    /// A client whose requests give up after `timeout`. Nothing is built yet.
    pub fn new(timeout: Duration) -> Self {
        Self {
            inner: OnceCell::new(),
            timeout,
        }
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
                hint: "the system refused a thread or descriptor: check `ulimit -n` and memory",
            })?;
        Ok(self.inner.get_or_init(|| Inner {
            runtime,
            tls: OnceCell::new(),
            plain: OnceCell::new(),
        }))
    }

    /// The client for a URL's scheme, built on first use.
    fn client<'a>(&self, inner: &'a Inner, https: bool) -> Result<&'a reqwest::Client, HttpError> {
        let cell = if https { &inner.tls } else { &inner.plain };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        // rustls's process-wide provider (see Cargo.toml); an error only means it is
        // already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(self.timeout))
            .timeout(self.timeout)
            .user_agent(concat!("attio-auth/", env!("CARGO_PKG_VERSION")));
        if !https {
            builder = builder.tls_certs_only([]);
        }
        let client = builder.build().map_err(|e| {
            HttpError::new(format!("setting up the HTTP client: {}", root_cause(&e)))
        })?;
        Ok(cell.get_or_init(|| client))
    }

    /// Sends one request and reads the whole (capped) response.
    pub fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let inner = self.inner()?;
        let client = self.client(inner, request.uri().scheme_str() != Some("http"))?;
        let method = request.method().clone();
        let shown = display_url(&request.uri().to_string());
        let started = Instant::now();
        let request = reqwest::Request::try_from(request).map_err(|e| {
            HttpError::new(format!(
                "building the request to {shown}: {}",
                root_cause(&e)
            ))
        })?;
        let result = inner.runtime.block_on(async {
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
            Ok::<_, reqwest::Error>(Ok(out))
        });
        let elapsed = started.elapsed().as_millis();
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
                let why = describe(&e, self.timeout);
                output::verbose(format!("{method} {shown} -> failed: {why} ({elapsed} ms)"));
                Err(HttpError {
                    message: format!("{method} {shown} failed: {why}"),
                    unsent: e.is_connect(),
                    hint: if e.is_timeout() {
                        "the server did not answer in time: try again, or allow longer with --http-timeout; `--verbose` shows each request"
                    } else {
                        NETWORK_HINT
                    },
                })
            }
        }
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

/// The innermost error message, which is the informative one for network errors.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
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
