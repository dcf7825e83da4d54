//! Sending one outbox row: its HTML split into parts, the keyboard on the last part, each
//! part taking its turn from the app's pacer; a message Telegram cannot parse is re-sent as plain text; the error decides
//! what happens to the row.

use teloxide::RequestError;
use teloxide::payloads::SendMessageSetters;
use teloxide::requests::Requester;
use teloxide::types::{ChatId, InlineKeyboardMarkup, ParseMode};

use super::errors::{self, Failure};
use super::split::{self, MAX_MESSAGE_LEN};
use super::{DeliveryStats, RowOutcome, TelegramSender, keyboard};
use crate::store::OutboxRow;

/// What a row's send means for the rest of the pass.
pub(super) enum Verdict {
    /// Handled (delivered, retried, paused or failed); carry on with the next row.
    Done,
    /// Telegram is failing as a whole: this row and the rest of the pass are deferred.
    Outage(Box<OutboxRow>, String),
}

impl TelegramSender {
    pub(super) async fn deliver_row(&self, row: OutboxRow, stats: &mut DeliveryStats) -> Verdict {
        let Some(chat) = row.chat_id() else {
            let reason = format!(
                "the recipient {:?} is not a Telegram chat id",
                row.recipient
            );
            self.permanent(
                row,
                &reason,
                "nothing to do: it was queued by mistake",
                stats,
            )
            .await;
            return Verdict::Done;
        };
        let keyboard = keyboard::for_row(&row);
        let parts = split::split_html(&row.html, &row.plain, MAX_MESSAGE_LEN);
        let mut result = self
            .send_parts(chat, &parts, true, keyboard.as_ref())
            .await
            .map(|id| (id, false));
        if let Err(e) = &result
            && let Failure::CantParse(error) = self.classify(e)
        {
            tracing::warn!(chat_id = chat, outbox_id = row.id, error = %error,
                "Telegram could not parse the message; re-sending it as plain text");
            let parts = split::split_plain(&row.plain, MAX_MESSAGE_LEN);
            result = self
                .send_parts(chat, &parts, false, keyboard.as_ref())
                .await
                .map(|id| (id, true));
        }
        let error = match result {
            Ok((message_id, as_plain)) => {
                self.delivered(row, message_id, as_plain, stats).await;
                return Verdict::Done;
            }
            Err(e) => e,
        };
        match self.classify(&error) {
            Failure::RetryAfter(delay) => {
                super::note_retry_after(&self.app, delay).await;
                tracing::warn!(
                    chat_id = chat,
                    outbox_id = row.id,
                    retry_after_s = delay.as_secs(),
                    "Telegram asks to slow down (429): every send waits"
                );
                let at = self.app.now() + chrono::Duration::from_std(delay).unwrap_or_default();
                let error = format!("429: retry after {} s", delay.as_secs());
                stats.push(&row, RowOutcome::WillRetry { at, error });
            }
            Failure::Permanent { reason, advice } => {
                self.permanent(row, &reason, &advice, stats).await;
            }
            Failure::Outage(error) => return Verdict::Outage(Box::new(row), error),
            // Plain text cannot fail to parse; anything else is this message's own problem.
            Failure::CantParse(error) | Failure::Transient(error) => {
                self.transient(row, error, errors::random_jitter(), stats)
                    .await;
            }
        }
        Verdict::Done
    }

    /// Sends `parts` in order, paced, the keyboard on the last; returns the last message id.
    /// A failure part way re-sends from the first part next time (at most one duplicate part).
    async fn send_parts(
        &self,
        chat: i64,
        parts: &[String],
        html: bool,
        keyboard: Option<&InlineKeyboardMarkup>,
    ) -> Result<i64, RequestError> {
        let mut last = 0;
        for (i, part) in parts.iter().enumerate() {
            self.app.telegram_pacer.wait_turn(chat).await;
            let mut request = self.bot.send_message(ChatId(chat), part.as_str());
            if html {
                request = request.parse_mode(ParseMode::Html);
            }
            if i + 1 == parts.len()
                && let Some(kb) = keyboard
            {
                request = request.reply_markup(kb.clone());
            }
            let message = request.await?;
            last = i64::from(message.id.0);
        }
        Ok(last)
    }

    fn classify(&self, error: &RequestError) -> Failure {
        errors::classify(error, &|text| self.redact(text))
    }
}
