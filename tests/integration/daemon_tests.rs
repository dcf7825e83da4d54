//! The real `operator run` binary against the fake Bot API and demo data: it pushes the first
//! cycle's alerts, answers a command, serves /health and /metrics, refuses a second instance,
//! and on SIGTERM or SIGINT exits 0 within the deadline with the update offset acknowledged.

use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use tokio::process::{Child, Command};

use crate::support::fake_telegram::FakeTelegram;
use crate::support::{DemoWorld, free_loopback_addr, operator_bin, run_operator, stderr};

const TOKEN: &str = "777001:DAEMON-test-token-secret";
const CHAT: i64 = 4242;
const WAIT: Duration = Duration::from_secs(20);

struct Daemon {
    world: DemoWorld,
    fake: FakeTelegram,
    health: String,
    child: Child,
}

async fn start() -> Daemon {
    let world = DemoWorld::new(Utc::now());
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(CHAT);
    world.enable_telegram(&fake.api_url(), TOKEN, &[CHAT], &[]);
    let health = free_loopback_addr();
    world.enable_health(&health);
    let child = spawn_daemon(&world, Stdio::piped());
    Daemon {
        world,
        fake,
        health,
        child,
    }
}

/// `operator run` on `world`'s config, with a clean environment.
fn spawn_daemon(world: &DemoWorld, stderr: Stdio) -> Child {
    Command::new(operator_bin())
        .args(["--config", &world.config_arg(), "run"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdout(Stdio::null())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

async fn signal(child: &Child, name: &str) {
    let pid = child.id().unwrap().to_string();
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());
}

async fn stop_with(mut d: Daemon, signal_name: &str) -> (DemoWorld, FakeTelegram) {
    let pushed = d.fake.push_text(CHAT, CHAT, "/help");
    d.fake
        .wait_for_requests(
            "sendmessage",
            d.fake.requests_for("sendmessage").len() + 1,
            WAIT,
        )
        .await
        .unwrap();
    signal(&d.child, signal_name).await;
    let status = tokio::time::timeout(WAIT, d.child.wait())
        .await
        .expect("exits within the deadline")
        .unwrap();
    let mut err = String::new();
    if let Some(mut pipe) = d.child.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = pipe.read_to_string(&mut err).await;
    }
    assert_eq!(status.code(), Some(0), "stderr:\n{err}");
    assert!(
        d.fake.confirmed_offset() > i64::from(pushed),
        "offset not acknowledged"
    );
    assert!(
        !err.contains(TOKEN.split_once(':').unwrap().1),
        "token in stderr:\n{err}"
    );
    (d.world, d.fake)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_pushes_answers_serves_health_and_stops_on_sigterm() {
    let d = start().await;
    // The first cycle's alerts are pushed, critical first (critical alerts pass quiet hours,
    // so this holds at any time of day), each with its buttons.
    d.fake
        .wait_for_requests("sendmessage", 1, WAIT)
        .await
        .unwrap();
    let first = d.fake.messages(CHAT).remove(0);
    assert!(first.plain_text.starts_with("🔴"), "{first:?}");
    assert!(first.reply_markup.is_some(), "{first:?}");

    let before = d.fake.messages(CHAT).len();
    d.fake.push_text(CHAT, CHAT, "/status");
    d.fake
        .wait_for_requests(
            "sendmessage",
            d.fake.requests_for("sendmessage").len() + 1,
            WAIT,
        )
        .await
        .unwrap();
    let reply = loop {
        let messages = d.fake.messages(CHAT);
        if let Some(m) = messages[before..]
            .iter()
            .find(|m| m.plain_text.contains("Operator status"))
        {
            break m.plain_text.clone();
        }
        d.fake
            .wait_for_requests(
                "sendmessage",
                d.fake.requests_for("sendmessage").len() + 1,
                WAIT,
            )
            .await
            .unwrap();
    };
    assert!(
        reply.contains("Up ") && reply.contains("Last successful poll"),
        "{reply}"
    );

    let client = reqwest::Client::new();
    let health: serde_json::Value = client
        .get(format!("http://{}/health", d.health))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(health["run_count"].as_u64().unwrap() >= 1, "{health}");
    assert_eq!(health["monitors"]["health"], true);
    assert_eq!(health["adapters"]["telegram"]["state"], "closed");
    assert!(
        health["last_update_poll_age_seconds"].as_i64().is_some(),
        "{health}"
    );
    let metrics = client
        .get(format!("http://{}/metrics", d.health))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("operator_outbox_pending")
            && metrics.contains("operator_alerts_today{priority=\"critical\"}")
    );

    // A second instance with the same state is refused, naming the running pid.
    let second = run_operator(
        d.world.dir.path(),
        &["--config", &d.world.config_arg(), "run"],
        &[],
    );
    assert_eq!(second.status.code(), Some(1));
    assert!(
        stderr(&second).contains(&format!("pid {}", d.child.id().unwrap())),
        "{}",
        stderr(&second)
    );

    let (world, _) = stop_with(d, "TERM").await;
    // Every file the daemon wrote is private to the user.
    use std::os::unix::fs::PermissionsExt;
    for path in [
        world.files.journal.with_file_name("operator-daemon.log"),
        world.files.journal.clone(),
        world.files.state_db.clone(),
    ] {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let journal = std::fs::read_to_string(&world.files.journal).unwrap();
    assert!(
        journal
            .lines()
            .any(|l| l.contains("\"outcome\":\"sent\"") && l.contains("\"channel\":\"telegram\"")),
        "{journal}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_it_cleanly_too() {
    let d = start().await;
    d.fake
        .wait_for_requests("setmycommands", 1, WAIT)
        .await
        .unwrap();
    stop_with(d, "INT").await;
}

/// Regression: a SIGTERM during start-up (before the first poll) ended the process by the
/// signal's default action. The handler is now installed before the config is read: the
/// instance lock file appears after it, so a SIGTERM the moment it exists is a clean stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_during_start_up_is_a_clean_stop() {
    let world = DemoWorld::new(Utc::now());
    let lock = operator::daemon::InstanceLock::path_for(&world.files.state_db);
    assert!(!lock.exists());
    let mut child = spawn_daemon(&world, Stdio::piped());
    let deadline = tokio::time::Instant::now() + WAIT;
    while !lock.exists() {
        assert!(tokio::time::Instant::now() < deadline, "no lock file");
        // Watching another process start: a 1 ms look, so the signal lands in start-up.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    signal(&child, "TERM").await;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("it stops")
        .unwrap();
    let mut err = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = pipe.read_to_string(&mut err).await;
    }
    assert_eq!(status.code(), Some(0), "{status:?}\n{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_without_telegram_runs_the_monitors_and_connects_when_it_appears() {
    let world = DemoWorld::new(Utc::now());
    let telegram_addr = free_loopback_addr();
    world.enable_telegram(&format!("http://{telegram_addr}"), TOKEN, &[CHAT], &[]);
    let health = free_loopback_addr();
    world.enable_health(&health);
    let mut child = spawn_daemon(&world, Stdio::null());

    // Telegram's port is closed: the daemon still runs its first cycle and serves /health.
    let client = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    let status = loop {
        let answer = client.get(format!("http://{health}/health")).send().await;
        if let Ok(response) = answer {
            let body: serde_json::Value = response.json().await.unwrap();
            if body["run_count"].as_u64().unwrap_or(0) >= 1 {
                break body;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no cycle ran while Telegram was down"
        );
        // Polling an HTTP endpoint of another process: a short pause between tries, bounded
        // by the deadline above.
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status["last_update_poll_age_seconds"].is_null(), "{status}");

    // Telegram comes up on that port: the bot connects (getMe retries back off to 2-4 s).
    let fake = FakeTelegram::try_start_at(TOKEN, &telegram_addr).unwrap();
    fake.know_chat(CHAT);
    fake.wait_for_requests("setmycommands", 1, WAIT)
        .await
        .unwrap();
    fake.wait_for_requests("sendmessage", 1, WAIT)
        .await
        .unwrap();
    signal(&child, "TERM").await;
    let exit = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(exit.code(), Some(0));
}
