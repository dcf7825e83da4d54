#!/usr/bin/env bash
# Ninety simulated days of Operator on an injected clock (RELIABILITY.md has the figures):
# the demo world regenerated each morning, a cycle every 15 minutes, the morning brief,
# button presses and resolutions, every message "delivered" in the store. Prints the state
# database's size, rows per table and this process's RSS every simulated week: both must stay
# flat once the pruning windows are full. Not run in CI (about 2 minutes in release).
#
#   scripts/soak.sh          # 90 days
#   scripts/soak.sh 365      # a year
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-90}"
cargo run --release --locked --example soak_90_days -- "$days"
