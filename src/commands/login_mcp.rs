//! `attio-auth login --mcp`: a login to a hosted MCP server with no app of the user's
//! own. The server's authorization server is discovered and checked, attio-auth
//! registers itself there as a public client (or reuses the profile's registration),
//! and the browser flow runs as for an app (PKCE S256, `state`, the loopback listener
//! and its defences), asking for the server as the resource (RFC 8707) and checking the
//! redirect's `iss` when the server sends one (RFC 9207).

use std::time::Duration;

use anyhow::{Context, Result};

use crate::advice::{Advice, Login};
use crate::attio::oauth::{self, TokenError};
use crate::cli::LoginArgs;
use crate::context::Ctx;
use crate::credentials::Credentials;
use crate::failure::{Failure, Kind};
use crate::loopback::{Listener, Session};
use crate::mcp::{self, Hosted};
use crate::output;
use crate::profile::ProfileMeta;
use crate::secret::Secret;
use crate::terminal;

pub fn run(ctx: &Ctx, args: LoginArgs) -> Result<()> {
    terminal::handle_interrupts();
    let store = ctx.settings.login_store(args.store.map(Into::into))?;
    ctx.repository().check_store(&store)?;
    let profile = ctx.settings.profile.as_str();
    let again = Login::hosted(profile, "");
    crate::loopback::check_can_complete(
        ctx.settings.no_browser_possible,
        args.no_browser,
        Advice::NoBrowserAtAll(again.clone()),
    )?;
    let previous = ctx.repository().meta().ok().flatten();
    let url = ctx
        .settings
        .login_mcp_url(args.mcp_url.as_deref(), previous.as_ref())?;
    let hosted = mcp::discovery::discover(&ctx.http, &url)
        .with_context(|| format!("finding the authorization server of {url}"))?;
    output::verbose(format!(
        "{url}: authorization server {}, scopes {}",
        hosted.issuer,
        hosted.scopes.join(" ")
    ));
    let port = ctx.settings.login_port(args.port, previous.as_ref());
    let listener = Listener::bind(port)?;
    let redirect_uri = listener.redirect_uri();
    let reused = reusable(previous.as_ref(), &hosted, listener.port())
        .filter(|client_id| mcp::registration::known(&ctx.http, &hosted, client_id, &redirect_uri));
    let client_id = match reused {
        Some(client_id) => client_id,
        None => mcp::registration::register(&ctx.http, &hosted, &redirect_uri)
            .context("registering attio-auth with the MCP server's authorization server")?,
    };
    let endpoint = url::Url::parse(&hosted.authorization_endpoint)?;
    let auth = oauth::authorize_at(
        endpoint,
        &client_id,
        &redirect_uri,
        &hosted.scopes,
        Some(hosted.url.as_str()),
    )?;
    let nonce = crate::loopback::present(
        &listener,
        &auth,
        ctx.settings.browser.clone(),
        ctx.settings.remote_without_display,
        args.no_browser,
    )?;
    let bound = listener.port();
    let finish = |code: &Secret<String>| {
        let login = Registered {
            hosted: &hosted,
            client_id: &client_id,
            redirect_uri: &redirect_uri,
            port: bound,
            store: &store,
        };
        login.finish(ctx, code, &auth.verifier)
    };
    let session = Session::new(&redirect_uri, &auth, &nonce, again, &finish);
    let session = if hosted.iss_in_callback {
        session.expecting_issuer(&hosted.issuer)
    } else {
        session
    };
    session.wait(listener, Duration::from_secs(args.timeout))?;
    Ok(())
}

/// The profile's registration with this very server, when the redirect URI is the one it
/// was registered with (the same fixed port) and the server has not said it forgot it.
fn reusable(previous: Option<&ProfileMeta>, hosted: &Hosted, port: u16) -> Option<String> {
    let previous = previous?;
    let same = previous.mcp.as_ref().is_some_and(|stored| {
        !stored.registration_forgotten
            && stored.url == hosted.url
            && stored.issuer == hosted.issuer
            && stored.token_endpoint == hosted.token_endpoint
    });
    (same && port != 0 && previous.port == Some(port)).then(|| previous.client_id.clone())
}

/// A login's client at the authorization server, and where the login is stored.
struct Registered<'a> {
    hosted: &'a Hosted,
    client_id: &'a str,
    redirect_uri: &'a str,
    port: u16,
    store: &'a crate::store::StoreChoice,
}

impl Registered<'_> {
    /// Exchanges the code at the token endpoint, for the server as the resource, and stores
    /// the login.
    fn finish(
        &self,
        ctx: &Ctx,
        code: &Secret<String>,
        verifier: &Secret<String>,
    ) -> Result<String> {
        let Registered {
            hosted,
            client_id,
            redirect_uri,
            port,
            store,
        } = *self;
        let client = oauth::Client {
            token_url: url::Url::parse(&hosted.token_endpoint)?,
            client_id,
            client_secret: None,
            resource: Some(hosted.url.as_str()),
        };
        let tokens = oauth::exchange_code(&ctx.http, &client, redirect_uri, code, verifier)
            .map_err(|e| match e {
                TokenError::Rejected { why, .. } => Failure::new(Kind::LoginIncomplete, why)
                    .advise(Advice::RunAgain(Login::hosted(
                        ctx.settings.profile.as_str(),
                        "",
                    )))
                    .into(),
                TokenError::Unsent(why) => why,
                TokenError::Failed { why, .. } => anyhow::anyhow!(why),
            })
            .context("exchanging the authorization code for a token")?;
        let now = ctx.clock.now();
        let creds = Credentials::new(
            tokens.access_token,
            tokens.refresh_token,
            tokens.expires_in.map(|seconds| now.saturating_add(seconds)),
            client_id.to_string(),
            None,
            hosted.issuer.clone(),
            now,
        );
        let mut meta = ProfileMeta::new(
            client_id.to_string(),
            hosted.issuer.clone(),
            hosted.url.clone(),
        );
        meta.port = Some(port);
        meta.scopes = hosted.scopes.clone();
        meta.logged_in_at = now;
        meta.mcp = Some(hosted.clone());
        let profile = &ctx.settings.profile;
        let repo = ctx.repository();
        let stored = repo.lock()?.save_login(creds, meta, store.clone())?;
        output::info(format!(
            "Logged in to the hosted MCP server {} (authorization server {}).",
            hosted.url, hosted.issuer
        ));
        output::info(format!(
            "Credentials for profile `{profile}` are stored in {}.",
            repo.location(&stored.meta)
        ));
        Ok(hosted.url.clone())
    }
}
