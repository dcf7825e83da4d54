//! What the user did with each alert message, and the chat settings' history behind `Undo`:
//! feedback rows (a press, a reaction, a resolution) for the weekly review; each change of a
//! chat's snoozes or quiet hours with the state it replaced; the review's suggestions (each
//! applied at most once) and one review a week per recipient. All pruned with the rest of the
//! history (60 days).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::outbox::{COLUMNS, row_to_outbox};
use super::{OutboxRow, Result, Store, from_ts, to_ts};
use crate::pipeline::Recipient;

/// What a piece of feedback says about an alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedbackKind {
    /// A `Snooze …` button.
    Snooze,
    /// `Got it`.
    GotIt,
    /// `Undo` after a press.
    Undo,
    /// 👍.
    Up,
    /// 👎: not useful.
    Down,
    /// The condition cleared (`minutes` after delivery).
    Resolved,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 6] = [
        FeedbackKind::Snooze,
        FeedbackKind::GotIt,
        FeedbackKind::Undo,
        FeedbackKind::Up,
        FeedbackKind::Down,
        FeedbackKind::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Snooze => "snooze",
            FeedbackKind::GotIt => "got_it",
            FeedbackKind::Undo => "undo",
            FeedbackKind::Up => "up",
            FeedbackKind::Down => "down",
            FeedbackKind::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackKind> {
        FeedbackKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A press or 👍: the user acted on the alert.
    pub fn is_action(self) -> bool {
        matches!(
            self,
            FeedbackKind::Snooze | FeedbackKind::GotIt | FeedbackKind::Undo | FeedbackKind::Up
        )
    }
}

/// One piece of feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub recipient: String,
    pub outbox_id: i64,
    /// The dedup key without its subject (`health:sleep`, `tasks:overdue`).
    pub rule: String,
    pub kind: FeedbackKind,
    pub at: DateTime<Utc>,
    /// For a resolution: minutes from delivery to the condition clearing.
    pub minutes: Option<i64>,
}

/// An alert message delivered in a window, as the review counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredAlert {
    pub outbox_id: i64,
    pub recipient: String,
    /// The rules of its alerts (one for an alert message, several for a digest).
    pub rules: Vec<String>,
    pub delivered_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A change of a chat's settings, with the state it replaced (JSON, see `bot::talk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub recipient: String,
    pub what: String,
    pub before: String,
    pub undone: bool,
}

/// A suggested config change from a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSuggestion {
    pub id: i64,
    pub recipient: String,
    pub key: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub applied_at: Option<DateTime<Utc>>,
}

/// The rule of a dedup key: the key without its subject (`tasks:overdue:c1` → `tasks:overdue`).
pub fn rule_of(dedup_key: &str) -> String {
    dedup_key
        .splitn(3, ':')
        .take(2)
        .collect::<Vec<_>>()
        .join(":")
}

impl Store {
    /// Records feedback on the alert message `row` for each of its rules.
    pub fn record_feedback(
        &mut self,
        row: &OutboxRow,
        kind: FeedbackKind,
        at: DateTime<Utc>,
        minutes: Option<i64>,
    ) -> Result<()> {
        let mut rules: Vec<String> = row.alerts.iter().map(|a| rule_of(&a.dedup_key)).collect();
        rules.sort();
        rules.dedup();
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO feedback (recipient, outbox_id, rule, kind, at, minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for rule in rules {
            stmt.execute(params![
                row.recipient,
                row.id,
                rule,
                kind.as_str(),
                to_ts(at),
                minutes
            ])?;
        }
        Ok(())
    }

    /// Removes feedback of `kind` on message row `outbox_id` (a reaction taken back).
    pub fn remove_feedback(&mut self, outbox_id: i64, kind: FeedbackKind) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM feedback WHERE outbox_id = ?1 AND kind = ?2",
            params![outbox_id, kind.as_str()],
        )?)
    }

    /// Whether message row `outbox_id` has feedback of `kind`.
    pub fn has_feedback(&self, outbox_id: i64, kind: FeedbackKind) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM feedback WHERE outbox_id = ?1 AND kind = ?2",
            params![outbox_id, kind.as_str()],
            |row| row.get::<_, i64>(0),
        )? > 0)
    }

    /// Feedback given since `since`, for `recipient` or everyone.
    pub fn feedback_since(
        &self,
        recipient: Option<Recipient>,
        since: DateTime<Utc>,
    ) -> Result<Vec<Feedback>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT recipient, outbox_id, rule, kind, at, minutes FROM feedback
             WHERE at >= ?1 AND (?2 IS NULL OR recipient = ?2) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![to_ts(since), recipient.map(|r| r.key())], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (recipient, outbox_id, rule, kind, at, minutes) = row?;
            if let Some(kind) = FeedbackKind::parse(&kind) {
                out.push(Feedback {
                    recipient,
                    outbox_id,
                    rule,
                    kind,
                    at: from_ts(at),
                    minutes,
                });
            }
        }
        Ok(out)
    }

    /// Alert and digest messages delivered since `since` to Telegram chats (`recipient`, or
    /// every chat).
    pub fn delivered_alerts_since(
        &self,
        recipient: Option<Recipient>,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeliveredAlert>> {
        let sql = format!(
            "SELECT {COLUMNS}, delivered_at FROM outbox WHERE status = 'delivered'
             AND kind IN ('alert', 'digest') AND channel = 'telegram' AND delivered_at >= ?1
             AND (?2 IS NULL OR recipient = ?2) ORDER BY id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![to_ts(since), recipient.map(|r| r.key())], |row| {
            let outbox = row_to_outbox(row)?;
            let delivered: i64 = row.get(22)?;
            Ok((outbox, delivered))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (row, delivered) = row?;
            let mut rules: Vec<String> = row.alerts.iter().map(|a| rule_of(&a.dedup_key)).collect();
            rules.sort();
            rules.dedup();
            out.push(DeliveredAlert {
                outbox_id: row.id,
                recipient: row.recipient,
                rules,
                delivered_at: from_ts(delivered),
                resolved_at: row.resolved_at,
            });
        }
        Ok(out)
    }

    /// The alert message shown in `chat` as Telegram message `message_id`, if it is one.
    pub fn alert_row_by_message(&self, chat: i64, message_id: i64) -> Result<Option<OutboxRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE recipient = ?1 AND message_id = ?2
             AND kind IN ('alert', 'digest') ORDER BY id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, params![chat.to_string(), message_id], row_to_outbox)
            .optional()?)
    }

    /// Records a change of `recipient`'s settings and what it replaced; returns its id.
    pub fn record_change(
        &mut self,
        recipient: Recipient,
        what: &str,
        before: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO changes (recipient, what, before, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![recipient.key(), what, before, to_ts(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn change(&self, id: i64) -> Result<Option<Change>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, recipient, what, before, undone_at FROM changes WHERE id = ?1",
                [id],
                |row| {
                    Ok(Change {
                        id: row.get(0)?,
                        recipient: row.get(1)?,
                        what: row.get(2)?,
                        before: row.get(3)?,
                        undone: row.get::<_, Option<i64>>(4)?.is_some(),
                    })
                },
            )
            .optional()?)
    }

    pub fn mark_change_undone(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "UPDATE changes SET undone_at = ?2 WHERE id = ?1",
            params![id, to_ts(now)],
        )?;
        Ok(())
    }

    /// Stores a suggestion made to `recipient`; returns its id.
    pub fn add_suggestion(
        &mut self,
        recipient: Recipient,
        key: &str,
        from: &str,
        to: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO suggestions (recipient, key, from_value, to_value, reason, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![recipient.key(), key, from, to, reason, to_ts(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ties suggestions to the message that carries their buttons.
    pub fn set_suggestions_message(&mut self, ids: &[i64], outbox_id: i64) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE suggestions SET outbox_id = ?2 WHERE id = ?1")?;
        for id in ids {
            stmt.execute(params![id, outbox_id])?;
        }
        Ok(())
    }

    pub fn suggestion(&self, id: i64) -> Result<Option<StoredSuggestion>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, recipient, key, from_value, to_value, reason, applied_at
                 FROM suggestions WHERE id = ?1",
                [id],
                suggestion_of,
            )
            .optional()?)
    }

    /// The suggestions a review message carries, in order.
    pub fn suggestions_of_message(&self, outbox_id: i64) -> Result<Vec<StoredSuggestion>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, recipient, key, from_value, to_value, reason, applied_at
             FROM suggestions WHERE outbox_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([outbox_id], suggestion_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_suggestion_applied(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "UPDATE suggestions SET applied_at = ?2 WHERE id = ?1",
            params![id, to_ts(now)],
        )?;
        Ok(())
    }

    /// Whether `recipient` already has its review for `week` (`2026-W49`).
    pub fn review_recorded(&self, recipient: Recipient, week: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM reviews WHERE recipient = ?1 AND week = ?2",
            params![recipient.key(), week],
            |row| row.get::<_, i64>(0),
        )? > 0)
    }

    pub fn record_review(
        &mut self,
        recipient: Recipient,
        week: &str,
        outbox_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO reviews (recipient, week, outbox_id, queued_at) VALUES (?1, ?2, ?3, ?4)",
            params![recipient.key(), week, outbox_id, to_ts(now)],
        )?;
        Ok(())
    }
}

fn suggestion_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredSuggestion> {
    Ok(StoredSuggestion {
        id: row.get(0)?,
        recipient: row.get(1)?,
        key: row.get(2)?,
        from: row.get(3)?,
        to: row.get(4)?,
        reason: row.get(5)?,
        applied_at: row.get::<_, Option<i64>>(6)?.map(from_ts),
    })
}
