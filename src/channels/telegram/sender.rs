//! The outbox sender: takes due rows from the durable outbox (highest priority first), sends
//! each through the one send path ([`super::transport`]) and records the result
//! ([`super::outcome`]). Runs until cancelled in the daemon; `operator check` drains it once.
//!
//! Exactly-once, as far as a network allows: a row is marked delivered right after its send
//! returns. A crash between the send and the mark, or a failure after the first part of a
//! split message, re-sends the row from its start: at worst one duplicate message (or part).
//! Nothing is dropped silently: every row ends delivered, failed (journaled) or expired
//! (journaled).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use teloxide::Bot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::pacing::restore_pacing;
use super::transport::Telegram;
use super::{CHANNEL, DeliveryStats, Pacer, errors, outcome, pacer, send};
use crate::app::App;
use crate::store::OutboxRow;

/// The longest the sender sleeps with nothing due (it is woken earlier by new rows).
pub const IDLE_TICK: Duration = Duration::from_secs(30);
/// Rows taken from the outbox per pass: enough chats in one batch to reach Telegram's 30
/// messages per second while each chat waits its second.
const BATCH: usize = 1000;
/// A pass ends after this long (its unsent rows stay due), so rows queued meanwhile are
/// ranked by priority with the rest without waiting for a long batch to finish.
const PASS_MAX: Duration = Duration::from_secs(5);
/// The pause after a pass that could not make progress although rows were due.
const STALL_PAUSE: Duration = Duration::from_secs(1);
/// Delivers the Telegram outbox. Cheap to share behind an `Arc`; passes are serialised, so
/// two callers never send the same row at once.
pub struct TelegramSender {
    pub(super) app: Arc<App>,
    /// The one send path (pacing, 429s, plain-text re-sends, error classes).
    pub(super) telegram: Telegram,
    /// Held for a whole pass (the pacing itself is the app's, shared with replies).
    pass_gate: tokio::sync::Mutex<()>,
    /// Outcomes the state database could not take yet, by outbox id (a std mutex: held for
    /// map operations only, never across an `.await`).
    unrecorded: std::sync::Mutex<HashMap<i64, outcome::Unrecorded>>,
    /// The failing streak of cycles already announced on Telegram (by its start).
    pub(super) announced_failure: std::sync::Mutex<Option<DateTime<Utc>>>,
}

impl TelegramSender {
    pub fn new(app: Arc<App>, bot: Bot) -> TelegramSender {
        TelegramSender {
            telegram: Telegram::new(bot, Arc::clone(&app)),
            app,
            pass_gate: tokio::sync::Mutex::new(()),
            unrecorded: std::sync::Mutex::new(HashMap::new()),
            announced_failure: std::sync::Mutex::new(None),
        }
    }

    fn pacer(&self) -> &Pacer {
        &self.app.telegram_pacer
    }

    pub(super) fn unrecorded_mut(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<i64, outcome::Unrecorded>> {
        self.unrecorded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One pass: expires old rows (journaled `expired`), then sends every row due now,
    /// highest priority first, paced. Stops early while a 429 pause is in force.
    pub async fn deliver_due(&self) -> DeliveryStats {
        self.pass(None).await
    }

    /// Passes until no row is due now (waiting out 429 pauses), or `max` has passed.
    /// Rows in backoff stay in the outbox for the daemon. Used by `operator check`.
    pub async fn drain(&self, max: Duration) -> DeliveryStats {
        restore_pacing(&self.app).await;
        let deadline = Instant::now() + max;
        let mut total = DeliveryStats::default();
        loop {
            let stats = self.pass(None).await;
            let progressed = stats.attempted() > 0;
            total.merge(stats);
            if Instant::now() >= deadline {
                break;
            }
            if let Some(until) = self.pacer().paused_until() {
                if until > deadline {
                    break;
                }
                tokio::time::sleep_until(until).await;
                continue;
            }
            match self.next_due().await {
                Some(at) if at <= self.app.now() && progressed => continue,
                _ => break,
            }
        }
        total
    }

    /// Runs until `cancel`: a pass, then a wait until the next row is due, new rows are
    /// queued (`App::outbox_wake`), a 429 pause ends, or [`IDLE_TICK`] passes.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!("Telegram sender started");
        restore_pacing(&self.app).await;
        while !cancel.is_cancelled() {
            self.announce_cycle_health().await;
            let stats = self.pass(Some(&cancel)).await;
            if stats.delivered > 0 {
                self.app.activity.note();
            }
            let wait = self.idle_wait(&stats).await;
            tokio::select! {
                () = cancel.cancelled() => break,
                () = self.app.outbox_wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!("Telegram sender stopped");
    }

    /// How long to sleep after a pass.
    async fn idle_wait(&self, stats: &DeliveryStats) -> Duration {
        let now = self.app.now();
        let mut wait = match self.next_due().await {
            Some(at) => (at - now).to_std().unwrap_or(Duration::ZERO),
            None => IDLE_TICK,
        };
        if let Some(until) = self.pacer().paused_until() {
            wait = wait.max(until - Instant::now());
        }
        if wait.is_zero() && stats.attempted() == 0 {
            // Rows are due but the pass could not touch them (a database error): do not spin.
            wait = STALL_PAUSE;
        }
        wait.min(IDLE_TICK)
    }

    /// When the next pending row is due, if any.
    async fn next_due(&self) -> Option<DateTime<Utc>> {
        match self.app.store(|s| s.next_outbox_attempt(CHANNEL)).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "cannot read the outbox");
                None
            }
        }
    }

    async fn pass(&self, cancel: Option<&CancellationToken>) -> DeliveryStats {
        let _pass = self.pass_gate.lock().await;
        let mut stats = DeliveryStats::default();
        self.flush_unrecorded().await;
        self.expire(&mut stats).await;
        let now = self.app.now();
        let mut rows = match self
            .app
            .store(move |s| s.due_outbox(CHANNEL, now, BATCH))
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "cannot read the outbox");
                return stats;
            }
        };
        {
            let kept = self.unrecorded_mut();
            rows.retain(|row| kept.get(&row.id).is_none_or(|u| u.allows_attempt(now)));
        }
        let started = Instant::now();
        while !rows.is_empty() {
            if cancel.is_some_and(CancellationToken::is_cancelled)
                || self.pacer().paused_until().is_some()
                || started.elapsed() >= PASS_MAX
            {
                break;
            }
            let next = next_ready(&rows, &self.pacer().lock());
            let row = rows.remove(next);
            if let send::Verdict::Outage(row, error) = self.deliver_row(row, &mut stats).await {
                // Telegram itself is failing: the rest of this pass would fail the same way.
                // Every row counts the attempt (so the fallback still comes) and, with one
                // jitter, rows that failed as often come back together, in priority order.
                tracing::warn!(error = %error, "Telegram is failing; deferring the due messages");
                let jitter = errors::random_jitter();
                self.transient(*row, error.clone(), jitter, &mut stats)
                    .await;
                for rest in rows.drain(..) {
                    let error = format!("not sent: Telegram is failing ({error})");
                    self.transient(rest, error, jitter, &mut stats).await;
                }
            }
        }
        stats
    }
}

/// The row to send next: the first (in priority order) whose chat may be written to now,
/// else the one whose chat is free soonest. A chat waiting out its one second never holds up
/// the other chats, and each chat still gets its rows in priority order.
fn next_ready(rows: &[OutboxRow], pacer: &pacer::Pacing) -> usize {
    let now = Instant::now();
    let ready_at = |row: &OutboxRow| row.chat_id().map_or(now, |chat| pacer.ready_at(chat));
    let mut best: Option<(usize, Instant)> = None;
    for (i, row) in rows.iter().enumerate() {
        let at = ready_at(row);
        if at <= now {
            return i;
        }
        if best.is_none_or(|(_, b)| at < b) {
            best = Some((i, at));
        }
    }
    best.map_or(0, |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, chat: i64) -> OutboxRow {
        let now = Utc::now();
        OutboxRow {
            id,
            recipient: chat.to_string(),
            channel: CHANNEL.to_owned(),
            priority: crate::alert::Priority::High,
            kind: "alert".to_owned(),
            title: format!("row {id}"),
            body: String::new(),
            html: String::new(),
            plain: String::new(),
            alerts: Vec::new(),
            created_at: now,
            expires_at: now,
            status: crate::store::OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            message_id: None,
            fallback_at: None,
            photo: None,
            edit_of: None,
            press_state: None,
            resolved_at: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_chat_waiting_its_second_does_not_hold_up_the_others() {
        let mut pacer = pacer::Pacing::default();
        let rows = [row(1, 7), row(2, 7), row(3, 8), row(4, 8)];
        assert_eq!(
            next_ready(&rows, &pacer),
            0,
            "priority order while all are free"
        );
        pacer.reserve(7);
        assert_eq!(
            next_ready(&rows, &pacer),
            2,
            "chat 8 goes while chat 7 waits"
        );
        pacer.reserve(8);
        tokio::time::advance(Duration::from_millis(10)).await;
        pacer.reserve(8);
        // Nobody is free: the chat free soonest (7) comes first, in its own order.
        assert_eq!(next_ready(&rows, &pacer), 0);
    }
}
