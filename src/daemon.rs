//! `operator run`: one tokio runtime running the bot (long polling and the dispatcher), the
//! outbox sender, the monitor scheduler and the health endpoint on one task tracker, until
//! SIGTERM or SIGINT. Shutdown in three steps: decide (a signal cancels one token), tell
//! (every loop selects on it; the dispatcher stops through its shutdown token and
//! acknowledges the update offset), wait (the tracker, with a deadline). A second signal
//! exits at once.
//!
//! One instance per state database: a lock file beside it holds the running pid.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::app::App;
use crate::clock::SystemClock;
use crate::config::Config;

/// How long shutdown waits for running work (under the LaunchAgent's `ExitTimeOut`).
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(20);

/// The single-instance lock: held (an OS file lock) for as long as this value lives.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    path: PathBuf,
}

impl InstanceLock {
    pub fn path_for(db_path: &Path) -> PathBuf {
        let mut name = db_path.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock beside `db_path`, or says which pid holds it.
    pub fn acquire(db_path: &Path) -> anyhow::Result<InstanceLock> {
        let path = Self::path_for(db_path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                anyhow::bail!(
                    "another `operator run` (pid {}) is already using {}; stop it first (two pollers on one bot token get 409 conflicts)",
                    if pid.is_empty() { "unknown" } else { pid },
                    db_path.display()
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()));
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        file.flush()?;
        Ok(InstanceLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// SIGTERM and SIGINT, caught from the moment they are installed: `operator run` installs
/// them before it reads its config, so a signal during start-up is a clean stop once start-up
/// is done, not death by the signal's default action.
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers. Must run inside the daemon runtime's context (`Runtime::enter`).
    pub fn install() -> anyhow::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate()).context("catching SIGTERM")?,
                int: signal(SignalKind::interrupt()).context("catching SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// Resolves when the next SIGTERM or SIGINT arrives (or arrived since the last call).
    pub async fn next(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => "SIGTERM",
                _ = self.int.recv() => "SIGINT",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "SIGINT"
        }
    }
}

/// The daemon's runtime: one thread runs every task. They mostly wait (long polls, timers),
/// and everything that blocks (SQLite, source reads, cycles) goes to the blocking pool; a
/// second worker thread bought no latency and cost its stack and malloc arena
/// (BENCHMARKS.md, idle memory).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    crate::memory::one_arena();
    tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs the daemon on `runtime` until a signal; returns after a clean shutdown.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    signals: Signals,
    config: Config,
) -> anyhow::Result<()> {
    let _lock = InstanceLock::acquire(&config.state.db_path)?;
    on_main_thread(|| runtime.block_on(serve(config, signals)))
}

/// Runs `work`. On macOS the main thread must run its run loop for desktop notifications'
/// buttons to be answered, so `work` (the tokio runtime) runs on a thread of its own while the
/// main thread runs the loop until `work` is done; elsewhere `work` runs here.
fn on_main_thread<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    #[cfg(target_os = "macos")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                let result = work();
                done.store(true, Ordering::SeqCst);
                result
            });
            if let Err(e) = crate::channels::desktop::macos::run_main_loop(&done) {
                tracing::warn!(error = %e, "desktop notifications without buttons");
            }
            match worker.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
    #[cfg(not(target_os = "macos"))]
    {
        work()
    }
}

async fn serve(config: Config, mut signals: Signals) -> anyhow::Result<()> {
    let app = App::open(config, Arc::new(SystemClock))?;
    let cancel = CancellationToken::new();
    let tracker = TaskTracker::new();

    let endpoint = &app.config.health_endpoint;
    if endpoint.enabled {
        let addr = endpoint.bind.parse().with_context(|| {
            format!("health_endpoint.bind {:?} is not an address", endpoint.bind)
        })?;
        let listener = crate::health::bind(addr).await.with_context(|| {
            format!("binding the health endpoint on {addr} (is another process using it?)")
        })?;
        if addr.ip().is_loopback() {
            tracing::info!(%addr, "health endpoint listening");
        } else {
            tracing::warn!(%addr,
                "health endpoint listening beyond loopback (health_endpoint.allow_non_loopback): \
                 anyone who can reach it sees Operator's status (never a secret)");
        }
        tracker.spawn(crate::health::serve(
            listener,
            Arc::clone(&app),
            cancel.clone(),
        ));
    }
    tracker.spawn(crate::scheduler::run(Arc::clone(&app), cancel.clone()));
    tracker.spawn(crate::scheduler::run_services(
        Arc::clone(&app),
        cancel.clone(),
    ));
    if let Some(presses) = app.take_desktop_presses() {
        tracker.spawn(crate::bot::buttons::apply_desktop_presses(
            Arc::clone(&app),
            presses,
            cancel.clone(),
        ));
    }
    let caches = Arc::clone(&app);
    tracker.spawn(crate::memory::trimmer(
        Arc::clone(&app.activity),
        Arc::new(move || caches.release_caches()),
        cancel.clone(),
    ));
    use crate::channels::telegram::{TelegramSender, bot_for, poll_bot_for};
    match (bot_for(&app.config)?, poll_bot_for(&app.config)?) {
        (Some(sender_bot), Some(poll_bot)) => {
            tracker.spawn(crate::bot::run(poll_bot, Arc::clone(&app), cancel.clone()));
            tracker.spawn(TelegramSender::new(Arc::clone(&app), sender_bot).run(cancel.clone()));
        }
        _ => tracing::info!(
            "Telegram is not configured: alerts go to the journal (and the desktop on macOS)"
        ),
    }
    tracker.close();

    let signal = signals.next().await;
    tracing::info!(
        signal,
        "shutting down: finishing the running cycle and acknowledging Telegram updates"
    );
    cancel.cancel();
    tokio::spawn(async move {
        let again = signals.next().await;
        tracing::warn!(signal = again, "second signal: exiting now");
        std::process::exit(130);
    });
    if tokio::time::timeout(SHUTDOWN_DEADLINE, tracker.wait())
        .await
        .is_err()
    {
        tracing::error!(
            deadline_s = SHUTDOWN_DEADLINE.as_secs(),
            "shutdown deadline passed; exiting with work unfinished (the outbox keeps undelivered alerts)"
        );
    }
    app.journal::<crate::channels::journal::Entry>(&[]);
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("State/operator.db");
        let first = InstanceLock::acquire(&db).unwrap();
        let err = InstanceLock::acquire(&db).unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        InstanceLock::acquire(&db).unwrap();
    }
}
