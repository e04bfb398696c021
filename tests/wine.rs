//! The Windows build (`x86_64-pc-windows-gnu`, which `.ci/run` builds with
//! `cargo build --release --locked --target x86_64-pc-windows-gnu`) run under Wine, in
//! a Wine prefix of the test's own, against the fake Attio on 127.0.0.1: the smoke
//! tests with the file store, then the Windows Credential Manager (which Wine
//! implements), then a file store left in the roaming directory by an earlier version.
//!
//! Debian 12's Wine 8.0 has no `bcryptprimitives.dll`, whose `ProcessPrng` Rust's
//! standard library imports since 1.78, so no current Rust program starts there. When
//! the prefix lacks it, `tests/wine/prefix.sh` builds `tests/wine/bcryptprimitives.c`
//! with mingw into the prefix: a stand-in that answers from advapi32's `RtlGenRandom`.
//! The test says so.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::fake_attio::{Consent, Tokens};
use crate::release_builds::{API_KEY, build, runner, smoke};
use crate::support::{TestEnv, files_under, have};

/// A Wine prefix of the test's own; its wineserver is stopped when dropped.
struct Wine {
    _dir: tempfile::TempDir,
    prefix: PathBuf,
}

impl Wine {
    /// A new prefix, with the `ProcessPrng` stand-in when Wine lacks the real one.
    /// `None` (said loudly) when Wine or mingw is missing.
    fn new() -> Option<Wine> {
        if !have("wine", "apt-get install wine")
            || !have("wineboot", "apt-get install wine")
            || !have("wineserver", "apt-get install wine")
            || !have(
                "x86_64-w64-mingw32-gcc",
                "apt-get install gcc-mingw-w64-x86-64",
            )
        {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("prefix");
        crate::support::make_wine_prefix(&prefix);
        Some(Wine { _dir: dir, prefix })
    }

    fn vars(&self) -> Vec<(&'static str, OsString)> {
        crate::support::wine_vars(&self.prefix)
    }

    /// The Credential Manager's entries, as Wine's `reg query` lists them.
    fn credentials(&self) -> String {
        let output = Command::new("wine")
            .args([
                "reg",
                "query",
                r"HKCU\Software\Wine\Credential Manager",
                "/s",
            ])
            .envs(self.vars())
            .stderr(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `%APPDATA%` (roaming) or `%LOCALAPPDATA%` (local) of the prefix's user.
    fn app_data(&self, which: &str) -> PathBuf {
        crate::support::app_data(&self.prefix, which)
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        crate::support::stop_wineserver(&self.prefix);
    }
}

/// The Windows build, and a Wine prefix to run it in.
fn windows_build() -> Option<(PathBuf, Wine)> {
    let binary = build(
        "ATTIO_AUTH_WINDOWS_BINARY",
        "x86_64-pc-windows-gnu/release/attio-auth.exe",
        "cargo build --release --locked --target x86_64-pc-windows-gnu",
    )?;
    Some((binary, Wine::new()?))
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_windows_build_passes_the_smoke_tests_under_wine() {
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    let vars = wine.vars();
    smoke(&["wine".as_ref(), binary.as_os_str()], &vars);
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_windows_build_keeps_secrets_in_the_credential_manager_under_wine() {
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key(API_KEY);
    let mut vars = wine.vars();
    // The default store, not the tests' usual file store (an empty variable is unset).
    vars.push(("ATTIO_AUTH_STORE", OsString::new()));
    let program = ["wine".as_ref(), binary.as_os_str()];
    let run = runner(&env, &program, &vars);

    let login = run(&["login", "--with-token"], API_KEY);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        !login.stderr.contains("warning"),
        "no fallback to a file: {login:?}"
    );
    let status = run(&["status", "--json"], "");
    assert_eq!(status.code, 0, "{status:?}");
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["profiles"][0]["store"], "keyring", "{status}");
    let token = run(&["token"], "");
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, format!("{API_KEY}\n").as_str()),
        "{token:?}"
    );
    let secrets: Vec<PathBuf> = files_under(&wine.prefix.join("drive_c/users"))
        .into_iter()
        .filter(|path| std::fs::read(path).is_ok_and(|bytes| contains(&bytes, API_KEY)))
        .collect();
    assert!(
        secrets.is_empty(),
        "the key is only in the Credential Manager: {secrets:?}"
    );
    // Wine keeps the Credential Manager's entries, encrypted, in the registry.
    let entry = "Generic: default.attio-auth";
    assert!(wine.credentials().contains(entry), "{}", wine.credentials());
    let logout = run(&["logout"], "");
    assert_eq!(logout.code, 0, "{logout:?}");
    let gone = run(&["token"], "");
    assert_eq!((gone.code, gone.stdout.as_str()), (3, ""), "{gone:?}");
    // Logged out means deleted from the Credential Manager, not only forgotten.
    assert!(
        !wine.credentials().contains(entry),
        "{}",
        wine.credentials()
    );
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn a_document_larger_than_the_credential_manager_holds_is_a_clear_error() {
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // 1,300 characters: 2,600 bytes as UTF-16, over the Credential Manager's 2,560.
    let long_key = format!("sk_live_{}", "k".repeat(1300));
    env.fake.accept_api_key(&long_key);
    let vars = wine.vars();
    let program = ["wine".as_ref(), binary.as_os_str()];
    let run = runner(&env, &program, &vars);

    let login = run(&["login", "--with-token", "--store", "keyring"], &long_key);
    assert_eq!(login.code, 1, "{login:?}");
    assert!(
        login
            .stderr
            .contains("is larger than the OS keyring holds (2560 bytes)")
            && login.stderr.contains(
                "attio-auth: hint: log in again with --store file (private to your user account)"
            ),
        "{login:?}"
    );
    assert!(!login.stderr.contains(&long_key[..20]), "{login:?}");
    let status = run(&["token"], "");
    assert_eq!(status.code, 3, "nothing was stored: {status:?}");
    let file = run(&["login", "--with-token", "--store", "file"], &long_key);
    assert_eq!(file.code, 0, "{file:?}");
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_windows_build_moves_a_file_store_out_of_the_roaming_directory() {
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key(API_KEY);
    let vars = wine.vars();
    let program = ["wine".as_ref(), binary.as_os_str()];
    let run = runner(&env, &program, &vars);

    let login = run(&["login", "--with-token", "--store", "file"], API_KEY);
    assert_eq!(login.code, 0, "{login:?}");
    let local = wine.app_data("Local").join("attio-auth/credentials");
    let roaming = wine.app_data("Roaming").join("attio-auth/credentials");
    assert!(
        local.join("default.json").is_file(),
        "stored locally, not roaming"
    );
    assert!(!roaming.exists());
    // Where an earlier version kept it.
    std::fs::rename(&local, &roaming).unwrap();

    let token = run(&["token"], "");
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, format!("{API_KEY}\n").as_str()),
        "{token:?}"
    );
    assert!(
        token.stderr.contains("moved the file store from"),
        "{token:?}"
    );
    assert!(local.join("default.json").is_file() && !roaming.exists());
    // Once only.
    let again = run(&["token"], "");
    assert_eq!(again.code, 0, "{again:?}");
    assert!(!again.stderr.contains("moved"), "{again:?}");
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_windows_build_prompts_on_the_console_under_wine() {
    use std::io::{Read, Write};
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    if !have("script", "apt-get install bsdutils") {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    // Wine's console on a pseudo-terminal: the client ID is read from CONIN$ and the
    // prompt written to CONOUT$ (Windows refuses `CON` opened for both).
    // Wine puts the terminal in raw mode only when it first reads, which may be after
    // the prompt is drawn: raw from the start, so that a typed Enter stays a CR.
    // timeout(1): a console that never shows a prompt fails the test, not hangs it.
    let command = format!(
        "stty raw -echo; timeout --foreground 60 wine '{}' login --port 0 --no-browser --timeout 5",
        binary.display()
    );
    let mut script = env.wrapper("script");
    script
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env_remove("ATTIO_CLIENT_ID")
        .env_remove("ATTIO_CLIENT_SECRET")
        .envs(wine.vars())
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = script.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut wait_for = |text: &str| {
        let mut byte = [0u8];
        while !contains(&seen, text) {
            let n = stdout.read(&mut byte).unwrap();
            assert_eq!(
                n,
                1,
                "ended before {text:?}: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.push(byte[0]);
        }
    };
    // Each prompt is drawn in full (Wine shows the cursor again last) before typing.
    wait_for("(from build.attio.com):\x1b[K\x1b[1C\x1b[?25h");
    stdin.write_all(b"typed-client-id\r").unwrap();
    // The next prompt names what was read.
    wait_for("Client secret for typed-client-id (input hidden):\x1b[K\x1b[1C\x1b[?25h");
    stdin.write_all(b"typed-secret\r").unwrap();
    wait_for("Open this URL in a browser");
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_windows_build_names_this_machine_in_the_ssh_recipe() {
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let run: crate::support::Run = env
        .cmd_of(
            &["wine".as_ref(), binary.as_os_str()],
            &["login", "--port", "0", "--timeout", "1"],
        )
        .envs(wine.vars())
        .env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
        .env_remove("BROWSER")
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 4, "{run:?}");
    // Wine answers GetComputerNameExW with the Linux host name.
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let host = host.trim().split('.').next().unwrap();
    let recipe = run
        .stderr
        .lines()
        .find(|line| line.trim_start().starts_with("ssh -L "))
        .unwrap_or_else(|| panic!("no recipe: {run:?}"));
    assert!(
        recipe.trim_end().ends_with(&format!(" {host}")),
        "{recipe:?} names {host}"
    );
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
#[ignore = "needs the Windows release build and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_windows_build_stops_a_timed_out_store_command_with_everything_it_started() {
    let Some((binary, wine)) = windows_build() else {
        return;
    };
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key(API_KEY);
    // A vault that never answers: cmd.exe starting a ping that runs for 10 minutes (the
    // count, 613, marks it); `rem` swallows the action and profile appended to it.
    let mut vars = wine.vars();
    vars.push((
        "ATTIO_AUTH_STORE_COMMAND",
        "cmd /c ping -n 613 127.0.0.1 >NUL & rem".into(),
    ));
    // timeout(1): a vault left running would keep the login waiting on its output.
    let program = [
        "timeout".as_ref(),
        "60".as_ref(),
        "wine".as_ref(),
        binary.as_os_str(),
    ];
    let run = runner(&env, &program, &vars);
    let login = run(
        &[
            "login",
            "--with-token",
            "--store",
            "command",
            "--http-timeout",
            "3",
        ],
        API_KEY,
    );
    assert_eq!(login.code, 1, "{login:?}");
    assert!(login.stderr.contains("so it was stopped"), "{login:?}");
    // The job object took the ping with it: no process of this prefix runs it.
    let prefix = wine.prefix.display().to_string();
    let pinging = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|entry| {
                let path = entry.path();
                let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
                let environ = std::fs::read(path.join("environ")).unwrap_or_default();
                contains(&cmdline, "613") && contains(&environ, &prefix)
            })
            .count()
    };
    let gone = (0..100).any(|_| {
        let left = pinging();
        if left > 0 {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        left == 0
    });
    assert!(gone, "the vault's ping outlived its time limit");
}
