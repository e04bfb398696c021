
use builtin;
use str;

set edit:completion:arg-completer[attio-auth] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'attio-auth'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'attio-auth'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in through the browser (OAuth 2.0 authorization code with PKCE)'
            cand token 'Print a valid access token on stdout, refreshing it first when needed'
            cand refresh 'Refresh the access token now'
            cand whoami 'Show the workspace, member, app and scopes the stored token grants'
            cand logout 'Delete stored credentials'
            cand status 'Show stored profiles (no network call, no secret shown)'
            cand doctor 'Check the keyring, files, port, browser, config, clock, network and every profile'
            cand switch 'Make a logged-in profile the default for commands without --profile'
            cand exec 'Run a command with a fresh access token in its environment'
            cand mcp-config 'Print the entry that runs the Attio MCP server through attio-auth, for an MCP host'
            cand mcp 'Serve MCP on stdin and stdout, relayed to the profile''s hosted MCP server'
            cand completions 'Print a shell completion script on stdout'
            cand config 'Inspect the configuration file'
            cand man 'Print the manual page (roff) on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'attio-auth;login'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand --client-id 'The OAuth app''s client ID (from build.attio.com); prompted for at a terminal. The client secret is read from ATTIO_CLIENT_SECRET or prompted for, never taken as an argument [env: ATTIO_CLIENT_ID]'
            cand --store 'Where to store the credentials: `keyring`, `file` (private to you), or `command` (the program ATTIO_AUTH_STORE_COMMAND or config.toml''s `store_command` names). Without this flag or its variable, a store command when one is set, else the keyring; a missing keyring then falls back to the file with a warning'
            cand --port 'Loopback port for the redirect URI http://localhost:PORT/callback (0: any free port) [default: config.toml''s, else the profile''s last, else 3456]'
            cand --scope 'Ask for this scope (repeatable; Attio normally fixes scopes on the app)'
            cand --require-scope 'Fail (exit 5) and store nothing unless this scope is granted (repeatable)'
            cand --timeout 'Give up after this many seconds without a callback (1 to 86400)'
            cand --mcp-url 'The hosted MCP server to log in to with --mcp [env: ATTIO_MCP_URL] [default: the profile''s, else https://mcp.attio.com/mcp]'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --no-browser 'Do not open a browser; print the URL only'
            cand --with-token 'Store an API key or access token read from stdin (never from the command line) instead of running the browser flow'
            cand --mcp 'Log in to Attio''s hosted MCP server instead: no app of your own is needed, since attio-auth registers itself with the server''s authorization server'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;token'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand --format 'How to print the token: `raw` (the token), `bearer` (`Bearer …`, for HTTPie''s and xh''s `Authorization:@FILE`), `header` (`Authorization: Bearer …`), `json`, `curl-config` (a `header = "…"` line for `curl -K -`, which keeps the token off curl''s command line) or `env` (an `export` line of ATTIO_ACCESS_TOKEN and ATTIO_API_KEY)'
            cand --min-ttl 'Refresh first when the token expires within this many seconds (0 to 86400) [default: 60, or half the token''s lifetime when that is shorter]'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --header 'Short for `--format header` (for `curl -H @-`)'
            cand --json 'Short for `--format json`: access_token, expires_at, profile and source'
            cand -n 'Print no newline after the token (for programs that take a file''s bytes as the token)'
            cand --no-newline 'Print no newline after the token (for programs that take a file''s bytes as the token)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;refresh'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;whoami'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand --require-scope 'Fail (exit 5) unless this scope is granted (repeatable)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --json 'Print one JSON object (the /v2/self fields plus `profile` and `store`) on stdout'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;logout'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --all 'Remove every profile (not with --profile)'
            cand --forget 'Remove the profile here even when the keyring holding it cannot be reached (no D-Bus session, a keyring daemon that is gone); its entry there stays until removed with the keyring''s own tools'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;status'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --json 'Print one JSON object on stdout: `env_override` and a `profiles` array'
            cand --check 'Also ask Attio (`GET /v2/self`, all profiles at once) whether each stored token is still accepted: exit 3 when any profile needs a new login, 1 when Attio could not be reached'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;doctor'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --json 'Print one JSON object on stdout: `{"checks": [{"name", "status", "detail", "fix"}]}`'
            cand --offline 'Skip every check that needs the network (the app and API hosts, the clock, each profile against /v2/self)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;switch'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;exec'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand --env 'An environment variable that receives the token (repeatable) [default: ATTIO_ACCESS_TOKEN and ATTIO_API_KEY]'
            cand --min-ttl 'Refresh first when the token expires within this many seconds (0 to 86400) [default: 60, or half the token''s lifetime when that is shorter]'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --proxy 'Give the command a key for a loopback proxy that puts a fresh token on each request, instead of a token that expires'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;mcp-config'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand --format 'What to print'
            cand --name 'The server''s name in the host''s configuration'
            cand --server 'The MCP server program, a name on PATH or a path'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --no-proxy 'Hand the server a token that expires instead of the proxy''s key (`exec` without --proxy)'
            cand --hosted 'The entry of `attio-auth mcp`, the bridge to the hosted MCP server the profile logged in to with `login --mcp` (no server to install)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;mcp'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;completions'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;config'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand path 'Print the path of the configuration file (it need not exist)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'attio-auth;config;path'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;config;help'= {
            cand path 'Print the path of the configuration file (it need not exist)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'attio-auth;config;help;path'= {
        }
        &'attio-auth;config;help;help'= {
        }
        &'attio-auth;man'= {
            cand --profile 'Profile: one set of stored credentials (one workspace, one app)'
            cand --app-url 'Base URL of Attio''s app (authorize at /authorize, token at /oauth/token)'
            cand --api-url 'Base URL of Attio''s REST API (identity at /v2/self)'
            cand --http-timeout 'Give up on an HTTP request after this many seconds (1 to 3600)'
            cand --lock-timeout 'Wait at most this many seconds (1 to 3600) for another attio-auth process that is writing the same profile (a refresh, a login)'
            cand -v 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand --verbose 'Describe what the tool does (requests, storage) on stderr; secrets are redacted'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'attio-auth;help'= {
            cand login 'Log in through the browser (OAuth 2.0 authorization code with PKCE)'
            cand token 'Print a valid access token on stdout, refreshing it first when needed'
            cand refresh 'Refresh the access token now'
            cand whoami 'Show the workspace, member, app and scopes the stored token grants'
            cand logout 'Delete stored credentials'
            cand status 'Show stored profiles (no network call, no secret shown)'
            cand doctor 'Check the keyring, files, port, browser, config, clock, network and every profile'
            cand switch 'Make a logged-in profile the default for commands without --profile'
            cand exec 'Run a command with a fresh access token in its environment'
            cand mcp-config 'Print the entry that runs the Attio MCP server through attio-auth, for an MCP host'
            cand mcp 'Serve MCP on stdin and stdout, relayed to the profile''s hosted MCP server'
            cand completions 'Print a shell completion script on stdout'
            cand config 'Inspect the configuration file'
            cand man 'Print the manual page (roff) on stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'attio-auth;help;login'= {
        }
        &'attio-auth;help;token'= {
        }
        &'attio-auth;help;refresh'= {
        }
        &'attio-auth;help;whoami'= {
        }
        &'attio-auth;help;logout'= {
        }
        &'attio-auth;help;status'= {
        }
        &'attio-auth;help;doctor'= {
        }
        &'attio-auth;help;switch'= {
        }
        &'attio-auth;help;exec'= {
        }
        &'attio-auth;help;mcp-config'= {
        }
        &'attio-auth;help;mcp'= {
        }
        &'attio-auth;help;completions'= {
        }
        &'attio-auth;help;config'= {
        }
        &'attio-auth;help;man'= {
        }
        &'attio-auth;help;help'= {
        }
    ]
    $completions[$command]
}
