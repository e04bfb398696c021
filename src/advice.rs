//! What to tell the user to do next, worded in this one place. An error carries a typed
//! fact ([`Advice`]: which profile must log in again, which port is busy and who holds
//! it, which variable to fix); the words and the commands are put together here, and
//! only when the error is shown ([`Next::render`]), so an error path builds no prose.

/// What to do next: words, and attio-auth commands whose ` --profile NAME` is decided
/// only when they are shown. It is left out when a command naming no profile would pick
/// that one anyway, which may take reading the switched default: so the words are put
/// together once, when they are shown (`render`), never while an error is raised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Next(Vec<Part>);

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    /// `head`, then ` --profile PROFILE` unless that profile is implied, then `tail`.
    Command {
        head: String,
        profile: String,
        tail: String,
    },
}

impl Next {
    /// The words, given the profile a command naming none would use (`None`: unknown, so
    /// every command names its profile). `implied` is asked at most once, and only when
    /// there is a command to show.
    pub fn render(&self, implied: impl FnOnce() -> Option<String>) -> String {
        let mut implied = Some(implied);
        let mut known: Option<Option<String>> = None;
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Command {
                    head,
                    profile,
                    tail,
                } => {
                    let implied = known.get_or_insert_with(|| implied.take().and_then(|f| f()));
                    out.push_str(head);
                    if implied.as_deref() != Some(profile.as_str()) {
                        out.push_str(" --profile ");
                        out.push_str(profile);
                    }
                    out.push_str(tail);
                }
            }
        }
        out
    }

    fn text(text: impl Into<String>) -> Self {
        Next(vec![Part::Text(text.into())])
    }

    /// This, followed by `more`.
    fn then(mut self, more: impl Into<Next>) -> Self {
        self.0.extend(more.into().0);
        self
    }
}

impl From<&str> for Next {
    fn from(text: &str) -> Self {
        Next::text(text)
    }
}

impl From<String> for Next {
    fn from(text: String) -> Self {
        Next::text(text)
    }
}

impl From<&Login> for Next {
    fn from(login: &Login) -> Self {
        Next(vec![Part::Command {
            head: login.head.to_string(),
            profile: login.profile.clone(),
            tail: login.tail.clone(),
        }])
    }
}

/// A command that logs a profile in: `attio-auth login` (or `login --mcp`, `login
/// --with-token`) with the settings to repeat (`--port 4000 --app-url …`), and the
/// profile, named only when a bare command would pick another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    head: &'static str,
    profile: String,
    tail: String,
}

impl Login {
    /// `attio-auth login` for `profile`, repeating `settings` (each ` --flag value`).
    pub fn app(profile: impl Into<String>, settings: impl Into<String>) -> Self {
        Login {
            head: "attio-auth login",
            profile: profile.into(),
            tail: settings.into(),
        }
    }

    /// `attio-auth login --mcp` for `profile`, repeating `settings`.
    pub fn hosted(profile: impl Into<String>, settings: impl Into<String>) -> Self {
        Login {
            head: "attio-auth login --mcp",
            profile: profile.into(),
            tail: settings.into(),
        }
    }

    /// `attio-auth login --with-token` for `profile`.
    pub fn with_token(profile: impl Into<String>) -> Self {
        Login {
            head: "attio-auth login --with-token",
            profile: profile.into(),
            tail: String::new(),
        }
    }
}

/// Who holds a port a login wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortHolder {
    /// Another `attio-auth login`, still waiting for its redirect.
    Login { pid: u32 },
    /// Another program of this user's.
    Process { pid: u32 },
    /// A program of another user's.
    User,
    /// Not known.
    Unknown,
}

/// What an error says to do next: the facts it was raised with. Each variant's words are
/// in [`Advice::next`].
#[derive(Debug, Clone, PartialEq)]
pub enum Advice {
    // --- logging in again ---------------------------------------------------------------
    /// Log the profile in (again).
    LogIn(Login),
    /// The profile's stored state cannot be used: remove it, then log in.
    CleanUp(Login),
    /// The profile is not logged in, and `guess` is a stored name close to it.
    DidYouMean { guess: String, login: Login },
    /// A refresh's outcome is unknown: its refresh token is never sent again.
    RefreshOutcomeUnknown(Login),
    /// A forced refresh of a token without a refresh token that still works.
    TokenLastsUntilExpiry(Login),
    /// A refresh of a long-lived token: nothing to do.
    NothingToRefresh,
    /// A setting names another host than the one that issued the profile's tokens.
    LogInAtUrl {
        url: String,
        flag: &'static str,
        login: Login,
    },
    /// `status --check`: these profiles need a new login, in order.
    LogInEach(Vec<Login>),
    /// No profile is logged in at all.
    LogInFirst,
    /// `switch` to a profile that is not logged in (`guess`: a close stored name).
    SwitchAfterLogin {
        name: String,
        guess: Option<String>,
        login: Login,
    },
    /// `switch NAME --profile X`.
    SwitchWithoutProfile { name: String },

    // --- the browser login ------------------------------------------------------------------
    /// The login ended before it completed: run it again.
    RunAgain(Login),
    /// The user refused in the browser.
    ApproveNextTime(Login),
    /// No callback came before the time limit.
    ApproveSooner(Login),
    /// The browser went to the server and never came back.
    RegisterRedirect { redirect_uri: String, login: Login },
    /// The listener was flooded with connections.
    ListenerFlooded(Login),
    /// The start URL was fetched twice.
    StartUrlWatched(Login),
    /// No browser and no terminal: a browser login cannot complete (`login`).
    NoBrowserUseToken { with_token: Login },
    /// No browser and no terminal: a browser login cannot complete (`login --mcp`).
    NoBrowserAtAll(Login),
    /// The redirect port is taken.
    PortBusy { port: u16, holder: PortHolder },
    /// Attio refused the code exchange with this client (`typed`: the secret was typed).
    CheckAppCredentials { typed: bool, login: Login },
    /// A key or token given with `--with-token` was refused.
    CheckPipedToken(Login),
    /// No client ID from any source.
    NoClientId,
    /// No client secret and no terminal to type it at.
    NoClientSecret,
    /// stdin held more than a token.
    PipeKeyAlone,
    /// stdin held nothing.
    PipeKeyIn,

    // --- tokens from the environment --------------------------------------------------------
    /// A token set by hand was refused by Attio.
    EnvTokenRefused { var: &'static str, profile: String },
    /// `--profile` asks for a profile's token, but a variable holds one set by hand.
    EnvTokenShadowsProfile { var: &'static str, profile: String },
    /// The variable holds no bearer token.
    EnvTokenMalformed { var: &'static str },
    /// `exec` of a command while a variable holds a token set by hand.
    ExecWithEnvToken { var: &'static str },

    // --- settings and files -------------------------------------------------------------------
    /// A variable that is not valid UTF-8.
    VariableNotText { name: String },
    /// A variable with an unusable value.
    FixVariable { var: String },
    /// config.toml is unusable.
    FixConfig,
    /// config.toml holds a client secret.
    NoSecretInConfig,
    /// No home directory.
    SetHome,
    /// A directory of an earlier version could not be moved.
    MoveYourself { from: String, to: String },
    /// The default profile's file is unusable.
    SwitchAgain { path: String },
    /// A path of the tool's is something else (a file, a FIFO, too large).
    MoveAside { path: String },
    /// A directory of the tool's is owned by another user (Unix: owners and modes).
    #[cfg(unix)]
    Chown { path: String },
    /// A directory of the tool's is writable by others (Unix: owners and modes).
    #[cfg(unix)]
    Chmod700 { path: String },
    /// A file of the tool's is a symbolic link.
    RemoveLink { path: String },
    /// A file of the tool's is owned by another user.
    RemoveForeign { path: String },

    // --- stores ---------------------------------------------------------------------------------
    /// The store command's words are unusable.
    FixStoreCommand,
    /// `--store command` without a command.
    SetStoreCommand,
    /// The store command's program is not there.
    InstallStoreCommand,
    /// The store command could not be run, or said too much.
    CheckStoreCommand,
    /// The store command did not finish in time.
    StoreCommandSlow {
        program: String,
        action: String,
        profile: String,
    },
    /// The store command failed.
    StoreCommandFailed {
        program: String,
        action: String,
        profile: String,
        not_found: i32,
    },
    /// Another process holds the profile's lock.
    LockHeld { pid: Option<u32> },
    /// No keyring answers.
    StartKeyring,
    /// The keyring is locked.
    UnlockKeyring,
    /// The document is larger than the keyring holds.
    KeyringTooSmall { private: &'static str },
    /// A Keychain dialog is waiting (`asking`: at a terminal).
    AnswerKeychain { asking: bool },
    /// The keyring was asked for explicitly and none answers.
    KeyringRequired,
    /// No session bus in this process (a host's or service's environment).
    PassSessionBus,
    /// `logout` of a keyring profile whose keyring cannot be reached.
    LogoutWhenKeyringAnswers { command: String },

    // --- logout ---------------------------------------------------------------------------------
    /// `logout --all --profile X`.
    LogoutOneOrAll { profile: String },
    /// `logout --all` could not remove these profiles (the first, and whether there are more).
    LogoutAgain { first: String, more: bool },

    // --- the network, hosted MCP servers, scopes ---------------------------------------------------
    /// A request got no usable answer.
    CheckNetwork,
    /// The server did not answer in time.
    AllowLonger,
    /// The server's certificate is not trusted here.
    TrustCompanyCa,
    /// A CA variable names something unusable.
    FixCaVariable { variable: String },
    /// The system refused a thread or descriptor.
    CheckLimits,
    /// Ctrl-C before a byte was sent.
    NothingSent,
    /// A server answered a metadata request with an error.
    TryMetadataLater,
    /// A hosted MCP server's metadata is unusable.
    MetadataUnusable,
    /// The authorization server publishes no metadata.
    NotAnOauthServer,
    /// The URL cannot be logged in to.
    CheckMcpUrl,
    /// The authorization server offers no registration.
    NoRegistration,
    /// The authorization server refused to register attio-auth.
    RegisterLater,
    /// A scope the caller requires was not granted.
    AddScope,
    /// `exec` could not start its command.
    CheckCommand,
    /// `mcp-config --name` is unusable.
    ShortServerName,
    /// The Attio MCP server is not installed.
    InstallMcpServer,
    /// `doctor` found something to fix.
    ApplyFixes,

    // --- doctor's fixes ------------------------------------------------------------------------
    /// A profile that works now, whose login ends when its token expires.
    LogInBeforeExpiry(Login),
    /// A profile could not be checked over the network.
    CheckNetworkThenDoctor,
    /// config.toml's store command is unusable.
    FixConfiguredStoreCommand,
    /// A file of the file store belongs to another user.
    MoveOrChown { path: String },
    /// A file of the file store is readable by others.
    Chmod600 { path: String },
    /// No keyring without a session bus.
    StartBusAndKeyring,
    /// The keyring did not answer.
    StartOrUnlockKeyring,
    /// An SSH session without a display.
    ForwardThePort,
    /// No browser opener.
    SetBrowser,
    /// The clock is off.
    SyncTheClock,
}

impl Advice {
    /// The words, and the commands in them.
    /// Long: one arm per fact, so that every next step is worded in this one place.
    pub fn next(&self) -> Next {
        use Advice::*;
        let run = |login: &Login, after: &str| Next::text("run `").then(login).then(after);
        match self {
            LogIn(login) => run(login, "`"),
            CleanUp(login) => Next::text(format!(
                "run `attio-auth logout --profile {}` to remove it, then `",
                login.profile
            ))
            .then(login)
            .then("`"),
            DidYouMean { guess, login } => Next::text(format!("pass `--profile {guess}`, or run `"))
                .then(login)
                .then(format!("` to log `{}` in", login.profile)),
            RefreshOutcomeUnknown(login) => Next::text(
                "the refresh's outcome is unknown, so its refresh token will not be sent again; ",
            )
            .then(run(login, "`")),
            TokenLastsUntilExpiry(login) => {
                Next::text("`attio-auth token` prints it until then; for a new one, ")
                    .then(run(login, "`"))
            }
            NothingToRefresh => {
                "nothing to do: `attio-auth token` keeps printing the stored token".into()
            }
            LogInAtUrl { url, flag, login } => {
                Next::text(format!("to use {url}, log in again: `"))
                    .then(login)
                    .then(format!(" {flag} {url}`; otherwise remove the setting"))
            }
            LogInEach(logins) => {
                let mut next = Next::text("run ");
                for (i, login) in logins.iter().enumerate() {
                    if i > 0 {
                        next = next.then(", then ");
                    }
                    next = next.then("`").then(login).then("`");
                }
                next
            }
            LogInFirst => "run `attio-auth login`".into(),
            SwitchAfterLogin {
                name,
                guess: Some(guess),
                login,
            } => Next::text(format!("run `attio-auth switch {guess}`, or `"))
                .then(login)
                .then(format!("` first to log `{name}` in")),
            SwitchAfterLogin {
                name,
                guess: None,
                login,
            } => run(login, &format!("` first, then `attio-auth switch {name}`")),
            SwitchWithoutProfile { name } => {
                format!("run `attio-auth switch {name}` without --profile").into()
            }

            RunAgain(login) => run(login, "` again"),
            ApproveNextTime(login) => run(login, "` again and approve the request"),
            ApproveSooner(login) => run(
                login,
                "` again and approve in the browser, or pass a longer --timeout",
            ),
            RegisterRedirect {
                redirect_uri,
                login,
            } => Next::text(format!(
                "register {redirect_uri} as a redirect URI of the app (build.attio.com), or pass the --port of one it has, and check the client ID against the app's; then run `"
            ))
            .then(login)
            .then("` again (or approve in the browser sooner, or pass a longer --timeout)"),
            ListenerFlooded(login) => run(
                login,
                "` again; when the browser then shows it cannot reach localhost, copy the address it ended on and paste it at the prompt; find the flooding process with `ss -tnp` and have it stopped",
            ),
            StartUrlWatched(login) => run(
                login,
                "` again; if it happens again, another user on this machine may be watching the process list (use --no-browser and open the printed URL yourself)",
            ),
            NoBrowserUseToken { with_token } => {
                Next::text("store an API key or access token instead: `printf '%s' \"$KEY\" | ")
                    .then(with_token)
                    .then("`; or run `attio-auth login` at a terminal, or set BROWSER")
            }
            NoBrowserAtAll(login) => run(login, "` at a terminal, or set BROWSER"),
            PortBusy { port, holder } => {
                // Not `--port 0`: Attio takes only the exact redirect URIs an app has.
                let other = "or log in with --port N for another port whose http://localhost:N/callback the app has as a redirect URI (`login --mcp` registers the port it uses)";
                match holder {
                    PortHolder::Login { pid } => format!(
                        "finish that login in its terminal or stop it (`kill {pid}`), {other}"
                    ),
                    PortHolder::Process { pid } => {
                        format!("stop that program (`kill {pid}`), {other}")
                    }
                    PortHolder::User => format!("ask them to stop it, {other}"),
                    PortHolder::Unknown => {
                        format!("stop the program listening on port {port}, {other}")
                    }
                }
                .into()
            }
            CheckAppCredentials { typed, login } => Next::text(format!(
                "check the client ID and {} against the app at build.attio.com, then run `",
                if *typed {
                    "the client secret you typed"
                } else {
                    "ATTIO_CLIENT_SECRET"
                }
            ))
            .then(login)
            .then("` again"),
            CheckPipedToken(with_token) => Next::text(
                "check the key or token (a workspace API key from Attio's settings, or an access token) and pipe it in again: `printenv ATTIO_API_KEY | ",
            )
            .then(with_token)
            .then("`"),
            NoClientId => "pass --client-id, set ATTIO_CLIENT_ID or client_id in config.toml (the app's client ID from build.attio.com)".into(),
            NoClientSecret => "set ATTIO_CLIENT_SECRET (it is never accepted as a command-line argument, where `ps` would show it)".into(),
            PipeKeyAlone => {
                "pipe the key alone, e.g. `printenv ATTIO_API_KEY | attio-auth login --with-token`"
                    .into()
            }
            PipeKeyIn => {
                "pipe the key in, e.g. `printenv ATTIO_API_KEY | attio-auth login --with-token`"
                    .into()
            }

            EnvTokenRefused { var, profile } => format!(
                "{var} is set and wins over the stored profiles: unset it (`unset {var}`) to use profile `{profile}`, or replace it with a valid key"
            )
            .into(),
            EnvTokenShadowsProfile { var, profile } => format!(
                "unset {var} to use profile `{profile}`, or drop --profile to use the variable's token"
            )
            .into(),
            EnvTokenMalformed { var } => {
                format!("unset {var} or set it to the API key or access token itself").into()
            }
            ExecWithEnvToken { var } => format!(
                "run the command directly (it already has {var}), or store the key: `printf '%s' \"${var}\" | attio-auth login --with-token`"
            )
            .into(),

            VariableNotText { name } => format!("set {name} to plain text, or unset it").into(),
            FixVariable { var } => {
                format!("fix or unset {var} (an empty value counts as unset)").into()
            }
            FixConfig => {
                "fix or remove the file (`attio-auth config path` shows which file is read)".into()
            }
            NoSecretInConfig => "remove the line; set ATTIO_CLIENT_SECRET or type the secret when `attio-auth login` asks".into(),
            SetHome => "set HOME (or XDG_CONFIG_HOME and XDG_DATA_HOME)".into(),
            MoveYourself { from, to } => format!("move {from} to {to} yourself").into(),
            SwitchAgain { path } => format!(
                "run `attio-auth switch NAME` to set it again, or remove {path} (or pass --profile)"
            )
            .into(),
            MoveAside { path } => format!("move {path} out of the way").into(),
            #[cfg(unix)]
            Chown { path } => format!("run `chown $(id -u) {path}`, or remove it").into(),
            #[cfg(unix)]
            Chmod700 { path } => format!("run `chmod 700 {path}`").into(),
            RemoveLink { path } => format!(
                "remove the link (`rm {path}`) and log in again if it held credentials"
            )
            .into(),
            RemoveForeign { path } => {
                format!("remove it (`rm {path}`) and log in again if it held credentials").into()
            }

            FixStoreCommand => "fix the store command (it is run without a shell: `PROGRAM ARGS...`), or log in with `--store keyring` or `--store file`".into(),
            SetStoreCommand => "set ATTIO_AUTH_STORE_COMMAND (or `store_command` in config.toml) to the program that keeps the secret; docs/storage.md has recipes for pass and the 1Password CLI".into(),
            InstallStoreCommand => "install it, or fix ATTIO_AUTH_STORE_COMMAND / config.toml's store_command; or log in with `--store keyring` or `--store file`".into(),
            CheckStoreCommand => "check ATTIO_AUTH_STORE_COMMAND or config.toml's store_command (at login) and that the program is installed; it is run without a shell, as `PROGRAM ARGS... get|store|erase PROFILE`".into(),
            StoreCommandSlow {
                program,
                action,
                profile,
            } => format!(
                "run `{program} ... {action} {profile}` yourself to see why (a vault waiting to be unlocked?); --http-timeout sets the limit"
            )
            .into(),
            StoreCommandFailed {
                program,
                action,
                profile,
                not_found,
            } => format!(
                "run `{program} ... {action} {profile}` yourself to see why; it must exit 0, or {not_found} for \"not found\" (see docs/storage.md)"
            )
            .into(),
            LockHeld { pid } => {
                let stop = pid.map_or(String::new(), |pid| format!(" (`kill {pid}`)"));
                format!(
                    "if that process is stuck, stop it{stop}; or wait longer with --lock-timeout SECS"
                )
                .into()
            }
            StartKeyring => "start (or restart) the desktop keyring, e.g. `gnome-keyring-daemon --replace --components=secrets`; or log in again with --store file".into(),
            UnlockKeyring => "unlock the keyring (log in to the desktop session, or use your keyring manager) and retry; --store file avoids the keyring".into(),
            KeyringTooSmall { private } => format!(
                "log in again with --store file ({private}), or keep it in a vault with --store command"
            )
            .into(),
            AnswerKeychain { asking: true } => "answer the Keychain dialog (it may be behind other windows; choose Always Allow) and run the command again".into(),
            AnswerKeychain { asking: false } => "run the command once in a terminal and answer the Keychain dialog (Always Allow); scripts without a terminal wait only 5 s".into(),
            KeyringRequired => "start a Secret Service (gnome-keyring-daemon or KWallet in a desktop session) and log in again, or log in with `--store file`".into(),
            PassSessionBus => "programs started by an app (an MCP host, cron, a service) often lack the desktop session's DBUS_SESSION_BUS_ADDRESS: pass it on (`attio-auth mcp-config` puts it in an MCP server's entry), or log in with --store file".into(),
            LogoutWhenKeyringAnswers { command } => format!(
                "start or unlock the keyring and run `{command}` again, or run `{command} --forget` to remove the profile here and leave its keyring entry"
            )
            .into(),

            LogoutOneOrAll { profile } => format!(
                "run `attio-auth logout --profile {profile}` to remove that profile, or `attio-auth logout --all` to remove them all"
            )
            .into(),
            LogoutAgain { first, more } => format!(
                "run `attio-auth logout --profile {first}` again once it is free{}",
                if *more {
                    ", and likewise for the others"
                } else {
                    ""
                }
            )
            .into(),

            CheckNetwork => "check the network connection and any proxy (HTTPS_PROXY), and the --app-url / --api-url in use; `--verbose` shows each request".into(),
            AllowLonger => "the server did not answer in time: try again, or allow longer with --http-timeout; `--verbose` shows each request".into(),
            TrustCompanyCa => "the server's certificate is not trusted here; if your network inspects HTTPS (a company proxy or VPN), set SSL_CERT_FILE to your company's CA certificate (PEM) or add it to the system's trust store; `attio-auth doctor` shows where certificates come from".into(),
            FixCaVariable { variable } => format!(
                "point {variable} at your CA certificates (PEM), or unset it to use only the system's trust store"
            )
            .into(),
            CheckLimits => {
                "the system refused a thread or descriptor: check `ulimit -n` and memory".into()
            }
            NothingSent => "nothing was sent, so nothing changed: run the command again".into(),
            TryMetadataLater => "try again later; `--verbose` shows each request".into(),
            MetadataUnusable => {
                "the hosted MCP server's metadata is not usable; check --mcp-url".into()
            }
            NotAnOauthServer => {
                "check --mcp-url: it must be a hosted MCP server that takes OAuth".into()
            }
            CheckMcpUrl => {
                "check --mcp-url (or ATTIO_MCP_URL); `--verbose` shows each request".into()
            }
            NoRegistration => {
                "check --mcp-url: Attio's hosted MCP server offers registration".into()
            }
            RegisterLater => {
                "try again later; if it persists, the server may not take new clients".into()
            }
            AddScope => "add the scope to the app at build.attio.com, have the workspace approve it, then log in again".into(),
            CheckCommand => "check the command name and PATH".into(),
            ShortServerName => "give a short name such as `attio`".into(),
            InstallMcpServer => "install it once with `npm install -g attio-mcp` (an entry that runs `npx -y attio-mcp` leaves the server running each time the host stops it), or name it with --server PATH; for Attio's hosted server, `attio-auth login --mcp`, then `attio-auth mcp-config --hosted`".into(),
            ApplyFixes => "apply each `fix`, then run `attio-auth doctor` again".into(),

            LogInBeforeExpiry(login) => Next::text("before then, run `").then(login).then("`"),
            CheckNetworkThenDoctor => "check the network and the profile's API URL, then run `attio-auth doctor` again".into(),
            FixConfiguredStoreCommand => "fix store_command, or remove it".into(),
            MoveOrChown { path } => {
                format!("move {path} out of the way (or `chown` it back to you)").into()
            }
            Chmod600 { path } => format!("run `chmod 600 {path}`").into(),
            StartBusAndKeyring => "log in to a desktop session, or start a bus and a keyring for this shell: `dbus-run-session -- $SHELL`, then inside it `gnome-keyring-daemon --unlock`, which waits without a prompt: type the keyring's password (it shows as you type; a new keyring takes it as its password), press Enter, then Ctrl-D; or log in with --store file".into(),
            StartOrUnlockKeyring => {
                "start or unlock the keyring, or log in with --store file".into()
            }
            ForwardThePort => "`login` prints the `ssh -L` port forward to run on your own machine, or paste the URL the browser ends on".into(),
            SetBrowser => "set BROWSER to your browser's command, or open the URL `login` prints yourself".into(),
            SyncTheClock => "turn on time synchronisation (e.g. `timedatectl set-ntp true`)".into(),
        }
    }
}

impl From<Advice> for Next {
    fn from(advice: Advice) -> Self {
        advice.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_command_names_its_profile_only_when_another_is_implied_and_asks_once() {
        let asked = Cell::new(0);
        let implied = || {
            asked.set(asked.get() + 1);
            Some("work".to_string())
        };
        assert_eq!(
            Advice::CheckNetwork.next().render(implied),
            Advice::CheckNetwork.next().render(|| None)
        );
        assert_eq!(asked.get(), 0, "no command, no question");
        let work = Login::app("work", " --port 4000");
        let both = Advice::LogInEach(vec![work.clone(), Login::hosted("other", "")]);
        assert_eq!(
            both.next().render(implied),
            "run `attio-auth login --port 4000`, then `attio-auth login --mcp --profile other`"
        );
        assert_eq!(asked.get(), 1, "asked once for two commands");
        assert_eq!(
            Advice::CleanUp(work).next().render(|| None),
            "run `attio-auth logout --profile work` to remove it, then `attio-auth login --profile work --port 4000`"
        );
    }
}
