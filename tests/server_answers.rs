//! Servers that answer badly: every odd answer gives a clear error that describes what
//! the server sent (never quoting a body), never a panic or a secret, and nothing unsafe
//! is retried.

use std::time::Duration;

use crate::fake_attio::{CLIENT_SECRET, Consent, Misbehave, Tokens, closing_server};
use crate::support::{Run, TestEnv};

/// Asserts a failed run is clean: the expected exit code and message, no panic, and none
/// of the secrets the fake has handed out or received.
fn assert_clean_failure(env: &TestEnv, run: &Run, code: i32, message: &str) {
    assert_eq!(run.code, code, "{run:?}");
    assert!(
        run.stderr.contains(message),
        "expected {message:?} in {run:?}"
    );
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert_eq!(
        run.stderr.lines().filter(|l| l.contains("error:")).count(),
        1,
        "one error line: {run:?}"
    );
    let mut secrets = vec![CLIENT_SECRET.to_string()];
    secrets.extend(env.fake.issued());
    for seen in env.fake.seen("/oauth/token") {
        secrets.extend(
            ["code", "code_verifier", "refresh_token"]
                .iter()
                .filter_map(|k| seen.form.get(*k).cloned()),
        );
    }
    for secret in secrets {
        assert!(
            !run.stderr.contains(&secret) && !run.stdout.contains(&secret),
            "secret leaked: {run:?}"
        );
    }
}

#[test]
fn odd_identity_answers_give_clear_errors() {
    let cases: Vec<(Misbehave, &str)> = vec![
        (
            Misbehave::Html,
            "answered with something other than a JSON object: HTTP 200, text/html, 55 bytes",
        ),
        (
            Misbehave::NotJson,
            "something other than a JSON object: HTTP 200, text/plain, 37 bytes",
        ),
        (
            Misbehave::Json(serde_json::json!({"active": "yes"})),
            "without a boolean `active` field",
        ),
        (
            Misbehave::Json(serde_json::json!([1, 2])),
            "something other than a JSON object",
        ),
        (
            Misbehave::Json(serde_json::json!({"active": true, "scope": 5})),
            "a `scope` that is not a string",
        ),
        (
            Misbehave::Json(serde_json::json!({"active": true, "exp": "soon"})),
            "an `exp` that is not a Unix time",
        ),
        (Misbehave::Huge(2 * 1024 * 1024), "is larger than 1024 KiB"),
        (
            Misbehave::Hang(Duration::from_secs(5)),
            "no response within 1 s (--http-timeout)",
        ),
        (
            Misbehave::Status(404, None),
            "answered HTTP 404: HTTP 404, text/html, 55 bytes",
        ),
    ];
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    for (how, message) in cases {
        env.fake.misbehave("/v2/self", how.clone(), usize::MAX);
        let run = env.run(&["whoami", "--http-timeout", "1", "--verbose"]);
        assert_clean_failure(&env, &run, 1, message);
    }
}

#[test]
fn rate_limits_and_server_errors_on_identity_are_retried_as_retry_after_says() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let before = env.fake.seen("/v2/self").len();
    let soon = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(1));
    env.fake
        .misbehave("/v2/self", Misbehave::Status(429, Some(soon)), 1);
    let run = env.run(&["whoami", "--verbose"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("HTTP 429 from GET"), "{run:?}");
    assert_eq!(env.fake.seen("/v2/self").len() - before, 2);

    env.fake
        .misbehave("/v2/self", Misbehave::Status(503, None), 2);
    let run = env.run(&["whoami"]);
    assert_eq!(run.code, 0, "two 503s, then an answer: {run:?}");

    let before = env.fake.seen("/v2/self").len();
    env.fake.misbehave(
        "/v2/self",
        Misbehave::Status(503, Some("0".into())),
        usize::MAX,
    );
    let run = env.run(&["whoami"]);
    assert_clean_failure(&env, &run, 1, "answered HTTP 503");
    assert_eq!(
        env.fake.seen("/v2/self").len() - before,
        3,
        "bounded: three attempts"
    );

    let before = env.fake.seen("/v2/self").len();
    env.fake.misbehave(
        "/v2/self",
        Misbehave::Status(429, Some("3600".into())),
        usize::MAX,
    );
    let run = env.run(&["whoami"]);
    assert_clean_failure(&env, &run, 1, "answered HTTP 429");
    assert_eq!(
        env.fake.seen("/v2/self").len() - before,
        1,
        "an hour's wait is not waited"
    );
}

#[test]
fn odd_token_endpoint_answers_end_the_login_cleanly_and_are_never_retried() {
    let cases: Vec<(Misbehave, &str)> = vec![
        (
            Misbehave::Html,
            "unexpected answer from the token endpoint (HTTP 200, text/html, 55 bytes): not a JSON object",
        ),
        (
            Misbehave::Status(500, None),
            "unexpected answer from the token endpoint (HTTP 500, text/html, 55 bytes)",
        ),
        (Misbehave::Status(503, Some("1".into())), "(HTTP 503, "),
        (
            Misbehave::Json(serde_json::json!({"token_type": "Bearer"})),
            "unexpected answer from the token endpoint (HTTP 200, application/json, 23 bytes): no `access_token`",
        ),
        (
            Misbehave::Hang(Duration::from_secs(5)),
            "no response within 1 s",
        ),
        (Misbehave::Huge(2 * 1024 * 1024), "larger than 1024 KiB"),
    ];
    for (how, message) in cases {
        let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
        env.fake.misbehave("/oauth/token", how.clone(), usize::MAX);
        let run = env.login(&["--http-timeout", "1", "--verbose"]);
        assert_clean_failure(&env, &run, 1, message);
        assert_eq!(
            env.fake.seen("/oauth/token").len(),
            1,
            "a code exchange is never retried ({how:?})"
        );
        assert!(
            !env.meta_file("default").exists(),
            "nothing stored ({how:?})"
        );
    }
}

#[test]
fn a_refresh_with_an_unknown_outcome_is_never_sent_again() {
    for how in [
        Misbehave::Status(503, Some("0".into())),
        Misbehave::Hang(Duration::from_secs(5)),
    ] {
        let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
        env.logged_in(&[]);
        let token = env.fake.last_access_token();
        env.fake.misbehave("/oauth/token", how.clone(), 1);
        let run = env.run(&["refresh", "--http-timeout", "1", "--verbose"]);
        assert_clean_failure(
            &env,
            &run,
            1,
            "refreshing the access token of profile `default`",
        );
        assert!(run.stderr.contains("will not be sent again"), "{run:?}");
        assert_eq!(
            env.fake.token_requests("refresh_token").len(),
            1,
            "not retried ({how:?})"
        );

        // The access token is kept and still handed out while it lives...
        assert_eq!(env.run(&["token"]).stdout, format!("{token}\n"));
        // ...but the refresh token whose fate is unknown is never sent again.
        let again = env.run(&["refresh"]);
        assert_eq!(again.code, 3, "{again:?}");
        assert!(again.stderr.contains("did not finish"), "{again:?}");
        let due = env.run(&["token", "--min-ttl", "7200"]);
        assert_eq!(due.code, 0, "{due:?}");
        assert_eq!(due.stdout, format!("{token}\n"));
        assert!(
            due.stderr.contains("using the current access token"),
            "{due:?}"
        );
        assert_eq!(env.fake.token_requests("refresh_token").len(), 1, "{how:?}");
        assert_eq!(env.fake.refresh_reuses(), 0);
    }
}

/// Makes the stored credentials of `default` look issued by `app_url` (as if the issuer
/// moved or went down), returning what was there before.
fn move_issuer(env: &TestEnv, app_url: &str) -> (String, String) {
    let creds = std::fs::read_to_string(env.credentials_file("default")).unwrap();
    let meta = std::fs::read_to_string(env.meta_file("default")).unwrap();
    let issuer = format!("{}/", env.fake.url);
    let moved = format!("{app_url}/");
    std::fs::write(
        env.credentials_file("default"),
        creds.replace(&issuer, &moved),
    )
    .unwrap();
    std::fs::write(env.meta_file("default"), meta.replace(&issuer, &moved)).unwrap();
    (creds, meta)
}

#[test]
fn a_refresh_that_never_reached_the_server_can_be_tried_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    // Nothing listens on port 9 of the loopback interface: the connection is refused.
    let (creds, meta) = move_issuer(&env, "http://127.0.0.1:9");
    let mut cmd = env.cmd(&["refresh"]);
    cmd.env_remove("ATTIO_APP_URL");
    let refused: Run = cmd.output().unwrap().into();
    assert_clean_failure(&env, &refused, 1, "could not connect");
    let now = std::fs::read_to_string(env.credentials_file("default")).unwrap();
    assert!(
        !now.contains("refresh_pending"),
        "not marked as used: {now}"
    );
    std::fs::write(env.credentials_file("default"), &creds).unwrap();
    std::fs::write(env.meta_file("default"), &meta).unwrap();
    let retried = env.run(&["refresh"]);
    assert_eq!(retried.code, 0, "{retried:?}");
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
}

#[test]
fn a_connection_closed_without_an_answer_is_a_clear_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    let closing = closing_server(2);
    let whoami = env.run_with(
        &["whoami"],
        &[
            ("ATTIO_API_URL", &closing),
            ("ATTIO_API_KEY", "sk_for_a_closing_server"),
        ],
    );
    assert_clean_failure(&env, &whoami, 1, &format!("GET {closing}/v2/self failed: "));
    let (creds, meta) = move_issuer(&env, &closing);
    let mut cmd = env.cmd(&["refresh"]);
    cmd.env_remove("ATTIO_APP_URL");
    let refresh: Run = cmd.output().unwrap().into();
    // The server closes each connection at once: before the request was written (the
    // refresh token is kept, still good) or after (its outcome is unknown, so it is
    // marked and never sent again). Either way the message says which.
    assert_clean_failure(
        &env,
        &refresh,
        1,
        &format!("POST {closing}/oauth/token failed"),
    );
    let unsent = refresh.stderr.contains("failed before it was sent: ");
    let document = crate::support::stored_document(&env, "default");
    assert_eq!(document["refresh_pending"] == true, !unsent, "{refresh:?}");
    std::fs::write(env.meta_file("default"), &meta).unwrap();
    let kept = std::fs::read_to_string(env.credentials_file("default")).unwrap();
    let issuer = format!("{}/", env.fake.url);
    std::fs::write(
        env.credentials_file("default"),
        kept.replace(&format!("{closing}/"), &issuer),
    )
    .unwrap();
    assert_ne!(kept, creds, "stored again: marked, or its mark cleared");
    assert_eq!(
        env.run(&["token"]).stdout,
        format!("{token}\n"),
        "credentials kept"
    );
}

#[test]
fn a_network_failure_says_what_to_check() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(
        &["whoami"],
        &[
            ("ATTIO_API_KEY", crate::support::API_KEY),
            ("ATTIO_API_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        crate::support::hint_of(&run.stderr).starts_with("check the network connection"),
        "{run:?}"
    );
}

#[test]
fn a_retry_after_longer_than_the_server_keeps_a_connection_goes_out_on_a_new_one() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let before = env.fake.seen("/v2/self").len();
    // Longer than the fake keeps an idle connection open (as Node does after 5 s).
    env.fake
        .misbehave("/v2/self", Misbehave::Status(429, Some("2".into())), 1);
    let run = env.run(&["whoami"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(env.fake.seen("/v2/self").len() - before, 2);
}
