//! Living alert messages: a press shows the state and `Undo`; `Undo` restores the alert and
//! its buttons; a cleared condition edits the message to `Resolved` with no buttons and no
//! new push; a snooze that ends while the alert holds brings it back marked ↺; a press on a
//! resolved or too-old alert is answered politely and its buttons removed; `/snooze off` and
//! `/quiet off` re-evaluate at once.

use chrono::Duration;

use super::harness::{CHAT, Day, at, buttons, complete_commitments};
use operator::pipeline::{Recipient, SnoozeScope};

const VIOLATED: &str = "Commitment violated: Schedule date night with Ashley";

fn find(day: &Day, needle: &str) -> i32 {
    day.messages()
        .into_iter()
        .find(|m| m.plain_text.contains(needle) && m.reply_markup.is_some())
        .unwrap_or_else(|| panic!("no message with {needle:?}: {:#?}", day.messages()))
        .message_id
}

fn labels(day: &Day, id: i32) -> Vec<String> {
    buttons(&day.message(id))
        .into_iter()
        .map(|(l, _)| l)
        .collect()
}

async fn key_snoozes(day: &Day) -> usize {
    let now = day.clock.clone();
    day.app
        .store(move |s| s.snoozes(Recipient::Chat(CHAT), operator::clock::Clock::now(&now)))
        .await
        .unwrap()
        .iter()
        .filter(|s| matches!(s.scope, SnoozeScope::Key(_)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_shows_its_state_with_undo_and_undo_restores_the_alert() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let id = find(&day, VIOLATED);
    let original = day.message(id).plain_text;

    let answer = day.press(id, "Snooze 1h").await;
    assert!(answer.contains("Snoozed until 11:00"), "{answer}");
    let pressed = day.message(id);
    assert!(
        pressed.plain_text.contains("Snoozed until 11:00"),
        "{}",
        pressed.plain_text
    );
    assert_eq!(labels(&day, id), ["Undo"]);
    assert_eq!(key_snoozes(&day).await, 1);

    let answer = day.press(id, "Undo").await;
    assert!(answer.contains("Undone"), "{answer}");
    assert_eq!(
        day.message(id).plain_text,
        original,
        "the message is as it was"
    );
    assert_eq!(
        labels(&day, id),
        ["Snooze 1h", "Snooze 4h", "Tomorrow", "Got it"]
    );
    assert_eq!(key_snoozes(&day).await, 0, "the snooze is gone");

    // Got it, then Undo: the acknowledgement goes too.
    day.press(id, "Got it").await;
    let acks = day
        .app
        .store(|s| s.acks(Recipient::Chat(CHAT)))
        .await
        .unwrap();
    assert_eq!(acks.len(), 1);
    day.press(id, "Undo").await;
    let acks = day
        .app
        .store(|s| s.acks(Recipient::Chat(CHAT)))
        .await
        .unwrap();
    assert!(acks.is_empty(), "{acks:?}");
    // A second Undo has nothing to undo and changes nothing.
    let answer = day
        .press_data(id, &buttons(&day.message(id))[0].1.replace("s1", "un"))
        .await;
    assert!(answer.contains("Nothing to undo"), "{answer}");
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleared_alert_is_edited_to_resolved_without_a_new_push() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let id = find(&day, VIOLATED);
    let snooze_data = buttons(&day.message(id))[0].1.clone();
    let sent = day.messages().len();

    complete_commitments(&day.world, &["Schedule date night with Ashley"]);
    day.cycle_at(at(10, 20)).await;
    let resolved = day.message(id);
    assert!(
        resolved.plain_text.contains("✓ Resolved 10:20"),
        "{}",
        resolved.plain_text
    );
    assert!(resolved.reply_markup.is_none(), "its buttons are gone");
    assert_eq!(day.messages().len(), sent, "no new push");

    // A later cycle leaves it alone; alerts that still hold were not touched.
    let edits = day.fake.requests_for("editmessagetext").len();
    day.cycle_at(at(10, 40)).await;
    assert_eq!(day.fake.requests_for("editmessagetext").len(), edits);
    let still = find(&day, "Readiness 48");
    assert!(!day.message(still).plain_text.contains("Resolved"));

    // A press on the resolved alert (an old client still showing buttons) is answered
    // politely and changes nothing.
    let answer = day.press_data(id, &snooze_data).await;
    assert!(answer.contains("already cleared"), "{answer}");
    assert_eq!(key_snoozes(&day).await, 0);
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_that_arrives_before_the_resolved_edit_removes_the_buttons() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let id = find(&day, VIOLATED);
    complete_commitments(&day.world, &["Schedule date night with Ashley"]);
    // The cycle marks it resolved; its edit has not gone out yet.
    day.clock.set(at(10, 20));
    day.app
        .run_cycle("test", operator::cycle::Selection::ALL)
        .await
        .unwrap();
    let answer = day.press(id, "Snooze 4h").await;
    assert!(answer.contains("already cleared at 10:20"), "{answer}");
    assert!(
        day.message(id).reply_markup.is_none(),
        "the stale buttons are removed"
    );
    assert_eq!(key_snoozes(&day).await, 0, "nothing was snoozed");
    day.deliver().await;
    assert!(day.message(id).plain_text.contains("Resolved"));
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snooze_that_ends_while_the_alert_holds_brings_it_back_marked() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let id = find(&day, VIOLATED);
    day.press(id, "Snooze 1h").await;
    let sent = day.messages().len();

    day.cycle_at(at(10, 30)).await;
    assert_eq!(day.messages().len(), sent, "snoozed: nothing");
    day.cycle_at(at(11, 5)).await;
    let back: Vec<_> = day.messages()[sent..]
        .iter()
        .filter(|m| m.plain_text.contains("Schedule date night"))
        .cloned()
        .collect();
    assert_eq!(back.len(), 1, "{:#?}", &day.messages()[sent..]);
    assert!(back[0].plain_text.contains('↺'), "{}", back[0].plain_text);
    assert!(
        back[0].plain_text.contains("Back after your snooze"),
        "{}",
        back[0].plain_text
    );
    assert_eq!(
        labels(&day, back[0].message_id).len(),
        4,
        "a live alert again"
    );

    // It does not come back twice.
    day.cycle_at(at(11, 25)).await;
    let again = day.messages()[sent..]
        .iter()
        .filter(|m| m.plain_text.contains("Schedule date night"))
        .count();
    assert_eq!(again, 1);
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snooze_off_and_quiet_off_take_effect_at_once() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    // Snoozed before anything was sent: the cycle holds everything but the critical.
    day.ask("/snooze 4h", 1).await;
    day.cycle_at(at(10, 5)).await;
    let before = day.messages().len();
    assert!(
        day.messages()
            .iter()
            .all(|m| !m.plain_text.contains("overdue")),
        "the high alerts are snoozed"
    );
    let runs = |d: &Day| {
        let app = std::sync::Arc::clone(&d.app);
        async move { app.store(|s| s.run_count()).await.unwrap() }
    };
    let runs_before = runs(&day).await;
    day.ask("/snooze off", 1).await;
    // The cycle it asked for runs without the scheduler; its messages are queued at once.
    let deadline = tokio::time::Instant::now() + super::harness::WAIT;
    while runs(&day).await == runs_before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no cycle after /snooze off"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    day.deliver().await;
    assert!(
        day.messages()[before..]
            .iter()
            .any(|m| m.plain_text.contains("overdue")),
        "{:#?}",
        &day.messages()[before..]
    );

    // Quiet hours held alerts overnight; /quiet off releases them now.
    let night = Day::start(
        at(23, 0) - Duration::days(1),
        at(23, 0) - Duration::days(1),
        false,
    )
    .await;
    night.cycle_at(at(23, 0) - Duration::days(1)).await;
    let held = night.messages().len();
    let runs_before = runs(&night).await;
    night.ask("/quiet off", 1).await;
    let deadline = tokio::time::Instant::now() + super::harness::WAIT;
    while runs(&night).await == runs_before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no cycle after /quiet off"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    night.deliver().await;
    assert!(night.messages().len() > held + 1, "the held alerts went");
    night.stop().await;
    day.stop().await;
}
