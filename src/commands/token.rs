//! `attio-auth token`: a valid access token on stdout and nothing else.

use anyhow::Result;
use serde_json::json;

use crate::cli::TokenArgs;
use crate::context::Ctx;
use crate::output;
use crate::renew;

pub fn run(ctx: &Ctx, args: TokenArgs) -> Result<()> {
    let handout = renew::handout(ctx, args.min_ttl)?;
    let token = handout.token.expose();
    if args.json {
        output::json(&json!({
            "access_token": token,
            "expires_at": handout.expires_at,
            "profile": ctx.settings.profile.as_str(),
            "source": handout.source,
        }))?;
    } else if args.header {
        output::data(&format!("Authorization: Bearer {token}"))?;
    } else {
        output::data(token)?;
    }
    Ok(())
}
