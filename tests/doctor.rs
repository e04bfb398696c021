//! `attio-auth doctor` (issue 11, item 1): every check through the binary, against the
//! fake Attio, a busy port, a skewed clock, loose files and bad settings.

use serde_json::Value;

use crate::fake_attio::{Consent, Tokens};
use crate::support::{Run, TestEnv, assert_no_leak, free_port};

/// The config.toml the environment reads, with the default profile's redirect port.
fn configure_port(env: &TestEnv, port: u16) {
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_dir().join("config.toml"),
        format!("[profiles.default]\nport = {port}\n"),
    )
    .unwrap();
}

fn checks(run: &Run) -> Vec<(String, String, String, Option<String>)> {
    let value: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    value["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["detail"].as_str().unwrap().to_string(),
                c["fix"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn find<'a>(
    all: &'a [(String, String, String, Option<String>)],
    name: &str,
) -> &'a (String, String, String, Option<String>) {
    all.iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {all:?}"))
}

#[test]
fn doctor_checks_everything_and_passes_a_healthy_setup() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let port = free_port();
    configure_port(&env, port);
    let before = env.fake.requests().len();
    // A store command's arguments may hold a vault session: only its program is shown.
    let run = env.run_with(
        &["doctor", "--json"],
        &[(
            "ATTIO_AUTH_STORE_COMMAND",
            "op-vault --session s3cr3t-session",
        )],
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert!(!run.stdout.contains("s3cr3t-session"), "{run:?}");
    assert_no_leak(&env, &run, "what it printed");
    let all = checks(&run);
    let names: Vec<&str> = all.iter().map(|c| c.0.as_str()).collect();
    let port_check = format!("redirect port {port}");
    assert_eq!(
        names,
        [
            "config",
            "environment",
            "file store",
            "keyring",
            &port_check,
            "browser",
            "network",
            "app URL",
            "API URL",
            "clock",
            "profile default"
        ]
    );
    // Plain HTTP to this machine: no proxy, and no certificates to speak of.
    assert_eq!(
        find(&all, "network").2,
        format!(
            "{0} and {0} go directly (plain HTTP to this machine never uses a proxy)",
            env.fake.url
        )
    );
    for (name, status, _, _) in &all {
        // No Secret Service in this environment: logins would use the file store.
        let expected = if name == "keyring" { "warn" } else { "ok" };
        assert_eq!(status, expected, "{name}: {all:?}");
    }
    let keyring = find(&all, "keyring");
    assert!(
        keyring
            .2
            .contains("logins will store credentials in the file store instead"),
        "{keyring:?}"
    );
    assert!(keyring.3.is_some(), "a warning comes with a fix");
    assert!(
        find(&all, &port_check)
            .2
            .starts_with(&format!("free on 127.0.0.1:{port}"))
    );
    let environment = &find(&all, "environment").2;
    assert!(
        environment.contains("ATTIO_CLIENT_SECRET (set; its value is a secret)")
            && environment.contains(&format!("ATTIO_API_URL={:?}", env.fake.url))
            && environment.contains(
                "ATTIO_AUTH_STORE_COMMAND (program `op-vault`; its arguments are not shown)"
            ),
        "{environment}"
    );
    assert!(
        find(&all, "profile default")
            .2
            .starts_with("live: workspace Acme"),
        "{all:?}"
    );
    assert!(find(&all, "clock").2.contains("(within 60 s)"), "{all:?}");
    // What reached Attio: the two hosts, then the profile's /v2/self.
    let seen: Vec<String> = env.fake.requests()[before..]
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(seen, ["GET /", "GET /", "GET /v2/self"]);

    // The same as text, on stdout: a line per check, and a summary.
    let text = env.run(&["doctor"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.starts_with("ok    config "), "{text:?}");
    assert!(text.stdout.contains("\nwarn  keyring "), "{text:?}");
    assert!(
        text.stdout.ends_with("\n0 problems, 1 warning.\n"),
        "{text:?}"
    );
}

// One of the problems is a file mode.
#[cfg(unix)]
#[test]
fn doctor_names_each_problem_with_its_fix() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    // Something of ours holds the redirect port.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    configure_port(&env, port);
    // Attio's clock is five minutes ahead.
    env.fake.set_clock_offset(300);
    // The stored token is one Attio no longer knows.
    let mut document = crate::support::stored_document(&env, "default");
    document["access_token"] = serde_json::json!("at_unknown_to_attio");
    crate::support::store_document(&env, "default", &document);
    // And the credentials file is readable by others.
    std::fs::set_permissions(
        env.credentials_file("default"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();

    let run = env.run(&["doctor", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    // (After the warning every read of a loose credentials file gives.) The busy port is
    // a warning, with every profile logged in: only a later login needs it.
    assert!(
        run.stderr.ends_with(
            "\nattio-auth: error: 1 problem found (see the report on stdout)\n\
             attio-auth: hint: apply each `fix`, then run `attio-auth doctor` again\n"
        ),
        "{run:?}"
    );
    let all = checks(&run);
    let held = find(&all, &format!("redirect port {port}"));
    assert_eq!(held.1, "warn", "{held:?}");
    assert!(
        held.2.contains(&format!(
            "in use on the loopback interface by pid {}",
            std::process::id()
        )),
        "{held:?}"
    );
    assert!(held.3.as_deref().unwrap().contains("--port N"), "{held:?}");
    let clock = find(&all, "clock");
    assert_eq!(clock.1, "warn", "{clock:?}");
    assert!(clock.2.contains(" s behind 127.0.0.1's"), "{clock:?}");
    let profile = find(&all, "profile default");
    assert_eq!(profile.1, "fail", "{profile:?}");
    assert!(
        profile
            .3
            .as_deref()
            .unwrap()
            .starts_with("run `attio-auth login"),
        "{profile:?}"
    );
    let files = find(&all, "file store");
    assert_eq!(files.1, "warn", "{files:?}");
    assert_eq!(
        files.3.as_deref(),
        Some(
            format!(
                "run `chmod 600 {}`",
                env.credentials_file("default").display()
            )
            .as_str()
        )
    );
    drop(busy);
}

#[test]
fn doctor_offline_asks_nobody_and_reports_bad_settings_instead_of_stopping() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    std::fs::write(
        env.config_dir().join("config.toml"),
        "[profiles.default]\nport = \"high\"\n",
    )
    .unwrap();
    let before = env.fake.requests().len();
    let run = env.run_with(
        &["doctor", "--offline", "--json"],
        &[
            ("ATTIO_AUTH_LOCK_TIMEOUT", "soon"),
            ("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22"),
            ("BROWSER", ""),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        env.fake.requests().len(),
        before,
        "nothing was asked of Attio"
    );
    let all = checks(&run);
    let names: Vec<&str> = all.iter().map(|c| c.0.as_str()).collect();
    assert!(
        !names.contains(&"app URL") && !names.contains(&"clock"),
        "{names:?}"
    );
    let config = find(&all, "config");
    assert_eq!(config.1, "fail");
    assert!(
        config
            .2
            .ends_with("config.toml:2:8: `port`: invalid type: string \"high\", expected u16"),
        "{config:?}"
    );
    let environment = find(&all, "environment");
    assert_eq!(environment.1, "fail");
    assert!(
        environment
            .2
            .starts_with("ATTIO_AUTH_LOCK_TIMEOUT=\"soon\": expected a whole number of seconds"),
        "{environment:?}"
    );
    let browser = find(&all, "browser");
    assert_eq!(browser.1, "warn", "{browser:?}");
    assert!(
        browser.3.as_deref().unwrap().contains("ssh -L"),
        "{browser:?}"
    );
    let profile = find(&all, "profile default");
    assert_eq!(profile.1, "ok", "{profile:?}");
    assert!(
        profile.2.contains("not checked with Attio: --offline"),
        "{profile:?}"
    );
}

// File owners are a Unix thing.
#[cfg(unix)]
#[test]
fn doctor_fails_on_a_stored_file_another_user_owns() {
    if !crate::support::can_chown() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let planted = env.credentials_file("default");
    std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
    let run = env.run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let all = checks(&run);
    let files = find(&all, "file store");
    assert_eq!(files.1, "fail", "{files:?}");
    assert_eq!(
        files.2,
        format!(
            "owned by another user, so attio-auth will not read them: {}",
            planted.display()
        )
    );
    assert!(
        files
            .3
            .as_deref()
            .unwrap()
            .starts_with(&format!("move {} out of the way", planted.display()))
    );
}

#[test]
fn doctor_checks_the_port_the_next_login_binds() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let port = free_port().to_string();
    // The app is registered with this port: the first login names it.
    let first = env.run(&["login", "--port", &port, "--timeout", "20"]);
    assert_eq!(first.code, 0, "{first:?}");
    let run = env.run(&["doctor", "--offline", "--json"]);
    let all = checks(&run);
    let check = find(&all, &format!("redirect port {port}"));
    assert_eq!(check.1, "ok", "{run:?}");
    // A plain login binds the same port: its redirect URI is the registered one.
    let again = env.run(&["login", "--timeout", "20"]);
    assert_eq!(again.code, 0, "{again:?}");
    let seen = env.fake.seen("/authorize");
    let uris: Vec<&str> = seen
        .iter()
        .map(|s| s.query["redirect_uri"].as_str())
        .collect();
    let expected = format!("http://localhost:{port}/callback");
    assert_eq!(uris, [expected.as_str(), expected.as_str()]);
    // `--port 0` (any free port) is never carried over.
    let any = env.login(&[]);
    assert_eq!(any.code, 0, "{any:?}");
    let run = env.run(&["doctor", "--offline", "--json"]);
    find(&checks(&run), "redirect port 3456");
}

#[test]
fn doctor_checks_the_hosts_the_stored_tokens_go_to() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    std::fs::write(
        env.config_dir().join("config.toml"),
        "[profiles.default]\napp_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    // `token` refuses to send the stored token to another host than its own...
    let token = env.run(&["token"]);
    assert_eq!(token.code, 2, "{token:?}");
    assert!(
        token.stderr.contains("only ever sent where they came from"),
        "{token:?}"
    );
    // ...and doctor reports that, rather than checking the configured host.
    let run = env.run(&["doctor", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let all = checks(&run);
    let app = find(&all, "app URL");
    assert_eq!(app.1, "fail", "{run:?}");
    assert!(
        app.2.contains("only ever sent where they came from"),
        "{app:?}"
    );
    let api = find(&all, "API URL");
    assert_eq!(api.1, "ok", "{run:?}");
    assert!(api.2.contains(&env.fake.url), "{api:?}");
}

#[test]
fn a_busy_redirect_port_is_a_warning_once_every_profile_is_logged_in() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let port = free_port();
    configure_port(&env, port);
    let held = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let name = format!("redirect port {port}");
    // Not logged in: the port stops the login that is needed.
    let run = env.run(&["doctor", "--offline", "--json"]);
    let before = find(&checks(&run), &name).1.clone();
    drop(held);
    let login = env.run(&["login", "--timeout", "20"]);
    assert_eq!(login.code, 0, "{login:?}");
    let held = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let run = env.run(&["doctor", "--offline", "--json"]);
    let after = find(&checks(&run), &name).clone();
    drop(held);
    assert_eq!(
        (before.as_str(), after.1.as_str(), run.code),
        ("fail", "warn", 0),
        "{run:?}"
    );
    assert!(
        after
            .2
            .starts_with(&format!("port {port} is already in use")),
        "{after:?}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_profile_in_a_keyring_that_cannot_be_reached_gets_the_keyring_rows_finding_and_fix() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    // A profile the keyring holds, on a shell that has no session bus (the tests' own).
    let meta_file = env.meta_file("default");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_file).unwrap()).unwrap();
    meta["store"] = "keyring".into();
    std::fs::write(&meta_file, meta.to_string()).unwrap();
    for offline in [false, true] {
        let mut args = vec!["doctor", "--json"];
        if offline {
            args.push("--offline");
        }
        let run = env.run(&args);
        assert_eq!(run.code, 1, "{run:?}");
        let all = checks(&run);
        let keyring = find(&all, "keyring").clone();
        assert_eq!(keyring.1, "fail");
        let why = keyring
            .2
            .strip_suffix("; profiles stored there: default")
            .unwrap();
        let profile = find(&all, "profile default");
        assert_eq!(
            (&profile.1, &profile.2, &profile.3),
            (
                &"fail".to_string(),
                &format!("its credentials are in the keyring, which cannot be reached ({why})"),
                &keyring.3
            ),
            "offline: {offline}"
        );
        assert!(keyring.3.as_deref().unwrap().contains("dbus-run-session"));
    }
    assert!(
        env.fake.seen("/v2/self").len() == 1,
        "only the login asked Attio"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn doctor_without_a_session_bus_says_so_and_how_to_start_one() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // The tests' environment names a bus socket that does not exist.
    let run = env.run(&["doctor", "--offline", "--json"]);
    assert_eq!(
        run.code, 0,
        "a warning only, with nothing stored there: {run:?}"
    );
    let all = checks(&run);
    let keyring = find(&all, "keyring");
    let bus = env.home.path().join("no-bus");
    assert_eq!(
        keyring.2,
        format!(
            "the Secret Service (D-Bus): this shell has no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS names {}, which does not exist); logins will store credentials in the file store instead",
            bus.display()
        ),
        "{keyring:?}"
    );
    // What to type at gnome-keyring-daemon's silent wait is said, so it does not look hung.
    assert_eq!(
        keyring.3.as_deref(),
        Some(
            "log in to a desktop session, or start a bus and a keyring for this shell: `dbus-run-session -- $SHELL`, then inside it `gnome-keyring-daemon --unlock`, which waits without a prompt: type the keyring's password (it shows as you type; a new keyring takes it as its password), press Enter, then Ctrl-D; or log in with --store file"
        )
    );
    // Neither variable: the same, naming both.
    let unset: Run = env
        .cmd(&["doctor", "--offline", "--json"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap()
        .into();
    let all = checks(&unset);
    assert!(
        find(&all, "keyring")
            .2
            .contains("this shell has no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are not set)"),
        "{unset:?}"
    );
}

#[cfg(unix)]
#[test]
fn doctor_wraps_to_the_terminal_and_points_at_its_report() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let output = env
        .on_terminal_of(60, "doctor --offline", &[])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let transcript = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    let lines: Vec<&str> = transcript.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("ok    config")),
        "{transcript}"
    );
    for line in &lines {
        // Only a word longer than a line (a path) may stick out.
        let fits = line.chars().count() <= 60 || !line.trim().contains(' ');
        let indented_path = line.split(' ').any(|w| w.chars().count() > 40);
        assert!(fits || indented_path, "{line:?} in {transcript}");
    }
    // A continuation line starts under its detail, never at column 0.
    assert!(
        lines.iter().any(|l| l.starts_with("                  ")),
        "{transcript}"
    );

    // With stdout redirected there is nothing above the summary on the terminal.
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(env.config_dir().join("config.toml"), "[profiles\n").unwrap();
    let redirected = env.run(&["doctor", "--offline"]);
    assert_eq!(redirected.code, 1, "{redirected:?}");
    assert!(
        redirected
            .stderr
            .contains("found (see the report on stdout)"),
        "{redirected:?}"
    );
}

#[test]
fn doctor_names_a_refresh_that_never_finished() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    env.refresh_left_unfinished();

    let why = "an earlier refresh did not finish (its outcome is unknown), so its refresh token is not sent again: the login ends when the access token expires ";
    for args in [
        &["doctor", "--json"][..],
        &["doctor", "--offline", "--json"][..],
    ] {
        let run = env.run(args);
        let all = checks(&run);
        let profile = find(&all, "profile default");
        assert_eq!(profile.1, "warn", "{profile:?}");
        assert!(profile.2.contains(why), "{profile:?}");
        assert!(
            profile
                .3
                .as_deref()
                .unwrap()
                .starts_with("before then, run `attio-auth login "),
            "{profile:?}"
        );
    }
}
