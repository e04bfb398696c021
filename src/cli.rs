//! The command-line surface: every flag, its environment variable and its help text.
//! Nothing here validates beyond syntax; `settings` turns these raw values into checked
//! settings. It is long (about 500 lines) because it is declarations and the help and
//! examples of eleven commands, with almost no logic; splitting it would scatter one
//! command line over several files.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::store::StoreKind;

/// Where to start, at the end of the short top-level help (`-h`, a bare `attio-auth`).
const START: &str = "\
Start with `attio-auth login`; then `attio-auth token` prints a valid token for scripts.
`attio-auth COMMAND --help` shows a command's options, examples and exit codes;
`attio-auth --help` the environment variables and defaults, and the exit codes.";

/// Where to start, and the exit codes, shown at the end of the top-level `--help`.
const EXIT_CODES: &str = "\
Start with `attio-auth login`; then `attio-auth token` prints a valid token for scripts.
`attio-auth COMMAND --help` shows each command's options, examples and exit codes.

Exit status:
  0  success
  1  failure (network, server or storage)
  2  usage error (bad flag, environment variable, URL or config file)
  3  not logged in, or the stored login is no longer accepted: log in again
  4  login did not complete (denied, wrong state, timed out or aborted)
  5  a required scope is missing
`exec` exits with its command's status (126: not executable, 127: not found).";

/// The heading the options every subcommand accepts are listed under, so that each
/// subcommand's own options stand out in its `--help`.
const GLOBAL: &str = "Global options";

/// Command-line OAuth helper for the Attio CRM API.
#[derive(Debug, Parser)]
#[command(
    name = "attio-auth",
    // The same name in usage lines whatever the program file is called (`attio-auth.exe`
    // on Windows, a renamed link), as the examples write it.
    bin_name = "attio-auth",
    version,
    about,
    after_help = START,
    after_long_help = EXIT_CODES,
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// `None` for a bare `attio-auth`, which prints the help.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The command line as parsed and shown by `--help`, for these arguments: each
/// subcommand's help lists its own options, and names the global ones in one line instead
/// of repeating them (the completion scripts and the man page use [`Cli`]'s own
/// definition, which lists them). Only the subcommands the arguments name are shaped so
/// (all of them for `help`), since no other's help can be shown: shaping all fifteen took
/// a seventh of a fresh `token`'s time (`perf`, issue 31).
pub fn command_for(args: &[std::ffi::OsString]) -> clap::Command {
    let shape = |name: &str| args.iter().any(|arg| arg == name || arg == "help");
    use clap::CommandFactory;
    let mut cli = Cli::command();
    let globals: Vec<clap::Arg> = cli
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .collect();
    let names: Vec<String> = cli
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .filter(|name| shape(name))
        .collect();
    for name in names {
        cli = cli.mut_subcommand(name, |mut sub| {
            // A copy of each global option, hidden: clap then does not add the shown one.
            for arg in &globals {
                sub = sub.arg(arg.clone().hide(true));
            }
            let own = sub.get_after_help().map(ToString::to_string);
            sub.after_help(reflow(&match own {
                Some(own) => format!("{GLOBALS_LINE}\n\n{own}"),
                None => GLOBALS_LINE.to_string(),
            }))
        });
    }
    let (short, long) = (
        cli.get_after_help().map(ToString::to_string),
        cli.get_after_long_help().map(ToString::to_string),
    );
    if let Some(short) = short {
        cli = cli.after_help(reflow(&short));
    }
    if let Some(long) = long {
        cli = cli.after_long_help(reflow(&long));
    }
    cli
}

/// Help prose as clap can wrap it to the terminal: each paragraph of unindented lines
/// becomes one line (the source wraps them for reading here; left so, a terminal
/// narrower than those lines would break each one again, leaving a word or two alone).
/// Paragraphs with indented lines (examples, tables) stay line for line.
fn reflow(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            if paragraph.lines().any(|line| line.starts_with(' ')) {
                paragraph.to_string()
            } else {
                paragraph.lines().collect::<Vec<_>>().join(" ")
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One line naming the global options, shown at the end of each subcommand's help.
const GLOBALS_LINE: &str = "Global options (see `attio-auth --help`): --profile, --app-url,\n--api-url, --http-timeout, --lock-timeout, -v.";

/// Options that every subcommand accepts. The environment variables named in the help
/// are read by `settings` (not by clap), so that an empty one counts as unset and a bad
/// one is blamed on the variable, not the flag.
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    /// Profile: one set of stored credentials (one workspace, one app)
    ///
    /// [env: ATTIO_PROFILE] [default: the one `attio-auth switch` chose, else `default`]
    #[arg(long, global = true, value_name = "NAME", help_heading = GLOBAL)]
    pub profile: Option<String>,

    /// Base URL of Attio's app (authorize at /authorize, token at /oauth/token)
    ///
    /// [env: ATTIO_APP_URL] [default: https://app.attio.com]
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub app_url: Option<String>,

    /// Base URL of Attio's REST API (identity at /v2/self)
    ///
    /// [env: ATTIO_API_URL] [default: https://api.attio.com]
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub api_url: Option<String>,

    /// Give up on an HTTP request after this many seconds (1 to 3600)
    ///
    /// [env: ATTIO_AUTH_HTTP_TIMEOUT] [default: 30]
    #[arg(long, global = true, value_name = "SECS", help_heading = GLOBAL,
          value_parser = seconds_up_to_an_hour)]
    pub http_timeout: Option<u64>,

    /// Wait at most this many seconds (1 to 3600) for another attio-auth process that is
    /// writing the same profile (a refresh, a login)
    ///
    /// [env: ATTIO_AUTH_LOCK_TIMEOUT] [default: --http-timeout plus 10]
    #[arg(long, global = true, value_name = "SECS", help_heading = GLOBAL,
          value_parser = seconds_up_to_an_hour)]
    pub lock_timeout: Option<u64>,

    /// Describe what the tool does (requests, storage) on stderr; secrets are redacted
    #[arg(short, long, global = true, help_heading = GLOBAL)]
    pub verbose: bool,
}

/// `--store`'s values (the stored kind is `store::StoreKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreArg {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager)
    Keyring,
    /// A JSON file per profile in the user's data directory, private to the user
    File,
    /// A program of yours (ATTIO_AUTH_STORE_COMMAND or config.toml `store_command`) that
    /// keeps the secret in a vault: pass, the 1Password CLI, ...
    Command,
}

impl From<StoreArg> for StoreKind {
    fn from(arg: StoreArg) -> Self {
        match arg {
            StoreArg::Keyring => StoreKind::Keyring,
            StoreArg::File => StoreKind::File,
            StoreArg::Command => StoreKind::Command,
        }
    }
}

/// Each subcommand's arguments are defined only when it is parsed (`defer`): defining
/// all fifteen at every start was a fifth of a megabyte of a fresh `token`'s peak RSS
/// (`tests/bench/run.sh`, issue 31).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Log in through the browser (OAuth 2.0 authorization code with PKCE)
    #[command(after_help = LOGIN_HELP)]
    Login(LoginArgs),
    /// Print a valid access token on stdout, refreshing it first when needed
    #[command(after_help = TOKEN_HELP)]
    Token(TokenArgs),
    /// Refresh the access token now
    #[command(after_help = REFRESH_HELP)]
    Refresh,
    /// Show the workspace, member, app and scopes the stored token grants
    #[command(after_help = WHOAMI_HELP)]
    Whoami(WhoamiArgs),
    /// Delete stored credentials
    #[command(after_help = LOGOUT_HELP)]
    Logout(LogoutArgs),
    /// Show stored profiles (no network call, no secret shown)
    #[command(after_help = STATUS_HELP)]
    Status(StatusArgs),
    /// Check the keyring, files, port, browser, config, clock, network and every profile
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),
    /// Make a logged-in profile the default for commands without --profile
    #[command(after_help = SWITCH_HELP)]
    Switch(SwitchArgs),
    /// Run a command with a fresh access token in its environment
    #[command(after_help = EXEC_HELP)]
    Exec(ExecArgs),
    /// Print the entry that runs the Attio MCP server through attio-auth, for an MCP host
    #[command(after_help = MCP_CONFIG_HELP)]
    McpConfig(McpConfigArgs),
    /// Serve MCP on stdin and stdout, relayed to the profile's hosted MCP server
    #[command(after_help = MCP_HELP)]
    Mcp,
    /// Print a shell completion script on stdout
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Inspect the configuration file
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),
    /// Print the manual page (roff) on stdout
    #[command(after_help = MAN_HELP)]
    Man,
}

/// The command the completion scripts run to list the stored profiles' names, one per
/// line. Handled before clap parses anything, so no completion script offers it.
pub const COMPLETE_PROFILES: &str = "__complete-profiles";

const DOCTOR_HELP: &str = "\
Each check is ok, warn or fail, with a one-line fix. Nothing stored is changed: the
keyring check stores, reads back and deletes a probe entry of its own.

Examples:
  attio-auth doctor
  # No network: files, keyring, port, browser, config
  attio-auth doctor --offline
  # Only what is not ok
  attio-auth doctor --json |
    jq '.checks[] | select(.status != \"ok\")'

Exit status: 0 nothing failed (warnings allowed); 1 something failed; 2 usage error.";

const SWITCH_HELP: &str = "\
The default is kept in attio-auth's own state, beside the profiles (config.toml is never
rewritten). `--profile` and ATTIO_PROFILE still win over it; `status` marks it.

Examples:
  attio-auth switch work
  # Now work's token
  attio-auth token
  # Back to the profile named `default`
  attio-auth switch default

Exit status: 0 switched; 1 storage failure; 2 usage error;
3 the profile is not logged in (log it in first).";

const MAN_HELP: &str = "\
Examples:
  # Where `man attio-auth` finds it
  dir=~/.local/share/man/man1
  mkdir -p $dir && attio-auth man > $dir/attio-auth.1
  # Read it once
  attio-auth man | man -l -

Exit status: 0 printed; 2 usage error.";

const LOGIN_HELP: &str = "\
Examples:
  # The secret from ATTIO_CLIENT_SECRET, or prompted for
  attio-auth login --client-id 8f1c…
  # A second workspace, another registered redirect port
  attio-auth login --profile work --port 3461
  # An API key from a CI secret, on stdin
  printf '%s' \"$KEY\" |
    attio-auth login --with-token --profile ci

Exit status: 0 logged in; 1 network, server or storage failure; 2 usage error;
3 a --with-token token was rejected; 4 denied, timed out or aborted; 5 a required scope is missing.";

const TOKEN_HELP: &str = "\
Examples:
  attio-auth token --format curl-config |
    curl -K - https://api.attio.com/v2/self
  attio-auth token --header |
    curl -H @- https://api.attio.com/v2/self
  # ATTIO_ACCESS_TOKEN for this shell
  eval \"$(attio-auth token --format env)\"

Exit status: 0 a token was printed; 1 network, server or storage failure; 2 usage error;
3 not logged in, or the login expired or was refused: log in again.";

const REFRESH_HELP: &str = "\
Examples:
  attio-auth refresh
  attio-auth refresh --profile work --verbose

Exit status: 0 refreshed; 1 no refresh token (Attio's long-lived tokens), network, server
or storage failure; 2 usage error; 3 not logged in, or the refresh was refused: log in again.";

const WHOAMI_HELP: &str = "\
Examples:
  attio-auth whoami
  attio-auth whoami --json | jq -r .workspace_slug
  attio-auth whoami --require-scope note:read-write ||
    echo 'the app needs note access'

Exit status: 0 the token is active; 1 network or server failure; 2 usage error;
3 not logged in, or the token is rejected or inactive; 5 a required scope is missing.";

const LOGOUT_HELP: &str = "\
Examples:
  attio-auth logout
  attio-auth logout --profile work
  attio-auth logout --all

Exit status: 0 removed; 1 storage failure; 2 usage error; 3 no such profile.";

const STATUS_HELP: &str = "\
Examples:
  attio-auth status
  attio-auth status --profile work
  attio-auth status --check || attio-auth login

Exit status: 0 at least one profile is shown (with --check: and every one is live);
1 storage failure (with --check: Attio could not be reached); 2 usage error;
3 nothing is stored, or not the --profile asked for (with --check: a profile needs a new login).";

const EXEC_HELP: &str = "\
Without --proxy the command gets the token as it is now: enough for a script, not for a
server that runs for hours. With --proxy it gets, instead of a token, a key that only
works at a loopback proxy which attio-auth serves while the command runs, in
ATTIO_API_KEY and ATTIO_ACCESS_TOKEN, and the proxy's URL in ATTIO_BASE_URL (with /v2,
as attio-mcp wants it) and ATTIO_API_URL; each request is sent on to the profile's API
URL with a fresh token. Signals reach the command; its exit status is attio-auth's.

Examples:
  # A long-running MCP server (npm install -g attio-mcp)
  attio-auth exec --proxy -- attio-mcp
  attio-auth exec --profile work --env ATTIO_TOKEN \\
    -- ./sync.sh --full

Exit status: the command's own; 126 it is not executable; 127 it is not found;
otherwise as `attio-auth token`.";

const MCP_CONFIG_HELP: &str = "\
An app that starts MCP servers (Claude Desktop, Cursor, Claude Code) runs them without
your shell's PATH, and on Linux often without the D-Bus address the keyring needs. The
entry names attio-auth and the server by absolute path, and carries PATH (and the D-Bus
address when the profile is in the keyring). With the proxy (the default), the server
keeps working for as long as the host runs it.

Examples:
  # Install the server once (npx leaves it running)
  npm install -g attio-mcp
  # Claude Desktop, Cursor: merge into their JSON config
  attio-auth mcp-config --profile work
  # Claude Code
  eval \"$(attio-auth mcp-config --format claude)\"

Exit status: 0 printed; 1 the server program is not installed; 2 usage error.";

const MCP_HELP: &str = "\
For an MCP host that starts servers as programs: it relays every JSON-RPC message to the
hosted MCP server the profile logged in to (`attio-auth login --mcp`), with a fresh token
on each, and its answers back, one line each. stdout carries nothing else.

The host's entry names attio-auth by absolute path, with the arguments
`mcp --profile NAME`.

Examples:
  attio-auth login --mcp --profile agent
  # what the host runs
  attio-auth mcp --profile agent

Exit status: 0 the host closed stdin (or SIGTERM); 3 the profile is not logged in to a
hosted MCP server (each request was answered with an error saying so).";

const COMPLETIONS_HELP: &str = "\
Examples:
  dir=~/.local/share/bash-completion/completions
  attio-auth completions bash > $dir/attio-auth
  attio-auth completions zsh > ~/.zfunc/_attio-auth
  dir=~/.config/fish/completions
  attio-auth completions fish > $dir/attio-auth.fish

Exit status: 0 printed; 2 usage error.";

const CONFIG_HELP: &str = "\
Examples:
  attio-auth config path
  $EDITOR \"$(attio-auth config path)\"

Exit status: 0 printed; 1 no home directory is known; 2 usage error.";

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The OAuth app's client ID (from build.attio.com); prompted for at a terminal. The
    /// client secret is read from ATTIO_CLIENT_SECRET or prompted for, never taken as an
    /// argument [env: ATTIO_CLIENT_ID]
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// Where to store the credentials: `keyring`, `file` (private to you), or `command` (the
    /// program ATTIO_AUTH_STORE_COMMAND or config.toml's `store_command` names). Without
    /// this flag or its variable, a store command when one is set, else the keyring; a
    /// missing keyring then falls back to the file with a warning
    ///
    /// [env: ATTIO_AUTH_STORE] [default: a store command when one is set, else keyring]
    #[arg(long, value_name = "STORE", value_enum)]
    pub store: Option<StoreArg>,

    /// Loopback port for the redirect URI http://localhost:PORT/callback (0: any free port)
    /// [default: config.toml's, else the profile's last, else 3456]
    #[arg(long, value_name = "N", value_parser = port)]
    pub port: Option<u16>,

    /// Do not open a browser; print the URL only
    #[arg(long)]
    pub no_browser: bool,

    /// Ask for this scope (repeatable; Attio normally fixes scopes on the app)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,

    /// Fail (exit 5) and store nothing unless this scope is granted (repeatable)
    #[arg(long = "require-scope", value_name = "S")]
    pub require_scopes: Vec<String>,

    /// Give up after this many seconds without a callback (1 to 86400)
    #[arg(long, default_value_t = 300, value_name = "SECS", value_parser = seconds_up_to_a_day)]
    pub timeout: u64,

    /// Store an API key or access token read from stdin (never from the command line)
    /// instead of running the browser flow
    #[arg(long, conflicts_with_all = ["port", "no_browser", "scopes"])]
    pub with_token: bool,

    /// Log in to Attio's hosted MCP server instead: no app of your own is needed, since
    /// attio-auth registers itself with the server's authorization server
    #[arg(long, conflicts_with_all = ["client_id", "with_token", "scopes"])]
    pub mcp: bool,

    /// The hosted MCP server to log in to with --mcp [env: ATTIO_MCP_URL] [default: the
    /// profile's, else https://mcp.attio.com/mcp]
    #[arg(long, value_name = "URL", requires = "mcp")]
    pub mcp_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// How to print the token: `raw` (the token), `bearer` (`Bearer …`, for HTTPie's and
    /// xh's `Authorization:@FILE`), `header` (`Authorization: Bearer …`), `json`,
    /// `curl-config` (a `header = "…"` line for `curl -K -`, which keeps the token off
    /// curl's command line) or `env` (an `export` line of ATTIO_ACCESS_TOKEN and
    /// ATTIO_API_KEY)
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with_all = ["header", "json"])]
    pub format: Option<TokenFormat>,

    /// Short for `--format header` (for `curl -H @-`)
    #[arg(long, conflicts_with = "json")]
    pub header: bool,

    /// Short for `--format json`: access_token, expires_at, profile and source
    #[arg(long)]
    pub json: bool,

    /// Print no newline after the token (for programs that take a file's bytes as the
    /// token)
    #[arg(short = 'n', long)]
    pub no_newline: bool,

    /// Refresh first when the token expires within this many seconds (0 to 86400)
    /// [default: 60, or half the token's lifetime when that is shorter]
    #[arg(long, value_name = "SECS", value_parser = min_ttl)]
    pub min_ttl: Option<u64>,
}

/// What `token` prints. The value help is plain words: every completion generator
/// (bash, zsh, fish, PowerShell, elvish) must carry it safely, and quotes, backticks or
/// angle brackets broke zsh's and fish's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenFormat {
    /// The token and a newline
    Raw,
    /// The word Bearer and the token, for an Authorization header read from a file
    Bearer,
    /// An Authorization header line with the bearer token
    Header,
    /// A JSON object with access_token, expires_at, profile and source
    Json,
    /// A header line in curl's config syntax, for curl -K -
    CurlConfig,
    /// An export line of ATTIO_ACCESS_TOKEN and ATTIO_API_KEY, for eval in a POSIX shell
    Env,
}

impl TokenArgs {
    /// The format asked for, by `--format` or its short forms.
    pub fn format(&self) -> TokenFormat {
        match (self.format, self.header, self.json) {
            (Some(format), _, _) => format,
            (None, true, _) => TokenFormat::Header,
            (None, _, true) => TokenFormat::Json,
            (None, false, false) => TokenFormat::Raw,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// An environment variable that receives the token (repeatable) [default:
    /// ATTIO_ACCESS_TOKEN and ATTIO_API_KEY]
    #[arg(long = "env", value_name = "NAME")]
    pub variables: Vec<String>,

    /// Give the command a key for a loopback proxy that puts a fresh token on each
    /// request, instead of a token that expires
    #[arg(long)]
    pub proxy: bool,

    /// Refresh first when the token expires within this many seconds (0 to 86400)
    /// [default: 60, or half the token's lifetime when that is shorter]
    #[arg(long, value_name = "SECS", value_parser = min_ttl)]
    pub min_ttl: Option<u64>,

    /// The command and its arguments (after `--`)
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct McpConfigArgs {
    /// What to print
    #[arg(long, value_enum, default_value = "json")]
    pub format: McpFormat,

    /// The server's name in the host's configuration
    #[arg(long, value_name = "NAME", default_value = "attio")]
    pub name: String,

    /// The MCP server program, a name on PATH or a path
    #[arg(long, value_name = "PROGRAM", default_value = "attio-mcp")]
    pub server: String,

    /// Hand the server a token that expires instead of the proxy's key (`exec` without
    /// --proxy)
    #[arg(long)]
    pub no_proxy: bool,

    /// The entry of `attio-auth mcp`, the bridge to the hosted MCP server the profile
    /// logged in to with `login --mcp` (no server to install)
    #[arg(long, conflicts_with_all = ["server", "no_proxy"])]
    pub hosted: bool,
}

/// What `mcp-config` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum McpFormat {
    /// An mcpServers object (Claude Desktop, Cursor, and other JSON configurations)
    Json,
    /// A `claude mcp add` command line (Claude Code)
    Claude,
    /// A `servers` entry of type stdio (VS Code's mcp.json)
    Vscode,
    /// An `[mcp_servers.NAME]` table (Codex CLI's config.toml)
    Codex,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the path of the configuration file (it need not exist)
    Path,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print one JSON object (the /v2/self fields plus `profile` and `store`) on stdout
    #[arg(long)]
    pub json: bool,

    /// Fail (exit 5) unless this scope is granted (repeatable)
    #[arg(long = "require-scope", value_name = "S")]
    pub require_scopes: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Remove every profile (not with --profile)
    #[arg(long)]
    pub all: bool,

    /// Remove the profile here even when the keyring holding it cannot be reached (no
    /// D-Bus session, a keyring daemon that is gone); its entry there stays until
    /// removed with the keyring's own tools
    #[arg(long)]
    pub forget: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print one JSON object on stdout: `env_override` and a `profiles` array
    #[arg(long)]
    pub json: bool,

    /// Also ask Attio (`GET /v2/self`, all profiles at once) whether each stored token is
    /// still accepted: exit 3 when any profile needs a new login, 1 when Attio could not
    /// be reached
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print one JSON object on stdout: `{"checks": [{"name", "status", "detail", "fix"}]}`
    #[arg(long)]
    pub json: bool,

    /// Skip every check that needs the network (the app and API hosts, the clock, each
    /// profile against /v2/self)
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    /// The logged-in profile to use when neither --profile nor ATTIO_PROFILE names one
    #[arg(value_name = "PROFILE")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `--store`'s values as `ATTIO_AUTH_STORE` gives them, with a message that names them.
pub fn parse_store(raw: &str) -> Result<StoreKind, String> {
    StoreArg::from_str(raw.trim(), false)
        .map(StoreKind::from)
        .map_err(|_| "expected `keyring`, `file` or `command`".into())
}

/// A whole number in `min..=max`, or a message that gives the range.
fn in_range(raw: &str, min: u64, max: u64, what: &str) -> Result<u64, String> {
    match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected {what} from {min} to {max}")),
    }
}

const SECONDS: &str = "a whole number of seconds";

/// A whole number of seconds from 1 to 3600 (an hour): HTTP and lock timeouts.
pub fn seconds_up_to_an_hour(raw: &str) -> Result<u64, String> {
    in_range(raw, 1, 3600, SECONDS)
}

/// A whole number of seconds from 1 to 86400 (a day): how long a login waits.
fn seconds_up_to_a_day(raw: &str) -> Result<u64, String> {
    in_range(raw, 1, 86_400, SECONDS)
}

/// A whole number of seconds from 0 to 86400 (a day): how long a token must still live.
fn min_ttl(raw: &str) -> Result<u64, String> {
    in_range(raw, 0, 86_400, SECONDS)
}

/// A TCP port number, 0 to 65535 (0: any free port).
fn port(raw: &str) -> Result<u16, String> {
    let what = "a port number";
    u16::try_from(in_range(raw, 0, 65_535, what)?).map_err(|_| format!("expected {what}"))
}

/// clap's multi-line error as one line and a hint: the error with its possible values,
/// and clap's tip plus the subcommand's help (the first word of `args` naming one).
pub fn one_line(rendered: &str, args: &[String]) -> (String, String) {
    use clap::CommandFactory;
    let cli = Cli::command();
    let subcommand = args.iter().find(|arg| {
        cli.get_subcommands()
            .any(|sub| sub.get_name() == arg.as_str())
    });
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid command line");
    let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
    // clap would steer the secret into --client-id.
    if message.starts_with("unexpected argument '--client-secret") {
        return (
            "there is no --client-secret: a secret on the command line is seen by other users (ps) and kept in shell history".into(),
            "set ATTIO_CLIENT_SECRET, or leave it unset to be prompted without echo; if that was the real secret, rotate it at build.attio.com".into(),
        );
    }
    let mut tips = Vec::new();
    let mut command = match subcommand {
        Some(name) => format!("attio-auth {name}"),
        None => "attio-auth".to_string(),
    };
    // clap lists what is missing on the lines after "...were not provided:".
    let listing = message.ends_with(':');
    let mut missing = Vec::new();
    for line in lines {
        if listing && line.starts_with(['<', '-']) {
            missing.push(line.to_string());
        } else if line.starts_with('[') {
            message = format!("{message} {line}");
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            command = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    if !missing.is_empty() {
        message = format!("{message} {}", missing.join(", "));
    }
    tips.push(format!("see `{command} --help`"));
    (message, tips.join("; "))
}

#[cfg(test)]
mod tests {
    use super::{Cli, one_line};
    use clap::{CommandFactory, Parser};

    #[test]
    fn clap_errors_become_one_line_and_a_hint() {
        let args = ["attio-auth", "login", "--store", "bogus"];
        let err = Cli::try_parse_from(args).unwrap_err();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (message, hint) = one_line(&err.render().to_string(), &args);
        assert_eq!(
            message,
            "invalid value 'bogus' for '--store <STORE>' [possible values: keyring, file, command]"
        );
        assert_eq!(hint, "see `attio-auth login --help`");
        let err = Cli::try_parse_from(["attio-auth", "token", "--jsn"]).unwrap_err();
        let (message, hint) = one_line(&err.render().to_string(), &[]);
        assert_eq!(message, "unexpected argument '--jsn' found");
        assert_eq!(
            hint,
            "a similar argument exists: '--json'; see `attio-auth token --help`"
        );
    }

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
