//! `attio-auth token`: a valid access token on stdout and nothing else.

use anyhow::Result;
use serde_json::json;

use crate::cli::{TokenArgs, TokenFormat};
use crate::context::Ctx;
use crate::output;
use crate::renew;
use crate::settings::TOKEN_PROFILE_VARIABLE;

pub fn run(ctx: &Ctx, args: TokenArgs) -> Result<()> {
    let handout = renew::handout(ctx, args.min_ttl)?;
    // A variable's token always wins over the profile's (`renew::handout`).
    let variable = ctx.settings.env_token.as_ref().map(|env| env.var);
    if let Some(var) = variable {
        output::note_at_terminal(format!(
            "the token comes from {var}, not from a stored profile (unset {var} to use profile `{}`)",
            ctx.settings.profile
        ));
    }
    // Every token here is an RFC 6750 b64token (checked when it was stored or read), so
    // it needs no escaping inside the quotes below.
    let token = handout.token.expose();
    let line = |text: &str| {
        if args.no_newline {
            output::raw(text.as_bytes())
        } else {
            output::data(text)
        }
    };
    match args.format() {
        TokenFormat::Raw => line(token)?,
        TokenFormat::Bearer => line(&format!("Bearer {token}"))?,
        TokenFormat::Header => line(&format!("Authorization: Bearer {token}"))?,
        TokenFormat::CurlConfig => line(&format!("header = \"Authorization: Bearer {token}\""))?,
        // Both names; and, for a profile's token, the profile, so that a later
        // attio-auth hands out that profile's current token instead of this copy.
        TokenFormat::Env => line(&match variable {
            Some(_) => format!("export ATTIO_ACCESS_TOKEN='{token}' ATTIO_API_KEY='{token}'"),
            None => format!(
                "export ATTIO_ACCESS_TOKEN='{token}' ATTIO_API_KEY='{token}' {TOKEN_PROFILE_VARIABLE}='{}'",
                ctx.settings.profile
            ),
        })?,
        TokenFormat::Json => output::json(&json!({
            "access_token": token,
            "expires_at": handout.expires_at,
            // A token from a variable belongs to no profile: the variable is named.
            "profile": variable.is_none().then(|| ctx.settings.profile.as_str()),
            "variable": variable,
            "source": handout.source,
        }))?,
    }
    Ok(())
}
