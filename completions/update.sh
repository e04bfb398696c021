#!/usr/bin/env bash
# Regenerates the committed completion scripts from the current command-line definition.
# The test `completions::committed_scripts_are_current` fails until this has been run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/attio-auth
"$bin" completions bash > completions/attio-auth.bash
"$bin" completions zsh > completions/_attio-auth
"$bin" completions fish > completions/attio-auth.fish
"$bin" completions powershell > completions/_attio-auth.ps1
"$bin" completions elvish > completions/attio-auth.elv
