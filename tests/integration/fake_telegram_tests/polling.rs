//! teloxide's own polling loop and dispatcher against the fake: what the bot
//! module's tests will rely on.

use std::time::Duration;

use teloxide::prelude::*;

use super::{CHAT, USER, started};

const BOUND: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_dispatcher_polls_answers_and_acknowledges_on_shutdown() {
    let (fake, bot) = started();
    let handler = Update::filter_message().endpoint(|bot: Bot, message: Message| async move {
        let text = format!("echo: {}", message.text().unwrap_or_default());
        bot.send_message(message.chat.id, text).await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    let update_id = fake.push_text(CHAT, USER, "/status");
    fake.wait_for_requests("sendMessage", 1, BOUND)
        .await
        .expect("the bot answered");
    let stopping = shutdown.shutdown().expect("dispatching has started");
    tokio::time::timeout(BOUND, stopping)
        .await
        .expect("stopped promptly");
    tokio::time::timeout(BOUND, running)
        .await
        .expect("dispatch returned")
        .expect("task");

    assert_eq!(fake.messages(CHAT)[0].plain_text, "echo: /status");
    assert_eq!(
        fake.confirmed_offset(),
        i64::from(update_id) + 1,
        "the last getUpdates acknowledged it"
    );
    let methods: Vec<_> = fake.requests().into_iter().map(|r| r.method).collect();
    for expected in ["getme", "getwebhookinfo", "getupdates", "sendmessage"] {
        assert!(
            methods.iter().any(|m| m == expected),
            "{expected} missing from {methods:?}"
        );
    }
}
