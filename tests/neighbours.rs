//! Hostile neighbours and hostile servers: another local user reading argv and the
//! environment, attacking the listener, or a server echoing our secrets and sending
//! bytes meant for the terminal.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};

use serde_json::json;

use crate::fake_attio::{CLIENT_SECRET, Consent, Echo, Misbehave, Tokens};
#[cfg(target_os = "linux")]
use crate::support::can_chown;
use crate::support::{BROWSER, Run, TestEnv, assert_no_leak, free_port};

/// Writes an executable shell script into the test's home; returns its path.
fn script(env: &TestEnv, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = env.home.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// A browser that runs `body` (which saves a page to `$HOME/page`), then tells the test
/// through a FIFO that it is done: the login may end before the page is on disk.
fn page_browser(env: &TestEnv, body: &str) -> String {
    let saved = env.home.path().join("saved");
    assert!(
        Command::new("mkfifo")
            .arg(&saved)
            .status()
            .unwrap()
            .success()
    );
    script(
        env,
        "page-browser",
        &format!("{body}\necho saved > \"$HOME/saved\""),
    )
}

/// The page a `page_browser` saved, once it says it has.
fn saved_page(env: &TestEnv) -> String {
    let saved = std::fs::read_to_string(env.home.path().join("saved")).unwrap();
    assert_eq!(saved, "saved\n");
    std::fs::read_to_string(env.home.path().join("page")).unwrap()
}

/// Logs in through the fake with `browser` as `BROWSER`.
fn login_with(env: &TestEnv, browser: &str) -> Run {
    env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("BROWSER", browser)],
    )
}

/// A login that has bound its listener and printed its URL, still waiting.
struct Waiting {
    child: Child,
    port: u16,
    head: String,
    rest: JoinHandle<String>,
}

impl Waiting {
    /// Starts `attio-auth login` through `sh -c "PRELUDE exec attio-auth login …"` and
    /// waits until it says where to authorize (its listener is bound by then).
    fn start(env: &TestEnv, prelude: &str, vars: &[(&str, &str)]) -> Self {
        Self::start_as(env, prelude, "", vars)
    }

    /// Like `start`, with the binary run by `wrapper` (which execs it in place).
    fn start_as(env: &TestEnv, prelude: &str, wrapper: &str, vars: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut cmd = env.wrapper("sh");
        cmd.args([
            "-c",
            &format!(
                "{prelude}exec {wrapper} {} login --port {port} --timeout 40",
                env!("CARGO_BIN_EXE_attio-auth")
            ),
        ]);
        for (key, value) in vars {
            cmd.env(key, value);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            assert_ne!(
                stderr.read_line(&mut line).unwrap(),
                0,
                "login ended: {head}"
            );
            head.push_str(&line);
            if line.contains("Open this URL") {
                break;
            }
        }
        let rest = thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            rest
        });
        Waiting {
            child,
            port,
            head,
            rest,
        }
    }

    /// Peak resident memory so far, in KiB (Linux).
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// Waits for the login to end; one still running after 90 s is killed (a hang fails
    /// the test instead of blocking it).
    fn finish(mut self) -> Run {
        let pid = self.child.id() as i32;
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let watchdog = thread::spawn(move || {
            if finished
                .recv_timeout(std::time::Duration::from_secs(90))
                .is_err()
            {
                // SAFETY: kill(2) on our own child, which has not been reaped yet.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        });
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let status = self.child.wait().unwrap();
        let _ = done.send(());
        let _ = watchdog.join();
        Run {
            code: status.code().unwrap_or(128 + 9),
            stdout,
            stderr: self.head + &self.rest.join().unwrap(),
        }
    }
}

/// A browser that waits until the test opens the gate (a FIFO), then follows the URL.
fn gated_browser(env: &TestEnv) -> (String, PathBuf) {
    let gate = env.home.path().join("gate");
    let made = Command::new("mkfifo").arg(&gate).status().unwrap();
    assert!(made.success());
    let browser = script(
        env,
        "gated-browser",
        &format!("read _ < \"$HOME/gate\"\nexec {BROWSER} \"$1\""),
    );
    (browser, gate)
}

/// Runs `attack` against a waiting login's listener, then lets the real browser through:
/// the login must still complete, with peak memory under 64 MiB.
fn login_survives(prelude: &str, attack: impl FnOnce(u16)) {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let (browser, gate) = gated_browser(&env);
    let waiting = Waiting::start(&env, prelude, &[("BROWSER", &browser)]);
    attack(waiting.port);
    let peak = waiting.peak_kib();
    std::fs::write(&gate, "go\n").unwrap();
    let run = waiting.finish();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(peak < 64 * 1024, "peak memory {peak} KiB");
    assert_eq!(env.fake.token_requests("authorization_code").len(), 1);
}

fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port)).unwrap()
}

#[test]
fn a_huge_content_length_does_not_crash_the_listener() {
    login_survives("", |port| {
        let mut stream = connect(port);
        stream
            .write_all(
                b"GET /callback HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1099511627776\r\n\r\n",
            )
            .unwrap();
        // The answer comes without the body ever being read.
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 "), "{answer:?}");
    });
}

#[test]
fn an_endless_header_line_is_cut_off() {
    login_survives("", |port| {
        let mut stream = connect(port);
        let chunk = vec![b'a'; 1024 * 1024];
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nX-Big: ");
        let mut sent = 0;
        while sent < 256 && stream.write_all(&chunk).is_ok() {
            sent += 1;
        }
        assert!(sent < 256, "the listener read 256 MiB of one header");
    });
}

#[test]
fn a_flood_of_pipelined_requests_that_are_never_read_does_not_block_it() {
    login_survives("", |port| {
        let mut stream = connect(port);
        stream
            .set_write_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let request = b"GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(200_000);
        // Kept open and never read: the answers pile up on the listener's side.
        let _ = stream.write_all(&request);
        std::mem::forget(stream);
    });
}

#[test]
fn idle_connections_cannot_exhaust_its_file_descriptors() {
    // A soft limit of 256 descriptors, as a cautious system might set; attio-auth raises
    // its own to the hard limit.
    login_survives("ulimit -Sn 256; ", |port| {
        let idle: Vec<TcpStream> = (0..300).map(|_| connect(port)).collect();
        std::mem::forget(idle);
    });
}

#[test]
fn the_browser_gets_no_login_secret_in_its_argv_or_environment() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let browser = script(
        &env,
        "recording-browser",
        &format!(
            "printf '%s\\n' \"$0\" \"$@\" > \"$HOME/argv\"\nenv > \"$HOME/environ\"\nexec {BROWSER} \"$1\""
        ),
    );
    let run = login_with(&env, &browser);
    assert_eq!(run.code, 0, "{run:?}");
    let argv = std::fs::read_to_string(env.home.path().join("argv")).unwrap();
    let environ = std::fs::read_to_string(env.home.path().join("environ")).unwrap();
    let authorize = &env.fake.seen("/authorize")[0].query;
    let verifier = &env.fake.token_requests("authorization_code")[0].form["code_verifier"];
    for secret in [&authorize["state"], &authorize["code_challenge"], verifier] {
        assert!(!argv.contains(secret.as_str()), "{argv}");
        assert!(!environ.contains(secret.as_str()), "{environ}");
    }
    assert!(argv.contains("/start/"), "{argv}");
    assert!(
        !environ.contains(CLIENT_SECRET),
        "the browser gets no client secret"
    );
    // The user's own terminal still shows the full authorize URL, for remote use.
    assert!(run.stderr.contains(&authorize["state"]), "{run:?}");
}

#[test]
fn a_second_fetch_of_the_start_url_ends_the_login() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // Another program fetched the start URL first; then the browser does.
    let browser = page_browser(
        &env,
        "curl --silent --output /dev/null \"$1\"\ncurl --silent --output \"$HOME/page\" \"$1\"",
    );
    let run = login_with(&env, &browser);
    assert_eq!((run.code, run.stdout.as_str()), (4, ""), "{run:?}");
    assert!(
        run.stderr
            .contains("another program opened this login's URL"),
        "{run:?}"
    );
    assert!(env.fake.seen("/oauth/token").is_empty());
    let page = saved_page(&env);
    assert!(page.contains("terminal"), "{page}");
}

#[cfg(target_os = "linux")]
#[test]
fn another_users_browser_cannot_take_the_login() {
    if !can_chown() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // The neighbour polls /proc, finds the URL and fetches it first, as uid 65534.
    let browser = script(
        &env,
        "neighbour-first",
        &format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups curl --silent --output /dev/null --write-out '%{{http_code}}' \"$1\" > \"$HOME/neighbour\"\nexec {BROWSER} \"$1\""
        ),
    );
    let run = login_with(&env, &browser);
    assert_eq!(run.code, 0, "{run:?}");
    let neighbour = std::fs::read_to_string(env.home.path().join("neighbour")).unwrap();
    assert_eq!(neighbour, "403");
    assert_eq!(
        env.fake.seen("/authorize").len(),
        1,
        "only our browser got there"
    );
}

#[test]
fn secrets_echoed_back_in_any_encoding_are_never_shown() {
    for echo in Echo::ALL {
        // The code exchange.
        let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
        env.fake.state().echo = Some(echo);
        let run = env.login(&["--verbose"]);
        assert_eq!(run.code, 4, "{echo:?}: {run:?}");
        assert_no_leak(&env, &run, &format!("exchange, {echo:?}"));

        // A refresh, and /v2/self.
        let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
        env.logged_in(&[]);
        env.fake.state().echo = Some(echo);
        let refresh = env.run(&["refresh", "--verbose"]);
        assert_eq!(refresh.code, 3, "{echo:?}: {refresh:?}");
        assert_no_leak(&env, &refresh, &format!("refresh, {echo:?}"));
        let whoami = env.run(&["whoami", "--verbose"]);
        assert_eq!(whoami.code, 3, "{echo:?}: {whoami:?}");
        assert_no_leak(&env, &whoami, &format!("whoami, {echo:?}"));
    }
}

#[test]
fn the_browsers_error_page_never_shows_server_text() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // An HTML error page from a proxy, in place of the token endpoint's answer.
    env.fake
        .misbehave("/oauth/token", Misbehave::Status(400, None), usize::MAX);
    let browser = page_browser(
        &env,
        "curl --silent --location --max-time 30 --output \"$HOME/page\" \"$1\"",
    );
    let run = login_with(&env, &browser);
    assert_eq!(run.code, 1, "{run:?}");
    let page = saved_page(&env);
    assert!(page.contains("terminal"), "{page}");
    assert!(!page.contains("nginx") && !page.contains("502"), "{page}");
}

#[test]
fn tokens_that_are_not_bearer_tokens_are_refused_and_never_stored_or_printed() {
    let injected = "at_good\r\nX-Injected: 1\r\nHost: evil.example";
    let answers = [
        json!({"access_token": injected, "token_type": "Bearer"}),
        json!({"access_token": "", "token_type": "Bearer"}),
        json!({"access_token": "x".repeat(20_000), "token_type": "Bearer"}),
    ];
    for answer in answers {
        let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
        env.fake
            .misbehave("/oauth/token", Misbehave::Json(answer.clone()), usize::MAX);
        let run = env.login(&[]);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(run.stderr.contains("not a valid bearer token"), "{run:?}");
        assert!(!run.stderr.contains("X-Injected"), "{run:?}");
        assert!(!env.meta_file("default").exists(), "nothing stored");
    }

    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    for value in ["sk_a\r\nX-Injected: 1", "sk_\u{1b}]52;c;ZXZpbA==\u{7}"] {
        let run = env.run_with(&["token", "--header"], &[("ATTIO_API_KEY", value)]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{run:?}");
        assert!(run.stderr.contains("ATTIO_API_KEY"), "{run:?}");
        assert!(!run.stderr.contains('\u{1b}'), "{run:?}");
    }
    let long = "sk_".to_string() + &"a".repeat(9000);
    let run = env.run_stdin(&["login", "--with-token"], &long);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(env.fake.seen("/v2/self").is_empty(), "never sent anywhere");
}

#[test]
fn terminal_control_sequences_from_a_server_are_escaped() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.state().workspace_name = "Acme\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J".into();
    env.logged_in(&[]);
    let whoami = env.run(&["whoami"]);
    assert_eq!(whoami.code, 0, "{whoami:?}");
    assert!(!whoami.stdout.contains('\u{1b}'), "{whoami:?}");
    assert!(!whoami.stdout.contains('\u{7}'), "{whoami:?}");
    assert!(whoami.stdout.contains("Acme"), "{whoami:?}");

    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    env.logged_in(&[]);
    env.fake.misbehave(
        "/oauth/token",
        Misbehave::Json(json!({"error": "invalid_grant", "error_description": "gone\u{1b}[2J\u{1b}]0;owned\u{7}"})),
        1,
    );
    let refresh = env.run(&["refresh"]);
    assert!(!refresh.stderr.contains('\u{1b}'), "{refresh:?}");
}

#[test]
fn exec_never_hands_the_client_secret_to_its_command() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.logged_in(&[]);
    let run = env.run(&[
        "exec",
        "--",
        "sh",
        "-c",
        "printf '%s' \"${ATTIO_CLIENT_SECRET-unset}\"",
    ]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "unset"), "{run:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_login_in_progress_cannot_dump_core_and_is_not_dumpable() {
    use std::os::unix::fs::MetadataExt;
    if !can_chown() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // Run as an unprivileged user, whose /proc entries root would own only if the
    // process made itself non-dumpable.
    let outer = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(outer.path(), Some(65534), Some(65534)).unwrap();
    let home = outer.path().display().to_string();
    let config = format!("{home}/config");
    let data = format!("{home}/data");
    let waiting = Waiting::start_as(
        &env,
        "ulimit -c unlimited; ",
        "setpriv --reuid=65534 --regid=65534 --clear-groups",
        &[
            ("HOME", &home),
            ("XDG_CONFIG_HOME", &config),
            ("XDG_DATA_HOME", &data),
            ("BROWSER", "true"),
        ],
    );
    let pid = waiting.child.id();
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let environ_owner = std::fs::metadata(format!("/proc/{pid}/environ"))
        .unwrap()
        .uid();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let mut waiting = waiting;
    let _ = waiting.child.kill();
    let _ = waiting.child.wait();
    assert!(status.contains("Uid:\t65534"), "{status}");
    let core: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .split_whitespace()
        .skip(4)
        .take(2)
        .collect();
    // No core file (soft limit 0); the hard limit is left as it was, so the programs a
    // login starts may raise theirs again.
    let ours = std::fs::read_to_string("/proc/self/limits").unwrap();
    let our_hard = ours
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .split_whitespace()
        .nth(5)
        .unwrap()
        .to_string();
    assert_eq!(core, ["0", our_hard.as_str()], "{limits}");
    assert_eq!(
        environ_owner, 0,
        "PR_SET_DUMPABLE 0 hands /proc/PID to root"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn another_user_flooding_the_listener_cannot_evict_the_browser_s_connection() {
    if !can_chown() || !crate::support::have("setpriv", "apt-get install util-linux") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // uid 65534 opens 100 idle connections (more than the 64 waiting slots) after the
    // browser has connected and before it sends its request, and says `ready` once the
    // listener has closed one of them: by then it has accepted enough of them to be full.
    let flood = r#"import select, socket, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
held = [socket.create_connection((p.hostname, p.port)) for _ in range(100)]
readable, _, _ = select.select(held, [], [], 30)
print("ready", flush=True)
sys.stdin.read()"#;
    // The browser, as us: connects, lets the neighbour flood, then sends its request
    // on the same connection, and follows the redirect with curl.
    let slow_browser = format!(
        r#"import socket, subprocess, sys, urllib.parse as u
url = sys.argv[1]
p = u.urlsplit(url)
s = socket.create_connection((p.hostname, p.port))
flood = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
    "/usr/bin/python3", "-c", sys.argv[2], url], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
flood.stdout.readline()
target = p.path + ("?" + p.query if p.query else "")
s.sendall(f"GET {{target}} HTTP/1.1\r\nHost: {{p.netloc}}\r\n\r\n".encode())
reply = b""
while b"\r\n\r\n" not in reply:
    chunk = s.recv(4096)
    if not chunk:
        break
    reply += chunk
flood.stdin.close()
flood.wait()
location = [l.split(":", 1)[1].strip() for l in reply.decode().split("\r\n") if l.lower().startswith("location:")]
if not location:
    sys.exit("evicted: " + repr(reply))
subprocess.run("{BROWSER} '" + location[0] + "'", shell=True)"#
    );
    std::fs::write(env.home.path().join("browser.py"), slow_browser).unwrap();
    std::fs::write(env.home.path().join("flood.py"), flood).unwrap();
    let browser = script(
        &env,
        "slow-browser",
        "exec /usr/bin/python3 \"$HOME/browser.py\" \"$1\" \"$(cat \"$HOME/flood.py\")\" 2> \"$HOME/browser.err\"",
    );
    let run = login_with(&env, &browser);
    let said = std::fs::read_to_string(env.home.path().join("browser.err")).unwrap_or_default();
    assert_eq!(
        run.code, 0,
        "the browser's connection survived: {run:?}\n{said}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn another_user_who_resets_the_start_connection_cannot_end_the_login() {
    if !can_chown() || !crate::support::have("setpriv", "apt-get install util-linux") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // The neighbour fetches the start URL first as uid 65534 and resets the connection at
    // once (SO_LINGER 0), so that its socket is gone before the listener looks it up.
    let reset = r#"import socket, struct, sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
s = socket.create_connection((p.hostname, p.port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.sendall(f"GET {p.path} HTTP/1.1\r\nHost: {p.netloc}\r\n\r\n".encode())
s.close()"#;
    let browser = script(
        &env,
        "neighbour-resets",
        &format!(
            "setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '{reset}' \"$1\" 2> \"$HOME/neighbour\"\nexec {BROWSER} \"$1\""
        ),
    );
    let run = login_with(&env, &browser);
    let neighbour = std::fs::read_to_string(env.home.path().join("neighbour")).unwrap();
    assert_eq!(neighbour, "", "the neighbour's request was sent");
    assert_eq!(
        run.code, 0,
        "the login is not ended by the neighbour: {run:?}"
    );
    assert_eq!(
        env.fake.seen("/authorize").len(),
        1,
        "only our browser got there"
    );
}
