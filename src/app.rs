//! The running application's shared state: the validated config, the state database, the
//! journal, the clock and the desktop notifier, behind one `Arc<App>` that the bot, the
//! Telegram sender and (later) the scheduler share.
//!
//! Why a `std::sync::Mutex` around the store: rusqlite's `Connection` is blocking, so every
//! use goes through `spawn_blocking` ([`App::store`]) and never holds the lock across an
//! `.await`. Cycles are serialised by an async mutex so two triggers (schedule and `/check`)
//! never run the pipeline for the same recipients at once.

use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::channels::desktop::{self, DesktopPress, Notifier};
use crate::channels::heartbeat::Heartbeat;
use crate::channels::journal::Journal;
use crate::channels::telegram::Pacer;
use crate::clock::Clock;
use crate::config::Config;
use crate::cycle::{self, Options, Selection, Snapshots};
use crate::sources::chain::{ChainState, Env};
use crate::status::CycleFailure;
use crate::store::Store;

pub struct App {
    /// The configuration the daemon started with. The cycle and the review read
    /// [`App::live_config`], which differs only after a review suggestion was applied.
    pub config: Config,
    /// The config with the monitors' section as the file holds it now, after a review
    /// suggestion was applied (`None` until then): thresholds tuned from the chat take effect
    /// at the next cycle, not the next start.
    tuned: Mutex<Option<Arc<Config>>>,
    /// The service checks' latest outcomes (`scheduler::run_services`), for the cycles that
    /// evaluate them.
    services: Mutex<Option<cycle::ServicesRead>>,
    store: Mutex<Store>,
    journal: Mutex<Option<Journal>>,
    clock: Arc<dyn Clock>,
    started_at: DateTime<Utc>,
    last_poll: Mutex<Option<DateTime<Utc>>>,
    next_cycle: Mutex<Option<DateTime<Utc>>>,
    last_snapshots: Mutex<Option<(DateTime<Utc>, Snapshots)>>,
    cycle_failure: Mutex<Option<CycleFailure>>,
    notifier: Option<Box<dyn Notifier>>,
    cycle_gate: tokio::sync::Mutex<()>,
    /// Woken when new rows are queued in the outbox, so the sender does not wait for its tick.
    pub outbox_wake: tokio::sync::Notify,
    /// Turns for every message written to Telegram (pushed alerts, replies, edits), so that
    /// together they keep Telegram's limits.
    pub telegram_pacer: Arc<Pacer>,
    /// Work done (cycles, replies, deliveries), for the heap trimmer.
    pub activity: Arc<crate::memory::Activity>,
    /// The outside heartbeat pinged after every cycle (`heartbeat.url`), if configured.
    pub heartbeat: Option<Arc<Heartbeat>>,
    /// Presses on desktop notifications' buttons, for the daemon to apply (taken once).
    desktop_presses: Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<DesktopPress>>>,
}

impl App {
    /// Opens the state database and the journal named by `config`.
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<App>> {
        let store = Store::open(&config.state.db_path).with_context(|| {
            format!(
                "opening the state database {}",
                config.state.db_path.display()
            )
        })?;
        let journal = Journal::open_configured(&config)?;
        let (presses, received) = tokio::sync::mpsc::unbounded_channel();
        let notifier = desktop::notifier_for(
            &config,
            Arc::new(move |press| {
                // The receiver is gone only at shutdown: a late press is dropped.
                let _ = presses.send(press);
            }),
        );
        let app = App::new(config, store, journal, clock, notifier);
        *lock(&app.desktop_presses) = Some(received);
        Ok(app)
    }

    pub fn new(
        config: Config,
        store: Store,
        journal: Option<Journal>,
        clock: Arc<dyn Clock>,
        notifier: Option<Box<dyn Notifier>>,
    ) -> Arc<App> {
        let started_at = clock.now();
        let heartbeat = Heartbeat::from_config(&config).map(Arc::new);
        Arc::new(App {
            config,
            tuned: Mutex::new(None),
            services: Mutex::new(None),
            store: Mutex::new(store),
            journal: Mutex::new(journal),
            clock,
            started_at,
            last_poll: Mutex::new(None),
            next_cycle: Mutex::new(None),
            last_snapshots: Mutex::new(None),
            cycle_failure: Mutex::new(None),
            notifier,
            cycle_gate: tokio::sync::Mutex::new(()),
            outbox_wake: tokio::sync::Notify::new(),
            telegram_pacer: Arc::new(Pacer::new()),
            activity: Arc::default(),
            heartbeat,
            desktop_presses: Mutex::new(None),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The configuration decisions use now: the start-up config, with the monitors' section
    /// re-read from the file once a review suggestion was applied to it.
    pub fn live_config(&self) -> Arc<Config> {
        lock(&self.tuned)
            .clone()
            .unwrap_or_else(|| Arc::new(self.config.clone()))
    }

    /// Keeps the service checks' latest outcomes for the next cycles.
    pub fn set_services(&self, read: Option<cycle::ServicesRead>) {
        *lock(&self.services) = read;
    }

    /// Takes the monitors' section (thresholds, intervals) of `reread`, the config file as it
    /// is after an applied suggestion; everything else stays as started (chats, tokens,
    /// paths need a restart).
    pub fn retune(&self, reread: &Config) {
        let mut tuned = self.config.clone();
        tuned.monitors = reread.monitors.clone();
        *lock(&self.tuned) = Some(Arc::new(tuned));
    }

    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    pub fn notifier(&self) -> Option<&dyn Notifier> {
        self.notifier.as_deref()
    }

    /// The desktop buttons' presses, for the task that applies them (once; `None` after, or
    /// when the app was not opened with a notifier of its own).
    pub fn take_desktop_presses(
        &self,
    ) -> Option<tokio::sync::mpsc::UnboundedReceiver<DesktopPress>> {
        lock(&self.desktop_presses).take()
    }

    /// Runs `f` with the state database on the blocking pool: its error, or the blocking
    /// task's, as one result.
    pub async fn store<T, F>(self: &Arc<Self>, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> crate::store::Result<T> + Send + 'static,
    {
        let app = Arc::clone(self);
        tokio::task::spawn_blocking(move || f(&mut app.lock_store()))
            .await
            .context("state database task failed")?
            .map_err(anyhow::Error::from)
    }

    /// The store, for code already on a blocking thread.
    pub fn lock_store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Drops what the state database's connection caches (pages, once the work that read them
    /// is done), for the idle daemon's memory; the next read takes them from the OS.
    pub fn release_caches(&self) {
        if let Err(e) = self.lock_store().release_memory() {
            tracing::debug!(error = %e, "cannot shrink the state database's cache");
        }
    }

    /// Writes journal entries (a no-op when the journal is disabled); failures are logged.
    pub fn journal<E: serde::Serialize>(&self, entries: &[E]) {
        let mut guard = lock(&self.journal);
        if let Some(journal) = guard.as_mut() {
            for entry in entries {
                if let Err(e) = journal.write(entry) {
                    tracing::error!(error = %e, "cannot write the journal");
                    return;
                }
            }
            if let Err(e) = journal.flush() {
                tracing::error!(error = %e, "cannot flush the journal");
            }
        }
    }

    /// Runs one check cycle now (serialised with any other), then wakes the outbox sender.
    pub async fn run_cycle(
        self: &Arc<Self>,
        trigger: &'static str,
        monitors: Selection,
    ) -> anyhow::Result<cycle::Report> {
        let _gate = self.cycle_gate.lock().await;
        let app = Arc::clone(self);
        let report = tokio::task::spawn_blocking(move || {
            let options = Options {
                now: app.now(),
                dry_run: false,
                trigger,
                monitors,
            };
            // The sources (network included) are read without holding the store, so
            // `/status` and the sender are not blocked by a slow API or database.
            let store = app.lock_store();
            let mut chain = ChainState::load(&store, options.now)?;
            drop(store);
            let started = std::time::Instant::now();
            let config = app.live_config();
            let mut snapshots =
                cycle::read_sources(&config, &mut chain, &Env::standard(), options.now);
            if monitors.services {
                // The latest outcomes, when recent: older ones (the loop stopped) say nothing.
                let fresh = chrono::Duration::from_std(config.monitors.services.interval * 2)
                    .unwrap_or_default();
                snapshots.services = lock(&app.services)
                    .clone()
                    .filter(|r| options.now - r.checked_at <= fresh);
            }
            let reads = cycle::SourceReads {
                snapshots,
                chain,
                started,
            };
            let mut store = app.lock_store();
            let mut journal = lock(&app.journal);
            cycle::run_with(
                &config,
                &mut store,
                journal.as_mut(),
                app.notifier(),
                &options,
                reads,
            )
        })
        .await
        .context("check cycle task failed")
        .and_then(|r| r);
        let report = match report {
            Ok(report) => report,
            Err(e) => {
                self.note_cycle_failed(&e);
                self.ping_heartbeat(false);
                return Err(e);
            }
        };
        self.ping_heartbeat(true);
        if let Some(failure) = lock(&self.cycle_failure).take() {
            tracing::info!(
                failed_cycles = failure.consecutive,
                since = %failure.since,
                "check cycles complete again"
            );
        }
        *lock(&self.last_snapshots) = Some((report.started_at, report.snapshots.clone()));
        self.activity.note();
        self.outbox_wake.notify_one();
        Ok(report)
    }

    /// Pings the outside heartbeat in the background (never holding up the cycle's caller).
    fn ping_heartbeat(&self, completed: bool) {
        if let Some(heartbeat) = &self.heartbeat {
            let heartbeat = Arc::clone(heartbeat);
            let now = self.now();
            tokio::spawn(async move { heartbeat.ping(completed, now).await });
        }
    }

    /// Counts a failed cycle for `/health`, `/status` and the Telegram notice.
    pub fn note_cycle_failed(&self, e: &anyhow::Error) {
        let now = self.now();
        let error = self.config.redactor().redact(&format!("{e:#}"));
        let mut failure = lock(&self.cycle_failure);
        *failure = Some(match failure.take() {
            Some(f) => CycleFailure {
                last_at: now,
                error,
                consecutive: f.consecutive.saturating_add(1),
                ..f
            },
            None => CycleFailure {
                since: now,
                last_at: now,
                error,
                consecutive: 1,
            },
        });
        // The sender announces a lasting failure on Telegram.
        self.outbox_wake.notify_one();
    }

    /// The failing streak of cycles, if the last one failed.
    pub fn cycle_failure(&self) -> Option<CycleFailure> {
        lock(&self.cycle_failure).clone()
    }

    /// Records a successful `getUpdates`.
    pub fn mark_poll(&self, at: DateTime<Utc>) {
        *lock(&self.last_poll) = Some(at);
    }

    pub fn last_poll(&self) -> Option<DateTime<Utc>> {
        *lock(&self.last_poll)
    }

    /// The sources as the last cycle read them (for replies when a source is slow or broken).
    pub fn last_snapshots(&self) -> Option<(DateTime<Utc>, Snapshots)> {
        lock(&self.last_snapshots).clone()
    }

    pub fn set_next_cycle(&self, at: Option<DateTime<Utc>>) {
        *lock(&self.next_cycle) = at;
    }

    pub fn next_cycle(&self) -> Option<DateTime<Utc>> {
        *lock(&self.next_cycle)
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (every value guarded
/// here is replaced whole, so it is never left half-written).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
