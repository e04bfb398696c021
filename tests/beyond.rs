//! Beyond gh auth and oauth2l (issue 11): output formats that keep the token off argv.

use std::process::Stdio;

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

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
        .env("BIN", env!("CARGO_BIN_EXE_attio-auth"))
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
fn over_ssh_without_a_display_login_explains_the_port_forward_instead_of_a_browser() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run: crate::support::Run = env
        .cmd(&["login", "--port", "0", "--timeout", "1"])
        .env_remove("BROWSER")
        .env("SSH_CONNECTION", "10.0.0.2 52000 10.0.0.1 22")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 4, "{run:?}");
    let port = run
        .stderr
        .split("return to http://localhost:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the redirect URI is shown");
    assert!(
        run.stderr
            .contains(&format!("    ssh -L {port}:localhost:{port} ")),
        "the real port: {run:?}"
    );
    assert!(run.stderr.contains("paste the URL"), "{run:?}");
    assert!(
        run.stderr.lines().filter(|l| l.starts_with("Or ")).count() <= 1,
        "one line offers the alternative: {run:?}"
    );
    assert!(
        !run.stderr.contains("could not open a browser"),
        "no browser was tried: {run:?}"
    );
    assert!(
        env.fake.seen("/authorize").is_empty(),
        "nothing opened the URL"
    );

    // With BROWSER set, the user said how to show a page: it is used.
    let with_browser = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("SSH_CONNECTION", "10.0.0.2 52000 10.0.0.1 22")],
    );
    assert_eq!(with_browser.code, 0, "{with_browser:?}");
    assert!(!with_browser.stderr.contains("ssh -L"), "{with_browser:?}");
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

#[test]
fn a_busy_port_names_its_holder() {
    use std::io::{BufRead, BufReader};
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);

    // A program of ours (this test process) listening on the port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let run = env.run(&["login", "--port", &port, "--timeout", "5"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "port {port} is already in use on the loopback interface by pid {} (",
            std::process::id()
        )),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains(&format!("(`kill {}`)", std::process::id())),
        "{run:?}"
    );
    drop(listener);

    // Another login, still waiting.
    let port = crate::support::free_port().to_string();
    let mut first = env
        .cmd(&["login", "--port", &port, "--no-browser", "--timeout", "30"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(first.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("Open this URL") {
        line.clear();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "the first login ended"
        );
    }
    let second = env.run(&["login", "--port", &port, "--timeout", "5"]);
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(second.code, 1, "{second:?}");
    assert!(
        second.stderr.contains(&format!(
            "port {port} is already in use by another `attio-auth login` (pid {}, attio-auth)",
            first.id()
        )),
        "{second:?}"
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

    // Logging the default out forgets it: commands use `default` again.
    let out = env.run(&["logout"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains(
            "`work` was the default profile; commands without --profile use `default` again."
        ),
        "{out:?}"
    );
    assert!(!env.config_dir().join("default-profile").exists());
    let none = env.run(&["token"]);
    assert_eq!(none.code, 3, "{none:?}");
    assert!(
        none.stderr.contains("profile `default` is not logged in"),
        "{none:?}"
    );
}

#[test]
fn an_unreadable_default_profile_is_a_clear_error_that_switch_repairs() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let file = env.config_dir().join("default-profile");
    std::fs::write(&file, "../../etc/passwd\n").unwrap();
    let run = env.run(&["token"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.lines().count()),
        (1, "", 2),
        "{run:?}"
    );
    assert!(
        run.stderr.starts_with(&format!(
            "attio-auth: error: {} does not hold a profile name",
            file.display()
        )),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("hint: run `attio-auth switch NAME`"),
        "{run:?}"
    );
    // --profile does not need it; `switch` replaces it.
    assert_eq!(env.run(&["token", "--profile", "default"]).code, 0);
    let switched = env.run(&["switch", "default"]);
    assert_eq!(switched.code, 0, "{switched:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "default\n");
    assert_eq!(env.run(&["token"]).code, 0);
}
