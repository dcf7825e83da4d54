//! `operator run` against the fake Bot API on loopback, with Telegram's flood limits enforced
//! by the fake (1 message/s per chat, 30/s in all, else 429): start-up time to the first
//! `getUpdates`, end-to-end command latency, pushed-alert throughput over many chats, and an
//! idle daemon's memory and CPU.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::Value;
use tokio::time::Instant;

use crate::fake::{FakeTelegram, RateLimits, Recorded};
use crate::procs;
use crate::stats::Samples;
use crate::support::{self, Setup, World};

const WAIT: Duration = Duration::from_secs(30);

/// A daemon under measurement and the fake it talks to.
pub struct Daemon {
    pub child: Child,
    pub fake: FakeTelegram,
    pub label: String,
    pub started: std::time::Instant,
    _world: World,
}

fn start_fake(chats: &[i64]) -> FakeTelegram {
    let fake = FakeTelegram::start(support::TOKEN);
    fake.enforce_rate_limits(RateLimits::TELEGRAM);
    for &chat in chats {
        fake.know_chat(chat);
    }
    fake
}

fn world(dir: &Path, scale: u32, fake: &FakeTelegram, setup: Setup) -> anyhow::Result<World> {
    let setup = Setup {
        api_url: Some(fake.api_url()),
        ..setup
    };
    World::create(dir, Utc::now(), scale, &setup)
}

fn chat_of(r: &Recorded) -> Option<i64> {
    match r.params.get("chat_id")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Waits until no `sendMessage` arrived for `quiet`; returns them all.
async fn settle_sends(fake: &FakeTelegram, quiet: Duration, max: Duration) -> Vec<Recorded> {
    let deadline = Instant::now() + max;
    let mut seen = fake.requests_for("sendmessage").len();
    let mut since = Instant::now();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = fake.requests_for("sendmessage").len();
        if now != seen {
            seen = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            break;
        }
    }
    fake.requests_for("sendmessage")
}

/// Start-up: spawn to the first `getUpdates`, `runs` times (stopped with SIGTERM between).
pub async fn startup(bin: &Path, dir: &Path, scale: u32, runs: usize) -> anyhow::Result<Samples> {
    let chats = support::chat_ids(5000, 1);
    let fake = start_fake(&chats);
    let setup = Setup {
        chats: chats.clone(),
        ..Setup::default()
    };
    let w = world(dir, scale, &fake, setup)?;
    let mut samples = Samples::default();
    for i in 0..runs {
        let before = fake.requests_for("getupdates").len();
        let spawned = Instant::now();
        let mut child =
            procs::spawn_daemon(bin, &w.config_path(), &dir.join(format!("startup-{i}.log")))?;
        let polls = fake
            .wait_for_requests("getupdates", before + 1, WAIT)
            .await
            .map_err(anyhow::Error::msg)?;
        let first = polls.get(before).context("the first getUpdates")?;
        samples.push(first.at.saturating_duration_since(spawned));
        procs::stop(&mut child)?;
    }
    fake.shutdown().await;
    Ok(samples)
}

/// What pushing the first cycle's alerts to many chats came to.
pub struct Throughput {
    pub messages: usize,
    pub chats: usize,
    pub seconds: f64,
    pub per_second: f64,
    pub busiest_second: usize,
    pub refused_429: u64,
}

/// Every chat gets the demo's alerts at once (min priority `info`, quiet hours off): the
/// sender is bound by Telegram's 30 messages/s.
pub async fn throughput(
    bin: &Path,
    dir: &Path,
    scale: u32,
    chats: usize,
) -> anyhow::Result<Throughput> {
    let ids = support::chat_ids(10_000, chats);
    let fake = start_fake(&ids);
    let setup = Setup {
        chats: ids.clone(),
        min_priority: Some("info"),
        ..Setup::default()
    };
    let w = world(dir, scale, &fake, setup)?;
    let mut child = procs::spawn_daemon(bin, &w.config_path(), &dir.join("throughput.log"))?;
    fake.wait_for_requests("sendmessage", 1, WAIT)
        .await
        .map_err(anyhow::Error::msg)?;
    let sends = settle_sends(&fake, Duration::from_secs(3), Duration::from_secs(600)).await;
    procs::stop(&mut child)?;
    let (refused, _) = fake.rate_limited();
    fake.shutdown().await;

    let ok: Vec<Instant> = sends
        .iter()
        .filter(|r| r.status == Some(200))
        .map(|r| r.at)
        .collect();
    let (Some(first), Some(last)) = (ok.first(), ok.last()) else {
        bail!("no message was delivered");
    };
    let seconds = last.saturating_duration_since(*first).as_secs_f64();
    let busiest = ok
        .iter()
        .map(|t| {
            ok.iter()
                .filter(|u| **u >= *t && **u < *t + Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    let distinct: std::collections::BTreeSet<i64> = sends.iter().filter_map(chat_of).collect();
    Ok(Throughput {
        messages: ok.len(),
        chats: distinct.len(),
        seconds,
        per_second: if seconds > 0.0 {
            (ok.len() - 1) as f64 / seconds
        } else {
            f64::NAN
        },
        busiest_second: busiest,
        refused_429: refused,
    })
}

/// The commands measured end to end.
pub const COMMANDS: [&str; 10] = [
    "/start",
    "/help",
    "/status",
    "/readiness",
    "/overdue",
    "/brief",
    "/week",
    "/snooze",
    "/quiet",
    "/check",
];

/// Starts a daemon (one alert chat, ten command chats), waits for its first alerts, then
/// sends each command `rounds` times and times update → reply. The daemon is left running
/// for the idle measurement.
pub async fn commands(
    bin: &Path,
    dir: &Path,
    scale: u32,
    rounds: usize,
) -> anyhow::Result<(Daemon, Vec<(&'static str, Samples)>)> {
    let push = support::chat_ids(20_000, 1);
    let users = support::chat_ids(30_000, 10);
    let mut all = push.clone();
    all.extend(&users);
    let fake = start_fake(&all);
    let setup = Setup {
        chats: push,
        extra_allowed: users.clone(),
        ..Setup::default()
    };
    let w = world(dir, scale, &fake, setup)?;
    let started = std::time::Instant::now();
    let child = procs::spawn_daemon(bin, &w.config_path(), &dir.join("daemon.log"))?;
    fake.wait_for_requests("getupdates", 1, WAIT)
        .await
        .map_err(anyhow::Error::msg)?;
    settle_sends(&fake, Duration::from_secs(2), Duration::from_secs(120)).await;

    let mut results: Vec<(&'static str, Samples)> =
        COMMANDS.iter().map(|c| (*c, Samples::default())).collect();
    let mut turn = 0usize;
    for _ in 0..rounds {
        for (command, samples) in results.iter_mut() {
            let chat = users[turn % users.len()];
            turn += 1;
            // A reply with a chart is complete when its picture is sent.
            let method = if ["/readiness", "/brief", "/week"].contains(command) {
                "sendphoto"
            } else {
                "sendmessage"
            };
            let before = fake.requests_for(method).len();
            let pushed = Instant::now();
            fake.push_text(chat, chat, command);
            let sends = fake
                .wait_for_requests(method, before + 1, WAIT)
                .await
                .map_err(anyhow::Error::msg)?;
            let reply = sends[before..]
                .iter()
                .find(|r| chat_of(r) == Some(chat))
                .context("the reply went to another chat")?;
            samples.push(reply.at.saturating_duration_since(pushed));
            // Users do not type faster than this; it also keeps each chat under 1 message/s.
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
    let daemon = Daemon {
        child,
        fake,
        label: format!("{scale}×"),
        started,
        _world: w,
    };
    Ok((daemon, results))
}

/// Idle figures of a running daemon: RSS once it has been up `settle`, then CPU over `window`.
pub struct Idle {
    pub rss_mib: f64,
    pub peak_mib: Option<f64>,
    /// `anon MiB + file MiB` where the OS tells them apart.
    pub split: Option<(f64, f64)>,
    pub cpu_ms: f64,
    pub window_s: f64,
}

pub async fn idle(
    daemons: &mut [Daemon],
    settle: Duration,
    window: Duration,
) -> anyhow::Result<Vec<Idle>> {
    let oldest_needed = daemons
        .iter()
        .map(|d| settle.saturating_sub(d.started.elapsed()))
        .max()
        .unwrap_or_default();
    tokio::time::sleep(oldest_needed).await;
    let mut memory = Vec::new();
    let mut cpu_before = Vec::new();
    for d in daemons.iter() {
        memory.push(procs::memory(d.child.id())?);
        cpu_before.push(procs::cpu_time(d.child.id())?);
    }
    let measured = std::time::Instant::now();
    tokio::time::sleep(window).await;
    let elapsed = measured.elapsed().as_secs_f64();
    let mut out = Vec::new();
    for ((d, m), before) in daemons.iter_mut().zip(memory).zip(cpu_before) {
        let used = procs::cpu_time(d.child.id())?.saturating_sub(before);
        out.push(Idle {
            rss_mib: m.rss_kib as f64 / 1024.0,
            peak_mib: m.peak_kib.map(|k| k as f64 / 1024.0),
            split: m
                .anon_kib
                .zip(m.file_kib)
                .map(|(a, f)| (a as f64 / 1024.0, f as f64 / 1024.0)),
            cpu_ms: used.as_secs_f64() * 1000.0,
            window_s: elapsed,
        });
        procs::stop(&mut d.child)?;
        let (refused, _) = d.fake.rate_limited();
        if refused > 0 {
            println!(
                "note: the {} daemon's fake refused {refused} message(s) with 429",
                d.label
            );
        }
        d.fake.shutdown().await;
    }
    Ok(out)
}

/// A fresh directory for one scenario.
pub fn scenario_dir(root: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let dir = root.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
