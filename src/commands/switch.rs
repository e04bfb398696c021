//! `attio-auth switch PROFILE`: makes a logged-in profile the default for commands that
//! name none (neither `--profile` nor `ATTIO_PROFILE`).

use anyhow::Result;

use crate::advice::Advice;
use crate::cli::SwitchArgs;
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::names::ProfileName;
use crate::output;
use crate::profile;
use crate::settings::ProfileSource;

pub fn run(ctx: &Ctx, args: SwitchArgs) -> Result<()> {
    if ctx.settings.profile_source == ProfileSource::Flag {
        return Err(
            Failure::usage("`switch` takes the profile as its argument, not --profile")
                .advise(Advice::SwitchWithoutProfile {
                    name: crate::output::shown(&args.name).to_string(),
                })
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
    let advice = Advice::SwitchAfterLogin {
        name: name.to_string(),
        guess: guess.map(str::to_string),
        login,
    };
    Failure::new(Kind::LoginAgain, message)
        .advise(advice)
        .into()
}
