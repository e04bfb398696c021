//! `Secret<T>`: a value (token, client secret, code, PKCE verifier, `state`) that must
//! never reach a log, an error message or a panic. It has no `Display`, its `Debug` is
//! redacted, and `expose()` marks each place a secret leaves its box.
//!
//! Every secret is also recorded in a process-wide registry as it is created, so that
//! [`scrub`] can remove it from any text shown to people, however a server echoed it:
//! as is, in another case, percent-encoded, JSON-escaped or cut short.

use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer, Serialize};

/// The variables holding our secrets, which no program we start (the browser, `exec`'s
/// command) is given.
pub const CHILD_WITHHELD: [&str; 3] =
    ["ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN", "ATTIO_CLIENT_SECRET"];

/// Compares two secrets without stopping at the first difference, so that timing says
/// nothing about the expected one (`state`, `exec --proxy`'s session key).
pub fn same(expected: &[u8], given: &[u8]) -> bool {
    expected.len() == given.len()
        && expected
            .iter()
            .zip(given)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The shortest piece of a secret that counts as showing it.
const PIECE: usize = 8;

/// Every secret this process has held, lower-cased.
static REGISTRY: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T: AsRef<str>> Secret<T> {
    /// Wraps a secret value and records it for [`scrub`].
    pub fn new(value: T) -> Self {
        register(value.as_ref());
        Self(value)
    }
}

impl<T> Secret<T> {
    /// Wraps a document that holds secrets (a stored credentials document) without
    /// recording it whole: its secret fields are recorded as they are decoded.
    pub fn document(value: T) -> Self {
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
        Self::new(value)
    }
}

/// Secrets read from a stored document are recorded like any other.
impl<'de, T: Deserialize<'de> + AsRef<str>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret::new)
    }
}

fn register(value: &str) {
    let value = value.trim().to_lowercase();
    if value.chars().count() < 4 {
        return;
    }
    if let Ok(mut registry) = REGISTRY.lock()
        && !registry.contains(&value)
    {
        registry.push(value);
    }
}

/// Replaces every word of `text` that shows a secret (or any piece of one of
/// [`PIECE`] characters or more) in any of the forms a server might echo it, with
/// `(redacted)`. Words are split at white space and quoting punctuation.
pub fn scrub(text: &str) -> String {
    let Ok(registry) = REGISTRY.lock() else {
        return "(message withheld)".into();
    };
    if registry.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if shows_secret(word, &registry) {
            out.push_str("(redacted)");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || "\"'`(),;<>[]{}".contains(c) {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Whether a word shows a secret, as is or decoded.
fn shows_secret(word: &str, registry: &[String]) -> bool {
    if word.chars().count() < 4 {
        return false;
    }
    let views = [
        word.to_lowercase(),
        percent_decoded(word).to_lowercase(),
        json_unescaped(word).to_lowercase(),
    ];
    registry.iter().any(|secret| {
        let chars: Vec<char> = secret.chars().collect();
        if chars.len() < PIECE {
            return views.iter().any(|v| v.contains(secret.as_str()));
        }
        chars.windows(PIECE).any(|piece| {
            let piece: String = piece.iter().collect();
            views.iter().any(|v| v.contains(&piece))
        })
    })
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Undoes JSON string escapes (`\u002f`, `\/`), as a server that escapes twice sends.
fn json_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('u') => {
                chars.next();
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(decoded) => out.push(decoded),
                    None => out.push_str(&hex),
                }
            }
            Some(&next) => {
                chars.next();
                out.push(next);
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serde_is_transparent() {
        let s = Secret::new("tok_123".to_string());
        assert_eq!(format!("{s:?}"), "(redacted)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"tok_123\"");
        let back: Secret<String> = serde_json::from_str("\"tok_123\"").unwrap();
        assert_eq!(back.expose(), "tok_123");
    }

    #[test]
    fn echoes_of_a_secret_are_scrubbed_in_every_encoding() {
        let secret = "rt_Scrub/Me+0123456789";
        let _kept = Secret::new(secret.to_string());
        let encoded: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
        let escaped: String = secret
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        for echo in [
            secret.to_string(),
            secret.to_uppercase(),
            encoded,
            escaped,
            secret[..10].to_string(),
            format!("x{}y", &secret[3..14]),
        ] {
            let shown = scrub(&format!("invalid_grant: bad token \"{echo}\" (sorry)"));
            assert_eq!(
                shown, "invalid_grant: bad token \"(redacted)\" (sorry)",
                "{echo}"
            );
        }
        assert_eq!(scrub("nothing secret here"), "nothing secret here");
    }
}
