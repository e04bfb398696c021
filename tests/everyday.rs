//! The everyday paths: API keys through `login --with-token`, environment overrides,
//! `exec`, `token --json` and the config file.

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

const API_KEY: &str = "sk_live_0123456789abcdef";

fn with_api_key() -> TestEnv {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.state().api_keys.push(API_KEY.into());
    env
}

#[test]
fn login_with_token_stores_an_api_key_read_from_stdin() {
    let env = with_api_key();
    let run = env.run_stdin(&["login", "--with-token"], &format!("  {API_KEY}\n\n"));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("Logged in to Acme (acme)"), "{run:?}");
    assert!(!run.stderr.contains(API_KEY), "{run:?}");
    let seen = env.fake.seen("/v2/self");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {API_KEY}").as_str()),
        "trimmed"
    );
    assert!(env.fake.seen("/authorize").is_empty() && env.fake.seen("/oauth/token").is_empty());
    assert_eq!(env.run(&["token"]).stdout, format!("{API_KEY}\n"));
    let refresh = env.run(&["refresh"]);
    assert_eq!(
        refresh.code, 1,
        "no refresh token for an API key: {refresh:?}"
    );
}

#[test]
fn login_with_an_empty_or_rejected_token_stores_nothing() {
    let env = with_api_key();
    let empty = env.run_stdin(&["login", "--with-token"], " \n");
    assert_eq!(empty.code, 2, "{empty:?}");
    assert!(empty.stderr.contains("no token on stdin"), "{empty:?}");
    let rejected = env.run_stdin(&["login", "--with-token"], "sk_not_a_real_key\n");
    assert_eq!(rejected.code, 3, "{rejected:?}");
    assert!(
        rejected.stderr.contains("nothing was stored"),
        "{rejected:?}"
    );
    assert!(rejected.stderr.contains("inactive"), "{rejected:?}");
    assert!(!env.meta_file("default").exists() && !env.credentials_file("default").exists());
}

#[test]
fn login_with_token_refuses_browser_flags() {
    let env = with_api_key();
    let run = env.run_stdin(&["login", "--with-token", "--port", "4000"], API_KEY);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn environment_tokens_override_stored_credentials_in_attios_precedence() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let stored = env.fake.last_access_token();
    let both = [
        ("ATTIO_API_KEY", "sk_from_env"),
        ("ATTIO_ACCESS_TOKEN", "at_from_env"),
    ];
    assert_eq!(env.run_with(&["token"], &both).stdout, "sk_from_env\n");
    assert_eq!(env.run_with(&["token"], &both[1..]).stdout, "at_from_env\n");
    assert_eq!(
        env.run_with(&["token"], &[("ATTIO_API_KEY", "")]).stdout,
        format!("{stored}\n")
    );

    let json = env.run_with(&["token", "--json"], &both[1..]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["access_token"], "at_from_env");
    assert_eq!(value["source"], "env:ATTIO_ACCESS_TOKEN");

    let status = env.run_with(&["status"], &both);
    assert!(
        status
            .stdout
            .contains("ATTIO_API_KEY is set: `token` and `whoami` use it"),
        "{status:?}"
    );
    let status = env.run_with(&["status", "--json"], &both);
    let value: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(value["env_override"], "ATTIO_API_KEY");
}

#[test]
fn whoami_uses_an_environment_api_key_without_any_stored_profile() {
    let env = with_api_key();
    let run = env.run_with(&["whoami", "--json"], &[("ATTIO_API_KEY", API_KEY)]);
    assert_eq!(run.code, 0, "{run:?}");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["store"], "env:ATTIO_API_KEY");
    assert_eq!(value["workspace_slug"], "acme");
    let rejected = env.run_with(&["whoami"], &[("ATTIO_ACCESS_TOKEN", "at_bogus")]);
    assert_eq!(rejected.code, 3, "{rejected:?}");
}

#[test]
fn token_json_reports_expiry_profile_and_store() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&["--profile", "work"]);
    let run = env.run(&["token", "--json", "--profile", "work"]);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["access_token"], env.fake.last_access_token());
    assert_eq!(value["profile"], "work");
    assert_eq!(value["source"], "file");
    assert!(value["expires_at"].as_u64().unwrap() > 1_700_000_000);
}

#[test]
fn exec_passes_a_fresh_token_and_returns_the_commands_exit_status() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    env.logged_in(&[]);
    let script = r#"printf '%s|%s|%s|%s' "$ATTIO_ACCESS_TOKEN" "$ATTIO_API_KEY" "$ATTIO_AUTH_TOKEN_PROFILE" "$1"; exit 7"#;
    let run = env.run_with(
        &[
            "exec",
            "--min-ttl",
            "60",
            "--",
            "sh",
            "-c",
            script,
            "sh",
            "--flag",
        ],
        &[("ATTIO_API_KEY", "sk_stale")],
    );
    assert_eq!(run.code, 7, "{run:?}");
    // The stored token lived 30 s: exec refreshed it first, and put it under both names
    // (every Attio client reads ATTIO_API_KEY first), replacing the stale API key.
    let fresh = env.fake.last_access_token();
    assert_eq!(run.stdout, format!("{fresh}|{fresh}|default|--flag"));
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);

    let named = env.run(&[
        "exec",
        "--env",
        "MY_TOKEN",
        "--",
        "sh",
        "-c",
        "printf %s \"$MY_TOKEN\"",
    ]);
    assert_eq!(
        (named.code, named.stdout),
        (0, env.fake.last_access_token())
    );
}

#[test]
fn exec_of_a_missing_command_exits_127() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let run = env.run(&["exec", "--", "/nonexistent/program"]);
    assert_eq!(run.code, 127, "{run:?}");
    assert!(
        run.stderr
            .contains("command `/nonexistent/program` not found"),
        "{run:?}"
    );
    let not_logged_in = env.run(&["--profile", "other", "exec", "--", "true"]);
    assert_eq!(not_logged_in.code, 3, "{not_logged_in:?}");
}

#[test]
fn the_config_file_supplies_profile_defaults_below_flags_and_environment() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let path = env.run(&["config", "path"]);
    assert_eq!(
        path.stdout,
        format!("{}\n", env.config_dir().join("config.toml").display())
    );
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        env.config_dir().join("config.toml"),
        format!(
            "[profiles.work]\nclient_id = \"{}\"\nport = {port}\nrequire_scopes = [\"note:read\"]\n",
            crate::fake_attio::CLIENT_ID
        ),
    )
    .unwrap();
    // No client ID in the environment: it comes from the file, and so do the port and
    // the required scope (which the fake does not grant).
    let mut cmd = env.cmd(&["login", "--profile", "work", "--timeout", "20"]);
    cmd.env_remove("ATTIO_CLIENT_ID");
    let run: crate::support::Run = cmd.output().unwrap().into();
    assert_eq!(run.code, 5, "{run:?}");
    assert!(
        run.stderr.contains("required scope not granted: note:read"),
        "{run:?}"
    );
    let authorize = &env.fake.seen("/authorize")[0].query;
    assert_eq!(authorize["client_id"], crate::fake_attio::CLIENT_ID);
    assert_eq!(
        authorize["redirect_uri"],
        format!("http://localhost:{port}/callback")
    );

    // Flags win over the file.
    let run = env.run(&[
        "login",
        "--profile",
        "work",
        "--port",
        "0",
        "--require-scope",
        "list_entry:read",
        "--timeout",
        "20",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn a_malformed_config_file_names_the_path_and_line() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    std::fs::create_dir_all(env.config_dir()).unwrap();
    let file = env.config_dir().join("config.toml");
    std::fs::write(&file, "[profiles.work]\nport = \"high\"\n").unwrap();
    // `login` reads its defaults from the file; other commands do not need it.
    let run = env.login(&[]);
    assert_eq!(run.code, 2, "{run:?}");
    let first = run.stderr.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("attio-auth: error: {}:2:8: ", file.display())),
        "{run:?}"
    );
    let run = env.run_with(
        &["token"],
        &[("ATTIO_AUTH_CONFIG", "/nonexistent/config.toml")],
    );
    assert_eq!(run.code, 3, "an absent file is an empty config: {run:?}");
}

#[test]
fn environment_variables_win_over_the_config_file() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(
        env.config_dir().join("config.toml"),
        "[profiles.default]\nclient_id = \"client-from-file\"\napi_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    // ATTIO_CLIENT_ID and ATTIO_API_URL are set by the hermetic command: they win.
    env.logged_in(&[]);
    assert_eq!(
        env.fake.seen("/authorize")[0].query["client_id"],
        crate::fake_attio::CLIENT_ID
    );
    assert_eq!(
        env.fake.seen("/v2/self").len(),
        1,
        "the API URL from the environment was used"
    );
    // Without the variable, the file names another API host than the one the profile
    // logged in with: refused, rather than handed the stored token.
    let mut cmd = env.cmd(&["whoami"]);
    cmd.env_remove("ATTIO_API_URL");
    let run: crate::support::Run = cmd.output().unwrap().into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("http://127.0.0.1:9"), "{run:?}");
    assert_eq!(env.fake.seen("/v2/self").len(), 1);
}

#[test]
fn login_with_token_reads_no_more_than_a_token_could_be() {
    let env = with_api_key();
    let mut child = env
        .cmd(&["login", "--with-token"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // 64 MiB: a process that reads it all lets this write finish; one that stops early
    // and exits breaks the pipe.
    let mut stdin = child.stdin.take().unwrap();
    let written = std::io::Write::write_all(&mut stdin, &vec![b'a'; 64 << 20]);
    drop(stdin);
    let run: crate::support::Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("which is not a token: nothing was stored"),
        "{run:?}"
    );
    assert_eq!(
        written.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::BrokenPipe),
        "stdin was not read to its end"
    );
    assert!(!env.meta_file("default").exists());
}

#[test]
fn exec_s_command_may_raise_its_core_limit_again() {
    let env = with_api_key();
    env.run_stdin(&["login", "--with-token"], API_KEY);
    let limits = "ulimit -H -c; ulimit -c unlimited 2>/dev/null && ulimit -c";
    let direct = env.wrapper("sh").args(["-c", limits]).output().unwrap();
    let direct = String::from_utf8(direct.stdout).unwrap();
    assert!(
        direct.starts_with("unlimited\n"),
        "the test needs an unlimited hard core limit to show anything: {direct}"
    );
    // attio-auth writes no core file itself (soft limit 0) but leaves the hard limit, so
    // the command can raise its soft limit again.
    let run = env.run(&["exec", "--", "sh", "-c", limits]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "unlimited\nunlimited\n"),
        "{run:?}"
    );
}

#[test]
fn token_says_on_a_terminal_that_it_came_from_a_variable() {
    let env = with_api_key();
    let key = ("ATTIO_API_KEY", API_KEY);
    // In a pipeline: the key and nothing else.
    let piped = env.run_with(&["token"], &[key]);
    assert_eq!(
        (piped.code, piped.stdout.as_str(), piped.stderr.as_str()),
        (0, format!("{API_KEY}\n").as_str(), "")
    );
    // At a terminal: one line on stderr says where it came from.
    let output = env.on_terminal("token", &[key]).output().unwrap();
    let shown = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    assert!(
        shown.contains("the token comes from ATTIO_API_KEY, not from a stored profile"),
        "{shown}"
    );
    // --json names the variable and no profile.
    let json = env.run_with(&["token", "--json"], &[key]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["profile"], serde_json::Value::Null, "{value}");
    assert_eq!(value["variable"], "ATTIO_API_KEY", "{value}");
    assert_eq!(value["source"], "env:ATTIO_API_KEY", "{value}");
}

#[test]
fn a_token_attio_auth_put_in_the_environment_never_goes_stale() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let first = env.fake.last_access_token();
    // `eval "$(attio-auth token --format env)"`, then the token is refreshed meanwhile.
    let export = env.run(&["token", "--format", "env"]);
    assert_eq!(export.code, 0, "{export:?}");
    assert_eq!(env.run(&["refresh"]).code, 0);
    let fresh = env.fake.last_access_token();
    assert_ne!(first, fresh);
    let exported = [
        ("ATTIO_ACCESS_TOKEN", first.as_str()),
        ("ATTIO_API_KEY", first.as_str()),
        ("ATTIO_AUTH_TOKEN_PROFILE", "default"),
    ];
    // A later `attio-auth token` hands out the profile's current token, not the copy.
    let later = env.run_with(&["token"], &exported);
    assert_eq!(
        (later.code, later.stdout.clone()),
        (0, format!("{fresh}\n")),
        "{later:?}"
    );
    // So does one that a command run by `exec` starts (the per-request hooks of SDKs).
    let child = env.run(&[
        "exec",
        "--",
        "sh",
        "-c",
        &format!("{} token --min-ttl 7200", env!("CARGO_BIN_EXE_attio-auth")),
    ]);
    assert_eq!(child.code, 0, "{child:?}");
    let newest = env.fake.last_access_token();
    assert_eq!(
        child.stdout,
        format!("{newest}\n"),
        "refreshed, not exec's copy"
    );
    assert_ne!(newest, fresh);
}

#[test]
fn a_hand_set_token_wins_but_never_under_another_profiles_name() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&["--profile", "work"]);
    let work = env.fake.last_access_token();
    let by_hand = [("ATTIO_API_KEY", "sk_live_by_hand_0123456789")];
    // As gh does with GH_TOKEN: a token set by hand is what `token` prints.
    let run = env.run_with(&["token"], &by_hand);
    assert_eq!(run.stdout, "sk_live_by_hand_0123456789\n", "{run:?}");
    // But `--profile work` asks for work's token: an error naming the variable.
    let named = env.run_with(&["--profile", "work", "token"], &by_hand);
    assert_eq!((named.code, named.stdout.as_str()), (2, ""), "{named:?}");
    assert!(
        named.stderr.contains(
            "--profile work asks for that profile's token, but ATTIO_API_KEY holds a token set by hand"
        ),
        "{named:?}"
    );
    // Commands that never hand out the variable's token take --profile as usual.
    let status = env.run_with(&["--profile", "work", "status"], &by_hand);
    assert_eq!(status.code, 0, "{status:?}");
    // A token attio-auth handed out for `default` does not stop `--profile work`.
    let ours = [
        ("ATTIO_ACCESS_TOKEN", "at_someone_elses"),
        ("ATTIO_AUTH_TOKEN_PROFILE", "default"),
    ];
    let switched = env.run_with(&["--profile", "work", "token"], &ours);
    assert_eq!((switched.code, switched.stdout), (0, format!("{work}\n")));
}

#[test]
fn token_without_a_newline_and_as_a_bearer_value() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    let bare = env.run(&["token", "-n"]);
    assert_eq!((bare.code, bare.stdout), (0, token.clone()));
    let bearer = env.run(&["token", "--format", "bearer", "--no-newline"]);
    assert_eq!(bearer.stdout, format!("Bearer {token}"));
}

#[test]
fn a_token_that_lives_less_than_a_minute_is_refreshed_once_per_half_life() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 20 });
    env.logged_in(&[]);
    // 20-second tokens and the default --min-ttl (60 s): refreshed at most once per
    // half lifetime, not on every call.
    let runs: Vec<_> = (0..5).map(|_| env.run(&["token"])).collect();
    for run in &runs {
        assert_eq!(run.code, 0, "{run:?}");
    }
    assert_eq!(env.fake.token_requests("refresh_token").len(), 0);
    // An explicit --min-ttl is honoured as given.
    assert_eq!(env.run(&["token", "--min-ttl", "30"]).code, 0);
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn a_browser_login_that_cannot_complete_fails_at_once_with_the_with_token_recipe() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // No DISPLAY, no BROWSER (an empty one is unset), not SSH, and stdin is not a
    // terminal (an MCP host, CI); under timeout(1), so a wait fails rather than hangs.
    let run = env.run_bounded(&["login", "--port", "0"], &[("BROWSER", "")]);
    assert_eq!(run.code, 4, "at once, not after the timeout: {run:?}");
    assert!(
        run.stderr
            .contains("a browser login cannot complete; nothing was started")
            && run.stderr.contains("| attio-auth login --with-token`"),
        "{run:?}"
    );
    assert!(env.fake.seen("/authorize").is_empty());
    // With a terminal to paste into, or --no-browser, it waits as before.
    let chosen = env.run_with(
        &["login", "--port", "0", "--no-browser", "--timeout", "1"],
        &[("BROWSER", "")],
    );
    assert_eq!(chosen.code, 4, "{chosen:?}");
    assert!(
        chosen.stderr.contains("no redirect arrived within 1 s"),
        "{chosen:?}"
    );
}

#[test]
fn exec_with_an_api_key_and_no_login_says_how_to_use_the_key() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(
        &["exec", "--", "true"],
        &[("ATTIO_API_KEY", "sk_live_by_hand_0123456789")],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains("exec hands out a stored profile's token, never ATTIO_API_KEY")
            && run.stderr.contains("attio-auth login --with-token`"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("sk_live_by_hand"), "{run:?}");
}
