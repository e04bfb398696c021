#!/usr/bin/env bash
# The Debian package (cargo-deb: `cargo install --locked cargo-deb`): the static musl
# build, its manual page and completions (Cargo.toml's [package.metadata.deb]).
# Usage: packaging/deb.sh [OUT]   (default target/debian); prints the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
out=${1:-target/debian}
[ -f "target/$target/release/attio-auth" ] || cargo build --release --locked --target "$target"
mkdir -p target/deb "$out"
cargo run --locked --quiet -- man | gzip -9n > target/deb/attio-auth.1.gz
cargo deb --locked --no-build --no-strip --target "$target" --output "$out" | tail -n 1
