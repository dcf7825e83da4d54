//! Scripted faults and unwritable chats, as teloxide reports them.

use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::MessageId;
use teloxide::{ApiError, RequestError};

use super::{CHAT, TOKEN, api_error, started};
use crate::support::fake_telegram::{FakeTelegram, Fault};

#[tokio::test]
async fn a_scripted_429_is_a_retry_after_with_its_seconds() {
    let (fake, bot) = started();
    fake.script(Some("sendMessage"), Fault::RetryAfter(7));

    let limited = bot.send_message(ChatId(CHAT), "alert").await;
    let retried = bot.send_message(ChatId(CHAT), "alert").await;

    assert!(
        matches!(limited, Err(RequestError::RetryAfter(s)) if s.seconds() == 7),
        "{limited:?}"
    );
    assert!(
        retried.is_ok(),
        "a fault is consumed by one request: {retried:?}"
    );
    assert_eq!(
        fake.messages(CHAT).len(),
        1,
        "the limited request did not send"
    );
    assert_eq!(
        fake.requests_for("sendMessage")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [Some(429), Some(200)]
    );
}

#[tokio::test]
async fn faults_are_consumed_in_order_per_method_then_for_any_method() {
    let (fake, bot) = started();
    fake.script(None, Fault::RetryAfter(1));
    fake.script(Some("getme"), Fault::Conflict);
    fake.script(Some("GetMe"), Fault::ChatNotFound);

    let first = api_error(bot.get_me().await);
    let second = api_error(bot.get_me().await);
    let third = bot.get_me().await;
    let fourth = bot.get_me().await;

    assert_eq!(
        (first, second),
        (
            ApiError::TerminatedByOtherGetUpdates,
            ApiError::ChatNotFound
        )
    );
    assert!(
        matches!(third, Err(RequestError::RetryAfter(s)) if s.seconds() == 1),
        "{third:?}"
    );
    assert!(fourth.is_ok());
}

/// teloxide waits 10 s before reading a 5xx body; paused time skips it.
#[tokio::test(start_paused = true)]
async fn server_errors_reach_teloxide_after_its_own_delay() {
    let fake = FakeTelegram::start(TOKEN);
    let url = reqwest::Url::parse(&fake.api_url()).expect("url");
    let bot = Bot::with_client(TOKEN, reqwest::Client::new()).set_api_url(url);
    fake.script(None, Fault::ServerError(500));
    fake.script(None, Fault::ServerError(502));

    let start = tokio::time::Instant::now();
    let json_500 = bot.get_me().await;
    let html_502 = bot.get_me().await;

    assert!(
        matches!(&json_500, Err(RequestError::Api(ApiError::Unknown(d))) if d == "Internal Server Error"),
        "{json_500:?}"
    );
    assert!(
        matches!(&html_502, Err(RequestError::InvalidJson { raw, .. }) if raw.contains("502 Bad Gateway")),
        "{html_502:?}"
    );
    assert!(start.elapsed() >= Duration::from_secs(20));
    assert_eq!(
        fake.requests_for("getMe")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [Some(500), Some(502)]
    );
}

#[tokio::test]
async fn a_blocked_chat_refuses_sends_and_edits() {
    let (fake, bot) = started();
    let id = bot
        .send_message(ChatId(CHAT), "before")
        .await
        .expect("send")
        .id;
    fake.block_chat(CHAT);
    fake.block_chat(-77);

    let send = api_error(bot.send_message(ChatId(CHAT), "after").await);
    let edit = api_error(bot.edit_message_text(ChatId(CHAT), id, "edited").await);
    let group = api_error(bot.send_message(ChatId(-77), "x").await);

    assert_eq!((send, edit), (ApiError::BotBlocked, ApiError::BotBlocked));
    assert_eq!(
        group,
        ApiError::Unknown("Forbidden: bot was kicked from the group chat".to_owned())
    );
}

#[tokio::test]
async fn unknown_chats_are_not_found_until_known_or_heard_from() {
    let (fake, bot) = started();

    let unknown = api_error(bot.send_message(ChatId(555), "hi").await);
    let by_name = api_error(
        bot.send_message(
            teloxide::types::Recipient::ChannelUsername("@nobody".into()),
            "hi",
        )
        .await,
    );
    fake.push_text(555, 555, "/start");
    let after_push = bot.send_message(ChatId(555), "hi").await;
    fake.script(Some("sendMessage"), Fault::Blocked);
    let scripted_block = api_error(bot.send_message(ChatId(CHAT), "x").await);
    fake.script(Some("sendMessage"), Fault::ChatNotFound);
    let scripted_missing = api_error(bot.send_message(ChatId(CHAT), "x").await);

    assert_eq!(
        (unknown, by_name),
        (ApiError::ChatNotFound, ApiError::ChatNotFound)
    );
    assert!(after_push.is_ok(), "{after_push:?}");
    assert_eq!(
        (scripted_block, scripted_missing),
        (ApiError::BotBlocked, ApiError::ChatNotFound)
    );
    assert_eq!(fake.messages(CHAT).len(), 0);
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error_and_nothing_is_sent() {
    let (fake, bot) = started();
    fake.script(Some("sendMessage"), Fault::Drop);

    let dropped = bot.send_message(ChatId(CHAT), "lost").await;
    let next = bot.send_message(ChatId(CHAT), "delivered").await;

    assert!(
        matches!(dropped, Err(RequestError::Network(_))),
        "{dropped:?}"
    );
    assert_eq!(next.expect("the next request is served").id, MessageId(1));
    assert_eq!(
        fake.requests_for("sendMessage")
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [None, Some(200)]
    );
}

/// A stall holds the answer back after the message is sent: the case where a
/// client times out although Telegram delivered.
#[tokio::test(start_paused = true)]
async fn a_stalled_answer_arrives_late_but_the_message_is_already_sent() {
    let (fake, bot) = started();
    fake.script(Some("sendMessage"), Fault::Stall(Duration::from_secs(3)));

    let start = tokio::time::Instant::now();
    let send = tokio::spawn(async move { bot.send_message(ChatId(CHAT), "slow").await });
    fake.wait_for_requests("sendMessage", 1, Duration::from_secs(1))
        .await
        .expect("handled at once");
    let visible_while_stalled = fake.messages(CHAT).len();
    let answer = send.await.expect("task");

    assert_eq!(visible_while_stalled, 1);
    assert!(answer.is_ok(), "{answer:?}");
    assert!(start.elapsed() >= Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn flood_limits_when_enforced_refuse_a_second_message_within_a_second() {
    let (fake, bot) = started();
    fake.enforce_rate_limits(crate::support::fake_telegram::RateLimits::TELEGRAM);

    let first = bot.send_message(ChatId(CHAT), "one").await;
    let too_soon = bot.send_message(ChatId(CHAT), "two").await;
    tokio::time::advance(Duration::from_secs(1)).await;
    let later = bot.send_message(ChatId(CHAT), "three").await;

    assert!(first.is_ok() && later.is_ok(), "{first:?} {later:?}");
    assert!(
        matches!(too_soon, Err(RequestError::RetryAfter(s)) if s.seconds() == 1),
        "{too_soon:?}"
    );
    assert_eq!(fake.rate_limited(), (1, 2), "(refused, accepted)");
    assert_eq!(
        fake.messages(CHAT).len(),
        2,
        "the refused message was not sent"
    );
}
