//! `attio-auth whoami`: who the stored token belongs to, according to `GET /v2/self`.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::attio;
use crate::cli::WhoamiArgs;
use crate::context::Ctx;
use crate::freshness;
use crate::output;
use crate::renew;
use crate::scopes;

pub fn run(ctx: &Ctx, args: WhoamiArgs) -> Result<()> {
    let required = scopes::split(&args.require_scopes);
    scopes::warn_unknown(&required);
    let profile = &ctx.settings.profile;
    let handout = renew::handout(ctx, None)?;
    let api_url = match &handout.stored {
        Some(stored) => ctx
            .settings
            .api_url
            .for_stored(profile, &stored.meta.api_url)?,
        None => ctx.settings.api_url.for_env_token()?,
    };
    let identity = attio::identify(&ctx.http, &api_url, &handout.token, &|| {
        handout.rejected_hint(ctx)
    })
    .context("asking Attio who the token belongs to")?;
    if args.json {
        let mut object = identity.raw.clone();
        object.insert("profile".into(), Value::from(profile.as_str()));
        object.insert("store".into(), Value::from(handout.source));
        output::json(&Value::Object(object))?;
    } else {
        let expires = identity.exp.or(handout.expires_at);
        output::report(&describe_identity(
            profile.as_str(),
            &identity,
            expires,
            &handout.location,
        ))?;
    }
    let missing = scopes::missing(&identity.scopes, &required);
    if !missing.is_empty() {
        return Err(scopes::failure(&missing, &identity.scopes));
    }
    Ok(())
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
