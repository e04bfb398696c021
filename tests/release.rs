//! The release: the archives `packaging/dist.sh` makes (target/dist, built by
//! tests/setup.sh as CI's release job does), their `SHA256SUMS`, each binary run from its
//! unpacked archive, `install.sh` installing from a local release (and refusing a tampered
//! one), and the names that must agree: the archives', cargo-binstall's templates, the
//! Homebrew formula's version, install.sh's and the manifest's repository, and the
//! release workflow's targets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::support::not_run;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every target a release has an archive for: built here (Linux and Windows), or on
/// macOS runners by the release workflow.
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-pc-windows-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
];

/// The archives built and checked here.
const BUILT_HERE: [&str; 3] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-pc-windows-gnu",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// `packaging/dist.sh --name TARGET`: the archive's file name.
fn archive_name(target: &str) -> String {
    let output = Command::new("bash")
        .arg(root().join("packaging/dist.sh"))
        .args(["--name", target])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

fn manifest() -> toml::Value {
    toml::from_str(&read("Cargo.toml")).unwrap()
}

#[test]
fn archive_names_binstall_the_formula_install_sh_and_the_release_workflow_agree() {
    let manifest = manifest();
    let package = &manifest["package"];
    let repo = package["repository"].as_str().unwrap();
    let binstall = &package["metadata"]["binstall"];
    let template = |key: &str| binstall[key].as_str().unwrap().to_string();
    for target in TARGETS {
        let name = archive_name(target);
        let windows = target.contains("windows");
        let format = binstall["overrides"]
            .get(target)
            .and_then(|o| o.get("pkg-fmt"))
            .unwrap_or(&binstall["pkg-fmt"])
            .as_str()
            .unwrap();
        let suffix = match format {
            "tgz" => ".tar.gz",
            "zip" => ".zip",
            other => panic!("pkg-fmt {other}"),
        };
        let expand = |text: String| {
            text.replace("{ repo }", repo)
                .replace("{ name }", "attio-auth")
                .replace("{ version }", VERSION)
                .replace("{ target }", target)
                .replace("{ archive-suffix }", suffix)
                .replace("{ bin }", "attio-auth")
                .replace("{ binary-ext }", if windows { ".exe" } else { "" })
        };
        let stem = format!("attio-auth-v{VERSION}-{target}");
        assert_eq!(name, format!("{stem}{suffix}"));
        assert_eq!(
            expand(template("pkg-url")),
            format!("{repo}/releases/download/v{VERSION}/{name}")
        );
        let exe = if windows {
            "attio-auth.exe"
        } else {
            "attio-auth"
        };
        assert_eq!(expand(template("bin-dir")), format!("{stem}/{exe}"));
    }

    let formula = read("packaging/homebrew/attio-auth.rb");
    for line in [
        format!("  homepage \"{repo}\""),
        format!("  url \"{repo}/archive/refs/tags/v{VERSION}.tar.gz\""),
        "  depends_on \"rust\" => :build".to_string(),
        "    system \"cargo\", \"install\", *std_cargo_args".to_string(),
    ] {
        assert!(
            formula.lines().any(|l| l == line),
            "the formula lacks {line:?}"
        );
    }
    assert_eq!(package["homepage"].as_str(), Some(repo));
    for script in ["install.sh", "install.ps1"] {
        assert!(
            read(script).contains(&format!("{repo}/releases")),
            "{script} installs from {repo}"
        );
    }
    // The release workflow builds an archive for every target, and no other.
    let workflow = read(".github/workflows/release.yml");
    let named: BTreeSet<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- target: "))
        .collect();
    assert_eq!(named, TARGETS.into_iter().collect());
}

/// The release built here (target/dist), or `None`, said loudly.
fn dist() -> Option<PathBuf> {
    let dist = root().join("target/dist");
    if BUILT_HERE
        .iter()
        .all(|target| dist.join(archive_name(target)).is_file())
        && dist.join("SHA256SUMS").is_file()
    {
        return Some(dist);
    }
    not_run(&format!(
        "release test NOT RUN: the archives and SHA256SUMS are not all in {} (tests/setup.sh makes them with packaging/dist.sh)",
        dist.display()
    ));
    None
}

fn sha256_hex(path: &Path) -> String {
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file below `dir`, as relative paths with `/`.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found
}

fn unpack(archive: &Path, into: &Path) {
    let name = archive.to_str().unwrap();
    let status = if name.ends_with(".zip") {
        Command::new("python3")
            .args(["-m", "zipfile", "-e", name])
            .arg(into)
            .status()
    } else {
        Command::new("tar")
            .args(["-xzf", name, "-C"])
            .arg(into)
            .status()
    };
    assert!(status.unwrap().success(), "unpacking {name}");
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs the release archives, qemu and Wine: run tests/setup.sh, then cargo test -- --include-ignored"]
fn each_archive_holds_the_release_and_its_binary_runs_unpacked() {
    let Some(dist) = dist() else { return };
    if !crate::support::have("qemu-aarch64", "apt-get install qemu-user")
        || !crate::support::have("wine", "apt-get install wine")
    {
        return;
    }
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    let listed: Vec<String> = sums.lines().map(String::from).collect();
    let mut expected_sums = Vec::new();
    let man = Command::new(env!("CARGO_BIN_EXE_attio-auth"))
        .arg("man")
        .output()
        .unwrap()
        .stdout;
    for target in BUILT_HERE {
        let name = archive_name(target);
        let archive = dist.join(&name);
        expected_sums.push(format!("{}  {name}", sha256_hex(&archive)));
        let empty = tempfile::tempdir().unwrap();
        unpack(&archive, empty.path());
        let stem = format!("attio-auth-v{VERSION}-{target}");
        let exe = if target.contains("windows") {
            "attio-auth.exe"
        } else {
            "attio-auth"
        };
        let expected: BTreeSet<String> = [
            exe,
            "README.md",
            "LICENSE",
            "CHANGELOG.md",
            "completions/attio-auth.bash",
            "completions/_attio-auth",
            "completions/attio-auth.fish",
            "completions/_attio-auth.ps1",
            "completions/attio-auth.elv",
            "doc/attio-auth.1",
        ]
        .iter()
        .map(|f| format!("{stem}/{f}"))
        .collect();
        assert_eq!(files(empty.path()), expected, "{name}");
        let dir = empty.path().join(&stem);
        assert_eq!(std::fs::read(dir.join("doc/attio-auth.1")).unwrap(), man);
        assert_eq!(
            std::fs::read(dir.join("completions/_attio-auth")).unwrap(),
            std::fs::read(root().join("completions/_attio-auth")).unwrap()
        );
        // Run from where it was unpacked, nothing else on hand.
        let binary = dir.join(exe);
        let wine = target
            .contains("windows")
            .then(|| tempfile::tempdir().unwrap());
        let mut run = match (target, &wine) {
            ("aarch64-unknown-linux-musl", _) => {
                let mut cmd = Command::new("qemu-aarch64");
                cmd.arg(&binary);
                cmd
            }
            (_, Some(prefix)) => {
                let prefix = prefix.path().join("prefix");
                crate::support::make_wine_prefix(&prefix);
                let mut cmd = Command::new("wine");
                cmd.arg(&binary).envs(crate::support::wine_vars(&prefix));
                cmd
            }
            _ => Command::new(&binary),
        };
        let output = run
            .arg("--version")
            .current_dir(empty.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stdout)
            ),
            (Some(0), format!("attio-auth {VERSION}\n").into()),
            "{name}: {output:?}"
        );
    }
    // In the order of the names, as the shell lists them.
    expected_sums.sort_by_key(|line| line[66..].to_string());
    assert_eq!(listed, expected_sums, "SHA256SUMS lists each archive once");
}

/// A local release of `dist`'s files on 127.0.0.1 (`tamper`: the Linux x86_64 archive's
/// last byte changed); its base URL.
fn serve(dist: &Path, tamper: bool) -> (String, std::thread::JoinHandle<()>, Server) {
    let server = Server(std::sync::Arc::new(
        tiny_http::Server::http("127.0.0.1:0").unwrap(),
    ));
    let url = format!(
        "http://127.0.0.1:{}",
        server.0.server_addr().to_ip().unwrap().port()
    );
    let (listener, dist) = (server.0.clone(), dist.to_path_buf());
    let tampered = archive_name("x86_64-unknown-linux-musl");
    let handle = std::thread::spawn(move || {
        while let Ok(request) = listener.recv() {
            let name = request.url().trim_start_matches('/').to_string();
            let path = dist.join(&name);
            let answer = match std::fs::read(&path) {
                Ok(mut bytes) if !name.contains('/') && !name.contains("..") => {
                    if tamper && name == tampered {
                        *bytes.last_mut().unwrap() ^= 1;
                    }
                    tiny_http::Response::from_data(bytes)
                }
                _ => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
            };
            let _ = request.respond(answer);
        }
    });
    (url, handle, server)
}

struct Server(std::sync::Arc<tiny_http::Server>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.unblock();
    }
}

/// `sh install.sh ARGS` with a clean environment: HOME, and PATH without the prefix.
fn install(home: &Path, args: &[&str]) -> crate::support::Run {
    Command::new("sh")
        .arg(root().join("install.sh"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .stdin(Stdio::null())
        .output()
        .unwrap()
        .into()
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs the release archives: run tests/setup.sh, then cargo test -- --include-ignored"]
fn install_sh_installs_a_local_release_and_refuses_a_tampered_archive() {
    let Some(dist) = dist() else { return };
    if !crate::support::have("man", "apt-get install man-db") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (url, _handle, _server) = serve(&dist, false);
    let run = install(home.path(), &["--base-url", &url]);
    let prefix = home.path().join(".local");
    let name = archive_name("x86_64-unknown-linux-musl");
    assert_eq!(
        (run.code, run.stderr.as_str(), run.stdout.as_str()),
        (
            0,
            "",
            format!(
                "Downloading {name}\n\
                 Installed attio-auth {VERSION} to {p}/bin/attio-auth\n  \
                 manual page: {p}/share/man/man1/attio-auth.1 (man attio-auth)\n  \
                 completions: bash, zsh and fish under {p}/share\n\
                 \n\
                 {p}/bin is not on your PATH. Add it, then open a new shell:\n  \
                 echo 'export PATH=\"{p}/bin:$PATH\"' >> ~/.profile\n\
                 Next: attio-auth login --mcp (Attio's hosted MCP server, no app needed), or see attio-auth --help\n",
                p = prefix.display()
            )
            .as_str()
        )
    );
    assert_eq!(
        files(&prefix),
        [
            "bin/attio-auth",
            "share/bash-completion/completions/attio-auth",
            "share/fish/vendor_completions.d/attio-auth.fish",
            "share/man/man1/attio-auth.1",
            "share/zsh/site-functions/_attio-auth",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
    let version = Command::new(prefix.join("bin/attio-auth"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(version.stdout, format!("attio-auth {VERSION}\n").as_bytes());
    // With the prefix's bin on PATH, as the installer says, `man` finds the page (man-db
    // looks beside each PATH directory) and bash's completion loads.
    let path = format!("{}/bin:/usr/bin:/bin", prefix.display());
    let found = Command::new("man")
        .args(["-w", "attio-auth"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&found.stdout),
        format!("{}/share/man/man1/attio-auth.1\n", prefix.display()),
        "{found:?}"
    );
    let completion = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}/share/bash-completion/completions/attio-auth && complete -p attio-auth",
            prefix.display()
        ))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&completion.stdout).starts_with("complete "),
        "{completion:?}"
    );

    // A tampered archive: refused, and nothing installed.
    let home = tempfile::tempdir().unwrap();
    let (url, _handle, _server) = serve(&dist, true);
    let run = install(home.path(), &["--base-url", &url]);
    let line = std::fs::read_to_string(dist.join("SHA256SUMS"))
        .unwrap()
        .lines()
        .find(|l| l.ends_with(&name))
        .unwrap()
        .to_string();
    let expected = &line[..64];
    let mut bytes = std::fs::read(dist.join(&name)).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    let got: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            1,
            format!("Downloading {name}\n").as_str(),
            format!(
                "install.sh: error: {name} does not match the release's SHA256SUMS (expected {expected}, got {got}); nothing was installed: download again, and report it if it persists\n"
            )
            .as_str()
        )
    );
    assert_eq!(
        std::fs::read_dir(home.path()).unwrap().count(),
        0,
        "nothing left behind"
    );

    // Plain http off this machine is refused before anything is fetched.
    let run = install(home.path(), &["--base-url", "http://example.com/release"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            2,
            "",
            "install.sh: error: --base-url must be https:// (plain http:// only on this machine): http://example.com/release\n"
        )
    );
}
