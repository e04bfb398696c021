//! Reading an OAuth redirect: from the listener's request target or from a URL the user
//! pasted. Pure parsing, no I/O, so every hostile input can be tried against it.

use crate::secret::Secret;

/// The path the redirect URI points at.
pub const PATH: &str = "/callback";

/// The path prefix of the one-time start URL given to the browser.
pub const START_PREFIX: &str = "/start/";

/// What a well-formed redirect carried.
#[derive(Debug)]
pub enum Callback {
    /// Consent given: a code to exchange, if `state` (and `iss`, when expected) match.
    Code {
        code: Secret<String>,
        state: String,
        /// The authorization server that sent it (RFC 9207), when it says.
        iss: Option<String>,
    },
    /// The server ended the flow (`error=access_denied` and the like).
    Denied {
        error: String,
        description: Option<String>,
        state: Option<String>,
        iss: Option<String>,
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

/// Reads `code`, `state`, `iss`, `error` and `error_description`; each may appear at
/// most once.
fn parse_query(query: &str) -> Result<Callback, String> {
    let mut code = None;
    let mut state = None;
    let mut iss = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "iss" => &mut iss,
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
            iss,
        });
    }
    match (code, state) {
        (Some(code), Some(state)) if !code.is_empty() => Ok(Callback::Code {
            code: Secret::new(code),
            state,
            iss,
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
    crate::secret::same(expected.as_bytes(), got.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_state_are_read_from_the_callback_path_only() {
        match parse_target("/callback?code=abc&state=xyz&iss=attio") {
            Ok(Callback::Code { code, state, iss }) => {
                assert_eq!(code.expose(), "abc");
                assert_eq!(state, "xyz");
                assert_eq!(iss.as_deref(), Some("attio"), "RFC 9207's `iss`, when sent");
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
                ..
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

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Query keys worth mixing in: the real ones, near misses and noise.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("code".to_string()),
            Just("state".to_string()),
            Just("error".to_string()),
            Just("error_description".to_string()),
            Just("Code".to_string()),
            Just("code%00".to_string()),
            "[a-z_]{0,12}",
        ]
    }

    /// Values: empty, percent-encoded bytes, control characters, long runs.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[A-Za-z0-9_-]{1,40}",
            "(%[0-9A-Fa-f]{2}){0,20}",
            "\\PC{0,60}",
            "[\\x00-\\x1f\\x7f]{0,10}",
            "x{500,5000}",
        ]
    }

    fn query() -> impl Strategy<Value = String> {
        prop::collection::vec((key(), value(), prop::bool::ANY), 0..8).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v, bare)| if bare { k } else { format!("{k}={v}") })
                .collect::<Vec<_>>()
                .join("&")
        })
    }

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("/callback".to_string()),
            Just("/callback/".to_string()),
            Just("/Callback".to_string()),
            Just("//callback".to_string()),
            Just("/callback%2F".to_string()),
            Just("/favicon.ico".to_string()),
            Just("http://localhost/callback".to_string()),
            Just(String::new()),
            "\\PC{0,40}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn any_request_target_is_answered_without_panicking(target in "\\PC{0,300}") {
            let _ = parse_target(&target);
        }

        #[test]
        fn only_the_exact_callback_path_is_ever_accepted(path in path(), query in query()) {
            let target = format!("{path}?{query}");
            let parsed = parse_target(&target);
            if path != PATH {
                prop_assert_eq!(parsed.unwrap_err(), Rejection::NotFound);
            }
        }

        #[test]
        fn a_code_is_accepted_only_with_exactly_one_state(query in query()) {
            let pairs: Vec<(String, String)> =
                url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
            let count = |k: &str| pairs.iter().filter(|(key, _)| key == k).count();
            if let Ok(Callback::Code { code, state, .. }) = parse_target(&format!("/callback?{query}")) {
                prop_assert_eq!(count("code"), 1);
                prop_assert_eq!(count("state"), 1);
                prop_assert_eq!(count("error"), 0);
                prop_assert!(!code.expose().is_empty());
                let expected = &pairs.iter().find(|(k, _)| k == "state").unwrap().1;
                prop_assert_eq!(&state, expected);
            }
        }

        #[test]
        fn denials_carry_only_printable_bounded_text(query in query()) {
            if let Ok(Callback::Denied { error, description, .. }) = parse_target(&format!("/callback?{query}")) {
                for text in std::iter::once(&error).chain(description.as_ref()) {
                    prop_assert!(text.chars().count() <= 200);
                    prop_assert!(!text.chars().any(char::is_control));
                }
            }
        }

        #[test]
        fn pasted_urls_are_accepted_only_for_the_redirect_uri(prefix in "\\PC{0,60}", query in query()) {
            let uri = "http://localhost:3456/callback";
            let text = format!("{prefix}?{query}");
            if parse_pasted(&text, uri).is_ok() {
                prop_assert_eq!(prefix.trim_start(), uri);
            }
        }

        #[test]
        fn state_comparison_is_equality(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            prop_assert_eq!(state_matches(&a, &b), a == b);
            prop_assert!(state_matches(&a, &a));
        }
    }
}
