//! attio-auth: log in to Attio once with OAuth (PKCE), then hand fresh access tokens to
//! scripts. `main` only wires real dependencies together and turns the outcome into an
//! exit code; everything else lives in modules named after what they own.

mod advice;
mod attio;
mod browser;
mod cli;
mod commands;
mod config;
mod context;
mod credentials;
mod failure;
mod freshness;
mod health;
mod http;
mod loopback;
mod mcp;
mod names;
mod os;
mod output;
mod paths;
mod profile;
mod progress;
mod renew;
mod scopes;
mod secret;
mod secure_fs;
mod settings;
mod store;
mod terminal;

use clap::FromArgMatches;
use clap::error::ErrorKind;

/// std's own start-up runs first: it reopens closed descriptors 0 to 2 on `/dev/null`
/// (so a socket or file this process opens can never become its stdout or stderr) and
/// ignores SIGPIPE (so a closed stdout is an error we can see).
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

/// Parses arguments, runs the command and maps the result to a documented exit code.
fn run() -> u8 {
    os::no_core_dumps();
    output::install_panic_hook();
    let env = settings::Environment::capture();
    output::set_colour_allowed(env.colour_allowed());
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let [_, only] = args.as_slice()
        && only == cli::COMPLETE_PROFILES
    {
        return commands::complete_profiles();
    }
    let parsed = cli::command_for(&args[1.min(args.len())..])
        .try_get_matches_from(&args)
        .and_then(|mut matches| cli::Cli::from_arg_matches_mut(&mut matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    output::set_verbose(cli.global.verbose);
    let mut implied = settings::Implied::default();
    let outcome = commands::run(cli, &env, &mut implied);
    match outcome {
        Ok(()) => 0,
        Err(err) if failure::is_broken_pipe(&err) => 0,
        Err(err) => {
            let next = failure::next_step(&err).map(|next| next.render(|| implied.profile()));
            output::error(&format!("{err:#}"), next.as_deref());
            failure::exit_code(&err)
        }
    }
}

/// A command line clap refused, as one error line and one hint (exit 2). Help and
/// version requests are printed as clap prints them.
fn usage_error(err: &clap::Error) -> u8 {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // A closed stdout while printing help is the reader's choice.
        let _ = err.print();
        return u8::try_from(err.exit_code()).unwrap_or(2);
    }
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (message, hint) = cli::one_line(&err.render().to_string(), &args);
    output::error(&message, Some(&hint));
    2
}
