#!/usr/bin/env bash
# Benchmarks `attio-auth` as whole processes. Every figure is measured against its
# baseline in the same run and reported as a ratio, with its goal:
#   token, file store          vs  cat of a file of the same size     (≤ 1.5×, the ordinary
#                                  build; ≤ 1.15×, the static musl build)
#   token, file store          vs  the same command built from the previous release, in
#                                  the same rounds (≤ 1.10×: no regression beyond the
#                                  noise). The previous release is the newest `v*` tag;
#                                  until the first one, BASELINE_FALLBACK below; or
#                                  BENCH_BASELINE=<commit>. BENCH_BASELINE=none skips it.
#   token, file store          vs  gh auth token, when gh is installed (≤ 0.05×; gh gets
#                                  a throwaway config with a dummy token, so it always runs)
#   token, keyring store       vs  secret-tool lookup of the same entry (≤ 0.85×)
#   whoami                     vs  curl making the same /v2/self request (≤ 0.75×)
#   32 concurrent token calls on an expired token vs 32 on a fresh one (≤ 1.3×): what a
#     refresh costs under a storm; every burst must make exactly one refresh request and
#     print one distinct token
#   exec --proxy: one request through the proxy vs the same request made directly
#     (≤ 1 ms added, at the median), and 100 requests at once through it (no error)
#   peak RSS of a fresh `token` (≤ 4.5 MiB) and the release binaries' sizes (reported)
#   a clean `cargo build --release --locked` (≤ 150 s) and the number of crates it compiles
#     (skipped with BENCH_BUILD=0)
#   the MCP bridge beside mcp-remote (tests/bench/mcp_bridge.sh: spawn to the initialize
#     answer ≤ 0.10×, ≤ 1 ms added per tool call, peak RSS ≤ 0.20×; needs node and npm;
#     skipped with BENCH_MCP=0)
# Exits 1 when a figure misses its goal or a burst breaks its rule.
# It builds the release binary, starts its own fake Attio (tests/bench/fake_attio.py) on
# 127.0.0.1, its own D-Bus bus and gnome-keyring, and writes nothing outside a temp dir.
# Usage: tests/bench/run.sh [RUNS]   (default 200 runs per fast command)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-200}
# The timings run with a throwaway HOME; cargo and rustup keep theirs.
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}

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

MUSL_TARGET=x86_64-unknown-linux-musl
if ! command -v musl-gcc >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools >/dev/null
fi
rustup target add "$MUSL_TARGET" >/dev/null 2>&1 || true
cargo build --release --locked --quiet   # what `cargo install --locked --path .` installs
cargo build --release --locked --quiet --target "$MUSL_TARGET"
BIN=$PWD/target/release/attio-auth
MUSL=$PWD/target/$MUSL_TARGET/release/attio-auth
W=$(mktemp -d)
PIDS=()
# shellcheck disable=SC2317 # run by the trap below
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -d "$W/baseline" ] && git worktree remove --force "$W/baseline" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT

# --- the previous release, built beside this one ----------------------------------------
# Issue 22's build, the last one measured before the first release is tagged.
BASELINE_FALLBACK=ccf809a
BASELINE=${BENCH_BASELINE:-$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || echo "$BASELINE_FALLBACK")}
BASE=
if [ "$BASELINE" != none ]; then
  git worktree add --quiet --detach "$W/baseline" "$BASELINE"
  # Its own target directory, kept between runs: built once per baseline.
  CARGO_TARGET_DIR=$PWD/target/bench-baseline cargo build --release --locked --quiet \
    --manifest-path "$W/baseline/Cargo.toml"
  BASE=$PWD/target/bench-baseline/release/attio-auth
  BASELINE=$(git rev-parse --short "$BASELINE")
fi

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
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$W/bus/address")
export DBUS_SESSION_BUS_ADDRESS
printf 'bench-password' | HOME=$W/bus/home XDG_RUNTIME_DIR=$W/bus/run \
  gnome-keyring-daemon --daemonize --unlock --components=secrets > /dev/null
gdbus wait --session --timeout 20 org.freedesktop.secrets
printf '%s' "$FRESH" | secret-tool store --label="attio-auth bench" service attio-auth username keyring
meta keyring keyring null false

# --- sanity: each command does what is measured ------------------------------------------
[ "$("$BIN" --profile fresh token)" = "$TOKEN" ] || { echo "file-store token is wrong" >&2; exit 1; }
[ "$("$MUSL" --profile fresh token)" = "$TOKEN" ] || { echo "musl build's token is wrong" >&2; exit 1; }
[ -z "$BASE" ] || [ "$("$BASE" --profile fresh token)" = "$TOKEN" ] || { echo "the $BASELINE build's token is wrong" >&2; exit 1; }
[ "$("$BIN" --profile keyring token)" = "$TOKEN" ] || { echo "keyring token is wrong" >&2; exit 1; }
"$BIN" --profile fresh whoami > /dev/null 2>&1 || { echo "whoami failed" >&2; exit 1; }

# --- timings ----------------------------------------------------------------------------
# Each comparison runs in ROUNDS rounds that alternate the commands, so that a slow
# stretch of a shared VM weighs on both sides; each figure is the median, over rounds,
# of its per-round median.
ROUNDS=5
median() { python3 -c 'import json,statistics,sys
rounds=[[x["median"] for x in json.load(open(f))["results"]] for f in sys.argv[1:]]
print(" ".join(str(statistics.median(col)) for col in zip(*rounds)))' "$@"; }
bench() { # name runs command...
  local name=$1 runs=$2; shift 2
  local per=$(( (runs + ROUNDS - 1) / ROUNDS )) files=()
  for r in $(seq "$ROUNDS"); do
    hyperfine -N --warmup 5 --runs "$per" --export-json "$W/$name.$r.json" "$@" > /dev/null \
      || { echo "bench $name: a command failed (rerun it by hand: $*)" >&2; exit 1; }
    files+=("$W/$name.$r.json")
  done
  median "${files[@]}"
}
ROWS=()
row() { # label value baseline-label baseline target
  ROWS+=("$(python3 -c 'import sys
label, v, blabel, b, target = sys.argv[1:6]
v, b = float(v), float(b); ratio = v / b
ok = "yes" if ratio <= float(target) else "NO"
print(f"{label:<42} {v*1000:8.2f} ms  {blabel:<32} {b*1000:8.2f} ms  {ratio:5.2f}x  <= {target}x  {ok}")' "$@")")
}

read -r t_cat t_file t_musl t_base < <(bench file "$RUNS" "cat $W/same-size.txt" \
  "$BIN --profile fresh token" "$MUSL --profile fresh token" \
  ${BASE:+"$BASE --profile fresh token"})
row "token (file store, fresh)" "$t_file" "cat of a same-size file" "$t_cat" 1.5
row "token (file store, fresh), static musl" "$t_musl" "cat of a same-size file" "$t_cat" 1.15
if [ -n "$BASE" ]; then
  row "token (file store, fresh) vs previous" "$t_file" "the same, built at $BASELINE" "$t_base" 1.10
else
  echo "BENCH_BASELINE=none: the row against the previous release is left out" >&2
fi
if command -v gh >/dev/null; then
  # A throwaway config: gh prints its dummy token instead of failing unauthenticated.
  mkdir -p "$W/gh"
  printf 'github.com:\n    oauth_token: gho_bench0123456789\n    user: bench\n    git_protocol: https\n' > "$W/gh/hosts.yml"
  export GH_CONFIG_DIR=$W/gh GH_NO_UPDATE_NOTIFIER=1 GH_PROMPT_DISABLED=1
  [ -n "$(gh auth token 2>/dev/null)" ] || { echo "gh auth token failed with a throwaway config" >&2; exit 1; }
  read -r t_gh t_file2 < <(bench gh "$((RUNS / 4))" "gh auth token" "$BIN --profile fresh token")
  row "token (file store) vs gh auth token" "$t_file2" "gh auth token" "$t_gh" 0.05
else
  echo "gh is not installed: its row is left out" >&2
fi
read -r t_st t_kr < <(bench keyring "$((RUNS / 4))" \
  "secret-tool lookup service attio-auth username keyring" "$BIN --profile keyring token")
row "token (keyring store, fresh)" "$t_kr" "secret-tool lookup" "$t_st" 0.85
read -r t_curl t_who < <(bench whoami "$((RUNS / 4))" \
  "curl -s -H 'Authorization: Bearer $TOKEN' $URL/v2/self" "$BIN --profile fresh whoami")
row "whoami (fake /v2/self)" "$t_who" "curl of the same request" "$t_curl" 0.75

# A storm: 32 concurrent calls on an expired token (one refresh between them) against
# 32 on a fresh one, so process creation weighs the same on both sides. The expired
# credentials are restored before every run; each burst checks that its 32 processes
# printed one and the same refreshed token, and counts its refresh requests.
burst() { # profile output-directory
  mkdir -p "$W/$2"
  cat <<SH
for i in \$(seq 32); do "$BIN" --profile $1 token > "$W/$2/\$i" & done
wait
[ "\$(cat "$W"/$2/* | sort -u | wc -l)" = 1 ] && ! grep -qx at_expired "$W/$2/1" && [ -s "$W/$2/1" ] \\
  || echo "\$(cat "$W"/$2/* | sort -u | wc -l) distinct" >> "$W/broken"
SH
}
burst expired storm > "$W/storm.sh"
burst fresh calm > "$W/calm.sh"
restore="cp $W/expired.json $XDG_DATA_HOME/attio-auth/credentials/expired.json"
STORMS=30
before=$(refreshes)
files=()
for r in $(seq "$ROUNDS"); do
  hyperfine -N --warmup 1 --runs "$((STORMS / ROUNDS))" --prepare "$restore" \
    --export-json "$W/storm.$r.json" "bash $W/calm.sh" "bash $W/storm.sh" > /dev/null
  files+=("$W/storm.$r.json")
done
after=$(refreshes)
read -r t_calm t_storm < <(median "${files[@]}")
row "32 concurrent calls, expired token" "$t_storm" "32 concurrent calls, fresh token" "$t_calm" 1.3
bursts=$((STORMS + ROUNDS))

# exec --proxy: the time one request takes through the proxy against the same request
# made directly, one after another on a kept-alive connection (the median of each
# round's median, rounds alternating), and 100 requests at once through it.
CLIENT=(python3 tests/bench/proxy_client.py)
direct=() proxied=()
for r in $(seq "$ROUNDS"); do
  direct+=("$("${CLIENT[@]}" latency "$RUNS" "$URL/v2" "$TOKEN")")
  proxied+=("$("$BIN" --profile fresh exec --proxy -- "${CLIENT[@]}" latency "$RUNS")")
done
read -r t_direct t_proxied < <(python3 -c 'import statistics,sys
n=len(sys.argv[1:])//2; a=[float(x) for x in sys.argv[1:]]
print(statistics.median(a[:n]), statistics.median(a[n:]))' "${direct[@]}" "${proxied[@]}")
proxy_added=$(python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000, 3))" "$t_direct" "$t_proxied")
burst_failed=$("$BIN" --profile fresh exec --proxy -- "${CLIENT[@]}" burst 100)

rss=$(/usr/bin/time -f %M "$BIN" --profile fresh token 2>&1 >/dev/null | tail -n 1)
size=$(stat -c %s "$BIN")
musl_size=$(stat -c %s "$MUSL")

# A clean release build in a target directory of its own (the crates are already
# downloaded by the builds above, so this is compile time only).
if [ "${BENCH_BUILD:-1}" != 0 ]; then
  started=$(date +%s.%N)
  CARGO_TARGET_DIR=$W/clean cargo build --release --locked 2> "$W/build.log" \
    || { tail -n 20 "$W/build.log" >&2; echo "the clean build failed" >&2; exit 1; }
  build_s=$(python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$started" "$(date +%s.%N)")
  crates=$(grep -c '^ *Compiling ' "$W/build.log")
fi

echo
printf '%-42s %11s  %-32s %11s  %6s  %7s  %s\n' figure attio-auth baseline baseline ratio target met
for r in "${ROWS[@]}"; do echo "$r"; done
echo
failed=0
echo "storm: $((after - before)) refresh requests for $bursts bursts of 32 on an expired token (expected $bursts: one each)"
[ "$((after - before))" = "$bursts" ] || failed=1
if [ -s "$W/broken" ]; then
  echo "storm: bursts that did not print one refreshed token: $(wc -l < "$W/broken")"; failed=1
else
  echo "storm: every burst printed one distinct, refreshed token"
fi
met=yes; python3 -c "import sys; sys.exit(float(sys.argv[1]) > 1)" "$proxy_added" || { met=NO; failed=1; }
echo "exec --proxy: a request takes $(python3 -c "print(round($t_proxied * 1000, 3))") ms through the proxy, $(python3 -c "print(round($t_direct * 1000, 3))") ms directly: $proxy_added ms added (target <= 1 ms: $met)"
echo "exec --proxy: 100 requests at once, $burst_failed not answered 200 (expected 0)"
[ "$burst_failed" = 0 ] || failed=1
echo "peak RSS of a fresh token: $((rss)) KiB (target <= 4608 KiB)"
[ "$rss" -le 4608 ] || failed=1
echo "release binaries: $size bytes (ordinary), $musl_size bytes (static musl)"
if [ -n "${build_s:-}" ]; then
  met=yes; python3 -c "import sys; sys.exit(float(sys.argv[1]) > 150)" "$build_s" || { met=NO; failed=1; }
  echo "clean cargo build --release --locked: $build_s s, $crates crates compiled ($(nproc) cores; target <= 150 s: $met)"
fi
for r in "${ROWS[@]}"; do case $r in *" NO") failed=1 ;; esac; done
if [ "${BENCH_MCP:-1}" != 0 ]; then
  echo
  echo "the MCP bridge beside mcp-remote (tests/bench/mcp_bridge.sh 200 3):"
  tests/bench/mcp_bridge.sh 200 3 || failed=1
fi
exit "$failed"
