//! Attio's hosted MCP server as an OAuth resource (MCP authorization, 2025-06-18): where
//! its authorization server is (`discovery`: RFC 9728 protected-resource metadata, then
//! RFC 8414 or OpenID Connect metadata, each checked), and how attio-auth becomes one of
//! its clients without an app of the user's own (`registration`: RFC 7591 dynamic
//! registration as a public native client; RFC 7009 revocation at logout).

pub mod discovery;
pub mod registration;

use serde::{Deserialize, Serialize};

/// Attio's hosted MCP server.
pub const DEFAULT_MCP_URL: &str = "https://mcp.attio.com/mcp";

/// A hosted MCP server and its authorization server, as discovered and checked; stored
/// with the profile, so that refreshes go to the token endpoint that issued its tokens.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hosted {
    /// The MCP server's URL: the resource every token is asked for (RFC 8707).
    pub url: String,
    /// The authorization server, as its metadata names itself.
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// The scopes to ask for: the resource's `scopes_supported`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The server puts `iss` in its redirect (RFC 9207): a callback without it, or with
    /// another, is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub iss_in_callback: bool,
    /// The authorization server answered `invalid_client`: it no longer knows the
    /// profile's registration (servers purge them), so the next login registers anew.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub registration_forgotten: bool,
}

/// What a hosted MCP server says of itself when a session starts.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub name: String,
    pub version: String,
    pub protocol_version: String,
}

/// Starts an MCP session with `token` (an `initialize` request, over Streamable HTTP:
/// the answer comes as JSON or as a server-sent event), ends it again (a DELETE with its
/// `Mcp-Session-Id`, so that no check leaves a session open at the server), and returns
/// what the server said of itself: the check that a token is accepted, as `/v2/self` is
/// for the REST API. A refusal (401, 403) is a login to renew (`rejected` says how).
pub fn initialize(
    http: &crate::http::Http,
    url: &str,
    token: &crate::secret::Secret<String>,
    rejected: &dyn Fn() -> crate::advice::Advice,
) -> anyhow::Result<ServerInfo> {
    use crate::failure::{Failure, Kind};
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "attio-auth", "version": env!("CARGO_PKG_VERSION")},
        },
    });
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::POST)
        .uri(url)
        .header("Authorization", format!("Bearer {}", token.expose()))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(body.to_string().into_bytes())?;
    let answer = http.send(request, crate::http::Pool::Kept)?;
    let status = answer.status().as_u16();
    if status == 401 || status == 403 {
        return Err(Failure::new(
            Kind::LoginAgain,
            format!("the hosted MCP server {url} refused the token (HTTP {status})"),
        )
        .advise(rejected())
        .into());
    }
    let described = crate::attio::oauth::Answer::of(&answer);
    let unusable = || -> anyhow::Error {
        Failure::new(
            Kind::Failed,
            format!(
                "the hosted MCP server {url} gave no usable answer to `initialize` ({described})"
            ),
        )
        .into()
    };
    if !answer.status().is_success() {
        return Err(unusable());
    }
    let message =
        answer_to_request_1(&String::from_utf8_lossy(answer.body())).ok_or_else(unusable)?;
    if let Some(session) = answer.headers().get("Mcp-Session-Id") {
        end_session(http, url, token, session);
    }
    let result = &message["result"];
    let field = |value: &serde_json::Value| {
        value
            .as_str()
            .map(|s| crate::output::shown(s).chars().take(100).collect())
            .unwrap_or_else(|| "(unknown)".to_string())
    };
    if !result.is_object() {
        return Err(unusable());
    }
    Ok(ServerInfo {
        name: field(&result["serverInfo"]["name"]),
        version: field(&result["serverInfo"]["version"]),
        protocol_version: field(&result["protocolVersion"]),
    })
}

/// The answer to request 1 in a Streamable HTTP response: a JSON body, or the `data:` of
/// the server-sent event that carries it.
fn answer_to_request_1(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .or_else(|| {
            text.split("\n\n")
                .map(|event| {
                    event
                        .lines()
                        .filter_map(|line| line.strip_prefix("data:"))
                        .map(str::trim_start)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .filter_map(|data| serde_json::from_str::<serde_json::Value>(&data).ok())
                .find(|message| message["id"] == 1)
        })
}

/// Ends a session `initialize` opened. The check's answer is already in hand, so a
/// failure here only shows in `--verbose`.
fn end_session(
    http: &crate::http::Http,
    url: &str,
    token: &crate::secret::Secret<String>,
    session: &oauth2::http::HeaderValue,
) {
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::DELETE)
        .uri(url)
        .header("Authorization", format!("Bearer {}", token.expose()))
        .header("Mcp-Session-Id", session.clone())
        .header("MCP-Protocol-Version", PROTOCOL_VERSION)
        .body(Vec::new());
    let ended = request
        .map_err(anyhow::Error::from)
        .and_then(|request| Ok(http.send(request, crate::http::Pool::Kept)?));
    match ended {
        Ok(answer) => crate::output::verbose(format!(
            "ended the MCP session the check opened (HTTP {})",
            answer.status().as_u16()
        )),
        Err(e) => crate::output::verbose(format!(
            "could not end the MCP session the check opened: {e:#}"
        )),
    }
}

/// The MCP protocol revision attio-auth speaks.
pub const PROTOCOL_VERSION: &str = "2025-06-18";
