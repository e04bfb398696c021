//! `attio-auth login`: the browser flow (authorization code with PKCE S256 and `state`),
//! then the code exchange, an identity check against `/v2/self`, and storage.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::advice::{self, Advice};
use crate::attio::oauth::{self, AuthorizeRequest, TokenError};
use crate::attio::{self, Identity};
use crate::cli::LoginArgs;
use crate::context::Ctx;
use crate::credentials::Credentials;
use crate::failure::{Failure, Kind};
use crate::freshness;
use crate::loopback::{Listener, Session};
use crate::output;
use crate::profile::{LoginAgain, ProfileMeta};
use crate::scopes;
use crate::secret::Secret;
use crate::store::StoreChoice;
use crate::terminal;

/// Everything fixed before the browser is opened.
struct Flow<'a> {
    ctx: &'a Ctx,
    client_id: String,
    client_secret: Secret<String>,
    /// Whether the secret was typed at the prompt (else `ATTIO_CLIENT_SECRET`), for the
    /// hint when Attio refuses it.
    secret_typed: bool,
    required: Vec<String>,
    store: StoreChoice,
    /// The redirect port asked for (flag, config.toml or the default).
    port: u16,
    app_url: url::Url,
    api_url: url::Url,
    redirect_uri: String,
    auth: AuthorizeRequest,
}

pub fn run(ctx: &Ctx, args: LoginArgs) -> Result<()> {
    terminal::handle_interrupts();
    let store = ctx.settings.login_store(args.store.map(Into::into))?;
    let required = ctx.settings.login_required_scopes(&args.require_scopes);
    scopes::warn_unknown(&required);
    if args.with_token {
        return with_token(ctx, &required, store);
    }
    ctx.repository().check_store(&store)?;
    crate::loopback::check_can_complete(
        ctx.settings.no_browser_possible,
        args.no_browser,
        Advice::NoBrowserUseToken {
            with_token: advice::Login::with_token(ctx.settings.profile.as_str()),
        },
    )?;
    let previous = ctx.repository().meta().ok().flatten();
    let client_id = client_id(
        ctx.settings
            .login_client_id(args.client_id.as_deref(), previous.as_ref()),
    )?;
    let requested = scopes::split(&args.scopes);
    scopes::warn_unknown(&requested);
    let (app_url, api_url) = ctx.settings.login_urls(previous.as_ref())?;
    let (client_secret, secret_typed) = client_secret(ctx, &client_id)?;

    let port = ctx.settings.login_port(args.port, previous.as_ref());
    let listener = Listener::bind(port)?;
    let redirect_uri = listener.redirect_uri();
    let auth = oauth::authorize(&app_url, &client_id, &redirect_uri, &requested)?;
    let nonce = crate::loopback::present(
        &listener,
        &auth,
        ctx.settings.browser.clone(),
        ctx.settings.remote_without_display,
        args.no_browser,
    )?;
    let flow = Flow {
        ctx,
        client_id,
        client_secret,
        secret_typed,
        required,
        store,
        port,
        app_url,
        api_url,
        redirect_uri,
        auth,
    };
    let finish = |code: &Secret<String>| flow.finish(code);
    Session::new(
        &flow.redirect_uri,
        &flow.auth,
        &nonce,
        flow.again(),
        &finish,
    )
    .wait(listener, Duration::from_secs(args.timeout))?;
    Ok(())
}

/// The client ID settings chose (`Settings::login_client_id`), else typed at a terminal.
fn client_id(given: Option<String>) -> Result<String> {
    let id = match given {
        Some(id) => id,
        None if std::io::stdin().is_terminal() => {
            terminal::prompt_visible("OAuth client ID of the Attio app (from build.attio.com): ")
                .context("reading the client ID from the terminal")?
                .trim()
                .to_string()
        }
        None => String::new(),
    };
    if id.is_empty() {
        return Err(Failure::usage("no OAuth client ID")
            .advise(Advice::NoClientId)
            .into());
    }
    if id.chars().any(char::is_control) {
        return Err(Failure::usage("the client ID contains control characters").into());
    }
    Ok(id)
}

/// The client secret: `ATTIO_CLIENT_SECRET`, or typed without echo at a terminal (then
/// the flag says so).
fn client_secret(ctx: &Ctx, client_id: &str) -> Result<(Secret<String>, bool)> {
    if let Some(secret) = &ctx.settings.client_secret {
        return Ok((secret.clone(), false));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage("no OAuth client secret")
            .advise(Advice::NoClientSecret)
            .into());
    }
    let typed = terminal::prompt_hidden(&format!("Client secret for {client_id} (input hidden): "))
        .context("reading the client secret from the terminal")?;
    let typed = typed.trim().to_string();
    if typed.is_empty() {
        return Err(Failure::usage("no client secret was entered").into());
    }
    Ok((Secret::new(typed), true))
}

impl Flow<'_> {
    /// The command that logs this profile in again, with this login's settings.
    fn again(&self) -> advice::Login {
        LoginAgain {
            profile: &self.ctx.settings.profile,
            port: Some(self.port),
            app_url: Some(self.app_url.as_str()),
            api_url: Some(self.api_url.as_str()),
            mcp_url: None,
        }
        .command()
    }

    /// Exchanges the code, checks the token and its scopes, and stores the login.
    fn finish(&self, code: &Secret<String>) -> Result<String> {
        let ctx = self.ctx;
        let client = oauth::Client::app(&self.app_url, &self.client_id, &self.client_secret);
        let tokens = oauth::exchange_code(
            &ctx.http,
            &client,
            &self.redirect_uri,
            code,
            &self.auth.verifier,
        )
        .map_err(|e| match e {
            TokenError::Rejected { why, .. } => Failure::new(Kind::LoginIncomplete, why)
                .advise(Advice::CheckAppCredentials {
                    typed: self.secret_typed,
                    login: self.again(),
                })
                .into(),
            TokenError::Unsent(why) => why,
            TokenError::Failed { why, .. } => anyhow::anyhow!(why),
        })
        .context("exchanging the authorization code for a token")?;
        let rejected = || Advice::RunAgain(self.again());
        let identity = attio::identify(&ctx.http, &self.api_url, &tokens.access_token, &rejected)
            .context("checking the new token with Attio")?;
        let missing = scopes::missing(&identity.scopes, &self.required);
        if !missing.is_empty() {
            return Err(scopes::failure(&missing, &identity.scopes).context("nothing was stored"));
        }
        let now = ctx.clock.now();
        let creds = Credentials::new(
            tokens.access_token,
            tokens.refresh_token,
            freshness::grant_expiry(now, tokens.expires_in, || identity.exp),
            self.client_id.clone(),
            Some(self.client_secret.clone()),
            self.app_url.to_string(),
            now,
        );
        let login = Login {
            app_url: &self.app_url,
            api_url: &self.api_url,
            port: Some(self.port),
            store: self.store.clone(),
        };
        save(ctx, creds, &identity, &login)
    }
}

/// Where a checked login is stored, and the settings it remembers.
struct Login<'a> {
    app_url: &'a url::Url,
    api_url: &'a url::Url,
    port: Option<u16>,
    store: StoreChoice,
}

/// `login --with-token`: stores an API key or access token read from stdin, after
/// checking it with `/v2/self`.
fn with_token(ctx: &Ctx, required: &[String], store: StoreChoice) -> Result<()> {
    let token = token_from_stdin()?;
    let profile = &ctx.settings.profile;
    let previous = ctx.repository().meta().ok().flatten();
    let (app_url, api_url) = ctx.settings.login_urls(previous.as_ref())?;
    let rejected = || Advice::CheckPipedToken(advice::Login::with_token(profile.as_str()));
    let identity = attio::identify(&ctx.http, &api_url, &token, &rejected)
        .context("checking the token with Attio; nothing was stored")?;
    let missing = scopes::missing(&identity.scopes, required);
    if !missing.is_empty() {
        return Err(scopes::failure(&missing, &identity.scopes).context("nothing was stored"));
    }
    let client_id = identity.client_id.clone().unwrap_or_default();
    let now = ctx.clock.now();
    let expires_at = freshness::grant_expiry(now, None, || identity.exp);
    let creds = Credentials::new(
        token,
        None,
        expires_at,
        client_id,
        None,
        app_url.to_string(),
        now,
    );
    let login = Login {
        app_url: &app_url,
        api_url: &api_url,
        port: None,
        store,
    };
    save(ctx, creds, &identity, &login)?;
    Ok(())
}

/// Reads a token from stdin: typed without echo at a terminal, else the whole input,
/// trimmed. Never from the command line, where `ps` and shell history would show it.
fn token_from_stdin() -> Result<Secret<String>> {
    let text = if std::io::stdin().is_terminal() {
        terminal::prompt_hidden("Paste the Attio API key or access token (input hidden): ")
            .context("reading the token from the terminal")?
    } else {
        // A token with blank lines around it fits easily; more is not a token, and is
        // not read (a stray `cat big-file |` would otherwise be read whole).
        let limit = oauth::MAX_TOKEN + 4096;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin(), limit as u64 + 1),
            &mut bytes,
        )
        .context("reading the token from stdin")?;
        if bytes.len() > limit {
            return Err(Failure::usage(format!(
                "stdin holds more than {} KiB, which is not a token: nothing was stored",
                limit / 1024
            ))
            .advise(Advice::PipeKeyAlone)
            .into());
        }
        String::from_utf8(bytes).map_err(|_| Failure::usage("stdin is not valid UTF-8 text"))?
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::usage("no token on stdin: nothing was stored")
            .advise(Advice::PipeKeyIn)
            .into());
    }
    if !oauth::is_bearer_token(token) {
        return Err(Failure::usage(
            "the token on stdin is not a valid bearer token (too long, or with spaces or control characters): nothing was stored",
        )
        .into());
    }
    Ok(Secret::new(token.to_string()))
}

/// Stores a checked login (credentials and metadata) and tells the user. Returns the
/// workspace's name for the browser page.
fn save(ctx: &Ctx, creds: Credentials, identity: &Identity, login: &Login) -> Result<String> {
    let profile = &ctx.settings.profile;
    let mut meta = ProfileMeta::new(
        creds.client_id.clone(),
        login.app_url.to_string(),
        login.api_url.to_string(),
    );
    meta.port = login.port;
    meta.workspace_id = identity.workspace_id.clone();
    meta.workspace_name = identity.workspace_name.clone();
    meta.workspace_slug = identity.workspace_slug.clone();
    meta.member_id = identity.member_id.clone();
    meta.scopes = identity.scopes.clone();
    meta.logged_in_at = ctx.clock.now();
    let member_id = identity.member_id.as_deref().unwrap_or("(unknown)");
    let member = identity
        .member_id
        .as_deref()
        .and_then(|id| {
            attio::member_name(
                &ctx.http,
                login.api_url,
                &creds.access_token,
                id,
                &identity.scopes,
            )
        })
        .map_or_else(
            || member_id.to_string(),
            |name| format!("{name} ({member_id})"),
        );
    // Under the profile's lock: a refresh in flight finishes first, and cannot write
    // the old grant back over this one.
    let repo = ctx.repository();
    let locked = repo.lock()?;
    let replaced = locked.meta().ok().flatten();
    let stored = locked.save_login(creds, meta, login.store.clone())?;
    let location = repo.location(&stored.meta);
    if let Some(old) = replaced {
        output::info(format!(
            "Replacing the earlier login of profile `{profile}` ({}).",
            describe_workspace(&old)
        ));
    }
    let workspace = identity
        .workspace_name
        .clone()
        .unwrap_or_else(|| "the workspace".into());
    output::info(format!(
        "Logged in to {workspace} ({}) as member {}; scopes: {}",
        identity.workspace_slug.as_deref().unwrap_or("unknown slug"),
        member,
        if identity.scopes.is_empty() {
            "(none)".into()
        } else {
            identity.scopes.join(", ")
        },
    ));
    output::info(format!(
        "Credentials for profile `{profile}` are stored in {location}."
    ));
    Ok(workspace)
}

/// An earlier login's workspace, for the message that says it is replaced.
fn describe_workspace(meta: &ProfileMeta) -> String {
    match (&meta.workspace_name, &meta.workspace_slug) {
        (Some(name), Some(slug)) => format!("workspace {name}, {slug}"),
        (Some(name), None) => format!("workspace {name}"),
        (None, Some(slug)) => format!("workspace {slug}"),
        (None, None) => format!("client ID {}", meta.client_id),
    }
}
