//! One file per subcommand, and the context they share: validated settings, the tool's
//! directories and the (lazily built) HTTP client.

mod completions;
mod login;
mod logout;
mod refresh;
mod status;
mod token;
mod whoami;

use anyhow::Result;
use url::Url;

use crate::cli::Command;
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

/// Runs one subcommand.
pub fn run(command: Command, settings: Settings) -> Result<()> {
    // Needs no storage, so it works even where no home directory is known.
    if let Command::Completions(args) = &command {
        return completions::run(args.shell);
    }
    let ctx = Ctx {
        settings,
        paths: Paths::from_env()?,
        http: Http::default(),
    };
    match command {
        Command::Login(args) => login::run(&ctx, args),
        Command::Token(args) => token::run(&ctx, args),
        Command::Refresh => refresh::run(&ctx),
        Command::Whoami(args) => whoami::run(&ctx, args),
        Command::Logout(args) => logout::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Completions(_) => unreachable!("handled before the context is built"),
    }
}
