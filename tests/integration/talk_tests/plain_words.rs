//! Plain words from an allowed chat do what a person means; a stranger's do nothing; every
//! change says until when and carries `Undo`, which puts the state back.

use operator::pipeline::{Recipient, SnoozeScope};

use crate::day_tests::harness::{CHAT, Day, STRANGER, at, buttons};

async fn class_snoozes(day: &Day, chat: i64) -> Vec<(SnoozeScope, chrono::DateTime<chrono::Utc>)> {
    let now = at(10, 0);
    day.app
        .store(move |s| s.snoozes(Recipient::Chat(chat), now))
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.scope, s.until))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snooze_health_till_3pm_confirms_until_when_and_undo_puts_it_back() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    let reply = day.ask("Snooze health till 3pm, please", 1).await.remove(0);
    assert!(
        reply
            .plain_text
            .contains("Snoozed health alerts until 15:00"),
        "{}",
        reply.plain_text
    );
    let undo = buttons(&reply);
    assert_eq!(undo.len(), 1);
    assert_eq!(undo[0].0, "Undo");
    assert_eq!(
        class_snoozes(&day, CHAT).await,
        [(
            SnoozeScope::Class(operator::alert::AlertClass::Health),
            at(15, 0)
        )]
    );

    let answer = day.press_data(reply.message_id, &undo[0].1).await;
    assert_eq!(answer, "Undone.");
    assert!(
        class_snoozes(&day, CHAT).await.is_empty(),
        "the snooze is gone"
    );
    let edited = day.message(reply.message_id);
    assert!(
        edited.plain_text.contains("Undone"),
        "{}",
        edited.plain_text
    );
    assert!(edited.reply_markup.is_none());
    // Pressed again (an old client): nothing more happens.
    let again = day.press_data(reply.message_id, &undo[0].1).await;
    assert_eq!(again, "Already undone.");
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_get_the_commands_answers_and_nonsense_gets_the_closest_command() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    let cases: &[(&str, &[&str])] = &[
        (
            "what's overdue",
            &["Overdue (3)", "Schedule date night with Ashley"],
        ),
        ("What's due today?", &["Due today"]),
        ("status", &["Operator status"]),
        (
            "snooze 45d",
            &["can't do that as said", "at most 30 days", "/help snooze"],
        ),
        ("snooze 30", &["needs a unit"]),
        (
            "blorp the frobnicator",
            &["I didn't catch that", "Closest: /"],
        ),
        (
            "quiet hours?",
            &["Quiet hours for this chat: ", "22:00–07:00"],
        ),
    ];
    for (text, expected) in cases {
        let reply = day.ask(text, 1).await.remove(0);
        for e in *expected {
            assert!(
                reply.plain_text.contains(e),
                "{text}: lacks {e:?}:\n{}",
                reply.plain_text
            );
        }
    }
    assert!(
        class_snoozes(&day, CHAT).await.is_empty(),
        "no question changed state"
    );
    let sleep = day.ask("how did I sleep", 1).await.remove(0);
    assert!(
        sleep.photo.is_some(),
        "the readiness answer, with its chart"
    );
    assert!(
        sleep.plain_text.contains("Readiness"),
        "{}",
        sleep.plain_text
    );
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_until_holds_alerts_and_quiet_off_releases_them() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    let reply = day.ask("do not disturb for 2 hours", 1).await.remove(0);
    assert!(
        reply.plain_text.contains("Quiet until 12:00"),
        "{}",
        reply.plain_text
    );
    let before = day.messages().len();
    day.cycle_at(at(10, 5)).await;
    let pushed: Vec<String> = day.messages()[before..]
        .iter()
        .map(|m| m.plain_text.clone())
        .collect();
    assert!(
        pushed.iter().all(|t| !t.contains("commitments overdue")),
        "high alerts wait: {pushed:#?}"
    );
    assert!(
        pushed.iter().any(|t| t.contains("Readiness 48")),
        "critical ones still come: {pushed:#?}"
    );
    let quiet = day.ask("quiet off", 1).await.remove(0);
    assert!(quiet.plain_text.contains("now off"), "{}", quiet.plain_text);
    day.cycle_at(at(10, 10)).await;
    assert!(
        day.messages()
            .iter()
            .any(|m| m.plain_text.contains("While you were in quiet hours")),
        "released as one message"
    );
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_saying_things_gets_nothing_and_changes_nothing() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    day.fake
        .push_text(STRANGER, STRANGER, "snooze everything for 2 hours");
    day.fake.push_text(STRANGER, STRANGER, "what's overdue");
    // Updates are handled in order: once this is answered, the stranger's were handled.
    day.ask("status", 1).await;
    assert!(day.fake.messages(STRANGER).is_empty());
    assert!(class_snoozes(&day, STRANGER).await.is_empty());
    day.stop().await;
}
