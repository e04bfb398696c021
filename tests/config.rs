//! config.toml: profile defaults for `login`, below flags and variables, and its
//! errors.

use crate::fake_attio::{Consent, Tokens};
use crate::support::{TestEnv, hint_of};

#[test]
fn the_config_file_supplies_profile_defaults_below_flags_and_environment() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let path = env.run(&["config", "path"]);
    assert_eq!(
        path.stdout,
        format!("{}\n", env.shown(&env.config_dir().join("config.toml")))
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
        first.starts_with(&format!("attio-auth: error: {}:2:8: ", env.shown(&file))),
        "{run:?}"
    );
    let run = env.run_with(
        &["token"],
        &[("ATTIO_AUTH_CONFIG", "/nonexistent/config.toml")],
    );
    assert_eq!(run.code, 3, "an absent file is an empty config: {run:?}");
}

#[test]
fn a_value_of_the_wrong_type_names_its_key_and_a_secret_is_turned_away() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let config = env.config_dir().join("config.toml");
    std::fs::create_dir_all(env.config_dir()).unwrap();
    std::fs::write(&config, "[profiles.den]\nport = \"3461\"\n").unwrap();
    let run = env.run(&["login", "--profile", "den"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "attio-auth: error: {}:2:8: `port`: invalid type: string \"3461\"",
            env.shown(&config)
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
}
