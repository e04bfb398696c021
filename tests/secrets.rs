//! Where secrets must never show: another user's view of argv, the environment and
//! core files; the browser's pages; a server that echoes them back, in any encoding, or
//! sends bytes meant for the terminal.

use serde_json::json;

#[cfg(target_os = "linux")]
use crate::browsers::Waiting;
use crate::browsers::{login_with, page_browser, saved_page, script};
use crate::fake_attio::{CLIENT_SECRET, Consent, Echo, Misbehave, Tokens};
#[cfg(target_os = "linux")]
use crate::support::can_chown;
use crate::support::{BROWSER, TestEnv, assert_no_leak};

#[test]
fn the_browser_gets_no_login_secret_in_its_argv_or_environment() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let browser = script(
        &env,
        "recording-browser",
        &format!(
            "printf '%s\\n' \"$0\" \"$@\" > \"$HOME/argv\"\nenv > \"$HOME/environ\"\nexec {BROWSER} \"$1\""
        ),
    );
    let run = login_with(&env, &browser);
    assert_eq!(run.code, 0, "{run:?}");
    let argv = std::fs::read_to_string(env.home.path().join("argv")).unwrap();
    let environ = std::fs::read_to_string(env.home.path().join("environ")).unwrap();
    let authorize = &env.fake.seen("/authorize")[0].query;
    let verifier = &env.fake.token_requests("authorization_code")[0].form["code_verifier"];
    for secret in [&authorize["state"], &authorize["code_challenge"], verifier] {
        assert!(!argv.contains(secret.as_str()), "{argv}");
        assert!(!environ.contains(secret.as_str()), "{environ}");
    }
    assert!(argv.contains("/start/"), "{argv}");
    assert!(
        !environ.contains(CLIENT_SECRET),
        "the browser gets no client secret"
    );
    // The user's own terminal still shows the full authorize URL, for remote use.
    assert!(run.stderr.contains(&authorize["state"]), "{run:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_login_in_progress_cannot_dump_core_and_is_not_dumpable() {
    use std::os::unix::fs::MetadataExt;
    if !can_chown() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // Run as an unprivileged user, whose /proc entries root would own only if the
    // process made itself non-dumpable.
    let outer = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(outer.path(), Some(65534), Some(65534)).unwrap();
    let home = outer.path().display().to_string();
    let config = format!("{home}/config");
    let data = format!("{home}/data");
    let waiting = Waiting::start_as(
        &env,
        "ulimit -c unlimited; ",
        "setpriv --reuid=65534 --regid=65534 --clear-groups",
        &[
            ("HOME", &home),
            ("XDG_CONFIG_HOME", &config),
            ("XDG_DATA_HOME", &data),
            ("BROWSER", "true"),
        ],
    );
    let pid = waiting.child.id();
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let environ_owner = std::fs::metadata(format!("/proc/{pid}/environ"))
        .unwrap()
        .uid();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let mut waiting = waiting;
    let _ = waiting.child.kill();
    let _ = waiting.child.wait();
    assert!(status.contains("Uid:\t65534"), "{status}");
    let core: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .split_whitespace()
        .skip(4)
        .take(2)
        .collect();
    // No core file (soft limit 0); the hard limit is left as it was, so the programs a
    // login starts may raise theirs again.
    let ours = std::fs::read_to_string("/proc/self/limits").unwrap();
    let our_hard = ours
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .split_whitespace()
        .nth(5)
        .unwrap()
        .to_string();
    assert_eq!(core, ["0", our_hard.as_str()], "{limits}");
    assert_eq!(
        environ_owner, 0,
        "PR_SET_DUMPABLE 0 hands /proc/PID to root"
    );
}

#[test]
fn secrets_echoed_back_in_any_encoding_are_never_shown() {
    for echo in Echo::ALL {
        // The code exchange.
        let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
        env.fake.echo_secrets(echo);
        let run = env.login(&["--verbose"]);
        assert_eq!(run.code, 4, "{echo:?}: {run:?}");
        assert_no_leak(&env, &run, &format!("exchange, {echo:?}"));

        // A refresh, and /v2/self.
        let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
        env.logged_in(&[]);
        env.fake.echo_secrets(echo);
        let refresh = env.run(&["refresh", "--verbose"]);
        assert_eq!(refresh.code, 3, "{echo:?}: {refresh:?}");
        assert_no_leak(&env, &refresh, &format!("refresh, {echo:?}"));
        let whoami = env.run(&["whoami", "--verbose"]);
        assert_eq!(whoami.code, 3, "{echo:?}: {whoami:?}");
        assert_no_leak(&env, &whoami, &format!("whoami, {echo:?}"));
    }
}

#[test]
fn the_browsers_error_page_never_shows_server_text() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // An HTML error page from a proxy, in place of the token endpoint's answer.
    env.fake
        .misbehave("/oauth/token", Misbehave::Status(400, None), usize::MAX);
    let browser = page_browser(
        &env,
        "curl --silent --location --max-time 30 --output \"$HOME/page\" \"$1\"",
    );
    let run = login_with(&env, &browser);
    assert_eq!(run.code, 1, "{run:?}");
    let page = saved_page(&env);
    assert!(page.contains("terminal"), "{page}");
    assert!(!page.contains("nginx") && !page.contains("502"), "{page}");
}

#[test]
fn tokens_that_are_not_bearer_tokens_are_refused_and_never_stored_or_printed() {
    let injected = "at_good\r\nX-Injected: 1\r\nHost: evil.example";
    let answers = [
        json!({"access_token": injected, "token_type": "Bearer"}),
        json!({"access_token": "", "token_type": "Bearer"}),
        json!({"access_token": "x".repeat(20_000), "token_type": "Bearer"}),
    ];
    for answer in answers {
        let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
        env.fake
            .misbehave("/oauth/token", Misbehave::Json(answer.clone()), usize::MAX);
        let run = env.login(&[]);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(run.stderr.contains("not a valid bearer token"), "{run:?}");
        assert!(!run.stderr.contains("X-Injected"), "{run:?}");
        assert!(!env.meta_file("default").exists(), "nothing stored");
    }

    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for value in ["sk_a\r\nX-Injected: 1", "sk_\u{1b}]52;c;ZXZpbA==\u{7}"] {
        let run = env.run_with(&["token", "--header"], &[("ATTIO_API_KEY", value)]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:?}");
        assert!(run.stderr.contains("ATTIO_API_KEY"), "{run:?}");
        assert!(!run.stderr.contains('\u{1b}'), "{run:?}");
    }
    let long = "sk_".to_string() + &"a".repeat(9000);
    let run = env.run_stdin(&["login", "--with-token"], &long);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(env.fake.seen("/v2/self").is_empty(), "never sent anywhere");
}

#[test]
fn terminal_control_sequences_from_a_server_are_escaped() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake
        .set_workspace_name("Acme\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J");
    env.logged_in(&[]);
    let whoami = env.run(&["whoami"]);
    assert_eq!(whoami.code, 0, "{whoami:?}");
    assert!(!whoami.stdout.contains('\u{1b}'), "{whoami:?}");
    assert!(!whoami.stdout.contains('\u{7}'), "{whoami:?}");
    assert!(whoami.stdout.contains("Acme"), "{whoami:?}");

    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    env.fake.misbehave(
        "/oauth/token",
        Misbehave::Json(json!({"error": "invalid_grant", "error_description": "gone\u{1b}[2J\u{1b}]0;owned\u{7}"})),
        1,
    );
    let refresh = env.run(&["refresh"]);
    assert!(!refresh.stderr.contains('\u{1b}'), "{refresh:?}");
}
