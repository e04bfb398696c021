//! `--store command` (issue 11, item 7): a profile's secret kept by a program of the
//! user's, spoken to as `CMD get|store|erase PROFILE`. First a stand-in vault that can
//! misbehave on purpose, then docs/storage.md's `pass` recipe against the real pass and gpg.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::fake_attio::{Consent, Tokens};
use crate::support::{Run, TestEnv, assert_no_leak, files_under};

/// A vault in a directory: one file per profile, and a record of each call's action
/// and environment. Its first word picks how it behaves: `ok`, `hang` (on every
/// action), `helper` (starts a helper that records its pid, then hangs), `ask` (asks
/// for a passphrase on the terminal first), `fail` (on `store`, after echoing the
/// document it was given on stderr), `mark` (records that it ran, then behaves), or
/// `interrupt` (once it has stored a document marking a refresh as pending, it sends
/// attio-auth a Ctrl-C, as a user pressing it at that moment would).
const VAULT: &str = r#"#!/bin/sh
set -u
mode=$1 action=$2 profile=$3
dir=$(dirname "$0")/vault
mkdir -p "$dir"
echo "$action $profile" >> "$dir/.calls"
env > "$dir/.env"
case "$mode" in
  hang) exec sleep 600 ;;
  helper) sleep 600 & echo $! > "$dir/.helper"; exec sleep 600 ;;
  ask) printf 'vault passphrase: ' > /dev/tty; read -r pass < /dev/tty
       [ "$pass" = open-sesame ] || exit 9 ;;
  fail) [ "$action" = store ] && { cat >&2; echo "vault: refusing $(cat "$dir/.calls" | wc -l)" >&2; exit 7; } ;;
esac
case "$action" in
  get) [ -f "$dir/$profile" ] || exit 3; cat "$dir/$profile" ;;
  store) cat > "$dir/$profile"
         if [ "$mode" = interrupt ] && grep -q '"refresh_pending":true' "$dir/$profile"; then
           kill -INT "$PPID"
         fi ;;
  erase) [ -f "$dir/$profile" ] || exit 3; rm "$dir/$profile" ;;
  *) exit 64 ;;
esac
"#;

struct Vault {
    dir: tempfile::TempDir,
}

impl Vault {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("fake vault");
        std::fs::write(&script, VAULT).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self { dir }
    }

    /// `ATTIO_AUTH_STORE_COMMAND` for a mode: one line, quoted like a shell would.
    fn command(&self, mode: &str) -> String {
        format!("'{}' {mode}", self.dir.path().join("fake vault").display())
    }

    /// Logs `env`'s default profile in with this vault working, then turns the vault
    /// into `mode` (rewriting the recorded command, as a broken or hostile vault would
    /// behave).
    fn logged_in_then(&self, env: &TestEnv, mode: &str) {
        assert_eq!(
            login_with(env, &with_command(&self.command("ok")), &[]).code,
            0
        );
        let meta = env.meta_file("default");
        let text = std::fs::read_to_string(&meta).unwrap();
        std::fs::write(&meta, text.replace("\"ok\"", &format!("\"{mode}\""))).unwrap();
    }

    fn entry(&self, profile: &str) -> PathBuf {
        self.dir.path().join("vault").join(profile)
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("vault/.calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn env_seen(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("vault/.env")).unwrap_or_default()
    }
}

fn with_command(command: &str) -> [(&str, &str); 2] {
    [
        ("ATTIO_AUTH_STORE", "command"),
        ("ATTIO_AUTH_STORE_COMMAND", command),
    ]
}

fn login_with(env: &TestEnv, vars: &[(&str, &str)], extra: &[&str]) -> Run {
    let mut args = vec!["login", "--port", "0", "--timeout", "20"];
    args.extend_from_slice(extra);
    env.run_with(&args, vars)
}

/// `login` with a store command line that cannot be split into words.
const UNSPLITTABLE: &str = "attio-auth: error: ATTIO_AUTH_STORE_COMMAND: cannot be split into words (missing closing quote)\n\
    attio-auth: hint: fix the store command (it is run without a shell: `PROGRAM ARGS...`), or log in with `--store keyring` or `--store file`\n";

/// Nothing of a secret in what a run printed.
#[test]
fn a_store_command_keeps_the_secret_through_login_refresh_and_logout() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let vault = Vault::new();
    let command = vault.command("ok");
    // Set once, the command is the store: no --store needed, and ATTIO_AUTH_STORE
    // (which TestEnv sets to `file`) is not what chooses it here.
    let run = login_with(
        &env,
        &[
            ("ATTIO_AUTH_STORE", ""),
            ("ATTIO_AUTH_STORE_COMMAND", &command),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_leak(&env, &run, "what it printed");
    let first = env.fake.last_access_token();
    let kept = std::fs::read_to_string(vault.entry("default")).unwrap();
    assert!(kept.contains(&first), "the vault holds the document");
    assert!(kept.contains(crate::fake_attio::CLIENT_SECRET));
    assert!(
        files_under(&env.data_dir())
            .iter()
            .all(|p| !p.to_string_lossy().contains("credentials")),
        "nothing in the file store: {:?}",
        files_under(&env.data_dir())
    );
    // The secrets attio-auth was given are not handed to the command.
    assert!(!vault.env_seen().contains("ATTIO_CLIENT_SECRET"));
    assert!(vault.env_seen().contains("PATH="));

    // Later commands use the command the login recorded, whatever the environment says.
    let token = env.run_with(&["token"], &[("ATTIO_AUTH_STORE_COMMAND", "")]);
    assert_eq!(
        (token.code, token.stdout.trim()),
        (0, first.as_str()),
        "{token:?}"
    );
    let status = env.run(&["status"]);
    assert!(
        status.stdout.contains("Stored in:  the store command `"),
        "{status:?}"
    );
    assert!(
        !status.stdout.contains(" ok"),
        "arguments are not shown: {status:?}"
    );

    let refreshed = env.run(&["refresh"]);
    assert_eq!(refreshed.code, 0, "{refreshed:?}");
    let second = env.fake.last_access_token();
    assert_ne!(first, second);
    let kept = std::fs::read_to_string(vault.entry("default")).unwrap();
    assert!(kept.contains(&second) && !kept.contains(&first));
    assert_eq!(env.run(&["token"]).stdout.trim(), second);

    let out = env.run(&["logout"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !vault.entry("default").exists(),
        "the vault's entry is erased"
    );
    assert!(!env.meta_file("default").exists());
    assert_eq!(
        vault.calls().last().map(String::as_str),
        Some("erase default")
    );
}

#[test]
fn a_failing_store_command_stores_nothing_and_shows_no_secret() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let vault = Vault::new();
    let command = vault.command("fail");
    let run = login_with(&env, &with_command(&command), &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:?}");
    assert_no_leak(&env, &run, "what it printed");
    assert!(
        // The last line it wrote began with the document (no newline after it): withheld.
        run.stderr.contains(
            "failed to store profile `default`'s credentials (exit 7: (redacted) refusing 1)"
        ),
        "{run:?}"
    );
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("attio-auth: "))
            .count(),
        2,
        "one error, one hint: {run:?}"
    );
    assert!(!env.meta_file("default").exists(), "nothing is stored");
    assert!(!env.credentials_file("default").exists());

    // A command that is not there fails before the browser is sent to Attio.
    let authorized = env.fake.seen("/authorize").len();
    for (program, path) in [
        ("/nonexistent/attio-vault", "/usr/bin:/bin"),
        ("attio-vault-not-installed", "/usr/bin:/bin"),
    ] {
        let [store, command] = with_command(program);
        let missing = login_with(&env, &[store, command, ("PATH", path)], &[]);
        missing.expect(
            1,
            "",
            &format!(
                "attio-auth: error: the store command `{program}` (ATTIO_AUTH_STORE_COMMAND) is not installed: it is neither an executable file nor on PATH; nothing was started\n\
                 attio-auth: hint: install it, or fix ATTIO_AUTH_STORE_COMMAND / config.toml's store_command; or log in with `--store keyring` or `--store file`\n"
            ),
        );
    }
    assert_eq!(
        env.fake.seen("/authorize").len(),
        authorized,
        "no browser login began"
    );
    assert!(!env.meta_file("default").exists());

    // --store command with none set, and a line that cannot be split.
    let none = env.run_with(&["login", "--store", "command"], &[]);
    none.expect(
        2,
        "",
        "attio-auth: error: --store command needs a command to run, and none is set\n\
         attio-auth: hint: set ATTIO_AUTH_STORE_COMMAND (or `store_command` in config.toml) to the program that keeps the secret; docs/storage.md has recipes for pass and the 1Password CLI\n",
    );
    let bad = login_with(&env, &with_command("'unclosed"), &[]);
    // The value is never shown.
    bad.expect(2, "", UNSPLITTABLE);
}

#[test]
fn a_store_command_that_hangs_is_stopped_at_the_time_limit() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let vault = Vault::new();
    vault.logged_in_then(&env, "hang");
    let run = env.run_bounded(&["token", "--http-timeout", "1"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:?}");
    assert!(
        run.stderr
            .contains("did not finish `get` within 1 s, so it was stopped"),
        "{run:?}"
    );
}

#[test]
fn a_timed_out_store_command_is_stopped_with_everything_it_started() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let vault = Vault::new();
    vault.logged_in_then(&env, "helper");
    let run = env.run_bounded(&["token", "--http-timeout", "1"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run:?}");
    let helper = std::fs::read_to_string(vault.dir.path().join("vault/.helper")).unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", helper.trim()));
    // Gone, or a zombie waiting for a parent that does not reap.
    let state = stat
        .as_deref()
        .ok()
        .and_then(|s| s.rsplit(") ").next()?.chars().next());
    assert!(
        matches!(state, None | Some('Z')),
        "the vault's helper {} still runs: {stat:?}",
        helper.trim()
    );
}

#[test]
fn a_store_command_can_ask_for_its_passphrase_on_the_terminal() {
    use std::io::{Read, Write};
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let vault = Vault::new();
    vault.logged_in_then(&env, "ask");
    let mut script = env.on_terminal_of(80, "token --http-timeout 20", &[]);
    let mut child = script
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8];
    while !String::from_utf8_lossy(&seen).contains("vault passphrase: ") {
        let n = stdout.read(&mut byte).unwrap();
        assert_eq!(
            n,
            1,
            "ended before the prompt: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    stdin.write_all(b"open-sesame\n").unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    let status = child.wait().unwrap();
    let transcript = String::from_utf8_lossy(&seen);
    assert_eq!(status.code(), Some(0), "{transcript}");
    assert!(
        transcript.contains(&env.fake.last_access_token()),
        "the token was printed after the vault opened: {transcript}"
    );
}

#[test]
fn an_empty_vault_means_log_in_again() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let vault = Vault::new();
    let ok = vault.command("ok");
    assert_eq!(login_with(&env, &with_command(&ok), &[]).code, 0);
    std::fs::remove_file(vault.entry("default")).unwrap();
    let run = env.run(&["token"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains("profile `default` is not logged in: no credentials in the store command `"),
        "{run:?}"
    );
}

#[test]
fn moving_a_profile_out_of_a_vault_erases_it_there() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let vault = Vault::new();
    let ok = vault.command("ok");
    assert_eq!(login_with(&env, &with_command(&ok), &[]).code, 0);
    assert!(vault.entry("default").exists());
    let run = login_with(&env, &[("ATTIO_AUTH_STORE", "file")], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!vault.entry("default").exists(), "{:?}", vault.calls());
    assert!(env.credentials_file("default").exists());
}

#[test]
fn a_config_file_others_may_write_cannot_name_a_program_to_run() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let vault = Vault::new();
    let config = env.config_dir().parent().unwrap().join("shared.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "store_command = [{:?}, \"ok\"]\n",
            vault.dir.path().join("fake vault").display().to_string()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).unwrap();
    let vars = [
        ("ATTIO_AUTH_STORE", ""),
        ("ATTIO_AUTH_CONFIG", config.to_str().unwrap()),
    ];
    let run = login_with(&env, &vars, &[]);
    run.expect(
        2,
        "",
        &format!(
            "attio-auth: error: {0} store_command: {0} is owned by another user or writable by others, so it may not name a program to run; `chmod go-w` it or set ATTIO_AUTH_STORE_COMMAND instead\n\
             attio-auth: hint: fix the store command (it is run without a shell: `PROGRAM ARGS...`), or log in with `--store keyring` or `--store file`\n",
            config.display()
        ),
    );
    assert!(vault.calls().is_empty(), "the command never ran");
    // The user's own file may.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = login_with(&env, &vars, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(vault.calls(), ["store default"]);
}

/// docs/storage.md's `pass` recipe, exactly as printed there.
fn docs_recipe(heading: &str) -> String {
    let storage = include_str!("../docs/storage.md");
    let after = storage
        .split_once(heading)
        .unwrap_or_else(|| panic!("docs/storage.md has no {heading:?}"))
        .1;
    let block = after.split_once("```sh\n").unwrap().1;
    block.split_once("\n```").unwrap().0.to_string() + "\n"
}

/// A throwaway GnuPG home with one key without a passphrase, and its agent stopped at
/// the end.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    const USER: &str = "attio-auth-test@example.invalid";

    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let gpg = Self { home };
        let made = gpg
            .command("gpg")
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(["--quick-gen-key", Self::USER, "default", "default", "never"])
            .output()
            .unwrap();
        assert!(made.status.success(), "gpg could not make a key: {made:?}");
        gpg
    }

    fn command(&self, program: &str) -> std::process::Command {
        let mut command = std::process::Command::new(program);
        command
            .env("GNUPGHOME", self.home.path())
            .env("PASSWORD_STORE_DIR", self.store())
            .stdin(std::process::Stdio::null());
        command
    }

    fn store(&self) -> PathBuf {
        self.home.path().join("password-store")
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = self
            .command("gpgconf")
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

/// pass and gpg are needed (CI installs them); without them the test says so loudly,
/// and fails under CI.
fn pass_available() -> bool {
    let found = ["pass", "gpg", "gpgconf"].iter().all(|tool| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        crate::support::not_run("pass recipe test NOT RUN: pass, gpg or gpgconf is not installed");
    }
    found
}

#[test]
fn the_readme_pass_recipe_works_against_the_real_pass() {
    if !pass_available() {
        return;
    }
    let gpg = Gpg::new();
    let init = gpg
        .command("pass")
        .args(["init", Gpg::USER])
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    let bin = tempfile::tempdir().unwrap();
    let script = bin.path().join("attio-auth-pass");
    std::fs::write(&script, docs_recipe("### Recipe: pass")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = gpg.home.path().to_str().unwrap().to_string();
    let store = gpg.store().to_str().unwrap().to_string();
    let vars = [
        ("PATH", path.as_str()),
        ("GNUPGHOME", home.as_str()),
        ("PASSWORD_STORE_DIR", store.as_str()),
        ("ATTIO_AUTH_STORE", ""),
        ("ATTIO_AUTH_STORE_COMMAND", "attio-auth-pass"),
    ];
    let entry = gpg.store().join("attio-auth/default.gpg");
    let shown = || {
        let out = gpg
            .command("pass")
            .args(["show", "attio-auth/default"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };

    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let run = login_with(&env, &vars, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_leak(&env, &run, "what it printed");
    let first = env.fake.last_access_token();
    assert!(shown().contains(&first), "pass holds the document");
    let encrypted = std::fs::read(&entry).unwrap();
    assert!(
        !String::from_utf8_lossy(&encrypted).contains(&first),
        "and it is encrypted"
    );
    assert!(!env.credentials_file("default").exists());

    let token = env.run_with(&["token"], &vars);
    assert_eq!(
        (token.code, token.stdout.trim()),
        (0, first.as_str()),
        "{token:?}"
    );
    let refreshed = env.run_with(&["refresh"], &vars);
    assert_eq!(refreshed.code, 0, "{refreshed:?}");
    let second = env.fake.last_access_token();
    assert!(shown().contains(&second) && !shown().contains(&first));
    let token = env.run_with(&["token"], &vars);
    assert_eq!(token.stdout.trim(), second, "{token:?}");

    let out = env.run_with(&["logout"], &vars);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!entry.exists(), "logout erased the pass entry");
    let again = env.run_with(&["logout"], &vars);
    assert_eq!(again.code, 3, "{again:?}");
}

#[test]
fn a_store_command_that_cannot_be_split_is_never_echoed_and_fails_doctor() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    let command = (
        "ATTIO_AUTH_STORE_COMMAND",
        "vault --session s3cr3t-session 'unbalanced",
    );
    // No store named otherwise: the command is the store.
    let unset = ("ATTIO_AUTH_STORE", "");
    let login = env.run_with(
        &["login", "--port", "0", "--timeout", "20"],
        &[command, unset],
    );
    // The arguments are never shown.
    login.expect(2, "", UNSPLITTABLE);
    assert!(
        env.fake.seen("/authorize").is_empty(),
        "nothing was started"
    );

    let doctor = env.run_with(&["doctor", "--offline", "--json"], &[command, unset]);
    assert_eq!(doctor.code, 1, "{doctor:?}");
    assert!(
        !doctor.stdout.contains("s3cr3t") && !doctor.stderr.contains("s3cr3t"),
        "{doctor:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
    let environment = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "environment")
        .unwrap();
    assert_eq!(environment["status"], "fail", "{environment}");
    assert!(
        environment["detail"]
            .as_str()
            .unwrap()
            .contains("ATTIO_AUTH_STORE_COMMAND"),
        "{environment}"
    );
}

#[test]
fn ctrl_c_once_the_refresh_is_marked_but_not_sent_leaves_the_refresh_token_usable() {
    let env = TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 });
    let vault = Vault::new();
    vault.logged_in_then(&env, "interrupt");
    let command = vault.command("ok");
    let vars = with_command(&command);

    let mut refresh = env.cmd(&["refresh"]);
    refresh.envs(vars);
    let output = refresh.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(130),
        "ended by the Ctrl-C ({:?}): {stderr}",
        output.status
    );
    assert!(
        stderr.contains("was interrupted (Ctrl-C) before it was sent"),
        "{stderr}"
    );
    assert_eq!(env.fake.token_requests("refresh_token").len(), 0);
    // Nothing left: the refresh token is still good, and no new login is needed.
    let meta = env.meta_file("default");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, text.replace("\"interrupt\"", "\"ok\"")).unwrap();
    let again = env.run_with(&["refresh"], &vars);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(env.fake.token_requests("refresh_token").len(), 1);
    assert_eq!(env.fake.refresh_reuses(), 0);
}
