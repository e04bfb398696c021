//! The first five minutes of a new user (issue 10): hints that point at the real fix,
//! environment variables that behave as README says, help that helps, reports where
//! scripts expect them.

use crate::fake_attio::{CLIENT_ID, CLIENT_SECRET, Consent, Tokens};
use crate::login::{Typed, login_on_a_terminal};
use crate::support::{TestEnv, free_port};

const API_KEY: &str = "sk_live_0123456789abcdef";

fn hint_of(stderr: &str) -> &str {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("attio-auth: hint: "))
        .unwrap_or_else(|| panic!("no hint in {stderr:?}"))
}

#[test]
fn a_rejected_token_variable_is_named_with_its_fix() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    for var in ["ATTIO_API_KEY", "ATTIO_ACCESS_TOKEN"] {
        let run = env.run_with(&["whoami"], &[(var, "sk_revoked_key")]);
        assert_eq!(run.code, 3, "{run:?}");
        assert_eq!(
            hint_of(&run.stderr),
            format!(
                "{var} is set and wins over the stored profiles: unset it (`unset {var}`) to use profile `default`, or replace it with a valid key"
            ),
            "logging in again cannot help while the variable wins"
        );
    }
}

#[test]
fn a_rejected_with_token_login_says_to_pipe_a_valid_one_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_stdin(
        &["login", "--with-token", "--profile", "ci"],
        "sk_not_a_key\n",
    );
    assert_eq!(run.code, 3, "{run:?}");
    let hint = hint_of(&run.stderr);
    assert!(
        hint.contains("| attio-auth login --with-token --profile ci`"),
        "{run:?}"
    );
    assert!(!hint.contains("approve"), "not the browser login: {run:?}");
}

#[test]
fn a_refused_client_secret_is_blamed_on_where_it_came_from() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let typed = Typed {
        secret: Some("cs_typed_wrong"),
        ..Typed::default()
    };
    let (code, transcript, _) = login_on_a_terminal(&env, typed, 100);
    assert_eq!(code, 4, "{transcript}");
    assert!(
        transcript.contains(
            "check the client ID and the client secret you typed against the app at build.attio.com"
        ),
        "{transcript}"
    );
    assert!(!transcript.contains("ATTIO_CLIENT_SECRET"), "{transcript}");

    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("ATTIO_CLIENT_SECRET", "cs_env_wrong")],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        hint_of(&run.stderr).starts_with("check the client ID and ATTIO_CLIENT_SECRET"),
        "{run:?}"
    );
}

#[test]
fn a_failed_login_hints_at_the_same_login_again() {
    let env = TestEnv::new(Consent::Deny, Tokens::LongLived);
    let port = free_port().to_string();
    let again = format!(
        "`attio-auth login --profile den --port {port} --app-url {0} --api-url {0}`",
        env.fake.url
    );
    let denied = env.run(&[
        "login",
        "--profile",
        "den",
        "--port",
        &port,
        "--timeout",
        "20",
    ]);
    assert_eq!(denied.code, 4, "{denied:?}");
    assert_eq!(
        hint_of(&denied.stderr),
        format!("run {again} again and approve the request")
    );
    let timed_out = env.run(&[
        "login",
        "--profile",
        "den",
        "--port",
        &port,
        "--no-browser",
        "--timeout",
        "1",
    ]);
    assert_eq!(timed_out.code, 4, "{timed_out:?}");
    assert!(
        hint_of(&timed_out.stderr).starts_with(&format!("run {again} again")),
        "{timed_out:?}"
    );
}

#[test]
fn empty_variables_count_as_unset_and_bad_ones_are_named() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[
            ("ATTIO_AUTH_STORE", ""),
            ("ATTIO_AUTH_HTTP_TIMEOUT", ""),
            ("ATTIO_AUTH_LOCK_TIMEOUT", " "),
            ("ATTIO_PROFILE", ""),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(env.meta_file("default").exists());

    for (var, value, why) in [
        (
            "ATTIO_AUTH_HTTP_TIMEOUT",
            "0",
            "expected a whole number of seconds from 1 to 3600",
        ),
        (
            "ATTIO_AUTH_LOCK_TIMEOUT",
            "soon",
            "expected a whole number of seconds from 1 to 3600",
        ),
        (
            "ATTIO_AUTH_HTTP_TIMEOUT",
            "7200",
            "expected a whole number of seconds from 1 to 3600",
        ),
    ] {
        let run = env.run_with(&["token"], &[(var, value)]);
        assert_eq!(
            (run.code, run.stderr.lines().next().unwrap_or("")),
            (
                2,
                format!("attio-auth: error: {var}={value:?}: {why}").as_str()
            ),
            "{run:?}"
        );
    }
    let run = env.run_with(&["token"], &[("ATTIO_PROFILE", "../x")]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .starts_with("attio-auth: error: ATTIO_PROFILE: invalid profile name"),
        "{run:?}"
    );

    let missing = env.home.path().join("confg.toml");
    let run = env.run_with(
        &["token"],
        &[("ATTIO_AUTH_CONFIG", missing.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "attio-auth: warning: ATTIO_AUTH_CONFIG names {}, which does not exist: no configuration file is read\n",
            missing.display()
        )
    );
}

#[test]
fn a_mistyped_profile_gets_a_suggestion_and_the_stored_names() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    env.logged_in(&["--profile", "work"]);
    let run = env.run(&["token", "--profile", "defualt"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""), "{run:?}");
    assert_eq!(
        run.stderr,
        "attio-auth: error: profile `defualt` is not logged in; did you mean `default`? (stored profiles: default, work)\n\
         attio-auth: hint: pass `--profile default`, or run `attio-auth login --profile defualt` to log `defualt` in\n"
    );
    let unrelated = env.run(&["whoami", "--profile", "globex"]);
    assert_eq!(unrelated.code, 3, "{unrelated:?}");
    assert!(
        unrelated
            .stderr
            .contains("profile `globex` is not logged in (stored profiles: default, work)"),
        "{unrelated:?}"
    );
}

#[test]
fn help_shows_global_options_once_and_gives_examples_and_exit_codes() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let bare = env.run(&[]);
    assert_eq!(bare.code, 0, "{bare:?}");
    assert!(
        bare.stdout.starts_with("Command-line OAuth helper"),
        "{bare:?}"
    );
    // A 40-row terminal shows all of it, Usage first after the one-line summary.
    assert!(bare.stdout.lines().count() <= 40, "{}", bare.stdout);
    assert!(
        bare.stdout
            .lines()
            .take(5)
            .any(|l| l.starts_with("Usage: ")),
        "{}",
        bare.stdout
    );
    assert!(bare.stdout.contains("Commands:") && bare.stdout.contains("Global options:"));
    // The full help has the variables, defaults and exit codes.
    let full = env.run(&["--help"]).stdout;
    assert!(
        full.contains("[env: ATTIO_PROFILE]") && full.contains("Exit status:"),
        "{full}"
    );

    for sub in [
        "login",
        "token",
        "refresh",
        "whoami",
        "logout",
        "status",
        "exec",
        "mcp-config",
        "completions",
        "config",
    ] {
        let help = env.run(&[sub, "--help"]);
        assert_eq!(help.code, 0, "{help:?}");
        let text = &help.stdout;
        assert!(
            text.contains("Global options (see `attio-auth --help`): --profile")
                && !text.contains("--profile <NAME>")
                && !text.contains("--app-url <URL>"),
            "{sub}: global options named once, not repeated: {text}"
        );
        assert!(text.contains("\nExamples:\n  "), "{sub}: examples: {text}");
        assert!(
            text.contains("\nExit status: "),
            "{sub}: exit codes: {text}"
        );
        let usage = text.lines().find(|l| l.starts_with("Usage: ")).unwrap();
        assert!(
            !usage.contains("--"),
            "{sub}: nothing required in usage: {usage}"
        );
    }
    let token = env.run(&["token", "--help"]).stdout;
    assert!(
        !token.contains("--store"),
        "--store belongs to login: {token}"
    );
    let login = env
        .run_with(&["login", "--help"], &[("ATTIO_CLIENT_ID", "x")])
        .stdout;
    assert!(
        login.contains("--store <STORE>")
            && login.contains(
                "[env: ATTIO_AUTH_STORE] [default: a store command when one is set, else keyring]"
            ),
        "{login}"
    );
    assert!(
        login
            .lines()
            .any(|l| l == "Usage: attio-auth login [OPTIONS]"),
        "{login}"
    );
    let status = env.run(&["status", "--help"]).stdout;
    assert!(
        status.contains("Print one JSON object on stdout"),
        "{status}"
    );
    assert!(!status.contains("JSON array"), "{status}");
}

/// The examples block of a help text: the lines after `Examples:` up to a blank one.
#[cfg(unix)]
fn examples(help: &str) -> Vec<String> {
    help.replace('\r', "")
        .split("Examples:\n")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(unix)]
#[test]
fn help_examples_are_never_wrapped_into_another_command() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for sub in [
        "login",
        "token",
        "refresh",
        "whoami",
        "logout",
        "status",
        "doctor",
        "switch",
        "exec",
        "completions",
        "config",
        "man",
    ] {
        let wide = examples(&env.run(&[sub, "--help"]).stdout);
        assert!(!wide.is_empty(), "{sub}: examples");
        // On a 60-column terminal clap wraps help text: the examples must come out as
        // they are, line for line.
        let output = env
            .on_terminal_of(60, &format!("{sub} --help"), &[])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let narrow = examples(&String::from_utf8_lossy(&output.stdout));
        assert_eq!(narrow, wide, "{sub} at 60 columns");
        for line in &wide {
            assert!(
                line.starts_with("  ") && line.len() <= 58,
                "{sub}: {line:?}"
            );
        }
    }
}

#[test]
fn usage_errors_are_one_line_and_a_hint() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for (args, error) in [
        (
            &["login", "--timeout", "0"][..],
            "invalid value '0' for '--timeout <SECS>': expected a whole number of seconds from 1 to 86400",
        ),
        (&["token", "--jsn"][..], "unexpected argument '--jsn' found"),
        (
            &["login", "--store", "vault"][..],
            "invalid value 'vault' for '--store <STORE>' [possible values: keyring, file, command]",
        ),
        (&["tokne"][..], "unrecognized subcommand 'tokne'"),
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{run:?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{run:?}");
        assert_eq!(lines[0], format!("attio-auth: error: {error}"));
        assert!(lines[1].starts_with("attio-auth: hint: "), "{run:?}");
        assert!(lines[1].ends_with(" --help`"), "{run:?}");
    }
}

#[test]
fn status_reports_on_stdout_and_exits_3_when_nothing_is_stored() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let empty = env.run(&["status"]);
    assert_eq!((empty.code, empty.stdout.as_str()), (3, ""), "{empty:?}");
    assert!(
        empty.stderr.contains("no profile is logged in"),
        "{empty:?}"
    );
    let json = env.run(&["status", "--json"]);
    assert_eq!(json.code, 3, "{json:?}");
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["profiles"], serde_json::json!([]));

    env.logged_in(&[]);
    env.logged_in(&["--profile", "work"]);
    let all = env.run(&["status"]);
    assert_eq!((all.code, all.stderr.as_str()), (0, ""), "{all:?}");
    assert!(
        all.stdout.starts_with("default\n") && all.stdout.contains("\n\nwork\n"),
        "{all:?}"
    );
    assert!(
        all.stdout.contains(" (refreshed automatically)\n"),
        "a profile that refreshes itself says so: {all:?}"
    );
    for run in [
        env.run(&["status", "--profile", "work"]),
        env.run_with(&["status"], &[("ATTIO_PROFILE", "work")]),
    ] {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stdout.starts_with("work\n") && !run.stdout.contains("default"),
            "{run:?}"
        );
    }
    let json = env.run(&["status", "--json", "--profile", "work"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(
        value["profiles"][0]["location"],
        env.credentials_file("work").display().to_string()
    );
    let unknown = env.run(&["status", "--profile", "wrok"]);
    assert_eq!(unknown.code, 3, "{unknown:?}");
    assert!(
        unknown.stderr.contains("did you mean `work`?"),
        "{unknown:?}"
    );
}

#[test]
fn a_browser_that_cannot_start_is_one_short_warning() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "1"],
        &[("BROWSER", "/nonexistent/browser --new-window")],
    );
    assert_eq!(run.code, 4, "{run:?}");
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    assert_eq!(
        warnings,
        ["attio-auth: warning: could not open a browser: open the URL above yourself"],
        "{run:?}"
    );
    assert_eq!(
        run.stderr.matches("/authorize?").count(),
        1,
        "the URL once: {run:?}"
    );
}

#[test]
fn a_pasted_token_expires_only_when_attio_says_so() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.fake.state().api_keys.push(API_KEY.into());
    env.logged_in(&[]);
    let access = env.fake.last_access_token();
    let pasted = env.run_stdin(&["login", "--with-token", "--profile", "pasted"], &access);
    assert_eq!(pasted.code, 0, "{pasted:?}");
    let key = env.run_stdin(&["login", "--with-token", "--profile", "key"], API_KEY);
    assert_eq!(key.code, 0, "{key:?}");
    let status = env.run(&["status", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let expiry = |name: &str| {
        value["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["profile"] == name)
            .unwrap()["expires_at"]
            .clone()
    };
    // (Not the `default` profile's: that one is the login's clock plus expires_in.)
    let reported = env.fake.state().access[&access].expires_at;
    assert_eq!(
        expiry("pasted"),
        serde_json::json!(reported),
        "the exp /v2/self reports"
    );
    assert!(expiry("pasted").is_u64());
    assert_eq!(
        expiry("key"),
        serde_json::Value::Null,
        "an API key never expires"
    );
}

#[test]
fn small_things() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);

    // Logging in again says which login it replaces.
    let again = env.login(&[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again
            .stderr
            .contains("Replacing the earlier login of profile `default` (workspace Acme, acme)."),
        "{again:?}"
    );

    // A loose file is reported once per run, even when a refresh reads it twice.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = env.credentials_file("default");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
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
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    // `logout --all` with `--profile` is a usage error, and removes nothing.
    let both = env.run(&["logout", "--all", "--profile", "default"]);
    assert_eq!(both.code, 2, "{both:?}");
    assert!(
        both.stderr.contains("cannot be combined with --profile"),
        "{both:?}"
    );
    assert!(env.meta_file("default").exists());

    // config.toml: a value of the wrong type names its key; a secret is turned away.
    let config = env.config_dir().join("config.toml");
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(&config, "[profiles.den]\nport = \"3461\"\n").unwrap();
    let run = env.run(&["login", "--profile", "den"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "attio-auth: error: {}:2:8: `port`: invalid type: string \"3461\"",
            config.display()
        )),
        "{run:?}"
    );
    std::fs::write(&config, "[profiles.den]\nclient_secret = \"cs\"\n").unwrap();
    let run = env.run(&["login", "--profile", "den"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("`client_secret` does not belong in config.toml"),
        "{run:?}"
    );
    assert!(
        hint_of(&run.stderr).contains("ATTIO_CLIENT_SECRET"),
        "{run:?}"
    );
    std::fs::remove_file(&config).unwrap();

    // A network failure says what to check.
    let run = env.run_with(
        &["whoami"],
        &[
            ("ATTIO_API_KEY", API_KEY),
            ("ATTIO_API_URL", "http://127.0.0.1:1"),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        hint_of(&run.stderr).starts_with("check the network connection"),
        "{run:?}"
    );
}

#[test]
fn a_missing_client_id_is_asked_for_at_a_terminal() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let typed = Typed {
        client_id: Some(CLIENT_ID),
        secret: Some(CLIENT_SECRET),
    };
    let (code, transcript, _) = login_on_a_terminal(&env, typed, 100);
    assert_eq!(code, 0, "{transcript}");
    let exchange = &env.fake.token_requests("authorization_code")[0];
    assert_eq!(exchange.form["client_id"], CLIENT_ID);
    // The next login of the profile reuses it.
    let again = env
        .cmd(&["login", "--port", "0", "--timeout", "20"])
        .env_remove("ATTIO_CLIENT_ID")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{again:?}");
}
