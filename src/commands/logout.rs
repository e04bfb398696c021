//! `attio-auth logout`: remove a profile (or every profile) from every place it could be
//! stored. It is also the way out of corrupt stored state, so it never needs to parse
//! what it removes, and it creates nothing for a profile that does not exist.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::cli::LogoutArgs;
use crate::context::Ctx;
use crate::failure::Failure;
use crate::names::ProfileName;
use crate::output;
use crate::profile;
use crate::settings::ProfileSource;

/// Attio documents no revocation endpoint; this says how to revoke server-side.
const REVOCATION_NOTE: &str = "Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).";

pub fn run(ctx: &Ctx, args: LogoutArgs) -> Result<()> {
    if args.all && ctx.settings.profile_source == ProfileSource::Flag {
        return Err(Failure::usage(format!(
            "--all removes every profile, so it cannot be combined with --profile {}",
            ctx.settings.profile
        ))
        .hint(format!(
            "run `attio-auth logout --profile {}` to remove that profile, or `attio-auth logout --all` to remove them all",
            ctx.settings.profile
        ))
        .into());
    }
    let profiles = if args.all {
        every_profile(ctx)?
    } else {
        vec![ctx.settings.profile.clone()]
    };
    let mut removed_any = false;
    for name in &profiles {
        let repo = ctx.repository_of(name);
        if !repo.exists_anywhere()? {
            continue;
        }
        let removed = repo.lock()?.remove()?;
        removed_any = true;
        let what = match removed.as_slice() {
            [] => "nothing but its lock file".to_string(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        output::info(format!("Logged out of profile `{name}`: removed {what}."));
        if !args.all && profile::default::forget_if(&ctx.paths, name)? {
            output::info(format!(
                "`{name}` was the default profile; commands without --profile use `default` again."
            ));
        }
    }
    if args.all {
        profile::default::forget(&ctx.paths)?;
    }
    if removed_any {
        output::info(REVOCATION_NOTE);
        return Ok(());
    }
    if args.all {
        output::info("No stored profiles: nothing to remove.");
        return Ok(());
    }
    Err(ctx.repository().unknown())
}

/// Profiles with metadata, or with anything in the file store or the lock directory.
fn every_profile(ctx: &Ctx) -> Result<Vec<ProfileName>> {
    let paths = &ctx.paths;
    let mut names: BTreeSet<ProfileName> = profile::list(paths)?.into_iter().collect();
    names.extend(profile::names_in(&paths.credentials_dir(), ".json")?);
    names.extend(profile::names_in(&paths.locks_dir(), ".lock")?);
    Ok(names.into_iter().collect())
}
