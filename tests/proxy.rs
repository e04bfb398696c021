//! `exec --proxy`: a command that outlives its token keeps working, never holds a real
//! token, and the proxy serves only it, only towards the profile's API URL.
//!
//! The commands are shell scripts with curl, so these run on Unix.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::fake_attio::{API_CALLS, Consent, Misbehave, Tokens};
use crate::support::{TestEnv, assert_no_leak, store_document, stored_document, write_script};

/// A command that answers one line per line it reads: `env` (its ATTIO_ variables),
/// `call` (the HTTP status of an API call through the proxy), `upload FILE`, `limited`,
/// `twice` (two calls on one connection: how many connections curl opened), and `quit`
/// (exits 7).
const SCRIPT: &str = r#"
call() {
  format=$1; shift
  curl -sS -o /dev/null -w "$format" -H "Authorization: Bearer $ATTIO_API_KEY" \
    -H 'Content-Type: application/json' "$@"
}
echo ready
while read -r what arg; do
  case $what in
    env) env | grep '^ATTIO' | sort | tr '\n' ' '; echo ;;
    call) call '%{http_code}\n' --data '{"limit":1}' "$ATTIO_BASE_URL/objects/people/records/query" ;;
    upload) call '%{http_code}\n' --data-binary "@$arg" "$ATTIO_BASE_URL/objects/files/records" ;;
    limited) call '%{http_code} %header{retry-after}\n' "$ATTIO_BASE_URL/objects/limited/records" ;;
    twice) call '%{num_connects} ' -o /dev/null "$ATTIO_BASE_URL/objects/a/records" "$ATTIO_BASE_URL/objects/b/records"; echo ;;
    quit) exit 7 ;;
  esac
done
"#;

/// `attio-auth exec --proxy -- sh -c SCRIPT`, driven line by line.
struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: BufReader<ChildStdout>,
}

impl Session {
    fn start(env: &TestEnv, extra: &[&str]) -> Session {
        let mut args = vec!["exec", "--proxy"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "sh", "-c", SCRIPT]);
        let mut child = env
            .cmd(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run attio-auth");
        let stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        lines.read_line(&mut ready).unwrap();
        assert_eq!(ready, "ready\n", "the command did not start");
        Session {
            child,
            stdin,
            lines,
        }
    }

    /// Sends one line and returns the command's answer.
    fn ask(&mut self, line: &str) -> String {
        writeln!(self.stdin, "{line}").unwrap();
        let mut answer = String::new();
        self.lines.read_line(&mut answer).unwrap();
        answer.trim_end().to_string()
    }

    /// The command's variables, by name.
    fn variables(&mut self) -> Vec<(String, String)> {
        self.ask("env")
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn variable(&mut self, name: &str) -> String {
        self.variables()
            .into_iter()
            .find(|(k, _)| k == name)
            .unwrap_or_else(|| panic!("{name} is not set"))
            .1
    }

    /// Ends the command and returns attio-auth's exit code and stderr.
    fn quit(mut self) -> (i32, String) {
        writeln!(self.stdin, "quit").unwrap();
        let status = self.child.wait().unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status.code().expect("exited, not killed"), stderr)
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Waits until the fake no longer honours the token it issued last (it expired).
fn until_expired(env: &TestEnv) {
    let token = env.fake.last_access_token();
    let expires_at = env.fake.expires_at(&token).unwrap();
    while now() <= expires_at {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a process is gone (or a zombie) within 5 s.
fn gone(pid: i32) -> bool {
    (0..200).any(|_| {
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0
            && std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |stat| !stat.contains(") Z "));
        if alive {
            std::thread::sleep(Duration::from_millis(25));
        }
        !alive
    })
}

/// The bearer tokens the fake's API calls carried, in order.
fn api_bearers(env: &TestEnv) -> Vec<String> {
    env.fake
        .requests()
        .iter()
        .filter(|s| s.path.starts_with(API_CALLS))
        .map(|s| {
            s.authorization
                .clone()
                .unwrap_or_default()
                .trim_start_matches("Bearer ")
                .to_string()
        })
        .collect()
}

#[test]
fn a_long_running_command_keeps_working_across_three_expiries_and_never_holds_a_token() {
    // Each wait for an expiry is an idle gap longer than the fake keeps a connection
    // open (wire::IDLE_CLOSE): every refresh after the first would ride a connection
    // the server closed, were token requests sent on pooled connections.
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3 });
    env.logged_in(&[]);
    let mut session = Session::start(&env, &[]);
    let mut statuses = vec![session.ask("call")];
    for _ in 0..3 {
        until_expired(&env);
        statuses.push(session.ask("call"));
    }
    let variables = session.variables();
    let (code, stderr) = session.quit();

    assert_eq!(statuses, ["200", "200", "200", "200"]);
    assert_eq!(code, 7, "exec exits as its command did: {stderr}");
    assert_eq!(env.fake.token_requests("refresh_token").len(), 3);
    assert_eq!(env.fake.refresh_reuses(), 0);
    let bearers = api_bearers(&env);
    let issued = env.fake.issued();
    assert_eq!(bearers.len(), 4);
    assert!(bearers.iter().all(|b| issued.contains(b)), "{bearers:?}");
    assert_eq!(
        bearers
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "each call had a fresh token"
    );
    // The command holds a key for the proxy, in both names, and the proxy's URL; no
    // token the fake ever issued.
    let names: Vec<&str> = variables.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "ATTIO_ACCESS_TOKEN",
            "ATTIO_API_KEY",
            "ATTIO_API_URL",
            "ATTIO_APP_URL",
            "ATTIO_AUTH_STORE",
            "ATTIO_BASE_URL",
            "ATTIO_CLIENT_ID"
        ]
    );
    let value = |name: &str| &variables.iter().find(|(k, _)| k == name).unwrap().1;
    assert!(
        value("ATTIO_API_KEY").len() == 64
            && value("ATTIO_API_KEY")
                .bytes()
                .all(|b| b.is_ascii_hexdigit()),
        "a key of 256 random bits"
    );
    assert_eq!(value("ATTIO_API_KEY"), value("ATTIO_ACCESS_TOKEN"));
    assert_eq!(
        value("ATTIO_BASE_URL"),
        &format!("{}/v2", value("ATTIO_API_URL"))
    );
    assert!(value("ATTIO_API_URL").starts_with("http://127.0.0.1:"));
    for token in env.fake.secrets() {
        assert!(
            !variables.iter().any(|(_, v)| v.contains(&token)),
            "the command holds a real secret"
        );
    }
    assert_eq!(stderr, "");
}

/// Sends a raw request to the proxy and returns the status and body.
fn raw(port: &str, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    // A request the proxy refuses before reading it whole may be cut short.
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn the_proxy_serves_only_requests_with_the_session_key_and_only_towards_the_api() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let mut session = Session::start(&env, &[]);
    let key = session.variable("ATTIO_API_KEY");
    let url = session.variable("ATTIO_API_URL");
    let port = url.rsplit(':').next().unwrap().to_string();
    let request = |line: &str, authorization: &str| {
        raw(
            &port,
            &format!("{line}\r\nHost: evil.example\r\n{authorization}Connection: close\r\n\r\n"),
        )
    };
    let with_key = format!("Authorization: Bearer {key}\r\n");

    let refused = [
        request("GET /v2/objects/people/records HTTP/1.1", ""),
        request(
            "GET /v2/objects/people/records HTTP/1.1",
            "Authorization: Bearer 0000000000000000000000000000000000000000000000000000000000000000\r\n",
        ),
        request(
            "GET /v2/objects/people/records HTTP/1.1",
            &format!("Authorization: Basic {key}\r\n"),
        ),
    ];
    for (status, body) in &refused {
        assert_eq!(*status, 401, "{body}");
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["code"], "invalid_proxy_key");
        assert_eq!(body["type"], "auth_error");
    }
    // To another host: refused, whatever the form.
    let absolute = request(
        "GET http://evil.example/v2/objects/people/records HTTP/1.1",
        &with_key,
    );
    assert_eq!(absolute.0, 400, "{absolute:?}");
    let connect = request("CONNECT evil.example:443 HTTP/1.1", &with_key);
    assert_eq!(connect.0, 400, "{connect:?}");
    // A path that looks like another host is still a path on the API's host.
    let (status, _) = request(
        "GET //evil.example/v2/objects/x/records HTTP/1.1",
        &with_key,
    );
    assert_eq!(status, 404);
    // A head larger than the proxy reads is never sent on, and the proxy carries on.
    let huge = format!("{with_key}X-Padding: {}\r\n", "a".repeat(100 * 1024));
    let (status, _) = request("GET /v2/objects/huge/records HTTP/1.1", &huge);
    assert!(status == 431 || status == 0, "{status}");
    let (status, body) = request("GET /v2/objects/people/records?limit=2 HTTP/1.1", &with_key);
    assert_eq!(status, 200, "{body}");
    let (code, _) = session.quit();
    assert_eq!(code, 7);

    let fake = format!("127.0.0.1:{}", env.fake.port());
    let forwarded: Vec<(String, String, Option<String>)> = env
        .fake
        .requests()
        .iter()
        .filter(|s| s.path != "/oauth/token" && s.path != "/v2/self" && s.path != "/authorize")
        .map(|s| {
            let host = s
                .headers
                .iter()
                .find(|(k, _)| k == "host")
                .map(|(_, v)| v.clone());
            (
                s.path.clone(),
                host.unwrap_or_default(),
                s.authorization.clone(),
            )
        })
        .collect();
    let bearer = format!("Bearer {}", env.fake.last_access_token());
    assert_eq!(
        forwarded,
        [
            (
                "//evil.example/v2/objects/x/records".to_string(),
                fake.clone(),
                Some(bearer.clone())
            ),
            ("/v2/objects/people/records".to_string(), fake, Some(bearer))
        ]
    );
    // The fake serves no such path; that it was asked is what this test checks.
    env.fake.forget_requests(|s| s.path.starts_with("//"));
}

#[test]
fn a_token_attio_refuses_is_refreshed_once_and_the_request_sent_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let mut session = Session::start(&env, &["--verbose"]);
    assert_eq!(session.ask("call"), "200");
    // Attio stops honouring the token long before its stated expiry.
    let first = env.fake.last_access_token();
    env.fake.stop_honouring(&first);
    assert_eq!(session.ask("call"), "200");
    assert_eq!(session.ask("call"), "200");
    let (code, stderr) = session.quit();
    assert_eq!(code, 7);

    let second = env.fake.last_access_token();
    assert_eq!(
        api_bearers(&env),
        [first.clone(), first, second.clone(), second]
    );
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
    assert!(
        stderr.contains("proxy: POST /v2/objects/people/records/query -> 200 OK"),
        "{stderr}"
    );
    for secret in env.fake.secrets() {
        assert!(!stderr.contains(&secret), "a secret in --verbose: {stderr}");
    }
}

#[test]
fn bodies_stream_both_ways_connections_are_kept_and_statuses_pass_through() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let upload = env.home.path().join("upload.bin");
    // 3 MiB of every byte value: more than the proxy ever holds in memory.
    let bytes: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&upload, &bytes).unwrap();
    env.fake.misbehave(
        "/v2/objects/limited/records",
        Misbehave::Status(429, Some("7".into())),
        1,
    );
    let mut session = Session::start(&env, &[]);
    assert_eq!(session.ask(&format!("upload {}", upload.display())), "200");
    assert_eq!(session.ask("limited"), "429 7");
    // Two requests, one connection.
    assert_eq!(session.ask("twice"), "1 0");
    let (code, _) = session.quit();
    assert_eq!(code, 7);

    let requests = env.fake.requests();
    let uploaded = requests
        .iter()
        .find(|s| s.path == "/v2/objects/files/records")
        .unwrap();
    assert!(uploaded.body == bytes, "the upload arrived changed");
}

#[test]
fn a_refresh_attio_refuses_answers_401_with_the_login_hint_and_says_it_once() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3 });
    env.logged_in(&[]);
    let mut session = Session::start(&env, &[]);
    assert_eq!(session.ask("call"), "200");
    // A refresh token Attio does not know: the refresh is refused.
    let mut document = stored_document(&env, "default");
    document["refresh_token"] = "rt_unknown_to_attio".into();
    store_document(&env, "default", &document);
    until_expired(&env);
    assert_eq!(session.ask("call"), "401");
    assert_eq!(session.ask("call"), "401");
    let (code, stderr) = session.quit();
    assert_eq!(code, 7);
    assert_eq!(
        stderr.matches("warning: proxy:").count(),
        1,
        "said once: {stderr}"
    );
    assert!(stderr.contains("attio-auth login"), "{stderr}");
}

#[test]
fn a_signal_to_attio_auth_reaches_the_command_and_everything_it_started() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    // A wrapper (as npx is) that starts the real server and passes no signal on. Its
    // trap is set before it says the server's pid, which is when the test signals.
    let script = "trap 'exit 42' TERM; sleep 1000 & echo $!; while :; do wait; done";
    let mut child = env
        .cmd(&["exec", "--proxy", "-v", "--", "sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut grandchild = String::new();
    lines.read_line(&mut grandchild).unwrap();
    let grandchild: i32 = grandchild.trim().parse().unwrap();
    // SAFETY: kill(2) with a pid this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(42), "exec exits as its command did");
    // The server the wrapper started got it too, and is gone (reaped by init or us).
    assert!(gone(grandchild), "the wrapper's server outlived the signal");
    let run = crate::support::Run {
        code: 42,
        stdout: String::new(),
        stderr: {
            let mut s = String::new();
            child.stderr.take().unwrap().read_to_string(&mut s).unwrap();
            s
        },
    };
    assert_no_leak(&env, &run, "exec --proxy");
}

/// Where `.ci/run` installs the Attio MCP server (npm `attio-mcp`), or `ATTIO_MCP_CLI`.
fn attio_mcp() -> Option<std::path::PathBuf> {
    let cli = std::env::var_os("ATTIO_MCP_CLI").map_or_else(
        || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/attio-mcp/node_modules/attio-mcp/dist/cli.js")
        },
        std::path::PathBuf::from,
    );
    if cli.is_file() && crate::support::have("node", "apt-get install nodejs") {
        return Some(cli);
    }
    crate::support::not_run(&format!(
        "test NOT RUN: the Attio MCP server is not at {} (npm install --prefix target/attio-mcp attio-mcp@1.6.1)",
        cli.display()
    ));
    None
}

#[test]
#[ignore = "needs the Attio MCP server from npm: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_attio_mcp_server_keeps_working_across_two_expiries() {
    let Some(cli) = attio_mcp() else { return };
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3 });
    env.logged_in(&[]);
    let mut child = env
        .cmd(&["exec", "--proxy", "--", "node", cli.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    // MCP over stdio, as a host speaks it: one JSON-RPC message a line.
    let mut rpc = |id: u64, method: &str, params: serde_json::Value| -> serde_json::Value {
        let message =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        writeln!(stdin, "{message}").unwrap();
        loop {
            let mut line = String::new();
            assert!(lines.read_line(&mut line).unwrap() > 0, "the server ended");
            let Ok(answer) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if answer["id"] == id {
                return answer;
            }
        }
    };
    let init = rpc(
        1,
        "initialize",
        serde_json::json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "attio-mcp-server");
    let search = serde_json::json!({"name": "search_records", "arguments": {"resource_type": "companies", "query": "acme"}});
    let mut calls = Vec::new();
    for round in 0..3 {
        if round > 0 {
            until_expired(&env);
        }
        let before = api_bearers(&env).len();
        rpc(10 + round, "tools/call", search.clone());
        calls.push(api_bearers(&env).len() - before);
    }
    // A host stops its server with SIGTERM (attio-mcp does not end when stdin closes).
    // SAFETY: kill(2) with a pid this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();

    assert!(
        calls.iter().all(|&n| n > 0),
        "each tool call reached the API: {calls:?}"
    );
    assert_eq!(env.fake.api_refused(), 0, "no call was refused");
    let bearers = api_bearers(&env);
    let distinct: std::collections::BTreeSet<_> = bearers.iter().collect();
    assert!(
        distinct.len() >= 3,
        "three tokens over two expiries: {distinct:?}"
    );
    // One refresh per expiry; one more when node took longer to start than half the
    // token's life (the default --min-ttl), which a loaded machine does. Never reused.
    let refreshes = env.fake.token_requests("refresh_token").len();
    assert!((2..=3).contains(&refreshes), "{refreshes} refreshes");
    assert_eq!(env.fake.refresh_reuses(), 0);
    // attio-mcp ends on SIGTERM by the signal, and so does attio-auth.
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGTERM),
        "{status:?}"
    );
}

#[test]
fn mcp_config_prints_entries_a_host_runs_as_they_are() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let bin = env.home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    // A stand-in for the server: one API call with what it was given, as attio-mcp makes.
    let server = bin.join("attio-mcp");
    write_script(
        &server,
        "#!/bin/sh\ncurl -sS -o /dev/null -w '%{http_code}' -H \"Authorization: Bearer $ATTIO_API_KEY\" \"$ATTIO_BASE_URL/objects/people/records\"\n",
    );
    // Claude Code's CLI, standing in: prints the arguments it was given, one a line.
    write_script(&bin.join("claude"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    let path = crate::support::path_once(&format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    ));
    let printed = env.run_with(&["mcp-config"], &[("PATH", &path)]);
    assert_eq!(
        (printed.code, printed.stderr.as_str()),
        (
            0,
            "attio-auth: merge this into the host's JSON configuration (Claude Desktop: claude_desktop_config.json; Cursor: ~/.cursor/mcp.json)\n"
        ),
        "{printed:?}"
    );
    let entry: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    let attio_auth = env!("CARGO_BIN_EXE_attio-auth");
    let expected_args = [
        "exec",
        "--profile",
        "default",
        "--proxy",
        "--",
        server.to_str().unwrap(),
    ];
    assert_eq!(
        entry,
        serde_json::json!({"mcpServers": {"attio": {
            "command": attio_auth,
            "args": expected_args,
            "env": {"PATH": path},
        }}})
    );

    // As a host runs it: the command and its arguments, with the entry's variables on
    // top of the host's own (here, the test's isolation, without PATH).
    let server_entry = &entry["mcpServers"]["attio"];
    let mut host = std::process::Command::new(server_entry["command"].as_str().unwrap());
    host.args(
        server_entry["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap()),
    )
    .env_clear();
    for (key, value) in env.cmd(&[]).get_envs() {
        if let (Some(value), false) = (value, key == "PATH") {
            host.env(key, value);
        }
    }
    for (key, value) in server_entry["env"].as_object().unwrap() {
        host.env(key, value.as_str().unwrap());
    }
    let hosted = host.output().unwrap();
    assert_eq!(
        (
            hosted.status.code(),
            String::from_utf8_lossy(&hosted.stdout).as_ref()
        ),
        (Some(0), "200"),
        "{}",
        String::from_utf8_lossy(&hosted.stderr)
    );

    // Claude Code's line, run by a shell as printed.
    let line = env.run_with(&["mcp-config", "--format", "claude"], &[("PATH", &path)]);
    assert_eq!(
        (line.code, line.stderr.as_str()),
        (
            0,
            "attio-auth: the line below is for a POSIX shell (sh, bash, zsh)\n"
        ),
        "{line:?}"
    );
    let shell = std::process::Command::new("sh")
        .args(["-c", &line.stdout])
        .env("PATH", &path)
        .output()
        .unwrap();
    let words: Vec<String> = String::from_utf8(shell.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut expected = vec![
        "mcp".to_string(),
        "add".into(),
        "attio".into(),
        "-e".into(),
        format!("PATH={path}"),
        "--".into(),
        attio_auth.into(),
    ];
    expected.extend(expected_args.iter().map(|a| a.to_string()));
    assert_eq!(words, expected);

    // No server installed: what to install, and why not npx.
    let missing = env.run(&["mcp-config", "--profile", "work"]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert_eq!(
        missing.stderr,
        "attio-auth: error: the MCP server `attio-mcp` is not installed (not found on PATH)\nattio-auth: hint: install it once with `npm install -g attio-mcp` (an entry that runs `npx -y attio-mcp` leaves the server running each time the host stops it), or name it with --server PATH; for Attio's hosted server, `attio-auth login --mcp`, then `attio-auth mcp-config --hosted`\n"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn another_user_flooding_the_proxy_cannot_shut_the_command_out() {
    if !crate::support::can_chown()
        || !crate::support::have("setpriv", "apt-get install util-linux")
    {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    // uid 65534 opens 300 idle connections (more than the proxy holds) and says `ready`
    // once the proxy has closed one of them: by then it is full.
    let flood = r#"import select, socket, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
held = [socket.create_connection((p.hostname, p.port)) for _ in range(300)]
select.select(held, [], [], 30)
print("ready", flush=True)
sys.stdin.read()"#;
    // The command, as us: lets the neighbour flood, then makes its request.
    let command = r#"import os, subprocess, sys, urllib.request
flood = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
    "/usr/bin/python3", "-c", sys.argv[1], os.environ["ATTIO_API_URL"]],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
flood.stdout.readline()
request = urllib.request.Request(os.environ["ATTIO_BASE_URL"] + "/objects/people/records",
    headers={"Authorization": "Bearer " + os.environ["ATTIO_API_KEY"]})
try:
    print(urllib.request.urlopen(request, timeout=30).status)
except Exception as e:
    print("failed:", e)
flood.stdin.close()
flood.wait()"#;
    let run = env.run(&[
        "exec",
        "--proxy",
        "--",
        "/usr/bin/python3",
        "-c",
        command,
        flood,
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "200\n"), "{run:?}");
}

#[test]
fn under_a_host_a_profile_that_is_not_logged_in_is_the_first_line_on_stderr() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // As a host starts a server: no terminal, no TERM; the command never starts.
    let run = env.run(&["exec", "--proxy", "--", "sh", "-c", "echo started"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout, "");
    let first = run.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first, "attio-auth: error: profile `default` is not logged in",
        "{run:?}"
    );
    assert!(
        run.stderr
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("attio-auth login")),
        "{run:?}"
    );
}

#[test]
fn a_token_that_cannot_be_refreshed_is_used_until_it_expires_then_log_in_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::ExpiringNoRefresh { ttl: 3 });
    env.logged_in(&[]);
    let mut session = Session::start(&env, &[]);
    assert_eq!(session.ask("call"), "200");
    assert_eq!(session.ask("call"), "200");
    until_expired(&env);
    assert_eq!(session.ask("call"), "401");
    let (code, stderr) = session.quit();
    assert_eq!(code, 7);
    assert_eq!(env.fake.token_requests("refresh_token").len(), 0);
    assert_eq!(api_bearers(&env).len(), 2, "the expired token was not sent");
    assert!(stderr.contains("attio-auth login"), "{stderr}");
}

#[test]
fn a_path_that_climbs_out_of_the_api_urls_path_is_refused_and_trace_is_not_forwarded() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    // The API behind a gateway's path: what the command sends must stay under it.
    let gateway = format!("{}/gw", env.fake.url);
    let meta = env.meta_file("default");
    let mut document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    document["api_url"] = format!("{gateway}/").into();
    std::fs::write(&meta, document.to_string()).unwrap();
    let mut session = Session::start(&env, &["--api-url", &gateway]);
    let key = session.variable("ATTIO_API_KEY");
    let port = session
        .variable("ATTIO_API_URL")
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let request = |line: &str| {
        raw(
            &port,
            &format!("{line}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"),
        )
    };
    for line in [
        "GET /../v2/objects/x/records HTTP/1.1",
        "GET /%2e%2e/v2/objects/x/records HTTP/1.1",
        "GET /v2/%2E%2E/../v2/objects/x/records HTTP/1.1",
        "GET /v2/..%2f..%2fv2/objects/x/records HTTP/1.1",
        "GET /v2/..%5C..%5Cv2/objects/x/records HTTP/1.1",
    ] {
        let (status, body) = request(line);
        assert_eq!(status, 400, "{line}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["code"], "path_outside_api", "{line}");
    }
    // A server that echoes TRACE would hand the command the real token.
    for method in ["TRACE", "TRACK"] {
        let (status, body) = request(&format!("{method} /v2/objects/x/records HTTP/1.1"));
        assert_eq!(status, 405, "{method}: {body}");
    }
    let (status, _) = request("GET /v2/objects/people/records HTTP/1.1");
    assert_eq!(
        status, 404,
        "forwarded under the gateway's path, which the fake lacks"
    );
    let (code, _) = session.quit();
    assert_eq!(code, 7);

    let forwarded: Vec<(String, String)> = env
        .fake
        .requests()
        .into_iter()
        .filter(|s| !["/oauth/token", "/v2/self", "/authorize"].contains(&s.path.as_str()))
        .map(|s| (s.method, s.path))
        .collect();
    assert_eq!(
        forwarded,
        [(
            "GET".to_string(),
            "/gw/v2/objects/people/records".to_string()
        )]
    );
    env.fake.forget_requests(|s| s.path.starts_with("/gw/"));
}

#[test]
fn a_401_on_a_streamed_body_gets_the_next_request_a_new_token() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    let upload = env.home.path().join("upload.bin");
    // Larger than the proxy reads before sending: it streams, so it cannot be sent again.
    std::fs::write(&upload, vec![b'x'; 300 * 1024]).unwrap();
    let mut session = Session::start(&env, &[]);
    let first = env.fake.last_access_token();
    env.fake.stop_honouring(&first);
    let upload = format!("upload {}", upload.display());
    assert_eq!(session.ask(&upload), "401", "passed back: it was streamed");
    assert_eq!(session.ask(&upload), "200", "with a new token");
    let (code, _) = session.quit();
    assert_eq!(code, 7);
    let second = env.fake.last_access_token();
    assert_ne!(first, second);
    assert_eq!(api_bearers(&env), [first, second]);
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
}

#[test]
fn the_commands_own_requests_in_flight_are_never_evicted() {
    if !crate::support::have("python3", "apt-get install python3") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let path = "/v2/objects/slow/records";
    env.fake
        .misbehave(path, Misbehave::Slow(Duration::from_secs(4)), usize::MAX);
    // One process with 256 requests in flight (all the proxy holds); once the test says
    // `go` (they reached the API), 44 more; then every status, one per line.
    let command = r#"import os, socket, sys, urllib.parse as u
p = u.urlsplit(os.environ["ATTIO_BASE_URL"])
request = ("GET %s/objects/slow/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n" % (p.path, os.environ["ATTIO_API_KEY"])).encode()
def send():
    s = socket.create_connection((p.hostname, p.port))
    s.sendall(request)
    return s
held = [send() for _ in range(256)]
sys.stdin.readline()
held += [send() for _ in range(44)]
for s in held:
    answer = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        answer += chunk
    print(answer.split(b" ")[1].decode() if answer else "reset", flush=True)"#;
    let mut child = env
        .cmd(&["exec", "--proxy", "--", "python3", "-c", command])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while env.fake.seen(path).len() < 256 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    writeln!(child.stdin.take().unwrap(), "go").unwrap();
    let run: crate::support::Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 0, "{run:?}");
    let statuses: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(statuses, vec!["200"; 300], "{run:?}");
    assert_eq!(env.fake.seen(path).len(), 300);
}

#[cfg(target_os = "linux")]
#[test]
fn a_command_never_outlives_attio_auth_killed_or_done() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    // SIGKILL (the OOM killer, an abort) gives attio-auth no chance to act: the kernel
    // stops the command, whose next request would go to a port anyone may now bind.
    let mut child = env
        .cmd(&[
            "exec",
            "--proxy",
            "--",
            "sh",
            "-c",
            "echo $$; exec sleep 1000",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let command: i32 = line.trim().parse().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(gone(command), "the command outlived a SIGKILLed attio-auth");

    // A command that ends leaving a worker behind in its group: the worker is stopped.
    let run = env.run(&[
        "exec",
        "--proxy",
        "--",
        "sh",
        "-c",
        "sleep 1000 >/dev/null 2>&1 & echo $!",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let worker: i32 = run.stdout.trim().parse().unwrap();
    assert!(
        gone(worker),
        "the worker outlived its command and the proxy"
    );
}
