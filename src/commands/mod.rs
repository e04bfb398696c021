//! One file per subcommand. Each composes the profile repository, the settings and the
//! HTTP client, and keeps only its own policy.

mod completions;
mod config;
mod doctor;
mod exec;
mod login;
mod login_mcp;
mod logout;
mod man;
mod mcp;
mod mcp_config;
mod refresh;
mod status;
mod switch;
mod token;
mod whoami;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::output;
use crate::paths::Paths;
use crate::settings::{Environment, Implied, Settings};

/// The stored profiles' names, one per line, for the completion scripts
/// ([`crate::cli::COMPLETE_PROFILES`]): whatever goes wrong, nothing is listed, quietly.
pub fn complete_profiles() -> u8 {
    let names = Paths::from_env()
        .and_then(|paths| crate::profile::list(&paths))
        .unwrap_or_default();
    for name in names {
        if output::data(name.as_str()).is_err() {
            break;
        }
    }
    0
}

/// Runs one subcommand: builds the real dependencies (directories, config file, settings,
/// HTTP client) for the commands that need them. `implied` is set, once the settings are
/// known, to the profile a command naming none would use: the words of an error's next
/// step depend on it (`main` puts them together).
pub fn run(cli: Cli, env: &Environment, implied: &mut Implied) -> Result<()> {
    let Some(command) = cli.command else {
        // A bare `attio-auth` asks what the tool does.
        output::raw(Cli::command().render_help().to_string().as_bytes())?;
        return Ok(());
    };
    // Need no storage, so they work even where no home directory is known.
    if let Command::Completions(args) = &command {
        return completions::run(args.shell);
    }
    if let Command::Man = command {
        return man::run();
    }
    let paths = Paths::from_env()?;
    paths.move_roaming_store()?;
    let config_path = crate::config::path(&paths, env.config_path());
    if env.config_path().is_some() && std::fs::symlink_metadata(&config_path).is_err() {
        output::warn(format!(
            "ATTIO_AUTH_CONFIG names {}, which does not exist: no configuration file is read",
            config_path.display()
        ));
    }
    if let Command::Config(args) = &command {
        return config::run(&config_path, args);
    }
    // Reports a bad config file or variable instead of stopping at it.
    if let Command::Doctor(args) = &command {
        return doctor::run(&cli.global, env, paths, &config_path, args);
    }
    // config.toml holds defaults for `login` only: any other command works without it.
    let file = match (&command, crate::config::load(&config_path)) {
        (_, Ok(file)) => file,
        (Command::Login(_), Err(e)) => return Err(e),
        (_, Err(e)) => {
            output::warn(format!(
                "ignoring the configuration file, which only `login` needs: {e:#}"
            ));
            crate::config::Config::default()
        }
    };
    // `switch` replaces the default, so an unreadable one must not stop it.
    let replacing_default = matches!(command, Command::Switch(_));
    let settings = Settings::resolve(
        &cli.global,
        &file,
        env,
        || match crate::profile::default::read(&paths) {
            Err(_) if replacing_default => Ok(None),
            read => read,
        },
    )?;
    *implied = settings.implied(&paths);
    let ctx = Ctx {
        http: settings.http(),
        settings,
        paths,
        clock: crate::freshness::Clock::SYSTEM,
    };
    let outcome = match command {
        Command::Login(args) if args.mcp => login_mcp::run(&ctx, args),
        Command::Login(args) => login::run(&ctx, args),
        Command::Token(args) => token::run(&ctx, args),
        Command::Refresh => refresh::run(&ctx),
        Command::Whoami(args) => whoami::run(&ctx, args),
        Command::Logout(args) => logout::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Exec(args) => exec::run(&ctx, args),
        Command::McpConfig(args) => mcp_config::run(&ctx, env, &args),
        Command::Mcp => mcp::run(&ctx),
        Command::Switch(args) => switch::run(&ctx, args),
        Command::Completions(_) | Command::Config(_) | Command::Man | Command::Doctor(_) => {
            unreachable!("handled before the context is built")
        }
    };
    outcome.map_err(|e| explain_missing_bus(e, env))
}

/// A keyring out of reach because this process has no session bus (an MCP host's, cron's
/// or a service's minimal environment): the error names what is missing, and how to pass
/// it on.
fn explain_missing_bus(err: anyhow::Error, env: &Environment) -> anyhow::Error {
    if crate::failure::kind(&err) != Some(Kind::KeyringUnavailable) {
        return err;
    }
    let Some(why) = env.no_session_bus() else {
        return err;
    };
    Failure::new(Kind::KeyringUnavailable, format!("{err:#}; {why}"))
        .advise(crate::advice::Advice::PassSessionBus)
        .into()
}
