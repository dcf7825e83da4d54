//! Updates: what pushed messages and presses look like to teloxide, offsets,
//! `allowed_updates`, long polling and Telegram's 409 between pollers.

use std::time::Duration;

use teloxide::ApiError;
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntityKind, UpdateKind,
};

use super::{CHAT, USER, api_error, started};

const BOUND: Duration = Duration::from_secs(5);

fn update_ids(updates: &[Update]) -> Vec<u32> {
    updates.iter().map(|u| u.id.0).collect()
}

#[tokio::test]
async fn a_pushed_command_arrives_as_a_teloxide_message_update() {
    let (fake, bot) = started();
    let update_id = fake.push_text(CHAT, USER, "/snooze 2h");
    fake.push_text(-5005, USER, "hi /status@operator_fake_bot");

    let updates = bot.get_updates().await.expect("getUpdates");

    assert_eq!(
        update_ids(&updates).first().map(|id| i64::from(*id)),
        Some(i64::from(update_id))
    );
    let UpdateKind::Message(message) = &updates[0].kind else {
        panic!("a message: {:?}", updates[0].kind)
    };
    assert_eq!(
        (message.chat.id, message.text()),
        (ChatId(CHAT), Some("/snooze 2h"))
    );
    assert_eq!(
        message.from.as_ref().map(|u| (u.id, u.is_bot)),
        Some((UserId(1001), false))
    );
    let entities: Vec<_> = message
        .entities()
        .unwrap_or_default()
        .iter()
        .map(|e| (e.kind.clone(), e.offset, e.length))
        .collect();
    assert_eq!(entities, [(MessageEntityKind::BotCommand, 0, 7)]);
    let UpdateKind::Message(group) = &updates[1].kind else {
        panic!("a message: {:?}", updates[1].kind)
    };
    assert!(group.chat.is_group());
    assert_eq!(
        group.entities().map(|e| (e[0].offset, e[0].length)),
        Some((3, 25))
    );
}

#[tokio::test]
async fn a_pushed_press_arrives_with_the_bots_message_attached() {
    let (fake, bot) = started();
    let markup =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Snooze 1h", "snz:1h:42")]]);
    let sent = bot
        .send_message(ChatId(CHAT), "Readiness low")
        .reply_markup(markup.clone())
        .await
        .expect("send");
    let query_id = fake.push_callback(CHAT, USER, sent.id.0, "snz:1h:42");
    fake.push_callback(CHAT, USER, 999, "old");

    let updates = bot.get_updates().await.expect("getUpdates");

    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!("a press: {:?}", updates[0].kind)
    };
    assert_eq!(
        (query.id.0.as_str(), query.data.as_deref()),
        (query_id.as_str(), Some("snz:1h:42"))
    );
    assert_eq!(query.from.id, UserId(1001));
    let message = query
        .regular_message()
        .expect("the bot's own message is attached");
    assert_eq!(
        (message.id, message.text(), message.reply_markup()),
        (sent.id, Some("Readiness low"), Some(&markup))
    );
    let UpdateKind::CallbackQuery(old) = &updates[1].kind else {
        panic!("a press: {:?}", updates[1].kind)
    };
    assert!(
        old.message.is_some() && old.regular_message().is_none(),
        "an unknown message is inaccessible"
    );
}

#[tokio::test]
async fn an_offset_confirms_and_forgets_earlier_updates() {
    let (fake, bot) = started();
    let ids: Vec<i32> = ["a", "b", "c"]
        .iter()
        .map(|t| fake.push_text(CHAT, USER, t))
        .collect();
    let offset = |id: i32| id;

    let from_second = bot
        .get_updates()
        .offset(offset(ids[1]))
        .await
        .expect("from the second");
    let confirmed_after_second = fake.confirmed_offset();
    let past_the_end = bot
        .get_updates()
        .offset(offset(ids[2] + 1))
        .await
        .expect("all confirmed");
    let without_offset = bot.get_updates().await.expect("nothing left");

    assert_eq!(
        update_ids(&from_second).len(),
        2,
        "the first update is dropped, not redelivered"
    );
    assert_eq!(i64::from(from_second[0].id.0), i64::from(ids[1]));
    assert_eq!(confirmed_after_second, i64::from(ids[1]));
    assert!(past_the_end.is_empty() && without_offset.is_empty());
    assert_eq!(fake.confirmed_offset(), i64::from(ids[2] + 1));
}

#[tokio::test]
async fn a_negative_offset_keeps_only_the_latest_updates_and_limit_caps_the_batch() {
    let (fake, bot) = started();
    let ids: Vec<i32> = (0..4)
        .map(|i| fake.push_text(CHAT, USER, &format!("m{i}")))
        .collect();

    let first_two = bot.get_updates().limit(2).await.expect("limited");
    let last = bot.get_updates().offset(-1).await.expect("the last one");
    let again = bot.get_updates().await.expect("the rest is forgotten");

    assert_eq!(first_two.len(), 2);
    assert_eq!(
        update_ids(&last)
            .iter()
            .map(|id| i64::from(*id))
            .collect::<Vec<_>>(),
        [i64::from(ids[3])]
    );
    assert_eq!(update_ids(&again), update_ids(&last));
}

#[tokio::test]
async fn allowed_updates_filters_and_is_remembered() {
    let (fake, bot) = started();
    fake.push_text(CHAT, USER, "text");
    fake.push_callback(CHAT, USER, 1, "press");

    let presses = bot
        .get_updates()
        .allowed_updates([AllowedUpdate::CallbackQuery])
        .await
        .expect("presses");
    let still_presses = bot.get_updates().await.expect("the setting persists");
    let everything = bot
        .get_updates()
        .allowed_updates([])
        .await
        .expect("an empty list resets");

    assert!(presses.len() == 1 && matches!(presses[0].kind, UpdateKind::CallbackQuery(_)));
    assert_eq!(update_ids(&still_presses), update_ids(&presses));
    assert_eq!(everything.len(), 2);
}

#[tokio::test]
async fn a_long_poll_wakes_up_when_an_update_is_pushed() {
    let (fake, bot) = started();
    let poller = bot.clone();
    let poll = tokio::spawn(async move { poller.get_updates().timeout(30).await });
    fake.wait_for_requests("getUpdates", 1, BOUND)
        .await
        .expect("the poll started");

    fake.push_text(CHAT, USER, "wake up");
    let updates = tokio::time::timeout(BOUND, poll)
        .await
        .expect("woken, not timed out")
        .expect("task")
        .expect("ok");

    assert_eq!(updates.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_idle_long_poll_returns_empty_after_its_timeout_or_the_cap() {
    let (fake, bot) = started();

    let start = tokio::time::Instant::now();
    let idle = bot
        .get_updates()
        .timeout(30)
        .await
        .expect("empty after 30 s");
    let waited = start.elapsed();
    fake.set_max_poll_timeout(Duration::from_secs(5));
    let capped_start = tokio::time::Instant::now();
    bot.get_updates()
        .timeout(50)
        .await
        .expect("empty after the cap");
    let capped = capped_start.elapsed();

    assert!(idle.is_empty());
    assert!((30..32).contains(&waited.as_secs()), "{waited:?}");
    assert!((5..7).contains(&capped.as_secs()), "{capped:?}");
}

#[tokio::test]
async fn a_newer_long_poll_terminates_the_older_one_with_409() {
    let (fake, bot) = started();
    let older = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(30).await }
    });
    fake.wait_for_requests("getUpdates", 1, BOUND)
        .await
        .expect("older poll waiting");

    let quick = bot
        .get_updates()
        .timeout(0)
        .await
        .expect("a non-waiting call does not conflict");
    let newer = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(30).await }
    });
    let older = tokio::time::timeout(BOUND, older)
        .await
        .expect("terminated promptly")
        .expect("task");
    fake.push_text(CHAT, USER, "for the newer");
    let newer = tokio::time::timeout(BOUND, newer)
        .await
        .expect("woken")
        .expect("task")
        .expect("ok");

    assert!(quick.is_empty());
    assert_eq!(api_error(older), ApiError::TerminatedByOtherGetUpdates);
    assert_eq!(newer.len(), 1);
    let statuses: Vec<_> = fake
        .requests_for("getUpdates")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(409), Some(200), Some(200)]);
}

#[tokio::test]
async fn delete_webhook_can_drop_pending_updates() {
    let (fake, bot) = started();
    fake.push_text(CHAT, USER, "stale");

    bot.delete_webhook().await.expect("kept");
    let kept = bot.get_updates().await.expect("still there");
    bot.delete_webhook()
        .drop_pending_updates(true)
        .await
        .expect("dropped");
    let dropped = bot.get_updates().await.expect("gone");

    assert_eq!((kept.len(), dropped.len()), (1, 0));
}
