//! Item snapshots and punts: the history procrastination is counted from.
//!
//! The sources hold no reschedule history, so each cycle the store compares every commitment
//! and WorkOS task with its previous snapshot: a commitment whose `due_date` moved later, or a
//! task that left `active` without being done, is one punt.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

use rusqlite::params;

use super::{Result, Store, to_ts};

/// How often one item was punted inside the lookback window, as counted from the snapshots
/// (a commitment's `due_date` moved later, a WorkOS task leaving `active` without being done).
#[derive(Debug, Clone, PartialEq)]
pub struct PuntCount {
    /// `commitment:<id>` or `task:<id>`.
    pub item_key: String,
    pub title: String,
    pub count: u32,
}

/// The current state of one tracked item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSnapshot {
    /// `commitment:<id>` or `task:<id>`.
    pub item_key: String,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub status: String,
}

/// Why an item counts as punted between two snapshots, if it does.
pub fn punt_reason(previous: &ItemSnapshot, current: &ItemSnapshot) -> Option<String> {
    if let (Some(before), Some(after)) = (previous.due_date, current.due_date)
        && after > before
        && !matches!(current.status.as_str(), "completed" | "cancelled" | "done")
    {
        return Some(format!("due date moved from {before} to {after}"));
    }
    if previous.status == "active" && matches!(current.status.as_str(), "queued" | "backlog") {
        return Some(format!("moved from active to {}", current.status));
    }
    None
}

impl Store {
    /// Compares `items` with their previous snapshots, records punts, and saves the new
    /// snapshots. Returns how many punts were recorded.
    pub fn record_snapshots(
        &mut self,
        items: &[ItemSnapshot],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        self.tx(|tx| {
            // Every previous snapshot in one scan: at 100× the data (34 000 items) one
            // lookup per item was most of a steady cycle.
            let mut previous: HashMap<String, ItemSnapshot> = HashMap::with_capacity(items.len());
            let mut all =
                tx.prepare_cached("SELECT item_key, title, due_date, status FROM item_snapshots")?;
            let rows = all.query_map([], |row| {
                Ok(ItemSnapshot {
                    item_key: row.get(0)?,
                    title: row.get(1)?,
                    due_date: row
                        .get::<_, Option<String>>(2)?
                        .and_then(|d| d.parse().ok()),
                    status: row.get(3)?,
                })
            })?;
            for snapshot in rows {
                let snapshot = snapshot?;
                previous.insert(snapshot.item_key.clone(), snapshot);
            }
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO item_snapshots (item_key, title, due_date, status, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut punt = tx.prepare_cached(
                "INSERT INTO punts (item_key, title, at, reason) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut punts = 0;
            for item in items {
                // Taken as it is seen: an id listed twice in one read is never a punt of itself.
                let before = previous.remove(&item.item_key);
                if let Some(reason) = before.as_ref().and_then(|p| punt_reason(p, item)) {
                    punt.execute(params![item.item_key, item.title, to_ts(now), reason])?;
                    punts += 1;
                }
                if before.as_ref() != Some(item) {
                    put.execute(params![
                        item.item_key,
                        item.title,
                        item.due_date.map(|d| d.to_string()),
                        item.status,
                        to_ts(now)
                    ])?;
                }
            }
            Ok(punts)
        })
    }

    /// Punts per item since `since`, most punted first.
    pub fn punt_counts(&self, since: DateTime<Utc>) -> Result<Vec<PuntCount>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_key, (SELECT title FROM punts p2 WHERE p2.item_key = p.item_key ORDER BY at DESC, id DESC LIMIT 1),
                    COUNT(*)
             FROM punts p WHERE at >= ?1 GROUP BY item_key ORDER BY COUNT(*) DESC, item_key",
        )?;
        let rows = stmt.query_map([to_ts(since)], |row| {
            Ok(PuntCount {
                item_key: row.get(0)?,
                title: row.get(1)?,
                count: row.get::<_, i64>(2)?.max(0) as u32,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn item(due: &str, status: &str) -> ItemSnapshot {
        ItemSnapshot {
            item_key: "commitment:a".into(),
            title: "Memphis report".into(),
            due_date: due.parse().ok(),
            status: status.into(),
        }
    }

    #[test]
    fn counts_due_date_moves_and_ignores_unchanged_or_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let t0 = Utc::now();
        let steps = [
            ("2026-11-20", 0),
            ("2026-11-20", 0),
            ("2026-11-22", 1),
            ("2026-11-21", 0),
            ("2026-11-25", 1),
        ];
        for (i, (due, expected)) in steps.into_iter().enumerate() {
            let n = store
                .record_snapshots(&[item(due, "pending")], t0 + Duration::hours(i as i64))
                .unwrap();
            assert_eq!(n, expected, "step {i}");
        }
        let counts = store.punt_counts(t0 - Duration::days(7)).unwrap();
        assert_eq!(
            counts,
            vec![PuntCount {
                item_key: "commitment:a".into(),
                title: "Memphis report".into(),
                count: 2
            }]
        );
        assert!(
            store
                .punt_counts(t0 + Duration::days(1))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn an_id_listed_twice_in_one_read_is_never_a_punt_of_itself() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let t0 = Utc::now();
        let twice = [item("2026-11-20", "pending"), item("2026-11-22", "pending")];
        for i in 0..3 {
            let n = store
                .record_snapshots(&twice, t0 + Duration::hours(i))
                .unwrap();
            assert_eq!(n, 0, "cycle {i}");
        }
        // A real move after that still counts.
        let moved = store
            .record_snapshots(&[item("2026-11-25", "pending")], t0 + Duration::hours(3))
            .unwrap();
        assert_eq!(moved, 1);
    }

    #[test]
    fn a_task_leaving_active_undone_is_a_punt_but_done_is_not() {
        let task = |status: &str| ItemSnapshot {
            item_key: "task:7".into(),
            title: "T".into(),
            due_date: None,
            status: status.into(),
        };
        assert!(punt_reason(&task("active"), &task("backlog")).is_some());
        assert!(punt_reason(&task("active"), &task("queued")).is_some());
        assert!(punt_reason(&task("active"), &task("done")).is_none());
        assert!(punt_reason(&task("queued"), &task("backlog")).is_none());
    }
}
