//! Reading an OAuth redirect: from the listener's request target or from a URL the user
//! pasted. Pure parsing, no I/O, so every hostile input can be tried against it.

use crate::secret::Secret;

/// The path the redirect URI points at.
pub const PATH: &str = "/callback";

/// What a well-formed redirect carried.
#[derive(Debug)]
pub enum Callback {
    /// Consent given: a code to exchange, if `state` matches.
    Code { code: Secret<String>, state: String },
    /// The server ended the flow (`error=access_denied` and the like).
    Denied {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

/// Why a request is not a usable redirect.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    /// Another path (a browser's `/favicon.ico`): 404, keep waiting.
    NotFound,
    /// The redirect path with unusable parameters: 400, keep waiting.
    BadRequest(String),
}

/// Parses an origin-form request target such as `/callback?code=…&state=…`.
pub fn parse_target(target: &str) -> Result<Callback, Rejection> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != PATH {
        return Err(Rejection::NotFound);
    }
    parse_query(query).map_err(Rejection::BadRequest)
}

/// Parses a redirect URL pasted from the browser's address bar. It must point at the same
/// place as `redirect_uri`, apart from the query.
pub fn parse_pasted(text: &str, redirect_uri: &str) -> Result<Callback, String> {
    let text = text.trim();
    let (base, query) = text.split_once('?').unwrap_or((text, ""));
    if base != redirect_uri {
        return Err(format!("a pasted URL must start with {redirect_uri}?"));
    }
    parse_query(query)
}

/// Reads `code`, `state`, `error` and `error_description`; each may appear at most once.
fn parse_query(query: &str) -> Result<Callback, String> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.is_some() {
            return Err(format!("the redirect repeats the `{key}` parameter"));
        }
        *slot = Some(value.into_owned());
    }
    if let Some(error) = error {
        return Ok(Callback::Denied {
            error: printable(&error),
            description: description.as_deref().map(printable),
            state,
        });
    }
    match (code, state) {
        (Some(code), Some(state)) if !code.is_empty() => Ok(Callback::Code {
            code: Secret::new(code),
            state,
        }),
        (_, None) => Err("the redirect has no `state` parameter".into()),
        _ => Err("the redirect has neither a `code` nor an `error` parameter".into()),
    }
}

/// Server-provided text made safe to show in a terminal: no control characters, at most
/// 200 characters.
fn printable(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    clean.trim().to_string()
}

/// Compares `state` values in constant time, so timing reveals nothing about the expected one.
pub fn state_matches(expected: &str, got: &str) -> bool {
    expected.len() == got.len()
        && expected
            .bytes()
            .zip(got.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_state_are_read_from_the_callback_path_only() {
        match parse_target("/callback?code=abc&state=xyz&iss=attio") {
            Ok(Callback::Code { code, state }) => {
                assert_eq!(code.expose(), "abc");
                assert_eq!(state, "xyz");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            parse_target("/favicon.ico").unwrap_err(),
            Rejection::NotFound
        );
        assert_eq!(
            parse_target("/callback/x?code=a&state=b").unwrap_err(),
            Rejection::NotFound
        );
        assert!(matches!(
            parse_target("/callback?code=a"),
            Err(Rejection::BadRequest(_))
        ));
        assert!(matches!(
            parse_target("/callback?code=a&code=b&state=s"),
            Err(Rejection::BadRequest(_))
        ));
        assert!(matches!(
            parse_target("/callback?state=s"),
            Err(Rejection::BadRequest(_))
        ));
    }

    #[test]
    fn an_error_redirect_is_a_denial_with_sanitised_text() {
        match parse_target(
            "/callback?error=access_denied&error_description=User%20said%20no%0A%1b[31m&state=s",
        ) {
            Ok(Callback::Denied {
                error,
                description,
                state,
            }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("User said no  [31m"));
                assert_eq!(state.as_deref(), Some("s"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn pasted_urls_must_point_at_the_redirect_uri() {
        let uri = "http://localhost:3456/callback";
        assert!(parse_pasted(" http://localhost:3456/callback?code=c&state=s\n", uri).is_ok());
        assert!(parse_pasted("http://evil.example/callback?code=c&state=s", uri).is_err());
        assert!(parse_pasted("garbage", uri).is_err());
    }

    #[test]
    fn state_comparison() {
        assert!(state_matches("abc", "abc"));
        assert!(!state_matches("abc", "abd"));
        assert!(!state_matches("abc", "ab"));
    }
}
