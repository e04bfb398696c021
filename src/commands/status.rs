//! `attio-auth status`: the stored profiles, from their metadata alone (no network call,
//! no keyring access, no secret), and with `--check` what Attio says of each stored
//! token. The report is what was asked for, so it goes to stdout.

use anyhow::Result;
use serde_json::{Value, json};

use crate::advice::Advice;
use crate::cli::StatusArgs;
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::freshness;
use crate::health::{Check, Entry, check_all, read_all};
use crate::names::ProfileName;
use crate::output;
use crate::profile::{self, ProfileMeta};
use crate::settings::ProfileSource;
use crate::store::StoreKind;

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    let names = match ctx.settings.profile_source {
        // `--profile X` or ATTIO_PROFILE: that profile only.
        ProfileSource::Flag | ProfileSource::Variable => {
            let repo = ctx.repository();
            if !profile::list(&ctx.paths)?.contains(&ctx.settings.profile) {
                return Err(repo.unknown());
            }
            vec![ctx.settings.profile.clone()]
        }
        ProfileSource::Switched | ProfileSource::Default => profile::list(&ctx.paths)?,
    };
    // The profile commands use when none is named (`switch` sets it).
    let default = match ctx.settings.profile_source {
        ProfileSource::Switched | ProfileSource::Default => ctx.settings.profile.clone(),
        ProfileSource::Flag | ProfileSource::Variable => profile::default::read(&ctx.paths)
            .ok()
            .flatten()
            .unwrap_or_else(ProfileName::fallback),
    };
    let entries = read_all(ctx, names);
    let checks: Vec<Option<Check>> = if args.check {
        check_all(ctx, &entries)
    } else {
        entries.iter().map(|_| None).collect()
    };
    if args.json {
        show_json(ctx, &entries, &checks, &default)?;
    } else {
        show_text(ctx, &entries, &checks, &default)?;
    }
    if entries.is_empty() {
        return Err(Failure::new(Kind::LoginAgain, "no profile is logged in")
            .advise(Advice::LogInFirst)
            .into());
    }
    check_outcome(&entries, &checks)
}

/// The profiles as one JSON document on stdout.
fn show_json(
    ctx: &Ctx,
    entries: &[Entry],
    checks: &[Option<Check>],
    default: &ProfileName,
) -> Result<()> {
    let list = entries
        .iter()
        .zip(checks)
        .map(|((name, meta), check)| {
            let mut value = as_json(ctx, name, meta);
            if let Value::Object(object) = &mut value {
                object.insert("default".into(), Value::from(name == default));
            }
            if let (Some(check), Value::Object(object)) = (check, &mut value) {
                object.insert(
                    "active".into(),
                    check.active().map_or(Value::Null, Value::from),
                );
                if let Some(why) = check.problem() {
                    // May quote a server: scrubbed like every message.
                    object.insert("check_error".into(), Value::from(crate::secret::scrub(why)));
                }
            }
            value
        })
        .collect();
    output::json(&json!({
        "env_override": ctx.settings.env_token.as_ref().map(|env| env.var),
        "profiles": Value::Array(list),
    }))?;
    Ok(())
}

/// The profiles as blocks of lines for people.
fn show_text(
    ctx: &Ctx,
    entries: &[Entry],
    checks: &[Option<Check>],
    default: &ProfileName,
) -> Result<()> {
    let mut report = Vec::new();
    if let Some(env) = &ctx.settings.env_token {
        report.push(format!(
            "{} is set: `token` and `whoami` use it instead of any stored profile (`exec` does not).",
            env.var
        ));
    }
    let now = ctx.clock.now();
    report.extend(entries.iter().zip(checks).map(|((name, meta), check)| {
        let mut block = match meta {
            Ok(meta) => format!("{name}\n{}", describe(ctx, name, meta, now)),
            Err(why) => format!("{name}\n  Unusable:   {why}"),
        };
        if name == default {
            block.push_str("\n  Default:    yes (commands without --profile use it)");
        }
        if let Some(check) = check {
            block.push_str(&format!("\n  Checked:    {}", check.describe()));
        }
        block
    }));
    if !report.is_empty() {
        output::report(&report.join("\n\n"))?;
    }
    Ok(())
}

/// The exit of `status --check`: 3 naming every profile that needs a new login, else 1
/// when any could not be checked.
fn check_outcome(entries: &[Entry], checks: &[Option<Check>]) -> Result<()> {
    let named = |want: fn(&Check) -> bool| -> Vec<&str> {
        entries
            .iter()
            .zip(checks)
            .filter(|(_, check)| check.as_ref().is_some_and(want))
            .map(|((name, _), _)| name.as_str())
            .collect()
    };
    let again = named(|c| matches!(c, Check::LoginAgain(_)));
    if !again.is_empty() {
        let logins = entries
            .iter()
            .filter(|(name, _)| again.contains(&name.as_str()))
            .map(|(name, meta)| match meta {
                Ok(meta) => meta.login_again(name).command(),
                Err(_) => profile::login_command(name),
            })
            .collect();
        return Err(Failure::new(
            Kind::LoginAgain,
            format!("Attio no longer accepts the login of: {}", again.join(", ")),
        )
        .advise(Advice::LogInEach(logins))
        .into());
    }
    let unknown = named(|c| matches!(c, Check::Unreachable(_)));
    if !unknown.is_empty() {
        return Err(anyhow::anyhow!(
            "could not check with Attio: {} (see above)",
            unknown.join(", ")
        ));
    }
    Ok(())
}

/// One profile for people.
fn describe(ctx: &Ctx, name: &ProfileName, meta: &ProfileMeta, now: u64) -> String {
    let mut expires = freshness::describe(meta.expires_at, now);
    if meta.expires_at.is_some() {
        expires.push_str(if meta.refresh_unfinished {
            " (not refreshed: an earlier refresh did not finish; log in again by then)"
        } else if meta.has_refresh_token {
            " (refreshed automatically)"
        } else {
            " (cannot be refreshed: there is no refresh token; log in again before then)"
        });
    }
    let mut stored_in = ctx.repository_of(name).location(meta);
    if meta.keyring_fallback {
        stored_in.push_str(" (no OS keyring was running at login)");
    }
    let what = match &meta.mcp {
        Some(hosted) => format!(
            "  Server:     {} (hosted MCP; authorization server {})",
            hosted.url, hosted.issuer
        ),
        None => format!(
            "  Workspace:  {} ({})",
            meta.workspace_name.as_deref().unwrap_or("(unknown)"),
            meta.workspace_slug.as_deref().unwrap_or("(unknown)"),
        ),
    };
    format!(
        "{what}\n  Scopes:     {}\n  Expires:    {expires}\n  Stored in:  {stored_in}",
        crate::scopes::listed(&meta.scopes),
    )
}

/// One profile for `status --json`: `location` is the credentials file's path (`null`
/// for the keyring, whose entry is named by `keyring_service` and `keyring_account`).
fn as_json(ctx: &Ctx, name: &ProfileName, meta: &Result<ProfileMeta, String>) -> Value {
    match meta {
        Ok(meta) => json!({
            "profile": name.as_str(),
            "store": meta.store,
            "location": match meta.store {
                StoreKind::File => Some(ctx.paths.credentials_file(name).display().to_string()),
                StoreKind::Keyring | StoreKind::Command => None,
            },
            "keyring_fallback": meta.keyring_fallback,
            "workspace_id": meta.workspace_id,
            "workspace_name": meta.workspace_name,
            "workspace_slug": meta.workspace_slug,
            "member_id": meta.member_id,
            "client_id": meta.client_id,
            "scopes": meta.scopes,
            "expires_at": meta.expires_at,
            "has_refresh_token": meta.has_refresh_token,
            "refresh_unfinished": meta.refresh_unfinished,
            "logged_in_at": meta.logged_in_at,
            "app_url": meta.app_url,
            "api_url": meta.api_url,
            "mcp_url": meta.mcp.as_ref().map(|hosted| hosted.url.as_str()),
        }),
        Err(why) => json!({ "profile": name.as_str(), "error": why }),
    }
}
