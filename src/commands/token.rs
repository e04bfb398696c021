//! `attio-auth token`: a valid access token on stdout and nothing else.

use anyhow::Result;

use super::Ctx;
use crate::cli::TokenArgs;
use crate::output;
use crate::renew::{self, Mode};

pub fn run(ctx: &Ctx, args: TokenArgs) -> Result<()> {
    let (session, _) = renew::fresh(ctx, Mode::IfExpiring(args.min_ttl))?;
    let token = session.creds.access_token.expose();
    if args.header {
        output::data(&format!("Authorization: Bearer {token}"))?;
    } else {
        output::data(token)?;
    }
    Ok(())
}
