//! Operator's own state database (SQLite, WAL, file mode 0600): the dedup ledger, snoozes,
//! acknowledgements and quiet-hour settings per recipient, alerts held for the morning digest,
//! the delivery outbox, item snapshots and punts (for procrastination), run history,
//! per-monitor and per-source results, counters, the circuit breakers of the source links,
//! the Oura API response cache and Telegram's pacing across restarts.
//!
//! Only this module writes the state database. Times are stored as UTC unix seconds.
//! Schema changes are embedded migrations keyed on `PRAGMA user_version`.
//! A [`Store`] owns one connection; callers that share it across tasks wrap it in a mutex and
//! use it from blocking code only.

mod breakers;
mod chat;
mod feedback;
mod migrations;
mod outbox;
mod runs;
mod snapshots;
mod telegram_pace;

pub use breakers::BreakerRow;
pub use feedback::{Change, DeliveredAlert, Feedback, FeedbackKind, StoredSuggestion, rule_of};
pub use outbox::{OutboxRow, OutboxStatus, QueuedMessage};
pub use runs::{MonitorRun, MonitorStatus, RunRecord, SourceState, SourceStatus};
pub use snapshots::{ItemSnapshot, PuntCount, punt_reason};

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags};

/// Why the state database could not be used.
///
/// Each message carries its cause itself and no variant exposes it again as `source()`, so
/// an error chain printed with `{:#}` names the cause once (it said "Not a directory (os
/// error 20): Not a directory (os error 20)", without the file).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the state directory {path}: {error}")]
    CreateDir {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot create the state database {path}: {error}")]
    CreateFile {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot write the state database {path}: {error}")]
    NotWritable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot open the state database {path}: {error}")]
    Open {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error(
        "state database {path} has schema version {found}, newer than this build understands ({supported}); upgrade operator"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("state database error: {0}")]
    Sql(rusqlite::Error),
    #[error("state database file error: {0}")]
    Io(std::io::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Sql(error)
    }
}

impl From<std::io::Error> for StoreError {
    fn from(error: std::io::Error) -> StoreError {
        StoreError::Io(error)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The state database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed, with mode 0600 and parent directories) and migrates the
    /// state database.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        precreate_private_file(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| StoreError::Open {
            path: path.to_owned(),
            error,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
        };
        migrations::migrate(&mut store.conn, path)?;
        Ok(store)
    }

    /// Opens the state database read-only, without creating or migrating it (for
    /// `operator status` and `check --dry-run`). `Ok(None)` when it does not exist yet.
    pub fn open_existing(path: &Path) -> Result<Option<Store>> {
        if !path.exists() {
            return Ok(None);
        }
        Store::open(path).map(Some)
    }

    /// `PRAGMA quick_check` of the database at `path`, opened read-only (for `operator
    /// doctor`, which changes nothing): `Ok(None)` when it is sound, else what SQLite found.
    /// A file that is not a database at all is reported the same way.
    pub fn integrity(path: &Path) -> Result<Option<String>> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|error| StoreError::Open {
            path: path.to_owned(),
            error,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let rows: rusqlite::Result<Vec<String>> = conn
            .prepare("PRAGMA quick_check")
            .and_then(|mut stmt| stmt.query_map([], |row| row.get::<_, String>(0))?.collect());
        Ok(match rows {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => None,
            Ok(rows) => Some(rows.into_iter().take(3).collect::<Vec<_>>().join("; ")),
            Err(e) => Some(e.to_string()),
        })
    }

    /// A throwaway in-memory store (for `check --dry-run` before any state exists).
    pub fn open_in_memory() -> Result<Store> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory().map_err(|error| StoreError::Open {
            path: path.clone(),
            error,
        })?;
        migrations::migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Frees the memory the connection can (its page cache): `PRAGMA shrink_memory`.
    pub fn release_memory(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA shrink_memory")?;
        Ok(())
    }

    /// Runs `f` atomically: a transaction of its own, or a savepoint inside the
    /// [`Store::batch`] around it.
    pub(crate) fn tx<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let savepoint = self.conn.savepoint()?;
        let out = f(&savepoint)?;
        savepoint.commit()?;
        Ok(out)
    }

    /// Runs `f` with every write it makes in one transaction: committed when `f` returns
    /// `Ok`, rolled back when it fails, panics or the commit fails. One lock and one commit
    /// instead of one per statement, and a page changed by many writes goes to the WAL once:
    /// the check cycle writes through this.
    pub fn batch<T, E>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        if !self.conn.is_autocommit() {
            // A batch whose rollback failed: what it wrote was never committed.
            self.conn
                .execute_batch("ROLLBACK")
                .map_err(StoreError::from)?;
        }
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)?;
        // A panic inside must not leave the transaction open: every later write on this
        // connection (the sender's outcomes) would land in it and be rolled back with it.
        let out = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self))) {
            Ok(out) => out,
            Err(panic) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                std::panic::resume_unwind(panic);
            }
        };
        let out = out.and_then(|value| {
            self.conn
                .execute_batch("COMMIT")
                .map_err(StoreError::from)?;
            Ok(value)
        });
        if out.is_err() && !self.conn.is_autocommit() {
            // Nothing of a failed batch stays; should the rollback itself fail, the next
            // batch's check above ends the transaction.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        out
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|error| StoreError::CreateDir {
        path: dir.to_owned(),
        error,
    })
}

/// Creates `path` empty with mode 0600 if it does not exist, so SQLite (which gives the
/// `-wal` and `-shm` files the database file's mode) never makes a world-readable file.
fn precreate_private_file(path: &Path) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let existed = path.exists();
    let failed = |error| match existed {
        true => StoreError::NotWritable {
            path: path.to_owned(),
            error,
        },
        false => StoreError::CreateFile {
            path: path.to_owned(),
            error,
        },
    };
    options.open(path).map_err(failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(failed)?;
    }
    Ok(())
}

pub(crate) fn to_ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn from_ts(ts: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv_rows(store: &Store) -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM kv", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_batch_is_all_or_nothing_and_a_panic_leaves_no_transaction_open() {
        let mut store = Store::open_in_memory().unwrap();
        let put = |store: &Store, key: &str| {
            store
                .conn
                .execute("INSERT INTO kv VALUES (?1, 'v', 0)", [key])
                .map(|_| ())
        };

        let failed: Result<()> = store.batch(|s| {
            s.tx(|c| Ok(c.execute("INSERT INTO kv VALUES ('nested', 'v', 0)", [])?))?;
            put(s, "a")?;
            Err(StoreError::Sql(rusqlite::Error::InvalidQuery))
        });
        assert!(failed.is_err());
        assert_eq!(
            kv_rows(&store),
            0,
            "a failed batch keeps nothing, nested writes included"
        );

        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<()> = store.batch(|s| {
                put(s, "b")?;
                panic!("a bug in the cycle");
            });
        }));
        assert!(panicked.is_err());
        assert!(
            store.conn.is_autocommit(),
            "the panicked batch was rolled back"
        );
        put(&store, "after").unwrap();
        assert_eq!(kv_rows(&store), 1, "a later write stands on its own");

        let done: Result<()> = store.batch(|s| put(s, "c").map_err(StoreError::from));
        done.unwrap();
        assert_eq!(kv_rows(&store), 2);
    }

    #[test]
    fn creates_private_file_and_migrates_idempotently() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/state/operator.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, migrations::LATEST);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("operator.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 999).unwrap();
        }
        let err = Store::open(&path).err().unwrap();
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
    }
}
