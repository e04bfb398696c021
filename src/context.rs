//! What every command works with: validated settings, the tool's directories and the
//! (lazily built) HTTP client, the clock, and the profile repository they lead to.

use crate::advice::Next;
use crate::freshness::Clock;
use crate::http::Http;
use crate::names::ProfileName;
use crate::paths::Paths;
use crate::profile::Repository;
use crate::settings::Settings;

pub struct Ctx {
    pub settings: Settings,
    pub paths: Paths,
    pub http: Http,
    /// The wall clock every rule about expiry reads.
    pub clock: Clock,
}

impl Ctx {
    /// The selected profile's state.
    pub fn repository(&self) -> Repository<'_> {
        self.repository_of(&self.settings.profile)
    }

    /// A next step's words, for a message shown now.
    pub fn render(&self, next: &Next) -> String {
        next.render(|| self.settings.implied(&self.paths).profile())
    }

    /// A profile's state.
    pub fn repository_of<'a>(&'a self, name: &'a ProfileName) -> Repository<'a> {
        self.settings.repository(&self.paths, name)
    }
}
