//! Builds hermetic `attio-auth` commands: a temporary HOME and XDG directories, the tool's
//! own environment variables cleared, the file store, and a fake Attio on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

use crate::fake_attio::{self, Consent, FakeAttio, Tokens};

/// The browser the tests use: follows the authorize URL and the redirect to the listener.
pub const BROWSER: &str = "curl --silent --output /dev/null --location --max-time 30";

pub struct TestEnv {
    pub home: TempDir,
    pub fake: FakeAttio,
    /// Set when the tests run the Windows build under Wine (`ATTIO_AUTH_UNDER_WINE`).
    wine: Option<UnderWine>,
}

/// The Windows build, run under Wine in a prefix of this test's own (a copy of one
/// template prefix per test process, see `tests/wine/prefix.sh`): its files live in the
/// prefix's `AppData`, since a Windows program ignores HOME and XDG_*.
struct UnderWine {
    exe: PathBuf,
    prefix: PathBuf,
}

/// `ATTIO_AUTH_UNDER_WINE`: the Windows build to run in place of the ordinary one.
fn under_wine() -> Option<PathBuf> {
    std::env::var_os("ATTIO_AUTH_UNDER_WINE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The template prefix, made once per test process.
fn wine_template() -> &'static Path {
    static TEMPLATE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let prefix = tempfile::tempdir().unwrap().keep().join("prefix");
        make_wine_prefix(&prefix);
        prefix
    })
}

/// Makes a Wine prefix with `tests/wine/prefix.sh`, saying what it says (the ProcessPrng
/// stand-in, when this Wine lacks the real one).
pub fn make_wine_prefix(prefix: &Path) {
    let made = Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wine/prefix.sh"))
        .arg(prefix)
        .output()
        .unwrap();
    assert!(made.status.success(), "tests/wine/prefix.sh: {made:?}");
    let said = String::from_utf8_lossy(&made.stdout);
    if !said.trim().is_empty() {
        say(said.trim());
    }
}

/// The variables a program run in a Wine prefix needs.
pub fn wine_vars(prefix: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    let mut vars = vec![
        ("WINEPREFIX", prefix.as_os_str().to_owned()),
        ("WINEDEBUG", "-all".into()),
    ];
    // Wine names the prefix's user directory after the Unix user.
    if let Some(user) = std::env::var_os("USER") {
        vars.push(("USER", user));
    }
    vars
}

impl UnderWine {
    /// A prefix of its own in `home`: the template's files hard-linked (Wine never
    /// writes them), its registry and user directory copied (it writes those).
    fn new(exe: PathBuf, home: &Path) -> Self {
        let template = wine_template();
        let prefix = home.join("wine-prefix");
        let copy = |args: &[&std::ffi::OsStr]| {
            let status = Command::new("cp").args(args).status().unwrap();
            assert!(status.success(), "cp {args:?}");
        };
        copy(&["-al".as_ref(), template.as_os_str(), prefix.as_os_str()]);
        for name in ["system.reg", "user.reg", "userdef.reg"] {
            std::fs::remove_file(prefix.join(name)).unwrap();
            std::fs::copy(template.join(name), prefix.join(name)).unwrap();
        }
        let users = prefix.join("drive_c/users");
        std::fs::remove_dir_all(&users).unwrap();
        copy(&[
            "-a".as_ref(),
            template.join("drive_c/users").as_os_str(),
            users.as_os_str(),
        ]);
        UnderWine { exe, prefix }
    }

    /// `%APPDATA%` or `%LOCALAPPDATA%` of the prefix's user.
    fn app_data(&self, which: &str) -> PathBuf {
        app_data(&self.prefix, which)
    }
}

impl Drop for UnderWine {
    fn drop(&mut self) {
        stop_wineserver(&self.prefix);
    }
}

/// `%APPDATA%` (`Roaming`) or `%LOCALAPPDATA%` (`Local`) of a Wine prefix's user.
pub fn app_data(prefix: &Path, which: &str) -> PathBuf {
    let users = prefix.join("drive_c/users");
    std::fs::read_dir(&users)
        .unwrap()
        .flatten()
        .map(|entry| entry.path().join("AppData").join(which))
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| panic!("no user with AppData/{which} in {}", users.display()))
}

/// Stops a Wine prefix's wineserver (and so every program left running in it).
pub fn stop_wineserver(prefix: &Path) {
    let _ = Command::new("wineserver")
        .arg("-k")
        .env("WINEPREFIX", prefix)
        .stderr(Stdio::null())
        .status();
}

/// What a finished command did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output
                .status
                .code()
                .expect("exited normally, not by a signal"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Run {
    /// Asserts the whole outcome at once: the exit status, stdout and stderr, each
    /// exactly, as fd's `assert_output` and ripgrep's `eqnice!` do, so that an unexpected
    /// extra line fails the test. On a mismatch it shows what was expected beside what
    /// was found, and the first line that differs.
    #[track_caller]
    pub fn expect(&self, code: i32, stdout: &str, stderr: &str) {
        if (self.code, self.stdout.as_str(), self.stderr.as_str()) == (code, stdout, stderr) {
            return;
        }
        let first_difference = |expected: &str, found: &str| -> String {
            let (mut e, mut f) = (expected.lines(), found.lines());
            for number in 1.. {
                match (e.next(), f.next()) {
                    (None, None) => return String::new(),
                    (a, b) if a != b => {
                        return format!(
                            "line {number}: expected {:?}, found {:?}",
                            a.unwrap_or("(end)"),
                            b.unwrap_or("(end)")
                        );
                    }
                    _ => {}
                }
            }
            unreachable!()
        };
        panic!(
            "\nexpected: exit {code}\n--- stdout\n{stdout}--- stderr\n{stderr}---\nfound: {self:?}---\nstdout {}\nstderr {}\nfound, quoted: {}, {:?}, {:?}\n",
            first_difference(stdout, &self.stdout),
            first_difference(stderr, &self.stderr),
            self.code,
            self.stdout,
            self.stderr,
        );
    }
}

impl Run {
    /// [`Run::expect`] for a browser login, whose stderr opens with the start URL (a fresh
    /// `state` and PKCE challenge each time) and the line saying how long it waits: that
    /// opening must be there, and everything after it must be `after`, exactly.
    #[track_caller]
    pub fn expect_after_prompt(&self, code: i32, stdout: &str, after: &str) {
        let opening = self
            .stderr
            .starts_with("Open this URL in a browser to authorize attio-auth in Attio:\n\n    http")
            .then(|| self.stderr.find("\nWaiting up to "))
            .flatten()
            .and_then(|at| self.stderr[at + 1..].find('\n').map(|end| at + 1 + end + 1));
        let Some(end) = opening else {
            panic!("no start URL and wait line open stderr: {self:?}");
        };
        Run {
            code: self.code,
            stdout: self.stdout.clone(),
            stderr: self.stderr[end..].to_string(),
        }
        .expect(code, stdout, after);
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl TestEnv {
    pub fn new(consent: Consent, tokens: Tokens) -> Self {
        Self::around(FakeAttio::start(consent, tokens))
    }

    /// An environment whose commands go to `fake`.
    pub fn around(fake: FakeAttio) -> Self {
        let home = tempfile::tempdir().unwrap();
        let wine = under_wine().map(|exe| UnderWine::new(exe, home.path()));
        Self { home, fake, wine }
    }

    /// A command with nothing from the developer's environment but PATH: attio-auth, or
    /// under `ATTIO_AUTH_UNDER_WINE` the Windows build under Wine.
    pub fn cmd(&self, args: &[&str]) -> Command {
        match &self.wine {
            Some(wine) => {
                let mut cmd = self.cmd_of(&["wine".as_ref(), wine.exe.as_os_str()], args);
                cmd.envs(wine_vars(&wine.prefix));
                cmd
            }
            None => self.cmd_of(&[env!("CARGO_BIN_EXE_attio-auth").as_ref()], args),
        }
    }

    /// attio-auth as a shell runs it: the binary, or under Wine a script in the test's
    /// home that runs the Windows build there.
    pub fn program(&self) -> String {
        match &self.wine {
            Some(wine) => {
                let script = self.home.path().join("attio-auth-under-wine");
                if !script.exists() {
                    write_script(
                        &script,
                        &format!("#!/bin/sh\nexec wine '{}' \"$@\"\n", wine.exe.display()),
                    );
                }
                script.display().to_string()
            }
            None => env!("CARGO_BIN_EXE_attio-auth").to_string(),
        }
    }

    /// Whether the Windows build runs the tests, under Wine.
    pub fn under_wine(&self) -> bool {
        self.wine.is_some()
    }

    /// attio-auth as `exec` runs it as its command: the binary, or under Wine the
    /// Windows build (a Unix program started by a Windows one under Wine runs, but
    /// cannot be waited for).
    pub fn program_for_exec(&self) -> String {
        match &self.wine {
            Some(wine) => wine.exe.display().to_string(),
            None => env!("CARGO_BIN_EXE_attio-auth").to_string(),
        }
    }

    /// A path as attio-auth shows it: as is, or under Wine as Windows names it
    /// (`C:\users\…` for the prefix's `drive_c/users/…`).
    pub fn shown(&self, path: &Path) -> String {
        match &self.wine {
            Some(wine) => match path.strip_prefix(wine.prefix.join("drive_c")) {
                Ok(inside) => format!("C:\\{}", inside.display()).replace('/', "\\"),
                Err(_) => path.display().to_string(),
            },
            None => path.display().to_string(),
        }
    }

    /// For a test of something only the Unix build has or does (strace, signals, file
    /// modes): under Wine it says so, loudly, and the test ends there. This is the
    /// runtime form of a `cfg(unix)` gate, since the harness itself runs on Linux.
    pub fn unix_only(&self, what: &str) -> bool {
        if self.wine.is_some() {
            say(&format!("not run against the Windows build: {what}"));
        }
        self.wine.is_some()
    }

    /// The browser command the tests use: [`BROWSER`], with curl by its absolute path
    /// under Wine (a Windows program finds programs on Wine's own PATH, not the host's;
    /// by path it runs the host's curl).
    pub fn browser(&self) -> String {
        match &self.wine {
            Some(_) => {
                let curl = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                    .map(|dir| dir.join("curl"))
                    .find(|p| p.is_file())
                    .expect("curl is installed");
                BROWSER.replacen("curl", &curl.display().to_string(), 1)
            }
            None => BROWSER.to_string(),
        }
    }

    /// `cmd` for another build of attio-auth: `program` is the program and its leading
    /// arguments (a musl binary; `wine attio-auth.exe`).
    pub fn cmd_of(&self, program: &[&std::ffi::OsStr], args: &[&str]) -> Command {
        let home = self.home.path();
        let mut cmd = Command::new(program[0]);
        cmd.args(&program[1..])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("ATTIO_AUTH_STORE", "file")
            .env("ATTIO_APP_URL", &self.fake.url)
            .env("ATTIO_API_URL", &self.fake.url)
            .env("ATTIO_CLIENT_ID", fake_attio::CLIENT_ID)
            .env("ATTIO_CLIENT_SECRET", fake_attio::CLIENT_SECRET)
            .env("BROWSER", self.browser())
            // No session bus: the developer's own keyring must never be reached.
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", home.join("no-bus").display()),
            )
            .stdin(Stdio::null());
        cmd
    }

    /// Starts `attio-auth ARGS` (a refresh) with the fake holding its refresh answer for
    /// `latency`, and returns once the refresh request has reached the fake. Its output
    /// is piped.
    pub fn refresh_in_flight(
        &self,
        args: &[&str],
        latency: std::time::Duration,
    ) -> std::process::Child {
        let (arrived, refresh_seen) = std::sync::mpsc::channel();
        self.fake.set_refresh_latency(latency);
        self.fake.tell_refreshes(arrived);
        let child = self
            .cmd(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run attio-auth");
        refresh_seen
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the refresh reached the fake");
        child
    }

    /// Leaves the default profile with a refresh whose outcome is unknown: the process
    /// is killed while its refresh request is at the fake.
    pub fn refresh_left_unfinished(&self) {
        let mut child = self.refresh_in_flight(&["refresh"], std::time::Duration::from_secs(2));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Runs a command to completion.
    pub fn run(&self, args: &[&str]) -> Run {
        self.cmd(args).output().expect("run attio-auth").into()
    }

    /// Runs a command with extra environment variables.
    pub fn run_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.cmd(args);
        for (key, value) in vars {
            cmd.env(key, value);
        }
        cmd.output().expect("run attio-auth").into()
    }

    /// A command for `program` (a shell, timeout(1), script(1)) that wraps attio-auth,
    /// with this environment's hermetic variables and nothing else.
    pub fn wrapper(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear();
        for (key, value) in self.cmd(&[]).get_envs() {
            if let Some(value) = value {
                cmd.env(key, value);
            }
        }
        cmd
    }

    /// Runs a command under timeout(1), so that a hang fails the test (exit 124) instead
    /// of blocking it.
    pub fn run_bounded(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.wrapper("timeout");
        cmd.args(["--kill-after=5", "60", env!("CARGO_BIN_EXE_attio-auth")])
            .args(args)
            .stdin(Stdio::null());
        for (key, value) in vars {
            cmd.env(key, value);
        }
        cmd.output().expect("run timeout").into()
    }

    /// Starts all the commands at once, then waits for each.
    pub fn run_all(&self, commands: &[&[&str]]) -> Vec<Run> {
        let children: Vec<_> = commands
            .iter()
            .map(|args| {
                self.cmd(args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("run attio-auth")
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap().into())
            .collect()
    }

    /// Runs a command with `input` on its stdin.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run attio-auth");
        // The command may exit before reading it all (a usage error): that is its answer.
        let _ = std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes());
        child.wait_with_output().unwrap().into()
    }

    /// A command that runs `attio-auth ARGS` on a pseudo-terminal through script(1), with
    /// this environment's hermetic variables plus `vars`.
    pub fn on_terminal(&self, args: &str, vars: &[(&str, &str)]) -> Command {
        self.on_terminal_of(100, args, vars)
    }

    /// `on_terminal`, on a terminal `columns` wide.
    pub fn on_terminal_of(&self, columns: u16, args: &str, vars: &[(&str, &str)]) -> Command {
        // The no-op trap keeps the wrapping shell alive through a Ctrl-C sent to the
        // terminal (attio-auth gets default signal handling back at exec).
        let command = format!(
            "trap : INT; stty cols {columns} rows 30; {} {args}",
            env!("CARGO_BIN_EXE_attio-auth")
        );
        let mut script = self.wrapper("script");
        script.args(["--quiet", "--return", "--command", &command, "/dev/null"]);
        for (key, value) in vars {
            script.env(key, value);
        }
        script
    }

    /// Logs in through the fake browser on a free port, with a short timeout.
    pub fn login(&self, extra: &[&str]) -> Run {
        let mut args = vec!["login", "--port", "0", "--timeout", "20"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Logs in and checks that it worked.
    pub fn logged_in(&self, extra: &[&str]) -> Run {
        let run = self.login(extra);
        assert_eq!(run.code, 0, "{run:?}");
        run
    }

    pub fn config_dir(&self) -> PathBuf {
        match &self.wine {
            Some(wine) => wine.app_data("Roaming").join("attio-auth"),
            None => self.home.path().join("config/attio-auth"),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        match &self.wine {
            Some(wine) => wine.app_data("Local").join("attio-auth"),
            None => self.home.path().join("data/attio-auth"),
        }
    }

    /// The file store's document for a profile.
    pub fn credentials_file(&self, profile: &str) -> PathBuf {
        self.data_dir()
            .join("credentials")
            .join(format!("{profile}.json"))
    }

    pub fn meta_file(&self, profile: &str) -> PathBuf {
        self.config_dir()
            .join("profiles")
            .join(format!("{profile}.json"))
    }
}

/// The JSON document the file store holds for a profile.
pub fn stored_document(env: &TestEnv, profile: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(env.credentials_file(profile)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Replaces the file store's document for a profile.
pub fn store_document(env: &TestEnv, profile: &str, document: &serde_json::Value) {
    std::fs::write(env.credentials_file(profile), document.to_string()).unwrap();
}

/// Whether this process may give files to another user (tests of foreign files need
/// it). Outside CI a test that needs it is skipped with a loud message; under
/// `CI=true` (where tests run as root) it fails instead.
#[cfg(unix)]
pub fn can_chown() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    not_run("foreign-owner test NOT RUN: it needs root to give a file to another user");
    false
}

/// Says loudly that a test cannot run here; under `CI=true` that is a failure. libtest
/// counts the test as passed, so it is also put on record for `tests/not_run.rs`, which
/// cargo runs next and which names every test that did not run, and why.
pub fn not_run(message: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{message}; CI=true requires it to run"
    );
    say(message);
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if let Some(record) = not_run_record() {
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(record)
            .and_then(|mut file| {
                std::io::Write::write_all(&mut file, format!("{test}\t{message}\n").as_bytes())
            });
    }
}

/// Where this `cargo test`'s tests that did not run are recorded: one file per cargo
/// process (the parent of every test binary it runs).
#[cfg(unix)]
pub fn not_run_record() -> Option<PathBuf> {
    let cargo = std::os::unix::process::parent_id();
    Some(Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("not-run-{cargo}")))
}

#[cfg(not(unix))]
pub fn not_run_record() -> Option<PathBuf> {
    None
}

/// Says something the person running the tests must see, between `***`.
pub fn say(message: &str) {
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("\n*** {message} ***\n").as_bytes(),
    );
}

/// Whether `tool` is on PATH; when it is not, says so loudly (a failure under `CI=true`)
/// with the command that installs it.
pub fn have(tool: &str, install: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        not_run(&format!(
            "test NOT RUN: {tool} is not installed ({install})"
        ));
    }
    found
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Every file below `dir`, recursively, without following symbolic links.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// Whether `text` holds an 8-character piece of `secret`, as is, in another case,
/// percent-decoded or JSON-unescaped.
pub fn leaks(text: &str, secret: &str) -> bool {
    let percent = url::form_urlencoded::parse(text.replace('+', "%2B").as_bytes())
        .map(|(k, v)| format!("{k}{v}"))
        .collect::<String>();
    let mut json = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\\u") {
        json.push_str(&rest[..at]);
        let hex = rest.get(at + 2..at + 6).unwrap_or("");
        match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
            Some(c) => {
                json.push(c);
                rest = &rest[at + 6..];
            }
            None => {
                json.push_str("\\u");
                rest = &rest[at + 2..];
            }
        }
    }
    json.push_str(rest);
    let secret = secret.to_lowercase();
    let chars: Vec<char> = secret.chars().collect();
    [
        text.to_lowercase(),
        percent.to_lowercase(),
        json.to_lowercase(),
    ]
    .iter()
    .any(|view| {
        chars
            .windows(8)
            .any(|w| view.contains(&w.iter().collect::<String>()))
    })
}

/// Fails when any secret the fake knows shows in what a run printed.
pub fn assert_no_leak(env: &TestEnv, run: &Run, what: &str) {
    for secret in env.fake.secrets() {
        assert!(
            !leaks(&run.stdout, &secret) && !leaks(&run.stderr, &secret),
            "{what}: a piece of {secret} was shown: {run:?}"
        );
    }
}

/// Writes a script (`#!/bin/sh …`) and makes it executable.
pub fn write_script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A `PATH` with each directory once, in its first place (as mcp-config writes it).
#[cfg_attr(not(unix), allow(dead_code))]
pub fn path_once(path: &str) -> String {
    let mut once: Vec<&str> = Vec::new();
    for dir in path.split(':') {
        if !once.contains(&dir) {
            once.push(dir);
        }
    }
    once.join(":")
}

/// A workspace API key the tests' fake Attio can be told to accept.
pub const API_KEY: &str = "sk_live_0123456789abcdef";

/// A fake Attio that accepts [`API_KEY`].
pub fn with_api_key() -> TestEnv {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key(API_KEY);
    env
}

/// The text of the `attio-auth: hint:` line of a command's stderr.
pub fn hint_of(stderr: &str) -> &str {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("attio-auth: hint: "))
        .unwrap_or_else(|| panic!("no hint in {stderr:?}"))
}
