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
    assert!(env.fake.state().seen.is_empty());
}

#[test]
fn an_unsafe_profile_name_is_refused() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["token", "--profile", "../../etc"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("invalid profile name"), "{run:?}");
    let run = env
        .cmd(&["status"])
        .env("ATTIO_PROFILE", "a/b")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
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
    assert!(files_under(env.home.path()).is_empty());
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
