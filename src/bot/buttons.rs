//! What an alert's buttons do: `Snooze 1h`, `Snooze 4h`, `Tomorrow` (until the end of the
//! next quiet hours, or 9:00 local) and `Got it` (acknowledged until the condition clears),
//! recorded for that chat and the alerts of that message; the message then shows its state
//! and one `Undo` button, which restores it as it was. A press on a message that has resolved
//! or is older than the resolve window is answered politely and its buttons removed.
//! Blocking (runs on the store's thread); the bot answers and edits with the result. The same
//! actions on a desktop notification's buttons are applied here too, for the desktop
//! recipient.

use chrono::{DateTime, Duration, Utc};

use crate::alert::Priority;
use crate::channels::desktop::DesktopPress;
use crate::channels::telegram::callback::{Action, CallbackData};
use crate::config::Config;
use crate::cycle::living::RESOLVE_WITHIN;
use crate::pipeline::{Recipient, SnoozeScope, next_local_hour_after, quiet_hours_end_after};
use crate::render::Text;
use crate::store::{FeedbackKind, Store};

/// What a press came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Recorded. `answer` is the short callback answer; `edited` the message's new text,
    /// with the buttons `keyboard` says.
    Done {
        answer: String,
        edited: Text,
        keyboard: Buttons,
    },
    /// Not applied; `answer` says why, politely. `remove_keyboard`: the message's buttons
    /// can never work again (it resolved, or is too old), so they go.
    Refused {
        answer: String,
        remove_keyboard: bool,
    },
}

/// The buttons a message keeps after a press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buttons {
    /// `Undo` alone, after a snooze or `Got it`.
    Undo(i64),
    /// The four alert buttons again, after `Undo`.
    Alert(i64),
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

/// Applies `action` to the alerts `keys` for `recipient` (a chat's button, or a desktop
/// notification's): acknowledges them, or snoozes each key until 1 h / 4 h from now or the
/// end of the next quiet hours (else 9:00 local), remembering each alert's priority (the
/// same key at a higher one ends the snooze early), or undoes either. Returns what to tell
/// the user.
pub fn apply(
    store: &mut Store,
    config: &Config,
    recipient: Recipient,
    alerts: &[(String, Option<Priority>)],
    action: Action,
    now: DateTime<Utc>,
) -> crate::store::Result<String> {
    let keys: Vec<String> = alerts.iter().map(|(k, _)| k.clone()).collect();
    let (keys, priorities) = (keys.as_slice(), alerts);
    Ok(match action {
        Action::Undo => {
            store.end_key_snoozes(recipient, keys)?;
            store.unacknowledge(recipient, keys)?;
            "Undone: the alert is back as it was.".to_owned()
        }
        Action::GotIt => {
            for key in keys {
                store.acknowledge(recipient, key, now)?;
            }
            "Got it: silent until this clears.".to_owned()
        }
        action => {
            let until = match action {
                Action::Snooze1h => now + Duration::hours(1),
                Action::Snooze4h => now + Duration::hours(4),
                _ => {
                    let quiet = store.quiet_hours(recipient)?.unwrap_or(config.quiet_hours);
                    quiet_hours_end_after(&quiet, &config.timezone, now)
                        .unwrap_or_else(|| next_local_hour_after(&config.timezone, now, 9))
                }
            };
            for key in keys {
                let priority = priorities
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, p)| *p);
                store.snooze_at(
                    recipient,
                    &SnoozeScope::Key(key.clone()),
                    until,
                    priority,
                    now,
                )?;
            }
            format!("Snoozed until {}", when(config, now, until))
        }
    })
}

/// Applies the presses on desktop notifications' buttons as they come (the notifier's
/// threads send them), until `cancel`: the same as the Telegram buttons, for the desktop.
pub async fn apply_desktop_presses(
    app: std::sync::Arc<crate::app::App>,
    mut presses: tokio::sync::mpsc::UnboundedReceiver<DesktopPress>,
    cancel: tokio_util::sync::CancellationToken,
) {
    loop {
        let press = tokio::select! {
            () = cancel.cancelled() => return,
            press = presses.recv() => match press {
                Some(press) => press,
                None => return,
            },
        };
        let now = app.now();
        let a = std::sync::Arc::clone(&app);
        let action = press.action;
        let applied = app
            .store(move |store| {
                let alerts: Vec<_> = press.keys.iter().map(|k| (k.clone(), None)).collect();
                apply(store, &a.config, Recipient::Desktop, &alerts, action, now)
            })
            .await;
        match applied {
            Ok(status) => {
                tracing::info!(action = ?action, status = %status, "desktop button pressed")
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not apply a desktop button press")
            }
        }
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
    let refused = |answer: &str, remove_keyboard: bool| {
        Ok(Press::Refused {
            answer: answer.to_owned(),
            remove_keyboard,
        })
    };
    let Some(cb) = CallbackData::decode(data) else {
        return refused("This button is no longer valid.", true);
    };
    let Some(row) = store.outbox_row(cb.outbox_id)? else {
        return refused("This alert is too old to act on.", true);
    };
    if row.chat_id() != Some(chat_id) {
        return refused("This button belongs to another chat.", false);
    }
    if row.alerts.is_empty() {
        return refused("There is nothing to snooze on this message.", true);
    }
    if let Some(at) = row.resolved_at {
        let at = at.with_timezone(&config.timezone).format("%H:%M");
        return refused(
            &format!("This already cleared at {at}: nothing to do."),
            true,
        );
    }
    if row.created_at < now - RESOLVE_WITHIN {
        return refused("This alert is too old to act on.", true);
    }
    if cb.action == Action::Undo && row.press_state.is_none() {
        return refused("Nothing to undo.", false);
    }
    let alerts: Vec<(String, Option<Priority>)> = row
        .alerts
        .iter()
        .map(|a| (a.dedup_key.clone(), Some(a.priority)))
        .collect();
    let recipient = Recipient::Chat(chat_id);
    let status = apply(store, config, recipient, &alerts, cb.action, now)?;
    let feedback = match cb.action {
        Action::Snooze1h | Action::Snooze4h | Action::Tomorrow => FeedbackKind::Snooze,
        Action::GotIt => FeedbackKind::GotIt,
        Action::Undo => FeedbackKind::Undo,
    };
    store.record_feedback(&row, feedback, now, None)?;
    tracing::info!(chat_id, outbox_id = row.id, action = ?cb.action, "button pressed");
    let mut edited = Text::rendered(row.html.clone(), row.plain.clone());
    let keyboard = if cb.action == Action::Undo {
        store.set_press_state(row.id, None)?;
        Buttons::Alert(row.id)
    } else {
        store.set_press_state(row.id, Some(&status))?;
        edited.newline().newline().italic(&status);
        Buttons::Undo(row.id)
    };
    Ok(Press::Done {
        answer: status,
        edited,
        keyboard,
    })
}
