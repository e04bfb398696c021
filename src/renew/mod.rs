//! Getting a usable access token for a profile: load it, and refresh it when it is about
//! to expire. Refreshes happen under the profile's lock, after re-reading the stored
//! credentials, and store the new tokens before anything is printed, so that concurrent
//! processes make one refresh request between them and a refresh token is never sent
//! twice. The stored refresh token and client secret only ever go to the app URL that
//! issued them.

pub mod keeper;
mod rules;

use anyhow::{Context, Result};

use crate::advice::Advice;
use crate::attio;
use crate::attio::oauth;
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::freshness;
use crate::names::ProfileName;
use crate::output;
use crate::profile::{self, Locked, LoginAgain, Stored};
use crate::secret::Secret;

use self::rules::{Locked as UnderLock, Settled, Unlocked};
pub use self::rules::{Mode, refresh_margin};

/// A token ready to hand out, and where it came from.
pub struct Handout {
    pub token: Secret<String>,
    /// Unix seconds; `None` when it does not expire (or, from the environment, is unknown).
    pub expires_at: Option<u64>,
    /// `keyring`, `file`, or `env:VARIABLE`.
    pub source: String,
    /// Where the token lives, for people.
    pub location: String,
    /// The profile; `None` for a token from the environment.
    pub stored: Option<Stored>,
}

impl Handout {
    /// What to do when Attio rejects the token: log in again, or fix the variable. Built
    /// only when it is shown (it may read the switched default profile).
    pub fn rejected(&self, ctx: &Ctx) -> Advice {
        let profile = &ctx.settings.profile;
        match (&self.stored, &ctx.settings.env_token) {
            (Some(stored), _) => stored.meta.login_again(profile).log_in(),
            (None, Some(env)) => Advice::EnvTokenRefused {
                var: env.var,
                profile: profile.to_string(),
            },
            (None, None) => profile::log_in(profile),
        }
    }
}

/// The token in effect for `token` and `whoami`: `ATTIO_API_KEY` or `ATTIO_ACCESS_TOKEN`
/// when set, else the profile's, refreshed first when it expires within `min_ttl` seconds.
pub fn handout(ctx: &Ctx, min_ttl: Option<u64>) -> Result<Handout> {
    if let Some(env) = &ctx.settings.env_token {
        // A token the user set by hand wins, as `GH_TOKEN` does; but `--profile X` asks
        // for X's token, and must never get another's.
        if ctx.settings.profile_source == crate::settings::ProfileSource::Flag {
            let profile = &ctx.settings.profile;
            return Err(Failure::usage(format!(
                "--profile {profile} asks for that profile's token, but {} holds a token set by hand, which would be used instead",
                env.var
            ))
            .advise(Advice::EnvTokenShadowsProfile {
                var: env.var,
                profile: profile.to_string(),
            })
            .into());
        }
        if let Some(other) = env.shadows {
            output::warn(format!(
                "{} and {other} hold different tokens; {}'s is used, as Attio's own tools do: unset the one you do not mean",
                env.var, env.var
            ));
        }
        if !oauth::is_bearer_token(env.token.expose()) {
            return Err(Failure::usage(format!(
                "{} does not hold a valid bearer token (empty, too long, or with spaces or control characters)",
                env.var
            ))
            .advise(Advice::EnvTokenMalformed { var: env.var })
            .into());
        }
        return Ok(Handout {
            token: env.token.clone(),
            expires_at: None,
            source: format!("env:{}", env.var),
            location: format!(
                "the environment variable {} (stored credentials are not used)",
                env.var
            ),
            stored: None,
        });
    }
    let (stored, _) = fresh(ctx, Mode::IfExpiring(min_ttl))?;
    Ok(Handout {
        token: stored.creds.access_token.clone(),
        expires_at: stored.creds.expires_at,
        source: stored.meta.store.name().to_string(),
        location: ctx.repository().location(&stored.meta),
        stored: Some(stored),
    })
}

/// The profile with a token that satisfies `mode`, refreshing when needed. Returns
/// whether this process refreshed it.
pub fn fresh(ctx: &Ctx, mode: Mode) -> Result<(Stored, bool)> {
    let stored = ctx.repository().load()?;
    let profile = &ctx.settings.profile;
    if !oauth::is_bearer_token(stored.creds.access_token.expose()) {
        return Err(Failure::new(
            Kind::LoginAgain,
            format!("the stored access token of profile `{profile}` is not a valid bearer token"),
        )
        .advise(profile::clean_up(profile))
        .into());
    }
    // Refused on every use, not only when a refresh happens to be due: a setting that
    // names another host is a mistake to point out before it matters.
    check_issuer(ctx, &stored)?;
    let now = ctx.clock.now();
    match rules::unlocked(&stored.creds, mode, now) {
        Unlocked::Fresh => return Ok((stored, false)),
        Unlocked::LastsUnrefreshable => {
            output::warn(format!(
                "the access token of profile `{profile}` expires {} and cannot be refreshed (there is no refresh token); {} before then",
                freshness::describe(stored.creds.expires_at, now),
                ctx.render(&stored.meta.login_again(profile).log_in().next())
            ));
            return Ok((stored, false));
        }
        Unlocked::Refresh => {}
    }
    refresh_locked(ctx, stored, mode)
        .with_context(|| format!("refreshing the access token of profile `{profile}`"))
}

/// Refreshes under the profile's lock. Another process may have refreshed while this one
/// waited; then its result is used and no request is made.
fn refresh_locked(ctx: &Ctx, seen: Stored, mode: Mode) -> Result<(Stored, bool)> {
    let profile = &ctx.settings.profile;
    let repo = ctx.repository();
    // While another process writes the profile (most often: refreshes it), wait beside
    // the other waiters rather than in line, and look at what it wrote.
    let locked = loop {
        if let Some(locked) = repo.lock_or_wait()? {
            break locked;
        }
        let now_stored = repo.load()?;
        if rules::done_elsewhere(&now_stored.creds, &seen.creds, mode, ctx.clock.now()) {
            check_issuer(ctx, &now_stored)?;
            return Ok((now_stored, false));
        }
    };
    let stored = locked.load()?;
    // A login may have landed while this process waited: check its issuer again.
    check_issuer(ctx, &stored)?;
    let now = ctx.clock.now();
    match rules::locked(&stored.creds, &seen.creds, mode, now) {
        UnderLock::DoneElsewhere => Ok((stored, false)),
        UnderLock::RefusedBefore(why) => Err(refused(stored.meta.login_again(profile), &why)),
        UnderLock::NoRefreshToken => Err(no_refresh_token(profile, &stored, mode, now)),
        UnderLock::Unfinished { usable } => unfinished(ctx, stored, usable, now),
        UnderLock::Send(refresh_token) => send(ctx, &locked, stored, refresh_token, now),
    }
}

/// Sends the refresh token: marked as sent and stored first, then the answer applied
/// (`rules::settle`) and stored before anything is printed.
fn send(
    ctx: &Ctx,
    locked: &Locked,
    mut stored: Stored,
    refresh_token: Secret<String>,
    now: u64,
) -> Result<(Stored, bool)> {
    let profile = &ctx.settings.profile;
    let target = Target::of(ctx, &stored)?;
    let client_id = stored.creds.client_id.clone();
    let client = target.client(&client_id);
    // Ctrl-C from here cuts the request short rather than the process: what became of
    // the refresh token is stored first (still good when it provably never left). Armed
    // before the mark below, so that no Ctrl-C can end the process between marking a
    // refresh token as sent and sending it.
    let armed = crate::http::Interruptible::arm();
    // Written before the refresh token leaves: if this process dies or the answer is
    // lost, later runs know not to send it again.
    stored.creds.refresh_pending = true;
    locked
        .save(&mut stored)
        .context("storing the refresh state")?;
    // Nothing reaches stderr from here until the answer is stored (the messages wait in
    // memory and are written when this function returns): a terminal or a stderr that
    // fails can then never come between a rotated refresh token and its storing.
    let _hold = output::hold();
    let answer = oauth::refresh(&ctx.http, &client, &refresh_token);
    // Only Attio's REST API has `/v2/self` to ask for a lifetime the answer left out.
    let ask_identity = stored.meta.mcp.is_none().then(|| {
        (
            stored.meta.api_url.clone(),
            stored.meta.login_again(profile).log_in(),
        )
    });
    let settled = rules::settle(
        &mut stored.creds,
        stored.meta.mcp.as_mut(),
        answer,
        refresh_token,
        now,
        |token| {
            let (api_url, rejected) = ask_identity?;
            identity_exp(ctx, &api_url, token, rejected)
        },
    );
    let outcome = store_settled(ctx, locked, stored, settled);
    drop(armed);
    if crate::http::Interruptible::happened() {
        return Err(interrupted(&outcome));
    }
    outcome
}

/// Stores what the answer meant, and what the caller gets: the refreshed profile, or
/// why there is none.
fn store_settled(
    ctx: &Ctx,
    locked: &Locked,
    mut stored: Stored,
    settled: Settled,
) -> Result<(Stored, bool)> {
    let profile = &ctx.settings.profile;
    match settled {
        Settled::Refreshed => {
            locked
                .save(&mut stored)
                .context("storing the refreshed tokens")?;
            Ok((stored, true))
        }
        Settled::Refused(why) => {
            save_or_warn(locked, &mut stored);
            Err(refused(stored.meta.login_again(profile), &why))
        }
        Settled::Unsent(why) => {
            save_or_warn(locked, &mut stored);
            Err(why)
        }
        Settled::Rotated(why) => {
            locked
                .save(&mut stored)
                .context("storing the new refresh token of an unusable answer")?;
            Err(Failure::new(
                Kind::Failed,
                format!(
                    "{why}; its new refresh token was stored, so `attio-auth refresh` can try again"
                ),
            )
            .into())
        }
        Settled::Unknown(why) => Err(Failure::new(Kind::Failed, why)
            .advise(Advice::RefreshOutcomeUnknown(
                stored.meta.login_again(profile).command(),
            ))
            .into()),
    }
}

/// Where a profile's refresh token goes, and how its client is known there: an Attio
/// app's token endpoint under the app URL that issued it, with the app's secret; or a
/// hosted MCP server's authorization server, as stored at login, as a public client
/// asking for the server as the resource.
enum Target {
    App {
        app_url: url::Url,
        client_secret: Secret<String>,
    },
    Hosted {
        token_url: url::Url,
        resource: String,
    },
}

impl Target {
    fn of(ctx: &Ctx, stored: &Stored) -> Result<Target> {
        let profile = &ctx.settings.profile;
        if let Some(hosted) = &stored.meta.mcp {
            let token_url =
                crate::mcp::discovery::checked_url(&hosted.token_endpoint, "stored token endpoint")
                    .map_err(|e| {
                        Failure::new(Kind::LoginAgain, format!("{e:#}"))
                            .advise(profile::clean_up(profile))
                    })?;
            return Ok(Target::Hosted {
                token_url,
                resource: hosted.url.clone(),
            });
        }
        let app_url = ctx.settings.app_url.for_stored(profile, stored.issuer())?;
        let client_secret = stored
            .creds
            .client_secret
            .clone()
            .or_else(|| ctx.settings.client_secret.clone())
            .ok_or_else(|| {
                Failure::new(
                    Kind::LoginAgain,
                    format!("profile `{profile}` has no client secret stored to refresh with"),
                )
                .advise(stored.meta.login_again(profile).log_in())
            })?;
        Ok(Target::App {
            app_url,
            client_secret,
        })
    }

    fn client<'a>(&'a self, client_id: &'a str) -> oauth::Client<'a> {
        match self {
            Target::App {
                app_url,
                client_secret,
            } => oauth::Client::app(app_url, client_id, client_secret),
            Target::Hosted {
                token_url,
                resource,
            } => oauth::Client {
                token_url: token_url.clone(),
                client_id,
                client_secret: None,
                resource: Some(resource),
            },
        }
    }
}

/// Refuses a setting that names another app URL than the one that issued an app
/// profile's tokens (a hosted-MCP profile's token endpoint is stored with it: the
/// settings' URLs do not apply).
fn check_issuer(ctx: &Ctx, stored: &Stored) -> Result<()> {
    if stored.meta.mcp.is_none() {
        ctx.settings
            .app_url
            .for_stored(&ctx.settings.profile, stored.issuer())?;
    }
    Ok(())
}

/// Ctrl-C during a refresh: exit 130, with what became of it.
fn interrupted(outcome: &Result<(Stored, bool)>) -> anyhow::Error {
    let (said, next) = match outcome {
        Ok(_) => ("the refreshed tokens were stored".to_string(), None),
        Err(e) => (format!("{e:#}"), crate::failure::advice(e)),
    };
    let said = if said.contains("(Ctrl-C)") {
        said
    } else {
        format!("interrupted (Ctrl-C); {said}")
    };
    let failure = Failure::new(Kind::Exit(130), said);
    match next {
        Some(next) => failure.advise(next),
        None => failure,
    }
    .into()
}

/// Stores credentials after a failed refresh; a failure to do so only adds a warning to
/// the error the caller reports.
fn save_or_warn(locked: &Locked, stored: &mut Stored) {
    if let Err(e) = locked.save(stored) {
        output::warn(format!("{e:#}"));
    }
}

/// `/v2/self`'s `exp` for a token whose answer gave no lifetime (the one rule for a
/// grant's expiry). Failing to ask only means the expiry stays unknown.
fn identity_exp(ctx: &Ctx, api_url: &str, token: &Secret<String>, rejected: Advice) -> Option<u64> {
    let asked = ctx
        .settings
        .api_url
        .for_stored(&ctx.settings.profile, api_url)
        .and_then(|api_url| attio::identify(&ctx.http, &api_url, token, &|| rejected.clone()));
    match asked {
        Ok(identity) => identity.exp,
        Err(e) => {
            output::warn(format!(
                "the token endpoint gave no lifetime and /v2/self could not be asked ({e:#}); the new token is treated as long-lived until `attio-auth refresh`"
            ));
            None
        }
    }
}

/// The failure for a profile whose refresh token the server refused: the login is over.
fn refused(again: LoginAgain, reason: &str) -> anyhow::Error {
    let profile = again.profile;
    Failure::new(
        Kind::LoginAgain,
        format!("the login of profile `{profile}` was refused by Attio when it was last refreshed ({reason})"),
    )
    .advise(again.log_in())
    .into()
}

/// A refresh is due but an earlier one never finished. The refresh token is not sent
/// again; a token that has not expired yet (`usable`) is still handed out, with a warning.
fn unfinished(ctx: &Ctx, stored: Stored, usable: bool, now: u64) -> Result<(Stored, bool)> {
    let profile = &ctx.settings.profile;
    let again = stored.meta.login_again(profile).log_in();
    let why = format!(
        "an earlier refresh of profile `{profile}` did not finish and may have used up its refresh token, which is therefore not sent again (reuse can make Attio revoke the login)"
    );
    if usable {
        output::warn(format!(
            "{why}; using the current access token, which expires {}; {}",
            freshness::describe(stored.creds.expires_at, now),
            ctx.render(&again.next())
        ));
        return Ok((stored, false));
    }
    Err(Failure::new(Kind::LoginAgain, why).advise(again).into())
}

/// The failure when a refresh is needed but no refresh token was ever issued: the one
/// rule `token` and `refresh` share. A long-lived token needs nothing; one that expires
/// works until it does (exit 1 for a forced refresh, with when), then needs a new
/// login (exit 3, for both).
fn no_refresh_token(profile: &ProfileName, stored: &Stored, mode: Mode, now: u64) -> anyhow::Error {
    let expires = stored.creds.expires_at;
    let again = stored.meta.login_again(profile);
    match (expires, freshness::is_fresh(expires, now, 0), mode) {
        (None, _, _) => Failure::new(
            Kind::Failed,
            format!("profile `{profile}` has no refresh token: Attio issued a long-lived access token, which stays valid until the app is uninstalled; the stored token is kept"),
        )
        .advise(Advice::NothingToRefresh)
        .into(),
        (Some(_), true, Mode::Force) => Failure::new(
            Kind::Failed,
            format!(
                "profile `{profile}` has no refresh token, so its access token cannot be refreshed; it stays valid until it expires {}",
                freshness::describe(expires, now)
            ),
        )
        .advise(Advice::TokenLastsUntilExpiry(again.command()))
        .into(),
        (Some(_), _, _) => Failure::new(
            Kind::LoginAgain,
            format!(
                "the access token of profile `{profile}` expires {} and there is no refresh token",
                freshness::describe(expires, now)
            ),
        )
        .advise(again.log_in())
        .into(),
    }
}

#[cfg(test)]
mod tests {
    //! The shell around `rules`, at a fixed time, with a file store in a directory of
    //! its own: each case decides without sending anything.

    use super::*;
    use crate::credentials::Credentials;
    use crate::failure;
    use crate::freshness::Clock;
    use crate::paths::Paths;
    use crate::profile::ProfileMeta;
    use crate::store::StoreKind;

    const NOW: u64 = 1_796_644_800;

    /// A context for the default profile, whose files are under `dir`, at `now`.
    fn ctx(dir: &std::path::Path, now: u64) -> Ctx {
        let env = crate::settings::Environment::from_pairs([]);
        let settings = crate::settings::Settings::resolve(
            &Default::default(),
            &Default::default(),
            &env,
            || Ok(None),
        )
        .unwrap();
        Ctx {
            http: settings.http(),
            settings,
            paths: Paths {
                config: dir.join("config"),
                data: dir.join("data"),
            },
            clock: Clock::fixed(now),
        }
    }

    /// Stores a token obtained at NOW that expires an hour later.
    fn store(dir: &std::path::Path, refresh: bool, pending: bool) {
        let ctx = ctx(dir, NOW);
        let mut creds = Credentials::new(
            Secret::new("at_stored".into()),
            refresh.then(|| Secret::new("rt_stored".into())),
            Some(NOW + 3600),
            "client".into(),
            Some(Secret::new("cs_stored".into())),
            crate::attio::DEFAULT_APP_URL.into(),
            NOW,
        );
        creds.refresh_pending = pending;
        let mut meta = ProfileMeta::new(
            "client".into(),
            crate::attio::DEFAULT_APP_URL.into(),
            crate::attio::DEFAULT_API_URL.into(),
        );
        meta.store = StoreKind::File;
        let mut stored = Stored { meta, creds };
        ctx.repository().lock().unwrap().save(&mut stored).unwrap();
    }

    /// What `fresh` gives at `now`: the token and whether it refreshed, or the exit code
    /// and message.
    fn fresh_at(
        dir: &std::path::Path,
        now: u64,
        mode: Mode,
    ) -> Result<(String, bool), (u8, String)> {
        match fresh(&ctx(dir, now), mode) {
            Ok((stored, refreshed)) => Ok((stored.creds.access_token.expose().clone(), refreshed)),
            Err(e) => Err((failure::exit_code(&e), format!("{e:#}"))),
        }
    }

    #[test]
    fn the_clock_decides_what_the_stored_token_is_good_for() {
        let dir = tempfile::tempdir().unwrap();
        let at = |seconds: u64| NOW + seconds;
        let ok = || Ok(("at_stored".to_string(), false));
        store(dir.path(), false, false);
        // Fresh: handed out as it is.
        assert_eq!(fresh_at(dir.path(), at(0), Mode::IfExpiring(None)), ok());
        // Due, nothing to refresh it with, not expired: handed out (with a warning).
        assert_eq!(fresh_at(dir.path(), at(3550), Mode::IfExpiring(None)), ok());
        // `--min-ttl` beyond what is left: the same.
        assert_eq!(
            fresh_at(dir.path(), at(0), Mode::IfExpiring(Some(7200))),
            ok()
        );
        // Expired: log in again (exit 3).
        let expired = fresh_at(dir.path(), at(3600), Mode::IfExpiring(None)).unwrap_err();
        assert_eq!(expired.0, 3, "{}", expired.1);
        assert_eq!(
            expired.1,
            "refreshing the access token of profile `default`: the access token of profile `default` expires 2026-12-07T13:00:00Z (expired 0s ago) and there is no refresh token"
        );
        // A forced refresh of a token that still works: exit 1, saying until when.
        let forced = fresh_at(dir.path(), at(0), Mode::Force).unwrap_err();
        assert_eq!(forced.0, 1, "{}", forced.1);
        assert_eq!(
            forced.1,
            "refreshing the access token of profile `default`: profile `default` has no refresh token, so its access token cannot be refreshed; it stays valid until it expires 2026-12-07T13:00:00Z (in 1h)"
        );
    }

    #[test]
    fn an_unfinished_refresh_is_never_repeated_whatever_the_time() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path(), true, true);
        // Due but valid: the access token is handed out while it lasts.
        assert_eq!(
            fresh_at(dir.path(), NOW + 3550, Mode::IfExpiring(None)),
            Ok(("at_stored".to_string(), false))
        );
        // Expired, or forced: the login is over (exit 3), and nothing was sent.
        for (now, mode) in [(NOW + 3600, Mode::IfExpiring(None)), (NOW, Mode::Force)] {
            let (code, message) = fresh_at(dir.path(), now, mode).unwrap_err();
            assert_eq!(code, 3, "{message}");
            assert!(
                message.contains("did not finish and may have used up its refresh token"),
                "{message}"
            );
        }
    }
}
