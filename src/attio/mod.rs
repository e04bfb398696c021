//! Attio as this tool uses it: its hosts, its OAuth endpoints (`oauth`), and `GET
//! /v2/self`, which says who a token belongs to, what it grants and whether it is still
//! active.

pub mod oauth;

use std::time::{Duration, SystemTime};

use anyhow::Result;
use oauth2::HttpResponse;
use serde_json::{Map, Value};
use url::Url;

use self::oauth::{Answer, rest_error};
use crate::failure::{Failure, Kind};
use crate::http::{Http, Pool, endpoint};
use crate::output;
use crate::secret::Secret;

/// Attio's production app host, where users authorize and tokens are issued.
pub const DEFAULT_APP_URL: &str = "https://app.attio.com";
/// Attio's production REST API host.
pub const DEFAULT_API_URL: &str = "https://api.attio.com";

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

/// How many times a `GET` is tried when Attio answers 429 or 5xx.
const ATTEMPTS: u32 = 3;
/// The longest `Retry-After` honoured; a longer one ends the command instead of hanging it.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// `GET url` with the bearer token. 429 and 5xx are retried (a GET is safe to repeat, and
/// Attio documents that a 429 was not processed), waiting as `Retry-After` says (an HTTP
/// date or seconds) or backing off 0.5 s then 1 s.
fn get_with_retries(http: &Http, url: &Url, token: &Secret<String>) -> Result<HttpResponse> {
    let mut attempt = 1;
    loop {
        let response = http.send(bearer_get(url, token)?, Pool::Kept)?;
        let status = response.status().as_u16();
        if attempt == ATTEMPTS || !(status == 429 || (500..600).contains(&status)) {
            return Ok(response);
        }
        let backoff = Duration::from_millis(500 << (attempt - 1));
        let wait = retry_after(&response, crate::freshness::Clock::SYSTEM.system_time())
            .unwrap_or(backoff);
        if wait > MAX_WAIT {
            return Ok(response);
        }
        output::verbose(format!(
            "HTTP {status} from GET {url}: retrying in {} ms ({attempt} of {ATTEMPTS})",
            wait.as_millis()
        ));
        std::thread::sleep(wait);
        attempt += 1;
    }
}

/// A `GET` of `url` with the bearer token, asking for JSON.
fn bearer_get(url: &Url, token: &Secret<String>) -> Result<oauth2::HttpRequest> {
    Ok(oauth2::http::Request::builder()
        .method(oauth2::http::Method::GET)
        .uri(url.as_str())
        .header("Authorization", format!("Bearer {}", token.expose()))
        .header("Accept", "application/json")
        .body(Vec::new())?)
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date (Attio's form).
fn retry_after(response: &HttpResponse, now: SystemTime) -> Option<Duration> {
    let value = response.headers().get("Retry-After")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The name and email of a workspace member, as `GET /v2/workspace_members/{id}` gives
/// them (`Ada Lovelace <ada@acme.com>`), for a token granted `user_management:read` (or
/// read-write): without it Attio refuses the call, so it is not made. Only for people:
/// any failure is `None`, said in `--verbose`.
pub fn member_name(
    http: &Http,
    api_url: &Url,
    token: &Secret<String>,
    member_id: &str,
    scopes: &[String],
) -> Option<String> {
    let granted = scopes
        .iter()
        .any(|s| s == "user_management:read" || s == "user_management:read-write");
    let plain = !member_id.is_empty()
        && member_id.len() <= 64
        && member_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !granted || !plain {
        return None;
    }
    let url = endpoint(api_url, &format!("/v2/workspace_members/{member_id}"));
    let asked = (|| -> Result<Option<String>> {
        let response = http.send(bearer_get(&url, token)?, Pool::Kept)?;
        if !response.status().is_success() {
            anyhow::bail!("HTTP {}", response.status().as_u16());
        }
        let body: serde_json::Value = serde_json::from_slice(response.body())?;
        let data = &body["data"];
        let field = |name: &str| {
            data[name]
                .as_str()
                .map(|v| {
                    output::shown(v.trim())
                        .chars()
                        .take(100)
                        .collect::<String>()
                })
                .filter(|v| !v.is_empty())
        };
        let name = [field("first_name"), field("last_name")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(match (name.is_empty(), field("email_address")) {
            (false, Some(email)) => Some(format!("{name} <{email}>")),
            (false, None) => Some(name),
            (true, email) => email,
        })
    })();
    match asked {
        Ok(name) => name,
        Err(e) => {
            output::verbose(format!("GET {url}: {e:#}; the member is shown by ID"));
            None
        }
    }
}

/// Asks Attio who `token` belongs to. An inactive or rejected token is a `LoginAgain`
/// failure with the advice `rejected` gives, which says how to replace that token (it
/// depends on where the token came from; it is built only when needed).
pub fn identify(
    http: &Http,
    api_url: &Url,
    token: &Secret<String>,
    rejected: &dyn Fn() -> crate::advice::Advice,
) -> Result<Identity> {
    let url = endpoint(api_url, "/v2/self");
    let response = get_with_retries(http, &url, token)?;
    let status = response.status().as_u16();
    let body = response.body();
    // What Attio said in its error shape, or else a description: never the body itself.
    let said = || rest_error(body).unwrap_or_else(|| Answer::of(&response).to_string());
    let login_again = |why: String| -> anyhow::Error {
        Failure::new(Kind::LoginAgain, why)
            .advise(rejected())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> HttpResponse {
        let mut response = HttpResponse::new(Vec::new());
        response
            .headers_mut()
            .insert("Retry-After", value.parse().unwrap());
        response
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date() {
        let now = httpdate::parse_http_date("Mon, 23 Nov 2026 10:00:00 GMT").unwrap();
        assert_eq!(
            retry_after(&with_retry_after("3"), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&with_retry_after("Mon, 23 Nov 2026 10:00:02 GMT"), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&with_retry_after("Mon, 23 Nov 2026 09:59:00 GMT"), now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(retry_after(&with_retry_after("soon"), now), None);
        assert_eq!(retry_after(&HttpResponse::new(Vec::new()), now), None);
    }
}
