//! The WorkOS MCP server's SQLite cache schema (`DATA_SOURCES.md` §3.2) and fixture inserts.
//!
//! Ids and counts are `INTEGER`, text and timestamps `TEXT` (ISO UTC ending in `Z`, as
//! JavaScript's `toISOString` writes them), `subtasks` is JSON text.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{iso_utc_millis, set_meta};
use crate::sources::{Client, DailyGoal, Task};

const WORKOS_DDL: &str = "
CREATE TABLE IF NOT EXISTS cached_tasks (
    id INTEGER PRIMARY KEY,
    client_id INTEGER,
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    category TEXT,
    value_tier TEXT,
    effort_estimate INTEGER,
    effort_actual INTEGER,
    drain_type TEXT,
    sort_order INTEGER,
    subtasks TEXT,
    created_at TEXT,
    updated_at TEXT,
    completed_at TEXT,
    backlog_entered_at TEXT,
    points_ai_guess INTEGER,
    points_final INTEGER,
    points_adjusted_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_cached_tasks_status ON cached_tasks(status);
CREATE INDEX IF NOT EXISTS idx_cached_tasks_updated_at ON cached_tasks(updated_at);
CREATE INDEX IF NOT EXISTS idx_cached_tasks_completed_at ON cached_tasks(completed_at);
CREATE TABLE IF NOT EXISTS cached_clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT,
    color TEXT,
    is_active INTEGER,
    created_at TEXT
);
CREATE TABLE IF NOT EXISTS cached_daily_goals (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,
    target_points INTEGER,
    earned_points INTEGER,
    task_count INTEGER,
    current_streak INTEGER,
    longest_streak INTEGER,
    last_goal_hit_date TEXT,
    daily_debt INTEGER,
    weekly_debt INTEGER,
    pressure_level TEXT,
    updated_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_cached_daily_goals_date ON cached_daily_goals(date);
CREATE TABLE IF NOT EXISTS cache_meta (
    key TEXT PRIMARY KEY,
    value TEXT,
    updated_at TEXT
);
";

/// Creates (or opens) a WorkOS cache at `path` in the WorkOS MCP server's schema, WAL mode.
/// Returns the read-write connection for inserts.
pub fn create_workos_cache(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch(WORKOS_DDL)?;
    Ok(conn)
}

/// Inserts (or replaces) a task. Columns the [`Task`] struct does not carry get the values a
/// fresh WorkOS task has: no description, no actual effort or drain type, sort order 0,
/// `subtasks = '[]'`, `backlog_entered_at` set to `created_at` for backlog tasks.
pub fn insert_workos_task(conn: &Connection, task: &Task) -> rusqlite::Result<()> {
    let backlog_entered_at = if task.status == "backlog" {
        task.created_at
    } else {
        None
    };
    conn.execute(
        "INSERT OR REPLACE INTO cached_tasks (
            id, client_id, title, description, status, category, value_tier,
            effort_estimate, effort_actual, drain_type, sort_order, subtasks,
            created_at, updated_at, completed_at, backlog_entered_at,
            points_ai_guess, points_final, points_adjusted_at
         ) VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, NULL, NULL, 0, '[]',
                   ?8, ?9, ?10, ?11, ?12, ?13, NULL)",
        params![
            task.id,
            task.client_id,
            task.title,
            task.status,
            task.category,
            task.value_tier,
            task.effort_estimate,
            opt_iso(task.created_at),
            opt_iso(task.updated_at),
            opt_iso(task.completed_at),
            opt_iso(backlog_entered_at),
            task.points_ai_guess,
            task.points_final,
        ],
    )?;
    Ok(())
}

/// Inserts (or replaces) a client; `color` and `created_at` stay null.
pub fn insert_workos_client(conn: &Connection, client: &Client) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO cached_clients (id, name, type, color, is_active, created_at)
         VALUES (?1, ?2, ?3, NULL, ?4, NULL)",
        params![
            client.id,
            client.name,
            client.kind,
            i64::from(client.is_active)
        ],
    )?;
    Ok(())
}

/// Inserts a daily goal row (a new `id` each time). `longest_streak` copies
/// `current_streak`, debts are 0, `pressure_level` is `normal`.
pub fn insert_workos_goal(conn: &Connection, goal: &DailyGoal) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO cached_daily_goals (
            date, target_points, earned_points, task_count, current_streak, longest_streak,
            last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at
         ) VALUES (?1, ?2, ?3, ?4, ?5, ?5, NULL, 0, 0, 'normal', NULL)",
        params![
            goal.date.format("%Y-%m-%d").to_string(),
            goal.target_points,
            goal.earned_points,
            goal.task_count,
            goal.current_streak,
        ],
    )?;
    Ok(())
}

/// Sets `cache_meta.lastSyncAt` (camelCase, as the WorkOS server writes it).
pub fn set_workos_last_sync(conn: &Connection, at: DateTime<Utc>) -> rusqlite::Result<()> {
    set_meta(conn, "lastSyncAt", &iso_utc_millis(at), at)
}

fn opt_iso(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(iso_utc_millis)
}
