//! WorkOS from a real PostgreSQL server: reads over TLS with the exact schema, failure
//! classes, and a whole outage (stop, breaker opens, restart, half open, closed) across
//! cycles. Two servers in all, one per test.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use operator::config::{Redactor, Secret};
use operator::fixtures::workos_pg::{
    create_workos_postgres, insert_pg_client, insert_pg_goal, insert_pg_task,
};
use operator::sources::block::block_on;
use operator::sources::breaker::BreakerState;
use operator::sources::chain::{Link, link_views};
use operator::sources::fault::{Fault, FaultKind};
use operator::sources::workos::postgres::{self, Timeouts};
use operator::sources::{Client, DailyGoal, Task, WorkosSnapshot};
use operator::store::SourceState;
use serde_json::json;

use super::{Runner, fast_env, monitor, source, system_alerts, with_database};
use crate::support::postgres::{PASSWORD, PgServer};
use crate::support::{DemoWorld, morning};

fn task(id: i64, status: &str, category: &str, created: DateTime<Utc>) -> Task {
    Task {
        id,
        client_id: None,
        title: format!("task {id}"),
        status: status.to_owned(),
        category: Some(category.to_owned()),
        created_at: Some(created),
        updated_at: Some(created),
        ..Task::default()
    }
}

/// Clients, tasks (work and personal, open and done, recent and old) and two goals.
fn load_fixtures(pg: &PgServer, db: &str, now: DateTime<Utc>) {
    pg.block_on(async {
        let mut c = pg.connect(db).await;
        create_workos_postgres(&mut c).await.expect("schema");
        let clients = [
            (1, "Acme", "client", true),
            (2, "Ops", "internal", true),
            (3, "Gone Ltd", "client", false),
        ];
        for (id, name, kind, is_active) in clients {
            let client = Client {
                id,
                name: name.to_owned(),
                kind: kind.to_owned(),
                is_active,
            };
            insert_pg_client(&mut c, &client).await.expect("client");
        }
        let created = now - Duration::days(2) + Duration::milliseconds(250);
        let mut active = task(1, "active", "work", created);
        active.client_id = Some(1);
        active.value_tier = Some("deliverable".into());
        active.points_final = Some(5);
        let personal = task(2, "queued", "personal", created);
        let mut done_recent = task(3, "done", "work", now - Duration::days(20));
        done_recent.completed_at = Some(now - Duration::days(1));
        let mut done_old = task(4, "done", "work", now - Duration::days(40));
        done_old.completed_at = Some(now - Duration::days(30));
        done_old.updated_at = Some(now - Duration::days(30));
        let subtasks = json!([{"title": "draft", "done": true}, {"title": "send", "done": false}]);
        for t in [&active, &personal, &done_recent, &done_old] {
            insert_pg_task(&mut c, t, &subtasks).await.expect("task");
        }
        let today = now.date_naive();
        for (date, earned) in [(today - Duration::days(1), 19), (today, 9)] {
            let goal = DailyGoal {
                date,
                target_points: 18,
                earned_points: earned,
                task_count: 3,
                current_streak: 4,
            };
            insert_pg_goal(&mut c, &goal).await.expect("goal");
        }
    });
}

fn read(url: &str, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<WorkosSnapshot, Fault> {
    let secret = Secret::new(url);
    let redactor = Redactor::new([&secret]);
    block_on(|| postgres::read(&secret, &redactor, since, now, Timeouts::default()))
}

fn assert_no_secret(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "a secret leaked: {text}");
    }
}

#[test]
fn reads_the_workos_schema_over_tls_and_classifies_failures() {
    let Some(pg) = PgServer::start() else { return };
    for db in ["workos", "drifted"] {
        pg.exec("postgres", &format!("CREATE DATABASE {db}"));
    }
    let now = morning();
    load_fixtures(&pg, "workos", now);
    load_fixtures(&pg, "drifted", now);
    pg.exec("drifted", "ALTER TABLE tasks DROP COLUMN points_final");

    let since = now - Duration::days(8);
    let snap = read(&pg.url("workos"), since, now).expect("a TLS read");
    let ids: Vec<i64> = snap.tasks.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        vec![1, 2, 3],
        "open tasks and recent done ones, not the old one"
    );
    let personal = &snap.tasks[1];
    assert_eq!(
        personal.category.as_deref(),
        Some("personal"),
        "personal tasks come too"
    );
    let active = &snap.tasks[0];
    assert_eq!(active.points(), 5);
    assert_eq!(active.client_id, Some(1));
    assert_eq!(
        active.created_at,
        Some(now - Duration::days(2) + Duration::milliseconds(250)),
        "naive timestamps are UTC wall time"
    );
    let kinds: Vec<(&str, bool)> = snap
        .clients
        .iter()
        .map(|c| (c.kind.as_str(), c.is_active))
        .collect();
    assert_eq!(
        kinds,
        vec![("client", true), ("internal", true), ("client", false)]
    );
    let dates: Vec<NaiveDate> = snap.goals.iter().map(|g| g.date).collect();
    assert_eq!(dates.len(), 2);
    assert_eq!(snap.goals[1].earned_points, 9);
    assert_eq!(snap.last_sync, Some(now), "live data");

    let wrong = "not-the-password";
    let cases = [
        (
            pg.url_with("workos", PASSWORD, "disable"),
            FaultKind::Permanent,
            "no pg_hba.conf entry",
        ),
        (
            pg.url_with("workos", wrong, "require"),
            FaultKind::Permanent,
            "password authentication failed",
        ),
        (pg.url("no_such_db"), FaultKind::Permanent, "does not exist"),
        (pg.url("drifted"), FaultKind::Invalid, "points_final"),
        (
            format!("postgres://u:{wrong}@127.0.0.1:1/x?sslmode=require"),
            FaultKind::Transient,
            "",
        ),
    ];
    for (url, kind, says) in cases {
        let err = read(&url, since, now).expect_err("a failure");
        assert_eq!(err.kind, kind, "{err}");
        assert!(err.message.contains(says), "{err}");
        assert_no_secret(&err.message, &[PASSWORD, wrong]);
    }
}

/// The WorkOS chain across an outage: Postgres serves, is stopped (the stale cache serves,
/// marked stale; the breaker opens after three failed cycles and alerts once; an open
/// breaker calls nothing), is restarted (the half-open trial closes it; one recovery alert).
#[test]
fn an_outage_opens_the_breaker_and_a_restart_closes_it() {
    let Some(mut pg) = PgServer::start() else {
        return;
    };
    pg.exec("postgres", "CREATE DATABASE workos");
    let t0 = morning();
    load_fixtures(&pg, "workos", t0);
    let world = DemoWorld::new(t0);
    // The demo cache synced 4 minutes before t0: with a 60 s TTL it is stale, so the chain
    // goes to Postgres.
    with_database(&world, &pg.url("workos"), 60);
    let mut run = Runner::new(&world);
    let env = fast_env();
    let at = |minutes: i64| t0 + Duration::seconds(minutes * 60);

    let report = run.cycle(at(0), &env);
    let workos = source(&report, "workos");
    assert_eq!(
        (workos.state, workos.via.as_deref()),
        (SourceState::Ok, Some("postgres"))
    );
    let tasks = report.snapshots.workos.data().map(|w| w.tasks.len());
    assert_eq!(tasks, Some(3), "the database's tasks, not the cache's");
    assert!(system_alerts(&report).is_empty());

    pg.stop();
    for minute in 1..=2 {
        let report = run.cycle(at(minute), &env);
        let workos = source(&report, "workos");
        assert_eq!(
            workos.state,
            SourceState::Stale,
            "the stale cache still serves"
        );
        assert_eq!(workos.via.as_deref(), Some("cache"));
        let note = workos.last_error.clone().unwrap_or_default();
        assert!(note.contains("WorkOS Postgres"), "{note}");
        assert!(
            system_alerts(&report).is_empty(),
            "2 of 3 failures: no alert yet"
        );
        assert_eq!(monitor(&report, "tasks").status.as_str(), "ok");
    }
    let report = run.cycle(at(3), &env);
    assert_eq!(
        system_alerts(&report),
        vec!["system:circuit_open:workos.postgres".to_owned()]
    );
    let alert = &report.alerts[report.alerts.len() - 1];
    assert!(alert.message.contains("other link"), "{}", alert.message);
    assert_no_secret(&alert.message, &[PASSWORD]);

    // Open: the next cycle does not even try.
    let half_minute = at(3) + Duration::seconds(30);
    let report = run.cycle(half_minute, &env);
    assert!(system_alerts(&report).is_empty(), "one alert per trip");
    let note = source(&report, "workos")
        .last_error
        .clone()
        .unwrap_or_default();
    assert!(note.contains("circuit open"), "{note}");
    let views = link_views(&run.store.breakers().expect("rows"), half_minute);
    let pg_view = views.iter().find(|v| v.link == Link::WorkosPostgres);
    assert_eq!(pg_view.map(|v| v.state), Some(BreakerState::Open));
    let status =
        operator::status::gather(&run.config, &run.store, None, half_minute).expect("status");
    let rendered = operator::render::status(&status);
    let text = rendered.plain();
    assert!(
        text.contains("WorkOS Postgres breaker: open until"),
        "{text}"
    );
    assert_no_secret(text, &[PASSWORD]);

    pg.restart();
    let report = run.cycle(at(5), &env);
    assert_eq!(
        system_alerts(&report),
        vec!["system:circuit_closed:workos.postgres".to_owned()]
    );
    assert_eq!(source(&report, "workos").via.as_deref(), Some("postgres"));
    let views = link_views(&run.store.breakers().expect("rows"), at(5));
    let pg_view = views.iter().find(|v| v.link == Link::WorkosPostgres);
    assert_eq!(pg_view.map(|v| v.state), Some(BreakerState::Closed));
    let report = run.cycle(at(6), &env);
    assert!(system_alerts(&report).is_empty(), "one recovery alert");

    let journal = std::fs::read_to_string(&world.files.journal).unwrap_or_default();
    assert_no_secret(&journal, &[PASSWORD]);
    let trips = journal.matches("circuit_open:workos.postgres").count();
    assert_eq!(trips, 1, "the trip is journaled once");
}
