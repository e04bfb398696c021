//! `attio-auth status`: the stored profiles, from their metadata alone (no network call,
//! no keyring access, no secret). The report is what was asked for, so it goes to stdout.

use anyhow::Result;
use serde_json::{Value, json};

use crate::cli::{StatusArgs, StoreKind};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::freshness;
use crate::output;
use crate::profile::{self, ProfileMeta, ProfileName, Repository};
use crate::settings::ProfileSource;

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
        ProfileSource::Default => profile::list(&ctx.paths)?,
    };
    let entries: Vec<(ProfileName, Result<ProfileMeta, String>)> = names
        .into_iter()
        .map(|name| {
            let repo = Repository::new(&ctx.paths, &name, ctx.settings.lock_timeout);
            let meta = match repo.meta() {
                Ok(Some(meta)) => Ok(meta),
                Ok(None) => Err("metadata vanished while reading".to_string()),
                Err(e) => Err(format!("{e:#}")),
            };
            (name, meta)
        })
        .collect();
    let overridden_by = ctx.settings.env_token.as_ref().map(|env| env.var);
    if args.json {
        let list = entries
            .iter()
            .map(|(name, meta)| as_json(ctx, name, meta))
            .collect();
        output::json(&json!({
            "env_override": overridden_by,
            "profiles": Value::Array(list),
        }))?;
    } else {
        let mut report = Vec::new();
        if let Some(var) = overridden_by {
            report.push(format!(
                "{var} is set: `token` and `whoami` use it instead of any stored profile (`exec` does not)."
            ));
        }
        let now = freshness::now();
        report.extend(entries.iter().map(|(name, meta)| match meta {
            Ok(meta) => describe(ctx, name, meta, now),
            Err(why) => format!("{name}\n  Unusable:   {why}"),
        }));
        if !report.is_empty() {
            output::report(&report.join("\n\n"))?;
        }
    }
    if entries.is_empty() {
        return Err(Failure::new(Kind::LoginAgain, "no profile is logged in")
            .hint("run `attio-auth login`")
            .into());
    }
    Ok(())
}

/// One profile for people.
fn describe(ctx: &Ctx, name: &ProfileName, meta: &ProfileMeta, now: u64) -> String {
    let mut expires = freshness::describe(meta.expires_at, now);
    if meta.expires_at.is_some() {
        expires.push_str(if meta.has_refresh_token {
            " (refreshed automatically)"
        } else {
            " (no refresh token: log in again then)"
        });
    }
    let mut stored_in =
        Repository::new(&ctx.paths, name, ctx.settings.lock_timeout).location(meta.store);
    if meta.keyring_fallback {
        stored_in.push_str(" (no OS keyring was running at login)");
    }
    format!(
        "{name}\n  Workspace:  {} ({})\n  Scopes:     {}\n  Expires:    {expires}\n  Stored in:  {stored_in}",
        meta.workspace_name.as_deref().unwrap_or("(unknown)"),
        meta.workspace_slug.as_deref().unwrap_or("(unknown)"),
        if meta.scopes.is_empty() {
            "(none)".into()
        } else {
            meta.scopes.join(", ")
        },
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
                StoreKind::Keyring => None,
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
            "logged_in_at": meta.logged_in_at,
            "app_url": meta.app_url,
            "api_url": meta.api_url,
        }),
        Err(why) => json!({ "profile": name.as_str(), "error": why }),
    }
}
