//! `attio-auth logout`: delete a profile's (or every profile's) stored credentials and
//! metadata. It is also the way out of corrupt stored state, so it never needs to parse
//! what it removes.

use std::collections::BTreeSet;

use anyhow::Result;

use super::Ctx;
use crate::cli::{LogoutArgs, StoreKind};
use crate::failure::{Failure, Kind};
use crate::output;
use crate::profile::{self, ProfileName};
use crate::store::{self, Unavailable, lock};

/// Attio documents no revocation endpoint; this says how to revoke server-side.
const REVOCATION_NOTE: &str = "Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).";

pub fn run(ctx: &Ctx, args: LogoutArgs) -> Result<()> {
    let profiles = if args.all {
        every_profile(ctx)?
    } else {
        vec![ctx.settings.profile.clone()]
    };
    let mut removed_any = false;
    for profile in &profiles {
        let removed = remove_profile(ctx, profile)?;
        if removed.is_empty() {
            continue;
        }
        removed_any = true;
        output::info(format!(
            "Logged out of profile `{profile}`: removed {}.",
            removed.join(" and ")
        ));
    }
    if removed_any {
        output::info(REVOCATION_NOTE);
        return Ok(());
    }
    if args.all {
        output::info("No stored profiles: nothing to remove.");
        return Ok(());
    }
    let profile = &ctx.settings.profile;
    Err(Failure::new(
        Kind::LoginAgain,
        format!("profile `{profile}` is not logged in: nothing to remove"),
    )
    .into())
}

/// Profiles with metadata or with a file in the file store.
fn every_profile(ctx: &Ctx) -> Result<Vec<ProfileName>> {
    let mut names: BTreeSet<ProfileName> = profile::list(&ctx.paths)?.into_iter().collect();
    names.extend(profile::names_in(&ctx.paths.credentials_dir())?);
    Ok(names.into_iter().collect())
}

/// Removes one profile's secrets from every store that may hold them, then its metadata.
/// Returns descriptions of what was removed.
fn remove_profile(ctx: &Ctx, profile: &ProfileName) -> Result<Vec<String>> {
    // Not while another process refreshes: it would write the credentials back.
    let _lock = lock::acquire(&ctx.paths, profile)?;
    let recorded = profile::load(&ctx.paths, profile)
        .ok()
        .flatten()
        .map(|m| m.store);
    // The file store is always checked (it is the keyring's fallback); the keyring when the
    // metadata says so, or when it cannot say and the keyring is the configured store.
    let mut kinds = vec![StoreKind::File];
    if recorded == Some(StoreKind::Keyring)
        || (recorded.is_none() && ctx.settings.store == StoreKind::Keyring)
    {
        kinds.push(StoreKind::Keyring);
    }
    let mut removed = Vec::new();
    for kind in kinds {
        let store = store::open(kind, &ctx.paths);
        match store.delete(profile) {
            Ok(true) => removed.push(format!("its credentials from {}", store.location(profile))),
            Ok(false) => {}
            // Only a guess that the keyring held something: an absent keyring held nothing.
            Err(e) if recorded.is_none() && e.chain().any(|c| c.is::<Unavailable>()) => {}
            Err(e) => return Err(e),
        }
    }
    if profile::delete(&ctx.paths, profile)? {
        removed.push(format!(
            "its metadata ({})",
            ctx.paths.meta_file(profile).display()
        ));
    }
    Ok(removed)
}
