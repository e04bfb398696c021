#!/usr/bin/env bash
# Runs the real-keyring tests, as CI does. Each test starts its own private D-Bus session
# bus and a gnome-keyring (Secret Service) unlocked with a password on stdin, under a
# temporary HOME, so your own keyring is never touched. CI=true makes a missing Secret
# Service a failure instead of a loud skip.
set -euo pipefail
cd "$(dirname "$0")/.."

packages="dbus gnome-keyring libsecret-tools libglib2.0-bin dbus-tests"
missing=()
for tool in dbus-daemon gnome-keyring-daemon secret-tool gdbus dbus-test-tool; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
  else
    echo "missing ${missing[*]}: install them with: sudo apt-get install $packages" >&2
    exit 1
  fi
fi

CI=true cargo test --test integration keyring:: "$@"
