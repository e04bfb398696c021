//! `attio-auth logout`: remove a profile (or every profile) from every place it could be
//! stored. It is also the way out of corrupt stored state, so it never needs to parse
//! what it removes, and it creates nothing for a profile that does not exist.

use anyhow::Result;

use crate::advice::Advice;
use crate::cli::LogoutArgs;
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::names::ProfileName;
use crate::output;
use crate::profile::{self, Stored};
use crate::settings::ProfileSource;

/// Attio documents no revocation endpoint; this says how to revoke server-side.
const REVOCATION_NOTE: &str = "Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).";

pub fn run(ctx: &Ctx, args: LogoutArgs) -> Result<()> {
    if args.all && ctx.settings.profile_source == ProfileSource::Flag {
        return Err(Failure::usage(format!(
            "--all removes every profile, so it cannot be combined with --profile {}",
            ctx.settings.profile
        ))
        .advise(Advice::LogoutOneOrAll {
            profile: ctx.settings.profile.to_string(),
        })
        .into());
    }
    let profiles = if args.all {
        profile::list_with_leftovers(&ctx.paths)?
    } else {
        vec![ctx.settings.profile.clone()]
    };
    let mut removed_any = false;
    // Whether a login to an Attio app was removed (its tokens cannot be revoked).
    let mut app_removed = false;
    // With --all, a profile that cannot be removed (its lock held by another process, a
    // store that refuses) does not stop the others: they are named at the end.
    let mut kept = Vec::new();
    for name in &profiles {
        let removed = match remove(ctx, name, args.forget) {
            Ok(Some(removed)) => removed,
            Ok(None) => continue,
            Err(e) if args.all => {
                kept.push((name, e));
                continue;
            }
            Err(e) => return Err(unreachable_keyring(ctx, e, name, false)),
        };
        removed_any = true;
        app_removed |= announce(ctx, name, removed);
        if !args.all && profile::default::forget_if(&ctx.paths, name)? {
            output::info(format!(
                "`{name}` was the default profile; commands without --profile use `default` again."
            ));
        }
    }
    if args.all && removed_any {
        // A probe entry a killed `doctor` left in the keyring, which every removal above
        // has just asked; an unavailable keyring has none to remove.
        let _ = crate::store::KeyringStore.erase_probe();
    }
    if args.all && kept.is_empty() {
        profile::default::forget(&ctx.paths)?;
    } else if args.all {
        for name in profiles.iter().filter(|p| kept.iter().all(|(k, _)| k != p)) {
            profile::default::forget_if(&ctx.paths, name)?;
        }
    }
    if app_removed {
        output::info(REVOCATION_NOTE);
    }
    if let [(only, why)] = kept.as_slice()
        && is_unreachable_keyring(why)
    {
        let why = anyhow::anyhow!("{why:#}");
        return Err(unreachable_keyring(ctx, why, only, true));
    }
    if !kept.is_empty() {
        return Err(still_stored(&kept));
    }
    if removed_any {
        return Ok(());
    }
    if args.all {
        output::info("No stored profiles: nothing to remove.");
        return Ok(());
    }
    Err(ctx.repository().unknown())
}

/// What removing one profile did: what was removed, why its keyring entry was left (if
/// it was), and its hosted-MCP login to revoke now (read first, and only if it can be:
/// logout never needs to parse what it removes).
struct Removed {
    what: Vec<String>,
    left: Option<anyhow::Error>,
    revocable: Option<Stored>,
}

/// Removes one profile under its lock; `None` when nothing of it is stored.
fn remove(ctx: &Ctx, name: &ProfileName, forget: bool) -> Result<Option<Removed>> {
    let repo = ctx.repository_of(name);
    let revocable = repo.load().ok().filter(|stored| stored.meta.mcp.is_some());
    if !repo.exists_anywhere()? {
        return Ok(None);
    }
    let (what, left) = repo.lock()?.remove(forget)?;
    Ok(Some(Removed {
        what,
        left,
        revocable,
    }))
}

/// Says what was removed, and revokes a hosted-MCP login at its server. Returns whether
/// it was a login to an Attio app (whose tokens cannot be revoked).
fn announce(ctx: &Ctx, name: &ProfileName, removed: Removed) -> bool {
    let what = match removed.what.as_slice() {
        [] => "nothing but its lock file".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    output::info(format!("Logged out of profile `{name}`: removed {what}."));
    if let Some(why) = removed.left {
        let bus = missing_bus(ctx);
        output::warn(format!(
            "its entry in the OS keyring (service `attio-auth`, account `{name}`) was left there, since the keyring cannot be reached ({why:#}{bus}); remove it with the keyring's own tools once it can be (on Linux: `secret-tool clear service attio-auth account {name}`)"
        ));
    }
    match removed.revocable {
        Some(stored) => {
            revoke(ctx, &stored);
            false
        }
        None => true,
    }
}

/// The failure of `logout --all` for the profiles it could not remove.
fn still_stored(kept: &[(&ProfileName, anyhow::Error)]) -> anyhow::Error {
    let names: Vec<String> = kept.iter().map(|(name, _)| format!("`{name}`")).collect();
    let (first, why) = &kept[0];
    Failure::new(
        Kind::Failed,
        format!(
            "profile {} could not be logged out and is still stored: {why:#}",
            names.join(", ")
        ),
    )
    .advise(Advice::LogoutAgain {
        first: first.to_string(),
        more: kept.len() > 1,
    })
    .into()
}

/// `; why` when this process has no session bus (what keeps the keyring out of reach).
fn missing_bus(ctx: &Ctx) -> String {
    ctx.settings
        .no_session_bus
        .as_ref()
        .map(|why| format!("; {why}"))
        .unwrap_or_default()
}

fn is_unreachable_keyring(e: &anyhow::Error) -> bool {
    crate::failure::kind(e) == Some(Kind::KeyringUnavailable)
}

/// A profile the keyring holds, with the keyring out of reach: nothing was removed, and
/// the way on is the keyring, or `--forget`.
fn unreachable_keyring(
    ctx: &Ctx,
    e: anyhow::Error,
    name: &crate::names::ProfileName,
    all: bool,
) -> anyhow::Error {
    if !is_unreachable_keyring(&e) {
        return e;
    }
    let bus = missing_bus(ctx);
    let command = if all {
        "attio-auth logout --all".to_string()
    } else {
        format!("attio-auth logout --profile {name}")
    };
    Failure::new(
        Kind::Failed,
        format!(
            "profile `{name}` is kept in the OS keyring, which cannot be reached, so nothing of it was removed: {e:#}{bus}"
        ),
    )
    .advise(Advice::LogoutWhenKeyringAnswers {
        command: command.to_string(),
    })
    .into()
}

/// Revokes a removed hosted-MCP login at its authorization server: its refresh token
/// (which ends the grant), else its access token. A failure is a warning: the login is
/// gone from here either way.
fn revoke(ctx: &Ctx, stored: &crate::profile::Stored) {
    let Some(hosted) = &stored.meta.mcp else {
        return;
    };
    let (token, hint) = match &stored.creds.refresh_token {
        Some(refresh) => (refresh, "refresh_token"),
        None => (&stored.creds.access_token, "access_token"),
    };
    match crate::mcp::registration::revoke(&ctx.http, hosted, &stored.creds.client_id, token, hint)
    {
        Ok(true) => output::info(format!("Revoked its tokens at {}.", hosted.issuer)),
        Ok(false) => output::info(format!(
            "{} offers no token revocation: its tokens stay valid until they expire.",
            hosted.issuer
        )),
        Err(e) => output::warn(format!(
            "could not revoke its tokens at {} ({e:#}); they stay valid until they expire",
            hosted.issuer
        )),
    }
}
