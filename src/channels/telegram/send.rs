//! Sending one outbox row through the one send path ([`super::transport`]): its message with
//! the alert keyboard (with its chart, for the brief), or for an `edit` row the new text of
//! the message it edits; the error's class decides what happens to the row (retried after the
//! 429 pause, failed for good, deferred with the rest of the pass during an outage, or
//! retried with backoff).

use super::errors::{self, SendFailure};
use super::transport::{OnRateLimit, Outgoing};
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
        let keyboard = if row.kind == "review" {
            let id = row.id;
            let suggestions = self
                .app
                .store(move |s| s.suggestions_of_message(id))
                .await
                .unwrap_or_default();
            let buttons: Vec<(i64, String)> = suggestions
                .iter()
                .filter(|s| s.applied_at.is_none())
                .map(|s| (s.id, super::keyboard::apply_label(&s.key, &s.to)))
                .collect();
            keyboard::apply_keyboard(&buttons)
        } else {
            keyboard::for_row(&row)
        };
        let message = Outgoing {
            html: &row.html,
            plain: &row.plain,
            keyboard: keyboard.as_ref(),
        };
        let sent = if let Some(edit_of) = row.edit_of {
            let target = self
                .app
                .store(move |s| s.outbox_row(edit_of))
                .await
                .ok()
                .flatten()
                .and_then(|r| r.message_id);
            let Some(message_id) = target else {
                self.permanent(
                    row,
                    "the message to edit was never delivered",
                    "nothing to do",
                    stats,
                )
                .await;
                return Verdict::Done;
            };
            self.telegram
                .edit(chat, message_id, message, OnRateLimit::GiveUp)
                .await
                .map(|()| super::Sent {
                    message_id,
                    as_plain: false,
                })
        } else if let Some(photo) = &row.photo {
            self.telegram
                .send_with_photo(chat, photo, message, OnRateLimit::GiveUp)
                .await
        } else {
            self.telegram.send(chat, message, OnRateLimit::GiveUp).await
        };
        let failure = match sent {
            Ok(sent) => {
                self.delivered(row, sent.message_id, sent.as_plain, stats)
                    .await;
                return Verdict::Done;
            }
            Err(failure) => failure,
        };
        match failure {
            SendFailure::RetryAfter(delay) => {
                // The pause is recorded by the send path; the row waits it out.
                let at = self.app.now() + chrono::Duration::from_std(delay).unwrap_or_default();
                let error = format!("429: retry after {} s", delay.as_secs());
                stats.push(&row, RowOutcome::WillRetry { at, error });
            }
            SendFailure::Permanent { reason, advice } => {
                self.permanent(row, &reason, &advice, stats).await;
            }
            SendFailure::Outage(error) => return Verdict::Outage(Box::new(row), error),
            // Plain text cannot fail to parse; anything else is this message's own problem.
            SendFailure::CantParse(error) | SendFailure::Transient(error) => {
                self.transient(row, error, errors::random_jitter(), stats)
                    .await;
            }
        }
        Verdict::Done
    }
}
