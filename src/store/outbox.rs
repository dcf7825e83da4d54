//! The durable delivery outbox: a row is written before a send and marked delivered (with the
//! channel's message id) after it, so a crash or restart resumes undelivered rows. Rows too
//! old to matter expire.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::chat::StoredAlert;
use super::{Result, Store, from_ts, to_ts};
use crate::alert::{Alert, Priority};
use crate::pipeline::{Notification, NotificationKind, Recipient};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Delivered,
    Expired,
    /// A permanent delivery error (bot blocked, chat not found): never retried.
    Failed,
}

impl OutboxStatus {
    fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Delivered => "delivered",
            OutboxStatus::Expired => "expired",
            OutboxStatus::Failed => "failed",
        }
    }

    fn parse(s: &str) -> OutboxStatus {
        match s {
            "delivered" => OutboxStatus::Delivered,
            "expired" => OutboxStatus::Expired,
            "failed" => OutboxStatus::Failed,
            _ => OutboxStatus::Pending,
        }
    }
}

/// One message waiting for (or done with) delivery.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    /// The recipient key (a chat id as text, or `desktop`).
    pub recipient: String,
    pub channel: String,
    pub priority: Priority,
    /// `alert`, `digest` or `overflow`.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// The message as Telegram HTML, rendered when queued.
    pub html: String,
    /// The same message as plain text (the fallback when Telegram cannot parse the HTML).
    pub plain: String,
    /// The alerts this message delivers (empty for the "+N more" line).
    pub alerts: Vec<Alert>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub message_id: Option<i64>,
    /// When the desktop fallback was used for this row, if it was.
    pub fallback_at: Option<DateTime<Utc>>,
    /// A PNG sent with the message (the brief's chart).
    pub photo: Option<Vec<u8>>,
    /// For an `edit` row: the outbox row whose message it edits.
    pub edit_of: Option<i64>,
    /// What a button press left the alert as (`snoozed until …`, `acknowledged`), shown in
    /// the message with an `Undo` button; `None` as sent.
    pub press_state: Option<String>,
    /// When the alert's condition cleared (its message then says so, without buttons).
    pub resolved_at: Option<DateTime<Utc>>,
}

impl OutboxRow {
    pub fn chat_id(&self) -> Option<i64> {
        self.recipient.parse().ok()
    }
}

pub(super) const COLUMNS: &str = "id, recipient, channel, priority, title, body, alerts_json, created_at, expires_at, \
                       status, attempts, next_attempt_at, last_error, message_id, kind, html, plain, fallback_at, \
                       photo, edit_of, press_state, resolved_at";

pub(super) fn row_to_outbox(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let alerts_json: String = row.get(6)?;
    let alerts = serde_json::from_str::<Vec<StoredAlert>>(&alerts_json)
        .map(|v| v.into_iter().map(StoredAlert::into_alert).collect())
        .unwrap_or_default();
    Ok(OutboxRow {
        id: row.get(0)?,
        recipient: row.get(1)?,
        channel: row.get(2)?,
        priority: row.get::<_, String>(3)?.parse().unwrap_or(Priority::Info),
        title: row.get(4)?,
        body: row.get(5)?,
        alerts,
        created_at: from_ts(row.get(7)?),
        expires_at: from_ts(row.get(8)?),
        status: OutboxStatus::parse(&row.get::<_, String>(9)?),
        attempts: row.get::<_, i64>(10)?.max(0) as u32,
        next_attempt_at: from_ts(row.get(11)?),
        last_error: row.get(12)?,
        message_id: row.get(13)?,
        kind: row.get(14)?,
        html: row.get(15)?,
        plain: row.get(16)?,
        fallback_at: row.get::<_, Option<i64>>(17)?.map(from_ts),
        photo: row.get(18)?,
        edit_of: row.get(19)?,
        press_state: row.get(20)?,
        resolved_at: row.get::<_, Option<i64>>(21)?.map(from_ts),
    })
}

/// A message for the outbox: the notification it delivers and its text, rendered by the
/// caller (the store keeps text; it does not write it).
#[derive(Debug, Clone, Copy)]
pub struct QueuedMessage<'a> {
    pub notification: &'a Notification,
    pub html: &'a str,
    pub plain: &'a str,
    /// A PNG to send with it (the brief's chart).
    pub photo: Option<&'a [u8]>,
}

impl NotificationKind {
    /// The outbox's `kind` for it.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Alert => "alert",
            NotificationKind::Digest => "digest",
            NotificationKind::Overflow => "overflow",
            NotificationKind::Brief => "brief",
            NotificationKind::Review => "review",
        }
    }
}

impl Store {
    /// Writes a message for `recipient` on `channel` into the outbox, pending; returns its id.
    pub fn enqueue(
        &mut self,
        recipient: Recipient,
        channel: &str,
        message: QueuedMessage<'_>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        let notification = message.notification;
        let alerts: Vec<StoredAlert> = notification.alerts.iter().map(StoredAlert::from).collect();
        let kind = notification.kind.as_str();
        self.conn.execute(
            "INSERT INTO outbox (recipient, channel, priority, kind, title, body, html, plain, alerts_json,
                                 created_at, expires_at, status, attempts, next_attempt_at, photo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', 0, ?10, ?12)",
            params![
                recipient.key(),
                channel,
                notification.priority.as_str(),
                kind,
                notification.title,
                notification.lines.join("\n"),
                message.html,
                message.plain,
                serde_json::to_string(&alerts).unwrap_or_else(|_| "[]".to_owned()),
                to_ts(now),
                to_ts(expires_at),
                message.photo,
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Queues an edit of the message row `edit_of` was delivered as: its new text (and no
    /// buttons), sent in its turn like any message. Returns the edit row's id.
    pub fn enqueue_edit(
        &mut self,
        edit_of: &OutboxRow,
        html: &str,
        plain: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO outbox (recipient, channel, priority, kind, title, body, html, plain, alerts_json,
                                 created_at, expires_at, status, attempts, next_attempt_at, edit_of)
             VALUES (?1, ?2, ?3, 'edit', ?4, '', ?5, ?6, '[]', ?7, ?8, 'pending', 0, ?7, ?9)",
            params![
                edit_of.recipient,
                edit_of.channel,
                edit_of.priority.as_str(),
                edit_of.title,
                html,
                plain,
                to_ts(now),
                to_ts(expires_at),
                edit_of.id,
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records what a button press left the alert row as (`None`: as sent, after `Undo`).
    pub fn set_press_state(&mut self, id: i64, state: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET press_state = ?2 WHERE id = ?1",
            params![id, state],
        )?;
        Ok(())
    }

    /// Alert messages delivered to `recipient` since `since` whose condition has not been seen
    /// to clear: the messages a cycle may mark resolved.
    pub fn unresolved_alert_rows(
        &self,
        recipient: Recipient,
        since: DateTime<Utc>,
    ) -> Result<Vec<OutboxRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE delivered_at >= ?2 AND recipient = ?1
             AND kind = 'alert' AND status = 'delivered' AND resolved_at IS NULL ORDER BY id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![recipient.key(), to_ts(since)], row_to_outbox)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks an alert row's condition cleared at `at`.
    pub fn mark_resolved(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET resolved_at = ?2 WHERE id = ?1",
            params![id, to_ts(at)],
        )?;
        Ok(())
    }

    /// Whether `recipient` already has its brief for local `day` (queued or sent).
    pub fn brief_recorded(&self, recipient: Recipient, day: chrono::NaiveDate) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM briefs WHERE recipient = ?1 AND day = ?2",
            params![recipient.key(), day.to_string()],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// Records `recipient`'s brief for local `day` (in the same transaction as its queueing,
    /// so a crash cannot queue it twice).
    pub fn record_brief(
        &mut self,
        recipient: Recipient,
        day: chrono::NaiveDate,
        outbox_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO briefs (recipient, day, outbox_id, queued_at) VALUES (?1, ?2, ?3, ?4)",
            params![recipient.key(), day.to_string(), outbox_id, to_ts(now)],
        )?;
        Ok(())
    }

    /// Pending rows due for an attempt at `now` on `channel`, highest priority first, then oldest.
    pub fn due_outbox(
        &self,
        channel: &str,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND channel = ?1 AND next_attempt_at <= ?2
             ORDER BY CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
                                    WHEN 'low' THEN 3 ELSE 4 END, id LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![channel, to_ts(now), limit as i64], row_to_outbox)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn outbox_row(&self, id: i64) -> Result<Option<OutboxRow>> {
        use rusqlite::OptionalExtension;
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1");
        Ok(self.conn.query_row(&sql, [id], row_to_outbox).optional()?)
    }

    /// Marks a row delivered and records its alerts as sent to its recipient.
    pub fn mark_delivered(
        &mut self,
        row: &OutboxRow,
        message_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET status = 'delivered', message_id = ?2, delivered_at = ?3, attempts = attempts + 1
             WHERE id = ?1",
            params![row.id, message_id, to_ts(at)],
        )?;
        match Recipient::from_key(&row.recipient) {
            Some(recipient) => self.record_sent(recipient, &row.alerts, at),
            None => Ok(()),
        }
    }

    /// Records a failed attempt; the row stays pending until `next_attempt_at`.
    pub fn mark_attempt_failed(
        &mut self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            params![id, error, to_ts(next_attempt_at)],
        )?;
        Ok(())
    }

    /// Marks a row permanently failed (bot blocked, chat not found): it is never retried.
    pub fn mark_failed(&mut self, id: i64, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    /// Records that the desktop fallback was used for a row (it stays pending for Telegram).
    pub fn mark_fallback(&mut self, id: i64, at: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET fallback_at = ?2 WHERE id = ?1",
            params![id, to_ts(at)],
        )?;
        Ok(())
    }

    /// When the next pending row on `channel` is due, if any.
    pub fn next_outbox_attempt(&self, channel: &str) -> Result<Option<DateTime<Utc>>> {
        let next: Option<i64> = self.conn.query_row(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND channel = ?1",
            [channel],
            |r| r.get(0),
        )?;
        Ok(next.map(from_ts))
    }

    /// Expires pending rows whose `expires_at` has passed; returns them for the journal.
    pub fn expire_outbox(&mut self, now: DateTime<Utc>) -> Result<Vec<OutboxRow>> {
        let sql =
            format!("SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND expires_at <= ?1");
        let expired: Vec<OutboxRow> = {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([to_ts(now)], row_to_outbox)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        self.conn.execute(
            "UPDATE outbox SET status = 'expired' WHERE status = 'pending' AND expires_at <= ?1",
            [to_ts(now)],
        )?;
        Ok(expired)
    }

    pub fn outbox_pending(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM outbox WHERE status = ?1",
                [OutboxStatus::Pending.as_str()],
                |r| r.get::<_, i64>(0),
            )?
            .max(0) as u64)
    }

    /// Dedup keys waiting undelivered for `recipient`, with when they were queued.
    pub(crate) fn in_flight_keys(
        &self,
        recipient: &str,
    ) -> Result<Vec<(String, DateTime<Utc>, Priority)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT alerts_json, created_at FROM outbox WHERE status = 'pending' AND recipient = ?1")?;
        let rows = stmt.query_map([recipient], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (json, at) = row?;
            for stored in serde_json::from_str::<Vec<StoredAlert>>(&json).unwrap_or_default() {
                let alert = stored.into_alert();
                out.push((alert.dedup_key, from_ts(at), alert.priority));
            }
        }
        Ok(out)
    }
}
