#!/bin/sh
# Installs attio-auth from a release: the archive for this machine, checked against the
# release's SHA256SUMS before anything is installed, then the binary into PREFIX/bin,
# the manual page into PREFIX/share/man/man1, and completions for bash, zsh and fish
# under PREFIX/share.
#
#   curl -fsSL https://github.com/attio-auth/attio-auth/releases/latest/download/install.sh | sh
#   sh install.sh [--prefix DIR] [--version VERSION] [--base-url URL]
#
#   --prefix DIR     where to install (default: ~/.local)
#   --version V      a release such as 0.2.0 (default: the latest)
#   --base-url URL   where the release's files are (a mirror; default: GitHub's)
#
# Exit codes: 0 installed; 1 failed (nothing was installed: a download, the checksum,
# an archive that does not run here); 2 bad arguments or an unsupported platform.
set -eu

REPO=https://github.com/attio-auth/attio-auth
prefix=${HOME:-}/.local
version=latest
base=

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$1" >&2; exit "${2:-1}"; }

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a directory" 2; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --version) [ $# -ge 2 ] || die "--version needs a version, such as 0.2.0" 2; version=${2#v}; shift 2 ;;
    --version=*) version=${1#*=}; version=${version#v}; shift ;;
    --base-url) [ $# -ge 2 ] || die "--base-url needs a URL" 2; base=$2; shift 2 ;;
    --base-url=*) base=${1#*=}; shift ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see: sh install.sh --help)" 2 ;;
  esac
done
[ -n "$prefix" ] || die "no --prefix given and HOME is not set" 2
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

os=$(uname -s)
arch=$(uname -m)
case $os/$arch in
  Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
  Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT/*)
    die "on Windows, use install.ps1 (PowerShell) or the .zip from $REPO/releases" 2 ;;
  *) die "no prebuilt attio-auth for $os $arch; build it from source: cargo install --locked attio-auth" 2 ;;
esac

if [ -z "$base" ]; then
  if [ "$version" = latest ]; then
    base=$REPO/releases/latest/download
  else
    base=$REPO/releases/download/v$version
  fi
fi
base=${base%/}
# Checksums that come over plain HTTP prove nothing: only this machine may serve it so.
case $base in
  https://*) ;;
  http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | http://\[::1\]*) ;;
  *) die "--base-url must be https:// (plain http:// only on this machine): $base" 2 ;;
esac

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die "neither curl nor wget is installed: install one of them and run this again"
fi
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
else
  die "neither sha256sum nor shasum is installed, so the download cannot be checked"
fi

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t attio-auth)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fetch "$base/SHA256SUMS" "$tmp/SHA256SUMS" ||
  die "could not download $base/SHA256SUMS: check the network, --version and --base-url"
line=$(grep -E "^[0-9a-f]{64}  attio-auth-v[0-9A-Za-z.+-]+-$target\.tar\.gz$" "$tmp/SHA256SUMS" || true)
case $line in
  "") die "the release at $base has no archive for $target: pick another --version, or build from source" ;;
  *"
"*) die "the release's SHA256SUMS names more than one archive for $target" ;;
esac
expected=${line%%  *}
archive=${line#*  }
say "Downloading $archive"
fetch "$base/$archive" "$tmp/$archive" || die "could not download $base/$archive"
actual=$(sha256 "$tmp/$archive")
[ "$actual" = "$expected" ] ||
  die "$archive does not match the release's SHA256SUMS (expected $expected, got $actual); nothing was installed: download again, and report it if it persists"

mkdir "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || die "$archive could not be unpacked; nothing was installed"
dir=$tmp/x/${archive%.tar.gz}
[ -f "$dir/attio-auth" ] || die "$archive holds no attio-auth binary; nothing was installed"
installed_version=$("$dir/attio-auth" --version 2>/dev/null) ||
  die "the attio-auth in $archive does not run on this machine ($os $arch); nothing was installed"

# Each file is copied beside its place, then renamed over it: a running attio-auth, or
# one interrupted half way, never sees a partial file.
put() { # SOURCE DIRECTORY NAME MODE
  mkdir -p "$2"
  cp "$1" "$2/.$3.new"
  chmod "$4" "$2/.$3.new"
  mv -f "$2/.$3.new" "$2/$3"
}
put "$dir/attio-auth" "$prefix/bin" attio-auth 755
put "$dir/doc/attio-auth.1" "$prefix/share/man/man1" attio-auth.1 644
put "$dir/completions/attio-auth.bash" "$prefix/share/bash-completion/completions" attio-auth 644
put "$dir/completions/_attio-auth" "$prefix/share/zsh/site-functions" _attio-auth 644
put "$dir/completions/attio-auth.fish" "$prefix/share/fish/vendor_completions.d" attio-auth.fish 644

say "Installed $installed_version to $prefix/bin/attio-auth"
say "  manual page: $prefix/share/man/man1/attio-auth.1 (man attio-auth)"
say "  completions: bash, zsh and fish under $prefix/share"
case ":${PATH:-}:" in
  *":$prefix/bin:"*) ;;
  *)
    say ""
    say "$prefix/bin is not on your PATH. Add it, then open a new shell:"
    say "  echo 'export PATH=\"$prefix/bin:\$PATH\"' >> ~/.profile"
    ;;
esac
say "Next: attio-auth login --mcp (Attio's hosted MCP server, no app needed), or see attio-auth --help"
