//! Hostile sources and state through the real binary: the Oura cache deleted, truncated,
//! overwritten with garbage, locked by a writer, or with its schema drifted; the state DB
//! path unwritable. Each cycle still runs the monitors it can, names the failing source,
//! exits as documented, and leaks no secret.

use std::time::{Duration, Instant};

use chrono::Utc;

use super::secrets::{hits, secret_env};
use crate::support::{DemoWorld, run_operator, stderr, stdout};

fn check(world: &DemoWorld) -> (Option<i32>, String, String, Duration) {
    let env = secret_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let started = Instant::now();
    let out = run_operator(
        world.dir.path(),
        &["--config", &world.config_arg(), "check", "--json"],
        &env,
    );
    (
        out.status.code(),
        stdout(&out),
        stderr(&out),
        started.elapsed(),
    )
}

type Fault = (&'static str, fn(&DemoWorld) -> Option<rusqlite::Connection>);

fn faults() -> Vec<Fault> {
    vec![
        ("deleted", |w| {
            std::fs::remove_file(&w.files.oura_db).unwrap();
            None
        }),
        ("truncated", |w| {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(&w.files.oura_db)
                .unwrap();
            let len = f.metadata().unwrap().len();
            f.set_len(len / 3).unwrap();
            None
        }),
        ("corrupted", |w| {
            let mut bytes = std::fs::read(&w.files.oura_db).unwrap();
            for (i, b) in bytes.iter_mut().enumerate().skip(100) {
                *b = (i as u8).wrapping_mul(31);
            }
            std::fs::write(&w.files.oura_db, bytes).unwrap();
            None
        }),
        ("locked by a writer", |w| {
            // An exclusive transaction held open by another connection for the whole check.
            let conn = rusqlite::Connection::open(&w.files.oura_db).unwrap();
            conn.execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
                .unwrap();
            Some(conn)
        }),
        ("schema drift", |w| {
            let conn = rusqlite::Connection::open(&w.files.oura_db).unwrap();
            conn.execute_batch(
                "ALTER TABLE readiness_data RENAME TO readiness_v2;
                 ALTER TABLE sleep_data RENAME COLUMN data TO payload;",
            )
            .unwrap();
            None
        }),
    ]
}

#[test]
fn a_broken_oura_cache_fails_only_the_health_checks() {
    let mut tried = 0;
    for (name, break_it) in faults() {
        let world = DemoWorld::new(Utc::now());
        // Remove the WAL companions first so "truncated" and "corrupted" hit the real data.
        for ext in ["-wal", "-shm"] {
            let mut p = world.files.oura_db.clone().into_os_string();
            p.push(ext);
            let _ = std::fs::remove_file(p);
        }
        let _held = break_it(&world);
        let (code, out, err, took) = check(&world);
        // The cycle completes (exit 0) or reports a runtime failure (1); never a panic (101).
        assert!(matches!(code, Some(0 | 1)), "{name}: exit {code:?}\n{err}");
        assert!(!err.contains("panicked"), "{name}:\n{err}");
        assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
        // Task alerts still come from the State files.
        assert!(
            out.lines().any(|l| l.contains("\"class\":\"tasks\"")),
            "{name}: no task alerts\n{out}\n{err}"
        );
        assert!(
            !out.lines()
                .any(|l| l.contains("\"dedup_key\":\"health:readiness\"")),
            "{name}: readiness alert from a broken cache\n{out}"
        );
        assert!(hits(out.as_bytes()).is_empty() && hits(err.as_bytes()).is_empty());
        let status = run_operator(
            world.dir.path(),
            &["--config", &world.config_arg(), "status"],
            &[],
        );
        assert!(
            stdout(&status).to_lowercase().contains("oura"),
            "{name}: {}",
            stdout(&status)
        );
        tried += 1;
    }
    println!("reliability: Oura cache faults: {tried} kinds, every cycle completed, 0 panics");
}

#[test]
/// Regression: the error said "state database file error: Not a directory (os error 20):
/// Not a directory (os error 20)", without the file and with its cause twice.
fn an_unwritable_state_db_is_an_error_naming_the_file_and_its_cause_once() {
    let world = DemoWorld::new(Utc::now());
    // The state directory is a regular file: nothing can be created under it, even as root.
    let text = std::fs::read_to_string(&world.files.config).unwrap();
    let blocker = world.dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let db = blocker.join("operator.db");
    let text = text.replace(
        &world.files.state_db.display().to_string(),
        &db.display().to_string(),
    );
    std::fs::write(&world.files.config, text).unwrap();
    for args in [vec!["check"], vec!["run"]] {
        let mut full = vec!["--config", world.files.config.to_str().unwrap()];
        full.extend(args.iter().copied());
        let out = run_operator(world.dir.path(), &full, &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not-a-dir"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"));
        let err = stderr(&out);
        for cause in ["Not a directory", "File exists"] {
            assert!(err.matches(cause).count() <= 1, "{args:?}: {err}");
        }
    }
}
