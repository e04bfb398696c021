//! `attio-auth login`: the browser flow against a strict fake server.

use std::net::TcpListener;

use crate::fake_attio::{CLIENT_SECRET, Consent, Tokens};
use crate::support::{TestEnv, files_under};

#[test]
fn login_exchanges_the_code_with_pkce_and_secret_in_the_body_then_stores_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.logged_in(&[]);
    assert_eq!(run.stdout, "", "login prints nothing on stdout");
    assert!(
        run.stderr.contains("Logged in to Acme (acme) as member 5e1d2c3b-member; scopes: record_permission:read-write, list_entry:read"),
        "{run:?}"
    );

    let authorize = env.fake.seen("/authorize");
    assert_eq!(authorize.len(), 1);
    let q = &authorize[0].query;
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(!q.contains_key("scope"), "no scope unless asked for");
    let exchanges = env.fake.token_requests("authorization_code");
    assert_eq!(exchanges.len(), 1);
    let form = &exchanges[0].form;
    assert_eq!(form["client_secret"], CLIENT_SECRET);
    assert_eq!(form["redirect_uri"], q["redirect_uri"]);
    assert!(form["code_verifier"].len() >= 43);
    assert_eq!(
        exchanges[0].authorization, None,
        "client authentication goes in the body, not Basic"
    );

    let token = env.run(&["token"]);
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, format!("{}\n", env.fake.last_access_token()).as_str())
    );
}

#[test]
fn requested_scopes_are_sent_and_unknown_spellings_warned_about() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.logged_in(&[
        "--scope",
        "record_permission:read",
        "--scope",
        "record_permission:read_write",
    ]);
    assert!(
        run.stderr
            .contains("`record_permission:read_write` is not a known Attio scope"),
        "{run:?}"
    );
    let q = &env.fake.seen("/authorize")[0].query;
    assert_eq!(
        q["scope"],
        "record_permission:read record_permission:read_write"
    );
}

#[test]
fn denied_consent_exits_4_and_stores_nothing() {
    let env = TestEnv::new(Consent::Deny, Tokens::LongLived);
    let run = env.login(&[]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("access_denied (The user declined)"),
        "{run:?}"
    );
    assert!(env.fake.seen("/oauth/token").is_empty());
    assert!(
        files_under(env.home.path())
            .iter()
            .all(|p| !p.ends_with("default.json")),
        "nothing stored"
    );
}

#[test]
fn a_callback_with_the_wrong_state_is_never_exchanged() {
    let env = TestEnv::new(Consent::WrongState, Tokens::LongLived);
    let run = env.run(&["login", "--port", "0", "--timeout", "3"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("`state` does not match"), "{run:?}");
    assert!(
        run.stderr.contains("no redirect arrived within 3 s"),
        "{run:?}"
    );
    assert!(
        env.fake.seen("/oauth/token").is_empty(),
        "the code must not be exchanged"
    );
}

#[test]
fn a_favicon_request_first_gets_404_and_the_login_still_completes() {
    let env = TestEnv::new(Consent::FaviconFirst, Tokens::LongLived);
    env.logged_in(&[]);
    assert_eq!(env.fake.state().favicon_status, Some(404));
    assert_eq!(env.fake.token_requests("authorization_code").len(), 1);
}

#[test]
fn no_callback_before_the_timeout_exits_4() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["login", "--port", "0", "--no-browser", "--timeout", "1"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("/authorize?"),
        "the URL is always printed: {run:?}"
    );
    assert!(
        run.stderr.contains("no redirect arrived within 1 s"),
        "{run:?}"
    );
    assert!(
        env.fake.seen("/authorize").is_empty(),
        "--no-browser opens nothing"
    );
}

#[test]
fn a_busy_port_is_named_in_the_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let run = env.run(&["login", "--port", &port]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("port {port} is already in use")),
        "{run:?}"
    );
    assert!(env.fake.seen("/authorize").is_empty());
}

#[test]
fn a_missing_required_scope_exits_5_and_stores_nothing() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.login(&[
        "--require-scope",
        "note:read",
        "--require-scope",
        "record_permission:read",
    ]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stderr.contains("required scope not granted: note:read"),
        "{run:?}"
    );
    assert!(!env.meta_file("default").exists());
    assert!(!env.credentials_file("default").exists());
}

#[test]
fn a_read_write_grant_satisfies_a_required_read_scope() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&["--require-scope", "record_permission:read"]);
}

#[test]
fn login_without_a_client_secret_and_no_terminal_is_a_usage_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run: crate::support::Run = env
        .cmd(&["login", "--port", "0"])
        .env_remove("ATTIO_CLIENT_SECRET")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("set ATTIO_CLIENT_SECRET"), "{run:?}");
}

#[test]
fn login_without_a_client_id_is_a_usage_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run: crate::support::Run = env
        .cmd(&["login"])
        .env_remove("ATTIO_CLIENT_ID")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("pass --client-id or set ATTIO_CLIENT_ID"),
        "{run:?}"
    );
}

#[test]
fn without_a_reachable_keyring_login_falls_back_to_the_file_store_with_a_warning() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // env_clear() leaves no D-Bus session bus address, so no Secret Service can be found.
    let run: crate::support::Run = env
        .cmd(&["login", "--port", "0", "--timeout", "20"])
        .env("ATTIO_AUTH_STORE", "keyring")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("the OS keyring is unavailable"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains(&env.credentials_file("default").display().to_string()),
        "{run:?}"
    );
    let status = env.run(&["status", "--json"]);
    let profiles: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(profiles[0]["store"], "file");
    let token: crate::support::Run = env
        .cmd(&["token"])
        .env("ATTIO_AUTH_STORE", "keyring")
        .output()
        .unwrap()
        .into();
    assert_eq!(token.stdout, format!("{}\n", env.fake.last_access_token()));
}

#[test]
fn verbose_output_never_shows_a_secret() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    let login = env.login(&["--verbose"]);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        login.stderr.contains("POST http://127.0.0.1"),
        "verbose shows requests: {login:?}"
    );
    let exchange = env.fake.token_requests("authorization_code")[0]
        .form
        .clone();
    let first_token = env.fake.state().issued[0].clone();
    let whoami = env.run(&["whoami", "--verbose"]);
    let token = env.run(&["token", "--verbose"]);
    let refresh = env.run(&["refresh", "--verbose"]);
    let refreshed = env.fake.token_requests("refresh_token");
    assert_eq!(
        refreshed.len(),
        3,
        "tokens living 30 s are refreshed by whoami, token and refresh"
    );
    let mut secrets = vec![
        CLIENT_SECRET.to_string(),
        exchange["code"].clone(),
        exchange["code_verifier"].clone(),
        first_token,
    ];
    secrets.extend(refreshed.iter().map(|r| r.form["refresh_token"].clone()));
    secrets.extend(env.fake.state().issued.iter().cloned());
    for run in [&login, &whoami, &token, &refresh] {
        for secret in &secrets {
            assert!(
                !run.stderr.contains(secret.as_str()),
                "a secret leaked to stderr: {run:?}"
            );
        }
    }
    assert_eq!(whoami.stdout, "");
    assert_eq!(refresh.stdout, "");
    assert_eq!(token.stdout.lines().count(), 1);
}
