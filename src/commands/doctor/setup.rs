//! The checks of this machine's setup: config, environment, file store, keyring,
//! redirect port and browser.

use std::path::Path;
use std::time::Instant;

use super::report::{Report, Status, selected};
use crate::advice::Advice;
use crate::cli::GlobalArgs;
use crate::config::{self, Config};
use crate::context::Ctx;
use crate::failure::{self, Kind};
use crate::health::Entry;
use crate::output;
use crate::paths::Paths;
use crate::profile::{self};
use crate::settings::{Environment, Settings};
use crate::store::KeyringStore;

/// config.toml: parses, and may name a store command.
pub(super) fn check_config(report: &mut Report, path: &Path) -> Config {
    let shown = path.display();
    match config::load(path) {
        Ok(config) if path.exists() => {
            match config.store_command() {
                Some(command) => match command.words {
                    Ok(words) => report.add(
                        "config",
                        Status::Ok,
                        format!("{shown} parses; its store command is `{}`", words[0]),
                    ),
                    Err(why) => report.add_fix(
                        "config",
                        Status::Fail,
                        format!("{}: {why}", command.source),
                        Advice::FixConfiguredStoreCommand,
                    ),
                },
                None => report.add("config", Status::Ok, format!("{shown} parses")),
            }
            config
        }
        Ok(config) => {
            report.add(
                "config",
                Status::Ok,
                format!("no configuration file at {shown} (none is needed)"),
            );
            config
        }
        Err(e) => {
            report.add_error("config", Status::Fail, &e);
            Config::default()
        }
    }
}

/// The ATTIO_* variables in effect, and whether the settings they give are usable.
/// Returns the settings (the built-in ones when these are not usable).
pub(super) fn check_environment(
    report: &mut Report,
    global: &GlobalArgs,
    config: &Config,
    env: &Environment,
    paths: &Paths,
) -> Settings {
    let resolved = Settings::resolve(global, config, env, || profile::default::read(paths));
    let set = env.attio_variables();
    let listed = if set.is_empty() {
        "no ATTIO_* variables are set".to_string()
    } else {
        format!("in effect: {}", set.join(", "))
    };
    // What only `login` reads (the store, its command, BROWSER) is checked as it would.
    let resolved = resolved.and_then(|settings| settings.login_store(None).map(|_| settings));
    match resolved {
        Ok(settings) => {
            report.add("environment", Status::Ok, listed);
            settings
        }
        Err(e) => {
            report.add_error("environment", Status::Fail, &e);
            let none = GlobalArgs::default();
            Settings::resolve(&none, &Config::default(), &Environment::default(), || {
                Ok(None)
            })
            .expect("the built-in settings are valid")
        }
    }
}

/// The tool's directories (owner, mode) and the file store's files (mode).
pub(super) fn check_file_store(report: &mut Report, paths: &Paths) {
    let dirs = [
        paths.config.clone(),
        paths.profiles_dir(),
        paths.data.clone(),
        paths.credentials_dir(),
        paths.locks_dir(),
    ];
    for dir in &dirs {
        if let Err(e) = paths.check(dir) {
            report.add_error("file store", Status::Fail, &e);
            return;
        }
    }
    let (foreign, exposed) = foreign_and_exposed(paths);
    let listed = |files: &[std::path::PathBuf]| -> String {
        let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        names.join(", ")
    };
    if let Some(first) = foreign.first() {
        report.add_fix(
            "file store",
            Status::Fail,
            format!(
                "owned by another user, so attio-auth will not read them: {}",
                listed(&foreign)
            ),
            Advice::MoveOrChown {
                path: first.display().to_string(),
            },
        );
        return;
    }
    if let Some(first) = exposed.first() {
        report.add_fix(
            "file store",
            Status::Warn,
            format!("readable by other users: {}", listed(&exposed)),
            Advice::Chmod600 {
                path: first.display().to_string(),
            },
        );
        return;
    }
    let detail = if paths.data.exists() || paths.config.exists() {
        format!(
            "{} and {} are yours and private",
            paths.config.display(),
            paths.data.display()
        )
    } else {
        format!(
            "nothing stored yet ({} and {} will be created{})",
            paths.config.display(),
            paths.data.display(),
            if cfg!(unix) { " mode 0700" } else { "" }
        )
    };
    report.add("file store", Status::Ok, detail);
}

/// The OS keyring: stores, reads back and deletes a probe entry of its own.
/// The keyring could not be reached: why, and the fix, which each profile stored there
/// repeats (nothing else about such a profile can be checked).
pub(super) struct KeyringGone {
    pub why: String,
    pub fix: Advice,
}

pub(super) fn check_keyring(
    report: &mut Report,
    env: &Environment,
    in_use: &[&str],
) -> Option<KeyringGone> {
    let no_bus = env.no_session_bus();
    let backend = keyring_backend(no_bus.is_some());
    let started = Instant::now();
    let round_trip = KeyringStore.probe();
    let used = if in_use.is_empty() {
        String::new()
    } else {
        format!("; profiles stored there: {}", in_use.join(", "))
    };
    match round_trip {
        Ok(()) => {
            report.add(
                "keyring",
                Status::Ok,
                format!(
                    "{backend} stored, read back and deleted a probe entry in {} ms{used}{}",
                    started.elapsed().as_millis(),
                    keychain_upgrade_note(cfg!(target_os = "macos"), in_use)
                ),
            );
            None
        }
        Err(e) => {
            let absent = failure::kind(&e) == Some(Kind::KeyringUnavailable);
            // Without profiles in it, a missing keyring only means logins use the file.
            let status = if in_use.is_empty() {
                Status::Warn
            } else {
                Status::Fail
            };
            // Without a session bus, no daemon this shell starts can be reached: say so,
            // rather than D-Bus's own words and a restart that cannot help.
            let why = match &no_bus {
                Some(bus) if absent => format!("this shell has no D-Bus session bus ({bus})"),
                // The innermost error says what the keyring did; the outer ones only
                // name the probe entry.
                _ => e.root_cause().to_string(),
            };
            let detail = if absent && in_use.is_empty() {
                format!("{backend}: {why}; logins will store credentials in the file store instead")
            } else {
                format!("{backend}: {why}{used}")
            };
            let fix = match &no_bus {
                Some(_) if absent => Advice::StartBusAndKeyring,
                _ => crate::failure::advice(&e).unwrap_or(Advice::StartOrUnlockKeyring),
            };
            report.add_fix("keyring", status, detail, fix.clone());
            Some(KeyringGone {
                why: format!("{backend}: {why}"),
                fix,
            })
        }
    }
}

/// macOS ties a Keychain item to the binary that wrote it: an upgrade to a build not
/// signed with a Developer ID (ours) is asked again for each stored profile, once.
fn keychain_upgrade_note(macos: bool, in_use: &[&str]) -> &'static str {
    if macos && !in_use.is_empty() {
        "; after each upgrade of attio-auth, macOS asks once more for access to each stored profile: choose Always Allow (Deny makes that profile fail until you allow it in Keychain Access)"
    } else {
        ""
    }
}

/// Which keyring this platform's calls go to, as far as can be told.
fn keyring_backend(no_bus: bool) -> String {
    if cfg!(target_os = "macos") {
        "the macOS Keychain".into()
    } else if cfg!(windows) {
        "the Windows Credential Manager".into()
    } else {
        // A daemon seen without a bus here belongs to another session: never named.
        match secret_service_daemon().filter(|_| !no_bus) {
            Some(daemon) => format!("the Secret Service ({daemon})"),
            None => "the Secret Service (D-Bus)".into(),
        }
    }
}

/// The user's own Secret Service daemon, when one of the known ones is running (Linux).
fn secret_service_daemon() -> Option<String> {
    const KNOWN: [&str; 6] = [
        "gnome-keyring-d",
        "kwalletd5",
        "kwalletd6",
        "ksecretd",
        "keepassxc",
        "oo7-daemon",
    ];
    let daemon = crate::os::processes()
        .into_iter()
        .find(|p| p.is_ours() && KNOWN.contains(&p.name.as_str()))?;
    let name = match daemon.name.as_str() {
        "gnome-keyring-d" => "gnome-keyring-daemon",
        name => name,
    };
    Some(format!("{name}, pid {}", daemon.pid))
}

/// The redirect port the next `login` binds (`Settings::login_port`): bindable on the
/// loopback addresses, or who holds it.
pub(super) fn check_port(report: &mut Report, ctx: &Ctx, metas: &[Entry]) {
    let profile = &ctx.settings.profile;
    let port = ctx.settings.login_port(None, selected(ctx, metas));
    let name = format!("redirect port {port}");
    match crate::loopback::Listener::bind(port) {
        Ok(listener) => report.add(
            name,
            Status::Ok,
            format!(
                "free on {} (profile `{profile}`)",
                listener.addresses().join(" and ")
            ),
        ),
        // With every profile logged in, only a later login needs the port.
        Err(e) => {
            let all_logged_in = !metas.is_empty() && metas.iter().all(|(_, meta)| meta.is_ok());
            let status = if all_logged_in {
                Status::Warn
            } else {
                Status::Fail
            };
            report.add_error(name, status, &e);
        }
    }
}

/// The browser `login` opens: `BROWSER`, the system opener, or none over SSH. Read from
/// the environment itself, so that it is right even when another variable is bad.
pub(super) fn check_browser(report: &mut Report, env: &Environment) {
    if let Some(command) = env.browser() {
        report.add(
            "browser",
            Status::Ok,
            format!("BROWSER is set: `{}`", output::shown(command)),
        );
    } else if env.remote_without_display() {
        report.add_fix(
            "browser",
            Status::Warn,
            "an SSH session without a display: `login` opens no browser here",
            Advice::ForwardThePort,
        );
    } else {
        let opener = open::commands("about:blank")
            .into_iter()
            .map(|c| c.get_program().to_string_lossy().into_owned())
            .find(|program| crate::store::installed(program, &env.path_dirs()));
        match opener {
            Some(program) => report.add(
                "browser",
                Status::Ok,
                format!("the system opener `{program}`"),
            ),
            None => report.add_fix(
                "browser",
                Status::Warn,
                "no browser opener was found (xdg-open, gio, open…)",
                Advice::SetBrowser,
            ),
        }
    }
}

/// The files of the file store and the profiles' metadata that are another user's, and
/// those of ours that others may read (secrets only), by `secure_fs`'s one rule.
fn foreign_and_exposed(paths: &Paths) -> (Vec<std::path::PathBuf>, Vec<std::path::PathBuf>) {
    use crate::secure_fs::{Standing, standing};
    let (mut foreign, mut exposed) = (Vec::new(), Vec::new());
    for (dir, secret) in [
        (paths.credentials_dir(), true),
        (paths.profiles_dir(), false),
    ] {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(metadata) = entry.path().symlink_metadata() else {
                continue;
            };
            match standing(&metadata) {
                Standing::Foreign { .. } => foreign.push(entry.path()),
                Standing::Exposed { .. } if secret => exposed.push(entry.path()),
                _ => {}
            }
        }
    }
    (foreign, exposed)
}

#[cfg(test)]
mod tests {
    use super::keychain_upgrade_note;

    #[test]
    fn the_keychain_upgrade_note_is_for_macos_profiles_in_the_keychain_only() {
        assert_eq!(keychain_upgrade_note(false, &["default"]), "");
        assert_eq!(keychain_upgrade_note(true, &[]), "");
        assert!(keychain_upgrade_note(true, &["default"]).contains("Always Allow"));
    }
}
