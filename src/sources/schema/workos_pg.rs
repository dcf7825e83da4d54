//! The WorkOS Postgres schema (`DATA_SOURCES.md` §3.1) and fixture inserts, for tests and
//! fixtures only: Operator never writes the user's database.
//!
//! Naive `timestamp` columns hold UTC wall time; `subtasks` is `jsonb`; `clients.is_active`
//! is an integer 0/1; `backlog_entered_at` and `points_adjusted_at` are `timestamptz`.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::sources::{Client, DailyGoal, Task};

/// The three tables Operator reads, with every column the real schema has.
pub const WORKOS_POSTGRES_DDL: &str = "
CREATE TABLE clients (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    type text NOT NULL DEFAULT 'client',
    color text,
    is_active integer NOT NULL DEFAULT 1,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE tasks (
    id serial PRIMARY KEY,
    client_id integer REFERENCES clients (id),
    title text NOT NULL,
    description text,
    status text NOT NULL DEFAULT 'backlog',
    category text NOT NULL DEFAULT 'work',
    value_tier text,
    effort_estimate integer,
    effort_actual integer,
    drain_type text,
    cognitive_load text,
    sort_order integer,
    subtasks jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    completed_at timestamp,
    backlog_entered_at timestamptz,
    points_ai_guess integer,
    points_final integer,
    points_adjusted_at timestamptz
);
CREATE INDEX tasks_status_idx ON tasks (status);
CREATE INDEX tasks_updated_at_idx ON tasks (updated_at);
CREATE INDEX tasks_completed_at_idx ON tasks (completed_at);
CREATE TABLE daily_goals (
    id serial PRIMARY KEY,
    date date NOT NULL UNIQUE,
    target_points integer NOT NULL DEFAULT 18,
    earned_points integer NOT NULL DEFAULT 0,
    task_count integer NOT NULL DEFAULT 0,
    current_streak integer NOT NULL DEFAULT 0,
    longest_streak integer NOT NULL DEFAULT 0,
    readiness_score integer,
    energy_level text,
    updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
";

/// Creates the WorkOS tables on `conn`.
pub async fn create_workos_postgres(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::raw_sql(WORKOS_POSTGRES_DDL).execute(conn).await?;
    Ok(())
}

fn naive(t: Option<DateTime<Utc>>) -> Option<chrono::NaiveDateTime> {
    t.map(|t| t.naive_utc())
}

/// Inserts `task` with its id; `subtasks` is the jsonb array (e.g. `[{"title":…,"done":…}]`).
pub async fn insert_pg_task(
    conn: &mut PgConnection,
    task: &Task,
    subtasks: &serde_json::Value,
) -> sqlx::Result<()> {
    let created = naive(task.created_at).unwrap_or_default();
    sqlx::query(
        "INSERT INTO tasks (id, client_id, title, status, category, value_tier, effort_estimate, \
             points_ai_guess, points_final, subtasks, created_at, updated_at, completed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)",
    )
    .bind(i32::try_from(task.id).unwrap_or(i32::MAX))
    .bind(task.client_id.and_then(|c| i32::try_from(c).ok()))
    .bind(&task.title)
    .bind(&task.status)
    .bind(task.category.as_deref().unwrap_or("work"))
    .bind(&task.value_tier)
    .bind(task.effort_estimate.and_then(|v| i32::try_from(v).ok()))
    .bind(task.points_ai_guess.and_then(|v| i32::try_from(v).ok()))
    .bind(task.points_final.and_then(|v| i32::try_from(v).ok()))
    .bind(subtasks.to_string())
    .bind(created)
    .bind(naive(task.updated_at).unwrap_or(created))
    .bind(naive(task.completed_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_pg_client(conn: &mut PgConnection, client: &Client) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO clients (id, name, type, is_active) VALUES ($1, $2, $3, $4)")
        .bind(i32::try_from(client.id).unwrap_or(i32::MAX))
        .bind(&client.name)
        .bind(&client.kind)
        .bind(i32::from(client.is_active))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_pg_goal(conn: &mut PgConnection, goal: &DailyGoal) -> sqlx::Result<()> {
    let int = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    sqlx::query(
        "INSERT INTO daily_goals (date, target_points, earned_points, task_count, current_streak) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(goal.date)
    .bind(int(goal.target_points))
    .bind(int(goal.earned_points))
    .bind(int(goal.task_count))
    .bind(int(goal.current_streak))
    .execute(conn)
    .await?;
    Ok(())
}
