//! The loopback redirect, the whole protocol: the listener on `localhost` (`server`), the
//! one-time start URL the browser is given, the redirect's query (`callback`), the paste
//! prompt, and what each request is answered. A login hands it the authorize request
//! and a way to finish with a code; it returns what finishing said, or why no code came.

mod callback;
mod port;
mod room;
mod server;
mod wire;

use std::cell::Cell;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Result;

use self::callback::{Callback, Rejection};
pub use self::room::{Room, is_transient};
use self::server::{Arrival, Incoming, Reply};
pub use self::server::{DEFAULT_PORT, Listener};
use crate::advice::{Advice, Login};
use crate::attio::oauth::AuthorizeRequest;
use crate::failure::{Failure, Kind};
use crate::output;
use crate::progress::Countdown;
use crate::secret::Secret;
use crate::terminal;

/// Shows the authorize URL on the user's own terminal (for a browser elsewhere) and opens
/// the browser at a one-time local start URL that redirects to it, so that no process's
/// argv reveals `state`; over SSH without a display it explains the port forward instead.
/// Returns the start URL's nonce.
pub fn present(
    listener: &Listener,
    auth: &AuthorizeRequest,
    browser: Option<String>,
    remote_without_display: bool,
    no_browser: bool,
) -> Result<String> {
    use crate::browser::Browser;
    output::authorize_url(format!(
        "Open this URL in a browser to authorize attio-auth in Attio:\n\n    {}\n",
        auth.url
    ));
    let nonce = crate::secure_fs::random_hex(16)?;
    let browser = crate::browser::SystemBrowser { command: browser };
    if remote_without_display && !no_browser {
        let port = listener.port();
        output::info(format!(
            "This is an SSH session without a display, so no browser is opened here. On your own computer, forward the port and open the URL above there:\n\n    ssh -L {port}:localhost:{port} {}\n\nYou can also open it in any browser and paste the URL it ends on at the prompt below.\n",
            crate::os::hostname().unwrap_or_else(|| "this-host".into())
        ));
    } else if !no_browser && let Err(e) = browser.open(&listener.start_uri(&nonce)) {
        output::verbose(format!("{e:#}"));
        output::warn("could not open a browser: open the URL above yourself");
    }
    Ok(nonce)
}

/// A login that cannot possibly complete fails at once, not after its whole timeout:
/// when no browser can be shown here and no terminal can take a pasted URL. `hint` says
/// what to do instead.
pub fn check_can_complete(no_browser_possible: bool, no_browser: bool, hint: Advice) -> Result<()> {
    if no_browser_possible && !no_browser && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(Failure::new(
            Kind::LoginIncomplete,
            "no browser can be opened here (no DISPLAY, WAYLAND_DISPLAY or BROWSER) and there is no terminal to paste the redirect URL into, so a browser login cannot complete; nothing was started",
        )
        .advise(hint)
        .into());
    }
    Ok(())
}

/// One login's wait for its redirect.
pub struct Session<'a> {
    /// `http://localhost:PORT/callback`.
    redirect_uri: &'a str,
    /// The authorize URL and the `state` it carries.
    auth: &'a AuthorizeRequest,
    /// The one-time part of the start URL the browser is given (`/start/<nonce>`), so
    /// that no process's argv reveals `state`.
    nonce: &'a str,
    /// The command that logs the profile in again with this login's settings, for hints.
    again: Login,
    /// Exchanges a code and stores the login; `Ok` carries what to tell the user.
    finish: &'a dyn Fn(&Secret<String>) -> Result<String>,
    /// Whether the start URL has been fetched (a second fetch ends the login).
    started: Cell<bool>,
    /// The `iss` every redirect must carry, when the server says it sends one.
    issuer: Option<&'a str>,
}

impl<'a> Session<'a> {
    /// A login's wait, before anything reached the listener.
    pub fn new(
        redirect_uri: &'a str,
        auth: &'a AuthorizeRequest,
        nonce: &'a str,
        again: Login,
        finish: &'a dyn Fn(&Secret<String>) -> Result<String>,
    ) -> Self {
        Self {
            redirect_uri,
            auth,
            nonce,
            again,
            finish,
            started: Cell::new(false),
            issuer: None,
        }
    }

    /// Accepts only redirects whose `iss` is `issuer` (RFC 9207), for an authorization
    /// server that says it sends one: a redirect from another server (a mix-up) or
    /// without it is not the one awaited.
    pub fn expecting_issuer(mut self, issuer: &'a str) -> Self {
        self.issuer = Some(issuer);
        self
    }
}

/// What one arrival at the listener or the paste prompt led to.
enum Step {
    /// A request for another path (a browser's favicon): keep waiting quietly.
    Unrelated,
    /// Not the redirect we wait for (wrong state, malformed): warn and keep waiting.
    Ignored(String),
    /// The login ended, one way or another. `Ok` carries the workspace name.
    Done(Result<String>),
}

impl Session<'_> {
    /// Waits for the redirect (browser or paste) until the deadline, answering everything
    /// else that reaches the listener.
    pub fn wait(&self, listener: Listener, timeout: Duration) -> Result<String> {
        let (tx, rx) = mpsc::channel();
        let room = listener.serve(&tx)?;
        let pasting = server::watch_stdin(&tx);
        let interrupt = tx.clone();
        terminal::interrupts_to(move || {
            let _ = interrupt.send(Arrival::Interrupted);
        });
        drop(tx);
        let deadline = Instant::now() + timeout;
        // Attio itself shows `invalid_redirect_uri` and never comes back when the app
        // lacks this exact URI: say which one must be registered while it waits.
        let attio = url::Url::parse(crate::attio::DEFAULT_APP_URL)
            .ok()
            .is_some_and(|attio| attio.host_str() == self.auth.url.host_str());
        let what = if attio {
            format!(
                "the browser to return to {} (the app must have exactly this redirect URI at build.attio.com)",
                self.redirect_uri
            )
        } else {
            format!("the browser to return to {}", self.redirect_uri)
        };
        let mut countdown = Countdown::start(what, deadline, pasting);
        loop {
            let arrival = match rx.recv_timeout(countdown.interval()) {
                Ok(arrival) => arrival,
                Err(RecvTimeoutError::Timeout) if !countdown.remaining().is_zero() => {
                    countdown.tick();
                    continue;
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    countdown.clear(false);
                    return Err(self.timed_out(timeout, &room.turned_away()));
                }
            };
            // Answering a request prints nothing (but under --verbose), so the prompt
            // stays as it is unless the answer has something to say: the browser's
            // fetch of the start URL never redraws it.
            if output::is_verbose() || !matches!(arrival, Arrival::Http(_)) {
                countdown.clear(matches!(arrival, Arrival::Pasted(_)));
            }
            let step = match arrival {
                Arrival::Http(request) => self.answer(request),
                Arrival::Interrupted => return Err(terminal::aborted()),
                Arrival::ListenerStopped(why) => {
                    return Err(Failure::new(
                        Kind::LoginIncomplete,
                        format!("the listener for the redirect stopped accepting connections ({why}); nothing was stored"),
                    )
                    .advise(Advice::RunAgain(self.again.clone()))
                    .into());
                }
                Arrival::Pasted(line) => match callback::parse_pasted(&line, self.redirect_uri) {
                    Ok(callback) => self.complete(callback),
                    Err(why) => Step::Ignored(why),
                },
            };
            match step {
                Step::Unrelated => {}
                Step::Ignored(why) => {
                    countdown.clear(false);
                    output::warn(format!("ignored a redirect: {why}; still waiting"))
                }
                Step::Done(result) => {
                    countdown.clear(false);
                    return result;
                }
            }
            countdown.redraw();
        }
    }

    /// No redirect before the deadline. When the browser did go to Attio, the likeliest
    /// cause is a redirect URI the app does not have (Attio shows `invalid_redirect_uri`
    /// and never redirects), so the message names the exact URI to register.
    fn timed_out(&self, timeout: Duration, turned_away: &[(Option<u32>, usize)]) -> anyhow::Error {
        let waited = format!("no redirect arrived within {} s", timeout.as_secs());
        if !turned_away.is_empty() {
            // A flood from another account can keep the browser's connection out of the
            // kernel's queue altogether; say who, and the way around it.
            let who: Vec<String> = turned_away
                .iter()
                .map(|(uid, n)| match uid {
                    Some(uid) => format!("{n} from another local user (uid {uid})"),
                    None => format!("{n} that closed before their user could be checked"),
                })
                .collect();
            return Failure::new(
                Kind::LoginIncomplete,
                format!(
                    "{waited}; meanwhile the listener turned away connections that were not the browser's: {}. A flood from another account can keep the browser's own connection from getting through",
                    who.join(", ")
                ),
            )
            .advise(Advice::ListenerFlooded(self.again.clone()))
            .into();
        }
        if self.started.get() {
            let client_id = self
                .auth
                .url
                .query_pairs()
                .find(|(name, _)| name == "client_id")
                .map(|(_, id)| crate::output::shown(&id))
                .unwrap_or_default();
            return Failure::new(
                Kind::LoginIncomplete,
                format!("{waited}: the browser was sent to Attio but never came back; if Attio showed invalid_redirect_uri, the app does not have {} as a redirect URI; if it showed invalid_client, Attio does not know the client ID {client_id}", self.redirect_uri),
            )
            .advise(Advice::RegisterRedirect {
                redirect_uri: self.redirect_uri.to_string(),
                login: self.again.clone(),
            })
            .into();
        }
        Failure::new(Kind::LoginIncomplete, waited)
            .advise(Advice::ApproveSooner(self.again.clone()))
            .into()
    }

    /// Handles one HTTP request to the listener and answers it. The pages say nothing
    /// a server sent: the terminal has the details.
    fn answer(&self, request: Incoming) -> Step {
        if !request.host_is_loopback() {
            request.page(
                400,
                "Bad request",
                "This listener only answers requests to localhost.",
            );
            return Step::Ignored("a request named a host other than localhost".into());
        }
        if let Some(who) = request.refused_peer() {
            request.page(
                403,
                "Not your login",
                "This login belongs to another user of this computer.",
            );
            return Step::Ignored(format!("a request from {who} was refused"));
        }
        if let Some(nonce) = request.target.strip_prefix(callback::START_PREFIX) {
            let nonce = nonce.to_string();
            return self.start(request, &nonce);
        }
        let parsed = callback::parse_target(&request.target);
        if matches!(parsed, Err(Rejection::NotFound)) {
            output::verbose(format!(
                "answered 404 to a request for another path than {}",
                callback::PATH
            ));
            request.page(404, "Not found", "Nothing here.");
            return Step::Unrelated;
        }
        if request.method != "GET" {
            request.page(405, "Method not allowed", "Only GET is accepted here.");
            return Step::Ignored("the callback was not a GET request".into());
        }
        let step = match parsed {
            Ok(callback) => self.complete(callback),
            Err(Rejection::BadRequest(why)) => Step::Ignored(why),
            Err(Rejection::NotFound) => unreachable!("handled above"),
        };
        match &step {
            Step::Unrelated => {}
            Step::Ignored(_) => request.page(
                400,
                "Login not completed",
                "This request was not accepted. Go back to the terminal to see why; the login is still waiting.",
            ),
            Step::Done(Ok(_)) => request.last_page(
                200,
                "Logged in",
                "attio-auth is logged in. You can close this tab and go back to the terminal.",
            ),
            Step::Done(Err(_)) => request.last_page(
                400,
                "Login failed",
                "attio-auth could not complete the login. Go back to the terminal to see why and what to do next.",
            ),
        }
        step
    }

    /// The one-time start URL: its first fetch is sent on to the authorize URL; a second
    /// one means another program read the URL (from a process list, say), so the login
    /// stops rather than risk being completed by someone else.
    fn start(&self, request: Incoming, nonce: &str) -> Step {
        if request.method != "GET" || !callback::state_matches(self.nonce, nonce) {
            request.page(404, "Not found", "Nothing here.");
            return Step::Unrelated;
        }
        if self.started.replace(true) {
            request.last_page(
                400,
                "Login stopped",
                "This login's address was opened twice, so it was stopped to keep it from being taken over. Go back to the terminal.",
            );
            return Step::Done(Err(Failure::new(
                Kind::LoginIncomplete,
                "another program opened this login's URL as well as the browser, so the login was stopped before anyone could complete it; nothing was stored",
            )
            .advise(Advice::StartUrlWatched(self.again.clone()))
            .into()));
        }
        output::verbose("the browser opened the start URL: sent it on to Attio");
        request.respond(Reply::Redirect(self.auth.url.to_string()));
        Step::Unrelated
    }

    /// Acts on a parsed redirect: checks `state`, then ends the login either way.
    fn complete(&self, callback: Callback) -> Step {
        let expected = self.auth.state.expose();
        let state_ok = |state: &str| callback::state_matches(expected, state);
        if let Some(issuer) = self.issuer {
            let iss = match &callback {
                Callback::Code { iss, .. } | Callback::Denied { iss, .. } => iss.as_deref(),
            };
            if iss.map(|i| i.trim_end_matches('/')) != Some(issuer.trim_end_matches('/')) {
                return Step::Ignored(format!(
                    "its `iss` is {}, not {issuer}, the authorization server of this login (a forged or mixed-up redirect)",
                    iss.map_or("missing".to_string(), |i| format!("`{}`", output::shown(i)))
                ));
            }
        }
        match callback {
            Callback::Code { state, .. }
            | Callback::Denied {
                state: Some(state), ..
            } if !state_ok(&state) => Step::Ignored(
                "its `state` does not match this login (a stale tab, or a forged request)".into(),
            ),
            Callback::Denied { state: None, .. } => {
                Step::Ignored("an error redirect without `state` cannot be trusted".into())
            }
            Callback::Denied {
                error, description, ..
            } => {
                let mut why = format!("Attio did not authorize the app: {error}");
                if let Some(description) = description.filter(|d| !d.is_empty()) {
                    why.push_str(&format!(" ({description})"));
                }
                Step::Done(Err(Failure::new(Kind::LoginIncomplete, why)
                    .advise(Advice::ApproveNextTime(self.again.clone()))
                    .into()))
            }
            Callback::Code { code, .. } => Step::Done((self.finish)(&code)),
        }
    }
}
