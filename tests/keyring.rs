//! The OS keyring store against a real Secret Service (gnome-keyring on a private bus),
//! through the built binary in separate processes.

use crate::fake_attio::{CLIENT_SECRET, Consent, Tokens};
use crate::secret_service::{self, Bus, SecretService};
use crate::support::{Run, TestEnv, files_under};

/// Runs attio-auth with the default store (the keyring) on the given bus. An empty
/// `ATTIO_AUTH_STORE` counts as unset.
fn run(env: &TestEnv, bus: &SecretService, args: &[&str]) -> Run {
    env.cmd(args)
        .env("ATTIO_AUTH_STORE", "")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .output()
        .unwrap()
        .into()
}

fn login(env: &TestEnv, bus: &SecretService, profile: &str) -> Run {
    run(
        env,
        bus,
        &[
            "login",
            "--profile",
            profile,
            "--port",
            "0",
            "--timeout",
            "20",
        ],
    )
}

#[test]
fn login_stores_the_secret_in_the_keyring_and_nothing_secret_on_disk() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let login = login(&env, &bus, "default");
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        login
            .stderr
            .contains("stored in the OS keyring (service `attio-auth`, account `default`)"),
        "{login:?}"
    );
    assert!(!login.stderr.contains("warning"), "{login:?}");
    let token = env.fake.last_access_token();

    let (code, stored) =
        bus.secret_tool(&["lookup", "service", "attio-auth", "username", "default"]);
    assert_eq!(code, 0);
    assert!(
        stored.contains(&token) && stored.contains(CLIENT_SECRET),
        "the keyring holds the secrets"
    );

    let files = files_under(env.home.path());
    assert!(!files.is_empty(), "metadata is on disk");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [token.as_str(), CLIENT_SECRET] {
            assert!(!text.contains(secret), "{} holds a secret", file.display());
        }
    }

    let printed = run(&env, &bus, &["token"]);
    assert_eq!(
        (printed.code, printed.stdout.as_str()),
        (0, format!("{token}\n").as_str()),
        "{printed:?}"
    );
    let whoami = run(&env, &bus, &["whoami"]);
    assert!(
        whoami.stdout.contains("Stored in:  the OS keyring"),
        "{whoami:?}"
    );

    let refreshed = run(&env, &bus, &["refresh"]);
    assert_eq!(refreshed.code, 0, "{refreshed:?}");
    let (_, stored) = bus.secret_tool(&["lookup", "service", "attio-auth", "username", "default"]);
    assert!(
        stored.contains(&env.fake.last_access_token()),
        "the refreshed token replaced the old one"
    );

    let logout = run(&env, &bus, &["logout"]);
    assert_eq!(logout.code, 0, "{logout:?}");
    assert!(logout.stderr.contains("from the OS keyring"), "{logout:?}");
    assert_eq!(
        bus.secret_tool(&["lookup", "service", "attio-auth", "username", "default"])
            .0,
        1
    );
}

#[test]
fn two_profiles_do_not_collide() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "work").code, 0);
    let work = env.fake.last_access_token();
    assert_eq!(login(&env, &bus, "personal").code, 0);
    let personal = env.fake.last_access_token();

    assert_eq!(
        run(&env, &bus, &["token", "--profile", "work"]).stdout,
        format!("{work}\n")
    );
    assert_eq!(
        run(&env, &bus, &["token", "--profile", "personal"]).stdout,
        format!("{personal}\n")
    );
    assert_eq!(run(&env, &bus, &["logout", "--profile", "work"]).code, 0);
    assert_eq!(run(&env, &bus, &["token", "--profile", "work"]).code, 3);
    assert_eq!(
        run(&env, &bus, &["token", "--profile", "personal"]).stdout,
        format!("{personal}\n")
    );
}

#[test]
fn entries_are_visible_to_secret_tool_and_an_outside_removal_means_not_logged_in() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "default").code, 0);

    let (code, listing) = bus.secret_tool(&["search", "service", "attio-auth"]);
    assert_eq!(code, 0);
    assert!(
        listing.contains("attribute.username = default"),
        "{listing}"
    );

    let (code, _) = bus.secret_tool(&["clear", "service", "attio-auth", "username", "default"]);
    assert_eq!(code, 0);
    let after = run(&env, &bus, &["token"]);
    after.expect(
        3,
        "",
        "attio-auth: error: profile `default` is not logged in: no credentials in the OS keyring (service `attio-auth`, account `default`)\n\
         attio-auth: hint: run `attio-auth login`\n",
    );
}

#[test]
fn a_bus_without_a_secret_service_falls_back_to_the_file_store_with_a_warning() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithoutSecretService);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let login = login(&env, &bus, "default");
    assert_eq!(login.code, 0, "{login:?}");
    let file = env.credentials_file("default");
    assert_eq!(
        login
            .stderr
            .lines()
            .filter(|l| l.starts_with("attio-auth: "))
            .collect::<Vec<_>>(),
        [
            format!(
                "attio-auth: warning: no OS keyring is running (or it did not answer), so the tokens and the client secret are stored in the file {} instead (mode 0600, readable only by you)",
                file.display()
            )
            .as_str(),
            "attio-auth: hint: to use a keyring, start one (gnome-keyring-daemon or KWallet in a desktop session) and log in again; to keep the file and silence this, log in with `--store file` or set ATTIO_AUTH_STORE=file",
        ],
        "plain words, no D-Bus: {login:?}"
    );
    assert!(file.exists());
    assert_eq!(
        run(&env, &bus, &["token"]).stdout,
        format!("{}\n", env.fake.last_access_token())
    );
    let status = run(&env, &bus, &["status"]);
    assert!(
        status.stdout.contains(&format!(
            "Stored in:  the file {} (no OS keyring was running at login)",
            file.display()
        )),
        "{status:?}"
    );
    let json = run(&env, &bus, &["status", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["profiles"][0]["keyring_fallback"], true, "{json:?}");
    assert_eq!(
        value["profiles"][0]["location"],
        file.display().to_string(),
        "a path, not a sentence"
    );

    // Asked for explicitly, by flag or variable, a keyring that is not there is an error.
    for (args, vars) in [
        (&["--store", "keyring"][..], &[][..]),
        (&[][..], &[("ATTIO_AUTH_STORE", "keyring")][..]),
    ] {
        let mut all = vec![
            "login",
            "--profile",
            "asked",
            "--port",
            "0",
            "--timeout",
            "20",
        ];
        all.extend_from_slice(args);
        let asked = run_with(&env, &bus, &all, vars);
        assert_eq!(asked.code, 1, "{asked:?}");
        assert!(
            asked.stderr.contains("attio-auth: error: the OS keyring was asked for (--store keyring or ATTIO_AUTH_STORE=keyring), but none is running (or it did not answer); nothing was started"),
            "{asked:?}"
        );
        assert!(!env.credentials_file("asked").exists(), "no fallback");
        assert!(!env.meta_file("asked").exists());
    }
}

#[test]
fn a_locked_keyring_is_an_error_not_a_silent_fallback() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "default").code, 0);
    bus.lock();

    let token = run(&env, &bus, &["token"]);
    token.expect(
        1,
        "",
        "attio-auth: error: reading credentials for profile `default` from the OS keyring: the OS keyring refused access, it may be locked (SS error: prompt dismissed)\n\
         attio-auth: hint: unlock the keyring (log in to the desktop session, or use your keyring manager) and retry; --store file avoids the keyring\n",
    );

    let relogin = login(&env, &bus, "other");
    assert_eq!(relogin.code, 1, "{relogin:?}");
    assert!(relogin.stderr.contains("locked"), "{relogin:?}");
    assert!(
        !env.credentials_file("other").exists(),
        "no silent fallback to a file"
    );
}

/// Runs attio-auth on the given bus with extra environment variables, under timeout(1).
fn run_with(env: &TestEnv, bus: &SecretService, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut all = vec![
        ("ATTIO_AUTH_STORE", ""),
        ("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str()),
    ];
    all.extend_from_slice(vars);
    env.run_bounded(args, &all)
}

/// Whether the keyring holds an entry for the profile.
fn in_keyring(bus: &SecretService, profile: &str) -> bool {
    bus.secret_tool(&["lookup", "service", "attio-auth", "username", profile])
        .0
        == 0
}

#[test]
fn logging_in_again_into_another_store_removes_the_secret_from_the_old_one() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    assert_eq!(login(&env, &bus, "default").code, 0);
    assert!(in_keyring(&bus, "default"));

    let login_args = ["login", "--port", "0", "--timeout", "20"];
    let to_file = run_with(&env, &bus, &login_args, &[("ATTIO_AUTH_STORE", "file")]);
    assert_eq!(to_file.code, 0, "{to_file:?}");
    assert!(
        !in_keyring(&bus, "default"),
        "the keyring entry was removed"
    );
    assert!(env.credentials_file("default").exists());

    let back = run_with(&env, &bus, &login_args, &[]);
    assert_eq!(back.code, 0, "{back:?}");
    assert!(in_keyring(&bus, "default"));
    assert!(
        !env.credentials_file("default").exists(),
        "the file was removed"
    );
}

#[test]
fn logout_removes_a_profile_from_every_store_whatever_its_metadata_says() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "a").code, 0);
    assert_eq!(login(&env, &bus, "b").code, 0);
    // Metadata that claims the file store (as an older build left it after a re-login).
    for profile in ["a", "b"] {
        let path = env.meta_file(profile);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"keyring\"", "\"file\"")).unwrap();
    }
    let one = run(&env, &bus, &["logout", "--profile", "a"]);
    one.expect(
        0,
        "",
        &format!(
            "Logged out of profile `a`: removed its credentials from the OS keyring (service `attio-auth`, account `a`) and its metadata ({}).\n\
             Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).\n",
            env.meta_file("a").display()
        ),
    );
    assert!(!in_keyring(&bus, "a"));

    let all = run(&env, &bus, &["logout", "--all"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert!(all.stderr.contains("Logged out of profile `b`"), "{all:?}");
    assert!(!in_keyring(&bus, "b"));
    assert_eq!(
        files_under(&env.data_dir()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn a_secret_service_that_never_answers_cannot_hang_it() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "default").code, 0);
    let silent = SecretService::start(Bus::BlackHole);

    let token = run_with(&env, &silent, &["token"], &[]);
    assert_eq!((token.code, token.stdout.as_str()), (1, ""), "{token:?}");
    assert!(token.stderr.contains("did not answer within"), "{token:?}");
    assert!(token.stderr.contains("hint:"), "{token:?}");
    let logout = run_with(&env, &silent, &["logout"], &[]);
    assert_eq!(logout.code, 1, "{logout:?}");
    assert!(
        logout.stderr.contains("did not answer within"),
        "{logout:?}"
    );

    let login = run_with(
        &env,
        &silent,
        &[
            "login",
            "--profile",
            "other",
            "--port",
            "0",
            "--timeout",
            "20",
        ],
        &[],
    );
    assert_eq!(login.code, 0, "{login:?}");
    assert!(login.stderr.contains("warning"), "{login:?}");
    assert!(
        env.credentials_file("other").exists(),
        "it fell back to the file store"
    );
}

#[test]
fn doctor_round_trips_a_probe_through_the_real_keyring_and_leaves_nothing() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "default").code, 0);
    let keyring_check = |run: &Run| -> serde_json::Value {
        let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        value["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "keyring")
            .unwrap()
            .clone()
    };
    let doctor = run(&env, &bus, &["doctor", "--offline", "--json"]);
    let check = keyring_check(&doctor);
    assert_eq!(check["status"], "ok", "{doctor:?}");
    let detail = check["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("the Secret Service (gnome-keyring-daemon, pid ")
            && detail.contains("stored, read back and deleted a probe entry")
            && detail.ends_with("; profiles stored there: default"),
        "{detail}"
    );
    let (_, entries) = bus.secret_tool(&["search", "--all", "service", "attio-auth"]);
    assert!(
        !entries.contains("doctor-probe"),
        "the probe is gone: {entries}"
    );
    assert!(in_keyring(&bus, "default"), "the profile is untouched");

    // Locked, with a profile in it: a failure, with the fix.
    bus.lock();
    let doctor = run(&env, &bus, &["doctor", "--offline", "--json"]);
    assert_eq!(doctor.code, 1, "{doctor:?}");
    let check = keyring_check(&doctor);
    assert_eq!(check["status"], "fail", "{doctor:?}");
    assert!(
        check["detail"].as_str().unwrap().contains("locked"),
        "{check}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .starts_with("unlock the keyring"),
        "{check}"
    );
}

#[test]
fn a_probe_a_killed_doctor_left_is_removed_by_the_next_doctor_and_by_logout_all() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // What a doctor killed between storing and deleting its probe leaves behind.
    let leave_probe = || {
        let mut store = std::process::Command::new("secret-tool")
            .args([
                "store",
                "--label=attio-auth probe",
                "service",
                "attio-auth",
                "username",
                ".doctor-probe",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut store.stdin.take().unwrap(), b"probe 1-00").unwrap();
        assert!(store.wait().unwrap().success());
        assert!(in_keyring(&bus, ".doctor-probe"));
    };
    leave_probe();
    let doctor = run(&env, &bus, &["doctor", "--offline", "--json"]);
    assert!(
        doctor
            .stdout
            .contains("stored, read back and deleted a probe entry"),
        "{doctor:?}"
    );
    assert!(
        !in_keyring(&bus, ".doctor-probe"),
        "the next doctor removed it"
    );

    assert_eq!(login(&env, &bus, "default").code, 0);
    leave_probe();
    let all = run(&env, &bus, &["logout", "--all"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert!(
        !in_keyring(&bus, ".doctor-probe"),
        "logout --all removed it"
    );
}

#[test]
fn a_login_that_asks_for_a_missing_keyring_fails_before_the_browser_opens() {
    // The environment's bus address names no bus: no keyring can answer.
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&[
        "login",
        "--store",
        "keyring",
        "--port",
        "0",
        "--timeout",
        "20",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("the OS keyring was asked for"),
        "{run:?}"
    );
    assert!(
        env.fake.seen("/authorize").is_empty(),
        "no authorization was made for nothing: {run:?}"
    );
    assert!(!run.stderr.contains("Open this URL"), "{run:?}");
}

#[test]
fn a_host_without_the_session_bus_is_told_which_variable_to_pass_and_mcp_config_passes_it() {
    if !secret_service::available() {
        return;
    }
    let bus = SecretService::start(Bus::WithKeyring);
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    assert_eq!(login(&env, &bus, "default").code, 0);
    // As a desktop app starts an MCP server: no DBUS_SESSION_BUS_ADDRESS, no
    // XDG_RUNTIME_DIR.
    let hosted: Run = env
        .cmd(&["exec", "--proxy", "--", "true"])
        .env("ATTIO_AUTH_STORE", "")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap()
        .into();
    assert_eq!(hosted.code, 1, "{hosted:?}");
    let lines: Vec<&str> = hosted.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{hosted:?}");
    assert!(
        lines[0].starts_with("attio-auth: error: ")
            && lines[0].ends_with("; DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are not set"),
        "{hosted:?}"
    );
    assert!(
        lines[1].starts_with("attio-auth: hint: ") && lines[1].contains("`attio-auth mcp-config`"),
        "{hosted:?}"
    );

    // Run in the desktop session, mcp-config puts the address in the entry.
    let bin = env.home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let server = bin.join("attio-mcp");
    crate::support::write_script(&server, "#!/bin/sh\nexit 0\n");
    let path = crate::support::path_once(&format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    ));
    let entry = run_with(&env, &bus, &["mcp-config"], &[("PATH", &path)]);
    assert_eq!(entry.code, 0, "{entry:?}");
    let entry: serde_json::Value = serde_json::from_str(&entry.stdout).unwrap();
    assert_eq!(
        entry["mcpServers"]["attio"]["env"],
        serde_json::json!({"PATH": path, "DBUS_SESSION_BUS_ADDRESS": bus.address})
    );
}
