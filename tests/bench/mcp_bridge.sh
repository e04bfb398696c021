#!/usr/bin/env bash
# The bridge (`attio-auth mcp`) beside mcp-remote (npm), driven the same way against the
# same local MCP server (tests/bench/fake_mcp.py) with a stored login: the time from
# spawn to the `initialize` answer, the time each adds per tool call over a direct
# request to the server, and their peak RSS. Medians of ROUNDS alternating runs.
# Installs mcp-remote under target/mcp-remote; writes nothing outside a temp dir.
# Exits 1 when a figure misses its goal (tests/bench/run.sh runs it last).
# Usage: tests/bench/mcp_bridge.sh [CALLS] [ROUNDS]   (default 200 calls, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
CALLS=${1:-200}
ROUNDS=${2:-5}
cargo build --release --locked --quiet
BIN=$PWD/target/release/attio-auth
[ -f target/mcp-remote/node_modules/mcp-remote/dist/proxy.js ] ||
  npm install --silent --no-audit --no-fund --prefix target/mcp-remote mcp-remote@0.15.1
REMOTE=$PWD/target/mcp-remote/node_modules/mcp-remote/dist/proxy.js
W=$(mktemp -d)
python3 tests/bench/fake_mcp.py "$W/port" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
URL="http://127.0.0.1:$(cat "$W/port")/mcp"

# A stored hosted-MCP login with a token that does not expire, in the file store.
export HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_DATA_HOME=$W/home/data
unset ATTIO_PROFILE ATTIO_APP_URL ATTIO_API_URL ATTIO_API_KEY ATTIO_ACCESS_TOKEN ATTIO_MCP_URL
mkdir -p "$XDG_CONFIG_HOME/attio-auth/profiles" "$XDG_DATA_HOME/attio-auth/credentials"
chmod 700 "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/attio-auth" \
  "$XDG_DATA_HOME/attio-auth" "$XDG_CONFIG_HOME/attio-auth/profiles" "$XDG_DATA_HOME/attio-auth/credentials"
ISSUER="http://127.0.0.1:9"
printf '{"version":1,"store":"file","client_id":"bench","app_url":"%s","api_url":"%s","workspace_id":null,"workspace_name":null,"workspace_slug":null,"member_id":null,"scopes":["mcp"],"expires_at":null,"has_refresh_token":false,"logged_in_at":0,"mcp":{"url":"%s","issuer":"%s","authorization_endpoint":"%s/authorize","token_endpoint":"%s/token","scopes":["mcp"]}}\n' \
  "$ISSUER" "$URL" "$URL" "$ISSUER" "$ISSUER" "$ISSUER" > "$XDG_CONFIG_HOME/attio-auth/profiles/default.json"
printf '{"version":1,"access_token":"bench-token","client_id":"bench","app_url":"%s","generation":1}' "$ISSUER" \
  > "$XDG_DATA_HOME/attio-auth/credentials/default.json"
chmod 600 "$XDG_CONFIG_HOME/attio-auth/profiles/default.json" "$XDG_DATA_HOME/attio-auth/credentials/default.json"

run() { python3 tests/bench/mcp_host.py "$CALLS" "$@"; }
: > "$W/bridge" ; : > "$W/remote" ; : > "$W/direct"
for _ in $(seq "$ROUNDS"); do
  run "$BIN" mcp >> "$W/bridge"
  run node "$REMOTE" "$URL" --header "Authorization:Bearer bench-token" >> "$W/remote"
  run --direct "$URL" >> "$W/direct"
done
python3 - "$W" <<'PY'
import json, statistics, sys
w = sys.argv[1]
load = lambda name: [json.loads(l) for l in open(f"{w}/{name}")]
bridge, remote, direct = load("bridge"), load("remote"), load("direct")
med = lambda rows, key: statistics.median(r[key] for r in rows)
d = med(direct, "call_ms")
init = med(bridge, 'init_ms') / med(remote, 'init_ms')
added = med(bridge, 'call_ms') - d
rss = med(bridge, 'rss_kib') / med(remote, 'rss_kib')
rows = [
    ("spawn to initialize answer", f"{med(bridge, 'init_ms'):.1f} ms", f"{med(remote, 'init_ms'):.1f} ms", init, "<= 0.10", init <= 0.10),
    ("added per tool call (median, over direct)", f"{added:.3f} ms", f"{med(remote, 'call_ms') - d:.3f} ms", None, "<= 1 ms", added <= 1.0),
    ("peak RSS", f"{med(bridge, 'rss_kib') / 1024:.1f} MiB", f"{med(remote, 'rss_kib') / 1024:.1f} MiB", rss, "<= 0.20", rss <= 0.20),
]
print(f"direct tool call: {d:.3f} ms (median)")
print("| figure | attio-auth mcp | mcp-remote | ratio | goal | met |")
print("| --- | --- | --- | --- | --- | --- |")
for name, a, b, ratio, goal, met in rows:
    print(f"| {name} | {a} | {b} | {'' if ratio is None else f'{ratio:.2f}x'} | {goal} | {'yes' if met else 'NO'} |")
sys.exit(0 if all(row[-1] for row in rows) else 1)
PY
