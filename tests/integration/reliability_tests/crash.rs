//! SIGKILL at varied points (start-up and the first cycle, after N sends, with a send in
//! flight whose answer never comes) and SIGTERM at random points, each followed by a
//! restart; then the invariant: nothing lost, at most one duplicate per crash, settings, an
//! acknowledgement and dedup state intact, healthy again within one poll.
//!
//! `OPERATOR_KILLS` (default 50) sets the number of SIGKILLs; `OPERATOR_KILL_SEED` replays a
//! run (the seed is printed).

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::rig::{Rig, WAIT, kill9, term};
use crate::support::fake_telegram::Fault;

/// SIGKILLs per world; each world ends with a clean restart and the invariant check.
const KILLS_PER_WORLD: usize = 10;

#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// This long after the spawn: start-up, migrations, the first cycle, the first sends.
    AfterMillis(u64),
    /// Once the fake has seen this many more sendMessage requests.
    AfterSends(usize),
    /// While a sendMessage the fake has already applied waits for its answer.
    InFlightSend,
}

impl KillPoint {
    fn pick(rng: &mut StdRng) -> KillPoint {
        match rng.random_range(0..3) {
            0 => KillPoint::AfterMillis(rng.random_range(0..400)),
            1 => KillPoint::AfterSends(rng.random_range(1..=3)),
            _ => KillPoint::InFlightSend,
        }
    }
}

fn kills_wanted() -> usize {
    std::env::var("OPERATOR_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
}

fn seed() -> u64 {
    std::env::var("OPERATOR_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        })
}

/// Settings chat: never pushed to, sets quiet hours and a snooze that must survive.
const SETTINGS_CHAT: i64 = 9_000;

/// Sends `text` from the settings chat and returns the bot's reply text.
async fn ask(rig: &Rig, text: &str) -> String {
    let before = rig.fake.messages(SETTINGS_CHAT).len();
    rig.fake.push_text(SETTINGS_CHAT, SETTINGS_CHAT, text);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let messages = rig.fake.messages(SETTINGS_CHAT);
        if messages.len() > before {
            return messages[before].plain_text.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "no reply to {text}");
        rig.fake
            .wait_for_requests(
                "sendmessage",
                rig.fake.requests_for("sendmessage").len() + 1,
                WAIT,
            )
            .await
            .ok();
    }
}

/// Presses `Got it` on the first pushed alert in `chat` (waiting for one) and waits for the
/// press to be answered; returns the chat's acknowledgements then.
async fn press_got_it(rig: &Rig, chat: i64) -> i64 {
    let deadline = tokio::time::Instant::now() + WAIT;
    let (message_id, data) = loop {
        let found = rig.fake.messages(chat).into_iter().find_map(|m| {
            let rows = m.reply_markup.as_ref()?["inline_keyboard"]
                .as_array()?
                .clone();
            rows.iter()
                .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                .find(|b| b["text"] == "Got it")
                .and_then(|b| b["callback_data"].as_str().map(str::to_owned))
                .map(|data| (m.message_id, data))
        });
        if let Some(found) = found {
            break found;
        }
        assert!(tokio::time::Instant::now() < deadline, "no alert in {chat}");
        let seen = rig.fake.requests_for("sendmessage").len();
        let _ = rig
            .fake
            .wait_for_requests("sendmessage", seen + 1, Duration::from_secs(1))
            .await;
    };
    let answered = rig.fake.requests_for("answercallbackquery").len();
    rig.fake.push_callback(chat, chat, message_id, &data);
    rig.fake
        .wait_for_requests("answercallbackquery", answered + 1, WAIT)
        .await
        .unwrap();
    let acks = rig.acks(chat);
    assert!(acks > 0, "the press recorded no acknowledgement");
    acks
}

/// One world: settings set, `kills` SIGKILLs at random points (and a SIGTERM), then a clean
/// run that must settle with the invariant holding. Returns (kills, sends seen, duplicates).
async fn world(seed: u64, kills: usize) -> (usize, usize, usize, usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let rng = &mut rng;
    let mut sigterms = 0;
    let chats = [101, 102, 103, 104];
    let mut rig = Rig::new(&chats, &[SETTINGS_CHAT], "low").await;
    rig.world.no_quiet_hours();

    // Settings that must survive every crash.
    let mut child = rig.spawn();
    let quiet = ask(&rig, "/quiet 23-6").await;
    let snooze = ask(&rig, "/snooze patterns 2d").await;
    assert!(
        quiet.contains("23") && snooze.to_lowercase().contains("patterns"),
        "{quiet} / {snooze}"
    );
    let acked = press_got_it(&rig, chats[0]).await;
    kill9(&mut child).await;
    let mut crashes = 1;

    for i in 0..kills {
        let mut child = rig.spawn();
        let point = KillPoint::pick(rng);
        let sends = rig.fake.requests_for("sendmessage").len();
        match point {
            KillPoint::AfterMillis(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            KillPoint::AfterSends(n) => {
                // Nothing left to send is fine: the kill then lands in the idle daemon.
                let _ = rig
                    .fake
                    .wait_for_requests("sendmessage", sends + n, Duration::from_secs(3))
                    .await;
            }
            KillPoint::InFlightSend => {
                if rig.pending() > 0 || rig.runs() == 0 {
                    rig.fake
                        .script(Some("sendMessage"), Fault::Stall(Duration::from_secs(20)));
                    let _ = rig
                        .fake
                        .wait_for_requests("sendmessage", sends + 1, Duration::from_secs(3))
                        .await;
                }
            }
        }
        if i == kills / 2 {
            // A SIGTERM at a random point once the daemon is up is a clean stop: it must exit
            // 0. (The handler is installed before the config is read, so start-up is clean
            // too: `daemon_tests::a_sigterm_during_start_up_is_a_clean_stop`. Only the first
            // milliseconds after exec, before that, end by the signal's default action.)
            let polls = rig.fake.requests_for("getupdates").len();
            let _ = rig
                .fake
                .wait_for_requests("getupdates", polls + 1, Duration::from_secs(10))
                .await;
            assert_eq!(term(&mut child).await, Some(0), "SIGTERM at kill {i}");
            sigterms += 1;
        } else {
            kill9(&mut child).await;
            crashes += 1;
        }
    }

    // A stall scripted for a send that never came must not hit the final run.
    rig.fake.clear_faults();
    let runs = rig.runs();
    let mut child = rig.spawn();
    rig.settle(runs).await.unwrap();
    let report = rig.check_invariant(crashes);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert!(report.delivered > 0, "{report:?}");
    // Settings and snoozes survived every crash, as the bot reports them.
    let quiet = ask(&rig, "/quiet").await;
    assert!(quiet.contains("23") && quiet.contains('6'), "{quiet}");
    let snooze = ask(&rig, "/snooze").await;
    assert!(snooze.to_lowercase().contains("patterns"), "{snooze}");
    assert_eq!(
        rig.acks(chats[0]),
        acked,
        "the acknowledgement given before the first kill survived"
    );
    assert_eq!(term(&mut child).await, Some(0));
    super::secrets::assert_no_secret_in(&rig);
    (crashes, sigterms, report.messages, report.duplicates)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_loses_no_alert_and_duplicates_at_most_one_per_crash() {
    let seed = seed();
    println!("OPERATOR_KILL_SEED={seed}");
    let wanted = kills_wanted();
    // Worlds run side by side: each daemon mostly waits on Telegram's pacing.
    let mut worlds = Vec::new();
    let mut planned = 0;
    while planned < wanted {
        // Each world's SIGKILLs: its settings kill, then all but one SIGTERM of `n` restarts.
        let n = KILLS_PER_WORLD.min(wanted - planned).max(2);
        worlds.push(world(seed.wrapping_add(worlds.len() as u64), n));
        planned += n;
    }
    let started = std::time::Instant::now();
    let results = futures::future::join_all(worlds).await;
    let (mut kills, mut sigterms, mut messages, mut duplicates) = (0, 0, 0, 0);
    for (k, t, m, d) in results {
        kills += k;
        sigterms += t;
        messages += m;
        duplicates += d;
    }
    assert!(kills >= wanted, "{kills} < {wanted}");
    println!(
        "reliability: {kills} SIGKILLs and {sigterms} SIGTERMs survived in {:?}, {messages} alert messages, {duplicates} duplicates, 0 lost",
        started.elapsed()
    );
}
