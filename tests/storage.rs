//! The file store, profile metadata, `status` and `logout`.

use crate::fake_attio::{Consent, Tokens};
use crate::support::{TestEnv, files_under};

#[cfg(unix)]
#[test]
fn the_file_store_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    if env
        .unix_only("file modes; on Windows the user profile's access list protects the file store")
    {
        return;
    }
    env.logged_in(&[]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let file = env.credentials_file("default");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    assert_eq!(mode(&env.meta_file("default")), 0o600);
    let meta = std::fs::read_to_string(env.meta_file("default")).unwrap();
    assert!(
        !meta.contains(&env.fake.last_access_token()),
        "metadata holds no secret"
    );
    assert!(
        !meta.contains(crate::fake_attio::CLIENT_SECRET),
        "metadata holds no secret"
    );
}

#[test]
fn status_lists_profiles_without_a_network_call_or_a_secret() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&["--profile", "work"]);
    env.logged_in(&["--profile", "acme-prod"]);
    let requests_before = env.fake.requests().len();

    let run = env.run(&["status"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("acme-prod\n  Workspace:  Acme (acme)"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("work\n  Workspace:  Acme (acme)"),
        "{run:?}"
    );

    let json = env.run(&["status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(status["env_override"], serde_json::Value::Null);
    let list = &status["profiles"];
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme-prod", "work"]);
    assert_eq!(list[0]["has_refresh_token"], true);
    assert_eq!(
        env.fake.requests().len(),
        requests_before,
        "status makes no request"
    );
    for secret in env.fake.issued().iter() {
        assert!(!json.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()));
    }
}

#[test]
fn logout_of_one_profile_leaves_the_others() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&["--profile", "a"]);
    let token_a = env.fake.last_access_token();
    env.logged_in(&["--profile", "b"]);
    let token_b = env.fake.last_access_token();
    assert_ne!(token_a, token_b);

    let run = env.run(&["logout", "--profile", "a"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("Logged out of profile `a`"), "{run:?}");
    assert!(
        run.stderr
            .contains("Attio has no token revocation endpoint"),
        "{run:?}"
    );
    assert!(!env.credentials_file("a").exists() && !env.meta_file("a").exists());

    let gone = env.run(&["token", "--profile", "a"]);
    gone.expect(
        3,
        "",
        "attio-auth: error: profile `a` is not logged in (stored profiles: b)\n\
         attio-auth: hint: run `attio-auth login --profile a`\n",
    );
    assert_eq!(
        env.run(&["token", "--profile", "b"]).stdout,
        format!("{token_b}\n")
    );

    let again = env.run(&["logout", "--profile", "a"]);
    assert_eq!(again.code, 3, "{again:?}");

    let all = env.run(&["logout", "--all"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert!(all.stderr.contains("Logged out of profile `b`"), "{all:?}");
    assert!(files_under(env.credentials_file("b").parent().unwrap()).is_empty());
    assert_eq!(
        env.run(&["status", "--json"]).stdout,
        "{\n  \"env_override\": null,\n  \"profiles\": []\n}\n"
    );
}

#[test]
fn a_corrupt_credentials_file_gives_a_clear_error_and_logout_cleans_it_up() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    let file = env.credentials_file("default");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, &text[..text.len() / 2]).unwrap();

    let run = env.run(&["token"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""), "{run:?}");
    assert!(
        run.stderr.contains("are unusable: not valid JSON"),
        "{run:?}"
    );
    assert!(run.stderr.contains("attio-auth logout"), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    assert!(!run.stderr.contains(&token[..token.len() / 2]), "{run:?}");

    let logout = env.run(&["logout"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert!(!file.exists());
}

#[test]
fn corrupt_metadata_gives_a_clear_error_and_logout_cleans_it_up() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    std::fs::write(env.meta_file("default"), "{\"version\": 99}").unwrap();
    let run = env.run(&["whoami"]);
    run.expect(
        3,
        "",
        &format!(
            "attio-auth: error: profile metadata {} is unusable: format version 99 is not supported by this build\n\
             attio-auth: hint: run `attio-auth logout --profile default` to remove it, then `attio-auth login`\n",
            env.shown(&env.meta_file("default"))
        ),
    );
    let status = env.run(&["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.stdout.contains("Unusable:"), "{status:?}");
    assert_eq!(env.run(&["logout"]).code, 0);
    assert!(!env.meta_file("default").exists() && !env.credentials_file("default").exists());
}

#[cfg(unix)]
#[test]
fn a_credentials_file_readable_by_others_is_reported_once_per_run() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    if env
        .unix_only("file modes; on Windows the user profile's access list protects the file store")
    {
        return;
    }
    env.logged_in(&[]);
    let file = env.credentials_file("default");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = env.run(&["token"]);
    assert_eq!(run.code, 0, "{run:?}");
    let expected = format!(
        "attio-auth: warning: {} is accessible by other users (mode 644); run `chmod 600 {}`\n",
        file.display(),
        file.display()
    );
    assert_eq!(run.stderr, expected);
    // Once per run, even when a refresh reads the file twice.
    let refresh = env.run(&["refresh"]);
    assert_eq!(refresh.code, 0, "{refresh:?}");
    assert_eq!(
        refresh
            .stderr
            .matches("is accessible by other users")
            .count(),
        1,
        "{refresh:?}"
    );
}

#[test]
fn a_profile_never_adopts_another_profile_s_leftover_temporary_file() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&["--profile", "a"]);
    let own = env.fake.last_access_token();
    // A profile whose files start with `a`'s temporary-file prefix: `a.json.tmp-…`.
    let other = "a.json.tmp-x";
    env.logged_in(&["--profile", other]);
    let foreign = env.fake.last_access_token();
    // `a` was killed mid-refresh; `other` left a complete, newer answer in a temp file.
    let mut document = crate::support::stored_document(&env, "a");
    document["refresh_pending"] = serde_json::json!(true);
    crate::support::store_document(&env, "a", &document);
    let mut theirs = crate::support::stored_document(&env, other);
    theirs["generation"] = serde_json::json!(1000);
    let credentials = env.credentials_file(other);
    let temp = credentials.with_file_name(format!(
        ".{}.tmp-4242-0123456789abcdef",
        credentials.file_name().unwrap().to_str().unwrap()
    ));
    std::fs::write(&temp, theirs.to_string()).unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&temp, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    let run = env.run(&["--profile", "a", "token", "--min-ttl", "0"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, format!("{own}\n").as_str()),
        "`a` hands out its own token, never {foreign}: {run:?}"
    );
    assert!(temp.exists(), "the other profile's file is left alone");
    let logout = env.run(&["logout", "--profile", "a"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert!(
        temp.exists(),
        "logging `a` out leaves the other profile's file alone"
    );
}

#[test]
fn logout_all_removes_every_profile_it_can_and_names_the_busy_one() {
    use std::io::BufRead;
    if !crate::support::have("flock", "apt-get install util-linux") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    if env.unix_only("the test holds the lock with flock(1), which the Windows build's LockFileEx does not see under Wine") {
        return;
    }
    for profile in ["a", "busy", "c"] {
        env.logged_in(&["--profile", profile]);
    }
    // Another process holds `busy`'s lock until the test ends.
    let lock = env.data_dir().join("locks/busy.lock");
    // `--no-fork`: the holder is this one process, so killing it frees the lock.
    let mut holder = std::process::Command::new("flock")
        .arg("--no-fork")
        .arg(&lock)
        .args(["sh", "-c", "echo held; exec sleep 600"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "held\n");

    let run = env.run(&["logout", "--all", "--lock-timeout", "1"]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("Logged out of profile `a`"), "{run:?}");
    assert!(run.stderr.contains("Logged out of profile `c`"), "{run:?}");
    assert!(
        run.stderr.contains("profile `busy`") && run.stderr.contains("still stored"),
        "{run:?}"
    );
    // The holder is named for what it is, not taken for another attio-auth.
    assert!(
        run.stderr.contains(&format!("pid {} (sleep)", holder.id())),
        "{run:?}"
    );
    for gone in ["a", "c"] {
        assert!(!env.meta_file(gone).exists() && !env.credentials_file(gone).exists());
    }
    assert!(
        env.credentials_file("busy").exists(),
        "the busy profile is kept"
    );
    let again = env.run(&["logout", "--all"]);
    assert_eq!(again.code, 0, "once free, it goes too: {again:?}");
    assert!(!env.credentials_file("busy").exists());
}

#[test]
fn logout_all_with_a_profile_is_a_usage_error_and_removes_nothing() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let both = env.run(&["logout", "--all", "--profile", "default"]);
    both.expect(
        2,
        "",
        "attio-auth: error: --all removes every profile, so it cannot be combined with --profile default\n\
         attio-auth: hint: run `attio-auth logout --profile default` to remove that profile, or `attio-auth logout --all` to remove them all\n",
    );
    assert!(env.meta_file("default").exists());
}

/// The OS's own keyring, for real: the Keychain on macOS, the Credential Manager on
/// Windows. Runs on the CI workflow's macOS and Windows runners (here, on Linux, the
/// Secret Service has tests of its own, and Wine plays the Credential Manager).
#[cfg(any(target_os = "macos", windows))]
#[test]
fn the_os_keyring_keeps_a_login_and_logout_removes_it() {
    const KEY: &str = "sk_live_os_keyring_0123456789abcdef";
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key(KEY);
    let profile = ["--profile", "os-keyring-test"];
    let with = |args: &[&'static str]| [args, &profile[..]].concat();
    let login = env.run_stdin(&with(&["login", "--with-token", "--store", "keyring"]), KEY);
    assert_eq!(login.code, 0, "{login:?}");
    let status = env.run(&with(&["status", "--json"]));
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["profiles"][0]["store"], "keyring", "{status}");
    let token = env.run(&with(&["token"]));
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, format!("{KEY}\n").as_str()),
        "{token:?}"
    );
    let logout = env.run(&with(&["logout"]));
    assert_eq!(logout.code, 0, "{logout:?}");
    let gone = env.run(&with(&["token"]));
    assert_eq!((gone.code, gone.stdout.as_str()), (3, ""), "{gone:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_profile_in_a_keyring_that_cannot_be_reached_can_still_be_logged_out_here() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    if env.unix_only(
        "a keyring out of reach (no D-Bus session); Windows' Credential Manager is always there",
    ) {
        return;
    }
    env.logged_in(&[]);
    // A profile the keyring holds, on a shell that has no session bus (the tests' own);
    // the file store's copy stands for what is stored beside it.
    let meta_file = env.meta_file("default");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_file).unwrap()).unwrap();
    meta["store"] = "keyring".into();
    std::fs::write(&meta_file, meta.to_string()).unwrap();
    let run = env.run(&["logout"]);
    let bus = env.home.path().join("no-bus");
    let why = format!(
        "removing credentials for profile `default` from the OS keyring: the OS keyring is unavailable (zbus error: Failed to connect to address `unix:path={bus}`: No such file or directory (os error 2)); DBUS_SESSION_BUS_ADDRESS names {bus}, which does not exist",
        bus = bus.display()
    );
    assert_eq!(
        (run.code, run.stderr.clone()),
        (
            1,
            format!(
                "attio-auth: error: profile `default` is kept in the OS keyring, which cannot be reached, so nothing of it was removed: {why}\n\
                 attio-auth: hint: start or unlock the keyring and run `attio-auth logout --profile default` again, or run `attio-auth logout --profile default --forget` to remove the profile here and leave its keyring entry\n"
            )
        )
    );
    assert!(meta_file.exists(), "nothing removed");
    let run = env.run(&["logout", "--forget"]);
    assert_eq!(
        (run.code, run.stderr.clone()),
        (
            0,
            format!(
                "Logged out of profile `default`: removed its credentials from the file {creds} and its metadata ({meta}).\n\
                 attio-auth: warning: its entry in the OS keyring (service `attio-auth`, account `default`) was left there, since the keyring cannot be reached ({why}); remove it with the keyring's own tools once it can be (on Linux: `secret-tool clear service attio-auth account default`)\n\
                 Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).\n",
                meta = meta_file.display(),
                creds = env.credentials_file("default").display()
            )
        )
    );
    assert!(!meta_file.exists());
    assert_eq!(env.run(&["status"]).code, 3);
}
