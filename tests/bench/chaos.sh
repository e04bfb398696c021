#!/usr/bin/env bash
# The chaos run at full length: N refreshes (default 1000) of every kind through a TCP
# front that refuses connects, closes idle connections, resets, stalls and truncates at
# random (tests/chaos.rs). Prints the seed first and the figures last; a seed given as
# the second argument repeats a run's choices. Exits 1 when a login is lost to a fault
# before the first byte, or a refresh token is sent twice.
# Usage: tests/bench/chaos.sh [N] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
export ATTIO_CHAOS_REFRESHES=${1:-1000}
[ -n "${2:-}" ] && export ATTIO_CHAOS_SEED=$2
report=$(mktemp)
trap 'rm -f "$report"' EXIT
ATTIO_CHAOS_REPORT=$report cargo test --locked --test integration -- --exact \
  chaos::no_fault_before_the_first_byte_loses_a_login_and_no_refresh_token_is_sent_twice \
  --nocapture
echo
cat "$report"
