//! The outside heartbeat against a local HTTP server that is up, slow, down or answering 500:
//! `GET <url>` after a completed cycle, `<url>/fail` (before the query) after a failed one,
//! bounded by its timeout, logged once per outage, never in the way of a cycle or an exit
//! code, and the URL (which holds the check's key) never shown.

use std::time::{Duration, Instant};

use chrono::Utc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use operator::channels::heartbeat::Heartbeat;
use operator::config::{Config, load_str};

use crate::support::{DemoWorld, LogCapture, free_loopback_addr, operator_bin};

const KEY: &str = "d4f1c2e0-secret-check-key";

fn config(url: &str, timeout: u32) -> Config {
    let dir = std::env::temp_dir();
    let root = dir.display().to_string();
    let env = move |name: &str| match name {
        "THANOS_ROOT" | "HOME" => Some(root.clone()),
        _ => None,
    };
    let yaml = format!(
        "alerters:\n  telegram:\n    enabled: false\nheartbeat:\n  url: \"{url}\"\n  timeout_seconds: {timeout}\n"
    );
    load_str(&yaml, &dir.join("operator.yaml"), &env)
        .unwrap_or_else(|e| panic!("heartbeat config: {:?}", e.problems))
}

#[tokio::test]
async fn completed_and_failed_cycles_ping_the_url_and_its_fail_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let url = format!("{}/ping/{KEY}?rid=1", server.uri());
    let heartbeat = Heartbeat::from_config(&config(&url, 5)).expect("on");
    heartbeat.ping(true, Utc::now()).await;
    heartbeat.ping(false, Utc::now()).await;
    let got: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}?{}",
                r.method,
                r.url.path(),
                r.url.query().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            format!("GET /ping/{KEY}?rid=1"),
            format!("GET /ping/{KEY}/fail?rid=1")
        ]
    );
    let status = heartbeat.status();
    assert!(
        status.last_ok.is_some() && status.failing_since.is_none(),
        "{status:?}"
    );
}

#[tokio::test]
async fn a_500_or_a_dead_server_is_recorded_logged_once_and_recovers() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/{KEY}")))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path(format!("/{KEY}")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let heartbeat = Heartbeat::from_config(&config(&format!("{}/{KEY}", server.uri()), 5)).unwrap();
    let logs = LogCapture::default();
    let _guard = logs.install();
    heartbeat.ping(true, Utc::now()).await;
    heartbeat.ping(true, Utc::now()).await;
    let failing = heartbeat.status();
    assert!(failing.failing_since.is_some(), "{failing:?}");
    assert!(
        failing.last_error.as_deref().unwrap_or("").contains("500"),
        "{failing:?}"
    );
    let warned = logs.text().matches("heartbeat ping failed").count();
    assert_eq!(warned, 1, "one line per outage:\n{}", logs.text());
    heartbeat.ping(true, Utc::now()).await;
    let back = heartbeat.status();
    assert!(
        back.failing_since.is_none() && back.last_ok.is_some(),
        "{back:?}"
    );
    assert!(logs.text().contains("answers again"));

    let dead = format!("http://{}/{KEY}", free_loopback_addr());
    let heartbeat = Heartbeat::from_config(&config(&dead, 2)).unwrap();
    heartbeat.ping(true, Utc::now()).await;
    let status = heartbeat.status();
    let error = status.last_error.unwrap_or_default();
    assert!(status.failing_since.is_some());
    assert!(
        !error.contains(KEY),
        "the URL (a secret) is not in the error: {error}"
    );
    assert!(!logs.text().contains(KEY), "nor in the log");
}

#[tokio::test]
async fn a_slow_server_is_cut_off_at_the_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let heartbeat = Heartbeat::from_config(&config(&format!("{}/{KEY}", server.uri()), 1)).unwrap();
    let started = Instant::now();
    heartbeat.ping(true, Utc::now()).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(heartbeat.status().failing_since.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_check_pings_after_its_cycle_and_a_dead_heartbeat_changes_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let world = DemoWorld::new(Utc::now());
    let set_url = |url: &str| {
        let text = std::fs::read_to_string(&world.files.config).unwrap();
        let without = text.split("\nheartbeat:").next().unwrap().to_owned();
        std::fs::write(
            &world.files.config,
            format!("{without}\nheartbeat:\n  url: \"{url}\"\n  timeout_seconds: 2\n"),
        )
        .unwrap();
    };
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(operator_bin());
        cmd.args(["--config", &world.config_arg()])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.output().unwrap()
    };
    set_url(&format!("{}/{KEY}", server.uri()));
    let dry = tokio::task::block_in_place(|| run(&["check", "--dry-run"]));
    assert!(dry.status.success());
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "a dry run pings nothing"
    );
    let out = tokio::task::block_in_place(|| run(&["check"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = server.received_requests().await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].url.path(), format!("/{KEY}"));

    set_url(&format!("http://{}/{KEY}", free_loopback_addr()));
    let out = tokio::task::block_in_place(|| run(&["check"]));
    assert!(
        out.status.success(),
        "a dead heartbeat does not change the exit code"
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(KEY), "{all}");
    let shown = tokio::task::block_in_place(|| run(&["config", "show"]));
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(
        shown.contains("url: \"***\"") && !shown.contains(KEY),
        "{shown}"
    );
}
