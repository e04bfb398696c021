//! `token`: its output formats, and the tokens it takes from the environment (set by
//! hand, or put there by attio-auth itself).

use std::process::Stdio;

use crate::fake_attio::{Consent, Tokens};
use crate::support::{API_KEY, TestEnv, hint_of, with_api_key};

#[test]
fn token_formats_print_exactly_one_line_each() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    for (args, expected) in [
        (&["--format", "raw"][..], token.clone()),
        (
            &["--format", "header"][..],
            format!("Authorization: Bearer {token}"),
        ),
        (&["--header"][..], format!("Authorization: Bearer {token}")),
        (
            &["--format", "curl-config"][..],
            format!("header = \"Authorization: Bearer {token}\""),
        ),
        (
            &["--format", "env"][..],
            format!(
                "export ATTIO_ACCESS_TOKEN='{token}' ATTIO_API_KEY='{token}' ATTIO_AUTH_TOKEN_PROFILE='default'"
            ),
        ),
        (&["--format", "bearer"][..], format!("Bearer {token}")),
    ] {
        let mut all = vec!["token"];
        all.extend_from_slice(args);
        let run = env.run(&all);
        assert_eq!(
            (run.code, run.stdout.clone()),
            (0, format!("{expected}\n")),
            "{args:?}: {run:?}"
        );
    }
    let json = env.run(&["token", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["access_token"], token.as_str());
    let both = env.run(&["token", "--format", "raw", "--json"]);
    assert_eq!(both.code, 2, "{both:?}");
}

#[test]
fn curl_reads_the_token_from_its_config_on_stdin_and_a_shell_from_eval() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let token = env.fake.last_access_token();
    let url = format!("{}/v2/self", env.fake.url);
    let script = format!(
        "set -e; \"$BIN\" token --format curl-config | curl -s -f -K - {url} > /dev/null; \
         eval \"$(\"$BIN\" token --format env)\"; printf '%s' \"$ATTIO_ACCESS_TOKEN\""
    );
    let output = env
        .wrapper("bash")
        .args(["-c", &script])
        .env("BIN", env.program())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8(output.stdout).unwrap(), token);
    let seen = env.fake.seen("/v2/self");
    assert_eq!(
        seen.last().unwrap().authorization.as_deref(),
        Some(format!("Bearer {token}").as_str()),
        "curl sent the header from its config"
    );
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
fn environment_tokens_override_stored_credentials_in_attios_precedence() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let stored = env.fake.last_access_token();
    let both = [
        ("ATTIO_API_KEY", "sk_from_env"),
        ("ATTIO_ACCESS_TOKEN", "at_from_env"),
    ];
    // Both set, to different tokens: ATTIO_API_KEY wins, and that is said once.
    let run = env.run_with(&["token"], &both);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            "sk_from_env\n",
            "attio-auth: warning: ATTIO_API_KEY and ATTIO_ACCESS_TOKEN hold different tokens; ATTIO_API_KEY's is used, as Attio's own tools do: unset the one you do not mean\n"
        )
    );
    let same = [
        ("ATTIO_API_KEY", "sk_from_env"),
        ("ATTIO_ACCESS_TOKEN", "sk_from_env"),
    ];
    let run = env.run_with(&["token"], &same);
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("sk_from_env\n", "")
    );
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
        &env.program_for_exec(),
        "token",
        "--min-ttl",
        "7200",
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
    named.expect(
        2,
        "",
        "attio-auth: error: --profile work asks for that profile's token, but ATTIO_API_KEY holds a token set by hand, which would be used instead\n\
         attio-auth: hint: unset ATTIO_API_KEY to use profile `work`, or drop --profile to use the variable's token\n",
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
fn a_token_that_lives_less_than_a_minute_is_refreshed_once_per_half_life() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 50 });
    env.logged_in(&[]);
    // 50-second tokens and the default --min-ttl (60 s): refreshed at most once per
    // half lifetime (25 s), not on every call.
    let runs: Vec<_> = (0..5).map(|_| env.run(&["token"])).collect();
    for run in &runs {
        assert_eq!(run.code, 0, "{run:?}");
    }
    assert_eq!(env.fake.token_requests("refresh_token").len(), 0);
    // An explicit --min-ttl is honoured as given: 50 s is more than is left.
    assert_eq!(env.run(&["token", "--min-ttl", "50"]).code, 0);
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
}
