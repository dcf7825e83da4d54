//! The WorkOS Postgres reader (`docs/data-sources.md` §3): tasks (work *and* personal; the
//! SQLite cache holds work tasks only), clients and daily goals, as a [`WorkosSnapshot`].
//!
//! The URL's `sslmode` is honoured (Neon requires TLS; rustls does it). One read opens one
//! connection with a connect timeout, runs the three parameterized queries in one
//! `REPEATABLE READ READ ONLY` transaction with a `statement_timeout`, and closes it. Cycles
//! are minutes apart and each read runs on its own short-lived runtime (see `block`), so the
//! "small pool" is a single connection per read: sqlx's `PgPool` would also retry a refused
//! connection internally until its deadline and then report only "pool timed out", hiding
//! the cause and doubling the chain's own retries. Statements are not kept prepared, so
//! poolers in transaction mode (Neon's pgbouncer) work. Naive `timestamp` columns hold UTC
//! wall time. Numeric and text columns are cast in SQL so `int2`/`int4`/`int8` or
//! `date`/`text` variations read the same.
//!
//! Errors are classified by SQLSTATE ([`classify`]) and every message is passed through
//! the config's [`Redactor`] (the URL and its password) before it leaves this module.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgRow};
use sqlx::{Connection, PgConnection, Row};

use super::{goal_from, in_window, last_goal_per_date};
use crate::config::{Redactor, Secret};
use crate::sources::fault::{Fault, FaultKind};
use crate::sources::{Client, DailyGoal, Task, WorkosSnapshot};

/// Connection and statement limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS + authentication.
    pub connect: Duration,
    /// Each statement (`statement_timeout`).
    pub statement: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            statement: Duration::from_secs(10),
        }
    }
}

/// Every task that is not done, or was updated or completed at or after `$1`: terms the
/// status, `updated_at` and `completed_at` indexes can serve (a bitmap OR), so the read follows
/// the window, not the years of done tasks (`IS DISTINCT FROM` and the unindexed
/// `created_at` would scan them all). A done task created inside the window is found through
/// `updated_at`, which is never earlier than `created_at`.
const TASKS_SQL: &str = "SELECT id::int8, client_id::int8, title::text, status::text, \
     category::text, value_tier::text, effort_estimate::int8, points_ai_guess::int8, \
     points_final::int8, created_at, updated_at, completed_at \
     FROM tasks \
     WHERE status IS NULL OR status < 'done' OR status > 'done' \
        OR updated_at >= $1 OR completed_at >= $1 \
     ORDER BY id";
const CLIENTS_SQL: &str =
    "SELECT id::int8, name::text, type::text, is_active::int4 FROM clients ORDER BY id";
const GOALS_SQL: &str = "SELECT date::text, target_points::int8, earned_points::int8, \
     task_count::int8, current_streak::int8 \
     FROM daily_goals WHERE date::text >= $1 ORDER BY date, id";

/// Reads every non-done task plus tasks updated or completed at or after `since` ([`TASKS_SQL`]),
/// all clients, and the daily goals dated on or after `since`'s UTC date. `last_sync` is
/// `now`: the data is live.
pub async fn read(
    url: &Secret,
    redactor: &Redactor,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    timeouts: Timeouts,
) -> Result<WorkosSnapshot, Fault> {
    let redact = |f: Fault| Fault::new(f.kind, redactor.redact(&f.message));
    let options = PgConnectOptions::from_str(url.expose())
        .map_err(|e| redact(classify(&e)))?
        .application_name("operator");
    let limit = timeouts.connect + timeouts.statement.saturating_mul(3);
    let work = async {
        let mut conn = tokio::time::timeout(timeouts.connect, PgConnection::connect_with(&options))
            .await
            .map_err(|_| {
                Fault::transient(format!(
                    "WorkOS Postgres: no connection within {} s",
                    timeouts.connect.as_secs_f64()
                ))
            })?
            .map_err(|e| classify(&e))?;
        let result = read_in_transaction(&mut conn, since, now, timeouts.statement).await;
        // Best effort: the server ends the session anyway when the socket closes.
        let _ = conn.close().await;
        result
    };
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result.map_err(redact),
        Err(_) => Err(Fault::transient(format!(
            "WorkOS Postgres: no answer within {} s",
            limit.as_secs()
        ))),
    }
}

async fn read_in_transaction(
    conn: &mut PgConnection,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    statement_timeout: Duration,
) -> Result<WorkosSnapshot, Fault> {
    let fail = |e: sqlx::Error| classify(&e);
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(fail)?;
    sqlx::query("SELECT set_config('statement_timeout', $1, true)")
        .bind(format!("{}", statement_timeout.as_millis().max(1)))
        .persistent(false)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    let bound = since.naive_utc();
    let tasks = sqlx::query(TASKS_SQL)
        .bind(bound)
        .persistent(false)
        .fetch_all(&mut *tx)
        .await
        .map_err(fail)?
        .iter()
        .map(task_from_row)
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let clients = sqlx::query(CLIENTS_SQL)
        .persistent(false)
        .fetch_all(&mut *tx)
        .await
        .map_err(fail)?
        .iter()
        .map(client_from_row)
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let goals = sqlx::query(GOALS_SQL)
        .bind(since.date_naive().format("%Y-%m-%d").to_string())
        .persistent(false)
        .fetch_all(&mut *tx)
        .await
        .map_err(fail)?
        .iter()
        .filter_map(goal_from_row)
        .collect();
    tx.rollback().await.map_err(fail)?;
    Ok(WorkosSnapshot {
        tasks: tasks.into_iter().filter(|t| in_window(t, since)).collect(),
        clients,
        goals: last_goal_per_date(goals),
        last_sync: Some(now),
    })
}

fn utc(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

fn task_from_row(row: &PgRow) -> Result<Task, sqlx::Error> {
    Ok(Task {
        id: row.try_get(0)?,
        client_id: row.try_get(1)?,
        title: row.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
        status: row.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
        category: row.try_get(4)?,
        value_tier: row.try_get(5)?,
        effort_estimate: row.try_get(6)?,
        points_ai_guess: row.try_get(7)?,
        points_final: row.try_get(8)?,
        created_at: utc(row.try_get(9)?),
        updated_at: utc(row.try_get(10)?),
        completed_at: utc(row.try_get(11)?),
    })
}

fn client_from_row(row: &PgRow) -> Result<Client, sqlx::Error> {
    Ok(Client {
        id: row.try_get(0)?,
        name: row.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
        kind: row
            .try_get::<Option<String>, _>(2)?
            .unwrap_or_else(|| "client".to_owned()),
        // A null flag means the writer never deactivated the client.
        is_active: row
            .try_get::<Option<i32>, _>(3)?
            .is_none_or(|flag| flag != 0),
    })
}

/// A goal row; one whose date does not parse is skipped.
fn goal_from_row(row: &PgRow) -> Option<DailyGoal> {
    let date: String = row.try_get(0).ok()?;
    let int = |i: usize| row.try_get::<Option<i64>, _>(i).ok().flatten();
    goal_from(&date, int)
}

/// The fault class of a sqlx error, by SQLSTATE for database errors:
/// authentication (28…), unknown database (3D000) and missing privileges (42501) are
/// permanent; a drifted schema (42P01 undefined table, 42703 undefined column, 42846/22P02
/// failed casts, decode errors) is invalid; timeouts, shutdowns, connection and resource
/// errors are transient.
pub fn classify(e: &sqlx::Error) -> Fault {
    let kind = match e {
        sqlx::Error::Database(db) => sqlstate_kind(db.code().as_deref().unwrap_or("")),
        sqlx::Error::Configuration(_) | sqlx::Error::Tls(_) => FaultKind::Permanent,
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::RowNotFound => FaultKind::Invalid,
        _ => FaultKind::Transient,
    };
    Fault::new(kind, format!("WorkOS Postgres: {e}"))
}

fn sqlstate_kind(code: &str) -> FaultKind {
    match code {
        "3D000" | "42501" => FaultKind::Permanent,
        c if c.starts_with("28") => FaultKind::Permanent,
        "42P01" | "42703" | "42846" | "42883" | "22P02" | "42804" => FaultKind::Invalid,
        c if ["08", "40", "53", "57", "58"]
            .iter()
            .any(|p| c.starts_with(p)) =>
        {
            FaultKind::Transient
        }
        _ => FaultKind::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_are_classified() {
        let cases = [
            ("28P01", FaultKind::Permanent),
            ("28000", FaultKind::Permanent),
            ("3D000", FaultKind::Permanent),
            ("42501", FaultKind::Permanent),
            ("42P01", FaultKind::Invalid),
            ("42703", FaultKind::Invalid),
            ("57014", FaultKind::Transient),
            ("57P01", FaultKind::Transient),
            ("57P03", FaultKind::Transient),
            ("08006", FaultKind::Transient),
            ("40001", FaultKind::Transient),
            ("53300", FaultKind::Transient),
            ("XX000", FaultKind::Invalid),
        ];
        for (code, want) in cases {
            assert_eq!(sqlstate_kind(code), want, "{code}");
        }
    }

    #[test]
    fn non_database_errors_are_classified() {
        let io = sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "refused",
        ));
        assert_eq!(classify(&io).kind, FaultKind::Transient);
        assert_eq!(
            classify(&sqlx::Error::PoolTimedOut).kind,
            FaultKind::Transient
        );
        let config = sqlx::Error::Configuration("bad sslmode".into());
        assert_eq!(classify(&config).kind, FaultKind::Permanent);
        let decode = sqlx::Error::ColumnNotFound("title".into());
        assert_eq!(classify(&decode).kind, FaultKind::Invalid);
    }

    #[test]
    fn sslmode_in_the_url_is_honoured() {
        use sqlx::postgres::PgSslMode;
        let cases = [
            ("postgres://u:p@h/db?sslmode=disable", PgSslMode::Disable),
            ("postgres://u:p@h/db?sslmode=require", PgSslMode::Require),
            (
                "postgres://u:p@h/db?sslmode=verify-full",
                PgSslMode::VerifyFull,
            ),
            ("postgres://u:p@h/db", PgSslMode::Prefer),
        ];
        for (url, want) in cases {
            let options = PgConnectOptions::from_str(url).map(|o| o.get_ssl_mode());
            assert!(
                matches!(options, Ok(m) if format!("{m:?}") == format!("{want:?}")),
                "{url}"
            );
        }
        let bad = PgConnectOptions::from_str("postgres://u:p@h/db?sslmode=sometimes");
        assert!(bad.is_err());
    }
}
