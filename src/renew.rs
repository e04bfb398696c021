//! Getting a usable access token for a profile: load it, and refresh it when it is about
//! to expire. Refreshes happen under the profile's lock, after re-reading the stored
//! credentials, and store the new tokens before anything is printed, so that concurrent
//! processes make one refresh request between them and a refresh token is never sent twice.

use anyhow::{Context, Result};

use crate::commands::Ctx;
use crate::credentials::{self, Credentials};
use crate::failure::{Failure, Kind};
use crate::freshness;
use crate::oauth::{self, TokenError};
use crate::profile::{self, ProfileMeta};
use crate::secret::Secret;
use crate::store::{self, SecretStore, lock};

/// A logged-in profile: its metadata, its credentials and the store holding them.
pub struct Session {
    pub meta: ProfileMeta,
    pub creds: Credentials,
    pub store: Box<dyn SecretStore>,
}

/// When to refresh.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Only when the token expires within this many seconds.
    IfExpiring(u64),
    /// Now, whatever the expiry (unless another process just did).
    Force,
}

/// A token ready to hand out, and where it came from.
pub struct Handout {
    pub token: Secret<String>,
    /// Unix seconds; `None` when it does not expire (or, from the environment, is unknown).
    pub expires_at: Option<u64>,
    /// `keyring`, `file`, or `env:VARIABLE`.
    pub source: String,
    /// Where the token lives, for people.
    pub location: String,
    /// The profile's metadata; `None` for a token from the environment.
    pub meta: Option<ProfileMeta>,
}

/// The token in effect for `token` and `whoami`: `ATTIO_API_KEY` or `ATTIO_ACCESS_TOKEN`
/// when set, else the profile's, refreshed first when it expires within `min_ttl` seconds.
pub fn handout(ctx: &Ctx, min_ttl: u64) -> Result<Handout> {
    if let Some(env) = &ctx.settings.env_token {
        return Ok(Handout {
            token: env.token.clone(),
            expires_at: None,
            source: format!("env:{}", env.var),
            location: format!(
                "the environment variable {} (stored credentials are not used)",
                env.var
            ),
            meta: None,
        });
    }
    let (session, _) = fresh(ctx, Mode::IfExpiring(min_ttl))?;
    Ok(Handout {
        source: session.meta.store.name().to_string(),
        location: session.store.location(&ctx.settings.profile),
        expires_at: session.creds.expires_at,
        token: session.creds.access_token,
        meta: Some(session.meta),
    })
}

/// The profile's session, with no network call.
pub fn load(ctx: &Ctx) -> Result<Session> {
    let profile = &ctx.settings.profile;
    let Some(meta) = profile::load(&ctx.paths, profile)? else {
        return Err(Failure::new(
            Kind::LoginAgain,
            format!("profile `{profile}` is not logged in"),
        )
        .hint(profile::login_hint(profile))
        .into());
    };
    let store = store::open(meta.store, &ctx.paths);
    let creds = stored_credentials(store.as_ref(), ctx)?;
    Ok(Session { meta, creds, store })
}

/// Reads the credentials, turning "nothing there" into a log-in-again failure.
fn stored_credentials(store: &dyn SecretStore, ctx: &Ctx) -> Result<Credentials> {
    let profile = &ctx.settings.profile;
    credentials::load(store, profile)?.ok_or_else(|| {
        Failure::new(
            Kind::LoginAgain,
            format!(
                "profile `{profile}` is not logged in: no credentials in {}",
                store.location(profile)
            ),
        )
        .hint(profile::login_hint(profile))
        .into()
    })
}

/// The profile's session with a token that satisfies `mode`, refreshing when needed.
/// Returns whether this process refreshed it.
pub fn fresh(ctx: &Ctx, mode: Mode) -> Result<(Session, bool)> {
    let session = load(ctx)?;
    if let Mode::IfExpiring(min_ttl) = mode
        && freshness::is_fresh(session.creds.expires_at, freshness::now(), min_ttl)
    {
        return Ok((session, false));
    }
    refresh_locked(ctx, session, mode)
}

/// Refreshes under the profile's lock. Another process may have refreshed while this one
/// waited; then its result is used and no request is made.
fn refresh_locked(ctx: &Ctx, session: Session, mode: Mode) -> Result<(Session, bool)> {
    let profile = &ctx.settings.profile;
    let _lock = lock::acquire(&ctx.paths, profile)?;
    let Session {
        mut meta,
        creds: before,
        store,
    } = session;
    let current = stored_credentials(store.as_ref(), ctx)?;
    // Another process refreshed while this one waited for the lock: use its token, even
    // when the server's lifetimes are shorter than `min_ttl`, rather than refresh again.
    let changed = current.access_token != before.access_token;
    let now = freshness::now();
    let done_elsewhere = match mode {
        Mode::IfExpiring(min_ttl) => {
            freshness::is_fresh(current.expires_at, now, min_ttl)
                || (changed && freshness::is_fresh(current.expires_at, now, 0))
        }
        Mode::Force => changed,
    };
    if done_elsewhere {
        return Ok((
            Session {
                meta,
                creds: current,
                store,
            },
            false,
        ));
    }
    let Some(refresh_token) = &current.refresh_token else {
        return Err(no_refresh_token(ctx, &current, mode));
    };
    if current.refresh_pending {
        return interrupted_refresh(
            ctx,
            Session {
                meta,
                creds: current,
                store,
            },
            mode,
        );
    }
    let client_secret = current
        .client_secret
        .clone()
        .or_else(|| std::env::var("ATTIO_CLIENT_SECRET").ok().map(Secret::new))
        .ok_or_else(|| {
            Failure::new(
                Kind::LoginAgain,
                format!("profile `{profile}` has no client secret stored to refresh with"),
            )
            .hint(profile::login_hint(profile))
        })?;
    let app_url = ctx.app_url(Some(&meta))?;
    let client = oauth::Client {
        app_url: &app_url,
        client_id: &current.client_id,
        client_secret: &client_secret,
    };
    // Written before the refresh token leaves: if this process dies or the answer is
    // lost, later runs know not to send it again.
    let mut in_flight = current.clone();
    in_flight.refresh_pending = true;
    store
        .save(profile, &in_flight.encode())
        .with_context(|| format!("storing the refresh state of profile `{profile}`"))?;
    let tokens = oauth::refresh(&ctx.http, &client, refresh_token).map_err(|e| match e {
        TokenError::Rejected(why) => Failure::new(Kind::LoginAgain, why)
            .hint(profile::login_hint(profile))
            .into(),
        TokenError::Unsent(why) => {
            // The server never saw it: the refresh token is as good as before.
            if let Err(e) = store.save(profile, &current.encode()) {
                crate::output::warn(format!("{e:#}"));
            }
            anyhow::anyhow!(why)
        }
        TokenError::Failed(why) => Failure::new(Kind::Failed, why)
            .hint(format!(
                "the refresh's outcome is unknown, so its refresh token will not be sent again; {}",
                profile::login_hint(profile)
            ))
            .into(),
    });
    let tokens =
        tokens.with_context(|| format!("refreshing the access token of profile `{profile}`"))?;
    let renewed = Credentials::new(
        tokens.access_token,
        // A server that does not rotate keeps the old refresh token valid.
        tokens.refresh_token.or(current.refresh_token.clone()),
        tokens.expires_in.map(|s| now.saturating_add(s)),
        current.client_id.clone(),
        current.client_secret.clone(),
    );
    store
        .save(profile, &renewed.encode())
        .with_context(|| format!("storing the refreshed tokens of profile `{profile}`"))?;
    meta.expires_at = renewed.expires_at;
    meta.has_refresh_token = renewed.refresh_token.is_some();
    if let Err(e) = profile::save(&ctx.paths, profile, &meta) {
        crate::output::warn(format!("{e:#}"));
    }
    Ok((
        Session {
            meta,
            creds: renewed,
            store,
        },
        true,
    ))
}

/// A refresh is due but an earlier one never finished. The refresh token is not sent
/// again; a token that has not expired yet is still handed out, with a warning.
fn interrupted_refresh(ctx: &Ctx, session: Session, mode: Mode) -> Result<(Session, bool)> {
    let profile = &ctx.settings.profile;
    let now = freshness::now();
    let why = format!(
        "an earlier refresh of profile `{profile}` did not finish and may have used up its refresh token, which is therefore not sent again (reuse can make Attio revoke the login)"
    );
    if matches!(mode, Mode::IfExpiring(_)) && freshness::is_fresh(session.creds.expires_at, now, 0)
    {
        crate::output::warn(format!(
            "{why}; using the current access token, which expires {}; {}",
            freshness::describe(session.creds.expires_at, now),
            profile::login_hint(profile)
        ));
        return Ok((session, false));
    }
    Err(Failure::new(Kind::LoginAgain, why)
        .hint(profile::login_hint(profile))
        .into())
}

/// The failure when a refresh is needed but no refresh token was ever issued.
fn no_refresh_token(ctx: &Ctx, creds: &Credentials, mode: Mode) -> anyhow::Error {
    let profile = &ctx.settings.profile;
    match mode {
        Mode::Force => Failure::new(
            Kind::Failed,
            format!("profile `{profile}` has no refresh token: Attio issued a long-lived access token, which stays valid until the app is uninstalled; the stored token is kept"),
        )
        .hint("nothing to do: `attio-auth token` keeps printing the stored token")
        .into(),
        Mode::IfExpiring(_) => Failure::new(
            Kind::LoginAgain,
            format!(
                "the access token of profile `{profile}` expires {} and there is no refresh token",
                freshness::describe(creds.expires_at, freshness::now())
            ),
        )
        .hint(profile::login_hint(profile))
        .into(),
    }
}
