//! One file per subcommand, and the context they share: validated settings, the tool's
//! directories and the (lazily built) HTTP client.

mod completions;
mod config;
mod exec;
mod login;
mod logout;
mod refresh;
mod status;
mod token;
mod whoami;

use anyhow::Result;
use url::Url;

use crate::cli::{Cli, Command};
use crate::failure::{Failure, Kind};
use crate::http::Http;
use crate::paths::Paths;
use crate::profile::{self, ProfileMeta};
use crate::settings::{self, DEFAULT_API_URL, DEFAULT_APP_URL, Settings};

/// What every command works with.
pub struct Ctx {
    pub settings: Settings,
    pub paths: Paths,
    pub http: Http,
}

impl Ctx {
    /// The app host: `--app-url`/`ATTIO_APP_URL`, else the profile's stored one, else Attio's.
    pub fn app_url(&self, meta: Option<&ProfileMeta>) -> Result<Url> {
        self.url(
            self.settings.app_url.as_ref(),
            meta.map(|m| m.app_url.as_str()),
            DEFAULT_APP_URL,
        )
    }

    /// The API host: `--api-url`/`ATTIO_API_URL`, else the profile's stored one, else Attio's.
    pub fn api_url(&self, meta: Option<&ProfileMeta>) -> Result<Url> {
        self.url(
            self.settings.api_url.as_ref(),
            meta.map(|m| m.api_url.as_str()),
            DEFAULT_API_URL,
        )
    }

    /// Applies the precedence explicit > stored > default, re-checking a stored URL.
    fn url(&self, explicit: Option<&Url>, stored: Option<&str>, default: &str) -> Result<Url> {
        if let Some(url) = explicit {
            return Ok(url.clone());
        }
        let Some(stored) = stored else {
            return settings::base_url(default, "built-in default");
        };
        let profile = &self.settings.profile;
        settings::base_url(stored, "stored URL").map_err(|e| {
            Failure::new(
                Kind::LoginAgain,
                format!("the metadata of profile `{profile}` holds an unusable URL ({e})"),
            )
            .hint(profile::clean_up_hint(profile))
            .into()
        })
    }
}

/// Runs one subcommand: builds the real dependencies (directories, config file, settings,
/// HTTP client) for the commands that need them.
pub fn run(cli: Cli) -> Result<()> {
    // Needs no storage, so it works even where no home directory is known.
    if let Command::Completions(args) = &cli.command {
        return completions::run(args.shell);
    }
    let paths = Paths::from_env()?;
    if let Command::Config(args) = &cli.command {
        return config::run(&paths, args);
    }
    let file = crate::config::load(&paths)?;
    let settings = Settings::resolve(&cli.global, &file, |name| std::env::var(name).ok())?;
    let ctx = Ctx {
        settings,
        paths,
        http: Http::new(std::time::Duration::from_secs(cli.global.http_timeout)),
    };
    match cli.command {
        Command::Login(args) => login::run(&ctx, args),
        Command::Token(args) => token::run(&ctx, args),
        Command::Refresh => refresh::run(&ctx),
        Command::Whoami(args) => whoami::run(&ctx, args),
        Command::Logout(args) => logout::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Exec(args) => exec::run(&ctx, args),
        Command::Completions(_) | Command::Config(_) => {
            unreachable!("handled before the context is built")
        }
    }
}
