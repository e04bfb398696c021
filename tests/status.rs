//! `status`: the stored profiles, on stdout, and with `--check` what Attio says of
//! each.

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

#[test]
fn status_reports_on_stdout_and_exits_3_when_nothing_is_stored() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let empty = env.run(&["status"]);
    empty.expect(
        3,
        "",
        "attio-auth: error: no profile is logged in\n\
         attio-auth: hint: run `attio-auth login`\n",
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
        env.shown(&env.credentials_file("work"))
    );
    let unknown = env.run(&["status", "--profile", "wrok"]);
    unknown.expect(
        3,
        "",
        "attio-auth: error: profile `wrok` is not logged in; did you mean `work`? (stored profiles: default, work)\n\
         attio-auth: hint: pass `--profile work`, or run `attio-auth login --profile wrok` to log `wrok` in\n",
    );
}

#[test]
fn status_check_asks_attio_about_every_profile() {
    use crate::support::{store_document, stored_document};
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&["--profile", "a"]);
    env.logged_in(&["--profile", "b"]);
    let before = env.fake.seen("/v2/self").len();
    let live = env.run(&["status", "--check"]);
    assert_eq!(live.code, 0, "{live:?}");
    assert_eq!(
        live.stdout.matches("Checked:    live").count(),
        2,
        "{live:?}"
    );
    assert_eq!(
        env.fake.seen("/v2/self").len(),
        before + 2,
        "one request each"
    );

    // b's token is no longer one Attio knows.
    let mut document = stored_document(&env, "b");
    document["access_token"] = serde_json::json!("at_unknown_to_attio");
    store_document(&env, "b", &document);
    let run = env.run(&["status", "--check"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains("Attio no longer accepts the login of: b\n"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("hint: run `attio-auth login --profile b --port 0"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("b\n") && run.stdout.contains("Checked:    needs a new login"),
        "{run:?}"
    );
    let json = env.run(&["status", "--check", "--json"]);
    assert_eq!(json.code, 3, "{json:?}");
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["profiles"][0]["active"], true);
    assert_eq!(value["profiles"][1]["active"], false);

    // Attio unreachable for a: exit 1, and `active` is unknown.
    let meta_path = env.meta_file("a");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta["api_url"] = serde_json::json!("http://127.0.0.1:1/");
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let json: crate::support::Run = env
        .cmd(&["status", "--check", "--json", "--profile", "a"])
        .env_remove("ATTIO_API_URL")
        .output()
        .unwrap()
        .into();
    assert_eq!(json.code, 1, "{json:?}");
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        value["profiles"][0]["active"],
        serde_json::Value::Null,
        "{json:?}"
    );
    assert!(
        value["profiles"][0]["check_error"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{json:?}"
    );
}

#[test]
fn a_profile_whose_refresh_never_finished_is_not_said_to_refresh_itself() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    env.refresh_left_unfinished();

    let run = env.run(&["status"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
    let expires = run
        .stdout
        .lines()
        .find(|line| line.starts_with("  Expires:"))
        .unwrap();
    assert!(
        expires
            .ends_with(" (not refreshed: an earlier refresh did not finish; log in again by then)"),
        "{run:?}"
    );
    let json = env.run(&["status", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["profiles"][0]["refresh_unfinished"], true, "{json:?}");
}

#[test]
fn a_token_that_cannot_be_refreshed_says_when_to_log_in_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::ExpiringNoRefresh { ttl: 7200 });
    env.logged_in(&[]);
    let run = env.run(&["status"]);
    let expires: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("Expires:"))
        .collect();
    // The time itself moves (and a slow start, as under Wine, takes seconds off it);
    // what follows it is fixed.
    assert_eq!(expires.len(), 1, "{run:?}");
    let (when, rest) = expires[0]
        .trim_start_matches("  Expires:    ")
        .split_once("Z (in ")
        .unwrap_or_else(|| panic!("{run:?}"));
    assert_eq!(when.len(), "2026-12-07T08:06:12".len(), "{run:?}");
    assert!(
        rest.starts_with("1h 59m") || rest.starts_with("2h)"),
        "{run:?}"
    );
    assert!(
        rest.ends_with(
            ") (cannot be refreshed: there is no refresh token; log in again before then)"
        ),
        "{run:?}"
    );
}
