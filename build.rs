//! Link-time settings for the `operator` binary. One, Linux-only: pack the binary's relative
//! relocations (`-z pack-relative-relocs`, DT_RELR) when the target is x86_64 glibc and the C
//! library is new enough to load such a binary (glibc 2.36+). A position-independent
//! executable carries one relocation per pointer in its read-only data (≈40,000 here, 1 MB
//! of `.rela.dyn`), which the loader reads at every start and which then stays resident; the
//! packed form is a few kilobytes. See BENCHMARKS.md (idle memory). The binary stays a PIE.
//!
//! `OPERATOR_NO_RELR=1` turns it off (for a binary meant for an older system).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=OPERATOR_NO_RELR");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target != "x86_64-unknown-linux-gnu" || std::env::var_os("OPERATOR_NO_RELR").is_some() {
        return;
    }
    if glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the build machine's glibc (which the binary is built against and for) is at least
/// `major.minor`, from `getconf GNU_LIBC_VERSION` ("glibc 2.36"). Unknown means no.
fn glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.trim().strip_prefix("glibc ").unwrap_or("");
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    out.status.success() && found >= (major, minor)
}
