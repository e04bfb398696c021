//! `attio-auth token`: a valid access token on stdout and nothing else.

use anyhow::Result;
use serde_json::json;

use crate::cli::{TokenArgs, TokenFormat};
use crate::context::Ctx;
use crate::output;
use crate::renew;

pub fn run(ctx: &Ctx, args: TokenArgs) -> Result<()> {
    let handout = renew::handout(ctx, args.min_ttl)?;
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
            "profile": ctx.settings.profile.as_str(),
            "source": handout.source,
        }))?,
    }
    Ok(())
}
