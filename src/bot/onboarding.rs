//! The Telegram side of `operator setup`: checking a token (`getMe`), waiting by long polling
//! for the user's `/start`, greeting the chosen chat, sending a test alert with the real alert
//! buttons and reporting the press. Outside the daemon: no state database, so messages go
//! through the one send path in its standalone form (its own pacer), and every update this
//! conversation read is acknowledged before it ends, so the daemon does not answer them again.
//!
//! The token is used only to build the `Bot`; every error text passes through the redactor.

use std::time::Duration;

use chrono::{DateTime, Utc};
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, ChatKind, UpdateKind};
use teloxide::{ApiError, RequestError};
use tokio::time::Instant;

use crate::channels::telegram::callback::{Action, CallbackData};
use crate::channels::telegram::keyboard::alert_keyboard;
use crate::channels::telegram::{ClientError, OnRateLimit, Outgoing, Telegram, bot_from};
use crate::config::{Redactor, Secret};
use crate::render::Text;

/// How long one long poll waits for updates.
const POLL_SECONDS: u32 = 20;

/// The bot a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    /// Without the `@`.
    pub username: String,
    pub name: String,
}

/// A chat that sent `/start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartingChat {
    pub chat_id: i64,
    /// How people would name it: "Ada Lovelace (private chat)", "Ops team (group)".
    pub description: String,
}

/// Why Telegram could not be used, in words for the terminal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelegramProblem {
    #[error(
        "Telegram refused this token (401 Unauthorized): copy it again from @BotFather (/mybots → your bot → API Token)"
    )]
    TokenRefused,
    #[error("could not reach Telegram at {api_url}: {cause}")]
    Unreachable { api_url: String, cause: String },
    #[error(
        "another program is polling this bot right now (409 Conflict): stop it (`operator run`, or another bot using the token) during setup"
    )]
    OtherPoller,
    #[error("Telegram answered: {0}")]
    Other(String),
}

/// One setup conversation with Telegram.
pub struct Onboarding {
    bot: Bot,
    telegram: Telegram,
    redactor: Redactor,
    api_url: String,
    /// The next update id to ask for; updates before it were read.
    offset: i32,
}

impl Onboarding {
    /// A conversation for `token` at `api_url` (the Bot API base).
    pub fn new(
        token: &Secret,
        api_url: &str,
        redactor: Redactor,
    ) -> Result<Onboarding, ClientError> {
        let timeout = Duration::from_secs(u64::from(POLL_SECONDS) + 15);
        let bot = bot_from(token, api_url, timeout, &redactor)?;
        Ok(Onboarding {
            telegram: Telegram::standalone(bot.clone(), redactor.clone()),
            bot,
            redactor,
            api_url: api_url.to_owned(),
            offset: 0,
        })
    }

    /// `getMe`: whose token this is.
    pub async fn identify(&self) -> Result<BotIdentity, TelegramProblem> {
        let me = self.bot.get_me().await.map_err(|e| self.problem(&e))?;
        Ok(BotIdentity {
            username: me.username.clone().unwrap_or_default(),
            name: me.first_name.clone(),
        })
    }

    /// `getChat`: the chat behind an id given on the command line.
    pub async fn chat(&self, chat_id: i64) -> Result<StartingChat, TelegramProblem> {
        let chat = self
            .bot
            .get_chat(ChatId(chat_id))
            .await
            .map_err(|e| self.problem(&e))?;
        let kind = if chat.is_private() {
            "private chat"
        } else if chat.is_channel() {
            "channel"
        } else if chat.is_supergroup() {
            "supergroup"
        } else {
            "group"
        };
        let name = chat
            .title()
            .map(str::to_owned)
            .or_else(|| {
                let full = [chat.first_name(), chat.last_name()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                (!full.is_empty()).then_some(full)
            })
            .or_else(|| chat.username().map(|u| format!("@{u}")))
            .unwrap_or_else(|| "untitled".to_owned());
        Ok(StartingChat {
            chat_id,
            description: format!("{name} ({kind})"),
        })
    }

    /// Long-polls until a chat sends `/start` (one sent after `since`, so an old one left in
    /// the queue does not count), or `deadline` passes (`Ok(None)`).
    pub async fn next_start(
        &mut self,
        since: DateTime<Utc>,
        deadline: Instant,
    ) -> Result<Option<StartingChat>, TelegramProblem> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let wait = u32::try_from(left.as_secs())
                .unwrap_or(POLL_SECONDS)
                .min(POLL_SECONDS);
            let updates = self.poll(wait).await?;
            for update in updates {
                let UpdateKind::Message(message) = &update.kind else {
                    continue;
                };
                let is_start = message
                    .text()
                    .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("/start"));
                if is_start && message.date >= since - chrono::Duration::seconds(60) {
                    return Ok(Some(StartingChat {
                        chat_id: message.chat.id.0,
                        description: describe_chat(&message.chat.kind),
                    }));
                }
            }
            if wait == 0 {
                return Ok(None);
            }
        }
    }

    /// Sends `text` to `chat`.
    pub async fn say(&self, chat: i64, text: &Text) -> Result<i64, TelegramProblem> {
        self.telegram
            .send(chat, Outgoing::text(text), OnRateLimit::WaitOut)
            .await
            .map(|sent| sent.message_id)
            .map_err(|e| TelegramProblem::Other(e.to_string()))
    }

    /// Sends a test alert with the real alert buttons; returns its message id.
    pub async fn send_test_alert(&self, chat: i64) -> Result<i64, TelegramProblem> {
        let mut text = Text::new();
        text.bold("🔔 Test alert from Operator")
            .newline()
            .line("This is how alerts arrive. Press any button below to check the buttons work;")
            .text("nothing is snoozed or acknowledged: it is only a test.");
        // Outbox id 0 is never a real row: the daemon answers a later press on it politely.
        let keyboard = alert_keyboard(0);
        self.telegram
            .send(
                chat,
                Outgoing::text(&text).with_keyboard(Some(&keyboard)),
                OnRateLimit::WaitOut,
            )
            .await
            .map(|sent| sent.message_id)
            .map_err(|e| TelegramProblem::Other(e.to_string()))
    }

    /// Waits for a press on the test alert `message_id` in `chat` until `deadline`; answers
    /// it and edits the message to say what was pressed. Presses elsewhere are answered and
    /// ignored.
    pub async fn wait_press(
        &mut self,
        chat: i64,
        message_id: i64,
        deadline: Instant,
    ) -> Result<Option<Action>, TelegramProblem> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let wait = u32::try_from(left.as_secs())
                .unwrap_or(POLL_SECONDS)
                .min(POLL_SECONDS);
            for update in self.poll(wait).await? {
                let UpdateKind::CallbackQuery(query) = &update.kind else {
                    continue;
                };
                let on_test = query
                    .message
                    .as_ref()
                    .is_some_and(|m| m.chat().id.0 == chat && i64::from(m.id().0) == message_id);
                let action = query
                    .data
                    .as_deref()
                    .and_then(CallbackData::decode)
                    .filter(|_| on_test)
                    .map(|d| d.action);
                let answer = match action {
                    Some(a) => format!("Works: Operator got \"{}\".", a.label()),
                    None => "That is not the test alert.".to_owned(),
                };
                // Best effort: a lost answer only leaves the button spinning a moment.
                let _ = self
                    .bot
                    .answer_callback_query(query.id.clone())
                    .text(answer)
                    .await;
                if let Some(action) = action {
                    let mut edited = Text::new();
                    edited
                        .bold("🔔 Test alert from Operator")
                        .newline()
                        .italic(&format!(
                            "✓ Buttons work: you pressed {}. Nothing was changed.",
                            action.label()
                        ));
                    let _ = self
                        .telegram
                        .edit(
                            chat,
                            message_id,
                            Outgoing::text(&edited),
                            OnRateLimit::WaitOut,
                        )
                        .await;
                    return Ok(Some(action));
                }
            }
            if wait == 0 {
                return Ok(None);
            }
        }
    }

    /// Confirms every update read so far, so the daemon does not see them again.
    pub async fn acknowledge(&mut self) {
        if self.offset == 0 {
            return;
        }
        let result = self
            .bot
            .get_updates()
            .offset(self.offset)
            .timeout(0)
            .limit(1)
            .send()
            .await;
        if let Err(e) = result {
            tracing::debug!(error = %self.redactor.redact(&e.to_string()), "could not acknowledge setup's updates");
        }
    }

    /// One `getUpdates` from the current offset, waiting up to `wait` seconds.
    async fn poll(&mut self, wait: u32) -> Result<Vec<Update>, TelegramProblem> {
        let updates = self
            .bot
            .get_updates()
            .offset(self.offset)
            .timeout(wait)
            .allowed_updates(vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
            .send()
            .await
            .map_err(|e| self.problem(&e))?;
        if let Some(last) = updates.last() {
            self.offset = last.id.as_offset();
        }
        Ok(updates)
    }

    fn problem(&self, e: &RequestError) -> TelegramProblem {
        match e {
            RequestError::Api(ApiError::InvalidToken) => TelegramProblem::TokenRefused,
            RequestError::Api(ApiError::Unknown(text)) if text.starts_with("Unauthorized") => {
                TelegramProblem::TokenRefused
            }
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => {
                TelegramProblem::OtherPoller
            }
            RequestError::Network(_) | RequestError::Io(_) => TelegramProblem::Unreachable {
                api_url: self.api_url.clone(),
                cause: self.redactor.redact(&e.to_string()),
            },
            other => TelegramProblem::Other(self.redactor.redact(&other.to_string())),
        }
    }
}

/// "Ada Lovelace (private chat)", "Ops team (group)".
fn describe_chat(kind: &ChatKind) -> String {
    match kind {
        ChatKind::Private(p) => {
            let name = [p.first_name.as_deref(), p.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let name = if name.is_empty() {
                p.username
                    .clone()
                    .map_or_else(|| "someone".to_owned(), |u| format!("@{u}"))
            } else {
                name
            };
            format!("{name} (private chat)")
        }
        ChatKind::Public(p) => format!(
            "{} ({})",
            p.title.as_deref().unwrap_or("untitled"),
            match p.kind {
                teloxide::types::PublicChatKind::Channel(_) => "channel",
                teloxide::types::PublicChatKind::Group => "group",
                teloxide::types::PublicChatKind::Supergroup(_) => "supergroup",
            }
        ),
    }
}
