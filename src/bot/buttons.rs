//! What an alert's buttons do: `Snooze 1h`, `Snooze 4h`, `Tomorrow` (until the end of the
//! next quiet hours, or 9:00 local) and `Got it` (acknowledged until the condition clears),
//! recorded for that chat and the alerts of that message. Blocking (runs on the store's
//! thread); the bot answers and edits with the result.

use chrono::{DateTime, Duration, Utc};

use crate::channels::telegram::callback::{Action, CallbackData};
use crate::config::Config;
use crate::pipeline::{Recipient, SnoozeScope, next_local_hour_after, quiet_hours_end_after};
use crate::render::Text;
use crate::store::Store;

/// What a press came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Recorded. `answer` is the short callback answer; `edited` the message's new text.
    Done { answer: String, edited: Text },
    /// Not applied; `answer` says why, politely.
    Refused { answer: String },
}

/// The local time people read: "15:40" today, "Sat 07:00" otherwise.
fn when(config: &Config, now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let tz = &config.timezone;
    let local = t.with_timezone(tz);
    if local.date_naive() == now.with_timezone(tz).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%a %H:%M").to_string()
    }
}

/// Applies a button press from `chat_id` with callback `data`.
pub fn press(
    store: &mut Store,
    config: &Config,
    chat_id: i64,
    data: &str,
    now: DateTime<Utc>,
) -> crate::store::Result<Press> {
    let refused = |answer: &str| {
        Ok(Press::Refused {
            answer: answer.to_owned(),
        })
    };
    let Some(cb) = CallbackData::decode(data) else {
        return refused("This button is no longer valid.");
    };
    let Some(row) = store.outbox_row(cb.outbox_id)? else {
        return refused("This alert is too old to act on.");
    };
    if row.chat_id() != Some(chat_id) {
        return refused("This button belongs to another chat.");
    }
    if row.alerts.is_empty() {
        return refused("There is nothing to snooze on this message.");
    }
    let chat = Recipient::Chat(chat_id);
    let status = match cb.action {
        Action::GotIt => {
            for alert in &row.alerts {
                store.acknowledge(chat, &alert.dedup_key, now)?;
            }
            "Got it: silent until this clears.".to_owned()
        }
        action => {
            let until = match action {
                Action::Snooze1h => now + Duration::hours(1),
                Action::Snooze4h => now + Duration::hours(4),
                _ => {
                    let quiet = store.quiet_hours(chat)?.unwrap_or(config.quiet_hours);
                    quiet_hours_end_after(&quiet, &config.timezone, now)
                        .unwrap_or_else(|| next_local_hour_after(&config.timezone, now, 9))
                }
            };
            for alert in &row.alerts {
                store.snooze(chat, &SnoozeScope::Key(alert.dedup_key.clone()), until, now)?;
            }
            format!("Snoozed until {}", when(config, now, until))
        }
    };
    tracing::info!(chat_id, outbox_id = row.id, action = ?cb.action, "button pressed");
    let mut edited = Text::rendered(row.html.clone(), row.plain.clone());
    edited.newline().newline().italic(&status);
    Ok(Press::Done {
        answer: status,
        edited,
    })
}
