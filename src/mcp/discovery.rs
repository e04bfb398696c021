//! Where a hosted MCP server's authorization server is, and what it offers. Every value
//! read is checked before it is used: the resource must be the URL asked about, the
//! issuer the server asked, every endpoint `https://` (plain `http://` only on this
//! machine), and no document larger than [`MAX_DOCUMENT`].

use anyhow::Result;
use oauth2::HttpResponse;
use serde_json::Value;
use url::Url;

use super::Hosted;
use crate::advice::Advice;
use crate::failure::{Failure, Kind};
use crate::http::{Http, Pool};

/// The largest metadata document read; real ones are a few KiB.
const MAX_DOCUMENT: usize = 64 * 1024;

/// Discovers the authorization server of the MCP server at `url` and checks what it says.
pub fn discover(http: &Http, url: &Url) -> Result<Hosted> {
    let resource = protected_resource(http, url)?;
    let issuer = resource
        .get("authorization_servers")
        .and_then(Value::as_array)
        .and_then(|servers| servers.first())
        .and_then(Value::as_str)
        .ok_or_else(|| unusable(url, "its resource metadata names no authorization server"))?;
    let issuer = checked_url(issuer, "the authorization server")?;
    let metadata = authorization_server(http, &issuer)?;
    let field = |name: &str| metadata.get(name).and_then(Value::as_str);
    let named = field("issuer").unwrap_or_default();
    if trimmed(named) != trimmed(issuer.as_str()) {
        return Err(unusable(
            url,
            &format!(
                "the metadata of {issuer} says its issuer is `{}`: a server that names itself otherwise is not trusted",
                crate::output::shown(named)
            ),
        ));
    }
    let endpoint = |name: &str| -> Result<Option<String>> {
        field(name)
            .map(|raw| checked_url(raw, name).map(|u| u.to_string()))
            .transpose()
    };
    let required = |name: &str| -> Result<String> {
        endpoint(name)?
            .ok_or_else(|| unusable(url, &format!("its authorization server names no {name}")))
    };
    if let Some(methods) = metadata
        .get("code_challenge_methods_supported")
        .and_then(Value::as_array)
        && !methods.iter().any(|m| m.as_str() == Some("S256"))
    {
        return Err(unusable(
            url,
            "its authorization server does not offer PKCE with S256",
        ));
    }
    let scopes = resource
        .get("scopes_supported")
        .and_then(Value::as_array)
        .map(|scopes| {
            scopes
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Hosted {
        url: url.to_string(),
        // As the server names itself (its redirects' `iss` is compared with this).
        issuer: named.to_string(),
        authorization_endpoint: required("authorization_endpoint")?,
        token_endpoint: required("token_endpoint")?,
        registration_endpoint: endpoint("registration_endpoint")?,
        revocation_endpoint: endpoint("revocation_endpoint")?,
        scopes,
        iss_in_callback: metadata
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        registration_forgotten: false,
    })
}

/// The resource's metadata (RFC 9728): where a 401 from the server says it is, else at
/// the well-known path for the URL's path, else at the root. Its `resource` must be
/// `url` itself.
fn protected_resource(http: &Http, url: &Url) -> Result<Value> {
    let mut candidates = Vec::new();
    let answer = get(http, url, "application/json, text/event-stream")?;
    if answer.status() == 401
        && let Some(named) = answer
            .headers()
            .get_all("WWW-Authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(resource_metadata)
    {
        candidates.push(checked_url(&named, "the resource metadata")?);
    }
    let path = url.path().trim_end_matches('/');
    for suffix in [path, ""] {
        let mut known = url.clone();
        known.set_path(&format!("/.well-known/oauth-protected-resource{suffix}"));
        known.set_query(None);
        if !candidates.contains(&known) {
            candidates.push(known);
        }
    }
    for candidate in &candidates {
        let Some(document) = document(http, candidate)? else {
            continue;
        };
        let named = document
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if trimmed(named) != trimmed(url.as_str()) {
            return Err(unusable(
                url,
                &format!(
                    "its resource metadata ({candidate}) is for `{}`: tokens for another resource are not asked for",
                    crate::output::shown(named)
                ),
            ));
        }
        return Ok(document);
    }
    Err(unusable(
        url,
        "it publishes no protected-resource metadata (RFC 9728): it may not be an MCP server that takes OAuth",
    ))
}

/// The authorization server's metadata: RFC 8414's well-known path, else OpenID
/// Connect's.
fn authorization_server(http: &Http, issuer: &Url) -> Result<Value> {
    let path = issuer.path().trim_end_matches('/');
    let mut oauth = issuer.clone();
    oauth.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    for candidate in [oauth, oidc] {
        if let Some(document) = document(http, &candidate)? {
            return Ok(document);
        }
    }
    Err(Failure::new(
        Kind::Failed,
        format!("the authorization server {issuer} publishes no metadata (RFC 8414 or OpenID Connect discovery)"),
    )
    .advise(Advice::NotAnOauthServer)
    .into())
}

/// A JSON object at `url`: `None` when the server has none there (404, 405, 410, or
/// 401: nothing to read without a token).
fn document(http: &Http, url: &Url) -> Result<Option<Value>> {
    let answer = get(http, url, "application/json")?;
    match answer.status().as_u16() {
        200 => {}
        401 | 403 | 404 | 405 | 410 => return Ok(None),
        status => {
            return Err(Failure::new(
                Kind::Failed,
                format!("{url} answered HTTP {status} to a metadata request"),
            )
            .advise(Advice::TryMetadataLater)
            .into());
        }
    }
    if answer.body().len() > MAX_DOCUMENT {
        return Err(Failure::new(
            Kind::Failed,
            format!(
                "the metadata at {url} is larger than {} KiB: not read",
                MAX_DOCUMENT / 1024
            ),
        )
        .into());
    }
    match serde_json::from_slice(answer.body()) {
        Ok(value @ Value::Object(_)) => Ok(Some(value)),
        _ => Err(Failure::new(
            Kind::Failed,
            format!(
                "the metadata at {url} is not a JSON object ({})",
                crate::attio::oauth::Answer::of(&answer)
            ),
        )
        .into()),
    }
}

/// `GET url` without credentials.
fn get(http: &Http, url: &Url, accept: &str) -> Result<HttpResponse> {
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::GET)
        .uri(url.as_str())
        .header("Accept", accept)
        .body(Vec::new())?;
    Ok(http.send(request, Pool::Kept)?)
}

/// The `resource_metadata` parameter of a `WWW-Authenticate: Bearer …` challenge.
fn resource_metadata(challenge: &str) -> Option<String> {
    let at = challenge.find("resource_metadata=")? + "resource_metadata=".len();
    let rest = &challenge[at..];
    Some(match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?.to_string(),
        None => rest.split([',', ' ']).next()?.to_string(),
    })
}

/// A URL a server named, usable only when it is `https://` (plain `http://` only on this
/// machine), with no credentials or fragment.
pub fn checked_url(raw: &str, what: &str) -> Result<Url> {
    let refuse = |why: &str| -> anyhow::Error {
        Failure::new(
            Kind::Failed,
            format!("the {what} URL `{}` {why}", crate::output::shown(raw)),
        )
        .advise(Advice::MetadataUnusable)
        .into()
    };
    let url = Url::parse(raw).map_err(|_| refuse("is not a URL"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(refuse("has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(refuse(
                "is not https:// (plain http:// is allowed only on this machine)",
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(refuse("carries credentials or a fragment"));
    }
    Ok(url)
}

/// A URL without its trailing slash, for comparing identifiers.
fn trimmed(url: &str) -> &str {
    url.trim_end_matches('/')
}

fn unusable(url: &Url, why: &str) -> anyhow::Error {
    Failure::new(Kind::Failed, format!("{url} cannot be logged in to: {why}"))
        .advise(Advice::CheckMcpUrl)
        .into()
}

#[cfg(test)]
mod tests {
    use super::{checked_url, resource_metadata};

    #[test]
    fn a_challenge_names_its_resource_metadata_quoted_or_not() {
        assert_eq!(
            resource_metadata(
                r#"Bearer error="invalid_token", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp""#
            )
            .as_deref(),
            Some("https://mcp.example/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(
            resource_metadata("Bearer resource_metadata=https://a.example/m, realm=x").as_deref(),
            Some("https://a.example/m")
        );
        assert_eq!(resource_metadata("Bearer realm=\"x\""), None);
    }

    #[test]
    fn endpoints_are_https_or_on_this_machine() {
        assert!(checked_url("https://app.example/oidc/token", "token").is_ok());
        assert!(checked_url("http://127.0.0.1:9/token", "token").is_ok());
        for bad in [
            "http://app.example/token",
            "ftp://app.example/token",
            "https://user:pw@app.example/token",
            "https://app.example/token#x",
            "not a url",
        ] {
            assert!(checked_url(bad, "token").is_err(), "{bad}");
        }
    }
}
