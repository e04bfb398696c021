//! `attio-auth doctor`: one command that says what is wrong and how to fix it. Each
//! check is `ok`, `warn` or `fail` with a one-line fix; the report goes to stdout, and
//! the exit is 1 when anything failed. Nothing of a profile is changed, and no secret is
//! shown (the keyring probe stores and deletes an entry of its own).

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};
use url::Url;

use crate::cli::{DoctorArgs, GlobalArgs};
use crate::config::{self, Config};
use crate::context::Ctx;
use crate::failure::{self, Failure, Kind};
use crate::health::{self, Check, Entry};
use crate::http::Http;
use crate::names::ProfileName;
use crate::output;
use crate::paths::Paths;
use crate::profile;
use crate::profile::ProfileMeta;
use crate::secret::Secret;
use crate::settings::{Environment, Settings};
use crate::store::StoreKind;
use crate::store::{KeyringStore, SecretStore};

/// How far the clock may be from Attio's before it matters for expiry and refresh.
const CLOCK_SKEW_LIMIT: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One finding.
struct Finding {
    name: String,
    status: Status,
    detail: String,
    fix: Option<String>,
}

/// The findings so far.
#[derive(Default)]
struct Report(Vec<Finding>);

impl Report {
    fn add(&mut self, name: impl Into<String>, status: Status, detail: impl Into<String>) {
        self.0.push(Finding {
            name: name.into(),
            status,
            detail: detail.into(),
            fix: None,
        });
    }

    fn add_fix(
        &mut self,
        name: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.0.push(Finding {
            name: name.into(),
            status,
            detail: detail.into(),
            fix: Some(fix.into()),
        });
    }

    /// An error as a finding: its message, and its hint as the fix.
    fn add_error(&mut self, name: impl Into<String>, status: Status, err: &anyhow::Error) {
        let fix = crate::advice::next_step(err).map(str::to_string);
        self.0.push(Finding {
            name: name.into(),
            status,
            detail: format!("{err:#}"),
            fix,
        });
    }

    fn count(&self, status: Status) -> usize {
        self.0.iter().filter(|f| f.status == status).count()
    }
}

pub fn run(
    global: &GlobalArgs,
    env: &Environment,
    paths: Paths,
    config_path: &Path,
    args: &DoctorArgs,
) -> Result<()> {
    let mut report = Report::default();
    let config = check_config(&mut report, config_path);
    let settings = check_environment(&mut report, global, &config, env, &paths);
    let ctx = Ctx {
        http: Http::new(settings.http_timeout),
        settings,
        paths,
    };
    let metas = health::read_all(&ctx, profile::list(&ctx.paths).unwrap_or_default());
    check_file_store(&mut report, &ctx.paths);
    let keyring_in_use: Vec<&str> = metas
        .iter()
        .filter(|(_, m)| m.as_ref().is_ok_and(|m| m.store == StoreKind::Keyring))
        .map(|(name, _)| name.as_str())
        .collect();
    check_keyring(&mut report, &keyring_in_use);
    check_port(&mut report, &ctx, &metas);
    check_browser(&mut report, env);
    if args.offline {
        check_profiles_offline(&mut report, &metas);
    } else {
        check_hosts(&mut report, &ctx, &metas);
        check_profiles_online(&mut report, &ctx, &metas);
    }
    show(&report, args)?;
    match report.count(Status::Fail) {
        0 => Ok(()),
        n => Err(Failure::new(
            Kind::Failed,
            format!(
                "{n} problem{} found (see above)",
                if n == 1 { "" } else { "s" }
            ),
        )
        .hint("apply each `fix`, then run `attio-auth doctor` again")
        .into()),
    }
}

/// config.toml: parses, and may name a store command.
fn check_config(report: &mut Report, path: &Path) -> Config {
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
                        "fix store_command, or remove it",
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
fn check_environment(
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
fn check_file_store(report: &mut Report, paths: &Paths) {
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
    // The files of the file store and the profiles' metadata: the user's, and (for
    // secrets) private.
    let (mut foreign, mut exposed) = (Vec::new(), Vec::new());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let own = crate::os::euid();
        for (dir, secret) in [
            (paths.credentials_dir(), true),
            (paths.profiles_dir(), false),
        ] {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let Ok(metadata) = entry.path().symlink_metadata() else {
                    continue;
                };
                if metadata.uid() != own {
                    foreign.push(entry.path());
                } else if secret && metadata.mode() & 0o077 != 0 {
                    exposed.push(entry.path());
                }
            }
        }
    }
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
            format!(
                "move {} out of the way (or `chown` it back to you)",
                first.display()
            ),
        );
        return;
    }
    if let Some(first) = exposed.first() {
        report.add_fix(
            "file store",
            Status::Warn,
            format!("readable by other users: {}", listed(&exposed)),
            format!("run `chmod 600 {}`", first.display()),
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
            "nothing stored yet ({} and {} will be created mode 0700)",
            paths.config.display(),
            paths.data.display()
        )
    };
    report.add("file store", Status::Ok, detail);
}

/// The OS keyring: stores, reads back and deletes a probe entry of its own.
fn check_keyring(report: &mut Report, in_use: &[&str]) {
    let backend = keyring_backend();
    let probe = crate::secure_fs::random_hex(6)
        .ok()
        .and_then(|hex| ProfileName::parse(&format!("doctor-probe-{hex}")).ok());
    let Some(probe) = probe else {
        report.add("keyring", Status::Warn, "no randomness for a probe entry");
        return;
    };
    let started = Instant::now();
    let value = Secret::document(format!("probe {}", probe.as_str()));
    let round_trip = KeyringStore.save(&probe, &value).and_then(|()| {
        let read = KeyringStore.load(&probe);
        let deleted = KeyringStore.delete(&probe);
        match (read, deleted) {
            (Ok(Some(text)), Ok(true)) if text.expose() == value.expose() => Ok(()),
            (Ok(_), Ok(_)) => Err(anyhow::anyhow!(
                "the keyring did not give back what was stored in it"
            )),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    });
    let used = if in_use.is_empty() {
        String::new()
    } else {
        format!("; profiles stored there: {}", in_use.join(", "))
    };
    match round_trip {
        Ok(()) => report.add(
            "keyring",
            Status::Ok,
            format!(
                "{backend} stored, read back and deleted a probe entry in {} ms{used}",
                started.elapsed().as_millis()
            ),
        ),
        Err(e) => {
            let absent = failure::kind(&e) == Some(Kind::KeyringUnavailable);
            // Without profiles in it, a missing keyring only means logins use the file.
            let status = if in_use.is_empty() {
                Status::Warn
            } else {
                Status::Fail
            };
            // The innermost error says what the keyring did; the outer ones only name
            // the probe entry.
            let why = e.root_cause();
            let detail = if absent && in_use.is_empty() {
                format!("{backend}: {why}; logins will store credentials in the file store instead")
            } else {
                format!("{backend}: {why}{used}")
            };
            let fix = crate::advice::next_step(&e)
                .unwrap_or("start or unlock the keyring, or log in with --store file");
            report.add_fix("keyring", status, detail, fix);
        }
    }
}

/// Which keyring this platform's calls go to, as far as can be told.
fn keyring_backend() -> String {
    if cfg!(target_os = "macos") {
        "the macOS Keychain".into()
    } else if cfg!(windows) {
        "the Windows Credential Manager".into()
    } else {
        match secret_service_daemon() {
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

/// The selected profile's metadata, when it is logged in and readable.
fn selected<'a>(ctx: &Ctx, metas: &'a [Entry]) -> Option<&'a ProfileMeta> {
    metas
        .iter()
        .find(|(name, _)| name == &ctx.settings.profile)
        .and_then(|(_, meta)| meta.as_ref().ok())
}

/// The redirect port the next `login` binds (`Settings::login_port`): bindable on the
/// loopback addresses, or who holds it.
fn check_port(report: &mut Report, ctx: &Ctx, metas: &[Entry]) {
    let profile = &ctx.settings.profile;
    let port = ctx.settings.login_port(None, selected(ctx, metas));
    let name = format!("redirect port {port}");
    match crate::listener::Listener::bind(port) {
        Ok(listener) => report.add(
            name,
            Status::Ok,
            format!(
                "free on {} (profile `{profile}`)",
                listener.addresses().join(" and ")
            ),
        ),
        Err(e) => report.add_error(name, Status::Fail, &e),
    }
}

/// The browser `login` opens: `BROWSER`, the system opener, or none over SSH. Read from
/// the environment itself, so that it is right even when another variable is bad.
fn check_browser(report: &mut Report, env: &Environment) {
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
            "`login` prints the `ssh -L` port forward to run on your own machine, or paste the URL the browser ends on",
        );
    } else {
        let opener = open::commands("about:blank")
            .into_iter()
            .map(|c| c.get_program().to_string_lossy().into_owned())
            .find(|program| on_path(&env.path_dirs(), program));
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
                "set BROWSER to your browser's command, or open the URL `login` prints yourself",
            ),
        }
    }
}

/// Whether a program of this name can be run from one of the `PATH` directories.
fn on_path(dirs: &[std::path::PathBuf], program: &str) -> bool {
    dirs.iter().any(|dir| {
        let candidate = dir.join(program);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            candidate
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        #[cfg(not(unix))]
        candidate.is_file()
    })
}

/// The app and API hosts answer, and the clock agrees with the API host's. The hosts are
/// the ones the selected profile's tokens go to (`Settings::stored_urls`), or those a
/// login would use when it is not logged in.
fn check_hosts(report: &mut Report, ctx: &Ctx, metas: &[Entry]) {
    let (profile, settings) = (&ctx.settings.profile, &ctx.settings);
    let urls = match selected(ctx, metas) {
        Some(meta) => [
            (
                "app URL",
                settings.app_url.for_stored(profile, &meta.app_url),
            ),
            (
                "API URL",
                settings.api_url.for_stored(profile, &meta.api_url),
            ),
        ],
        None => [
            ("app URL", settings.app_url.for_login(profile, None)),
            ("API URL", settings.api_url.for_login(profile, None)),
        ],
    };
    for (name, url) in urls {
        let url = match url {
            Ok(url) => url,
            Err(e) => {
                report.add_error(name, Status::Fail, &e);
                continue;
            }
        };
        let started = Instant::now();
        match get(&ctx.http, &url) {
            Ok(response) => {
                report.add(
                    name,
                    Status::Ok,
                    format!(
                        "{url} answered (HTTP {}) in {} ms",
                        response.status().as_u16(),
                        started.elapsed().as_millis()
                    ),
                );
                if name == "API URL" {
                    check_clock(report, &url, &response);
                }
            }
            Err(e) => report.add_error(name, Status::Fail, &e),
        }
    }
}

/// One plain `GET`, no credentials.
fn get(http: &Http, url: &Url) -> Result<oauth2::HttpResponse> {
    let request = oauth2::http::Request::builder()
        .method(oauth2::http::Method::GET)
        .uri(url.as_str())
        .body(Vec::new())
        .map_err(|e| anyhow::anyhow!("building the request to {url}: {e}"))?;
    http.send(request).map_err(|e| {
        let hint = e.hint();
        Failure::new(Kind::Failed, e.to_string()).hint(hint).into()
    })
}

/// The local clock against the `Date` header of the API host.
fn check_clock(report: &mut Report, url: &Url, response: &oauth2::HttpResponse) {
    let host = url.host_str().unwrap_or("the API host");
    let date = response
        .headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    let Some(date) = date else {
        report.add(
            "clock",
            Status::Warn,
            format!("{host} sent no usable Date header, so the clock could not be compared"),
        );
        return;
    };
    let server = date
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let skew = i64::try_from(crate::freshness::now()).unwrap_or(i64::MAX)
        - i64::try_from(server).unwrap_or(i64::MAX);
    let how = match skew {
        0 => "agrees with".to_string(),
        s if s > 0 => format!("is {s} s ahead of"),
        s => format!("is {} s behind", -s),
    };
    if skew.abs() > CLOCK_SKEW_LIMIT {
        report.add_fix(
            "clock",
            Status::Warn,
            format!(
                "this machine's clock {how} {host}'s: token expiry and refresh timing will be off"
            ),
            "turn on time synchronisation (e.g. `timedatectl set-ntp true`)",
        );
    } else {
        report.add(
            "clock",
            Status::Ok,
            format!("this machine's clock {how} {host}'s (within {CLOCK_SKEW_LIMIT} s)"),
        );
    }
}

/// Each profile's stored token against `/v2/self`, all at once.
fn check_profiles_online(report: &mut Report, ctx: &Ctx, metas: &[Entry]) {
    let checks = health::check_all(ctx, metas);
    for ((name, meta), check) in metas.iter().zip(checks) {
        let title = format!("profile {name}");
        let login = match meta {
            Ok(meta) => meta.login_again(name).command(),
            Err(_) => profile::login_command(name),
        };
        match check {
            Some(Check::Live(identity)) => report.add(
                title,
                Status::Ok,
                format!(
                    "live: workspace {} ({}), scopes {}",
                    identity.workspace_name.as_deref().unwrap_or("(unknown)"),
                    identity.workspace_slug.as_deref().unwrap_or("(unknown)"),
                    crate::scopes::listed(&identity.scopes)
                ),
            ),
            Some(Check::LoginAgain(why)) => report.add_fix(
                title,
                Status::Fail,
                format!("needs a new login: {why}"),
                format!("run `{login}`"),
            ),
            Some(Check::Unreachable(why)) => report.add_fix(
                title,
                Status::Fail,
                format!("could not ask Attio: {why}"),
                "check the network and the profile's API URL, then run `attio-auth doctor` again",
            ),
            None => {}
        }
    }
}

/// Each profile from its metadata alone (`--offline`).
fn check_profiles_offline(report: &mut Report, metas: &[Entry]) {
    let now = crate::freshness::now();
    for (name, meta) in metas {
        let title = format!("profile {name}");
        match meta {
            Ok(meta) => {
                let expired = meta.expires_at.is_some_and(|at| at <= now);
                let expires = crate::freshness::describe(meta.expires_at, now);
                if expired && !meta.has_refresh_token {
                    report.add_fix(
                        title,
                        Status::Fail,
                        format!("expired ({expires}) and has no refresh token"),
                        format!("run `{}`", meta.login_again(name).command()),
                    );
                } else {
                    report.add(
                        title,
                        Status::Ok,
                        format!(
                            "stored in the {} store; expires {expires} (not checked with Attio: --offline)",
                            meta.store.name()
                        ),
                    );
                }
            }
            Err(why) => report.add_fix(
                title,
                Status::Fail,
                why.clone(),
                profile::clean_up_hint(name),
            ),
        }
    }
}

/// The report on stdout: a line per check (and its fix), or one JSON object.
fn show(report: &Report, args: &DoctorArgs) -> std::io::Result<()> {
    if args.json {
        let checks: Vec<Value> = report
            .0
            .iter()
            .map(|f| {
                json!({
                    "name": f.name,
                    "status": f.status.name(),
                    "detail": crate::secret::scrub(&f.detail),
                    "fix": f.fix.as_deref().map(crate::secret::scrub),
                })
            })
            .collect();
        return output::json(&json!({ "checks": checks }));
    }
    let width = report.0.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let mut lines = Vec::new();
    for finding in &report.0 {
        lines.push(format!(
            "{:<4}  {:<width$}  {}",
            finding.status.name(),
            finding.name,
            finding.detail
        ));
        if let Some(fix) = &finding.fix {
            lines.push(format!("{:<4}  {:<width$}  fix: {fix}", "", ""));
        }
    }
    let (fails, warns) = (report.count(Status::Fail), report.count(Status::Warn));
    lines.push(String::new());
    lines.push(match (fails, warns) {
        (0, 0) => "Everything looks right.".to_string(),
        (f, w) => format!(
            "{f} problem{}, {w} warning{}.",
            if f == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" },
        ),
    });
    if args.offline {
        lines.push("Network checks were skipped (--offline).".into());
    }
    output::report(&lines.join("\n"))
}
