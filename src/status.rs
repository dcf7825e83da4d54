//! Gathers the views the replies render (`/status`, `operator status`) from the state
//! database. Read-only.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::pipeline::{self, Recipient};
use crate::render::{ChatView, StatusView};
use crate::sources::chain::link_views;
use crate::store::{self, Store};

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
    })
}
