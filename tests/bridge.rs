//! `attio-auth mcp`: the stdio bridge to a hosted MCP server, driven as an MCP host
//! drives a server (one JSON-RPC message a line), against the fake hosted server.

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::fake_attio::{Consent, Tokens};
use crate::fake_hosted::logged_in;
use crate::support::TestEnv;

/// A host's end of the bridge.
struct Host {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Host {
    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(line.ends_with('\n'), "one message a line: {line:?}");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.receive()
    }
}

fn initialize() -> Value {
    json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test-host", "version": "1"}})
}

#[test]
fn the_bridge_relays_a_session_across_an_expiry_and_a_forgotten_session() {
    let (env, hosted) = logged_in(3);
    let (child, mut host) = spawn(&env);
    let answer = host.request(1, "initialize", initialize());
    assert_eq!(answer["id"], 1);
    assert_eq!(answer["result"]["serverInfo"]["name"], "fake-attio-mcp");
    host.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let tools = host.request(2, "tools/list", json!({}));
    assert_eq!(tools["result"]["tools"][0]["name"], "echo");
    // A tool call answered as events: the progress notification, then the result.
    host.send(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "hi"}, "_meta": {"progressToken": "p1"}}}));
    let progress = host.receive();
    assert_eq!(progress["method"], "notifications/progress");
    assert_eq!(progress["params"]["progressToken"], "p1");
    let result = host.receive();
    assert_eq!(
        (
            result["id"].clone(),
            result["result"]["content"][0]["text"].clone()
        ),
        (json!(3), json!("echo: hi"))
    );

    // At once after an answer streamed as events, on the same connection.
    let ping = host.request(7, "ping", json!({}));
    assert_eq!(ping, json!({"jsonrpc": "2.0", "id": 7, "result": {}}));
    // The token expires; the next call goes out with a refreshed one.
    let expires = hosted.expires_at(&hosted.last_access_token());
    while now() <= expires {
        std::thread::sleep(Duration::from_millis(50));
    }
    let again = host.request(4, "tools/list", json!({}));
    assert_eq!(again["id"], 4, "{again}");
    assert!(again["result"].is_object(), "{again}");
    // The server forgets the session: a new one starts, unseen by the host.
    hosted.forget_sessions();
    let after = host.request(5, "tools/list", json!({}));
    assert_eq!(after["id"], 5, "{after}");
    assert!(after["result"].is_object(), "{after}");
    host.send(json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "again"}, "_meta": {"progressToken": 6}}}));
    let progress = host.receive();
    assert_eq!(progress["params"]["progressToken"], 6, "{progress}");
    assert_eq!(host.receive()["id"], 6);

    drop(host.stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(output.stdout, b"", "nothing but the answers read above");
    let posts: Vec<String> = hosted
        .seen("/mcp")
        .iter()
        .filter(|s| s.method == "POST")
        .filter_map(|s| serde_json::from_str::<Value>(&s.body).ok())
        .map(|m| m["method"].as_str().unwrap_or("(answer)").to_string())
        .collect();
    // whoami's check is not among them; the login asked /mcp once without a token.
    assert_eq!(
        posts,
        [
            "initialize",
            "notifications/initialized",
            "tools/list",
            "tools/call",
            "ping",
            "tools/list",
            "tools/list",
            "initialize",
            "notifications/initialized",
            "tools/list",
            "tools/call"
        ]
    );
    let later: Vec<_> = hosted
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.method == "POST")
        .skip(1)
        .collect();
    assert!(
        later
            .iter()
            .all(|s| s.header("mcp-protocol-version") == Some("2025-06-18")),
        "every message after initialize names the protocol version"
    );
    let deleted = hosted
        .seen("/mcp")
        .into_iter()
        .filter(|s| s.method == "DELETE")
        .count();
    assert_eq!(deleted, 1, "the session is ended at EOF");
    assert_eq!(hosted.refresh_reuses(), 0);
    for token in hosted.issued() {
        assert!(!stderr.contains(&token), "{stderr}");
    }
}

#[test]
fn a_profile_not_logged_in_answers_each_request_with_the_login_command() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let (child, mut host) = spawn(&env);
    let answer = host.request(7, "initialize", initialize());
    drop(host.stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(output.stdout, b"", "one answer, nothing more");
    assert_eq!(answer["id"], 7);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("attio-auth login --mcp --profile agent"),
        "{message}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("attio-auth: error: profile `agent` is not logged in"),
        "{stderr}"
    );
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Where `tests/setup.sh` installs the official MCP TypeScript SDK.
fn sdk() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mcp-sdk")
}

/// Whether tests/setup.sh installed the MCP TypeScript SDK; when not, `test` says loudly
/// that it did not run (a failure under `CI=true`).
fn sdk_installed(test: &str) -> bool {
    let sdk = sdk();
    let there = sdk.join("node_modules/@modelcontextprotocol/sdk").is_dir();
    if !there {
        crate::support::not_run(&format!(
            "{test} NOT RUN: the MCP TypeScript SDK is not under {} (tests/setup.sh installs it)",
            sdk.display()
        ));
    }
    there
}

#[test]
#[ignore = "needs the MCP TypeScript SDK from npm: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_official_sdk_host_works_through_the_bridge_across_two_expiries() {
    if !sdk_installed("SDK host test") {
        return;
    }
    let sdk = sdk();
    // Node resolves the SDK from the script's directory.
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk_host.mjs"),
        sdk.join("sdk_host.mjs"),
    )
    .unwrap();
    let (env, hosted) = logged_in(3);
    let mut child = env
        .wrapper("node")
        .arg(sdk.join("sdk_host.mjs"))
        .args([&env.program(), "mcp", "--profile", "agent"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut step = || -> Value {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    };
    let connected = step();
    assert_eq!(connected["server"]["name"], "fake-attio-mcp", "{connected}");
    for round in 1..=3 {
        if round > 1 {
            // The token expires between rounds; before the second the server also
            // forgets the session.
            let expires = hosted.expires_at(&hosted.last_access_token());
            while now() <= expires {
                std::thread::sleep(Duration::from_millis(50));
            }
            if round == 2 {
                hosted.forget_sessions();
            }
        }
        writeln!(stdin, "go").unwrap();
        let answer = step();
        assert_eq!(answer["step"], format!("round {round}"), "{answer}");
        assert_eq!(answer["tools"], json!(["echo"]), "{answer}");
        assert_eq!(
            answer["progress"],
            json!([{"progress": 1, "total": 2}]),
            "{answer}"
        );
        assert_eq!(
            answer["result"]["content"][0]["text"],
            format!("echo: round {round}"),
            "{answer}"
        );
    }
    assert_eq!(step()["step"], "closed");
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let initializes = hosted
        .seen("/mcp")
        .iter()
        .filter(|s| s.body.contains("\"method\":\"initialize\""))
        .count();
    // whoami's none; the host's, and the replay after the server forgot the session.
    assert_eq!(initializes, 2);
    assert!(hosted.issued().len() >= 3, "refreshed across two expiries");
    assert_eq!(hosted.refresh_reuses(), 0);
    for token in hosted.issued() {
        assert!(!stderr.contains(&token), "{stderr}");
    }
}

#[test]
fn mcp_config_hosted_prints_each_hosts_entry_and_the_entry_runs() {
    let (env, _hosted) = logged_in(3600);
    let path = std::env::var("PATH").unwrap();
    let doubled = format!("{path}:{path}");
    let run = |format: &str| {
        let run = env.run_with(
            &[
                "mcp-config",
                "--hosted",
                "--profile",
                "agent",
                "--format",
                format,
            ],
            &[("PATH", &doubled)],
        );
        assert_eq!(run.code, 0, "{run:?}");
        run
    };
    let program = env.program();
    let args = json!(["mcp", "--profile", "agent"]);

    let claude_desktop = run("json");
    assert_eq!(
        claude_desktop.stderr,
        "attio-auth: merge this into the host's JSON configuration (Claude Desktop: claude_desktop_config.json; Cursor: ~/.cursor/mcp.json)\n"
    );
    let entry: Value = serde_json::from_str(&claude_desktop.stdout).unwrap();
    let entry = &entry["mcpServers"]["attio"];
    assert_eq!(entry["command"], program);
    assert_eq!(entry["args"], args);
    assert_eq!(
        entry["env"]["PATH"],
        crate::support::path_once(&path),
        "each directory once"
    );

    let vscode = run("vscode");
    assert!(vscode.stderr.contains("VS Code's mcp.json"), "{vscode:?}");
    let servers: Value = serde_json::from_str(&vscode.stdout).unwrap();
    assert_eq!(servers["servers"]["attio"]["type"], "stdio");
    assert_eq!(servers["servers"]["attio"]["args"], args);

    let codex = run("codex");
    assert_eq!(
        codex.stderr,
        "attio-auth: add this to Codex CLI's ~/.codex/config.toml\n"
    );
    let table: toml::Table = codex.stdout.parse().unwrap();
    let server = &table["mcp_servers"]["attio"];
    assert_eq!(server["command"].as_str(), Some(program.as_str()));
    assert_eq!(
        server["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect::<Vec<_>>(),
        ["mcp", "--profile", "agent"]
    );

    // The entry, run as the host runs it: the bridge answers `initialize`.
    let mut host = std::process::Command::new(entry["command"].as_str().unwrap());
    host.args(["mcp", "--profile", "agent"]);
    for (key, value) in env.cmd(&[]).get_envs() {
        if let Some(value) = value {
            host.env(key, value);
        }
    }
    let mut child = host
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut host = Host {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
    };
    let answer = host.request(1, "initialize", initialize());
    assert_eq!(answer["result"]["serverInfo"]["name"], "fake-attio-mcp");
    drop(host.stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// `attio-auth mcp --profile agent`, and the host's end of it.
fn spawn(env: &TestEnv) -> (std::process::Child, Host) {
    let mut child = env
        .cmd(&["mcp", "--profile", "agent"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let host = Host {
        stdin: child.stdin.take().unwrap(),
        stdout: BufReader::new(child.stdout.take().unwrap()),
    };
    (child, host)
}

/// A bridge for `env`'s profile `agent`, initialized, as a host holds it.
fn bridged(env: &TestEnv) -> (std::process::Child, Host) {
    let (child, mut host) = spawn(env);
    assert!(host.request(1, "initialize", initialize())["result"].is_object());
    host.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    (child, host)
}

#[test]
fn an_endless_event_and_a_redirect_are_errors_for_their_request_only() {
    let (env, hosted) = logged_in(3600);
    let (child, mut host) = bridged(&env);
    let call = |host: &mut Host, id: u64| {
        host.request(
            id,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "x"}}),
        )
    };
    hosted.hostile(crate::fake_hosted::Hostile {
        endless_event: true,
        ..Default::default()
    });
    let endless = call(&mut host, 2);
    assert_eq!(endless["id"], 2, "{endless}");
    assert_eq!(endless["error"]["code"], -32003, "{endless}");
    hosted.hostile(crate::fake_hosted::Hostile {
        redirect: Some("https://evil.example/mcp".into()),
        ..Default::default()
    });
    let moved = call(&mut host, 3);
    assert_eq!(moved["error"]["code"], -32002, "{moved}");
    assert_eq!(
        moved["error"]["message"],
        "the hosted MCP server redirected (HTTP 307); redirects are not followed with the token"
    );
    // The bridge carries on.
    hosted.hostile(crate::fake_hosted::Hostile::default());
    assert_eq!(host.request(4, "ping", json!({}))["result"], json!({}));
    drop(host.stdin);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("attio-auth: warning: mcp: "))
            .count(),
        2,
        "{stderr}"
    );
}

#[test]
fn two_bridges_share_one_login_across_expiries_and_reuse_no_refresh_token() {
    let (env, hosted) = logged_in(3);
    let (first, mut one) = bridged(&env);
    let (second, mut two) = bridged(&env);
    for round in 0..2u64 {
        let expires = hosted.expires_at(&hosted.last_access_token());
        while now() <= expires {
            std::thread::sleep(Duration::from_millis(50));
        }
        let a = one.request(10 + round, "tools/list", json!({}));
        let b = two.request(20 + round, "tools/list", json!({}));
        assert!(
            a["result"].is_object() && b["result"].is_object(),
            "{a} {b}"
        );
    }
    drop(one.stdin);
    drop(two.stdin);
    assert_eq!(first.wait_with_output().unwrap().status.code(), Some(0));
    assert_eq!(second.wait_with_output().unwrap().status.code(), Some(0));
    assert_eq!(hosted.refresh_reuses(), 0);
    // One refresh per expiry between them: the login and two refreshes.
    assert_eq!(hosted.issued().len(), 3, "{:?}", hosted.issued());
}

#[test]
fn the_servers_own_messages_arrive_and_their_stream_is_opened_again_when_it_ends() {
    let (env, hosted) = logged_in(3600);
    let (child, mut host) = bridged(&env);
    let changed = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
    hosted.push(changed.clone());
    assert_eq!(host.receive(), changed);
    // The server (or a proxy on the way) drops the stream: the bridge opens it again,
    // saying which event it saw last, and the next message arrives as well.
    hosted.end_stream();
    let asked = json!({"jsonrpc": "2.0", "id": "s1", "method": "ping"});
    hosted.push(asked.clone());
    assert_eq!(host.receive(), asked);
    drop(host.stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!((output.status.code(), stderr.as_ref()), (Some(0), ""));
    assert_eq!(output.stdout, b"");
    let streams: Vec<_> = hosted
        .seen("/mcp")
        .into_iter()
        // The login's discovery asked without a token.
        .filter(|s| s.method == "GET" && s.authorization.is_some())
        .map(|s| {
            (
                s.header("accept").map(String::from),
                s.header("mcp-session-id").is_some(),
                s.header("last-event-id").map(String::from),
            )
        })
        .collect();
    let accept = Some("text/event-stream".to_string());
    assert_eq!(
        streams,
        [
            (accept.clone(), true, None),
            (accept, true, Some("1".to_string()))
        ]
    );
}

/// The official SDK's MCP server (tests/sdk_server.mjs) on `port` (0: any), accepting
/// only `token`; and its port.
fn sdk_server(port: u16, token: &str) -> (std::process::Child, u16) {
    let sdk = sdk();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk_server.mjs"),
        sdk.join("sdk_server.mjs"),
    )
    .unwrap();
    let mut child = std::process::Command::new("node")
        .arg(sdk.join("sdk_server.mjs"))
        .args([&port.to_string(), token])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let said: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (child, said["port"].as_u64().unwrap() as u16)
}

/// Reads messages until one answers `id`; returns it and the messages before it.
fn until_answer(host: &mut Host, id: u64) -> (Value, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        let message = host.receive();
        if message["id"] == id && message.get("method").is_none() {
            return (message, before);
        }
        before.push(message);
    }
}

#[test]
#[ignore = "needs the MCP TypeScript SDK from npm: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_bridge_works_with_the_official_sdk_server_across_a_dropped_stream_and_a_restart() {
    if !sdk_installed("SDK server test") {
        return;
    }
    let (env, hosted) = logged_in(3600);
    let token = hosted.last_access_token();
    let (mut server, port) = sdk_server(0, &token);
    // The profile's server is the SDK's (its token still comes from the fake's login).
    let url = format!("http://127.0.0.1:{port}/mcp");
    let meta_file = env.meta_file("agent");
    let mut meta: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_file).unwrap()).unwrap();
    meta["mcp"]["url"] = json!(url);
    meta["api_url"] = json!(url);
    std::fs::write(&meta_file, meta.to_string()).unwrap();

    let (child, mut host) = spawn(&env);
    let answer = host.request(1, "initialize", initialize());
    assert_eq!(
        answer["result"]["serverInfo"]["name"], "sdk-server",
        "{answer}"
    );
    host.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let tools = host.request(2, "tools/list", json!({}));
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["echo", "announce", "drop"], "{tools}");
    let call = |id: u64, name: &str| json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": {"text": "hi"}, "_meta": {"progressToken": id}}});
    let text = |answer: &Value| answer["result"]["content"][0]["text"].clone();
    host.send(call(3, "echo"));
    let (answer, before) = until_answer(&mut host, 3);
    assert_eq!(text(&answer), "echo: hi", "{answer}");
    assert_eq!(
        before,
        [
            json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 3, "progress": 1, "total": 2}})
        ]
    );
    let changed = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
    // The server's own message on the GET stream. It travels apart from the answer, so
    // either may come first.
    host.send(call(4, "announce"));
    let (answer, mut before) = until_answer(&mut host, 4);
    assert_eq!(text(&answer), "announced", "{answer}");
    if before.is_empty() {
        before.push(host.receive());
    }
    assert_eq!(before, std::slice::from_ref(&changed));
    // The server ends the GET stream and sends while it is gone: the bridge opens it
    // again with the last event's ID, and the SDK's event store hands over what it missed.
    host.send(call(5, "drop"));
    let (answer, mut before) = until_answer(&mut host, 5);
    assert_eq!(text(&answer), "dropped", "{answer}");
    if before.is_empty() {
        before.push(host.receive());
    }
    assert_eq!(before, [changed]);
    // The server restarts (on the same port) and knows no session: a new one starts.
    server.kill().unwrap();
    server.wait().unwrap();
    let (mut server, _) = sdk_server(port, &token);
    host.send(call(6, "echo"));
    let (answer, _) = until_answer(&mut host, 6);
    assert_eq!(text(&answer), "echo: hi", "{answer}");

    drop(host.stdin);
    let output = child.wait_with_output().unwrap();
    server.kill().unwrap();
    let _ = server.wait();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!((output.status.code(), stderr.as_ref()), (Some(0), ""));
    assert_eq!(output.stdout, b"");
}
