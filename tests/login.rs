//! `attio-auth login`: the browser flow against a strict fake server.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::fake_attio::{CLIENT_ID, CLIENT_SECRET, Consent, Tokens, raw_get};
use crate::support::{TestEnv, files_under, free_port, hint_of};

#[test]
fn login_exchanges_the_code_with_pkce_and_secret_in_the_body_then_stores_it() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.logged_in(&[]);
    assert_eq!(run.stdout, "", "login prints nothing on stdout");
    assert!(
        run.stderr.contains("Logged in to Acme (acme) as member 5e1d2c3b-member; scopes: record_permission:read-write, list_entry:read"),
        "{run:?}"
    );

    let authorize = env.fake.seen("/authorize");
    assert_eq!(authorize.len(), 1);
    let q = &authorize[0].query;
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(!q.contains_key("scope"), "no scope unless asked for");
    let exchanges = env.fake.token_requests("authorization_code");
    assert_eq!(exchanges.len(), 1);
    let form = &exchanges[0].form;
    assert_eq!(form["client_secret"], CLIENT_SECRET);
    assert_eq!(form["redirect_uri"], q["redirect_uri"]);
    assert!(form["code_verifier"].len() >= 43);
    assert_eq!(
        exchanges[0].authorization, None,
        "client authentication goes in the body, not Basic"
    );

    let token = env.run(&["token"]);
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, format!("{}\n", env.fake.last_access_token()).as_str())
    );
}

#[test]
fn requested_scopes_are_sent_and_unknown_spellings_warned_about() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.logged_in(&[
        "--scope",
        "record_permission:read",
        "--scope",
        "record_permission:read_write",
    ]);
    assert!(
        run.stderr
            .contains("`record_permission:read_write` is not a known Attio scope"),
        "{run:?}"
    );
    let q = &env.fake.seen("/authorize")[0].query;
    assert_eq!(
        q["scope"],
        "record_permission:read record_permission:read_write"
    );
}

#[test]
fn denied_consent_exits_4_and_stores_nothing() {
    let env = TestEnv::new(Consent::Deny, Tokens::LongLived);
    let run = env.login(&[]);
    run.expect_after_prompt(
        4,
        "",
        &format!(
            "attio-auth: error: Attio did not authorize the app: access_denied (The user declined)\n\
             attio-auth: hint: run `attio-auth login --port 0 --app-url {url} --api-url {url}` again and approve the request\n",
            url = env.fake.url
        ),
    );
    assert!(env.fake.seen("/oauth/token").is_empty());
    assert!(
        files_under(env.home.path())
            .iter()
            .all(|p| !p.ends_with("default.json")),
        "nothing stored"
    );
}

#[test]
fn a_callback_with_the_wrong_state_is_never_exchanged() {
    let env = TestEnv::new(Consent::WrongState, Tokens::LongLived);
    let run = env.run(&["login", "--port", "0", "--timeout", "3"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("`state` does not match"), "{run:?}");
    assert!(
        run.stderr.contains("no redirect arrived within 3 s"),
        "{run:?}"
    );
    assert!(
        env.fake.seen("/oauth/token").is_empty(),
        "the code must not be exchanged"
    );
}

#[test]
fn a_favicon_request_first_gets_404_and_the_login_still_completes() {
    let env = TestEnv::new(Consent::FaviconFirst, Tokens::LongLived);
    env.logged_in(&[]);
    let favicon = env.fake.favicon().expect("the fake asked for a favicon");
    assert_eq!(favicon.status, 404);
    assert_eq!(favicon.header("Cache-Control"), Some("no-store"));
    assert!(
        favicon.body.contains("<h1>Not found</h1>"),
        "{}",
        favicon.body
    );
    assert_eq!(env.fake.token_requests("authorization_code").len(), 1);
}

#[test]
fn a_browser_sent_to_attio_that_never_comes_back_names_the_redirect_uri_and_the_client_id() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // A browser that fetches the start URL but stays on Attio's page (as it does when
    // Attio shows invalid_redirect_uri or invalid_client).
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "2"],
        &[("BROWSER", "curl --silent --output /dev/null --max-time 30")],
    );
    let port = run
        .stderr
        .split("http://localhost:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    let error = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("attio-auth: error: ") || l.starts_with("attio-auth: hint: "))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        (run.code, error),
        (
            4,
            format!(
                "attio-auth: error: no redirect arrived within 2 s: the browser was sent to Attio but never came back; if Attio showed invalid_redirect_uri, the app does not have http://localhost:{port}/callback as a redirect URI; if it showed invalid_client, Attio does not know the client ID {client}\n\
                 attio-auth: hint: register http://localhost:{port}/callback as a redirect URI of the app (build.attio.com), or pass the --port of one it has, and check the client ID against the app's; then run `attio-auth login --port 0 --app-url {url} --api-url {url}` again (or approve in the browser sooner, or pass a longer --timeout)",
                client = crate::fake_attio::CLIENT_ID,
                url = env.fake.url
            )
        )
    );
}

#[test]
fn the_login_line_names_the_member_when_the_scopes_allow_asking() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake
        .set_scope("record_permission:read-write user_management:read");
    let run = env.logged_in(&[]);
    // The member's name and email, the server's control characters escaped.
    assert_eq!(
        run.stderr.lines().find(|l| l.starts_with("Logged in to ")),
        Some(
            "Logged in to Acme (acme) as member Ada Lovelace\\u{1b}[2J <ada@acme.test> (5e1d2c3b-member); scopes: record_permission:read-write, user_management:read"
        ),
        "{run:?}"
    );
    let asked = env.fake.seen("/v2/workspace_members/5e1d2c3b-member");
    assert_eq!(
        asked
            .iter()
            .map(|s| s.authorization.clone())
            .collect::<Vec<_>>(),
        [Some(format!("Bearer {}", env.fake.last_access_token()))]
    );
    // Without the scope nothing is asked, and the member is shown by ID.
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.logged_in(&[]);
    assert_eq!(
        run.stderr.lines().find(|l| l.starts_with("Logged in to ")),
        Some(
            "Logged in to Acme (acme) as member 5e1d2c3b-member; scopes: record_permission:read-write, list_entry:read"
        )
    );
    assert!(
        env.fake
            .seen("/v2/workspace_members/5e1d2c3b-member")
            .is_empty()
    );
}

#[test]
fn no_callback_before_the_timeout_exits_4() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run(&["login", "--port", "0", "--no-browser", "--timeout", "1"]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("/authorize?"),
        "the URL is always printed: {run:?}"
    );
    assert!(
        run.stderr.contains("no redirect arrived within 1 s"),
        "{run:?}"
    );
    assert!(
        env.fake.seen("/authorize").is_empty(),
        "--no-browser opens nothing"
    );
}

#[test]
fn a_missing_required_scope_exits_5_and_stores_nothing() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.login(&[
        "--require-scope",
        "note:read",
        "--require-scope",
        "record_permission:read",
    ]);
    run.expect_after_prompt(
        5,
        "",
        "attio-auth: error: nothing was stored: required scope not granted: note:read (granted: record_permission:read-write, list_entry:read)\n\
         attio-auth: hint: add the scope to the app at build.attio.com, have the workspace approve it, then log in again\n",
    );
    assert!(!env.meta_file("default").exists());
    assert!(!env.credentials_file("default").exists());
}

#[test]
fn a_read_write_grant_satisfies_a_required_read_scope() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&["--require-scope", "record_permission:read"]);
}

#[test]
fn login_without_a_client_secret_and_no_terminal_is_a_usage_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run: crate::support::Run = env
        .cmd(&["login", "--port", "0"])
        .env_remove("ATTIO_CLIENT_SECRET")
        .output()
        .unwrap()
        .into();
    run.expect(
        2,
        "",
        "attio-auth: error: no OAuth client secret\n\
         attio-auth: hint: set ATTIO_CLIENT_SECRET (it is never accepted as a command-line argument, where `ps` would show it)\n",
    );
}

#[test]
fn login_without_a_client_id_is_a_usage_error() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run: crate::support::Run = env
        .cmd(&["login"])
        .env_remove("ATTIO_CLIENT_ID")
        .output()
        .unwrap()
        .into();
    run.expect(
        2,
        "",
        "attio-auth: error: no OAuth client ID\n\
         attio-auth: hint: pass --client-id, set ATTIO_CLIENT_ID or client_id in config.toml (the app's client ID from build.attio.com)\n",
    );
}

#[test]
fn without_a_reachable_keyring_login_falls_back_to_the_file_store_with_a_warning() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // The hermetic command points D-Bus at a socket that does not exist.
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("ATTIO_AUTH_STORE", "")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("warning: no OS keyring is running"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("zbus"), "no D-Bus speak: {run:?}");
    assert!(
        run.stderr
            .contains(&env.credentials_file("default").display().to_string()),
        "{run:?}"
    );
    let status = env.run(&["status", "--json"]);
    let profiles: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(profiles["profiles"][0]["store"], "file");
    let token = env.run_with(&["token"], &[("ATTIO_AUTH_STORE", "keyring")]);
    assert_eq!(token.stdout, format!("{}\n", env.fake.last_access_token()));
}

#[test]
fn verbose_output_never_shows_a_secret() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 30 });
    let login = env.login(&["--verbose"]);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        login.stderr.contains("POST http://127.0.0.1"),
        "verbose shows requests: {login:?}"
    );
    let exchange = env.fake.token_requests("authorization_code")[0]
        .form
        .clone();
    let first_token = env.fake.issued()[0].clone();
    // Tokens living 30 s, each nearly spent (the default --min-ttl is at most half a
    // token's lifetime, so a document without its age is refreshed within 60 s).
    let mut document = crate::support::stored_document(&env, "default");
    document.as_object_mut().unwrap().remove("obtained_at");
    crate::support::store_document(&env, "default", &document);
    let whoami = env.run(&["whoami", "--verbose"]);
    let token = env.run(&["token", "--verbose", "--min-ttl", "60"]);
    let refresh = env.run(&["refresh", "--verbose"]);
    let refreshed = env.fake.token_requests("refresh_token");
    assert_eq!(
        refreshed.len(),
        3,
        "tokens living 30 s are refreshed by whoami, token and refresh"
    );
    let mut secrets = vec![
        CLIENT_SECRET.to_string(),
        exchange["code"].clone(),
        exchange["code_verifier"].clone(),
        first_token,
    ];
    secrets.extend(refreshed.iter().map(|r| r.form["refresh_token"].clone()));
    secrets.extend(env.fake.issued());
    for run in [&login, &whoami, &token, &refresh] {
        for secret in &secrets {
            assert!(
                !run.stderr.contains(secret.as_str()),
                "a secret leaked to stderr: {run:?}"
            );
        }
    }
    assert!(
        whoami.stdout.starts_with("Profile:    default\n"),
        "{whoami:?}"
    );
    for secret in &secrets {
        assert!(!whoami.stdout.contains(secret.as_str()), "{whoami:?}");
    }
    assert_eq!(refresh.stdout, "");
    assert_eq!(token.stdout.lines().count(), 1);
}

#[test]
fn the_browser_gets_a_success_page_that_is_not_cached_and_holds_no_secret() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let dir = env.home.path().join("browser");
    std::fs::create_dir(&dir).unwrap();
    // The browser runs detached: it reports through a FIFO once the page is saved.
    let done = dir.join("done");
    assert!(
        Command::new("mkfifo")
            .arg(&done)
            .status()
            .unwrap()
            .success()
    );
    let browser = format!(
        "sh -c 'curl --silent --location --max-time 30 --dump-header {} --output {} \"$1\"; echo saved > {}' sh %s",
        dir.join("headers").display(),
        dir.join("page").display(),
        done.display(),
    );
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("BROWSER", &browser)],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(std::fs::read_to_string(&done).unwrap(), "saved\n");
    let page = std::fs::read_to_string(dir.join("page")).unwrap();
    // No server text (the workspace's name included) is ever put in a page.
    assert!(page.contains("attio-auth is logged in."), "{page}");
    let headers = std::fs::read_to_string(dir.join("headers"))
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("cache-control: no-store"), "{headers}");
    let code = &env.fake.token_requests("authorization_code")[0].form["code"];
    for secret in [code.as_str(), CLIENT_SECRET, &env.fake.last_access_token()] {
        assert!(!page.contains(secret), "{page}");
    }
}

#[test]
fn ctrl_c_while_waiting_ends_the_login_with_exit_4() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let mut child = env
        .cmd(&["login", "--port", "0", "--no-browser", "--timeout", "60"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("Waiting up to") {
        assert_ne!(
            stderr.read_line(&mut seen).unwrap(),
            0,
            "login ended early: {seen}"
        );
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    stderr.read_to_string(&mut seen).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(4), "{seen}");
    assert!(
        seen.contains("attio-auth: error: login aborted (Ctrl-C); nothing was stored\n"),
        "{seen}"
    );
    assert!(files_under(env.home.path()).is_empty(), "nothing stored");
}

/// What the person at the terminal types when asked (`None`: the variable is set, so
/// no prompt is expected).
#[derive(Clone, Copy, Default)]
pub struct Typed<'a> {
    pub client_id: Option<&'a str>,
    pub secret: Option<&'a str>,
}

/// Runs `attio-auth login` on a pseudo-terminal `columns` wide (through `script`), as a
/// person would, answers the prompts with `typed`, and pastes the redirect URL. Returns
/// the exit code, the transcript and the pasted URL.
pub fn login_on_a_terminal(env: &TestEnv, typed: Typed, columns: u16) -> (i32, String, String) {
    let mut script = env.on_terminal_of(columns, "login --port 0 --no-browser --timeout 30", &[]);
    if typed.secret.is_some() {
        script.env_remove("ATTIO_CLIENT_SECRET");
    }
    if typed.client_id.is_some() {
        script.env_remove("ATTIO_CLIENT_ID");
    }
    let mut child = script
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run script(1)");
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut transcript = String::new();
    let mut line: Vec<u8> = Vec::new();
    let mut prompts = Vec::new();
    let authorize_url = loop {
        line.clear();
        // A prompt has no newline: read byte-wise up to its end or a line's.
        let mut byte = [0u8];
        loop {
            assert_eq!(
                out.read(&mut byte).unwrap(),
                1,
                "login ended early: {transcript}"
            );
            line.push(byte[0]);
            if byte[0] == b'\n' || line.ends_with(b"): ") {
                break;
            }
        }
        let text = String::from_utf8_lossy(&line).to_string();
        transcript.push_str(&text);
        if text.ends_with("(input hidden): ") {
            writeln!(
                stdin,
                "{}",
                typed.secret.expect("no secret prompt expected")
            )
            .unwrap();
            prompts.push("secret");
        } else if text.ends_with("(from build.attio.com): ") {
            writeln!(
                stdin,
                "{}",
                typed.client_id.expect("no client ID prompt expected")
            )
            .unwrap();
            prompts.push("client ID");
        }
        if let Some(url) = text
            .trim()
            .strip_prefix(&format!("{}/authorize?", env.fake.url))
        {
            break url.to_string();
        }
    };
    let mut expected = Vec::new();
    if typed.client_id.is_some() {
        expected.push("client ID");
    }
    if typed.secret.is_some() {
        expected.push("secret");
    }
    assert_eq!(prompts, expected, "{transcript}");
    // Play the browser on another machine: follow the authorize URL, keep the redirect.
    let answer = raw_get(
        env.fake.port(),
        &format!("/authorize?{authorize_url}"),
        "127.0.0.1",
    );
    let redirect = answer.header("Location").expect("a redirect").to_string();
    // Paste once the prompt shows, as a person would (the terminal echoes at once).
    let prompt = "press Enter: ";
    let mut byte = [0u8];
    line.clear();
    while !transcript.ends_with(prompt) {
        assert_eq!(out.read(&mut byte).unwrap(), 1, "no prompt: {transcript}");
        line.push(byte[0]);
        if let Ok(text) = std::str::from_utf8(&line) {
            transcript.push_str(text);
            line.clear();
        }
    }
    writeln!(stdin, "{redirect}").unwrap();
    out.read_to_string(&mut transcript).unwrap();
    let code = child.wait().unwrap().code().unwrap();
    (code, transcript, redirect)
}

#[test]
fn on_a_terminal_the_redirect_url_can_be_pasted_and_nothing_draws_over_it() {
    for columns in [40, 100] {
        let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
        let (code, transcript, pasted) = login_on_a_terminal(&env, Typed::default(), columns);
        assert_eq!(code, 0, "{transcript}");
        assert!(
            transcript
                .contains("Waiting up to 0:30 for the browser to return to http://localhost:"),
            "{transcript}"
        );
        let prompt = "Or paste the URL the browser ended on and press Enter: ";
        assert_eq!(
            transcript.matches(prompt).count(),
            1,
            "one prompt: {transcript}"
        );
        // From the prompt on, nothing moves the cursor or erases: the paste (longer than
        // a line, so it wraps) stays as typed, echoed by the terminal in one piece.
        let after = &transcript[transcript.find(prompt).unwrap()..];
        for control in ["\x1b[1A", "\x1b7", "\x1b8", "\x1b[2K", "\r\x1b"] {
            assert!(
                !after.contains(control),
                "{control:?} at {columns} columns: {after:?}"
            );
        }
        assert!(pasted.len() > 40, "the paste wraps at 40 columns");
        assert!(after.contains(&pasted), "the paste is intact: {after:?}");
        assert!(transcript.contains("Logged in to Acme"), "{transcript}");
        assert_eq!(
            env.run(&["token"]).stdout,
            format!("{}\n", env.fake.last_access_token())
        );
    }
}

#[test]
fn the_browser_opening_the_start_url_does_not_print_the_prompt_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // A terminal whose input stays open (so the prompt is shown), and the test browser.
    let mut child = env
        .on_terminal_of(80, "login --port 0 --timeout 30", &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run script(1)");
    let stdin = child.stdin.take().unwrap();
    let mut transcript = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut transcript)
        .unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0), "{transcript}");
    let prompt = "Or paste the URL the browser ended on and press Enter: ";
    assert_eq!(
        transcript.matches(prompt).count(),
        1,
        "one prompt: {transcript}"
    );
    // What the login prints once the browser came back starts on a line of its own.
    let after = &transcript[transcript.find(prompt).unwrap() + prompt.len()..];
    assert!(
        after.starts_with("\r\nLogged in to Acme (acme) as member "),
        "{after:?}"
    );
}

#[test]
fn without_input_to_read_the_spinner_fits_the_terminal() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for columns in [40u16, 100] {
        let output = env
            .on_terminal_of(
                columns,
                "login --port 0 --no-browser --timeout 1 < /dev/null",
                &[("NO_COLOR", "1")],
            )
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let transcript = String::from_utf8_lossy(&output.stdout).to_string();
        let frames: Vec<&str> = transcript
            .split(['\r', '\n'])
            .map(|f| f.trim_start_matches("\x1b[2K"))
            .filter(|f| f.contains("Waiting for the browser"))
            .collect();
        assert!(!frames.is_empty(), "a spinner is shown: {transcript:?}");
        assert!(
            frames[0].contains(" 0:01 left: "),
            "the time left comes first: {transcript:?}"
        );
        for frame in frames {
            assert!(
                frame.chars().count() < usize::from(columns),
                "{frame:?} wraps at {columns} columns"
            );
        }
        assert!(
            transcript.contains("attio-auth: error: no redirect arrived within 1 s"),
            "{transcript:?}"
        );
    }
}

#[test]
fn on_a_terminal_the_client_secret_is_prompted_for_without_echo() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let (code, transcript, _) = login_on_a_terminal(
        &env,
        Typed {
            secret: Some(CLIENT_SECRET),
            ..Typed::default()
        },
        100,
    );
    assert_eq!(code, 0, "{transcript}");
    assert!(
        !transcript.contains(CLIENT_SECRET),
        "the secret is not echoed: {transcript}"
    );
    let exchange = &env.fake.token_requests("authorization_code")[0];
    assert_eq!(exchange.form["client_secret"], CLIENT_SECRET);
}

#[test]
fn a_wrong_client_secret_shows_what_the_server_said_and_stores_nothing() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("ATTIO_CLIENT_SECRET", "cs_wrong_value")],
    );
    // Never the secret itself.
    run.expect_after_prompt(
        4,
        "",
        &format!(
            "attio-auth: error: exchanging the authorization code for a token: the token endpoint refused (HTTP 401): invalid_client: Client authentication failed\n\
             attio-auth: hint: check the client ID and ATTIO_CLIENT_SECRET against the app at build.attio.com, then run `attio-auth login --port 0 --app-url {url} --api-url {url}` again\n",
            url = env.fake.url
        ),
    );
    assert!(files_under(env.home.path()).is_empty(), "nothing stored");
}

#[cfg(unix)]
#[test]
fn browser_is_a_list_tried_in_order() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // xdg-utils' convention: `a:b`, the first that starts wins.
    let list = format!("/nonexistent/browser --flag:{}", crate::support::BROWSER);
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("BROWSER", &list)],
    );
    assert_eq!(
        run.code, 0,
        "the second browser completed the login: {run:?}"
    );
    assert!(!run.stderr.contains("warning"), "{run:?}");
    // A path with a space in it is one program, not `/…/My` with arguments.
    let dir = env.home.path().join("My Browsers");
    std::fs::create_dir(&dir).unwrap();
    let program = dir.join("open url");
    std::fs::write(
        &program,
        format!("#!/bin/sh\nexec {} \"$1\"\n", crate::support::BROWSER),
    )
    .unwrap();
    std::fs::set_permissions(
        &program,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let run = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("BROWSER", program.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn hostile_requests_to_the_listener_are_refused_and_never_exchanged() {
    let env = TestEnv::new(Consent::ProbeFirst, Tokens::LongLived);
    let run = env.login(&[]);
    assert_eq!(
        run.code, 0,
        "the real redirect still completes the login: {run:?}"
    );
    // Another Host (DNS rebinding), POST, a repeated code, a repeated state, a forged
    // state, and no code at all.
    assert_eq!(env.fake.probes(), [400, 405, 400, 400, 400, 400]);
    let exchanged: Vec<_> = env
        .fake
        .token_requests("authorization_code")
        .iter()
        .map(|r| r.form["code"].clone())
        .collect();
    assert_eq!(exchanged.len(), 1, "{exchanged:?}");
    assert!(
        exchanged[0].starts_with("code_"),
        "only the code the fake issued: {exchanged:?}"
    );
    assert!(
        run.stderr
            .contains("a request named a host other than localhost"),
        "{run:?}"
    );
}

#[test]
fn ctrl_c_at_the_secret_prompt_exits_4_and_restores_the_terminal() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // After attio-auth, the same terminal reports whether echo is on again.
    let mut script = env.on_terminal(
        "login --port 0 --no-browser; echo \"exit=$?\"; stty -a",
        &[("NO_COLOR", "1")],
    );
    script.env_remove("ATTIO_CLIENT_SECRET");
    let mut child = script
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8];
    while !seen.ends_with(b"(input hidden): ") {
        assert_eq!(
            out.read(&mut byte).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    stdin.write_all(b"cs_partial\x03").unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    child.wait().unwrap();
    assert!(
        rest.contains("\r\nattio-auth: error: login aborted (Ctrl-C); nothing was stored\r\n"),
        "the same message as while waiting, on its own line: {rest:?}"
    );
    assert!(!rest.contains("hint:"), "{rest}");
    assert!(rest.contains("exit=4"), "{rest}");
    assert!(
        !rest.contains("cs_partial"),
        "nothing typed was echoed: {rest}"
    );
    let flags: Vec<&str> = rest.split_whitespace().collect();
    assert!(
        flags.contains(&"echo") && !flags.contains(&"-echo"),
        "echo is back on: {rest}"
    );
    assert!(files_under(env.home.path()).is_empty(), "nothing stored");
}

#[test]
fn a_browser_that_never_comes_back_names_the_redirect_uri_to_register() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // As Attio does for a redirect URI the app does not have: an error page, no redirect.
    env.fake.misbehave(
        "/authorize",
        crate::fake_attio::Misbehave::Status(400, None),
        1,
    );
    let port = crate::support::free_port().to_string();
    let run = env.run(&["login", "--port", &port, "--timeout", "2"]);
    assert_eq!(run.code, 4, "{run:?}");
    let uri = format!("http://localhost:{port}/callback");
    assert!(
        run.stderr
            .contains("the browser was sent to Attio but never came back")
            && run
                .stderr
                .contains(&format!("register {uri} as a redirect URI")),
        "{run:?}"
    );
    assert_eq!(env.fake.seen("/authorize").len(), 1);
}

#[test]
fn waiting_for_attio_itself_names_the_redirect_uri_the_app_must_have() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let port = crate::support::free_port().to_string();
    // No browser, and nothing is sent to Attio while the login waits.
    let run = env.run_with(
        &["login", "--port", &port, "--timeout", "1", "--no-browser"],
        &[("ATTIO_APP_URL", "https://app.attio.com")],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "for the browser to return to http://localhost:{port}/callback (the app must have exactly this redirect URI at build.attio.com)"
        )),
        "{run:?}"
    );
    // Another app URL (a proxy, a test server) says nothing of Attio's registration.
    let local = env.run(&["login", "--port", &port, "--timeout", "1", "--no-browser"]);
    assert_eq!(local.code, 4, "{local:?}");
    assert!(!local.stderr.contains("build.attio.com)"), "{local:?}");
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
    assert!(
        env.fake.seen("/authorize").is_empty(),
        "nothing was authorized"
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
    // The way on names no --port 0, which an Attio app's exact redirect URIs refuse.
    assert_eq!(
        (second.code, second.stderr.clone()),
        (
            1,
            format!(
                "attio-auth: error: port {port} is already in use by another `attio-auth login` (pid {pid}, attio-auth), still waiting for its redirect\n\
                 attio-auth: hint: finish that login in its terminal or stop it (`kill {pid}`), or log in with --port N for another port whose http://localhost:N/callback the app has as a redirect URI (`login --mcp` registers the port it uses)\n",
                pid = first.id()
            )
        )
    );
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
fn logging_in_again_says_which_login_it_replaces() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let again = env.login(&[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again
            .stderr
            .contains("Replacing the earlier login of profile `default` (workspace Acme, acme)."),
        "{again:?}"
    );
}
