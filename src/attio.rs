//! Attio's REST API as this tool uses it: `GET /v2/self`, which says who a token belongs
//! to, what it grants and whether it is still active.

use anyhow::Result;
use serde_json::{Map, Value};
use url::Url;

use crate::failure::{Failure, Kind};
use crate::http::Http;
use crate::oauth::{excerpt, rest_error};
use crate::profile::{self, ProfileName};
use crate::secret::Secret;
use crate::settings::endpoint;

/// The identity behind an active token.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Every field `/v2/self` returned, for `whoami --json`.
    pub raw: Map<String, Value>,
    pub scopes: Vec<String>,
    pub workspace_id: Option<String>,
    pub workspace_name: Option<String>,
    pub workspace_slug: Option<String>,
    pub member_id: Option<String>,
    pub client_id: Option<String>,
    /// Unix seconds, when the server says the token expires.
    pub exp: Option<u64>,
}

/// Asks Attio who `token` belongs to. An inactive or rejected token is a `LoginAgain`
/// failure for `profile`.
pub fn identify(
    http: &Http,
    api_url: &Url,
    token: &Secret<String>,
    profile: &ProfileName,
) -> Result<Identity> {
    let url = endpoint(api_url, "/v2/self");
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::GET)
        .uri(url.as_str())
        .header("Authorization", format!("Bearer {}", token.expose()))
        .header("Accept", "application/json")
        .body(Vec::new())?;
    let response = http.send(request)?;
    let status = response.status().as_u16();
    let body = response.body();
    let secrets = [token.expose()];
    let said =
        || crate::oauth::redact(&rest_error(body).unwrap_or_else(|| excerpt(body)), &secrets);
    let login_again = |why: String| -> anyhow::Error {
        Failure::new(Kind::LoginAgain, why)
            .hint(profile::login_hint(profile))
            .into()
    };
    match status {
        200 => {}
        401 => {
            return Err(login_again(format!(
                "Attio rejected the access token (HTTP 401: {})",
                said()
            )));
        }
        _ => anyhow::bail!("GET {url} answered HTTP {status}: {}", said()),
    }
    let Ok(Value::Object(raw)) = serde_json::from_slice::<Value>(body) else {
        anyhow::bail!(
            "GET {url} answered with something other than a JSON object: {}",
            said()
        );
    };
    match raw.get("active") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => {
            return Err(login_again(
                "Attio reports the access token as inactive (revoked, expired or uninstalled)"
                    .into(),
            ));
        }
        _ => anyhow::bail!(
            "GET {url} answered without a boolean `active` field: {}",
            said()
        ),
    }
    let text = |name: &str| -> Result<Option<String>> {
        match raw.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => anyhow::bail!("GET {url} answered with a `{name}` that is not a string"),
        }
    };
    let exp = match raw.get("exp") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            anyhow::anyhow!("GET {url} answered with an `exp` that is not a Unix time")
        })?),
    };
    Ok(Identity {
        scopes: text("scope")?
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        workspace_id: text("workspace_id")?,
        workspace_name: text("workspace_name")?,
        workspace_slug: text("workspace_slug")?,
        member_id: text("authorized_by_workspace_member_id")?,
        client_id: text("client_id")?,
        exp,
        raw,
    })
}
