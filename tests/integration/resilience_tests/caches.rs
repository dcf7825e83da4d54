//! Broken cache files in whole cycles (corrupt, locked, missing, schema-drifted: the cycle
//! completes, the right checks are skipped and journaled, nothing panics), every source
//! broken at once (one alert about the outage), and the real binary's `status` with a
//! broken source and no secret in sight.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use operator::clock::Clock;
use operator::store::SourceState;
use rusqlite::Connection;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{Runner, fast_env, monitor, source, system_alerts, with_database, with_oura_api};
use crate::support::{DemoWorld, morning, run_operator, stderr, stdout};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Damage {
    Corrupt,
    Locked,
    Missing,
    Drifted,
}

/// Breaks the SQLite cache at `path`; a returned connection holds the lock while it lives.
fn damage(path: &Path, how: Damage, drift_sql: &str) -> Option<Connection> {
    for sibling in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(sibling);
        if how != Damage::Locked {
            let _ = std::fs::remove_file(p);
        }
    }
    match how {
        Damage::Corrupt => {
            std::fs::write(path, b"SQLite format 3\0 and then nothing sensible").expect("write");
            None
        }
        Damage::Missing => {
            std::fs::remove_file(path).expect("remove");
            None
        }
        Damage::Drifted => {
            let c = Connection::open(path).expect("open");
            c.execute_batch(drift_sql).expect("drift");
            None
        }
        Damage::Locked => {
            let c = Connection::open(path).expect("open");
            c.pragma_update(None, "journal_mode", "DELETE")
                .expect("journal mode");
            c.execute_batch("BEGIN EXCLUSIVE").expect("lock");
            Some(c)
        }
    }
}

const ALL_DAMAGE: [Damage; 4] = [
    Damage::Corrupt,
    Damage::Locked,
    Damage::Missing,
    Damage::Drifted,
];

/// The journal lines with outcome `skipped`, as (dedup key, reason).
fn skipped_lines(world: &DemoWorld) -> Vec<(String, String)> {
    world
        .journal_lines()
        .into_iter()
        .filter(|l| l["outcome"] == "skipped")
        .map(|l| {
            (
                l["dedup_key"].as_str().unwrap_or_default().to_owned(),
                l["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_broken_oura_cache_skips_the_health_checks_only() {
    for how in ALL_DAMAGE {
        let now = morning();
        let world = DemoWorld::new(now);
        let _lock = damage(
            &world.files.oura_db,
            how,
            "ALTER TABLE sleep_data DROP COLUMN data",
        );
        let mut run = Runner::new(&world);
        let report = run.cycle(now, &fast_env());
        let want = if how == Damage::Missing {
            SourceState::Missing
        } else {
            SourceState::Failed
        };
        assert_eq!(source(&report, "oura").state, want, "{how:?}");
        let health = monitor(&report, "health");
        assert_eq!(health.status.as_str(), "skipped", "{how:?}");
        assert!(
            health.detail.contains("Oura unavailable"),
            "{how:?}: {}",
            health.detail
        );
        assert_eq!(monitor(&report, "tasks").status.as_str(), "ok", "{how:?}");
        assert_eq!(source(&report, "workos").state, SourceState::Ok, "{how:?}");
        let skipped = skipped_lines(&world);
        assert!(
            skipped
                .iter()
                .any(|(k, r)| k == "system:checks_skipped:health" && r.contains("Oura")),
            "{how:?}: {skipped:?}"
        );
        assert!(
            !report
                .alerts
                .iter()
                .any(|a| a.dedup_key.starts_with("health:")),
            "{how:?}: no health alerts without data"
        );
    }
}

#[test]
fn a_broken_workos_cache_skips_the_workos_task_checks_only() {
    for how in ALL_DAMAGE {
        let now = morning();
        let world = DemoWorld::new(now);
        let _lock = damage(
            &world.files.workos_db,
            how,
            "ALTER TABLE cached_tasks DROP COLUMN points_final",
        );
        let mut run = Runner::new(&world);
        let report = run.cycle(now, &fast_env());
        let tasks = monitor(&report, "tasks");
        let patterns = monitor(&report, "patterns");
        if how == Damage::Missing {
            assert_eq!(source(&report, "workos").state, SourceState::Missing);
            assert_eq!(
                tasks.status.as_str(),
                "ok",
                "a missing cache is not a failure"
            );
            assert!(
                patterns.detail.contains("WorkOS not configured"),
                "{}",
                patterns.detail
            );
        } else {
            assert_eq!(
                source(&report, "workos").state,
                SourceState::Failed,
                "{how:?}"
            );
            assert_eq!(tasks.status.as_str(), "partial", "{how:?}");
            assert!(
                tasks.detail.contains("WorkOS task checks skipped"),
                "{}",
                tasks.detail
            );
            assert_eq!(patterns.status.as_str(), "partial", "{how:?}");
            let skipped = skipped_lines(&world);
            assert!(
                skipped
                    .iter()
                    .any(|(k, _)| k == "system:checks_skipped:tasks"),
                "{how:?}: {skipped:?}"
            );
        }
        assert_eq!(monitor(&report, "health").status.as_str(), "ok", "{how:?}");
    }
}

struct Fixed(DateTime<Utc>);

impl Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Done means: with every source broken at once the cycle completes, journals why each
/// check was skipped, and alerts once about the outage.
#[tokio::test]
async fn every_source_broken_at_once_completes_journals_and_alerts_once() {
    let now = morning();
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&api)
        .await;
    let world = DemoWorld::new(now);
    with_oura_api(&world, &api.uri(), "tok-SECRET-1");
    let db_password = "pw-SECRET-2";
    let closed = crate::support::free_loopback_addr();
    with_database(
        &world,
        &format!("postgres://ops:{db_password}@{closed}/workos?sslmode=require"),
        300,
    );
    damage(&world.files.oura_db, Damage::Corrupt, "");
    damage(&world.files.workos_db, Damage::Corrupt, "");
    std::fs::write(
        world.files.state_dir.join("CommitmentData.json"),
        "{ not json",
    )
    .expect("json");
    let mut run = Runner::new(&world);
    let env = fast_env();

    let mut outage_messages = 0;
    for minute in 0..6 {
        let report = run.cycle(now + Duration::minutes(minute), &env);
        for name in ["oura", "workos", "state_files"] {
            assert_eq!(source(&report, name).state, SourceState::Failed, "{name}");
        }
        assert_eq!(monitor(&report, "health").status.as_str(), "skipped");
        assert_eq!(monitor(&report, "tasks").status.as_str(), "partial");
        assert_eq!(monitor(&report, "patterns").status.as_str(), "partial");
        let trips = system_alerts(&report);
        if minute == 2 {
            assert_eq!(trips.len(), 4, "all four links trip on the third failure");
        } else {
            assert!(trips.is_empty(), "minute {minute}: {trips:?}");
        }
        for r in &report.recipients {
            outage_messages += r
                .delivered
                .iter()
                .filter(|(n, _)| n.alerts.iter().any(|a| a.dedup_key.starts_with("system:")))
                .count();
        }
    }
    assert_eq!(outage_messages, 1, "one message about the outage");

    let skipped = skipped_lines(&world);
    for monitor in ["health", "tasks", "patterns"] {
        let key = format!("system:checks_skipped:{monitor}");
        let n = skipped.iter().filter(|(k, _)| *k == key).count();
        assert_eq!(n, 6, "{monitor} is journaled as skipped every cycle");
    }
    let journal = std::fs::read_to_string(&world.files.journal).unwrap_or_default();
    assert!(!journal.contains(db_password) && !journal.contains("tok-SECRET-1"));

    // The health endpoint reports the real breaker states.
    let later = now + Duration::minutes(5);
    let app = operator::app::App::new(run.config, run.store, None, Arc::new(Fixed(later)), None);
    let snap = operator::health::Snapshot::take(&app, false)
        .await
        .expect("snapshot");
    let json: Value = snap.to_json();
    assert_eq!(json["status"], "degraded");
    for adapter in ["oura", "workos"] {
        let state = json["adapters"][adapter]["state"]
            .as_str()
            .unwrap_or_default();
        assert!(["open", "half_open"].contains(&state), "{adapter}: {json}");
        assert_eq!(json["adapters"][adapter]["data"], "failed");
    }
    assert!(json["adapters"]["workos"]["links"]["postgres"]["failures"].as_u64() >= Some(3));
    let metrics = snap.to_prometheus();
    assert!(
        metrics.contains("operator_breaker_state{link=\"workos.postgres\"}"),
        "{metrics}"
    );
    assert!(!json.to_string().contains(db_password));
}

#[test]
fn status_shows_a_broken_postgres_without_its_password() {
    let now = morning();
    let world = DemoWorld::new(now);
    let password = "hunter2-SECRET";
    let closed = crate::support::free_loopback_addr();
    with_database(
        &world,
        &format!("postgres://ops:{password}@{closed}/workos?sslmode=require"),
        0,
    );
    let config = world.config_arg();
    let check = run_operator(world.dir.path(), &["--config", &config, "check"], &[]);
    assert!(check.status.success(), "{}", stderr(&check));
    let status = run_operator(world.dir.path(), &["--config", &config, "status"], &[]);
    assert!(status.status.success(), "{}", stderr(&status));
    let out = stdout(&status);
    assert!(out.contains("workos: stale via cache"), "{out}");
    assert!(
        out.contains("WorkOS Postgres breaker: closed — 1 failure(s) in a row"),
        "{out}"
    );
    for text in [stdout(&check), stderr(&check), out, stderr(&status)] {
        assert!(!text.contains(password), "{text}");
    }
    let journal = std::fs::read_to_string(&world.files.journal).unwrap_or_default();
    assert!(!journal.contains(password));
}
