//! `attio-auth mcp-config`: the entry an MCP host needs to run the Attio MCP server
//! through attio-auth. Hosts start servers from a desktop app, without the shell's PATH
//! (a bare `attio-auth` is "not found") and on Linux often without the D-Bus address the
//! keyring is reached at, so the entry spells both out.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::cli::{McpConfigArgs, McpFormat};
use crate::context::Ctx;
use crate::failure::{Failure, Kind};
use crate::output;
use crate::settings::Environment;
use crate::store::StoreKind;

pub fn run(ctx: &Ctx, env: &Environment, args: &McpConfigArgs) -> Result<()> {
    let profile = &ctx.settings.profile;
    if args.name.trim().is_empty() || args.name.chars().any(char::is_control) {
        return Err(Failure::usage(format!(
            "--name {:?} is not a usable server name",
            args.name
        ))
        .hint("give a short name such as `attio`")
        .into());
    }
    let server = crate::store::which(&args.server, &env.path_dirs()).ok_or_else(|| {
        Failure::new(
            Kind::Failed,
            format!("the MCP server `{}` is not installed (not found on PATH)", args.server),
        )
        .hint("install it once with `npm install -g attio-mcp` (an entry that runs `npx -y attio-mcp` leaves the server running each time the host stops it), or name it with --server PATH")
    })?;
    let server = absolute(server)?;
    let attio_auth = own_path(env)?;
    let mut command_args = vec!["exec".to_string(), "--profile".into(), profile.to_string()];
    if !args.no_proxy {
        command_args.push("--proxy".into());
    }
    command_args.push("--".into());
    command_args.push(server.display().to_string());

    let mut variables: Vec<(&str, String)> = Vec::new();
    if let Some(path) = env.path() {
        variables.push(("PATH", path.to_string()));
    }
    match ctx.repository().meta()? {
        None => output::warn(format!(
            "profile `{profile}` is not logged in: run `attio-auth login --profile {profile}` before the host starts the server"
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

    match args.format {
        McpFormat::Json => {
            let env_object: serde_json::Map<String, serde_json::Value> = variables
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::from(v.as_str())))
                .collect();
            output::json(&serde_json::json!({
                "mcpServers": {
                    args.name.as_str(): {
                        "command": attio_auth.display().to_string(),
                        "args": command_args,
                        "env": env_object,
                    }
                }
            }))?;
        }
        McpFormat::Claude => {
            let mut words = vec![
                "claude".to_string(),
                "mcp".into(),
                "add".into(),
                args.name.clone(),
            ];
            for (name, value) in &variables {
                words.push("-e".into());
                words.push(format!("{name}={value}"));
            }
            words.push("--".into());
            words.push(attio_auth.display().to_string());
            words.extend(command_args);
            output::data(&shell_words::join(&words))?;
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
