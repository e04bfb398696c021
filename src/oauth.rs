//! OAuth 2.0 requests to Attio's app host: the authorize URL (PKCE S256 and `state`), the
//! code exchange and the refresh grant. Client credentials go in the form body, as Attio
//! documents, and error bodies are understood in both the RFC 6749 and Attio REST shapes.

use std::cell::Cell;

use oauth2::basic::{BasicClient, BasicRequestTokenError};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest,
    HttpResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use url::Url;

use crate::http::{Http, HttpError};
use crate::secret::Secret;
use crate::settings::endpoint;

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
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::from_url(endpoint(app_url, "/authorize")))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string())?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .add_scopes(scopes.iter().map(|s| Scope::new(s.clone())))
        .url();
    Ok(AuthorizeRequest {
        url,
        state: Secret::new(state.secret().clone()),
        verifier: Secret::new(verifier.secret().clone()),
    })
}

/// The OAuth app and where its token endpoint is.
pub struct Client<'a> {
    pub app_url: &'a Url,
    pub client_id: &'a str,
    pub client_secret: &'a Secret<String>,
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
    /// client credentials): logging in again is the way out.
    Rejected(String),
    /// The request never reached the server (no connection): nothing was used up.
    Unsent(String),
    /// Anything else (a timeout, a dropped connection, an unexpected answer): the server
    /// may have acted on the request.
    Failed(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Rejected(why) | TokenError::Unsent(why) | TokenError::Failed(why) => {
                f.write_str(why)
            }
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
    let redirect = RedirectUrl::new(redirect_uri.to_string())
        .map_err(|e| TokenError::Failed(format!("bad redirect URI: {e}")))?;
    let oauth = token_client(client).set_redirect_uri(redirect);
    let status = Cell::new(None);
    let result = oauth
        .exchange_code(AuthorizationCode::new(code.expose().clone()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().clone()))
        .request(&|req: HttpRequest| recorded(http, req, &status));
    let secrets = [
        code.expose(),
        verifier.expose(),
        client.client_secret.expose(),
    ];
    result
        .map(tokens)
        .map_err(|e| classify(e, status.get(), &secrets))
}

/// Uses a refresh token once. Whatever the outcome, the caller must not send it again
/// unless it learns the server never received it.
pub fn refresh(
    http: &Http,
    client: &Client,
    refresh_token: &Secret<String>,
) -> Result<Tokens, TokenError> {
    let status = Cell::new(None);
    let token = RefreshToken::new(refresh_token.expose().clone());
    let result = token_client(client)
        .exchange_refresh_token(&token)
        .request(&|req: HttpRequest| recorded(http, req, &status));
    let secrets = [refresh_token.expose(), client.client_secret.expose()];
    result
        .map(tokens)
        .map_err(|e| classify(e, status.get(), &secrets))
}

/// An oauth2 client for the token endpoint, authenticating in the body.
fn token_client(
    client: &Client,
) -> oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
> {
    BasicClient::new(ClientId::new(client.client_id.to_string()))
        .set_client_secret(ClientSecret::new(client.client_secret.expose().clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::from_url(endpoint(client.app_url, "/oauth/token")))
}

/// Sends a request, remembering the response status for error messages.
fn recorded(
    http: &Http,
    request: HttpRequest,
    status: &Cell<Option<u16>>,
) -> Result<HttpResponse, HttpError> {
    let response = http.send(request)?;
    status.set(Some(response.status().as_u16()));
    Ok(response)
}

/// Our view of a successful token response.
fn tokens(response: oauth2::basic::BasicTokenResponse) -> Tokens {
    Tokens {
        access_token: Secret::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone())),
        expires_in: response.expires_in().map(|d| d.as_secs()),
    }
}

/// Turns an oauth2 error into a message that says what the server said, with any of our
/// own secrets it might echo removed.
fn classify(
    err: BasicRequestTokenError<HttpError>,
    status: Option<u16>,
    secrets: &[&String],
) -> TokenError {
    let status_text = status.map_or(String::new(), |s| format!(" (HTTP {s})"));
    let rejected_status = matches!(status, Some(400 | 401 | 403));
    match err {
        RequestTokenError::ServerResponse(e) => {
            let mut why = format!("the token endpoint refused{status_text}: {}", e.error());
            if let Some(description) = e.error_description() {
                why.push_str(&format!(": {description}"));
            }
            TokenError::Rejected(redact(&why, secrets))
        }
        RequestTokenError::Parse(_, body) => {
            if let Some(message) = rest_error(&body) {
                let why = redact(
                    &format!("the token endpoint refused{status_text}: {message}"),
                    secrets,
                );
                if rejected_status {
                    return TokenError::Rejected(why);
                }
                return TokenError::Failed(why);
            }
            TokenError::Failed(redact(
                &format!(
                    "unexpected answer from the token endpoint{status_text}: {}",
                    excerpt(&body)
                ),
                secrets,
            ))
        }
        RequestTokenError::Request(e) if e.unsent() => TokenError::Unsent(e.to_string()),
        RequestTokenError::Request(e) => TokenError::Failed(e.to_string()),
        RequestTokenError::Other(message) => TokenError::Failed(redact(
            &format!("unexpected answer from the token endpoint{status_text}: {message}"),
            secrets,
        )),
    }
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

/// The start of a response body, on one line, for an error message.
pub fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "(empty body)".into();
    }
    match one_line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// Removes known secret values from text that came from a server.
pub fn redact(text: &str, secrets: &[&String]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text.to_string(), |acc, s| {
            acc.replace(s.as_str(), "(redacted)")
        })
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
    fn rest_errors_and_excerpts_are_readable() {
        let body = br#"{"status_code":401,"type":"auth_error","code":"invalid_token","message":"Bad token"}"#;
        assert_eq!(rest_error(body).unwrap(), "invalid_token: Bad token");
        assert_eq!(rest_error(b"<html>"), None);
        assert_eq!(
            excerpt(b"<html>\n <b>oops</b>\n</html>"),
            "<html> <b>oops</b> </html>"
        );
        assert_eq!(excerpt(&[b'x'; 500]).chars().count(), 201);
        assert_eq!(
            redact("echo rt_secret back", &[&"rt_secret".to_string()]),
            "echo (redacted) back"
        );
    }
}
