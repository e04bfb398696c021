//! `login --with-token`: an API key or token read from stdin, checked against
//! `/v2/self` and stored.

use crate::fake_attio::{Consent, Tokens};
use crate::support::{API_KEY, TestEnv, hint_of, with_api_key};

#[test]
fn login_with_token_stores_an_api_key_read_from_stdin() {
    let env = with_api_key();
    let run = env.run_stdin(&["login", "--with-token"], &format!("  {API_KEY}\n\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("Logged in to Acme (acme)"), "{run:?}");
    assert!(!run.stderr.contains(API_KEY), "{run:?}");
    let seen = env.fake.seen("/v2/self");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {API_KEY}").as_str()),
        "trimmed"
    );
    assert!(env.fake.seen("/authorize").is_empty() && env.fake.seen("/oauth/token").is_empty());
    assert_eq!(env.run(&["token"]).stdout, format!("{API_KEY}\n"));
    let refresh = env.run(&["refresh"]);
    assert_eq!(
        refresh.code, 1,
        "no refresh token for an API key: {refresh:?}"
    );
}

#[test]
fn login_with_an_empty_or_rejected_token_stores_nothing() {
    let env = with_api_key();
    let empty = env.run_stdin(&["login", "--with-token"], " \n");
    empty.expect(
        2,
        "",
        "attio-auth: error: no token on stdin: nothing was stored\n\
         attio-auth: hint: pipe the key in, e.g. `printenv ATTIO_API_KEY | attio-auth login --with-token`\n",
    );
    let rejected = env.run_stdin(&["login", "--with-token"], "sk_not_a_real_key\n");
    rejected.expect(
        3,
        "",
        "attio-auth: error: checking the token with Attio; nothing was stored: Attio reports the access token as inactive (revoked, expired or uninstalled)\n\
         attio-auth: hint: check the key or token (a workspace API key from Attio's settings, or an access token) and pipe it in again: `printenv ATTIO_API_KEY | attio-auth login --with-token`\n",
    );
    assert!(!env.meta_file("default").exists() && !env.credentials_file("default").exists());
}

#[test]
fn a_rejected_with_token_login_says_to_pipe_a_valid_one_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_stdin(
        &["login", "--with-token", "--profile", "ci"],
        "sk_not_a_key\n",
    );
    assert_eq!(run.code, 3, "{run:?}");
    let hint = hint_of(&run.stderr);
    assert!(
        hint.contains("| attio-auth login --with-token --profile ci`"),
        "{run:?}"
    );
    assert!(!hint.contains("approve"), "not the browser login: {run:?}");
}

#[test]
fn login_with_token_refuses_browser_flags() {
    let env = with_api_key();
    let run = env.run_stdin(&["login", "--with-token", "--port", "4000"], API_KEY);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn login_with_token_reads_no_more_than_a_token_could_be() {
    let env = with_api_key();
    let mut child = env
        .cmd(&["login", "--with-token"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // 64 MiB: a process that reads it all lets this write finish; one that stops early
    // and exits breaks the pipe.
    let mut stdin = child.stdin.take().unwrap();
    let written = std::io::Write::write_all(&mut stdin, &vec![b'a'; 64 << 20]);
    drop(stdin);
    let run: crate::support::Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("which is not a token: nothing was stored"),
        "{run:?}"
    );
    assert_eq!(
        written.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::BrokenPipe),
        "stdin was not read to its end"
    );
    assert!(!env.meta_file("default").exists());
}

#[test]
fn a_pasted_token_expires_only_when_attio_says_so() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.fake.accept_api_key(API_KEY);
    env.logged_in(&[]);
    let access = env.fake.last_access_token();
    let pasted = env.run_stdin(&["login", "--with-token", "--profile", "pasted"], &access);
    assert_eq!(pasted.code, 0, "{pasted:?}");
    let key = env.run_stdin(&["login", "--with-token", "--profile", "key"], API_KEY);
    assert_eq!(key.code, 0, "{key:?}");
    let status = env.run(&["status", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let expiry = |name: &str| {
        value["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["profile"] == name)
            .unwrap()["expires_at"]
            .clone()
    };
    // (Not the `default` profile's: that one is the login's clock plus expires_in.)
    let reported = env.fake.expires_at(&access);
    assert_eq!(
        expiry("pasted"),
        serde_json::json!(reported),
        "the exp /v2/self reports"
    );
    assert!(expiry("pasted").is_u64());
    assert_eq!(
        expiry("key"),
        serde_json::Value::Null,
        "an API key never expires"
    );
}
