//! `token`, `refresh` and `whoami` on a logged-in profile.

use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

use crate::fake_attio::{Consent, SelfMode, Tokens};
use crate::support::{TestEnv, store_document, stored_document};

#[test]
fn a_long_lived_token_is_printed_as_is_and_refresh_keeps_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let issued = env.fake.last_access_token();

    let token = env.run(&["token"]);
    assert_eq!(
        (token.code, token.stdout.clone(), token.stderr.clone()),
        (0, format!("{issued}\n"), String::new())
    );
    let header = env.run(&["token", "--header"]);
    assert_eq!(header.stdout, format!("Authorization: Bearer {issued}\n"));

    let refresh = env.run(&["refresh"]);
    refresh.expect(
        1,
        "",
        "attio-auth: error: refreshing the access token of profile `default`: profile `default` has no refresh token: Attio issued a long-lived access token, which stays valid until the app is uninstalled; the stored token is kept\n\
         attio-auth: hint: nothing to do: `attio-auth token` keeps printing the stored token\n",
    );
    assert_eq!(env.run(&["token"]).stdout, format!("{issued}\n"));
    assert!(env.fake.token_requests("refresh_token").is_empty());
}

#[test]
fn whoami_shows_the_identity_and_where_it_is_stored() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let run = env.run(&["whoami"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "the report is what was asked for: stdout");
    for line in [
        "Workspace:  Acme (acme, id ws-0001)",
        "Member:     5e1d2c3b-member",
        "App:        client-abc",
        "Scopes:     record_permission:read-write, list_entry:read",
        "Expires:    never (long-lived token)",
        &format!(
            "Stored in:  the file {}",
            env.shown(&env.credentials_file("default"))
        ),
    ] {
        assert!(run.stdout.contains(line), "missing {line:?} in {run:?}");
    }
    let seen = env.fake.seen("/v2/self");
    assert_eq!(
        seen.last().unwrap().authorization.as_deref(),
        Some(format!("Bearer {}", env.fake.last_access_token()).as_str())
    );

    let json = env.run(&["whoami", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["workspace_slug"], "acme");
    assert_eq!(value["active"], true);
    assert_eq!(value["profile"], "default");
    assert_eq!(value["store"], "file");
}

#[test]
fn whoami_fails_with_5_naming_a_missing_scope() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let run = env.run(&[
        "whoami",
        "--require-scope",
        "list_entry:read-write",
        "--require-scope",
        "list_entry:read",
    ]);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stderr
            .contains("required scope not granted: list_entry:read-write (granted:"),
        "{run:?}"
    );
    let ok = env.run(&["whoami", "--require-scope", "record_permission:read"]);
    assert_eq!(ok.code, 0, "{ok:?}");
}

#[test]
fn an_inactive_token_means_log_in_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    env.fake.set_self_mode(SelfMode::Inactive);
    let run = env.run(&["whoami"]);
    // The hint repeats the profile's own settings.
    run.expect(
        3,
        "",
        &format!(
            "attio-auth: error: asking Attio who the token belongs to: Attio reports the access token as inactive (revoked, expired or uninstalled)\n\
             attio-auth: hint: run `attio-auth login --port 0 --app-url {0} --api-url {0}`\n",
            env.fake.url
        ),
    );

    env.fake.set_self_mode(SelfMode::Unauthorized);
    let run = env.run(&["whoami", "--profile", "default"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains("HTTP 401: invalid_token: The token is invalid"),
        "{run:?}"
    );
}

#[test]
fn an_expiring_token_is_refreshed_before_it_is_printed_and_the_refresh_token_rotates() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let first = env.fake.last_access_token();

    let fresh = env.run(&["token"]);
    assert_eq!(
        fresh.stdout,
        format!("{first}\n"),
        "an hour left: no refresh"
    );
    assert!(env.fake.token_requests("refresh_token").is_empty());

    let forced = env.run(&["token", "--min-ttl", "7200"]);
    let second = env.fake.last_access_token();
    assert_ne!(second, first);
    assert_eq!((forced.code, forced.stdout), (0, format!("{second}\n")));

    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 0, "{refresh:?}");
    assert!(
        refresh
            .stderr
            .contains("Refreshed the access token of profile `default`"),
        "{refresh:?}"
    );
    let third = env.fake.last_access_token();
    assert_eq!(env.run(&["token"]).stdout, format!("{third}\n"));

    let refreshes = env.fake.token_requests("refresh_token");
    assert_eq!(refreshes.len(), 2);
    assert_ne!(
        refreshes[0].form["refresh_token"], refreshes[1].form["refresh_token"],
        "the rotated token is used"
    );
    assert_eq!(env.fake.refresh_reuses(), 0);
    assert_eq!(env.run(&["whoami"]).code, 0, "the grant is still alive");
}

#[test]
fn a_token_without_a_refresh_token_is_handed_out_until_it_expires() {
    let env = TestEnv::new(Consent::Approve, Tokens::ExpiringNoRefresh { ttl: 30 });
    env.logged_in(&[]);
    let issued = env.fake.last_access_token();
    // Within --min-ttl (60 s) but still valid: printed, with a warning.
    let run = env.run(&["token", "--min-ttl", "60"]);
    assert_eq!(
        (run.code, run.stdout.clone()),
        (0, format!("{issued}\n")),
        "{run:?}"
    );
    assert!(
        run.stderr.starts_with("attio-auth: warning: the access token of profile `default` expires ")
            && run.stderr.contains(" and cannot be refreshed (there is no refresh token); run `attio-auth login --port 0 --app-url"),
        "{run:?}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    let quiet = env.run(&["token", "--min-ttl", "0"]);
    assert_eq!(
        (quiet.stdout, quiet.stderr),
        (format!("{issued}\n"), String::new())
    );

    // Once it has expired: exit 3.
    let mut document = stored_document(&env, "default");
    document["expires_at"] = serde_json::json!(1);
    store_document(&env, "default", &document);
    let run = env.run(&["token"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""), "{run:?}");
    assert!(run.stderr.contains("there is no refresh token"), "{run:?}");
    assert!(env.fake.token_requests("refresh_token").is_empty());
}

#[test]
fn a_rejected_refresh_token_means_log_in_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&[]);
    let rt = {
        let text = std::fs::read_to_string(env.credentials_file("default")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["refresh_token"].as_str().unwrap().to_string()
    };
    // Someone else used the refresh token: the strict server treats ours as a reuse.
    assert_eq!(env.run(&["refresh"]).code, 0);
    let mut stale = std::fs::read_to_string(env.credentials_file("default")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&stale).unwrap();
    stale = stale.replace(v["refresh_token"].as_str().unwrap(), &rt);
    std::fs::write(env.credentials_file("default"), stale).unwrap();
    let run = env.run(&["token", "--min-ttl", "60"]);
    // The refresh token is not echoed.
    run.expect(
        3,
        "",
        &format!(
            "attio-auth: error: refreshing the access token of profile `default`: the login of profile `default` was refused by Attio when it was last refreshed (the token endpoint refused (HTTP 400): invalid_grant: refresh token reused; grant revoked)\n\
             attio-auth: hint: run `attio-auth login --port 0 --app-url {0} --api-url {0}`\n",
            env.fake.url
        ),
    );
}

#[test]
fn sixteen_concurrent_token_calls_on_an_expired_token_make_one_refresh() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&[]);
    // The refresh is held until all 16 have started and seen the expired token (under
    // Wine a process takes a second or more to start).
    let held = if env.under_wine() { 10_000 } else { 200 };
    env.fake.set_refresh_latency(Duration::from_millis(held));
    let runs = env.run_all(&[&["token", "--min-ttl", "60"][..]; 16]);
    let expected = format!("{}\n", env.fake.last_access_token());
    for run in &runs {
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, expected.as_str()),
            "{run:?}"
        );
    }
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
    assert_eq!(env.fake.refresh_reuses(), 0);
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let mut child = env
        .cmd(&["token"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""));
}

#[test]
fn token_for_a_named_profile_reads_only_that_profile_s_files() {
    if !crate::support::have("strace", "apt-get install strace") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    if env.unix_only("strace follows the Linux build's system calls") {
        return;
    }
    env.logged_in(&["--profile", "work"]);
    env.logged_in(&["--profile", "home"]);
    assert_eq!(env.run(&["switch", "home"]).code, 0);
    let token = env.fake.last_access_token();
    let trace = tempfile::NamedTempFile::new().unwrap();
    let mut traced = env.wrapper("strace");
    traced
        .args(["-f", "-qq", "-e", "trace=open,openat,stat,statx,newfstatat"])
        .arg("-o")
        .arg(trace.path())
        .arg(env!("CARGO_BIN_EXE_attio-auth"))
        .args(["--profile", "home", "token"]);
    let run: crate::support::Run = traced.output().unwrap().into();
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, format!("{token}\n").as_str(), ""),
        "{run:?}"
    );
    let trace = std::fs::read_to_string(trace.path()).unwrap();
    let config_dir = env.config_dir();
    let data_dir = env.data_dir();
    let touched: std::collections::BTreeSet<String> = trace
        .lines()
        .filter_map(|line| line.split('"').nth(1))
        .filter(|path| {
            path.starts_with(config_dir.to_str().unwrap())
                || path.starts_with(data_dir.to_str().unwrap())
        })
        .map(|path| path.rsplit('/').next().unwrap().to_string())
        .collect();
    assert!(
        !touched.contains("default-profile"),
        "the switched default is not needed when --profile names one: {touched:?}"
    );
    assert!(
        touched.iter().all(|f| !f.contains("work")),
        "another profile's files were touched: {touched:?}"
    );
}

#[test]
fn token_and_refresh_agree_on_a_token_that_expires_without_a_refresh_token() {
    let env = TestEnv::new(Consent::Approve, Tokens::ExpiringNoRefresh { ttl: 86_400 });
    env.logged_in(&[]);
    // Valid for a day: `refresh` cannot, and says until when the token still works.
    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 1, "{refresh:?}");
    assert!(
        refresh.stderr.contains("has no refresh token"),
        "{refresh:?}"
    );
    assert!(refresh.stderr.contains("expires"), "{refresh:?}");
    assert!(
        !refresh.stderr.contains("until the app is uninstalled")
            && !refresh.stderr.contains("keeps printing the stored token"),
        "that is true only of long-lived tokens: {refresh:?}"
    );
    assert!(
        refresh.stderr.contains("run `attio-auth login "),
        "{refresh:?}"
    );
    // Expired: both say log in again, with exit 3 and the same command.
    let mut document = stored_document(&env, "default");
    document["expires_at"] = serde_json::json!(1);
    store_document(&env, "default", &document);
    let token = env.run(&["token"]);
    let refresh = env.run(&["refresh"]);
    for run in [&token, &refresh] {
        assert_eq!((run.code, run.stdout.as_str()), (3, ""), "{run:?}");
        assert!(run.stderr.contains("run `attio-auth login "), "{run:?}");
    }
}
