
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'attio-auth' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'attio-auth'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'attio-auth' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in through the browser (OAuth 2.0 authorization code with PKCE)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token on stdout, refreshing it first when needed')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the access token now')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show the workspace, member, app and scopes the stored token grants')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Delete stored credentials')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show stored profiles (no network call, no secret shown)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the keyring, files, port, browser, config, clock, network and every profile')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make a logged-in profile the default for commands without --profile')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with a fresh access token in its environment')
            [CompletionResult]::new('mcp-config', 'mcp-config', [CompletionResultType]::ParameterValue, 'Print the entry that runs the Attio MCP server through attio-auth, for an MCP host')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve MCP on stdin and stdout, relayed to the profile''s hosted MCP server')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script on stdout')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the configuration file')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'attio-auth;login' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The OAuth app''s client ID (from build.attio.com); prompted for at a terminal. The client secret is read from ATTIO_CLIENT_SECRET or prompted for, never taken as an argument [env: ATTIO_CLIENT_ID]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where to store the credentials: `keyring`, `file` (private to you), or `command` (the program ATTIO_AUTH_STORE_COMMAND or config.toml''s `store_command` names). Without this flag or its variable, a store command when one is set, else the keyring; a missing keyring then falls back to the file with a warning')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Loopback port for the redirect URI http://localhost:PORT/callback (0: any free port) [default: config.toml''s, else the profile''s last, else 3456]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Ask for this scope (repeatable; Attio normally fixes scopes on the app)')
            [CompletionResult]::new('--require-scope', '--require-scope', [CompletionResultType]::ParameterName, 'Fail (exit 5) and store nothing unless this scope is granted (repeatable)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this many seconds without a callback (1 to 86400)')
            [CompletionResult]::new('--mcp-url', '--mcp-url', [CompletionResultType]::ParameterName, 'The hosted MCP server to log in to with --mcp [env: ATTIO_MCP_URL] [default: the profile''s, else https://mcp.attio.com/mcp]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not open a browser; print the URL only')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Store an API key or access token read from stdin (never from the command line) instead of running the browser flow')
            [CompletionResult]::new('--mcp', '--mcp', [CompletionResultType]::ParameterName, 'Log in to Attio''s hosted MCP server instead: no app of your own is needed, since attio-auth registers itself with the server''s authorization server')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;token' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print the token: `raw` (the token), `bearer` (`Bearer …`, for HTTPie''s and xh''s `Authorization:@FILE`), `header` (`Authorization: Bearer …`), `json`, `curl-config` (a `header = "…"` line for `curl -K -`, which keeps the token off curl''s command line) or `env` (an `export` line of ATTIO_ACCESS_TOKEN and ATTIO_API_KEY)')
            [CompletionResult]::new('--min-ttl', '--min-ttl', [CompletionResultType]::ParameterName, 'Refresh first when the token expires within this many seconds (0 to 86400) [default: 60, or half the token''s lifetime when that is shorter]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Short for `--format header` (for `curl -H @-`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for `--format json`: access_token, expires_at, profile and source')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Print no newline after the token (for programs that take a file''s bytes as the token)')
            [CompletionResult]::new('--no-newline', '--no-newline', [CompletionResultType]::ParameterName, 'Print no newline after the token (for programs that take a file''s bytes as the token)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;refresh' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;whoami' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('--require-scope', '--require-scope', [CompletionResultType]::ParameterName, 'Fail (exit 5) unless this scope is granted (repeatable)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object (the /v2/self fields plus `profile` and `store`) on stdout')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;logout' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every profile (not with --profile)')
            [CompletionResult]::new('--forget', '--forget', [CompletionResultType]::ParameterName, 'Remove the profile here even when the keyring holding it cannot be reached (no D-Bus session, a keyring daemon that is gone); its entry there stays until removed with the keyring''s own tools')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;status' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout: `env_override` and a `profiles` array')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Also ask Attio (`GET /v2/self`, all profiles at once) whether each stored token is still accepted: exit 3 when any profile needs a new login, 1 when Attio could not be reached')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;doctor' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout: `{"checks": [{"name", "status", "detail", "fix"}]}`')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Skip every check that needs the network (the app and API hosts, the clock, each profile against /v2/self)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;switch' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;exec' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'An environment variable that receives the token (repeatable) [default: ATTIO_ACCESS_TOKEN and ATTIO_API_KEY]')
            [CompletionResult]::new('--min-ttl', '--min-ttl', [CompletionResultType]::ParameterName, 'Refresh first when the token expires within this many seconds (0 to 86400) [default: 60, or half the token''s lifetime when that is shorter]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Give the command a key for a loopback proxy that puts a fresh token on each request, instead of a token that expires')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;mcp-config' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'What to print')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The server''s name in the host''s configuration')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'The MCP server program, a name on PATH or a path')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--no-proxy', '--no-proxy', [CompletionResultType]::ParameterName, 'Hand the server a token that expires instead of the proxy''s key (`exec` without --proxy)')
            [CompletionResult]::new('--hosted', '--hosted', [CompletionResultType]::ParameterName, 'The entry of `attio-auth mcp`, the bridge to the hosted MCP server the profile logged in to with `login --mcp` (no server to install)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;mcp' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;completions' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;config' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the configuration file (it need not exist)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'attio-auth;config;path' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;config;help' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the configuration file (it need not exist)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'attio-auth;config;help;path' {
            break
        }
        'attio-auth;config;help;help' {
            break
        }
        'attio-auth;man' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile: one set of stored credentials (one workspace, one app)')
            [CompletionResult]::new('--app-url', '--app-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Base URL of Attio''s REST API (identity at /v2/self)')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Give up on an HTTP request after this many seconds (1 to 3600)')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Describe what the tool does (requests, storage) on stderr; secrets are redacted')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'attio-auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in through the browser (OAuth 2.0 authorization code with PKCE)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token on stdout, refreshing it first when needed')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the access token now')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show the workspace, member, app and scopes the stored token grants')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Delete stored credentials')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show stored profiles (no network call, no secret shown)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the keyring, files, port, browser, config, clock, network and every profile')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make a logged-in profile the default for commands without --profile')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with a fresh access token in its environment')
            [CompletionResult]::new('mcp-config', 'mcp-config', [CompletionResultType]::ParameterValue, 'Print the entry that runs the Attio MCP server through attio-auth, for an MCP host')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve MCP on stdin and stdout, relayed to the profile''s hosted MCP server')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script on stdout')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect the configuration file')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) on stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'attio-auth;help;login' {
            break
        }
        'attio-auth;help;token' {
            break
        }
        'attio-auth;help;refresh' {
            break
        }
        'attio-auth;help;whoami' {
            break
        }
        'attio-auth;help;logout' {
            break
        }
        'attio-auth;help;status' {
            break
        }
        'attio-auth;help;doctor' {
            break
        }
        'attio-auth;help;switch' {
            break
        }
        'attio-auth;help;exec' {
            break
        }
        'attio-auth;help;mcp-config' {
            break
        }
        'attio-auth;help;mcp' {
            break
        }
        'attio-auth;help;completions' {
            break
        }
        'attio-auth;help;config' {
            break
        }
        'attio-auth;help;man' {
            break
        }
        'attio-auth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
