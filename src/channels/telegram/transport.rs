//! The one way Operator writes to Telegram. Pushed alerts (the outbox sender), replies to
//! commands, the failing-cycle notice, and the edits after a button press all go through
//! [`Telegram`], so every rule of writing to Telegram lives here once:
//!
//! - each message (each part of a split one, each edit) first takes its turn from the app's
//!   one [`Pacer`](super::Pacer);
//! - HTML is split under Telegram's length limit on line boundaries, the keyboard on the last
//!   part; a message Telegram cannot parse is re-sent whole as plain text;
//! - a 429 `retry_after` pauses every send and is kept in the state database
//!   ([`super::pacing::note_retry_after`]); callers choose whether this message waits the
//!   pause out ([`OnRateLimit`]);
//! - every error is classified ([`SendFailure`]) with its text passed through the config's
//!   redactor (the bot token never reaches a log, the journal or a chat).

use std::sync::Arc;
use std::time::Duration;

use teloxide::payloads::{EditMessageTextSetters, SendMessageSetters, SendPhotoSetters};
use teloxide::requests::Requester;
use teloxide::types::{ChatId, InlineKeyboardMarkup, InputFile, MessageId, ParseMode};
use teloxide::{Bot, RequestError};

use super::Pacer;
use super::errors::{self, SendFailure};
use super::pacing::note_retry_after;
use super::split::{MAX_MESSAGE_LEN, split_html, split_plain, utf16_len};
use crate::app::App;
use crate::config::Redactor;
use crate::render::Text;

/// What to do when Telegram answers 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRateLimit {
    /// Return the failure at once (the outbox retries the row after the pause).
    GiveUp,
    /// Wait the pause out and try again, up to [`RATE_LIMIT_RETRIES`] times and for pauses
    /// of at most [`MAX_RETRY_AFTER`] (a reply someone is waiting for).
    WaitOut,
}

/// How often one message is retried after a 429 with [`OnRateLimit::WaitOut`].
pub const RATE_LIMIT_RETRIES: u32 = 3;
/// Telegram's limit on a photo's caption (after entity parsing, in UTF-16 units).
pub const MAX_CAPTION_LEN: usize = 1024;

/// The longest `retry_after` waited out with [`OnRateLimit::WaitOut`].
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// A message to write: its HTML and plain-text forms, and the keyboard under it.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub html: &'a str,
    pub plain: &'a str,
    /// For a send: the keyboard under the (last part of the) message. For an edit: the new
    /// keyboard, or `None` to remove it.
    pub keyboard: Option<&'a InlineKeyboardMarkup>,
}

impl<'a> Outgoing<'a> {
    pub fn text(text: &'a Text) -> Outgoing<'a> {
        Outgoing {
            html: text.html(),
            plain: text.plain(),
            keyboard: None,
        }
    }

    pub fn with_keyboard(self, keyboard: Option<&'a InlineKeyboardMarkup>) -> Outgoing<'a> {
        Outgoing { keyboard, ..self }
    }
}

/// A message Telegram accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The id of the last part (the one carrying the keyboard).
    pub message_id: i64,
    /// Whether it went as plain text after Telegram could not parse the HTML.
    pub as_plain: bool,
}

/// The bot and what every send needs: the pacer, the redactor, and (in the daemon and
/// `operator check`) the app, where a 429 pause is kept for a restart. Cheap to clone.
#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
    pacer: Arc<Pacer>,
    redactor: Redactor,
    /// Where 429 pauses are persisted; `None` for a process with no state database
    /// (`operator setup`), whose pauses live in its own pacer only.
    app: Option<Arc<App>>,
}

impl Telegram {
    /// The send path of the running app: its pacer, its redactor, its state database.
    pub fn new(bot: Bot, app: Arc<App>) -> Telegram {
        Telegram {
            bot,
            pacer: Arc::clone(&app.telegram_pacer),
            redactor: app.config.redactor().clone(),
            app: Some(app),
        }
    }

    /// The send path of a process with no app (`operator setup`): a pacer of its own.
    pub fn standalone(bot: Bot, redactor: Redactor) -> Telegram {
        Telegram {
            bot,
            pacer: Arc::new(Pacer::new()),
            redactor,
            app: None,
        }
    }

    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Sends `message` to `chat`: split, paced, the keyboard on the last part, re-sent whole
    /// as plain text if Telegram cannot parse the HTML. A failure part way re-sends from the
    /// first part next time (at most one duplicate part).
    pub async fn send(
        &self,
        chat: i64,
        message: Outgoing<'_>,
        on_429: OnRateLimit,
    ) -> Result<Sent, SendFailure> {
        let parts = split_html(message.html, message.plain, MAX_MESSAGE_LEN);
        match self
            .send_parts(chat, &parts, true, message.keyboard, on_429)
            .await
        {
            Err(SendFailure::CantParse(error)) => {
                tracing::warn!(chat_id = chat, error = %error,
                    "Telegram could not parse the message; re-sending it as plain text");
                let parts = split_plain(message.plain, MAX_MESSAGE_LEN);
                let message_id = self
                    .send_parts(chat, &parts, false, message.keyboard, on_429)
                    .await?;
                Ok(Sent {
                    message_id,
                    as_plain: true,
                })
            }
            other => other.map(|message_id| Sent {
                message_id,
                as_plain: false,
            }),
        }
    }

    /// Sends a PNG with `message`: as its caption when it fits Telegram's 1,024 characters,
    /// else the text first (with the keyboard) and the picture after it. When Telegram refuses
    /// the picture itself (not a rate limit or an outage), the text goes alone. The returned
    /// message is the one carrying the text (and buttons).
    pub async fn send_with_photo(
        &self,
        chat: i64,
        png: &[u8],
        message: Outgoing<'_>,
        on_429: OnRateLimit,
    ) -> Result<Sent, SendFailure> {
        let fits = utf16_len(message.plain) <= MAX_CAPTION_LEN
            && utf16_len(message.html) <= 4 * MAX_CAPTION_LEN;
        if fits {
            match self.photo(chat, png, Some(message), on_429).await {
                Ok(sent) => return Ok(sent),
                Err(e @ (SendFailure::RetryAfter(_) | SendFailure::Outage(_))) => return Err(e),
                Err(e) => {
                    tracing::warn!(chat_id = chat, error = %e, "Telegram refused the chart; sending the text alone");
                    return self.send(chat, message, on_429).await;
                }
            }
        }
        let sent = self.send(chat, message, on_429).await?;
        if let Err(e) = self.photo(chat, png, None, on_429).await {
            tracing::warn!(chat_id = chat, error = %e, "the chart could not follow the text");
        }
        Ok(sent)
    }

    /// One `sendPhoto`, in its turn; the caption as HTML, re-sent plain if Telegram cannot
    /// parse it.
    async fn photo(
        &self,
        chat: i64,
        png: &[u8],
        caption: Option<Outgoing<'_>>,
        on_429: OnRateLimit,
    ) -> Result<Sent, SendFailure> {
        let attempt = |html: bool| {
            let mut request = self.bot.send_photo(
                ChatId(chat),
                InputFile::memory(png.to_vec()).file_name("chart.png"),
            );
            if let Some(c) = caption {
                request = if html {
                    request.caption(c.html).parse_mode(ParseMode::Html)
                } else {
                    request.caption(c.plain)
                };
                if let Some(kb) = c.keyboard {
                    request = request.reply_markup(kb.clone());
                }
            }
            async move { request.await.map(|m| i64::from(m.id.0)) }
        };
        match self.paced(chat, on_429, || attempt(true)).await {
            Ok(message_id) => Ok(Sent {
                message_id,
                as_plain: false,
            }),
            Err(SendFailure::CantParse(_)) => self
                .paced(chat, on_429, || attempt(false))
                .await
                .map(|message_id| Sent {
                    message_id,
                    as_plain: true,
                }),
            Err(e) => Err(e),
        }
    }

    /// Removes the buttons under message `message_id` in `chat` (a press on an alert that
    /// has expired or resolved), in its turn.
    pub async fn remove_keyboard(
        &self,
        chat: i64,
        message_id: i64,
        on_429: OnRateLimit,
    ) -> Result<(), SendFailure> {
        let id = MessageId(i32::try_from(message_id).unwrap_or(i32::MAX));
        let result = self
            .paced(chat, on_429, || {
                let request = self.bot.edit_message_reply_markup(ChatId(chat), id);
                async move { request.await.map(|_| ()) }
            })
            .await;
        match result {
            Err(SendFailure::Transient(text)) if text.contains("message is not modified") => Ok(()),
            other => other,
        }
    }

    /// Replaces the text (and keyboard: `None` removes it) of message `message_id` in `chat`,
    /// in its turn. An edit that would change nothing counts as done.
    pub async fn edit(
        &self,
        chat: i64,
        message_id: i64,
        message: Outgoing<'_>,
        on_429: OnRateLimit,
    ) -> Result<(), SendFailure> {
        let id = MessageId(i32::try_from(message_id).unwrap_or(i32::MAX));
        let attempt = |html: bool| {
            let text = if html { message.html } else { message.plain };
            let mut request = self.bot.edit_message_text(ChatId(chat), id, text);
            if html {
                request = request.parse_mode(ParseMode::Html);
            }
            if let Some(kb) = message.keyboard {
                request = request.reply_markup(kb.clone());
            }
            async move { request.await.map(|_| ()) }
        };
        let result = self.paced(chat, on_429, || attempt(true)).await;
        let result = match result {
            Err(SendFailure::CantParse(_)) => self.paced(chat, on_429, || attempt(false)).await,
            other => other,
        };
        match result {
            Err(SendFailure::Transient(text)) if text.contains("message is not modified") => Ok(()),
            other => other,
        }
    }

    /// Sends `parts` in order, each in its turn, the keyboard on the last; returns the last
    /// message's id.
    async fn send_parts(
        &self,
        chat: i64,
        parts: &[String],
        html: bool,
        keyboard: Option<&InlineKeyboardMarkup>,
        on_429: OnRateLimit,
    ) -> Result<i64, SendFailure> {
        let mut last = 0;
        for (i, part) in parts.iter().enumerate() {
            let keyboard = keyboard.filter(|_| i + 1 == parts.len());
            last = self
                .paced(chat, on_429, || {
                    let mut request = self.bot.send_message(ChatId(chat), part.as_str());
                    if html {
                        request = request.parse_mode(ParseMode::Html);
                    }
                    if let Some(kb) = keyboard {
                        request = request.reply_markup(kb.clone());
                    }
                    async move { request.await.map(|m| i64::from(m.id.0)) }
                })
                .await?;
        }
        Ok(last)
    }

    /// One request in its turn: a 429 pauses every send (recorded), and is waited out or
    /// returned as `on_429` says; any other error is classified.
    async fn paced<T, F, Fut>(
        &self,
        chat: i64,
        on_429: OnRateLimit,
        request: F,
    ) -> Result<T, SendFailure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let mut tries = 0;
        loop {
            self.pacer.wait_turn(chat).await;
            let error = match request().await {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            let failure = self.classify(&error);
            let SendFailure::RetryAfter(delay) = failure else {
                return Err(failure);
            };
            match &self.app {
                Some(app) => note_retry_after(app, delay).await,
                None => self.pacer.pause_for(delay),
            }
            tracing::warn!(
                chat_id = chat,
                retry_after_s = delay.as_secs(),
                "Telegram asks to slow down (429): every send waits"
            );
            let wait = on_429 == OnRateLimit::WaitOut
                && tries < RATE_LIMIT_RETRIES
                && delay <= MAX_RETRY_AFTER;
            if !wait {
                return Err(failure);
            }
            tries += 1;
        }
    }

    /// The class of a failed request, its text redacted.
    pub fn classify(&self, error: &RequestError) -> SendFailure {
        errors::classify(error, &self.redactor)
    }
}
