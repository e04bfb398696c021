# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_attio_auth_global_optspecs
    string join \n profile= app-url= api-url= http-timeout= lock-timeout= v/verbose h/help V/version
end

function __fish_attio_auth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_attio_auth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_attio_auth_using_subcommand
    set -l cmd (__fish_attio_auth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c attio-auth -n "__fish_attio_auth_needs_command" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_needs_command" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_needs_command" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_needs_command" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_needs_command" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_needs_command" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -s V -l version -d 'Print version'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "login" -d 'Log in through the browser (OAuth 2.0 authorization code with PKCE)'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "token" -d 'Print a valid access token on stdout, refreshing it first when needed'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "refresh" -d 'Refresh the access token now'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "whoami" -d 'Show the workspace, member, app and scopes the stored token grants'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "logout" -d 'Delete stored credentials'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "status" -d 'Show stored profiles (no network call, no secret shown)'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "doctor" -d 'Check the keyring, files, port, browser, config, clock, network and every profile'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "switch" -d 'Make a logged-in profile the default for commands without --profile'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "exec" -d 'Run a command with a fresh access token in its environment'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "mcp-config" -d 'Print the entry that runs the Attio MCP server through attio-auth, for an MCP host'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "mcp" -d 'Serve MCP on stdin and stdout, relayed to the profile\'s hosted MCP server'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "completions" -d 'Print a shell completion script on stdout'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "config" -d 'Inspect the configuration file'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "man" -d 'Print the manual page (roff) on stdout'
complete -c attio-auth -n "__fish_attio_auth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l client-id -d 'The OAuth app\'s client ID (from build.attio.com); prompted for at a terminal. The client secret is read from ATTIO_CLIENT_SECRET or prompted for, never taken as an argument [env: ATTIO_CLIENT_ID]' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l store -d 'Where to store the credentials: `keyring`, `file` (private to you), or `command` (the program ATTIO_AUTH_STORE_COMMAND or config.toml\'s `store_command` names). Without this flag or its variable, a store command when one is set, else the keyring; a missing keyring then falls back to the file with a warning' -r -f -a "keyring\t'The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager)'
file\t'A JSON file per profile in the user\'s data directory, private to the user'
command\t'A program of yours (ATTIO_AUTH_STORE_COMMAND or config.toml `store_command`) that keeps the secret in a vault: pass, the 1Password CLI, ...'"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l port -d 'Loopback port for the redirect URI http://localhost:PORT/callback (0: any free port) [default: config.toml\'s, else the profile\'s last, else 3456]' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l scope -d 'Ask for this scope (repeatable; Attio normally fixes scopes on the app)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l require-scope -d 'Fail (exit 5) and store nothing unless this scope is granted (repeatable)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l timeout -d 'Give up after this many seconds without a callback (1 to 86400)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l mcp-url -d 'The hosted MCP server to log in to with --mcp [env: ATTIO_MCP_URL] [default: the profile\'s, else https://mcp.attio.com/mcp]' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l no-browser -d 'Do not open a browser; print the URL only'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l with-token -d 'Store an API key or access token read from stdin (never from the command line) instead of running the browser flow'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -l mcp -d 'Log in to Attio\'s hosted MCP server instead: no app of your own is needed, since attio-auth registers itself with the server\'s authorization server'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l format -d 'How to print the token: `raw` (the token), `bearer` (`Bearer …`, for HTTPie\'s and xh\'s `Authorization:@FILE`), `header` (`Authorization: Bearer …`), `json`, `curl-config` (a `header = "…"` line for `curl -K -`, which keeps the token off curl\'s command line) or `env` (an `export` line of ATTIO_ACCESS_TOKEN and ATTIO_API_KEY)' -r -f -a "raw\t'The token and a newline'
bearer\t'The word Bearer and the token, for an Authorization header read from a file'
header\t'An Authorization header line with the bearer token'
json\t'A JSON object with access_token, expires_at, profile and source'
curl-config\t'A header line in curl\'s config syntax, for curl -K -'
env\t'An export line of ATTIO_ACCESS_TOKEN and ATTIO_API_KEY, for eval in a POSIX shell'"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l min-ttl -d 'Refresh first when the token expires within this many seconds (0 to 86400) [default: 60, or half the token\'s lifetime when that is shorter]' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l header -d 'Short for `--format header` (for `curl -H @-`)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -l json -d 'Short for `--format json`: access_token, expires_at, profile and source'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -s n -l no-newline -d 'Print no newline after the token (for programs that take a file\'s bytes as the token)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand refresh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l require-scope -d 'Fail (exit 5) unless this scope is granted (repeatable)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -l json -d 'Print one JSON object (the /v2/self fields plus `profile` and `store`) on stdout'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l all -d 'Remove every profile (not with --profile)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -l forget -d 'Remove the profile here even when the keyring holding it cannot be reached (no D-Bus session, a keyring daemon that is gone); its entry there stays until removed with the keyring\'s own tools'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l json -d 'Print one JSON object on stdout: `env_override` and a `profiles` array'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -l check -d 'Also ask Attio (`GET /v2/self`, all profiles at once) whether each stored token is still accepted: exit 3 when any profile needs a new login, 1 when Attio could not be reached'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l json -d 'Print one JSON object on stdout: `{"checks": [{"name", "status", "detail", "fix"}]}`'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -l offline -d 'Skip every check that needs the network (the app and API hosts, the clock, each profile against /v2/self)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l env -d 'An environment variable that receives the token (repeatable) [default: ATTIO_ACCESS_TOKEN and ATTIO_API_KEY]' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l min-ttl -d 'Refresh first when the token expires within this many seconds (0 to 86400) [default: 60, or half the token\'s lifetime when that is shorter]' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -l proxy -d 'Give the command a key for a loopback proxy that puts a fresh token on each request, instead of a token that expires'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l format -d 'What to print' -r -f -a "json\t'An mcpServers object (Claude Desktop, Cursor, and other JSON configurations)'
claude\t'A `claude mcp add` command line (Claude Code)'
vscode\t'A `servers` entry of type stdio (VS Code\'s mcp.json)'
codex\t'An `[mcp_servers.NAME]` table (Codex CLI\'s config.toml)'"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l name -d 'The server\'s name in the host\'s configuration' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l server -d 'The MCP server program, a name on PATH or a path' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l no-proxy -d 'Hand the server a token that expires instead of the proxy\'s key (`exec` without --proxy)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -l hosted -d 'The entry of `attio-auth mcp`, the bridge to the hosted MCP server the profile logged in to with `login --mcp` (no server to install)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp-config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand mcp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -f -a "path" -d 'Print the path of the configuration file (it need not exist)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and not __fish_seen_subcommand_from path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the path of the configuration file (it need not exist)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -l profile -d 'Profile: one set of stored credentials (one workspace, one app)' -r -f -a "(attio-auth __complete-profiles 2>/dev/null)"
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -l app-url -d 'Base URL of Attio\'s app (authorize at /authorize, token at /oauth/token)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -l api-url -d 'Base URL of Attio\'s REST API (identity at /v2/self)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -l http-timeout -d 'Give up on an HTTP request after this many seconds (1 to 3600)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -l lock-timeout -d 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)' -r
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -s v -l verbose -d 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "login" -d 'Log in through the browser (OAuth 2.0 authorization code with PKCE)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "token" -d 'Print a valid access token on stdout, refreshing it first when needed'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "refresh" -d 'Refresh the access token now'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "whoami" -d 'Show the workspace, member, app and scopes the stored token grants'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "logout" -d 'Delete stored credentials'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "status" -d 'Show stored profiles (no network call, no secret shown)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "doctor" -d 'Check the keyring, files, port, browser, config, clock, network and every profile'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "switch" -d 'Make a logged-in profile the default for commands without --profile'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "exec" -d 'Run a command with a fresh access token in its environment'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "mcp-config" -d 'Print the entry that runs the Attio MCP server through attio-auth, for an MCP host'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "mcp" -d 'Serve MCP on stdin and stdout, relayed to the profile\'s hosted MCP server'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "completions" -d 'Print a shell completion script on stdout'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "config" -d 'Inspect the configuration file'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "man" -d 'Print the manual page (roff) on stdout'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand help; and not __fish_seen_subcommand_from login token refresh whoami logout status doctor switch exec mcp-config mcp completions config man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c attio-auth -n "__fish_attio_auth_using_subcommand switch" -f -a "(attio-auth __complete-profiles 2>/dev/null)"
