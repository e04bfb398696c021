//! `attio-auth status`: the stored profiles, from their metadata alone (no network call,
//! no keyring access, no secret).

use anyhow::Result;
use serde_json::{Value, json};

use crate::cli::StatusArgs;
use crate::context::Ctx;
use crate::freshness;
use crate::output;
use crate::profile::{self, ProfileMeta, ProfileName, Repository};

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    let names = profile::list(&ctx.paths)?;
    let entries: Vec<(ProfileName, Result<Listed, String>)> = names
        .into_iter()
        .map(|name| {
            let repo = Repository::new(&ctx.paths, &name, ctx.settings.lock_timeout);
            let listed = match repo.meta() {
                Ok(Some(meta)) => Ok(Listed {
                    location: repo.location(meta.store),
                    meta,
                }),
                Ok(None) => Err("metadata vanished while reading".to_string()),
                Err(e) => Err(format!("{e:#}")),
            };
            (name, listed)
        })
        .collect();
    let overridden_by = ctx.settings.env_token.as_ref().map(|env| env.var);
    if args.json {
        let list = entries
            .iter()
            .map(|(name, listed)| as_json(name, listed))
            .collect();
        output::json(&json!({
            "env_override": overridden_by,
            "profiles": Value::Array(list),
        }))?;
        return Ok(());
    }
    if let Some(var) = overridden_by {
        output::info(format!(
            "{var} is set: `token` and `whoami` use it instead of any stored profile (`exec` does not).\n"
        ));
    }
    if entries.is_empty() {
        output::info("No stored profiles. Run `attio-auth login` to log in.");
        return Ok(());
    }
    let now = freshness::now();
    let blocks: Vec<String> = entries
        .iter()
        .map(|(name, listed)| match listed {
            Ok(Listed { meta, location }) => format!(
                "{name}\n  Workspace:  {} ({})\n  Scopes:     {}\n  Expires:    {}\n  Stored in:  {}",
                meta.workspace_name.as_deref().unwrap_or("(unknown)"),
                meta.workspace_slug.as_deref().unwrap_or("(unknown)"),
                if meta.scopes.is_empty() { "(none)".into() } else { meta.scopes.join(", ") },
                freshness::describe(meta.expires_at, now),
                location,
            ),
            Err(why) => format!("{name}\n  Unusable:   {why}"),
        })
        .collect();
    output::info(blocks.join("\n\n"));
    Ok(())
}

/// A profile as `status` shows it: its metadata and where its secret lives.
struct Listed {
    meta: ProfileMeta,
    location: String,
}

/// One profile for `status --json`.
fn as_json(name: &ProfileName, listed: &Result<Listed, String>) -> Value {
    match listed {
        Ok(Listed { meta, location }) => json!({
            "profile": name.as_str(),
            "store": meta.store,
            "location": location,
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
