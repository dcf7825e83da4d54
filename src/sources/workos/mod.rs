//! WorkOS: the user's task manager, read from its MCP server's SQLite cache and from its
//! Postgres database.
//!
//! - [`cache`]: the cache file (SQLite, read-only; work tasks only), fresh while synced
//!   within `cache_ttl`;
//! - [`postgres`]: the database (work and personal tasks), one read-only transaction per read;
//! - [`chain`]: the fallback chain over the two, behind their circuit breakers.
//!
//! Both readers answer the same question (every open task plus those changed inside the
//! window, clients, one goal per date) and share the rules below, so the two cannot drift.
//! Never writes what it reads; the fixtures that write these schemas live in `src/fixtures/`.

pub mod cache;
pub(crate) mod chain;
pub mod postgres;

pub use cache::{STALE_AFTER, WorkosCache, is_stale};
pub use chain::read_workos;

use chrono::{DateTime, NaiveDate, Utc};

use super::{DailyGoal, Task};

/// The daily points target when a goal row leaves it null (`docs/data-sources.md` §3: 18).
pub const DEFAULT_TARGET_POINTS: i64 = 18;

/// Whether a task belongs to the window starting at `since`: every task that is not done,
/// and done ones created, updated or completed at or after `since`.
pub fn in_window(task: &Task, since: DateTime<Utc>) -> bool {
    !task.is_done()
        || [task.created_at, task.updated_at, task.completed_at]
            .into_iter()
            .flatten()
            .any(|t| t >= since)
}

/// Keeps the last row of each date (rows come ordered by date, then id).
pub fn last_goal_per_date(goals: Vec<DailyGoal>) -> Vec<DailyGoal> {
    let mut out: Vec<DailyGoal> = Vec::with_capacity(goals.len());
    for goal in goals {
        match out.last_mut() {
            Some(prev) if prev.date == goal.date => *prev = goal,
            _ => out.push(goal),
        }
    }
    out
}

/// A goal row as both readers see it: its date text and the integer columns `target_points`,
/// `earned_points`, `task_count`, `current_streak` (by position 1–4; null reads as the
/// default). `None` when the date does not parse (the row is skipped).
pub fn goal_from(date: &str, int: impl Fn(usize) -> Option<i64>) -> Option<DailyGoal> {
    Some(DailyGoal {
        date: parse_goal_date(date)?,
        target_points: int(1).unwrap_or(DEFAULT_TARGET_POINTS),
        earned_points: int(2).unwrap_or(0),
        task_count: int(3).unwrap_or(0),
        current_streak: int(4).unwrap_or(0),
    })
}

/// A goal's date: `YYYY-MM-DD`, also accepting a full ISO timestamp whose first ten
/// characters are the date.
pub fn parse_goal_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_dates_accept_plain_dates_and_timestamps() {
        let want = NaiveDate::from_ymd_opt(2026, 1, 24);
        assert_eq!(parse_goal_date("2026-01-24"), want);
        assert_eq!(parse_goal_date("2026-01-24T05:00:00.000Z"), want);
        assert_eq!(parse_goal_date("24.01.2026"), None);
        assert_eq!(parse_goal_date("é"), None);
    }
}
