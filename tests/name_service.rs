//! What the C library's name service gives the built binary: the home directory from the
//! user database when `HOME` is unset, and host names. First with this machine's
//! `nsswitch.conf`, then (as root, in a private mount namespace with a bind-mounted
//! `nsswitch.conf`) with the lines other machines use: SSSD's `sss` module with no sssd
//! running (RHEL-family defaults, SSSD desktops), a user the files do not know, and
//! `myhostname` answering `localhost` when `/etc/hosts` lacks it. A static glibc binary
//! dies with SIGSEGV in several of these; whatever the answer, the process must end
//! with an exit code, never a signal.
//!
//! Unix only (the user database and `nsswitch.conf` are Unix things); the namespace
//! cases are Linux only and need root, `unshare` and `mount` (util-linux), and Debian's
//! libnss-sss and libnss-myhostname.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::fake_attio::{Consent, Tokens};
use crate::support::{TestEnv, have, not_run};

/// The home directory the user database gives the current user.
pub fn passwd_home() -> String {
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() }.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 5 && f[2] == uid)
        .map(|f| f[5].to_string())
        .expect("the current user is in /etc/passwd")
}

/// What `config path` prints when the home directory is `home`.
pub fn config_path_under(home: &str) -> String {
    format!(
        "{}/.config/attio-auth/config.toml\n",
        home.trim_end_matches('/')
    )
}

/// The exit code, failing the test with what the process printed if a signal ended it.
fn exit_code(output: &Output, what: &str) -> i32 {
    let status = output.status;
    assert_eq!(
        status.signal(),
        None,
        "{what}: killed by signal {:?} (exit {:?})\nstdout: {}\nstderr: {}",
        status.signal(),
        status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    status.code().unwrap()
}

#[test]
fn without_home_the_home_directory_comes_from_the_user_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_attio-auth"))
        .args(["config", "path"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(exit_code(&output, "config path"), 0, "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        config_path_under(&passwd_home())
    );
}

#[test]
fn host_names_resolve() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key("sk_live_resolve");
    let by_name = env.fake.url.replace("127.0.0.1", "localhost");
    let run = env.run_with(
        &["whoami", "--json"],
        &[
            ("ATTIO_API_KEY", "sk_live_resolve"),
            ("ATTIO_API_URL", &by_name),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["workspace_slug"], "acme");
    assert_eq!(env.fake.seen("/v2/self").len(), 1);
}

/// Whether the namespace cases can run here; says loudly why not (a failure under
/// `CI=true`).
fn namespaces_available() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        not_run("name-service test NOT RUN: it needs root for a private mount namespace");
        return false;
    }
    for module in ["libnss_sss.so.2", "libnss_myhostname.so.2"] {
        let found = [
            "/lib/x86_64-linux-gnu",
            "/lib/aarch64-linux-gnu",
            "/lib64",
            "/usr/lib",
        ]
        .iter()
        .any(|dir| Path::new(dir).join(module).exists());
        if !found {
            not_run(&format!(
                "name-service test NOT RUN: {module} is not installed (apt-get install libnss-sss libnss-myhostname)"
            ));
            return false;
        }
    }
    have("unshare", "apt-get install util-linux") && have("setpriv", "apt-get install util-linux")
}

/// Runs `command` (a shell command line) in a private mount namespace in which
/// `/etc/nsswitch.conf` says `nsswitch` and, when given, `/etc/hosts` says `hosts`.
fn with_name_service(nsswitch: &str, hosts: Option<&str>, command: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nsswitch.conf"), nsswitch).unwrap();
    let mut script = format!(
        "mount --bind {} /etc/nsswitch.conf",
        dir.path().join("nsswitch.conf").display()
    );
    if let Some(hosts) = hosts {
        std::fs::write(dir.path().join("hosts"), hosts).unwrap();
        script += &format!(
            " && mount --bind {} /etc/hosts",
            dir.path().join("hosts").display()
        );
    }
    script += " && exec ";
    script += command;
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .output()
        .unwrap()
}

#[test]
fn the_sss_module_with_no_sssd_running_finds_the_home_directory_in_the_files() {
    if !namespaces_available() {
        return;
    }
    let binary = env!("CARGO_BIN_EXE_attio-auth");
    for passwd in ["sss files", "files sss systemd"] {
        let output = with_name_service(
            &format!("passwd: {passwd}\ngroup: files\nhosts: files dns\n"),
            None,
            &format!("env -i PATH=/usr/bin:/bin {binary} config path"),
        );
        assert_eq!(
            exit_code(&output, passwd),
            0,
            "passwd: {passwd}: {output:?}"
        );
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            config_path_under(&passwd_home()),
            "passwd: {passwd}"
        );
    }
}

#[test]
fn a_user_no_database_knows_gets_a_clear_error() {
    if !namespaces_available() {
        return;
    }
    let binary = env!("CARGO_BIN_EXE_attio-auth");
    for passwd in ["files systemd", "sss files"] {
        let output = with_name_service(
            &format!("passwd: {passwd}\ngroup: files\nhosts: files dns\n"),
            None,
            &format!(
                "setpriv --reuid 54321 --regid 54321 --clear-groups env -i PATH=/usr/bin:/bin {binary} config path"
            ),
        );
        assert_eq!(
            exit_code(&output, passwd),
            1,
            "passwd: {passwd}: {output:?}"
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with("attio-auth: error: ") && stderr.contains("HOME"),
            "passwd: {passwd}: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn host_names_resolve_through_sss_and_myhostname() {
    if !namespaces_available() {
        return;
    }
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key("sk_live_resolve");
    let by_name = env.fake.url.replace("127.0.0.1", "localhost");
    let binary = env!("CARGO_BIN_EXE_attio-auth");
    let cases = [
        // sss first, with no sssd: the files answer.
        ("hosts: sss files dns\n", None),
        // /etc/hosts without localhost: myhostname answers it.
        ("hosts: files myhostname\n", Some("10.0.0.1 elsewhere\n")),
    ];
    for (hosts_line, hosts_file) in cases {
        let whoami = env.cmd(&["whoami", "--json"]);
        let vars: String = whoami
            .get_envs()
            .filter_map(|(k, v)| Some(format!("{}={} ", k.to_str()?, v?.to_str()?)))
            .map(|pair| shell_words_quote(&pair))
            .collect();
        let output = with_name_service(
            &format!("passwd: files\ngroup: files\n{hosts_line}"),
            hosts_file,
            &format!(
                "env -i {vars} ATTIO_API_KEY=sk_live_resolve ATTIO_API_URL={by_name} {binary} whoami --json"
            ),
        );
        assert_eq!(
            exit_code(&output, hosts_line),
            0,
            "{hosts_line}: {output:?}"
        );
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(value["workspace_slug"], "acme", "{hosts_line}");
    }
    assert_eq!(env.fake.seen("/v2/self").len(), cases.len());
}

/// `text` in single quotes for sh (it ends with the space that separates it).
fn shell_words_quote(text: &str) -> String {
    format!("'{}' ", text.trim_end().replace('\'', r"'\''"))
}
