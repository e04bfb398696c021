//! `switch`: the default profile, kept in attio-auth's own state.

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

#[test]
fn switch_makes_a_logged_in_profile_the_default_until_it_is_logged_out() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&["--profile", "work"]);
    let work = env.fake.last_access_token();
    env.logged_in(&[]);
    let default = env.fake.last_access_token();
    let token = |vars: &[(&str, &str)], args: &[&str]| {
        let mut all = vec!["token"];
        all.extend_from_slice(args);
        let run = env.run_with(&all, vars);
        assert_eq!(run.code, 0, "{run:?}");
        run.stdout.trim().to_string()
    };
    assert_eq!(token(&[], &[]), default);

    let switched = env.run(&["switch", "work"]);
    assert_eq!(
        (
            switched.code,
            switched.stdout.as_str(),
            switched.stderr.as_str()
        ),
        (
            0,
            "",
            "The default profile is now `work`: commands without --profile use it.\n"
        )
    );
    assert_eq!(token(&[], &[]), work);
    // --profile and ATTIO_PROFILE still win.
    assert_eq!(token(&[], &["--profile", "default"]), default);
    assert_eq!(token(&[("ATTIO_PROFILE", "default")], &[]), default);
    // The tool's own state, not config.toml.
    assert!(!env.config_dir().join("config.toml").exists());

    let status = env.run(&["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    let blocks: Vec<(&str, bool)> = status
        .stdout
        .split("\n\n")
        .map(|block| {
            let marked = block.contains("\n  Default:    yes (commands without --profile use it)");
            (block.lines().next().unwrap(), marked)
        })
        .collect();
    assert_eq!(blocks, [("default", false), ("work", true)], "{status:?}");
    let json = env.run(&["status", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let marks: Vec<(&str, bool)> = value["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["profile"].as_str().unwrap(),
                p["default"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(marks, [("default", false), ("work", true)]);

    // Not logged in: did-you-mean, exit 3, and the default stays.
    let typo = env.run(&["switch", "wrok"]);
    assert_eq!(typo.code, 3, "{typo:?}");
    assert_eq!(
        typo.stderr,
        "attio-auth: error: profile `wrok` is not logged in; did you mean `work`? (stored profiles: default, work)\n\
         attio-auth: hint: run `attio-auth switch work`, or `attio-auth login --profile wrok` first to log `wrok` in\n"
    );
    assert_eq!(token(&[], &[]), work);
    let flag = env.run(&["switch", "--profile", "work", "default"]);
    assert_eq!(flag.code, 2, "{flag:?}");
    let bad = env.run(&["switch", "../work"]);
    assert_eq!(bad.code, 2, "{bad:?}");

    // A suggested login for `default` now has to name it.
    let out = env.run(&["logout", "--profile", "default"]);
    assert_eq!(out.code, 0, "{out:?}");
    let gone = env.run(&["token", "--profile", "default"]);
    assert_eq!(gone.code, 3, "{gone:?}");
    assert!(
        gone.stderr
            .ends_with("hint: run `attio-auth login --profile default`\n"),
        "{gone:?}"
    );

    // Logging the default out (no --profile) names the profile it chose, and forgets
    // the choice: commands use `default` again.
    let out = env.run(&["logout"]);
    assert_eq!(
        (out.code, out.stderr.clone()),
        (
            0,
            format!(
                "Logged out of profile `work`: removed its credentials from the file {} and its metadata ({}).\n\
                 `work` was the default profile; commands without --profile use `default` again.\n\
                 Attio has no token revocation endpoint: to revoke access server-side, uninstall the app from the workspace (Workspace settings > Apps).\n",
                env.shown(&env.credentials_file("work")),
                env.shown(&env.meta_file("work"))
            )
        )
    );
    assert!(!env.config_dir().join("default-profile").exists());
    let none = env.run(&["token"]);
    none.expect(
        3,
        "",
        "attio-auth: error: profile `default` is not logged in\n\
         attio-auth: hint: run `attio-auth login`\n",
    );
}

#[test]
fn an_unreadable_default_profile_is_a_clear_error_that_switch_repairs() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let file = env.config_dir().join("default-profile");
    std::fs::write(&file, "../../etc/passwd\n").unwrap();
    let run = env.run(&["token"]);
    run.expect(
        1,
        "",
        &format!(
            "attio-auth: error: {0} does not hold a profile name, so the default profile is unknown\n\
             attio-auth: hint: run `attio-auth switch NAME` to set it again, or remove {0} (or pass --profile)\n",
            env.shown(&file)
        ),
    );
    // --profile does not need it, and reads it for nothing (not even a hint); `switch`
    // replaces it.
    let named = env.run(&["token", "--profile", "default"]);
    assert_eq!(
        (named.code, named.stdout.as_str(), named.stderr.as_str()),
        (
            0,
            format!("{}\n", env.fake.last_access_token()).as_str(),
            ""
        ),
        "{named:?}"
    );
    let switched = env.run(&["switch", "default"]);
    assert_eq!(switched.code, 0, "{switched:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "default\n");
    assert_eq!(env.run(&["token"]).code, 0);
}
