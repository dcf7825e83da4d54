#!/usr/bin/env bash
# The long fuzz run of the plain-words parser (src/bot/words): the same proptest targets as the
# test suite (arbitrary unicode up to 4,096 characters, the parser's own words at any instant
# and quiet hours), with many more cases. No panic, a sane answer, and never a state change
# from text it does not plainly understand. Outside CI; the suite runs a few thousand cases.
#
#   scripts/fuzz.sh            # 200,000 cases per target (the test build, a few minutes)
#   scripts/fuzz.sh 1000000    # more
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-200000}"
echo "fuzzing bot::words with $cases cases per target"
OPERATOR_FUZZ_CASES="$cases" cargo test --lib bot::words::tests::fuzz -- --nocapture
