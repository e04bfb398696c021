//! Secret storage: one small trait, one module per backend. A backend moves an opaque
//! secret document in and out; `credentials` gives it meaning and `profile::Repository`
//! decides which backend holds a profile.

mod backend;
mod command;
mod file;
mod keyring;
pub mod lock;

pub use self::backend::{SecretStore, StoreChoice, StoreKind};
pub use self::command::{CommandStore, installed, which};
pub use self::file::FileStore;
pub use self::keyring::KeyringStore;
