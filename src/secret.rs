//! `Secret<T>`: a value (token, client secret, code, PKCE verifier) that must never reach
//! a log, an error message or a panic. It has no `Display`, its `Debug` is redacted, and
//! `expose()` marks each place a secret leaves its box.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Reads the secret; every call site is a place where it leaves its box.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_is_redacted_and_serde_is_transparent() {
        let s = Secret::new("tok_123".to_string());
        assert_eq!(format!("{s:?}"), "(redacted)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"tok_123\"");
        let back: Secret<String> = serde_json::from_str("\"tok_123\"").unwrap();
        assert_eq!(back.expose(), "tok_123");
    }
}
