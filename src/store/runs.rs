//! Run history, the latest result per monitor and per source, and alert counts: what
//! `operator status` and `/status` report.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store, from_ts, to_ts};
use crate::alert::Priority;

/// One finished check cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// `check`, `schedule`, `bot`, `demo`.
    pub trigger: String,
    pub alerts: u32,
    pub delivered: u32,
    /// `ok` or `degraded` (some source failed or some checks were skipped).
    pub status: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorStatus {
    Ok,
    /// Ran without one of its sources: the checks that need it were skipped.
    Partial,
    /// Its source could not be read: the monitor did not run.
    Skipped,
    Disabled,
}

impl MonitorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorStatus::Ok => "ok",
            MonitorStatus::Partial => "partial",
            MonitorStatus::Skipped => "skipped",
            MonitorStatus::Disabled => "disabled",
        }
    }

    fn parse(s: &str) -> MonitorStatus {
        match s {
            "ok" => MonitorStatus::Ok,
            "partial" => MonitorStatus::Partial,
            "disabled" => MonitorStatus::Disabled,
            _ => MonitorStatus::Skipped,
        }
    }
}

/// The latest result of one monitor.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorRun {
    pub monitor: String,
    pub ran_at: DateTime<Utc>,
    pub status: MonitorStatus,
    pub alerts: u32,
    /// Why it was skipped, or a short summary.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    Ok,
    /// Readable but its data is old (e.g. the WorkOS cache past 15 minutes).
    Stale,
    /// Not configured or the file does not exist.
    Missing,
    Failed,
}

impl SourceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::Ok => "ok",
            SourceState::Stale => "stale",
            SourceState::Missing => "missing",
            SourceState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> SourceState {
        match s {
            "ok" => SourceState::Ok,
            "stale" => SourceState::Stale,
            "missing" => SourceState::Missing,
            _ => SourceState::Failed,
        }
    }
}

/// The latest known state of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    pub source: String,
    pub state: SourceState,
    pub last_ok: Option<DateTime<Utc>>,
    /// How fresh the source's data is (its own last sync time).
    pub data_as_of: Option<DateTime<Utc>>,
    /// Why it failed, or (when it was served) what failed on the way.
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The link that served the data (`cache`, `api`, `postgres`); `None` when nothing did.
    pub via: Option<String>,
}

impl Store {
    pub fn record_run(&mut self, run: &RunRecord) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO runs (started_at, duration_ms, trigger, alerts, delivered, status, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                to_ts(run.started_at),
                run.duration_ms as i64,
                run.trigger,
                run.alerts,
                run.delivered,
                run.status,
                run.error
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn record_monitor(&mut self, run_id: i64, result: &MonitorRun) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO monitor_results (monitor, run_id, ran_at, status, alerts, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![result.monitor, run_id, to_ts(result.ran_at), result.status.as_str(), result.alerts, result.detail],
        )?;
        Ok(())
    }

    /// Records a source's state; `last_ok` is kept from before when this read failed.
    pub fn record_source(&mut self, status: &SourceStatus) -> Result<()> {
        self.conn.execute(
            "INSERT INTO source_status (source, state, last_ok, data_as_of, last_error, updated_at, via)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (source) DO UPDATE SET state = excluded.state,
                 last_ok = COALESCE(excluded.last_ok, source_status.last_ok),
                 data_as_of = COALESCE(excluded.data_as_of, source_status.data_as_of),
                 last_error = excluded.last_error, updated_at = excluded.updated_at,
                 via = excluded.via",
            params![
                status.source,
                status.state.as_str(),
                status.last_ok.map(to_ts),
                status.data_as_of.map(to_ts),
                status.last_error,
                to_ts(status.updated_at),
                status.via
            ],
        )?;
        Ok(())
    }

    pub fn last_run(&self) -> Result<Option<RunRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, started_at, duration_ms, trigger, alerts, delivered, status, error
                 FROM runs ORDER BY started_at DESC, id DESC LIMIT 1",
                [],
                |row| {
                    Ok(RunRecord {
                        id: row.get(0)?,
                        started_at: from_ts(row.get(1)?),
                        duration_ms: row.get::<_, i64>(2)?.max(0) as u64,
                        trigger: row.get(3)?,
                        alerts: row.get(4)?,
                        delivered: row.get(5)?,
                        status: row.get(6)?,
                        error: row.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Drops history older than `before` (runs, deliveries, punts, finished outbox rows) and
    /// dedup ledger entries older than `ledger_before` (past every dedup window): keeps the
    /// database small and every query windowed.
    pub fn prune(&mut self, before: DateTime<Utc>, ledger_before: DateTime<Utc>) -> Result<()> {
        let t = to_ts(before);
        self.conn.execute(
            "DELETE FROM dedup_ledger WHERE sent_at < ?1",
            [to_ts(ledger_before)],
        )?;
        self.conn
            .execute("DELETE FROM runs WHERE started_at < ?1", [t])?;
        self.conn
            .execute("DELETE FROM deliveries WHERE at < ?1", [t])?;
        self.conn.execute("DELETE FROM punts WHERE at < ?1", [t])?;
        self.conn.execute(
            "DELETE FROM outbox WHERE status != 'pending' AND created_at < ?1",
            [t],
        )?;
        for sql in [
            "DELETE FROM briefs WHERE queued_at < ?1",
            "DELETE FROM reviews WHERE queued_at < ?1",
            "DELETE FROM feedback WHERE at < ?1",
            "DELETE FROM changes WHERE created_at < ?1",
            "DELETE FROM suggestions WHERE created_at < ?1",
        ] {
            self.conn.execute(sql, [t])?;
        }
        Ok(())
    }

    /// Rows in one of Operator's tables (for the soak's figures); `None` for a name that is
    /// not one of them.
    pub fn row_count(&self, table: &str) -> Option<u64> {
        const TABLES: [&str; 11] = [
            "outbox",
            "dedup_ledger",
            "snoozes",
            "acks",
            "briefs",
            "runs",
            "deliveries",
            "held_alerts",
            "feedback",
            "changes",
            "suggestions",
        ];
        let table = TABLES.into_iter().find(|t| *t == table)?;
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .ok()
            .map(|n| n.max(0) as u64)
    }

    pub fn run_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get::<_, i64>(0))?
            .max(0) as u64)
    }

    pub fn monitor_results(&self) -> Result<Vec<MonitorRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT monitor, ran_at, status, alerts, detail FROM monitor_results ORDER BY monitor",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(MonitorRun {
                monitor: row.get(0)?,
                ran_at: from_ts(row.get(1)?),
                status: MonitorStatus::parse(&row.get::<_, String>(2)?),
                alerts: row.get(3)?,
                detail: row.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn source_statuses(&self) -> Result<Vec<SourceStatus>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, state, last_ok, data_as_of, last_error, updated_at, via FROM source_status ORDER BY source",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok(SourceStatus {
                source: row.get(0)?,
                state: SourceState::parse(&row.get::<_, String>(1)?),
                last_ok: row.get::<_, Option<i64>>(2)?.map(from_ts),
                data_as_of: row.get::<_, Option<i64>>(3)?.map(from_ts),
                last_error: row.get(4)?,
                updated_at: from_ts(row.get(5)?),
                via: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Alerts delivered since `since` (e.g. local midnight), by priority, highest first.
    pub fn alert_counts(&self, since: DateTime<Utc>) -> Result<Vec<(Priority, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT priority, COUNT(*) FROM deliveries WHERE at >= ?1 GROUP BY priority",
        )?;
        let rows = stmt.query_map([to_ts(since)], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?;
        let mut out: Vec<(Priority, u64)> = Vec::new();
        for row in rows {
            let (p, n) = row?;
            if let Ok(p) = p.parse() {
                out.push((p, n.max(0) as u64));
            }
        }
        out.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        Ok(out)
    }
}
