//! The completion scripts committed under `completions/` match what the binary generates.

use std::process::Command;

#[test]
fn committed_scripts_are_current() {
    let scripts = [
        ("bash", "attio-auth.bash"),
        ("zsh", "_attio-auth"),
        ("fish", "attio-auth.fish"),
        ("powershell", "_attio-auth.ps1"),
        ("elvish", "attio-auth.elv"),
    ];
    for (shell, file) in scripts {
        let generated = Command::new(env!("CARGO_BIN_EXE_attio-auth"))
            .args(["completions", shell])
            .env_clear()
            .output()
            .unwrap();
        assert_eq!(
            generated.status.code(),
            Some(0),
            "completions {shell} needs no HOME"
        );
        let path = format!("{}/completions/{file}", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == generated.stdout,
            "{path} is stale: run ./completions/update.sh and commit the result"
        );
    }
}

#[cfg(unix)]
/// A shell that completes nothing is a test that cannot pass: these need bash, zsh and
/// fish (CI installs them); without one, the test says so loudly, and fails under CI.
fn shell_available(shell: &str) -> bool {
    let found = Command::new(shell)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::support::not_run(&format!(
            "completion test for {shell} NOT RUN: {shell} is not installed"
        ));
    }
    found
}

#[cfg(unix)]
/// A directory with a stand-in `attio-auth` that prints the arguments it was given, so a
/// line completed in a real interactive shell can be run and its words seen. The
/// scripts' own call for the stored profiles' names goes to the real binary.
fn echoing_attio_auth() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("attio-auth");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nif [ \"$1\" = __complete-profiles ]; then exec '{}' \"$@\"; fi\necho \"ARGS: $*\"\n",
            env!("CARGO_BIN_EXE_attio-auth")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[cfg(unix)]
/// Types each line (with its Tabs) into an interactive shell on a pseudo-terminal, after
/// the prompt shows, then Enter, and returns the arguments the completed line ran with.
fn complete_interactively(
    shell: &[&str],
    setup: &[(&str, std::path::PathBuf)],
    lines: &[&str],
) -> Vec<String> {
    use std::io::{Read, Write};
    use std::process::Stdio;
    use std::sync::mpsc;
    use std::time::Duration;

    let bin = echoing_attio_auth();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let command = shell.join(" ");
    let mut script = Command::new("script");
    script
        .args(["--quiet", "--command", &command, "/dev/null"])
        .env_clear()
        .env("PATH", path)
        .env("TERM", "dumb")
        .env("HOME", bin.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (key, value) in setup {
        script.env(key, value);
    }
    let mut child = script.spawn().expect("run script(1)");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut chunk) {
            if n == 0 || tx.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    // Output-driven: wait (bounded) until the text appears.
    let wait_for = |needle: &str, seen: &mut String| {
        while !seen.contains(needle) {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(bytes) => seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!("{command}: never saw {needle:?} in {seen:?}"),
            }
        }
    };
    let mut ran = Vec::new();
    for line in lines {
        wait_for("READY>", &mut seen);
        seen = seen.split_once("READY>").unwrap().1.to_string();
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        wait_for("ARGS: ", &mut seen);
        // The echoed command line ends in a newline too: wait for the one after `ARGS: `.
        seen = seen.split_once("ARGS: ").unwrap().1.to_string();
        wait_for("\n", &mut seen);
        let after = seen.as_str();
        let (args, rest) = after.split_once('\n').unwrap();
        // zsh completes a value as `--store=keyring`: the same command line.
        ran.push(args.trim_end_matches('\r').replace('=', " "));
        seen = rest.to_string();
    }
    stdin.write_all(b"exit\n").unwrap();
    let _ = child.wait();
    ran
}

/// Each committed script, sourced in its real shell, completes a subcommand's flag, a
/// flag's value, and the stored profiles' names for `--profile` and `switch`.
// bash, zsh and fish on a pseudo-terminal.
#[cfg(unix)]
#[test]
fn committed_scripts_complete_flags_and_values_in_real_shells() {
    use crate::fake_attio::{Consent, Tokens};
    let stored = crate::support::TestEnv::new(Consent::Approve, Tokens::LongLived);
    stored.logged_in(&["--profile", "work"]);
    stored.logged_in(&["--profile", "acme-prod"]);
    let home = stored
        .config_dir()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let xdg = [
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_DATA_HOME", home.join("data")),
    ];
    let dir = env!("CARGO_MANIFEST_DIR");
    let lines = [
        "attio-auth token --hea\t",
        "attio-auth login --sto\tk\t",
        "attio-auth switch w\t",
        "attio-auth token --profile ac\t",
        "attio-auth token --format cu\t",
    ];
    let expected = [
        "token --header",
        "login --store keyring",
        "switch work",
        "token --profile acme-prod",
        "token --format curl-config",
    ];

    if shell_available("bash") {
        let rc = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            rc.path(),
            format!("source {dir}/completions/attio-auth.bash\nPS1='READY> '\n"),
        )
        .unwrap();
        let rcfile = rc.path().display().to_string();
        let ran = complete_interactively(
            &["bash", "--noprofile", "--rcfile", &rcfile, "-i"],
            &xdg,
            &lines,
        );
        assert_eq!(ran, expected, "bash");
    }

    if shell_available("zsh") {
        let zdotdir = tempfile::tempdir().unwrap();
        std::fs::write(
            zdotdir.path().join(".zshrc"),
            format!(
                "fpath=({dir}/completions $fpath)\nautoload -U compinit\ncompinit -u -D\nPS1='READY> '\n"
            ),
        )
        .unwrap();
        let mut setup = xdg.to_vec();
        setup.push(("ZDOTDIR", zdotdir.path().to_path_buf()));
        let ran = complete_interactively(&["zsh", "-i"], &setup, &lines);
        assert_eq!(ran, expected, "zsh");
    }

    if shell_available("fish") {
        let bin = echoing_attio_auth();
        let path = format!(
            "{}:{}",
            bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        // Run where a stray redirection in a script would leave a file behind.
        let cwd = tempfile::tempdir().unwrap();
        let completed = |line: &str| -> Vec<String> {
            let output = Command::new("fish")
                .current_dir(cwd.path())
                .envs(xdg.iter().map(|(k, v)| (k, v)))
                .env("PATH", &path)
                .args([
                    "--no-config",
                    "-c",
                    &format!("source {dir}/completions/attio-auth.fish; complete -C '{line}'"),
                ])
                .output()
                .unwrap();
            assert!(output.status.success(), "{output:?}");
            assert_eq!(String::from_utf8_lossy(&output.stderr), "", "fish: {line}");
            String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(|l| l.split('\t').next().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            completed("attio-auth token --he"),
            ["--header", "--help"],
            "fish"
        );
        assert_eq!(
            completed("attio-auth login --store "),
            ["command", "file", "keyring"],
            "fish"
        );
        assert_eq!(
            completed("attio-auth switch "),
            ["acme-prod", "work"],
            "fish"
        );
        assert_eq!(
            completed("attio-auth token --profile "),
            ["acme-prod", "work"],
            "fish"
        );
        assert_eq!(
            completed("attio-auth token --format "),
            ["bearer", "curl-config", "env", "header", "json", "raw"],
            "fish"
        );
        let left: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
        assert!(left.is_empty(), "completing wrote files: {left:?}");
    }
}

/// bash at `attio-auth <TAB><TAB>`: the commands, not every option before them; options
/// once a `-` is typed.
#[cfg(unix)]
#[test]
fn bash_offers_the_commands_first_and_options_after_a_dash() {
    if !shell_available("bash") {
        return;
    }
    let dir = env!("CARGO_MANIFEST_DIR");
    let complete = |word: &str| -> String {
        let output = Command::new("bash")
            .args([
                "--noprofile",
                "--norc",
                "-c",
                &format!(
                    "source {dir}/completions/attio-auth.bash; COMP_WORDS=(attio-auth '{word}'); COMP_CWORD=1; _attio__auth attio-auth '{word}' attio-auth; echo \"${{COMPREPLY[*]}}\""
                ),
            ])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
        String::from_utf8(output.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    };
    assert_eq!(
        complete(""),
        "login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help"
    );
    assert_eq!(complete("--pr"), "--profile");
    assert_eq!(complete("lo"), "login logout");
}
