//! Recording what happened to a row, on the blocking pool: the outbox status in the state
//! database, one journal line per alert, one log line with the chat and row, and the desktop
//! fallback once a row has failed `retry_attempts` times.
//!
//! When the state database cannot be written (disk full), an outcome is kept in memory
//! ([`Unrecorded`]) and written by a later pass: a delivered row is not sent again while its
//! record waits, and a failed attempt still waits its backoff.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{CHANNEL, DeliveryStats, RowOutcome, TelegramSender};
use crate::app::App;
use crate::channels::journal::{Entry, MessageEntry};
use crate::pipeline::{Notification, NotificationKind};
use crate::store::{OutboxRow, Store};

/// An outcome the state database could not take yet; kept until a pass can write it.
#[derive(Debug, Clone)]
pub(super) enum Unrecorded {
    /// Telegram has the message: never send the row again.
    Delivered {
        row: Box<OutboxRow>,
        message_id: i64,
        at: DateTime<Utc>,
    },
    /// Failed for good: never send it again.
    Failed { reason: String },
    /// A failed attempt: not before `at`.
    RetryAt { at: DateTime<Utc>, error: String },
}

impl Unrecorded {
    /// Writes this outcome for row `id` to the state database.
    fn write(&self, store: &mut Store, id: i64) -> crate::store::Result<()> {
        match self {
            Unrecorded::Delivered {
                row,
                message_id,
                at,
            } => store.mark_delivered(row, Some(*message_id), *at),
            Unrecorded::Failed { reason } => store.mark_failed(id, reason),
            Unrecorded::RetryAt { at, error } => store.mark_attempt_failed(id, error, *at),
        }
    }

    /// Whether the row may be attempted at `now`.
    pub(super) fn allows_attempt(&self, now: DateTime<Utc>) -> bool {
        match self {
            Unrecorded::Delivered { .. } | Unrecorded::Failed { .. } => false,
            Unrecorded::RetryAt { at, .. } => *at <= now,
        }
    }
}

impl TelegramSender {
    /// Writes the outcomes kept in memory; those the database still refuses stay kept.
    pub(super) async fn flush_unrecorded(&self) {
        let pending: Vec<(i64, Unrecorded)> = self
            .unrecorded_mut()
            .iter()
            .map(|(id, u)| (*id, u.clone()))
            .collect();
        if pending.is_empty() {
            return;
        }
        let written = self
            .blocking(move |app| {
                let mut store = app.lock_store();
                pending
                    .into_iter()
                    .filter(|(id, outcome)| outcome.write(&mut store, *id).is_ok())
                    .map(|(id, _)| id)
                    .collect::<Vec<i64>>()
            })
            .await
            .unwrap_or_default();
        if !written.is_empty() {
            tracing::info!(
                rows = written.len(),
                "recorded Telegram outcomes the state database could not take before"
            );
        }
        let mut kept = self.unrecorded_mut();
        for id in written {
            kept.remove(&id);
        }
    }

    /// Runs `f` with the app on the blocking pool (the store and the journal block).
    async fn blocking<T, F>(&self, f: F) -> Option<T>
    where
        T: Send + 'static,
        F: FnOnce(&App) -> T + Send + 'static,
    {
        let app = Arc::clone(&self.app);
        match tokio::task::spawn_blocking(move || f(&app)).await {
            Ok(value) => Some(value),
            Err(e) => {
                tracing::error!(error = %e, "recording a Telegram delivery failed");
                None
            }
        }
    }

    /// Records `outcome` for `row` in the state database, then runs `after` (the journal, the
    /// desktop fallback) on the same blocking thread; when the database refuses the write
    /// (disk full), the outcome is kept in memory for a later pass. Returns the row and what
    /// `after` returned.
    async fn record_or_keep<T, F>(
        &self,
        row: OutboxRow,
        outcome: Unrecorded,
        after: F,
    ) -> Option<(OutboxRow, T)>
    where
        T: Send + 'static,
        F: FnOnce(&App, &OutboxRow) -> T + Send + 'static,
    {
        let to_write = outcome.clone();
        let (row, recorded, value) = self
            .blocking(move |app| {
                let recorded = to_write.write(&mut app.lock_store(), row.id);
                if let Err(e) = &recorded {
                    tracing::error!(chat_id = row.chat_id(), outbox_id = row.id, error = %e,
                        "cannot record a Telegram outcome yet; it is kept in memory and recorded when the state database can be written");
                }
                let value = after(app, &row);
                (row, recorded.is_ok(), value)
            })
            .await?;
        if !recorded {
            self.unrecorded_mut().insert(row.id, outcome);
        }
        Some((row, value))
    }

    pub(super) async fn delivered(
        &self,
        row: OutboxRow,
        message_id: i64,
        as_plain: bool,
        stats: &mut DeliveryStats,
    ) {
        let now = self.app.now();
        tracing::info!(
            chat_id = row.chat_id(),
            outbox_id = row.id,
            attempt = row.attempts + 1,
            message_id,
            as_plain,
            "Telegram message delivered"
        );
        let reason = as_plain.then_some("sent as plain text");
        let outcome = Unrecorded::Delivered {
            row: Box::new(row.clone()),
            message_id,
            at: now,
        };
        let Some((row, ())) = self
            .record_or_keep(row, outcome, move |app, row| {
                journal_row(app, row, "sent", reason, now);
            })
            .await
        else {
            return;
        };
        stats.push(
            &row,
            RowOutcome::Delivered {
                message_id,
                as_plain,
            },
        );
    }

    /// A permanent error: the row is failed for good, with one clear error line.
    pub(super) async fn permanent(
        &self,
        row: OutboxRow,
        reason: &str,
        advice: &str,
        stats: &mut DeliveryStats,
    ) {
        let chat = row.chat_id();
        let text = format!("{reason}: {advice}");
        tracing::error!(
            chat_id = chat,
            outbox_id = row.id,
            attempt = row.attempts + 1,
            "Telegram chat {}: {reason}; {advice}. The alert is journaled as failed.",
            row.recipient
        );
        let now = self.app.now();
        let stored = text.clone();
        let outcome = Unrecorded::Failed {
            reason: text.clone(),
        };
        let Some((row, ())) = self
            .record_or_keep(row, outcome, move |app, row| {
                journal_row(app, row, "failed", Some(&stored), now);
            })
            .await
        else {
            return;
        };
        stats.push(&row, RowOutcome::Failed(text));
    }

    /// A failed attempt: retried after a backoff; after `retry_attempts` failures the row is
    /// shown once through the desktop fallback (and journaled so), and Telegram keeps trying.
    pub(super) async fn transient(
        &self,
        row: OutboxRow,
        error: String,
        jitter: f64,
        stats: &mut DeliveryStats,
    ) {
        let now = self.app.now();
        let delay = super::errors::backoff(row.attempts, jitter);
        let at = now + chrono::Duration::from_std(delay).unwrap_or_default();
        let attempts = row.attempts.saturating_add(1);
        let fallback = attempts >= self.app.config.alerters.telegram.retry_attempts
            && row.fallback_at.is_none();
        tracing::warn!(chat_id = row.chat_id(), outbox_id = row.id, attempt = attempts,
            retry_in_s = delay.as_secs(), error = %error, "Telegram send failed; will retry");
        let stored = error.clone();
        let outcome = Unrecorded::RetryAt {
            at,
            error: error.clone(),
        };
        let Some((row, fell_back)) = self
            .record_or_keep(row, outcome, move |app, row| {
                fallback && fall_back(app, row, attempts, &stored, now)
            })
            .await
        else {
            return;
        };
        if fell_back {
            stats.fallbacks += 1;
        }
        stats.push(&row, RowOutcome::WillRetry { at, error });
    }

    /// Expires rows too old to matter, journaling each of their alerts as `expired`.
    pub(super) async fn expire(&self, stats: &mut DeliveryStats) {
        let now = self.app.now();
        let expired = self
            .blocking(move |app| {
                let rows = match app.lock_store().expire_outbox(now) {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot expire old outbox rows");
                        return Vec::new();
                    }
                };
                for row in &rows {
                    let reason = match &row.last_error {
                        Some(e) => format!("not delivered before it expired; last error: {e}"),
                        None => "not delivered before it expired".to_owned(),
                    };
                    journal_row(app, row, "expired", Some(&reason), now);
                }
                rows
            })
            .await
            .unwrap_or_default();
        for row in expired {
            tracing::warn!(
                chat_id = row.chat_id(),
                outbox_id = row.id,
                attempt = row.attempts,
                "an undelivered Telegram message expired; it is journaled as expired"
            );
            stats.push(&row, RowOutcome::Expired);
        }
    }
}

/// Shows the row on the desktop (if this system has a notifier), marks the fallback used and
/// journals each alert `fallback_desktop`. Returns whether the fallback was recorded.
fn fall_back(app: &App, row: &OutboxRow, attempts: u32, error: &str, now: DateTime<Utc>) -> bool {
    let shown = match app.notifier() {
        Some(notifier) => match notifier.notify(&notification_of(row)) {
            Ok(()) => "shown on the desktop".to_owned(),
            Err(e) => format!("the desktop notification failed too ({e})"),
        },
        None => "no desktop notifier on this system; kept in the journal".to_owned(),
    };
    let reason = format!(
        "Telegram failed {attempts} time(s) (last error: {error}); {shown}; Telegram keeps retrying until it expires"
    );
    tracing::warn!(
        chat_id = row.chat_id(),
        outbox_id = row.id,
        attempt = attempts,
        "{reason}"
    );
    if let Err(e) = app.lock_store().mark_fallback(row.id, now) {
        tracing::error!(outbox_id = row.id, error = %e, "cannot record the desktop fallback");
        return false;
    }
    journal_row(app, row, "fallback_desktop", Some(&reason), now);
    true
}

/// The row as a notification again, for the desktop notifier.
fn notification_of(row: &OutboxRow) -> Notification {
    Notification {
        priority: row.priority,
        title: row.title.clone(),
        lines: row.body.lines().map(str::to_owned).collect(),
        alerts: row.alerts.clone(),
        kind: match row.kind.as_str() {
            "digest" => NotificationKind::Digest,
            "overflow" => NotificationKind::Overflow,
            "brief" => NotificationKind::Brief,
            "review" => NotificationKind::Review,
            _ => NotificationKind::Alert,
        },
        back_from_snooze: None,
    }
}

/// One journal line per alert of `row`.
fn journal_row(
    app: &App,
    row: &OutboxRow,
    outcome: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) {
    let chat = row.chat_id();
    let entries: Vec<Entry<'_>> = row
        .alerts
        .iter()
        .map(|alert| {
            let entry = Entry::new(alert, chat, outcome, CHANNEL, now);
            match reason {
                Some(r) => entry.with_reason(r),
                None => entry,
            }
        })
        .collect();
    app.journal(&entries);
    if let kind @ ("brief" | "review") = row.kind.as_str() {
        let mut entry = MessageEntry::new(kind, false, chat, outcome, row.created_at, now);
        if let Some(r) = reason {
            entry = entry.with_reason(r);
        }
        app.journal(&[entry]);
    }
}
