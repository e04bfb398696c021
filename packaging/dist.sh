#!/usr/bin/env bash
# Release archives, as ripgrep, xh and fd ship theirs (and cargo-binstall finds with no
# more than Cargo.toml's [package.metadata.binstall]):
#   attio-auth-vVERSION-TARGET.tar.gz (.zip for Windows), holding a directory of that
#   name with the binary, README.md, LICENSE, CHANGELOG.md, completions/ (bash, zsh,
#   fish, PowerShell, elvish) and doc/attio-auth.1.
#
# Usage:
#   packaging/dist.sh TARGET [OUT]   archive target/TARGET/release/attio-auth[.exe]
#                                    (built first when missing) into OUT (target/dist)
#   packaging/dist.sh --sums [OUT]   write OUT/SHA256SUMS for the archives (and .deb) in OUT
#   packaging/dist.sh --name TARGET  print the archive's file name
# The manual page comes from `attio-auth man` of a build for this machine (cargo run),
# since the target's binary may not run here.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
name() {
  case $1 in
    *windows*) echo "attio-auth-v$version-$1.zip" ;;
    *) echo "attio-auth-v$version-$1.tar.gz" ;;
  esac
}
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

case ${1:-} in
  "" | -h | --help)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
  --name)
    name "${2:?--name needs a target}"
    exit 0
    ;;
  --sums)
    out=${2:-target/dist}
    (
      cd "$out"
      set -- attio-auth-v"$version"-*
      [ -e "$1" ] || { echo "dist.sh: no archives of v$version in $out" >&2; exit 1; }
      for deb in attio-auth_"$version"-*.deb; do [ -e "$deb" ] && set -- "$@" "$deb"; done
      sha256 "$@" > SHA256SUMS
    )
    echo "$out/SHA256SUMS"
    exit 0
    ;;
esac

target=$1
out=${2:-target/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
exe=attio-auth
case $target in *windows*) exe=attio-auth.exe ;; esac
binary=target/$target/release/$exe
[ -f "$binary" ] || cargo build --release --locked --target "$target"

archive=$(name "$target")
dir=${archive%.zip}
dir=${dir%.tar.gz}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$dir/completions" "$stage/$dir/doc"
cp "$binary" "$stage/$dir/"
cp README.md LICENSE CHANGELOG.md "$stage/$dir/"
cp completions/attio-auth.bash completions/_attio-auth completions/attio-auth.fish \
  completions/_attio-auth.ps1 completions/attio-auth.elv "$stage/$dir/completions/"
cargo run --locked --quiet -- man > "$stage/$dir/doc/attio-auth.1"
rm -f "$out/$archive"
case $archive in
  *.zip) (cd "$stage" && python3 -m zipfile -c "$out/$archive" "$dir") ;;
  *) tar -C "$stage" -czf "$out/$archive" --owner=0 --group=0 "$dir" 2>/dev/null ||
     tar -C "$stage" -czf "$out/$archive" "$dir" ;;
esac
echo "$out/$archive"
