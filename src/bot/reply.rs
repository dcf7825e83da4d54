//! Sending a reply: HTML, split under Telegram's length limit on line boundaries (the same
//! splitting as pushed alerts), re-sent as plain text if Telegram cannot parse it.

use teloxide::prelude::*;
use teloxide::types::{ChatId, ParseMode};

use crate::channels::telegram::split::{MAX_MESSAGE_LEN, split_html, split_plain};
use crate::render::Text;

/// Sends `text` to `chat` as one or more HTML messages. If Telegram rejects the HTML, the
/// whole reply goes again as plain text (a part may repeat; nothing is lost).
pub async fn send(bot: &Bot, chat: ChatId, text: &Text) -> anyhow::Result<()> {
    for html in split_html(text.html(), text.plain(), MAX_MESSAGE_LEN) {
        let sent = bot
            .send_message(chat, html)
            .parse_mode(ParseMode::Html)
            .await;
        match sent {
            Ok(_) => {}
            Err(teloxide::RequestError::Api(teloxide::ApiError::CantParseEntities(_))) => {
                tracing::warn!(
                    chat_id = chat.0,
                    "Telegram could not parse a reply's HTML; sending it as plain text"
                );
                for plain in split_plain(text.plain(), MAX_MESSAGE_LEN) {
                    bot.send_message(chat, plain).await?;
                }
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
