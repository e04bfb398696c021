//! What to tell the user to do next after an error, decided once, at report time.

use crate::failure::{self, Next};
use crate::http::HttpError;

/// The next step to suggest for this error, if one is known: the failure's own, else
/// what to check after a network error. Its words are put together by [`Next::render`].
pub fn next_step(err: &anyhow::Error) -> Option<Next> {
    failure::hint(err).cloned().or_else(|| {
        err.chain()
            .find_map(|e| e.downcast_ref::<HttpError>())
            .map(|e| Next::from(e.hint()))
    })
}
