//! Read-only questions to Telegram for `operator doctor`: is the token valid (`getMe`), can
//! each chat be reached (`getChat`) and written to (`sendChatAction`, which shows "typing…"
//! for a moment and changes nothing; a blocked bot gets 403), and is something else polling
//! the token (`getUpdates` with no offset and no wait, which confirms nothing: a 409 means
//! another poller). Answers are plain data; error texts pass through the redactor.

use teloxide::prelude::*;
use teloxide::types::ChatAction;
use teloxide::{ApiError, RequestError};

use crate::config::Redactor;

/// What Telegram said to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    Ok(T),
    /// The token is invalid or revoked (401).
    TokenRefused,
    /// 400 chat not found, 403 blocked/kicked: the chat cannot receive.
    ChatUnreachable(String),
    /// 409: another process is polling this token, or a webhook is set.
    Conflict(String),
    /// The Bot API could not be reached.
    Network(String),
    Other(String),
}

/// `getMe`: the bot's `@username`.
pub async fn bot_username(bot: &Bot, redactor: &Redactor) -> Answer<String> {
    match bot.get_me().await {
        Ok(me) => Answer::Ok(me.username.clone().unwrap_or_default()),
        Err(e) => classify(&e, redactor),
    }
}

/// `getChat` then `sendChatAction(typing)`: the chat's title or name when it can receive.
pub async fn chat_reachable(bot: &Bot, chat: i64, redactor: &Redactor) -> Answer<String> {
    let found = match bot.get_chat(ChatId(chat)).await {
        Ok(c) => c,
        Err(e) => return classify(&e, redactor),
    };
    let name = found
        .title()
        .map(str::to_owned)
        .or_else(|| found.first_name().map(str::to_owned))
        .unwrap_or_else(|| chat.to_string());
    match bot.send_chat_action(ChatId(chat), ChatAction::Typing).await {
        Ok(_) => Answer::Ok(name),
        Err(e) => classify(&e, redactor),
    }
}

/// `getUpdates` with no offset and no wait: `Ok(())` when nobody else polls this token.
/// (Do not ask while this machine's daemon polls: a newer poll ends its long poll.)
pub async fn no_other_poller(bot: &Bot, redactor: &Redactor) -> Answer<()> {
    match bot.get_updates().timeout(0).limit(1).send().await {
        Ok(_) => Answer::Ok(()),
        Err(e) => classify(&e, redactor),
    }
}

fn classify<T>(e: &RequestError, redactor: &Redactor) -> Answer<T> {
    let text = redactor.redact(&e.to_string());
    match e {
        RequestError::Api(ApiError::InvalidToken) => Answer::TokenRefused,
        RequestError::Api(ApiError::Unknown(d)) if d.starts_with("Unauthorized") => {
            Answer::TokenRefused
        }
        RequestError::Api(
            ApiError::ChatNotFound
            | ApiError::BotBlocked
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotKickedFromChannel
            | ApiError::UserDeactivated
            | ApiError::CantInitiateConversation
            | ApiError::GroupDeactivated,
        ) => Answer::ChatUnreachable(text),
        RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => Answer::Conflict(text),
        RequestError::Api(ApiError::Unknown(d)) if d.starts_with("Conflict") => {
            Answer::Conflict(text)
        }
        RequestError::Network(_) | RequestError::Io(_) => Answer::Network(text),
        _ => Answer::Other(text),
    }
}
