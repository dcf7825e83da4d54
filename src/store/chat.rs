//! Per-recipient state: the dedup ledger, snoozes, acknowledgements, quiet-hour overrides and
//! alerts held for the morning digest; loaded together as a [`ChatState`].
//!
//! Why this file is long: each piece of a chat's state is a small read and write pair over
//! its own table, and the load that puts them together has to see them all.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store, from_ts, to_ts};
use crate::alert::{Alert, AlertClass, Priority};
use crate::config::QuietHours;
use crate::pipeline::{ChatState, Recipient, SentRecord, Snooze, SnoozeScope};

impl SnoozeScope {
    /// The stored form: `*`, `class:<class>` or `key:<dedup key>`.
    pub fn encode(&self) -> String {
        match self {
            SnoozeScope::All => "*".to_owned(),
            SnoozeScope::Class(c) => format!("class:{c}"),
            SnoozeScope::Key(k) => format!("key:{k}"),
        }
    }

    pub fn decode(s: &str) -> Option<SnoozeScope> {
        if s == "*" {
            Some(SnoozeScope::All)
        } else if let Some(c) = s.strip_prefix("class:") {
            c.parse().ok().map(SnoozeScope::Class)
        } else {
            s.strip_prefix("key:")
                .map(|k| SnoozeScope::Key(k.to_owned()))
        }
    }
}

impl Store {
    /// Everything the pipeline needs about `recipient`. Keys waiting undelivered in the
    /// outbox count as sent (in flight) so a retrying delivery is not queued twice.
    pub fn chat_state(
        &self,
        recipient: Recipient,
        default_quiet: QuietHours,
        now: DateTime<Utc>,
    ) -> Result<ChatState> {
        let r = recipient.key();
        let mut sent = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT dedup_key, sent_at, priority FROM dedup_ledger WHERE recipient = ?1",
        )?;
        let rows = stmt.query_map([&r], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (key, at, priority) = row?;
            let priority = priority.parse().unwrap_or(Priority::Info);
            sent.insert(
                key,
                SentRecord {
                    at: from_ts(at),
                    priority,
                },
            );
        }
        for (key, at, priority) in self.in_flight_keys(&r)? {
            sent.entry(key).or_insert(SentRecord { at, priority });
        }

        let mut snoozes = self.snoozes(recipient, now)?;
        snoozes.extend(self.ended_key_snoozes(recipient, now)?);
        let acks = self.acks(recipient)?;
        let quiet = Some(self.quiet_hours(recipient)?.unwrap_or(default_quiet));
        let quiet_until = self.quiet_until(recipient)?.filter(|until| *until > now);

        let mut held = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT alert_json FROM held_alerts WHERE recipient = ?1 ORDER BY held_at, dedup_key",
        )?;
        for json in stmt.query_map([&r], |row| row.get::<_, String>(0))? {
            if let Ok(alert) = serde_json::from_str::<StoredAlert>(&json?) {
                held.push(alert.into_alert());
            }
        }
        Ok(ChatState {
            sent,
            snoozes,
            acks,
            quiet,
            quiet_until,
            held,
        })
    }

    /// The end of the recipient's one-off quiet period ("quiet until 8"), if one was set
    /// (past ones included; `chat_state` drops them).
    pub fn quiet_until(&self, recipient: Recipient) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT until FROM quiet_until WHERE recipient = ?1",
                [recipient.key()],
                |row| row.get::<_, i64>(0),
            )
            .optional()?
            .map(from_ts))
    }

    /// Sets (or with `None` ends) the recipient's one-off quiet period.
    pub fn set_quiet_until(
        &mut self,
        recipient: Recipient,
        until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        match until {
            Some(until) => self.conn.execute(
                "INSERT INTO quiet_until (recipient, until) VALUES (?1, ?2)
                 ON CONFLICT (recipient) DO UPDATE SET until = excluded.until",
                params![recipient.key(), to_ts(until)],
            )?,
            None => self.conn.execute(
                "DELETE FROM quiet_until WHERE recipient = ?1",
                [recipient.key()],
            )?,
        };
        Ok(())
    }

    /// Records that `keys` were delivered to `recipient` at `at`.
    pub fn record_sent(
        &mut self,
        recipient: Recipient,
        alerts: &[Alert],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let r = recipient.key();
        self.tx(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO dedup_ledger (recipient, dedup_key, sent_at, priority) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (recipient, dedup_key) DO UPDATE SET sent_at = excluded.sent_at, priority = excluded.priority",
            )?;
            let mut count =
                tx.prepare_cached("INSERT INTO deliveries (at, recipient, priority) VALUES (?1, ?2, ?3)")?;
            for alert in alerts {
                stmt.execute(params![r, alert.dedup_key, to_ts(at), alert.priority.as_str()])?;
                count.execute(params![to_ts(at), r, alert.priority.as_str()])?;
            }
            Ok(())
        })
    }

    /// Active snoozes of `recipient` (expired ones are pruned).
    pub fn snoozes(&self, recipient: Recipient, now: DateTime<Utc>) -> Result<Vec<Snooze>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT scope, until, priority FROM snoozes WHERE recipient = ?1 AND until > ?2 ORDER BY until",
        )?;
        let rows = stmt.query_map(params![recipient.key(), to_ts(now)], snooze_of)?;
        Ok(rows
            .filter_map(|r| r.transpose())
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Key snoozes of `recipient` that ended in the last day (kept so that an alert still
    /// holding comes back marked ↺; see `ChatState::ended_snooze`).
    pub fn ended_key_snoozes(
        &self,
        recipient: Recipient,
        now: DateTime<Utc>,
    ) -> Result<Vec<Snooze>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT scope, until, priority FROM snoozes WHERE recipient = ?1 AND until <= ?2 AND until > ?3
             AND scope LIKE 'key:%' ORDER BY until",
        )?;
        let rows = stmt.query_map(
            params![recipient.key(), to_ts(now), to_ts(now - ENDED_SNOOZE_KEPT)],
            snooze_of,
        )?;
        Ok(rows
            .filter_map(|r| r.transpose())
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Snoozes `scope` for `recipient` until `until` (replacing an earlier snooze of the same
    /// scope); a key snooze remembers the alert's `priority` (a higher one ends it early).
    pub fn snooze(
        &mut self,
        recipient: Recipient,
        scope: &SnoozeScope,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.snooze_at(recipient, scope, until, None, now)
    }

    /// [`Store::snooze`] with the priority the key was snoozed at.
    pub fn snooze_at(
        &mut self,
        recipient: Recipient,
        scope: &SnoozeScope,
        until: DateTime<Utc>,
        priority: Option<Priority>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO snoozes (recipient, scope, until, created_at, priority) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (recipient, scope) DO UPDATE SET until = excluded.until,
                 created_at = excluded.created_at, priority = excluded.priority",
            params![
                recipient.key(),
                scope.encode(),
                to_ts(until),
                to_ts(now),
                priority.map(Priority::as_str)
            ],
        )?;
        self.conn.execute(
            "DELETE FROM snoozes WHERE until <= ?1",
            [to_ts(now - ENDED_SNOOZE_KEPT)],
        )?;
        Ok(())
    }

    /// Removes the key snoozes of `keys` for `recipient` (ended, escalated past, or undone).
    pub fn end_key_snoozes(&mut self, recipient: Recipient, keys: &[String]) -> Result<()> {
        let r = recipient.key();
        self.tx(|tx| {
            let mut del =
                tx.prepare_cached("DELETE FROM snoozes WHERE recipient = ?1 AND scope = ?2")?;
            for key in keys {
                del.execute(params![r, SnoozeScope::Key(key.clone()).encode()])?;
            }
            Ok(())
        })
    }

    /// Removes the acknowledgements of `keys` for `recipient` (an `Undo`).
    pub fn unacknowledge(&mut self, recipient: Recipient, keys: &[String]) -> Result<()> {
        let r = recipient.key();
        self.tx(|tx| {
            let mut del =
                tx.prepare_cached("DELETE FROM acks WHERE recipient = ?1 AND dedup_key = ?2")?;
            for key in keys {
                del.execute(params![r, key])?;
            }
            Ok(())
        })
    }

    /// Removes `recipient`'s class and global snoozes (not the alerts' own), for an `Undo`
    /// that puts back the ones it had before.
    pub fn clear_general_snoozes(&mut self, recipient: Recipient) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM snoozes WHERE recipient = ?1 AND scope NOT LIKE 'key:%'",
            [recipient.key()],
        )?)
    }

    /// Forgets the recipient's own quiet hours (the config's apply again).
    pub fn clear_quiet_hours(&mut self, recipient: Recipient) -> Result<()> {
        self.conn.execute(
            "DELETE FROM quiet_settings WHERE recipient = ?1",
            [recipient.key()],
        )?;
        Ok(())
    }

    /// Clears every snooze of `recipient`; returns how many were active.
    pub fn clear_snoozes(&mut self, recipient: Recipient) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM snoozes WHERE recipient = ?1",
            [recipient.key()],
        )?)
    }

    pub fn acks(&self, recipient: Recipient) -> Result<BTreeSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT dedup_key FROM acks WHERE recipient = ?1")?;
        let keys = stmt.query_map([recipient.key()], |row| row.get::<_, String>(0))?;
        Ok(keys.collect::<rusqlite::Result<_>>()?)
    }

    pub fn acknowledge(
        &mut self,
        recipient: Recipient,
        dedup_key: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO acks (recipient, dedup_key, acked_at) VALUES (?1, ?2, ?3)",
            params![recipient.key(), dedup_key, to_ts(now)],
        )?;
        Ok(())
    }

    /// Drops acknowledgements (for every recipient) of keys in `classes` whose condition no
    /// longer holds, so the alert comes back when the condition does. Returns how many.
    pub fn clear_stale_acks(
        &mut self,
        classes: &[AlertClass],
        holding: &BTreeSet<String>,
    ) -> Result<usize> {
        self.tx(|tx| {
            let mut stale = Vec::new();
            {
                let mut stmt = tx.prepare_cached("SELECT recipient, dedup_key FROM acks")?;
                let rows = stmt.query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })?;
                for row in rows {
                    let (recipient, key) = row?;
                    let class = key
                        .split(':')
                        .next()
                        .and_then(|c| c.parse::<AlertClass>().ok());
                    if class.is_some_and(|c| classes.contains(&c)) && !holding.contains(&key) {
                        stale.push((recipient, key));
                    }
                }
            }
            let mut del =
                tx.prepare_cached("DELETE FROM acks WHERE recipient = ?1 AND dedup_key = ?2")?;
            for (recipient, key) in &stale {
                del.execute(params![recipient, key])?;
            }
            Ok(stale.len())
        })
    }

    /// The recipient's own quiet hours, if it set any with `/quiet`.
    pub fn quiet_hours(&self, recipient: Recipient) -> Result<Option<QuietHours>> {
        Ok(self
            .conn
            .query_row(
                "SELECT enabled, start_hour, end_hour FROM quiet_settings WHERE recipient = ?1",
                [recipient.key()],
                |row| {
                    Ok(QuietHours {
                        enabled: row.get::<_, i64>(0)? != 0,
                        start: row.get::<_, u8>(1)?,
                        end: row.get::<_, u8>(2)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn set_quiet_hours(
        &mut self,
        recipient: Recipient,
        quiet: QuietHours,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO quiet_settings (recipient, enabled, start_hour, end_hour, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![recipient.key(), quiet.enabled as i64, quiet.start, quiet.end, to_ts(now)],
        )?;
        Ok(())
    }

    /// Keeps alerts held by quiet hours for the recipient's morning digest (one per key,
    /// the latest version wins).
    pub fn hold(
        &mut self,
        recipient: Recipient,
        alerts: &[Alert],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let r = recipient.key();
        self.tx(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO held_alerts (recipient, dedup_key, alert_json, held_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (recipient, dedup_key) DO UPDATE SET alert_json = excluded.alert_json",
            )?;
            for alert in alerts {
                let json = serde_json::to_string(&StoredAlert::from(alert)).unwrap_or_default();
                stmt.execute(params![r, alert.dedup_key, json, to_ts(now)])?;
            }
            Ok(())
        })
    }

    pub fn clear_held(&mut self, recipient: Recipient) -> Result<()> {
        self.conn.execute(
            "DELETE FROM held_alerts WHERE recipient = ?1",
            [recipient.key()],
        )?;
        Ok(())
    }
}

/// How long an ended key snooze is kept (for the alert's ↺ return).
const ENDED_SNOOZE_KEPT: chrono::Duration = chrono::Duration::days(1);

/// A snooze row (`scope, until, priority`); `None` for a scope this version cannot read.
fn snooze_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Snooze>> {
    let scope: String = row.get(0)?;
    let until: i64 = row.get(1)?;
    let priority: Option<String> = row.get(2)?;
    Ok(SnoozeScope::decode(&scope).map(|scope| Snooze {
        scope,
        until: from_ts(until),
        priority: priority.and_then(|p| p.parse().ok()),
    }))
}

/// An alert as kept in the database (the fields `Alert` skips in serde included).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredAlert {
    #[serde(flatten)]
    alert: Alert,
    #[serde(default)]
    subject_label: Option<String>,
    #[serde(default)]
    renotify_after_secs: Option<i64>,
}

impl From<&Alert> for StoredAlert {
    fn from(alert: &Alert) -> StoredAlert {
        StoredAlert {
            alert: alert.clone(),
            subject_label: alert.subject_label.clone(),
            renotify_after_secs: alert.renotify_after.map(|d| d.num_seconds()),
        }
    }
}

impl StoredAlert {
    pub(crate) fn into_alert(self) -> Alert {
        let mut alert = self.alert;
        alert.subject_label = self.subject_label;
        alert.renotify_after = self.renotify_after_secs.map(chrono::Duration::seconds);
        alert
    }
}
