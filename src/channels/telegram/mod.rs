//! Telegram delivery: the outbox sender. It takes due rows from the durable outbox (highest
//! priority first), sends each to its chat as HTML with the alert keyboard, and records the
//! result: delivered (with Telegram's message id), retried later with backoff, failed for
//! good, or expired into the journal. Sends take their turns from the app's one [`Pacer`],
//! shared with the bot's replies, so all of them together stay within Telegram's limits; a
//! 429 `retry_after` pauses every send, and the pause is kept in the state database so a
//! restart inside it waits too.
//!
//! Exactly-once, as far as a network allows: a row is marked delivered right after its send
//! returns. A crash between the send and the mark, or a failure after the first part of a
//! split message, re-sends the row from its start: at worst one duplicate message (or part).
//! Nothing is dropped silently: every row ends delivered, failed (journaled) or expired
//! (journaled).
//!
//! The bot token is used only to build the [`Bot`]: every error text is redacted before it is
//! stored or logged, and the bot is never formatted with `{:?}` (its `Debug` prints the token).

pub mod errors;
pub mod keyboard;
mod notice;
mod outcome;
pub mod pacer;
mod send;
pub mod split;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use teloxide::Bot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::config::Config;
use crate::store::OutboxRow;
pub use pacer::Pacer;

/// The outbox channel this sender serves.
pub const CHANNEL: &str = "telegram";
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
/// Connecting to the Bot API never waits longer than this.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a [`Bot`] could not be built from the config.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("alerters.telegram.api_url {url:?} is not a usable http(s) URL: {reason}")]
    ApiUrl { url: String, reason: String },
    #[error("cannot build the HTTP client for Telegram: {0}")]
    Client(String),
}

/// The bot for `config`: `None` when Telegram is disabled or has no token. Requests time out
/// after `alerters.telegram.timeout`; `api_url` must be an http(s) URL.
pub fn bot_for(config: &Config) -> Result<Option<Bot>, SetupError> {
    let timeout = config
        .alerters
        .telegram
        .timeout
        .to_std()
        .unwrap_or(Duration::from_secs(10));
    bot_with_timeout(config, timeout)
}

/// The bot for long polling: its HTTP timeout outlasts `poll_timeout_seconds` (teloxide's
/// default client gives up after 17 s, which would cut every 30 s long poll short).
pub fn poll_bot_for(config: &Config) -> Result<Option<Bot>, SetupError> {
    let poll = config
        .alerters
        .telegram
        .poll_timeout
        .to_std()
        .unwrap_or(Duration::from_secs(30));
    bot_with_timeout(config, poll + Duration::from_secs(15))
}

fn bot_with_timeout(config: &Config, timeout: Duration) -> Result<Option<Bot>, SetupError> {
    let tg = &config.alerters.telegram;
    let Some(token) = tg
        .token
        .as_ref()
        .filter(|t| tg.enabled && !t.expose().is_empty())
    else {
        return Ok(None);
    };
    let url = parse_api_url(&tg.api_url)?;
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| SetupError::Client(token.redact(&e.to_string())))?;
    Ok(Some(
        Bot::with_client(token.expose(), client).set_api_url(url),
    ))
}

/// Parses the Bot API base URL; teloxide appends `/bot<token>/<method>` to its path.
fn parse_api_url(raw: &str) -> Result<reqwest::Url, SetupError> {
    let bad = |reason: &str| SetupError::ApiUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url =
        reqwest::Url::parse(raw.trim().trim_end_matches('/')).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it needs a host"));
    }
    Ok(url)
}

/// What one or more passes over the outbox did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryStats {
    pub delivered: u32,
    /// Rows that stay pending for a later attempt (transient failure, 429, outage).
    pub retried: u32,
    /// Rows failed for good (bot blocked, chat not found).
    pub failed: u32,
    pub expired: u32,
    /// Rows shown through the desktop fallback in this pass.
    pub fallbacks: u32,
    /// One entry per row handled, in order.
    pub results: Vec<RowResult>,
}

impl DeliveryStats {
    fn push(&mut self, row: &OutboxRow, outcome: RowOutcome) {
        match &outcome {
            RowOutcome::Delivered { .. } => self.delivered += 1,
            RowOutcome::WillRetry { .. } => self.retried += 1,
            RowOutcome::Failed(_) => self.failed += 1,
            RowOutcome::Expired => self.expired += 1,
        }
        self.results.push(RowResult {
            outbox_id: row.id,
            chat_id: row.chat_id(),
            title: row.title.clone(),
            outcome,
        });
    }

    /// Rows a send was attempted (or deferred) for, expiries aside.
    pub fn attempted(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome != RowOutcome::Expired)
            .count()
    }

    pub fn merge(&mut self, other: DeliveryStats) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.failed += other.failed;
        self.expired += other.expired;
        self.fallbacks += other.fallbacks;
        self.results.extend(other.results);
    }

    /// The last result for each row, in the order rows were first handled.
    pub fn final_results(&self) -> Vec<&RowResult> {
        let mut out: Vec<&RowResult> = Vec::new();
        for r in &self.results {
            match out.iter_mut().find(|o| o.outbox_id == r.outbox_id) {
                Some(slot) => *slot = r,
                None => out.push(r),
            }
        }
        out
    }
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    pub outbox_id: i64,
    pub chat_id: Option<i64>,
    pub title: String,
    pub outcome: RowOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Delivered {
        message_id: i64,
        as_plain: bool,
    },
    /// Still pending; the next attempt is at `at` (or after a 429 pause).
    WillRetry {
        at: DateTime<Utc>,
        error: String,
    },
    Failed(String),
    Expired,
}

/// Delivers the Telegram outbox. Cheap to share behind an `Arc`; passes are serialised, so
/// two callers never send the same row at once.
pub struct TelegramSender {
    app: Arc<App>,
    bot: Bot,
    /// Held for a whole pass (the pacing itself is the app's, shared with replies).
    pass_gate: tokio::sync::Mutex<()>,
    /// Outcomes the state database could not take yet, by outbox id (a std mutex: held for
    /// map operations only, never across an `.await`).
    unrecorded: std::sync::Mutex<HashMap<i64, outcome::Unrecorded>>,
    /// The failing streak of cycles already announced on Telegram (by its start).
    announced_failure: std::sync::Mutex<Option<DateTime<Utc>>>,
}

impl TelegramSender {
    pub fn new(app: Arc<App>, bot: Bot) -> TelegramSender {
        TelegramSender {
            app,
            bot,
            pass_gate: tokio::sync::Mutex::new(()),
            unrecorded: std::sync::Mutex::new(HashMap::new()),
            announced_failure: std::sync::Mutex::new(None),
        }
    }

    fn pacer(&self) -> &Pacer {
        &self.app.telegram_pacer
    }

    fn unrecorded_mut(&self) -> std::sync::MutexGuard<'_, HashMap<i64, outcome::Unrecorded>> {
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
            Ok(Ok(next)) => next,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot read the outbox");
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
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
        let rows = match self
            .app
            .store(move |s| s.due_outbox(CHANNEL, now, BATCH))
            .await
        {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "cannot read the outbox");
                return stats;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                return stats;
            }
        };
        let mut rows = rows;
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

    /// Text with the bot token (as given to the bot and in the config) replaced by `***`.
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let token = self.bot.token();
        if !token.is_empty() {
            out = out
                .replace(token, "***")
                .replace(&token.replace(':', "%3A"), "***");
        }
        match &self.app.config.alerters.telegram.token {
            Some(secret) => secret.redact(&out),
            None => out,
        }
    }
}

/// Restores what the state database remembers of Telegram's pacing into the app's pacer: a
/// 429 pause still in force (so a restart inside it does not write into it) and the chats
/// written to in the last two seconds (so their next message keeps its second). Failures to
/// read are logged; pacing then starts from nothing, as it would on a first start.
pub async fn restore_pacing(app: &Arc<App>) {
    let now = app.now();
    let since = now - chrono::Duration::seconds(2);
    let read = app
        .store(move |s| -> crate::store::Result<_> {
            Ok((s.telegram_pause(now)?, s.recent_telegram_deliveries(since)?))
        })
        .await
        .and_then(|r| r.map_err(anyhow::Error::from));
    let (pause, recent) = match read {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"),
                "cannot read Telegram's pacing from the state database");
            return;
        }
    };
    let instant_now = Instant::now();
    let mut pacing = app.telegram_pacer.lock();
    if let Some(until) = pause {
        let at = wall_to_instant(until, now, instant_now);
        tracing::info!(
            paused_for_ms = (at - instant_now).as_millis() as u64,
            "Telegram asked to slow down before the restart: every send waits out the pause"
        );
        pacing.pause_until(at);
    }
    for (recipient, at) in recent {
        if let Ok(chat) = recipient.parse::<i64>() {
            // Delivery times are whole seconds (rounded down): count the end of that second.
            let at = at + chrono::Duration::seconds(1);
            pacing.written_at(chat, wall_to_instant(at, now, instant_now));
        }
    }
}

/// `t` on tokio's clock, given that `now` (wall) is `instant_now`; clamped to what the
/// clock can represent.
fn wall_to_instant(t: DateTime<Utc>, now: DateTime<Utc>, instant_now: Instant) -> Instant {
    match (t - now).to_std() {
        Ok(ahead) => instant_now + ahead,
        Err(_) => {
            let behind = (now - t).to_std().unwrap_or_default();
            instant_now.checked_sub(behind).unwrap_or(instant_now)
        }
    }
}

/// Telegram answered 429 with `retry_after = delay`: every send and reply waits it out, and
/// the pause is recorded so a restart inside it waits too.
pub async fn note_retry_after(app: &Arc<App>, delay: Duration) {
    app.telegram_pacer.pause_for(delay);
    let now = app.now();
    let until = now + chrono::Duration::from_std(delay).unwrap_or_default();
    let saved = app
        .store(move |s| s.set_telegram_pause(until, now))
        .await
        .and_then(|r| r.map_err(anyhow::Error::from));
    if let Err(e) = saved {
        tracing::warn!(error = %format!("{e:#}"),
            "cannot record Telegram's 429 pause; a restart inside it may write into it");
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

    #[test]
    fn api_urls_are_checked_not_panicked_on() {
        for good in [
            "https://api.telegram.org",
            "http://127.0.0.1:8081/",
            "http://h/tg/",
        ] {
            assert!(parse_api_url(good).is_ok(), "{good}");
        }
        assert_eq!(
            parse_api_url("http://h/tg/")
                .map(|u| u.path().to_owned())
                .ok(),
            Some("/tg".to_owned())
        );
        for bad in [
            "",
            "api.telegram.org",
            "mailto:me@example.com",
            "ftp://h",
            "data:text/plain,x",
            "http://",
        ] {
            assert!(parse_api_url(bad).is_err(), "{bad}");
        }
    }
}
