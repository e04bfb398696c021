//! What to tell the user to do next after an error, decided once, at report time.

use crate::failure;
use crate::http::HttpError;

/// The next step to suggest for this error, if one is known: the failure's own, else
/// what to check after a network error.
pub fn next_step(err: &anyhow::Error) -> Option<&str> {
    failure::hint(err).or_else(|| {
        err.chain()
            .find_map(|e| e.downcast_ref::<HttpError>())
            .map(HttpError::hint)
    })
}
