//! Started with standard descriptors closed or failing, every command works or fails with
//! a clear exit code, writes nothing into a file or socket of its own that took a
//! standard descriptor's number, and never loses a rotated refresh token. Each case runs
//! the built binary as `sh -c 'exec attio-auth ARGS REDIRECTIONS'`, for the file store and
//! for the keyring store (a real Secret Service on a private bus).
//!
//! Unix only: closing a descriptor with a shell redirection is a Unix thing.

use std::process::Command;

use crate::fake_attio::{Consent, Tokens};
use crate::secret_service::{self, Bus, SecretService};
use crate::support::{Run, TestEnv};

/// A logged-in profile in one store.
struct Setup {
    env: TestEnv,
    /// The keyring's bus, for the keyring store.
    bus: Option<SecretService>,
}

#[derive(Clone, Copy, Debug)]
enum Store {
    File,
    Keyring,
}

impl Setup {
    /// A profile logged in with rotating refresh tokens; `None` (said loudly, and a
    /// failure under `CI=true`) when the keyring store's Secret Service cannot run.
    fn logged_in(store: Store) -> Option<Self> {
        let bus = match store {
            Store::File => None,
            Store::Keyring if secret_service::available() => {
                Some(SecretService::start(Bus::WithKeyring))
            }
            Store::Keyring => return None,
        };
        let setup = Self {
            env: TestEnv::new(Consent::Approve, Tokens::Rotating { ttl: 3600 }),
            bus,
        };
        let login = setup.shell("login --port 0 --timeout 20", "");
        assert_eq!(login.code, 0, "{store:?}: {login:?}");
        Some(setup)
    }

    /// `sh -c 'exec attio-auth ARGS REDIRECTIONS'` in the test's environment.
    fn command(&self, args: &str, redirections: &str) -> Command {
        let mut shell = self.env.wrapper("sh");
        shell.args([
            "-c",
            &format!(
                "exec {} {args} {redirections}",
                env!("CARGO_BIN_EXE_attio-auth")
            ),
        ]);
        if let Some(bus) = &self.bus {
            shell
                .env("ATTIO_AUTH_STORE", "")
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
        }
        shell
    }

    fn shell(&self, args: &str, redirections: &str) -> Run {
        self.command(args, redirections).output().unwrap().into()
    }

    /// The stored grant still works: a forced refresh with the stored (rotated) refresh
    /// token succeeds, and no refresh token was ever sent twice.
    fn assert_grant_alive(&self, context: &str) {
        let refresh = self.shell("refresh", "");
        assert_eq!(refresh.code, 0, "{context}: {refresh:?}");
        assert_eq!(
            self.env.fake.refresh_reuses(),
            0,
            "{context}: a refresh token was sent twice"
        );
    }
}

/// Runs `check` for the file store and for the keyring store.
fn for_each_store(check: impl Fn(Store, &Setup)) {
    for store in [Store::File, Store::Keyring] {
        if let Some(setup) = Setup::logged_in(store) {
            check(store, &setup);
        }
    }
}

#[test]
fn a_refresh_with_verbose_lines_to_a_full_or_closed_stderr_stores_the_rotated_token() {
    for redirection in ["2>/dev/full", "2>&-"] {
        for_each_store(|store, setup| {
            let context = format!("{store:?} {redirection}");
            // --min-ttl longer than the token's life: this `token` must refresh.
            let run = setup.shell("--verbose token --min-ttl 7200", redirection);
            let token = setup.env.fake.last_access_token();
            assert_eq!(
                (run.code, run.stdout.as_str()),
                (0, format!("{token}\n").as_str()),
                "{context}: {run:?}"
            );
            assert_eq!(
                setup.env.fake.token_requests("refresh_token").len(),
                1,
                "{context}"
            );
            // The rotated answer was stored: the next call prints it without a request.
            let again = setup.shell("token", "");
            assert_eq!(again.stdout, format!("{token}\n"), "{context}: {again:?}");
            assert_eq!(
                setup.env.fake.token_requests("refresh_token").len(),
                1,
                "{context}"
            );
            setup.assert_grant_alive(&context);
        });
    }
}

#[test]
fn with_stdout_closed_the_token_goes_nowhere_but_the_null_device() {
    if !crate::support::have("strace", "apt-get install strace") {
        return;
    }
    for_each_store(|store, setup| {
        let token = setup.env.fake.last_access_token();
        let dir = tempfile::tempdir().unwrap();
        let trace = dir.path().join("trace");
        // Every write of the process and its threads, with the file behind each
        // descriptor (-y), strings in full.
        let mut traced = setup.env.wrapper("strace");
        traced.args(["-f", "-qq", "-y", "-s", "65536", "-e", "signal=none"]);
        traced.args(["-e", "trace=write,writev,pwrite64,sendmsg,sendto,sendmmsg"]);
        traced.arg("-o").arg(&trace);
        let shell = setup.command("token", ">&-");
        traced.arg(shell.get_program()).args(shell.get_args());
        for (key, value) in shell.get_envs() {
            if let Some(value) = value {
                traced.env(key, value);
            }
        }
        let run: Run = traced.output().unwrap().into();
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "{store:?}: {run:?}"
        );
        let trace = std::fs::read_to_string(trace).unwrap();
        let carrying: Vec<&str> = trace.lines().filter(|l| l.contains(&token)).collect();
        assert_eq!(carrying.len(), 1, "{store:?}: written once: {trace}");
        assert!(
            carrying[0].contains("write(1</dev/null>, "),
            "{store:?}: the token went to the null device, not a file or socket: {}",
            carrying[0]
        );
    });
}

#[test]
fn every_command_started_with_closed_standard_descriptors_ends_cleanly() {
    for_each_store(|store, setup| {
        let token = setup.env.fake.last_access_token();
        for redirection in ["<&-", ">&-", "2>&-", "<&- >&- 2>&-"] {
            let context = format!("{store:?} {redirection}");
            for args in ["token", "status", "whoami", "config path", "--version"] {
                let run = setup.shell(args, redirection);
                assert_eq!(run.code, 0, "{context} {args}: {run:?}");
                if !redirection.contains(">&-") && args == "token" {
                    assert_eq!(run.stdout, format!("{token}\n"), "{context}: {run:?}");
                }
            }
        }
        // A login whose stderr is closed: the listener's socket cannot become stderr.
        let login = setup.shell("login --port 0 --timeout 20", "2>&- <&-");
        assert_eq!(login.code, 0, "{store:?}: {login:?}");
        let token = setup.env.fake.last_access_token();
        assert_eq!(setup.shell("token", "").stdout, format!("{token}\n"));
        // Reading a token from a closed stdin is an empty stdin: a usage error, no abort.
        let pasted = setup.shell("login --with-token --profile pasted", "<&- 2>&-");
        assert_eq!((pasted.code, pasted.stdout.as_str()), (2, ""), "{store:?}");
        setup.assert_grant_alive(&format!("{store:?}"));
    });
}

#[test]
fn a_full_stdout_is_an_error_with_exit_1_and_a_closed_pipe_is_not() {
    let setup = Setup::logged_in(Store::File).unwrap();
    for args in ["token", "status", "whoami", "token --json"] {
        let run = setup.shell(args, ">/dev/full");
        assert_eq!(run.code, 1, "{args}: {run:?}");
        assert!(
            run.stderr.starts_with("attio-auth: error: ") && run.stderr.contains("No space left"),
            "{args}: {run:?}"
        );
        crate::support::assert_no_leak(&setup.env, &run, args);
        let piped = setup
            .env
            .wrapper("sh")
            .args([
                "-c",
                &format!("{} {args} | true", env!("CARGO_BIN_EXE_attio-auth")),
            ])
            .output()
            .unwrap();
        let piped: Run = piped.into();
        assert_eq!(
            (piped.code, piped.stderr.as_str()),
            (0, ""),
            "{args}: {piped:?}"
        );
    }
}
