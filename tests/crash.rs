//! A process killed in the middle of a refresh leaves usable credentials behind and never
//! causes a refresh token to be sent twice.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

#[test]
fn a_kill_while_the_refresh_is_in_flight_keeps_the_old_token_usable_and_the_grant_alive() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    // The fake tells us when the refresh request has reached it; then the client dies.
    let mut child = env.refresh_in_flight(&["refresh"], Duration::from_secs(2));
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().code(), None, "killed by a signal");

    // The server went on to rotate the refresh token; the client never heard. The old
    // access token is still stored and handed out, and the used refresh token is never
    // sent again (that would revoke the grant, and with it the access token).
    let run = env.run(&["token", "--min-ttl", "7200"]);
    assert_eq!(
        (run.code, run.stdout.clone()),
        (0, format!("{token}\n")),
        "{run:?}"
    );
    assert!(run.stderr.contains("did not finish"), "{run:?}");
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
    assert_eq!(env.fake.refresh_reuses(), 0);
    assert_eq!(env.run(&["whoami"]).code, 0, "the grant is alive");
}

#[test]
fn a_crash_while_writing_never_leaves_a_broken_credentials_file() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    let before = std::fs::read(env.credentials_file("default")).unwrap();
    // `ulimit -f 0`: the first byte written to any file kills the process (SIGXFSZ), here
    // while the refresh state is being written, before anything is sent.
    let mut shell = refresh_in_shell(&env, "ulimit -f 0; ");
    let status = shell
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the write was cut short");
    assert_eq!(
        std::fs::read(env.credentials_file("default")).unwrap(),
        before,
        "untouched"
    );
    assert!(
        env.fake.token_requests("refresh_token").is_empty(),
        "nothing was sent"
    );
    assert_eq!(env.run(&["token"]).stdout, format!("{token}\n"));
    let refresh = env.run(&["refresh"]);
    assert_eq!(
        refresh.code, 0,
        "the refresh token is as good as before: {refresh:?}"
    );
}

#[test]
fn a_failed_write_is_a_clear_error_and_destroys_nothing() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let before = std::fs::read(env.credentials_file("default")).unwrap();
    // With SIGXFSZ ignored, `ulimit -f 0` makes every file write fail with EFBIG, as a
    // full disk fails it with ENOSPC.
    let mut shell = refresh_in_shell(&env, "trap '' XFSZ; ulimit -f 0; ");
    let run: crate::support::Run = shell.output().unwrap().into();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "refreshing the access token of profile `default`: storing the refresh state"
        ),
        "{run:?}"
    );
    assert!(run.stderr.contains("File too large"), "{run:?}");
    assert_eq!(
        std::fs::read(env.credentials_file("default")).unwrap(),
        before
    );
    assert!(
        env.fake.token_requests("refresh_token").is_empty(),
        "nothing was sent"
    );
    let leftovers: Vec<_> = std::fs::read_dir(env.credentials_file("default").parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file left behind: {leftovers:?}"
    );
}

/// `attio-auth refresh` run by `sh -c "PRELUDE exec attio-auth refresh"`, with the test's
/// hermetic environment, so the prelude can set limits and signal dispositions.
fn refresh_in_shell(env: &TestEnv, prelude: &str) -> Command {
    let mut shell = env.wrapper("sh");
    shell.args([
        "-c",
        &format!("{prelude}exec {} refresh", env!("CARGO_BIN_EXE_attio-auth")),
    ]);
    shell
}

/// Ctrl-C (SIGINT) to a child, as a terminal sends it.
#[cfg(unix)]
fn interrupt(child: &std::process::Child) {
    // SAFETY: kill has no memory preconditions; the child has not been waited for.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_before_the_refresh_connects_leaves_the_refresh_token_usable() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    // An app URL whose TLS never answers: the connection is never made.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let unreachable = format!("https://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let mut document = crate::support::stored_document(&env, "default");
    document["app_url"] = serde_json::json!(unreachable);
    crate::support::store_document(&env, "default", &document);
    let meta = env.meta_file("default");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace(&env.fake.url, &unreachable)).unwrap();

    let child = env
        .cmd(&["refresh"])
        .env_remove("ATTIO_APP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The client is in its TLS handshake once its TCP connection is accepted.
    let (_held, _) = silent.accept().unwrap();
    interrupt(&child);
    let run: crate::support::Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 130, "{run:?}");
    assert!(
        run.stderr
            .contains("was interrupted (Ctrl-C) before it was sent"),
        "{run:?}"
    );
    let document = crate::support::stored_document(&env, "default");
    assert_ne!(document["refresh_pending"], true, "not pending: {document}");

    // Back at the real app: the same refresh token works, no new login needed.
    let mut document = document;
    document["app_url"] = serde_json::json!(env.fake.url);
    crate::support::store_document(&env, "default", &document);
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace(&unreachable, &env.fake.url)).unwrap();
    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 0, "{refresh:?}");
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_the_refresh_is_at_the_server_never_resends_its_token() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let child = env.refresh_in_flight(&["refresh"], Duration::from_secs(2));
    interrupt(&child);
    let run: crate::support::Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 130, "{run:?}");
    assert!(
        run.stderr.contains("the server may have received it"),
        "{run:?}"
    );
    let document = crate::support::stored_document(&env, "default");
    assert_eq!(document["refresh_pending"], true, "{document}");
    let again = env.run(&["refresh"]);
    assert_eq!(again.code, 3, "{again:?}");
    assert_eq!(
        env.fake.token_requests("refresh_token").len(),
        1,
        "never resent"
    );
}
