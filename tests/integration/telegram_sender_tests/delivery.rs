//! What arrives: escaped HTML, long messages split on lines with the keyboard on the last
//! part, the "+N more" line without buttons, plain-text re-sends, and pacing.

use operator::alert::Priority;
use operator::channels::telegram::RowOutcome;
use operator::channels::telegram::callback::CallbackData;
use operator::channels::telegram::split::utf16_len;
use operator::pipeline::NotificationKind;
use operator::store::OutboxStatus;
use serde_json::Value;
use tokio::time::{Duration, Instant};

use super::{CHAT, World, notification, shown};

/// The labels and callback data of a message's inline keyboard, row by row flattened.
fn buttons(markup: &Value) -> Vec<(String, String)> {
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn hostile_titles_and_long_messages_arrive_whole_split_and_with_buttons() {
    let w = World::new(&[CHAT], 3);
    let nasty = "Q3 <draft> & \"final\" _under_ *bold* [link](x) 🔥👩‍💻 a<b>c</b> &amp;";
    let nasty_id = w.queue(
        CHAT,
        Priority::High,
        nasty,
        &["Due <today> & overdue_by *2* days [sic]"],
    );
    let one_line = "x&<>🙂".repeat(1000); // 5000 characters on one line
    let long_line_id = w.queue(CHAT, Priority::Medium, "One very long line", &[&one_line]);
    let lines: Vec<String> = (0..90)
        .map(|i| format!("{i:02} <task> & more {}", "·".repeat(50)))
        .collect();
    let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let many_lines_id = w.queue(CHAT, Priority::Low, "Ninety lines", &line_refs);

    let stats = w.sender().drain(Duration::from_secs(600)).await;
    assert_eq!(
        (stats.delivered, stats.retried, stats.failed),
        (3, 0, 0),
        "{stats:?}"
    );

    let messages = w.fake.messages(CHAT);
    let sends = w.fake.requests_for("sendMessage");
    assert_eq!(sends.len(), messages.len(), "every request was accepted");
    assert!(
        sends.iter().all(|r| r.status == Some(200)),
        "the strict fake rejected nothing"
    );
    for m in &messages {
        assert!(
            utf16_len(&m.text) <= 4096,
            "a part is {} units",
            utf16_len(&m.text)
        );
        assert_eq!(m.parse_mode.as_deref(), Some("HTML"));
    }

    // The hostile title shows exactly as written: nothing interpreted as markup.
    assert!(
        messages[0].plain_text.contains(nasty),
        "{}",
        messages[0].plain_text
    );
    assert!(
        messages[0]
            .plain_text
            .contains("Due <today> & overdue_by *2* days [sic]")
    );

    // Per row: parts in order, whole text preserved, keyboard only on the last part.
    let mut next = 0;
    for id in [nasty_id, long_line_id, many_lines_id] {
        let row = w.row(id);
        assert_eq!(row.status, OutboxStatus::Delivered);
        let last = messages
            .iter()
            .position(|m| i64::from(m.message_id) == row.message_id.unwrap())
            .expect("the recorded message id is the last part's");
        let parts = &messages[next..=last];
        let joined: String = parts
            .iter()
            .map(|m| m.plain_text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(
            squash(&joined),
            squash(&row.plain),
            "row {id} arrives whole"
        );
        for (i, part) in parts.iter().enumerate() {
            let is_last = i + 1 == parts.len();
            assert_eq!(
                part.reply_markup.is_some(),
                is_last,
                "keyboard only on the last part"
            );
        }
        let keyboard = buttons(parts[parts.len() - 1].reply_markup.as_ref().unwrap());
        let labels: Vec<&str> = keyboard.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["Snooze 1h", "Snooze 4h", "Tomorrow", "Got it"]);
        for (_, data) in &keyboard {
            assert!(data.len() <= 64, "{data}");
            assert_eq!(CallbackData::decode(data).map(|d| d.outbox_id), Some(id));
        }
        next = last + 1;
    }
    assert_eq!(next, messages.len());
    assert!(
        next >= 1 + 3 + 2,
        "the 5000-character line and the 90 lines were split"
    );

    let sent = w.journal_outcomes("sent");
    assert_eq!(sent.len(), 3, "one journal line per alert");
    assert!(
        sent.iter()
            .all(|l| l["channel"] == "telegram" && l["chat_id"] == CHAT)
    );
}

#[tokio::test(start_paused = true)]
async fn the_more_line_has_no_buttons() {
    let w = World::new(&[CHAT], 3);
    let n = notification(
        Priority::Info,
        "+4 more",
        &["4 more alerts"],
        vec![],
        NotificationKind::Overflow,
    );
    let id = w.queue_notification(CHAT, &n, operator::cycle::OUTBOX_TTL);
    let stats = w.sender().deliver_due().await;
    assert_eq!(stats.delivered, 1);
    let messages = w.fake.messages(CHAT);
    assert_eq!(messages.len(), 1);
    assert!(messages[0].reply_markup.is_none());
    assert_eq!(w.row(id).status, OutboxStatus::Delivered);
}

#[tokio::test(start_paused = true)]
async fn unparsable_html_is_resent_as_plain_text_with_its_buttons() {
    let w = World::new(&[CHAT], 3);
    let id = w.queue(CHAT, Priority::High, "Broken markup", &["a < b"]);
    // A renderer bug would look like this: an unclosed tag in the stored HTML.
    let db = rusqlite::Connection::open(&w.config().state.db_path).unwrap();
    db.execute(
        "UPDATE outbox SET html = '<b>Broken markup' WHERE id = ?1",
        [id],
    )
    .unwrap();
    drop(db);

    let stats = w.sender().deliver_due().await;
    assert_eq!(stats.delivered, 1, "{stats:?}");
    assert!(matches!(
        stats.results[0].outcome,
        RowOutcome::Delivered { as_plain: true, .. }
    ));
    let sends = w.fake.requests_for("sendMessage");
    assert_eq!(
        sends.iter().map(|r| r.status).collect::<Vec<_>>(),
        [Some(400), Some(200)]
    );
    let messages = w.fake.messages(CHAT);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].parse_mode, None);
    assert!(messages[0].text.contains("Broken markup") && messages[0].text.contains("a < b"));
    assert!(
        messages[0].reply_markup.is_some(),
        "the plain re-send keeps the buttons"
    );
    let sent = w.journal_outcomes("sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["reason"], "sent as plain text");
    assert_eq!(w.row(id).status, OutboxStatus::Delivered);
}

#[tokio::test(start_paused = true)]
async fn one_chat_gets_at_most_one_message_per_second() {
    let w = World::new(&[CHAT, super::OTHER_CHAT], 3);
    for i in 0..5 {
        w.queue(CHAT, Priority::Medium, &format!("Alert {i}"), &["body"]);
    }
    w.queue(super::OTHER_CHAT, Priority::Medium, "Elsewhere", &["body"]);
    let stats = w.sender().drain(Duration::from_secs(60)).await;
    assert_eq!(stats.delivered, 6);
    let sends = w.fake.requests_for("sendMessage");
    let to_chat: Vec<_> = sends
        .iter()
        .filter(|r| r.params["chat_id"] == CHAT)
        .map(|r| r.at)
        .collect();
    assert_eq!(to_chat.len(), 5);
    for pair in to_chat.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "{:?}",
            pair[1] - pair[0]
        );
    }
    // The other chat is not held to CHAT's pace: it goes right after the last CHAT message.
    let other = sends
        .iter()
        .find(|r| r.params["chat_id"] == super::OTHER_CHAT)
        .unwrap();
    assert!(other.at - to_chat[4] < Duration::from_secs(1));
    assert_eq!(shown(&w.fake, CHAT).len(), 5);
}

/// Regression: the pass sent rows strictly in priority order and waited on each chat's
/// one-second pace in turn, so one chat with several rows held every other chat back
/// (100 chats × 3 alerts took ~200 s instead of ~10 s).
#[tokio::test(start_paused = true)]
async fn a_chat_waiting_on_its_pace_does_not_hold_back_other_chats() {
    let w = World::new(&[CHAT, super::OTHER_CHAT], 3);
    let start = Instant::now();
    for i in 0..3 {
        w.queue(CHAT, Priority::Critical, &format!("First chat {i}"), &["x"]);
    }
    w.queue(super::OTHER_CHAT, Priority::Low, "Second chat", &["y"]);
    let stats = w.sender().drain(Duration::from_secs(60)).await;
    assert_eq!(stats.delivered, 4);
    let sends = w.fake.requests_for("sendMessage");
    let other = sends
        .iter()
        .find(|r| r.params["chat_id"] == super::OTHER_CHAT)
        .unwrap();
    assert!(
        other.at - start < Duration::from_secs(1),
        "{:?}",
        other.at - start
    );
    // The first chat's own rows keep their order.
    let first = shown(&w.fake, CHAT);
    assert_eq!(first.len(), 3);
    for (i, text) in first.iter().enumerate() {
        assert!(text.contains(&format!("First chat {i}")), "{first:?}");
    }
}
