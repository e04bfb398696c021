//! Profiles: their validated names, the non-secret metadata each one has (who it is
//! logged in as, which store holds its secrets; `status` reads it without touching the
//! keyring), and the [`Repository`] that alone reads and writes a profile's state.

pub mod default;
mod meta;
mod repository;

pub use self::meta::{
    LoginAgain, ProfileMeta, clean_up, list, list_with_leftovers, log_in, login_command,
    not_logged_in,
};
pub use self::repository::{Locked, Repository, Stored};
