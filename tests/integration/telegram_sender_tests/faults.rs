//! When Telegram fails: an outage (5xx) with backoff and the desktop fallback, a 429
//! `retry_after` pause, permanent errors, and rows that expire undelivered.

use operator::alert::Priority;
use operator::channels::telegram::RowOutcome;
use operator::store::OutboxStatus;
use tokio::time::Duration;
use tokio_util::sync::CancellationToken;

use super::{CHAT, OTHER_CHAT, World, shown};
use crate::support::fake_telegram::Fault;

const LONG_WAIT: Duration = Duration::from_secs(3600);

#[tokio::test(start_paused = true)]
async fn an_outage_is_ridden_out_in_priority_order_with_one_desktop_fallback_each() {
    let w = World::new(&[CHAT], 2);
    w.queue(CHAT, Priority::Low, "low", &["l"]);
    w.queue(CHAT, Priority::Critical, "critical", &["c"]);
    w.queue(CHAT, Priority::Medium, "medium", &["m"]);
    // Four failing sends: a cut connection, nginx pages, a JSON 500.
    for fault in [
        Fault::Drop,
        Fault::ServerError(502),
        Fault::ServerError(500),
        Fault::ServerError(503),
    ] {
        w.fake.script(Some("sendMessage"), fault);
    }

    let cancel = CancellationToken::new();
    let running = tokio::spawn(w.sender().run(cancel.clone()));
    let sends = w
        .fake
        .wait_for_requests("sendMessage", 4 + 3, LONG_WAIT)
        .await
        .unwrap();
    cancel.cancel();
    running.await.unwrap();

    // One probe per failing pass: the others wait with it instead of hammering Telegram.
    assert_eq!(sends.len(), 7, "no extra requests: {sends:?}");
    let titles: Vec<String> = shown(&w.fake, CHAT)
        .iter()
        .map(|t| strip_marker(t))
        .collect();
    assert_eq!(
        titles,
        ["critical", "medium", "low"],
        "each exactly once, in priority order"
    );
    // Backoff grows: about 2 s after the first failure, about 16 s (after teloxide's own
    // 10 s wait on a 5xx) after the fourth.
    let first_gap = sends[1].at - sends[0].at;
    let last_gap = sends[4].at - sends[3].at;
    assert!(first_gap < Duration::from_secs(3), "{first_gap:?}");
    assert!(last_gap > Duration::from_secs(20), "{last_gap:?}");

    // After two failed attempts each row was shown once on the desktop, and journaled so.
    let mut fallen = w.notifier.titles();
    fallen.sort();
    assert_eq!(fallen, ["critical", "low", "medium"]);
    let fallbacks = w.journal_outcomes("fallback_desktop");
    assert_eq!(fallbacks.len(), 3);
    assert!(fallbacks.iter().all(|l| {
        l["reason"]
            .as_str()
            .unwrap()
            .contains("shown on the desktop")
    }));
    assert_eq!(
        w.journal_outcomes("sent").len(),
        3,
        "Telegram delivery carried on after the fallback"
    );
}

/// The title line of a shown message, without its priority marker.
fn strip_marker(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    first.split_once(' ').map_or(first, |(_, t)| t).to_owned()
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_send_for_retry_after_and_is_hit_once() {
    let w = World::new(&[CHAT, OTHER_CHAT], 3);
    w.queue(CHAT, Priority::High, "first", &["1"]);
    w.queue(OTHER_CHAT, Priority::Medium, "second", &["2"]);
    w.queue(CHAT, Priority::Low, "third", &["3"]);
    w.fake.script(Some("sendMessage"), Fault::RetryAfter(7));

    let stats = w.sender().drain(Duration::from_secs(60)).await;
    assert_eq!(stats.delivered, 3, "{stats:?}");
    let sends = w.fake.requests_for("sendMessage");
    let statuses: Vec<_> = sends.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [Some(429), Some(200), Some(200), Some(200)],
        "no 429 twice"
    );
    let pause = sends[1].at - sends[0].at;
    assert!(pause >= Duration::from_secs(7), "resumed after {pause:?}");
    assert!(
        pause < Duration::from_secs(9),
        "and not much later: {pause:?}"
    );
    // The 429 is not a failed attempt: no fallback, nothing failed.
    assert!(w.notifier.titles().is_empty());
    assert!(w.journal_outcomes("fallback_desktop").is_empty());
}

/// The failing-cycle notice goes through the one send path: a 429 on it pauses every other
/// send (the pushes after it wait the pause out) and is kept in the state database.
#[tokio::test(start_paused = true)]
async fn a_429_on_the_failing_cycle_notice_pauses_every_other_send() {
    let w = World::new(&[CHAT, OTHER_CHAT], 3);
    w.queue(OTHER_CHAT, Priority::High, "waiting push", &["1"]);
    let failure = anyhow::anyhow!("database or disk is full");
    w.app.note_cycle_failed(&failure);
    w.app.note_cycle_failed(&failure);
    w.fake.script(Some("sendMessage"), Fault::RetryAfter(7));

    let cancel = CancellationToken::new();
    let sender = tokio::spawn(w.sender().run(cancel.clone()));
    tokio::time::sleep(Duration::from_secs(30)).await;
    cancel.cancel();
    sender.await.unwrap();

    let sends = w.fake.requests_for("sendMessage");
    assert_eq!(sends.first().and_then(|r| r.status), Some(429), "{sends:?}");
    // The notice is best effort: the chat whose send drew the 429 hears at the next streak.
    assert!(shown(&w.fake, CHAT).is_empty());
    let other = shown(&w.fake, OTHER_CHAT);
    assert!(other[0].contains("check cycles are failing"), "{other:?}");
    let paused_at = sends[0].at;
    for later in &sends[1..] {
        assert!(
            later.at - paused_at >= Duration::from_secs(7),
            "a send {:?} after the notice's 429, inside its 7 s pause",
            later.at - paused_at
        );
    }
    assert_eq!(
        other.len(),
        2,
        "notice and push, after the pause: {other:?}"
    );
    let recorded = w
        .app
        .lock_store()
        .telegram_pause(w.app.now() - chrono::Duration::seconds(29));
    assert!(
        recorded.unwrap().is_some(),
        "the pause is kept for a restart inside it"
    );
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_fail_the_row_and_spare_other_chats() {
    const UNKNOWN_CHAT: i64 = 333;
    let w = World::new(&[CHAT, OTHER_CHAT], 3);
    w.fake.block_chat(CHAT);
    // Table: chat → the reason its row fails with (None: delivered).
    let table: [(i64, Option<&str>); 3] = [
        (CHAT, Some("the user blocked the bot")),
        (UNKNOWN_CHAT, Some("chat not found")),
        (OTHER_CHAT, None),
    ];
    let ids: Vec<i64> = table
        .iter()
        .map(|(chat, _)| w.queue(*chat, Priority::High, &format!("for {chat}"), &["x"]))
        .collect();

    let stats = w.sender().drain(Duration::from_secs(60)).await;
    assert_eq!(
        (stats.delivered, stats.failed, stats.retried),
        (1, 2, 0),
        "{stats:?}"
    );
    for ((chat, reason), id) in table.iter().zip(ids) {
        let row = w.row(id);
        match reason {
            Some(reason) => {
                assert_eq!(row.status, OutboxStatus::Failed, "chat {chat}");
                assert!(row.last_error.as_deref().unwrap().contains(reason));
                let failed: Vec<_> = w
                    .journal_outcomes("failed")
                    .into_iter()
                    .filter(|l| l["chat_id"] == *chat)
                    .collect();
                assert_eq!(failed.len(), 1, "chat {chat}");
                assert!(failed[0]["reason"].as_str().unwrap().contains(reason));
            }
            None => assert_eq!(row.status, OutboxStatus::Delivered),
        }
    }
    // Failed for good: a later pass sends nothing more.
    let before = w.fake.requests_for("sendMessage").len();
    tokio::time::advance(Duration::from_secs(600)).await;
    let again = w.sender().deliver_due().await;
    assert_eq!(again.attempted(), 0);
    assert_eq!(w.fake.requests_for("sendMessage").len(), before);
}

#[tokio::test(start_paused = true)]
async fn rows_past_their_expiry_are_journaled_expired_and_never_sent() {
    let w = World::new(&[CHAT], 3);
    let n = |title: &str| {
        let alert = operator::alert::Alert::new(
            operator::alert::AlertClass::Health,
            "readiness",
            Some(title),
            Priority::High,
            title,
            "m",
            w.app.now(),
        );
        super::notification(
            Priority::High,
            title,
            &["m"],
            vec![alert],
            operator::pipeline::NotificationKind::Alert,
        )
    };
    let stale = w.queue_notification(CHAT, &n("stale"), chrono::Duration::hours(1));
    // Not quite expired: due to expire a minute after the check.
    let fresh = w.queue_notification(CHAT, &n("fresh"), chrono::Duration::minutes(121));
    tokio::time::advance(Duration::from_secs(2 * 3600)).await;

    let stats = w.sender().deliver_due().await;
    assert_eq!((stats.expired, stats.delivered), (1, 1), "{stats:?}");
    assert!(
        stats
            .results
            .iter()
            .any(|r| r.outbox_id == stale && r.outcome == RowOutcome::Expired)
    );
    assert_eq!(w.row(stale).status, OutboxStatus::Expired);
    assert_eq!(w.row(fresh).status, OutboxStatus::Delivered);
    let expired = w.journal_outcomes("expired");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["title"], "stale");
    assert_eq!(expired[0]["chat_id"], CHAT);
    let titles: Vec<String> = shown(&w.fake, CHAT);
    assert_eq!(titles.len(), 1);
    assert!(titles[0].contains("fresh"), "the stale row was never sent");
}
