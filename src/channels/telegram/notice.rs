//! Telling the chats, outside the outbox, that check cycles keep failing and when they
//! complete again. When the state database cannot be written (disk full) the outbox cannot
//! take a message either, and alerts are on hold: the user should hear about it on their
//! phone, once per failing streak, not find it later in a log. Sent directly through the one
//! send path (paced, a 429 pausing every send), journaled as a `system` alert; best effort
//! (a failed notice is logged and not retried: the next streak is announced again).

use super::transport::{OnRateLimit, Outgoing};
use super::{CHANNEL, TelegramSender};
use crate::alert::{Alert, AlertClass, Priority};
use crate::channels::journal::Entry;
use crate::render::Text;

/// A streak is announced once it has this many failed cycles (one failure can be a
/// momentary lock; two in a row is a problem).
pub const ANNOUNCE_AFTER: u32 = 2;

impl TelegramSender {
    /// Announces a failing streak of cycles, or its end, to every chat alerts go to.
    pub(super) async fn announce_cycle_health(&self) {
        let failure = self.app.cycle_failure();
        let announced = *self
            .announced_failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tz = &self.app.config.timezone;
        let (text, kind, priority, next) = match (&failure, announced) {
            (Some(f), previous) if f.consecutive >= ANNOUNCE_AFTER && previous != Some(f.since) => {
                (
                    format!(
                        "⚠️ Operator's check cycles are failing: {} in a row since {}.\n{}\nAlerts are on hold until a cycle completes; commands still work.",
                        f.consecutive,
                        f.since.with_timezone(tz).format("%a %H:%M"),
                        f.error
                    ),
                    "cycle_failing",
                    Priority::High,
                    Some(f.since),
                )
            }
            (None, Some(_)) => (
                "✅ Operator's check cycles complete again; alerts resume.".to_owned(),
                "cycle_recovered",
                Priority::Medium,
                None,
            ),
            _ => return,
        };
        *self
            .announced_failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
        let now = self.app.now();
        let alert = Alert::new(
            AlertClass::System,
            kind,
            None,
            priority,
            text.lines().next().unwrap_or_default().to_owned(),
            text.clone(),
            now,
        );
        let mut message = Text::new();
        message.text(&text);
        for &chat in &self.app.config.alerters.telegram.chat_ids {
            let sent = self
                .telegram
                .send(chat, Outgoing::text(&message), OnRateLimit::GiveUp)
                .await;
            let failure = sent.err().map(|e| e.to_string());
            let entry = match &failure {
                None => Entry::new(&alert, Some(chat), "sent", CHANNEL, now),
                Some(reason) => {
                    tracing::warn!(chat_id = chat, error = %reason, "could not send the cycle notice");
                    Entry::new(&alert, Some(chat), "failed", CHANNEL, now).with_reason(reason)
                }
            };
            self.app.journal(&[entry]);
        }
    }
}
