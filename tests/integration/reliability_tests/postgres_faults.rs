//! WorkOS Postgres faults inside the running daemon, against a real PostgreSQL server: slow
//! (a lock held on `tasks`), refusing authentication (the password changed under it), and
//! stopped, each followed by the fault clearing. The WorkOS cache is stale, so Postgres is
//! the link that serves WorkOS and the stale cache is the fallback.
//!
//! Expected throughout: commands are answered while a read is slow; a wrong password opens
//! the breaker at once and a stopped server after `failure_threshold` cycles, each announced
//! once; the task checks keep running on the stale cache; once the fault clears the next
//! cycle after the breaker's timeout closes it and `/health` is healthy again; the
//! invariant holds; no secret is written anywhere.

use std::time::Duration;

use chrono::Utc;
use operator::fixtures::workos_pg::{create_workos_postgres, insert_pg_task};
use operator::sources::Task;
use serde_json::Value;

use super::rig::Rig;
use crate::support::postgres::{PASSWORD, PgServer};

const PUSH: i64 = 501;
/// Sends `/check` (its reply waits for the cycle).
const CHECKER: i64 = 502;
/// Sends `/status` while a cycle is slow: another chat, as Telegram's updates for one chat
/// are handled in order.
const WATCHER: i64 = 503;

fn tasks_fixture(pg: &PgServer) {
    pg.block_on(async {
        let mut c = pg.connect("workos").await;
        create_workos_postgres(&mut c).await.expect("schema");
        let now = Utc::now();
        for id in 1..=12 {
            let task = Task {
                id,
                title: format!("postgres task {id}"),
                status: "active".into(),
                category: Some("work".into()),
                created_at: Some(now - chrono::Duration::days(2)),
                updated_at: Some(now - chrono::Duration::days(1)),
                ..Task::default()
            };
            insert_pg_task(&mut c, &task, &serde_json::json!([]))
                .await
                .expect("task");
        }
    });
}

/// Makes the WorkOS cache two hours old, so each cycle asks Postgres.
fn stale_workos_cache(rig: &Rig) {
    let conn = rusqlite::Connection::open(&rig.world.files.workos_db).unwrap();
    let old = (Utc::now() - chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    conn.execute(
        "UPDATE cache_meta SET value = ?1 WHERE key = 'lastSyncAt'",
        [old],
    )
    .unwrap();
}

fn postgres_link(health: &Value) -> &Value {
    &health["adapters"]["workos"]["links"]["postgres"]
}

/// Runs `/check` and returns the daemon's `/health` afterwards.
async fn check(rig: &Rig) -> Value {
    let (reply, _) = rig.ask(CHECKER, "/check").await;
    assert!(reply.starts_with("Checked"), "{reply}");
    rig.health().await.expect("/health answers")
}

/// `/check` until `/health` says healthy (bounded): the breaker waits out its timeout first.
async fn check_until_healthy(rig: &Rig) -> Duration {
    let started = tokio::time::Instant::now();
    loop {
        let health = check(rig).await;
        if health["status"] == "healthy" {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not healthy again: {health:#}"
        );
        // The breaker's timeout is 1 s: give it that before the next trial.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_slow_refusing_auth_and_stopped_inside_the_daemon() {
    // The server's helpers block (they run their own runtime): off this runtime's workers.
    let Some(mut pg) = tokio::task::block_in_place(PgServer::start) else {
        return;
    };
    tokio::task::block_in_place(|| {
        pg.exec("postgres", "CREATE DATABASE workos");
        tasks_fixture(&pg);
    });

    let mut rig = Rig::new(&[PUSH], &[CHECKER, WATCHER], "medium").await;
    rig.world.no_quiet_hours();
    rig.append_config("circuit_breaker:\n  failure_threshold: 3\n  timeout_seconds: 1\n");
    rig.env
        .push(("WORKOS_DATABASE_URL".into(), pg.url("workos")));
    stale_workos_cache(&rig);
    let mut child = rig.spawn();
    rig.settle(0).await.expect("the daemon starts and settles");
    let health = check(&rig).await;
    assert_eq!(
        health["adapters"]["workos"]["via"], "postgres",
        "{health:#}"
    );

    // 1. Slow: a transaction holds an exclusive lock on `tasks`, so the cycle's read waits.
    // Another chat's /status is answered meanwhile; the /check finishes once it is released.
    let locker = tokio::spawn({
        let url = pg.url("workos");
        async move {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&url).await.expect("locker");
            let mut tx = c.begin().await.expect("begin");
            sqlx::query("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .expect("lock");
            tokio::time::sleep(Duration::from_secs(3)).await;
            tx.commit().await.expect("commit");
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rig.fake.messages(CHECKER).len();
    rig.fake.push_text(CHECKER, CHECKER, "/check");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, took) = rig.ask(WATCHER, "/status").await;
    assert!(status.contains("Operator status"), "{status}");
    assert!(
        took < Duration::from_secs(2),
        "/status waited {took:?} behind a slow Postgres read"
    );
    assert_eq!(
        rig.fake.messages(CHECKER).len(),
        before,
        "the /check reply came before the lock was released"
    );
    locker.await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while rig.fake.messages(CHECKER).len() == before {
        assert!(tokio::time::Instant::now() < deadline, "no /check reply");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let health = rig.health().await.unwrap();
    assert_eq!(
        health["adapters"]["workos"]["via"], "postgres",
        "{health:#}"
    );
    assert_eq!(postgres_link(&health)["state"], "closed", "{health:#}");

    // 2. Refusing authentication: a wrong password opens the breaker at once (no retries
    // every cycle), the stale cache serves meanwhile, one alert says so.
    tokio::task::block_in_place(|| {
        pg.exec(
            "postgres",
            "ALTER ROLE operator PASSWORD 'rotated-elsewhere-77'",
        )
    });
    let health = check(&rig).await;
    // Open after this one cycle (half open once its 1 s timeout has passed): not closed.
    assert_ne!(postgres_link(&health)["state"], "closed", "{health:#}");
    assert_eq!(postgres_link(&health)["failures"], 1, "{health:#}");
    assert_eq!(health["adapters"]["workos"]["via"], "cache", "{health:#}");
    assert_eq!(health["status"], "degraded");
    let (status, _) = rig.ask(WATCHER, "/status").await;
    assert!(
        status.contains("password authentication failed"),
        "{status}"
    );
    // The failure is described everywhere it shows, the password nowhere.
    let metrics = reqwest::get(format!("http://{}/metrics", rig.health))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [status.as_str(), &health.to_string(), &metrics] {
        let found = super::secrets::hits(text.as_bytes());
        assert!(found.is_empty(), "{found:?} in {text}");
    }
    tokio::task::block_in_place(|| {
        pg.exec_with_password(
            "postgres",
            "rotated-elsewhere-77",
            &format!("ALTER ROLE operator PASSWORD '{PASSWORD}'"),
        )
    });
    let auth_recovery = check_until_healthy(&rig).await;

    // 3. Stopped: refused connections, retried; the breaker opens after three failed cycles.
    tokio::task::block_in_place(|| pg.stop());
    for _ in 0..3 {
        check(&rig).await;
    }
    let health = rig.health().await.unwrap();
    assert_ne!(postgres_link(&health)["state"], "closed", "{health:#}");
    let (reply, _) = rig.ask(CHECKER, "/check").await;
    assert!(
        !reply.contains("tasks skipped"),
        "the stale cache keeps the task checks running: {reply}"
    );
    tokio::task::block_in_place(|| pg.restart());
    let stop_recovery = check_until_healthy(&rig).await;

    // Each trip and recovery was decided once per transition (the system class's dedup
    // window may hold a repeat back), and everything decided was delivered.
    let journal = rig.world.journal_lines();
    let decided = |key: &str| -> Vec<&str> {
        journal
            .iter()
            .filter(|l| l["dedup_key"] == key && l["outcome"] != "sent")
            .filter_map(|l| l["outcome"].as_str())
            .collect()
    };
    let trips = decided("system:circuit_open:workos.postgres");
    assert_eq!(trips.len(), 2, "{trips:?}");
    assert_eq!(trips[0], "queued", "{trips:?}");
    let recoveries = decided("system:circuit_closed:workos.postgres");
    assert_eq!(recoveries.len(), 2, "{recoveries:?}");
    let pushed = rig.fake.messages(PUSH);
    assert!(
        pushed
            .iter()
            .any(|m| m.plain_text.contains("WorkOS Postgres failing")),
        "{pushed:#?}"
    );
    rig.finish_without_crashes(&mut child).await;
    println!(
        "reliability: postgres faults: slow (3 s lock, /status answered in {took:?}), auth refused (healthy {auth_recovery:?} after the fix), stopped (healthy {stop_recovery:?} after restart); 0 lost"
    );
}
