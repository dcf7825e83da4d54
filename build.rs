//! Link-time settings for the `operator` binary, Linux x86_64 glibc only (the two are
//! BENCHMARKS.md's idle-memory work; elsewhere nothing changes):
//!
//! - Pack the binary's relative relocations (`-z pack-relative-relocs`, DT_RELR) when the C
//!   library is new enough to load such a binary (glibc 2.36+). A position-independent
//!   executable carries one relocation per pointer in its read-only data (≈40,000 here, 1 MB
//!   of `.rela.dyn`), which the loader reads at every start and which then stays resident;
//!   the packed form is a few kilobytes. The binary stays a PIE. `OPERATOR_NO_RELR=1` turns
//!   it off (for a binary meant for an older system).
//! - In release builds linked by rustc's own lld (the default here since Rust 1.90), lay the
//!   code out in the order of `build/symbol-order.txt` (`--symbol-ordering-file`): every
//!   function the binary was seen to run, packed together, so the 64 KiB blocks the kernel
//!   maps around each page that runs cover little code that never does. The list comes from
//!   `scripts/symbol-order.sh`; a name a build no longer has is skipped. A custom linker (or
//!   `OPERATOR_NO_SYMBOL_ORDER=1`) leaves the order alone.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=OPERATOR_NO_RELR");
    println!("cargo:rerun-if-env-changed=OPERATOR_NO_SYMBOL_ORDER");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target != "x86_64-unknown-linux-gnu" {
        return;
    }
    if std::env::var_os("OPERATOR_NO_RELR").is_none() && glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("build/symbol-order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if release
        && order.is_file()
        && std::env::var_os("OPERATOR_NO_SYMBOL_ORDER").is_none()
        && links_with_rust_lld()
    {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether the binary is linked by the lld rustc ships (its default for this target from
/// Rust 1.90 on) rather than a linker someone configured: only lld takes the ordering file.
fn links_with_rust_lld() -> bool {
    for var in [
        "RUSTC_LINKER",
        "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some() {
            return false;
        }
    }
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if flags.contains("linker")
        || flags.contains("link-self-contained")
        || flags.contains("fuse-ld")
    {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    reported_version(&rustc, &["-V"], "rustc").is_some_and(|v| v >= (1, 90))
}

/// Whether the build machine's glibc (which the binary is built against and for) is at least
/// `major.minor`, from `getconf GNU_LIBC_VERSION` ("glibc 2.36"). Unknown means no.
fn glibc_at_least(major: u32, minor: u32) -> bool {
    reported_version("getconf", &["GNU_LIBC_VERSION"], "glibc").is_some_and(|v| v >= (major, minor))
}

/// The `major.minor` that `program args` prints after its `name` ("glibc 2.36", "rustc 1.95.0
/// (…)"); `None` when it cannot run, fails or prints something else.
fn reported_version(program: &str, args: &[&str], name: &str) -> Option<(u32, u32)> {
    let out = Command::new(program).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    if words.next() != Some(name) {
        return None;
    }
    let mut parts = words
        .next()?
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    Some((parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
}
