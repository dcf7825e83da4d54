//! What `/status` and `operator status` show, as data: the [`StatusView`] gathered from the
//! state database (read-only) and the daemon, and the [`CycleFailure`] streak the daemon
//! keeps. `render::status` turns it into text.

use chrono::{DateTime, Duration, Utc};

use crate::alert::Priority;
use crate::config::{Config, QuietHours};
use crate::pipeline::{self, Recipient, Snooze};
use crate::sources::chain::{LinkView, link_views};
use crate::store::{self, MonitorRun, RunRecord, SourceStatus, Store};
use crate::zone::Zone;

/// What the heartbeat looks like now, for `/status` and `/health`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeartbeatStatus {
    /// The last ping the service answered with a success status.
    pub last_ok: Option<DateTime<Utc>>,
    /// When the current run of failed pings began (`None` while pings succeed).
    pub failing_since: Option<DateTime<Utc>>,
    /// Why the last ping failed (redacted).
    pub last_error: Option<String>,
}

/// Everything `/status` shows, gathered from the state database (and the daemon when running).
#[derive(Debug, Clone)]
pub struct StatusView {
    pub now: DateTime<Utc>,
    pub timezone: Zone,
    /// Set when a daemon is answering.
    pub uptime: Option<Duration>,
    pub last_run: Option<RunRecord>,
    pub next_cycle: Option<DateTime<Utc>>,
    pub run_count: u64,
    pub monitors: Vec<MonitorRun>,
    pub sources: Vec<SourceStatus>,
    /// The circuit breaker of every source link that was ever used.
    pub breakers: Vec<LinkView>,
    pub alerts_today: Vec<(Priority, u64)>,
    pub outbox_pending: u64,
    pub chat: Option<ChatView>,
    pub last_poll_age: Option<Duration>,
    /// Set by the daemon when its last cycle failed.
    pub cycle_failure: Option<CycleFailure>,
    /// The outside heartbeat: `None` when `heartbeat.url` is off; its pings' state when a
    /// daemon is answering (a default status otherwise).
    pub heartbeat: Option<HeartbeatStatus>,
}

/// One chat's own settings.
#[derive(Debug, Clone)]
pub struct ChatView {
    pub quiet: QuietHours,
    pub quiet_in_force: bool,
    pub snoozes: Vec<Snooze>,
}

/// Cycles that failed in a row (the state database could not be written, say), as the
/// daemon keeps it for `/health`, `/status` and the Telegram notice. Cleared by a cycle that
/// completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleFailure {
    /// When the first of these failures happened.
    pub since: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The last failure, with its causes (secrets redacted).
    pub error: String,
    /// Failed cycles in a row.
    pub consecutive: u32,
}

/// The local midnight that starts `now`'s day in the configured zone, as UTC.
pub fn local_midnight(config: &Config, now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone;
    let day = now.with_timezone(&config.timezone).date_naive();
    config
        .timezone
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now)
}

/// Everything `/status` shows; `chat` adds that chat's quiet hours and snoozes.
pub fn gather(
    config: &Config,
    store: &Store,
    chat: Option<Recipient>,
    now: DateTime<Utc>,
) -> store::Result<StatusView> {
    let chat = match chat {
        Some(recipient) => {
            let quiet = store.quiet_hours(recipient)?.unwrap_or(config.quiet_hours);
            Some(ChatView {
                quiet,
                quiet_in_force: pipeline::in_quiet_hours(&quiet, &config.timezone, now),
                snoozes: store.snoozes(recipient, now)?,
            })
        }
        None => None,
    };
    Ok(StatusView {
        now,
        timezone: config.timezone.clone(),
        uptime: None,
        last_run: store.last_run()?,
        next_cycle: None,
        run_count: store.run_count()?,
        monitors: store.monitor_results()?,
        sources: store.source_statuses()?,
        breakers: link_views(&store.breakers()?, now),
        alerts_today: store.alert_counts(local_midnight(config, now))?,
        outbox_pending: store.outbox_pending()?,
        chat,
        last_poll_age: None,
        cycle_failure: None,
        heartbeat: config
            .heartbeat
            .url
            .is_some()
            .then(HeartbeatStatus::default),
    })
}
