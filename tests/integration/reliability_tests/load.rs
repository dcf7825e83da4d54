//! Load: 100 allowed chats send 20 commands each in one burst, queued before the daemon
//! starts polling, while its first cycle decides 50+ alerts for five more chats, against the
//! fake Bot API enforcing Telegram's flood limits (1 message per second per chat, 30 per
//! second in all, else 429).
//!
//! Expected: every command answered and every alert delivered, no 429 at all (replies and
//! pushes share one pacer), no duplicates, and the daemon's memory bounded (its peak RSS is
//! read from /proc and reported).

use std::collections::HashMap;
use std::time::Duration;

use super::rig::{Rig, term};
use crate::support::fake_telegram::RateLimits;

const ASKERS: i64 = 100;
const COMMANDS_EACH: usize = 20;
/// The burst's commands, in turn. Each is answered (a long answer may take two messages).
const COMMANDS: [&str; 10] = [
    "/status",
    "/readiness",
    "/overdue",
    "/snooze",
    "/quiet",
    "/help",
    "/start",
    "/snooze 30m",
    "/quiet",
    "/check",
];
/// Even at the limit, 2,000 replies and the pushes take about 75 s.
const BOUND: Duration = Duration::from_secs(240);
/// The daemon's peak resident memory may not pass this (a debug build).
const PEAK_RSS_LIMIT_KIB: u64 = 192 * 1024;

/// Adds `n` overdue commitments to the world's CommitmentData.json.
fn add_overdue_commitments(rig: &Rig, n: usize) {
    let path = rig.world.files.state_dir.join("CommitmentData.json");
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let list = data["commitments"].as_array_mut().unwrap();
    let template = list[0].clone();
    for i in 0..n {
        let mut c = template.clone();
        c["id"] = format!("load-{i:04}").into();
        c["title"] = format!("Load commitment {i}").into();
        c["due_date"] = "2026-01-05".into();
        c["status"] = "pending".into();
        list.push(c);
    }
    std::fs::write(&path, serde_json::to_string_pretty(&data).unwrap()).unwrap();
}

/// `VmHWM` (peak resident set) of `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_commands_and_fifty_alerts_stay_inside_telegrams_limits() {
    let push: Vec<i64> = (1..=5).map(|i| 7_000 + i).collect();
    let askers: Vec<i64> = (1..=ASKERS).map(|i| 8_000 + i).collect();
    let mut rig = Rig::new(&push, &askers, "low").await;
    rig.world.no_quiet_hours();
    rig.edit_config("  max_alerts_per_run: 20", "  max_alerts_per_run: 200");
    add_overdue_commitments(&rig, 40);
    rig.fake.enforce_rate_limits(RateLimits::TELEGRAM);
    for i in 0..COMMANDS_EACH {
        for chat in &askers {
            rig.fake
                .push_text(*chat, *chat, COMMANDS[i % COMMANDS.len()]);
        }
    }
    let started = tokio::time::Instant::now();
    let mut child = rig.spawn();
    let pid = child.id().expect("the daemon runs");
    let mut peak = 0;
    let answered = |rig: &Rig| {
        askers
            .iter()
            .filter(|c| rig.fake.messages(**c).len() >= COMMANDS_EACH)
            .count()
    };
    loop {
        peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
        let done = answered(&rig) == askers.len() && rig.runs() > 0 && rig.pending() == 0;
        if done {
            break;
        }
        assert!(
            started.elapsed() < BOUND,
            "after {BOUND:?}: {} of {} chats fully answered, {} pending, {} x 429",
            answered(&rig),
            askers.len(),
            rig.pending(),
            rig.fake.rate_limited().0
        );
        // Watching another process: a bounded look every 250 ms.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let took = started.elapsed();
    let (refused, accepted) = rig.fake.rate_limited();
    assert_eq!(
        refused, 0,
        "Telegram would have answered 429 {refused} time(s)"
    );

    // Every command got its reply, in every chat.
    let per_chat: HashMap<i64, usize> = askers
        .iter()
        .map(|c| (*c, rig.fake.messages(*c).len()))
        .collect();
    assert!(
        per_chat.values().all(|n| *n >= COMMANDS_EACH),
        "{per_chat:?}"
    );
    // The first cycle decided at least 50 alerts per push chat, and all were delivered.
    // 200 /check cycles journal every deduplicated alert for every chat: it has rotated.
    let journal = rig.world.journal_lines_with_backups();
    let decided = journal
        .iter()
        .filter(|l| l["chat_id"] == push[0] && l["outcome"] == "queued")
        .count();
    assert!(decided >= 50, "only {decided} alerts decided");
    let report = rig.check_invariant(0);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.duplicates, 0);
    assert!(
        peak > 0 && peak < PEAK_RSS_LIMIT_KIB,
        "peak RSS {peak} KiB (limit {PEAK_RSS_LIMIT_KIB})"
    );
    assert_eq!(term(&mut child).await, Some(0));
    super::secrets::assert_no_secret_in(&rig);
    let messages = accepted;
    println!(
        "reliability: load: {} commands from {ASKERS} chats + {decided} alerts to {} chats: {messages} messages in {took:?} ({:.1}/s), 0 x 429, peak RSS {:.1} MiB; 0 lost",
        askers.len() * COMMANDS_EACH,
        push.len(),
        messages as f64 / took.as_secs_f64(),
        peak as f64 / 1024.0
    );
}
