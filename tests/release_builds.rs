//! The builds CI makes besides the ordinary one pass the same smoke tests against the
//! fake Attio: the static musl builds for servers and containers, x86_64 (`.ci/run`
//! builds it with `cargo build --release --locked --target x86_64-unknown-linux-musl`)
//! and aarch64 (cross-built with `cargo zigbuild`, run under `qemu-aarch64`). Each
//! binary is found below `target/`, or wherever its variable says; when one is missing
//! the test says so loudly, and fails under `CI=true`.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use crate::fake_attio::{Consent, Tokens};
use crate::support::{Run, TestEnv, not_run};

pub const API_KEY: &str = "sk_live_smoke_0123456789abcdef";

/// A build of attio-auth named by `variable`, else at `default` below the target
/// directory; `None` (said loudly) when it is not there.
pub fn build(variable: &str, default: &str, how: &str) -> Option<PathBuf> {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join(default)
        });
    if path.is_file() {
        return Some(path);
    }
    not_run(&format!(
        "smoke test NOT RUN: no build at {} ({how}, or set {variable})",
        path.display()
    ));
    None
}

/// Runs `program` (a build of attio-auth, with any leading arguments, and `vars` in its
/// environment) through the everyday commands: version, a pasted API key into the file
/// store (its host name resolved by the build's own resolver), token, status, whoami
/// and logout.
pub fn smoke<V: AsRef<OsStr>>(program: &[&OsStr], vars: &[(&str, V)]) {
    let env = TestEnv::new(Consent::Approve, Tokens::LongLived);
    env.fake.accept_api_key(API_KEY);
    let run = runner(&env, program, vars);

    let version = run(&["--version"], "");
    assert_eq!(
        (version.code, version.stdout.as_str()),
        (0, concat!("attio-auth ", env!("CARGO_PKG_VERSION"), "\n")),
        "{version:?}"
    );
    let login = run(&["login", "--with-token", "--store", "file"], API_KEY);
    assert_eq!(login.code, 0, "{login:?}");
    assert!(
        login.stderr.contains("Logged in to Acme (acme)"),
        "{login:?}"
    );
    let token = run(&["token"], "");
    assert_eq!(
        (token.code, token.stdout.as_str()),
        (0, format!("{API_KEY}\n").as_str()),
        "{token:?}"
    );
    let status = run(&["status", "--json"], "");
    assert_eq!(status.code, 0, "{status:?}");
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["profiles"][0]["profile"], "default", "{status}");
    let whoami = run(&["whoami", "--json"], "");
    assert_eq!(whoami.code, 0, "{whoami:?}");
    let whoami: serde_json::Value = serde_json::from_str(&whoami.stdout).unwrap();
    assert_eq!(whoami["workspace_slug"], "acme");
    let logout = run(&["logout"], "");
    assert_eq!(logout.code, 0, "{logout:?}");
    let gone = run(&["token"], "");
    assert_eq!((gone.code, gone.stdout.as_str()), (3, ""), "{gone:?}");
    assert_eq!(env.fake.seen("/v2/self").len(), 2, "login and whoami asked");
}

/// Runs `program` (with its leading arguments and `vars`) in `env`, with the fake
/// Attio's API reached by name, and the given standard input.
pub fn runner<'a, V: AsRef<OsStr>>(
    env: &'a TestEnv,
    program: &'a [&OsStr],
    vars: &'a [(&str, V)],
) -> impl Fn(&[&str], &str) -> Run + 'a {
    let by_name = env.fake.url.replace("127.0.0.1", "localhost");
    move |args, stdin| {
        let mut cmd = env.cmd_of(program, args);
        cmd.env("ATTIO_API_URL", &by_name)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in vars {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        child.wait_with_output().unwrap().into()
    }
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs the musl release build: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_static_musl_build_passes_the_smoke_tests() {
    let Some(binary) = build(
        "ATTIO_AUTH_MUSL_BINARY",
        "x86_64-unknown-linux-musl/release/attio-auth",
        "cargo build --release --locked --target x86_64-unknown-linux-musl",
    ) else {
        return;
    };
    smoke::<&OsStr>(&[binary.as_os_str()], &[]);
    // musl's own user database lookup, with HOME unset.
    let output = std::process::Command::new(&binary)
        .args(["config", "path"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        crate::name_service::config_path_under(&crate::name_service::passwd_home())
    );
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs the aarch64 musl release build and qemu: run tests/setup.sh, then cargo test -- --include-ignored"]
fn the_static_aarch64_musl_build_passes_the_smoke_tests_under_qemu() {
    let Some(binary) = build(
        "ATTIO_AUTH_AARCH64_MUSL_BINARY",
        "aarch64-unknown-linux-musl/release/attio-auth",
        "cargo zigbuild --release --locked --target aarch64-unknown-linux-musl",
    ) else {
        return;
    };
    if !crate::support::have("qemu-aarch64", "apt-get install qemu-user") {
        return;
    }
    smoke::<&OsStr>(&["qemu-aarch64".as_ref(), binary.as_os_str()], &[]);
}

/// build.rs links the unwinder statically on Linux with glibc: the binary loads no
/// `libgcc_s`, whose constructor's `cpuid` instructions slow every start on a virtual
/// machine. Checked on the build the tests run (the release build is linked the same way).
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_glibc_build_needs_no_libgcc_s() {
    if !crate::support::have("readelf", "apt-get install binutils") {
        return;
    }
    let out = std::process::Command::new("readelf")
        .args(["--dynamic", env!("CARGO_BIN_EXE_attio-auth")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let needed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| line.contains("(NEEDED)"))
        .filter_map(|line| Some(line.split('[').nth(1)?.trim_end_matches(']').to_string()))
        .collect();
    // libc is there (the list was read), libgcc_s is not.
    assert!(
        needed.iter().any(|lib| lib == "libc.so.6")
            && !needed.iter().any(|lib| lib.starts_with("libgcc_s")),
        "{needed:?}"
    );
}
