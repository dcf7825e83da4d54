//! The foreign schemas Operator reads: the Oura cache and the WorkOS cache (SQLite), and
//! the WorkOS Postgres database (`workos_pg`).
//!
//! This module owns both sides of those schemas:
//! - **writers for fixtures** (the demo and the tests): [`create_oura_cache`],
//!   [`create_workos_cache`], their insert helpers and the JSON document builders in
//!   [`docs`], all producing files in exactly the shapes of `DATA_SOURCES.md` §1 and §3.2;
//! - **the read-only opener** shared by the readers (`reader`, crate-private): flags, busy
//!   timeout and the mapping of SQLite errors to [`SourceError`](super::SourceError).
//!
//! Operator itself never calls the writers on a user's files; they exist so that fixtures are
//! built by the same code that documents the schema.

pub mod docs;
pub(crate) mod reader;
mod workos_ddl;
pub mod workos_pg;

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};

pub use docs::{activity_doc, legacy_daily_sleep_doc, readiness_doc, sleep_period_doc, stress_doc};
pub use reader::parse_utc_timestamp;
pub use workos_ddl::{
    create_workos_cache, insert_workos_client, insert_workos_goal, insert_workos_task,
    set_workos_last_sync,
};

/// The Oura cache tables holding one JSON document per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OuraTable {
    Readiness,
    Sleep,
    Activity,
    /// Exists in the real cache but is always empty.
    HeartRate,
}

impl OuraTable {
    pub fn table_name(self) -> &'static str {
        match self {
            OuraTable::Readiness => "readiness_data",
            OuraTable::Sleep => "sleep_data",
            OuraTable::Activity => "activity_data",
            OuraTable::HeartRate => "heart_rate_data",
        }
    }
}

const OURA_DOC_TABLES: [OuraTable; 4] = [
    OuraTable::Readiness,
    OuraTable::Sleep,
    OuraTable::Activity,
    OuraTable::HeartRate,
];

/// Creates (or opens) an Oura cache at `path` in the Oura MCP server's schema, WAL mode,
/// `cache_meta.schema_version = "1"`. Returns the read-write connection for inserts.
pub fn create_oura_cache(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    for table in OURA_DOC_TABLES {
        let name = table.table_name();
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {name} (
                id TEXT PRIMARY KEY,
                day TEXT NOT NULL,
                data TEXT NOT NULL,
                cached_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS idx_{name}_day ON {name}(day);"
        ))?;
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS api_tokens (
            id INTEGER PRIMARY KEY,
            access_token TEXT,
            refresh_token TEXT,
            expires_at TEXT,
            updated_at TEXT
        );
        CREATE TABLE IF NOT EXISTS cache_meta (
            key TEXT PRIMARY KEY,
            value TEXT,
            updated_at TEXT
        );",
    )?;
    set_meta(&conn, "schema_version", "1", Utc::now())?;
    Ok(conn)
}

/// Inserts (or replaces) one Oura document row. `day` is the `YYYY-MM-DD` column value
/// (a `&str` so tests can write malformed days); `expires_at` is `cached_at + 1 h`.
pub fn insert_oura_doc(
    conn: &Connection,
    table: OuraTable,
    id: &str,
    day: &str,
    json: &serde_json::Value,
    cached_at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    insert_oura_raw(conn, table, id, day, &json.to_string(), cached_at)
}

/// Like [`insert_oura_doc`] but with the `data` text as given (e.g. deliberately broken JSON).
pub fn insert_oura_raw(
    conn: &Connection,
    table: OuraTable,
    id: &str,
    day: &str,
    data: &str,
    cached_at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let sql = format!(
        "INSERT OR REPLACE INTO {} (id, day, data, cached_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        table.table_name()
    );
    conn.execute(
        &sql,
        params![
            id,
            day,
            data,
            iso_utc_millis(cached_at),
            iso_utc_millis(cached_at + Duration::hours(1)),
        ],
    )?;
    Ok(())
}

/// Sets `cache_meta.last_sync_time`, the freshness of the whole Oura cache.
pub fn set_oura_last_sync(conn: &Connection, at: DateTime<Utc>) -> rusqlite::Result<()> {
    set_meta(conn, "last_sync_time", &iso_utc_millis(at), at)
}

/// `2026-01-24T16:11:52.123Z`: how both caches write UTC times (JavaScript's `toISOString`).
pub fn iso_utc_millis(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(crate) fn set_meta(
    conn: &Connection,
    key: &str,
    value: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO cache_meta (key, value, updated_at) VALUES (?1, ?2, ?3)",
        params![key, value, iso_utc_millis(at)],
    )?;
    Ok(())
}
