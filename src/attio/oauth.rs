//! OAuth 2.0 requests to Attio's app host: the authorize URL (PKCE S256 and `state`), the
//! code exchange and the refresh grant. Client credentials go in the form body, as Attio
//! documents, and error bodies are understood in both the RFC 6749 and Attio REST shapes.

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use url::Url;

use crate::http::endpoint;
use crate::http::{Http, Pool};
use crate::secret::Secret;

/// The authorize URL to send the user to, and what must be kept to finish the login.
pub struct AuthorizeRequest {
    pub url: Url,
    pub state: Secret<String>,
    pub verifier: Secret<String>,
}

/// Builds the authorize URL with a fresh PKCE verifier (S256) and a fresh random `state`.
/// `scope` is sent only when scopes are asked for: Attio fixes scopes on the app.
pub fn authorize(
    app_url: &Url,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
) -> anyhow::Result<AuthorizeRequest> {
    authorize_at(
        endpoint(app_url, "/authorize"),
        client_id,
        redirect_uri,
        scopes,
        None,
    )
}

/// The same, at any authorization endpoint, for a `resource` when given (RFC 8707).
pub fn authorize_at(
    endpoint: Url,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    resource: Option<&str>,
) -> anyhow::Result<AuthorizeRequest> {
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::from_url(endpoint))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())));
    if let Some(resource) = resource {
        request = request.add_extra_param("resource", resource);
    }
    let (url, state) = request.url();
    Ok(AuthorizeRequest {
        url,
        state: Secret::new(state.secret().clone()),
        verifier: Secret::new(verifier.secret().clone()),
    })
}

/// The OAuth client and where its token endpoint is.
pub struct Client<'a> {
    pub token_url: Url,
    pub client_id: &'a str,
    /// `None` for a public client (a hosted MCP server's registration).
    pub client_secret: Option<&'a Secret<String>>,
    /// The resource the tokens are for (RFC 8707), sent with every grant when given.
    pub resource: Option<&'a str>,
}

impl<'a> Client<'a> {
    /// An Attio app: its token endpoint under the app URL, its secret in the body.
    pub fn app(app_url: &Url, client_id: &'a str, client_secret: &'a Secret<String>) -> Self {
        Client {
            token_url: endpoint(app_url, "/oauth/token"),
            client_id,
            client_secret: Some(client_secret),
            resource: None,
        }
    }
}

/// What a token endpoint handed out.
#[derive(Debug)]
pub struct Tokens {
    pub access_token: Secret<String>,
    pub refresh_token: Option<Secret<String>>,
    /// Seconds; `None` (Attio's documented answer) means it lives until revoked.
    pub expires_in: Option<u64>,
}

/// Why a token request failed.
#[derive(Debug)]
pub enum TokenError {
    /// The server answered and refused (bad code, revoked or reused refresh token, bad
    /// client credentials): logging in again is the way out. `unknown_client`: it said
    /// `invalid_client`, which from a server that registered attio-auth by itself means
    /// that it no longer knows the registration.
    Rejected { why: String, unknown_client: bool },
    /// The request never left (not a byte of it was written): nothing was used up. The
    /// error keeps the HTTP failure, whose hint says what to check.
    Unsent(anyhow::Error),
    /// Anything else (a timeout, a dropped connection, an unusable answer): the server
    /// may have acted on the request. An answer that carried a new refresh token hands
    /// it over, so that a rotating server's grant is not lost.
    Failed {
        why: String,
        new_refresh_token: Option<Secret<String>>,
    },
}

impl TokenError {
    fn failed(why: String) -> Self {
        TokenError::Failed {
            why,
            new_refresh_token: None,
        }
    }
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Rejected { why, .. } | TokenError::Failed { why, .. } => f.write_str(why),
            TokenError::Unsent(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Exchanges an authorization code (with its PKCE verifier) for tokens.
pub fn exchange_code(
    http: &Http,
    client: &Client,
    redirect_uri: &str,
    code: &Secret<String>,
    verifier: &Secret<String>,
) -> Result<Tokens, TokenError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.expose().as_str()),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.expose().as_str()),
    ];
    token_request(http, client, &form)
}

/// Uses a refresh token once. Whatever the outcome, the caller must not send it again
/// unless it learns the server never received it.
pub fn refresh(
    http: &Http,
    client: &Client,
    refresh_token: &Secret<String>,
) -> Result<Tokens, TokenError> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose().as_str()),
    ];
    token_request(http, client, &form)
}

/// POSTs a grant to the token endpoint with the client's credentials in the form body
/// (as Attio documents; the oauth2 crate would default to HTTP Basic) and reads the
/// answer. Of an error answer only the parsed error and description are kept (the
/// output layer scrubs them of our secrets); an unusable answer is described, never
/// quoted.
fn token_request(
    http: &Http,
    client: &Client,
    grant: &[(&str, &str)],
) -> Result<Tokens, TokenError> {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(grant)
        .append_pair("client_id", client.client_id);
    if let Some(secret) = client.client_secret {
        body.append_pair("client_secret", secret.expose());
    }
    if let Some(resource) = client.resource {
        body.append_pair("resource", resource);
    }
    let body = body.finish();
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::POST)
        .uri(client.token_url.as_str())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body.into_bytes())
        .map_err(|e| TokenError::Unsent(anyhow::anyhow!("building the token request: {e}")))?;
    let response = http.send(request, Pool::Fresh).map_err(|e| {
        if e.unsent() {
            TokenError::Unsent(e.into())
        } else {
            TokenError::failed(e.to_string())
        }
    })?;
    let answer = Answer::of(&response);
    if response.status().is_success() {
        return parse_tokens(response.body(), &answer);
    }
    match error_message(response.body()) {
        Some(said) => {
            let why = format!(
                "the token endpoint refused (HTTP {}): {said}",
                answer.status
            );
            if matches!(answer.status, 400 | 401 | 403) {
                let unknown_client =
                    said == "invalid_client" || said.starts_with("invalid_client:");
                Err(TokenError::Rejected {
                    why,
                    unknown_client,
                })
            } else {
                Err(TokenError::failed(why))
            }
        }
        None => Err(TokenError::failed(format!(
            "unexpected answer from the token endpoint ({answer})"
        ))),
    }
}

/// An answer described without its body, which may hold secrets: status, content type
/// and length.
pub struct Answer {
    status: u16,
    content_type: String,
    length: usize,
}

impl Answer {
    pub fn of(response: &oauth2::HttpResponse) -> Self {
        let content_type = response
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                v.trim()
                    .chars()
                    .filter(char::is_ascii_graphic)
                    .take(60)
                    .collect()
            })
            .unwrap_or_else(|| "no content type".to_string());
        Self {
            status: response.status().as_u16(),
            content_type,
            length: response.body().len(),
        }
    }
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HTTP {}, {}, {} bytes",
            self.status, self.content_type, self.length
        )
    }
}

/// Reads a successful token answer. A new refresh token is taken first, so that it
/// survives whatever else is wrong with the answer.
fn parse_tokens(body: &[u8], answer: &Answer) -> Result<Tokens, TokenError> {
    let unusable = |field: &str, new_refresh_token| TokenError::Failed {
        why: format!("unexpected answer from the token endpoint ({answer}): {field}"),
        new_refresh_token,
    };
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return Err(unusable("not a JSON object", None));
    };
    let text = |name: &str| match fields.get(name) {
        Some(serde_json::Value::String(s)) => Some(Secret::new(s.clone())),
        _ => None,
    };
    let refresh_token = text("refresh_token").filter(|t| is_refresh_token(t.expose()));
    let Some(access_token) = text("access_token") else {
        return Err(unusable("no `access_token`", refresh_token));
    };
    if !is_bearer_token(access_token.expose()) {
        return Err(unusable(
            "its `access_token` is not a valid bearer token (RFC 6750)",
            refresh_token,
        ));
    }
    match fields.get("token_type") {
        Some(serde_json::Value::String(t)) if t.eq_ignore_ascii_case("bearer") => {}
        Some(_) => return Err(unusable("`token_type` is not Bearer", refresh_token)),
        None => return Err(unusable("no `token_type`", refresh_token)),
    }
    let expires_in = match fields.get("expires_in") {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => match value.as_u64() {
            Some(seconds) => Some(seconds),
            None => {
                return Err(unusable(
                    "`expires_in` is not a whole number of seconds",
                    refresh_token,
                ));
            }
        },
    };
    Ok(Tokens {
        access_token,
        refresh_token,
        expires_in,
    })
}

/// What an error answer says, in the RFC 6749 shape (`error`, `error_description`) or
/// Attio's REST shape (`code`, `message`).
fn error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
        return Some(
            match value.get("error_description").and_then(|d| d.as_str()) {
                Some(description) if !description.is_empty() => {
                    format!("{error}: {description}")
                }
                _ => error.to_string(),
            },
        );
    }
    rest_error(body)
}

/// Attio's REST error shape: `{"status_code", "type", "code", "message"}`.
pub fn rest_error(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = value.get("message")?.as_str()?;
    let code = value
        .get("code")
        .and_then(|c| c.as_str())
        .or_else(|| value.get("type").and_then(|t| t.as_str()));
    Some(match code {
        Some(code) => format!("{code}: {message}"),
        None => message.to_string(),
    })
}

/// The most a token may be: tokens are a few hundred bytes; anything larger is not one.
pub const MAX_TOKEN: usize = 4096;

/// Whether `token` may be sent as `Authorization: Bearer <token>`: non-empty, at most
/// [`MAX_TOKEN`] bytes, and RFC 6750's `b64token` (so no CR, LF, space or escape can
/// reach a header or a terminal).
pub fn is_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && token.len() <= MAX_TOKEN
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// Whether a refresh token can be stored and sent back: RFC 6749's printable ASCII.
fn is_refresh_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN
        && token.bytes().all(|b| (0x20..0x7f).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_carries_pkce_state_and_no_scope_by_default() {
        let app = Url::parse("https://app.attio.com").unwrap();
        let req = authorize(&app, "cid", "http://localhost:3456/callback", &[]).unwrap();
        let pairs: std::collections::HashMap<_, _> = req.url.query_pairs().into_owned().collect();
        assert_eq!(req.url.path(), "/authorize");
        assert_eq!(pairs["response_type"], "code");
        assert_eq!(pairs["client_id"], "cid");
        assert_eq!(pairs["redirect_uri"], "http://localhost:3456/callback");
        assert_eq!(pairs["code_challenge_method"], "S256");
        assert_eq!(pairs["state"], *req.state.expose());
        assert!(!pairs.contains_key("scope"));
        assert!(req.verifier.expose().len() >= 43);
        let other = authorize(
            &app,
            "cid",
            "http://localhost:3456/callback",
            &["note:read".into()],
        )
        .unwrap();
        assert_ne!(other.state, req.state);
        assert_ne!(other.verifier, req.verifier);
        assert!(other.url.query().unwrap().contains("scope=note%3Aread"));
    }

    #[test]
    fn rest_errors_are_readable() {
        let body = br#"{"status_code":401,"type":"auth_error","code":"invalid_token","message":"Bad token"}"#;
        assert_eq!(rest_error(body).unwrap(), "invalid_token: Bad token");
        assert_eq!(rest_error(b"<html>"), None);
    }

    #[test]
    fn bearer_tokens_follow_rfc_6750() {
        for good in ["sk_live_0123", "a.b-c~d+e/f==", "x"] {
            assert!(is_bearer_token(good), "{good}");
        }
        let long = "a".repeat(MAX_TOKEN + 1);
        for bad in [
            "",
            "=",
            "a b",
            "a\r\nHost: x",
            "a\u{1b}[2J",
            "\u{e9}",
            long.as_str(),
        ] {
            assert!(!is_bearer_token(bad), "{bad:?}");
        }
    }
}
