//! `attio-auth refresh`: refresh the access token now.

use anyhow::Result;

use crate::context::Ctx;
use crate::freshness;
use crate::output;
use crate::renew::{self, Mode};

pub fn run(ctx: &Ctx) -> Result<()> {
    let (stored, refreshed) = renew::fresh(ctx, Mode::Force)?;
    let expiry = freshness::describe(stored.creds.expires_at, ctx.clock.now());
    let profile = &ctx.settings.profile;
    if refreshed {
        output::info(format!(
            "Refreshed the access token of profile `{profile}`; it expires {expiry}."
        ));
    } else {
        output::info(format!(
            "Another attio-auth process just refreshed the access token of profile `{profile}`; it expires {expiry}."
        ));
    }
    Ok(())
}
