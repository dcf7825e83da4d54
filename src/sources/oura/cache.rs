//! The Oura cache reader: the Oura MCP server's SQLite file, opened read-only.
//!
//! Owns the windowed queries over `readiness_data`, `sleep_data` and `activity_data` (by the
//! indexed `day` column, both bounds inclusive), decoding their JSON documents into an
//! [`OuraSnapshot`], and `cache_meta.last_sync_time`. The document decoders live in
//! [`super::parse`], shared with the API fallback. Never writes the file; rows whose day or
//! JSON cannot be decoded are skipped and counted, never fatal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use super::parse;
use crate::sources::sqlite::{self as reader, DEFAULT_BUSY_TIMEOUT, str_of, text_of};
use crate::sources::{OuraSnapshot, SourceError};

const WHAT: &str = "Oura cache";

pub(super) const READINESS_SQL: &str = "SELECT day, data FROM readiness_data \
     WHERE day BETWEEN ?1 AND ?2 ORDER BY day, cached_at, id";
pub(super) const SLEEP_SQL: &str = "SELECT day, data FROM sleep_data \
     WHERE day BETWEEN ?1 AND ?2 ORDER BY day, cached_at, id";
pub(super) const ACTIVITY_SQL: &str = "SELECT day, data FROM activity_data \
     WHERE day BETWEEN ?1 AND ?2 ORDER BY day, cached_at, id";
const LAST_SYNC_SQL: &str = "SELECT value FROM cache_meta WHERE key = 'last_sync_time'";

/// Every statement the reader runs; all are prepared at open to catch schema drift.
const QUERIES: [&str; 4] = [READINESS_SQL, SLEEP_SQL, ACTIVITY_SQL, LAST_SYNC_SQL];

/// An open, read-only Oura cache. Holds one SQLite connection: use it from one thread at a
/// time (e.g. inside `spawn_blocking`).
#[derive(Debug)]
pub struct OuraCache {
    conn: Connection,
    path: PathBuf,
}

impl OuraCache {
    /// Opens the cache read-only with a 2 s busy timeout. See [`OuraCache::open_with_timeout`].
    pub fn open(path: &Path) -> Result<OuraCache, SourceError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens the cache read-only, tolerating the writer's `-wal`/`-shm` siblings.
    /// No file → `Missing`; not SQLite, corrupt, or a missing table/column → `Permanent`;
    /// busy/locked for longer than `busy_timeout` → `Transient`.
    pub fn open_with_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<OuraCache, SourceError> {
        let conn = reader::open_read_only(WHAT, path, busy_timeout, &QUERIES)?;
        Ok(OuraCache {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the days `from..=to` in one read transaction (a consistent view while the
    /// writer works). Stress stays empty: the cache has no stress table.
    pub fn read(&self, from: NaiveDate, to: NaiveDate) -> Result<OuraSnapshot, SourceError> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| reader::map_error(WHAT, e))?;
        let mut skipped = 0;
        let readiness =
            self.docs::<parse::ReadinessFields>(READINESS_SQL, from, to, &mut skipped)?;
        let sleep = self.docs::<parse::SleepFields>(SLEEP_SQL, from, to, &mut skipped)?;
        let activity = self.docs::<parse::ActivityFields>(ACTIVITY_SQL, from, to, &mut skipped)?;
        let last_sync = self.last_sync()?;
        tx.commit().map_err(|e| reader::map_error(WHAT, e))?;

        Ok(OuraSnapshot {
            readiness: last_per_day(readiness, |r| r.day),
            sleep: parse::select_nights(sleep),
            activity: last_per_day(activity, |a| a.day),
            stress: Vec::new(),
            last_sync,
            skipped_rows: skipped,
        })
    }

    /// `cache_meta.last_sync_time`: when the phone last synced into the cache. A missing or
    /// unparsable value is `None`.
    pub fn last_sync(&self) -> Result<Option<DateTime<Utc>>, SourceError> {
        let mut stmt = self
            .conn
            .prepare_cached(LAST_SYNC_SQL)
            .map_err(|e| reader::map_error(WHAT, e))?;
        let mut rows = stmt.query([]).map_err(|e| reader::map_error(WHAT, e))?;
        let value = match rows.next().map_err(|e| reader::map_error(WHAT, e))? {
            Some(row) => row.get_ref(0).ok().and_then(text_of),
            None => None,
        };
        Ok(value.as_deref().and_then(reader::parse_utc_timestamp))
    }

    /// The documents `D` of one table inside the window; rows with an unparsable day,
    /// non-text data or data that is not a JSON object are counted in `skipped`.
    fn docs<D: parse::Document>(
        &self,
        sql: &str,
        from: NaiveDate,
        to: NaiveDate,
        skipped: &mut u32,
    ) -> Result<Vec<D::Item>, SourceError> {
        let map = |e| reader::map_error(WHAT, e);
        let mut stmt = self.conn.prepare_cached(sql).map_err(map)?;
        let mut rows = stmt.query([day_text(from), day_text(to)]).map_err(map)?;
        let mut docs = Vec::new();
        while let Some(row) = rows.next().map_err(map)? {
            let day = row.get_ref(0).ok().and_then(str_of);
            let data = row.get_ref(1).ok().and_then(str_of);
            match day.and_then(parse::parse_day).zip(data) {
                Some((day, data)) => match parse::from_json::<D>(data, day) {
                    Some(doc) => docs.push(doc),
                    None => *skipped = skipped.saturating_add(1),
                },
                None => *skipped = skipped.saturating_add(1),
            }
        }
        Ok(docs)
    }
}

/// Keeps the last item of each day (rows come ordered by day, then `cached_at`).
pub(super) fn last_per_day<T>(items: Vec<T>, day: impl Fn(&T) -> NaiveDate) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match out.last_mut() {
            Some(prev) if day(prev) == day(&item) => *prev = item,
            _ => out.push(item),
        }
    }
    out
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}
