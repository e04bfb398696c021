//! Every profile's health, for `status` and `doctor`: its metadata as stored, and what
//! Attio's `/v2/self` says of its token (asked for all profiles at once).

use crate::context::Ctx;
use crate::failure::Kind;
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::profile::ProfileMeta;
use crate::settings::Settings;

/// A listed profile and its metadata, or why that could not be read.
pub type Entry = (ProfileName, Result<ProfileMeta, String>);

/// The metadata of each named profile (an unreadable one is kept, with why).
pub fn read_all(ctx: &Ctx, names: Vec<ProfileName>) -> Vec<Entry> {
    names
        .into_iter()
        .map(|name| {
            let meta = match ctx.repository_of(&name).meta() {
                Ok(Some(meta)) => Ok(meta),
                Ok(None) => Err("metadata vanished while reading".to_string()),
                Err(e) => Err(format!("{e:#}")),
            };
            (name, meta)
        })
        .collect()
}

/// What Attio said of one profile's stored token.
pub enum Check {
    Live(Box<crate::attio::Identity>),
    /// A hosted MCP server took the token (its `initialize` answer).
    Served(Box<crate::mcp::ServerInfo>),
    /// Rejected, inactive, or not usable at all: log in again.
    LoginAgain(String),
    /// No answer (network, server): nothing is known.
    Unreachable(String),
}

impl Check {
    pub fn active(&self) -> Option<bool> {
        match self {
            Check::Live(_) | Check::Served(_) => Some(true),
            Check::LoginAgain(_) => Some(false),
            Check::Unreachable(_) => None,
        }
    }

    pub fn problem(&self) -> Option<&str> {
        match self {
            Check::Live(_) | Check::Served(_) => None,
            Check::LoginAgain(why) | Check::Unreachable(why) => Some(why),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Check::Live(_) => "live (Attio accepted the token just now)".into(),
            Check::Served(server) => format!(
                "live (the hosted MCP server, {} {}, accepted the token just now)",
                server.name, server.version
            ),
            Check::LoginAgain(why) => format!("needs a new login: {why}"),
            Check::Unreachable(why) => format!("could not ask Attio: {why}"),
        }
    }
}

/// Asks `/v2/self` about every listed profile at once, each on its own thread with its
/// own HTTP client. Nothing is refreshed or written.
pub fn check_all(ctx: &Ctx, entries: &[Entry]) -> Vec<Option<Check>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = entries
            .iter()
            .map(|(name, meta)| {
                let (paths, settings) = (&ctx.paths, &ctx.settings);
                scope.spawn(move || match meta {
                    Ok(_) => check_one(paths, settings, name),
                    Err(why) => Check::LoginAgain(why.clone()),
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                Some(
                    h.join().unwrap_or_else(|_| {
                        Check::Unreachable("the check failed unexpectedly".into())
                    }),
                )
            })
            .collect()
    })
}

/// One profile's check with its stored token, as it is.
fn check_one(paths: &Paths, settings: &Settings, name: &ProfileName) -> Check {
    let asked = (|| {
        let stored = settings.repository(paths, name).load()?;
        let http = settings.http();
        let hint = || stored.meta.login_again(name).log_in();
        if let Some(hosted) = &stored.meta.mcp {
            let server =
                crate::mcp::initialize(&http, &hosted.url, &stored.creds.access_token, &hint)?;
            return Ok(Check::Served(Box::new(server)));
        }
        let api_url = settings.api_url.for_stored(name, &stored.meta.api_url)?;
        crate::attio::identify(&http, &api_url, &stored.creds.access_token, &hint)
            .map(|identity| Check::Live(Box::new(identity)))
    })();
    match asked {
        Ok(check) => check,
        Err(e) if crate::failure::kind(&e) == Some(Kind::LoginAgain) => {
            Check::LoginAgain(format!("{e:#}"))
        }
        Err(e) => Check::Unreachable(format!("{e:#}")),
    }
}
