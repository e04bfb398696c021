#!/usr/bin/env bash
# Benchmarks `attio-auth` as whole processes. Every figure is measured against its
# baseline in the same run and reported as a ratio, with the issue's target:
#   token, file store          vs  cat of a file of the same size     (≤ 3×)
#   token, file store          vs  gh auth token, when gh is installed (reported)
#   token, keyring store       vs  secret-tool lookup of the same entry (≤ 1.0×)
#   whoami                     vs  curl making the same /v2/self request (≤ 1.5×)
#   32 concurrent token calls on an expired token vs one refreshing call (≤ 3×),
#     with exactly one refresh request and one printed token
#   peak RSS of a fresh `token` (≤ 8 MiB) and the release binary's size (aim ≤ 8 MB)
# It builds the release binary, starts its own fake Attio (tests/bench/fake_attio.py) on
# 127.0.0.1, its own D-Bus bus and gnome-keyring, and writes nothing outside a temp dir.
# Usage: tests/bench/run.sh [RUNS]   (default 200 runs per fast command)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-200}

need=(hyperfine curl python3 dbus-daemon gnome-keyring-daemon secret-tool gdbus)
missing=()
for tool in "${need[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine curl python3 time \
      dbus gnome-keyring libsecret-tools libglib2.0-bin >/dev/null
  else
    echo "missing ${missing[*]}: apt-get install hyperfine curl python3 time dbus gnome-keyring libsecret-tools libglib2.0-bin" >&2
    exit 1
  fi
fi

cargo build --release --quiet
BIN=$PWD/target/release/attio-auth
W=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"; }
trap cleanup EXIT

# --- the fake Attio -------------------------------------------------------------------
python3 tests/bench/fake_attio.py "$W/port" & PIDS+=($!)
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
PORT=$(cat "$W/port")
URL="http://127.0.0.1:$PORT"
refreshes() { curl -s "$URL/_stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refreshes"])'; }

# --- stores ---------------------------------------------------------------------------
export HOME=$W/home XDG_CONFIG_HOME=$W/home/config XDG_DATA_HOME=$W/home/data
unset ATTIO_PROFILE ATTIO_APP_URL ATTIO_API_URL ATTIO_AUTH_STORE BROWSER
mkdir -p "$XDG_CONFIG_HOME/attio-auth/profiles" "$XDG_DATA_HOME/attio-auth/credentials"
chmod 700 "$XDG_DATA_HOME/attio-auth/credentials"
meta() { # profile store expires_at has_refresh
  printf '{"version":1,"store":"%s","client_id":"bench-client","app_url":"%s/","api_url":"%s/","workspace_id":"ws-bench","workspace_name":"Bench","workspace_slug":"bench","member_id":"member-bench","scopes":["record_permission:read"],"expires_at":%s,"has_refresh_token":%s,"logged_in_at":0}\n' \
    "$2" "$URL" "$URL" "$3" "$4" > "$XDG_CONFIG_HOME/attio-auth/profiles/$1.json"
}
TOKEN=at_bench_0123456789abcdef0123456789abcdef0123456789
FRESH='{"version":1,"access_token":"'$TOKEN'","client_id":"bench-client","client_secret":"cs_bench_secret"}'
EXPIRED='{"version":1,"access_token":"at_expired","refresh_token":"rt_bench","expires_at":1,"client_id":"bench-client","client_secret":"cs_bench_secret"}'
meta fresh file null false
printf '%s' "$FRESH" > "$XDG_DATA_HOME/attio-auth/credentials/fresh.json"
printf '%s' "$FRESH" > "$W/same-size.txt"
meta expired file 1 true
printf '%s' "$EXPIRED" > "$W/expired.json"
chmod 600 "$XDG_DATA_HOME"/attio-auth/credentials/*.json "$W/expired.json"

# --- a real Secret Service on a private bus ---------------------------------------------
mkdir -p "$W/bus/run" "$W/bus/home"; chmod 700 "$W/bus/run"
cat > "$W/bus/bus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=$W/bus</listen>
<servicedir>/usr/share/dbus-1/services</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>
XML
HOME=$W/bus/home XDG_RUNTIME_DIR=$W/bus/run dbus-daemon --config-file="$W/bus/bus.conf" \
  --fork --print-address=1 --print-pid=2 > "$W/bus/address" 2> "$W/bus/pid"
PIDS+=("$(cat "$W/bus/pid")")
export DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$W/bus/address")
printf 'bench-password' | HOME=$W/bus/home XDG_RUNTIME_DIR=$W/bus/run \
  gnome-keyring-daemon --daemonize --unlock --components=secrets > /dev/null
gdbus wait --session --timeout 20 org.freedesktop.secrets
printf '%s' "$FRESH" | secret-tool store --label="attio-auth bench" service attio-auth username keyring
meta keyring keyring null false

# --- sanity: each command does what is measured ------------------------------------------
[ "$("$BIN" --profile fresh token)" = "$TOKEN" ] || { echo "file-store token is wrong" >&2; exit 1; }
[ "$("$BIN" --profile keyring token)" = "$TOKEN" ] || { echo "keyring token is wrong" >&2; exit 1; }
"$BIN" --profile fresh whoami 2>/dev/null || { echo "whoami failed" >&2; exit 1; }

# --- timings ----------------------------------------------------------------------------
median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join(str(x["median"]) for x in r))' "$1"; }
bench() { # name runs command...
  local name=$1 runs=$2; shift 2
  hyperfine -N --warmup 10 --runs "$runs" --export-json "$W/$name.json" "$@" > /dev/null
  median "$W/$name.json"
}
ROWS=()
row() { # label value baseline-label baseline target
  ROWS+=("$(python3 -c 'import sys
label, v, blabel, b, target = sys.argv[1:6]
v, b = float(v), float(b); ratio = v / b
ok = "yes" if ratio <= float(target) else "NO"
print(f"{label:<42} {v*1000:8.2f} ms  {blabel:<32} {b*1000:8.2f} ms  {ratio:5.2f}x  <= {target}x  {ok}")' "$@")")
}

read -r t_cat t_file < <(bench file "$RUNS" "cat $W/same-size.txt" "$BIN --profile fresh token")
row "token (file store, fresh)" "$t_file" "cat of a same-size file" "$t_cat" 3
if command -v gh >/dev/null; then
  read -r t_gh t_file2 < <(bench gh "$RUNS" "gh auth token" "$BIN --profile fresh token")
  row "token (file store) vs gh auth token" "$t_file2" "gh auth token" "$t_gh" 0.05
fi
read -r t_st t_kr < <(bench keyring "$((RUNS / 4))" \
  "secret-tool lookup service attio-auth username keyring" "$BIN --profile keyring token")
row "token (keyring store, fresh)" "$t_kr" "secret-tool lookup" "$t_st" 1.0
read -r t_curl t_who < <(bench whoami "$((RUNS / 4))" \
  "curl -s -H 'Authorization: Bearer $TOKEN' $URL/v2/self" "$BIN --profile fresh whoami")
row "whoami (fake /v2/self)" "$t_who" "curl of the same request" "$t_curl" 1.5

# Refreshing calls: the expired credentials are restored before every run.
cat > "$W/one.sh" <<SH
"$BIN" --profile expired token > "$W/out.0"
SH
cat > "$W/burst.sh" <<SH
for i in \$(seq 32); do "$BIN" --profile expired token > "$W/out.\$i" & done
wait
SH
restore="cp $W/expired.json $XDG_DATA_HOME/attio-auth/credentials/expired.json"
before=$(refreshes)
hyperfine -N --warmup 3 --runs 30 --prepare "$restore" --export-json "$W/refresh.json" \
  "bash $W/one.sh" "bash $W/burst.sh" > /dev/null
after=$(refreshes)
read -r t_one t_burst < <(median "$W/refresh.json")
row "32 concurrent token calls, expired token" "$t_burst" "one refreshing token call" "$t_one" 3
$restore
before_check=$(refreshes)
bash "$W/burst.sh"
after_check=$(refreshes)
distinct=$(cat "$W"/out.{1..32} | sort -u | wc -l)

rss=$(/usr/bin/time -f %M "$BIN" --profile fresh token 2>&1 >/dev/null | tail -n 1)
size=$(stat -c %s "$BIN")

echo
printf '%-42s %11s  %-32s %11s  %6s  %7s  %s\n' figure attio-auth baseline baseline ratio target met
for r in "${ROWS[@]}"; do echo "$r"; done
echo
echo "refresh requests: $((after - before)) for 66 refreshing runs (33 single, 33 bursts of 32; expected 66)"
echo "check burst: $((after_check - before_check)) refresh request(s), $distinct distinct token(s) printed by 32 processes (expected 1 and 1)"
echo "peak RSS of a fresh token: $((rss)) KiB (target <= 8192 KiB)"
echo "release binary: $size bytes (aim <= 8000000)"
