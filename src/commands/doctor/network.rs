//! The checks that ask the network: the hosts and the clock, and every profile against
//! Attio's `/v2/self` (or, offline, from its metadata).

use std::time::Instant;

use anyhow::Result;
use url::Url;

use super::report::{CLOCK_SKEW_LIMIT, Report, Status, selected};
use super::setup::KeyringGone;
use crate::advice::Advice;
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::health::{self, Check, Entry};
use crate::http::Http;
use crate::http::Pool;
use crate::profile::{self, ProfileMeta};
use crate::store::StoreKind;

/// The app and API URLs: the ones the selected profile's tokens go to
/// (`Settings::stored_urls`), or those a login would use when it is not logged in.
fn hosts(ctx: &Ctx, metas: &[Entry]) -> [(&'static str, Result<Url>); 2] {
    let (profile, settings) = (&ctx.settings.profile, &ctx.settings);
    match selected(ctx, metas) {
        Some(meta) => [
            (
                "app URL",
                settings.app_url.for_stored(profile, &meta.app_url),
            ),
            (
                "API URL",
                settings.api_url.for_stored(profile, &meta.api_url),
            ),
        ],
        None => [
            ("app URL", settings.app_url.for_login(profile, None)),
            ("API URL", settings.api_url.for_login(profile, None)),
        ],
    }
}

/// How requests to the hosts go: directly or through which proxy, and where the trusted
/// certificates come from. Needs no network.
pub(super) fn check_route(report: &mut Report, ctx: &Ctx, metas: &[Entry]) {
    let routes: Vec<(String, String)> = hosts(ctx, metas)
        .into_iter()
        .filter_map(|(_, url)| url.ok())
        .map(|url| (url.origin().ascii_serialization(), ctx.http.route(&url)))
        .collect();
    let detail = match routes.as_slice() {
        [(a, first), (b, second)] if first == second => format!("{a} and {b} go {first}"),
        _ => routes
            .iter()
            .map(|(origin, route)| format!("{origin} goes {route}"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    if !detail.is_empty() {
        report.add("network", Status::Ok, detail);
    }
}

/// The app and API hosts answer, and the clock agrees with the API host's.
pub(super) fn check_hosts(report: &mut Report, ctx: &Ctx, metas: &[Entry]) {
    for (name, url) in hosts(ctx, metas) {
        let url = match url {
            Ok(url) => url,
            Err(e) => {
                report.add_error(name, Status::Fail, &e);
                continue;
            }
        };
        let started = Instant::now();
        match get(&ctx.http, &url) {
            Ok(response) => {
                report.add(
                    name,
                    Status::Ok,
                    format!(
                        "{url} answered (HTTP {}) in {} ms",
                        response.status().as_u16(),
                        started.elapsed().as_millis()
                    ),
                );
                if name == "API URL" {
                    check_clock(report, &url, &response, ctx.clock.now());
                }
            }
            Err(e) => report.add_error(name, Status::Fail, &e),
        }
    }
}

/// One plain `GET`, no credentials.
fn get(http: &Http, url: &Url) -> Result<oauth2::HttpResponse> {
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::GET)
        .uri(url.as_str())
        .body(Vec::new())
        .map_err(|e| anyhow::anyhow!("building the request to {url}: {e}"))?;
    http.send(request, Pool::Kept).map_err(|e| {
        let message = e.to_string();
        Failure::new(Kind::Failed, message).advise(*e.advice).into()
    })
}

/// The local clock against the `Date` header of the API host.
pub(super) fn check_clock(
    report: &mut Report,
    url: &Url,
    response: &oauth2::HttpResponse,
    now: u64,
) {
    let host = url.host_str().unwrap_or("the API host");
    let date = response
        .headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let Some(date) = date else {
        report.add(
            "clock",
            Status::Warn,
            format!("{host} sent no usable Date header, so the clock could not be compared"),
        );
        return;
    };
    let server = date
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let skew = i64::try_from(now).unwrap_or(i64::MAX) - i64::try_from(server).unwrap_or(i64::MAX);
    let how = match skew {
        0 => "agrees with".to_string(),
        s if s > 0 => format!("is {s} s ahead of"),
        s => format!("is {} s behind", -s),
    };
    if skew.abs() > CLOCK_SKEW_LIMIT {
        report.add_fix(
            "clock",
            Status::Warn,
            format!(
                "this machine's clock {how} {host}'s: token expiry and refresh timing will be off"
            ),
            Advice::SyncTheClock,
        );
    } else {
        report.add(
            "clock",
            Status::Ok,
            format!("this machine's clock {how} {host}'s (within {CLOCK_SKEW_LIMIT} s)"),
        );
    }
}

/// The profiles whose credentials are in a keyring that cannot be reached: each gets the
/// keyring row's finding and fix (nothing else of it can be known); the others are
/// returned.
fn without_keyring(report: &mut Report, metas: &[Entry], gone: Option<&KeyringGone>) -> Vec<Entry> {
    let mut others = Vec::new();
    for (name, meta) in metas {
        match (meta, gone) {
            (Ok(meta), Some(gone)) if meta.store == StoreKind::Keyring => report.add_fix(
                format!("profile {name}"),
                Status::Fail,
                format!(
                    "its credentials are in the keyring, which cannot be reached ({})",
                    gone.why
                ),
                gone.fix.clone(),
            ),
            _ => others.push((name.clone(), meta.clone())),
        }
    }
    others
}

/// Each profile's stored token against `/v2/self`, all at once.
pub(super) fn check_profiles_online(
    report: &mut Report,
    ctx: &Ctx,
    metas: &[Entry],
    gone: Option<&KeyringGone>,
) {
    let metas = &without_keyring(report, metas, gone);
    let checks = health::check_all(ctx, metas);
    for ((name, meta), check) in metas.iter().zip(checks) {
        let title = format!("profile {name}");
        let login = match meta {
            Ok(meta) => meta.login_again(name).command(),
            Err(_) => profile::login_command(name),
        };
        match check {
            Some(check @ (Check::Live(_) | Check::Served(_))) => {
                let live = match &check {
                    Check::Live(identity) => format!(
                        "live: workspace {} ({}), scopes {}",
                        identity.workspace_name.as_deref().unwrap_or("(unknown)"),
                        identity.workspace_slug.as_deref().unwrap_or("(unknown)"),
                        crate::scopes::listed(&identity.scopes)
                    ),
                    served => served.describe(),
                };
                match meta
                    .as_ref()
                    .ok()
                    .and_then(|meta| ends(meta, ctx.clock.now()))
                {
                    Some(why) => report.add_fix(
                        title,
                        Status::Warn,
                        format!("{live}; but {why}"),
                        Advice::LogInBeforeExpiry(login),
                    ),
                    None => report.add(title, Status::Ok, live),
                }
            }
            Some(Check::LoginAgain(why)) => report.add_fix(
                title,
                Status::Fail,
                format!("needs a new login: {why}"),
                Advice::LogIn(login),
            ),
            Some(Check::Unreachable(why)) => report.add_fix(
                title,
                Status::Fail,
                format!("could not ask Attio: {why}"),
                Advice::CheckNetworkThenDoctor,
            ),
            None => {}
        }
    }
}

/// Each profile from its metadata alone (`--offline`).
pub(super) fn check_profiles_offline(
    report: &mut Report,
    metas: &[Entry],
    gone: Option<&KeyringGone>,
    now: u64,
) {
    let metas = &without_keyring(report, metas, gone);
    for (name, meta) in metas {
        let title = format!("profile {name}");
        match meta {
            Ok(meta) => {
                let expired = meta.expires_at.is_some_and(|at| at <= now);
                let expires = crate::freshness::describe(meta.expires_at, now);
                if expired && (!meta.has_refresh_token || meta.refresh_unfinished) {
                    let why = unfinished(meta).unwrap_or_else(|| "it has no refresh token".into());
                    report.add_fix(
                        title,
                        Status::Fail,
                        format!("expired ({expires}), and {why}"),
                        meta.login_again(name).log_in(),
                    );
                } else if let Some(why) = ends(meta, now) {
                    report.add_fix(
                        title,
                        Status::Warn,
                        format!("{why} (not checked with Attio: --offline)"),
                        Advice::LogInBeforeExpiry(meta.login_again(name).command()),
                    );
                } else {
                    report.add(
                        title,
                        Status::Ok,
                        format!(
                            "stored in the {} store; expires {expires} (not checked with Attio: --offline)",
                            meta.store.name()
                        ),
                    );
                }
            }
            Err(why) => report.add_fix(title, Status::Fail, why.clone(), profile::clean_up(name)),
        }
    }
}

/// What to say of a profile whose last refresh never finished (its refresh token is not
/// sent again, so the login ends when the access token expires).
fn unfinished(meta: &ProfileMeta) -> Option<String> {
    meta.refresh_unfinished.then(|| {
        "an earlier refresh did not finish (its outcome is unknown), so its refresh token is not sent again".into()
    })
}

/// The same, for a token still valid: when the login ends.
fn ends(meta: &ProfileMeta, now: u64) -> Option<String> {
    unfinished(meta).map(|why| {
        format!(
            "{why}: the login ends when the access token expires {}",
            crate::freshness::describe(meta.expires_at, now)
        )
    })
}
