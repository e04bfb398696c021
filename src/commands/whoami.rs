//! `attio-auth whoami`: who the stored token belongs to, according to `GET /v2/self`.

use anyhow::{Context, Result};
use serde_json::Value;

use super::Ctx;
use crate::attio;
use crate::cli::WhoamiArgs;
use crate::failure::{Failure, Kind};
use crate::freshness;
use crate::output;
use crate::renew;
use crate::scopes;

/// Refresh first when the token has less than this many seconds left.
const MIN_TTL: u64 = 60;

pub fn run(ctx: &Ctx, args: WhoamiArgs) -> Result<()> {
    let required = scopes::split(&args.require_scopes);
    warn_unknown(&required);
    let profile = &ctx.settings.profile;
    let handout = renew::handout(ctx, MIN_TTL)?;
    let api_url = ctx.api_url(handout.meta.as_ref())?;
    let identity = attio::identify(&ctx.http, &api_url, &handout.token, profile)
        .context("asking Attio who the token belongs to")?;
    if args.json {
        let mut object = identity.raw.clone();
        object.insert("profile".into(), Value::from(profile.as_str()));
        object.insert("store".into(), Value::from(handout.source));
        output::json(&Value::Object(object))?;
    } else {
        let expires = identity.exp.or(handout.expires_at);
        output::info(describe_identity(
            profile.as_str(),
            &identity,
            expires,
            &handout.location,
        ));
    }
    let missing = scopes::missing(&identity.scopes, &required);
    if !missing.is_empty() {
        return Err(scope_failure(&missing, &identity.scopes));
    }
    Ok(())
}

/// Warns about required scopes that are not Attio's spelling.
pub fn warn_unknown(scopes: &[String]) {
    for scope in scopes::unknown(scopes) {
        output::warn(format!(
            "`{scope}` is not a known Attio scope (Attio spells them like `record_permission:read-write`)"
        ));
    }
}

/// The exit-5 failure naming the missing scopes.
pub fn scope_failure(missing: &[&str], granted: &[String]) -> anyhow::Error {
    let granted = if granted.is_empty() {
        "none".to_string()
    } else {
        granted.join(", ")
    };
    Failure::new(
        Kind::ScopeMissing,
        format!("required scope not granted: {} (granted: {granted})", missing.join(", ")),
    )
    .hint("add the scope to the app at build.attio.com, have the workspace approve it, then log in again")
    .into()
}

/// The identity as lines for a person.
pub fn describe_identity(
    profile: &str,
    identity: &attio::Identity,
    expires_at: Option<u64>,
    location: &str,
) -> String {
    let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unknown)".into());
    let scopes = if identity.scopes.is_empty() {
        "(none)".into()
    } else {
        identity.scopes.join(", ")
    };
    format!(
        "Profile:    {profile}\n\
         Workspace:  {} ({}, id {})\n\
         Member:     {}\n\
         App:        {}\n\
         Scopes:     {scopes}\n\
         Expires:    {}\n\
         Stored in:  {location}",
        or_unknown(&identity.workspace_name),
        or_unknown(&identity.workspace_slug),
        or_unknown(&identity.workspace_id),
        or_unknown(&identity.member_id),
        or_unknown(&identity.client_id),
        freshness::describe(expires_at, freshness::now()),
    )
}
