//! Registering attio-auth with a hosted MCP server's authorization server (RFC 7591) as a
//! public native client: no secret, PKCE, the loopback redirect URI actually used; and
//! revoking a token there at logout (RFC 7009).

use anyhow::Result;
use serde_json::{Value, json};

use super::Hosted;
use crate::advice::Advice;
use crate::attio::oauth::TokenError;
use crate::failure::{Failure, Kind};
use crate::http::{Http, Pool};
use crate::secret::Secret;

/// The name the user sees on the consent page.
pub const CLIENT_NAME: &str = "attio-auth";

/// Registers a client for `redirect_uri`; returns its client ID.
pub fn register(http: &Http, hosted: &Hosted, redirect_uri: &str) -> Result<String> {
    let Some(endpoint) = &hosted.registration_endpoint else {
        return Err(Failure::new(
            Kind::Failed,
            format!(
                "the authorization server {} offers no dynamic client registration, so attio-auth cannot become its client by itself",
                hosted.issuer
            ),
        )
        .advise(Advice::NoRegistration)
        .into());
    };
    let body = json!({
        "client_name": CLIENT_NAME,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    });
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::POST)
        .uri(endpoint.as_str())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_string().into_bytes())?;
    let answer = http.send(request, Pool::Fresh)?;
    let parsed: Option<Value> = serde_json::from_slice(answer.body()).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
    };
    if !answer.status().is_success() {
        let said = match (field("error"), field("error_description")) {
            (Some(error), Some(description)) => format!("{error}: {description}"),
            (Some(error), None) => error.to_string(),
            _ => crate::attio::oauth::Answer::of(&answer).to_string(),
        };
        return Err(Failure::new(
            Kind::Failed,
            format!(
                "the authorization server {} refused to register attio-auth ({})",
                hosted.issuer,
                crate::output::shown(&said)
            ),
        )
        .advise(Advice::RegisterLater)
        .into());
    }
    match field("client_id") {
        Some(id)
            if !id.is_empty()
                && id.len() <= crate::attio::oauth::MAX_TOKEN
                && id.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(id.to_string())
        }
        _ => Err(Failure::new(
            Kind::Failed,
            format!(
                "the authorization server {} registered attio-auth but gave no usable client_id ({})",
                hosted.issuer,
                crate::attio::oauth::Answer::of(&answer)
            ),
        )
        .into()),
    }
}

/// Whether the authorization server still knows a registration attio-auth made earlier:
/// servers purge registrations, and the consent page of a forgotten one is an error
/// page that never redirects back. Asked at the token endpoint with a code that cannot
/// be valid: a server that knows the client refuses the code (`invalid_grant`), one that
/// does not refuses the client (`invalid_client`). Only that answer counts as forgotten;
/// any other, or none, leaves the registration in use.
pub fn known(http: &Http, hosted: &Hosted, client_id: &str, redirect_uri: &str) -> bool {
    let Ok(token_url) = url::Url::parse(&hosted.token_endpoint) else {
        return true;
    };
    let client = crate::attio::oauth::Client {
        token_url,
        client_id,
        client_secret: None,
        resource: Some(hosted.url.as_str()),
    };
    let (_, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let (code, verifier) = (
        Secret::new("attio-auth-registration-check".to_string()),
        Secret::new(verifier.secret().clone()),
    );
    match crate::attio::oauth::exchange_code(http, &client, redirect_uri, &code, &verifier) {
        Err(TokenError::Rejected {
            unknown_client: true,
            ..
        }) => {
            crate::output::verbose(format!(
                "{} no longer knows the registration {client_id}: registering again",
                hosted.issuer
            ));
            false
        }
        _ => true,
    }
}

/// Revokes a token at the authorization server (RFC 7009), when it offers revocation:
/// `logout` of a hosted-MCP profile. `Ok(false)`: the server offers none.
pub fn revoke(
    http: &crate::http::Http,
    hosted: &Hosted,
    client_id: &str,
    token: &crate::secret::Secret<String>,
    hint: &str,
) -> anyhow::Result<bool> {
    let Some(endpoint) = &hosted.revocation_endpoint else {
        return Ok(false);
    };
    let endpoint = super::discovery::checked_url(endpoint, "revocation endpoint")?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token.expose())
        .append_pair("token_type_hint", hint)
        .append_pair("client_id", client_id)
        .finish();
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::POST)
        .uri(endpoint.as_str())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.into_bytes())?;
    let answer = http.send(request, crate::http::Pool::Fresh)?;
    if !answer.status().is_success() {
        anyhow::bail!(
            "{} answered {}",
            endpoint,
            crate::attio::oauth::Answer::of(&answer)
        );
    }
    Ok(true)
}
