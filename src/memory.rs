//! Giving the system back the heap the daemon freed. glibc's malloc keeps freed memory in its
//! arenas for reuse and returns it only from the top of the heap, so after a burst (a cycle,
//! a hundred replies, a big State file parsed) its pages stay resident although nothing
//! uses them. `malloc_trim(0)` returns every free page of every arena. Elsewhere (macOS's
//! allocator, musl) there is no such call and nothing to do.
//!
//! Two more things an idle daemon gives back or never takes: SQLite's page cache of the state
//! database (the caller's `release` hook, `PRAGMA shrink_memory`), and the extra malloc arenas
//! glibc would give each thread that allocates (the daemon asks for one, [`one_arena`]; its
//! few threads rarely allocate at the same time, and each extra arena keeps its own
//! fragments resident).
//!
//! The only `unsafe` calls in Operator live here.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// How often the daemon looks for activity to trim after.
pub const TRIM_EVERY: Duration = Duration::from_secs(30);

/// Returns the heap's free pages to the system; whether anything was returned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed() -> bool {
    // SAFETY: malloc_trim takes no pointers and only rearranges glibc's own free lists, which
    // it locks while it runs; it is safe to call from any thread at any time.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed() -> bool {
    false
}

/// Asks glibc's malloc for a single arena shared by every thread; call before other threads
/// start. Whether it was accepted.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn one_arena() -> bool {
    // SAFETY: mallopt takes two integers and only changes a malloc tunable; M_ARENA_MAX is
    // valid at any time (it limits arenas created from now on).
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn one_arena() -> bool {
    false
}

/// Work done since the last trim (cycles, replies, deliveries): counted, not timed.
#[derive(Debug, Default)]
pub struct Activity(AtomicU64);

impl Activity {
    pub fn note(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What the trimmer runs before trimming the heap: caches to drop (on the blocking pool).
pub type Release = Arc<dyn Fn() + Send + Sync>;

/// Every [`TRIM_EVERY`], if there was activity since the last look, runs `release` and trims
/// the heap on the blocking pool. Idle, it does nothing at all.
pub async fn trimmer(activity: Arc<Activity>, release: Release, cancel: CancellationToken) {
    let mut seen = activity.count();
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(TRIM_EVERY) => {}
        }
        let now = activity.count();
        if now == seen {
            continue;
        }
        seen = now;
        let release = Arc::clone(&release);
        let released = tokio::task::spawn_blocking(move || {
            release();
            release_freed()
        })
        .await
        .unwrap_or(false);
        tracing::debug!(released, "returned freed heap pages to the system");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_is_safe_to_call_any_time() {
        let big: Vec<Vec<u8>> = (0..64).map(|_| vec![7u8; 64 * 1024]).collect();
        drop(big);
        // Whether pages came back depends on the heap; the call must simply work, twice.
        let _ = release_freed();
        let _ = release_freed();
    }
}
