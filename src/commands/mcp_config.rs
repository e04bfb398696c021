//! `attio-auth mcp-config`: the entry an MCP host needs to run the Attio MCP server
//! through attio-auth. Hosts start servers from a desktop app, without the shell's PATH
//! (a bare `attio-auth` is "not found") and on Linux often without the D-Bus address the
//! keyring is reached at, so the entry spells both out.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::advice::Advice;
use crate::cli::{McpConfigArgs, McpFormat};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::output;
use crate::settings::Environment;
use crate::store::StoreKind;

pub fn run(ctx: &Ctx, env: &Environment, args: &McpConfigArgs) -> Result<()> {
    if args.name.trim().is_empty() || args.name.chars().any(char::is_control) {
        return Err(Failure::usage(format!(
            "--name {:?} is not a usable server name",
            args.name
        ))
        .advise(Advice::ShortServerName)
        .into());
    }
    let attio_auth = own_path(env)?;
    let command_args = command_args(ctx, env, args)?;
    let variables = variables(ctx, env, args)?;
    print(
        args,
        &attio_auth.display().to_string(),
        command_args,
        &variables,
    )
}

/// What the entry runs attio-auth with: the bridge (`--hosted`), or `exec` of the MCP
/// server found on PATH.
fn command_args(ctx: &Ctx, env: &Environment, args: &McpConfigArgs) -> Result<Vec<String>> {
    let profile = &ctx.settings.profile;
    let mut command_args = Vec::new();
    if args.hosted {
        command_args.extend(["mcp".to_string(), "--profile".into(), profile.to_string()]);
    } else {
        let server = crate::store::which(&args.server, &env.path_dirs()).ok_or_else(|| {
            Failure::new(
                Kind::Failed,
                format!(
                    "the MCP server `{}` is not installed (not found on PATH)",
                    args.server
                ),
            )
            .advise(Advice::InstallMcpServer)
        })?;
        let server = absolute(server)?;
        command_args.extend(["exec".to_string(), "--profile".into(), profile.to_string()]);
        if !args.no_proxy {
            command_args.push("--proxy".into());
        }
        command_args.push("--".into());
        command_args.push(server.display().to_string());
    }
    Ok(command_args)
}

/// The entry's environment (PATH, and the session bus a keyring profile needs), with a
/// warning for a profile the server could not use yet.
fn variables(
    ctx: &Ctx,
    env: &Environment,
    args: &McpConfigArgs,
) -> Result<Vec<(&'static str, String)>> {
    let profile = &ctx.settings.profile;
    let mut variables: Vec<(&'static str, String)> = Vec::new();
    if let Some(path) = env.path() {
        variables.push(("PATH", without_repeats(path)));
    }
    let login = if args.hosted {
        format!("attio-auth login --mcp --profile {profile}")
    } else {
        format!("attio-auth login --profile {profile}")
    };
    match ctx.repository().meta()? {
        None => output::warn(format!(
            "profile `{profile}` is not logged in: run `{login}` before the host starts the server"
        )),
        Some(meta) if args.hosted && meta.mcp.is_none() => output::warn(format!(
            "profile `{profile}` is not a login to a hosted MCP server: run `{login}` before the host starts the bridge"
        )),
        // The Secret Service is reached over the session bus (Linux and the BSDs).
        Some(meta)
            if meta.store == StoreKind::Keyring && !cfg!(any(target_os = "macos", windows)) =>
        {
            match (env.session_bus_address(), env.no_session_bus()) {
                (Some(address), None) => {
                    variables.push(("DBUS_SESSION_BUS_ADDRESS", address.to_string()));
                }
                (_, why) => output::warn(format!(
                    "profile `{profile}` is in the OS keyring, but this shell has no D-Bus session bus ({}): run mcp-config in your desktop session, or log in with --store file",
                    why.unwrap_or_else(|| "its address is not set".into())
                )),
            }
        }
        Some(_) => {}
    }
    Ok(variables)
}

/// The entry in the host's format, on stdout (and which file it goes in, on stderr).
fn print(
    args: &McpConfigArgs,
    attio_auth: &str,
    command_args: Vec<String>,
    variables: &[(&str, String)],
) -> Result<()> {
    match args.format {
        McpFormat::Json | McpFormat::Vscode => {
            let env_object: serde_json::Map<String, serde_json::Value> = variables
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::from(v.as_str())))
                .collect();
            let mut entry = serde_json::json!({
                "command": attio_auth,
                "args": command_args,
                "env": env_object,
            });
            let document = if args.format == McpFormat::Vscode {
                output::info(
                    "attio-auth: merge this into VS Code's mcp.json (.vscode/mcp.json in a workspace, or the one `MCP: Open User Configuration` opens)",
                );
                entry["type"] = "stdio".into();
                serde_json::json!({"servers": {args.name.as_str(): entry}})
            } else {
                output::info(
                    "attio-auth: merge this into the host's JSON configuration (Claude Desktop: claude_desktop_config.json; Cursor: ~/.cursor/mcp.json)",
                );
                serde_json::json!({"mcpServers": {args.name.as_str(): entry}})
            };
            output::json(&document)?;
        }
        McpFormat::Codex => {
            output::info("attio-auth: add this to Codex CLI's ~/.codex/config.toml");
            output::data(&codex_table(
                &args.name,
                attio_auth,
                &command_args,
                variables,
            ))?;
        }
        McpFormat::Claude => {
            let mut words = vec![
                "claude".to_string(),
                "mcp".into(),
                "add".into(),
                args.name.clone(),
            ];
            for (name, value) in variables {
                words.push("-e".into());
                words.push(format!("{name}={value}"));
            }
            words.push("--".into());
            words.push(attio_auth.to_string());
            words.extend(command_args);
            let shell = if cfg!(windows) {
                Shell::Windows
            } else {
                Shell::Posix
            };
            let (line, for_shell) = command_line(&words, shell);
            output::info(format!("attio-auth: the line below is for {for_shell}"));
            output::data(&line)?;
        }
    }
    Ok(())
}

/// attio-auth's path for the entry: as PATH finds it when that is this very program (a
/// package manager's link stays right across upgrades), else where this one runs from.
fn own_path(env: &Environment) -> Result<PathBuf> {
    let running = std::env::current_exe().context("finding attio-auth's own path")?;
    let same =
        |found: &PathBuf| std::fs::canonicalize(found).ok() == std::fs::canonicalize(&running).ok();
    match crate::store::which("attio-auth", &env.path_dirs()).filter(same) {
        Some(found) => absolute(found),
        None => absolute(running),
    }
}

/// A path as the host must be given it: absolute (links kept: an upgrade moves what
/// they point to, not them).
fn absolute(path: PathBuf) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path);
    }
    Ok(std::env::current_dir()
        .context("finding the current directory")?
        .join(path))
}

/// `PATH` with each directory once, in its first place.
fn without_repeats(path: &str) -> String {
    let mut seen = Vec::new();
    for dir in std::env::split_paths(path) {
        if !seen.contains(&dir) {
            seen.push(dir);
        }
    }
    std::env::join_paths(seen)
        .map(|joined| joined.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string())
}

/// Codex CLI's table for a server: TOML strings, quoted as TOML's basic strings are.
fn codex_table(name: &str, command: &str, args: &[String], variables: &[(&str, String)]) -> String {
    let quote = |s: &str| toml_string(s);
    let key = if name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        name.to_string()
    } else {
        quote(name)
    };
    let mut table = format!(
        "[mcp_servers.{key}]\ncommand = {}\nargs = [{}]\n",
        quote(command),
        args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")
    );
    if !variables.is_empty() {
        table.push_str(&format!("\n[mcp_servers.{key}.env]\n"));
        for (variable, value) in variables {
            table.push_str(&format!("{variable} = {}\n", quote(value)));
        }
    }
    table.trim_end().to_string()
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Which shells a printed command line is for.
#[derive(Clone, Copy)]
enum Shell {
    Posix,
    /// cmd and PowerShell, when one quoting suits both.
    Windows,
}

/// `words` as one line a shell runs as those words, and which shell that is. On Windows,
/// double quotes where a word needs them, which cmd and PowerShell both read the same;
/// a word that one of them would expand there (`"`, `%`, `$`, a backtick) makes it a
/// PowerShell line in single quotes.
fn command_line(words: &[String], shell: Shell) -> (String, &'static str) {
    match shell {
        Shell::Posix => (shell_words::join(words), "a POSIX shell (sh, bash, zsh)"),
        Shell::Windows => {
            let plain = |w: &String| {
                !w.is_empty()
                    && !w.contains(|c: char| {
                        c.is_whitespace() || "&|<>^()\"%!;,=$`'@{}#".contains(c)
                    })
            };
            if words.iter().any(|w| w.contains(['"', '%', '$', '`'])) {
                let line = words
                    .iter()
                    .map(|w| match plain(w) {
                        true => w.clone(),
                        false => format!("'{}'", w.replace('\'', "''")),
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                return (line, "PowerShell");
            }
            let line = words
                .iter()
                .map(|w| match plain(w) {
                    true => w.clone(),
                    false => format!("\"{w}\""),
                })
                .collect::<Vec<_>>()
                .join(" ");
            (line, "cmd or PowerShell")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Shell, command_line};

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn windows_lines_quote_for_cmd_and_powershell_alike() {
        let (line, shell) = command_line(
            &words(&[
                "claude",
                "mcp",
                "add",
                "attio",
                "-e",
                "PATH=C:\\Program Files\\nodejs;C:\\Windows",
                "--",
                "C:\\Users\\Ann Lee\\bin\\attio-auth.exe",
                "exec",
            ]),
            Shell::Windows,
        );
        assert_eq!(
            line,
            r#"claude mcp add attio -e "PATH=C:\Program Files\nodejs;C:\Windows" -- "C:\Users\Ann Lee\bin\attio-auth.exe" exec"#
        );
        assert_eq!(shell, "cmd or PowerShell");
    }

    #[test]
    fn a_word_either_windows_shell_would_expand_makes_a_powershell_line() {
        let (line, shell) = command_line(
            &words(&["claude", "-e", "PATH=C:\\100%\\bin", "--", "it's"]),
            Shell::Windows,
        );
        assert_eq!(line, r#"claude -e 'PATH=C:\100%\bin' -- 'it''s'"#);
        assert_eq!(shell, "PowerShell");
    }

    #[test]
    fn posix_lines_quote_as_a_posix_shell_reads_them() {
        let (line, shell) = command_line(&words(&["claude", "a b", "it's"]), Shell::Posix);
        assert_eq!(line, r#"claude 'a b' 'it'\''s'"#);
        assert_eq!(shell, "a POSIX shell (sh, bash, zsh)");
    }
}
