#!/usr/bin/env bash
# Kills `attio-auth refresh` with SIGKILL at random moments, N times, and counts how often
# the profile is left needing a new browser login (its refresh's outcome unknown) versus
# still usable (refreshed, untouched, or recovered from a complete temporary file).
# Starts the benchmark's fake Attio on 127.0.0.1; writes nothing outside a temp dir.
# Usage: tests/bench/kill_refresh.sh [N]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100}
cargo build --release --locked --quiet
BIN=$PWD/target/release/attio-auth
W=$(mktemp -d)
python3 tests/bench/fake_attio.py "$W/port" 2>/dev/null &
FAKE=$!
trap 'kill $FAKE 2>/dev/null || true; rm -rf "$W"' EXIT
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
URL="http://127.0.0.1:$(cat "$W/port")"

export HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_DATA_HOME=$W/home/data
unset ATTIO_PROFILE ATTIO_APP_URL ATTIO_API_URL ATTIO_API_KEY ATTIO_ACCESS_TOKEN
export ATTIO_AUTH_STORE=file
CREDS=$XDG_DATA_HOME/attio-auth/credentials
mkdir -p "$XDG_CONFIG_HOME/attio-auth/profiles" "$CREDS"
chmod -R go-w "$HOME"
printf '{"version":1,"store":"file","client_id":"bench-client","app_url":"%s/","api_url":"%s/","workspace_id":null,"workspace_name":null,"workspace_slug":null,"member_id":null,"scopes":[],"expires_at":1,"has_refresh_token":true,"logged_in_at":0}\n' \
  "$URL" "$URL" > "$XDG_CONFIG_HOME/attio-auth/profiles/default.json"

usable=0 login=0 other=0
for i in $(seq "$N"); do
  rm -f "$CREDS"/.default.json.tmp-*
  printf '{"version":1,"access_token":"at_%s","refresh_token":"rt_%s","expires_at":1,"client_id":"bench-client","client_secret":"cs_bench","app_url":"%s/","generation":1}' \
    "$i" "$i" "$URL" > "$CREDS/default.json"
  chmod 600 "$CREDS/default.json"
  "$BIN" refresh 2>/dev/null &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 25)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  set +e
  err=$("$BIN" token 2>&1 >/dev/null)
  code=$?
  set -e
  if [ "$code" = 0 ]; then
    usable=$((usable + 1))
  elif [[ "$err" == *"did not finish"* ]]; then
    login=$((login + 1))
  else
    other=$((other + 1))
    echo "run $i: exit $code: $err" >&2
  fi
done
echo "$N kills during a refresh: $usable usable afterwards, $login needing a new login, $other other"
