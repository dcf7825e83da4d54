#!/usr/bin/env bash
# Benchmarks, rerunnable from a clean clone (BENCHMARKS.md has the figures and how to read them).
#
#   scripts/bench.sh              # everything: ~20 min (the idle daemon is watched for 5 min)
#   scripts/bench.sh --quick      # shorter waits and fewer runs: ~6 min, for a quick look
#   scripts/bench.sh --no-criterion   # only the binary end to end (skip cargo bench)
#
# It builds release, then for 1×, 10× and 100× the user's data (the demo's generator):
#   - `operator check` as a whole process: median wall time of many runs, the cycle time it
#     reports, `--dry-run`, peak RSS (through /usr/bin/time);
#   - `operator run` against a fake Telegram Bot API on loopback that enforces Telegram's flood
#     limits (1 message/s per chat, 30/s in all, else 429): start-up to the first getUpdates,
#     update → reply latency of every command, pushed-alert throughput to 60 chats with the
#     429s counted, and an idle daemon's RSS after 5 minutes and CPU time over 60 s;
#   - the criterion benches (cycle, parts, pipeline, replies, render) in-process.
# The report goes to stdout and to $CARGO_TARGET_DIR/bench/report.txt (default target/).
# Loopback only; every wait is bounded. Linux reads /proc; macOS falls back to ps.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
criterion=1
for arg in "$@"; do
    case "$arg" in
        --quick) quick="--quick" ;;
        --no-criterion) criterion=0 ;;
        -h | --help)
            sed -n '2,18p' "$0"
            exit 0
            ;;
        *)
            echo "unknown option: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target/bench"
report="$target/bench/report.txt"
work="$(mktemp -d "${TMPDIR:-/tmp}/operator-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== building release (operator and the bench driver)" >&2
# Two builds, not one: built together, the binary would get the features the example's
# dev-dependencies turn on (wiremock's hyper with HTTP/2, tokio's test-util), which
# `cargo build --release` does not give the user's binary.
cargo build --release --locked --example bench_e2e >&2
cargo build --release --locked --bin operator >&2
bin="$target/release/operator"
driver="$target/release/examples/bench_e2e"

machine() {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "os: $(uname -srm)"
    if [ -r /proc/cpuinfo ]; then
        echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
        echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    else
        echo "cpu: $(sysctl -n machdep.cpu.brand_string 2>/dev/null || echo unknown), $(sysctl -n hw.ncpu 2>/dev/null || echo '?') cores"
        echo "memory: $(($(sysctl -n hw.memsize 2>/dev/null || echo 0) / 1073741824)) GiB"
    fi
    echo "rustc: $(rustc -V)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

# Criterion prints the benchmark's name on stderr ("Benchmarking X: Analyzing") and its
# estimate on stdout ("time: [low median high]"): one line per benchmark with the median.
criterion_summary() {
    awk '/^Benchmarking .*: Analyzing/ { name = $2; sub(/:$/, "", name) }
         /time: *\[/ && !/%/ { s = $0; sub(/.*time: *\[/, "", s); sub(/\].*/, "", s); split(s, a, " ");
                       printf "%-40s %s %s\n", name, a[3], a[4] }
         /thrpt: *\[/ && !/%/ { s = $0; sub(/.*thrpt: *\[/, "", s); sub(/\].*/, "", s); split(s, a, " ");
                       printf "%-40s %s %s\n", name " (throughput)", a[3], a[4] }'
}

{
    echo "== machine"
    machine
    runs=100
    [ -n "$quick" ] && runs=20
    for scale in 1 10 100; do
        echo
        "$driver" --bin "$bin" --dir "$work" check --scale "$scale" --runs "$runs"
    done
    echo
    "$driver" --bin "$bin" --dir "$work" daemon --scales 1,10,100 $quick
    if [ "$criterion" = 1 ]; then
        echo
        echo "== criterion (in-process; medians)"
        extra=()
        [ -n "$quick" ] && extra=(--quick)
        raw="$target/bench/criterion.txt"
        if ! cargo bench --locked -- ${extra[@]+"${extra[@]}"} >"$raw" 2>&1; then
            echo "cargo bench failed; its output is in $raw"
            exit 1
        fi
        criterion_summary <"$raw"
    fi
} | tee "$report"

echo >&2
echo "Report: $report" >&2
