//! What Telegram's pacing must remember across restarts: a 429 pause still in force, and
//! which chats were written to in the last seconds (from the outbox's delivery times), so a
//! restarted daemon (or an `operator check` beside it) neither writes into a pause nor to a
//! chat that just got a message.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store, from_ts, to_ts};

const PAUSE_KEY: &str = "telegram.paused_until";

impl Store {
    /// The end of the last 429 pause Telegram asked for, if it is still ahead of `now`.
    pub fn telegram_pause(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM kv WHERE key = ?1", [PAUSE_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value
            .and_then(|v| v.parse::<i64>().ok())
            .map(from_ts)
            .filter(|until| *until > now))
    }

    /// Records a 429 pause until `until` (rounded up to the second); a shorter one never
    /// replaces a longer one still in force.
    pub fn set_telegram_pause(&mut self, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
        let ceil = to_ts(until) + i64::from(until.timestamp_subsec_nanos() > 0);
        self.conn.execute(
            "INSERT INTO kv (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET
                 value = CASE WHEN CAST(value AS INTEGER) > CAST(excluded.value AS INTEGER)
                              THEN value ELSE excluded.value END,
                 updated_at = excluded.updated_at",
            params![PAUSE_KEY, ceil.to_string(), to_ts(now)],
        )?;
        Ok(())
    }

    /// Each chat's latest Telegram delivery at or after `since`.
    pub fn recent_telegram_deliveries(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT recipient, MAX(delivered_at) FROM outbox
             WHERE delivered_at IS NOT NULL AND delivered_at >= ?1 AND channel = 'telegram'
             GROUP BY recipient",
        )?;
        let rows = stmt.query_map([to_ts(since)], |r| {
            Ok((r.get::<_, String>(0)?, from_ts(r.get::<_, i64>(1)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn a_pause_survives_reopening_and_is_never_shortened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("operator.db");
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 14, 0, 0).unwrap();
        {
            let mut store = Store::open(&path).unwrap();
            assert_eq!(store.telegram_pause(now).unwrap(), None);
            store
                .set_telegram_pause(now + Duration::milliseconds(30_500), now)
                .unwrap();
            store
                .set_telegram_pause(now + Duration::seconds(5), now)
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.telegram_pause(now).unwrap(),
            Some(now + Duration::seconds(31)),
            "rounded up, the longer pause kept"
        );
        assert_eq!(
            store.telegram_pause(now + Duration::seconds(31)).unwrap(),
            None,
            "over once it has passed"
        );
    }
}
