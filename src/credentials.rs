//! The secret half of a profile: tokens and the OAuth client's credentials, encoded as
//! the small JSON document a store holds (kept well under Windows' 2560-byte cap by
//! leaving identity and other non-secret data in the profile metadata).

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The format this build writes and understands.
const VERSION: u32 = 1;

/// Everything needed to use and refresh a profile's login without any environment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Credentials {
    pub version: u32,
    pub access_token: Secret<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret<String>>,
    /// Unix seconds; `None` for a token that lives until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret<String>>,
    /// Set while a refresh is in flight. Still set later means the refresh's outcome is
    /// unknown (crash, kill, timeout): the refresh token may be used up, and sending it
    /// again could make the server revoke the whole grant, so it is never sent again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refresh_pending: bool,
    /// What the token endpoint said when it refused the refresh token: the login is
    /// over, and every later run says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_refused: Option<String>,
    /// The app URL that issued these tokens: the refresh token and client secret are only
    /// ever sent there. (Older documents lack it; the profile's metadata then tells.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_url: Option<String>,
    /// Counts the saves of this profile's credentials, so that a complete document a
    /// killed process left in a temporary file can be recognised as newer.
    #[serde(default)]
    pub generation: u64,
    /// When the access token was obtained (Unix seconds), so that its whole lifetime is
    /// known (see `freshness::min_ttl_within`). Older documents lack it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<u64>,
}

impl Credentials {
    /// Credentials in the current format, issued by the app at `app_url`.
    pub fn new(
        access_token: Secret<String>,
        refresh_token: Option<Secret<String>>,
        expires_at: Option<u64>,
        client_id: String,
        client_secret: Option<Secret<String>>,
        app_url: String,
        obtained_at: u64,
    ) -> Self {
        Self {
            version: VERSION,
            access_token,
            refresh_token,
            expires_at,
            client_id,
            client_secret,
            refresh_pending: false,
            refresh_refused: None,
            app_url: Some(app_url),
            generation: 0,
            obtained_at: Some(obtained_at),
        }
    }

    /// The JSON document a store keeps.
    pub fn encode(&self) -> Secret<String> {
        // Serializing plain strings and numbers cannot fail.
        Secret::document(serde_json::to_string(self).unwrap_or_default())
    }

    /// Parses a stored document. The error never quotes the document: it holds secrets.
    pub fn decode(text: &Secret<String>) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(text.expose())
            .map_err(|e| format!("not valid JSON (line {}, column {})", e.line(), e.column()))?;
        check_version(&value, VERSION)?;
        serde_json::from_value(value).map_err(|_| "fields are missing or of the wrong type".into())
    }
}

/// Refuses a stored document written in another format version (or in none).
pub fn check_version(document: &serde_json::Value, supported: u32) -> Result<(), String> {
    match document.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(supported) => Ok(()),
        Some(v) => Err(format!("format version {v} is not supported by this build")),
        None => Err("no format version".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors_never_quote_the_document() {
        let creds = Credentials::new(
            Secret::new("at_1".into()),
            Some(Secret::new("rt_1".into())),
            Some(10),
            "client".into(),
            Some(Secret::new("cs_1".into())),
            "https://app.attio.com/".into(),
            1,
        );
        assert_eq!(Credentials::decode(&creds.encode()).unwrap(), creds);
        let bad = Secret::new(r#"{"version":1,"access_token":42,"client_id":"rt_secret"}"#.into());
        let why = Credentials::decode(&bad).unwrap_err();
        assert!(!why.contains("rt_secret"), "{why}");
        let truncated = Secret::new(r#"{"version":1,"access_token":"at_sec"#.into());
        let why = Credentials::decode(&truncated).unwrap_err();
        assert!(
            why.starts_with("not valid JSON") && !why.contains("at_sec"),
            "{why}"
        );
    }
}
