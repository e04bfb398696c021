//! One owner for a profile's state: every write under the profile's lock, nothing left
//! behind, no wait without end, stored credentials sent only to their issuer, server
//! numbers that cannot crash it, and files as strict as ssh's.

use std::time::Duration;

use serde_json::json;

use crate::fake_attio::{Consent, FakeAttio, Misbehave, Tokens};
#[cfg(unix)]
use crate::support::can_chown;
use crate::support::{TestEnv, files_under, store_document, stored_document};

/// A temporary file name a process that no longer exists could have left (no pid is
/// this large).
const STALE_TEMP: &str = ".default.json.tmp-999999999-0123456789abcdef";

/// What `logout` of an app's login always adds.
const REVOCATION_NOTE: &str = "Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).";

#[test]
fn logout_of_an_unknown_profile_creates_nothing() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["logout", "--profile", "ghost"]);
    run.expect(
        3,
        "",
        "attio-auth: error: profile `ghost` is not logged in\n\
         attio-auth: hint: run `attio-auth login --profile ghost`\n",
    );
    assert_eq!(
        files_under(env.home.path()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn logout_removes_lock_files_and_temporary_files_too() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    assert_eq!(env.run(&["refresh"]).code, 0);
    let stale = env.credentials_file("default").with_file_name(STALE_TEMP);
    std::fs::write(&stale, r#"{"refresh_token":"rt_left_by_a_kill"}"#).unwrap();

    let run = env.run(&["logout"]);
    run.expect(
        0,
        "",
        &format!(
            "Logged out of profile `default`: removed its credentials from the file {}, a temporary file left by an interrupted write and its metadata ({}).\n{REVOCATION_NOTE}\n",
            env.credentials_file("default").display(),
            env.meta_file("default").display()
        ),
    );
    assert_eq!(
        files_under(&env.data_dir()),
        Vec::<std::path::PathBuf>::new(),
        "no credentials, temporary or lock file is left"
    );
    assert!(!env.meta_file("default").exists());
}

#[test]
fn a_write_removes_the_temporary_files_of_dead_processes() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let stale = env.credentials_file("default").with_file_name(STALE_TEMP);
    std::fs::write(&stale, "{\"refresh_token\":\"rt_half").unwrap();
    let run = env.run(&["refresh"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!stale.exists(), "the stale temporary file was removed");
    let names: Vec<_> = files_under(env.credentials_file("default").parent().unwrap());
    assert_eq!(names, [env.credentials_file("default")]);
}

#[test]
fn a_complete_document_left_by_a_killed_refresh_is_recovered() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let mut before = stored_document(&env, "default");
    assert_eq!(env.run(&["refresh"]).code, 0);
    let refreshed = std::fs::read_to_string(env.credentials_file("default")).unwrap();
    let recovered_token = env.fake.last_access_token();
    // As a kill between the temporary file's fsync and its rename leaves it: the stored
    // document still marks its refresh as in flight, and the complete answer waits in a
    // temporary file.
    before["refresh_pending"] = json!(true);
    store_document(&env, "default", &before);
    let temp = env.credentials_file("default").with_file_name(STALE_TEMP);
    std::fs::write(&temp, &refreshed).unwrap();

    let run = env.run(&["token", "--min-ttl", "0"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, format!("{recovered_token}\n").as_str(), ""),
        "the refreshed tokens are used, no new login is asked for"
    );
    // The next write adopts it; the recovered refresh token works and is not a reuse.
    let forced = env.run(&["refresh"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(!temp.exists());
    assert_eq!(env.fake.refresh_reuses(), 0);
    assert_eq!(env.fake.token_requests("refresh_token").len(), 2);
}

#[test]
fn a_login_that_lands_during_a_slow_refresh_is_what_token_prints() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let refresh = env.refresh_in_flight(&["refresh"], Duration::from_secs(3));
    // The refresh is in flight and holds the lock; this login's grant must win.
    let login = env.login(&[]);
    assert_eq!(login.code, 0, "{login:?}");
    let refresh: crate::support::Run = refresh.wait_with_output().unwrap().into();
    assert_eq!(refresh.code, 0, "{refresh:?}");

    let login_token = env.fake.exchanged().last().cloned().unwrap();
    let token = env.run(&["token"]);
    assert_eq!(token.stdout, format!("{login_token}\n"), "{token:?}");
}

#[test]
fn a_refresh_answer_without_expires_in_takes_the_expiry_from_v2_self() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    env.fake.omit_expires_in_on_refresh();
    let run = env.run(&["refresh"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = env.run(&["token", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let expires_at = value["expires_at"].as_u64().expect("an expiry is known");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (now + 3000..=now + 3700).contains(&expires_at),
        "{expires_at}"
    );
}

#[test]
fn a_refused_refresh_says_so_on_that_run_and_every_later_one() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&["--profile", "work"]);
    let mut document = stored_document(&env, "work");
    document["refresh_token"] = json!("rt_the_server_never_issued");
    store_document(&env, "work", &document);

    // (A token living 30 s is refreshed within --min-ttl 60.)
    for args in [
        &["token", "--min-ttl", "60"][..],
        &["token", "--min-ttl", "60"],
        &["refresh"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--profile", "work"]);
        let run = env.run(&args);
        // The same on every run: the refusal is stored, and never the refresh token.
        run.expect(
            3,
            "",
            &format!(
                "attio-auth: error: refreshing the access token of profile `work`: the login of profile `work` was refused by Attio when it was last refreshed (the token endpoint refused (HTTP 400): invalid_grant: unknown refresh token)\n\
                 attio-auth: hint: run `attio-auth login --profile work --port 0 --app-url {url} --api-url {url}`\n",
                url = env.fake.url
            ),
        );
    }
    assert_eq!(
        env.fake.token_requests("refresh_token").len(),
        1,
        "a refused refresh token is never sent again"
    );
}

#[test]
fn absurd_expiry_numbers_never_crash_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    env.fake.misbehave(
        "/oauth/token",
        Misbehave::Json(json!({
            "access_token": "at_forever", "token_type": "Bearer",
            "expires_in": u64::MAX, "refresh_token": "rt_forever"
        })),
        1,
    );
    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 0, "{refresh:?}");
    let status = env.run(&["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert_eq!(env.run(&["token"]).stdout, "at_forever\n");
    let whoami = env.run(&["whoami"]);
    assert_eq!(whoami.code, 3, "the fake does not know it: {whoami:?}");

    // Values already stored, as an older build or a hand edit left them.
    let mut document = stored_document(&env, "default");
    document["expires_at"] = json!(u64::MAX);
    store_document(&env, "default", &document);
    let meta_path = env.meta_file("default");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["expires_at"] = json!(u64::MAX);
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    for args in [
        &["status"][..],
        &["status", "--json"],
        &["token"],
        &["whoami"],
    ] {
        let run = env.run(args);
        assert!(
            run.code != 134 && !run.stderr.contains("internal error"),
            "{args:?}: {run:?}"
        );
    }
    assert_eq!(env.run(&["status"]).code, 0);
    let refresh = env.run(&["refresh"]);
    assert_eq!(
        refresh.code, 3,
        "rt_forever is unknown to the fake: {refresh:?}"
    );
}

#[test]
fn an_unusable_refresh_answer_never_throws_its_new_refresh_token_away() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let answers = [
        (
            json!({"access_token": "at_1", "expires_in": 3600, "refresh_token": "rt_new_1"}),
            "68 bytes): no `token_type`",
        ),
        (
            json!({"access_token": "at_2", "token_type": "Bearer", "expires_in": "3600", "refresh_token": "rt_new_2"}),
            "92 bytes): `expires_in` is not a whole number of seconds",
        ),
        (
            json!({"access_token": "at_3", "token_type": "Bearer", "expires_in": -1, "refresh_token": "rt_new_3"}),
            "88 bytes): `expires_in` is not a whole number of seconds",
        ),
        (
            json!({"token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt_new_4"}),
            "68 bytes): no `access_token`",
        ),
    ];
    for (answer, why) in answers {
        let refresh_token = answer["refresh_token"].as_str().unwrap().to_string();
        env.fake
            .misbehave("/oauth/token", Misbehave::Json(answer.clone()), 1);
        let run = env.run(&["refresh"]);
        // Said, and never the refresh token itself.
        run.expect(
            1,
            "",
            &format!(
                "attio-auth: error: refreshing the access token of profile `default`: unexpected answer from the token endpoint (HTTP 200, application/json, {why}; its new refresh token was stored, so `attio-auth refresh` can try again\n"
            ),
        );
        let document = stored_document(&env, "default");
        assert_eq!(
            document["refresh_token"],
            refresh_token.as_str(),
            "{answer}"
        );
        assert_eq!(document.get("refresh_pending"), None, "{answer}");
    }
}

#[test]
fn waiting_for_another_processs_refresh_is_bounded_and_names_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let mut holder = env.refresh_in_flight(
        &["refresh", "--http-timeout", "120"],
        Duration::from_secs(60),
    );

    let run = env.run_bounded(&["token", "--min-ttl", "7200", "--lock-timeout", "1"], &[]);
    let _ = holder.kill();
    let _ = holder.wait();
    let pid = holder.id();
    run.expect(
        1,
        "",
        &format!(
            "attio-auth: error: refreshing the access token of profile `default`: profile `default` is busy: another attio-auth process (pid {pid}) has held its lock for more than 1 s\n\
             attio-auth: hint: if that process is stuck, stop it (`kill {pid}`); or wait longer with --lock-timeout SECS\n"
        ),
    );
}

#[test]
fn stored_credentials_go_only_to_the_app_url_that_issued_them() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&[]);
    let other = FakeAttio::start(Consent::Approve, Tokens::LongLived);
    std::fs::write(
        env.config_dir().join("config.toml"),
        format!("[profiles.default]\napp_url = \"{}\"\n", other.url),
    )
    .unwrap();
    let mut from_config = env.cmd(&["token"]);
    from_config.env_remove("ATTIO_APP_URL");
    let runs: Vec<crate::support::Run> = vec![
        from_config.output().unwrap().into(),
        env.run_with(&["token"], &[("ATTIO_APP_URL", &other.url)]),
        env.run(&["refresh", "--app-url", &other.url]),
    ];
    for (run, source) in runs.iter().zip([
        "config.toml [profiles.default] app_url",
        "ATTIO_APP_URL",
        "--app-url",
    ]) {
        run.expect(
            2,
            "",
            &format!(
                "attio-auth: error: profile `default` was logged in with the app URL {ours}/, but {source} names {other}/; its credentials are only ever sent where they came from\n\
                 attio-auth: hint: to use {other}/, log in again: `attio-auth login --app-url {other}/`; otherwise remove the setting\n",
                ours = env.fake.url,
                other = other.url
            ),
        );
    }
    let whoami = env.run_with(&["whoami"], &[("ATTIO_API_URL", &other.url)]);
    assert_eq!(whoami.code, 2, "{whoami:?}");
    assert!(other.requests().is_empty(), "the other host heard nothing");
    assert_eq!(env.fake.token_requests("refresh_token").len(), 0);
}

#[test]
fn a_malformed_config_file_does_not_stop_commands_that_do_not_need_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    std::fs::write(
        env.config_dir().join("config.toml"),
        "[profiles.default\nport = ",
    )
    .unwrap();
    let printed = env.run(&["token"]);
    assert_eq!(printed.code, 0, "{printed:?}");
    assert_eq!(printed.stdout, format!("{token}\n"));
    assert_eq!(env.run(&["status"]).code, 0);
    assert_eq!(env.login(&[]).code, 2, "login reads its defaults from it");
    assert_eq!(env.run(&["logout"]).code, 0);
}

#[cfg(unix)]
// Unix modes, owners and symbolic links.
#[cfg(unix)]
#[test]
fn a_directory_that_others_can_write_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let dir = env
        .credentials_file("default")
        .parent()
        .unwrap()
        .to_path_buf();
    // Each command names the directory, its mode and the fix.
    let refused = |path: &std::path::Path, mode: &str| {
        format!(
            "attio-auth: error: {0} is writable by other users (mode {mode}), so they could swap the files in it\n\
             attio-auth: hint: run `chmod 700 {0}`\n",
            path.display()
        )
    };
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    env.run(&["token"]).expect(1, "", &refused(&dir, "777"));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let profiles = env.meta_file("default").parent().unwrap().to_path_buf();
    std::fs::set_permissions(&profiles, std::fs::Permissions::from_mode(0o770)).unwrap();
    env.run(&["status"])
        .expect(1, "", &refused(&profiles, "770"));
}

#[cfg(unix)]
// Unix modes, owners and symbolic links.
#[cfg(unix)]
#[test]
fn a_symlink_in_place_of_the_credentials_is_refused_and_never_written_through() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let file = env.credentials_file("default");
    let target = env.home.path().join("planted.json");
    std::fs::rename(&file, &target).unwrap();
    std::os::unix::fs::symlink(&target, &file).unwrap();
    let before = std::fs::read(&target).unwrap();

    let token = env.run(&["token"]);
    token.expect(
        1,
        "",
        &format!(
            "attio-auth: error: reading credentials from {0}: {0} is a symbolic link; attio-auth only uses its own regular files\n\
             attio-auth: hint: remove the link (`rm {0}`) and log in again if it held credentials\n",
            file.display()
        ),
    );
    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 1, "{refresh:?}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        before,
        "nothing written through it"
    );
    assert!(env.fake.token_requests("refresh_token").is_empty());
}

#[cfg(unix)]
// Unix modes, owners and symbolic links.
#[cfg(unix)]
#[test]
fn a_symlinked_lock_file_is_not_followed() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let locks = env.data_dir().join("locks");
    std::fs::create_dir_all(&locks).unwrap();
    let victim = env.home.path().join("victim");
    // Login left a lock file; an attacker replaces it with a link.
    let _ = std::fs::remove_file(locks.join("default.lock"));
    std::os::unix::fs::symlink(&victim, locks.join("default.lock")).unwrap();
    let run = env.run(&["refresh"]);
    run.expect(
        1,
        "",
        &format!(
            "attio-auth: error: refreshing the access token of profile `default`: locking profile `default` ({0}): {0} is a symbolic link; attio-auth only uses its own regular files\n\
             attio-auth: hint: remove the link (`rm {0}`) and log in again if it held credentials\n",
            locks.join("default.lock").display()
        ),
    );
    assert!(!victim.exists(), "the link's target was not created");
    assert!(env.fake.token_requests("refresh_token").is_empty());
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_stored_file_fails_fast_instead_of_hanging() {
    for which in ["credentials", "metadata", "config"] {
        let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
        env.logged_in(&[]);
        let path = match which {
            "credentials" => env.credentials_file("default"),
            "metadata" => env.meta_file("default"),
            _ => env.config_dir().join("config.toml"),
        };
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let token = env.run_bounded(&["token"], &[]);
        let status = env.run_bounded(&["status"], &[]);
        for run in [&token, &status] {
            assert_ne!(run.code, 124, "{which}: hung: {run:?}");
            assert!(!run.stderr.contains("internal error"), "{which}: {run:?}");
        }
        if which == "config" {
            // Not needed by either: a warning, and the token.
            assert_eq!(token.code, 0, "{token:?}");
            assert_eq!(status.code, 0, "{status:?}");
            assert!(token.stderr.contains("not a regular file"), "{token:?}");
        } else {
            assert_eq!(
                (token.code, token.stdout.as_str()),
                (1, ""),
                "{which}: {token:?}"
            );
            assert!(
                token.stderr.contains("not a regular file"),
                "{which}: {token:?}"
            );
        }
    }
}

#[cfg(unix)]
// Unix modes, owners and symbolic links.
#[cfg(unix)]
#[test]
fn a_credentials_file_owned_by_another_user_is_refused() {
    if !can_chown() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let file = env.credentials_file("default");
    std::os::unix::fs::chown(&file, Some(65534), Some(65534)).unwrap();
    for args in [&["token"][..], &["exec", "--", "true"]] {
        let run = env.run(args);
        run.expect(
            1,
            "",
            &format!(
                "attio-auth: error: reading credentials from {0}: {0} is owned by another user (uid 65534); attio-auth only uses its own files\n\
                 attio-auth: hint: remove it (`rm {0}`) and log in again if it held credentials\n",
                file.display()
            ),
        );
    }
}
