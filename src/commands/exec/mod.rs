//! `attio-auth exec -- CMD ARGS…`: runs a command with a fresh token in its environment,
//! so an MCP server or a script gets credentials without a token ever being written to a
//! file or shown on screen. With `--proxy` the command gets a loopback proxy instead
//! of a token (`proxy`), for programs that outlive one.

mod proxy;
mod start;

use std::process::Command;

use anyhow::Result;

use crate::cli::ExecArgs;
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::renew::{self, Mode};
use crate::secret::CHILD_WITHHELD;
use crate::settings::{TOKEN_PROFILE_VARIABLE, TOKEN_VARIABLES};

pub fn run(ctx: &Ctx, args: ExecArgs) -> Result<()> {
    // Both names by default: every Attio client reads ATTIO_API_KEY first, some only it.
    let variables: Vec<String> = if args.variables.is_empty() {
        TOKEN_VARIABLES.iter().map(|v| v.to_string()).collect()
    } else {
        args.variables
            .iter()
            .map(|v| v.trim().to_string())
            .collect()
    };
    if let Some(bad) = variables
        .iter()
        .find(|v| v.is_empty() || v.contains(['=', '\0']))
    {
        return Err(Failure::usage(format!("--env {bad:?} is not a valid variable name")).into());
    }
    // Always the profile's own token: an API key in this environment is exactly the
    // stale credential that must not reach the command.
    let (stored, _) = renew::fresh(ctx, Mode::IfExpiring(args.min_ttl)).map_err(|e| {
        // A key in the environment is never what exec hands out: say how to use it.
        match &ctx.settings.env_token {
            Some(env) if crate::failure::kind(&e) == Some(Kind::LoginAgain) => Failure::new(
                Kind::LoginAgain,
                format!(
                    "{}; exec hands out a stored profile's token, never {}",
                    e.root_cause(),
                    env.var
                ),
            )
            .advise(crate::advice::Advice::ExecWithEnvToken { var: env.var })
            .into(),
            _ => e,
        }
    })?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(rest);
    // A stale key left in the environment must not shadow the fresh token, and the
    // OAuth app's secret is ours alone.
    for name in CHILD_WITHHELD {
        command.env_remove(name);
    }
    command.env_remove(TOKEN_PROFILE_VARIABLE);
    let shown = program.to_string_lossy().into_owned();
    if args.proxy {
        // The command never holds a real token; an attio-auth it runs hands out the key.
        return Err(proxy::run(
            ctx,
            stored,
            command,
            &shown,
            &variables,
            args.min_ttl,
        ));
    }
    for variable in &variables {
        command.env(variable, stored.creds.access_token.expose());
    }
    // An attio-auth the command runs then knows the token is this profile's, and hands
    // out its current one, refreshed, instead of the copy (`Settings::resolve`).
    if variables
        .iter()
        .any(|v| TOKEN_VARIABLES.contains(&v.as_str()))
    {
        command.env(TOKEN_PROFILE_VARIABLE, ctx.settings.profile.as_str());
    }
    Err(exec(command, &shown))
}

/// Replaces this process with the command (Unix), so signals and the exit status are
/// the command's own. Returns only on failure.
#[cfg(unix)]
fn exec(mut command: Command, shown: &str) -> anyhow::Error {
    use std::os::unix::process::CommandExt;
    start::failure(command.exec(), shown)
}

/// Runs the command and exits with its status (platforms without `exec`).
#[cfg(not(unix))]
fn exec(mut command: Command, shown: &str) -> anyhow::Error {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => start::failure(e, shown),
    }
}
