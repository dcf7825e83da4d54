//! The Telegram bot: the dptree handler tree (authorization as a filter node, commands,
//! button presses), its start-up (retrying `getMe` until the network is there) and shutdown.
//!
//! Only allowed chats (or allowed users) get any data; a stranger's `/start` is told its own
//! chat id, everything else from strangers is logged and ignored. Button presses are answered
//! at once. The bot token is never logged: a `Bot` is never formatted with `{:?}`.

pub mod args;
pub mod buttons;
pub mod commands;
pub mod onboarding;
pub mod poll;
pub mod presses;
pub mod probe;
pub mod reactions;
pub mod replies;
pub mod talk;
pub mod words;

use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::{DefaultKey, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{BotCommand, Me};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::channels::journal::MessageEntry;
use crate::channels::telegram::{OnRateLimit, Outgoing, Telegram, keyboard};
use crate::render::Text;

type HandlerResult = anyhow::Result<()>;

/// Whether a chat (or the user writing in it) may use the bot.
pub fn is_allowed(app: &App, chat_id: i64, user_id: Option<u64>) -> bool {
    let tg = &app.config.alerters.telegram;
    tg.allowed_chat_ids.contains(&chat_id)
        || user_id.is_some_and(|u| i64::try_from(u).is_ok_and(|u| tg.allowed_user_ids.contains(&u)))
}

fn message_allowed(msg: Message, app: Arc<App>) -> bool {
    let allowed = is_allowed(&app, msg.chat.id.0, msg.from.as_ref().map(|u| u.id.0));
    if !allowed {
        tracing::info!(
            chat_id = msg.chat.id.0,
            "ignoring a message from a chat that is not allowed"
        );
    }
    allowed
}

fn callback_allowed(q: CallbackQuery, app: Arc<App>) -> bool {
    let chat = q.message.as_ref().map(|m| m.chat().id.0);
    let allowed = chat.is_some_and(|c| is_allowed(&app, c, Some(q.from.id.0)));
    if !allowed {
        tracing::info!(chat_id = ?chat, user_id = q.from.id.0, "ignoring a button press from a chat that is not allowed");
    }
    allowed
}

fn is_start(msg: Message) -> bool {
    msg.text()
        .and_then(|t| commands::parse(t, None))
        .is_some_and(|c| c.command == Some(commands::Command::Start))
}

/// The handler tree. Stranger `/start` first, then the authorization filter, then work.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message()
        .branch(dptree::filter(message_allowed).endpoint(on_message))
        .branch(dptree::filter(is_start).endpoint(on_stranger_start));
    let presses = Update::filter_callback_query()
        .branch(dptree::filter(callback_allowed).endpoint(presses::on_press));
    let reactions = Update::filter_message_reaction_updated()
        .branch(dptree::filter(reactions::allowed).endpoint(reactions::on_reaction));
    dptree::entry()
        .branch(messages)
        .branch(presses)
        .branch(reactions)
}

/// How often strangers' `/start` is answered: once per chat per [`STRANGER_REPEAT`], and
/// at most [`STRANGERS_PER_MINUTE`] in all, so that strangers (a leaked bot name, spam bots)
/// cannot spend the messages Telegram allows the bot, which alerts and replies need.
pub const STRANGER_REPEAT: chrono::Duration = chrono::Duration::minutes(10);
pub const STRANGERS_PER_MINUTE: usize = 10;

/// The strangers answered recently (bounded: entries older than [`STRANGER_REPEAT`] go).
#[derive(Default)]
pub struct Strangers {
    answered: std::sync::Mutex<std::collections::HashMap<i64, chrono::DateTime<chrono::Utc>>>,
}

impl Strangers {
    /// Whether to answer `chat`'s `/start` at `now` (and if so, counts it).
    pub fn should_answer(&self, chat: i64, now: chrono::DateTime<chrono::Utc>) -> bool {
        let mut answered = self
            .answered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        answered.retain(|_, at| now - *at < STRANGER_REPEAT);
        if answered.contains_key(&chat) {
            return false;
        }
        let last_minute = answered
            .values()
            .filter(|at| now - **at < chrono::Duration::minutes(1))
            .count();
        if last_minute >= STRANGERS_PER_MINUTE {
            return false;
        }
        answered.insert(chat, now);
        true
    }
}

async fn on_stranger_start(
    bot: Bot,
    msg: Message,
    app: Arc<App>,
    strangers: Arc<Strangers>,
) -> HandlerResult {
    let chat = msg.chat.id.0;
    if !strangers.should_answer(chat, app.now()) {
        tracing::info!(
            chat_id = chat,
            "a chat that is not allowed sent /start again; not answered (answered recently)"
        );
        return Ok(());
    }
    tracing::info!(
        chat_id = chat,
        "a chat that is not allowed sent /start; told it its chat id"
    );
    let text = replies::stranger_start(chat);
    send_reply(bot, app, chat, &text).await
}

/// Sends a reply through the one send path, waiting out a short 429 pause: someone is
/// waiting for it.
async fn send_reply(bot: Bot, app: Arc<App>, chat: i64, text: &Text) -> HandlerResult {
    Telegram::new(bot, app)
        .send(chat, Outgoing::text(text), OnRateLimit::WaitOut)
        .await?;
    Ok(())
}

async fn on_message(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let Some(text) = msg.text() else {
        return Ok(());
    };
    let chat = msg.chat.id.0;
    let reply = match commands::parse(text, me.username.as_deref()) {
        Some(inv) => {
            tracing::info!(chat_id = chat, command = %inv.name, "command");
            replies::reply(&app, chat, &inv).await
        }
        None if text.trim_start().starts_with('/') => return Ok(()),
        None => talk::plain_words(&app, chat, text).await,
    };
    app.activity.note();
    send_answer(bot, app, chat, reply).await
}

/// Sends a command's or plain words' answer (with its chart and buttons), journals an
/// on-demand brief or review, and runs the cycle a settings change asked for.
async fn send_answer(bot: Bot, app: Arc<App>, chat: i64, reply: replies::Reply) -> HandlerResult {
    let asked_at = app.now();
    let keyboard = match reply.undo {
        Some(id) => Some(keyboard::change_undo_keyboard(id)),
        None => keyboard::apply_keyboard(&reply.apply),
    };
    let message = Outgoing::text(&reply.text).with_keyboard(keyboard.as_ref());
    let telegram = Telegram::new(bot, Arc::clone(&app));
    let sent = match &reply.photo {
        Some(png) => telegram
            .send_with_photo(chat, png, message, OnRateLimit::WaitOut)
            .await
            .map(|_| ()),
        None => telegram
            .send(chat, message, OnRateLimit::WaitOut)
            .await
            .map(|_| ()),
    };
    if let Some(kind) = reply.journal_as {
        let outcome = if sent.is_ok() { "sent" } else { "failed" };
        let entry = MessageEntry::new(kind, true, Some(chat), outcome, asked_at, app.now());
        app.journal(&[entry]);
    }
    if reply.recheck {
        recheck(&app);
    }
    sent?;
    Ok(())
}

/// Runs a cycle in the background (after a change that may release held alerts).
pub(crate) fn recheck(app: &Arc<App>) {
    let app = Arc::clone(app);
    tokio::spawn(async move {
        if let Err(e) = app.run_cycle("bot", crate::cycle::Selection::ALL).await {
            tracing::warn!(error = %format!("{e:#}"), "the check after a change failed");
        }
    });
}

/// The commands for Telegram's menu, from the registry.
pub fn menu() -> Vec<BotCommand> {
    commands::COMMANDS
        .iter()
        .map(|c| BotCommand::new(c.name, c.summary()))
        .collect()
}

/// Builds the dispatcher with its real dependencies.
pub fn dispatcher(bot: Bot, app: Arc<App>) -> Dispatcher<Bot, anyhow::Error, DefaultKey> {
    Dispatcher::builder(bot, schema())
        .dependencies(dptree::deps![app, Arc::new(Strangers::default())])
        .default_handler(|update| async move {
            tracing::debug!(
                update_id = update.id.0,
                "ignoring an update the bot does not handle"
            );
        })
        .error_handler(Arc::new(|e: anyhow::Error| async move {
            tracing::error!(error = %format!("{e:#}"), "handling an update failed");
        }))
        .build()
}

/// Runs the bot until `cancel`: waits for Telegram (retrying with backoff, so a start without
/// network is fine), registers the command menu, then long-polls. Returns after a clean
/// shutdown, with the last updates acknowledged.
pub async fn run(bot: Bot, app: Arc<App>, cancel: CancellationToken) {
    let poll_timeout =
        u32::try_from(app.config.alerters.telegram.poll_timeout.num_seconds()).unwrap_or(30);
    let mut attempt = 0u32;
    let mut menu_registered = false;
    while !cancel.is_cancelled() {
        match bot.get_me().await {
            Ok(me) => {
                attempt = 0;
                if !menu_registered {
                    tracing::info!(
                        bot = me.username.as_deref().unwrap_or("?"),
                        "connected to Telegram"
                    );
                    match bot.set_my_commands(menu()).await {
                        Ok(_) => menu_registered = true,
                        Err(e) => {
                            tracing::warn!(error = %poll::describe(&e, app.config.redactor()), "could not register the command menu")
                        }
                    }
                }
                if dispatch_until(bot.clone(), Arc::clone(&app), poll_timeout, &cancel).await {
                    return;
                }
            }
            Err(e) => {
                let delay = poll::backoff(attempt);
                attempt = attempt.saturating_add(1);
                tracing::warn!(error = %poll::describe(&e, app.config.redactor()), retry_in_s = delay.as_secs(), "cannot reach Telegram yet");
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
}

/// Dispatches until `cancel` (true) or until dispatching could not start (false: retry).
async fn dispatch_until(
    bot: Bot,
    app: Arc<App>,
    poll_timeout: u32,
    cancel: &CancellationToken,
) -> bool {
    let mut dispatcher = dispatcher(bot.clone(), Arc::clone(&app));
    let shutdown = dispatcher.shutdown_token();
    let stopper = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            cancel.cancelled().await;
            // `shutdown` fails while dispatching has not started yet: retry briefly.
            for _ in 0..200 {
                match shutdown.shutdown() {
                    Ok(done) => {
                        done.await;
                        return;
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
                }
            }
        }
    });
    let redactor = app.config.redactor().clone();
    let listener = poll::listener(bot, Arc::clone(&app), poll_timeout, cancel.clone());
    let errors = Arc::new(move |e: teloxide::RequestError| {
        let line = poll::describe(&e, &redactor);
        async move {
            tracing::warn!(error = %line, "update listener error");
        }
    });
    let started = dispatcher
        .try_dispatch_with_listener(listener, errors)
        .await;
    stopper.abort();
    match started {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %poll::describe(&e, app.config.redactor()), "could not start dispatching; retrying");
            cancel.is_cancelled()
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    #[test]
    fn a_stranger_is_answered_once_per_ten_minutes_and_strangers_ten_a_minute() {
        let gate = Strangers::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 14, 0, 0).unwrap();
        assert!(gate.should_answer(1, t0));
        assert!(!gate.should_answer(1, t0 + Duration::minutes(9)));
        assert!(gate.should_answer(1, t0 + STRANGER_REPEAT));
        let t1 = t0 + Duration::hours(1);
        let answered = (100..130).filter(|c| gate.should_answer(*c, t1)).count();
        assert_eq!(answered, STRANGERS_PER_MINUTE);
        assert!(gate.should_answer(200, t1 + Duration::minutes(1)));
    }
}
