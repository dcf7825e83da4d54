//! Sending a reply: HTML, split under Telegram's length limit on line boundaries (the same
//! splitting as pushed alerts), each part taking its turn from the app's pacer (shared with
//! pushed alerts, so a burst of commands stays inside Telegram's limits), 429 `retry_after`
//! waited out, re-sent as plain text if Telegram cannot parse it.

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{ChatId, ParseMode};
use teloxide::{ApiError, RequestError};

use crate::app::App;
use crate::channels::telegram::note_retry_after;
use crate::channels::telegram::split::{MAX_MESSAGE_LEN, split_html, split_plain};
use crate::render::Text;

/// How often a reply part is retried after a 429, and the longest `retry_after` waited out.
const RATE_LIMIT_RETRIES: u32 = 3;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Sends one message in its turn, waiting out Telegram's `retry_after` (bounded) on a 429.
async fn send_one(
    bot: &Bot,
    app: &Arc<App>,
    chat: ChatId,
    text: String,
    html: bool,
) -> Result<(), RequestError> {
    let mut tries = 0;
    loop {
        app.telegram_pacer.wait_turn(chat.0).await;
        let request = bot.send_message(chat, text.clone());
        let sent = if html {
            request.parse_mode(ParseMode::Html).await
        } else {
            request.await
        };
        match sent {
            Err(RequestError::RetryAfter(wait))
                if tries < RATE_LIMIT_RETRIES && wait.duration() <= MAX_RETRY_AFTER =>
            {
                tries += 1;
                tracing::warn!(
                    chat_id = chat.0,
                    retry_after_s = wait.seconds(),
                    "Telegram rate-limited a reply; waiting"
                );
                // Every send waits the pause out, this one at its next turn.
                note_retry_after(app, wait.duration()).await;
            }
            other => return other.map(|_| ()),
        }
    }
}

/// Sends `text` to `chat` as one or more HTML messages. If Telegram rejects the HTML, the
/// whole reply goes again as plain text (a part may repeat; nothing is lost).
pub async fn send(bot: &Bot, app: &Arc<App>, chat: ChatId, text: &Text) -> anyhow::Result<()> {
    for html in split_html(text.html(), text.plain(), MAX_MESSAGE_LEN) {
        match send_one(bot, app, chat, html, true).await {
            Ok(()) => {}
            Err(RequestError::Api(ApiError::CantParseEntities(_))) => {
                tracing::warn!(
                    chat_id = chat.0,
                    "Telegram could not parse a reply's HTML; sending it as plain text"
                );
                for plain in split_plain(text.plain(), MAX_MESSAGE_LEN) {
                    send_one(bot, app, chat, plain, false).await?;
                }
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
