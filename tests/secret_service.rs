//! A real Secret Service for the keyring tests: a private D-Bus session bus and an
//! unlocked gnome-keyring on it, both in a temporary directory and stopped on drop. It
//! is what `dbus-run-session` plus `gnome-keyring-daemon --unlock` give a desktop
//! session, without touching the developer's own keyring.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

/// The programs the real-keyring tests need (Debian: dbus, gnome-keyring, libsecret-tools,
/// libglib2.0-bin).
const TOOLS: &[&str] = &[
    "dbus-daemon",
    "gnome-keyring-daemon",
    "secret-tool",
    "gdbus",
    "dbus-test-tool",
];

/// What the bus offers.
#[derive(Clone, Copy, PartialEq)]
pub enum Bus {
    /// A bus with an unlocked gnome-keyring (the `login` collection) on it.
    WithKeyring,
    /// A bus on which nothing provides `org.freedesktop.secrets`.
    WithoutSecretService,
    /// A bus on which a process owns `org.freedesktop.secrets` and never answers (a
    /// stopped gnome-keyring, a broken WSL setup).
    BlackHole,
}

pub struct SecretService {
    dir: TempDir,
    bus: Child,
    /// The process that owns the name and never answers (`Bus::BlackHole`).
    black_hole: Option<Child>,
    /// `DBUS_SESSION_BUS_ADDRESS` for processes that should use this bus.
    pub address: String,
}

/// Whether the tools are installed. Outside CI a missing tool skips the calling test with
/// a message written straight to stderr (past the test harness's capture); under
/// `CI=true` it fails the test.
pub fn available() -> bool {
    let missing: Vec<_> = TOOLS.iter().filter(|t| which(t).is_none()).collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "real-keyring test NOT RUN: {missing:?} not installed (apt-get install dbus gnome-keyring libsecret-tools libglib2.0-bin dbus-tests)"
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{message}; CI=true requires these tests to run"
    );
    let _ = writeln!(std::io::stderr(), "\n*** {message} ***");
    false
}

fn which(tool: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(tool))
        .find(|path| path.is_file())
}

impl SecretService {
    /// Starts a private bus, and gnome-keyring on it when asked.
    pub fn start(kind: Bus) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "run", "services"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("run"),
                std::fs::Permissions::from_mode(0o700),
            )
            .unwrap();
        }
        // With no activatable services, nothing can start a Secret Service on demand.
        let services = match kind {
            Bus::WithKeyring => "/usr/share/dbus-1/services".into(),
            Bus::WithoutSecretService | Bus::BlackHole => {
                dir.path().join("services").display().to_string()
            }
        };
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().display()
            ),
        )
        .unwrap();
        let mut bus = daemon_env(Command::new("dbus-daemon"), dir.path())
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        // The address is printed once the bus listens.
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let mut service = Self {
            address: address.trim().to_string(),
            dir,
            bus,
            black_hole: None,
        };
        match kind {
            Bus::WithKeyring => service.start_keyring(),
            Bus::BlackHole => service.start_black_hole(),
            Bus::WithoutSecretService => {}
        }
        service
    }

    /// Starts gnome-keyring, creating and unlocking the `login` collection with a password
    /// on stdin, and waits until it owns its bus name.
    fn start_keyring(&self) {
        let mut keyring = self
            .command("gnome-keyring-daemon")
            .args(["--daemonize", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"test-password")
            .unwrap();
        assert!(
            keyring.wait().unwrap().success(),
            "gnome-keyring-daemon failed to start"
        );
        self.wait_for_secret_service();
    }

    /// Starts a process that owns `org.freedesktop.secrets`, reads every message and
    /// answers none, and waits until it owns the name.
    fn start_black_hole(&mut self) {
        let child = self
            .command("dbus-test-tool")
            .args(["black-hole", "--session", "--name=org.freedesktop.secrets"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start dbus-test-tool");
        self.black_hole = Some(child);
        self.wait_for_secret_service();
    }

    /// Waits until something owns `org.freedesktop.secrets` on this bus.
    fn wait_for_secret_service(&self) {
        let waited = self
            .command("gdbus")
            .args([
                "wait",
                "--session",
                "--timeout",
                "20",
                "org.freedesktop.secrets",
            ])
            .status()
            .unwrap();
        assert!(waited.success(), "no Secret Service appeared on the bus");
    }

    /// A command that talks to this bus (with the keyring's own HOME).
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = daemon_env(Command::new(program), self.dir.path());
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        cmd
    }

    /// Runs `secret-tool` with these arguments; returns its exit code and its stdout
    /// followed by its stderr (where `search` prints attributes).
    pub fn secret_tool(&self, args: &[&str]) -> (i32, String) {
        let output = self
            .command("secret-tool")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.code().unwrap_or(-1), text)
    }

    /// Locks the `login` collection, as a screen lock or `seahorse` would.
    pub fn lock(&self) {
        let status = self
            .command("gdbus")
            .args([
                "call",
                "--session",
                "--dest",
                "org.freedesktop.secrets",
                "--object-path",
                "/org/freedesktop/secrets",
                "--method",
                "org.freedesktop.Secret.Service.Lock",
                "['/org/freedesktop/secrets/collection/login']",
            ])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "locking the login collection failed");
    }
}

/// A clean environment for the daemons, rooted in `dir`.
fn daemon_env(mut cmd: Command, dir: &Path) -> Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.join("home"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env("XDG_DATA_HOME", dir.join("home/.local/share"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"));
    cmd
}

impl Drop for SecretService {
    fn drop(&mut self) {
        if let Some(child) = &mut self.black_hole {
            let _ = child.kill();
            let _ = child.wait();
        }
        // gnome-keyring exits when its bus goes away.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
