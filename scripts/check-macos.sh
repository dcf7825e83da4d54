#!/usr/bin/env bash
# Type-checks (and lints) the macOS code from Linux: `cargo clippy --target
# aarch64-apple-darwin --all-targets -- -D warnings` (or `cargo check` with
# RUSTFLAGS=-Dwarnings when clippy is missing), so `cfg(target_os = "macos")` code cannot rot
# on a machine without a Mac.
#
# Nothing is linked or run, so no macOS SDK is needed: build scripts that compile C or
# Objective-C (mac-notification-sys's `cc` build) get a stub compiler that only creates the
# file named by its `-o` argument, and `true` as the archiver. It uses its own target dir
# (target/check-macos), so it never disturbs the normal build.
#
# Exit: 0 when the check passed, or when it cannot run here (no rustup, target not
# installable: prints "skipped: ..."); non-zero when the check failed.
set -euo pipefail

target=aarch64-apple-darwin
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)

if ! command -v rustup >/dev/null 2>&1; then
    echo "skipped: no rustup here to add the $target target"
    exit 0
fi
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    if ! rustup target add "$target" >/dev/null 2>&1; then
        echo "skipped: cannot add the $target target (no network?)"
        exit 0
    fi
fi

stub_dir="$(mktemp -d)"
trap 'rm -rf "$stub_dir"' EXIT
stub="$stub_dir/cc-stub"
cat >"$stub" <<'EOF'
#!/bin/sh
# Stub C compiler for type-checking only: creates the file named by -o (as `-o FILE` or
# `-oFILE`), compiles nothing, succeeds.
out=
while [ "$#" -gt 0 ]; do
    case "$1" in
        -o)
            shift
            out="${1-}"
            ;;
        -o*)
            out="${1#-o}"
            ;;
    esac
    [ "$#" -gt 0 ] && shift
done
if [ -n "$out" ]; then
    : >"$out"
fi
exit 0
EOF
chmod +x "$stub"

export CC_aarch64_apple_darwin="$stub"
export CXX_aarch64_apple_darwin="$stub"
export AR_aarch64_apple_darwin=true
export CARGO_TARGET_DIR="$root/target/check-macos"

# CARGO_BUILD_JOBS (cargo's default: every core) can keep it small beside other work.

if cargo clippy --version >/dev/null 2>&1; then
    echo "check-macos: cargo clippy --locked --target $target --all-targets -- -D warnings"
    cargo clippy --locked --target "$target" --all-targets -- -D warnings
else
    echo "check-macos: cargo check --locked --target $target --all-targets (RUSTFLAGS=-Dwarnings)"
    RUSTFLAGS="${RUSTFLAGS:-} -Dwarnings" cargo check --locked --target "$target" --all-targets
fi
echo "check-macos: passed in $(($(date +%s) - started))s"
