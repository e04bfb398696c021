//! What a statically linked glibc binary (see .cargo/config.toml) must still do: the
//! lookups glibc serves through NSS (the home directory from the user database, host
//! names), run through the built binary. The keyring over D-Bus is covered by
//! `keyring.rs`, which runs the same binary.

use std::process::Command;

use crate::fake_attio::{Consent, Tokens};
use crate::support::TestEnv;

/// The home directory the user database gives the current user.
fn passwd_home() -> String {
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

#[test]
fn without_home_the_home_directory_comes_from_the_user_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_attio-auth"))
        .args(["config", "path"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!(
            "{}/.config/attio-auth/config.toml\n",
            passwd_home().trim_end_matches('/')
        )
    );
}

#[test]
fn host_names_resolve() {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.state().api_keys.push("sk_live_resolve".into());
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
