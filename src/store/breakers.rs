//! Circuit-breaker rows (one per source link, shared by the daemon and `operator check`)
//! and the Oura API response cache. Plain data: the breaker logic lives in
//! `sources::breaker`, the chains in `sources::chain`.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, from_ts, to_ts};

/// One link's breaker as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerRow {
    /// `oura.cache`, `oura.api`, `workos.cache`, `workos.postgres`.
    pub name: String,
    /// Failures in a row.
    pub failures: u32,
    /// When the breaker opened (the start of the outage); `None` while closed.
    pub opened_at: Option<DateTime<Utc>>,
    /// Calls are rejected before this; at or after it the breaker is half open.
    pub open_until: Option<DateTime<Utc>>,
    pub open_period_s: u64,
    pub trial_failures: u32,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Whether the trip was announced (so the recovery is announced once, too).
    pub alerted_open: bool,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "name, failures, opened_at, open_until, open_period_s, trial_failures, \
     last_ok, last_failure, last_error, alerted_open, updated_at";

fn row_to_breaker(row: &Row<'_>) -> rusqlite::Result<BreakerRow> {
    let ts = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(row.get::<_, Option<i64>>(i)?.map(from_ts))
    };
    Ok(BreakerRow {
        name: row.get(0)?,
        failures: row.get::<_, i64>(1)?.clamp(0, i64::from(u32::MAX)) as u32,
        opened_at: ts(2)?,
        open_until: ts(3)?,
        open_period_s: row.get::<_, i64>(4)?.max(0) as u64,
        trial_failures: row.get::<_, i64>(5)?.clamp(0, i64::from(u32::MAX)) as u32,
        last_ok: ts(6)?,
        last_failure: ts(7)?,
        last_error: row.get(8)?,
        alerted_open: row.get::<_, i64>(9)? != 0,
        updated_at: from_ts(row.get(10)?),
    })
}

impl Store {
    /// Every breaker ever recorded, by name.
    pub fn breakers(&self) -> Result<Vec<BreakerRow>> {
        let sql = format!("SELECT {COLUMNS} FROM breakers ORDER BY name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], row_to_breaker)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn breaker(&self, name: &str) -> Result<Option<BreakerRow>> {
        let sql = format!("SELECT {COLUMNS} FROM breakers WHERE name = ?1");
        Ok(self
            .conn
            .query_row(&sql, [name], row_to_breaker)
            .optional()?)
    }

    pub fn save_breaker(&mut self, b: &BreakerRow) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO breakers (name, failures, opened_at, open_until, \
                 open_period_s, trial_failures, last_ok, last_failure, last_error, \
                 alerted_open, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                b.name,
                i64::from(b.failures),
                b.opened_at.map(to_ts),
                b.open_until.map(to_ts),
                i64::try_from(b.open_period_s).unwrap_or(i64::MAX),
                i64::from(b.trial_failures),
                b.last_ok.map(to_ts),
                b.last_failure.map(to_ts),
                b.last_error,
                i64::from(b.alerted_open),
                to_ts(b.updated_at)
            ],
        )?;
        Ok(())
    }

    /// Cached API responses that have not expired at `now`: `(key, body, fetched_at)`.
    pub fn api_cache(&self, now: DateTime<Utc>) -> Result<Vec<(String, String, DateTime<Utc>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, body, fetched_at FROM api_cache WHERE expires_at > ?1 ORDER BY key",
        )?;
        let rows = stmt.query_map([to_ts(now)], |row| {
            Ok((row.get(0)?, row.get(1)?, from_ts(row.get(2)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn put_api_cache(
        &mut self,
        key: &str,
        body: &str,
        fetched_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO api_cache (key, body, fetched_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![key, body, to_ts(fetched_at), to_ts(expires_at)],
        )?;
        Ok(())
    }

    /// Drops cached responses that expired at or before `now`.
    pub fn prune_api_cache(&mut self, now: DateTime<Utc>) -> Result<usize> {
        Ok(self
            .conn
            .execute("DELETE FROM api_cache WHERE expires_at <= ?1", [to_ts(now)])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn breaker_rows_round_trip() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.breaker("oura.api").unwrap(), None);
        let row = BreakerRow {
            name: "oura.api".into(),
            failures: 3,
            opened_at: Some(at(0)),
            open_until: Some(at(60)),
            open_period_s: 60,
            trial_failures: 0,
            last_ok: None,
            last_failure: Some(at(0)),
            last_error: Some("HTTP 500".into()),
            alerted_open: true,
            updated_at: at(0),
        };
        store.save_breaker(&row).unwrap();
        assert_eq!(store.breaker("oura.api").unwrap(), Some(row.clone()));
        let closed = BreakerRow {
            failures: 0,
            opened_at: None,
            open_until: None,
            alerted_open: false,
            ..row
        };
        store.save_breaker(&closed).unwrap();
        assert_eq!(store.breakers().unwrap(), vec![closed]);
    }

    #[test]
    fn api_cache_expires() {
        let mut store = Store::open_in_memory().unwrap();
        store.put_api_cache("a", "[1]", at(0), at(900)).unwrap();
        store.put_api_cache("b", "[2]", at(0), at(60)).unwrap();
        let keys = |s: &Store, t| -> Vec<String> {
            s.api_cache(t)
                .unwrap()
                .into_iter()
                .map(|(k, _, _)| k)
                .collect()
        };
        assert_eq!(keys(&store, at(59)), vec!["a", "b"]);
        assert_eq!(
            keys(&store, at(60)),
            vec!["a"],
            "expired exactly at expires_at"
        );
        assert_eq!(store.prune_api_cache(at(60)).unwrap(), 1);
        assert_eq!(keys(&store, at(0)), vec!["a"]);
    }
}
