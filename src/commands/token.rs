//! `attio-auth token`: a valid access token on stdout and nothing else.

use anyhow::Result;
use serde_json::json;

use crate::cli::{TokenArgs, TokenFormat};
use crate::context::Ctx;
use crate::output;
use crate::renew;

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
    match args.format() {
        TokenFormat::Raw => output::data(token)?,
        TokenFormat::Header => output::data(&format!("Authorization: Bearer {token}"))?,
        TokenFormat::CurlConfig => {
            output::data(&format!("header = \"Authorization: Bearer {token}\""))?
        }
        TokenFormat::Env => output::data(&format!("export ATTIO_ACCESS_TOKEN='{token}'"))?,
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
