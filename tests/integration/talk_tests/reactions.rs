//! Reactions on alert messages: 👍 is `Got it`, 👎 "not useful", each undone by taking the
//! reaction back; on other messages, from strangers or on another chat's alert they change
//! nothing. The bot asks Telegram for them (Telegram sends none unless asked).

use std::time::Duration;

use operator::pipeline::Recipient;
use operator::store::FeedbackKind;

use crate::day_tests::harness::{CHAT, Day, OTHER, STRANGER, at, buttons};

const VIOLATED: &str = "Commitment violated: Schedule date night with Ashley";

fn alert_id(day: &Day) -> i32 {
    day.messages()
        .into_iter()
        .find(|m| m.plain_text.contains(VIOLATED))
        .expect("the alert was pushed")
        .message_id
}

/// Pushes a reaction change and waits until the bot has edited (or, `expect_edit` false,
/// until a later command shows the update was handled).
async fn react(
    day: &Day,
    chat: i64,
    message_id: i32,
    old: &[&str],
    new: &[&str],
    expect_edit: bool,
) {
    let edits = day.fake.requests_for("editmessagetext").len();
    day.fake.push_reaction(chat, chat, message_id, old, new);
    if expect_edit {
        day.fake
            .wait_for_requests("editmessagetext", edits + 1, Duration::from_secs(10))
            .await
            .unwrap();
    } else {
        // Updates are handled in order: once this reply is in, the reaction was handled.
        day.ask("status", 1).await;
        assert_eq!(
            day.fake.requests_for("editmessagetext").len(),
            edits,
            "no edit"
        );
    }
}

async fn acks(day: &Day) -> usize {
    day.app
        .store(|s| s.acks(Recipient::Chat(CHAT)))
        .await
        .unwrap()
        .len()
}

async fn feedback(day: &Day, kind: FeedbackKind) -> usize {
    day.app
        .store(|s| s.feedback_since(None, chrono::DateTime::UNIX_EPOCH))
        .await
        .unwrap()
        .iter()
        .filter(|f| f.kind == kind)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thumbs_up_is_got_it_and_taking_it_back_undoes_it() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let asked = day.fake.requests_for("getupdates");
    assert!(
        asked.iter().any(|r| r.params["allowed_updates"]
            .as_array()
            .is_some_and(|a| a.iter().any(|k| k == "message_reaction"))),
        "the bot asks for reactions"
    );
    let id = alert_id(&day);
    let original = day.message(id).plain_text;

    react(&day, CHAT, id, &[], &["👍"], true).await;
    assert_eq!(acks(&day).await, 1);
    assert_eq!(feedback(&day, FeedbackKind::Up).await, 1);
    let m = day.message(id);
    assert!(m.plain_text.contains("👍 Got it"), "{}", m.plain_text);
    assert_eq!(
        buttons(&m).into_iter().map(|b| b.0).collect::<Vec<_>>(),
        ["Undo"]
    );

    react(&day, CHAT, id, &["👍"], &[], true).await;
    assert_eq!(acks(&day).await, 0, "taking 👍 back undoes Got it");
    assert_eq!(feedback(&day, FeedbackKind::Up).await, 0);
    assert_eq!(day.message(id).plain_text, original);
    assert_eq!(buttons(&day.message(id)).len(), 4);
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thumbs_down_marks_not_useful_until_taken_back() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let id = alert_id(&day);
    react(&day, CHAT, id, &[], &["👎"], true).await;
    assert_eq!(feedback(&day, FeedbackKind::Down).await, 1);
    assert_eq!(acks(&day).await, 0, "not useful is not an acknowledgement");
    assert!(day.message(id).plain_text.contains("Noted: not useful"));
    // Switching 👎 for 👍 in one change: both apply.
    react(&day, CHAT, id, &["👎"], &["👍"], true).await;
    assert_eq!(feedback(&day, FeedbackKind::Down).await, 0);
    assert_eq!(acks(&day).await, 1);
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_elsewhere_change_nothing() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.cycle_at(at(10, 0)).await;
    let id = alert_id(&day);
    // A reply is not an alert.
    let reply = day.ask("/help", 1).await.remove(0);
    react(&day, CHAT, reply.message_id, &[], &["👍"], false).await;
    // Another allowed chat naming CHAT's alert's message id: not its alert.
    react(&day, OTHER, id, &[], &["👍"], false).await;
    // A stranger.
    react(&day, STRANGER, id, &[], &["👎"], false).await;
    // Another emoji.
    react(&day, CHAT, id, &[], &["🔥"], false).await;
    assert_eq!(acks(&day).await, 0);
    assert_eq!(feedback(&day, FeedbackKind::Down).await, 0);
    assert_eq!(feedback(&day, FeedbackKind::Up).await, 0);
    day.stop().await;
}
