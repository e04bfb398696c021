//! What every backend is: a place for one secret document per profile (`SecretStore`),
//! and the kinds a profile's metadata names.

use anyhow::Result;

use crate::names::ProfileName;
use crate::secret::Secret;

/// Where a profile's secret lives; written into its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS keyring.
    Keyring,
    /// A file per profile.
    File,
    /// A program of the user's.
    Command,
}

impl StoreKind {
    /// The name used on the command line, in files and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Keyring => "keyring",
            StoreKind::File => "file",
            StoreKind::Command => "command",
        }
    }
}

/// The store a login asked for, whether it was asked for explicitly, and for the
/// command store, the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreChoice {
    pub kind: StoreKind,
    pub explicit: bool,
    pub command: Option<Vec<String>>,
}

/// A place that keeps one secret document per profile.
pub trait SecretStore {
    /// The profile's document, or `None` when there is none.
    fn load(&self, profile: &ProfileName) -> Result<Option<Secret<String>>>;
    /// Stores the profile's document, replacing any previous one atomically.
    fn save(&self, profile: &ProfileName, secret: &Secret<String>) -> Result<()>;
    /// Removes the profile's document; returns whether there was one.
    fn delete(&self, profile: &ProfileName) -> Result<bool>;
    /// Where the profile's document lives, for messages (never the secret itself).
    fn location(&self, profile: &ProfileName) -> String;
}
