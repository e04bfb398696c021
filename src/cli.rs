//! The command-line surface: every flag, its environment variable and its help text.
//! Nothing here validates beyond syntax; `settings` turns these raw values into checked
//! settings.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, shown at the end of `--help` (and repeated in README.md).
const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  failure (network, server or storage)
  2  usage error (bad flag, environment variable, URL or config file)
  3  not logged in, or the stored login is no longer accepted: log in again
  4  login did not complete (denied, wrong state, timed out or aborted)
  5  a required scope is missing
`exec` exits with its command's status (126: not executable, 127: not found).";

/// Command-line OAuth helper for the Attio CRM API.
#[derive(Debug, Parser)]
#[command(name = "attio-auth", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options that every subcommand accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Profile: one set of stored credentials (one workspace, one app)
    #[arg(long, global = true, env = "ATTIO_PROFILE", default_value = "default")]
    pub profile: String,

    /// Base URL of Attio's app (authorize at /authorize, token at /oauth/token)
    /// [default: https://app.attio.com]
    #[arg(long, global = true, env = "ATTIO_APP_URL", value_name = "URL")]
    pub app_url: Option<String>,

    /// Base URL of Attio's REST API (identity at /v2/self) [default: https://api.attio.com]
    #[arg(long, global = true, env = "ATTIO_API_URL", value_name = "URL")]
    pub api_url: Option<String>,

    /// Where `login` stores credentials
    #[arg(long, global = true, env = "ATTIO_AUTH_STORE", value_enum, default_value_t = StoreKind::Keyring)]
    pub store: StoreKind,

    /// Give up on an HTTP request after this many seconds
    #[arg(long, global = true, env = "ATTIO_AUTH_HTTP_TIMEOUT", default_value_t = 30, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub http_timeout: u64,

    /// Wait at most this many seconds for another attio-auth process that is writing the
    /// same profile (a refresh, a login) [default: --http-timeout plus 10]
    #[arg(long, global = true, env = "ATTIO_AUTH_LOCK_TIMEOUT", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub lock_timeout: Option<u64>,

    /// Describe what the tool does (requests, storage) on stderr; secrets are redacted
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Where credentials live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager)
    Keyring,
    /// A JSON file per profile in the user's data directory (mode 0600)
    File,
}

impl StoreKind {
    /// The name used on the command line, in files and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Keyring => "keyring",
            StoreKind::File => "file",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in through the browser (OAuth 2.0 authorization code with PKCE)
    Login(LoginArgs),
    /// Print a valid access token on stdout, refreshing it first when needed
    Token(TokenArgs),
    /// Refresh the access token now
    Refresh,
    /// Show the workspace, member, app and scopes the stored token grants
    Whoami(WhoamiArgs),
    /// Delete stored credentials
    Logout(LogoutArgs),
    /// List stored profiles (no network call, no secret shown)
    Status(StatusArgs),
    /// Run a command with a fresh access token in its environment
    Exec(ExecArgs),
    /// Print a shell completion script on stdout
    Completions(CompletionsArgs),
    /// Inspect the configuration file
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The OAuth app's client ID (from build.attio.com). The client secret is read from
    /// ATTIO_CLIENT_SECRET or prompted for, never taken as an argument
    #[arg(long, env = "ATTIO_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Loopback port for the redirect URI http://localhost:PORT/callback (0: any free port)
    /// [default: 3456]
    #[arg(long, value_name = "N")]
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

    /// Give up after this many seconds without a callback
    #[arg(long, default_value_t = 300, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Store an API key or access token read from stdin (never from the command line)
    /// instead of running the browser flow
    #[arg(long, conflicts_with_all = ["port", "no_browser", "scopes"])]
    pub with_token: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Print `Authorization: Bearer <token>` (for `curl -H @-`)
    #[arg(long, conflicts_with = "json")]
    pub header: bool,

    /// Print a JSON object: access_token, expires_at, profile and source
    #[arg(long)]
    pub json: bool,

    /// Refresh first when the token expires within this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub min_ttl: u64,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The environment variable that receives the token
    #[arg(
        long = "env",
        default_value = "ATTIO_ACCESS_TOKEN",
        value_name = "NAME"
    )]
    pub variable: String,

    /// Refresh first when the token expires within this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub min_ttl: u64,

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
    /// Remove every profile
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print a JSON array on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
