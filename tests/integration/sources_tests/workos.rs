//! The WorkOS cache reader on real SQLite files.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use operator::fixtures::{
    create_workos_cache, insert_workos_client, insert_workos_goal, insert_workos_task,
    set_workos_last_sync,
};
use operator::sources::workos::{WorkosCache, is_stale};
use operator::sources::{Client, DailyGoal, SourceError, Task};
use rusqlite::Connection;

use super::{day, noise, utc};

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    conn: Connection,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cache.db");
    let conn = create_workos_cache(&path).expect("create cache");
    Fixture {
        _dir: dir,
        path,
        conn,
    }
}

fn task(id: i64, status: &str, created: &str, updated: &str, completed: Option<&str>) -> Task {
    Task {
        id,
        title: format!("task {id}"),
        status: status.to_owned(),
        created_at: Some(utc(created)),
        updated_at: Some(utc(updated)),
        completed_at: completed.map(utc),
        ..Task::default()
    }
}

const SINCE: &str = "2026-01-20T05:00:00.500Z";
const OLD: &str = "2026-01-01T12:00:00Z";

#[test]
fn window_selects_open_tasks_and_recent_activity() {
    let f = fixture();
    let tasks = [
        task(1, "active", OLD, OLD, None),
        task(2, "backlog", OLD, OLD, None),
        task(3, "done", OLD, OLD, Some(OLD)),
        task(
            4,
            "done",
            OLD,
            "2026-01-22T09:00:00Z",
            Some("2026-01-22T09:00:00Z"),
        ),
        task(5, "done", OLD, "2026-01-21T10:00:00Z", None),
        task(
            6,
            "done",
            "2026-01-21T08:00:00Z",
            "2026-01-21T08:00:00Z",
            Some(OLD),
        ),
        task(7, "done", OLD, OLD, Some(SINCE)),
        task(8, "done", OLD, OLD, Some("2026-01-20T05:00:00.499Z")),
        task(9, "done", OLD, OLD, Some("2026-01-20T04:59:59.999Z")),
    ];
    for t in &tasks {
        insert_workos_task(&f.conn, t).expect("insert");
    }
    let snap = WorkosCache::open(&f.path)
        .and_then(|c| c.read(utc(SINCE)))
        .expect("read");
    let ids: Vec<_> = snap.tasks.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        vec![1, 2, 4, 5, 6, 7],
        "3, 8 and 9 finished just before the window"
    );
    assert_eq!(
        snap.tasks[0], tasks[0],
        "a task round-trips through the cache"
    );
    assert_eq!(
        snap.tasks[3].finished_at(),
        Some(utc("2026-01-21T10:00:00Z"))
    );
}

#[test]
fn timestamps_without_millis_null_or_garbage() {
    let f = fixture();
    insert_workos_task(&f.conn, &task(1, "done", OLD, OLD, None)).expect("insert");
    f.conn
        .execute_batch(
            "UPDATE cached_tasks SET created_at = '2026-01-24T16:11:52Z',
                 updated_at = 'last tuesday', completed_at = NULL WHERE id = 1",
        )
        .expect("update");
    let snap = WorkosCache::open(&f.path)
        .and_then(|c| c.read(utc("2026-01-24T16:11:52Z")))
        .expect("read");
    let t = &snap.tasks[0];
    assert_eq!(t.created_at, Some(utc("2026-01-24T16:11:52Z")));
    assert_eq!((t.updated_at, t.completed_at), (None, None));
}

#[test]
fn clients_goals_and_last_sync() {
    let f = fixture();
    let acme = Client {
        id: 1,
        name: "Acme".into(),
        kind: "client".into(),
        is_active: true,
    };
    let internal = Client {
        id: 2,
        name: "Ops".into(),
        kind: "internal".into(),
        is_active: false,
    };
    for c in [&acme, &internal] {
        insert_workos_client(&f.conn, c).expect("client");
    }
    for (d, earned) in [("2026-01-19", 20), ("2026-01-21", 9), ("2026-01-20", 12)] {
        let goal = DailyGoal {
            date: day(d),
            target_points: 18,
            earned_points: earned,
            task_count: 3,
            current_streak: 2,
        };
        insert_workos_goal(&f.conn, &goal).expect("goal");
    }
    set_workos_last_sync(&f.conn, utc("2026-01-21T14:50:00.123Z")).expect("sync");

    let cache = WorkosCache::open(&f.path).expect("open");
    let snap = cache.read(utc("2026-01-20T05:00:00Z")).expect("read");
    assert_eq!(snap.clients, vec![acme, internal]);
    let goals: Vec<_> = snap
        .goals
        .iter()
        .map(|g| (g.date.to_string(), g.earned_points))
        .collect();
    assert_eq!(
        goals,
        vec![("2026-01-20".to_owned(), 12), ("2026-01-21".to_owned(), 9)]
    );
    assert_eq!(snap.last_sync, Some(utc("2026-01-21T14:50:00.123Z")));
    assert_eq!(cache.last_sync().expect("last sync"), snap.last_sync);

    let synced = utc("2026-01-21T14:50:00.123Z");
    assert!(!is_stale(snap.last_sync, synced + TimeDelta::minutes(15)));
    assert!(is_stale(
        snap.last_sync,
        synced + TimeDelta::minutes(15) + TimeDelta::milliseconds(1)
    ));
}

#[test]
fn empty_cache_reads_empty_and_stale() {
    let f = fixture();
    let snap = WorkosCache::open(&f.path)
        .and_then(|c| c.read(DateTime::<Utc>::UNIX_EPOCH))
        .expect("read");
    assert!(snap.tasks.is_empty() && snap.clients.is_empty() && snap.goals.is_empty());
    assert!(is_stale(snap.last_sync, utc("2026-01-21T00:00:00Z")));
}

#[test]
fn missing_corrupt_drifted_and_locked_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("none.db");
    let err = WorkosCache::open(&missing).expect_err("missing");
    assert!(matches!(err, SourceError::Missing { .. }), "{err}");

    let noisy = dir.path().join("noise.db");
    std::fs::write(&noisy, noise(4096)).expect("write");
    let err = WorkosCache::open(&noisy).expect_err("noise");
    assert!(matches!(err, SourceError::Permanent { .. }), "{err}");

    let drifted = dir.path().join("drift.db");
    create_workos_cache(&drifted)
        .and_then(|c| c.execute_batch("ALTER TABLE cached_tasks DROP COLUMN points_final"))
        .expect("drift");
    let err = WorkosCache::open(&drifted).expect_err("drift");
    assert!(err.to_string().contains("schema drift"), "{err}");

    let locked = dir.path().join("locked.db");
    create_workos_cache(&locked)
        .and_then(|c| c.pragma_update(None, "journal_mode", "DELETE"))
        .expect("create");
    let writer = Connection::open(&locked).expect("writer");
    writer.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let err =
        WorkosCache::open_with_timeout(&locked, Duration::from_millis(50)).expect_err("locked");
    assert!(err.is_transient(), "{err}");
}
