//! Stand-in browsers and a login that waits, for the listener and secrets tests.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};

use crate::fake_attio::{Consent, Tokens};
use crate::support::{BROWSER, Run, TestEnv, free_port};

/// Writes an executable shell script into the test's home; returns its path.
pub fn script(env: &TestEnv, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = env.home.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// A browser that runs `body` (which saves a page to `$HOME/page`), then tells the test
/// through a FIFO that it is done: the login may end before the page is on disk.
pub fn page_browser(env: &TestEnv, body: &str) -> String {
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
pub fn saved_page(env: &TestEnv) -> String {
    let saved = std::fs::read_to_string(env.home.path().join("saved")).unwrap();
    assert_eq!(saved, "saved\n");
    std::fs::read_to_string(env.home.path().join("page")).unwrap()
}

/// Logs in through the fake with `browser` as `BROWSER`.
pub fn login_with(env: &TestEnv, browser: &str) -> Run {
    env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[("BROWSER", browser)],
    )
}

/// A login that has bound its listener and printed its URL, still waiting.
pub struct Waiting {
    pub child: Child,
    pub port: u16,
    pub head: String,
    pub rest: JoinHandle<String>,
}

impl Waiting {
    /// Starts `attio-auth login` through `sh -c "PRELUDE exec attio-auth login …"` and
    /// waits until it says where to authorize (its listener is bound by then).
    pub fn start(env: &TestEnv, prelude: &str, vars: &[(&str, &str)]) -> Self {
        Self::start_as(env, prelude, "", vars)
    }

    /// Like `start`, with the binary run by `wrapper` (which execs it in place).
    pub fn start_as(env: &TestEnv, prelude: &str, wrapper: &str, vars: &[(&str, &str)]) -> Self {
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
    pub fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// Waits for the login to end; one still running after 90 s is killed (a hang fails
    /// the test instead of blocking it).
    pub fn finish(mut self) -> Run {
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
pub fn gated_browser(env: &TestEnv) -> (String, PathBuf) {
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
pub fn login_survives(prelude: &str, attack: impl FnOnce(u16)) {
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

pub fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port)).unwrap()
}
