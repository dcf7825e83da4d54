//! The Oura API through a wiremock fake following its documented JSON: pagination, 401,
//! 429 with Retry-After, 500, a response slower than the timeout, malformed JSON; and the
//! Oura chain in cycles (cache unusable → API; stress from the API; responses cached in the
//! state database for the health interval).

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use operator::config::{Redactor, Secret};
use operator::fixtures::oura_docs::{readiness_doc, sleep_period_doc, stress_doc};
use operator::sources::block::block_on;
use operator::sources::chain::{Env, Retry};
use operator::sources::fault::{Fault, FaultKind};
use operator::sources::oura::api::{Endpoint, OuraApi};
use operator::sources::{Readiness, SleepNight, Stress};
use operator::store::SourceState;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{Runner, fast_env, monitor, source, with_oura_api};
use crate::support::{DemoWorld, morning};

const TOKEN: &str = "oura-T0ken-xyz";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("day")
}

fn page(data: Vec<Value>, next: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": data, "next_token": next}))
}

fn fetch(server: &MockServer, endpoint: Endpoint, timeout_ms: u64) -> Result<Vec<Value>, Fault> {
    let base = server.uri();
    block_on(|| async move {
        let api = OuraApi::new(
            &base,
            Secret::new(TOKEN),
            Redactor::new([&Secret::new(TOKEN)]),
            Duration::from_millis(timeout_ms),
        )?;
        api.documents(endpoint, day("2026-11-01"), day("2026-11-27"))
            .await
    })
}

#[tokio::test]
async fn follows_next_token_with_the_bearer_token_and_the_window() {
    let server = MockServer::start().await;
    let route = || {
        Mock::given(method("GET"))
            .and(path("/v2/usercollection/daily_readiness"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .and(query_param("start_date", "2026-11-01"))
            .and(query_param("end_date", "2026-11-27"))
    };
    route()
        .and(query_param_is_missing("next_token"))
        .respond_with(page(vec![json!({"day": "2026-11-26"})], Some("p2")))
        .expect(1)
        .mount(&server)
        .await;
    route()
        .and(query_param("next_token", "p2"))
        .respond_with(page(vec![json!({"day": "2026-11-27"})], None))
        .expect(1)
        .mount(&server)
        .await;
    let docs = fetch(&server, Endpoint::DailyReadiness, 2000).expect("two pages");
    let days: Vec<&str> = docs.iter().filter_map(|d| d["day"].as_str()).collect();
    assert_eq!(days, vec!["2026-11-26", "2026-11-27"]);
}

#[tokio::test]
async fn failures_are_classified_and_never_show_the_token() {
    let cases: [(ResponseTemplate, FaultKind, &str); 6] = [
        (ResponseTemplate::new(401), FaultKind::Permanent, "HTTP 401"),
        (
            ResponseTemplate::new(429).insert_header("Retry-After", "7"),
            FaultKind::RateLimited(Some(Duration::from_secs(7))),
            "retry after 7 s",
        ),
        (ResponseTemplate::new(500), FaultKind::Transient, "HTTP 500"),
        (
            ResponseTemplate::new(200).set_body_raw("{\"data\": [1, ", "application/json"),
            FaultKind::Invalid,
            "malformed JSON",
        ),
        (
            ResponseTemplate::new(200).set_body_json(json!({"detail": "nope"})),
            FaultKind::Invalid,
            "no \"data\" list",
        ),
        (
            page(vec![], None).set_delay(Duration::from_secs(3)),
            FaultKind::Transient,
            "timed out",
        ),
    ];
    for (response, kind, says) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(response)
            .mount(&server)
            .await;
        let err = fetch(&server, Endpoint::Sleep, 400).expect_err("a failure");
        assert_eq!(err.kind, kind, "{err}");
        assert!(err.message.contains(says), "{err}");
        assert!(err.message.starts_with("Oura API sleep:"), "{err}");
        assert!(!err.message.contains(TOKEN), "{err}");
    }
}

/// The API's documents for the demo's last days: readiness 48 today, a short night, stress.
fn mount_collections(now: DateTime<Utc>) -> Vec<(Endpoint, Vec<Value>)> {
    let today = now.with_timezone(crate::support::new_york()).date_naive();
    let readiness = (0..3)
        .map(|back| {
            readiness_doc(&Readiness {
                day: today - chrono::Duration::days(back),
                score: Some(if back == 0 { 48.0 } else { 75.0 }),
                ..Readiness::default()
            })
        })
        .collect();
    let end = now - chrono::Duration::hours(3);
    let night = sleep_period_doc(&SleepNight {
        day: today,
        kind: "long_sleep".into(),
        total_sleep_seconds: Some(4.5 * 3600.0),
        bedtime_end: Some(end.fixed_offset()),
        ..SleepNight::default()
    });
    let stress = stress_doc(&Stress {
        day: today - chrono::Duration::days(1),
        stress_high_seconds: Some(7200.0),
        recovery_high_seconds: Some(600.0),
        day_summary: Some("stressful".into()),
    });
    vec![
        (Endpoint::DailyReadiness, readiness),
        (Endpoint::Sleep, vec![night]),
        (Endpoint::DailySleep, vec![]),
        (Endpoint::DailyActivity, vec![]),
        (Endpoint::DailyStress, vec![stress]),
    ]
}

async fn mount(server: &MockServer, collections: &[(Endpoint, Vec<Value>)], times: u64) {
    for (endpoint, docs) in collections {
        Mock::given(method("GET"))
            .and(path(format!(
                "/v2/usercollection/{}",
                endpoint.collection()
            )))
            .respond_with(page(docs.clone(), None))
            .expect(times)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn an_unusable_cache_falls_back_to_the_api_and_responses_are_kept_one_interval() {
    let now = morning();
    let server = MockServer::start().await;
    mount(&server, &mount_collections(now), 2).await;
    let world = DemoWorld::new(now);
    with_oura_api(&world, &server.uri(), TOKEN);
    std::fs::write(
        &world.files.oura_db,
        b"this is not a database, it is a poem",
    )
    .expect("corrupt");
    let mut run = Runner::new(&world);
    let env = fast_env();

    let report = run.cycle(now, &env);
    let oura = source(&report, "oura");
    assert_eq!(
        (oura.state, oura.via.as_deref()),
        (SourceState::Ok, Some("api"))
    );
    let note = oura.last_error.clone().unwrap_or_default();
    assert!(note.contains("Oura cache unusable"), "{note}");
    assert_eq!(monitor(&report, "health").status.as_str(), "ok");
    let keys: Vec<&str> = report.alerts.iter().map(|a| a.dedup_key.as_str()).collect();
    assert!(keys.contains(&"health:readiness"), "{keys:?}");
    assert!(
        keys.contains(&"health:stress"),
        "stress came from the API: {keys:?}"
    );

    // Within the health interval (15 minutes) the stored responses answer.
    let report = run.cycle(now + chrono::Duration::minutes(10), &env);
    assert_eq!(source(&report, "oura").via.as_deref(), Some("api"));
    // After it, the API is asked again (each collection twice in all: see `expect(2)`).
    run.cycle(now + chrono::Duration::minutes(16), &env);
    server.verify().await;
    let text = std::fs::read_to_string(&world.files.journal).unwrap_or_default();
    assert!(!text.contains(TOKEN), "the token never reaches the journal");
}

#[tokio::test]
async fn with_a_readable_cache_only_stress_comes_from_the_api() {
    let now = morning();
    let server = MockServer::start().await;
    for (endpoint, docs) in &mount_collections(now) {
        let times = u64::from(*endpoint == Endpoint::DailyStress);
        Mock::given(method("GET"))
            .and(path(format!(
                "/v2/usercollection/{}",
                endpoint.collection()
            )))
            .respond_with(page(docs.clone(), None))
            .expect(times)
            .mount(&server)
            .await;
    }
    let world = DemoWorld::new(now);
    with_oura_api(&world, &server.uri(), TOKEN);
    let mut run = Runner::new(&world);
    let report = run.cycle(now, &fast_env());
    assert_eq!(source(&report, "oura").via.as_deref(), Some("cache"));
    let stress = report.snapshots.oura.data().map(|o| o.stress.len());
    assert_eq!(stress, Some(1));
    server.verify().await;
}

#[tokio::test]
async fn a_short_retry_after_is_honoured_and_a_long_one_fails_the_cycle_read() {
    let now = morning();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/usercollection/daily_stress"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "2"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/usercollection/daily_stress"))
        .respond_with(page(vec![], None))
        .expect(1)
        .mount(&server)
        .await;
    let world = DemoWorld::new(now);
    with_oura_api(&world, &server.uri(), TOKEN);
    let mut run = Runner::new(&world);
    let slept = Mutex::new(Vec::new());
    let record = |d: Duration| slept.lock().expect("lock").push(d);
    let env = Env {
        sleep: &record,
        retry: Retry::STANDARD,
        ..fast_env()
    };
    let report = run.cycle(now, &env);
    assert!(source(&report, "oura").last_error.is_none());
    assert_eq!(*slept.lock().expect("lock"), vec![Duration::from_secs(2)]);
    server.verify().await;

    // Ten minutes: not waited inside a cycle; noted, and the cache still serves.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .expect(1)
        .mount(&server)
        .await;
    let world = DemoWorld::new(now);
    with_oura_api(&world, &server.uri(), TOKEN);
    let mut run = Runner::new(&world);
    let report = run.cycle(now, &fast_env());
    let oura = source(&report, "oura");
    assert_eq!(oura.via.as_deref(), Some("cache"));
    let note = oura.last_error.clone().unwrap_or_default();
    assert!(
        note.contains("stress unavailable") && note.contains("429"),
        "{note}"
    );
    server.verify().await;
}
