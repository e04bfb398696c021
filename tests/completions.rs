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
