#!/usr/bin/env bash
# Regenerates build/symbol-order.txt, the order the release linker lays out the binary's code
# in (build.rs passes it to lld as --symbol-ordering-file; BENCHMARKS.md, idle memory).
#
#   scripts/symbol-order.sh        # ~5 min: builds release, runs the binary under callgrind
#
# Why: the kernel maps a program's code 64 KiB at a time around every page it runs (fault-
# around), and those pages stay resident. Laid out in rustc's order, the functions Operator
# runs are spread over nearly all of its 8 MB of code, so an idle daemon kept ~7 MiB of it
# resident. Listing first every function the binary actually runs (start-up, `check`, the
# daemon's poll loop, every command, pushes, shutdown) packs them together; the code that
# never runs here (Postgres, the Oura API, error paths) follows, untouched.
#
# The list is of symbol names (mangled, as in the symbol table): a name that a later build
# no longer has is skipped by the linker without a word, so the list only goes stale (the
# figure creeps back up), never breaks a build. Rerun this after large changes, dependency
# updates or a new toolchain, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
target="${CARGO_TARGET_DIR:-target}"
work="$(mktemp -d "${TMPDIR:-/tmp}/operator-order.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== building release without an order (the names are the same either way)" >&2
OPERATOR_NO_SYMBOL_ORDER=1 cargo build --release --locked --example bench_e2e >&2
OPERATOR_NO_SYMBOL_ORDER=1 cargo build --release --locked --bin operator >&2
bin="$(cd "$target/release" && pwd)/operator"

# The benchmark driver spawns "operator"; this one runs it under callgrind, which records
# every function that executes (exec keeps the PID, so SIGTERM reaches the daemon).
cat >"$work/operator" <<WRAP
#!/bin/sh
exec valgrind -q --tool=callgrind --demangle=no --dump-line=no \
    --callgrind-out-file="$work/cg.%p" "$bin" "\$@"
WRAP
chmod +x "$work/operator"

echo "== running check and the daemon scenarios under callgrind" >&2
driver="$target/release/examples/bench_e2e"
"$driver" --bin "$work/operator" --dir "$work/run" check --scale 1 --runs 3 >&2
"$driver" --bin "$work/operator" --dir "$work/run" daemon --scales 1 --quick >&2

# Callgrind's compressed output names a function or object once, as `(id) name`, in a
# `fn=`/`cfn=` or `ob=`/`cob=` line, and by `(id)` after. Every function that ran has a
# `fn=` block, under the `ob=` it belongs to: keep the operator binary's, in order of first
# appearance.
out=build/symbol-order.txt
mkdir -p build
awk -v bin="$bin" '
    FNR == 1 { delete obs; delete fns; ob = "" }
    function define(s, table,    id) {
        if (match(s, /^\([0-9]+\)/)) {
            id = substr(s, 2, RLENGTH - 2)
            if (length(s) > RLENGTH) table[id] = substr(s, RLENGTH + 2)
            return table[id]
        }
        return s
    }
    /^c?ob=/ { s = $0; sub(/^c?ob=/, "", s); name = define(s, obs); if ($0 ~ /^ob=/) ob = name; next }
    /^cfn=/  { s = $0; sub(/^cfn=/, "", s); define(s, fns); next }
    /^fn=/   { s = $0; sub(/^fn=/, "", s); name = define(s, fns)
               if (ob == bin && !(name in seen)) { seen[name] = 1; print name } }
' "$work"/cg.* >"$out.tmp"
count=$(wc -l <"$out.tmp")
[ "$count" -gt 1000 ] || { echo "only $count functions recorded: not writing $out" >&2; exit 1; }
mv "$out.tmp" "$out"
echo "$out: $count functions" >&2
