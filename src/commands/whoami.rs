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
    if let Some(hosted) = handout.stored.as_ref().and_then(|s| s.meta.mcp.clone()) {
        return hosted_mcp(ctx, &args, &handout, &hosted, &required);
    }
    let api_url = match &handout.stored {
        Some(stored) => ctx
            .settings
            .api_url
            .for_stored(profile, &stored.meta.api_url)?,
        None => ctx.settings.api_url.for_env_token()?,
    };
    let identity = attio::identify(&ctx.http, &api_url, &handout.token, &|| {
        handout.rejected(ctx)
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
            ctx.clock.now(),
        ))?;
    }
    let missing = scopes::missing(&identity.scopes, &required);
    if !missing.is_empty() {
        return Err(scopes::failure(&missing, &identity.scopes));
    }
    Ok(())
}

/// `whoami` of a hosted-MCP login: the server's `initialize` answer, the authorization
/// server, the scopes asked for and the expiry.
fn hosted_mcp(
    ctx: &Ctx,
    args: &WhoamiArgs,
    handout: &renew::Handout,
    hosted: &crate::mcp::Hosted,
    required: &[String],
) -> Result<()> {
    let profile = &ctx.settings.profile;
    let server = crate::mcp::initialize(&ctx.http, &hosted.url, &handout.token, &|| {
        handout.rejected(ctx)
    })
    .context("asking the hosted MCP server whether it takes the token")?;
    if args.json {
        output::json(&serde_json::json!({
            "profile": profile.as_str(),
            "store": handout.source,
            "server": hosted.url,
            "server_name": server.name,
            "server_version": server.version,
            "protocol_version": server.protocol_version,
            "issuer": hosted.issuer,
            "scopes": hosted.scopes,
            "expires_at": handout.expires_at,
        }))?;
    } else {
        output::report(&format!(
            "Profile:    {profile}\n\
             Server:     {} ({} {}, MCP {})\n\
             Issuer:     {}\n\
             Scopes:     {}\n\
             Expires:    {}\n\
             Stored in:  {}",
            hosted.url,
            server.name,
            server.version,
            server.protocol_version,
            hosted.issuer,
            scopes::listed(&hosted.scopes),
            freshness::describe(handout.expires_at, ctx.clock.now()),
            handout.location,
        ))?;
    }
    let missing = scopes::missing(&hosted.scopes, required);
    if !missing.is_empty() {
        return Err(scopes::failure(&missing, &hosted.scopes));
    }
    Ok(())
}

/// The identity as lines for a person.
pub fn describe_identity(
    profile: &str,
    identity: &attio::Identity,
    expires_at: Option<u64>,
    location: &str,
    now: u64,
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
        freshness::describe(expires_at, now),
    )
}
