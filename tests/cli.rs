//! Bad flags and environment: exit 2 with a message that says what to do.

use std::process::Stdio;

use crate::fake_attio::{Consent, Tokens};
use crate::support::{TestEnv, files_under};

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["--app-url", "http://app.attio.example", "login"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("allowed only for 127.0.0.1, [::1] and localhost; use https://"),
        "{run:?}"
    );
    let run = env
        .cmd(&["whoami"])
        .env("ATTIO_API_URL", "http://10.0.0.1")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(env.fake.requests().is_empty());
}

#[test]
fn an_unsafe_profile_name_is_refused() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["token", "--profile", "../../etc"]);
    run.expect(
        2,
        "",
        "attio-auth: error: invalid profile name \"../../etc\": use 1 to 64 letters, digits, `.`, `_` or `-`, not starting with `.` or `-`\n",
    );
    let run = env
        .cmd(&["status"])
        .env("ATTIO_PROFILE", "a/b")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn a_client_secret_flag_says_where_the_secret_goes_instead() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for args in [
        &["login", "--client-secret", "s3cret"][..],
        &["login", "--client-secret=s3cret", "--client-id", "x"],
        &["login", "--client-secret"],
    ] {
        let run = env.run(args);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (
                2,
                "",
                "attio-auth: error: there is no --client-secret: a secret on the command line is seen by other users (ps) and kept in shell history\n\
                 attio-auth: hint: set ATTIO_CLIENT_SECRET, or leave it unset to be prompted without echo; if that was the real secret, rotate it at build.attio.com\n"
            ),
            "{args:?}"
        );
    }
    assert!(env.fake.requests().is_empty());
    assert!(!env.meta_file("default").exists());
}

#[test]
fn an_unknown_store_is_a_usage_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(&["login"], &[("ATTIO_AUTH_STORE", "vault")]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            2,
            "attio-auth: error: ATTIO_AUTH_STORE=\"vault\": expected `keyring`, `file` or `command`\n\
             attio-auth: hint: fix or unset ATTIO_AUTH_STORE (an empty value counts as unset)\n"
        ),
        "the variable is blamed, not the flag: {run:?}"
    );
    // Only `login` reads it: the other commands are not broken by it.
    let run = env.run_with(&["status"], &[("ATTIO_AUTH_STORE", "vault")]);
    assert_eq!(run.code, 3, "{run:?}");
}

#[test]
fn help_and_version_touch_no_storage() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let help = env.run(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("5  a required scope is missing"),
        "{help:?}"
    );
    let version = env.run(&["--version"]);
    assert_eq!(
        version.stdout,
        format!("attio-auth {}\n", env!("CARGO_PKG_VERSION"))
    );
    if env.under_wine() {
        // The prefix lives in the test's home: its attio-auth directories are checked.
        assert!(!env.config_dir().exists() && !env.data_dir().exists());
    } else {
        assert!(files_under(env.home.path()).is_empty());
    }
}

#[test]
fn token_when_never_logged_in_exits_3() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["token"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "attio-auth: error: profile `default` is not logged in\nattio-auth: hint: run `attio-auth login`\n"
    );
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env
        .cmd(&["token"])
        .env("ATTIO_APP_URL", "")
        .env("ATTIO_API_URL", " ")
        .env("ATTIO_PROFILE", "")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&run.stderr).lines().next(),
        Some("attio-auth: error: profile `default` is not logged in")
    );
}

#[test]
fn errors_are_coloured_only_on_a_terminal_and_never_with_no_color() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let on_terminal = |vars: &[(&str, &str)]| {
        let output = env
            .on_terminal("token", vars)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, coloured) = on_terminal(&[("TERM", "xterm")]);
    assert_eq!(code, Some(3));
    assert!(
        coloured.contains("attio-auth: \x1b[1;31merror:\x1b[0m profile `default` is not logged in"),
        "{coloured:?}"
    );
    let (_, plain) = on_terminal(&[("TERM", "xterm"), ("NO_COLOR", "1")]);
    assert!(
        plain.contains("attio-auth: error: profile") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    let piped = env.run(&["token"]);
    assert!(!piped.stderr.contains('\x1b'), "{piped:?}");
}

#[test]
fn a_variable_that_is_not_utf8_is_a_usage_error_naming_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    if env.unix_only("a stray byte in a variable: Wine hands a Windows program its Unix environment as valid text") {
        return;
    }
    env.logged_in(&[]);
    // A stray byte on Unix; an unpaired surrogate on Windows.
    #[cfg(unix)]
    let garbled: std::ffi::OsString =
        std::os::unix::ffi::OsStringExt::from_vec(b"work\xff".to_vec());
    #[cfg(windows)]
    let garbled: std::ffi::OsString =
        std::os::windows::ffi::OsStringExt::from_wide(&[0x77, 0x6f, 0x72, 0x6b, 0xd800]);
    for var in [
        "ATTIO_PROFILE",
        "ATTIO_API_KEY",
        "ATTIO_APP_URL",
        "ATTIO_CLIENT_SECRET",
    ] {
        let run: crate::support::Run = env
            .cmd(&["token"])
            .env(var, &garbled)
            .output()
            .unwrap()
            .into();
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{var}: a garbled value is not the same as none: {run:?}"
        );
        assert!(
            run.stderr
                .starts_with(&format!("attio-auth: error: {var} is not valid UTF-8")),
            "{var}: {run:?}"
        );
    }
    // `login`'s own variables break only `login`, as any bad value of theirs does.
    for var in ["ATTIO_AUTH_STORE", "BROWSER"] {
        let token: crate::support::Run = env
            .cmd(&["token"])
            .env(var, &garbled)
            .output()
            .unwrap()
            .into();
        assert_eq!(token.code, 0, "{var}: {token:?}");
        let login: crate::support::Run = env
            .cmd(&["login", "--port", "0"])
            .env(var, &garbled)
            .output()
            .unwrap()
            .into();
        assert_eq!(login.code, 2, "{var}: {login:?}");
        assert!(
            login
                .stderr
                .starts_with(&format!("attio-auth: error: {var} is not valid UTF-8")),
            "{var}: {login:?}"
        );
    }
}

#[test]
fn numbers_out_of_their_range_are_usage_errors_not_crashes() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let huge = "18446744073709551615";
    for (args, range) in [
        (vec!["login", "--timeout", huge], "1 to 86400"),
        (vec!["login", "--timeout", "0"], "1 to 86400"),
        (vec!["token", "--min-ttl", huge], "0 to 86400"),
        (vec!["exec", "--min-ttl", huge, "--", "true"], "0 to 86400"),
        (vec!["--http-timeout", huge, "token"], "1 to 3600"),
        (vec!["login", "--port", "65536"], "0 to 65535"),
    ] {
        let run = env.run(&args);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, ""),
            "{args:?}: {run:?}"
        );
        assert!(run.stderr.contains(range), "{args:?}: {run:?}");
        assert!(!run.stderr.contains("internal error"), "{args:?}: {run:?}");
    }
}

#[test]
fn a_missing_argument_is_named() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for (args, missing) in [
        (&["switch"][..], "<PROFILE>"),
        (&["exec"][..], "<COMMAND>"),
        (&["completions"][..], "<SHELL>"),
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{run:?}");
        let first = run.stderr.lines().next().unwrap_or("");
        assert!(
            first.starts_with(
                "attio-auth: error: the following required arguments were not provided: "
            ) && first.contains(missing),
            "{args:?}: {run:?}"
        );
    }
}

#[test]
fn the_manual_page_covers_every_subcommand() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["man"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    assert!(
        run.stdout.contains(".TH attio-auth 1"),
        "{}",
        &run.stdout[..200]
    );
    let help = env.run(&["--help"]).stdout;
    let subcommands: Vec<&str> = help
        .split("Commands:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(subcommands.len() >= 10, "{subcommands:?}");
    for name in subcommands {
        assert!(
            run.stdout
                .contains(&format!("\n.SH \"ATTIO-AUTH {}\"\n", name.to_uppercase())),
            "{name} has no section"
        );
    }
}

/// Every subcommand, for the tests of what each one's help says.
const SUBCOMMANDS: [&str; 14] = [
    "login",
    "token",
    "refresh",
    "whoami",
    "logout",
    "status",
    "doctor",
    "switch",
    "exec",
    "mcp-config",
    "mcp",
    "completions",
    "config",
    "man",
];

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

    for sub in SUBCOMMANDS {
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

/// Help prose at a terminal's width wraps as a paragraph does: in a run of unindented
/// lines (prose; options, examples and tables are indented), only the last may be short.
#[cfg(unix)]
#[test]
fn help_prose_wraps_evenly_at_80_and_100_columns() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let mut commands: Vec<String> = vec!["--help".into(), "-h".into()];
    commands.extend(SUBCOMMANDS.iter().map(|sub| format!("{sub} --help")));
    for columns in [80u16, 100] {
        for args in &commands {
            let output = env
                .on_terminal_of(columns, args, &[("NO_COLOR", "1")])
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let help = String::from_utf8_lossy(&output.stdout).replace('\r', "");
            let mut run: Vec<&str> = Vec::new();
            for line in help.lines().chain([""]) {
                if line.is_empty() || line.starts_with(' ') {
                    if let Some((_, rest)) = run.split_last() {
                        let ragged: Vec<&&str> = rest
                            .iter()
                            .filter(|l| l.chars().count() + 25 < usize::from(columns))
                            .collect();
                        assert!(
                            ragged.is_empty(),
                            "`{args}` at {columns} columns: ragged lines {ragged:?} in {run:#?}"
                        );
                    }
                    run.clear();
                } else {
                    assert!(line.chars().count() <= usize::from(columns), "{line:?}");
                    run.push(line);
                }
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn help_examples_are_never_wrapped_into_another_command() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for sub in SUBCOMMANDS {
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
