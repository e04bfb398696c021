//! `exec` without the proxy: the token in the command's environment, its exit status,
//! and what it never hands on.

use crate::fake_attio::{Consent, Tokens};
use crate::support::{API_KEY, TestEnv, with_api_key};

#[test]
fn exec_passes_a_fresh_token_and_returns_the_commands_exit_status() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&[]);
    let script = r#"printf '%s|%s|%s|%s' "$ATTIO_ACCESS_TOKEN" "$ATTIO_API_KEY" "$ATTIO_AUTH_TOKEN_PROFILE" "$1"; exit 7"#;
    let run = env.run_with(
        &[
            "exec",
            "--min-ttl",
            "60",
            "--",
            "sh",
            "-c",
            script,
            "sh",
            "--flag",
        ],
        &[("ATTIO_API_KEY", "sk_stale")],
    );
    assert_eq!(run.code, 7, "{run:?}");
    // The stored token lived 30 s: exec refreshed it first, and put it under both names
    // (every Attio client reads ATTIO_API_KEY first), replacing the stale API key.
    let fresh = env.fake.last_access_token();
    assert_eq!(run.stdout, format!("{fresh}|{fresh}|default|--flag"));
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);

    let named = env.run(&[
        "exec",
        "--env",
        "MY_TOKEN",
        "--",
        "sh",
        "-c",
        "printf %s \"$MY_TOKEN\"",
    ]);
    assert_eq!(
        (named.code, named.stdout),
        (0, env.fake.last_access_token())
    );
}

#[test]
fn exec_of_a_missing_command_exits_127() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let run = env.run(&["exec", "--", "/nonexistent/program"]);
    assert_eq!(run.code, 127, "{run:?}");
    assert!(
        run.stderr
            .contains("command `/nonexistent/program` not found"),
        "{run:?}"
    );
    let not_logged_in = env.run(&["--profile", "other", "exec", "--", "true"]);
    assert_eq!(not_logged_in.code, 3, "{not_logged_in:?}");
}

#[test]
fn exec_with_an_api_key_and_no_login_says_how_to_use_the_key() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(
        &["exec", "--", "true"],
        &[("ATTIO_API_KEY", "sk_live_by_hand_0123456789")],
    );
    // The key itself is never shown.
    run.expect(
        3,
        "",
        "attio-auth: error: profile `default` is not logged in; exec hands out a stored profile's token, never ATTIO_API_KEY\n\
         attio-auth: hint: run the command directly (it already has ATTIO_API_KEY), or store the key: `printf '%s' \"$ATTIO_API_KEY\" | attio-auth login --with-token`\n",
    );
}

#[test]
fn exec_s_command_may_raise_its_core_limit_again() {
    let env = with_api_key();
    env.run_stdin(&["login", "--with-token"], API_KEY);
    let limits = "ulimit -H -c; ulimit -c unlimited 2>/dev/null && ulimit -c";
    let direct = env.wrapper("sh").args(["-c", limits]).output().unwrap();
    let direct = String::from_utf8(direct.stdout).unwrap();
    assert!(
        direct.starts_with("unlimited\n"),
        "the test needs an unlimited hard core limit to show anything: {direct}"
    );
    // attio-auth writes no core file itself (soft limit 0) but leaves the hard limit, so
    // the command can raise its soft limit again.
    let run = env.run(&["exec", "--", "sh", "-c", limits]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "unlimited\nunlimited\n"),
        "{run:?}"
    );
}

#[test]
fn exec_never_hands_the_client_secret_to_its_command() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let run = env.run(&[
        "exec",
        "--",
        "sh",
        "-c",
        "printf '%s' \"${ATTIO_CLIENT_SECRET-unset}\"",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "unset"), "{run:?}");
}
