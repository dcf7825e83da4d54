//! The WorkOS cache reader: the WorkOS MCP server's SQLite file, opened read-only.
//!
//! Owns the windowed task query (every non-done task plus those updated or completed since
//! a bound, through the cache's indexes), clients, daily goals since the bound's date, the
//! `cache_meta.lastSyncAt` freshness and the 15-minute staleness rule. Timestamps are ISO
//! UTC text ending in `Z`; an unparsable one is `None`. Never writes the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, Row};

use super::{goal_from, in_window, last_goal_per_date};
use crate::sources::sqlite::{
    self as reader, DEFAULT_BUSY_TIMEOUT, int_of, parse_utc_timestamp, text_of,
};
use crate::sources::{Client, DailyGoal, SourceError, Task, WorkosSnapshot};

const WHAT: &str = "WorkOS cache";

/// How old `lastSyncAt` may be before the cache counts as stale.
pub const STALE_AFTER: TimeDelta = TimeDelta::minutes(15);

/// Every task that is not done, or was updated or completed at or after `?1`.
///
/// Written as a union of index searches so the cost follows the window, not the table: a
/// plain `status != 'done' OR …` makes SQLite scan every task (`!=` cannot use the status
/// index), and so would any term on `created_at`, which the cache does not index. A done
/// task created inside the window is still found through `updated_at`, which its writer
/// sets at or after `created_at`.
const TASKS_SQL: &str = "SELECT id, client_id, title, status, category, value_tier, \
     effort_estimate, points_ai_guess, points_final, created_at, updated_at, completed_at \
     FROM cached_tasks \
     WHERE rowid IN ( \
           SELECT rowid FROM cached_tasks WHERE status IS NULL \
           UNION SELECT rowid FROM cached_tasks WHERE status < 'done' \
           UNION SELECT rowid FROM cached_tasks WHERE status > 'done' \
           UNION SELECT rowid FROM cached_tasks WHERE updated_at >= ?1 \
           UNION SELECT rowid FROM cached_tasks WHERE completed_at >= ?1) \
     ORDER BY id";
const CLIENTS_SQL: &str = "SELECT id, name, type, is_active FROM cached_clients ORDER BY id";
const GOALS_SQL: &str = "SELECT date, target_points, earned_points, task_count, current_streak \
     FROM cached_daily_goals WHERE date >= ?1 ORDER BY date, id";
const LAST_SYNC_SQL: &str = "SELECT value FROM cache_meta WHERE key = 'lastSyncAt'";

/// Every statement the reader runs; all are prepared at open to catch schema drift.
const QUERIES: [&str; 4] = [TASKS_SQL, CLIENTS_SQL, GOALS_SQL, LAST_SYNC_SQL];

/// An open, read-only WorkOS cache. Holds one SQLite connection: use it from one thread at a
/// time (e.g. inside `spawn_blocking`).
#[derive(Debug)]
pub struct WorkosCache {
    conn: Connection,
    path: PathBuf,
}

impl WorkosCache {
    /// Opens the cache read-only with a 2 s busy timeout. See
    /// [`WorkosCache::open_with_timeout`].
    pub fn open(path: &Path) -> Result<WorkosCache, SourceError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens the cache read-only, tolerating `-wal`/`-shm` siblings. No file → `Missing`;
    /// not SQLite, corrupt, or a missing table/column → `Permanent`; busy/locked for longer
    /// than `busy_timeout` → `Transient`.
    pub fn open_with_timeout(
        path: &Path,
        busy_timeout: Duration,
    ) -> Result<WorkosCache, SourceError> {
        let conn = reader::open_read_only(WHAT, path, busy_timeout, &QUERIES)?;
        Ok(WorkosCache {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads, in one read transaction: every non-done task plus tasks updated or completed
    /// at or after `since` (see [`TASKS_SQL`]); all clients; daily goals dated on or after `since`'s
    /// UTC date (for the Americas that is never later than the local date); `lastSyncAt`.
    pub fn read(&self, since: DateTime<Utc>) -> Result<WorkosSnapshot, SourceError> {
        let map = |e| reader::map_error(WHAT, e);
        let tx = self.conn.unchecked_transaction().map_err(map)?;
        let tasks = self
            .rows(TASKS_SQL, [sql_bound(since)], task_from_row)?
            .into_iter()
            .filter(|t| in_window(t, since))
            .collect();
        let clients = self.rows(CLIENTS_SQL, [], client_from_row)?;
        let goals = self.rows(
            GOALS_SQL,
            [since.date_naive().format("%Y-%m-%d").to_string()],
            goal_from_row,
        )?;
        let last_sync = self.last_sync()?;
        tx.commit().map_err(map)?;
        Ok(WorkosSnapshot {
            tasks,
            clients,
            goals: last_goal_per_date(goals),
            last_sync,
        })
    }

    /// `cache_meta.lastSyncAt` (ISO text, or epoch milliseconds); unparsable → `None`.
    pub fn last_sync(&self) -> Result<Option<DateTime<Utc>>, SourceError> {
        let values = self.rows(LAST_SYNC_SQL, [], |row| {
            row.get_ref(0).ok().and_then(text_of)
        })?;
        Ok(values.first().and_then(|v| parse_sync_value(v)))
    }

    /// Runs `sql` with `params` and decodes each row; rows `decode` rejects are skipped.
    fn rows<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        decode: impl Fn(&Row<'_>) -> Option<T>,
    ) -> Result<Vec<T>, SourceError> {
        let map = |e| reader::map_error(WHAT, e);
        let mut stmt = self.conn.prepare_cached(sql).map_err(map)?;
        let mut rows = stmt.query(params).map_err(map)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map)? {
            if let Some(item) = decode(row) {
                out.push(item);
            }
        }
        Ok(out)
    }
}

/// Whether the cache's last sync is missing or older than [`STALE_AFTER`] at `now`.
/// Exactly 15 minutes old is still fresh; a sync in the future (clock skew) is fresh.
pub fn is_stale(last_sync: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last_sync {
        None => true,
        Some(at) => now.signed_duration_since(at) > STALE_AFTER,
    }
}

/// The SQL bound for the timestamp columns: `since` truncated to whole seconds, without a
/// suffix. ISO texts compare as strings, and `…:52` sorts before `…:52Z` and `…:52.123Z`,
/// so rows inside that second are included; [`super::in_window`] then applies the exact bound.
fn sql_bound(since: DateTime<Utc>) -> String {
    since.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn task_from_row(row: &Row<'_>) -> Option<Task> {
    let int = |i: usize| row.get_ref(i).ok().and_then(int_of);
    let text = |i: usize| row.get_ref(i).ok().and_then(text_of);
    let time = |i: usize| text(i).as_deref().and_then(parse_utc_timestamp);
    Some(Task {
        id: int(0)?,
        client_id: int(1),
        title: text(2).unwrap_or_default(),
        status: text(3).unwrap_or_default(),
        category: text(4),
        value_tier: text(5),
        effort_estimate: int(6),
        points_ai_guess: int(7),
        points_final: int(8),
        created_at: time(9),
        updated_at: time(10),
        completed_at: time(11),
    })
}

fn client_from_row(row: &Row<'_>) -> Option<Client> {
    let int = |i: usize| row.get_ref(i).ok().and_then(int_of);
    let text = |i: usize| row.get_ref(i).ok().and_then(text_of);
    Some(Client {
        id: int(0)?,
        name: text(1).unwrap_or_default(),
        kind: text(2).unwrap_or_else(|| "client".to_owned()),
        // A null flag means the writer never deactivated the client.
        is_active: int(3).is_none_or(|flag| flag != 0),
    })
}

fn goal_from_row(row: &Row<'_>) -> Option<DailyGoal> {
    let int = |i: usize| row.get_ref(i).ok().and_then(int_of);
    let date = row.get_ref(0).ok().and_then(text_of)?;
    goal_from(&date, int)
}

/// ISO text as written by `toISOString`, or epoch milliseconds (`Date.now()`).
fn parse_sync_value(value: &str) -> Option<DateTime<Utc>> {
    let trimmed = value.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return trimmed
            .parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_millis);
    }
    parse_utc_timestamp(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_utc_timestamp(text).unwrap_or_default()
    }

    /// Runs `sql` on a cache holding `old` done tasks from long before the window plus a few
    /// in it; returns the rows and how many table-scan steps SQLite took.
    fn scan_steps(sql: &str, old: i64) -> (usize, i32) {
        use crate::fixtures::{create_workos_cache, insert_workos_task};
        let dir = tempfile::tempdir().unwrap();
        let conn = create_workos_cache(&dir.path().join("cache.db")).unwrap();
        let task = |id: i64, status: &str, when: &str, completed: Option<&str>| Task {
            id,
            title: format!("task {id}"),
            status: status.to_owned(),
            created_at: Some(at(when)),
            updated_at: Some(at(when)),
            completed_at: completed.map(at),
            ..Task::default()
        };
        conn.execute_batch("BEGIN").unwrap();
        for id in 0..old {
            let t = task(
                id,
                "done",
                "2025-06-01T12:00:00Z",
                Some("2025-06-02T12:00:00Z"),
            );
            insert_workos_task(&conn, &t).unwrap();
        }
        for (i, status) in ["active", "queued", "backlog"].iter().enumerate() {
            let t = task(old + i as i64, status, "2025-01-01T12:00:00Z", None);
            insert_workos_task(&conn, &t).unwrap();
        }
        let recent = task(old + 9, "done", "2026-01-22T09:00:00Z", None);
        insert_workos_task(&conn, &recent).unwrap();
        conn.execute_batch("COMMIT").unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map(["2026-01-20T05:00:00"], |r| r.get::<_, i64>(0))
            .unwrap()
            .count();
        (
            rows,
            stmt.get_status(rusqlite::StatementStatus::FullscanStep),
        )
    }

    #[test]
    fn the_task_window_costs_the_same_whatever_the_history() {
        for old in [0, 2_000] {
            let (rows, scanned) = scan_steps(TASKS_SQL, old);
            assert_eq!(rows, 4, "three open tasks and one updated in the window");
            assert_eq!(scanned, 0, "{old} old tasks: the query scanned a table");
        }
        // The naive form of the same window does scan: the check above can fail.
        let naive = "SELECT id FROM cached_tasks WHERE status != 'done' OR updated_at >= ?1";
        assert!(scan_steps(naive, 2_000).1 >= 2_000);
    }

    #[test]
    fn staleness_boundary_is_fifteen_minutes() {
        let now = at("2026-01-24T16:00:00Z");
        let cases = [
            (None, true),
            (Some("2026-01-24T15:45:00Z"), false),
            (Some("2026-01-24T15:44:59.999Z"), true),
            (Some("2026-01-24T15:59:00Z"), false),
            (Some("2026-01-24T16:05:00Z"), false),
        ];
        for (last, want) in cases {
            assert_eq!(is_stale(last.map(at), now), want, "{last:?}");
        }
    }

    #[test]
    fn sql_bound_sorts_at_or_before_every_iso_form_of_the_same_second() {
        let bound = sql_bound(at("2026-01-24T16:11:52.750Z"));
        assert_eq!(bound, "2026-01-24T16:11:52");
        for stored in [
            "2026-01-24T16:11:52Z",
            "2026-01-24T16:11:52.000Z",
            "2026-01-24T16:11:53Z",
        ] {
            assert!(stored >= bound.as_str(), "{stored}");
        }
        assert!("2026-01-24T16:11:51.999Z" < bound.as_str());
    }

    #[test]
    fn sync_values_as_iso_or_epoch_millis() {
        let want = Some(at("2026-01-24T16:11:52.123Z"));
        assert_eq!(parse_sync_value("2026-01-24T16:11:52.123Z"), want);
        assert_eq!(parse_sync_value("1769271112123"), want);
        assert_eq!(parse_sync_value("soon"), None);
        assert_eq!(parse_sync_value(""), None);
    }
}
