//! The Oura cache reader on real SQLite files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use operator::fixtures::{
    OuraTable, activity_doc, create_oura_cache, insert_oura_doc, insert_oura_raw,
    legacy_daily_sleep_doc, readiness_doc, set_oura_last_sync, sleep_period_doc,
};
use operator::sources::oura::OuraCache;
use operator::sources::{Activity, Readiness, SleepNight, SourceError};
use rusqlite::Connection;
use serde_json::{Value, json};

use super::{day, noise, utc};

const SHORT: Duration = Duration::from_millis(50);

fn cached_at() -> DateTime<Utc> {
    utc("2026-01-25T12:00:00.000Z")
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    conn: Connection,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("oura-health.db");
    let conn = create_oura_cache(&path).expect("create cache");
    Fixture {
        _dir: dir,
        path,
        conn,
    }
}

impl Fixture {
    fn doc(&self, table: OuraTable, id: &str, day: NaiveDate, doc: &Value) {
        insert_oura_doc(&self.conn, table, id, &day.to_string(), doc, cached_at()).expect("insert");
    }

    fn readiness(&self, d: &str, score: f64) {
        let r = Readiness {
            day: day(d),
            score: Some(score),
            ..Readiness::default()
        };
        self.doc(
            OuraTable::Readiness,
            &format!("r-{d}"),
            day(d),
            &readiness_doc(&r),
        );
    }

    fn sleep(&self, id: &str, d: &str, kind: &str, hours: f64) {
        let night = SleepNight {
            day: day(d),
            kind: kind.to_owned(),
            total_sleep_seconds: Some(hours * 3600.0),
            ..SleepNight::default()
        };
        self.doc(OuraTable::Sleep, id, day(d), &sleep_period_doc(&night));
    }

    fn read(&self, from: &str, to: &str) -> operator::sources::OuraSnapshot {
        let cache = OuraCache::open(&self.path).expect("open");
        cache.read(day(from), day(to)).expect("read")
    }
}

#[test]
fn window_bounds_are_inclusive_and_every_table_is_read() {
    let f = fixture();
    for (d, score) in [
        ("2026-01-19", 90.0),
        ("2026-01-20", 80.0),
        ("2026-01-24", 60.0),
        ("2026-01-25", 50.0),
    ] {
        f.readiness(d, score);
        let a = Activity {
            day: day(d),
            score: Some(score),
            steps: Some(4321.0),
            active_calories: None,
        };
        f.doc(
            OuraTable::Activity,
            &format!("a-{d}"),
            day(d),
            &activity_doc(&a),
        );
        f.sleep(&format!("s-{d}"), d, "long_sleep", 7.0);
    }
    set_oura_last_sync(&f.conn, utc("2026-01-25T11:58:01.250Z")).expect("meta");

    let snap = f.read("2026-01-20", "2026-01-24");
    let days = |v: Vec<NaiveDate>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let want = ["2026-01-20", "2026-01-24"];
    assert_eq!(days(snap.readiness.iter().map(|r| r.day).collect()), want);
    assert_eq!(days(snap.activity.iter().map(|a| a.day).collect()), want);
    assert_eq!(days(snap.sleep.iter().map(|s| s.day).collect()), want);
    assert_eq!(snap.readiness[0].score, Some(80.0));
    assert_eq!(snap.activity[1].steps, Some(4321.0));
    assert_eq!(snap.last_sync, Some(utc("2026-01-25T11:58:01.250Z")));
    assert_eq!((snap.skipped_rows, snap.stress.len()), (0, 0));

    let one_day = f.read("2026-01-25", "2026-01-25");
    assert_eq!(
        one_day.readiness.len(),
        1,
        "a one-day window includes that day"
    );
    assert!(
        f.read("2026-01-26", "2026-02-10").readiness.is_empty(),
        "past the data"
    );
}

#[test]
fn several_sleep_rows_per_day_pick_the_night_and_count_naps() {
    let f = fixture();
    f.sleep("a1", "2026-01-21", "late_nap", 8.0);
    f.sleep("a2", "2026-01-21", "long_sleep", 6.0);
    f.sleep("b1", "2026-01-22", "sleep", 1.5);
    f.sleep("b2", "2026-01-22", "sleep", 4.75);
    f.sleep("b3", "2026-01-22", "rest", 0.5);
    f.doc(
        OuraTable::Sleep,
        "c0",
        day("2026-01-23"),
        &legacy_daily_sleep_doc(day("2026-01-23"), Some(81.0)),
    );
    f.sleep("c1", "2026-01-23", "long_sleep", 7.25);
    f.doc(
        OuraTable::Sleep,
        "d0",
        day("2026-01-24"),
        &legacy_daily_sleep_doc(day("2026-01-24"), Some(66.0)),
    );

    let nights = f.read("2026-01-21", "2026-01-24").sleep;
    let got: Vec<_> = nights
        .iter()
        .map(|n| {
            (
                n.day.to_string(),
                n.kind.as_str(),
                n.total_sleep_hours(),
                n.score,
                n.naps,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-01-21".to_owned(), "long_sleep", Some(6.0), None, 1),
            ("2026-01-22".to_owned(), "sleep", Some(4.75), None, 2),
            ("2026-01-23".to_owned(), "long_sleep", Some(7.25), None, 0),
            ("2026-01-24".to_owned(), "daily_sleep", None, Some(66.0), 0),
        ]
    );
}

#[test]
fn null_and_missing_fields_decode_as_none() {
    let f = fixture();
    let d = day("2026-01-24");
    f.doc(
        OuraTable::Readiness,
        "r",
        d,
        &json!({"day": "2026-01-24", "score": null}),
    );
    f.doc(OuraTable::Activity, "a", d, &json!({}));
    let mut night = sleep_period_doc(&SleepNight {
        day: d,
        kind: "long_sleep".into(),
        ..Default::default()
    });
    if let Some(obj) = night.as_object_mut() {
        obj.remove("average_hrv");
        obj.remove("bedtime_start");
    }
    f.doc(OuraTable::Sleep, "s", d, &night);

    let snap = f.read("2026-01-24", "2026-01-24");
    assert_eq!(
        snap.readiness,
        vec![Readiness {
            day: d,
            ..Readiness::default()
        }]
    );
    assert_eq!(
        snap.activity,
        vec![Activity {
            day: d,
            ..Activity::default()
        }]
    );
    let n = &snap.sleep[0];
    assert_eq!(
        (n.average_hrv, n.bedtime_start, n.total_sleep_seconds),
        (None, None, None)
    );
    assert_eq!(snap.skipped_rows, 0);
}

#[test]
fn undecodable_rows_are_skipped_and_counted() {
    let f = fixture();
    f.readiness("2026-01-22", 70.0);
    let raw = |table, id: &str, d: &str, data: &str| {
        insert_oura_raw(&f.conn, table, id, d, data, cached_at()).expect("insert raw");
    };
    raw(
        OuraTable::Readiness,
        "bad-json",
        "2026-01-23",
        "{\"score\": 7",
    );
    raw(OuraTable::Readiness, "not-object", "2026-01-23", "[1, 2]");
    raw(OuraTable::Sleep, "bad-day", "2026-01-21T", "{}");
    raw(OuraTable::Activity, "empty", "2026-01-22", "");
    f.conn
        .execute(
            "INSERT INTO activity_data VALUES ('blob', '2026-01-22', x'ff00', '', '')",
            [],
        )
        .expect("insert blob");

    let snap = f.read("2026-01-20", "2026-01-24");
    assert_eq!(snap.readiness.len(), 1);
    assert_eq!(snap.skipped_rows, 5);
}

#[test]
fn last_sync_accepts_z_offset_and_fractional_forms() {
    let f = fixture();
    let cache = OuraCache::open(&f.path).expect("open");
    assert_eq!(
        cache.last_sync().expect("read"),
        None,
        "no last_sync_time yet"
    );
    let cases = [
        ("2026-01-24T16:11:52Z", Some("2026-01-24T16:11:52Z")),
        (
            "2026-01-24T16:11:52.123456Z",
            Some("2026-01-24T16:11:52.123456Z"),
        ),
        ("2026-01-24T11:11:52-05:00", Some("2026-01-24T16:11:52Z")),
        ("not a time", None),
    ];
    for (stored, want) in cases {
        f.conn
            .execute(
                "INSERT OR REPLACE INTO cache_meta (key, value, updated_at) VALUES ('last_sync_time', ?1, '')",
                [stored],
            )
            .expect("set");
        assert_eq!(cache.last_sync().expect("read"), want.map(utc), "{stored}");
    }
}

#[test]
fn missing_file_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = OuraCache::open(&dir.path().join("oura-health.db")).expect_err("no file");
    assert!(matches!(err, SourceError::Missing { .. }), "{err}");
}

#[test]
fn random_bytes_empty_files_and_directories_are_permanent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let noisy = dir.path().join("noise.db");
    std::fs::write(&noisy, noise(8192)).expect("write");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    let mut header_then_noise = b"SQLite format 3\0".to_vec();
    header_then_noise.extend(noise(4096));
    let torn = dir.path().join("torn.db");
    std::fs::write(&torn, header_then_noise).expect("write");

    for path in [noisy, empty, torn, dir.path().to_path_buf()] {
        let err = OuraCache::open(&path).expect_err("unusable file opened");
        assert!(
            matches!(err, SourceError::Permanent { .. }),
            "{}: {err}",
            path.display()
        );
        assert!(!err.is_transient());
    }
}

#[test]
fn schema_drift_is_permanent_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing_column = dir.path().join("column.db");
    create_oura_cache(&missing_column)
        .and_then(|c| c.execute_batch("ALTER TABLE sleep_data RENAME COLUMN data TO payload"))
        .expect("drift column");
    let missing_table = dir.path().join("table.db");
    create_oura_cache(&missing_table)
        .and_then(|c| c.execute_batch("DROP TABLE cache_meta"))
        .expect("drift table");

    for path in [missing_column, missing_table] {
        let err = OuraCache::open(&path).expect_err("drifted schema opened");
        assert!(matches!(err, SourceError::Permanent { .. }), "{err}");
        assert!(err.to_string().contains("schema drift"), "{err}");
    }
}

#[test]
fn corrupt_pages_behind_a_valid_header_are_permanent() {
    let f = fixture();
    for i in 0..200 {
        f.readiness(&format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1), 70.0);
    }
    f.conn
        .pragma_update(None, "journal_mode", "DELETE")
        .expect("checkpoint");
    let Fixture { _dir, path, conn } = f;
    drop(conn);
    let mut bytes = std::fs::read(&path).expect("read db");
    assert!(bytes.len() > 8192, "several pages");
    let tail = bytes.len() - 4096;
    bytes.splice(4096.., noise(tail));
    std::fs::write(&path, bytes).expect("corrupt db");

    let result = OuraCache::open(&path).and_then(|c| c.read(day("2025-01-01"), day("2025-12-31")));
    let err = result.expect_err("corrupt pages read");
    assert!(matches!(err, SourceError::Permanent { .. }), "{err}");
}

/// A rollback-journal database whose writer holds an EXCLUSIVE transaction.
fn exclusively_locked(path: &Path) -> Connection {
    let setup = create_oura_cache(path).expect("create");
    setup
        .pragma_update(None, "journal_mode", "DELETE")
        .expect("journal mode");
    drop(setup);
    let writer = Connection::open(path).expect("writer");
    writer.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    writer
}

#[test]
fn a_locked_file_is_transient_at_open_and_at_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("oura-health.db");
    let writer = exclusively_locked(&path);
    let err = OuraCache::open_with_timeout(&path, SHORT).expect_err("opened under a lock");
    assert!(err.is_transient(), "{err}");
    writer.execute_batch("COMMIT").expect("unlock");

    let cache = OuraCache::open_with_timeout(&path, SHORT).expect("open unlocked");
    writer.execute_batch("BEGIN EXCLUSIVE").expect("relock");
    let err = cache
        .read(day("2026-01-01"), day("2026-01-31"))
        .expect_err("read under a lock");
    assert!(err.is_transient(), "{err}");
    writer.execute_batch("COMMIT").expect("unlock");
    assert!(
        cache.read(day("2026-01-01"), day("2026-01-31")).is_ok(),
        "lock released"
    );
}

#[test]
fn wal_siblings_and_an_open_writer_do_not_block_reads() {
    let f = fixture();
    f.readiness("2026-01-24", 77.0);
    f.conn
        .execute_batch("BEGIN IMMEDIATE")
        .expect("writer transaction");
    f.readiness("2026-01-23", 11.0); // uncommitted: invisible to the reader
    let wal = f.path.with_file_name("oura-health.db-wal");
    let shm = f.path.with_file_name("oura-health.db-shm");
    assert!(
        wal.exists() && shm.exists(),
        "writer keeps -wal/-shm siblings"
    );

    let cache = OuraCache::open_with_timeout(&f.path, SHORT).expect("open beside a writer");
    let snap = cache
        .read(day("2026-01-20"), day("2026-01-25"))
        .expect("read beside a writer");
    let scores: Vec<_> = snap.readiness.iter().map(|r| r.score).collect();
    assert_eq!(scores, vec![Some(77.0)]);

    f.conn.execute_batch("COMMIT").expect("commit");
    let snap = cache
        .read(day("2026-01-20"), day("2026-01-25"))
        .expect("read after commit");
    assert_eq!(snap.readiness.len(), 2, "a later read sees the commit");
}
