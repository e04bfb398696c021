//! `attio-auth switch PROFILE`: makes a logged-in profile the default for commands that
//! name none (neither `--profile` nor `ATTIO_PROFILE`).

use anyhow::Result;

use crate::cli::SwitchArgs;
use crate::context::Ctx;
use crate::failure::{Failure, Kind, Next};
use crate::names::ProfileName;
use crate::output;
use crate::profile;
use crate::settings::ProfileSource;

pub fn run(ctx: &Ctx, args: SwitchArgs) -> Result<()> {
    if ctx.settings.profile_source == ProfileSource::Flag {
        return Err(
            Failure::usage("`switch` takes the profile as its argument, not --profile")
                .hint(format!(
                    "run `attio-auth switch {}` without --profile",
                    crate::output::shown(&args.name)
                ))
                .into(),
        );
    }
    let name = ProfileName::parse(&args.name)?;
    let stored = profile::list(&ctx.paths)?;
    if !stored.contains(&name) {
        return Err(not_logged_in(&name, &stored));
    }
    profile::default::write(&ctx.paths, &name)?;
    output::info(format!(
        "The default profile is now `{name}`: commands without --profile use it."
    ));
    if ctx.settings.profile_source == ProfileSource::Variable {
        output::warn(format!(
            "ATTIO_PROFILE is set (to `{}`) and still wins in this shell; unset it to use `{name}`",
            ctx.settings.profile
        ));
    }
    Ok(())
}

/// Switching to a profile that is not logged in: perhaps a typing mistake.
fn not_logged_in(name: &ProfileName, stored: &[ProfileName]) -> anyhow::Error {
    let (message, guess) = profile::not_logged_in(name, stored);
    let login = profile::login_command(name);
    let hint = match guess {
        Some(guess) => Next::from(format!("run `attio-auth switch {guess}`, or `"))
            .then(login)
            .then(format!("` first to log `{name}` in")),
        None => Next::from("run `")
            .then(login)
            .then(format!("` first, then `attio-auth switch {name}`")),
    };
    Failure::new(Kind::LoginAgain, message).hint(hint).into()
}
