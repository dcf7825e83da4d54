//! The Oura cache held under an exclusive lock for 30 seconds (its writer mid-sync, a backup
//! tool) while the daemon runs.
//!
//! Expected: `/status` answers at once and `/readiness` within its source timeout, from the
//! last cycle's data with a note; cycles skip only the health checks (the task checks still
//! run) and, after `failure_threshold` (2 here) of them, the Oura cache breaker opens with
//! one alert (each such cycle takes ≈ 7 s: three reads wait out a 2 s busy timeout);
//! when the lock is released the next cycle after the breaker's timeout reads the cache
//! again, the breaker closes (one recovery alert) and `/health` is healthy. The invariant
//! holds and nothing is lost.

use std::time::{Duration, Instant};

use super::rig::Rig;

const PUSH: i64 = 651;
const ASKER: i64 = 652;
const WATCHER: i64 = 653;
const LOCK_HELD: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oura_cache_locked_for_30_s_costs_only_the_health_checks() {
    let mut rig = Rig::new(&[PUSH], &[ASKER, WATCHER], "low").await;
    rig.world.no_quiet_hours();
    rig.append_config("circuit_breaker:\n  failure_threshold: 2\n  timeout_seconds: 1\n");
    let mut child = rig.spawn();
    rig.settle(0).await.expect("the daemon starts and settles");

    // The lock: the rollback journal and an exclusive transaction, which keeps every reader
    // out (in WAL mode readers would still get through).
    let path = rig.world.files.oura_db.clone();
    let (locked, on_lock) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
            .unwrap();
        locked.send(Instant::now()).unwrap();
        std::thread::sleep(LOCK_HELD);
        conn.execute_batch("COMMIT").unwrap();
        Instant::now()
    });
    let locked_at = on_lock.recv().unwrap();

    let (status, status_took) = rig.ask(WATCHER, "/status").await;
    assert!(status.contains("Operator status"), "{status}");
    assert!(status_took < Duration::from_secs(2), "{status_took:?}");
    let (readiness, readiness_took) = rig.ask(WATCHER, "/readiness").await;
    assert!(
        readiness.contains("Live data unavailable") && readiness.contains("Readiness"),
        "{readiness}"
    );
    // The live read gives up after 3 s; then the chart from the last cycle's data is drawn
    // (a debug build, two busy cores) and the reply waits its pacer turn after /status (1.1 s
    // per chat). Far from the 30 s the lock is held.
    assert!(
        readiness_took < Duration::from_secs(8),
        "/readiness took {readiness_took:?}"
    );
    let mut cycles_under_lock = 0;
    while cycles_under_lock < 2 {
        let (reply, _) = rig.ask(ASKER, "/check").await;
        assert!(reply.contains("health skipped"), "{reply}");
        cycles_under_lock += 1;
    }
    assert!(
        locked_at.elapsed() < LOCK_HELD,
        "the cycles under the lock outlasted it: the scenario did not test a lock"
    );
    let health = rig.health().await.unwrap();
    // Open, or half open once its 1 s timeout has passed: not closed.
    assert_ne!(
        health["adapters"]["oura"]["links"]["cache"]["state"], "closed",
        "{health:#}"
    );
    assert_eq!(health["status"], "degraded");

    let released_at = holder.join().unwrap();
    let started = tokio::time::Instant::now();
    loop {
        let (reply, _) = rig.ask(ASKER, "/check").await;
        let health = rig.health().await.unwrap();
        if health["status"] == "healthy" {
            assert!(!reply.contains("health skipped"), "{reply}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not healthy after the lock: {health:#}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let recovered = released_at.elapsed();

    let journal = rig.world.journal_lines();
    // Decided once each (the journal has a second, `sent`, line once it is delivered).
    let count = |key: &str| {
        journal
            .iter()
            .filter(|l| l["dedup_key"] == key && l["outcome"] != "sent")
            .count()
    };
    assert_eq!(count("system:circuit_open:oura.cache"), 1);
    assert_eq!(count("system:circuit_closed:oura.cache"), 1);
    rig.finish_without_crashes(&mut child).await;
    println!(
        "reliability: Oura cache locked {LOCK_HELD:?}: /status {status_took:?}, /readiness {readiness_took:?}, {cycles_under_lock} cycles skipped only health, healthy {recovered:?} after release; 0 lost"
    );
}
